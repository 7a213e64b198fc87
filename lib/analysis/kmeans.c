/* Generic k-means of points in R^d (k-means++ seeding, restarts, Lloyd iterations) and the
 * mean silhouette of a partition (see kmeans.h). Nothing here knows about neurons or tasks;
 * cluster.c applies it to the normalised task variance. */
#include "analysis/kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

static double sqdist(const double *a, const double *b, size_t d)
{
    double s = 0.0;
    for (size_t f = 0; f < d; f++) {
        double t = a[f] - b[f];
        s += t * t;
    }
    return s;
}

double bimt__euclid(const double *a, const double *b, size_t d)
{
    return sqrt(sqdist(a, b, d));
}

typedef struct km_ws {
    const double *D; /* optional [n][n] pairwise distances of the points */
    double *cc2;     /* [k][k] squared distances between centres */
    double *c;       /* [k][d] centres */
    double *c_new;   /* [k][d] */
    double *mind2;   /* [n] squared distance to the closest chosen centre (seeding) */
    double *cand2;   /* [n] squared distance to a candidate centre (seeding) */
    double *best2;   /* [n] same for the best candidate so far */
    size_t *cnt;     /* [k] */
    int32_t *lab;    /* [n] */
} km_ws;

/* Squared distance between points i and j (from the cached matrix when there is one). */
static double point_d2(const double *X, size_t n, size_t d, const double *D, size_t i, size_t j)
{
    if (D) return D[i * n + j] * D[i * n + j];
    return sqdist(X + i * d, X + j * d, d);
}

/* Index i with cumulative weight crossing u (weights w >= 0, total > 0); never a zero-weight
 * point. */
static size_t weighted_pick(const double *w, size_t n, double u)
{
    double acc = 0.0;
    size_t last = n;
    for (size_t i = 0; i < n; i++) {
        if (w[i] <= 0.0) continue;
        acc += w[i];
        last = i;
        if (acc > u) return i;
    }
    return last; /* rounding: u slightly above the summed weights */
}

/* Greedy k-means++; returns 0 or BIMT__KMEANS_DEGENERATE. */
static int kmeanspp(const double *X, size_t n, size_t d, size_t k, bimt_rng *rng, km_ws *w)
{
    size_t first = (size_t)bimt__rng_below(rng, n);
    memcpy(w->c, X + first * d, d * sizeof(double));
    double pot = 0.0;
    for (size_t i = 0; i < n; i++) {
        w->mind2[i] = point_d2(X, n, d, w->D, i, first);
        pot += w->mind2[i];
    }
    size_t n_local = 2 + (size_t)floor(log((double)k));
    for (size_t c = 1; c < k; c++) {
        if (!(pot > 0.0)) return BIMT__KMEANS_DEGENERATE;
        size_t best = n;
        double best_pot = 0.0;
        for (size_t t = 0; t < n_local; t++) {
            size_t cand = weighted_pick(w->mind2, n, bimt__rng_uniform(rng) * pot);
            double np = 0.0;
            for (size_t i = 0; i < n; i++) {
                double d2 = point_d2(X, n, d, w->D, i, cand);
                w->cand2[i] = d2 < w->mind2[i] ? d2 : w->mind2[i];
                np += w->cand2[i];
            }
            if (best == n || np < best_pot) {
                best = cand;
                best_pot = np;
                double *tmp = w->best2;
                w->best2 = w->cand2;
                w->cand2 = tmp;
            }
        }
        memcpy(w->c + c * d, X + best * d, d * sizeof(double));
        double *tmp = w->mind2;
        w->mind2 = w->best2;
        w->best2 = tmp;
        pot = best_pot;
    }
    return 0;
}

/* Assigns every point to its closest centre (lowest index on ties); returns #changed.
 * Centre j is skipped when |c_j - c_best| > 2 |x - c_best| (then |x - c_j| > |x - c_best| by
 * the triangle inequality; a relative margin keeps rounding from skipping a tie). */
static size_t assign(const double *X, size_t n, size_t d, size_t k, km_ws *w)
{
    for (size_t a = 0; a < k; a++) {
        w->cc2[a * k + a] = 0.0;
        for (size_t b = a + 1; b < k; b++)
            w->cc2[a * k + b] = w->cc2[b * k + a] = sqdist(w->c + a * d, w->c + b * d, d);
    }
    size_t changed = 0;
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * d;
        int32_t bj = w->lab[i] >= 0 ? w->lab[i] : 0;
        double bd = sqdist(x, w->c + (size_t)bj * d, d);
        for (size_t j = 0; j < k; j++) {
            if ((int32_t)j == bj) continue;
            if (w->cc2[(size_t)bj * k + j] > 4.0 * bd * (1.0 + 1e-9)) continue;
            double dj = sqdist(x, w->c + j * d, d);
            if (dj < bd || (dj == bd && (int32_t)j < bj)) {
                bd = dj;
                bj = (int32_t)j;
            }
        }
        if (w->lab[i] != bj) changed++;
        w->lab[i] = bj;
    }
    return changed;
}

/* Counts members; gives each empty cluster the point farthest from its own centre among
 * clusters with >= 2 members. Returns #relocations, or -1 if that is impossible. */
static long fix_empty(const double *X, size_t n, size_t d, size_t k, km_ws *w)
{
    memset(w->cnt, 0, k * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        w->cnt[w->lab[i]]++;
    long moved = 0;
    for (size_t j = 0; j < k; j++) {
        if (w->cnt[j] > 0) continue;
        size_t far = n;
        double fd = 0.0;
        for (size_t i = 0; i < n; i++) {
            size_t li = (size_t)w->lab[i];
            if (w->cnt[li] < 2) continue;
            double di = sqdist(X + i * d, w->c + li * d, d);
            if (di > fd) {
                fd = di;
                far = i;
            }
        }
        if (far == n) return -1;
        w->cnt[w->lab[far]]--;
        w->lab[far] = (int32_t)j;
        w->cnt[j] = 1;
        memcpy(w->c + j * d, X + far * d, d * sizeof(double));
        moved++;
    }
    return moved;
}

/* Cluster means of the current labels into dst [k][d] (every cluster non-empty). */
static void means(const double *X, size_t n, size_t d, size_t k, const km_ws *w, double *dst)
{
    memset(dst, 0, k * d * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double *c = dst + (size_t)w->lab[i] * d;
        for (size_t f = 0; f < d; f++)
            c[f] += X[i * d + f];
    }
    for (size_t j = 0; j < k; j++)
        for (size_t f = 0; f < d; f++)
            dst[j * d + f] /= (double)w->cnt[j];
}

/* One seeded Lloyd run; labels in w->lab; returns 0, DEGENERATE. */
static int lloyd(const double *X, size_t n, size_t d, size_t k, uint32_t max_iter, double tol_abs,
                 bimt_rng *rng, km_ws *w, double *inertia)
{
    int rc = kmeanspp(X, n, d, k, rng, w);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++)
        w->lab[i] = -1;
    for (uint32_t it = 0; it < max_iter; it++) {
        size_t changed = assign(X, n, d, k, w);
        long moved = fix_empty(X, n, d, k, w);
        if (moved < 0) return BIMT__KMEANS_DEGENERATE;
        if (it > 0 && changed == 0 && moved == 0) break;
        means(X, n, d, k, w, w->c_new);
        double shift = 0.0;
        for (size_t j = 0; j < k * d; j++) {
            double t = w->c_new[j] - w->c[j];
            shift += t * t;
        }
        memcpy(w->c, w->c_new, k * d * sizeof(double));
        if (shift <= tol_abs) {
            assign(X, n, d, k, w);
            if (fix_empty(X, n, d, k, w) < 0) return BIMT__KMEANS_DEGENERATE;
            break;
        }
    }
    /* Inertia of the final partition about its own means. */
    means(X, n, d, k, w, w->c_new);
    double in = 0.0;
    for (size_t i = 0; i < n; i++)
        in += sqdist(X + i * d, w->c_new + (size_t)w->lab[i] * d, d);
    *inertia = in;
    return 0;
}

int bimt__kmeans(const double *X, size_t n, size_t d, const double *D, size_t k,
                 uint32_t n_restarts, uint32_t max_iter, double tol, bimt_rng *rng, int32_t *labels,
                 double *inertia)
{
    km_ws w;
    w.D = D;
    w.cc2 = bimt__malloc(k * k, sizeof(double));
    w.c = bimt__malloc(k * d, sizeof(double));
    w.c_new = bimt__malloc(k * d, sizeof(double));
    w.mind2 = bimt__malloc(n, sizeof(double));
    w.cand2 = bimt__malloc(n, sizeof(double));
    w.best2 = bimt__malloc(n, sizeof(double));
    w.cnt = bimt__malloc(k, sizeof(size_t));
    w.lab = bimt__malloc(n, sizeof(int32_t));
    int rc = 0;
    if (!w.cc2 || !w.c || !w.c_new || !w.mind2 || !w.cand2 || !w.best2 || !w.cnt || !w.lab) {
        rc = bimt__err(BIMT_E_NOMEM, "k-means: out of memory (%zu points, k = %zu)", n, k);
        goto done;
    }
    /* Absolute tolerance: tol times the mean per-feature population variance (as sklearn). */
    double var_mean = 0.0;
    for (size_t f = 0; f < d; f++) {
        double m = 0.0, v = 0.0;
        for (size_t i = 0; i < n; i++)
            m += X[i * d + f];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (X[i * d + f] - m) * (X[i * d + f] - m);
        var_mean += v / (double)n;
    }
    double tol_abs = tol * var_mean / (double)d;

    double best = (double)INFINITY;
    int found = 0;
    for (uint32_t run = 0; run < n_restarts; run++) {
        double in = 0.0;
        int r = lloyd(X, n, d, k, max_iter, tol_abs, rng, &w, &in);
        if (r == BIMT__KMEANS_DEGENERATE) {
            rc = r;
            goto done;
        }
        if (!found || in < best) {
            best = in;
            found = 1;
            memcpy(labels, w.lab, n * sizeof(int32_t));
        }
    }
    if (inertia) *inertia = best;
done:
    free(w.cc2);
    free(w.c);
    free(w.c_new);
    free(w.mind2);
    free(w.cand2);
    free(w.best2);
    free(w.cnt);
    free(w.lab);
    return rc;
}

double bimt__silhouette(const double *X, size_t n, size_t d, const double *D, const int32_t *labels,
                        size_t k)
{
    double *sums = bimt__malloc(k, sizeof(double));
    size_t *cnt = bimt__calloc(k, sizeof(size_t));
    if (bimt__alloc_failed((void *[]){sums, cnt}, 2)) return (double)NAN;
    for (size_t i = 0; i < n; i++)
        cnt[labels[i]]++;
    size_t nonempty = 0;
    for (size_t j = 0; j < k; j++)
        nonempty += cnt[j] > 0;
    double total = 0.0;
    if (nonempty >= 2) {
        for (size_t i = 0; i < n; i++) {
            size_t li = (size_t)labels[i];
            if (cnt[li] < 2) continue; /* s = 0 for singletons */
            memset(sums, 0, k * sizeof(double));
            for (size_t j = 0; j < n; j++) {
                if (j == i) continue;
                double dij = D ? D[i * n + j] : bimt__euclid(X + i * d, X + j * d, d);
                sums[labels[j]] += dij;
            }
            double a = sums[li] / (double)(cnt[li] - 1);
            double b = (double)INFINITY;
            for (size_t c = 0; c < k; c++) {
                if (c == li || cnt[c] == 0) continue;
                double m = sums[c] / (double)cnt[c];
                if (m < b) b = m;
            }
            double mx = a > b ? a : b;
            if (mx > 0.0) total += (b - a) / mx;
        }
        total /= (double)n;
    }
    free(sums);
    free(cnt);
    return total;
}
