/* Private layout of the forward/backward workspace of a model and the element-wise kernels
 * of the recurrent loops (rnn.c, rnn_loss.c, rnn_kernels.c). */
#ifndef BIMT_RNN_INTERNAL_H
#define BIMT_RNN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/mode_pick.h"
#include "model/model_internal.h"
#include "common/pool.h"

/* All [rows][n] buffers hold rows = T*B time-major rows (row t*B + b). The buffers grow only
 * when a forward needs more rows or a larger batch than any call before; steady-state calls
 * allocate nothing. The hidden layer is cut into 16-column panels; each thread of the
 * recurrent loops owns a contiguous range of trials or of panels (rnn.c). */
struct bimt_rnn_ws {
    size_t T, B;        /* shape of the last forward */
    size_t cap_rows;    /* capacity in rows (T*B) */
    size_t cap_b;       /* capacity in batch rows (zero block, noise scratch) */
    size_t npanels;     /* ceil(n_h / 16) */
    float *X;           /* [rows][n_in]   copy of the inputs (backward needs them) */
    float *Hs;          /* [B + rows][n_h] a zero block (h_{-1}) followed by h_0 .. h_{T-1} */
    float *D;           /* [rows][n_h]    pre-activations during forward, then phi'(u) */
    float *G;           /* [rows][n_h]    backward: dL/dh, turned into dL/du in place;
                         * row-split forward: noise [rows][npanels*16] */
    float *O;           /* [rows][n_out]  outputs o_t */
    float *dO;          /* [rows][n_out]  dL/do stored by the loss */
    float *dR;          /* [cap_dR][n_h]  dcost/dh of the activity cost (rnn_loss.c) */
    size_t cap_dR;      /* rows of dR (allocated on the first activity cost) */
    float *Wpk;         /* packed panels: W^T and Win^T (forward), W and Wout (backward) */
    float *Wpk2;        /* = Wpk + npanels*16*n_h: the Win^T or Wout panels */
    float *Wout_t;      /* [ceil(n_out/16)][n_h][16] packed Wout^T (output projection) */
    uint64_t *lanes;    /* [npanels][4][8] noise generator states (seeded per forward) */
    float *scratch;     /* per thread: noise [cap_b][npanels*16] + bits [2*cap_b*8] */
    size_t scratch_per; /* floats of scratch per thread */
    float *tn_scratch;  /* per thread: packed B panels of the weight-gradient products */
    size_t tn_per;      /* floats of tn_scratch per thread */
    float *colsum;      /* [n_h] bias-gradient accumulator */
    float *rowbuf;      /* [n_out] per-row scratch of the losses */
    bimt_pool *pool;    /* worker threads of the recurrent loops (NULL: single thread) */
    int nthreads;       /* participants the workspace was sized for */
    int adaptive;       /* choose pool or calling thread by measured speed (see run_job) */
    enum { BIMT_SPLIT_AUTO, BIMT_SPLIT_ROWS, BIMT_SPLIT_PANELS } split; /* see rnn.c */
    bimt_mode_pick fwd_stats, bwd_stats; /* pool or calling thread (see run_job) */
    int have_fwd;                        /* a forward completed; states/outputs valid */
    int have_loss;                       /* the loss of that forward was computed; dO valid */
    int have_act;                        /* an activity cost of that forward is set; dR valid */
    int avx2;                            /* run the element-wise kernels compiled for AVX2 + FMA */
    int fma;                             /* run the AVX2 + FMA product kernel (same condition) */
};

/* 1 when the AVX2 + FMA copies of the kernels may run (compiled in, the CPU has both, and
 * BIMT_DISABLE_AVX2 is unset or empty); the forward, backward and states engines all ask here. */
int bimt__rnn_cpu_avx2(void);

/* Forward element-wise pass on a B x w block with row stride ld: u = d + bh (+ z, row stride
 * ldz, when z is not NULL); h = (1-a) hp + a phi(u); d <- phi'(u). */
void bimt__rnn_step(int avx2, int act, size_t B, size_t w, size_t ld, const float *bh, float a,
                    float *d, const float *hp, float *h, const float *z, size_t ldz);

/* Backward element-wise pass on a B x w block: g <- a phi' g (dL/du), colsum += it (when
 * colsum is not NULL), and gp = (1-a) g_old (stored, not added) when gp is not NULL. */
void bimt__rnn_bstep(int avx2, size_t B, size_t w, size_t ld, float a, const float *dphi, float *g,
                     float *gp, float *colsum);

/* Seeds the noise lanes of npanels panels from the model's noise stream. */
void bimt__rnn_noise_seed(uint64_t *lanes, size_t npanels, bimt_rng *r);

/* Gaussian noise of std `scale` for one panel and one step: B rows x 16 values into z (row
 * stride ldz) from that panel's lanes ([4][8] words); bits is scratch of 16*B words. */
void bimt__rnn_noise_panel(int avx2, uint64_t *lanes, size_t B, float scale, uint32_t *bits,
                           float *z, size_t ldz);

#endif /* BIMT_RNN_INTERNAL_H */
