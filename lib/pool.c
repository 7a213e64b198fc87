/* Per-handle worker pool (see pool.h). POSIX threads; elsewhere every job runs inline. */
#include "pool.h"

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

#if BIMT_HAVE_PTHREADS

#define MAX_THREADS 64

struct bimt_pool {
    int n;                        /* participants, including the caller */
    pid_t pid;                    /* process that created the workers */
    pthread_t th[MAX_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    unsigned long generation;     /* bumped for every job (under mu) */
    int running;                  /* workers still in the current job (under mu) */
    int quit;
    bimt_pool_fn fn;
    void *arg;
    atomic_int bar_count;         /* spinning barrier: arrivals of the current phase */
    atomic_uint bar_phase;
    struct worker_arg {
        struct bimt_pool *p;
        int tid;
    } wa[MAX_THREADS];
};

static void *worker_main(void *v)
{
    struct worker_arg *wa = v;
    struct bimt_pool *p = wa->p;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->generation == seen) pthread_cond_wait(&p->wake, &p->mu);
        if (p->quit) break;
        seen = p->generation;
        bimt_pool_fn fn = p->fn;
        void *arg = p->arg;
        pthread_mutex_unlock(&p->mu);
        fn(arg, wa->tid, p->n);
        pthread_mutex_lock(&p->mu);
        if (--p->running == 0) pthread_cond_signal(&p->done);
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
    p->fn = fn;
    p->arg = arg;
    p->running = p->n - 1;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    fn(arg, 0, p->n);
    pthread_mutex_lock(&p->mu);
    while (p->running > 0) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
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
        for (int i = 1; i < p->n; i++) pthread_join(p->th[i], NULL);
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
void bimt__pool_barrier(bimt_pool *p, int n)
{
    (void)p;
    (void)n;
}
void bimt__pool_free(bimt_pool *p) { (void)p; }

#endif
