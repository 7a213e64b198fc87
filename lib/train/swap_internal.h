/* Private helpers of the swap pass (swap.c), exposed for white-box tests. Not installed. */
#ifndef BIMT_SWAP_INTERNAL_H
#define BIMT_SWAP_INTERNAL_H

#include <stddef.h>

#include "model/model_internal.h"

/** Relative tolerance of the swap decisions: an exchange (or a better partner) must lower
 *  sum_ab D_ab |W_ab| by more than BIMT_SWAP_RTOL * dmax * sum_ab M_ab, where
 *  dmax = 2 (side - 1) / side and M = |W_rec| + |W_rec|^T (see docs/swap.md). */
#define BIMT_SWAP_RTOL 1e-12

/**
 * Fills M[n_h][n_h] with M[a][b] = |W[a][b]| + |W[b][a]| (each |.| converted to double, then
 * added), rowsum[a] with sum_b M[a][b] (double, eight partial sums) and returns their sum.
 */
double bimt__swap_sym_abs(const struct bimt_model *m, double *M, double *rowsum);

/**
 * Importance of every hidden neuron, in double:
 *   imp[i] = (rowsum[i] + sum_c |W_in[i][c]|) + sum_o |W_out[o][i]|,
 * (the last two sums in ascending index order), rowsum from bimt__swap_sym_abs(), which is
 * |row i of W_rec|_1 + |column i of W_rec|_1.
 */
void bimt__swap_importance(const struct bimt_model *m, const double *rowsum, double *imp);

/**
 * Change of sum_ab D_ab |W_ab| (the distance cost with A = 1) if neurons j != k exchanged
 * their slots, from the cached distances; O(n_h). M from bimt__swap_sym_abs(); dj: scratch
 * of n_h doubles. This is the same arithmetic the pass uses for its decisions.
 */
double bimt__swap_delta(const struct bimt_model *m, const double *M, double *dj, size_t j,
                        size_t k);

#endif /* BIMT_SWAP_INTERNAL_H */
