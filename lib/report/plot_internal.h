/* Private entry points of the figure writers: the public bimt_plot_* calls with an optional
 * error-message buffer (BIMT_ERRMSG_LEN bytes, or NULL), used by the report writer.
 * Not installed. */
#ifndef BIMT_PLOT_INTERNAL_H
#define BIMT_PLOT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/plot.h"

int bimt__plot_network(const bimt_model_t *model, const int32_t *labels, double weight_threshold,
                       const char *path, char *errbuf);
int bimt__plot_task_variance(const float *ntv, size_t n_rules, size_t n_hidden,
                             const int32_t *labels, const char *path, char *errbuf);
int bimt__plot_clusters_grid(const bimt_model_t *model, const int32_t *labels, const float *ntv,
                             size_t n_rules, const char *path, char *errbuf);
int bimt__plot_performance(const double *perf, double target, const char *path, char *errbuf);
int bimt__plot_importance_grid(const bimt_model_t *model, const float *tv, size_t n_rules,
                               double threshold, const char *path, char *errbuf);
/* grid_side > 0: bin i at distance i / grid_side (the grid's Manhattan bins); 0: at
 * i * bin_width (bimt__profile_bin_width). */
int bimt__plot_weight_distance(const double *mean_abs_w, const uint64_t *counts, size_t n_bins,
                               size_t grid_side, double bin_width, const char *path, char *errbuf);
/** One curve of bimt__plot_curves(): n points (x[i], y[i]) drawn as a line with markers. */
typedef struct bimt__curve {
    const double *x, *y;
    size_t n;
    const char *colour; /* "#rrggbb" */
    const char *label;  /* legend text */
} bimt__curve;

/** A line chart of up to 8 curves: log10 y axis if ylog (values <= 0 drawn at the bottom),
 *  a dashed horizontal reference line at ref_y if finite (with ref_label), a dotted vertical
 *  marker at mark_x if finite (with mark_label). */
int bimt__plot_curves(const bimt__curve *c, size_t n_curves, const char *title,
                      const char *subtitle, const char *xlabel, const char *ylabel, int ylog,
                      double ref_y, const char *ref_label, double mark_x, const char *mark_label,
                      const char *path, char *errbuf);
int bimt__plot_null(double observed, const double *null_samples, size_t n, double p_value,
                    const char *title, const char *xlabel, const char *path, char *errbuf);

/** Two grids side by side: the neurons coloured by graph module (left) and by functional
 *  cluster (right); -1 in either is grey. */
int bimt__plot_modules_grid(const bimt_model_t *model, const int32_t *modules,
                            const int32_t *labels, const char *subtitle, const char *path,
                            char *errbuf);
/** Heat map of the drop in performance, base[r] - perf[c][r], for n_clusters rows (clusters)
 *  and BIMT_N_RULES columns (tasks). */
int bimt__plot_lesions(const double *base, const double *perf, size_t n_clusters, const char *path,
                       char *errbuf);

/** Display name of rule r of n_rules into out (size >= 32): bimt_rule_name() for the
 *  20-rule battery, "rule r" otherwise. */
const char *bimt__plot_rule_name(size_t r, size_t n_rules, char *out, size_t out_len);

/** Checks labels[n] are >= -1; returns the number of clusters (max label + 1) or -1 if a
 *  label is below -1. */
long bimt__plot_check_labels(const int32_t *labels, size_t n);
/* Index of the first label bimt__plot_check_labels() refuses (0 if none), for messages. */
long bimt__plot_bad_label(const int32_t *labels, size_t n);

#endif /* BIMT_PLOT_INTERNAL_H */
