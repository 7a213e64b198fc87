/* The private worker pool (lib/common/pool.c): elastic jobs run every item exactly once and never
 * start an item before every item of the earlier phases is done, whatever the thread count,
 * and they mix with all-participant jobs (which use the barrier) on the same pool. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/pool.h"
#include "testutil.h"

#define MAX_ITEMS 64

typedef struct items_job {
    size_t counts[BIMT_POOL_MAX_PHASES];
    unsigned n_phases;
    atomic_int runs[BIMT_POOL_MAX_PHASES][MAX_ITEMS]; /* times each item ran */
    atomic_int done[BIMT_POOL_MAX_PHASES];            /* items of each phase finished */
    atomic_int early;     /* items that started before an earlier phase was complete */
    atomic_int bad_tid;   /* items run with a tid outside [0, n) */
    atomic_int on_worker; /* items run by a worker (tid > 0) */
    int n;                /* participants of the pool */
} items_job;

static void item_body(void *arg, unsigned phase, size_t item, int tid)
{
    items_job *J = arg;
    for (unsigned k = 0; k < phase; k++)
        if ((size_t)atomic_load(&J->done[k]) != J->counts[k]) atomic_fetch_add(&J->early, 1);
    if (tid < 0 || tid >= J->n) atomic_fetch_add(&J->bad_tid, 1);
    if (tid > 0) atomic_fetch_add(&J->on_worker, 1);
    /* a little work, so that both threads get some items */
    volatile double x = 0.0;
    for (int i = 0; i < 200 * (int)(item % 7 + 1); i++)
        x += (double)i;
    atomic_fetch_add(&J->runs[phase][item], 1);
    atomic_fetch_add(&J->done[phase], 1);
}

static void init_job(items_job *J, const size_t *counts, unsigned n_phases, int n)
{
    memset(J, 0, sizeof *J);
    J->n_phases = n_phases;
    J->n = n;
    for (unsigned k = 0; k < n_phases; k++)
        J->counts[k] = counts[k];
}

static void check_job(items_job *J)
{
    for (unsigned k = 0; k < J->n_phases; k++) {
        int done = atomic_load(&J->done[k]);
        ck_assert_int_eq(done, (int)J->counts[k]);
        for (size_t i = 0; i < J->counts[k]; i++) {
            int runs = atomic_load(&J->runs[k][i]);
            ck_assert_int_eq(runs, 1);
        }
    }
    int early = atomic_load(&J->early), bad_tid = atomic_load(&J->bad_tid);
    ck_assert_int_eq(early, 0); /* no item began before the phases before it were complete */
    ck_assert_int_eq(bad_tid, 0);
}

/* Each participant of an all-participant job checks in once, then meets the others. */
typedef struct all_job {
    bimt_pool *pool;
    atomic_int calls[8];
    atomic_int before, passed_early;
} all_job;

static void all_body(void *arg, int tid, int n)
{
    all_job *J = arg;
    atomic_fetch_add(&J->calls[tid], 1);
    atomic_fetch_add(&J->before, 1);
    bimt__pool_barrier(J->pool, n);
    if (atomic_load(&J->before) != n) atomic_fetch_add(&J->passed_early, 1);
}

static uint64_t rng_state;
static unsigned next_u(unsigned mod)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng_state >> 33) % mod;
}

/* Random phase layouts (empty phases included), 1 to 4 participants. */
START_TEST(items_once_and_in_phase_order)
{
    rng_state = 7;
    for (int n = 1; n <= 4; n++) {
        bimt_pool *p = bimt__pool_create(n);
        ck_assert(n == 1 ? p == NULL : p != NULL);
        ck_assert_int_eq(bimt__pool_size(p), n);
        int worker_items = 0;
        for (int rep = 0; rep < 300; rep++) {
            size_t counts[BIMT_POOL_MAX_PHASES];
            unsigned nph = 1 + next_u(BIMT_POOL_MAX_PHASES);
            for (unsigned k = 0; k < nph; k++)
                counts[k] = next_u(5) == 0 ? 0 : 1 + next_u(40);
            items_job *J = malloc(sizeof *J);
            ck_assert_ptr_nonnull(J);
            init_job(J, counts, nph, n);
            bimt__pool_run_items(p, item_body, J, counts, nph);
            check_job(J); /* the call returned only once every item was done */
            worker_items += atomic_load(&J->on_worker);
            free(J); /* a late worker must not touch the job after the call returned */
        }
        if (n == 1) ck_assert_int_eq(worker_items, 0);
        bimt__pool_free(p);
    }
}
END_TEST

/* Elastic and all-participant jobs alternate on one pool: every participant runs each
 * all-participant job exactly once even when workers are still leaving an elastic job. */
START_TEST(mixes_with_all_participant_jobs)
{
    rng_state = 11;
    const int n = 3;
    bimt_pool *p = bimt__pool_create(n);
    ck_assert_ptr_nonnull(p);
    for (int rep = 0; rep < 200; rep++) {
        size_t counts[2] = {1 + next_u(8), 1 + next_u(30)};
        items_job *J = malloc(sizeof *J);
        ck_assert_ptr_nonnull(J);
        init_job(J, counts, 2, n);
        bimt__pool_run_items(p, item_body, J, counts, 2);
        check_job(J);
        free(J);
        all_job A;
        memset(&A, 0, sizeof A);
        A.pool = p;
        bimt__pool_run(p, all_body, &A);
        for (int t = 0; t < n; t++)
            ck_assert_int_eq(atomic_load(&A.calls[t]), 1);
        ck_assert_int_eq(atomic_load(&A.before), n);
        ck_assert_int_eq(atomic_load(&A.passed_early), 0);
    }
    bimt__pool_free(p);
}
END_TEST

/* A pool inherited through fork() has no workers in the child: jobs run there inline. */
START_TEST(forked_child_runs_inline)
{
    bimt_pool *p = bimt__pool_create(2);
    ck_assert_ptr_nonnull(p);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        size_t counts[3] = {4, 9, 2};
        items_job J;
        init_job(&J, counts, 3, 2);
        bimt__pool_run_items(p, item_body, &J, counts, 3);
        int ok = atomic_load(&J.on_worker) == 0 && atomic_load(&J.early) == 0 &&
                 atomic_load(&J.done[0]) == 4 && atomic_load(&J.done[1]) == 9 &&
                 atomic_load(&J.done[2]) == 2;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    bimt__pool_free(p);
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("pool");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, items_once_and_in_phase_order);
    tcase_add_test(tc, mixes_with_all_participant_jobs);
    tcase_add_test(tc, forked_child_runs_inline);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(pool_suite());
}
