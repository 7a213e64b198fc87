/* Functional clusters: important neurons, normalised task variance, clustering by k-means
 * (kmeans.c) with k chosen by the mean silhouette, relabelling by preferred rule.
 * Definitions in docs/analysis.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "bimt/analysis.h"
#include "common/common.h"
#include "common/rng.h"

/* Above this many important neurons the pairwise distance matrix (n^2 doubles) is not
 * cached and silhouettes recompute distances on the fly. */
#define CLUSTER_DMAT_MAX 2048u

void bimt_cluster_params_init(bimt_cluster_params *p)
{
    if (!bimt__struct_init(p, sizeof *p)) return;
    p->importance_threshold = 1e-3;
    p->k_min = 2;
    p->k_max = 29;
    p->n_restarts = 20;
    p->max_iter = 300;
    p->tol = 1e-4;
    p->normalize_by_sum = 0;
    p->seed = 0;
}

int bimt__check_tv(const float *tv, size_t n_rules, size_t n_hidden, double threshold)
{
    if (!tv) return bimt__err(BIMT_E_INVALID_ARG, "task variance: tv is NULL");
    if (n_rules == 0 || n_hidden == 0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "task variance: n_rules (%zu) and n_hidden (%zu) "
                         "must be > 0",
                         n_rules, n_hidden);
    if (n_rules > BIMT_MAX_TV_ROWS || n_hidden > BIMT_MAX_HIDDEN)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "task variance: n_rules (%zu) must be at most %u and n_hidden (%zu) at "
                         "most %u",
                         n_rules, (unsigned)BIMT_MAX_TV_ROWS, n_hidden, (unsigned)BIMT_MAX_HIDDEN);
    if (!bimt__finite(threshold) || threshold < 0.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "task variance: threshold must be finite and >= 0 "
                         "(got %g)",
                         threshold);
    if (n_hidden > SIZE_MAX / n_rules)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "task variance: n_rules * n_hidden overflows "
                         "(%zu x %zu)",
                         n_rules, n_hidden);
    for (size_t i = 0; i < n_rules * n_hidden; i++) {
        float v = tv[i];
        if (!bimt__finite((double)v) || v < 0.0f)
            return bimt__err(BIMT_E_INVALID_ARG,
                             "task variance: tv[%zu] is %g, must be finite "
                             "and >= 0",
                             i, (double)v);
    }
    return BIMT_OK;
}

/* Summed variance of neuron k over the rules, in double. */
static double tv_sum(const float *tv, size_t n_rules, size_t n_hidden, size_t k)
{
    double s = 0.0;
    for (size_t r = 0; r < n_rules; r++)
        s += (double)tv[r * n_hidden + k];
    return s;
}

/* Normalising scale of neuron k: its max over rules, or its sum. */
static double tv_scale(const float *tv, size_t n_rules, size_t n_hidden, size_t k, uint32_t by_sum)
{
    if (by_sum) return tv_sum(tv, n_rules, n_hidden, k);
    double m = 0.0;
    for (size_t r = 0; r < n_rules; r++) {
        double v = (double)tv[r * n_hidden + k];
        if (v > m) m = v;
    }
    return m;
}

int bimt_important_neurons(const float *tv, uint32_t n_rules, uint32_t n_hidden, double threshold,
                           uint8_t *important, uint32_t *n_important)
{
    if (!important)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_important_neurons: important is NULL");
    int rc = bimt__check_tv(tv, n_rules, n_hidden, threshold);
    if (rc) return rc;
    uint32_t count = 0;
    for (size_t k = 0; k < n_hidden; k++) {
        int imp = tv_sum(tv, n_rules, n_hidden, k) > threshold;
        important[k] = (uint8_t)imp;
        count += (uint32_t)imp;
    }
    if (n_important) *n_important = count;
    return BIMT_OK;
}

int bimt_normalize_task_variance(const float *tv, uint32_t n_rules, uint32_t n_hidden,
                                 double threshold, uint32_t by_sum, float *ntv)
{
    if (!ntv) return bimt__err(BIMT_E_INVALID_ARG, "bimt_normalize_task_variance: ntv is NULL");
    if (by_sum > 1)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_normalize_task_variance: by_sum must be 0 or 1 (got %u)",
                         (unsigned)by_sum);
    int rc = bimt__check_tv(tv, n_rules, n_hidden, threshold);
    if (rc) return rc;
    /* Column by column, reading the whole column before writing it (ntv may alias tv). */
    for (size_t k = 0; k < n_hidden; k++) {
        int imp = tv_sum(tv, n_rules, n_hidden, k) > threshold;
        double scale = imp ? tv_scale(tv, n_rules, n_hidden, k, by_sum) : 0.0;
        /* threshold >= 0 and an important neuron has sum > threshold, so scale > 0. */
        for (size_t r = 0; r < n_rules; r++) {
            size_t i = r * n_hidden + k;
            ntv[i] = imp ? (float)((double)tv[i] / scale) : 0.0f;
        }
    }
    return BIMT_OK;
}

/* ------------------------------------------------------------------------- public */

static int check_params(const bimt_cluster_params *p)
{
    if (!bimt__finite(p->importance_threshold) || p->importance_threshold < 0.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_cluster_params.importance_threshold must be "
                         "finite and >= 0 (got %g)",
                         p->importance_threshold);
    if (p->k_min < 2 || p->k_max < p->k_min || p->k_max > BIMT_MAX_HIDDEN)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_cluster_params: need 2 <= k_min <= k_max <= %u "
                         "(got k_min %u, k_max %u)",
                         (unsigned)BIMT_MAX_HIDDEN, (unsigned)p->k_min, (unsigned)p->k_max);
    if (p->n_restarts == 0 || p->n_restarts > BIMT_MAX_RESTARTS)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_cluster_params.n_restarts must be in 1..%u (got %u)",
                         (unsigned)BIMT_MAX_RESTARTS, (unsigned)p->n_restarts);
    if (p->max_iter == 0 || p->max_iter > BIMT_MAX_ITER)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_cluster_params.max_iter must be in 1..%u (got %u)",
                         (unsigned)BIMT_MAX_ITER, (unsigned)p->max_iter);
    if (!bimt__finite(p->tol) || p->tol < 0.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_cluster_params.tol must be finite and >= 0 "
                         "(got %g)",
                         p->tol);
    if (p->normalize_by_sum > 1)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_cluster_params.normalize_by_sum must be 0 or "
                         "1 (got %u)",
                         (unsigned)p->normalize_by_sum);
    return BIMT_OK;
}

int bimt__cluster_params_check(const bimt_cluster_params *p)
{
    return check_params(p);
}

/* Renumbers clusters by preferred rule (argmax of the column sums of the members' rows,
 * lowest rule on ties), ties between clusters by their old label. */
int bimt__relabel_clusters(const double *X, size_t n, size_t d, size_t k, int32_t *lab)
{
    double *colsum = bimt__calloc(k * d, sizeof(double));
    size_t *pref = bimt__malloc(k, sizeof(size_t));
    size_t *order = bimt__malloc(k, sizeof(size_t));
    int32_t *newlab = bimt__malloc(k, sizeof(int32_t));
    if (bimt__alloc_failed((void *[]){colsum, pref, order, newlab}, 4))
        return bimt__err(BIMT_E_NOMEM, "clustering: out of memory for %zu clusters", k);
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < d; f++)
            colsum[(size_t)lab[i] * d + f] += X[i * d + f];
    for (size_t c = 0; c < k; c++) {
        size_t best = 0;
        for (size_t f = 1; f < d; f++)
            if (colsum[c * d + f] > colsum[c * d + best]) best = f;
        pref[c] = best;
        order[c] = c;
    }
    /* Insertion sort by (preferred rule, old label); k is small. */
    for (size_t a = 1; a < k; a++) {
        size_t v = order[a], b = a;
        while (b > 0 && (pref[order[b - 1]] > pref[v] ||
                         (pref[order[b - 1]] == pref[v] && order[b - 1] > v))) {
            order[b] = order[b - 1];
            b--;
        }
        order[b] = v;
    }
    for (size_t r = 0; r < k; r++)
        newlab[order[r]] = (int32_t)r;
    for (size_t i = 0; i < n; i++)
        lab[i] = newlab[lab[i]];
    free(colsum);
    free(pref);
    free(order);
    free(newlab);
    return BIMT_OK;
}

int bimt_cluster_task_variance(const float *tv, uint32_t n_rules, uint32_t n_hidden,
                               const bimt_cluster_params *params, int32_t *labels,
                               uint32_t *n_clusters, double *silhouette)
{
    bimt_cluster_params def;
    bimt_cluster_params_init(&def);
    int prc = bimt__params_in(&def, sizeof def, params, "bimt_cluster_params");
    if (prc) return prc;
    const bimt_cluster_params *p = &def;
    if (!labels) return bimt__err(BIMT_E_INVALID_ARG, "bimt_cluster_task_variance: labels is NULL");
    int rc = check_params(p);
    if (rc) return rc;
    rc = bimt__check_tv(tv, n_rules, n_hidden, p->importance_threshold);
    if (rc) return rc;

    const size_t d = n_rules;
    size_t *idx = bimt__malloc(n_hidden, sizeof(size_t));
    double *X = bimt__malloc(n_hidden * d, sizeof(double));
    int32_t *lab = bimt__malloc(n_hidden, sizeof(int32_t));
    int32_t *best_lab = bimt__malloc(n_hidden, sizeof(int32_t));
    double *D = NULL;
    if (!idx || !X || !lab || !best_lab) {
        rc = bimt__err(BIMT_E_NOMEM, "bimt_cluster_task_variance: out of memory (%u neurons)",
                       n_hidden);
        goto done;
    }
    /* Important neurons and their normalised rows, in double. */
    size_t n = 0;
    for (size_t k = 0; k < n_hidden; k++) {
        if (!(tv_sum(tv, n_rules, n_hidden, k) > p->importance_threshold)) continue;
        double scale = tv_scale(tv, n_rules, n_hidden, k, p->normalize_by_sum);
        for (size_t r = 0; r < d; r++)
            X[n * d + r] = (double)tv[r * n_hidden + k] / scale;
        idx[n++] = k;
    }

    size_t best_k = 0;
    double best_s = 0.0;
    if (n >= 3) {
        size_t k_hi = p->k_max < n - 1 ? p->k_max : n - 1;
        if (n <= CLUSTER_DMAT_MAX) {
            D = bimt__malloc(n * n, sizeof(double));
            if (!D) {
                rc = bimt__err(BIMT_E_NOMEM,
                               "bimt_cluster_task_variance: out of memory for the %zu x %zu "
                               "distance matrix",
                               n, n);
                goto done;
            }
            for (size_t i = 0; i < n; i++) {
                D[i * n + i] = 0.0;
                for (size_t j = i + 1; j < n; j++)
                    D[i * n + j] = D[j * n + i] = bimt__euclid(X + i * d, X + j * d, d);
            }
        }
        for (size_t k = p->k_min; k <= k_hi; k++) {
            /* Each k has its own stream, so its result does not depend on the k range. */
            bimt_rng rng;
            bimt__rng_seed(&rng, p->seed ^ ((uint64_t)k * 0x9E3779B97F4A7C15ull),
                           BIMT_STREAM_KMEANS);
            int kr =
                bimt__kmeans(X, n, d, D, k, p->n_restarts, p->max_iter, p->tol, &rng, lab, NULL);
            if (kr == BIMT__KMEANS_DEGENERATE) continue;
            if (kr) {
                rc = kr;
                goto done;
            }
            double s = bimt__silhouette(X, n, d, D, lab, k);
            if (s != s) {
                rc =
                    bimt__err(BIMT_E_NOMEM,
                              "bimt_cluster_task_variance: out of memory (silhouette, k = %zu)", k);
                goto done;
            }
            if (best_k == 0 || s > best_s) {
                best_k = k;
                best_s = s;
                memcpy(best_lab, lab, n * sizeof(int32_t));
            }
        }
        if (best_k > 0) {
            rc = bimt__relabel_clusters(X, n, d, best_k, best_lab);
            if (rc) goto done;
        }
    }
    if (best_k == 0) { /* fewer than 3 important neurons, or no k in range achievable */
        for (size_t i = 0; i < n; i++)
            best_lab[i] = 0;
        best_k = n > 0 ? 1 : 0;
        best_s = 0.0;
    }
    for (size_t k = 0; k < n_hidden; k++)
        labels[k] = -1;
    for (size_t i = 0; i < n; i++)
        labels[idx[i]] = best_lab[i];
    if (n_clusters) *n_clusters = (uint32_t)best_k;
    if (silhouette) *silhouette = best_s;
done:
    free(idx);
    free(X);
    free(lab);
    free(best_lab);
    free(D);
    return rc;
}
