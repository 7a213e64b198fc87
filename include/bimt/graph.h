/**
 * @file graph.h
 * @brief Graph metrics of the recurrent weights with the semantics of the Brain Connectivity
 * Toolbox (BCT), as spatially embedded RNNs (seRNN, Achterberg, Akarca et al. 2023) report
 * them: the thresholded, binarised graph of the important neurons, its modules and modularity
 * Q (Newman's leading eigenvector, BCT modularity_und), mean clustering coefficient (BCT
 * clustering_coef_bu), characteristic path length and small-worldness against seeded
 * Erdos-Renyi nulls.
 *
 * See docs/analysis.md §6c for the definitions. Every call is deterministic given its inputs
 * and seed, touches no handle but the ones it is given (read only) and is thread-safe for a
 * model no thread mutates.
 */
#ifndef BIMT_GRAPH_H
#define BIMT_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/export.h"
#include "bimt/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest graph the metrics accept (nodes); the modularity holds a dense n x n matrix. */
#define BIMT_GRAPH_MAX_NODES 4096u
/** Largest number of Erdos-Renyi null graphs. */
#define BIMT_GRAPH_MAX_NULL 1000000u

/** Graph parameters. Fill with bimt_graph_params_init(). A smaller struct_size (an older
 * header) gets defaults for the fields it lacks; a larger one gives BIMT_E_VERSION. */
typedef struct bimt_graph_params {
    uint32_t struct_size;        /**< set by bimt_graph_params_init() */
    double threshold_proportion; /**< fraction of the k(k-1)/2 node pairs kept, (0, 1]; default
                                    0.1 */
    uint32_t n_null;             /**< Erdos-Renyi null graphs, 0 .. 10^6; default 1000 */
    uint64_t seed;               /**< seed of the null graphs; default 0 */
} bimt_graph_params;

/**
 * @brief Fills p with the defaults (threshold_proportion 0.1, 1000 null graphs, seed 0).
 * NULL is ignored. Thread-safe.
 * @param[out] p the parameters to fill (struct_size set, every field at its default).
 */
BIMT_API void bimt_graph_params_init(bimt_graph_params *p);

/** Graph metrics (an output struct: struct_size is set by the library to the size it filled;
 * fields are only ever appended). */
typedef struct bimt_graph_metrics {
    uint32_t struct_size;        /**< set by the library */
    uint32_t n_nodes;            /**< nodes of the graph */
    uint32_t n_edges;            /**< undirected edges */
    uint32_t n_modules;          /**< modules of the leading-eigenvector partition */
    double modularity_q;         /**< Newman's Q of that partition (gamma = 1); 0 without edges */
    double clustering;           /**< mean local clustering coefficient (0 for degree < 2) */
    double char_path_length;     /**< mean shortest-path length over connected ordered pairs of
                                    distinct nodes (0 when no pair is connected) */
    double small_world_sigma;    /**< (C / C_null) / (L / L_null); NaN when not defined (no null
                                    graph, C_null = 0, L = 0 or L_null = 0) */
    uint32_t n_null;             /**< null graphs drawn */
    double null_clustering_mean; /**< mean clustering of the null graphs (0 if none) */
    double null_char_path_mean;  /**< mean characteristic path length of the nulls (0 if none) */
} bimt_graph_metrics;

/**
 * @brief The binary undirected graph of a weight matrix on a set of nodes: S = (|W| + |W|^T)/2
 * on the nodes (in the order given), diagonal ignored; the strongest round(proportion *
 * k(k-1)/2) pairs (i, j), i < j, are kept (ties to the earlier pair in row-major order; pairs
 * with S = 0 are never kept, as in BCT's threshold_proportional) and become edges of weight 1.
 * Thread-safe.
 * @param[in] w [n][n] row-major weights (finite).
 * @param[in] n size of w (1 .. 65536).
 * @param[in] nodes [n_nodes] distinct indices in [0, n): the graph's nodes, in this order.
 * @param[in] n_nodes number of nodes, 0 .. BIMT_GRAPH_MAX_NODES.
 * @param[in] threshold_proportion fraction of pairs kept, in (0, 1].
 * @param[out] adj [n_nodes][n_nodes] receives 1 for an edge, 0 otherwise (symmetric, zero
 *        diagonal).
 * @param[out] n_edges optional: the number of edges kept.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL w, nodes with n_nodes > 0, or adj; n out of
 *         range; a node index out of range or repeated; non-finite weight; proportion outside
 *         (0, 1] or NaN); BIMT_E_NOMEM. adj is written only on success.
 */
BIMT_API int bimt_graph_threshold(const float *w, uint32_t n, const uint32_t *nodes,
                                  uint32_t n_nodes, double threshold_proportion, uint8_t *adj,
                                  uint32_t *n_edges);

/**
 * @brief Metrics of a binary undirected graph: leading-eigenvector modules and Q (BCT
 * modularity_und, gamma = 1; modules numbered by their first node), mean clustering
 * coefficient, characteristic path length, and small-worldness sigma against p->n_null
 * seeded Erdos-Renyi graphs G(n, m) with the same node and edge counts. Thread-safe.
 * @param[in] adj [n][n] 0/1, symmetric, zero diagonal.
 * @param[in] n number of nodes, 0 .. BIMT_GRAPH_MAX_NODES.
 * @param[in] params parameters, or NULL for the defaults (threshold_proportion is not used).
 * @param[out] modules optional [n]: the module of each node, 0 .. n_modules - 1.
 * @param[out] out the metrics.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL adj with n > 0 or NULL out; an entry not 0/1,
 *         asymmetric, or on the diagonal; n or n_null too large); BIMT_E_VERSION
 *         (params->struct_size); BIMT_E_NOMEM; BIMT_E_NUMERIC (eigen-solver failed).
 *         Outputs are written only on success.
 */
BIMT_API int bimt_graph_analyze(const uint8_t *adj, uint32_t n, const bimt_graph_params *params,
                                int32_t *modules, bimt_graph_metrics *out);

/**
 * @brief The graph metrics of a model: nodes = the important neurons in neuron order, graph =
 * bimt_graph_threshold() of W_rec on them with params->threshold_proportion, metrics =
 * bimt_graph_analyze(). Thread-safe for a model no thread mutates.
 * @param[in] model the model.
 * @param[in] important [n_hidden] nonzero for a node (bimt_important_neurons()).
 * @param[in] params parameters, or NULL for the defaults.
 * @param[out] modules optional [n_hidden]: the module of each node, -1 for other neurons.
 * @param[out] out the metrics.
 * @return as bimt_graph_threshold() and bimt_graph_analyze() (BIMT_E_INVALID_ARG also for NULL
 *         model or important, and more than BIMT_GRAPH_MAX_NODES important neurons).
 */
BIMT_API int bimt_model_graph_metrics(const bimt_model_t *model, const uint8_t *important,
                                      const bimt_graph_params *params, int32_t *modules,
                                      bimt_graph_metrics *out);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_GRAPH_H */
