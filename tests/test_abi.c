/* The ABI rules of docs/design.md, "ABI rules": counts are uint32_t, size_t only for buffer
 * lengths, booleans are uint32_t 0/1 and other values are refused with a message naming the
 * field and the value; an output struct is written only up to the caller's struct_size (no
 * byte beyond it), struct_size then tells what was filled, and an unset one (< 4) is refused. */
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

/* ---------------------------------------------------------------- output structs */

#define SENTINEL 0xA5
#define SLACK 32 /* bytes after the library's sizeof in the caller's buffer */

/* The caller's memory: sentinel bytes, struct_size = size. */
static void prep(void *buf, size_t len, uint32_t size)
{
    memset(buf, SENTINEL, len);
    memcpy(buf, &size, sizeof size);
}

/* After a call with the caller's struct_size `cut`: struct_size reads back as min(cut, full),
 * every byte from there on is untouched, and the written prefix equals the full result's. */
static void expect_written(const void *buf, size_t len, uint32_t cut, const void *full,
                           size_t full_size)
{
    const unsigned char *b = buf, *f = full;
    uint32_t got;
    memcpy(&got, b, sizeof got);
    uint32_t want = cut < full_size ? cut : (uint32_t)full_size;
    ck_assert_uint_eq(got, want);
    for (size_t i = sizeof got; i < want; i++)
        ck_assert_msg(b[i] == f[i], "byte %zu differs from the full result", i);
    for (size_t i = want; i < len; i++)
        ck_assert_msg(b[i] == SENTINEL, "byte %zu beyond struct_size %u was written", i,
                      (unsigned)want);
}

/* An unset struct_size: BIMT_E_VERSION naming struct_size, and no byte written. */
static void expect_refused(int rc, const void *buf, size_t len)
{
    ck_assert_int_eq(rc, BIMT_E_VERSION);
    ck_assert_ptr_nonnull(strstr(bimt_last_error(), "struct_size"));
    const unsigned char *b = buf;
    for (size_t i = sizeof(uint32_t); i < len; i++)
        ck_assert_msg(b[i] == SENTINEL, "byte %zu written by a refused call", i);
}

struct world {
    bimt_task_t *task, *task2;
    bimt_model_t *model;
    bimt_trainer_t *tr;
    float tv[BIMT_N_RULES * 16];
    int32_t labels[16];
    uint8_t important[16];
};

static void world_make(struct world *w)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    ck_assert_int_eq(bimt_task_create(&tp, &w->task), BIMT_OK);
    ck_assert_int_eq(bimt_task_create(&tp, &w->task2), BIMT_OK);
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 4;
    mp.n_in = bimt_task_n_in(w->task);
    mp.n_out = bimt_task_n_out(w->task);
    ck_assert_int_eq(bimt_model_create(&mp, &w->model), BIMT_OK);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 4;
    p.eval_interval = 0;
    ck_assert_int_eq(bimt_trainer_create(w->model, w->task, &p, &w->tr), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(w->tr, 3, NULL, NULL), BIMT_OK);
    for (size_t i = 0; i < sizeof w->tv / sizeof w->tv[0]; i++)
        w->tv[i] = (float)((i * 7) % 11) * 0.01f;
    for (int k = 0; k < 16; k++) {
        w->labels[k] = k % 3 == 0 ? -1 : k % 2;
        w->important[k] = (uint8_t)(k % 3 != 0);
    }
}

static void world_free(struct world *w)
{
    bimt_trainer_free(w->tr);
    bimt_model_free(w->model);
    bimt_task_free(w->task);
    bimt_task_free(w->task2);
}

START_TEST(output_structs_written_up_to_struct_size)
{
    struct world w;
    world_make(&w);
    unsigned char buf[512];

    /* Analysis results: deterministic, so the full result is the reference. */
    bimt_anatomy an;
    an.struct_size = (uint32_t)sizeof an;
    ck_assert_int_eq(bimt_anatomy_metrics(w.model, w.labels, 20, 3, &an, NULL, NULL), BIMT_OK);
    ck_assert_uint_eq(an.struct_size, sizeof an);
    uint32_t cut = (uint32_t)offsetof(bimt_anatomy, isolated_null_mean);
    prep(buf, sizeof an + SLACK, cut);
    ck_assert_int_eq(
        bimt_anatomy_metrics(w.model, w.labels, 20, 3, (bimt_anatomy *)(void *)buf, NULL, NULL),
        BIMT_OK);
    expect_written(buf, sizeof an + SLACK, cut, &an, sizeof an);
    prep(buf, sizeof an + SLACK, (uint32_t)sizeof an + SLACK); /* a newer caller's size */
    ck_assert_int_eq(
        bimt_anatomy_metrics(w.model, w.labels, 20, 3, (bimt_anatomy *)(void *)buf, NULL, NULL),
        BIMT_OK);
    expect_written(buf, sizeof an + SLACK, (uint32_t)sizeof an + SLACK, &an, sizeof an);
    prep(buf, sizeof an + SLACK, 0);
    expect_refused(
        bimt_anatomy_metrics(w.model, w.labels, 20, 3, (bimt_anatomy *)(void *)buf, NULL, NULL),
        buf, sizeof an + SLACK);

    bimt_centrality ce;
    ce.struct_size = (uint32_t)sizeof ce;
    ck_assert_int_eq(bimt_centrality_metrics(w.model, w.important, 20, 3, &ce, NULL), BIMT_OK);
    cut = (uint32_t)offsetof(bimt_centrality, null_mean);
    prep(buf, sizeof ce + SLACK, cut);
    ck_assert_int_eq(
        bimt_centrality_metrics(w.model, w.important, 20, 3, (bimt_centrality *)(void *)buf, NULL),
        BIMT_OK);
    expect_written(buf, sizeof ce + SLACK, cut, &ce, sizeof ce);

    bimt_wiring wi;
    wi.struct_size = (uint32_t)sizeof wi;
    ck_assert_int_eq(bimt_wiring_stats(w.model, w.tv, 1e-3, 1e-3, &wi), BIMT_OK);
    cut = (uint32_t)offsetof(bimt_wiring, wiring_length);
    prep(buf, sizeof wi + SLACK, cut);
    ck_assert_int_eq(bimt_wiring_stats(w.model, w.tv, 1e-3, 1e-3, (bimt_wiring *)(void *)buf),
                     BIMT_OK);
    expect_written(buf, sizeof wi + SLACK, cut, &wi, sizeof wi);
    prep(buf, sizeof wi + SLACK, 3);
    expect_refused(bimt_wiring_stats(w.model, w.tv, 1e-3, 1e-3, (bimt_wiring *)(void *)buf), buf,
                   sizeof wi + SLACK);

    /* Params read back: the tail beyond a smaller struct_size is left alone. */
    bimt_model_params mp;
    mp.struct_size = (uint32_t)sizeof mp;
    ck_assert_int_eq(bimt_model_get_params(w.model, &mp), BIMT_OK);
    cut = (uint32_t)offsetof(bimt_model_params, seed);
    prep(buf, sizeof mp + SLACK, cut);
    ck_assert_int_eq(bimt_model_get_params(w.model, (bimt_model_params *)(void *)buf), BIMT_OK);
    expect_written(buf, sizeof mp + SLACK, cut, &mp, sizeof mp);
    bimt_trainer_params trp;
    trp.struct_size = (uint32_t)sizeof trp;
    ck_assert_int_eq(bimt_trainer_get_params(w.tr, &trp), BIMT_OK);
    cut = (uint32_t)offsetof(bimt_trainer_params, n_schedule);
    prep(buf, sizeof trp + SLACK, cut);
    ck_assert_int_eq(bimt_trainer_get_params(w.tr, (bimt_trainer_params *)(void *)buf), BIMT_OK);
    expect_written(buf, sizeof trp + SLACK, cut, &trp, sizeof trp);

    /* A batch: two tasks with the same seed give the same batch; the arrays are the task's
     * own, so compare the counts only (the prefix). */
    bimt_batch full;
    full.struct_size = (uint32_t)sizeof full;
    ck_assert_int_eq(bimt_task_sample(w.task2, 3, 5, &full), BIMT_OK);
    bimt_task_t *t3 = NULL;
    bimt_task_params tp;
    tp.struct_size = (uint32_t)sizeof tp;
    ck_assert_int_eq(bimt_task_get_params(w.task2, &tp), BIMT_OK);
    ck_assert_int_eq(bimt_task_create(&tp, &t3), BIMT_OK);
    cut = (uint32_t)offsetof(bimt_batch, epochs);
    prep(buf, sizeof full + SLACK, cut);
    ck_assert_int_eq(bimt_task_sample(t3, 3, 5, (bimt_batch *)(void *)buf), BIMT_OK);
    expect_written(buf, sizeof full + SLACK, cut, &full, sizeof full);
    prep(buf, sizeof full + SLACK, 0);
    expect_refused(bimt_task_sample(t3, 3, 5, (bimt_batch *)(void *)buf), buf, sizeof full + SLACK);
    bimt_task_free(t3);

    /* A training step: the counters are known in advance (step 4, 16 trials). */
    cut = (uint32_t)offsetof(bimt_step_info, loss);
    prep(buf, sizeof(bimt_step_info) + SLACK, cut);
    ck_assert_int_eq(bimt_trainer_step(w.tr, (bimt_step_info *)(void *)buf), BIMT_OK);
    bimt_step_info head;
    memset(&head, SENTINEL, sizeof head);
    memcpy(&head, buf, cut);
    ck_assert_uint_eq(head.struct_size, cut);
    ck_assert_uint_eq(head.step, 4);
    ck_assert_uint_eq(head.trials, 16);
    expect_written(buf, sizeof(bimt_step_info) + SLACK, cut, buf, cut);
    prep(buf, sizeof(bimt_step_info) + SLACK, 0);
    expect_refused(bimt_trainer_step(w.tr, (bimt_step_info *)(void *)buf), buf,
                   sizeof(bimt_step_info) + SLACK);
    ck_assert_uint_eq(bimt_trainer_steps(w.tr), 4); /* the refused step did not run */

    /* A swap pass: a struct_size that lacks exchanges and max_exchanges means no exchange
     * array (the sentinel bytes there would crash the pass if they were used as one). */
    bimt_model_t *m2 = NULL;
    ck_assert_int_eq(bimt_model_clone(w.model, &m2), BIMT_OK);
    bimt_swap_exchange ex[4];
    memset(ex, SENTINEL, sizeof ex);
    bimt_swap_result sr;
    sr.struct_size = (uint32_t)sizeof sr;
    sr.exchanges = ex;
    sr.max_exchanges = 4;
    ck_assert_int_eq(bimt_model_swap(w.model, NULL, &sr), BIMT_OK);
    cut = (uint32_t)offsetof(bimt_swap_result, exchanges);
    prep(buf, sizeof sr + SLACK, cut);
    ck_assert_int_eq(bimt_model_swap(m2, NULL, (bimt_swap_result *)(void *)buf), BIMT_OK);
    expect_written(buf, sizeof sr + SLACK, cut, &sr, sizeof sr);
    bimt_model_free(m2);

    world_free(&w);
}
END_TEST

START_TEST(sweep_summary_written_up_to_struct_size)
{
    bimt_sweep_t *sw = NULL;
    ck_assert_int_eq(bimt_sweep_create(&sw), BIMT_OK);
    bimt_sweep_metrics m;
    bimt_sweep_metrics_init(&m);
    m.perf_mean = 0.9;
    m.n_active_neurons = 10;
    m.wiring_length = 3.0;
    bimt_sweep_run r;
    bimt_sweep_run_init(&r);
    r.id = "a";
    r.lambda = 1e-3;
    r.A = 1.0;
    r.status = BIMT_SWEEP_OK;
    r.metrics = &m;
    ck_assert_int_eq(bimt_sweep_add_run(sw, &r), BIMT_OK);
    bimt_sweep_summary full;
    full.struct_size = (uint32_t)sizeof full;
    ck_assert_int_eq(bimt_sweep_summary_get(sw, 0, &full), BIMT_OK);
    ck_assert_uint_eq(full.n_ok, 1);
    unsigned char buf[sizeof full + SLACK];
    uint32_t cut = (uint32_t)offsetof(bimt_sweep_summary, perf);
    prep(buf, sizeof buf, cut);
    ck_assert_int_eq(bimt_sweep_summary_get(sw, 0, (bimt_sweep_summary *)(void *)buf), BIMT_OK);
    expect_written(buf, sizeof buf, cut, &full, sizeof full);
    prep(buf, sizeof buf, 0);
    expect_refused(bimt_sweep_summary_get(sw, 0, (bimt_sweep_summary *)(void *)buf), buf,
                   sizeof buf);
    bimt_sweep_free(sw);
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
    TCase *to = tcase_create("output_structs");
    tcase_add_test(to, output_structs_written_up_to_struct_size);
    tcase_add_test(to, sweep_summary_written_up_to_struct_size);
    suite_add_tcase(s, to);
    return bimt_test_run(s);
}
