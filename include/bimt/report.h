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
 * @brief Runs the full analysis and writes the report folder dir (created if missing):
 * the seed paper's figures as SVG, metrics.json and index.html.
 * @param tr may be NULL (then no training section and no per-task performance unless
 *        evaluated here).
 * @param cp clustering parameters (NULL = defaults).
 * @return BIMT_OK; BIMT_E_INVALID_ARG; BIMT_E_IO; BIMT_E_NOMEM.
 */
BIMT_API int bimt_report_write(const char *dir, bimt_model_t *model, bimt_task_t *task,
                               bimt_trainer_t *tr, const bimt_cluster_params *cp,
                               uint32_t n_shuffles);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_REPORT_H */
