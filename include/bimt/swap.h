/**
 * @file swap.h
 * @brief The BIMT swap step: exchanges neurons' grid slots to lower the wiring cost.
 *
 * A pass ranks the hidden neurons by importance |row i of W_rec|_1 + |column i of W_rec|_1 +
 * |row i of W_in|_1 + |column i of W_out|_1 (computed once at the start of the pass; W_in and
 * W_out at their prices, bimt_model_params.w_in_cost and w_out_cost, as in the cost), takes
 * the top_k (ties to the lower index) and, for each of them in that order, finds among the
 * candidate partners the one whose slot exchange lowers A * sum_ij D_ij |W_rec[i][j]| most
 * (ties to the lowest index); the exchange is made only if it strictly lowers the cost.
 * Only positions move: weights, gradients and optimizer moments stay where they are, so the
 * network's function and the optimizer's state are unchanged by construction. Each candidate
 * costs O(n_hidden), a pass O(top_k * n_hidden^2).
 */
#ifndef BIMT_SWAP_H
#define BIMT_SWAP_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/export.h"
#include "bimt/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Swap-pass parameters. Fill with bimt_swap_params_init(). A smaller struct_size (an older
 * header) gets defaults for the fields it lacks; a larger one gives BIMT_E_VERSION. */
typedef struct bimt_swap_params {
    uint32_t struct_size; /**< set by bimt_swap_params_init() */
    uint32_t top_k; /**< neurons considered per pass, 1..BIMT_MAX_HIDDEN; default 30 (clipped to
                         n_hidden) */
    double A;       /**< distance weight of the cost, finite and >= 0; default 1 (> 0 for swaps to
                        matter) */
    const uint8_t *candidates; /**< optional [n_hidden] mask of allowed partners (nonzero =
                                  allowed); NULL = all. Borrowed for the call. */
} bimt_swap_params;

/** One exchange made by a pass. */
typedef struct bimt_swap_exchange {
    uint32_t neuron;  /**< the ranked neuron whose slot was exchanged */
    uint32_t partner; /**< the neuron it exchanged slots with */
    double delta;     /**< change of the distance cost (< 0) */
} bimt_swap_exchange;

/** Outcome of a pass (in-out: the caller sets struct_size, exchanges and max_exchanges -- no
 * exchange array unless struct_size holds both; the library writes the counts only within
 * struct_size, docs/design.md "ABI rules"; fields are only ever appended). */
typedef struct bimt_swap_result {
    uint32_t struct_size; /**< caller: sizeof before the call; on return the bytes filled */
    uint32_t n_swaps;     /**< exchanges made */
    double cost_before;   /**< A * sum|D .* W_rec| before the pass */
    double cost_after;    /**< A * sum|D .* W_rec| after the pass */
    bimt_swap_exchange *exchanges; /**< optional caller array (capacity max_exchanges) or NULL */
    uint32_t max_exchanges;        /**< capacity of exchanges */
} bimt_swap_result;

/**
 * @brief Fills p with the defaults (top_k 30, A 1, all candidates). NULL is ignored.
 * Thread-safe.
 * @param[out] p the parameters to fill (struct_size set).
 */
BIMT_API void bimt_swap_params_init(bimt_swap_params *p);

/**
 * @brief One swap pass on the model's slots (and cached distances).
 *
 * The cost is A * sum_ij D_ij |W_rec[i][j]| with D the cached float32 distances
 * (bimt_model_distances()), accumulated in double. Decisions use a tolerance: with
 * tol = 1e-12 * dmax * sum_ij (|W_ij| + |W_ji|), dmax = 2 (grid_side - 1) / grid_side (the
 * cost in units of A), a partner replaces the incumbent (initially "no exchange", delta 0)
 * only if its delta / A is below the incumbent's by more than tol, scanning partners in
 * ascending index. So exact ties go to the lowest index and an exchange is made only if it
 * lowers the cost by more than A * tol, whatever the rounding of the O(n) sums.
 * Importance ties (equal double values) go to the lower index. With A = 0 no exchange is
 * made. Thread safety: one thread at a time per model.
 * @param[in,out] model the model whose slots (and cached distances) are updated.
 * @param[in] params parameters (NULL = defaults).
 * @param[in,out] res optional: receives counts and costs; if res->exchanges is non-NULL the
 *        first max_exchanges exchanges are written there in the order made (n_swaps counts
 *        them all). Untouched on failure.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model, A negative, NaN or infinite, top_k 0 or
 *         above BIMT_MAX_HIDDEN);
 *         BIMT_E_VERSION (struct_size); BIMT_E_NUMERIC (NaN or Inf in W_rec, W_in or W_out);
 *         BIMT_E_NOMEM. On failure the slots are unchanged.
 */
BIMT_API int bimt_model_swap(bimt_model_t *model, const bimt_swap_params *params,
                             bimt_swap_result *res);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_SWAP_H */
