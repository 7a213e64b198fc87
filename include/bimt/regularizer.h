/**
 * @file regularizer.h
 * @brief The BIMT connection cost (seed paper eq. 2) and its subgradient.
 *
 *   L_cc = |W_rec|_1 + |W_in|_1 + |W_out|_1 + |b_h|_1 + |b_o|_1 + A * sum_ij D_ij |W_rec[i][j]|
 *
 * where D is the distance matrix at the neurons' current slots. The subgradient of |w| at
 * w = 0 is taken as 0.
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
 * @param[in] lambda overall weight (>= 0, finite).
 * @param[in] A distance weight (>= 0, finite).
 * @param[in] add_grad nonzero: also add the subgradient; 0: value only.
 * @param[out] value optional: receives lambda * L_cc (computed in double).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model, negative or NaN lambda/A). Nothing is
 *         written on failure.
 */
BIMT_API int bimt_model_connection_cost(bimt_model_t *model, double lambda, double A,
                                        int add_grad, double *value);

/**
 * @brief The position-dependent part only: A * sum_ij D_ij |W_rec[i][j]| (what swaps lower).
 * Thread-safe for a model no thread mutates.
 * @param[in] model the model.
 * @param[in] A distance weight (>= 0, finite).
 * @param[out] value receives the cost (computed in double).
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL model or value, negative or NaN A).
 */
BIMT_API int bimt_model_distance_cost(const bimt_model_t *model, double A, double *value);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_REGULARIZER_H */
