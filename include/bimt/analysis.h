/**
 * @file analysis.h
 * @brief Does function map onto anatomy? Task variance, functional clusters, anatomical
 * metrics against shuffled nulls, wiring statistics.
 *
 * See docs/analysis.md for the definitions. All calls are deterministic given their seeds.
 * Thread safety: calls that take a const model may run concurrently; bimt_task_variance()
 * mutates the model's and task's workspaces (one thread at a time per model and task).
 */
#ifndef BIMT_ANALYSIS_H
#define BIMT_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/export.h"
#include "bimt/model.h"
#include "bimt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most rows (rules, the k-means features) of a task-variance matrix given to
 * bimt_important_neurons(), bimt_normalize_task_variance() and bimt_cluster_task_variance()
 * (the battery has BIMT_N_RULES = 20); its columns are at most BIMT_MAX_HIDDEN. */
#define BIMT_MAX_TV_ROWS 1024u
/** Most k-means++ restarts per k (bimt_cluster_params.n_restarts). */
#define BIMT_MAX_RESTARTS 10000u
/** Most Lloyd iterations per restart (bimt_cluster_params.max_iter). */
#define BIMT_MAX_ITER 100000u
/** Most shuffles of a null (bimt_anatomy_metrics(), bimt_centrality_metrics(),
 * bimt_report_write(), bimt_plot_null()): 10^7; the main job uses 1000 to 10000. */
#define BIMT_MAX_SHUFFLES 10000000u
/** Most bins of bimt_weight_distance_profile() and bimt_plot_weight_distance() (2^20). */
#define BIMT_MAX_BINS 1048576u

/**
 * @brief Task variance TV[r][k] of hidden neuron k in rule r: on the deterministic test grid
 * of the rule (noise off), the population variance across trials at each step of the
 * analysis window (first stimulus onset to trial end), averaged over the window.
 * @param[in,out] model the network to analyse; its forward workspace is used (one thread at
 *        a time per model).
 * @param[in,out] task the task suite giving the test grids (sizes must match the model's);
 *        its batch workspace is used (one thread at a time per task).
 * @param[out] tv [BIMT_N_RULES][n_hidden], row-major (all 20 rules, whatever the rule_mask).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL); BIMT_E_SHAPE (model and task sizes differ);
 *         BIMT_E_NOMEM; codes of the task or the forward pass are passed on (message in
 *         bimt_model_errmsg()). tv is written only on success. The model's last forward
 *         results are overwritten.
 */
BIMT_API int bimt_task_variance(bimt_model_t *model, bimt_task_t *task, float *tv);

/** Clustering parameters. Fill with bimt_cluster_params_init(). A smaller struct_size (an
 * older header) gets defaults for the fields it lacks; a larger one gives BIMT_E_VERSION. */
typedef struct bimt_cluster_params {
    uint32_t struct_size;        /**< set by bimt_cluster_params_init() */
    double importance_threshold; /**< neuron important iff summed TV > this (finite, >= 0);
                                    default 1e-3 */
    uint32_t k_min;              /**< smallest k tried, 2..k_max, default 2 */
    uint32_t k_max;      /**< largest k tried, k_min..BIMT_MAX_HIDDEN, default 29 (clipped to
                              n_important - 1) */
    uint32_t n_restarts; /**< k-means++ restarts per k, 1..BIMT_MAX_RESTARTS, default 20 */
    uint32_t max_iter;   /**< Lloyd iterations per restart, 1..BIMT_MAX_ITER, default 300 */
    double tol;          /**< convergence: relative centre shift (finite, >= 0), default 1e-4 */
    uint32_t normalize_by_sum; /**< 0: by max across rules (default), 1: by sum (0 or 1) */
    uint64_t seed;             /**< default 0 */
} bimt_cluster_params;

/**
 * @brief Fills p with the defaults. NULL is ignored. Thread-safe.
 * @param[out] p the parameters to fill (struct_size set, every field at its default).
 */
BIMT_API void bimt_cluster_params_init(bimt_cluster_params *p);

/**
 * @brief Important neurons (summed TV over rules > threshold). Thread-safe.
 * @param[in] tv [n_rules][n_hidden], finite and >= 0.
 * @param[in] n_rules rows of tv, 1..BIMT_MAX_TV_ROWS (BIMT_N_RULES for bimt_task_variance()
 *        output).
 * @param[in] n_hidden columns of tv, the number of neurons, 1..BIMT_MAX_HIDDEN.
 * @param[in] threshold finite, >= 0.
 * @param[out] important [n_hidden] 1/0.
 * @param[out] n_important optional count.
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL tv or important, n_rules or n_hidden 0 or
 *         above its bound, negative or non-finite tv or threshold).
 */
BIMT_API int bimt_important_neurons(const float *tv, uint32_t n_rules, uint32_t n_hidden,
                                    double threshold, uint8_t *important, uint32_t *n_important);

/**
 * @brief Normalised task variance of the important neurons: each important neuron's column
 * divided by its max over rules (or sum, if by_sum); unimportant neurons get 0.
 * Thread-safe.
 * @param[in] tv [n_rules][n_hidden], finite and >= 0.
 * @param[in] n_rules rows of tv, 1..BIMT_MAX_TV_ROWS.
 * @param[in] n_hidden columns of tv, the number of neurons, 1..BIMT_MAX_HIDDEN.
 * @param[in] threshold importance threshold as in bimt_important_neurons() (finite, >= 0).
 * @param[in] by_sum 0: divide by the max over rules; 1: divide by the sum (other values are
 *        refused).
 * @param[out] ntv [n_rules][n_hidden].
 * @return BIMT_OK or BIMT_E_INVALID_ARG (as bimt_important_neurons(), or NULL ntv).
 */
BIMT_API int bimt_normalize_task_variance(const float *tv, uint32_t n_rules, uint32_t n_hidden,
                                          double threshold, uint32_t by_sum, float *ntv);

/**
 * @brief Functional clusters of the important neurons: k-means on their normalised task
 * variance (features = rules) for every k in [k_min, min(k_max, n_important-1)], k chosen by
 * the largest mean silhouette (first on ties); clusters renumbered by preferred rule.
 * Fewer than 3 important neurons, or no k of the range achievable (fewer distinct rows than
 * k_min): every important neuron gets cluster 0, n_clusters = 1 (or 0 if none),
 * silhouette = 0.
 * @param[in] tv [n_rules][n_hidden] raw task variance, finite and >= 0.
 * @param[in] n_rules rows of tv, the features of the k-means, 1..BIMT_MAX_TV_ROWS.
 * @param[in] n_hidden columns of tv, the number of neurons, 1..BIMT_MAX_HIDDEN.
 * @param[in] params parameters, or NULL for the defaults.
 * @param[out] labels [n_hidden]: cluster id, or -1 for unimportant neurons.
 * @param[out] n_clusters optional: the number of clusters.
 * @param[out] silhouette optional: the mean silhouette of the chosen clustering.
 * @return BIMT_OK; BIMT_E_INVALID_ARG; BIMT_E_VERSION (p->struct_size); BIMT_E_NOMEM.
 *         Outputs are written only on success. Thread-safe.
 */
BIMT_API int bimt_cluster_task_variance(const float *tv, uint32_t n_rules, uint32_t n_hidden,
                                        const bimt_cluster_params *params, int32_t *labels,
                                        uint32_t *n_clusters, double *silhouette);

/** Anatomical metrics with their shuffled nulls (an output struct: the caller sets struct_size; the
 * library writes only the fields within it, docs/design.md "ABI rules"; fields are only ever
 * appended). */
typedef struct bimt_anatomy {
    uint32_t struct_size;     /**< caller: sizeof before the call; on return the bytes filled */
    double isolated_fraction; /**< fraction of clustered neurons with no same-cluster neuron among
                                 the 8 neighbouring slots */
    double cluster_size; /**< mean over clusters of the mean grid distance (Euclidean, in slot units
                            / grid_side) of members to their cluster's centroid */
    double isolated_null_mean; /**< mean of the null samples (0 if n_shuffles is 0) */
    double isolated_null_sd;   /**< their sample standard deviation (n - 1; 0 if n < 2) */
    double isolated_z;         /**< (observed - null mean) / null sd; 0 if the sd is 0 */
    double isolated_p;         /**< p = (1 + \#{null <= observed}) / (1 + n) */
    double size_null_mean;     /**< same for cluster size: mean of the null samples */
    double size_null_sd;       /**< same for cluster size: sample standard deviation */
    double size_z;             /**< same for cluster size: z-score */
    double size_p;             /**< same for cluster size: lower-tail p-value */
    uint32_t n_shuffles;       /**< null sample size */
} bimt_anatomy;

/**
 * @brief Anatomical metrics of a clustering on the model's grid, against a null in which the
 * clustered neurons' labels are shuffled over their own slots (seeded). A neuron is isolated
 * when no slot of its neighbourhood holds a neuron of its cluster: on the grid its 8
 * neighbours; with caller positions (or bimt_model_params.neighbours other than 8) the slots
 * within the smallest k-th-nearest-slot distance (docs/analysis.md). Cluster size is in the
 * positions' units (the grid: slot units / grid_side). Thread-safe for a model no thread
 * mutates.
 * @param[in] model the model whose slots place the neurons.
 * @param[in] labels [n_hidden] as from bimt_cluster_task_variance(): -1 or in [0, n_hidden).
 * @param[in] n_shuffles null size, at most BIMT_MAX_SHUFFLES (10^7; larger is refused); 0 gives
 *        null mean = sd =
 *        z = 0 and p = 1.
 * @param[in] seed seed of the shuffles (same seed, same null).
 * @param[out] out the metrics.
 * @param[out] isolated_null optional [n_shuffles] array of the isolated-fraction null samples.
 * @param[out] size_null optional [n_shuffles] array of the cluster-size null samples.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model, labels or out, label out of range,
 *         n_shuffles above 10^7);
 *         BIMT_E_NOMEM. *out is written only on success.
 */
BIMT_API int bimt_anatomy_metrics(const bimt_model_t *model, const int32_t *labels,
                                  uint32_t n_shuffles, uint64_t seed, bimt_anatomy *out,
                                  double *isolated_null, double *size_null);

/** Centrality of the important neurons ("concentrated in the middle", seed Fig. 1e). */
typedef struct bimt_centrality {
    uint32_t struct_size; /**< caller: sizeof before the call; on return the bytes filled */
    uint32_t n_important; /**< neurons measured */
    double observed; /**< mean Euclidean distance (slot units / grid_side) of the important neurons'
                        slots to the grid centre */
    double null_mean;    /**< mean over the null samples (0 if n_shuffles is 0) */
    double null_sd;      /**< their sample standard deviation (n - 1; 0 if n < 2) */
    double z;            /**< (observed - null mean) / null sd; 0 if the sd is 0 */
    double p;            /**< lower tail: (1 + \#{null <= observed}) / (1 + n) */
    uint32_t n_shuffles; /**< null sample size */
} bimt_centrality;

/**
 * @brief Are the important neurons nearer the grid centre than chance? The observed mean
 * distance to the centre ((side - 1) / 2, (side - 1) / 2), against a null that places as many
 * neurons on slots drawn uniformly without replacement from the whole grid (seeded). (A
 * shuffle over the important neurons' own slots, the anatomical null, would leave this
 * statistic unchanged, so the null draws from every slot.) A diagnostic added beside the
 * anatomical tests; it changes none of them. With caller positions the centre is the centroid
 * of all slots and the distance Euclidean in the positions' units. Thread-safe for a model no
 * thread mutates.
 * @param[in] model the model whose slots place the neurons.
 * @param[in] important [n_hidden] nonzero for an important neuron (bimt_important_neurons()).
 * @param[in] n_shuffles null size, at most BIMT_MAX_SHUFFLES (10^7; larger is refused); 0 gives
 *        null mean = sd =
 *        z = 0 and p = 1.
 * @param[in] seed seed of the null (same seed, same null).
 * @param[out] out the result (caller-owned); written only on success.
 * @param[out] null_samples optional [n_shuffles] array of the null samples.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model, important or out, n_shuffles above
 *         10^7); BIMT_E_NOMEM.
 *         With no important neuron, observed = null = 0 and p = 1.
 */
BIMT_API int bimt_centrality_metrics(const bimt_model_t *model, const uint8_t *important,
                                     uint32_t n_shuffles, uint64_t seed, bimt_centrality *out,
                                     double *null_samples);

/** Wiring statistics (an output struct: the caller sets struct_size; the library writes
 * only the fields within it, docs/design.md "ABI rules"; fields are only ever appended). */
typedef struct bimt_wiring {
    uint32_t struct_size;      /**< caller: sizeof before the call; on return the bytes filled */
    uint32_t n_active_neurons; /**< important neurons given the task variance (or -- tv NULL --
                                  neurons with any |w| > threshold) */
    uint32_t n_active_edges;   /**< hidden-hidden connections i != j with |w| > weight threshold */
    double wiring_length;      /**< sum of distances of active edges */
    double spectral_radius;    /**< max |eigenvalue| of W_rec (LAPACKE) */
} bimt_wiring;

/**
 * @brief Wiring statistics of the model. Thread-safe for a model no thread mutates.
 * @param[in] model the model.
 * @param[in] tv optional [20][n_hidden] task variance.
 * @param[in] importance_threshold importance threshold applied to tv (as in
 *        bimt_important_neurons(): finite and >= 0; unused when tv is NULL).
 * @param[in] weight_threshold connections (and, without tv, neurons) count as active when
 *        |w| > this (finite, >= 0).
 * @param[out] out the statistics.
 * @return BIMT_OK; BIMT_E_INVALID_ARG; BIMT_E_NOMEM; BIMT_E_NUMERIC (eigen-solver failed).
 */
BIMT_API int bimt_wiring_stats(const bimt_model_t *model, const float *tv,
                               double importance_threshold, double weight_threshold,
                               bimt_wiring *out);

/**
 * @brief Mean |W_rec[i][j]| per distance bin: bin b holds D in [b/grid_side, (b+1)/grid_side),
 * i.e. Manhattan distance b slots (i != j); empty bins give 0. Other geometries (caller
 * positions, Euclidean distance): bin b holds the distances nearest to b * w, w = the largest
 * slot distance / (n_bins - 1).
 * Pairs farther than the last bin are left out. Thread-safe for a model no thread mutates.
 * @param[in] model the model.
 * @param[in] n_bins number of bins, 1..BIMT_MAX_BINS; up to 2*grid_side - 1 is meaningful.
 * @param[out] mean_abs_w [n_bins].
 * @param[out] counts optional [n_bins] number of pairs per bin.
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL model or mean_abs_w, n_bins 0 or above
 *         BIMT_MAX_BINS); BIMT_E_NOMEM.
 */
BIMT_API int bimt_weight_distance_profile(const bimt_model_t *model, size_t n_bins,
                                          double *mean_abs_w, uint64_t *counts);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_ANALYSIS_H */
