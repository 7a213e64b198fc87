/* Per-handle worker pool (see pool.h). POSIX threads; elsewhere every job runs inline. */
#include "common/pool.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__unix__) || defined(__APPLE__)
#define BIMT_HAVE_PTHREADS 1
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>
#else
#define BIMT_HAVE_PTHREADS 0
#endif

int bimt__pool_default_threads(int *from_env)
{
    const char *e = getenv("BIMT_NUM_THREADS");
    if (from_env) *from_env = 0;
    if (e && *e) {
        char *end;
        long v = strtol(e, &end, 10);
        if (*end == '\0' && v >= 1 && v <= 64) {
            if (from_env) *from_env = 1;
            return (int)v;
        }
    }
#if BIMT_HAVE_PTHREADS && defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    return n > 8 ? 8 : (int)n;
#else
    return 1;
#endif
}

/* Every item of an elastic job on the calling thread, in order. */
static void run_items_inline(bimt_pool_item_fn fn, void *arg, const size_t *counts,
                             unsigned n_phases)
{
    for (unsigned k = 0; k < n_phases; k++)
        for (size_t i = 0; i < counts[k]; i++)
            fn(arg, k, i, 0);
}

#if BIMT_HAVE_PTHREADS

#define MAX_THREADS 64

enum { JOB_ALL = 0, JOB_ITEMS = 1 };

struct bimt_pool {
    int n;     /* participants, including the caller */
    pid_t pid; /* process that created the workers */
    pthread_t th[MAX_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    unsigned long generation; /* bumped for every job (under mu) */
    int running;              /* workers still in the current job (under mu) */
    int quit;
    int kind; /* JOB_ALL or JOB_ITEMS: kind of the latest job (under mu) */
    bimt_pool_fn fn;
    void *arg;
    /* Elastic job. The descriptor (ifn, iarg, start) is written before ctr is published and
     * read by a worker only after it has claimed an item, and the caller rewrites it only
     * after every item is done, so no claim ever sees another job's descriptor. ctr holds
     * (total << 32) | next; a claim is a compare-and-swap of next, so an item is always an
     * item of the job being run (a stale read of an older job's counter fails the swap). */
    bimt_pool_item_fn ifn;
    void *iarg;
    uint64_t start[BIMT_POOL_MAX_PHASES + 1]; /* first item of each phase; start[nph] = total */
    _Atomic uint64_t ctr;
    _Atomic uint64_t items_done; /* items of the current elastic job finished */
    atomic_int bar_count;        /* spinning barrier: arrivals of the current phase */
    atomic_uint bar_phase;
    struct worker_arg {
        struct bimt_pool *p;
        int tid;
    } wa[MAX_THREADS];
};

/* Spins while *v < want, yielding the CPU after a short spin. */
static void wait_at_least(_Atomic uint64_t *v, uint64_t want)
{
    for (long spins = 0; atomic_load_explicit(v, memory_order_acquire) < want; spins++)
        if (spins > 4000) sched_yield();
}

/* Claims the next item of the elastic job being run: 1 and its index, or 0 when none is left. */
static int claim_item(struct bimt_pool *p, uint64_t *item)
{
    uint64_t v = atomic_load_explicit(&p->ctr, memory_order_acquire);
    for (;;) {
        if ((v & 0xffffffffu) >= (v >> 32)) return 0;
        if (atomic_compare_exchange_weak_explicit(&p->ctr, &v, v + 1, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            *item = v & 0xffffffffu;
            return 1;
        }
    }
}

/* Runs claimed items until none is left; each waits for the phases before its own. */
static void run_claimed_items(struct bimt_pool *p, int tid)
{
    uint64_t i;
    while (claim_item(p, &i)) {
        unsigned k = 0;
        while (i >= p->start[k + 1])
            k++;
        wait_at_least(&p->items_done, p->start[k]);
        p->ifn(p->iarg, k, (size_t)(i - p->start[k]), tid);
        atomic_fetch_add_explicit(&p->items_done, 1, memory_order_release);
    }
}

static void *worker_main(void *v)
{
    struct worker_arg *wa = v;
    struct bimt_pool *p = wa->p;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->generation == seen)
            pthread_cond_wait(&p->wake, &p->mu);
        if (p->quit) break;
        seen = p->generation;
        int kind = p->kind;
        bimt_pool_fn fn = p->fn;
        void *arg = p->arg;
        pthread_mutex_unlock(&p->mu);
        if (kind == JOB_ITEMS)
            run_claimed_items(p, wa->tid); /* the caller waits for the items, not for us */
        else
            fn(arg, wa->tid, p->n);
        pthread_mutex_lock(&p->mu);
        if (kind == JOB_ALL && --p->running == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

bimt_pool *bimt__pool_create(int n)
{
    if (n < 2) return NULL;
    if (n > MAX_THREADS) n = MAX_THREADS;
    struct bimt_pool *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->pid = getpid();
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return NULL;
    }
    if (pthread_cond_init(&p->wake, NULL) != 0 || pthread_cond_init(&p->done, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
    atomic_init(&p->ctr, 0u);
    atomic_init(&p->items_done, 0u);
    atomic_init(&p->bar_count, 0);
    atomic_init(&p->bar_phase, 0u);
    p->n = 1;
    for (int i = 1; i < n; i++) {
        p->wa[i].p = p;
        p->wa[i].tid = i;
        if (pthread_create(&p->th[i], NULL, worker_main, &p->wa[i]) != 0) break;
        p->n = i + 1;
    }
    if (p->n < 2) {
        bimt__pool_free(p);
        return NULL;
    }
    return p;
}

void bimt__pool_run(bimt_pool *p, bimt_pool_fn fn, void *arg)
{
    if (!p || p->pid != getpid()) {
        fn(arg, 0, 1);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->kind = JOB_ALL;
    p->fn = fn;
    p->arg = arg;
    p->running = p->n - 1;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    fn(arg, 0, p->n);
    pthread_mutex_lock(&p->mu);
    while (p->running > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void bimt__pool_run_items(bimt_pool *p, bimt_pool_item_fn fn, void *arg, const size_t *counts,
                          unsigned n_phases)
{
    if (!p || p->pid != getpid()) {
        run_items_inline(fn, arg, counts, n_phases);
        return;
    }
    uint64_t total = 0;
    p->start[0] = 0;
    for (unsigned k = 0; k < n_phases; k++) {
        total += counts[k];
        p->start[k + 1] = total;
    }
    if (total == 0) return;
    p->ifn = fn;
    p->iarg = arg;
    atomic_store_explicit(&p->items_done, 0u, memory_order_relaxed);
    atomic_store_explicit(&p->ctr, total << 32, memory_order_release);
    pthread_mutex_lock(&p->mu);
    p->kind = JOB_ITEMS;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    run_claimed_items(p, 0);
    wait_at_least(&p->items_done, total);
}

int bimt__pool_size(const bimt_pool *p)
{
    return p ? p->n : 1;
}

void bimt__pool_barrier(bimt_pool *p, int n)
{
    if (!p || n < 2) return;
    unsigned phase = atomic_load_explicit(&p->bar_phase, memory_order_acquire);
    if (atomic_fetch_add_explicit(&p->bar_count, 1, memory_order_acq_rel) == n - 1) {
        atomic_store_explicit(&p->bar_count, 0, memory_order_relaxed);
        atomic_store_explicit(&p->bar_phase, phase + 1u, memory_order_release);
        return;
    }
    /* Spin briefly (the partner is normally a few microseconds away), then yield the CPU so
     * that an oversubscribed machine is not made worse. */
    for (long spins = 0; atomic_load_explicit(&p->bar_phase, memory_order_acquire) == phase;
         spins++)
        if (spins > 4000) sched_yield();
}

void bimt__pool_free(bimt_pool *p)
{
    if (!p) return;
    if (p->pid == getpid()) {
        pthread_mutex_lock(&p->mu);
        p->quit = 1;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
        for (int i = 1; i < p->n; i++)
            pthread_join(p->th[i], NULL);
    }
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

#else /* no threads */

struct bimt_pool {
    int unused;
};
bimt_pool *bimt__pool_create(int n)
{
    (void)n;
    return NULL;
}
void bimt__pool_run(bimt_pool *p, bimt_pool_fn fn, void *arg)
{
    (void)p;
    fn(arg, 0, 1);
}
void bimt__pool_run_items(bimt_pool *p, bimt_pool_item_fn fn, void *arg, const size_t *counts,
                          unsigned n_phases)
{
    (void)p;
    run_items_inline(fn, arg, counts, n_phases);
}
int bimt__pool_size(const bimt_pool *p)
{
    (void)p;
    return 1;
}
void bimt__pool_barrier(bimt_pool *p, int n)
{
    (void)p;
    (void)n;
}
void bimt__pool_free(bimt_pool *p)
{
    (void)p;
}

#endif
