/* Private layout of the Adam optimizer, for the trainer's checkpoints and divergence guard
 * (optim.c, trainer code). Not installed. */
#ifndef BIMT_OPTIM_INTERNAL_H
#define BIMT_OPTIM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/optim.h"

struct bimt_optimizer {
    size_t n; /* length of params, grad, m, v */
    double lr, beta1, beta2, eps;
    double clip;  /* element-wise gradient clip; 0 = off */
    uint64_t t;   /* number of updates made */
    float *m, *v; /* first and second moments [n] */
};

/** Writable views of the moments and the step counter (any output may be NULL).
 *  Returns BIMT_OK or BIMT_E_INVALID_ARG (NULL opt). */
int bimt__adam_state(bimt_optimizer_t *opt, float **m, float **v, uint64_t *t);

/** Sets the step counter (checkpoint restore). Returns BIMT_OK or BIMT_E_INVALID_ARG. */
int bimt__adam_set_steps(bimt_optimizer_t *opt, uint64_t t);

/** Copies the whole state (moments, counter, lr, betas, eps, clip) of src into dst, which
 *  must have the same n (snapshot / restore). Returns BIMT_OK or BIMT_E_INVALID_ARG. */
int bimt__adam_copy_state(bimt_optimizer_t *dst, const bimt_optimizer_t *src);

#endif /* BIMT_OPTIM_INTERNAL_H */
