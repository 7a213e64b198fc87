/* Products of the recurrent loops (private):
 *   C[M][n] (=|+=) A1[M][K1] B1 + A2[M][K2] B2,
 * with B1 (K1 x n) and B2 (K2 x n) packed once per forward/backward into panels of 16
 * columns. Each output element is computed by the same code in the same order whichever
 * thread owns its panel, so results do not depend on the number of threads. */
#ifndef BIMT_RNN_GEMM_H
#define BIMT_RNN_GEMM_H

#include <stddef.h>

#define BIMT_RG_PANEL 16

/** Number of 16-column panels of an n-column matrix. */
static inline size_t bimt__rg_panels(size_t n) { return (n + BIMT_RG_PANEL - 1) / BIMT_RG_PANEL; }

/** Packs panels [p0, p1) of B = Mt^T, Mt being [n][K] row-major: Bp[p][k][c] = Mt[16p+c][k]
 *  (zero past column n). Panel p starts at Bp + p*K*16. */
void bimt__rg_pack_t(const float *Mt, size_t n, size_t K, size_t p0, size_t p1, float *Bp);

/** Packs panels [p0, p1) of B = M, M being [K][n] row-major: Bp[p][k][c] = M[k][16p+c]. */
void bimt__rg_pack(const float *M, size_t n, size_t K, size_t p0, size_t p1, float *Bp);

/** One operand pair of a product: A [M][K] with row stride lda, packed B (K x n). K may be 0. */
typedef struct bimt_rg_term {
    const float *A;
    size_t lda, K;
    const float *Bp;
} bimt_rg_term;

/** Columns of panels [p0, p1) of C ([M][n], row stride n): C = (or +=, when accumulate)
 *  t1.A t1.B + t2.A t2.B, summed over t1's k then t2's k in increasing order. fma selects the
 *  AVX2+FMA kernel (the caller checked the CPU), else portable C. */
void bimt__rg_gemm(int fma, int accumulate, size_t M, size_t n, size_t p0, size_t p1,
                   const bimt_rg_term *t1, const bimt_rg_term *t2, float *C);

#endif /* BIMT_RNN_GEMM_H */
