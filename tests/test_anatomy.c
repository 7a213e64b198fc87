/* Anatomical metrics (isolated fraction, cluster size) and their shuffled nulls. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "common/rng.h"
#include "testutil.h"

static bimt_model_t *make_model(uint32_t side)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = side;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    return m;
}

/* Places neurons by a seeded random permutation, so that neuron index != slot. */
static void scramble(bimt_model_t *m, uint64_t seed)
{
    size_t n = bimt_model_n_hidden(m);
    uint32_t *s = malloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++)
        s[i] = (uint32_t)i;
    bimt_rng r;
    bimt__rng_seed(&r, seed, 123);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)bimt__rng_below(&r, i);
        uint32_t t = s[i - 1];
        s[i - 1] = s[j];
        s[j] = t;
    }
    ck_assert_int_eq(bimt_model_set_slots(m, s, n), BIMT_OK);
    free(s);
}

/* Per-neuron labels from a per-slot map. */
static void labels_from_slots(const bimt_model_t *m, const int32_t *by_slot, int32_t *lab)
{
    const uint32_t *slots = bimt_model_slots(m);
    for (size_t k = 0; k < bimt_model_n_hidden(m); k++)
        lab[k] = by_slot[slots[k]];
}

/* Brute-force metrics from a per-slot label map (independent implementation). */
static void brute(const int32_t *g, int side, double *iso, double *size)
{
    int m = 0, n_iso = 0;
    for (int r = 0; r < side; r++) {
        for (int c = 0; c < side; c++) {
            int l = g[r * side + c];
            if (l < 0) continue;
            m++;
            int nb = 0;
            for (int rr = 0; rr < side; rr++)
                for (int cc = 0; cc < side; cc++)
                    if ((rr != r || cc != c) && abs(rr - r) <= 1 && abs(cc - c) <= 1 &&
                        g[rr * side + cc] == l)
                        nb++;
            n_iso += nb == 0;
        }
    }
    *iso = m ? (double)n_iso / m : 0.0;
    double tot = 0.0;
    int ncl = 0;
    for (int l = 0; l < side * side; l++) {
        double sr = 0, sc = 0;
        int cnt = 0;
        for (int s = 0; s < side * side; s++)
            if (g[s] == l) {
                sr += (double)(s / side) / side;
                sc += (double)(s % side) / side;
                cnt++;
            }
        if (!cnt) continue;
        ncl++;
        double md = 0.0;
        for (int s = 0; s < side * side; s++)
            if (g[s] == l)
                md += hypot((double)(s / side) / side - sr / cnt,
                            (double)(s % side) / side - sc / cnt);
        tot += md / cnt;
    }
    *size = ncl ? tot / ncl : 0.0;
}

START_TEST(two_compact_blocks)
{
    const int side = 8;
    bimt_model_t *m = make_model((uint32_t)side);
    scramble(m, 1);
    int32_t g[64], lab[64];
    for (int s = 0; s < 64; s++)
        g[s] = -1;
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 2; c++) {
            g[r * side + c] = 3;
            g[(r + 5) * side + (c + 5)] = 11;
        }
    labels_from_slots(m, g, lab);
    bimt_anatomy a;
    a.struct_size = (uint32_t)sizeof a; /* an output struct */
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 200, 4, &a, NULL, NULL), BIMT_OK);
    ck_assert(a.isolated_fraction == 0.0);
    /* Every member is (0.5, 0.5) slots from its centroid. */
    ck_assert(fabs(a.cluster_size - sqrt(0.5) / side) < 1e-15);
    ck_assert_uint_eq(a.n_shuffles, 200);
    /* The null can only be as compact or less: observed is the minimum of both metrics. */
    ck_assert(a.isolated_null_mean >= 0.0);
    ck_assert(a.size_null_mean >= a.cluster_size - 1e-15);
    ck_assert(a.size_p >= 1.0 / 201.0 && a.size_p <= 1.0);
    ck_assert(a.isolated_p >= 1.0 / 201.0 && a.isolated_p <= 1.0);
    bimt_model_free(m);
}
END_TEST

START_TEST(four_colour_checkerboard_all_isolated)
{
    const int side = 6;
    bimt_model_t *m = make_model((uint32_t)side);
    scramble(m, 2);
    int32_t g[36], lab[36];
    for (int r = 0; r < side; r++)
        for (int c = 0; c < side; c++)
            g[r * side + c] = 2 * (r % 2) + (c % 2);
    labels_from_slots(m, g, lab);
    bimt_anatomy a;
    a.struct_size = (uint32_t)sizeof a; /* an output struct */
    double iso_null[50], size_null[50];
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 50, 9, &a, iso_null, size_null), BIMT_OK);
    ck_assert(a.isolated_fraction == 1.0);
    double bi, bs;
    brute(g, side, &bi, &bs);
    ck_assert(fabs(a.cluster_size - bs) < 1e-12);
    /* Nothing is more isolated than all isolated: every null <= observed, p = 1. */
    for (int i = 0; i < 50; i++)
        ck_assert(iso_null[i] <= 1.0);
    ck_assert(a.isolated_p == 1.0);
    /* A sparse pattern (no neighbours at all) is all isolated too, whatever the labels. */
    for (int s = 0; s < 36; s++)
        g[s] = ((s / side) % 2 == 0 && (s % side) % 2 == 0) ? 0 : -1;
    labels_from_slots(m, g, lab);
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 10, 9, &a, iso_null, NULL), BIMT_OK);
    ck_assert(a.isolated_fraction == 1.0);
    for (int i = 0; i < 10; i++)
        ck_assert(iso_null[i] == 1.0);
    bimt_model_free(m);
}
END_TEST

START_TEST(singleton_contributes_zero)
{
    const int side = 5;
    bimt_model_t *m = make_model((uint32_t)side);
    int32_t g[25], lab[25];
    for (int s = 0; s < 25; s++)
        g[s] = -1;
    g[0] = g[1] = g[5] = g[6] = 0; /* 2x2 block */
    g[24] = 1;                     /* singleton */
    labels_from_slots(m, g, lab);
    bimt_anatomy a;
    a.struct_size = (uint32_t)sizeof a; /* an output struct */
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 0, 0, &a, NULL, NULL), BIMT_OK);
    ck_assert(fabs(a.cluster_size - (sqrt(0.5) / side + 0.0) / 2.0) < 1e-15);
    ck_assert(fabs(a.isolated_fraction - 1.0 / 5.0) < 1e-15);
    /* n_shuffles = 0: defined, NaN-free values. */
    ck_assert_uint_eq(a.n_shuffles, 0);
    ck_assert(a.isolated_p == 1.0 && a.size_p == 1.0);
    ck_assert(a.isolated_null_mean == 0.0 && a.isolated_null_sd == 0.0 && a.isolated_z == 0.0);
    ck_assert(a.size_null_mean == 0.0 && a.size_null_sd == 0.0 && a.size_z == 0.0);
    bimt_model_free(m);
}
END_TEST

/* Reference shuffle: labels of the clustered slots (in slot order) permuted by Fisher-Yates
 * on stream BIMT_STREAM_SHUFFLE of the seed, one permutation applied after the other. */
START_TEST(null_is_a_shuffle_over_the_same_slots)
{
    const int side = 7, n = 49;
    enum { S = 300 };
    bimt_model_t *m = make_model((uint32_t)side);
    scramble(m, 3);
    int32_t g[49], lab[49];
    bimt_rng r;
    bimt__rng_seed(&r, 17, 5);
    for (int s = 0; s < n; s++)
        g[s] =
            bimt__rng_uniform(&r) < 0.6 ? (int32_t)(s % side < 3 ? 0 : (s / side < 3 ? 1 : 2)) : -1;
    labels_from_slots(m, g, lab);
    bimt_anatomy a;
    a.struct_size = (uint32_t)sizeof a; /* an output struct */
    double iso_null[S], size_null[S];
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, S, 42, &a, iso_null, size_null), BIMT_OK);
    double bi, bs;
    brute(g, side, &bi, &bs);
    ck_assert(fabs(a.isolated_fraction - bi) < 1e-15);
    ck_assert(fabs(a.cluster_size - bs) < 1e-12);

    int occ[49], nocc = 0;
    int32_t vals[49];
    for (int s = 0; s < n; s++)
        if (g[s] >= 0) {
            occ[nocc] = s;
            vals[nocc++] = g[s];
        }
    bimt_rng sh;
    bimt__rng_seed(&sh, 42, BIMT_STREAM_SHUFFLE);
    double mean = 0, le_i = 0, le_s = 0;
    for (int k = 0; k < S; k++) {
        for (int i = nocc; i > 1; i--) {
            int j = (int)bimt__rng_below(&sh, (uint64_t)i);
            int32_t t = vals[i - 1];
            vals[i - 1] = vals[j];
            vals[j] = t;
        }
        int32_t h[49];
        for (int s = 0; s < n; s++)
            h[s] = -1;
        for (int i = 0; i < nocc; i++)
            h[occ[i]] = vals[i];
        brute(h, side, &bi, &bs);
        ck_assert(fabs(iso_null[k] - bi) < 1e-15);
        ck_assert(fabs(size_null[k] - bs) < 1e-12);
        mean += iso_null[k] / S;
        le_i += iso_null[k] <= a.isolated_fraction;
        le_s += size_null[k] <= a.cluster_size + 1e-12;
    }
    ck_assert(fabs(a.isolated_null_mean - mean) < 1e-12);
    double var = 0;
    for (int k = 0; k < S; k++)
        var += (iso_null[k] - mean) * (iso_null[k] - mean) / (S - 1);
    ck_assert(fabs(a.isolated_null_sd - sqrt(var)) < 1e-12);
    ck_assert(fabs(a.isolated_z - (a.isolated_fraction - mean) / sqrt(var)) < 1e-9);
    ck_assert(fabs(a.isolated_p - (1 + le_i) / (1.0 + S)) < 1e-15);
    ck_assert(fabs(a.size_p - (1 + le_s) / (1.0 + S)) < 1e-15);
    /* Same seed, same nulls; another seed, other nulls. */
    double again[S], other[S];
    bimt_anatomy b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, S, 42, &b, NULL, again), BIMT_OK);
    ck_assert_int_eq(memcmp(again, size_null, sizeof again), 0);
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, S, 43, &b, NULL, other), BIMT_OK);
    ck_assert_int_ne(memcmp(other, size_null, sizeof other), 0);
    bimt_model_free(m);
}
END_TEST

START_TEST(single_label_null_equals_observed)
{
    /* One label: any shuffle is the identity, so the null must reproduce the observation,
     * which it can only do if the shuffled labels stay on the same slots. */
    const int side = 6;
    bimt_model_t *m = make_model((uint32_t)side);
    scramble(m, 8);
    int32_t g[36], lab[36];
    for (int s = 0; s < 36; s++)
        g[s] = (s * 7) % 5 < 2 ? 4 : -1;
    labels_from_slots(m, g, lab);
    bimt_anatomy a;
    a.struct_size = (uint32_t)sizeof a; /* an output struct */
    double in[20], sn[20];
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 20, 1, &a, in, sn), BIMT_OK);
    for (int i = 0; i < 20; i++) {
        ck_assert(in[i] == a.isolated_fraction);
        ck_assert(sn[i] == a.cluster_size);
    }
    ck_assert(a.isolated_p == 1.0 && a.size_p == 1.0);
    ck_assert(a.isolated_null_sd == 0.0 && a.isolated_z == 0.0);
    bimt_model_free(m);
}
END_TEST

START_TEST(no_clustered_neurons)
{
    bimt_model_t *m = make_model(4);
    int32_t lab[16];
    for (int i = 0; i < 16; i++)
        lab[i] = -1;
    bimt_anatomy a;
    a.struct_size = (uint32_t)sizeof a; /* an output struct */
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 5, 1, &a, NULL, NULL), BIMT_OK);
    ck_assert(a.isolated_fraction == 0.0 && a.cluster_size == 0.0);
    ck_assert(a.isolated_p == 1.0 && a.size_p == 1.0);
    bimt_model_free(m);
}
END_TEST

/* Centrality: the observed mean distance to the centre from the definition, a null whose mean
 * is the grid average (the exact expectation of a uniform subset), and the direction of the
 * test for a central block (p small) and a corner block (p large). */
START_TEST(centrality_against_definition_and_expectation)
{
    const uint32_t side = 10;
    bimt_model_t *m = make_model(side);
    scramble(m, 4);
    size_t n = bimt_model_n_hidden(m);
    const uint32_t *sl = bimt_model_slots(m);
    uint8_t *imp = calloc(n, 1);
    double grid_mean = 0.0;
    for (size_t s = 0; s < n; s++) {
        double dr = (double)(s / side) - 4.5, dc = (double)(s % side) - 4.5;
        grid_mean += sqrt(dr * dr + dc * dc) / side / (double)n;
    }
    for (int corner = 0; corner < 2; corner++) {
        double obs = 0.0;
        size_t m_imp = 0;
        for (size_t k = 0; k < n; k++) {
            uint32_t r = sl[k] / side, c = sl[k] % side;
            imp[k] = corner ? (r < 4 && c < 4) : (r >= 3 && r <= 6 && c >= 3 && c <= 6);
            if (imp[k]) {
                double dr = (double)r - 4.5, dc = (double)c - 4.5;
                obs += sqrt(dr * dr + dc * dc) / side;
                m_imp++;
            }
        }
        obs /= (double)m_imp;
        bimt_centrality res;
        res.struct_size = (uint32_t)sizeof res; /* an output struct */
        double *null = malloc(2000 * sizeof(double));
        ck_assert_int_eq(bimt_centrality_metrics(m, imp, 2000, 7, &res, null), BIMT_OK);
        ck_assert_uint_eq(res.struct_size, sizeof res);
        ck_assert_uint_eq(res.n_important, 16);
        ck_assert_double_eq_tol(res.observed, obs, 1e-12);
        ck_assert_msg(fabs(res.null_mean - grid_mean) < 4.0 * res.null_sd / sqrt(2000.0),
                      "null mean %g, grid mean %g, sd %g", res.null_mean, grid_mean, res.null_sd);
        if (corner)
            ck_assert_double_gt(res.p, 0.9);
        else
            ck_assert_double_lt(res.p, 0.01);
        bimt_centrality again;
        again.struct_size = (uint32_t)sizeof again; /* an output struct */
        double *null2 = malloc(2000 * sizeof(double));
        ck_assert_int_eq(bimt_centrality_metrics(m, imp, 2000, 7, &again, null2), BIMT_OK);
        ck_assert_int_eq(memcmp(null, null2, 2000 * sizeof(double)), 0);
        free(null);
        free(null2);
    }
    memset(imp, 0, n);
    bimt_centrality none;
    none.struct_size = (uint32_t)sizeof none; /* an output struct */
    ck_assert_int_eq(bimt_centrality_metrics(m, imp, 50, 1, &none, NULL), BIMT_OK);
    ck_assert(none.n_important == 0 && none.observed == 0.0 && none.p == 1.0);
    ck_assert_int_eq(bimt_centrality_metrics(NULL, imp, 5, 1, &none, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_centrality_metrics(m, NULL, 5, 1, &none, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_centrality_metrics(m, imp, 5, 1, NULL, NULL), BIMT_E_INVALID_ARG);
    free(imp);
    bimt_model_free(m);
}
END_TEST

/* A model on caller positions [n][dim] (neighbours 0: the default k). */
static bimt_model_t *make_positions(const double *pos, uint32_t n, uint32_t dim, uint32_t k)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.positions = pos;
    p.n_slots = n;
    p.dim = dim;
    p.neighbours = k;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    return m;
}

/* Brute force on positions: a clustered slot is isolated when no slot at Chebyshev (max)
 * distance in (0, 1] (maxnorm) or Manhattan distance 1 (!maxnorm) has its label; cluster size
 * = mean over clusters of the mean Euclidean distance to the centroid. */
static void brute_pos(const double *pos, const int32_t *g, size_t n, size_t dim, int maxnorm,
                      double *iso, double *size)
{
    size_t m = 0, n_iso = 0;
    for (size_t s = 0; s < n; s++) {
        if (g[s] < 0) continue;
        m++;
        int nb = 0;
        for (size_t t = 0; t < n; t++) {
            double mx = 0.0, l1 = 0.0;
            for (size_t d = 0; d < dim; d++) {
                double a = fabs(pos[s * dim + d] - pos[t * dim + d]);
                mx = a > mx ? a : mx;
                l1 += a;
            }
            int adj = maxnorm ? (t != s && mx <= 1.0) : l1 == 1.0;
            nb += adj && g[t] == g[s];
        }
        n_iso += nb == 0;
    }
    *iso = m ? (double)n_iso / (double)m : 0.0;
    double tot = 0.0;
    int ncl = 0;
    for (int32_t l = 0; l < (int32_t)n; l++) {
        double c[3] = {0, 0, 0};
        int cnt = 0;
        for (size_t s = 0; s < n; s++)
            if (g[s] == l) {
                for (size_t d = 0; d < dim; d++)
                    c[d] += pos[s * dim + d];
                cnt++;
            }
        if (!cnt) continue;
        ncl++;
        double md = 0.0;
        for (size_t s = 0; s < n; s++)
            if (g[s] == l) {
                double q = 0.0;
                for (size_t d = 0; d < dim; d++)
                    q += (pos[s * dim + d] - c[d] / cnt) * (pos[s * dim + d] - c[d] / cnt);
                md += sqrt(q);
            }
        tot += md / cnt;
    }
    *size = ncl ? tot / ncl : 0.0;
}

static void random_labels(int32_t *g, size_t n, int n_labels, uint64_t seed)
{
    bimt_rng r;
    bimt__rng_seed(&r, seed, 5);
    for (size_t s = 0; s < n; s++)
        g[s] = (int32_t)bimt__rng_below(&r, (uint64_t)n_labels + 1) - 1;
}

/* k = 8 nearest slots on caller positions that form a square grid reproduce the grid's
 * 8-neighbourhood at the border too: the same isolated fraction and null samples as the grid
 * model, and the cluster size in the positions' units (side x the grid's). k = 4 gives the 4
 * nearest (von Neumann) neighbours, checked by brute force. */
START_TEST(k8_nearest_reproduce_the_grid)
{
    const uint32_t side = 7, n = side * side;
    double pos[2 * 49];
    for (uint32_t s = 0; s < n; s++) {
        pos[2 * s] = (double)(s / side);
        pos[2 * s + 1] = (double)(s % side);
    }
    for (uint64_t rep = 0; rep < 6; rep++) {
        bimt_model_t *g = make_model(side), *c = make_positions(pos, n, 2, 0);
        bimt_model_t *c8 = make_positions(pos, n, 2, 8), *c4 = make_positions(pos, n, 2, 4);
        scramble(g, rep);
        ck_assert_int_eq(bimt_model_set_slots(c, bimt_model_slots(g), n), BIMT_OK);
        ck_assert_int_eq(bimt_model_set_slots(c8, bimt_model_slots(g), n), BIMT_OK);
        ck_assert_int_eq(bimt_model_set_slots(c4, bimt_model_slots(g), n), BIMT_OK);
        int32_t by_slot[49], lab[49];
        random_labels(by_slot, n, 2 + (int)rep, 100 + rep);
        labels_from_slots(g, by_slot, lab);
        bimt_anatomy ag, ac, a8, a4;
        ag.struct_size = ac.struct_size = a8.struct_size = a4.struct_size = (uint32_t)sizeof ag;
        double ng[64], nc[64];
        ck_assert_int_eq(bimt_anatomy_metrics(g, lab, 64, 9, &ag, ng, NULL), BIMT_OK);
        ck_assert_int_eq(bimt_anatomy_metrics(c, lab, 64, 9, &ac, nc, NULL), BIMT_OK);
        ck_assert_int_eq(bimt_anatomy_metrics(c8, lab, 64, 9, &a8, NULL, NULL), BIMT_OK);
        ck_assert_int_eq(bimt_anatomy_metrics(c4, lab, 64, 9, &a4, NULL, NULL), BIMT_OK);
        ck_assert(ac.isolated_fraction == ag.isolated_fraction);
        ck_assert(a8.isolated_fraction == ag.isolated_fraction);
        ck_assert_int_eq(memcmp(ng, nc, sizeof ng), 0);
        ck_assert_double_eq_tol(ac.cluster_size, ag.cluster_size * side, 1e-12);
        double iso, size;
        brute_pos(pos, by_slot, n, 2, 1, &iso, &size);
        ck_assert(ac.isolated_fraction == iso);
        ck_assert_double_eq_tol(ac.cluster_size, size, 1e-12);
        brute_pos(pos, by_slot, n, 2, 0, &iso, &size);
        ck_assert(a4.isolated_fraction == iso);
        ck_assert(a4.isolated_fraction >= ac.isolated_fraction);
        bimt_model_free(g);
        bimt_model_free(c);
        bimt_model_free(c8);
        bimt_model_free(c4);
    }
}
END_TEST

/* 3-D: the default k = 26 on a 5 x 4 x 3 lattice is the 26-neighbourhood; 1-D: k = 2 the two
 * neighbours on a line. Both against brute force, permuted slots. */
START_TEST(k26_cubic_and_k2_line)
{
    double cube[60 * 3], line[12];
    for (int s = 0; s < 60; s++) {
        cube[3 * s] = (double)(s / 12);
        cube[3 * s + 1] = (double)(s / 3 % 4);
        cube[3 * s + 2] = (double)(s % 3);
    }
    for (int s = 0; s < 12; s++)
        line[s] = (double)(11 - s); /* descending: order of slots is not the order in space */
    for (uint64_t rep = 0; rep < 6; rep++) {
        for (int which = 0; which < 2; which++) {
            const double *pos = which ? line : cube;
            uint32_t n = which ? 12 : 60, dim = which ? 1 : 3;
            bimt_model_t *m = make_positions(pos, n, dim, 0);
            scramble(m, rep + 40);
            int32_t by_slot[60], lab[60];
            random_labels(by_slot, n, 3, 200 + rep);
            labels_from_slots(m, by_slot, lab);
            bimt_anatomy a;
            a.struct_size = (uint32_t)sizeof a;
            ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 10, 3, &a, NULL, NULL), BIMT_OK);
            double iso, size;
            brute_pos(pos, by_slot, n, dim, 1, &iso, &size);
            ck_assert_msg(a.isolated_fraction == iso, "%s rep %d: %g vs %g",
                          which ? "line" : "cube", (int)rep, a.isolated_fraction, iso);
            ck_assert_double_eq_tol(a.cluster_size, size, 1e-12);
            bimt_model_free(m);
        }
    }
}
END_TEST

/* Centrality on caller positions: the mean Euclidean distance to the centroid of all slots. */
START_TEST(centrality_on_positions)
{
    double pos[30 * 3];
    bimt_rng r;
    bimt__rng_seed(&r, 3, 3);
    for (int i = 0; i < 90; i++)
        pos[i] = 4.0 * bimt__rng_uniform(&r) - 1.0;
    bimt_model_t *m = make_positions(pos, 30, 3, 0);
    scramble(m, 8);
    double c[3] = {0, 0, 0};
    for (int s = 0; s < 30; s++)
        for (int d = 0; d < 3; d++)
            c[d] += pos[3 * s + d] / 30.0;
    uint8_t imp[30];
    double obs = 0.0;
    const uint32_t *sl = bimt_model_slots(m);
    for (int k = 0; k < 30; k++) {
        imp[k] = (uint8_t)(k % 3 == 0);
        if (!imp[k]) continue;
        const double *p = pos + 3 * sl[k];
        obs += sqrt((p[0] - c[0]) * (p[0] - c[0]) + (p[1] - c[1]) * (p[1] - c[1]) +
                    (p[2] - c[2]) * (p[2] - c[2])) /
               10.0;
    }
    bimt_centrality res;
    res.struct_size = (uint32_t)sizeof res;
    ck_assert_int_eq(bimt_centrality_metrics(m, imp, 100, 1, &res, NULL), BIMT_OK);
    ck_assert_uint_eq(res.n_important, 10);
    ck_assert_double_eq_tol(res.observed, obs, 1e-12);
    bimt_model_free(m);
}
END_TEST

START_TEST(anatomy_bad_input)
{
    bimt_model_t *m = make_model(4);
    int32_t lab[16];
    for (int i = 0; i < 16; i++)
        lab[i] = i % 3;
    bimt_anatomy a;
    a.struct_size = (uint32_t)sizeof a; /* an output struct */
    memset(&a, 0x5a, sizeof a);
    bimt_anatomy before = a;
    ck_assert_int_eq(bimt_anatomy_metrics(NULL, lab, 5, 1, &a, NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_anatomy_metrics(m, NULL, 5, 1, &a, NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 5, 1, NULL, NULL, NULL), BIMT_E_INVALID_ARG);
    lab[3] = -2;
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 5, 1, &a, NULL, NULL), BIMT_E_INVALID_ARG);
    lab[3] = 16;
    ck_assert_int_eq(bimt_anatomy_metrics(m, lab, 5, 1, &a, NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(memcmp(&a, &before, sizeof a), 0);
    bimt_model_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("anatomy");
    TCase *tc = tcase_create("anatomy");
    tcase_add_test(tc, two_compact_blocks);
    tcase_add_test(tc, centrality_against_definition_and_expectation);
    tcase_add_test(tc, four_colour_checkerboard_all_isolated);
    tcase_add_test(tc, singleton_contributes_zero);
    tcase_add_test(tc, null_is_a_shuffle_over_the_same_slots);
    tcase_add_test(tc, single_label_null_equals_observed);
    tcase_add_test(tc, no_clustered_neurons);
    tcase_add_test(tc, anatomy_bad_input);
    tcase_add_test(tc, k8_nearest_reproduce_the_grid);
    tcase_add_test(tc, k26_cubic_and_k2_line);
    tcase_add_test(tc, centrality_on_positions);
    suite_add_tcase(s, tc);
    return bimt_test_run(s);
}
