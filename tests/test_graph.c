/* Graph metrics (bimt/graph.h) on hand-made graphs with known modularity, clustering and path
 * length, the threshold's tie rule, and the reproducibility of the Erdos-Renyi nulls. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/graph.h"
#include "bimt/bimt.h"
#include "common/rng.h"
#include "testutil.h"

#define MAXN 64

typedef struct hand_graph {
    size_t n;
    uint8_t adj[MAXN * MAXN];
} hand_graph;

static void edge(hand_graph *g, size_t i, size_t j)
{
    g->adj[i * g->n + j] = g->adj[j * g->n + i] = 1;
}

static void triangle(hand_graph *g, size_t a, size_t b, size_t c)
{
    edge(g, a, b);
    edge(g, b, c);
    edge(g, a, c);
}

static hand_graph *graph_new(size_t n)
{
    hand_graph *g = calloc(1, sizeof *g);
    ck_assert_ptr_nonnull(g);
    g->n = n;
    return g;
}

/* Newman's Q of a partition, written out from the definition in the test. */
static double q_of(const hand_graph *g, const int32_t *ci)
{
    const size_t n = g->n;
    double k[MAXN] = {0}, m2 = 0.0, q = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            k[i] += g->adj[i * n + j];
    for (size_t i = 0; i < n; i++)
        m2 += k[i];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (ci[i] == ci[j]) q += g->adj[i * n + j] - k[i] * k[j] / m2;
    return q / m2;
}

static bimt_graph_metrics analyze(const hand_graph *g, uint32_t n_null, int32_t *ci)
{
    bimt_graph_params p;
    bimt_graph_params_init(&p);
    p.n_null = n_null;
    bimt_graph_metrics out;
    ck_assert_int_eq(bimt_graph_analyze(g->adj, (uint32_t)g->n, &p, ci, &out), BIMT_OK);
    ck_assert_uint_eq(out.struct_size, sizeof out);
    return out;
}

/* Two triangles {0,1,2}, {3,4,5} joined by the edge 2-3: the leading eigenvector splits them,
 * Q = 2 (3/7 - (7/14)^2) = 5/14; C = (1 + 1 + 1/3 + 1/3 + 1 + 1) / 6 = 7/9; L = 27/15. */
START_TEST(two_triangles_with_bridge)
{
    hand_graph *g = graph_new(6);
    triangle(g, 0, 1, 2);
    triangle(g, 3, 4, 5);
    edge(g, 2, 3);
    int32_t ci[6];
    bimt_graph_metrics r = analyze(g, 0, ci);
    ck_assert_uint_eq(r.n_nodes, 6);
    ck_assert_uint_eq(r.n_edges, 7);
    ck_assert_uint_eq(r.n_modules, 2);
    const int32_t want[6] = {0, 0, 0, 1, 1, 1}; /* numbered by first node */
    ck_assert_int_eq(memcmp(ci, want, sizeof want), 0);
    ck_assert_double_eq_tol(r.modularity_q, 5.0 / 14.0, 1e-12);
    ck_assert_double_eq_tol(r.clustering, 7.0 / 9.0, 1e-12);
    ck_assert_double_eq_tol(r.char_path_length, 27.0 / 15.0, 1e-12);
    ck_assert(isnan(r.small_world_sigma)); /* no null graphs */
    ck_assert_uint_eq(r.n_null, 0);
    free(g);
}
END_TEST

/* Two separate triangles: infinite distances are left out, so L = 1; Q = 1/2; C = 1. */
START_TEST(disconnected_triangles)
{
    hand_graph *g = graph_new(6);
    triangle(g, 0, 1, 2);
    triangle(g, 3, 4, 5);
    int32_t ci[6];
    bimt_graph_metrics r = analyze(g, 0, ci);
    ck_assert_uint_eq(r.n_modules, 2);
    ck_assert_double_eq_tol(r.modularity_q, 0.5, 1e-12);
    ck_assert_double_eq_tol(q_of(g, ci), 0.5, 1e-12);
    ck_assert_double_eq_tol(r.clustering, 1.0, 1e-15);
    ck_assert_double_eq_tol(r.char_path_length, 1.0, 1e-15);
    free(g);
}
END_TEST

/* Isolated nodes (zero rows of B, zero eigenvector entries) join the +1 side of the first
 * split: two modules, Q as without them; L and C count them as BCT does (C_u = 0, no path). */
START_TEST(isolated_nodes)
{
    hand_graph *g = graph_new(8);
    triangle(g, 1, 2, 3);
    triangle(g, 5, 6, 7);
    int32_t ci[8];
    bimt_graph_metrics r = analyze(g, 0, ci);
    ck_assert_uint_eq(r.n_modules, 2);
    ck_assert_double_eq_tol(r.modularity_q, 0.5, 1e-12);
    ck_assert_int_eq(ci[0], ci[4]);
    ck_assert_int_eq(ci[1], ci[2]);
    ck_assert_int_ne(ci[1], ci[5]);
    ck_assert_double_eq_tol(r.clustering, 6.0 / 8.0, 1e-15);
    ck_assert_double_eq_tol(r.char_path_length, 1.0, 1e-15);
    free(g);
}
END_TEST

/* A star is indivisible (every split has Q < 0): one module, Q = 0; C = 0 (the centre's
 * neighbours are not linked, the leaves have degree 1); L = (4 * 1 + 6 * 2) / 10. */
START_TEST(star_is_one_module)
{
    hand_graph *g = graph_new(5);
    for (size_t i = 1; i < 5; i++)
        edge(g, 0, i);
    int32_t ci[5];
    bimt_graph_metrics r = analyze(g, 0, ci);
    ck_assert_uint_eq(r.n_modules, 1);
    ck_assert_double_eq_tol(r.modularity_q, 0.0, 1e-12);
    ck_assert_double_eq(r.clustering, 0.0);
    ck_assert_double_eq_tol(r.char_path_length, 1.6, 1e-12);
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(ci[i], 0);
    free(g);
}
END_TEST

/* No edge, one node, no node: defined values, no NaN but sigma. */
START_TEST(degenerate_graphs)
{
    hand_graph *g = graph_new(4);
    int32_t ci[4] = {7, 7, 7, 7};
    bimt_graph_metrics r = analyze(g, 10, ci);
    ck_assert_uint_eq(r.n_edges, 0);
    ck_assert_uint_eq(r.n_modules, 1);
    ck_assert_double_eq(r.modularity_q, 0.0);
    ck_assert_double_eq(r.clustering, 0.0);
    ck_assert_double_eq(r.char_path_length, 0.0);
    ck_assert(isnan(r.small_world_sigma));
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(ci[i], 0);
    bimt_graph_metrics z;
    ck_assert_int_eq(bimt_graph_analyze(NULL, 0, NULL, NULL, &z), BIMT_OK);
    ck_assert_uint_eq(z.n_nodes, 0);
    ck_assert_uint_eq(z.n_modules, 0);
    free(g);
}
END_TEST

/* Planted partition: 4 groups of 12, dense inside (p = 0.6), sparse across (0.03). The
 * partition found has the Q the definition gives, at least 0.95 of the planted one's. */
START_TEST(planted_partition)
{
    hand_graph *g = graph_new(48);
    bimt_rng rng;
    bimt__rng_seed(&rng, 5, 99);
    int32_t planted[48], ci[48];
    for (size_t i = 0; i < 48; i++)
        planted[i] = (int32_t)(i / 12);
    for (size_t i = 0; i < 48; i++)
        for (size_t j = i + 1; j < 48; j++)
            if (bimt__rng_uniform(&rng) < (planted[i] == planted[j] ? 0.6 : 0.03)) edge(g, i, j);
    bimt_graph_metrics r = analyze(g, 0, ci);
    ck_assert_double_eq_tol(r.modularity_q, q_of(g, ci), 1e-12);
    ck_assert_msg(r.modularity_q >= 0.95 * q_of(g, planted), "Q %g, planted %g", r.modularity_q,
                  q_of(g, planted));
    ck_assert_uint_eq(r.n_modules, 4);
    free(g);
}
END_TEST

/* The threshold: S = (|W| + |W|^T) / 2 on the nodes in the order given, the strongest
 * round(p k(k-1)/2) pairs, ties to the earlier pair (i, j), i < j, row-major; S = 0 never. */
START_TEST(threshold_tie_rule)
{
    float w[16];
    for (size_t i = 0; i < 16; i++)
        w[i] = (i % 5 == 0) ? 9.0f : 1.0f; /* diagonal 9 (ignored), every pair S = 1 */
    const uint32_t nodes[4] = {0, 1, 2, 3};
    uint8_t adj[16];
    uint32_t ne = 0;
    ck_assert_int_eq(bimt_graph_threshold(w, 4, nodes, 4, 0.5, adj, &ne), BIMT_OK);
    ck_assert_uint_eq(ne, 3); /* round(0.5 * 6) */
    /* all tied: (0,1), (0,2), (0,3) */
    const uint8_t want[16] = {0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    ck_assert_int_eq(memcmp(adj, want, 16), 0);
    /* round half away from zero: 0.25 * 6 = 1.5 -> 2 */
    ck_assert_int_eq(bimt_graph_threshold(w, 4, nodes, 4, 0.25, adj, &ne), BIMT_OK);
    ck_assert_uint_eq(ne, 2);
    ck_assert(adj[0 * 4 + 1] && adj[0 * 4 + 2] && !adj[0 * 4 + 3]);
    /* asymmetric weights are averaged: W[2][3] = -5, W[3][2] = 1 gives S = 3, the strongest;
     * then W[1][3] = 4 alone gives 2.5 */
    w[2 * 4 + 3] = -5.0f;
    w[1 * 4 + 3] = 4.0f;
    ck_assert_int_eq(bimt_graph_threshold(w, 4, nodes, 4, 0.25, adj, &ne), BIMT_OK);
    ck_assert(adj[2 * 4 + 3] && adj[3 * 4 + 2] && adj[1 * 4 + 3] && !adj[0 * 4 + 1]);
    /* the node order decides ties: with nodes {3, 2, 1, 0}, node pairs (0, 1) and (0, 2) are
     * neurons (3, 2) and (3, 1), the strong ones; of the tied rest the earliest is (0, 3) */
    const uint32_t rev[4] = {3, 2, 1, 0};
    ck_assert_int_eq(bimt_graph_threshold(w, 4, rev, 4, 0.5, adj, &ne), BIMT_OK);
    ck_assert_uint_eq(ne, 3);
    ck_assert(adj[0 * 4 + 1] && adj[0 * 4 + 2] && adj[0 * 4 + 3] && !adj[1 * 4 + 2]);
    /* zero-strength pairs are never kept */
    memset(w, 0, sizeof w);
    w[1] = 0.5f;
    ck_assert_int_eq(bimt_graph_threshold(w, 4, nodes, 4, 1.0, adj, &ne), BIMT_OK);
    ck_assert_uint_eq(ne, 1);
    /* a subset of nodes of a larger matrix */
    const uint32_t sub[2] = {1, 0};
    ck_assert_int_eq(bimt_graph_threshold(w, 4, sub, 2, 1.0, adj, &ne), BIMT_OK);
    ck_assert_uint_eq(ne, 1);
    ck_assert(adj[1] && adj[2]);
}
END_TEST

START_TEST(threshold_bad_input)
{
    float w[9] = {0};
    uint32_t nodes[3] = {0, 1, 2};
    uint8_t adj[9];
    memset(adj, 0xAB, sizeof adj);
    ck_assert_int_eq(bimt_graph_threshold(NULL, 3, nodes, 3, 0.1, adj, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_graph_threshold(w, 3, NULL, 3, 0.1, adj, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_graph_threshold(w, 3, nodes, 3, 0.0, adj, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_graph_threshold(w, 3, nodes, 3, 1.5, adj, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_graph_threshold(w, 3, nodes, 3, (double)NAN, adj, NULL),
                     BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_last_error(), "threshold_proportion") != NULL);
    nodes[2] = 1;
    ck_assert_int_eq(bimt_graph_threshold(w, 3, nodes, 3, 0.1, adj, NULL), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_last_error(), "repeated") != NULL);
    nodes[2] = 3;
    ck_assert_int_eq(bimt_graph_threshold(w, 3, nodes, 3, 0.1, adj, NULL), BIMT_E_INVALID_ARG);
    nodes[2] = 2;
    w[5] = NAN;
    ck_assert_int_eq(bimt_graph_threshold(w, 3, nodes, 3, 0.1, adj, NULL), BIMT_E_INVALID_ARG);
    for (size_t i = 0; i < 9; i++)
        ck_assert_uint_eq(adj[i], 0xAB); /* untouched */

    uint8_t bad[9] = {0, 1, 0, 0, 0, 0, 0, 0, 0}; /* asymmetric */
    bimt_graph_metrics out;
    memset(&out, 0x5A, sizeof out);
    bimt_graph_metrics before = out;
    ck_assert_int_eq(bimt_graph_analyze(bad, 3, NULL, NULL, &out), BIMT_E_INVALID_ARG);
    bad[3] = 1;
    bad[4] = 1; /* diagonal */
    ck_assert_int_eq(bimt_graph_analyze(bad, 3, NULL, NULL, &out), BIMT_E_INVALID_ARG);
    bad[4] = 0;
    bad[1] = bad[3] = 2;
    ck_assert_int_eq(bimt_graph_analyze(bad, 3, NULL, NULL, &out), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_graph_analyze(NULL, 3, NULL, NULL, &out), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_graph_analyze(bad, 3, NULL, NULL, NULL), BIMT_E_INVALID_ARG);
    bad[1] = bad[3] = 1;
    bimt_graph_params p;
    bimt_graph_params_init(&p);
    p.n_null = BIMT_GRAPH_MAX_NULL + 1;
    ck_assert_int_eq(bimt_graph_analyze(bad, 3, &p, NULL, &out), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_last_error(), "n_null") != NULL);
    p.n_null = 10;
    p.struct_size = sizeof p + 8;
    ck_assert_int_eq(bimt_graph_analyze(bad, 3, &p, NULL, &out), BIMT_E_VERSION);
    ck_assert_int_eq(memcmp(&out, &before, sizeof out), 0);
    ck_assert_int_eq(bimt_graph_analyze(bad, BIMT_GRAPH_MAX_NODES + 1, NULL, NULL, &out),
                     BIMT_E_INVALID_ARG);
}
END_TEST

/* The nulls: G(n, m) with the graph's node and edge counts, seeded: the same seed gives the
 * same means, another seed others; a complete graph's nulls are complete (C = L = 1); the
 * clustering of G(n, m) averages near its density. */
START_TEST(null_graphs)
{
    hand_graph *g = graph_new(40);
    bimt_rng rng;
    bimt__rng_seed(&rng, 3, 77);
    size_t m = 0;
    for (size_t i = 0; i < 40; i++)
        for (size_t j = i + 1; j < 40; j++)
            if (bimt__rng_uniform(&rng) < 0.2) {
                edge(g, i, j);
                m++;
            }
    bimt_graph_params p;
    bimt_graph_params_init(&p);
    ck_assert_uint_eq(p.n_null, 1000);
    ck_assert_double_eq(p.threshold_proportion, 0.1);
    p.seed = 11;
    bimt_graph_metrics a, b, c;
    ck_assert_int_eq(bimt_graph_analyze(g->adj, 40, &p, NULL, &a), BIMT_OK);
    ck_assert_int_eq(bimt_graph_analyze(g->adj, 40, &p, NULL, &b), BIMT_OK);
    ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
    p.seed = 12;
    ck_assert_int_eq(bimt_graph_analyze(g->adj, 40, &p, NULL, &c), BIMT_OK);
    ck_assert(c.null_clustering_mean != a.null_clustering_mean);
    ck_assert_uint_eq(a.n_null, 1000);
    double density = (double)m / (40.0 * 39.0 / 2.0);
    ck_assert_msg(fabs(a.null_clustering_mean - density) < 0.01, "C_null %g, density %g",
                  a.null_clustering_mean, density);
    ck_assert_double_eq_tol(a.small_world_sigma,
                            (a.clustering / a.null_clustering_mean) /
                                (a.char_path_length / a.null_char_path_mean),
                            1e-15);
    free(g);

    hand_graph *k = graph_new(7);
    for (size_t i = 0; i < 7; i++)
        for (size_t j = i + 1; j < 7; j++)
            edge(k, i, j);
    bimt_graph_metrics r = analyze(k, 5, NULL);
    ck_assert_double_eq(r.null_clustering_mean, 1.0);
    ck_assert_double_eq(r.null_char_path_mean, 1.0);
    ck_assert_double_eq(r.small_world_sigma, 1.0);
    free(k);
}
END_TEST

/* The model call: nodes are the important neurons in neuron order; modules -1 elsewhere; the
 * same numbers as thresholding and analysing by hand. */
START_TEST(model_graph)
{
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 5;
    mp.init = BIMT_INIT_GAUSS; /* dense random W_rec */
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
    const float *W = NULL;
    ck_assert_int_eq(bimt_model_tensor(m, BIMT_W_REC, &W, NULL, NULL, NULL), BIMT_OK);
    uint8_t imp[25];
    uint32_t nodes[25], k = 0;
    for (size_t i = 0; i < 25; i++) {
        imp[i] = (i % 3) != 1;
        if (imp[i]) nodes[k++] = (uint32_t)i;
    }
    bimt_graph_params p;
    bimt_graph_params_init(&p);
    p.threshold_proportion = 0.3;
    p.n_null = 50;
    int32_t mods[25];
    bimt_graph_metrics r, h;
    ck_assert_int_eq(bimt_model_graph_metrics(m, imp, &p, mods, &r), BIMT_OK);
    uint8_t adj[25 * 25];
    uint32_t ne = 0;
    ck_assert_int_eq(bimt_graph_threshold(W, 25, nodes, k, 0.3, adj, &ne), BIMT_OK);
    int32_t ci[25];
    ck_assert_int_eq(bimt_graph_analyze(adj, k, &p, ci, &h), BIMT_OK);
    ck_assert_int_eq(memcmp(&r, &h, sizeof r), 0);
    ck_assert_uint_eq(r.n_nodes, k);
    ck_assert_uint_eq(r.n_edges, ne);
    ck_assert_uint_eq(ne, (uint32_t)floor(0.3 * k * (k - 1) / 2.0 + 0.5));
    for (size_t i = 0, a = 0; i < 25; i++)
        ck_assert_int_eq(mods[i], imp[i] ? ci[a++] : -1);
    ck_assert_int_eq(bimt_model_graph_metrics(NULL, imp, &p, mods, &r), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_graph_metrics(m, NULL, &p, mods, &r), BIMT_E_INVALID_ARG);
    bimt_model_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("graph");
    tcase_add_test(tc, two_triangles_with_bridge);
    tcase_add_test(tc, disconnected_triangles);
    tcase_add_test(tc, isolated_nodes);
    tcase_add_test(tc, star_is_one_module);
    tcase_add_test(tc, degenerate_graphs);
    tcase_add_test(tc, planted_partition);
    tcase_add_test(tc, threshold_tie_rule);
    tcase_add_test(tc, threshold_bad_input);
    tcase_add_test(tc, null_graphs);
    tcase_add_test(tc, model_graph);
    suite_add_tcase(s, tc);
    return bimt_test_run(s);
}
