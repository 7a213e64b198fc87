/* The distance term of the connection cost, shared by cost.c and swap.c (private). Not
 * installed. */
#ifndef BIMT_COST_INTERNAL_H
#define BIMT_COST_INTERNAL_H

#include "model/model_internal.h"

/**
 * sum_ij D_ij |W_rec[i][j]| in double from the cached distances (the distance cost with
 * A = 1), summed sequentially over the flat W_rec, plus (under an io layout) the W_in and
 * W_out terms at their distances. The one implementation: the training
 * cost, bimt_model_distance_cost() and the swap pass's cost_before/cost_after all call it,
 * so they agree bit for bit.
 */
double bimt__distance_sum(const struct bimt_model *m);

#endif /* BIMT_COST_INTERNAL_H */
