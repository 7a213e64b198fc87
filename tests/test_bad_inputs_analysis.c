/* Bad inputs, table-driven (issue 19, item 3), second half: the calls of analysis.h, graph.h,
 * lesion.h, plot.h, report.h and sweep.h, one bad argument at a time: the expected code, a
 * bimt_last_error() message naming the argument, no handle changed and no file written
 * (tests/bad_inputs.h). */
#include "bad_inputs.h"

#define NAN_ ((double)NAN)
#define INF_ ((double)INFINITY)
#define NH 9u

#define IMPN(stmt)                                                                                 \
    uint8_t imp[NH];                                                                               \
    float tv[BIMT_N_RULES * NH];                                                                   \
    memcpy(tv, f->tv, sizeof tv);                                                                  \
    stmt;                                                                                          \
    return bimt_important_neurons(tv, BIMT_N_RULES, NH, 1e-3, imp, NULL);
#define NORM(stmt)                                                                                 \
    float tv[BIMT_N_RULES * NH];                                                                   \
    memcpy(tv, f->tv, sizeof tv);                                                                  \
    uint32_t by_sum = 0;                                                                           \
    stmt;                                                                                          \
    return bimt_normalize_task_variance(tv, BIMT_N_RULES, NH, 1e-3, by_sum, f->buf);
#define CLUS(stmt)                                                                                 \
    bimt_cluster_params p;                                                                         \
    bimt_cluster_params_init(&p);                                                                  \
    int32_t lab[NH];                                                                               \
    stmt;                                                                                          \
    return bimt_cluster_task_variance(f->tv, BIMT_N_RULES, NH, &p, lab, NULL, NULL);
#define ANAT(stmt)                                                                                 \
    int32_t lab[NH];                                                                               \
    memcpy(lab, f->labels, sizeof lab);                                                            \
    uint32_t n_shuffles = 10;                                                                      \
    bimt_anatomy a;                                                                                \
    a.struct_size = (uint32_t)sizeof a;                                                            \
    stmt;                                                                                          \
    return bimt_anatomy_metrics(f->m, lab, n_shuffles, 1, &a, NULL, NULL);
#define CENT(stmt)                                                                                 \
    uint32_t n_shuffles = 10;                                                                      \
    bimt_centrality c;                                                                             \
    c.struct_size = (uint32_t)sizeof c;                                                            \
    stmt;                                                                                          \
    return bimt_centrality_metrics(f->m, f->imp, n_shuffles, 1, &c, NULL);
#define WIRE(tv, it, wt, stmt)                                                                     \
    bimt_wiring w;                                                                                 \
    w.struct_size = (uint32_t)sizeof w;                                                            \
    stmt;                                                                                          \
    return bimt_wiring_stats(f->m, tv, it, wt, &w);
#define THR(stmt)                                                                                  \
    float w[16];                                                                                   \
    for (int i = 0; i < 16; i++)                                                                   \
        w[i] = 0.1f * (float)i;                                                                    \
    uint32_t nodes[4] = {0, 1, 2, 3}, n = 4, n_nodes = 4;                                          \
    double prop = 0.5;                                                                             \
    uint8_t adj[16];                                                                               \
    stmt;                                                                                          \
    return bimt_graph_threshold(w, n, nodes, n_nodes, prop, adj, NULL);
#define GRAPHP(stmt)                                                                               \
    bimt_graph_params p;                                                                           \
    bimt_graph_params_init(&p);                                                                    \
    p.n_null = 2;                                                                                  \
    uint8_t adj[16];                                                                               \
    memcpy(adj, f->adj, sizeof adj);                                                               \
    bimt_graph_metrics g;                                                                          \
    g.struct_size = (uint32_t)sizeof g;                                                            \
    stmt;                                                                                          \
    return bimt_graph_analyze(adj, 4, &p, NULL, &g);
#define MGRAPH(stmt)                                                                               \
    bimt_graph_params p;                                                                           \
    bimt_graph_params_init(&p);                                                                    \
    p.n_null = 2;                                                                                  \
    bimt_graph_metrics g;                                                                          \
    g.struct_size = (uint32_t)sizeof g;                                                            \
    stmt;                                                                                          \
    return bimt_model_graph_metrics(f->m, f->imp, &p, NULL, &g);
#define LES(stmt)                                                                                  \
    bimt_lesion_params p;                                                                          \
    bimt_lesion_params_init(&p);                                                                   \
    p.trials_per_rule = 2;                                                                         \
    int32_t lab[NH];                                                                               \
    memcpy(lab, f->labels, sizeof lab);                                                            \
    uint32_t n_clusters = 3;                                                                       \
    stmt;                                                                                          \
    return bimt_lesion_clusters(f->m, f->t, lab, n_clusters, &p, f->d, f->d + 32);
#define PERF(target, stmt)                                                                         \
    double perf[BIMT_N_RULES];                                                                     \
    for (int r = 0; r < BIMT_N_RULES; r++)                                                         \
        perf[r] = 0.5;                                                                             \
    stmt;                                                                                          \
    return bimt_plot_performance(perf, target, f->path);
#define PTV(nr, nh, stmt)                                                                          \
    float ntv[BIMT_N_RULES * NH];                                                                  \
    memcpy(ntv, f->ntv, sizeof ntv);                                                               \
    int32_t lab[NH];                                                                               \
    memcpy(lab, f->labels, sizeof lab);                                                            \
    stmt;                                                                                          \
    return bimt_plot_task_variance(ntv, nr, nh, lab, f->path);
#define PWD(n, side, stmt)                                                                         \
    double mw[8] = {1, 0.5, 0.25, 0.1, 0.1, 0.1, 0.1, 0.1};                                        \
    stmt;                                                                                          \
    return bimt_plot_weight_distance(mw, NULL, n, side, f->path);
#define PNULL(obs, n, stmt)                                                                        \
    double s[4] = {0.1, 0.2, 0.3, 0.4};                                                            \
    stmt;                                                                                          \
    return bimt_plot_null(obs, s, n, -1, "t", "x", f->path);
#define RUN(stmt)                                                                                  \
    bimt_sweep_run r;                                                                              \
    bimt_sweep_run_init(&r);                                                                       \
    r.id = "r1";                                                                                   \
    r.lambda = 0.01;                                                                               \
    r.A = 1;                                                                                       \
    stmt;                                                                                          \
    return bimt_sweep_add_run(f->sw, &r);
#define CI(stmt)                                                                                   \
    double x[3] = {1, 2, 3};                                                                       \
    size_t n_x = 3;                                                                                \
    double level = 0.95;                                                                           \
    bimt_sweep_ci ci;                                                                              \
    stmt;                                                                                          \
    return bimt_sweep_mean_ci(x, n_x, level, &ci);
#define SUMM(i, stmt)                                                                              \
    bimt_sweep_summary s;                                                                          \
    s.struct_size = (uint32_t)sizeof s;                                                            \
    stmt;                                                                                          \
    return bimt_sweep_summary_get(f->sw, i, &s);

/* clang-format off */
#define CASES(X) \
    /* analysis.h */ \
    X(task_variance_model_null, INV, "model", return bimt_task_variance(NULL, f->t, f->buf);) \
    X(task_variance_task_null, INV, "task", return bimt_task_variance(f->m, NULL, f->buf);) \
    X(task_variance_tv_null, INV, "tv", return bimt_task_variance(f->m, f->t, NULL);) \
    X(task_variance_shape, SHP, "n_in", return bimt_task_variance(f->m_shape, f->t, f->buf);) \
    X(important_tv_null, INV, "tv", uint8_t imp[NH]; return bimt_important_neurons(NULL, BIMT_N_RULES, NH, 1e-3, imp, NULL);) \
    X(important_important_null, INV, "important", return bimt_important_neurons(f->tv, BIMT_N_RULES, NH, 1e-3, NULL, NULL);) \
    X(important_n_rules_0, INV, "n_rules", uint8_t imp[NH]; return bimt_important_neurons(f->tv, 0, NH, 1e-3, imp, NULL);) \
    X(important_n_rules_big, INV, "n_rules", uint8_t imp[NH]; return bimt_important_neurons(f->tv, BIMT_MAX_TV_ROWS + 1, NH, 1e-3, imp, NULL);) \
    X(important_n_hidden_0, INV, "n_hidden", uint8_t imp[NH]; return bimt_important_neurons(f->tv, BIMT_N_RULES, 0, 1e-3, imp, NULL);) \
    X(important_n_hidden_big, INV, "n_hidden", uint8_t imp[NH]; return bimt_important_neurons(f->tv, BIMT_N_RULES, BIMT_MAX_HIDDEN + 1, 1e-3, imp, NULL);) \
    X(important_n_hidden_max, INV, "n_hidden", uint8_t imp[NH]; return bimt_important_neurons(f->tv, UINT32_MAX, UINT32_MAX, 1e-3, imp, NULL);) \
    X(important_threshold_nan, INV, "threshold", uint8_t imp[NH]; return bimt_important_neurons(f->tv, BIMT_N_RULES, NH, NAN_, imp, NULL);) \
    X(important_threshold_neg, INV, "threshold", uint8_t imp[NH]; return bimt_important_neurons(f->tv, BIMT_N_RULES, NH, -1, imp, NULL);) \
    X(important_threshold_inf, INV, "threshold", uint8_t imp[NH]; return bimt_important_neurons(f->tv, BIMT_N_RULES, NH, INF_, imp, NULL);) \
    X(important_tv_neg, INV, "tv[", IMPN(tv[5] = -1)) \
    X(important_tv_nan, INV, "tv[", IMPN(tv[6] = (float)NAN)) \
    X(important_tv_inf, INV, "tv[", IMPN(tv[7] = (float)INFINITY)) \
    X(normalize_tv_null, INV, "tv", return bimt_normalize_task_variance(NULL, BIMT_N_RULES, NH, 1e-3, 0, f->buf);) \
    X(normalize_ntv_null, INV, "ntv", return bimt_normalize_task_variance(f->tv, BIMT_N_RULES, NH, 1e-3, 0, NULL);) \
    X(normalize_n_rules_0, INV, "n_rules", return bimt_normalize_task_variance(f->tv, 0, NH, 1e-3, 0, f->buf);) \
    X(normalize_n_rules_big, INV, "n_rules", return bimt_normalize_task_variance(f->tv, BIMT_MAX_TV_ROWS + 1, NH, 1e-3, 0, f->buf);) \
    X(normalize_n_hidden_0, INV, "n_hidden", return bimt_normalize_task_variance(f->tv, BIMT_N_RULES, 0, 1e-3, 0, f->buf);) \
    X(normalize_n_hidden_big, INV, "n_hidden", return bimt_normalize_task_variance(f->tv, BIMT_N_RULES, BIMT_MAX_HIDDEN + 1, 1e-3, 0, f->buf);) \
    X(normalize_threshold_nan, INV, "threshold", return bimt_normalize_task_variance(f->tv, BIMT_N_RULES, NH, NAN_, 0, f->buf);) \
    X(normalize_threshold_neg, INV, "threshold", return bimt_normalize_task_variance(f->tv, BIMT_N_RULES, NH, -1, 0, f->buf);) \
    X(normalize_by_sum_2, INV, "by_sum", NORM(by_sum = 2)) \
    X(normalize_tv_nan, INV, "tv[", NORM(tv[0] = (float)NAN)) \
    X(cluster_tv_null, INV, "tv", int32_t lab[NH]; return bimt_cluster_task_variance(NULL, BIMT_N_RULES, NH, NULL, lab, NULL, NULL);) \
    X(cluster_labels_null, INV, "labels", return bimt_cluster_task_variance(f->tv, BIMT_N_RULES, NH, NULL, NULL, NULL, NULL);) \
    X(cluster_n_rules_0, INV, "n_rules", int32_t lab[NH]; return bimt_cluster_task_variance(f->tv, 0, NH, NULL, lab, NULL, NULL);) \
    X(cluster_n_rules_big, INV, "n_rules", int32_t lab[NH]; return bimt_cluster_task_variance(f->tv, BIMT_MAX_TV_ROWS + 1, NH, NULL, lab, NULL, NULL);) \
    X(cluster_n_hidden_0, INV, "n_hidden", int32_t lab[NH]; return bimt_cluster_task_variance(f->tv, BIMT_N_RULES, 0, NULL, lab, NULL, NULL);) \
    X(cluster_n_hidden_big, INV, "n_hidden", int32_t lab[NH]; return bimt_cluster_task_variance(f->tv, BIMT_N_RULES, BIMT_MAX_HIDDEN + 1, NULL, lab, NULL, NULL);) \
    X(cluster_struct_size_0, VER, "struct_size", CLUS(p.struct_size = 0)) \
    X(cluster_struct_size_big, VER, "struct_size", CLUS(p.struct_size = (uint32_t)sizeof p + 8)) \
    X(cluster_threshold_nan, INV, "importance_threshold", CLUS(p.importance_threshold = NAN_)) \
    X(cluster_threshold_neg, INV, "importance_threshold", CLUS(p.importance_threshold = -1)) \
    X(cluster_threshold_inf, INV, "importance_threshold", CLUS(p.importance_threshold = INF_)) \
    X(cluster_k_min_1, INV, "k_min", CLUS(p.k_min = 1)) \
    X(cluster_k_max_below_k_min, INV, "k_max", CLUS(p.k_min = 5; p.k_max = 4)) \
    X(cluster_k_max_big, INV, "k_max", CLUS(p.k_max = BIMT_MAX_HIDDEN + 1)) \
    X(cluster_n_restarts_0, INV, "n_restarts", CLUS(p.n_restarts = 0)) \
    X(cluster_n_restarts_big, INV, "n_restarts", CLUS(p.n_restarts = BIMT_MAX_RESTARTS + 1)) \
    X(cluster_max_iter_0, INV, "max_iter", CLUS(p.max_iter = 0)) \
    X(cluster_max_iter_big, INV, "max_iter", CLUS(p.max_iter = BIMT_MAX_ITER + 1)) \
    X(cluster_tol_nan, INV, "tol", CLUS(p.tol = NAN_)) \
    X(cluster_tol_neg, INV, "tol", CLUS(p.tol = -1)) \
    X(cluster_tol_inf, INV, "tol", CLUS(p.tol = INF_)) \
    X(cluster_normalize_by_sum_2, INV, "normalize_by_sum", CLUS(p.normalize_by_sum = 2)) \
    X(anatomy_model_null, INV, "model", bimt_anatomy a; a.struct_size = (uint32_t)sizeof a; return bimt_anatomy_metrics(NULL, f->labels, 10, 1, &a, NULL, NULL);) \
    X(anatomy_labels_null, INV, "labels", bimt_anatomy a; a.struct_size = (uint32_t)sizeof a; return bimt_anatomy_metrics(f->m, NULL, 10, 1, &a, NULL, NULL);) \
    X(anatomy_out_null, INV, "out", return bimt_anatomy_metrics(f->m, f->labels, 10, 1, NULL, NULL, NULL);) \
    X(anatomy_struct_size_0, VER, "struct_size", ANAT(a.struct_size = 0)) \
    X(anatomy_label_big, INV, "labels[", ANAT(lab[2] = NH)) \
    X(anatomy_label_neg, INV, "labels[", ANAT(lab[3] = -2)) \
    X(anatomy_n_shuffles_big, INV, "n_shuffles", ANAT(n_shuffles = BIMT_MAX_SHUFFLES + 1)) \
    X(anatomy_n_shuffles_max, INV, "n_shuffles", ANAT(n_shuffles = UINT32_MAX)) \
    X(centrality_model_null, INV, "model", bimt_centrality c; c.struct_size = (uint32_t)sizeof c; return bimt_centrality_metrics(NULL, f->imp, 10, 1, &c, NULL);) \
    X(centrality_important_null, INV, "important", bimt_centrality c; c.struct_size = (uint32_t)sizeof c; return bimt_centrality_metrics(f->m, NULL, 10, 1, &c, NULL);) \
    X(centrality_out_null, INV, "out", return bimt_centrality_metrics(f->m, f->imp, 10, 1, NULL, NULL);) \
    X(centrality_struct_size_0, VER, "struct_size", CENT(c.struct_size = 0)) \
    X(centrality_n_shuffles_big, INV, "n_shuffles", CENT(n_shuffles = BIMT_MAX_SHUFFLES + 1)) \
    X(wiring_model_null, INV, "model", bimt_wiring w; w.struct_size = (uint32_t)sizeof w; return bimt_wiring_stats(NULL, NULL, 1e-3, 0.01, &w);) \
    X(wiring_out_null, INV, "out", return bimt_wiring_stats(f->m, NULL, 1e-3, 0.01, NULL);) \
    X(wiring_struct_size_0, VER, "struct_size", WIRE(NULL, 1e-3, 0.01, w.struct_size = 0)) \
    X(wiring_weight_threshold_nan, INV, "weight_threshold", WIRE(NULL, 1e-3, NAN_, (void)0)) \
    X(wiring_weight_threshold_neg, INV, "weight_threshold", WIRE(NULL, 1e-3, -1, (void)0)) \
    X(wiring_weight_threshold_inf, INV, "weight_threshold", WIRE(NULL, 1e-3, INF_, (void)0)) \
    X(wiring_importance_threshold_nan, INV, "threshold", WIRE(f->tv, NAN_, 0.01, (void)0)) \
    X(wiring_importance_threshold_neg, INV, "threshold", WIRE(f->tv, -1, 0.01, (void)0)) \
    X(profile_model_null, INV, "model", return bimt_weight_distance_profile(NULL, 4, f->d, NULL);) \
    X(profile_mean_abs_w_null, INV, "mean_abs_w", return bimt_weight_distance_profile(f->m, 4, NULL, NULL);) \
    X(profile_n_bins_0, INV, "n_bins", return bimt_weight_distance_profile(f->m, 0, f->d, NULL);) \
    X(profile_n_bins_big, INV, "n_bins", return bimt_weight_distance_profile(f->m, (size_t)BIMT_MAX_BINS + 1, f->d, NULL);) \
    X(profile_n_bins_max, INV, "n_bins", return bimt_weight_distance_profile(f->m, SIZE_MAX, f->d, NULL);) \
    /* graph.h */ \
    X(graph_threshold_w_null, INV, "w", uint32_t nodes[2] = {0, 1}; uint8_t adj[4]; return bimt_graph_threshold(NULL, 4, nodes, 2, 0.5, adj, NULL);) \
    X(graph_threshold_nodes_null, INV, "nodes", THR(return bimt_graph_threshold(w, n, NULL, n_nodes, prop, adj, NULL))) \
    X(graph_threshold_adj_null, INV, "adj", THR(return bimt_graph_threshold(w, n, nodes, n_nodes, prop, NULL, NULL))) \
    X(graph_threshold_n_0, INV, "n", THR(n = 0)) \
    X(graph_threshold_n_big, INV, "n", THR(n = BIMT_MAX_HIDDEN + 1)) \
    X(graph_threshold_n_nodes_big, INV, "n_nodes", THR(n_nodes = BIMT_GRAPH_MAX_NODES + 1)) \
    X(graph_threshold_node_out_of_range, INV, "nodes[", THR(nodes[2] = 4)) \
    X(graph_threshold_node_repeated, INV, "nodes[", THR(nodes[3] = 1)) \
    X(graph_threshold_w_nan, INV, "w[", THR(w[6] = (float)NAN)) \
    X(graph_threshold_w_inf, INV, "w[", THR(w[7] = (float)INFINITY)) \
    X(graph_threshold_prop_0, INV, "threshold_proportion", THR(prop = 0)) \
    X(graph_threshold_prop_big, INV, "threshold_proportion", THR(prop = 1.5)) \
    X(graph_threshold_prop_nan, INV, "threshold_proportion", THR(prop = NAN_)) \
    X(graph_threshold_prop_neg, INV, "threshold_proportion", THR(prop = -0.1)) \
    X(graph_analyze_adj_null, INV, "adj", GRAPHP(return bimt_graph_analyze(NULL, 4, &p, NULL, &g))) \
    X(graph_analyze_out_null, INV, "out", GRAPHP(return bimt_graph_analyze(adj, 4, &p, NULL, NULL))) \
    X(graph_analyze_n_big, INV, "n", GRAPHP(return bimt_graph_analyze(adj, BIMT_GRAPH_MAX_NODES + 1, &p, NULL, &g))) \
    X(graph_analyze_entry_2, INV, "adj[", GRAPHP(adj[1] = adj[4] = 2)) \
    X(graph_analyze_asymmetric, INV, "adj[", GRAPHP(adj[2] = 1)) \
    X(graph_analyze_diagonal, INV, "adj[", GRAPHP(adj[5] = 1)) \
    X(graph_analyze_struct_size_0, VER, "struct_size", GRAPHP(p.struct_size = 0)) \
    X(graph_analyze_struct_size_big, VER, "struct_size", GRAPHP(p.struct_size = (uint32_t)sizeof p + 8)) \
    X(graph_analyze_n_null_big, INV, "n_null", GRAPHP(p.n_null = BIMT_GRAPH_MAX_NULL + 1)) \
    X(model_graph_model_null, INV, "model", MGRAPH(return bimt_model_graph_metrics(NULL, f->imp, &p, NULL, &g))) \
    X(model_graph_important_null, INV, "important", MGRAPH(return bimt_model_graph_metrics(f->m, NULL, &p, NULL, &g))) \
    X(model_graph_out_null, INV, "out", MGRAPH(return bimt_model_graph_metrics(f->m, f->imp, &p, NULL, NULL))) \
    X(model_graph_prop_0, INV, "threshold_proportion", MGRAPH(p.threshold_proportion = 0)) \
    X(model_graph_prop_nan, INV, "threshold_proportion", MGRAPH(p.threshold_proportion = NAN_)) \
    X(model_graph_prop_big, INV, "threshold_proportion", MGRAPH(p.threshold_proportion = 2)) \
    X(model_graph_n_null_big, INV, "n_null", MGRAPH(p.n_null = BIMT_GRAPH_MAX_NULL + 1)) \
    X(model_graph_struct_size_0, VER, "struct_size", MGRAPH(p.struct_size = 0)) \
    /* lesion.h */ \
    X(lesion_model_null, INV, "model", LES(return bimt_lesion_clusters(NULL, f->t, lab, n_clusters, &p, f->d, f->d + 32))) \
    X(lesion_task_null, INV, "task", LES(return bimt_lesion_clusters(f->m, NULL, lab, n_clusters, &p, f->d, f->d + 32))) \
    X(lesion_labels_null, INV, "labels", LES(return bimt_lesion_clusters(f->m, f->t, NULL, n_clusters, &p, f->d, f->d + 32))) \
    X(lesion_baseline_null, INV, "baseline", LES(return bimt_lesion_clusters(f->m, f->t, lab, n_clusters, &p, NULL, f->d + 32))) \
    X(lesion_perf_null, INV, "perf", LES(return bimt_lesion_clusters(f->m, f->t, lab, n_clusters, &p, f->d, NULL))) \
    X(lesion_n_clusters_big, INV, "n_clusters", LES(n_clusters = NH + 1)) \
    X(lesion_label_big, INV, "labels[", LES(lab[4] = 3)) \
    X(lesion_label_neg, INV, "labels[", LES(lab[4] = -2)) \
    X(lesion_trials_0, INV, "trials_per_rule", LES(p.trials_per_rule = 0)) \
    X(lesion_trials_big, INV, "trials_per_rule", LES(p.trials_per_rule = BIMT_LESION_MAX_TRIALS + 1)) \
    X(lesion_struct_size_0, VER, "struct_size", LES(p.struct_size = 0)) \
    X(lesion_struct_size_big, VER, "struct_size", LES(p.struct_size = (uint32_t)sizeof p + 8)) \
    X(lesion_shape, SHP, "n_in", LES(return bimt_lesion_clusters(f->m_shape, f->t, lab, n_clusters, &p, f->d, f->d + 32))) \
    /* plot.h */ \
    X(plot_network_model_null, INV, "model", return bimt_plot_network(NULL, NULL, 0, f->path);) \
    X(plot_network_path_null, INV, "path", return bimt_plot_network(f->m, NULL, 0, NULL);) \
    X(plot_network_threshold_nan, INV, "threshold", return bimt_plot_network(f->m, NULL, NAN_, f->path);) \
    X(plot_network_label_big, INV, "labels[", int32_t lab[NH]; memcpy(lab, f->labels, sizeof lab); lab[1] = NH; return bimt_plot_network(f->m, lab, 0, f->path);) \
    X(plot_network_label_neg, INV, "labels[", int32_t lab[NH]; memcpy(lab, f->labels, sizeof lab); lab[1] = -5; return bimt_plot_network(f->m, lab, 0, f->path);) \
    X(plot_network_no_folder, BIMT_E_IO, "no/such", return bimt_plot_network(f->m, NULL, 0, f->missing);) \
    X(plot_task_variance_ntv_null, INV, "ntv", return bimt_plot_task_variance(NULL, BIMT_N_RULES, NH, NULL, f->path);) \
    X(plot_task_variance_path_null, INV, "path", return bimt_plot_task_variance(f->ntv, BIMT_N_RULES, NH, NULL, NULL);) \
    X(plot_task_variance_n_rules_0, INV, "n_rules", PTV(0, NH, (void)0)) \
    X(plot_task_variance_n_rules_65, INV, "n_rules", PTV(BIMT_PLOT_MAX_RULES + 1, NH, (void)0)) \
    X(plot_task_variance_n_hidden_0, INV, "n_hidden", PTV(BIMT_N_RULES, 0, (void)0)) \
    X(plot_task_variance_n_hidden_big, INV, "n_hidden", PTV(BIMT_N_RULES, BIMT_MAX_HIDDEN + 1, (void)0)) \
    X(plot_task_variance_value_neg, INV, "ntv[", PTV(BIMT_N_RULES, NH, ntv[3] = -0.5f)) \
    X(plot_task_variance_value_nan, INV, "ntv[", PTV(BIMT_N_RULES, NH, ntv[3] = (float)NAN)) \
    X(plot_task_variance_label_big, INV, "labels[", PTV(BIMT_N_RULES, NH, lab[0] = NH)) \
    X(plot_clusters_model_null, INV, "model", return bimt_plot_clusters_grid(NULL, f->labels, NULL, 0, f->path);) \
    X(plot_clusters_labels_null, INV, "labels", return bimt_plot_clusters_grid(f->m, NULL, NULL, 0, f->path);) \
    X(plot_clusters_path_null, INV, "path", return bimt_plot_clusters_grid(f->m, f->labels, NULL, 0, NULL);) \
    X(plot_clusters_label_big, INV, "labels[", int32_t lab[NH]; memcpy(lab, f->labels, sizeof lab); lab[8] = NH; return bimt_plot_clusters_grid(f->m, lab, NULL, 0, f->path);) \
    X(plot_clusters_n_rules_0, INV, "n_rules", return bimt_plot_clusters_grid(f->m, f->labels, f->ntv, 0, f->path);) \
    X(plot_clusters_n_rules_65, INV, "n_rules", return bimt_plot_clusters_grid(f->m, f->labels, f->ntv, BIMT_PLOT_MAX_RULES + 1, f->path);) \
    X(plot_clusters_ntv_nan, INV, "ntv[", float ntv[BIMT_N_RULES * NH]; memcpy(ntv, f->ntv, sizeof ntv); ntv[2] = (float)NAN; return bimt_plot_clusters_grid(f->m, f->labels, ntv, BIMT_N_RULES, f->path);) \
    X(plot_performance_perf_null, INV, "perf", return bimt_plot_performance(NULL, 0.9, f->path);) \
    X(plot_performance_path_null, INV, "path", PERF(0.9, return bimt_plot_performance(perf, 0.9, NULL))) \
    X(plot_performance_value_nan, INV, "perf[", PERF(0.9, perf[2] = NAN_)) \
    X(plot_performance_value_big, INV, "perf[", PERF(0.9, perf[2] = 1.5)) \
    X(plot_performance_target_neg, INV, "target", PERF(-0.1, (void)0)) \
    X(plot_performance_target_big, INV, "target", PERF(1.5, (void)0)) \
    X(plot_performance_target_nan, INV, "target", PERF(NAN_, (void)0)) \
    X(plot_importance_model_null, INV, "model", return bimt_plot_importance_grid(NULL, f->tv, BIMT_N_RULES, 1e-3, f->path);) \
    X(plot_importance_tv_null, INV, "tv", return bimt_plot_importance_grid(f->m, NULL, BIMT_N_RULES, 1e-3, f->path);) \
    X(plot_importance_path_null, INV, "path", return bimt_plot_importance_grid(f->m, f->tv, BIMT_N_RULES, 1e-3, NULL);) \
    X(plot_importance_n_rules_0, INV, "n_rules", return bimt_plot_importance_grid(f->m, f->tv, 0, 1e-3, f->path);) \
    X(plot_importance_n_rules_big, INV, "n_rules", return bimt_plot_importance_grid(f->m, f->tv, BIMT_MAX_TV_ROWS + 1, 1e-3, f->path);) \
    X(plot_importance_threshold_0, INV, "threshold", return bimt_plot_importance_grid(f->m, f->tv, BIMT_N_RULES, 0, f->path);) \
    X(plot_importance_threshold_nan, INV, "threshold", return bimt_plot_importance_grid(f->m, f->tv, BIMT_N_RULES, NAN_, f->path);) \
    X(plot_importance_threshold_inf, INV, "threshold", return bimt_plot_importance_grid(f->m, f->tv, BIMT_N_RULES, INF_, f->path);) \
    X(plot_importance_tv_neg, INV, "tv[", float tv[BIMT_N_RULES * NH]; memcpy(tv, f->tv, sizeof tv); tv[9] = -1; return bimt_plot_importance_grid(f->m, tv, BIMT_N_RULES, 1e-3, f->path);) \
    X(plot_weight_distance_mean_null, INV, "mean_abs_w", return bimt_plot_weight_distance(NULL, NULL, 4, 3, f->path);) \
    X(plot_weight_distance_path_null, INV, "path", PWD(4, 3, return bimt_plot_weight_distance(mw, NULL, 4, 3, NULL))) \
    X(plot_weight_distance_n_bins_0, INV, "n_bins", PWD(0, 3, (void)0)) \
    X(plot_weight_distance_n_bins_big, INV, "n_bins", PWD((size_t)BIMT_MAX_BINS + 1, 3, (void)0)) \
    X(plot_weight_distance_grid_side_0, INV, "grid_side", PWD(4, 0, (void)0)) \
    X(plot_weight_distance_grid_side_big, INV, "grid_side", PWD(4, BIMT_MAX_GRID_SIDE + 1, (void)0)) \
    X(plot_weight_distance_value_neg, INV, "mean_abs_w[", PWD(4, 3, mw[1] = -1)) \
    X(plot_weight_distance_value_nan, INV, "mean_abs_w[", PWD(4, 3, mw[1] = NAN_)) \
    X(plot_null_observed_nan, INV, "observed", PNULL(NAN_, 4, (void)0)) \
    X(plot_null_observed_inf, INV, "observed", PNULL(INF_, 4, (void)0)) \
    X(plot_null_samples_null, INV, "null_samples", return bimt_plot_null(0.2, NULL, 4, -1, "t", "x", f->path);) \
    X(plot_null_sample_nan, INV, "null_samples[", PNULL(0.2, 4, s[1] = NAN_)) \
    X(plot_null_n_big, INV, "n", PNULL(0.2, (size_t)BIMT_MAX_SHUFFLES + 1, (void)0)) \
    X(plot_null_p_value_nan, INV, "p_value", return bimt_plot_null(0.2, f->d, 0, NAN_, "t", "x", f->path);) \
    X(plot_null_path_null, INV, "path", PNULL(0.2, 4, return bimt_plot_null(0.2, s, 4, -1, "t", "x", NULL))) \
    /* report.h */ \
    X(report_dir_null, INV, "dir", return bimt_report_write(NULL, f->m, f->t, NULL, NULL, 10);) \
    X(report_dir_empty, INV, "dir", return bimt_report_write("", f->m, f->t, NULL, NULL, 10);) \
    X(report_model_null, INV, "model", return bimt_report_write(f->dir, NULL, f->t, NULL, NULL, 10);) \
    X(report_task_null, INV, "task", return bimt_report_write(f->dir, f->m, NULL, NULL, NULL, 10);) \
    X(report_n_shuffles_big, INV, "n_shuffles", return bimt_report_write(f->dir, f->m, f->t, NULL, NULL, BIMT_MAX_SHUFFLES + 1);) \
    X(report_cp_struct_size_0, VER, "struct_size", bimt_cluster_params cp; bimt_cluster_params_init(&cp); cp.struct_size = 0; return bimt_report_write(f->dir, f->m, f->t, NULL, &cp, 10);) \
    X(report_cp_n_restarts_0, INV, "n_restarts", bimt_cluster_params cp; bimt_cluster_params_init(&cp); cp.n_restarts = 0; return bimt_report_write(f->dir, f->m, f->t, NULL, &cp, 10);) \
    X(report_trainer_of_other_model, INV, "tr", return bimt_report_write(f->dir, f->m_ce, f->t, f->tr, NULL, 10);) \
    X(report_shape, SHP, "n_in", return bimt_report_write(f->dir, f->m_shape, f->t, NULL, NULL, 10);) \
    /* sweep.h */ \
    X(sweep_read_metrics_path_null, INV, "path", bimt_sweep_metrics m; bimt_sweep_metrics_init(&m); return bimt_sweep_read_metrics(NULL, &m, NULL, 0);) \
    X(sweep_read_metrics_out_null, INV, "out", return bimt_sweep_read_metrics(f->garbage, NULL, NULL, 0);) \
    X(sweep_read_metrics_struct_size_0, VER, "struct_size", bimt_sweep_metrics m; bimt_sweep_metrics_init(&m); m.struct_size = 0; return bimt_sweep_read_metrics(f->garbage, &m, NULL, 0);) \
    X(sweep_read_metrics_missing, BIMT_E_IO, "no/such", bimt_sweep_metrics m; bimt_sweep_metrics_init(&m); return bimt_sweep_read_metrics(f->missing, &m, NULL, 0);) \
    X(sweep_read_metrics_garbage, BIMT_E_FORMAT, "garbage", bimt_sweep_metrics m; bimt_sweep_metrics_init(&m); return bimt_sweep_read_metrics(f->garbage, &m, NULL, 0);) \
    X(sweep_create_out_null, INV, "out", return bimt_sweep_create(NULL);) \
    X(sweep_add_run_sw_null, INV, "sw", RUN(return bimt_sweep_add_run(NULL, &r))) \
    X(sweep_add_run_run_null, INV, "run", return bimt_sweep_add_run(f->sw, NULL);) \
    X(sweep_add_run_struct_size_0, VER, "struct_size", RUN(r.struct_size = 0)) \
    X(sweep_add_run_id_null, INV, "id", RUN(r.id = NULL)) \
    X(sweep_add_run_id_empty, INV, "id", RUN(r.id = "")) \
    X(sweep_add_run_id_duplicate, INV, "r0", RUN(r.id = "r0")) \
    X(sweep_add_run_arm_3, INV, "arm", RUN(r.arm = 3)) \
    X(sweep_add_run_arm_neg, INV, "arm", RUN(r.arm = -1)) \
    X(sweep_add_run_status_3, INV, "status", RUN(r.status = 3)) \
    X(sweep_add_run_lambda_neg, INV, "lambda", RUN(r.lambda = -1)) \
    X(sweep_add_run_lambda_inf, INV, "lambda", RUN(r.lambda = INF_)) \
    X(sweep_add_run_A_neg, INV, "A", RUN(r.A = -1)) \
    X(sweep_add_run_elapsed_neg, INV, "elapsed_s", RUN(r.elapsed_s = -1)) \
    X(sweep_add_run_ok_no_metrics, INV, "metrics", RUN(r.status = BIMT_SWEEP_OK)) \
    X(sweep_add_run_metrics_struct_size_0, VER, "struct_size", bimt_sweep_metrics m; bimt_sweep_metrics_init(&m); m.struct_size = 0; RUN(r.status = BIMT_SWEEP_OK; r.metrics = &m)) \
    X(sweep_add_run_args_null, INV, "args", RUN(r.n_args = 2)) \
    X(sweep_add_run_n_args_big, INV, "n_args", const char *a[1] = {"x"}; RUN(r.args = a; r.n_args = (size_t)BIMT_SWEEP_MAX_ARGS + 1)) \
    X(sweep_add_run_settings_null, INV, "setting", RUN(r.n_settings = 1)) \
    X(sweep_add_run_n_settings_big, INV, "n_settings", const char *k[1] = {"x"}; RUN(r.setting_keys = r.setting_values = k; r.n_settings = (size_t)BIMT_SWEEP_MAX_ARGS + 1)) \
    X(sweep_pareto_cost_null, INV, "cost", uint8_t on[3]; return bimt_sweep_pareto_front(NULL, f->d, 3, on, NULL);) \
    X(sweep_pareto_error_null, INV, "error", uint8_t on[3]; return bimt_sweep_pareto_front(f->d, NULL, 3, on, NULL);) \
    X(sweep_pareto_on_front_null, INV, "on_front", return bimt_sweep_pareto_front(f->d, f->d, 3, NULL, NULL);) \
    X(sweep_pareto_n_big, INV, "n", uint8_t on[3]; return bimt_sweep_pareto_front(f->d, f->d, (size_t)BIMT_SWEEP_MAX_POINTS + 1, on, NULL);) \
    X(sweep_front_sw_null, INV, "sw", size_t n; return bimt_sweep_front(NULL, BIMT_ARM_BIMT, BIMT_SWEEP_AXIS_NEURONS, NULL, 0, &n);) \
    X(sweep_front_n_front_null, INV, "n_front", return bimt_sweep_front(f->sw, BIMT_ARM_BIMT, BIMT_SWEEP_AXIS_NEURONS, NULL, 0, NULL);) \
    X(sweep_front_arm_3, INV, "arm", size_t n; return bimt_sweep_front(f->sw, 3, BIMT_SWEEP_AXIS_NEURONS, NULL, 0, &n);) \
    X(sweep_front_axis_2, INV, "axis", size_t n; return bimt_sweep_front(f->sw, BIMT_ARM_BIMT, 2, NULL, 0, &n);) \
    X(sweep_front_idx_null, INV, "idx", size_t n; return bimt_sweep_front(f->sw, BIMT_ARM_BIMT, BIMT_SWEEP_AXIS_NEURONS, NULL, 4, &n);) \
    X(sweep_t_quantile_p_0, INV, "p (0)", return isnan(bimt_sweep_t_quantile(0, 4)) ? INV : 0;) \
    X(sweep_t_quantile_p_1, INV, "p (1)", return isnan(bimt_sweep_t_quantile(1, 4)) ? INV : 0;) \
    X(sweep_t_quantile_p_nan, INV, "p (nan)", return isnan(bimt_sweep_t_quantile(NAN_, 4)) ? INV : 0;) \
    X(sweep_t_quantile_df_0, INV, "df (0)", return isnan(bimt_sweep_t_quantile(0.975, 0)) ? INV : 0;) \
    X(sweep_t_quantile_df_big, INV, "df (10000001)", return isnan(bimt_sweep_t_quantile(0.975, 10000001)) ? INV : 0;) \
    X(sweep_mean_ci_out_null, INV, "out", double x[1] = {1}; return bimt_sweep_mean_ci(x, 1, 0.95, NULL);) \
    X(sweep_mean_ci_x_null, INV, "x", CI(return bimt_sweep_mean_ci(NULL, n_x, level, &ci))) \
    X(sweep_mean_ci_n_x_big, INV, "n_x", CI(n_x = (size_t)UINT32_MAX + 1)) \
    X(sweep_mean_ci_level_0, INV, "level", CI(level = 0)) \
    X(sweep_mean_ci_level_1, INV, "level", CI(level = 1)) \
    X(sweep_mean_ci_level_nan, INV, "level", CI(level = NAN_)) \
    X(sweep_summary_sw_null, INV, "sw", SUMM(0, return bimt_sweep_summary_get(NULL, 0, &s))) \
    X(sweep_summary_out_null, INV, "out", return bimt_sweep_summary_get(f->sw, 0, NULL);) \
    X(sweep_summary_index_big, INV, "index", SUMM(1, (void)0)) \
    X(sweep_summary_struct_size_0, VER, "struct_size", SUMM(0, s.struct_size = 0)) \
    X(sweep_write_json_sw_null, INV, "sw", return bimt_sweep_write_json(NULL, f->path);) \
    X(sweep_write_json_path_null, INV, "path", return bimt_sweep_write_json(f->sw, NULL);) \
    X(sweep_write_json_no_folder, BIMT_E_IO, "no/such", return bimt_sweep_write_json(f->sw, f->missing);) \
    X(sweep_write_svg_sw_null, INV, "sw", return bimt_sweep_write_svg(NULL, BIMT_SWEEP_AXIS_NEURONS, f->path);) \
    X(sweep_write_svg_axis_2, INV, "axis", return bimt_sweep_write_svg(f->sw, 2, f->path);) \
    X(sweep_write_svg_path_null, INV, "path", return bimt_sweep_write_svg(f->sw, BIMT_SWEEP_AXIS_NEURONS, NULL);) \
    X(sweep_write_html_sw_null, INV, "sw", return bimt_sweep_write_html(NULL, f->path);) \
    X(sweep_write_html_path_null, INV, "path", return bimt_sweep_write_html(f->sw, NULL);) \
    X(sweep_write_report_sw_null, INV, "sw", return bimt_sweep_write_report(NULL, f->dir);) \
    X(sweep_write_report_dir_null, INV, "dir", return bimt_sweep_write_report(f->sw, NULL);) \
    X(sweep_write_report_dir_empty, INV, "dir", return bimt_sweep_write_report(f->sw, "");)
/* clang-format on */

CASES(BAD_DEF)
static const bad_case CASES_TABLE[] = {CASES(BAD_ROW)};

BAD_INPUTS_PROGRAM(CASES_TABLE, bad_inputs_analysis, "analysis, graph, lesion, plot, report, sweep")
