/* Important neurons, normalisation, k-means, silhouette, choice of k and relabelling. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "bimt/bimt.h"
#include "common/rng.h"
#include "testutil.h"

#define R BIMT_N_RULES

/* Brute-force silhouette straight from the definition (independent of the library). */
static double brute_silhouette(const double *X, size_t n, size_t d, const int32_t *lab)
{
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a_sum = 0.0;
        size_t a_n = 0;
        double b = (double)INFINITY;
        for (int32_t c = 0; c < 64; c++) {
            double s = 0.0;
            size_t cn = 0;
            for (size_t j = 0; j < n; j++) {
                if (lab[j] != c || j == i) continue;
                double dd = 0.0;
                for (size_t f = 0; f < d; f++)
                    dd += (X[i * d + f] - X[j * d + f]) * (X[i * d + f] - X[j * d + f]);
                s += sqrt(dd);
                cn++;
            }
            if (c == lab[i]) {
                a_sum = s;
                a_n = cn;
            } else if (cn > 0 && s / (double)cn < b) {
                b = s / (double)cn;
            }
        }
        if (a_n == 0) continue;
        double a = a_sum / (double)a_n;
        double mx = fmax(a, b);
        if (mx > 0) total += (b - a) / mx;
    }
    return total / (double)n;
}

START_TEST(important_threshold_is_strict)
{
    /* 3 rules x 4 neurons; sums (in double) exactly 1.0, 1.0, 0.5, 2.0. */
    float tv[3 * 4] = {0.25f,  0.5f, 0.125f, 1.0f,  0.25f, 0.25f,
                       0.125f, 0.5f, 0.5f,   0.25f, 0.25f, 0.5f};
    uint8_t imp[4];
    uint32_t n = 99;
    ck_assert_int_eq(bimt_important_neurons(tv, 3, 4, 1.0, imp, &n), BIMT_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(imp[0], 0);
    ck_assert_uint_eq(imp[1], 0);
    ck_assert_uint_eq(imp[2], 0);
    ck_assert_uint_eq(imp[3], 1);
    ck_assert_int_eq(bimt_important_neurons(tv, 3, 4, nextafter(1.0, 0.0), imp, &n), BIMT_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(imp[2], 0);
    ck_assert_int_eq(bimt_important_neurons(tv, 3, 4, 0.0, imp, NULL), BIMT_OK);
    ck_assert_uint_eq(imp[2], 1);
}
END_TEST

START_TEST(important_bad_input)
{
    float tv[4] = {1, 1, 1, 1};
    uint8_t imp[2] = {7, 7};
    ck_assert_int_eq(bimt_important_neurons(NULL, 2, 2, 0.1, imp, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_important_neurons(tv, 2, 2, 0.1, NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_important_neurons(tv, 0, 2, 0.1, imp, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_important_neurons(tv, 2, 0, 0.1, imp, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_important_neurons(tv, 2, 2, (double)NAN, imp, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_important_neurons(tv, 2, 2, -1.0, imp, NULL), BIMT_E_INVALID_ARG);
    tv[3] = NAN;
    ck_assert_int_eq(bimt_important_neurons(tv, 2, 2, 0.1, imp, NULL), BIMT_E_INVALID_ARG);
    tv[3] = -1.0f;
    ck_assert_int_eq(bimt_important_neurons(tv, 2, 2, 0.1, imp, NULL), BIMT_E_INVALID_ARG);
    ck_assert_uint_eq(imp[0], 7);
    ck_assert_uint_eq(imp[1], 7);
}
END_TEST

static void random_tv(float *tv, size_t n_rules, size_t n, uint64_t seed)
{
    bimt_rng r;
    bimt__rng_seed(&r, seed, 99);
    for (size_t i = 0; i < n_rules * n; i++) {
        double u = bimt__rng_uniform(&r);
        tv[i] = (float)(u * u * u * 0.01); /* skewed, some neurons below threshold */
    }
}

START_TEST(normalize_max_and_sum)
{
    enum { N = 64 };
    float tv[R * N], ntv[R * N], inplace[R * N];
    random_tv(tv, R, N, 3);
    for (size_t k = 0; k < 8; k++) /* a few clearly unimportant neurons */
        for (size_t r = 0; r < R; r++)
            tv[r * N + k] = 1e-6f;
    uint8_t imp[N];
    uint32_t n_imp;
    ck_assert_int_eq(bimt_important_neurons(tv, R, N, 1e-3, imp, &n_imp), BIMT_OK);
    ck_assert_uint_lt(n_imp, N);
    ck_assert_uint_gt(n_imp, 0);

    ck_assert_int_eq(bimt_normalize_task_variance(tv, R, N, 1e-3, 0, ntv), BIMT_OK);
    for (size_t k = 0; k < N; k++) {
        float mx = 0.0f;
        size_t arg = 0;
        for (size_t r = 0; r < R; r++) {
            if (!imp[k]) ck_assert(ntv[r * N + k] == 0.0f);
            ck_assert(ntv[r * N + k] <= 1.0f && ntv[r * N + k] >= 0.0f);
            if (tv[r * N + k] > tv[arg * N + k]) arg = r;
            if (ntv[r * N + k] > mx) mx = ntv[r * N + k];
        }
        if (imp[k]) {
            ck_assert(mx == 1.0f);               /* exactly 1 */
            ck_assert(ntv[arg * N + k] == 1.0f); /* at the largest variance */
            for (size_t r = 0; r < R; r++)       /* proportional to the raw variances */
                ck_assert(fabs((double)ntv[r * N + k] -
                               (double)tv[r * N + k] / (double)tv[arg * N + k]) < 1e-6);
        }
    }
    ck_assert_int_eq(bimt_normalize_task_variance(tv, R, N, 1e-3, 1, ntv), BIMT_OK);
    for (size_t k = 0; k < N; k++) {
        if (!imp[k]) continue;
        double s = 0.0;
        for (size_t r = 0; r < R; r++)
            s += (double)ntv[r * N + k];
        ck_assert(fabs(s - 1.0) < 1e-6);
    }
    /* In place gives the same result. */
    memcpy(inplace, tv, sizeof tv);
    ck_assert_int_eq(bimt_normalize_task_variance(inplace, R, N, 1e-3, 1, inplace), BIMT_OK);
    ck_assert_int_eq(memcmp(inplace, ntv, sizeof ntv), 0);
    ck_assert_int_eq(bimt_normalize_task_variance(tv, R, N, 1e-3, 0, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_normalize_task_variance(tv, R, N, (double)NAN, 0, ntv),
                     BIMT_E_INVALID_ARG);
}
END_TEST

START_TEST(silhouette_four_points)
{
    /* Points 0, 1, 10, 11 on a line; two partitions computed by hand. */
    const double X[4] = {0, 1, 10, 11};
    double D[16];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            D[i * 4 + j] = fabs(X[i] - X[j]);
    const int32_t two[4] = {0, 0, 1, 1};
    double expect = (9.5 / 10.5 + 8.5 / 9.5) / 2.0;
    ck_assert(fabs(bimt__silhouette(X, 4, 1, D, two, 2) - expect) < 1e-14);
    ck_assert(fabs(bimt__silhouette(X, 4, 1, NULL, two, 2) - expect) < 1e-14);
    const int32_t three[4] = {0, 0, 0, 1}; /* point 11 alone: s = 0 */
    expect = (0.5 + 0.5 - 8.5 / 9.5 + 0.0) / 4.0;
    ck_assert(fabs(bimt__silhouette(X, 4, 1, D, three, 2) - expect) < 1e-14);
    const int32_t one[4] = {1, 1, 1, 1}; /* a single non-empty cluster */
    ck_assert(bimt__silhouette(X, 4, 1, D, one, 3) == 0.0);
}
END_TEST

/* n neurons in g groups; group q has variance v in rules pref[q]..pref[q]+2 and small
 * deterministic jitter elsewhere. */
static void blob_tv(float *tv, size_t n, size_t g, const size_t *pref, uint64_t seed)
{
    bimt_rng r;
    bimt__rng_seed(&r, seed, 77);
    for (size_t k = 0; k < n; k++) {
        size_t q = k % g;
        for (size_t rr = 0; rr < R; rr++) {
            double v = 0.002 * bimt__rng_uniform(&r);
            if (rr >= pref[q] && rr < pref[q] + 3) v = 0.1 * (1.0 + 0.05 * bimt__rng_uniform(&r));
            if (rr == pref[q]) v = 0.2;
            tv[rr * n + k] = (float)v;
        }
    }
}

START_TEST(blobs_found_and_relabelled)
{
    enum { N = 60, G = 3 };
    const size_t pref[G] = {15, 3, 8}; /* group of neuron k is k % 3 */
    float tv[R * N];
    blob_tv(tv, N, G, pref, 1);
    for (size_t r = 0; r < R; r++)
        tv[r * N + 7] = 0.0f; /* neuron 7 unimportant */
    bimt_cluster_params p;
    bimt_cluster_params_init(&p);
    int32_t lab[N];
    uint32_t nc = 0;
    double sil = -2;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, &nc, &sil), BIMT_OK);
    ck_assert_uint_eq(nc, 3);
    ck_assert(sil > 0.8 && sil <= 1.0);
    /* Cluster ids in increasing preferred rule: rule 3 -> 0, rule 8 -> 1, rule 15 -> 2. */
    const int32_t want[G] = {2, 0, 1};
    for (size_t k = 0; k < N; k++) {
        if (k == 7) {
            ck_assert_int_eq(lab[k], -1);
            continue;
        }
        ck_assert_int_eq(lab[k], want[k % G]);
    }
    /* The reported silhouette is the silhouette of the returned partition. */
    double X[N * R];
    int32_t cl[N];
    size_t m = 0;
    for (size_t k = 0; k < N; k++) {
        if (lab[k] < 0) continue;
        double mx = 0;
        for (size_t r = 0; r < R; r++)
            mx = fmax(mx, (double)tv[r * N + k]);
        for (size_t r = 0; r < R; r++)
            X[m * R + r] = (double)tv[r * N + k] / mx;
        cl[m++] = lab[k];
    }
    ck_assert(fabs(brute_silhouette(X, m, R, cl) - sil) < 1e-12);

    /* Deterministic; NULL params = defaults. */
    int32_t lab2[N];
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, NULL, lab2, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(memcmp(lab, lab2, sizeof lab), 0);
}
END_TEST

START_TEST(k_chosen_by_silhouette)
{
    /* Two rules, sum-normalised: each neuron is (p, 1-p), i.e. a point on a segment. Groups at
     * p = 0, 0.3, 0.6 (5 neurons each, tiny spread): k = 3 must win; the silhouette must equal
     * the brute-force silhouette and exceed the one of every other k. */
    enum { N = 15 };
    float tv[2 * N];
    for (size_t k = 0; k < N; k++) {
        double pk = 0.3 * (double)(k / 5) + 0.002 * (double)(k % 5);
        tv[k] = (float)pk;
        tv[N + k] = (float)(1.0 - pk);
    }
    bimt_cluster_params p;
    bimt_cluster_params_init(&p);
    p.normalize_by_sum = 1;
    int32_t lab[N];
    uint32_t nc;
    double sil;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, 2, N, &p, lab, &nc, &sil), BIMT_OK);
    ck_assert_uint_eq(nc, 3);
    for (size_t k = 0; k < N; k++)
        ck_assert_int_eq(lab[k], lab[(k / 5) * 5]);
    ck_assert_int_ne(lab[0], lab[5]);
    ck_assert_int_ne(lab[5], lab[10]);
    ck_assert_int_ne(lab[0], lab[10]);
    /* Preferred rule: group p=0 -> rule 1, p=0.3 -> rule 1, p=0.6 -> rule 0; ties by old label. */
    ck_assert_int_eq(lab[10], 0);
    double X[N * 2];
    for (size_t k = 0; k < N; k++) {
        double s = (double)tv[k] + (double)tv[N + k];
        X[k * 2] = (double)tv[k] / s;
        X[k * 2 + 1] = (double)tv[N + k] / s;
    }
    ck_assert(fabs(brute_silhouette(X, N, 2, lab) - sil) < 1e-12);
    /* Every fixed k gives a silhouette no larger. */
    for (uint32_t k = 2; k <= 14; k++) {
        p.k_min = p.k_max = k;
        int32_t lk[N];
        uint32_t nk;
        double sk;
        ck_assert_int_eq(bimt_cluster_task_variance(tv, 2, N, &p, lk, &nk, &sk), BIMT_OK);
        ck_assert_uint_eq(nk, k);
        ck_assert(sk <= sil);
        ck_assert(fabs(brute_silhouette(X, N, 2, lk) - sk) < 1e-12);
        if (k == 3) ck_assert_int_eq(memcmp(lk, lab, sizeof lab), 0); /* per-k streams */
    }
}
END_TEST

START_TEST(kmeans_partition_and_inertia)
{
    /* 4 blobs in 3-D; k = 4 must recover them, and the inertia equals the brute-force WCSS. */
    enum { N = 40, D = 3 };
    double X[N * D];
    bimt_rng r;
    bimt__rng_seed(&r, 5, 11);
    const double c[4][D] = {{0, 0, 0}, {5, 0, 0}, {0, 5, 0}, {0, 0, 5}};
    for (size_t i = 0; i < N; i++)
        for (size_t f = 0; f < D; f++)
            X[i * D + f] = c[i % 4][f] + 0.3 * bimt__rng_normal(&r);
    int32_t lab[N];
    double inertia = -1;
    bimt_rng kr;
    bimt__rng_seed(&kr, 0, 7);
    ck_assert_int_eq(bimt__kmeans(X, N, D, NULL, 4, 10, 300, 1e-4, &kr, lab, &inertia), 0);
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(lab[i], lab[i % 4]);
    for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++)
            ck_assert_int_ne(lab[a], lab[b]);
    double wcss = 0.0;
    for (int q = 0; q < 4; q++) {
        double m[D] = {0, 0, 0};
        for (size_t i = (size_t)q; i < N; i += 4)
            for (size_t f = 0; f < D; f++)
                m[f] += X[i * D + f] / (N / 4);
        for (size_t i = (size_t)q; i < N; i += 4)
            for (size_t f = 0; f < D; f++)
                wcss += (X[i * D + f] - m[f]) * (X[i * D + f] - m[f]);
    }
    ck_assert(fabs(inertia - wcss) < 1e-9 * wcss);
    /* With the pairwise distance matrix given to the seeding: the same partition. */
    double *Dm = malloc(N * N * sizeof(double));
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            Dm[i * N + j] = bimt__euclid(X + i * D, X + j * D, D);
    int32_t lab2[N];
    double inertia2 = -1;
    ck_assert_int_eq(bimt__kmeans(X, N, D, Dm, 4, 10, 300, 1e-4, &kr, lab2, &inertia2), 0);
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(lab2[i], lab2[i % 4]);
    ck_assert(fabs(inertia2 - wcss) < 1e-9 * wcss);
    free(Dm);
    /* Fewer distinct points than k: degenerate. */
    double Y[6] = {1, 1, 1, 2, 2, 2};
    int32_t ly[6];
    ck_assert_int_eq(bimt__kmeans(Y, 6, 1, NULL, 3, 2, 50, 1e-4, &kr, ly, NULL),
                     BIMT__KMEANS_DEGENERATE);
    ck_assert_int_eq(bimt__kmeans(Y, 6, 1, NULL, 2, 2, 50, 1e-4, &kr, ly, NULL), 0);
    ck_assert_int_eq(ly[0], ly[2]);
    ck_assert_int_ne(ly[0], ly[3]);
}
END_TEST

START_TEST(duplicates_limit_k)
{
    /* Only two distinct normalised rows among 10 important neurons: only k = 2 is achievable. */
    enum { N = 10 };
    float tv[R * N];
    memset(tv, 0, sizeof tv);
    for (size_t k = 0; k < N; k++)
        tv[(k < 4 ? 2u : 9u) * N + k] = 0.5f;
    int32_t lab[N];
    uint32_t nc;
    double sil;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, NULL, lab, &nc, &sil), BIMT_OK);
    ck_assert_uint_eq(nc, 2);
    ck_assert(fabs(sil - 1.0) < 1e-12); /* identical points inside, distinct across */
    for (size_t k = 0; k < N; k++)
        ck_assert_int_eq(lab[k], k < 4 ? 0 : 1);
    /* All identical: no k achievable -> one cluster, silhouette 0. */
    for (size_t k = 0; k < N; k++) {
        tv[2 * N + k] = 0.0f;
        tv[9 * N + k] = 0.5f;
    }
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, NULL, lab, &nc, &sil), BIMT_OK);
    ck_assert_uint_eq(nc, 1);
    ck_assert(sil == 0.0);
    for (size_t k = 0; k < N; k++)
        ck_assert_int_eq(lab[k], 0);
}
END_TEST

START_TEST(relabel_order)
{
    /* 3 features; old clusters 0 and 2 both prefer feature 1, cluster 1 prefers feature 0.
     * Cluster 3's column sums tie between features 0 and 2 -> feature 0 (lowest). */
    const double X[6 * 3] = {0.1, 1.0, 0.2,  /* old 0 */
                             1.0, 0.3, 0.0,  /* old 1 */
                             0.0, 1.0, 0.9,  /* old 2 */
                             0.5, 0.9, 0.6,  /* old 0: sums (0.6, 1.9, 0.8) -> 1 */
                             0.5, 0.1, 0.4,  /* old 3 */
                             0.5, 0.3, 0.6}; /* old 3: sums (1.0, 0.4, 1.0) -> 0 */
    int32_t lab[6] = {0, 1, 2, 0, 3, 3};
    ck_assert_int_eq(bimt__relabel_clusters(X, 6, 3, 4, lab), 0);
    /* Preferred: old0 -> 1, old1 -> 0, old2 -> 1, old3 -> 0. Order: old1, old3, old0, old2. */
    const int32_t want[6] = {2, 0, 3, 2, 1, 1};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(lab[i], want[i]);
}
END_TEST

START_TEST(silhouette_tie_keeps_smaller_k)
{
    /* Normalised rows e0, e0, e1, e2 (one-hot): k = 2 ({e0,e0},{e1,e2}) and k = 3
     * ({e0,e0},{e1},{e2}) both have silhouette exactly (1 + 1 + 0 + 0) / 4 = 0.5. */
    enum { N = 4 };
    float tv[R * N];
    memset(tv, 0, sizeof tv);
    tv[0 * N + 0] = 0.5f;
    tv[0 * N + 1] = 0.25f;
    tv[1 * N + 2] = 0.5f;
    tv[2 * N + 3] = 0.5f;
    int32_t lab[N];
    uint32_t nc;
    double sil;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, NULL, lab, &nc, &sil), BIMT_OK);
    ck_assert_uint_eq(nc, 2);
    ck_assert(sil == 0.5);
    ck_assert_int_eq(lab[0], 0);
    ck_assert_int_eq(lab[1], 0);
    ck_assert_int_eq(lab[2], 1);
    ck_assert_int_eq(lab[3], 1);
}
END_TEST

START_TEST(fewer_than_three_important)
{
    enum { N = 6 };
    float tv[R * N];
    memset(tv, 0, sizeof tv);
    int32_t lab[N];
    uint32_t nc = 9;
    double sil = 9;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, NULL, lab, &nc, &sil), BIMT_OK);
    ck_assert_uint_eq(nc, 0);
    ck_assert(sil == 0.0);
    for (size_t k = 0; k < N; k++)
        ck_assert_int_eq(lab[k], -1);
    tv[0 * N + 1] = 0.5f;
    tv[5 * N + 4] = 0.5f;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, NULL, lab, &nc, &sil), BIMT_OK);
    ck_assert_uint_eq(nc, 1);
    ck_assert(sil == 0.0);
    for (size_t k = 0; k < N; k++)
        ck_assert_int_eq(lab[k], (k == 1 || k == 4) ? 0 : -1);
    /* Three important: k range is exactly {2}. */
    tv[9 * N + 2] = 0.5f;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, NULL, lab, &nc, &sil), BIMT_OK);
    ck_assert_uint_eq(nc, 2);
}
END_TEST

START_TEST(cluster_bad_input)
{
    enum { N = 8 };
    float tv[R * N];
    random_tv(tv, R, N, 9);
    int32_t lab[N];
    for (size_t k = 0; k < N; k++)
        lab[k] = 77;
    bimt_cluster_params p;
    bimt_cluster_params_init(&p);
    ck_assert_int_eq(bimt_cluster_task_variance(NULL, R, N, &p, lab, NULL, NULL),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, NULL, NULL, NULL),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_cluster_task_variance(tv, 0, N, &p, lab, NULL, NULL), BIMT_E_INVALID_ARG);
    p.k_min = 1;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, NULL, NULL), BIMT_E_INVALID_ARG);
    bimt_cluster_params_init(&p);
    p.k_max = 1;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, NULL, NULL), BIMT_E_INVALID_ARG);
    bimt_cluster_params_init(&p);
    p.n_restarts = 0;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, NULL, NULL), BIMT_E_INVALID_ARG);
    bimt_cluster_params_init(&p);
    p.max_iter = 0;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, NULL, NULL), BIMT_E_INVALID_ARG);
    bimt_cluster_params_init(&p);
    p.tol = (double)NAN;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, NULL, NULL), BIMT_E_INVALID_ARG);
    bimt_cluster_params_init(&p);
    p.importance_threshold = -1;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, NULL, NULL), BIMT_E_INVALID_ARG);
    bimt_cluster_params_init(&p);
    p.normalize_by_sum = 2;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, NULL, NULL), BIMT_E_INVALID_ARG);
    bimt_cluster_params_init(&p);
    p.struct_size = 3;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, NULL, NULL), BIMT_E_VERSION);
    bimt_cluster_params_init(&p);
    tv[5] = NAN;
    ck_assert_int_eq(bimt_cluster_task_variance(tv, R, N, &p, lab, NULL, NULL), BIMT_E_INVALID_ARG);
    for (size_t k = 0; k < N; k++)
        ck_assert_int_eq(lab[k], 77);
    bimt_cluster_params_init(NULL); /* ignored */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cluster");
    TCase *tc = tcase_create("cluster");
    tcase_add_test(tc, important_threshold_is_strict);
    tcase_add_test(tc, important_bad_input);
    tcase_add_test(tc, normalize_max_and_sum);
    tcase_add_test(tc, silhouette_four_points);
    tcase_add_test(tc, blobs_found_and_relabelled);
    tcase_add_test(tc, k_chosen_by_silhouette);
    tcase_add_test(tc, kmeans_partition_and_inertia);
    tcase_add_test(tc, duplicates_limit_k);
    tcase_add_test(tc, relabel_order);
    tcase_add_test(tc, silhouette_tie_keeps_smaller_k);
    tcase_add_test(tc, fewer_than_three_important);
    tcase_add_test(tc, cluster_bad_input);
    suite_add_tcase(s, tc);
    return bimt_test_run(s);
}
