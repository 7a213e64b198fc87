/* Choosing between the worker pool and the calling thread by measured speed (private).
 *
 * Results are bit-identical either way, so the choice is free, and it follows the measured
 * time per unit of work of each mode: on a machine shared with other processes, threads
 * that wait for each other can be slower than one thread. The first call of each mode is a
 * warm-up and not recorded (thread start, first touch of buffers); then one call of each
 * mode gives both estimates, and the faster mode runs, re-measured at every call (smoothed),
 * so that a slowdown of it switches modes at once. Now and then a call probes the other
 * mode: after BIMT_MODE_PROBE_MIN calls at first, and each time a probe confirms the choice the
 * interval doubles (up to probe_max calls), since a probe of the slower mode costs a whole
 * slow call; a probe that changes the choice resets the interval. A probe replaces the
 * estimate of the probed mode rather than averaging with it: that estimate is as old as the
 * last probe, and a stale value (say, one taken while another process held a CPU) would
 * otherwise keep the wrong mode for hundreds of calls. */
#ifndef BIMT_MODE_PICK_H
#define BIMT_MODE_PICK_H

#include <stddef.h>
#include <stdint.h>

#include "common/pool.h"

/** Calls between probes of the mode not in use, at first and after a change of mode. */
#define BIMT_MODE_PROBE_MIN 16u

typedef struct bimt_mode_pick {
    double multi, single; /* smoothed seconds per unit with the pool / on one thread; 0: none */
    uint32_t calls;       /* calls so far */
    uint32_t interval;    /* calls between probes (BIMT_MODE_PROBE_MIN .. probe_max) */
    uint32_t next_probe;  /* call number of the next probe */
    uint32_t probe_max;
} bimt_mode_pick;

/** Starts a chooser with no measurements; probe_max >= BIMT_MODE_PROBE_MIN. */
void bimt__mode_pick_init(bimt_mode_pick *s, uint32_t probe_max);

/** The mode of the next call: 1 the pool, 0 the calling thread. *probe is set to 1 when the
 *  call is a probe of the mode not in use (else 0). Counts the call. */
int bimt__mode_pick_next(bimt_mode_pick *s, int *probe);

/** Records the measured seconds per unit of work of a call made in mode multi (as returned,
 *  with its probe flag, by the bimt__mode_pick_next that preceded it). */
void bimt__mode_pick_record(bimt_mode_pick *s, int multi, int probe, double seconds);

/** A job that runs on pool, or on the calling thread alone when pool is NULL. */
typedef void (*bimt_mode_job_fn)(void *arg, bimt_pool *pool);

/**
 * Runs job once, choosing the mode: on the calling thread when pool is NULL; on the pool when
 * not adaptive (the thread count was set by the user); else by s (next, run timed, record
 * the time per unit, units = the job's rows). The one dispatcher of the forward, backward
 * and states engines.
 */
void bimt__mode_pick_run(bimt_mode_pick *s, bimt_pool *pool, int adaptive, size_t units,
                         bimt_mode_job_fn job, void *arg);

/** A monotonic clock in seconds, for timing the calls. */
double bimt__mode_pick_clock(void);

#endif /* BIMT_MODE_PICK_H */
