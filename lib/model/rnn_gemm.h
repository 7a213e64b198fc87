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
static inline size_t bimt__rg_panels(size_t n)
{
    return (n + BIMT_RG_PANEL - 1) / BIMT_RG_PANEL;
}

/** Packs panels [p0, p1) of B = Mt^T, Mt being [n][K] row-major: Bp[p][k][c] = Mt[16p+c][k]
 *  (zero past column n). Panel p starts at Bp + p*K*16. */
void bimt__rg_pack_t(const float *Mt, size_t n, size_t K, size_t p0, size_t p1, float *Bp);

/** Packs panels [p0, p1) of B = M, M being [K][n] row-major: Bp[p][k][c] = M[k][16p+c]. */
void bimt__rg_pack(const float *M, size_t n, size_t K, size_t p0, size_t p1, float *Bp);

/** One operand pair of a product: A (M x K, element (r, k) at A[r*rs + k*ks]; rs = lda,
 *  ks = 1 for a row-major A, rs = 1, ks = lda for the transpose of a row-major [K][M] array)
 *  and packed B (K x n). K may be 0. */
typedef struct bimt_rg_term {
    const float *A;
    size_t rs, ks, K;
    const float *Bp;
} bimt_rg_term;

/** Columns of panels [p0, p1) of C ([M][n], row stride n): C = (or +=, when accumulate)
 *  t1.A t1.B + t2.A t2.B, summed over t1's k then t2's k in increasing order. fma selects the
 *  AVX2+FMA kernel (the caller checked the CPU), else portable C. */
void bimt__rg_gemm(int fma, int accumulate, size_t M, size_t n, size_t p0, size_t p1,
                   const bimt_rg_term *t1, const bimt_rg_term *t2, float *C);

/** Weight-gradient product on the panels [p0, p1) of C's columns: C[M][N] += A^T B with
 *  A [K][M] (row stride lda, read in place) and B [K][N] (row stride N), blocked over K; B's
 *  panels are packed into scratch (BIMT_RG_KB * 16 * (p1 - p0) floats, 64-byte aligned).
 *  C has row stride ldc. */
void bimt__rg_gemm_tn(int fma, size_t M, size_t N, size_t K, const float *A, size_t lda,
                      const float *B, float *C, size_t ldc, size_t p0, size_t p1, float *scratch);

/** One product C[M][N] += A^T B of bimt__rg_gemm_tn_multi(): A [K][M] (row stride lda),
 *  C row stride ldc. */
typedef struct bimt_rg_tn {
    const float *A;
    size_t lda, M, K;
    float *C;
    size_t ldc;
} bimt_rg_tn;

/** Several weight-gradient products sharing B [Kmax][N] (row stride N; product j uses its
 *  first prods[j].K rows): each K block of B is packed once for all of them. Every product
 *  gets the same sums in the same order as from bimt__rg_gemm_tn() on its own. */
void bimt__rg_gemm_tn_multi(int fma, size_t N, const float *B, size_t p0, size_t p1, float *scratch,
                            const bimt_rg_tn *prods, size_t nprod);

/** K block of bimt__rg_gemm_tn(). */
#define BIMT_RG_KB 128

#endif /* BIMT_RNN_GEMM_H */
