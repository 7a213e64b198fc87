/* Threads (docs/reliability.md, "Threads"): separate handles are independent. Two models trained
 * at once in two threads (each with its own task and trainer, each also saving a checkpoint and
 * running the task-variance analysis) give the same bits as the same two trainings one after
 * the other, and every thread's error message stays its own. .ci/test also runs this suite
 * under ThreadSanitizer (build/tsan, BIMT_TSAN=ON). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "testutil.h"

enum { N_STEPS = 12, SIDE = 4 };

/* One training: inputs (seed, checkpoint path) and results (parameters, task variance). */
typedef struct job {
    uint64_t seed;
    char path[600];
    float *params, *tv;
    size_t n_params, n_tv;
    double loss;
    int rc;
    char err[256]; /* this thread's message after a refused call */
} job;

static int train(job *j)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    tp.rule_mask = (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1) | (1u << BIMT_RULE_DMSGO);
    tp.seed = j->seed + 1;
    bimt_task_t *t = NULL;
    bimt_model_t *m = NULL;
    bimt_trainer_t *tr = NULL;
    int rc = bimt_task_create(&tp, &t);
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = SIDE;
    mp.n_in = rc ? 0 : (uint32_t)bimt_task_n_in(t);
    mp.n_out = rc ? 0 : (uint32_t)bimt_task_n_out(t);
    mp.seed = j->seed;
    if (!rc) rc = bimt_model_create(&mp, &m);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 8;
    p.swap_interval = 4;
    p.eval_interval = 6;
    p.eval_batch = 8;
    p.seed = j->seed + 2;
    if (!rc) rc = bimt_trainer_create(m, t, &p, &tr);
    bimt_step_info info;
    for (int s = 0; !rc && s < N_STEPS; s++) {
        memset(&info, 0, sizeof info);
        info.struct_size = (uint32_t)sizeof info;
        rc = bimt_trainer_step(tr, &info);
        j->loss = info.loss;
    }
    if (!rc) rc = bimt_trainer_save(tr, j->path);
    if (!rc) {
        j->n_params = bimt_model_n_params(m);
        j->params = malloc(j->n_params * sizeof(float));
        j->n_tv = (size_t)BIMT_N_RULES * bimt_model_n_hidden(m);
        j->tv = calloc(j->n_tv, sizeof(float));
        rc = !j->params || !j->tv ? BIMT_E_NOMEM : BIMT_OK;
    }
    if (!rc) {
        memcpy(j->params, bimt_model_params_view(m), j->n_params * sizeof(float));
        rc = bimt_task_variance(m, t, j->tv);
    }
    /* A refused call: the message is this thread's, naming this thread's value. */
    if (!rc) {
        bimt_clear_error();
        (void)bimt_trainer_set_param(tr, BIMT_TP_LEARNING_RATE, -(double)j->seed);
        snprintf(j->err, sizeof j->err, "%s", bimt_last_error());
    }
    bimt_trainer_free(tr);
    bimt_model_free(m);
    bimt_task_free(t);
    return rc;
}

static void *thread_main(void *arg)
{
    job *j = arg;
    j->rc = train(j);
    return NULL;
}

static void job_init(job *j, uint64_t seed, const char *tag)
{
    memset(j, 0, sizeof *j);
    j->seed = seed;
    bimt_test_tmppath(j->path, sizeof j->path, tag);
}

static void job_free(job *j)
{
    free(j->params);
    free(j->tv);
    unlink(j->path);
}

static void same_bits(const job *a, const job *b)
{
    ck_assert_int_eq(a->rc, BIMT_OK);
    ck_assert_int_eq(b->rc, BIMT_OK);
    ck_assert_uint_eq(a->n_params, b->n_params);
    ck_assert_int_eq(memcmp(a->params, b->params, a->n_params * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(a->tv, b->tv, a->n_tv * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(&a->loss, &b->loss, sizeof(double)), 0);
    size_t la, lb;
    char *fa = bimt_test_read_file(a->path, &la), *fb = bimt_test_read_file(b->path, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert_int_eq(memcmp(fa, fb, la), 0); /* the checkpoints too, byte for byte */
    free(fa);
    free(fb);
}

START_TEST(two_models_two_threads_same_bits)
{
    job seq[2], par[2];
    for (int i = 0; i < 2; i++) {
        job_init(&seq[i], 100u + (uint64_t)i, "-seq.npz");
        job_init(&par[i], 100u + (uint64_t)i, "-par.npz");
    }
    for (int i = 0; i < 2; i++)
        seq[i].rc = train(&seq[i]);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, thread_main, &par[i]), 0);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < 2; i++)
        same_bits(&seq[i], &par[i]);
    /* The two seeds differ, so the comparison is not vacuous. */
    ck_assert_int_ne(memcmp(seq[0].params, seq[1].params, seq[0].n_params * sizeof(float)), 0);
    /* Each thread saw its own message (its own value), not the other's. */
    ck_assert_ptr_nonnull(strstr(par[0].err, "-100"));
    ck_assert_ptr_nonnull(strstr(par[1].err, "-101"));
    for (int i = 0; i < 2; i++) {
        job_free(&seq[i]);
        job_free(&par[i]);
    }
}
END_TEST

static Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, two_models_two_threads_same_bits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(threads_suite());
}
