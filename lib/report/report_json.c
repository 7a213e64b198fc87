/* metrics.json of the report, through the JSON writer of io/json_write.h (escaped strings,
 * shortest round-trip numbers in the C locale, null for non-finite numbers). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bimt/status.h"
#include "common/common.h"
#include "report/report_internal.h"
#include "io/json_write.h"
#include "report/svg.h"

/* Shorthands of the JSON writer for the many members below. */
typedef bimt__json json;
#define obj(j, key) bimt__json_open(j, key, '{', 0)
#define obj_end(j) bimt__json_close(j, '}')
#define arr(j, key, flat) bimt__json_open(j, key, '[', flat)
#define arr_end(j) bimt__json_close(j, ']')
#define num bimt__json_num
#define uint_ bimt__json_uint
#define int_ bimt__json_int
#define str bimt__json_str
#define null_ bimt__json_null

/* ------------------------------------------------------------------ metrics */

/* The parameters in metrics.json's "config", in file order (the members between the
 * tables are written in config_json). */
typedef bimt_model_params mp_t;
typedef bimt_task_params tp_t;
typedef bimt_trainer_params trp_t;
typedef bimt_cluster_params cp_t;
static const bimt__json_field MODEL_FIELDS[] = {
    BIMT__JF(UINT, mp_t, n_in),
    BIMT__JF(UINT, mp_t, n_out),
    BIMT__JF_NAMED("activation", mp_t, activation, bimt__activation_name),
    BIMT__JF(NUM, mp_t, alpha),
    BIMT__JF(NUM, mp_t, sigma_rec),
    BIMT__JF_NAMED("init", mp_t, init, bimt__init_name),
    BIMT__JF(NUM, mp_t, init_scale),
    BIMT__JF_NAMED("loss", mp_t, loss, bimt__loss_name),
    BIMT__JF(UINT, mp_t, seed),
    BIMT__JF_NAMED("io_layout", mp_t, io_layout, bimt_io_layout_name),
};
static const bimt__json_field TASK_FIELDS[] = {
    BIMT__JF(UINT, tp_t, n_eachring), BIMT__JF(NUM, tp_t, dt_ms),      BIMT__JF(NUM, tp_t, tau_ms),
    BIMT__JF(NUM, tp_t, sigma_x),     BIMT__JF(UINT, tp_t, rule_mask),
};
static const bimt__json_field TASK_FIELDS2[] = {
    BIMT__JF_NAMED("loss", tp_t, loss, bimt__loss_name),
    BIMT__JF(UINT, tp_t, input_noise),
    BIMT__JF(UINT, tp_t, easy_task),
    BIMT__JF(UINT, tp_t, seed),
};
static const bimt__json_field TRAINER_FIELDS[] = {
    BIMT__JF_NAMED("arm", trp_t, arm, bimt__arm_name),
    BIMT__JF(UINT, trp_t, batch_size),
    BIMT__JF(NUM, trp_t, learning_rate),
    BIMT__JF(NUM, trp_t, beta1),
    BIMT__JF(NUM, trp_t, beta2),
    BIMT__JF(NUM, trp_t, eps),
    BIMT__JF(NUM, trp_t, grad_clip),
    BIMT__JF(NUM, trp_t, lambda),
    BIMT__JF(NUM, trp_t, A),
};
static const bimt__json_field TRAINER_FIELDS2[] = {
    BIMT__JF(UINT, trp_t, swap_interval),
    BIMT__JF(UINT, trp_t, swap_top_k),
    BIMT__JF(UINT, trp_t, eval_interval),
    BIMT__JF(UINT, trp_t, eval_batch),
};
static const bimt__json_field TRAINER_FIELDS3[] = {
    BIMT__JF(UINT, trp_t, recurrent_noise),
    BIMT__JF(UINT, trp_t, l1_proximal),
    BIMT__JF(UINT, trp_t, seed),
};
static const bimt__json_field ANALYSIS_FIELDS[] = {
    BIMT__JF(NUM, cp_t, importance_threshold),
    BIMT__JF(UINT, cp_t, k_min),
    BIMT__JF(UINT, cp_t, k_max),
    BIMT__JF(UINT, cp_t, n_restarts),
    BIMT__JF(UINT, cp_t, max_iter),
    BIMT__JF(NUM, cp_t, tol),
};

static void config_json(json *j, const bimt__report *r)
{
    obj(j, "config");
    obj(j, "model");
    uint_(j, "grid_side", r->mp.grid_side);
    uint_(j, "n_hidden", r->n_h);
    bimt__json_fields(j, &r->mp, MODEL_FIELDS, BIMT__N_OF(MODEL_FIELDS));
    if (!r->side) { /* not the default grid: the geometry (the default's keys stay as they were) */
        const size_t dim = bimt_model_dim(r->model);
        const double *pos = bimt_model_positions(r->model);
        str(j, "distance", bimt_distance_name((int32_t)r->mp.distance));
        uint_(j, "dim", dim);
        if (r->mp.positions) { /* caller positions, slot by slot */
            arr(j, "positions", 0);
            for (size_t s = 0; s < r->n_h; s++) {
                arr(j, NULL, 1);
                for (size_t d = 0; d < dim; d++)
                    num(j, NULL, pos[s * dim + d]);
                arr_end(j);
            }
            arr_end(j);
        }
    }
    obj_end(j);

    obj(j, "task");
    bimt__json_fields(j, &r->tp, TASK_FIELDS, BIMT__N_OF(TASK_FIELDS));
    arr(j, "rules_enabled", 1);
    for (int k = 0; k < BIMT_N_RULES; k++)
        if (r->tp.rule_mask == 0 || (r->tp.rule_mask >> k) & 1u) str(j, NULL, bimt_rule_name(k));
    arr_end(j);
    bimt__json_fields(j, &r->tp, TASK_FIELDS2, BIMT__N_OF(TASK_FIELDS2));
    obj_end(j);

    if (r->tr) {
        const bimt_trainer_params *t = &r->trp;
        obj(j, "trainer");
        bimt__json_fields(j, t, TRAINER_FIELDS, BIMT__N_OF(TRAINER_FIELDS));
        arr(j, "lambda_schedule", 0);
        for (uint32_t i = 0; i < t->n_schedule && i < BIMT_MAX_SCHEDULE; i++) {
            bimt__json_open(j, NULL, '{', 1);
            uint_(j, "from_step", t->schedule_step[i]);
            num(j, "lambda", t->schedule_lambda[i]);
            obj_end(j);
        }
        arr_end(j);
        bimt__json_fields(j, t, TRAINER_FIELDS2, BIMT__N_OF(TRAINER_FIELDS2));
        arr(j, "rule_weight", 1);
        for (int k = 0; k < BIMT_N_RULES; k++)
            num(j, NULL, t->rule_weight[k]);
        arr_end(j);
        bimt__json_fields(j, t, TRAINER_FIELDS3, BIMT__N_OF(TRAINER_FIELDS3));
        obj_end(j);
    } else {
        null_(j, "trainer");
    }

    obj(j, "analysis");
    bimt__json_fields(j, &r->cp, ANALYSIS_FIELDS, BIMT__N_OF(ANALYSIS_FIELDS));
    str(j, "normalize", r->cp.normalize_by_sum ? "sum" : "max");
    uint_(j, "seed", r->cp.seed);
    uint_(j, "n_shuffles", r->n_shuffles);
    num(j, "weight_threshold", BIMT__REPORT_WEIGHT_THRESHOLD);
    obj_end(j);
    obj_end(j);
}

static void null_stats(json *j, const char *key, double obs, double mean, double sd, double z,
                       double p, const double *samples, uint32_t n)
{
    obj(j, key);
    num(j, "observed", obs);
    num(j, "null_mean", mean);
    num(j, "null_sd", sd);
    num(j, "z", z);
    num(j, "p", p);
    arr(j, "null_samples", 1);
    for (uint32_t i = 0; i < n && samples; i++)
        num(j, NULL, samples[i]);
    arr_end(j);
    obj_end(j);
}

/* Graph metrics of the important neurons (bimt_model_graph_metrics()); null when skipped. */
static void graph_json(json *j, const bimt__report *r)
{
    if (!r->have_graph) {
        null_(j, "graph");
        return;
    }
    const bimt_graph_metrics *g = &r->graph;
    obj(j, "graph");
    num(j, "threshold_proportion", r->gp.threshold_proportion);
    uint_(j, "n_nodes", g->n_nodes);
    arr(j, "nodes", 1);
    for (size_t k = 0; k < r->n_h; k++)
        if (r->important[k]) uint_(j, NULL, k);
    arr_end(j);
    uint_(j, "n_edges", g->n_edges);
    uint_(j, "n_modules", g->n_modules);
    arr(j, "modules", 1);
    for (size_t k = 0; k < r->n_h; k++)
        if (r->important[k]) int_(j, NULL, (long)r->modules[k]);
    arr_end(j);
    num(j, "modularity_q", g->modularity_q);
    num(j, "clustering", g->clustering);
    num(j, "char_path_length", g->char_path_length);
    num(j, "small_world_sigma", g->small_world_sigma);
    obj(j, "null");
    uint_(j, "n", g->n_null);
    str(j, "model", "erdos_renyi_gnm");
    uint_(j, "seed", r->gp.seed);
    num(j, "clustering_mean", g->null_clustering_mean);
    num(j, "char_path_mean", g->null_char_path_mean);
    obj_end(j);
    obj_end(j);
}

/* Lesions of the functional clusters (bimt_lesion_clusters()). */
static void lesion_json(json *j, const bimt__report *r)
{
    obj(j, "lesion");
    uint_(j, "trials_per_task", r->lp.trials_per_rule);
    uint_(j, "seed", r->lp.seed);
    arr(j, "tasks", 1);
    for (int k = 0; k < BIMT_N_RULES; k++)
        str(j, NULL, bimt_rule_name(k));
    arr_end(j);
    arr(j, "baseline", 1);
    for (int k = 0; k < BIMT_N_RULES; k++)
        num(j, NULL, r->lesion_base[k]);
    arr_end(j);
    arr(j, "perf", 0);
    for (uint32_t c = 0; c < r->n_clusters; c++) {
        arr(j, NULL, 1);
        for (int k = 0; k < BIMT_N_RULES; k++)
            num(j, NULL, r->lesion_perf[(size_t)c * BIMT_N_RULES + (size_t)k]);
        arr_end(j);
    }
    arr_end(j);
    obj_end(j);
}

int bimt__report_json(const bimt__report *r, const char *path, char *errbuf)
{
    json j;
    bimt__json_init(&j);
    const size_t n = r->n_h;
    obj(&j, NULL);
    bimt__json_header(&j, "bimt-report", 1);
    uint_(&j, "steps", r->steps);
    if (r->tr)
        uint_(&j, "trials", r->steps * r->trp.batch_size);
    else
        null_(&j, "trials");
    config_json(&j, r);

    obj(&j, "performance");
    str(&j, "source", bimt__perf_source_name(r->perf_source));
    if (r->perf_trials)
        uint_(&j, "trials_per_task", r->perf_trials);
    else
        null_(&j, "trials_per_task");
    obj(&j, "per_task");
    for (int k = 0; k < BIMT_N_RULES; k++) {
        if (r->perf[k] >= 0.0)
            num(&j, bimt_rule_name(k), r->perf[k]);
        else
            null_(&j, bimt_rule_name(k));
    }
    obj_end(&j);
    num(&j, "mean", r->mean_perf);
    num(&j, "min", r->min_perf);
    uint_(&j, "n_tasks", r->n_eval_rules);
    num(&j, "target", BIMT__REPORT_TARGET);
    uint_(&j, "n_at_or_above_target", r->n_at_target);
    obj_end(&j);

    obj(&j, "task_variance");
    num(&j, "importance_threshold", r->cp.importance_threshold);
    uint_(&j, "n_important", r->n_important);
    arr(&j, "summed", 1);
    for (size_t k = 0; k < n; k++) {
        double s = 0.0;
        for (int rule = 0; rule < BIMT_N_RULES; rule++)
            s += (double)r->tv[(size_t)rule * n + k];
        num(&j, NULL, s);
    }
    arr_end(&j);
    obj(&j, "by_task");
    for (int rule = 0; rule < BIMT_N_RULES; rule++) {
        arr(&j, bimt_rule_name(rule), 1);
        for (size_t k = 0; k < n; k++)
            num(&j, NULL, (double)r->tv[(size_t)rule * n + k]);
        arr_end(&j);
    }
    obj_end(&j);
    obj_end(&j);

    obj(&j, "clusters");
    uint_(&j, "n_clusters", r->n_clusters);
    num(&j, "silhouette", r->silhouette);
    arr(&j, "labels", 1);
    for (size_t k = 0; k < n; k++)
        int_(&j, NULL, (long)r->labels[k]);
    arr_end(&j);
    arr(&j, "clusters", 0);
    for (size_t c = 0; c < n; c++) {
        if (!r->cluster_count[c]) continue;
        bimt__json_open(&j, NULL, '{', 1);
        uint_(&j, "id", c);
        uint_(&j, "size", r->cluster_count[c]);
        str(&j, "preferred_task",
            r->cluster_pref[c] >= 0 ? bimt_rule_name(r->cluster_pref[c]) : NULL);
        obj_end(&j);
    }
    arr_end(&j);
    obj_end(&j);

    obj(&j, "anatomy");
    uint_(&j, "n_shuffles", r->anat.n_shuffles);
    null_stats(&j, "isolated_fraction", r->anat.isolated_fraction, r->anat.isolated_null_mean,
               r->anat.isolated_null_sd, r->anat.isolated_z, r->anat.isolated_p, r->iso_null,
               r->n_shuffles);
    null_stats(&j, "cluster_size", r->anat.cluster_size, r->anat.size_null_mean,
               r->anat.size_null_sd, r->anat.size_z, r->anat.size_p, r->size_null, r->n_shuffles);
    obj_end(&j);

    /* Diagnostics beside the fixed analysis: tests across k, silhouette curve, centrality. */
    arr(&j, "anatomy_by_k", 0);
    for (uint32_t i = 0; i < r->n_by_k; i++) {
        bimt__json_open(&j, NULL, '{', 1);
        uint_(&j, "k", r->by_k[i].k);
        uint_(&j, "n_clusters", r->by_k[i].n_clusters);
        num(&j, "silhouette", r->by_k[i].silhouette);
        num(&j, "isolated_fraction", r->by_k[i].anat.isolated_fraction);
        num(&j, "isolated_null_mean", r->by_k[i].anat.isolated_null_mean);
        num(&j, "isolated_p", r->by_k[i].anat.isolated_p);
        num(&j, "cluster_size", r->by_k[i].anat.cluster_size);
        num(&j, "cluster_size_null_mean", r->by_k[i].anat.size_null_mean);
        num(&j, "cluster_size_p", r->by_k[i].anat.size_p);
        obj_end(&j);
    }
    arr_end(&j);
    arr(&j, "silhouette_by_k", 0);
    for (uint32_t i = 0; i < r->n_sil; i++) {
        bimt__json_open(&j, NULL, '{', 1);
        uint_(&j, "k", r->sil_k[i]);
        num(&j, "silhouette", r->sil[i]);
        obj_end(&j);
    }
    arr_end(&j);
    obj(&j, "centrality");
    uint_(&j, "n_important", r->centrality.n_important);
    uint_(&j, "n_shuffles", r->centrality.n_shuffles);
    null_stats(&j, "distance_to_centre", r->centrality.observed, r->centrality.null_mean,
               r->centrality.null_sd, r->centrality.z, r->centrality.p, r->centre_null,
               r->n_shuffles);
    obj_end(&j);
    obj(&j, "pruning");
    uint_(&j, "n_hidden", n);
    uint_(&j, "n_important", r->n_important);
    uint_(&j, "n_pruned", n - r->n_important);
    uint_(&j, "n_disconnected", r->n_disconnected);
    obj_end(&j);

    obj(&j, "wiring");
    num(&j, "weight_threshold", BIMT__REPORT_WEIGHT_THRESHOLD);
    uint_(&j, "n_active_neurons", r->wiring.n_active_neurons);
    uint_(&j, "n_active_edges", r->wiring.n_active_edges);
    num(&j, "wiring_length", r->wiring.wiring_length);
    num(&j, "spectral_radius", r->wiring.spectral_radius);
    num(&j, "distance_cost", r->distance_cost);
    obj_end(&j);

    obj(&j, "weight_distance");
    arr(&j, "distance", 1);
    for (size_t b = 0; b < r->n_bins; b++)
        num(&j, NULL, r->side ? (double)b / (double)r->side : (double)b * r->bin_w);
    arr_end(&j);
    arr(&j, "mean_abs_w", 1);
    for (size_t b = 0; b < r->n_bins; b++)
        num(&j, NULL, r->profile[b]);
    arr_end(&j);
    arr(&j, "pairs", 1);
    for (size_t b = 0; b < r->n_bins; b++)
        uint_(&j, NULL, r->pairs[b]);
    arr_end(&j);
    obj_end(&j);

    graph_json(&j, r);
    lesion_json(&j, r);

    arr(&j, "slots", 1);
    const uint32_t *slots = bimt_model_slots(r->model);
    for (size_t k = 0; k < n; k++)
        uint_(&j, NULL, slots[k]);
    arr_end(&j);

    obj(&j, "figures");
    for (size_t f = 0; f < BIMT__N_FIGURES; f++) {
        char key[64];
        size_t l = strlen(bimt__report_figures[f].file);
        snprintf(key, sizeof key, "%.*s", (int)(l - 4), bimt__report_figures[f].file);
        str(&j, key, bimt__report_figures[f].file);
    }
    obj_end(&j);
    obj_end(&j);
    return bimt__json_save(&j, path, errbuf);
}
