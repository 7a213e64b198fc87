/**
 * @file sweep.h
 * @brief Aggregation of a sweep of training runs: reading each run's metrics.json, Pareto
 * fronts of error against active neurons and against wiring length (the seed paper's
 * Fig. 1g and 1h), per-(arm, lambda) summaries over seeds with 95 % Student t intervals and
 * anatomical pass counts, and the sweep report (sweep.json, pareto_neurons.svg,
 * pareto_wiring.svg, index.html).
 *
 * The bimt_sweep program (docs/sweeps.md) runs the trainings and composes these calls; a
 * host program can do the same with runs of its own. Error is 1 - perf_mean (the mean over
 * tasks of the fraction of correct trials). A point is on a front when no other point of the
 * same arm has lower or equal cost and lower or equal error with at least one of the two
 * strictly lower; points whose cost or error is not finite are on no front.
 *
 * Errors: every failing call sets bimt_last_error() (status.h); calls on a handle also keep
 * the message in bimt_sweep_errmsg().
 *
 * Thread safety: one thread at a time per bimt_sweep_t; const calls may run concurrently as
 * long as no thread mutates the handle. The functions without a handle are thread-safe.
 */
#ifndef BIMT_SWEEP_H
#define BIMT_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/export.h"
#include "bimt/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most entries of anatomy_by_k kept per run (further entries are dropped). */
#define BIMT_SWEEP_MAX_BY_K 16
/** Most grow_brain arguments, and most settings, of one run (bimt_sweep_run.n_args and
 * n_settings). */
#define BIMT_SWEEP_MAX_ARGS 65536u
/** Most points of bimt_sweep_pareto_front() and values of bimt_sweep_mean_ci() (counts are
 * reported as uint32_t), and most runs of a sweep. */
#define BIMT_SWEEP_MAX_POINTS 4294967295u

/** One entry of a run's anatomy_by_k: both anatomical tests with the clustering fixed at k. */
typedef struct bimt_sweep_anatomy_k {
    uint32_t k;               /**< clusters requested */
    double isolated_fraction; /**< fraction of isolated important neurons (NaN: none) */
    double isolated_p;        /**< its p-value against the shuffled null (NaN: none) */
    double cluster_size;      /**< average spatial size of the clusters (NaN: none) */
    double cluster_size_p;    /**< its p-value (NaN: none) */
} bimt_sweep_anatomy_k;

/** The numbers of one run that the sweep uses (read from metrics.json). Counts are exact;
 *  numbers that metrics.json holds as null are NaN. Fill with bimt_sweep_metrics_init(). */
typedef struct bimt_sweep_metrics {
    uint32_t struct_size;       /**< set by bimt_sweep_metrics_init() */
    double perf_mean;           /**< performance.mean: mean fraction correct over tasks */
    double perf_min;            /**< performance.min */
    uint32_t n_tasks_at_target; /**< performance.n_at_or_above_target (tasks >= 0.9) */
    uint32_t n_important;       /**< task_variance.n_important */
    uint32_t n_active_neurons;  /**< wiring.n_active_neurons */
    double wiring_length;       /**< wiring.wiring_length */
    uint32_t n_clusters;        /**< clusters.n_clusters */
    double isolated_p;          /**< anatomy.isolated_fraction.p */
    double cluster_size_p;      /**< anatomy.cluster_size.p */
    int32_t arm;                /**< config.trainer.arm, a bimt_arm value */
    double lambda;              /**< config.trainer.lambda */
    double A;                   /**< config.trainer.A */
    uint64_t seed;              /**< config.trainer.seed */
    uint64_t steps;             /**< steps trained */
    uint32_t n_by_k;            /**< entries of by_k; 0 when metrics.json has no anatomy_by_k */
    bimt_sweep_anatomy_k by_k[BIMT_SWEEP_MAX_BY_K]; /**< anatomy_by_k, in file order */
    double graph_modularity_q;      /**< graph.modularity_q (NaN when metrics.json has no graph) */
    double graph_clustering;        /**< graph.clustering (NaN without graph) */
    double graph_char_path_length;  /**< graph.char_path_length (NaN without graph) */
    double graph_small_world_sigma; /**< graph.small_world_sigma (NaN without graph or when null) */
} bimt_sweep_metrics;

/**
 * @brief Fills m with zeros and NaN for the numbers (struct_size set). NULL is ignored.
 * Thread-safe.
 * @param[out] m the metrics to initialise.
 */
BIMT_API void bimt_sweep_metrics_init(bimt_sweep_metrics *m);

/**
 * @brief Reads the metrics of one run from a metrics.json written by bimt_report_write().
 * @param[in] path the file.
 * @param[out] out the metrics (written only on success; its struct_size must be set, e.g.
 *        by bimt_sweep_metrics_init()).
 * @param[out] errbuf optional buffer for a message naming the file and the problem (a
 *        missing key, a JSON syntax error with line and column).
 * @param[in] errbuf_len its size in bytes (0 with errbuf NULL).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL path or out); BIMT_E_VERSION (out->struct_size
 *         below 4: not set); BIMT_E_IO (cannot read); BIMT_E_FORMAT (not JSON, not a bimt report, a
 *         required member missing or of the wrong type); BIMT_E_NOMEM.
 * Thread safety: thread-safe.
 */
BIMT_API int bimt_sweep_read_metrics(const char *path, bimt_sweep_metrics *out, char *errbuf,
                                     size_t errbuf_len);

/** State of one configuration of a sweep. Explicit values; stable. */
typedef enum bimt_sweep_status {
    BIMT_SWEEP_PENDING = 0, /**< not run (yet), or running */
    BIMT_SWEEP_OK = 1,      /**< finished, metrics available */
    BIMT_SWEEP_FAILED = 2   /**< the run failed; error says why */
} bimt_sweep_status;

/**
 * @brief Name of a run status ("pending", "ok", "failed"), as written in sweep.json.
 * @param[in] status a bimt_sweep_status value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_sweep_status_name(int32_t status);

/** One configuration of a sweep, as given to bimt_sweep_add_run(). The handle copies every
 *  string and array. Fill with bimt_sweep_run_init(). */
typedef struct bimt_sweep_run {
    uint32_t struct_size;        /**< set by bimt_sweep_run_init() */
    const char *id;              /**< required, unique within the sweep, non-empty */
    int32_t arm;                 /**< arm of the run, a bimt_arm value */
    double lambda;               /**< connection-cost weight (0 for arm none; NaN unknown) */
    double A;                    /**< distance weight (0 unless arm bimt; NaN unknown) */
    uint64_t seed;               /**< seed of the run */
    uint64_t steps;              /**< training steps */
    const char *group;           /**< other settings that split the summary (NULL = none) */
    int32_t status;              /**< a bimt_sweep_status value */
    const char *error;           /**< BIMT_SWEEP_FAILED: what went wrong (NULL allowed) */
    const char **args;           /**< grow_brain arguments that reproduce the run alone */
    size_t n_args;               /**< entries of args, 0 .. BIMT_SWEEP_MAX_ARGS */
    const char **setting_keys;   /**< the run's settings (key = value), may be NULL */
    const char **setting_values; /**< values of setting_keys */
    size_t n_settings;  /**< entries of setting_keys and setting_values, 0 .. BIMT_SWEEP_MAX_ARGS */
    const char *report; /**< link to the run's own report, relative to the sweep
                             folder (NULL: none) */
    double elapsed_s;   /**< wall time of the run in seconds, >= 0 (NaN: unknown) */
    const bimt_sweep_metrics *metrics; /**< BIMT_SWEEP_OK: required; otherwise ignored */
} bimt_sweep_run;

/**
 * @brief Fills r with defaults: no strings, arm BIMT, lambda and A NaN, status pending,
 * elapsed NaN (struct_size set). NULL is ignored. Thread-safe.
 * @param[out] r the run record to initialise.
 */
BIMT_API void bimt_sweep_run_init(bimt_sweep_run *r);

/** Opaque handle of a sweep's runs. */
typedef struct bimt_sweep bimt_sweep_t;

/**
 * @brief Creates an empty sweep.
 * @param[out] out the new handle (NULL on failure); free it with bimt_sweep_free().
 * @return BIMT_OK, BIMT_E_INVALID_ARG (out NULL) or BIMT_E_NOMEM.
 * Thread safety: thread-safe.
 */
BIMT_API int bimt_sweep_create(bimt_sweep_t **out);

/**
 * @brief Frees a sweep and everything it copied. NULL is a no-op.
 * @param[in] sw the handle.
 */
BIMT_API void bimt_sweep_free(bimt_sweep_t *sw);

/**
 * @brief Message of the last failed call on sw.
 * @param[in] sw the handle (NULL gives a static text).
 * @return a string owned by sw, valid until the next call on it; "" if none failed.
 */
BIMT_API const char *bimt_sweep_errmsg(const bimt_sweep_t *sw);

/**
 * @brief Adds one configuration (copied).
 * @param[in,out] sw the handle.
 * @param[in] run the record; for BIMT_SWEEP_OK its metrics are required and copied.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL, empty or duplicate id, unknown arm or status,
 *         OK without metrics, NULL args with n_args > 0, NULL settings with n_settings > 0,
 *         negative or infinite lambda or A, negative elapsed_s, n_args or n_settings above
 *         BIMT_SWEEP_MAX_ARGS, the sweep holding BIMT_SWEEP_MAX_POINTS runs);
 *         BIMT_E_VERSION (struct_size of run or metrics);
 *         BIMT_E_NOMEM. On failure sw is unchanged.
 */
BIMT_API int bimt_sweep_add_run(bimt_sweep_t *sw, const bimt_sweep_run *run);

/**
 * @brief Number of runs added.
 * @param[in] sw the handle (NULL gives 0).
 * @return the count.
 */
BIMT_API uint32_t bimt_sweep_n_runs(const bimt_sweep_t *sw);

/** Cost axis of a Pareto front. Explicit values; stable. */
typedef enum bimt_sweep_axis {
    BIMT_SWEEP_AXIS_NEURONS = 0, /**< n_active_neurons (Fig. 1g) */
    BIMT_SWEEP_AXIS_WIRING = 1   /**< wiring_length (Fig. 1h) */
} bimt_sweep_axis;

/**
 * @brief Name of a front axis ("neurons", "wiring"), the keys of sweep.json's frontier.
 * @param[in] axis a bimt_sweep_axis value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_sweep_axis_name(int32_t axis);

/**
 * @brief Indices of the points on the Pareto front of (cost, error), both minimised: point i
 * is on it when it is finite and no finite point j has cost[j] <= cost[i] and error[j] <=
 * error[i] with one of them strictly lower (equal points are all on it). Thread-safe.
 * @param[in] cost [n] the costs.
 * @param[in] error [n] the errors.
 * @param[in] n the number of points, 0 .. BIMT_SWEEP_MAX_POINTS.
 * @param[out] on_front [n] 1 for points on the front, else 0.
 * @param[out] n_front optional: how many points are on the front.
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL array with n > 0, or NULL on_front, n above
 *         BIMT_SWEEP_MAX_POINTS).
 */
BIMT_API int bimt_sweep_pareto_front(const double *cost, const double *error, size_t n,
                                     uint8_t *on_front, size_t *n_front);

/**
 * @brief The front of one arm among its BIMT_SWEEP_OK runs, as run indices (order of
 * bimt_sweep_add_run()) sorted by increasing cost (ties: by error, then index).
 * @param[in] sw the handle.
 * @param[in] arm the arm (a bimt_arm value).
 * @param[in] axis the cost axis (a bimt_sweep_axis value).
 * @param[out] idx up to cap run indices (may be NULL when cap is 0).
 * @param[in] cap capacity of idx (any value: it only bounds what is written).
 * @param[out] n_front the size of the front (also when it exceeds cap: call again).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL sw or n_front, unknown arm or axis, NULL idx with
 *         cap > 0); BIMT_E_SHAPE (cap too small; idx holds the first cap); BIMT_E_NOMEM.
 */
BIMT_API int bimt_sweep_front(const bimt_sweep_t *sw, int32_t arm, int32_t axis, uint32_t *idx,
                              size_t cap, size_t *n_front);

/**
 * @brief Quantile of Student's t distribution with df degrees of freedom (exact series for
 * integer df, solved by bisection to about 1e-12). Thread-safe.
 * @param[in] p probability in (0, 1), e.g. 0.975 for a two-sided 95 % interval.
 * @param[in] df degrees of freedom, 1 .. 10^7.
 * @return t with P(T <= t) = p, or NaN for p or df out of range (bimt_last_error() says why).
 */
BIMT_API double bimt_sweep_t_quantile(double p, uint32_t df);

/** Mean and two-sided interval of a sample. */
typedef struct bimt_sweep_ci {
    uint32_t n;  /**< finite values used */
    double mean; /**< their mean (NaN when n = 0) */
    double lo;   /**< lower end of the interval (NaN when n < 2) */
    double hi;   /**< upper end of the interval (NaN when n < 2) */
} bimt_sweep_ci;

/**
 * @brief Mean and Student t interval mean -+ t_{(1+level)/2, n-1} s / sqrt(n) of the finite
 * values of x (s: sample standard deviation, n - 1 in the denominator). Thread-safe.
 * @param[in] x [n_x] values; NaN and infinities are skipped.
 * @param[in] n_x number of values, 0 .. BIMT_SWEEP_MAX_POINTS.
 * @param[in] level confidence level in (0, 1), e.g. 0.95.
 * @param[out] out the result.
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL out, NULL x with n_x > 0, n_x above
 *         BIMT_SWEEP_MAX_POINTS, level out of range).
 */
BIMT_API int bimt_sweep_mean_ci(const double *x, size_t n_x, double level, bimt_sweep_ci *out);

/** Summary of the runs of one (arm, lambda, A, group) over seeds. */
typedef struct bimt_sweep_summary {
    uint32_t struct_size;       /**< caller: sizeof before the call; on return the bytes filled */
    int32_t arm;                /**< the arm, a bimt_arm value */
    double lambda;              /**< lambda of the group */
    double A;                   /**< A of the group */
    const char *group;          /**< other settings of the group ("" if none); owned by the
                                     handle, valid until it is freed or mutated */
    uint32_t n_runs;            /**< configurations of the group (any status) */
    uint32_t n_ok;              /**< of which finished */
    uint32_t n_failed;          /**< of which failed */
    bimt_sweep_ci perf;         /**< perf_mean over the finished runs, 95 % interval */
    bimt_sweep_ci wiring;       /**< wiring_length, 95 % interval */
    bimt_sweep_ci neurons;      /**< n_active_neurons, 95 % interval */
    uint32_t n_isolated_tested; /**< finished runs with a finite isolated_p */
    uint32_t n_isolated_pass;   /**< of which isolated_p < 0.05 */
    uint32_t n_size_tested;     /**< finished runs with a finite cluster_size_p */
    uint32_t n_size_pass;       /**< of which cluster_size_p < 0.05 */
} bimt_sweep_summary;

/**
 * @brief Number of summary groups: distinct (arm, lambda, A, group) among the runs.
 * @param[in] sw the handle (NULL gives 0).
 * @return the count.
 */
BIMT_API uint32_t bimt_sweep_n_summaries(const bimt_sweep_t *sw);

/**
 * @brief Summary i (groups sorted by arm bimt, l1, none, then group text, lambda, A).
 * @param[in] sw the handle.
 * @param[in] i index, below bimt_sweep_n_summaries().
 * @param[out] out the summary (struct_size must be set).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL, i out of range); BIMT_E_VERSION (struct_size);
 *         BIMT_E_NOMEM.
 */
BIMT_API int bimt_sweep_summary_get(const bimt_sweep_t *sw, uint32_t i, bimt_sweep_summary *out);

/**
 * @brief Writes sweep.json (format "bimt-sweep", version 1): runs (id, arm, lambda, A, seed,
 * steps, group, status, error, elapsed_s, grow_brain_args, settings, report, metrics with
 * anatomy_by_k when present), frontier (per arm, the run ids of the fronts "neurons" and
 * "wiring", by increasing cost) and summary (one entry per group). Written atomically.
 * @param[in,out] sw the handle (its message is set on failure).
 * @param[in] path the file.
 * @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_IO or BIMT_E_NOMEM.
 */
BIMT_API int bimt_sweep_write_json(bimt_sweep_t *sw, const char *path);

/**
 * @brief Writes a standalone SVG of error (1 - perf_mean) against the axis's cost: every
 * finished run as a point coloured by arm, each arm's front as a line, labelled axes and a
 * legend (Fig. 1g for BIMT_SWEEP_AXIS_NEURONS, 1h for BIMT_SWEEP_AXIS_WIRING). Written
 * atomically.
 * @param[in,out] sw the handle.
 * @param[in] axis the cost axis (a bimt_sweep_axis value).
 * @param[in] path the file.
 * @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_IO or BIMT_E_NOMEM.
 */
BIMT_API int bimt_sweep_write_svg(bimt_sweep_t *sw, int32_t axis, const char *path);

/**
 * @brief Writes index.html: counts by status, both Pareto figures (pareto_neurons.svg and
 * pareto_wiring.svg beside it), the summary table and a table of every run with a link to
 * its own report. Self-contained (no scripts). Written atomically.
 * @param[in,out] sw the handle.
 * @param[in] path the file.
 * @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_IO or BIMT_E_NOMEM.
 */
BIMT_API int bimt_sweep_write_html(bimt_sweep_t *sw, const char *path);

/**
 * @brief Writes the sweep report into dir (created with its parents if missing):
 * sweep.json, pareto_neurons.svg, pareto_wiring.svg and index.html, each atomically.
 * @param[in,out] sw the handle.
 * @param[in] dir the folder.
 * @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_IO or BIMT_E_NOMEM (files already written stay;
 *         each is complete).
 */
BIMT_API int bimt_sweep_write_report(bimt_sweep_t *sw, const char *dir);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_SWEEP_H */
