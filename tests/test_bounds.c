/* Bounds (issue 19): absurd counts, non-boolean flags and values whose sums or products
 * overflow are refused at once with BIMT_E_INVALID_ARG and a message naming the value, and
 * nothing runs for long; values at the documented bounds are accepted and stay finite. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bimt/bimt.h"
#include "testutil.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The call was refused with INVALID_ARG, quickly, and the message holds want. */
#define REFUSED(call, want)                                                                        \
    do {                                                                                           \
        bimt_clear_error();                                                                        \
        double t0_ = now_s();                                                                      \
        int rc_ = (call);                                                                          \
        double dt_ = now_s() - t0_;                                                                \
        ck_assert_msg(rc_ == BIMT_E_INVALID_ARG, "%s returned %d", #call, rc_);                    \
        ck_assert_msg(strstr(bimt_last_error(), want) != NULL, "message '%s' lacks '%s'",          \
                      bimt_last_error(), want);                                                    \
        ck_assert_msg(dt_ < 2.0, "%s took %.1f s to be refused", #call, dt_);                      \
    } while (0)

typedef struct setup {
    bimt_task_t *t;
    bimt_model_t *m;
} setup;

static void make(setup *s)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 4;
    tp.rule_mask = (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1);
    ck_assert_int_eq(bimt_task_create(&tp, &s->t), BIMT_OK);
    bimt_model_params mp;
    bimt_test_model_params(&mp, s->t, 4);
    ck_assert_int_eq(bimt_model_create(&mp, &s->m), BIMT_OK);
}

static void drop(setup *s)
{
    bimt_model_free(s->m);
    bimt_task_free(s->t);
}

START_TEST(booleans_are_0_or_1)
{
    bimt_task_params tp;
    bimt_task_t *t = NULL;
    bimt_task_params_init(&tp);
    tp.input_noise = 2;
    REFUSED(bimt_task_create(&tp, &t), "input_noise");
    ck_assert_ptr_null(t);
    bimt_task_params_init(&tp);
    tp.easy_task = 7;
    REFUSED(bimt_task_create(&tp, &t), "easy_task");
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(bimt_last_error(), "7"));
}
END_TEST

START_TEST(huge_counts_refused_at_once)
{
    setup s;
    make(&s);
    size_t nh = bimt_model_n_hidden(s.m);
    int32_t labels[16];
    for (size_t k = 0; k < nh; k++)
        labels[k] = (int32_t)(k % 3);
    bimt_anatomy an;
    an.struct_size = (uint32_t)sizeof an;
    REFUSED(bimt_anatomy_metrics(s.m, labels, UINT32_MAX, 1, &an, NULL, NULL), "4294967295");
    ck_assert_int_eq(bimt_anatomy_metrics(s.m, labels, 10, 1, &an, NULL, NULL), BIMT_OK);
    uint8_t imp[16];
    memset(imp, 1, sizeof imp);
    bimt_centrality c;
    c.struct_size = (uint32_t)sizeof c;
    REFUSED(bimt_centrality_metrics(s.m, imp, UINT32_MAX, 1, &c, NULL), "4294967295");

    float tv[BIMT_N_RULES * 16];
    for (size_t i = 0; i < sizeof tv / sizeof tv[0]; i++)
        tv[i] = (float)((i * 7919u) % 13u) * 0.01f;
    bimt_cluster_params cp;
    bimt_cluster_params_init(&cp);
    cp.n_restarts = UINT32_MAX;
    int32_t lab[16];
    REFUSED(bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)nh, &cp, lab, NULL, NULL),
            "4294967295");
    bimt_cluster_params_init(&cp);
    cp.max_iter = UINT32_MAX;
    REFUSED(bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)nh, &cp, lab, NULL, NULL),
            "max_iter");

    /* A batch claiming UINT32_MAX steps (the caller's struct): refused before any access. */
    bimt_batch b;
    memset(&b, 0, sizeof b);
    b.struct_size = (uint32_t)sizeof b;
    float y_loc = 0.0f, out[4] = {0};
    b.y_loc = &y_loc;
    b.n_out = 2;
    b.batch_size = 1;
    b.n_steps = UINT32_MAX;
    REFUSED(bimt_task_performance(&b, out, BIMT_LOSS_MSE, NULL, NULL), "n_steps");
    b.n_steps = 1;
    b.batch_size = UINT32_MAX;
    REFUSED(bimt_task_performance(&b, out, BIMT_LOSS_MSE, NULL, NULL), "batch_size");
    drop(&s);
}
END_TEST

START_TEST(overflowing_sums_and_products)
{
    setup s;
    make(&s);
    /* lambda = A = 1e308: lambda * A overflows; refused. At the bound the cost is finite. */
    double v = 0.0;
    REFUSED(bimt_model_connection_cost(s.m, 1e308, 1e308, 1, &v), "1e+308");
    REFUSED(bimt_model_distance_cost(s.m, 1e308, &v), "1e+308");
    ck_assert_int_eq(bimt_model_connection_cost(s.m, 1e6, 1e6, 0, &v), BIMT_OK);
    ck_assert(isfinite(v));

    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 4;
    p.eval_interval = 0;
    bimt_trainer_t *tr = NULL;
    /* Rule weights all 1e308: their sum overflows; refused. */
    for (int r = 0; r < BIMT_N_RULES; r++)
        p.rule_weight[r] = 1e308;
    REFUSED(bimt_trainer_create(s.m, s.t, &p, &tr), "sum");
    ck_assert_ptr_null(tr);
    /* Huge but summable weights train with a finite loss (only the ratios matter). */
    for (int r = 0; r < BIMT_N_RULES; r++)
        p.rule_weight[r] = DBL_MAX / 32.0;
    ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &tr), BIMT_OK);
    bimt_step_info info;
    info.struct_size = (uint32_t)sizeof info;
    ck_assert_int_eq(bimt_trainer_step(tr, &info), BIMT_OK);
    ck_assert(isfinite(info.loss));
    /* lambda and A above the bound, at creation and later. */
    REFUSED(bimt_trainer_set_param(tr, BIMT_TP_LAMBDA, 1e308), "lambda");
    REFUSED(bimt_trainer_set_param(tr, BIMT_TP_A, 1e7), "1e+07");
    ck_assert_int_eq(bimt_trainer_set_param(tr, BIMT_TP_A, 1e6), BIMT_OK);
    bimt_trainer_free(tr);
    tr = NULL;
    bimt_trainer_params_init(&p);
    p.lambda = 1e308;
    REFUSED(bimt_trainer_create(s.m, s.t, &p, &tr), "lambda");
    ck_assert_ptr_null(tr);
    drop(&s);
}
END_TEST

static Suite *bounds_suite(void)
{
    Suite *s = suite_create("bounds");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, booleans_are_0_or_1);
    tcase_add_test(tc, huge_counts_refused_at_once);
    tcase_add_test(tc, overflowing_sums_and_products);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(bounds_suite());
}
