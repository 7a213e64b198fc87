/* Private layout of the forward/backward workspace of a model (rnn.c, rnn_loss.c). */
#ifndef BIMT_RNN_INTERNAL_H
#define BIMT_RNN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "model_internal.h"

/* All [rows][n] buffers hold rows = T*B time-major rows (row t*B + b). The buffers grow only
 * when a forward needs more rows or a larger batch than any call before; steady-state calls
 * allocate nothing. */
struct bimt_rnn_ws {
    size_t T, B;          /* shape of the last forward */
    size_t cap_rows;      /* capacity in rows (T*B) */
    size_t cap_b;         /* capacity in batch rows (zero block, noise scratch) */
    float *X;             /* [rows][n_in]   copy of the inputs (backward needs them) */
    float *Hs;            /* [B + rows][n_h] a zero block (h_{-1}) followed by h_0 .. h_{T-1} */
    float *D;             /* [rows][n_h]    pre-activations during forward, then phi'(u) */
    float *G;             /* [rows][n_h]    backward: dL/dh, turned into dL/du in place */
    float *O;             /* [rows][n_out]  outputs o_t */
    float *dO;            /* [rows][n_out]  dL/do stored by the loss */
    float *noise;         /* [cap_b*n_h + 32] per-step Gaussian scratch */
    uint32_t *bits;       /* [cap_b*n_h + 32] raw random words for the noise */
    uint64_t lanes[4][8]; /* xoshiro256** states of the 8 noise lanes (seeded per forward) */
    float *colsum;        /* [n_h] bias-gradient accumulator */
    float *rowbuf;        /* [n_out] per-row scratch of the losses */
    int have_fwd;         /* a forward completed; states/outputs valid */
    int have_loss;        /* the loss of that forward was computed; dO valid */
    int avx2;             /* run the element-wise kernels compiled for AVX2 */
};

#endif /* BIMT_RNN_INTERNAL_H */
