/* bimt_task_performance: Yang et al.'s metric (spec 4, 7.6 items 53-56) on hand-built outputs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "task_oracle.h"
#include "testutil.h"

#define DEG (OR_PI / 180.0)

static float logit(double z)
{
    return (float)log(z / (1.0 - z));
}

/* Writes MSE outputs (logits) of one trial at one step: fixation z0 and a ring bump of
 * amplitude amp centred on psi over a baseline. */
static void write_mse(float *o, size_t n_out, double z0, double psi, double amp, double base)
{
    size_t R = n_out - 1;
    o[0] = logit(z0);
    for (size_t k = 0; k < R; k++) {
        double d = or_cd(or_wrap(psi), OR_2PI * (double)k / (double)R) / (OR_PI / 8);
        o[1 + k] = logit(base + amp * exp(-0.5 * d * d));
    }
}

typedef struct host_batch {
    bimt_batch b;
    float *yloc, *out;
} host_batch;

static host_batch make_host(size_t T, size_t B, size_t n_out)
{
    host_batch h;
    memset(&h, 0, sizeof(h));
    h.yloc = calloc(T * B, sizeof(float));
    h.out = calloc(T * B * n_out, sizeof(float));
    ck_assert(h.yloc && h.out);
    h.b.rule = -1;
    h.b.n_steps = (uint32_t)T;
    h.b.batch_size = (uint32_t)B;
    h.b.n_in = 85;
    h.b.n_out = (uint32_t)n_out;
    h.b.y_loc = h.yloc;
    /* Earlier steps are garbage: only step T-1 may be read (7.53). */
    for (size_t i = 0; i < (T - 1) * B * n_out; i++)
        h.out[i] = NAN;
    for (size_t i = 0; i < (T - 1) * B; i++)
        h.yloc[i] = 1234.0f;
    return h;
}

static void free_host(host_batch *h)
{
    free(h->yloc);
    free(h->out);
}

START_TEST(mse_direction_window)
{
    /* 7.55-56: a go trial is correct iff not fixating and the population vector lies strictly
     * within 36 degrees of y_loc. Bumps centred on a preferred direction, with or without
     * the 0.05 baseline, decode it to within 0.001 degree. */
    const double offs[] = {0.0,     35.0,   -35.0,   37.0, -37.0, 35.999,
                           -35.999, 36.001, -36.001, 90.0, 180.0};
    const int want[] = {1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0};
    const size_t n = sizeof(offs) / sizeof(offs[0]);
    const size_t T = 3;
    for (int base = 0; base < 2; base++)
        for (size_t unit = 0; unit < 32; unit += 5) {
            host_batch h = make_host(T, n, 33);
            double theta = OR_2PI * (double)unit / 32.0;
            for (size_t i = 0; i < n; i++) {
                h.yloc[(T - 1) * n + i] = (float)or_wrap(theta + offs[i] * DEG);
                write_mse(h.out + ((T - 1) * n + i) * 33, 33, 0.05, theta, 0.8, base ? 0.05 : 1e-4);
            }
            float correct[16];
            double mean = -1;
            ck_assert_int_eq(bimt_task_performance(&h.b, h.out, BIMT_LOSS_MSE, correct, &mean),
                             BIMT_OK);
            int nok = 0;
            for (size_t i = 0; i < n; i++) {
                OR_ASSERT_MSG(correct[i] == (float)want[i], "unit %zu offset %g: %g", unit, offs[i],
                              (double)correct[i]);
                nok += want[i];
            }
            ck_assert_double_eq(mean, (double)nok / (double)n);
            free_host(&h);
        }
}
END_TEST

START_TEST(mse_fixation_rules)
{
    /* 7.54: y_loc = -1 is correct iff z_fix > 0.5 (strict), whatever the ring says; a
     * fixating output on a go trial is wrong even with a perfect ring bump. */
    enum { B = 6 };
    const size_t T = 2;
    host_batch h = make_host(T, B, 33);
    const double zfix[B] = {0.9, 0.51, 0.5, 0.2, 0.9, 0.2};
    const float yl[B] = {-1.0f, -1.0f, -1.0f, -1.0f, 1.0f, 1.0f};
    const float want[B] = {1, 1, 0, 0, 0, 1};
    for (size_t i = 0; i < B; i++) {
        h.yloc[(T - 1) * B + i] = yl[i];
        write_mse(h.out + ((T - 1) * B + i) * 33, 33, zfix[i], 1.0, 0.8, 0.05);
    }
    float correct[B];
    memset(correct, 0xFF, sizeof(correct));
    double mean = 0;
    ck_assert_int_eq(bimt_task_performance(&h.b, h.out, BIMT_LOSS_MSE, correct, &mean), BIMT_OK);
    for (size_t i = 0; i < B; i++)
        OR_FEQ(correct[i], want[i]);
    ck_assert_double_eq(mean, 3.0 / 6.0);
    /* Optional outputs. */
    ck_assert_int_eq(bimt_task_performance(&h.b, h.out, BIMT_LOSS_MSE, NULL, &mean), BIMT_OK);
    ck_assert_double_eq(mean, 0.5);
    ck_assert_int_eq(bimt_task_performance(&h.b, h.out, BIMT_LOSS_MSE, correct, NULL), BIMT_OK);
    free_host(&h);
}
END_TEST

START_TEST(mse_wraps_around_zero)
{
    enum { B = 4 };
    const size_t T = 1;
    host_batch h = make_host(T, B, 33);
    const double yl[B] = {0.01, OR_2PI - 0.01, 0.01, 0.3};
    const double psi[B] = {-30 * DEG, 30 * DEG, -40 * DEG, OR_2PI - 0.2};
    const float want[B] = {1, 1, 0, 1};
    for (size_t i = 0; i < B; i++) {
        h.yloc[i] = (float)yl[i];
        write_mse(h.out + i * 33, 33, 0.05, psi[i], 0.8, 0.05);
    }
    float correct[B];
    ck_assert_int_eq(bimt_task_performance(&h.b, h.out, BIMT_LOSS_MSE, correct, NULL), BIMT_OK);
    for (size_t i = 0; i < B; i++)
        OR_FEQ(correct[i], want[i]);
    free_host(&h);
}
END_TEST

START_TEST(ce_softmax_over_all_outputs)
{
    /* Cross-entropy outputs are logits of a softmax over all outputs, fixation included. */
    enum { B = 6 };
    const size_t T = 2, n_out = 17; /* 16-unit ring */
    host_batch h = make_host(T, B, n_out);
    const double pfix[B] = {0.1, 0.1, 0.6, 0.6, 0.4, 0.1};
    const double off[B] = {10.0, 50.0, 0.0, 0.0, 0.0, -20.0};
    const float yl[B] = {2.0f, 2.0f, 2.0f, -1.0f, -1.0f, 0.5f};
    const float want[B] = {1, 0, 0, 1, 0, 1};
    for (size_t i = 0; i < B; i++) {
        float *o = h.out + ((T - 1) * B + i) * n_out;
        double p[17], sum = 0.0;
        for (size_t k = 0; k < 16; k++) {
            double d =
                or_cd(or_wrap((double)yl[i] + off[i] * DEG), OR_2PI * (double)k / 16) / (OR_PI / 8);
            p[1 + k] = exp(-0.5 * d * d);
            sum += p[1 + k];
        }
        p[0] = pfix[i];
        for (size_t k = 1; k < 17; k++)
            p[k] *= (1.0 - pfix[i]) / sum;
        for (size_t k = 0; k < 17; k++)
            o[k] = (float)(log(p[k]) + 300.0); /* shift: invariant */
        h.yloc[(T - 1) * B + i] = yl[i];
    }
    float correct[B];
    double mean;
    ck_assert_int_eq(bimt_task_performance(&h.b, h.out, BIMT_LOSS_CROSS_ENTROPY, correct, &mean),
                     BIMT_OK);
    for (size_t i = 0; i < B; i++)
        OR_FEQ(correct[i], want[i]);
    ck_assert_double_eq(mean, 3.0 / 6.0);
    /* Huge logits stay finite. */
    float *o = h.out + ((T - 1) * B) * n_out;
    for (size_t k = 0; k < n_out; k++)
        o[k] = k == 0 ? 1e30f : -1e30f;
    h.yloc[(T - 1) * B] = -1.0f;
    ck_assert_int_eq(bimt_task_performance(&h.b, h.out, BIMT_LOSS_CROSS_ENTROPY, correct, NULL),
                     BIMT_OK);
    OR_FEQ(correct[0], 1.0f);
    free_host(&h);
}
END_TEST

START_TEST(targets_score_perfectly)
{
    /* A network whose outputs equal the targets is correct on every trial of every rule
     * (both encodings); shifting the responses by 90 degrees breaks the go trials. */
    for (int ce = 0; ce < 2; ce++) {
        bimt_task_t *t = or_task(17 + (uint64_t)ce, ce, 1, 20.0, 32);
        for (int rule = 0; rule < BIMT_N_RULES; rule++) {
            bimt_batch b;
            b.struct_size = (uint32_t)sizeof b; /* an output struct */
            ck_assert_int_eq(bimt_task_sample(t, rule, 48, &b), BIMT_OK);
            size_t n = b.n_steps * b.batch_size * b.n_out;
            float *out = malloc(n * sizeof(float));
            ck_assert_ptr_nonnull(out);
            for (size_t i = 0; i < n; i++) {
                double y = (double)b.y[i];
                out[i] = ce ? (float)log(y + 1e-6) : logit(y);
            }
            double mean = 0.0;
            ck_assert_int_eq(bimt_task_performance(&b, out,
                                                   ce ? BIMT_LOSS_CROSS_ENTROPY : BIMT_LOSS_MSE,
                                                   NULL, &mean),
                             BIMT_OK);
            ck_assert_double_eq(mean, 1.0);
            /* Rotate every ring output by 8 units (90 degrees). */
            size_t last = (b.n_steps - 1) * b.batch_size;
            long n_go = 0;
            for (size_t i = 0; i < b.batch_size; i++) {
                float *o = out + (last + i) * 33, tmp[32];
                for (size_t k = 0; k < 32; k++)
                    tmp[(k + 8) % 32] = o[1 + k];
                memcpy(o + 1, tmp, sizeof(tmp));
                n_go += b.y_loc[last + i] >= 0.0f;
            }
            ck_assert_int_eq(bimt_task_performance(&b, out,
                                                   ce ? BIMT_LOSS_CROSS_ENTROPY : BIMT_LOSS_MSE,
                                                   NULL, &mean),
                             BIMT_OK);
            ck_assert_double_lt(fabs(mean - (1.0 - (double)n_go / 48.0)), 1e-12);
            ck_assert_int_gt(n_go, 0);
            free(out);
        }
        bimt_task_free(t);
    }
}
END_TEST

START_TEST(performance_bad_input)
{
    host_batch h = make_host(2, 3, 33);
    float correct[3] = {7, 7, 7};
    double mean = 7;
    bimt_batch bad;
    bad.struct_size = (uint32_t)sizeof bad; /* an output struct */
    ck_assert_int_eq(bimt_task_performance(NULL, h.out, BIMT_LOSS_MSE, correct, &mean),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_performance(&h.b, NULL, BIMT_LOSS_MSE, correct, &mean),
                     BIMT_E_INVALID_ARG);
    bad = h.b;
    bad.y_loc = NULL;
    ck_assert_int_eq(bimt_task_performance(&bad, h.out, BIMT_LOSS_MSE, correct, &mean),
                     BIMT_E_INVALID_ARG);
    bad = h.b;
    bad.n_out = 1;
    ck_assert_int_eq(bimt_task_performance(&bad, h.out, BIMT_LOSS_MSE, correct, &mean),
                     BIMT_E_INVALID_ARG);
    bad = h.b;
    bad.batch_size = 0;
    ck_assert_int_eq(bimt_task_performance(&bad, h.out, BIMT_LOSS_MSE, correct, &mean),
                     BIMT_E_INVALID_ARG);
    bad = h.b;
    bad.n_steps = 0;
    ck_assert_int_eq(bimt_task_performance(&bad, h.out, BIMT_LOSS_MSE, correct, &mean),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_performance(&h.b, h.out, (bimt_loss)2, correct, &mean),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_performance(&h.b, h.out, -1, correct, &mean), BIMT_E_INVALID_ARG);
    for (int i = 0; i < 3; i++)
        OR_FEQ(correct[i], 7.0f);
    ck_assert_double_eq(mean, 7.0);
    free_host(&h);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("task_perf");
    TCase *tc = tcase_create("metric");
    tcase_add_test(tc, mse_direction_window);
    tcase_add_test(tc, mse_fixation_rules);
    tcase_add_test(tc, mse_wraps_around_zero);
    tcase_add_test(tc, ce_softmax_over_all_outputs);
    tcase_add_test(tc, targets_score_perfectly);
    tcase_add_test(tc, performance_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(suite());
}
