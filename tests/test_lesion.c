/* Silenced neurons in the forward pass (bimt_model_set_silenced) and cluster lesions
 * (bimt_lesion_clusters), against a network whose weights out of the silenced neurons are
 * zeroed by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "common/rng.h"
#include "testutil.h"

static bimt_model_t *make_model(uint32_t side, uint32_t n_in, uint32_t n_out)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = side;
    p.n_in = n_in;
    p.n_out = n_out;
    p.init = BIMT_INIT_GAUSS;
    p.init_scale = 1.2;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    return m;
}

static float *tensor(bimt_model_t *m, int32_t which)
{
    size_t off;
    ck_assert_int_eq(bimt_model_tensor(m, which, NULL, NULL, NULL, &off), BIMT_OK);
    return bimt_model_params_data(m) + off;
}

/* A clone whose recurrent and output weights out of the neurons in mask are 0: nobody reads
 * them, which is what silencing does. */
static bimt_model_t *cut_clone(const bimt_model_t *m, const uint8_t *mask)
{
    bimt_model_t *c = NULL;
    ck_assert_int_eq(bimt_model_clone(m, &c), BIMT_OK);
    const size_t nh = bimt_model_n_hidden(c), no = bimt_model_n_out(c);
    float *W = tensor(c, BIMT_W_REC), *Wout = tensor(c, BIMT_W_OUT);
    for (size_t j = 0; j < nh; j++) {
        if (!mask[j]) continue;
        for (size_t i = 0; i < nh; i++)
            W[i * nh + j] = 0.0f;
        for (size_t o = 0; o < no; o++)
            Wout[o * nh + j] = 0.0f;
    }
    return c;
}

static float *inputs(size_t T, size_t B, size_t n_in, uint64_t seed)
{
    float *x = malloc(T * B * n_in * sizeof(float));
    bimt_rng r;
    bimt__rng_seed(&r, seed, 41);
    for (size_t i = 0; i < T * B * n_in; i++)
        x[i] = (float)bimt__rng_normal(&r);
    return x;
}

static float *copy_of(const float *src, size_t n)
{
    float *d = malloc(n * sizeof(float));
    memcpy(d, src, n * sizeof(float));
    return d;
}

/* Mask off == bit-identical forward; silencing then clearing changes nothing; a silenced
 * forward equals the hand-cut network's outputs bit for bit, its states equal except the
 * silenced columns (0); backward gives the cut network's gradients on every weight that does
 * not touch a silenced neuron and 0 on those that do. Both batch splits (3 and 48 trials). */
static void check_silenced(size_t B)
{
    const size_t T = 9, ni = 5, no = 4;
    bimt_model_t *m = make_model(5, (uint32_t)ni, (uint32_t)no);
    const size_t nh = 25, np = bimt_model_n_params(m);
    uint8_t mask[25] = {0};
    mask[3] = mask[7] = mask[8] = mask[24] = 1;
    float *x = inputs(T, B, ni, B);
    const float *o, *h;
    ck_assert_uint_eq(bimt_model_n_silenced(m), 0);
    ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(m, &o), BIMT_OK);
    float *o_plain = copy_of(o, T * B * no);

    /* a clone never silenced, and the model after a silenced forward and clearing */
    bimt_model_t *twin = NULL;
    ck_assert_int_eq(bimt_model_clone(m, &twin), BIMT_OK);
    ck_assert_int_eq(bimt_model_set_silenced(m, mask, nh), BIMT_OK);
    ck_assert_uint_eq(bimt_model_n_silenced(m), 4);
    ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(m, &o), BIMT_OK);
    float *o_sil = copy_of(o, T * B * no);
    ck_assert_int_eq(bimt_model_states(m, &h), BIMT_OK);
    float *h_sil = copy_of(h, T * B * nh);
    bimt_model_zero_grad(m);
    float *dO = inputs(T, B, no, 99);
    ck_assert_int_eq(bimt_model_backward(m, dO), BIMT_OK);
    float *g_sil = copy_of(bimt_model_grad_data(m), np);

    ck_assert_int_eq(bimt_model_set_silenced(m, NULL, 0), BIMT_OK);
    ck_assert_uint_eq(bimt_model_n_silenced(m), 0);
    ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(m, &o), BIMT_OK);
    ck_assert_int_eq(memcmp(o, o_plain, T * B * no * sizeof(float)), 0);
    ck_assert_int_eq(bimt_model_forward(twin, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(twin, &o), BIMT_OK);
    ck_assert_int_eq(memcmp(o, o_plain, T * B * no * sizeof(float)), 0);
    ck_assert(memcmp(o_sil, o_plain, T * B * no * sizeof(float)) != 0); /* the lesion acts */

    /* the hand-cut network */
    bimt_model_t *cut = cut_clone(twin, mask);
    ck_assert_int_eq(bimt_model_forward(cut, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(cut, &o), BIMT_OK);
    ck_assert_int_eq(memcmp(o, o_sil, T * B * no * sizeof(float)), 0);
    ck_assert_int_eq(bimt_model_states(cut, &h), BIMT_OK);
    for (size_t r = 0; r < T * B; r++)
        for (size_t k = 0; k < nh; k++)
            if (mask[k])
                ck_assert(h_sil[r * nh + k] == 0.0f);
            else
                ck_assert(h_sil[r * nh + k] == h[r * nh + k]);
    bimt_model_zero_grad(cut);
    ck_assert_int_eq(bimt_model_backward(cut, dO), BIMT_OK);
    const float *g_cut = bimt_model_grad_data(cut);
    size_t off[5];
    for (int t = 0; t < 5; t++)
        ck_assert_int_eq(bimt_model_tensor(m, t, NULL, NULL, NULL, &off[t]), BIMT_OK);
    for (size_t i = 0; i < nh; i++)
        for (size_t j = 0; j < nh; j++) {
            size_t q = off[BIMT_W_REC] + i * nh + j;
            if (mask[i] || mask[j])
                ck_assert(g_sil[q] == 0.0f);
            else
                ck_assert(g_sil[q] == g_cut[q]);
        }
    for (size_t i = 0; i < nh; i++) {
        ck_assert(g_sil[off[BIMT_B_H] + i] == (mask[i] ? 0.0f : g_cut[off[BIMT_B_H] + i]));
        for (size_t a = 0; a < ni; a++) {
            size_t q = off[BIMT_W_IN] + i * ni + a;
            ck_assert(g_sil[q] == (mask[i] ? 0.0f : g_cut[q]));
        }
        for (size_t c = 0; c < no; c++) {
            size_t q = off[BIMT_W_OUT] + c * nh + i;
            ck_assert(g_sil[q] == (mask[i] ? 0.0f : g_cut[q]));
        }
    }
    for (size_t c = 0; c < no; c++)
        ck_assert(g_sil[off[BIMT_B_O] + c] == g_cut[off[BIMT_B_O] + c]);

    /* clones copy the silenced set */
    ck_assert_int_eq(bimt_model_set_silenced(m, mask, nh), BIMT_OK);
    bimt_model_t *c2 = NULL;
    ck_assert_int_eq(bimt_model_clone(m, &c2), BIMT_OK);
    ck_assert_uint_eq(bimt_model_n_silenced(c2), 4);
    ck_assert_int_eq(bimt_model_forward(c2, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(c2, &o), BIMT_OK);
    ck_assert_int_eq(memcmp(o, o_sil, T * B * no * sizeof(float)), 0);

    /* refused calls leave the set unchanged */
    ck_assert_int_eq(bimt_model_set_silenced(m, mask, nh - 1), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_last_error(), "n is 24") != NULL);
    ck_assert_uint_eq(bimt_model_n_silenced(m), 4);
    ck_assert_int_eq(bimt_model_set_silenced(NULL, mask, nh), BIMT_E_INVALID_ARG);
    ck_assert_uint_eq(bimt_model_n_silenced(NULL), 0);

    free(x);
    free(dO);
    free(o_plain);
    free(o_sil);
    free(h_sil);
    free(g_sil);
    bimt_model_free(m);
    bimt_model_free(twin);
    bimt_model_free(cut);
    bimt_model_free(c2);
}

START_TEST(silenced_small_batch)
{
    check_silenced(3);
}
END_TEST

START_TEST(silenced_large_batch)
{
    check_silenced(48);
}
END_TEST

static bimt_task_t *make_task(void)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    bimt_task_t *t = NULL;
    ck_assert_int_eq(bimt_task_create(&tp, &t), BIMT_OK);
    return t;
}

/* Performance of model on trials_per_rule (<= 128) random-mode trials per rule from a task
 * with the given seed, drawn rule by rule: the lesion call's trials, computed here directly. */
static void direct_perf(bimt_model_t *m, const bimt_task_t *task, uint32_t n, uint64_t seed,
                        double *perf)
{
    bimt_task_params tp;
    tp.struct_size = (uint32_t)sizeof tp;
    bimt_task_get_params(task, &tp);
    tp.seed = seed;
    bimt_task_t *t = NULL;
    ck_assert_int_eq(bimt_task_create(&tp, &t), BIMT_OK);
    bimt_model_params mp;
    mp.struct_size = (uint32_t)sizeof mp;
    bimt_model_get_params(m, &mp);
    for (int r = 0; r < BIMT_N_RULES; r++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b;
        ck_assert_int_eq(bimt_task_sample(t, r, n, &b), BIMT_OK);
        ck_assert_int_eq(bimt_model_forward(m, b.x, b.n_steps, b.batch_size, 0), BIMT_OK);
        const float *o;
        ck_assert_int_eq(bimt_model_outputs(m, &o), BIMT_OK);
        ck_assert_int_eq(bimt_task_performance(&b, o, mp.loss, NULL, &perf[r]), BIMT_OK);
    }
    bimt_task_free(t);
}

/* Three clusters: 0 and 2 are real neurons, 1 is neurons whose outputs nobody reads (their
 * weights out are 0), so its lesion changes nothing. Each row equals the performance of the
 * hand-cut network on the same trials; the baseline that of the intact network. */
START_TEST(lesion_clusters_against_cut_networks)
{
    bimt_task_t *task = make_task();
    bimt_model_t *m =
        make_model(4, (uint32_t)bimt_task_n_in(task), (uint32_t)bimt_task_n_out(task));
    const size_t nh = 16;
    int32_t labels[16];
    uint8_t unused[16] = {0};
    for (size_t k = 0; k < nh; k++) {
        labels[k] = k < 6 ? 0 : k < 9 ? 1 : k < 14 ? 2 : -1;
        unused[k] = labels[k] == 1;
    }
    bimt_model_t *tmp = cut_clone(m, unused); /* make cluster 1 unread in m itself */
    memcpy(bimt_model_params_data(m), bimt_model_params_data(tmp),
           bimt_model_n_params(m) * sizeof(float));
    bimt_model_free(tmp);

    bimt_lesion_params lp;
    bimt_lesion_params_init(&lp);
    ck_assert_uint_eq(lp.trials_per_rule, 256);
    lp.trials_per_rule = 40;
    lp.seed = 7;
    double base[BIMT_N_RULES], perf[3 * BIMT_N_RULES], want[BIMT_N_RULES];
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 3, &lp, base, perf), BIMT_OK);
    ck_assert_uint_eq(bimt_model_n_silenced(m), 0);
    direct_perf(m, task, 40, 7, want);
    for (int r = 0; r < BIMT_N_RULES; r++) {
        ck_assert_double_eq(base[r], want[r]);
        ck_assert_double_eq(perf[1 * BIMT_N_RULES + r], base[r]); /* unused cluster */
    }
    int changed = 0;
    for (int32_t c = 0; c < 3; c += 2) {
        uint8_t mask[16];
        for (size_t k = 0; k < nh; k++)
            mask[k] = labels[k] == c;
        bimt_model_t *cut = cut_clone(m, mask);
        direct_perf(cut, task, 40, 7, want);
        for (int r = 0; r < BIMT_N_RULES; r++) {
            ck_assert_double_eq(perf[(size_t)c * BIMT_N_RULES + (size_t)r], want[r]);
            changed += want[r] != base[r];
        }
        bimt_model_free(cut);
    }
    ck_assert_int_gt(changed, 0);
    /* same seed, same numbers; trials in more than one chunk */
    double base2[BIMT_N_RULES], perf2[3 * BIMT_N_RULES];
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 3, &lp, base2, perf2), BIMT_OK);
    ck_assert_int_eq(memcmp(base, base2, sizeof base), 0);
    ck_assert_int_eq(memcmp(perf, perf2, sizeof perf), 0);
    lp.trials_per_rule = 130;
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 3, &lp, base2, perf2), BIMT_OK);
    for (int r = 0; r < BIMT_N_RULES; r++)
        ck_assert_double_eq(perf2[BIMT_N_RULES + r], base2[r]);
    bimt_model_free(m);
    bimt_task_free(task);
}
END_TEST

START_TEST(lesion_bad_input)
{
    bimt_task_t *task = make_task();
    bimt_model_t *m =
        make_model(3, (uint32_t)bimt_task_n_in(task), (uint32_t)bimt_task_n_out(task));
    int32_t labels[9] = {0, 0, 1, 1, -1, -1, 0, 1, 0};
    double base[BIMT_N_RULES], perf[2 * BIMT_N_RULES];
    for (int i = 0; i < BIMT_N_RULES; i++)
        base[i] = -7.0;
    bimt_lesion_params lp;
    bimt_lesion_params_init(&lp);
    lp.trials_per_rule = 4;
    ck_assert_int_eq(bimt_lesion_clusters(NULL, task, labels, 2, &lp, base, perf),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_lesion_clusters(m, NULL, labels, 2, &lp, base, perf), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_lesion_clusters(m, task, NULL, 2, &lp, base, perf), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 2, &lp, base, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 1, &lp, base, perf), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_last_error(), "labels[2] = 1") != NULL);
    labels[4] = -2;
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 2, &lp, base, perf), BIMT_E_INVALID_ARG);
    labels[4] = -1;
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 10, &lp, base, perf),
                     BIMT_E_INVALID_ARG);
    lp.trials_per_rule = 0;
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 2, &lp, base, perf), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_last_error(), "trials_per_rule") != NULL);
    lp.trials_per_rule = BIMT_LESION_MAX_TRIALS + 1;
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 2, &lp, base, perf), BIMT_E_INVALID_ARG);
    lp.trials_per_rule = 4;
    lp.struct_size = sizeof lp + 4;
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 2, &lp, base, perf), BIMT_E_VERSION);
    lp.struct_size = sizeof lp;
    uint8_t mask[9] = {1};
    ck_assert_int_eq(bimt_model_set_silenced(m, mask, 9), BIMT_OK);
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 2, &lp, base, perf), BIMT_E_INVALID_ARG);
    ck_assert_uint_eq(bimt_model_n_silenced(m), 1); /* refused: left as it was */
    ck_assert_int_eq(bimt_model_set_silenced(m, NULL, 0), BIMT_OK);
    bimt_model_t *wrong = make_model(3, 3, 4);
    ck_assert_int_eq(bimt_lesion_clusters(wrong, task, labels, 2, &lp, base, perf), BIMT_E_SHAPE);
    for (int i = 0; i < BIMT_N_RULES; i++)
        ck_assert_double_eq(base[i], -7.0); /* written only on success */
    /* no cluster: the baseline only */
    ck_assert_int_eq(bimt_lesion_clusters(m, task, labels, 0, &lp, base, NULL), BIMT_E_INVALID_ARG);
    int32_t none[9];
    for (int i = 0; i < 9; i++)
        none[i] = -1;
    ck_assert_int_eq(bimt_lesion_clusters(m, task, none, 0, &lp, base, NULL), BIMT_OK);
    for (int i = 0; i < BIMT_N_RULES; i++)
        ck_assert(base[i] >= 0.0 && base[i] <= 1.0);
    bimt_model_free(wrong);
    bimt_model_free(m);
    bimt_task_free(task);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lesion");
    TCase *tc = tcase_create("lesion");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, silenced_small_batch);
    tcase_add_test(tc, silenced_large_batch);
    tcase_add_test(tc, lesion_clusters_against_cut_networks);
    tcase_add_test(tc, lesion_bad_input);
    suite_add_tcase(s, tc);
    return bimt_test_run(s);
}
