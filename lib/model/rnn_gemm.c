/* Packed products of the recurrent loops (see rnn_gemm.h). Micro-tile: 6 rows x 16 columns,
 * twelve 8-wide accumulators, the whole k range in one pass (a 16-column panel of B,
 * K x 16 floats, stays in L1 or L2; A rows stream from L1/L2). */
#include "model/rnn_gemm.h"

#include <string.h>

#define PW BIMT_RG_PANEL
#define MR 6

void bimt__rg_pack_t(const float *Mt, size_t n, size_t K, size_t p0, size_t p1, float *Bp)
{
    for (size_t p = p0; p < p1; p++) {
        float *dst = Bp + p * K * PW;
        for (size_t c = 0; c < PW; c++) {
            size_t col = p * PW + c;
            if (col < n)
                for (size_t k = 0; k < K; k++)
                    dst[k * PW + c] = Mt[col * K + k];
            else
                for (size_t k = 0; k < K; k++)
                    dst[k * PW + c] = 0.0f;
        }
    }
}

void bimt__rg_pack(const float *M, size_t n, size_t K, size_t p0, size_t p1, float *Bp)
{
    for (size_t p = p0; p < p1; p++) {
        float *dst = Bp + p * K * PW;
        size_t w = n - p * PW < PW ? n - p * PW : PW;
        for (size_t k = 0; k < K; k++) {
            memcpy(dst + k * PW, M + k * n + p * PW, w * sizeof(float));
            for (size_t c = w; c < PW; c++)
                dst[k * PW + c] = 0.0f;
        }
    }
}

/* Writes (or adds) acc (MR x PW) into the first rows x w entries of C. */
static void put_tile(const float *acc, size_t rows, size_t w, int accumulate, float *C, size_t ldc)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < w; c++)
            C[r * ldc + c] = accumulate ? C[r * ldc + c] + acc[r * PW + c] : acc[r * PW + c];
}

/* Portable tile: acc += A[rows][K] Bp[K][PW], k in increasing order. */
static void tile_generic_term(float *acc, size_t rows, const bimt_rg_term *t, size_t ro,
                              const float *Bp)
{
    const float *A = t->A + ro;
    for (size_t k = 0; k < t->K; k++) {
        const float *b = Bp + k * PW;
        for (size_t r = 0; r < rows; r++) {
            float a = A[r * t->rs + k * t->ks];
            for (size_t c = 0; c < PW; c++)
                acc[r * PW + c] += a * b[c];
        }
    }
}

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_FMA_KERNEL 1

/* One k-range of a tile of up to 6 rows x 16 columns: ROWS_ lists the rows it computes
 * (FMA_ROW16 or FMA_ROW8 for each); rows beyond `rows` re-read the last valid row (not stored).
 * Every element sees the same operations in the same order whichever tile height computes it. */
#define TILE_LOOP(T_, RO, BP, ROWS_)                                                               \
    do {                                                                                           \
        const float *ak = (T_)->A + (RO);                                                          \
        const size_t rs = (T_)->rs, ks = (T_)->ks, kk = (T_)->K;                                   \
        const size_t o1 = (rows > 1 ? 1 : 0) * rs, o2 = (rows > 2 ? 2 : 0) * rs;                   \
        const size_t o3 = (rows > 3 ? 3 : 0) * rs, o4 = (rows > 4 ? 4 : 0) * rs;                   \
        const size_t o5 = (rows > 5 ? 5 : 0) * rs;                                                 \
        (void)o1, (void)o2, (void)o3, (void)o4, (void)o5;                                          \
        const float *bp = (BP);                                                                    \
        for (size_t k = 0; k < kk; k++, ak += ks, bp += PW) {                                      \
            __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8), a;                        \
            ROWS_                                                                                  \
        }                                                                                          \
    } while (0)
#define FMA_ROW16(C0, C1, O)                                                                       \
    a = _mm256_broadcast_ss(ak + (O));                                                             \
    C0 = _mm256_fmadd_ps(a, b0, C0);                                                               \
    C1 = _mm256_fmadd_ps(a, b1, C1);
#define ROWS_2 FMA_ROW16(c00, c01, 0) FMA_ROW16(c10, c11, o1)
#define ROWS_4 ROWS_2 FMA_ROW16(c20, c21, o2) FMA_ROW16(c30, c31, o3)
#define ROWS_6 ROWS_4 FMA_ROW16(c40, c41, o4) FMA_ROW16(c50, c51, o5)

/* The accumulators of a tile into a [MR][PW] array (rows not computed stay zero). */
#define SPILL_TILE(t)                                                                              \
    do {                                                                                           \
        const __m256 all_[2 * MR] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};  \
        for (int i_ = 0; i_ < 2 * MR; i_++)                                                        \
            _mm256_storeu_ps(t + 8 * i_, all_[i_]);                                                \
    } while (0)

__attribute__((target("avx2,fma"))) static void
tile_fma(size_t rows, const bimt_rg_term *t1, size_t r1, const bimt_rg_term *t2, size_t r2,
         const float *bp1, const float *bp2, int accumulate, float *C, size_t ldc, size_t w)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    if (t1 && t1->K) TILE_LOOP(t1, r1, bp1, ROWS_6);
    if (t2 && t2->K) TILE_LOOP(t2, r2, bp2, ROWS_6);
    if (w == PW) {
        __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                             {c30, c31}, {c40, c41}, {c50, c51}};
        for (size_t r = 0; r < rows; r++) {
            float *c = C + r * ldc;
            if (accumulate) {
                _mm256_storeu_ps(c, _mm256_add_ps(_mm256_loadu_ps(c), acc[r][0]));
                _mm256_storeu_ps(c + 8, _mm256_add_ps(_mm256_loadu_ps(c + 8), acc[r][1]));
            } else {
                _mm256_storeu_ps(c, acc[r][0]);
                _mm256_storeu_ps(c + 8, acc[r][1]);
            }
        }
    } else {
        float t[MR * PW];
        SPILL_TILE(t);
        put_tile(t, rows, w, accumulate, C, ldc);
    }
}

/* Short last row tiles (B = 64 = 10 * 6 + 4; a row split of 64 trials in two: 5 * 6 + 2):
 * 4 or 2 rows, 8 or 4 accumulators instead of 12. */
__attribute__((target("avx2,fma"))) static void
tile_fma_short(size_t rows, const bimt_rg_term *t1, size_t r1, const bimt_rg_term *t2, size_t r2,
               const float *bp1, const float *bp2, int accumulate, float *C, size_t ldc, size_t w)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    if (rows <= 2) {
        if (t1 && t1->K) TILE_LOOP(t1, r1, bp1, ROWS_2);
        if (t2 && t2->K) TILE_LOOP(t2, r2, bp2, ROWS_2);
    } else {
        if (t1 && t1->K) TILE_LOOP(t1, r1, bp1, ROWS_4);
        if (t2 && t2->K) TILE_LOOP(t2, r2, bp2, ROWS_4);
    }
    float t[MR * PW];
    SPILL_TILE(t);
    put_tile(t, rows, w, accumulate, C, ldc);
}

/* The rows of the narrow 6 x 8 tile (panels with at most 8 valid columns: the last panel of
 * n_out = 33 or n_in = 85), for TILE_LOOP. Each element sees the same operations in the same
 * order as in the 16-wide tile, so the results are the same; only the unused half is not
 * computed (the load of b1 is dead). */
#define FMA_ROW8(C0, O)                                                                            \
    a = _mm256_broadcast_ss(ak + (O));                                                             \
    C0 = _mm256_fmadd_ps(a, b0, C0);
#define ROWS8_6                                                                                    \
    (void)b1;                                                                                      \
    FMA_ROW8(c00, 0)                                                                               \
    FMA_ROW8(c10, o1) FMA_ROW8(c20, o2) FMA_ROW8(c30, o3) FMA_ROW8(c40, o4) FMA_ROW8(c50, o5)

__attribute__((target("avx2,fma"))) static void
tile_fma8(size_t rows, const bimt_rg_term *t1, size_t r1, const bimt_rg_term *t2, size_t r2,
          const float *bp1, const float *bp2, int accumulate, float *C, size_t ldc, size_t w)
{
    __m256 c00 = _mm256_setzero_ps(), c10 = c00, c20 = c00, c30 = c00, c40 = c00, c50 = c00;
    if (t1 && t1->K) TILE_LOOP(t1, r1, bp1, ROWS8_6);
    if (t2 && t2->K) TILE_LOOP(t2, r2, bp2, ROWS8_6);
    __m256 c01 = c00, c11 = c00, c21 = c00, c31 = c00, c41 = c00, c51 = c00; /* unused half */
    float t[MR * PW];
    SPILL_TILE(t);
    put_tile(t, rows, w, accumulate, C, ldc);
}
/* Tile dispatch: narrow panels, short last row tiles, else the full 6 x 16 tile. */
__attribute__((target("avx2,fma"))) static inline void
tile_any(size_t rows, const bimt_rg_term *t1, size_t r1, const bimt_rg_term *t2, size_t r2,
         const float *bp1, const float *bp2, int accumulate, float *C, size_t ldc, size_t w)
{
    if (w <= PW / 2)
        tile_fma8(rows, t1, r1, t2, r2, bp1, bp2, accumulate, C, ldc, w);
    else if (rows <= 4)
        tile_fma_short(rows, t1, r1, t2, r2, bp1, bp2, accumulate, C, ldc, w);
    else
        tile_fma(rows, t1, r1, t2, r2, bp1, bp2, accumulate, C, ldc, w);
}

#else
#define HAVE_FMA_KERNEL 0
#endif

/* Row tiles of one panel with one or two terms. */
static void panel_pass(int fma, int accumulate, size_t M, size_t n, size_t p,
                       const bimt_rg_term *t1, const bimt_rg_term *t2, float *C)
{
    size_t w = n - p * PW < PW ? n - p * PW : PW;
    const float *bp1 = t1 ? t1->Bp + p * t1->K * PW : NULL;
    const float *bp2 = t2 ? t2->Bp + p * t2->K * PW : NULL;
    for (size_t r = 0; r < M; r += MR) {
        size_t rows = M - r < MR ? M - r : MR;
        size_t r1 = t1 ? r * t1->rs : 0, r2 = t2 ? r * t2->rs : 0;
        float *Ct = C + r * n + p * PW;
#if HAVE_FMA_KERNEL
        if (fma) {
            tile_any(rows, t1, r1, t2, r2, bp1, bp2, accumulate, Ct, n, w);
            continue;
        }
#endif
        float acc[MR * PW];
        memset(acc, 0, sizeof acc);
        if (t1) tile_generic_term(acc, rows, t1, r1, bp1);
        if (t2) tile_generic_term(acc, rows, t2, r2, bp2);
        put_tile(acc, rows, w, accumulate, Ct, n);
    }
    (void)fma;
}

void bimt__rg_gemm(int fma, int accumulate, size_t M, size_t n, size_t p0, size_t p1,
                   const bimt_rg_term *t1, const bimt_rg_term *t2, float *C)
{
    /* Two terms go in two passes over the rows, so that only one packed panel (and the rows
     * of one A) compete for L1 at a time: C (=|+=) t1, then C += t2. */
    for (size_t p = p0; p < p1; p++) {
        if (t1 && t1->K && t2 && t2->K) {
            panel_pass(fma, accumulate, M, n, p, t1, NULL, C);
            panel_pass(fma, 1, M, n, p, NULL, t2, C);
        } else {
            panel_pass(fma, accumulate, M, n, p, t1 && t1->K ? t1 : NULL, t2 && t2->K ? t2 : NULL,
                       C);
        }
    }
}

/* Copies rows x 16 floats (source row stride ld) into dst[rows][16], zero padding past w. */
static void pack_panel_rows(const float *src, size_t ld, size_t rows, size_t w, float *dst)
{
    if (w == PW) {
        for (size_t k = 0; k < rows; k++)
            for (size_t c = 0; c < PW; c++)
                dst[k * PW + c] = src[k * ld + c];
        return;
    }
    for (size_t k = 0; k < rows; k++)
        for (size_t c = 0; c < PW; c++)
            dst[k * PW + c] = c < w ? src[k * ld + c] : 0.0f;
}

void bimt__rg_gemm_tn_multi(int fma, size_t N, const float *B, size_t p0, size_t p1, float *scratch,
                            const bimt_rg_tn *prods, size_t nprod)
{
    size_t Kmax = 0;
    for (size_t j = 0; j < nprod; j++)
        Kmax = prods[j].K > Kmax ? prods[j].K : Kmax;
    for (size_t k0 = 0; k0 < Kmax; k0 += BIMT_RG_KB) {
        size_t kb = Kmax - k0 < BIMT_RG_KB ? Kmax - k0 : BIMT_RG_KB;
        for (size_t p = p0; p < p1; p++) {
            size_t w = N - p * PW < PW ? N - p * PW : PW;
            pack_panel_rows(B + k0 * N + p * PW, N, kb, w, scratch + (p - p0) * kb * PW);
        }
        for (size_t j = 0; j < nprod; j++) {
            const bimt_rg_tn *q = &prods[j];
            if (k0 >= q->K) continue;
            /* the same K blocks as a product on its own: same sums, same order */
            size_t kq = q->K - k0 < BIMT_RG_KB ? q->K - k0 : BIMT_RG_KB;
            for (size_t p = p0; p < p1; p++) {
                size_t w = N - p * PW < PW ? N - p * PW : PW;
                const float *bp = scratch + (p - p0) * kb * PW;
                /* A^T read in place: element (i, k) at A[(k0 + k) * lda + i] */
                bimt_rg_term t = {q->A + k0 * q->lda, 1, q->lda, kq, bp};
                for (size_t r = 0; r < q->M; r += MR) {
                    size_t rows = q->M - r < MR ? q->M - r : MR;
                    float *Ct = q->C + r * q->ldc + p * PW;
#if HAVE_FMA_KERNEL
                    if (fma) {
                        tile_any(rows, &t, r, NULL, 0, bp, NULL, 1, Ct, q->ldc, w);
                        continue;
                    }
#endif
                    float acc[MR * PW];
                    memset(acc, 0, sizeof acc);
                    tile_generic_term(acc, rows, &t, r, bp);
                    put_tile(acc, rows, w, 1, Ct, q->ldc);
                }
            }
        }
    }
    (void)fma;
}

void bimt__rg_gemm_tn(int fma, size_t M, size_t N, size_t K, const float *A, size_t lda,
                      const float *B, float *C, size_t ldc, size_t p0, size_t p1, float *scratch)
{
    bimt_rg_tn q = {A, lda, M, K, C, ldc};
    bimt__rg_gemm_tn_multi(fma, N, B, p0, p1, scratch, &q, 1);
}
