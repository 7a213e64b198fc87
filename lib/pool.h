/* A small per-handle worker pool for the recurrent loops (private). Workers sleep between
 * jobs; inside a job the participants synchronise with a spinning barrier that yields the CPU
 * after a short spin. No global state: each model owns its pool. */
#ifndef BIMT_POOL_H
#define BIMT_POOL_H

#include <stddef.h>

typedef struct bimt_pool bimt_pool;

/** Job body: runs once on each of n participants (tid 0 is the calling thread). */
typedef void (*bimt_pool_fn)(void *arg, int tid, int n);

/** Creates a pool of n participants (n - 1 worker threads). Returns NULL when threads are not
 *  available or n < 2 (callers then run jobs inline). */
bimt_pool *bimt__pool_create(int n);

/** Runs fn on every participant and returns when all are done. A NULL pool, or a pool
 *  inherited through fork() (its workers do not exist in the child), runs fn(arg, 0, 1). */
void bimt__pool_run(bimt_pool *p, bimt_pool_fn fn, void *arg);

/** Barrier among the participants of the running job (no-op for 1 participant). */
void bimt__pool_barrier(bimt_pool *p, int n);

/** Stops and joins the workers and frees the pool. NULL is a no-op. */
void bimt__pool_free(bimt_pool *p);

/** Participants to use by default: BIMT_NUM_THREADS if set (1..64; *from_env = 1), else the
 *  online CPUs (at most 8; *from_env = 0). from_env may be NULL. */
int bimt__pool_default_threads(int *from_env);

#endif /* BIMT_POOL_H */
