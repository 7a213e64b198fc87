/* Element-wise kernels of the recurrent loops and the recurrent noise (private; declared in
 * rnn_internal.h). Each kernel is plain C compiled twice, generic and for AVX2 (selected at
 * run time); without floating-point contraction both give bit-identical results. */
#include <stdlib.h>
#include <string.h>

#include "model/rnn_internal.h"
#include "common/vmath.h"

/* ---------------------------------------------------------------- recurrent noise
 * Each 16-column panel of the hidden layer has its own 8 xoshiro256** lanes, run side by side
 * (vectorizable); their states are drawn from the model's noise stream at the start of every
 * noisy forward, panel by panel (each word passed through the splitmix64 finalizer). The noise
 * is thus a deterministic function of the stream's state, whichever thread owns a panel. */
#define NOISE_LANES 8

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
        for (int h = 0; h < 2; h++)
            memcpy(&s[k][h], &st[k][4 * h], sizeof(v4u64));
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
        for (int h = 0; h < 2; h++)
            memcpy(&st[k][4 * h], &s[k][h], sizeof(v4u64));
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

void bimt__rnn_noise_seed(uint64_t *lanes, size_t npanels, bimt_rng *r)
{
    for (size_t p = 0; p < npanels; p++) {
        uint64_t *st = lanes + p * 4 * NOISE_LANES;
        for (int l = 0; l < NOISE_LANES; l++) {
            uint64_t any = 0;
            for (int k = 0; k < 4; k++) {
                st[k * NOISE_LANES + l] = bimt__mix64(bimt__rng_u64(r));
                any |= st[k * NOISE_LANES + l];
            }
            if (!any) st[l] = 1; /* never the all-zero state */
        }
    }
}

/* Box-Muller on float32 for B rows of one panel: pair (b, l) gives z[b][l] = rad cos(phi) and
 * z[b][8 + l] = rad sin(phi); rad = scale sqrt(-2 ln u1), u1 in (0, 1) from 23 bits (tails to
 * 5.8 sigma), phi uniform from 24 bits, reduced to a quarter turn k pi/2 + theta,
 * |theta| <= pi/4, with Taylor polynomials (error < 1e-8). */
static BIMT_ALWAYS_INLINE void transform_body(const uint32_t *restrict hi,
                                              const uint32_t *restrict lo, size_t B, float scale,
                                              float *restrict z, size_t ldz)
{
    for (size_t b = 0; b < B; b++) {
        const uint32_t *restrict hb = hi + b * NOISE_LANES, *restrict lb = lo + b * NOISE_LANES;
        float *restrict zb = z + b * ldz;
        for (size_t l = 0; l < NOISE_LANES; l++) {
            float u1 = ((float)(int32_t)(hb[l] >> 9) + 0.5f) * 0x1.0p-23f;
            float u2 = (float)(int32_t)(lb[l] >> 8) * 0x1.0p-22f; /* [0, 4) quarter turns */
            float rad = scale * bimt__v_sqrt_pos(-2.0f * bimt__v_log(u1)); /* arg >= 1.2e-7 */
            float q = (u2 + 12582912.0f) - 12582912.0f; /* nearest integer, 0..4 */
            float th = (u2 - q) * 1.57079632679489662f; /* [-pi/4, pi/4] */
            int32_t quad = (int32_t)q & 3;
            float t2 = th * th, t4 = t2 * t2; /* Estrin's scheme */
            float sp = (1.0f - t2 * (1.0f / 6.0f)) +
                       t4 * ((1.0f / 120.0f - t2 * (1.0f / 5040.0f)) + t4 * (1.0f / 362880.0f));
            float sn = th * sp;
            float cs =
                (1.0f - t2 * 0.5f) + t4 * ((1.0f / 24.0f - t2 * (1.0f / 720.0f)) +
                                           t4 * (1.0f / 40320.0f - t2 * (1.0f / 3628800.0f)));
            int odd = quad & 1;
            float cc = odd ? sn : cs;
            float ss = odd ? cs : sn;
            float ncc = -cc, nss = -ss;
            cc = ((quad == 1) | (quad == 2)) ? ncc : cc;
            ss = (quad >= 2) ? nss : ss;
            zb[l] = rad * cc;
            zb[NOISE_LANES + l] = rad * ss;
        }
    }
}

static BIMT_ALWAYS_INLINE void noise_body(uint64_t *lanes, size_t B, float scale, uint32_t *bits,
                                          float *z, size_t ldz)
{
    uint32_t *hi = bits, *lo = bits + B * NOISE_LANES;
    lanes_body((uint64_t(*)[NOISE_LANES])lanes, hi, lo, B);
    transform_body(hi, lo, B, scale, z, ldz);
}

/* ---------------------------------------------------------------- element-wise */

/* Forward, B x w block with row stride ld: u = d + bh (+ z); h = (1-a) hp + a phi(u);
 * d <- phi'(u). */
static BIMT_ALWAYS_INLINE void step_body(int act, size_t B, size_t w, size_t ld,
                                         const float *restrict bh, float a, float *restrict d,
                                         const float *restrict hp, float *restrict h,
                                         const float *restrict z, size_t ldz)
{
    const float c = 1.0f - a;
    for (size_t b = 0; b < B; b++) {
        float *restrict db = d + b * ld;
        const float *restrict hpb = hp + b * ld;
        float *restrict hb = h + b * ld;
        if (z) {
            const float *restrict zb = z + b * ldz;
            for (size_t j = 0; j < w; j++)
                db[j] += zb[j];
        }
        if (act == BIMT_ACT_SOFTPLUS) {
            for (size_t j = 0; j < w; j++) {
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
            for (size_t j = 0; j < w; j++) {
                float u = db[j] + bh[j];
                int pos = u > 0.0f;
                hb[j] = c * hpb[j] + a * (pos ? u : 0.0f);
                db[j] = pos ? 1.0f : 0.0f;
            }
        } else {
            for (size_t j = 0; j < w; j++) {
                float u = db[j] + bh[j];
                float th = bimt__v_tanh(u);
                hb[j] = c * hpb[j] + a * th;
                db[j] = 1.0f - th * th;
            }
        }
    }
}

/* Backward, B x w block: g <- a phi' g (dL/du); colsum += it (if colsum); gp = (1-a) g_old
 * (if gp). */
static BIMT_ALWAYS_INLINE void bstep_body(size_t B, size_t w, size_t ld, float a,
                                          const float *restrict dphi, float *restrict g,
                                          float *restrict gp, float *restrict colsum)
{
    const float c = 1.0f - a;
    for (size_t b = 0; b < B; b++) {
        const float *restrict db = dphi + b * ld;
        float *restrict gb = g + b * ld;
        if (gp) {
            float *restrict gpb = gp + b * ld;
            for (size_t j = 0; j < w; j++) {
                float gv = gb[j];
                gpb[j] = c * gv;
                gb[j] = a * db[j] * gv;
            }
        } else {
            for (size_t j = 0; j < w; j++)
                gb[j] = a * db[j] * gb[j];
        }
        if (colsum)
            for (size_t j = 0; j < w; j++)
                colsum[j] += gb[j];
    }
}

static void step_generic(int act, size_t B, size_t w, size_t ld, const float *bh, float a, float *d,
                         const float *hp, float *h, const float *z, size_t ldz)
{
    step_body(act, B, w, ld, bh, a, d, hp, h, z, ldz);
}
static void bstep_generic(size_t B, size_t w, size_t ld, float a, const float *dphi, float *g,
                          float *gp, float *colsum)
{
    bstep_body(B, w, ld, a, dphi, g, gp, colsum);
}
static void noise_generic(uint64_t *lanes, size_t B, float scale, uint32_t *bits, float *z,
                          size_t ldz)
{
    noise_body(lanes, B, scale, bits, z, ldz);
}

#if BIMT_HAVE_AVX2_PATH
BIMT_AVX2 static void step_avx2(int act, size_t B, size_t w, size_t ld, const float *bh, float a,
                                float *d, const float *hp, float *h, const float *z, size_t ldz)
{
    step_body(act, B, w, ld, bh, a, d, hp, h, z, ldz);
}
BIMT_AVX2 static void bstep_avx2(size_t B, size_t w, size_t ld, float a, const float *dphi,
                                 float *g, float *gp, float *colsum)
{
    bstep_body(B, w, ld, a, dphi, g, gp, colsum);
}
BIMT_AVX2 static void noise_avx2(uint64_t *lanes, size_t B, float scale, uint32_t *bits, float *z,
                                 size_t ldz)
{
    noise_body(lanes, B, scale, bits, z, ldz);
}
#endif

int bimt__rnn_cpu_avx2(void)
{
#if BIMT_HAVE_AVX2_PATH
    /* BIMT_DISABLE_AVX2 (any value) forces the portable kernels (testing, comparisons). */
    const char *off = getenv("BIMT_DISABLE_AVX2");
    if (off && *off) return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
#else
    return 0;
#endif
}

void bimt__rnn_step(int avx2, int act, size_t B, size_t w, size_t ld, const float *bh, float a,
                    float *d, const float *hp, float *h, const float *z, size_t ldz)
{
#if BIMT_HAVE_AVX2_PATH
    if (avx2) {
        step_avx2(act, B, w, ld, bh, a, d, hp, h, z, ldz);
        return;
    }
#endif
    (void)avx2;
    step_generic(act, B, w, ld, bh, a, d, hp, h, z, ldz);
}

void bimt__rnn_bstep(int avx2, size_t B, size_t w, size_t ld, float a, const float *dphi, float *g,
                     float *gp, float *colsum)
{
#if BIMT_HAVE_AVX2_PATH
    if (avx2) {
        bstep_avx2(B, w, ld, a, dphi, g, gp, colsum);
        return;
    }
#endif
    (void)avx2;
    bstep_generic(B, w, ld, a, dphi, g, gp, colsum);
}

void bimt__rnn_noise_panel(int avx2, uint64_t *lanes, size_t B, float scale, uint32_t *bits,
                           float *z, size_t ldz)
{
#if BIMT_HAVE_AVX2_PATH
    if (avx2) {
        noise_avx2(lanes, B, scale, bits, z, ldz);
        return;
    }
#endif
    (void)avx2;
    noise_generic(lanes, B, scale, bits, z, ldz);
}
