/* Thin wrappers around CBLAS and LAPACKE: the rest of libbimt never includes them. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "common/blas.h"
#include "common/common.h"

void bimt__sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                 const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
                 size_t ldc)
{
    if (m == 0 || n == 0) return;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha, a, (int)lda, b,
                (int)ldb, beta, c, (int)ldc);
}

int bimt__orthogonalize(double *a, size_t n)
{
    double *tau = bimt__malloc(n, sizeof(double));
    double *rdiag = bimt__malloc(n, sizeof(double));
    if (bimt__alloc_failed((void *[]){tau, rdiag}, 2))
        return bimt__err(BIMT_E_NOMEM, "orthogonal init: out of memory (%zu x %zu)", n, n);
    lapack_int N = (lapack_int)n;
    int rc = BIMT_OK;
    if (LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, N, N, a, N, tau) != 0) {
        rc = bimt__err(BIMT_E_NUMERIC, "orthogonal init: LAPACKE_dgeqrf failed (n = %zu)", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        rdiag[i] = a[i * n + i];
    if (LAPACKE_dorgqr(LAPACK_ROW_MAJOR, N, N, N, a, N, tau) != 0) {
        rc = bimt__err(BIMT_E_NUMERIC, "orthogonal init: LAPACKE_dorgqr failed (n = %zu)", n);
        goto done;
    }
    /* Q diag(sign(R_ii)) is Haar-distributed (Mezzadri 2007). */
    for (size_t j = 0; j < n; j++) {
        if (rdiag[j] < 0)
            for (size_t i = 0; i < n; i++)
                a[i * n + j] = -a[i * n + j];
    }
done:
    free(tau);
    free(rdiag);
    return rc;
}

int bimt__spectral_radius(const float *w, size_t n, double *out)
{
    double *a = bimt__malloc(n * n, sizeof(double));
    double *wr = bimt__malloc(n, sizeof(double));
    double *wi = bimt__malloc(n, sizeof(double));
    int rc = BIMT_OK;
    if (!a || !wr || !wi) {
        rc = bimt__err(BIMT_E_NOMEM, "spectral radius: out of memory (%zu x %zu)", n, n);
        goto done;
    }
    for (size_t i = 0; i < n * n; i++)
        a[i] = (double)w[i];
    lapack_int N = (lapack_int)n;
    if (LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', N, a, N, wr, wi, NULL, 1, NULL, 1) != 0) {
        rc = bimt__err(BIMT_E_NUMERIC, "spectral radius: LAPACKE_dgeev failed (n = %zu)", n);
        goto done;
    }
    double best = 0.0;
    for (size_t i = 0; i < n; i++) {
        double mod = hypot(wr[i], wi[i]);
        if (mod > best) best = mod;
    }
    *out = best;
done:
    free(a);
    free(wr);
    free(wi);
    return rc;
}

int bimt__sym_top_eigvec(double *a, size_t n, double *value, double *vec)
{
    lapack_int N = (lapack_int)n, found = 0;
    /* dsyevr uses all n entries of w (not just the m eigenvalues it returns) */
    double *w = bimt__malloc(n, sizeof(double));
    lapack_int *isuppz = bimt__malloc(2 * n, sizeof(lapack_int));
    if (bimt__alloc_failed((void *[]){w, isuppz}, 2))
        return bimt__err(BIMT_E_NOMEM, "eigenvector: out of memory (n = %zu)", n);
    lapack_int info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'U', N, a, N, 0.0, 0.0, N, N,
                                     LAPACKE_dlamch('S'), &found, w, vec, 1, isuppz);
    double top = w[0];
    free(w);
    free(isuppz);
    if (info != 0 || found != 1)
        return bimt__err(BIMT_E_NUMERIC, "eigenvector: LAPACKE_dsyevr failed (n = %zu, info %d)", n,
                         (int)info);
    *value = top;
    return BIMT_OK;
}
