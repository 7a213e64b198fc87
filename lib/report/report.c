/* bimt_report_write(): runs the analysis of a trained model (task variance, clusters,
 * anatomical metrics against shuffled nulls, wiring statistics, |w| versus distance,
 * per-task performance), then writes the figures, metrics.json and index.html. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/plot.h"
#include "bimt/regularizer.h"
#include "bimt/report.h"
#include "analysis/analysis_internal.h"
#include "common/common.h"
#include "io/atomic_file.h"
#include "model/model_internal.h"
#include "report/plot_internal.h"
#include "train/trainer_internal.h"
#include "report/report_internal.h"
#include "report/svg.h"

const bimt__figure bimt__report_figures[BIMT__N_FIGURES] = {
    {"network.svg", "1a",
     "The hidden network on its grid: neurons coloured by functional cluster, "
     "connections red (positive) and blue (negative), thicker when stronger."},
    {"task_variance.svg", "1b",
     "Normalised task variance of the important neurons, grouped by "
     "functional cluster."},
    {"clusters.svg", "1c",
     "Functional clusters on the grid, with each cluster's preferred task; "
     "unimportant neurons grey."},
    {"performance.svg", "1d", "Performance per task, with the 0.9 reference line."},
    {"importance.svg", "1e",
     "Neuron importance (task variance summed over the 20 tasks), log "
     "scale."},
    {"weight_distance.svg", "1f", "Mean connection strength |w| versus wiring distance."},
    {"null_isolated.svg", "2b", "Fraction of isolated neurons against its shuffled null."},
    {"null_cluster_size.svg", "2b",
     "Average spatial size of the clusters against its shuffled "
     "null."},
    {"silhouette.svg", "-",
     "Mean silhouette of the clustering at each k (each k clustered "
     "alone, same seed); the chosen k marked."},
    {"anatomy_by_k.svg", "2b",
     "p-values of both anatomical tests with the clustering fixed at "
     "k = 4, 8, 12, 16 (same null, same shuffles)."},
    {"null_centrality.svg", "1e",
     "Mean distance of the important neurons to the grid centre "
     "against random placements on the grid."},
    {"graph_modules.svg", "-",
     "Modules of the thresholded recurrent graph of the important neurons (leading "
     "eigenvector, as BCT modularity_und) beside the functional clusters."},
    {"lesions.svg", "-",
     "Drop in each task's performance when one functional cluster is silenced (same trials "
     "as the unlesioned network)."},
};

const uint32_t bimt__report_by_k[BIMT__N_BY_K] = {4, 8, 12, 16};

/* The names come from the library's one table per enum (bimt_activation_name(), ...). */
static const char *or_unknown(const char *s)
{
    return s ? s : "unknown";
}
const char *bimt__activation_name(int32_t a)
{
    return or_unknown(bimt_activation_name(a));
}
const char *bimt__init_name(int32_t i)
{
    return or_unknown(bimt_init_name(i));
}
const char *bimt__loss_name(int32_t l)
{
    return or_unknown(bimt_loss_name(l));
}
const char *bimt__arm_name(int32_t a)
{
    return or_unknown(bimt_arm_name(a));
}

const char *bimt__perf_source_name(bimt__perf_source s)
{
    return s == BIMT__PERF_TRAINER_LAST    ? "trainer_last_evaluation"
           : s == BIMT__PERF_TRAINER_FRESH ? "trainer_evaluation_at_report"
                                           : "test_grid_noise_off";
}

static void report_free(bimt__report *r)
{
    bimt__free_all((void *[]){r->tv, r->ntv, r->important, r->labels, r->cluster_count,
                              r->cluster_pref, r->iso_null, r->size_null, r->centre_null,
                              r->profile, r->pairs, r->modules, r->lesion_perf},
                   13);
}

/* Per-task performance without a trainer: each enabled rule's deterministic test grid,
 * noise off (does not touch the task's random stream). */
static int perf_test_grid(bimt__report *r, bimt_model_t *model, bimt_task_t *task)
{
    for (int rule = 0; rule < BIMT_N_RULES; rule++) {
        r->perf[rule] = -1.0;
        if (!bimt_task_rule_enabled(task, rule)) continue;
        bimt_batch b;
        bimt__struct_init(&b, sizeof b); /* an output struct: the caller sets its size */
        int rc = bimt_task_sample_test(task, rule, &b);
        if (rc)
            return bimt__fail(model->errmsg, rc, "report: test grid of rule %s: %s",
                              bimt_rule_name(rule), bimt_task_errmsg(task));
        rc = bimt_model_forward(model, b.x, b.n_steps, b.batch_size, 0);
        if (rc) return rc; /* message already in the model */
        const float *o = NULL;
        rc = bimt_model_outputs(model, &o);
        if (rc) return rc;
        double mean = 0.0;
        rc = bimt_task_performance(&b, o, r->tp.loss, NULL, &mean);
        if (rc)
            return bimt__fail(model->errmsg, rc, "report: performance of rule %s failed",
                              bimt_rule_name(rule));
        r->perf[rule] = mean;
    }
    r->perf_source = BIMT__PERF_TEST_GRID;
    r->perf_trials = 0;
    return BIMT_OK;
}

static int performance(bimt__report *r, bimt_model_t *model, bimt_task_t *task, bimt_trainer_t *tr)
{
    int rc;
    if (tr) {
        rc = bimt_trainer_last_eval(tr, r->perf);
        r->perf_source = BIMT__PERF_TRAINER_LAST;
        r->perf_trials = tr->last_eval_trials; /* evaluate() may have used another count */
        if (rc == BIMT_E_STATE) {
            uint32_t n = r->trp.eval_batch ? r->trp.eval_batch : 512;
            rc = bimt_trainer_evaluate(tr, n, r->perf);
            if (rc)
                return bimt__fail(model->errmsg, rc, "report: evaluation failed: %s",
                                  bimt_trainer_errmsg(tr));
            r->perf_source = BIMT__PERF_TRAINER_FRESH;
            r->perf_trials = n;
        } else if (rc) {
            return bimt__fail(model->errmsg, rc, "report: %s", bimt_trainer_errmsg(tr));
        }
    } else {
        rc = perf_test_grid(r, model, task);
        if (rc) return rc;
    }
    double sum = 0.0, mn = (double)INFINITY;
    for (int k = 0; k < BIMT_N_RULES; k++) {
        if (r->perf[k] < 0.0 || !bimt__finite(r->perf[k])) continue;
        sum += r->perf[k];
        mn = r->perf[k] < mn ? r->perf[k] : mn;
        r->n_eval_rules++;
        r->n_at_target += r->perf[k] >= BIMT__REPORT_TARGET;
    }
    r->mean_perf = r->n_eval_rules ? sum / r->n_eval_rules : (double)NAN;
    r->min_perf = r->n_eval_rules ? mn : (double)NAN;
    return BIMT_OK;
}

/* Neurons cut off entirely: every recurrent weight in and out, input weight, output weight
 * and the bias exactly 0 (what the proximal L1 step produces; never under a subgradient). */
static uint32_t disconnected(const bimt_model_t *m)
{
    const size_t nh = m->n_h, ni = m->n_in, no = m->n_out;
    const float *W = bimt__W(m), *Win = bimt__Win(m), *Wout = bimt__Wout(m), *bh = bimt__bh(m);
    uint32_t count = 0;
    for (size_t k = 0; k < nh; k++) { /* W_rec [nh][nh], W_in [nh][n_in], W_out [n_out][nh] */
        int zero = bh[k] == 0.0f;
        for (size_t j = 0; j < nh && zero; j++)
            zero = W[k * nh + j] == 0.0f && W[j * nh + k] == 0.0f;
        for (size_t i = 0; i < ni && zero; i++)
            zero = Win[k * ni + i] == 0.0f;
        for (size_t o = 0; o < no && zero; o++)
            zero = Wout[o * nh + k] == 0.0f;
        count += (uint32_t)zero;
    }
    return count;
}

/* Diagnostics beside the fixed analysis (issue 17): the silhouette at each k, both anatomical
 * tests with the clustering fixed at k = 4, 8, 12, 16, the centrality of the important
 * neurons and the neurons cut off. The chosen clustering and its tests are untouched. */
static int diagnostics(bimt__report *r, bimt_model_t *model)
{
    char *e = model->errmsg;
    const size_t n = r->n_h;
    int32_t *lab = bimt__malloc(n, sizeof(int32_t));
    if (!lab) return bimt__fail(e, BIMT_E_NOMEM, "report: out of memory");
    bimt_cluster_params cp = r->cp;
    int rc = BIMT_OK;
    uint32_t k_hi = r->n_important > 1 ? r->n_important - 1 : 0;
    if (k_hi > r->cp.k_max) k_hi = r->cp.k_max;
    if (k_hi >= BIMT__MAX_SIL_K) k_hi = BIMT__MAX_SIL_K - 1;
    for (uint32_t k = r->cp.k_min; k <= k_hi && r->n_important >= 3 && !rc; k++) {
        cp.k_min = cp.k_max = k;
        uint32_t nc = 0;
        double s = 0.0;
        rc = bimt_cluster_task_variance(r->tv, BIMT_N_RULES, (uint32_t)n, &cp, lab, &nc, &s);
        if (!rc && nc == k) {
            r->sil_k[r->n_sil] = k;
            r->sil[r->n_sil++] = s;
        }
    }
    for (int i = 0; i < BIMT__N_BY_K && !rc && r->n_important >= 3; i++) {
        uint32_t k = bimt__report_by_k[i];
        if (k > r->n_important - 1) k = r->n_important - 1;
        if (k < 2 || (r->n_by_k > 0 && r->by_k[r->n_by_k - 1].k == k)) continue;
        cp.k_min = cp.k_max = k;
        uint32_t j = r->n_by_k;
        r->by_k[j].anat.struct_size = (uint32_t)sizeof r->by_k[j].anat;
        rc = bimt_cluster_task_variance(r->tv, BIMT_N_RULES, (uint32_t)n, &cp, lab,
                                        &r->by_k[j].n_clusters, &r->by_k[j].silhouette);
        if (!rc)
            rc = bimt_anatomy_metrics(model, lab, r->n_shuffles, r->cp.seed, &r->by_k[j].anat, NULL,
                                      NULL);
        if (!rc) r->by_k[r->n_by_k++].k = k;
    }
    r->centrality.struct_size = (uint32_t)sizeof r->centrality;
    if (!rc)
        rc = bimt_centrality_metrics(model, r->important, r->n_shuffles, r->cp.seed, &r->centrality,
                                     r->centre_null);
    free(lab);
    if (rc)
        return bimt__fail(e, rc, "report: diagnostics across k failed (%s)", bimt_status_str(rc));
    r->n_disconnected = disconnected(model);
    return BIMT_OK;
}

/* Graph metrics of the important neurons (skipped, JSON null, when they are more than a
 * graph may have) and the lesion of every functional cluster. */
static int graph_and_lesions(bimt__report *r, bimt_model_t *model, const bimt_task_t *task)
{
    char *e = model->errmsg;
    bimt_graph_params_init(&r->gp);
    r->gp.seed = r->cp.seed;
    bimt_lesion_params_init(&r->lp);
    r->lp.seed = r->cp.seed;
    r->modules = bimt__malloc(r->n_h, sizeof(int32_t));
    r->lesion_perf = bimt__malloc((size_t)r->n_clusters * BIMT_N_RULES + 1, sizeof(double));
    if (!r->modules || !r->lesion_perf) return bimt__fail(e, BIMT_E_NOMEM, "report: out of memory");
    int rc = BIMT_OK;
    if (r->n_important <= BIMT_GRAPH_MAX_NODES) {
        rc = bimt_model_graph_metrics(model, r->important, &r->gp, r->modules, &r->graph);
        if (rc) return bimt__fail(e, rc, "report: graph metrics failed: %s", bimt_last_error());
        r->have_graph = 1;
    }
    rc = bimt_lesion_clusters(model, task, r->labels, r->n_clusters, &r->lp, r->lesion_base,
                              r->lesion_perf);
    if (rc) return bimt__fail(e, rc, "report: lesions failed: %s", bimt_last_error());
    return BIMT_OK;
}

static int analyse(bimt__report *r, bimt_model_t *model, bimt_task_t *task)
{
    const size_t n = r->n_h;
    char *e = model->errmsg;
    r->tv = bimt__malloc(BIMT_N_RULES * n, sizeof(float));
    r->ntv = bimt__malloc(BIMT_N_RULES * n, sizeof(float));
    r->important = bimt__malloc(n, 1);
    r->labels = bimt__malloc(n, sizeof(int32_t));
    r->cluster_count = bimt__calloc(n, sizeof(uint32_t));
    r->cluster_pref = bimt__malloc(n, sizeof(int32_t));
    /* The grid's bins are its Manhattan distances in slots; other geometries get 20 bins. */
    r->n_bins = r->side ? 2 * r->side - 1 : 20;
    r->bin_w = bimt__profile_bin_width(model, r->n_bins);
    r->profile = bimt__calloc(r->n_bins, sizeof(double));
    r->pairs = bimt__calloc(r->n_bins, sizeof(uint64_t));
    if (r->n_shuffles) {
        r->iso_null = bimt__malloc(r->n_shuffles, sizeof(double));
        r->size_null = bimt__malloc(r->n_shuffles, sizeof(double));
        r->centre_null = bimt__malloc(r->n_shuffles, sizeof(double));
    }
    if (!r->tv || !r->ntv || !r->important || !r->labels || !r->cluster_count || !r->cluster_pref ||
        !r->profile || !r->pairs ||
        (r->n_shuffles && (!r->iso_null || !r->size_null || !r->centre_null)))
        return bimt__fail(e, BIMT_E_NOMEM, "report: out of memory");

    int rc = bimt_task_variance(model, task, r->tv);
    if (rc) return rc; /* the model holds the message */
    for (size_t i = 0; i < (size_t)BIMT_N_RULES * n; i++)
        if (!bimt__finite((double)r->tv[i]))
            return bimt__fail(e, BIMT_E_NUMERIC,
                              "report: the task variance of neuron %zu in "
                              "%s is not finite (the network's states overflow): a diverged "
                              "network cannot be analysed",
                              i % n, bimt_rule_name((int)(i / n)));
    double thr = r->cp.importance_threshold;
    rc = bimt_important_neurons(r->tv, BIMT_N_RULES, (uint32_t)n, thr, r->important,
                                &r->n_important);
    if (!rc)
        rc = bimt_normalize_task_variance(r->tv, BIMT_N_RULES, (uint32_t)n, thr,
                                          r->cp.normalize_by_sum, r->ntv);
    if (rc)
        return bimt__fail(e, rc, "report: normalising the task variance failed: %s",
                          bimt_last_error());
    rc = bimt_cluster_task_variance(r->tv, BIMT_N_RULES, (uint32_t)n, &r->cp, r->labels,
                                    &r->n_clusters, &r->silhouette);
    if (rc) return bimt__fail(e, rc, "report: clustering failed: %s", bimt_last_error());
    for (size_t c = 0; c < n; c++)
        r->cluster_pref[c] = -1;
    for (size_t k = 0; k < n; k++)
        if (r->labels[k] >= 0 && (size_t)r->labels[k] < n) r->cluster_count[r->labels[k]]++;
    for (size_t c = 0; c < n; c++) {
        if (!r->cluster_count[c]) continue;
        double best = -1.0;
        for (int rule = 0; rule < BIMT_N_RULES; rule++) {
            double s = 0.0;
            for (size_t k = 0; k < n; k++)
                if (r->labels[k] == (int32_t)c) s += (double)r->ntv[(size_t)rule * n + k];
            if (s > best) {
                best = s;
                r->cluster_pref[c] = rule;
            }
        }
    }
    r->anat.struct_size = (uint32_t)sizeof r->anat;
    r->wiring.struct_size = (uint32_t)sizeof r->wiring;
    rc = bimt_anatomy_metrics(model, r->labels, r->n_shuffles, r->cp.seed, &r->anat, r->iso_null,
                              r->size_null);
    if (rc) return bimt__fail(e, rc, "report: anatomical metrics failed (%s)", bimt_status_str(rc));
    rc = diagnostics(r, model);
    if (!rc) rc = graph_and_lesions(r, model, task);
    if (rc) return rc;
    rc = bimt_wiring_stats(model, r->tv, thr, BIMT__REPORT_WEIGHT_THRESHOLD, &r->wiring);
    if (rc) return bimt__fail(e, rc, "report: wiring statistics failed (%s)", bimt_status_str(rc));
    rc = bimt_weight_distance_profile(model, r->n_bins, r->profile, r->pairs);
    if (rc)
        return bimt__fail(e, rc, "report: |w| versus distance failed (%s)", bimt_status_str(rc));
    rc = bimt_model_distance_cost(model, 1.0, &r->distance_cost);
    if (rc) return bimt__fail(e, rc, "report: distance cost failed (%s)", bimt_status_str(rc));
    return BIMT_OK;
}

/* A small SVG saying why a figure has no content. */
static int placeholder(const char *path, const char *title, const char *why, char *e)
{
    bimt__buf b;
    bimt__buf_init(&b);
    bimt__svg_begin(&b, 720.0, 200.0, title);
    bimt__svg_heading(&b, 360.0, 40.0, title, NULL);
    bimt__svg_text(&b, 360.0, 110.0, 14.0, BIMT__MIDDLE, 0.0, 0, why);
    bimt__svg_end(&b);
    return bimt__buf_save_free(&b, path, e);
}

static int null_figure(const char *path, double obs, const double *null, uint32_t n, double p,
                       const char *title, const char *xlabel, char *e)
{
    if (!bimt__finite(obs)) return placeholder(path, title, "not defined: no clustered neurons", e);
    int ok = 1;
    for (uint32_t i = 0; i < n; i++)
        ok &= bimt__finite(null[i]);
    return bimt__plot_null(obs, ok ? null : NULL, ok ? n : 0, bimt__finite(p) ? p : -1.0, title,
                           xlabel, path, e);
}

static int silhouette_figure(const bimt__report *r, const char *path, char *e)
{
    double x[BIMT__MAX_SIL_K];
    for (uint32_t i = 0; i < r->n_sil; i++)
        x[i] = (double)r->sil_k[i];
    bimt__curve c = {x, r->sil, r->n_sil, "#3a7dc9", "mean silhouette"};
    char mark[64];
    snprintf(mark, sizeof mark, "chosen k = %u", (unsigned)r->n_clusters);
    return bimt__plot_curves(&c, 1, "Silhouette against k",
                             "each k clustered alone (same seed); the report uses the largest",
                             "k (clusters)", "mean silhouette", 0, (double)NAN, NULL,
                             r->n_sil ? (double)r->n_clusters : (double)NAN, mark, path, e);
}

static int by_k_figure(const bimt__report *r, const char *path, char *e)
{
    double x[BIMT__N_BY_K], pi[BIMT__N_BY_K], ps[BIMT__N_BY_K];
    for (uint32_t i = 0; i < r->n_by_k; i++) {
        x[i] = (double)r->by_k[i].k;
        pi[i] = r->by_k[i].anat.isolated_p;
        ps[i] = r->by_k[i].anat.size_p;
    }
    bimt__curve c[2] = {{x, pi, r->n_by_k, "#c0392b", "isolated fraction (lower than null)"},
                        {x, ps, r->n_by_k, "#3a7dc9", "cluster size (smaller than null)"}};
    return bimt__plot_curves(c, 2, "Anatomical tests across k",
                             "clustering fixed at each k, shuffles of the clustered neurons "
                             "over their own slots",
                             "k (clusters)", "p (log scale)", 1, 0.05, "p = 0.05", (double)NAN,
                             NULL, path, e);
}

static int figures(const bimt__report *r, const char *dir, char *e)
{
    size_t dl = strlen(dir);
    char *path = malloc(dl + 64);
    if (!path) return bimt__fail(e, BIMT_E_NOMEM, "report: out of memory");
    int rc = BIMT_OK;
#define FIG(i) (snprintf(path, dl + 64, "%s/%s", dir, bimt__report_figures[i].file), path)
    rc = bimt__plot_network(r->model, r->labels, BIMT__REPORT_WEIGHT_THRESHOLD, FIG(0), e);
    if (!rc) rc = bimt__plot_task_variance(r->ntv, BIMT_N_RULES, r->n_h, r->labels, FIG(1), e);
    if (!rc) rc = bimt__plot_clusters_grid(r->model, r->labels, r->ntv, BIMT_N_RULES, FIG(2), e);
    if (!rc) rc = bimt__plot_performance(r->perf, BIMT__REPORT_TARGET, FIG(3), e);
    if (!rc)
        rc = bimt__plot_importance_grid(r->model, r->tv, BIMT_N_RULES, r->cp.importance_threshold,
                                        FIG(4), e);
    if (!rc)
        rc = bimt__plot_weight_distance(r->profile, r->pairs, r->n_bins, r->side, r->bin_w, FIG(5),
                                        e);
    if (!rc)
        rc = null_figure(FIG(6), r->anat.isolated_fraction, r->iso_null, r->n_shuffles,
                         r->anat.isolated_p, "Fraction of isolated neurons",
                         "fraction of clustered neurons without a same-cluster 8-neighbour", e);
    if (!rc)
        rc = null_figure(FIG(7), r->anat.cluster_size, r->size_null, r->n_shuffles, r->anat.size_p,
                         "Average spatial size of clusters",
                         "mean distance of members to their cluster centroid (grid units / n)", e);
    if (!rc) rc = silhouette_figure(r, FIG(8), e);
    if (!rc) rc = by_k_figure(r, FIG(9), e);
    if (!rc)
        rc = null_figure(
            FIG(10), r->centrality.n_important ? r->centrality.observed : (double)NAN,
            r->centre_null, r->n_shuffles, r->centrality.p, "Centrality of the important neurons",
            "mean distance of important neurons to the grid centre (grid units / n)", e);
    if (!rc && r->have_graph) {
        char sub[200], q[BIMT__NUMBUF], tp[BIMT__NUMBUF];
        bimt__fmt_fixed(q, r->graph.modularity_q, 3);
        bimt__fmt_short(tp, r->gp.threshold_proportion);
        snprintf(sub, sizeof sub,
                 "%u modules of %u nodes, %u edges (strongest %s of pairs), Q = %s",
                 (unsigned)r->graph.n_modules, (unsigned)r->graph.n_nodes,
                 (unsigned)r->graph.n_edges, tp, q);
        rc = bimt__plot_modules_grid(r->model, r->modules, r->labels, sub, FIG(11), e);
    } else if (!rc) {
        rc = placeholder(FIG(11), "Graph modules", "not computed: too many important neurons", e);
    }
    if (!rc) rc = bimt__plot_lesions(r->lesion_base, r->lesion_perf, r->n_clusters, FIG(12), e);
#undef FIG
    free(path);
    return rc;
}

int bimt_report_write(const char *dir, bimt_model_t *model, bimt_task_t *task, bimt_trainer_t *tr,
                      const bimt_cluster_params *cp, uint32_t n_shuffles)
{
    if (!model) return bimt__err(BIMT_E_INVALID_ARG, "bimt_report_write: model is NULL");
    char *e = model->errmsg;
    if (!dir || !*dir || !task)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "bimt_report_write: %s is NULL or empty",
                          !dir || !*dir ? "dir" : "task");
    if (bimt_task_n_in(task) != model->n_in || bimt_task_n_out(task) != model->n_out)
        return bimt__fail(e, BIMT_E_SHAPE,
                          "bimt_report_write: task n_in %u and n_out %u differ from the model's "
                          "n_in %zu and n_out %zu",
                          (unsigned)bimt_task_n_in(task), (unsigned)bimt_task_n_out(task),
                          model->n_in, model->n_out);
    if (tr && (bimt_trainer_model(tr) != model || bimt_trainer_task(tr) != task))
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "bimt_report_write: the trainer was made for "
                          "another model or task");
    if (n_shuffles > 10000000u)
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "bimt_report_write: n_shuffles %u is above "
                          "10^7",
                          (unsigned)n_shuffles);
    bimt__report r;
    memset(&r, 0, sizeof r);
    bimt_cluster_params_init(&r.cp);
    int prc = bimt__params_in(&r.cp, sizeof r.cp, cp, "bimt_cluster_params");
    if (!prc) prc = bimt__cluster_params_check(&r.cp);
    if (prc) return bimt__fail(e, prc, "bimt_report_write: %s", bimt_last_error());
    r.model = model;
    r.tr = tr;
    r.n_shuffles = n_shuffles;
    r.n_h = model->n_h;
    r.side = bimt__model_is_grid(model) ? model->side : 0;
    r.mp.struct_size = (uint32_t)sizeof r.mp;
    r.tp.struct_size = (uint32_t)sizeof r.tp;
    r.trp.struct_size = (uint32_t)sizeof r.trp;
    bimt_model_get_params(model, &r.mp);
    bimt_task_get_params(task, &r.tp);
    if (tr) {
        bimt_trainer_get_params(tr, &r.trp);
        r.steps = bimt_trainer_steps(tr);
    }

    int rc = bimt__mkdir_p(dir, e);
    if (!rc) rc = analyse(&r, model, task);
    if (!rc) rc = performance(&r, model, task, tr);
    if (!rc) rc = figures(&r, dir, e);
    if (!rc) {
        size_t dl = strlen(dir);
        char *path = malloc(dl + 32);
        if (!path) {
            rc = bimt__fail(e, BIMT_E_NOMEM, "report: out of memory");
        } else {
            snprintf(path, dl + 32, "%s/metrics.json", dir);
            rc = bimt__report_json(&r, path, e);
            if (!rc) {
                snprintf(path, dl + 32, "%s/index.html", dir);
                rc = bimt__report_html(&r, dir, path, e);
            }
            free(path);
        }
    }
    report_free(&r);
    return rc;
}
