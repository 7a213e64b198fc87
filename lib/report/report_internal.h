/* Private state of bimt_report_write() shared by report.c (analysis and figures),
 * report_json.c (metrics.json) and report_html.c (index.html). Not installed. */
#ifndef BIMT_REPORT_INTERNAL_H
#define BIMT_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/analysis.h"
#include "bimt/graph.h"
#include "bimt/lesion.h"
#include "bimt/model.h"
#include "bimt/task.h"
#include "bimt/trainer.h"
#include "report/svg.h"

/** Connections with |w| above this count as active (wiring statistics, network figure). */
#define BIMT__REPORT_WEIGHT_THRESHOLD 1e-2
/** Reference line of the performance figure and the "tasks at or above" count. */
#define BIMT__REPORT_TARGET 0.9

/** Where the per-task performance came from. */
typedef enum bimt__perf_source {
    BIMT__PERF_TRAINER_LAST = 0,  /* the trainer's last evaluation */
    BIMT__PERF_TRAINER_FRESH = 1, /* evaluated here with bimt_trainer_evaluate() */
    BIMT__PERF_TEST_GRID = 2      /* no trainer: deterministic test grid, noise off */
} bimt__perf_source;

/** One figure of the report. */
typedef struct bimt__figure {
    const char *file;    /* file name inside the report folder */
    const char *panel;   /* seed paper panel, e.g. "1a" */
    const char *caption; /* one-line caption */
} bimt__figure;

/** Number of figures the report writes. */
#define BIMT__N_FIGURES 13
/** The fixed k of the anatomical tests across k (each clipped to n_important - 1). */
#define BIMT__N_BY_K 4
extern const uint32_t bimt__report_by_k[BIMT__N_BY_K];
/** Largest k of the silhouette curve (the clustering's default k_max). */
#define BIMT__MAX_SIL_K 64
extern const bimt__figure bimt__report_figures[BIMT__N_FIGURES];

typedef struct bimt__report {
    /* inputs */
    const bimt_model_t *model;
    const bimt_trainer_t *tr; /* NULL without trainer */
    bimt_cluster_params cp;
    uint32_t n_shuffles;
    bimt_model_params mp;
    bimt_task_params tp;
    bimt_trainer_params trp; /* valid when tr != NULL */
    uint64_t steps;
    size_t n_h, side; /* side: 0 unless the grid with Manhattan distance (its exact bins) */
    double bin_w;     /* width of a weight-distance bin (bimt__profile_bin_width) */
    /* task variance and clusters */
    float *tv, *ntv;    /* [BIMT_N_RULES][n_h] */
    uint8_t *important; /* [n_h] */
    uint32_t n_important;
    int32_t *labels; /* [n_h] */
    uint32_t n_clusters;
    double silhouette;
    uint32_t *cluster_count; /* [n_h] members per cluster id */
    int32_t *cluster_pref;   /* [n_h] preferred rule per cluster id (-1 if empty) */
    /* anatomy */
    bimt_anatomy anat;
    double *iso_null, *size_null; /* [n_shuffles] */
    /* diagnostics beside the fixed analysis (none of them changes it) */
    uint32_t n_by_k; /* entries of by_k (k clipped, duplicates dropped) */
    struct {
        uint32_t k, n_clusters; /* requested k, clusters obtained (k unless degenerate) */
        double silhouette;
        bimt_anatomy anat;
    } by_k[BIMT__N_BY_K];
    uint32_t n_sil; /* silhouette curve: k = sil_k[i] gives sil[i] */
    uint32_t sil_k[BIMT__MAX_SIL_K];
    double sil[BIMT__MAX_SIL_K];
    bimt_centrality centrality;
    double *centre_null;     /* [n_shuffles] */
    uint32_t n_disconnected; /* neurons whose weights in and out are all exactly 0 */
    /* wiring */
    bimt_wiring wiring;
    double distance_cost; /* A-free sum_ij D_ij |W_ij| (A = 1) */
    size_t n_bins;
    double *profile; /* [n_bins] */
    uint64_t *pairs; /* [n_bins] */
    /* graph metrics of the important neurons (bimt/graph.h) and cluster lesions */
    int have_graph;       /* 0: too many important neurons for a graph (JSON null) */
    bimt_graph_params gp; /* the report's graph parameters (seed = cp.seed) */
    bimt_graph_metrics graph;
    int32_t *modules;      /* [n_h] graph module, -1 for neurons that are not nodes */
    bimt_lesion_params lp; /* the report's lesion parameters (seed = cp.seed) */
    double lesion_base[BIMT_N_RULES];
    double *lesion_perf; /* [n_clusters][BIMT_N_RULES] */
    /* performance */
    double perf[BIMT_N_RULES];
    double mean_perf, min_perf;
    uint32_t n_eval_rules, n_at_target;
    bimt__perf_source perf_source;
    uint32_t perf_trials; /* trials per rule (test grid: varies; 0) */
} bimt__report;

/** Writes metrics.json (every number of the report). */
int bimt__report_json(const bimt__report *r, const char *path, char *errbuf);
/** Writes index.html showing the figures and the key numbers; links checkpoint if present. */
int bimt__report_html(const bimt__report *r, const char *dir, const char *path, char *errbuf);

/** Names used in the JSON and the page. */
const char *bimt__activation_name(int32_t a);
const char *bimt__init_name(int32_t i);
const char *bimt__loss_name(int32_t l);
const char *bimt__arm_name(int32_t a);
const char *bimt__perf_source_name(bimt__perf_source s);

#endif /* BIMT_REPORT_INTERNAL_H */
