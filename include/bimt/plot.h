/**
 * @file plot.h
 * @brief The seed paper's figures as standalone SVG files, one call per figure.
 *
 * Every call takes plain arrays and const handles, draws one figure (title, axis labels,
 * legend or colour bar included) and writes it atomically: a temporary file in the same
 * folder, fsync, then rename over path, so an existing file at path is either replaced
 * whole or left untouched. Numbers are written in the C locale whatever the process locale
 * is; text (task names, titles) is XML-escaped. The folder must exist.
 *
 * Errors: the calls return BIMT_OK or a negative bimt_status. They keep no message (the
 * handles they take are const); bimt_report_write() reports messages through the model.
 * Thread safety: the calls touch no global state; they may run concurrently with each other
 * and with other const calls on the same model, as long as no thread mutates the model.
 */
#ifndef BIMT_PLOT_H
#define BIMT_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/export.h"
#include "bimt/model.h"
#include "bimt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default threshold of bimt_plot_network(): connections with |w| above it are drawn. */
#define BIMT_PLOT_WEIGHT_THRESHOLD 1e-2
/** Most connections bimt_plot_network() draws (the strongest ones). */
#define BIMT_PLOT_MAX_EDGES 6000
/** Most rows (rules) of the task-variance figures (bimt_plot_task_variance(),
 * bimt_plot_clusters_grid()). */
#define BIMT_PLOT_MAX_RULES 64u

/**
 * @brief Figure 1a: the hidden network on its grid. Each neuron is a dot at its slot
 * (row 0 at the top), coloured by cluster when labels are given (grey for label -1);
 * every hidden-hidden connection i != j with |W_rec[i][j]| > weight_threshold is a line,
 * red for positive and blue for negative weights, width and opacity growing with |w|
 * (at most BIMT_PLOT_MAX_EDGES of the strongest are drawn; self-connections are not drawn).
 * @param[in] model the model (read only).
 * @param[in] labels optional [n_hidden] cluster ids in [0, n_hidden) or -1 (unimportant);
 *        NULL = all dots dark grey.
 * @param[in] weight_threshold draw |w| > this; 0 or negative means BIMT_PLOT_WEIGHT_THRESHOLD.
 * @param[in] path output file.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model or path, NaN threshold, label outside
 *         [-1, n_hidden));
 *         BIMT_E_NOMEM; BIMT_E_IO.
 */
BIMT_API int bimt_plot_network(const bimt_model_t *model, const int32_t *labels,
                               double weight_threshold, const char *path);

/**
 * @brief Figure 1b: normalised task variance as a heat map. Rows are the rules (named by
 * bimt_rule_name() when n_rules is BIMT_N_RULES), columns the important neurons, grouped
 * by cluster (clusters in increasing id; within a cluster by preferred rule, then index),
 * with cluster boundaries and ids marked and a colour bar.
 * @param[in] ntv [n_rules][n_hidden] normalised task variance (bimt_normalize_task_variance()),
 *        values in [0, 1].
 * @param[in] n_rules rows of ntv (1 .. BIMT_PLOT_MAX_RULES).
 * @param[in] n_hidden columns of ntv, the number of neurons, 1 .. BIMT_MAX_HIDDEN.
 * @param[in] labels optional [n_hidden] cluster ids in [0, n_hidden); neurons with -1 are left
 *        out. With NULL, the neurons whose column is not all zero are shown, ordered by
 *        preferred rule.
 * @param[in] path output file.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL ntv or path, n_rules or n_hidden 0, n_rules >
 *         64, non-finite or negative values, label outside [-1, n_hidden));
 *         BIMT_E_NOMEM; BIMT_E_IO.
 */
BIMT_API int bimt_plot_task_variance(const float *ntv, uint32_t n_rules, uint32_t n_hidden,
                                     const int32_t *labels, const char *path);

/**
 * @brief Figure 1c: the grid coloured by functional cluster; neurons with label -1
 * (unimportant) are light grey. The legend lists each cluster with its size and preferred
 * rule (the rule with the largest summed ntv over the cluster's members).
 * @param[in] model the model whose slots place the neurons (read only).
 * @param[in] labels [n_hidden] cluster ids in [0, n_hidden) or -1.
 * @param[in] ntv optional [n_rules][n_hidden] normalised task variance for the preferred
 *        rules; NULL leaves them out of the legend.
 * @param[in] n_rules rows of ntv, 1 .. BIMT_PLOT_MAX_RULES (ignored when ntv is NULL).
 * @param[in] path output file.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model, labels or path, label outside [-1, n_hidden),
 *         ntv not finite and >= 0, n_rules 0 or > 64);
 *         BIMT_E_NOMEM; BIMT_E_IO.
 */
BIMT_API int bimt_plot_clusters_grid(const bimt_model_t *model, const int32_t *labels,
                                     const float *ntv, uint32_t n_rules, const char *path);

/**
 * @brief Figure 1d: per-task performance as bars, one per rule with its name, a dashed
 * line at target, bars below the target drawn in a warning colour, mean and minimum in the
 * subtitle. Rules with a negative value (disabled) are marked "n/a".
 * @param[in] perf [BIMT_N_RULES] fraction correct in [0, 1], or negative for "not evaluated".
 * @param[in] target the reference line, in [0, 1] (e.g. 0.9).
 * @param[in] path output file.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL, NaN, value > 1, target outside [0, 1]);
 *         BIMT_E_NOMEM; BIMT_E_IO.
 */
BIMT_API int bimt_plot_performance(const double perf[BIMT_N_RULES], double target,
                                   const char *path);

/**
 * @brief Figure 1e: neuron importance (task variance summed over rules) on the grid,
 * colour on a log10 scale with a colour bar; neurons above threshold (important) are
 * outlined, and the threshold is marked on the colour bar.
 * @param[in] model the model whose slots place the neurons (read only).
 * @param[in] tv [n_rules][n_hidden] raw task variance (bimt_task_variance()).
 * @param[in] n_rules rows of tv, 1 .. 1024 (BIMT_MAX_TV_ROWS of analysis.h).
 * @param[in] threshold importance threshold (e.g. 1e-3), > 0 and finite.
 * @param[in] path output file.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL, n_rules 0, tv negative or non-finite,
 *         threshold not > 0); BIMT_E_NOMEM; BIMT_E_IO.
 */
BIMT_API int bimt_plot_importance_grid(const bimt_model_t *model, const float *tv, uint32_t n_rules,
                                       double threshold, const char *path);

/**
 * @brief Figure 1f: mean |W_rec| versus wiring distance. Bin b is plotted at distance
 * b / grid_side; bins with counts[b] == 0 are skipped. The y axis is logarithmic when all
 * plotted values are positive and span more than two decades.
 * @param[in] mean_abs_w [n_bins] (bimt_weight_distance_profile()).
 * @param[in] counts optional [n_bins] pairs per bin; NULL plots every bin.
 * @param[in] n_bins length of mean_abs_w and counts, 1 .. 2^20 (BIMT_MAX_BINS of analysis.h).
 * @param[in] grid_side the model's grid side, 1 .. BIMT_MAX_GRID_SIDE.
 * @param[in] path output file.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL, n_bins 0, grid_side 0, negative or
 *         non-finite values); BIMT_E_NOMEM; BIMT_E_IO.
 */
BIMT_API int bimt_plot_weight_distance(const double *mean_abs_w, const uint64_t *counts,
                                       size_t n_bins, uint32_t grid_side, const char *path);

/**
 * @brief Figure 2b: an anatomical metric against its shuffled null. Histogram of the null
 * samples, the observed value as a vertical line, and the p-value in the title.
 * @param[in] observed the metric of the trained network (finite).
 * @param[in] null_samples [n] null values (may be NULL when n is 0); non-finite samples are
 *        rejected.
 * @param[in] n number of null samples, 0 .. 10^7 (BIMT_MAX_SHUFFLES of analysis.h).
 * @param[in] p_value printed in the title (not NaN); pass a negative value to use the lower-tail
 * value (1 + #{null <= observed}) / (1 + n) of analysis.h.
 * @param[in] title figure title (e.g. "Fraction of isolated neurons"); XML-escaped, NULL = empty.
 * @param[in] xlabel the metric's axis label; XML-escaped, NULL = empty.
 * @param[in] path output file.
 * @return BIMT_OK; BIMT_E_INVALID_ARG; BIMT_E_NOMEM; BIMT_E_IO.
 */
BIMT_API int bimt_plot_null(double observed, const double *null_samples, size_t n, double p_value,
                            const char *title, const char *xlabel, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_PLOT_H */
