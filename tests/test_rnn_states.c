/* The inference-only forward (lib/model/rnn_states.h): its states are bit-identical to those of
 * bimt_model_forward (noise off) for every activation, batch, thread count and kernel path,
 * with inputs that change at every step or only now and then (the input term is reused),
 * also when a run continues from the state another run ended in (a shared prefix); they match
 * a double-precision recurrence written here; the per-step callback sees exactly the states;
 * the model's own forward results are left alone; bad input is refused without side effects.
 * Also: bimt_task_variance, which uses it, gives the same bits for any thread count. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "model/model_internal.h"
#include "model/rnn_states.h"
#include "testutil.h"

static uint64_t lcg_state;
static double urand(void)
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(lcg_state >> 11) * 0x1.0p-53;
}
static double urange(double a, double b)
{
    return a + (b - a) * urand();
}

static bimt_model_t *make_model(uint32_t side, uint32_t n_in, bimt_activation act, double alpha,
                                uint64_t seed)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = side;
    p.n_in = n_in;
    p.n_out = 3;
    p.activation = act;
    p.alpha = alpha;
    p.seed = seed;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    size_t nh = bimt_model_n_hidden(m), off[5];
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq(bimt_model_tensor(m, (bimt_tensor)k, NULL, NULL, NULL, &off[k]), BIMT_OK);
    float *w = bimt_model_params_data(m);
    double sc = 1.3 / sqrt((double)nh);
    for (size_t i = 0; i < nh * nh; i++)
        w[off[0] + i] = urand() < 0.15 ? 0.0f : (float)urange(-sc, sc);
    for (size_t i = off[1]; i < off[3]; i++)
        w[i] = (float)urange(-0.7, 0.7);
    for (size_t i = off[3]; i < bimt_model_n_params(m); i++)
        w[i] = (float)urange(-0.3, 0.3);
    return m;
}

static float *rand_inputs(size_t n)
{
    float *x = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        x[i] = urand() < 0.3 ? 0.0f : (float)urange(-1.0, 1.0);
    return x;
}

/* Per-step callback: copies the thread's columns of h_t into an [T][B][n_h] array and counts
 * how often each (t, column) was seen. */
typedef struct collect {
    float *h;
    int *seen; /* [T][n_h] */
    size_t nh;
} collect;

static void collect_visit(void *ctx, size_t t, const float *h, size_t B, size_t ld, size_t c0,
                          size_t c1)
{
    collect *c = ctx;
    for (size_t i = 0; i < B; i++)
        for (size_t k = c0; k < c1; k++)
            c->h[(t * B + i) * c->nh + k] = h[i * ld + k];
    for (size_t k = c0; k < c1; k++)
        c->seen[t * c->nh + k]++;
}

static bimt_states_engine *make_engine(bimt_model_t *m, int nthreads)
{
    bimt_states_engine *e = NULL;
    ck_assert_int_eq(bimt__states_engine_create(&e, m, nthreads), BIMT_OK);
    ck_assert_ptr_nonnull(e);
    return e;
}

static const bimt_activation acts[3] = {BIMT_ACT_SOFTPLUS, BIMT_ACT_RELU, BIMT_ACT_TANH};
static const size_t batches[4] = {1, 7, 50, 131}; /* 131: several row blocks, a partial one */

/* loop i: activation i % 3, batch i / 3 % 4, T = 1 or 11 (i / 12). */
START_TEST(equals_public_forward)
{
    bimt_activation act = acts[_i % 3];
    size_t B = batches[(_i / 3) % 4], T = _i / 12 ? 11 : 1, ni = 13;
    lcg_state = 100 + (uint64_t)_i;
    bimt_model_t *m = make_model(9, (uint32_t)ni, act, 0.3, 5); /* 81 neurons: 6 panels */
    size_t nh = bimt_model_n_hidden(m);
    float *x = rand_inputs(T * B * ni);
    ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    const float *ref;
    ck_assert_int_eq(bimt_model_states(m, &ref), BIMT_OK);
    size_t n = T * B * nh;
    float *hs = malloc(n * sizeof(float)), *hv = malloc(n * sizeof(float));
    float *last = malloc(B * nh * sizeof(float));
    int *seen = calloc(T * nh, sizeof(int));
    for (int nt = 1; nt <= 4; nt++) {
        bimt_states_engine *e = make_engine(m, nt);
        memset(hs, 0xff, n * sizeof(float));
        memset(hv, 0xff, n * sizeof(float));
        memset(seen, 0, T * nh * sizeof(int));
        collect c = {hv, seen, nh};
        bimt_states_run run = {x, T, B, NULL, hs, last, collect_visit, &c};
        ck_assert_int_eq(bimt__model_forward_states(e, &run), BIMT_OK);
        ck_assert_msg(memcmp(hs, ref, n * sizeof(float)) == 0, "states differ, %d threads", nt);
        ck_assert(memcmp(hv, ref, n * sizeof(float)) == 0);
        ck_assert(memcmp(last, ref + (T - 1) * B * nh, B * nh * sizeof(float)) == 0);
        for (size_t i = 0; i < T * nh; i++)
            ck_assert_int_eq(seen[i], 1);
        /* Without hs: only the callback and h_last see the states. */
        memset(last, 0, B * nh * sizeof(float));
        memset(hv, 0xff, n * sizeof(float));
        bimt_states_run run2 = {x, T, B, NULL, NULL, last, collect_visit, &c};
        ck_assert_int_eq(bimt__model_forward_states(e, &run2), BIMT_OK);
        ck_assert(memcmp(hv, ref, n * sizeof(float)) == 0);
        ck_assert(memcmp(last, ref + (T - 1) * B * nh, B * nh * sizeof(float)) == 0);
        bimt__states_engine_free(e);
    }
    free(hs);
    free(hv);
    free(last);
    free(seen);
    free(x);
    bimt_model_free(m);
}
END_TEST

/* Inputs constant over epochs of steps, changing at different steps in different row blocks
 * (the input term is then reused between steps): still the public forward's states, from a
 * zero state and from a given one. */
START_TEST(piecewise_constant_inputs)
{
    lcg_state = 31;
    const size_t ni = 10, T = 20, B = 131, tc = 7;
    bimt_model_t *m = make_model(8, (uint32_t)ni, BIMT_ACT_SOFTPLUS, 0.3, 3);
    size_t nh = bimt_model_n_hidden(m), n = T * B * nh;
    float *x = rand_inputs(T * B * ni);
    for (size_t t = 1; t < T; t++)
        for (size_t b = 0; b < B; b++) {
            /* rows 0..47 change at steps 5 and 12, rows 48..95 only at step 9, the rest at
             * every step except 2, 3, 4 */
            int change = b < 48 ? (t == 5 || t == 12) : b < 96 ? t == 9 : (t < 2 || t > 4);
            if (!change)
                memcpy(x + (t * B + b) * ni, x + ((t - 1) * B + b) * ni, ni * sizeof(float));
        }
    ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    const float *ref;
    ck_assert_int_eq(bimt_model_states(m, &ref), BIMT_OK);
    float *hs = malloc(n * sizeof(float)), *h0 = malloc(B * nh * sizeof(float));
    for (int nt = 1; nt <= 3; nt++) {
        bimt_states_engine *e = make_engine(m, nt);
        memset(hs, 0, n * sizeof(float));
        bimt_states_run run = {x, T, B, NULL, hs, NULL, NULL, NULL};
        ck_assert_int_eq(bimt__model_forward_states(e, &run), BIMT_OK);
        ck_assert_msg(memcmp(hs, ref, n * sizeof(float)) == 0, "states differ, %d threads", nt);
        /* From the state after tc steps (a step inside a constant epoch). */
        memcpy(h0, ref + (tc - 1) * B * nh, B * nh * sizeof(float));
        memset(hs, 0, n * sizeof(float));
        bimt_states_run rest = {x + tc * B * ni, T - tc, B, h0, hs, NULL, NULL, NULL};
        ck_assert_int_eq(bimt__model_forward_states(e, &rest), BIMT_OK);
        ck_assert_msg(memcmp(hs, ref + tc * B * nh, (T - tc) * B * nh * sizeof(float)) == 0,
                      "continued states differ, %d threads", nt);
        bimt__states_engine_free(e);
    }
    free(hs);
    free(h0);
    free(x);
    bimt_model_free(m);
}
END_TEST

/* Double-precision recurrence from h0 (NULL: zeros): hs [T][B][nh]. */
static void reference_states(bimt_model_t *m, const float *x, size_t T, size_t B, const float *h0,
                             double *hs)
{
    size_t nh = bimt_model_n_hidden(m), ni = bimt_model_n_in(m), off[5];
    for (int k = 0; k < 5; k++)
        bimt_model_tensor(m, (bimt_tensor)k, NULL, NULL, NULL, &off[k]);
    const float *w = bimt_model_params_data(m);
    const double a = 0.3;
    for (size_t t = 0; t < T; t++)
        for (size_t b = 0; b < B; b++)
            for (size_t i = 0; i < nh; i++) {
                double u = w[off[3] + i];
                for (size_t j = 0; j < nh; j++) {
                    double hp = t > 0 ? hs[((t - 1) * B + b) * nh + j]
                                : h0  ? (double)h0[b * nh + j]
                                      : 0.0;
                    u += (double)w[off[0] + i * nh + j] * hp;
                }
                for (size_t j = 0; j < ni; j++)
                    u += (double)w[off[1] + i * ni + j] * (double)x[(t * B + b) * ni + j];
                double hp = t > 0 ? hs[((t - 1) * B + b) * nh + i]
                            : h0  ? (double)h0[b * nh + i]
                                  : 0.0;
                hs[(t * B + b) * nh + i] = (1.0 - a) * hp + a * log1p(exp(u));
            }
}

/* A run that starts from the last state of another continues the sequence: states equal the
 * public forward on the whole sequence, and a double-precision recurrence from h0. This is
 * what the task variance does with the common prefix of a test grid (one trial, then all). */
START_TEST(continues_from_a_state)
{
    lcg_state = 7;
    const size_t ni = 11, T = 17, tp = 6, B = 29;
    bimt_model_t *m = make_model(8, (uint32_t)ni, BIMT_ACT_SOFTPLUS, 0.3, 9);
    size_t nh = bimt_model_n_hidden(m);
    float *x = rand_inputs(T * B * ni);
    /* The first tp steps are the same in every trial. */
    for (size_t t = 0; t < tp; t++)
        for (size_t b = 1; b < B; b++)
            memcpy(x + (t * B + b) * ni, x + t * B * ni, ni * sizeof(float));
    ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    const float *ref;
    ck_assert_int_eq(bimt_model_states(m, &ref), BIMT_OK);
    float *xp = malloc(tp * ni * sizeof(float)), *h0 = malloc(B * nh * sizeof(float));
    for (size_t t = 0; t < tp; t++)
        memcpy(xp + t * ni, x + t * B * ni, ni * sizeof(float));
    float *hs = malloc((T - tp) * B * nh * sizeof(float));
    for (int nt = 1; nt <= 3; nt++) {
        bimt_states_engine *e = make_engine(m, nt);
        bimt_states_run pre = {xp, tp, 1, NULL, NULL, h0, NULL, NULL};
        ck_assert_int_eq(bimt__model_forward_states(e, &pre), BIMT_OK);
        for (size_t b = 1; b < B; b++)
            memcpy(h0 + b * nh, h0, nh * sizeof(float));
        bimt_states_run rest = {x + tp * B * ni, T - tp, B, h0, hs, NULL, NULL, NULL};
        ck_assert_int_eq(bimt__model_forward_states(e, &rest), BIMT_OK);
        ck_assert_msg(memcmp(hs, ref + tp * B * nh, (T - tp) * B * nh * sizeof(float)) == 0,
                      "continued states differ, %d threads", nt);
        bimt__states_engine_free(e);
    }
    /* Independent check of the h0 path: double recurrence from the same h0. */
    double *dref = malloc((T - tp) * B * nh * sizeof(double));
    reference_states(m, x + tp * B * ni, T - tp, B, h0, dref);
    double worst = 0.0, big = 0.0;
    for (size_t i = 0; i < (T - tp) * B * nh; i++) {
        double d = fabs((double)hs[i] - dref[i]) / fmax(1.0, fabs(dref[i]));
        if (d > worst) worst = d;
        if (fabs(dref[i]) > big) big = fabs(dref[i]);
    }
    ck_assert_msg(worst < 1e-5, "max relative error %g against the double recurrence", worst);
    ck_assert(big > 0.1);
    free(dref);
    free(hs);
    free(h0);
    free(xp);
    free(x);
    bimt_model_free(m);
}
END_TEST

START_TEST(leaves_the_model_forward_alone)
{
    lcg_state = 3;
    const size_t ni = 5, T = 4, B = 3;
    bimt_model_t *m = make_model(4, (uint32_t)ni, BIMT_ACT_TANH, 0.3, 2);
    size_t nh = bimt_model_n_hidden(m), no = bimt_model_n_out(m);
    float *x = rand_inputs(T * B * ni), *x2 = rand_inputs(9 * 40 * ni);
    ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    const float *h, *o;
    ck_assert_int_eq(bimt_model_states(m, &h), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(m, &o), BIMT_OK);
    float *hc = malloc(T * B * nh * sizeof(float)), *oc = malloc(T * B * no * sizeof(float));
    memcpy(hc, h, T * B * nh * sizeof(float));
    memcpy(oc, o, T * B * no * sizeof(float));
    bimt_states_engine *e = make_engine(m, 0);
    bimt_states_run run = {x2, 9, 40, NULL, NULL, NULL, NULL, NULL}; /* larger than the forward */
    ck_assert_int_eq(bimt__model_forward_states(e, &run), BIMT_OK);
    bimt__states_engine_free(e);
    const float *h2, *o2;
    ck_assert_int_eq(bimt_model_states(m, &h2), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(m, &o2), BIMT_OK);
    ck_assert(memcmp(hc, h2, T * B * nh * sizeof(float)) == 0);
    ck_assert(memcmp(oc, o2, T * B * no * sizeof(float)) == 0);
    free(hc);
    free(oc);
    free(x);
    free(x2);
    bimt_model_free(m);
}
END_TEST

START_TEST(portable_kernels_equal_public_forward)
{
    setenv("BIMT_DISABLE_AVX2", "1", 1);
    lcg_state = 21;
    const size_t ni = 9, T = 6, B = 55;
    bimt_model_t *m = make_model(6, (uint32_t)ni, BIMT_ACT_SOFTPLUS, 0.3, 4);
    size_t nh = bimt_model_n_hidden(m), n = T * B * nh;
    float *x = rand_inputs(T * B * ni), *hs = malloc(n * sizeof(float));
    ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
    const float *ref;
    ck_assert_int_eq(bimt_model_states(m, &ref), BIMT_OK);
    bimt_states_engine *e = make_engine(m, 2);
    bimt_states_run run = {x, T, B, NULL, hs, NULL, NULL, NULL};
    ck_assert_int_eq(bimt__model_forward_states(e, &run), BIMT_OK);
    ck_assert(memcmp(hs, ref, n * sizeof(float)) == 0);
    bimt__states_engine_free(e);
    unsetenv("BIMT_DISABLE_AVX2");
    free(hs);
    free(x);
    bimt_model_free(m);
}
END_TEST

static int visits;
static void count_visit(void *ctx, size_t t, const float *h, size_t B, size_t ld, size_t c0,
                        size_t c1)
{
    (void)ctx, (void)t, (void)h, (void)B, (void)ld, (void)c0, (void)c1;
    visits++;
}

START_TEST(bad_input)
{
    lcg_state = 5;
    bimt_model_t *m = make_model(4, 4, BIMT_ACT_SOFTPLUS, 0.3, 1);
    size_t nh = bimt_model_n_hidden(m);
    float x[2 * 3 * 4] = {0}, hs[2 * 3 * 16], last[3 * 16];
    ck_assert_uint_eq(nh, 16);
    bimt_states_engine *e = make_engine(m, 1);
    ck_assert_int_eq(bimt__model_forward_states(NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt__states_engine_create(NULL, m, 0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt__model_forward_states(e, NULL), BIMT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "run"));
    const struct {
        const float *x;
        size_t T, B;
        const char *msg;
    } bad[4] = {{NULL, 2, 3, "x is NULL"},
                {x, 0, 3, "must be > 0"},
                {x, 2, 0, "must be > 0"},
                {x, (size_t)1 << 40, 3, "too large"}};
    for (int k = 0; k < 4; k++) {
        memset(hs, 0x5a, sizeof hs);
        memset(last, 0x5a, sizeof last);
        visits = 0;
        bimt_states_run run = {bad[k].x, bad[k].T, bad[k].B, NULL, hs, last, count_visit, NULL};
        ck_assert_int_eq(bimt__model_forward_states(e, &run), BIMT_E_INVALID_ARG);
        ck_assert_msg(strstr(bimt_model_errmsg(m), bad[k].msg) != NULL, "case %d: %s", k,
                      bimt_model_errmsg(m));
        ck_assert_int_eq(visits, 0);
        for (size_t i = 0; i < sizeof hs; i++)
            ck_assert_int_eq(((unsigned char *)hs)[i], 0x5a);
        for (size_t i = 0; i < sizeof last; i++)
            ck_assert_int_eq(((unsigned char *)last)[i], 0x5a);
    }
    /* The engine still works after refusing. */
    bimt_states_run ok = {x, 2, 3, NULL, hs, last, count_visit, NULL};
    ck_assert_int_eq(bimt__model_forward_states(e, &ok), BIMT_OK);
    ck_assert_int_eq(visits, 2);
    bimt__states_engine_free(e);
    bimt__states_engine_free(NULL);
    bimt_model_free(m);
}
END_TEST

/* bimt_task_variance runs on the engine's pool: the same bits for any thread count. */
START_TEST(task_variance_thread_count_invariance)
{
    const char *counts[3] = {"1", "2", "3"};
    float *ref = NULL, *tv = NULL;
    size_t n = 0;
    bimt_task_t *task = NULL;
    ck_assert_int_eq(bimt_task_create(NULL, &task), BIMT_OK);
    for (int k = 0; k < 4; k++) {
        if (k < 3)
            setenv("BIMT_NUM_THREADS", counts[k], 1);
        else
            unsetenv("BIMT_NUM_THREADS"); /* the default: adaptive choice of the pool */
        bimt_model_params p;
        bimt_model_params_init(&p);
        p.grid_side = 7; /* 49 neurons: 4 panels, the last one partial */
        p.init = BIMT_INIT_GAUSS;
        p.init_scale = 0.9;
        p.seed = 11;
        bimt_model_t *m = NULL;
        ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
        n = (size_t)BIMT_N_RULES * bimt_model_n_hidden(m);
        if (!tv) tv = malloc(n * sizeof(float));
        ck_assert_int_eq(bimt_task_variance(m, task, tv), BIMT_OK);
        if (k == 0) {
            ref = malloc(n * sizeof(float));
            memcpy(ref, tv, n * sizeof(float));
            double big = 0.0;
            for (size_t i = 0; i < n; i++)
                big = fmax(big, (double)tv[i]);
            ck_assert(big > 1e-4);
        } else {
            ck_assert_msg(memcmp(ref, tv, n * sizeof(float)) == 0, "thread setting %d", k);
        }
        bimt_model_free(m);
    }
    unsetenv("BIMT_NUM_THREADS");
    free(ref);
    free(tv);
    bimt_task_free(task);
}
END_TEST

static Suite *states_suite(void)
{
    Suite *s = suite_create("rnn_states");
    TCase *tc = tcase_create("rnn_states");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, equals_public_forward, 0, 24);
    tcase_add_test(tc, piecewise_constant_inputs);
    tcase_add_test(tc, continues_from_a_state);
    tcase_add_test(tc, leaves_the_model_forward_alone);
    tcase_add_test(tc, portable_kernels_equal_public_forward);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, task_variance_thread_count_invariance);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(states_suite());
}
