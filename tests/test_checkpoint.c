/* Checkpoints (lib/train/checkpoint.c): bit-identical resume, parameter round trip, validation of
 * corrupt / truncated / foreign / newer files, and atomic saves. */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "io/npz.h"
#include "train/optim_internal.h"
#include "common/rng.h"
#include "testutil.h"
#include "train/trainer_internal.h"

typedef struct setup {
    bimt_model_t *m;
    bimt_task_t *t;
    bimt_trainer_t *tr;
} setup;

/* A small but complete configuration: BIMT arm with frequent swaps and evaluations, a lambda
 * schedule, random-orthogonal W_rec (so swaps have something to gain), three rules. */
static void make(setup *s, uint64_t seed)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    tp.rule_mask = (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1) | (1u << BIMT_RULE_DELAYGO);
    tp.seed = seed + 10;
    ck_assert_int_eq(bimt_task_create(&tp, &s->t), BIMT_OK);
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 4;
    mp.n_in = (uint32_t)bimt_task_n_in(s->t);
    mp.n_out = (uint32_t)bimt_task_n_out(s->t);
    mp.init = BIMT_INIT_RANDORTHO;
    mp.init_scale = 0.9;
    mp.activation = BIMT_ACT_RELU;
    mp.seed = seed;
    ck_assert_int_eq(bimt_model_create(&mp, &s->m), BIMT_OK);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 8;
    p.learning_rate = 3e-3;
    p.lambda = 1e-3;
    p.n_schedule = 2;
    p.schedule_step[0] = 0;
    p.schedule_lambda[0] = 1e-3;
    p.schedule_step[1] = 7;
    p.schedule_lambda[1] = 3e-3;
    p.swap_interval = 3;
    p.swap_top_k = 6;
    p.eval_interval = 5;
    p.eval_batch = 12;
    p.rule_weight[BIMT_RULE_DM1] = 2.0;
    p.seed = seed + 20;
    ck_assert_int_eq(bimt_trainer_create(s->m, s->t, &p, &s->tr), BIMT_OK);
}

static void drop(setup *s)
{
    bimt_trainer_free(s->tr);
    bimt_task_free(s->t);
    bimt_model_free(s->m);
    memset(s, 0, sizeof(*s));
}

static void assert_same_state(const setup *a, const setup *b)
{
    size_t n = bimt_model_n_params(a->m);
    ck_assert_uint_eq(n, bimt_model_n_params(b->m));
    ck_assert_int_eq(
        memcmp(bimt_model_params_view(a->m), bimt_model_params_view(b->m), n * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(bimt_model_slots(a->m), bimt_model_slots(b->m),
                            bimt_model_n_hidden(a->m) * sizeof(uint32_t)),
                     0);
    const float *ma, *va, *mb, *vb;
    ck_assert_int_eq(bimt_adam_moments(bimt_trainer_optimizer(a->tr), &ma, &va), BIMT_OK);
    ck_assert_int_eq(bimt_adam_moments(bimt_trainer_optimizer(b->tr), &mb, &vb), BIMT_OK);
    ck_assert_int_eq(memcmp(ma, mb, n * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(va, vb, n * sizeof(float)), 0);
    ck_assert_uint_eq(bimt_adam_steps(bimt_trainer_optimizer(a->tr)),
                      bimt_adam_steps(bimt_trainer_optimizer(b->tr)));
    ck_assert_uint_eq(bimt_trainer_steps(a->tr), bimt_trainer_steps(b->tr));
    double pa[BIMT_N_RULES], pb[BIMT_N_RULES];
    int ea = bimt_trainer_last_eval(a->tr, pa);
    ck_assert_int_eq(bimt_trainer_last_eval(b->tr, pb), ea);
    if (ea == BIMT_OK) ck_assert_int_eq(memcmp(pa, pb, sizeof pa), 0);
}

typedef struct counts {
    uint64_t swaps, evals_seen;
} counts;

static int count_cb(const bimt_step_info *info, void *payload)
{
    counts *c = payload;
    c->swaps += info->n_swaps;
    if (info->mean_perf >= 0.0) c->evals_seen++;
    return 0;
}

START_TEST(resume_is_bit_identical)
{
    const uint32_t N = 20, half = 10; /* half is a multiple of eval_interval: eval at resume */
    setup straight, first, resumed;
    make(&straight, 5);
    /* with the easy-coherence curriculum on: the resumed trainer must carry it over */
    ck_assert_int_eq(bimt_trainer_set_param(straight.tr, BIMT_TP_EASY_TRAIN, 1.0), BIMT_OK);
    counts c = {0, 0};
    ck_assert_int_eq(bimt_trainer_run(straight.tr, N, count_cb, &c), BIMT_OK);
    ck_assert_uint_gt(c.swaps, 0);      /* the swaps really ran */
    ck_assert_uint_gt(c.evals_seen, 0); /* and the evaluations */

    char path[512], path2[512], path3[512];
    bimt_test_tmppath(path, sizeof path, ".npz");
    bimt_test_tmppath(path2, sizeof path2, ".npz");
    bimt_test_tmppath(path3, sizeof path3, ".npz");
    make(&first, 5);
    ck_assert_int_eq(bimt_trainer_set_param(first.tr, BIMT_TP_EASY_TRAIN, 1.0), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(first.tr, half, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_save(first.tr, path), BIMT_OK);
    drop(&first);
    ck_assert_int_eq(bimt_checkpoint_load(path, &resumed.m, &resumed.t, &resumed.tr), BIMT_OK);
    ck_assert_uint_eq(bimt_trainer_steps(resumed.tr), half);
    ck_assert_int_eq(bimt_trainer_run(resumed.tr, N - half, NULL, NULL), BIMT_OK);
    assert_same_state(&straight, &resumed);

    /* Everything else (every stream, counter, hyperparameter) agrees too: the two final
     * checkpoints are the same bytes (the writer is deterministic). */
    ck_assert_int_eq(bimt_trainer_save(straight.tr, path2), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_save(resumed.tr, path3), BIMT_OK);
    size_t l2, l3;
    char *b2 = bimt_test_read_file(path2, &l2), *b3 = bimt_test_read_file(path3, &l3);
    ck_assert_uint_eq(l2, l3);
    ck_assert_int_eq(memcmp(b2, b3, l2), 0);
    free(b2);
    free(b3);
    /* A few more steps after the comparison stay identical (streams continue alike). */
    ck_assert_int_eq(bimt_trainer_run(straight.tr, 4, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(resumed.tr, 4, NULL, NULL), BIMT_OK);
    assert_same_state(&straight, &resumed);
    drop(&straight);
    drop(&resumed);
    unlink(path);
    unlink(path2);
    unlink(path3);
}
END_TEST

START_TEST(resume_bit_identical_l1_arm_no_eval)
{
    /* Another configuration: L1 arm, no evaluation, no recurrent noise, odd split. */
    setup a, b, r;
    make(&a, 9);
    make(&b, 9);
    for (setup *s = &a; s; s = s == &a ? &b : NULL) {
        bimt_trainer_params p;
        p.struct_size = (uint32_t)sizeof p; /* an output struct */
        bimt_trainer_get_params(s->tr, &p);
        bimt_trainer_free(s->tr);
        p.arm = BIMT_ARM_L1;
        p.eval_interval = 0;
        p.recurrent_noise = 0;
        p.l1_proximal = 1;
        p.l1_h = 0.25;
        p.l2_h = 1e-3;
        p.hidden_bias_nonpositive = 1;
        ck_assert_int_eq(bimt_trainer_create(s->m, s->t, &p, &s->tr), BIMT_OK);
    }
    ck_assert_int_eq(bimt_trainer_run(a.tr, 13, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(b.tr, 6, NULL, NULL), BIMT_OK);
    char path[512];
    bimt_test_tmppath(path, sizeof path, ".npz");
    ck_assert_int_eq(bimt_trainer_save(b.tr, path), BIMT_OK);
    drop(&b);
    ck_assert_int_eq(bimt_checkpoint_load(path, &r.m, &r.t, &r.tr), BIMT_OK);
    bimt_trainer_params q;
    q.struct_size = (uint32_t)sizeof q; /* an output struct */
    ck_assert_int_eq(bimt_trainer_get_params(r.tr, &q), BIMT_OK);
    ck_assert(q.l1_proximal == 1 && q.l1_h == 0.25 && q.l2_h == 1e-3);
    ck_assert_uint_eq(q.hidden_bias_nonpositive, 1);
    ck_assert_int_eq(bimt_trainer_run(r.tr, 7, NULL, NULL), BIMT_OK);
    size_t n = bimt_model_n_params(a.m);
    ck_assert_int_eq(
        memcmp(bimt_model_params_view(a.m), bimt_model_params_view(r.m), n * sizeof(float)), 0);
    double perf[BIMT_N_RULES];
    ck_assert_int_eq(bimt_trainer_last_eval(r.tr, perf), BIMT_E_STATE);
    drop(&a);
    drop(&r);
    unlink(path);
}
END_TEST

START_TEST(hyperparameters_round_trip)
{
    setup s, r;
    make(&s, 3);
    ck_assert_int_eq(bimt_trainer_run(s.tr, 2, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_LEARNING_RATE, 7e-4), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_GRAD_CLIP, 0.5), BIMT_OK);
    char path[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    ck_assert_int_eq(bimt_trainer_save(s.tr, path), BIMT_OK);
    ck_assert_int_eq(bimt_checkpoint_load(path, &r.m, &r.t, &r.tr), BIMT_OK);

    bimt_model_params ma, mb;
    ma.struct_size = (uint32_t)sizeof ma; /* an output struct */
    bimt_model_get_params(s.m, &ma);
    mb.struct_size = (uint32_t)sizeof mb; /* an output struct */
    bimt_model_get_params(r.m, &mb);
    ck_assert_uint_eq(ma.grid_side, mb.grid_side);
    ck_assert_uint_eq(ma.n_in, mb.n_in);
    ck_assert_uint_eq(ma.n_out, mb.n_out);
    ck_assert_int_eq(ma.activation, mb.activation);
    ck_assert(ma.alpha == mb.alpha && ma.sigma_rec == mb.sigma_rec);
    ck_assert_int_eq(ma.init, mb.init);
    ck_assert(ma.init_scale == mb.init_scale);
    ck_assert_int_eq(ma.loss, mb.loss);
    ck_assert_uint_eq(ma.seed, mb.seed);

    bimt_task_params ta, tb;
    ta.struct_size = (uint32_t)sizeof ta; /* an output struct */
    bimt_task_get_params(s.t, &ta);
    tb.struct_size = (uint32_t)sizeof tb; /* an output struct */
    bimt_task_get_params(r.t, &tb);
    ck_assert_uint_eq(ta.n_eachring, tb.n_eachring);
    ck_assert(ta.dt_ms == tb.dt_ms && ta.tau_ms == tb.tau_ms && ta.sigma_x == tb.sigma_x);
    ck_assert_uint_eq(ta.rule_mask, tb.rule_mask);
    ck_assert_int_eq(ta.loss, tb.loss);
    ck_assert_uint_eq(ta.input_noise, tb.input_noise);
    ck_assert_uint_eq(ta.easy_task, tb.easy_task);
    ck_assert_uint_eq(ta.seed, tb.seed);

    bimt_trainer_params pa, pb;
    pa.struct_size = (uint32_t)sizeof pa; /* an output struct */
    bimt_trainer_get_params(s.tr, &pa);
    pb.struct_size = (uint32_t)sizeof pb; /* an output struct */
    bimt_trainer_get_params(r.tr, &pb);
    ck_assert(pb.learning_rate == 7e-4 && pb.grad_clip == 0.5);
    ck_assert_int_eq(pa.arm, pb.arm);
    ck_assert_uint_eq(pa.batch_size, pb.batch_size);
    ck_assert(pa.beta1 == pb.beta1 && pa.beta2 == pb.beta2 && pa.eps == pb.eps);
    ck_assert(pa.lambda == pb.lambda && pa.A == pb.A);
    ck_assert_uint_eq(pa.n_schedule, pb.n_schedule);
    ck_assert_int_eq(memcmp(pa.schedule_step, pb.schedule_step, sizeof pa.schedule_step), 0);
    ck_assert_int_eq(memcmp(pa.schedule_lambda, pb.schedule_lambda, sizeof pa.schedule_lambda), 0);
    ck_assert_uint_eq(pa.swap_interval, pb.swap_interval);
    ck_assert_uint_eq(pa.swap_top_k, pb.swap_top_k);
    ck_assert_uint_eq(pa.eval_interval, pb.eval_interval);
    ck_assert_uint_eq(pa.eval_batch, pb.eval_batch);
    ck_assert_int_eq(memcmp(pa.rule_weight, pb.rule_weight, sizeof pa.rule_weight), 0);
    ck_assert_uint_eq(pa.recurrent_noise, pb.recurrent_noise);
    ck_assert_uint_eq(pa.l1_proximal, pb.l1_proximal);
    ck_assert(pa.l1_h == pb.l1_h && pa.l2_h == pb.l2_h);
    ck_assert_uint_eq(pa.hidden_bias_nonpositive, pb.hidden_bias_nonpositive);
    ck_assert_uint_eq(pa.seed, pb.seed);
    ck_assert(bimt_trainer_lambda_at(r.tr, 100) == 3e-3);

    /* The metadata member is JSON text naming the format and the step. */
    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, path, 0, err, sizeof err), BIMT_OK);
    const bimt_npz_array *meta = bimt__npz_find(z, "metadata");
    ck_assert_ptr_nonnull(meta);
    char text[2048];
    ck_assert_uint_lt(meta->count, sizeof text);
    memcpy(text, meta->data, meta->count);
    text[meta->count] = '\0';
    ck_assert(strstr(text, "\"format\": \"libbimt-checkpoint\"") != NULL);
    ck_assert(strstr(text, "\"step\": 2") != NULL);
    ck_assert(strstr(text, "\"dm1\"") != NULL);
    bimt__npz_close(z);
    drop(&s);
    drop(&r);
    unlink(path);
}
END_TEST

/* Saves a fresh checkpoint and returns its bytes. */
static char *valid_checkpoint(const char *path, size_t *len)
{
    setup s;
    make(&s, 4);
    ck_assert_int_eq(bimt_trainer_run(s.tr, 3, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_save(s.tr, path), BIMT_OK);
    drop(&s);
    return bimt_test_read_file(path, len);
}

static int load_expect_fail(const char *path, int expect, char *err)
{
    bimt_model_t *m = (bimt_model_t *)1;
    bimt_task_t *t = (bimt_task_t *)1;
    bimt_trainer_t *tr = (bimt_trainer_t *)1;
    err[0] = '\0';
    bimt_clear_error();
    int rc = bimt_checkpoint_load(path, &m, &t, &tr);
    snprintf(err, 256, "%s", bimt_last_error());
    ck_assert_msg(rc == expect, "load gave %d (%s), expected %d", rc, err, expect);
    ck_assert_ptr_null(m);
    ck_assert_ptr_null(t);
    ck_assert_ptr_null(tr);
    ck_assert(err[0] != '\0');
    return rc;
}

START_TEST(truncated_and_corrupt_files_fail)
{
    char path[512], bad[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    bimt_test_tmppath(bad, sizeof bad, ".npz");
    size_t len;
    char *buf = valid_checkpoint(path, &len);
    /* Truncations: a spread of offsets plus the last bytes. */
    for (size_t n = 0; n < len; n += (n < len - 64 ? 211 : 1)) {
        bimt_test_write_file(bad, buf, n);
        load_expect_fail(bad, BIMT_E_FORMAT, err);
    }
    /* A flipped byte inside the data of model.params: caught by the CRC. */
    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, path, 0, err, sizeof err), BIMT_OK);
    const bimt_npz_array *a = bimt__npz_find(z, "model.params");
    ck_assert_ptr_nonnull(a);
    /* Locate the member's bytes in the file by content. */
    size_t nbytes = a->count * 4, pos = SIZE_MAX;
    for (size_t i = 0; i + nbytes <= len; i++)
        if (memcmp(buf + i, a->data, nbytes) == 0) {
            pos = i;
            break;
        }
    bimt__npz_close(z);
    ck_assert_uint_ne(pos, SIZE_MAX);
    buf[pos + nbytes / 2] ^= 0x10;
    bimt_test_write_file(bad, buf, len);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "CRC") != NULL);
    buf[pos + nbytes / 2] ^= 0x10;
    /* Random bytes, and a file of the right length of zeros. */
    bimt_rng r;
    bimt__rng_seed(&r, 1, 1);
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)bimt__rng_u64(&r);
    bimt_test_write_file(bad, buf, len);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    memset(buf, 0, len);
    bimt_test_write_file(bad, buf, len);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    load_expect_fail("/nonexistent/folder/ck.npz", BIMT_E_IO, err);
    free(buf);
    unlink(path);
    unlink(bad);
}
END_TEST

START_TEST(random_mutations_never_crash)
{
    /* A poor man's fuzzer (the libFuzzer target does this at scale): random byte changes of
     * a valid checkpoint either fail cleanly or load a usable trainer. */
    char path[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    size_t len;
    char *buf = valid_checkpoint(path, &len);
    char *mut = malloc(len);
    bimt_rng r;
    bimt__rng_seed(&r, 2, 1);
    int ok = 0;
    const int trials = getenv("BIMT_SANITIZED") ? 150 : 600;
    for (int t = 0; t < trials; t++) {
        memcpy(mut, buf, len);
        int k = 1 + (int)bimt__rng_below(&r, 4);
        for (int j = 0; j < k; j++)
            mut[bimt__rng_below(&r, len)] = (char)bimt__rng_u64(&r);
        size_t n = t % 3 == 0 ? (size_t)bimt__rng_below(&r, len + 1) : len;
        bimt_model_t *m;
        bimt_task_t *tk;
        bimt_trainer_t *tr;
        int rc = bimt__checkpoint_load_mem(mut, n, &m, &tk, &tr, err, sizeof err);
        if (rc == BIMT_OK) {
            ok++;
            ck_assert_int_eq(bimt_trainer_step(tr, NULL), BIMT_OK);
            bimt_trainer_free(tr);
            bimt_task_free(tk);
            bimt_model_free(m);
        } else {
            ck_assert(rc == BIMT_E_FORMAT || rc == BIMT_E_VERSION);
            ck_assert(m == NULL && tk == NULL && tr == NULL);
        }
    }
    ck_assert_int_lt(ok, trials / 4); /* most mutations are detected */
    free(mut);
    free(buf);
    unlink(path);
}
END_TEST

/* Rewrites the checkpoint at src into dst, replacing (or dropping, if dt < 0) one member. */
static void rewrite(const char *src, const char *dst, const char *name, int dt, size_t ndim,
                    const size_t *shape, const void *data)
{
    char err[256] = "";
    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, src, 0, err, sizeof err), BIMT_OK);
    bimt_npz_writer *w;
    ck_assert_int_eq(bimt__npz_writer_open(&w, dst, err, sizeof err), BIMT_OK);
    for (size_t i = 0; i < bimt__npz_count(z); i++) {
        const bimt_npz_array *a = bimt__npz_at(z, i);
        if (strcmp(a->name, name) == 0) {
            if (dt >= 0) bimt__npz_write(w, name, (bimt_npz_dtype)dt, ndim, shape, data);
            continue;
        }
        void *copy = malloc(a->count * bimt__npz_dtype_size(a->dtype) + 1);
        bimt__npz_array_copy(a, copy);
        bimt__npz_write(w, a->name, a->dtype, a->ndim, a->shape, copy);
        free(copy);
    }
    ck_assert_int_eq(bimt__npz_writer_commit(w), BIMT_OK);
    bimt__npz_close(z);
}

START_TEST(semantic_validation)
{
    char path[512], bad[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    bimt_test_tmppath(bad, sizeof bad, ".npz");
    size_t len;
    free(valid_checkpoint(path, &len));
    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, path, 0, err, sizeof err), BIMT_OK);
    const bimt_npz_array *pa = bimt__npz_find(z, "model.params");
    size_t np_ = pa->count;
    float *params = malloc(np_ * sizeof(float));
    bimt__npz_array_copy(pa, params);
    uint32_t slots[16];
    bimt__npz_array_copy(bimt__npz_find(z, "model.slots"), slots);
    bimt__npz_close(z);

    /* Control: rewriting without change loads. */
    rewrite(path, bad, "none", 0, 0, NULL, NULL);
    bimt_model_t *m;
    bimt_task_t *t;
    bimt_trainer_t *tr;
    ck_assert_int_eq(bimt_checkpoint_load(bad, &m, &t, &tr), BIMT_OK);
    bimt_trainer_free(tr);
    bimt_task_free(t);
    bimt_model_free(m);

    uint32_t v2 = BIMT_CHECKPOINT_FORMAT + 1;
    rewrite(path, bad, "format_version", BIMT_NPZ_U4, 0, NULL, &v2);
    load_expect_fail(bad, BIMT_E_VERSION, err);
    ck_assert(strstr(err, "newer") != NULL);
    uint64_t v64 = 1;
    rewrite(path, bad, "format_version", BIMT_NPZ_U8, 0, NULL, &v64);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "dtype") != NULL);
    rewrite(path, bad, "format_version", -1, 0, NULL, NULL);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "not a libbimt checkpoint") != NULL);
    rewrite(path, bad, "adam.v", -1, 0, NULL, NULL);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "adam.v") != NULL);

    /* Shapes follow the hyperparameters. */
    size_t shorter = np_ - 1;
    rewrite(path, bad, "model.params", BIMT_NPZ_F4, 1, &shorter, params);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "shape") != NULL);
    uint32_t side = 5; /* params no longer fit the grid */
    rewrite(path, bad, "model.grid_side", BIMT_NPZ_U4, 0, NULL, &side);
    load_expect_fail(bad, BIMT_E_FORMAT, err);

    /* Values. */
    params[3] = NAN;
    rewrite(path, bad, "model.params", BIMT_NPZ_F4, 1, &np_, params);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "NaN") != NULL);
    params[3] = -1.0f; /* a negative second moment */
    rewrite(path, bad, "adam.v", BIMT_NPZ_F4, 1, &np_, params);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    slots[1] = slots[0];
    size_t nh = 16;
    rewrite(path, bad, "model.slots", BIMT_NPZ_U4, 1, &nh, slots);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "permutation") != NULL);
    double lr = -1.0;
    rewrite(path, bad, "trainer.learning_rate", BIMT_NPZ_F8, 0, NULL, &lr);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "learning_rate") != NULL);
    int32_t act = 17;
    rewrite(path, bad, "model.activation", BIMT_NPZ_I4, 0, NULL, &act);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    uint64_t zero_rng[BIMT_RNG_WORDS] = {0};
    size_t nw = BIMT_RNG_WORDS;
    rewrite(path, bad, "task.rng", BIMT_NPZ_U8, 1, &nw, zero_rng);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    uint32_t ring = 9; /* task sizes no longer match the model */
    rewrite(path, bad, "task.n_eachring", BIMT_NPZ_U4, 0, NULL, &ring);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    free(params);
    unlink(path);
    unlink(bad);
}
END_TEST

START_TEST(foreign_npz_and_bad_args)
{
    char path[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    bimt_npz_writer *w;
    float x[2] = {1, 2};
    size_t two = 2;
    ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_OK);
    bimt__npz_write(w, "x", BIMT_NPZ_F4, 1, &two, x);
    ck_assert_int_eq(bimt__npz_writer_commit(w), BIMT_OK);
    load_expect_fail(path, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "not a libbimt checkpoint") != NULL);
    bimt_model_t *m = (bimt_model_t *)1;
    bimt_task_t *t;
    bimt_trainer_t *tr;
    ck_assert_int_eq(bimt_checkpoint_load(path, &m, &t, NULL), BIMT_E_INVALID_ARG);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(bimt_checkpoint_load(NULL, &m, &t, &tr), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_checkpoint_load(NULL, &m, &t, &tr), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_trainer_save(NULL, path), BIMT_E_INVALID_ARG);
    setup s;
    make(&s, 1);
    ck_assert_int_eq(bimt_trainer_save(s.tr, NULL), BIMT_E_INVALID_ARG);
    ck_assert(strlen(bimt_trainer_errmsg(s.tr)) > 0);
    ck_assert_int_eq(bimt_trainer_save(s.tr, "/nonexistent/folder/x.npz"), BIMT_E_IO);
    ck_assert(strstr(bimt_trainer_errmsg(s.tr), "/nonexistent/folder") != NULL);
    drop(&s);
    unlink(path);
}
END_TEST

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
    closedir(d);
    return n;
}

/* A checkpoint of format 1 (tests/data, saved by libbimt 0.2.0 before positions existed: 3 x 3
 * grid, io edges, 6 steps with swaps) still loads: the grid geometry, and the parameters and
 * slots exactly as the file holds them. Saved again, it is format 2 and loads the same. */
START_TEST(format1_file_still_loads)
{
    const char *old = BIMT_TEST_DATA_DIR "/checkpoint-format1-3x3.npz";
    char err[256], path[512];
    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, old, 0, err, sizeof err), BIMT_OK);
    uint32_t fmt = 0, slots[9];
    bimt__npz_array_copy(bimt__npz_find(z, "format_version"), &fmt);
    ck_assert_uint_eq(fmt, 1);
    ck_assert_ptr_null(bimt__npz_find(z, "model.n_slots"));
    const bimt_npz_array *pa = bimt__npz_find(z, "model.params");
    float *params = malloc(pa->count * sizeof(float));
    bimt__npz_array_copy(pa, params);
    bimt__npz_array_copy(bimt__npz_find(z, "model.slots"), slots);
    size_t np_ = pa->count;
    bimt__npz_close(z);

    setup s;
    ck_assert_int_eq(bimt_checkpoint_load(old, &s.m, &s.t, &s.tr), BIMT_OK);
    ck_assert_uint_eq(bimt_model_n_hidden(s.m), 9);
    ck_assert_uint_eq(bimt_model_grid_side(s.m), 3);
    ck_assert_uint_eq(bimt_model_dim(s.m), 2);
    ck_assert_int_eq(bimt_model_distance_kind(s.m), BIMT_DIST_MANHATTAN);
    ck_assert_uint_eq(bimt_trainer_steps(s.tr), 6);
    bimt_model_params mp;
    mp.struct_size = (uint32_t)sizeof mp; /* an output struct */
    ck_assert_int_eq(bimt_model_get_params(s.m, &mp), BIMT_OK);
    ck_assert_uint_eq(mp.io_layout, BIMT_IO_EDGES);
    ck_assert_ptr_null(mp.positions);
    ck_assert_uint_eq(bimt_model_n_params(s.m), np_);
    ck_assert_int_eq(memcmp(bimt_model_params_view(s.m), params, np_ * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(bimt_model_slots(s.m), slots, sizeof slots), 0);
    for (size_t i = 0; i < 9; i++)
        for (size_t j = 0; j < 9; j++) {
            double d = (fabs((double)(slots[i] / 3) - (double)(slots[j] / 3)) +
                        fabs((double)(slots[i] % 3) - (double)(slots[j] % 3))) /
                       3.0;
            ck_assert(fabs(bimt_model_distance(s.m, (uint32_t)i, (uint32_t)j) - d) < 1e-15);
        }
    bimt_test_tmppath(path, sizeof path, ".npz");
    ck_assert_int_eq(bimt_trainer_save(s.tr, path), BIMT_OK);
    setup r;
    ck_assert_int_eq(bimt_checkpoint_load(path, &r.m, &r.t, &r.tr), BIMT_OK);
    assert_same_state(&s, &r);
    ck_assert_int_eq(bimt__npz_open(&z, path, 0, err, sizeof err), BIMT_OK);
    bimt__npz_array_copy(bimt__npz_find(z, "format_version"), &fmt);
    ck_assert_uint_eq(fmt, BIMT_CHECKPOINT_FORMAT);
    ck_assert_ptr_null(bimt__npz_find(z, "model.positions")); /* the grid needs none */
    bimt__npz_close(z);
    drop(&s);
    drop(&r);
    free(params);
    unlink(path);
}
END_TEST

/* Caller positions (3-D, Euclidean, k = 5) survive a save and load: positions, dimension,
 * distance, neighbourhood, slots and distances; the file holds model.positions [n][3]. A file
 * without that member, or with a NaN in it, is refused. */
START_TEST(positions_round_trip)
{
    char path[512], bad[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    bimt_test_tmppath(bad, sizeof bad, ".npz");
    double pos[20 * 3];
    for (int i = 0; i < 60; i++)
        pos[i] = (double)((i * 7919) % 23) * 0.37 - 2.0;
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 4;
    tp.rule_mask = 1u << BIMT_RULE_FDGO;
    setup s;
    ck_assert_int_eq(bimt_task_create(&tp, &s.t), BIMT_OK);
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.positions = pos;
    mp.n_slots = 20;
    mp.dim = 3;
    mp.distance = BIMT_DIST_EUCLIDEAN;
    mp.neighbours = 5;
    mp.n_in = (uint32_t)bimt_task_n_in(s.t);
    mp.n_out = (uint32_t)bimt_task_n_out(s.t);
    mp.init = BIMT_INIT_RANDORTHO;
    ck_assert_int_eq(bimt_model_create(&mp, &s.m), BIMT_OK);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 4;
    p.lambda = 1e-2;
    p.swap_interval = 1;
    p.swap_top_k = 20;
    p.eval_interval = 0;
    ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &s.tr), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(s.tr, 4, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_save(s.tr, path), BIMT_OK);
    setup r;
    ck_assert_int_eq(bimt_checkpoint_load(path, &r.m, &r.t, &r.tr), BIMT_OK);
    assert_same_state(&s, &r);
    ck_assert_uint_eq(bimt_model_n_hidden(r.m), 20);
    ck_assert_uint_eq(bimt_model_grid_side(r.m), 0);
    ck_assert_uint_eq(bimt_model_dim(r.m), 3);
    ck_assert_int_eq(bimt_model_distance_kind(r.m), BIMT_DIST_EUCLIDEAN);
    ck_assert_int_eq(memcmp(bimt_model_positions(r.m), pos, sizeof pos), 0);
    ck_assert_int_eq(
        memcmp(bimt_model_distances(r.m), bimt_model_distances(s.m), 400 * sizeof(float)), 0);
    bimt_model_params q;
    q.struct_size = (uint32_t)sizeof q;
    bimt_model_get_params(r.m, &q);
    ck_assert_ptr_eq(q.positions, bimt_model_positions(r.m));
    ck_assert_uint_eq(q.neighbours, 5);
    /* the resumed run continues bit for bit */
    ck_assert_int_eq(bimt_trainer_run(s.tr, 2, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(r.tr, 2, NULL, NULL), BIMT_OK);
    assert_same_state(&s, &r);

    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, path, 0, err, sizeof err), BIMT_OK);
    const bimt_npz_array *a = bimt__npz_find(z, "model.positions");
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(a->ndim, 2);
    ck_assert_uint_eq(a->shape[0], 20);
    ck_assert_uint_eq(a->shape[1], 3);
    bimt__npz_close(z);
    rewrite(path, bad, "model.positions", -1, 0, NULL, NULL);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "model.positions") != NULL);
    size_t shape[2] = {20, 3};
    pos[7] = NAN;
    rewrite(path, bad, "model.positions", BIMT_NPZ_F8, 2, shape, pos);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    ck_assert(strstr(err, "positions[7]") != NULL);
    uint32_t dim = 4;
    rewrite(path, bad, "model.dim", BIMT_NPZ_U4, 0, NULL, &dim);
    load_expect_fail(bad, BIMT_E_FORMAT, err);
    drop(&s);
    drop(&r);
    unlink(path);
    unlink(bad);
}
END_TEST

START_TEST(failed_save_keeps_existing_file)
{
    char dir[512], path[1024], sub[1024];
    bimt_test_tmppath(dir, sizeof dir, "");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/ck.npz", dir);
    setup s;
    make(&s, 2);
    ck_assert_int_eq(bimt_trainer_save(s.tr, path), BIMT_OK);
    size_t len0;
    char *before = bimt_test_read_file(path, &len0);
    ck_assert_int_eq(bimt_trainer_run(s.tr, 2, NULL, NULL), BIMT_OK);

    /* The write itself fails half-way: the file-size limit stops the temporary file (the
     * signal is ignored so write() reports EFBIG). */
    struct rlimit old, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)(len0 / 2);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = bimt_trainer_save(s.tr, path);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    ck_assert_int_eq(rc, BIMT_E_IO);
    ck_assert(strlen(bimt_trainer_errmsg(s.tr)) > 0);
    size_t len1;
    char *after = bimt_test_read_file(path, &len1);
    ck_assert_uint_eq(len0, len1);
    ck_assert_int_eq(memcmp(before, after, len0), 0);
    ck_assert_int_eq(count_entries(dir), 1); /* no temporary file left */
    free(after);

    /* The target is a folder: the rename fails, the folder and its contents survive. */
    snprintf(sub, sizeof sub, "%s/sub", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    ck_assert_int_eq(bimt_trainer_save(s.tr, sub), BIMT_E_IO);
    struct stat st;
    ck_assert_int_eq(stat(sub, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(count_entries(dir), 2);

    /* The old checkpoint still loads; a successful save then replaces it. */
    bimt_model_t *m;
    bimt_task_t *t;
    bimt_trainer_t *tr;
    ck_assert_int_eq(bimt_checkpoint_load(path, &m, &t, &tr), BIMT_OK);
    ck_assert_uint_eq(bimt_trainer_steps(tr), 0);
    bimt_trainer_free(tr);
    bimt_task_free(t);
    bimt_model_free(m);
    ck_assert_int_eq(bimt_trainer_save(s.tr, path), BIMT_OK);
    ck_assert_int_eq(bimt_checkpoint_load(path, &m, &t, &tr), BIMT_OK);
    ck_assert_uint_eq(bimt_trainer_steps(tr), 2);
    bimt_trainer_free(tr);
    bimt_task_free(t);
    bimt_model_free(m);
    drop(&s);
    free(before);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
}
END_TEST

static Suite *checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, resume_is_bit_identical);
    tcase_add_test(tc, resume_bit_identical_l1_arm_no_eval);
    tcase_add_test(tc, hyperparameters_round_trip);
    tcase_add_test(tc, truncated_and_corrupt_files_fail);
    tcase_add_test(tc, random_mutations_never_crash);
    tcase_add_test(tc, semantic_validation);
    tcase_add_test(tc, foreign_npz_and_bad_args);
    tcase_add_test(tc, failed_save_keeps_existing_file);
    tcase_add_test(tc, format1_file_still_loads);
    tcase_add_test(tc, positions_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(checkpoint_suite());
}
