/* Private helpers of the analysis (cluster.c, anatomy.c, wiring.c, variance.c), exposed to
 * the white-box tests through bimt_internal. Not installed. */
#ifndef BIMT_ANALYSIS_INTERNAL_H
#define BIMT_ANALYSIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/rng.h"

/** Return value of bimt__kmeans() when the data have fewer than k distinct points. */
#define BIMT__KMEANS_DEGENERATE 1

/**
 * k-means of the n points X [n][d] (double, row-major) into k clusters (D: optional [n][n]
 * Euclidean distances between the points, used by the seeding): greedy k-means++
 * seeding (2 + floor(ln k) candidates per centre), then Lloyd iterations until no label
 * changes, or the summed squared centre shift is <= tol * (mean over features of the data's
 * population variance), or max_iter iterations. An emptied cluster takes the point farthest
 * from its own centre (among clusters with >= 2 members). n_restarts runs; the run with the
 * lowest inertia (within-cluster sum of squares about the cluster means) wins, the first on
 * ties. labels [n] receive 0..k-1, every cluster non-empty.
 * Returns 0, BIMT__KMEANS_DEGENERATE (fewer than k distinct points; labels undefined) or
 * BIMT_E_NOMEM. Requires 1 <= k <= n, n_restarts >= 1, max_iter >= 1.
 */
int bimt__kmeans(const double *X, size_t n, size_t d, const double *D, size_t k,
                 uint32_t n_restarts, uint32_t max_iter, double tol, bimt_rng *rng,
                 int32_t *labels, double *inertia);

/**
 * Mean silhouette coefficient of the partition labels [n] (values 0..k-1) of the points X
 * [n][d], with Euclidean distances taken from D [n][n] when D is not NULL. For point i,
 * a = mean distance to the other members of its cluster, b = the smallest mean distance to
 * the members of another (non-empty) cluster, s = (b - a) / max(a, b); s = 0 for members of
 * singleton clusters and when max(a, b) = 0. Returns the mean of s over the n points
 * (0 if fewer than 2 non-empty clusters), or NaN if the k-sized scratch cannot be allocated.
 */
double bimt__silhouette(const double *X, size_t n, size_t d, const double *D,
                        const int32_t *labels, size_t k);

/**
 * Renumbers the clusters of labels [n] (values 0..k-1) of the rows X [n][d]: each cluster's
 * preferred feature is the argmax of the column sums of its rows (lowest feature on ties);
 * clusters are numbered in increasing preferred feature, ties by their old label.
 * Returns 0 or BIMT_E_NOMEM (labels unchanged).
 */
int bimt__relabel_clusters(const double *X, size_t n, size_t d, size_t k, int32_t *labels);

/** Euclidean distance between two d-vectors. */
double bimt__euclid(const double *a, const double *b, size_t d);

/**
 * Validates a task-variance matrix tv [n_rules][n_hidden] (non-NULL, sizes > 0, every entry
 * finite and >= 0) and a threshold (finite, >= 0). Returns 0 or BIMT_E_INVALID_ARG.
 */
int bimt__check_tv(const float *tv, size_t n_rules, size_t n_hidden, double threshold);

#endif /* BIMT_ANALYSIS_INTERNAL_H */
