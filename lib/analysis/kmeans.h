/* k-means and the silhouette for points in R^d (private; kmeans.c), used by the functional
 * clustering of cluster.c and exposed to the white-box tests. Not installed. */
#ifndef BIMT_KMEANS_H
#define BIMT_KMEANS_H

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
                 uint32_t n_restarts, uint32_t max_iter, double tol, bimt_rng *rng, int32_t *labels,
                 double *inertia);

/**
 * Mean silhouette coefficient of the partition labels [n] (values 0..k-1) of the points X
 * [n][d], with Euclidean distances taken from D [n][n] when D is not NULL. For point i,
 * a = mean distance to the other members of its cluster, b = the smallest mean distance to
 * the members of another (non-empty) cluster, s = (b - a) / max(a, b); s = 0 for members of
 * singleton clusters and when max(a, b) = 0. Returns the mean of s over the n points
 * (0 if fewer than 2 non-empty clusters), or NaN if the k-sized scratch cannot be allocated.
 */
double bimt__silhouette(const double *X, size_t n, size_t d, const double *D, const int32_t *labels,
                        size_t k);

/** Euclidean distance between two d-vectors. */
double bimt__euclid(const double *a, const double *b, size_t d);

#endif /* BIMT_KMEANS_H */
