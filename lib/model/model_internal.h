/* Private layout of bimt_model_t, shared by model/ (model.c, rnn*.c), train/ (cost.c,
 * swap.c, trainer.c, checkpoint.c) and analysis/ (variance.c, wiring.c, anatomy.c).
 * Not installed. */
#ifndef BIMT_MODEL_INTERNAL_H
#define BIMT_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/model.h"
#include "common/common.h"
#include "common/rng.h"
#include "model/grid.h"

struct bimt_rnn_ws; /* forward/backward workspace, defined and owned by rnn.c */

struct bimt_model {
    bimt_model_params p;     /* creation parameters (validated) */
    size_t n_h, n_in, n_out; /* sizes; n_h = side * side */
    size_t side;             /* grid side; 0 with caller positions */
    size_t dim;              /* coordinates per slot position (the grid: 2) */
    double *pos;             /* [n_h][dim] slot positions (the grid: (row, col) / side) */
    size_t n_nbr;            /* k of the anatomical neighbourhood (resolved default) */
    size_t n_params;         /* length of params and grad */
    size_t off[5];      /* element offsets of W_rec, W_in, W_out, b_h, b_o (bimt_tensor order) */
    float *params;      /* flat parameters */
    float *grad;        /* flat gradients, same layout */
    uint32_t *slots;    /* [n_h] neuron -> slot (row * side + col, model/grid.h) */
    float *dist;        /* [n_h][n_h] distance between neurons i, j at their slots */
    float *dist_in;     /* [n_h][n_in] like W_in: neuron to input (NULL: no io layout) */
    float *dist_out;    /* [n_out][n_h] like W_out: output to neuron (NULL: none) */
    bimt_rng noise_rng; /* recurrent-noise stream */
    struct bimt_rnn_ws *ws; /* NULL until the first forward */
    uint32_t *silenced;     /* [n_silenced] silenced neurons, ascending (NULL: none) */
    size_t n_silenced;
    char errmsg[BIMT_ERRMSG_LEN];
};

/* Views of the flat buffer. */
static inline float *bimt__W(const struct bimt_model *m)
{
    return m->params + m->off[0];
}
static inline float *bimt__Win(const struct bimt_model *m)
{
    return m->params + m->off[1];
}
static inline float *bimt__Wout(const struct bimt_model *m)
{
    return m->params + m->off[2];
}
static inline float *bimt__bh(const struct bimt_model *m)
{
    return m->params + m->off[3];
}
static inline float *bimt__bo(const struct bimt_model *m)
{
    return m->params + m->off[4];
}

/** 1 when the geometry is the default grid with Manhattan distance: the integer formulas of
 *  model/grid.h then apply exactly (and keep the default's results bit for bit). */
static inline int bimt__model_is_grid(const struct bimt_model *m)
{
    return m->side != 0 && m->p.distance == BIMT_DIST_MANHATTAN;
}

/** The model's distance (bimt_distance kind) between two points of dim coordinates. */
double bimt__pos_distance(const double *x, const double *y, size_t dim, uint32_t kind);

/** Distance between slots a and b in double: the grid's exact formula, else from positions. */
double bimt__model_slot_distance(const struct bimt_model *m, uint32_t a, uint32_t b);

/** Width of a bin of bimt_weight_distance_profile() (wiring.c): 1 / side on the grid with
 *  Manhattan distance (bin b = distance b slots), else the largest slot distance divided by
 *  n_bins - 1 (1 when that is 0 or n_bins is 1). */
double bimt__profile_bin_width(const struct bimt_model *m, size_t n_bins);

/** Recomputes the whole distance cache from slots. */
void bimt__model_update_distances(struct bimt_model *m);

/** Recomputes row and column k of the distance cache (after slots[k] changed). */
void bimt__model_update_distance_row(struct bimt_model *m, size_t k);

/** Releases the forward/backward workspace (implemented in rnn.c). NULL is a no-op. */
void bimt__rnn_ws_free(struct bimt_rnn_ws *ws);

/** Validates model params; writes a message into errbuf (BIMT_ERRMSG_LEN) on failure. */
int bimt__model_params_check(const bimt_model_params *p, char *errbuf);

#endif /* BIMT_MODEL_INTERNAL_H */
