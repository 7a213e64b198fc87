/* The integer rules of the ABI (docs/design.md, "ABI rules"): counts are uint32_t, size_t only
 * for buffer lengths, booleans are uint32_t 0/1 and other values are refused with a message
 * naming the field and the value. */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bimt/bimt.h"
#include "testutil.h"

/* 1 when expression e has type T exactly (no conversion), by C11 _Generic. */
#define HAS_TYPE(e, T) _Generic((e), T : 1, default : 0)

START_TEST(counts_are_uint32)
{
    bimt_batch b;
    memset(&b, 0, sizeof b);
    ck_assert(HAS_TYPE(b.n_steps, uint32_t));
    ck_assert(HAS_TYPE(b.batch_size, uint32_t));
    ck_assert(HAS_TYPE(b.n_in, uint32_t));
    ck_assert(HAS_TYPE(b.n_out, uint32_t));
    ck_assert(HAS_TYPE(b.go_step, uint32_t));
    ck_assert(HAS_TYPE(b.n_epochs, uint32_t));
    ck_assert(HAS_TYPE(b.epochs[0].start, uint32_t));
    ck_assert(HAS_TYPE(b.epochs[0].end, uint32_t));
    /* Return types of the count getters (the calls are not evaluated by _Generic). */
    ck_assert(HAS_TYPE(bimt_model_n_hidden(NULL), uint32_t));
    ck_assert(HAS_TYPE(bimt_model_n_in(NULL), uint32_t));
    ck_assert(HAS_TYPE(bimt_model_n_out(NULL), uint32_t));
    ck_assert(HAS_TYPE(bimt_model_grid_side(NULL), uint32_t));
    ck_assert(HAS_TYPE(bimt_task_n_in(NULL), uint32_t));
    ck_assert(HAS_TYPE(bimt_task_n_out(NULL), uint32_t));
    ck_assert(HAS_TYPE(bimt_sweep_n_runs(NULL), uint32_t));
    ck_assert(HAS_TYPE(bimt_sweep_n_summaries(NULL), uint32_t));
    /* Buffer lengths stay size_t: the parameter vector can pass 2^32 elements. */
    ck_assert(HAS_TYPE(bimt_model_n_params(NULL), size_t));
    ck_assert(HAS_TYPE(bimt_adam_n_params(NULL), size_t));
    /* Function arguments: a pointer to each function has exactly the documented type. */
    int (*fwd)(bimt_model_t *, const float *, uint32_t, uint32_t, uint32_t) = bimt_model_forward;
    int (*smp)(bimt_task_t *, int, uint32_t, bimt_batch *) = bimt_task_sample;
    int (*run)(bimt_trainer_t *, uint32_t, bimt_progress_fn, void *) = bimt_trainer_run;
    int (*imp)(const float *, uint32_t, uint32_t, double, uint8_t *, uint32_t *) =
        bimt_important_neurons;
    int (*nrm)(const float *, uint32_t, uint32_t, double, uint32_t, float *) =
        bimt_normalize_task_variance;
    int (*cc)(bimt_model_t *, double, double, uint32_t, double *) = bimt_model_connection_cost;
    int (*ten)(const bimt_model_t *, int32_t, const float **, uint32_t *, uint32_t *, size_t *) =
        bimt_model_tensor;
    double (*iod)(const bimt_model_t *, uint32_t, uint32_t, uint32_t) = bimt_model_io_distance;
    ck_assert(fwd && smp && run && imp && nrm && cc && ten && iod);
}
END_TEST

static bimt_model_t *small_model(void)
{
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 3;
    mp.n_in = 4;
    mp.n_out = 3;
    mp.io_layout = BIMT_IO_EDGES;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
    return m;
}

/* A refused boolean: BIMT_E_INVALID_ARG and a message naming the field and the value. */
static void expect_bool_refused(int rc, const char *field)
{
    ck_assert_int_eq(rc, BIMT_E_INVALID_ARG);
    ck_assert_msg(strstr(bimt_last_error(), field) != NULL, "message '%s' lacks '%s'",
                  bimt_last_error(), field);
    ck_assert_msg(strstr(bimt_last_error(), "0 or 1") && strstr(bimt_last_error(), "2"),
                  "message '%s'", bimt_last_error());
}

START_TEST(booleans_are_0_or_1)
{
    bimt_model_t *m = small_model();
    double v = 0.0;
    ck_assert_int_eq(bimt_model_connection_cost(m, 1e-3, 1.0, 1, &v), BIMT_OK);
    expect_bool_refused(bimt_model_connection_cost(m, 1e-3, 1.0, 2, &v), "add_grad");

    float tv[BIMT_N_RULES * 9], ntv[BIMT_N_RULES * 9];
    for (size_t i = 0; i < sizeof tv / sizeof tv[0]; i++)
        tv[i] = (float)(i % 7) * 0.1f;
    ck_assert_int_eq(bimt_normalize_task_variance(tv, BIMT_N_RULES, 9, 1e-3, 1, ntv), BIMT_OK);
    expect_bool_refused(bimt_normalize_task_variance(tv, BIMT_N_RULES, 9, 1e-3, 2, ntv), "by_sum");

    bimt_clear_error();
    ck_assert(bimt_model_io_distance(m, 1, 0, 0) >= 0.0);
    ck_assert(bimt_model_io_distance(m, 2, 0, 0) == -1.0);
    ck_assert_ptr_nonnull(strstr(bimt_last_error(), "output must be 0 or 1 (got 2)"));
    bimt_model_free(m);

    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    bimt_task_t *t = NULL;
    tp.input_noise = 2;
    expect_bool_refused(bimt_task_create(&tp, &t), "input_noise");
    ck_assert_ptr_null(t);
    tp.input_noise = 1;
    tp.easy_task = 2;
    expect_bool_refused(bimt_task_create(&tp, &t), "easy_task");
    ck_assert_ptr_null(t);

    bimt_cluster_params cp;
    bimt_cluster_params_init(&cp);
    cp.normalize_by_sum = 2;
    int32_t labels[9];
    uint32_t nc = 0;
    expect_bool_refused(bimt_cluster_task_variance(tv, BIMT_N_RULES, 9, &cp, labels, &nc, NULL),
                        "normalize_by_sum");
}
END_TEST

/* Counts past 32 bits cannot be passed any more; the library's own limits still hold. */
START_TEST(count_limits)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    bimt_task_t *t = NULL;
    ck_assert_int_eq(bimt_task_create(&tp, &t), BIMT_OK);
    bimt_batch b;
    memset(&b, 0, sizeof b);
    b.struct_size = (uint32_t)sizeof b;
    ck_assert_int_eq(bimt_task_sample(t, 0, UINT32_MAX, &b), BIMT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(bimt_last_error(), "4294967295"));
    ck_assert_int_eq(bimt_task_sample(t, 0, 5, &b), BIMT_OK);
    ck_assert_uint_eq(b.batch_size, 5);
    ck_assert_uint_eq(b.n_in, bimt_task_n_in(t));
    ck_assert(b.go_step < b.n_steps && b.n_epochs > 0 && b.epochs[b.n_epochs - 1].end == b.n_steps);
    bimt_task_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("abi");
    TCase *tc = tcase_create("integers");
    tcase_add_test(tc, counts_are_uint32);
    tcase_add_test(tc, booleans_are_0_or_1);
    tcase_add_test(tc, count_limits);
    suite_add_tcase(s, tc);
    return bimt_test_run(s);
}
