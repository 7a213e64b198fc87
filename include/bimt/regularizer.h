/**
 * @file regularizer.h
 * @brief The BIMT connection cost (seed paper eq. 2) and its subgradient.
 *
 *   L_cc = |W_rec|_1 + |W_in|_1 + |W_out|_1 + |b_h|_1 + |b_o|_1 + A * sum_ij D_ij |W_rec[i][j]|
 *
 * where D is the distance matrix at the neurons' current slots. Under an io layout
 * (bimt_model_params.io_layout = BIMT_IO_EDGES) the distance part also holds
 * A * (sum D_in |W_in| + sum D_out |W_out|), the distances of each neuron to its inputs and
 * outputs (bimt_model_io_distance()). W_in and W_out entries pay their tensor's price,
 * bimt_model_params.w_in_cost and w_out_cost (default 1), on both parts:
 * w_in_cost * |W_in|_1 + w_out_cost * |W_out|_1 and the same factors on their distance terms,
 * here, in the proximal step and in the swap's io terms. The subgradient of |w| at w = 0 is
 * taken as 0.
 *
 * Also Yang et al.'s activity regularisers on the rates of the last forward
 * (bimt_model_activity_cost()): l1_h * mean|r| + l2_h * (1/2) sum r^2.
 */
#ifndef BIMT_REGULARIZER_H
#define BIMT_REGULARIZER_H

#include "bimt/export.h"
#include "bimt/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Value of lambda * L_cc; with add_grad nonzero also adds lambda * dL_cc/dparams
 * into the model's gradient buffer. One thread at a time per model.
 * @param[in,out] model the model (its gradient buffer is added to when add_grad is nonzero).
 * @param[in] lambda overall weight, in [0, 1e6] (bounded so that the cost and its gradient
 *        stay finite for any finite weights).
 * @param[in] A distance weight, in [0, 1e6].
 * @param[in] add_grad 1: also add the subgradient; 0: value only (other values are refused).
 * @param[out] value optional: receives lambda * L_cc (computed in double).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model, lambda or A NaN or outside [0, 1e6],
 *         add_grad not 0 or 1). Nothing is
 *         written on failure.
 */
BIMT_API int bimt_model_connection_cost(bimt_model_t *model, double lambda, double A,
                                        uint32_t add_grad, double *value);

/**
 * @brief The position-dependent part only: A * sum_ij D_ij |W_rec[i][j]| (plus the W_in and
 * W_out terms under an io layout): what swaps lower.
 * Thread-safe for a model no thread mutates.
 * @param[in] model the model.
 * @param[in] A distance weight, in [0, 1e6].
 * @param[out] value receives the cost (computed in double).
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL model or value, A NaN or outside [0, 1e6]).
 */
BIMT_API int bimt_model_distance_cost(const bimt_model_t *model, double A, double *value);

/**
 * @brief Proximal step of lambda * L_cc: soft-thresholds every parameter in place,
 *   theta_i <- sign(theta_i) * max(|theta_i| - step_i * lambda * c_i, 0),
 * with c_i = 1 + A * D_ij for W_rec entries (and W_in, W_out entries under an io layout, with
 * their distances) and 1 for the others. Used after an
 * optimizer update on the prediction loss alone (instead of adding the subgradient to the
 * gradient), it leaves pruned weights at exactly 0 and a neuron whose weights are all pruned
 * silent. With Adam, step = bimt_adam_step_sizes() is the prox in Adam's own diagonal metric.
 * One thread at a time per model.
 * @param[in,out] model the model; its parameters are thresholded.
 * @param[in] lambda overall weight, in [0, 1e6] (bounded so that the cost and its gradient
 *        stay finite for any finite weights).
 * @param[in] A distance weight, in [0, 1e6].
 * @param[in] step per-parameter step sizes [n_step] (each >= 0 and finite), borrowed.
 * @param[in] n_step must equal bimt_model_n_params().
 * @param[out] n_zero optional: receives how many parameters are exactly 0 afterwards.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model or step, negative or NaN lambda/A, n_step
 *         not the parameter count, a negative or non-finite step; nothing is changed).
 */
BIMT_API int bimt_model_connection_cost_prox(bimt_model_t *model, double lambda, double A,
                                             const float *step, size_t n_step, size_t *n_zero);

/**
 * @brief Yang et al.'s activity regularisers (their hp `l1_h`, `l2_h`) on the hidden rates r of
 * the last forward (every step and trial):
 *   cost = l1_h * mean_{t,b,j} |r| + l2_h * (1/2) sum_{t,b,j} r^2
 * (the mean over all T * B * n_hidden entries, the sum not normalised, as in their code).
 * Stores dcost/dr, which every later bimt_model_backward() of the same forward adds to the
 * gradient (d|r|/dr taken as 0 at r = 0); zero coefficients remove the term. The next
 * forward clears it. One thread at a time per model.
 * @param[in,out] model the model (keeps dcost/dr in its workspace).
 * @param[in] l1_h weight of the L1 term, in [0, 1e6].
 * @param[in] l2_h weight of the L2 term, in [0, 1e6].
 * @param[out] value optional: receives the cost (summed in double).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model, l1_h or l2_h NaN or outside [0, 1e6]);
 *         BIMT_E_STATE (no forward yet); BIMT_E_NOMEM. On failure nothing is changed and
 *         bimt_last_error() says why.
 */
BIMT_API int bimt_model_activity_cost(bimt_model_t *model, double l1_h, double l2_h, double *value);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_REGULARIZER_H */
