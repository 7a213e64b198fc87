/* The only door to CBLAS and LAPACKE (private). All matrices row-major. */
#ifndef BIMT_BLAS_H
#define BIMT_BLAS_H

#include <stddef.h>

/** C = alpha * op(A) * op(B) + beta * C, row-major; op = transpose when trans_x != 0.
 *  op(A) is m x k, op(B) is k x n, C is m x n. */
void bimt__sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                 const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
                 size_t ldc);

/** Overwrites a (n x n, row-major, double) with the orthogonal factor Q of its QR
 *  decomposition, with columns' signs fixed so that diag(R) > 0 (then Q is Haar-distributed
 *  when a is Gaussian). Returns 0, or a negative bimt_status (BIMT_E_NOMEM, BIMT_E_NUMERIC). */
int bimt__orthogonalize(double *a, size_t n);

/** Largest |eigenvalue| of the n x n row-major float matrix w. Returns 0 or a negative status. */
int bimt__spectral_radius(const float *w, size_t n, double *out);

/** Largest eigenvalue of the symmetric n x n row-major double matrix a (destroyed) and its
 *  unit eigenvector vec [n] (LAPACK dsyevr; sign as LAPACK returns it). Returns 0 or a
 *  negative status (BIMT_E_NOMEM, BIMT_E_NUMERIC). */
int bimt__sym_top_eigvec(double *a, size_t n, double *value, double *vec);

#endif /* BIMT_BLAS_H */
