/* Private pieces of the graph metrics (graph.c), exposed to the white-box tests through
 * bimt_internal. Graphs are bitsets: row i of a graph of n nodes is words = ceil(n / 64)
 * uint64 words, bit j set for an edge (i, j). Not installed. */
#ifndef BIMT_ANALYSIS_GRAPH_H
#define BIMT_ANALYSIS_GRAPH_H

#include <stddef.h>
#include <stdint.h>

/** Words of one bitset row of an n-node graph. */
static inline size_t bimt__graph_words(size_t n)
{
    return (n + 63) / 64;
}

/** Mean local clustering coefficient (BCT clustering_coef_bu, 0 for degree < 2). */
double bimt__graph_clustering(const uint64_t *rows, size_t n);

/** Characteristic path length: mean BFS distance over connected ordered pairs i != j (0 when
 *  none); scratch holds 3 * words uint64. */
double bimt__graph_char_path(const uint64_t *rows, size_t n, uint64_t *scratch);

/** Newman's Q (gamma = 1) of the partition ci [n] of the 0/1 adjacency adj [n][n]; 0 when the
 *  graph has no edge. */
double bimt__graph_modularity_q(const uint8_t *adj, size_t n, const int32_t *ci);

/** BCT modularity_und (leading eigenvector, recursive bisection with fine-tuning, gamma = 1):
 *  modules ci [n] numbered 0.. by first node, their count and Q. Without edges: one module,
 *  Q = 0. Returns 0, BIMT_E_NOMEM or BIMT_E_NUMERIC. */
int bimt__graph_modularity_und(const uint8_t *adj, size_t n, int32_t *ci, uint32_t *n_modules,
                               double *q);

#endif /* BIMT_ANALYSIS_GRAPH_H */
