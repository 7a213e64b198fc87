/* Private helpers of the analysis (cluster.c, anatomy.c, wiring.c, variance.c), exposed to
 * the white-box tests through bimt_internal; k-means itself is in kmeans.h. Not installed. */
#ifndef BIMT_ANALYSIS_INTERNAL_H
#define BIMT_ANALYSIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/kmeans.h"
#include "bimt/analysis.h"

/**
 * Renumbers the clusters of labels [n] (values 0..k-1) of the rows X [n][d]: each cluster's
 * preferred feature is the argmax of the column sums of its rows (lowest feature on ties);
 * clusters are numbered in increasing preferred feature, ties by their old label.
 * Returns 0 or BIMT_E_NOMEM (labels unchanged).
 */
int bimt__relabel_clusters(const double *X, size_t n, size_t d, size_t k, int32_t *labels);

/**
 * Validates a task-variance matrix tv [n_rules][n_hidden] (non-NULL, sizes > 0, every entry
 * finite and >= 0) and a threshold (finite, >= 0). Returns 0 or BIMT_E_INVALID_ARG.
 */
int bimt__check_tv(const float *tv, size_t n_rules, size_t n_hidden, double threshold);
/* The checks bimt_cluster_task_variance() makes of its parameters (BIMT_OK or the error, with
 * the message set), for callers that validate before any work (bimt_report_write()). */
int bimt__cluster_params_check(const bimt_cluster_params *p);

#endif /* BIMT_ANALYSIS_INTERNAL_H */
