/**
 * @file lesion.h
 * @brief Lesions of functional clusters (Yang et al. 2019, Analysis.lesions): silence each
 * cluster's neurons (bimt_model_set_silenced()) and measure every task's performance on the
 * same trials as the unlesioned network.
 *
 * See docs/analysis.md §6d. Deterministic given the seed.
 */
#ifndef BIMT_LESION_H
#define BIMT_LESION_H

#include <stdint.h>

#include "bimt/export.h"
#include "bimt/model.h"
#include "bimt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest trials_per_rule of bimt_lesion_params. */
#define BIMT_LESION_MAX_TRIALS 65536u

/** Lesion parameters. Fill with bimt_lesion_params_init(). A smaller struct_size (an older
 * header) gets defaults for the fields it lacks; a larger one gives BIMT_E_VERSION. */
typedef struct bimt_lesion_params {
    uint32_t struct_size;     /**< set by bimt_lesion_params_init() */
    uint32_t trials_per_rule; /**< random-mode trials per rule, 1 .. 65536; default 256 */
    uint64_t seed;            /**< seed of the trials' task stream; default 0 */
} bimt_lesion_params;

/**
 * @brief Fills p with the defaults (256 trials per rule, seed 0). NULL is ignored.
 * Thread-safe.
 * @param[out] p the parameters to fill (struct_size set, every field at its default).
 */
BIMT_API void bimt_lesion_params_init(bimt_lesion_params *p);

/**
 * @brief Performance of every one of the 20 rules (whatever the task's rule_mask) with each
 * functional cluster silenced in turn, and without any (the baseline), all on the same trials:
 * trials_per_rule random-mode trials per rule (input noise as the task's parameters say)
 * drawn from a private copy of the task seeded with params->seed, forwarded with recurrent
 * noise off, scored by bimt_task_performance() (Yang's last-step criterion).
 * @param[in,out] model the model; its forward workspace is used and its last forward results
 *        are overwritten; its silenced set (bimt_model_set_silenced()) is replaced during the
 *        call and restored to none at the end (the call refuses a model that has one).
 * @param[in] task the task suite the model was trained on (only its parameters are read).
 * @param[in] labels [n_hidden] cluster of each neuron (-1: in no cluster), as from
 *        bimt_cluster_task_variance().
 * @param[in] n_clusters number of clusters (labels must be < n_clusters), 0 .. n_hidden.
 * @param[in] params parameters, or NULL for the defaults.
 * @param[out] baseline [BIMT_N_RULES] fraction correct of the unlesioned network.
 * @param[out] perf [n_clusters][BIMT_N_RULES] row-major: fraction correct with cluster c
 *        silenced (may be NULL when n_clusters is 0).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model, task, labels or baseline; NULL perf with
 *         n_clusters > 0; a label out of range; trials_per_rule out of range; model with
 *         silenced neurons); BIMT_E_SHAPE (task and model sizes differ); BIMT_E_VERSION
 *         (params->struct_size); BIMT_E_NOMEM; codes of the task or the forward pass (message
 *         in bimt_last_error()). Outputs are written only on success.
 * Thread safety: uses the model; no other thread may use it meanwhile.
 */
BIMT_API int bimt_lesion_clusters(bimt_model_t *model, const bimt_task_t *task,
                                  const int32_t *labels, uint32_t n_clusters,
                                  const bimt_lesion_params *params, double *baseline, double *perf);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_LESION_H */
