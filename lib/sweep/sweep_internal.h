/* Private state of a bimt_sweep_t, shared by sweep.c (runs, fronts, statistics),
 * sweep_metrics.c (metrics.json) and sweep_report.c (sweep.json, SVGs, index.html). */
#ifndef BIMT_SWEEP_INTERNAL_H
#define BIMT_SWEEP_INTERNAL_H

#include <stddef.h>

#include "bimt/sweep.h"
#include "common/common.h"

/** Number of arms (bimt, l1, none). */
#define BIMT__N_ARMS 3

/** A run as copied by bimt_sweep_add_run(). */
typedef struct bimt__srun {
    char *id, *group, *error, *report;
    int32_t arm;
    double lambda, A;
    uint64_t seed, steps;
    int32_t status;
    char **args;
    size_t n_args;
    char **keys, **values;
    size_t n_settings;
    double elapsed_s;
    bimt_sweep_metrics m; /* valid when status is BIMT_SWEEP_OK */
} bimt__srun;

struct bimt_sweep {
    bimt__srun *runs;
    size_t n, cap;
    char errmsg[BIMT_ERRMSG_LEN];
};

/** Cost of run r on axis (NaN unless finished). */
double bimt__sweep_cost(const bimt__srun *r, bimt_sweep_axis axis);
/** Error 1 - perf_mean of run r (NaN unless finished). */
double bimt__sweep_error(const bimt__srun *r);

/** Groups of the summary: *out (caller frees) holds n_runs run indices ordered by group,
 *  *starts (caller frees) the first position of each of the *n_groups groups plus a final
 *  entry n_runs. */
int bimt__sweep_groups(const bimt_sweep_t *sw, size_t **order, size_t **starts, size_t *n_groups);
/** Summary of the group order[from..to) (from < to). BIMT_OK or BIMT_E_NOMEM. */
int bimt__sweep_summarise(const bimt_sweep_t *sw, const size_t *order, size_t from, size_t to,
                          bimt_sweep_summary *out);

#endif /* BIMT_SWEEP_INTERNAL_H */
