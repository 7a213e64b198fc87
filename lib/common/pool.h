/* A small per-handle worker pool for the recurrent loops (private). Workers sleep between
 * jobs. Two kinds of job: one that every participant runs, synchronising with a spinning
 * barrier that yields the CPU after a short spin (bimt__pool_run), and an elastic one made of
 * phases of work items that whoever is running takes (bimt__pool_run_items). No global state:
 * each model owns its pool. */
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

/** Item body of an elastic job: item `item` of phase `phase`, run by participant tid. */
typedef void (*bimt_pool_item_fn)(void *arg, unsigned phase, size_t item, int tid);

/** Most phases of an elastic job. */
#define BIMT_POOL_MAX_PHASES 4

/** Runs an elastic job: n_phases phases of counts[k] work items each. Any participant runs any
 *  item, items are handed out in order (phase by phase) first come, first served, and an item
 *  of phase k starts once every item of the phases before it is done. The call returns when
 *  every item is done: it waits for the items, not for the workers, so a worker that the
 *  operating system has not yet run when the job starts (or that has just been preempted
 *  between items) holds nobody up; the caller does its share. Item bodies must not use
 *  bimt__pool_barrier(). A NULL or forked pool runs every item on the caller, in order.
 *  Requires 1 <= n_phases <= BIMT_POOL_MAX_PHASES and a total below 2^31 items. */
void bimt__pool_run_items(bimt_pool *p, bimt_pool_item_fn fn, void *arg, const size_t *counts,
                          unsigned n_phases);

/** Participants of a pool (1 for NULL). */
int bimt__pool_size(const bimt_pool *p);

/** Barrier among the participants of the running job (no-op for 1 participant). */
void bimt__pool_barrier(bimt_pool *p, int n);

/** Stops and joins the workers and frees the pool. NULL is a no-op. */
void bimt__pool_free(bimt_pool *p);

/** Participants to use by default: BIMT_NUM_THREADS if set (1..64; *from_env = 1), else the
 *  online CPUs (at most 8; *from_env = 0). from_env may be NULL. */
int bimt__pool_default_threads(int *from_env);

#endif /* BIMT_POOL_H */
