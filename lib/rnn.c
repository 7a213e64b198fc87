/* Forward pass and backpropagation through time of the leaky RNN (bimt_model_forward,
 * bimt_model_backward); the losses live in rnn_loss.c.
 *
 * Layout (time-major rows r = t*B + b; see rnn_internal.h):
 *   forward   D   = X Win^T                      one GEMM over all T*B rows
 *             D_t += h_{t-1} W^T                  one GEMM per step (skipped at t = 0)
 *             D_t += xi_t (optional noise); h_t = (1-a) h_{t-1} + a phi(D_t + b_h); D_t <- phi'
 *             O   = H Wout^T + b_o               one GEMM over all rows
 *   backward  G   = dO Wout                       one GEMM over all rows (dL/dh from outputs)
 *             for t = T-1 .. 0:  G_t <- a phi'_t G_t (= dL/du_t, in place);
 *                                G_{t-1} += (1-a) G_t(old) + G_t W   (one GEMM per step)
 *             dW += G[1..]^T H[0..T-2], dWin += G^T X, dWout += dO^T H   (one GEMM each)
 *             db_h += column sums of G, db_o += column sums of dO
 * The element-wise passes are compiled twice (generic and AVX2) from the same plain-C source;
 * without floating-point contraction both give bit-identical results. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "rnn_internal.h"
#include "vmath.h"

/* ---------------------------------------------------------------- workspace */

static void *aligned_floats(size_t n, size_t elem)
{
    void *p = NULL;
    if (n == 0) n = 1;
    if (n > SIZE_MAX / elem) return NULL;
    if (posix_memalign(&p, 64, n * elem) != 0) return NULL;
    return p;
}

static void ws_release_buffers(struct bimt_rnn_ws *ws)
{
    free(ws->X);
    free(ws->Hs);
    free(ws->D);
    free(ws->G);
    free(ws->O);
    free(ws->dO);
    free(ws->noise);
    free(ws->bits);
    free(ws->colsum);
    free(ws->rowbuf);
    ws->X = ws->Hs = ws->D = ws->G = ws->O = ws->dO = NULL;
    ws->noise = ws->colsum = ws->rowbuf = NULL;
    ws->bits = NULL;
    ws->cap_rows = ws->cap_b = 0;
}

void bimt__rnn_ws_free(struct bimt_rnn_ws *ws)
{
    if (!ws) return;
    ws_release_buffers(ws);
    free(ws);
}

/* Makes room for rows = T*B rows and batch B. On failure everything is released (the
 * previous results are gone) and BIMT_E_NOMEM is returned. */
static int ws_reserve(struct bimt_model *m, size_t rows, size_t B)
{
    struct bimt_rnn_ws *ws = m->ws;
    if (!ws) {
        ws = calloc(1, sizeof(*ws));
        if (!ws) return BIMT_E_NOMEM;
#if BIMT_HAVE_AVX2_PATH
        __builtin_cpu_init();
        ws->avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
#endif
        m->ws = ws;
    }
    if (rows <= ws->cap_rows && B <= ws->cap_b) return BIMT_OK;
    size_t cr = rows > ws->cap_rows ? rows : ws->cap_rows;
    size_t cb = B > ws->cap_b ? B : ws->cap_b;
    int avx2 = ws->avx2;
    ws_release_buffers(ws);
    ws->have_fwd = ws->have_loss = 0;
    size_t nh = m->n_h;
    ws->X = aligned_floats(cr, m->n_in * sizeof(float));
    ws->Hs = aligned_floats(cr + cb, nh * sizeof(float));
    ws->D = aligned_floats(cr, nh * sizeof(float));
    ws->G = aligned_floats(cr, nh * sizeof(float));
    ws->O = aligned_floats(cr, m->n_out * sizeof(float));
    ws->dO = aligned_floats(cr, m->n_out * sizeof(float));
    ws->noise = aligned_floats(cb * nh + 32, sizeof(float));
    ws->bits = aligned_floats(cb * nh + 32, sizeof(uint32_t));
    ws->colsum = aligned_floats(nh, sizeof(float));
    ws->rowbuf = aligned_floats(m->n_out, sizeof(float));
    if (!ws->X || !ws->Hs || !ws->D || !ws->G || !ws->O || !ws->dO || !ws->noise || !ws->bits ||
        !ws->colsum || !ws->rowbuf) {
        ws_release_buffers(ws);
        return BIMT_E_NOMEM;
    }
    ws->cap_rows = cr;
    ws->cap_b = cb;
    ws->avx2 = avx2;
    return BIMT_OK;
}

/* ---------------------------------------------------------------- recurrent noise */

/* The noise of one forward comes from 8 xoshiro256** lanes run side by side (vectorizable),
 * whose states are drawn from the model's noise stream at the start of the forward (each word
 * passed through the splitmix64 finalizer). The model's stream thus advances by 32 draws per
 * noisy forward, and the noise is a deterministic function of its state. */
#define NOISE_LANES 8

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void noise_seed_lanes(struct bimt_rnn_ws *ws, bimt_rng *r)
{
    for (int l = 0; l < NOISE_LANES; l++) {
        uint64_t any = 0;
        for (int k = 0; k < 4; k++) {
            ws->lanes[k][l] = mix64(bimt__rng_u64(r));
            any |= ws->lanes[k][l];
        }
        if (!any) ws->lanes[0][l] = 1; /* never the all-zero state */
    }
}

/* nblk blocks of NOISE_LANES 64-bit outputs, split into high and low 32-bit words. The
 * multiplications by 5 and 9 are written as shifts and adds (AVX2 has no 64-bit multiply).
 * GCC and Clang get explicit vectors (the lanes are independent); others a scalar loop. */
#if defined(__GNUC__) || defined(__clang__)
typedef uint64_t v4u64 __attribute__((vector_size(32)));
typedef uint32_t v4u32 __attribute__((vector_size(16)));

static BIMT_ALWAYS_INLINE void lanes_body(uint64_t st[4][NOISE_LANES], uint32_t *restrict hi,
                                          uint32_t *restrict lo, size_t nblk)
{
    v4u64 s[4][2];
    for (int k = 0; k < 4; k++)
        for (int h = 0; h < 2; h++) memcpy(&s[k][h], &st[k][4 * h], sizeof(v4u64));
    for (size_t k = 0; k < nblk; k++) {
        for (int h = 0; h < 2; h++) {
            v4u64 s0 = s[0][h], s1 = s[1][h], s2 = s[2][h], s3 = s[3][h];
            v4u64 x = (s1 << 2) + s1;
            x = (x << 7) | (x >> 57);
            x = (x << 3) + x;
            v4u64 t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = (s3 << 45) | (s3 >> 19);
            s[0][h] = s0;
            s[1][h] = s1;
            s[2][h] = s2;
            s[3][h] = s3;
            v4u32 xh = __builtin_convertvector(x >> 32, v4u32);
            v4u32 xl = __builtin_convertvector(x, v4u32);
            memcpy(hi + k * NOISE_LANES + 4 * (size_t)h, &xh, sizeof xh);
            memcpy(lo + k * NOISE_LANES + 4 * (size_t)h, &xl, sizeof xl);
        }
    }
    for (int k = 0; k < 4; k++)
        for (int h = 0; h < 2; h++) memcpy(&st[k][4 * h], &s[k][h], sizeof(v4u64));
}
#else
static void lanes_body(uint64_t st[4][NOISE_LANES], uint32_t *hi, uint32_t *lo, size_t nblk)
{
    for (size_t k = 0; k < nblk; k++) {
        for (int l = 0; l < NOISE_LANES; l++) {
            uint64_t s1 = st[1][l];
            uint64_t x = (s1 << 2) + s1;
            x = (x << 7) | (x >> 57);
            x = (x << 3) + x;
            uint64_t t = s1 << 17;
            st[2][l] ^= st[0][l];
            st[3][l] ^= st[1][l];
            st[1][l] ^= st[2][l];
            st[0][l] ^= st[3][l];
            st[2][l] ^= t;
            st[3][l] = (st[3][l] << 45) | (st[3][l] >> 19);
            hi[k * NOISE_LANES + (size_t)l] = (uint32_t)(x >> 32);
            lo[k * NOISE_LANES + (size_t)l] = (uint32_t)x;
        }
    }
}
#endif

static void lanes_generic(uint64_t st[4][NOISE_LANES], uint32_t *hi, uint32_t *lo, size_t nblk)
{
    lanes_body(st, hi, lo, nblk);
}

#if BIMT_HAVE_AVX2_PATH
BIMT_AVX2 static void lanes_avx2(uint64_t st[4][NOISE_LANES], uint32_t *hi, uint32_t *lo,
                                 size_t nblk)
{
    lanes_body(st, hi, lo, nblk);
}
#endif

/* Box-Muller on float32: z[k] = scale * rad * cos(phi), z[n + k] = scale * rad * sin(phi),
 * rad = sqrt(-2 ln u1), u1 in (0, 1) from 23 bits (tails to 5.8 sigma), phi uniform from 24 bits.
 * The angle is reduced to a quarter turn k pi/2 + theta, |theta| <= pi/4, with Taylor
 * polynomials for sin and cos (error < 1e-8). */
static BIMT_ALWAYS_INLINE void noise_transform_body(const uint32_t *restrict hi,
                                                    const uint32_t *restrict lo, size_t n,
                                                    float scale, float *restrict z)
{
    for (size_t k = 0; k < n; k++) {
        float u1 = ((float)(int32_t)(hi[k] >> 9) + 0.5f) * 0x1.0p-23f;
        float u2 = (float)(int32_t)(lo[k] >> 8) * 0x1.0p-22f; /* [0, 4) quarter turns */
        float rad = scale * bimt__v_sqrt_pos(-2.0f * bimt__v_log(u1)); /* arg >= 1.2e-7 */
        float q = (u2 + 12582912.0f) - 12582912.0f;            /* nearest integer, 0..4 */
        float th = (u2 - q) * 1.57079632679489662f;            /* [-pi/4, pi/4] */
        int32_t quad = (int32_t)q & 3;
        float t2 = th * th, t4 = t2 * t2; /* Estrin's scheme */
        float sp = (1.0f - t2 * (1.0f / 6.0f)) +
                   t4 * ((1.0f / 120.0f - t2 * (1.0f / 5040.0f)) + t4 * (1.0f / 362880.0f));
        float sn = th * sp;
        float cs = (1.0f - t2 * 0.5f) + t4 * ((1.0f / 24.0f - t2 * (1.0f / 720.0f)) +
                                             t4 * (1.0f / 40320.0f - t2 * (1.0f / 3628800.0f)));
        int odd = quad & 1;
        float cc = odd ? sn : cs;
        float ss = odd ? cs : sn;
        float ncc = -cc, nss = -ss;
        cc = ((quad == 1) | (quad == 2)) ? ncc : cc;
        ss = (quad >= 2) ? nss : ss;
        z[k] = rad * cc;
        z[n + k] = rad * ss;
    }
}

static void noise_transform_generic(const uint32_t *hi, const uint32_t *lo, size_t n,
                                    float scale, float *z)
{
    noise_transform_body(hi, lo, n, scale, z);
}

#if BIMT_HAVE_AVX2_PATH
BIMT_AVX2 static void noise_transform_avx2(const uint32_t *hi, const uint32_t *lo, size_t n,
                                           float scale, float *z)
{
    noise_transform_body(hi, lo, n, scale, z);
}
#endif

/* Adds n Gaussian values of std `scale` from the noise lanes to d. */
static void add_noise(struct bimt_rnn_ws *ws, float *d, size_t n, float scale)
{
    size_t nblk = ((n + 1) / 2 + NOISE_LANES - 1) / NOISE_LANES, np = nblk * NOISE_LANES;
    uint32_t *hi = ws->bits, *lo = ws->bits + np;
#if BIMT_HAVE_AVX2_PATH
    if (ws->avx2) {
        lanes_avx2(ws->lanes, hi, lo, nblk);
        noise_transform_avx2(hi, lo, np, scale, ws->noise);
    } else
#endif
    {
        lanes_generic(ws->lanes, hi, lo, nblk);
        noise_transform_generic(hi, lo, np, scale, ws->noise);
    }
    const float *z = ws->noise;
    for (size_t i = 0; i < n; i++) d[i] += z[i];
}

/* ---------------------------------------------------------------- element-wise kernels */

/* One forward step over B x nh: u = d + b_h; h = c hp + a phi(u); d <- phi'(u). */
static BIMT_ALWAYS_INLINE void step_body(int act, size_t B, size_t nh, const float *restrict bh,
                                         float a, float *restrict d, const float *restrict hp,
                                         float *restrict h)
{
    const float c = 1.0f - a;
    for (size_t b = 0; b < B; b++) {
        float *restrict db = d + b * nh;
        const float *restrict hpb = hp + b * nh;
        float *restrict hb = h + b * nh;
        if (act == BIMT_ACT_SOFTPLUS) {
            for (size_t j = 0; j < nh; j++) {
                float u = db[j] + bh[j];
                float nu = -u;
                float e = bimt__v_exp(u < 0.0f ? u : nu); /* e^-|u| */
                float sp = (u > 0.0f ? u : 0.0f) + bimt__v_log1p01(e);
                float s = 1.0f / (1.0f + e);
                float es = e * s;
                hb[j] = c * hpb[j] + a * sp;
                db[j] = u < 0.0f ? es : s;
            }
        } else if (act == BIMT_ACT_RELU) {
            for (size_t j = 0; j < nh; j++) {
                float u = db[j] + bh[j];
                int pos = u > 0.0f;
                hb[j] = c * hpb[j] + a * (pos ? u : 0.0f);
                db[j] = pos ? 1.0f : 0.0f;
            }
        } else {
            for (size_t j = 0; j < nh; j++) {
                float u = db[j] + bh[j];
                float th = bimt__v_tanh(u);
                hb[j] = c * hpb[j] + a * th;
                db[j] = 1.0f - th * th;
            }
        }
    }
}

static void step_generic(int act, size_t B, size_t nh, const float *bh, float a, float *d,
                         const float *hp, float *h)
{
    step_body(act, B, nh, bh, a, d, hp, h);
}

#if BIMT_HAVE_AVX2_PATH
BIMT_AVX2 static void step_avx2(int act, size_t B, size_t nh, const float *bh, float a,
                                float *d, const float *hp, float *h)
{
    step_body(act, B, nh, bh, a, d, hp, h);
}
#endif

/* One backward step over n = B*nh: g <- a phi' g (dL/du); colsum += it; gp += (1-a) g_old. */
static BIMT_ALWAYS_INLINE void bstep_body(size_t B, size_t nh, float a,
                                          const float *restrict dphi, float *restrict g,
                                          float *restrict gp, float *restrict colsum)
{
    const float c = 1.0f - a;
    for (size_t b = 0; b < B; b++) {
        const float *restrict db = dphi + b * nh;
        float *restrict gb = g + b * nh;
        if (gp) {
            float *restrict gpb = gp + b * nh;
            for (size_t j = 0; j < nh; j++) {
                float gv = gb[j];
                float du = a * db[j] * gv;
                gpb[j] += c * gv;
                gb[j] = du;
                colsum[j] += du;
            }
        } else {
            for (size_t j = 0; j < nh; j++) {
                float du = a * db[j] * gb[j];
                gb[j] = du;
                colsum[j] += du;
            }
        }
    }
}

static void bstep_generic(size_t B, size_t nh, float a, const float *dphi, float *g, float *gp,
                          float *colsum)
{
    bstep_body(B, nh, a, dphi, g, gp, colsum);
}

#if BIMT_HAVE_AVX2_PATH
BIMT_AVX2 static void bstep_avx2(size_t B, size_t nh, float a, const float *dphi, float *g,
                                 float *gp, float *colsum)
{
    bstep_body(B, nh, a, dphi, g, gp, colsum);
}
#endif

/* ---------------------------------------------------------------- forward */

int bimt_model_forward(bimt_model_t *m, const float *x, size_t T, size_t B, uint32_t flags)
{
    if (!m) return BIMT_E_INVALID_ARG;
    if (!x) return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG, "forward: x is NULL");
    if (T == 0 || B == 0)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "forward: n_steps and batch_size must be > 0 (got %zu, %zu)", T, B);
    if (flags & ~(uint32_t)BIMT_FWD_NOISE)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG, "forward: unknown flags 0x%x",
                          (unsigned)flags);
    size_t nh = m->n_h, ni = m->n_in, no = m->n_out;
    size_t widest = nh > ni ? nh : ni;
    if (T > (size_t)INT_MAX / B || T * B + B > (size_t)INT_MAX / widest)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "forward: batch too large (%zu steps x %zu trials)", T, B);
    size_t rows = T * B;
    if (ws_reserve(m, rows, B) != BIMT_OK)
        return bimt__fail(m->errmsg, BIMT_E_NOMEM, "forward: out of memory for %zu rows", rows);
    struct bimt_rnn_ws *ws = m->ws;
    ws->have_fwd = ws->have_loss = 0;
    ws->T = T;
    ws->B = B;

    const float *W = bimt__W(m), *Win = bimt__Win(m), *Wout = bimt__Wout(m);
    const float *bh = bimt__bh(m), *bo = bimt__bo(m);
    const float a = (float)m->p.alpha;
    const int act = (int)m->p.activation;
    const size_t blk = B * nh;
    const int noise = (flags & BIMT_FWD_NOISE) && m->p.sigma_rec > 0.0;
    const float scale = (float)(m->p.sigma_rec * sqrt(2.0 / m->p.alpha));

    memcpy(ws->X, x, rows * ni * sizeof(float));
    bimt__sgemm(0, 1, rows, nh, ni, 1.0f, ws->X, ni, Win, ni, 0.0f, ws->D, nh);
    memset(ws->Hs, 0, blk * sizeof(float));
    if (noise) noise_seed_lanes(ws, &m->noise_rng);
    for (size_t t = 0; t < T; t++) {
        float *Dt = ws->D + t * blk;
        const float *hp = ws->Hs + t * blk;
        float *ht = ws->Hs + (t + 1) * blk;
        if (t > 0) bimt__sgemm(0, 1, B, nh, nh, 1.0f, hp, nh, W, nh, 1.0f, Dt, nh);
        if (noise) add_noise(ws, Dt, blk, scale);
#if BIMT_HAVE_AVX2_PATH
        if (ws->avx2)
            step_avx2(act, B, nh, bh, a, Dt, hp, ht);
        else
#endif
            step_generic(act, B, nh, bh, a, Dt, hp, ht);
    }
    const float *H = ws->Hs + blk;
    for (size_t r = 0; r < rows; r++) memcpy(ws->O + r * no, bo, no * sizeof(float));
    bimt__sgemm(0, 1, rows, no, nh, 1.0f, H, nh, Wout, nh, 1.0f, ws->O, no);
    ws->have_fwd = 1;
    return BIMT_OK;
}

int bimt_model_states(const bimt_model_t *m, const float **h)
{
    if (!m || !h) return BIMT_E_INVALID_ARG;
    if (!m->ws || !m->ws->have_fwd) return BIMT_E_STATE;
    *h = m->ws->Hs + m->ws->B * m->n_h;
    return BIMT_OK;
}

int bimt_model_outputs(const bimt_model_t *m, const float **o)
{
    if (!m || !o) return BIMT_E_INVALID_ARG;
    if (!m->ws || !m->ws->have_fwd) return BIMT_E_STATE;
    *o = m->ws->O;
    return BIMT_OK;
}

/* ---------------------------------------------------------------- backward */

int bimt_model_backward(bimt_model_t *m, const float *d_outputs)
{
    if (!m) return BIMT_E_INVALID_ARG;
    struct bimt_rnn_ws *ws = m->ws;
    if (!ws || !ws->have_fwd)
        return bimt__fail(m->errmsg, BIMT_E_STATE, "backward: no forward pass to differentiate");
    if (!d_outputs && !ws->have_loss)
        return bimt__fail(m->errmsg, BIMT_E_STATE,
                          "backward: no d_outputs given and no loss computed since the forward");
    const size_t T = ws->T, B = ws->B, nh = m->n_h, ni = m->n_in, no = m->n_out;
    const size_t rows = T * B, blk = B * nh;
    const float *dO = d_outputs ? d_outputs : ws->dO;
    const float *W = bimt__W(m), *Wout = bimt__Wout(m);
    const float a = (float)m->p.alpha;
    float *G = ws->G, *colsum = ws->colsum;
    const float *H = ws->Hs + blk;

    bimt__sgemm(0, 0, rows, nh, no, 1.0f, dO, no, Wout, nh, 0.0f, G, nh);
    memset(colsum, 0, nh * sizeof(float));
    for (size_t t = T; t-- > 0;) {
        float *Gt = G + t * blk;
        float *Gp = t > 0 ? Gt - blk : NULL;
        const float *Dt = ws->D + t * blk;
#if BIMT_HAVE_AVX2_PATH
        if (ws->avx2)
            bstep_avx2(B, nh, a, Dt, Gt, Gp, colsum);
        else
#endif
            bstep_generic(B, nh, a, Dt, Gt, Gp, colsum);
        if (Gp) bimt__sgemm(0, 0, B, nh, nh, 1.0f, Gt, nh, W, nh, 1.0f, Gp, nh);
    }

    float *g = m->grad;
    float *gW = g + m->off[BIMT_W_REC], *gWin = g + m->off[BIMT_W_IN];
    float *gWout = g + m->off[BIMT_W_OUT], *gbh = g + m->off[BIMT_B_H];
    float *gbo = g + m->off[BIMT_B_O];
    if (T > 1)
        bimt__sgemm(1, 0, nh, nh, rows - B, 1.0f, G + blk, nh, H, nh, 1.0f, gW, nh);
    bimt__sgemm(1, 0, nh, ni, rows, 1.0f, G, nh, ws->X, ni, 1.0f, gWin, ni);
    bimt__sgemm(1, 0, no, nh, rows, 1.0f, dO, no, H, nh, 1.0f, gWout, nh);
    for (size_t j = 0; j < nh; j++) gbh[j] += colsum[j];
    float *acc = colsum; /* reuse as the output-bias accumulator (no >= nh is not assumed) */
    for (size_t o0 = 0; o0 < no; o0 += nh) {
        size_t w = no - o0 < nh ? no - o0 : nh;
        memset(acc, 0, w * sizeof(float));
        for (size_t r = 0; r < rows; r++) {
            const float *row = dO + r * no + o0;
            for (size_t o = 0; o < w; o++) acc[o] += row[o];
        }
        for (size_t o = 0; o < w; o++) gbo[o0 + o] += acc[o];
    }
    return BIMT_OK;
}
