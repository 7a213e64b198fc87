/* Task variance: against a direct double computation from the model's states, and against
 * hand-computed variances of single input channels (spec sections 2 and 5). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "testutil.h"

#define R BIMT_N_RULES
#define BIMT_PI 3.14159265358979323846

static bimt_task_t *make_task(void)
{
    bimt_task_t *t = NULL;
    ck_assert_int_eq(bimt_task_create(NULL, &t), BIMT_OK);
    return t;
}

/* Direct two-pass population variance over trials, averaged over [epochs[0].end, T). */
static void direct_tv(bimt_model_t *m, bimt_task_t *task, int rule, double *out)
{
    size_t nh = bimt_model_n_hidden(m);
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    ck_assert_int_eq(bimt_task_sample_test(task, rule, &b), BIMT_OK);
    ck_assert_str_eq(b.epochs[0].name, "fix1");
    ck_assert_int_eq(bimt_model_forward(m, b.x, b.n_steps, b.batch_size, 0), BIMT_OK);
    const float *h;
    ck_assert_int_eq(bimt_model_states(m, &h), BIMT_OK);
    size_t t0 = b.epochs[0].end, T = b.n_steps, B = b.batch_size;
    for (size_t k = 0; k < nh; k++) {
        double acc = 0.0;
        for (size_t t = t0; t < T; t++) {
            double mean = 0.0, var = 0.0;
            for (size_t i = 0; i < B; i++)
                mean += (double)h[(t * B + i) * nh + k];
            mean /= (double)B;
            for (size_t i = 0; i < B; i++) {
                double d = (double)h[(t * B + i) * nh + k] - mean;
                var += d * d;
            }
            acc += var / (double)B;
        }
        out[k] = acc / (double)(T - t0);
    }
}

START_TEST(matches_direct_computation)
{
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 4;
    mp.init = BIMT_INIT_GAUSS;
    mp.init_scale = 0.9;
    mp.seed = 5;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
    bimt_task_t *task = make_task();
    size_t nh = bimt_model_n_hidden(m);
    float *tv = malloc(R * nh * sizeof(float));
    double *ref = malloc(nh * sizeof(double));
    ck_assert_int_eq(bimt_task_variance(m, task, tv), BIMT_OK);
    double biggest = 0.0;
    for (int r = 0; r < R; r++) {
        direct_tv(m, task, r, ref);
        for (size_t k = 0; k < nh; k++) {
            double got = (double)tv[(size_t)r * nh + k];
            ck_assert_msg(fabs(got - ref[k]) <= 1e-5 * ref[k] + 1e-12,
                          "rule %d neuron %zu: %g vs %g", r, k, got, ref[k]);
            if (ref[k] > biggest) biggest = ref[k];
        }
    }
    ck_assert(biggest > 1e-4); /* the comparison is not vacuous */
    free(tv);
    free(ref);
    bimt_task_free(task);
    bimt_model_free(m);
}
END_TEST

static double bump(double psi, double theta)
{
    double d = fabs(psi - theta);
    d = fmin(d, 2.0 * BIMT_PI - d);
    double z = d / (BIMT_PI / 8.0);
    return 0.8 * exp(-0.5 * z * z);
}

static double pop_var(const double *v, size_t n)
{
    double m = 0.0, s = 0.0;
    for (size_t i = 0; i < n; i++)
        m += v[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        s += (v[i] - m) * (v[i] - m);
    return s / (double)n;
}

START_TEST(linear_tracker_hand_computed)
{
    /* alpha = 1, relu, W_rec = 0, biases 0: neuron k's state is relu of one input channel.
     * Neuron 0 <- ring-1 unit 0 (input 1), neuron 1 <- fixation (input 0),
     * neuron 2 <- dm1's rule input, neuron 3 <- ring-2 unit 0 (input 33). */
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 2;
    mp.alpha = 1.0;
    mp.activation = BIMT_ACT_RELU;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
    memset(bimt_model_params_data(m), 0, bimt_model_n_params(m) * sizeof(float));
    size_t off;
    ck_assert_int_eq(bimt_model_tensor(m, BIMT_W_IN, NULL, NULL, NULL, &off), BIMT_OK);
    float *Win = bimt_model_params_data(m) + off;
    const size_t ni = 85;
    Win[0 * ni + 1] = 1.0f;
    Win[1 * ni + 0] = 1.0f;
    Win[2 * ni + 65 + BIMT_RULE_DM1] = 1.0f;
    Win[3 * ni + 33] = 1.0f;
    bimt_task_t *task = make_task();
    float tv[R * 4];
    ck_assert_int_eq(bimt_task_variance(m, task, tv), BIMT_OK);

    /* Go family grid: 40 trials, direction 2 pi floor(b/2)/20, ring 1 + (b mod 2). */
    double v[500];
    for (size_t b = 0; b < 40; b++)
        v[b] = (b % 2 == 0) ? bump(2.0 * BIMT_PI * (double)(b / 2) / 20.0, 0.0) : 0.0;
    double go = pop_var(v, 40);
    ck_assert(go > 0.01);
    /* fdgo: stimulus on over the whole window [25, 100); reactgo: window = stimulus [100,125);
     * delaygo: stimulus [25, 50) of the window [25, 125). */
    ck_assert(fabs((double)tv[BIMT_RULE_FDGO * 4 + 0] - go) < 1e-5 * go);
    ck_assert(fabs((double)tv[BIMT_RULE_REACTGO * 4 + 0] - go) < 1e-5 * go);
    ck_assert(fabs((double)tv[BIMT_RULE_REACTANTI * 4 + 0] - go) < 1e-5 * go);
    ck_assert(fabs((double)tv[BIMT_RULE_DELAYGO * 4 + 0] - 0.25 * go) < 1e-5 * go);
    ck_assert(fabs((double)tv[BIMT_RULE_FDGO * 4 + 3] - go) < 1e-5 * go); /* ring 2, same values */
    /* dm1: 100 trials, gamma1 = 0.8 + 0.08 j at psi1 = 2 pi i/20, gamma2 = 2 - gamma1 at
     * psi1 + pi, on [25, 100) of the window [25, 125). */
    for (size_t b = 0; b < 100; b++) {
        double psi1 = 2.0 * BIMT_PI * (double)(b / 5) / 20.0, g1 = 0.8 + 0.08 * (double)(b % 5);
        v[b] = g1 * bump(psi1, 0.0) + (2.0 - g1) * bump(fmod(psi1 + BIMT_PI, 2.0 * BIMT_PI), 0.0);
    }
    double dm = 0.75 * pop_var(v, 100);
    ck_assert(fabs((double)tv[BIMT_RULE_DM1 * 4 + 0] - dm) < 1e-5 * dm);
    ck_assert(tv[BIMT_RULE_DM1 * 4 + 3] == 0.0f); /* ring 2 silent in dm1 */
    /* Inputs identical across trials have zero variance. */
    for (int r = 0; r < R; r++) {
        ck_assert(fabs((double)tv[r * 4 + 1]) < 1e-12);
        ck_assert(fabs((double)tv[r * 4 + 2]) < 1e-12);
    }
    bimt_task_free(task);
    bimt_model_free(m);
}
END_TEST

START_TEST(variance_bad_input)
{
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 2;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
    bimt_task_t *task = make_task();
    float tv[R * 4];
    for (int i = 0; i < R * 4; i++)
        tv[i] = 7.0f;
    ck_assert_int_eq(bimt_task_variance(NULL, task, tv), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_variance(m, NULL, tv), BIMT_E_INVALID_ARG);
    ck_assert_str_ne(bimt_model_errmsg(m), "");
    ck_assert_int_eq(bimt_task_variance(m, task, NULL), BIMT_E_INVALID_ARG);
    bimt_model_free(m);
    mp.n_in = 10;
    ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
    ck_assert_int_eq(bimt_task_variance(m, task, tv), BIMT_E_SHAPE);
    ck_assert_str_ne(bimt_model_errmsg(m), "");
    for (int i = 0; i < R * 4; i++)
        ck_assert(tv[i] == 7.0f);
    bimt_model_free(m);
    bimt_task_free(task);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("variance");
    TCase *tc = tcase_create("variance");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, matches_direct_computation);
    tcase_add_test(tc, linear_tracker_hand_computed);
    tcase_add_test(tc, variance_bad_input);
    suite_add_tcase(s, tc);
    return bimt_test_run(s);
}
