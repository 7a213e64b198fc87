/* Pool or calling thread, by measured speed (see mode_pick.h). */
#include "common/mode_pick.h"

#include <time.h>

/* Calls 0 and 1 are the warm-ups of the pool and of the calling thread, 2 and 3 their first
 * measurements. */
#define WARM_CALLS 2u

void bimt__mode_pick_init(bimt_mode_pick *s, uint32_t probe_max)
{
    s->multi = s->single = 0.0;
    s->calls = 0;
    s->interval = BIMT_MODE_PROBE_MIN;
    s->next_probe = 0;
    s->probe_max = probe_max < BIMT_MODE_PROBE_MIN ? BIMT_MODE_PROBE_MIN : probe_max;
}

int bimt__mode_pick_next(bimt_mode_pick *s, int *probe)
{
    uint32_t k = s->calls++;
    *probe = 0;
    if (s->multi == 0.0 || s->single == 0.0) {
        /* warm-ups and first measurements alternate, the pool first */
        s->interval = BIMT_MODE_PROBE_MIN;
        s->next_probe = k + BIMT_MODE_PROBE_MIN;
        if (k < WARM_CALLS) return k == 0;
        return s->multi == 0.0;
    }
    int multi = s->multi <= s->single;
    if (k >= s->next_probe) {
        *probe = 1;
        return !multi;
    }
    return multi;
}

void bimt__mode_pick_record(bimt_mode_pick *s, int multi, int probe, double seconds)
{
    if (s->calls <= WARM_CALLS) return;     /* a warm-up call */
    if (!(seconds > 0.0)) seconds = 1e-300; /* a clock too coarse to see the call */
    double *e = multi ? &s->multi : &s->single;
    *e = (*e == 0.0 || probe) ? seconds : 0.75 * *e + 0.25 * seconds;
    if (probe) {
        int kept = (s->multi <= s->single) != multi; /* the probed mode is still slower */
        s->interval = kept ? (s->interval < s->probe_max / 2 ? 2 * s->interval : s->probe_max)
                           : BIMT_MODE_PROBE_MIN;
        s->next_probe = s->calls - 1 + s->interval;
    }
}

void bimt__mode_pick_run(bimt_mode_pick *s, bimt_pool *pool, int adaptive, size_t units,
                         bimt_mode_job_fn job, void *arg)
{
    if (!pool || !adaptive) {
        job(arg, pool);
        return;
    }
    int probe;
    int multi = bimt__mode_pick_next(s, &probe);
    double t0 = bimt__mode_pick_clock();
    job(arg, multi ? pool : NULL);
    bimt__mode_pick_record(s, multi, probe, (bimt__mode_pick_clock() - t0) / (double)units);
}

double bimt__mode_pick_clock(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
