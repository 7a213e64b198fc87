/**
 * @file report.h
 * @brief Figures (standalone SVG) and the report folder (SVGs, metrics.json, index.html).
 *
 * Files are written atomically (temporary file, then rename).
 */
#ifndef BIMT_REPORT_H
#define BIMT_REPORT_H

#include <stdint.h>

#include "bimt/export.h"
#include "bimt/analysis.h"
#include "bimt/model.h"
#include "bimt/task.h"
#include "bimt/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Runs the full analysis and writes the report folder dir (created with its parents
 * if missing): the seed paper's figures as SVG, metrics.json and index.html.
 *
 * Analysis: task variance on every rule's test grid (bimt_task_variance()), important
 * neurons, normalised task variance and functional clusters (cp), anatomical metrics
 * against n_shuffles shuffles (seed cp->seed), wiring statistics (|w| > 0.01), the mean |w|
 * per distance, and per-task performance: the trainer's last evaluation, or a fresh
 * bimt_trainer_evaluate() with the trainer's eval_batch when it has none yet; without a
 * trainer, the fraction correct on each enabled rule's deterministic test grid (noise off);
 * graph metrics of the important neurons (bimt_model_graph_metrics(), defaults, seed
 * cp->seed) and the lesion of every functional cluster (bimt_lesion_clusters(), defaults,
 * seed cp->seed; the model's silenced set must be empty).
 *
 * Files (each written atomically): network.svg (1a), task_variance.svg (1b), clusters.svg
 * (1c), performance.svg (1d), importance.svg (1e), weight_distance.svg (1f),
 * null_isolated.svg and null_cluster_size.svg (2b), silhouette.svg, anatomy_by_k.svg,
 * null_centrality.svg, graph_modules.svg, lesions.svg, metrics.json (every number, the
 * configuration of model, task, trainer and analysis, library version, steps; non-finite
 * numbers as null) and index.html (figures and key numbers; links model.npz when the
 * folder holds one, so write the checkpoint first). The same inputs give byte-identical
 * files.
 *
 * @param[in] dir the report folder.
 * @param[in,out] model the model (its last forward results are overwritten).
 * @param[in,out] task the task suite the model was trained on (its random stream is not used).
 * @param[in,out] tr may be NULL; else the trainer of model and task (an evaluation may be run).
 * @param[in] cp clustering parameters (NULL = defaults).
 * @param[in] n_shuffles null sample size of the anatomical metrics (0 .. 10^7).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL or empty dir, NULL model or task, trainer of
 *         another model or task, n_shuffles too large); BIMT_E_SHAPE (task and model sizes
 *         differ); BIMT_E_VERSION (cp->struct_size); BIMT_E_NUMERIC (the task variance is
 *         not finite: the network's states overflow); BIMT_E_IO; BIMT_E_NOMEM; or the error
 *         of an analysis call. On failure bimt_model_errmsg(model) says what went wrong;
 *         files already written stay (each is complete).
 * Thread safety: uses model, task and trainer; no other thread may use them meanwhile.
 */
BIMT_API int bimt_report_write(const char *dir, bimt_model_t *model, bimt_task_t *task,
                               bimt_trainer_t *tr, const bimt_cluster_params *cp,
                               uint32_t n_shuffles);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_REPORT_H */
