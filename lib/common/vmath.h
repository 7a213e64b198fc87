/* Branch-free float32 elementary functions written so that compilers vectorize the loops that
 * call them (private to libbimt). They are plain C: the results are the same whether a loop
 * runs vectorized or not (in the AVX2 + FMA copies, where multiply-adds may be fused, also
 * between the vector body and the remainder).
 * Accuracy: relative error of a few float ulps (about 1e-7) over the ranges documented below. */
#ifndef BIMT_VMATH_H
#define BIMT_VMATH_H

#include <stdint.h>
#include <string.h>

/* GCC keeps loops with float comparisons or divisions under a condition scalar while it must
 * preserve floating-point exception flags (-ftrapping-math, its default), and sqrtf() calls
 * scalar while it must set errno. libbimt reads neither the flags nor errno, so the
 * translation units that include this header drop both constraints: the
 * computed values are unchanged (no reassociation, no contraction), only if-conversion and
 * vectorization become possible. Clang does not need it. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math", "no-math-errno")
#endif

/* Kernels are compiled a second time for AVX2 + FMA (selected at run time when the CPU has
 * both) when the compiler can; that copy may fuse multiply-adds, so its results differ from
 * the portable copy in the last bits (each copy is deterministic). */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__clang__)
#define BIMT_HAVE_AVX2_PATH 1
#define BIMT_AVX2 __attribute__((target("avx2,fma")))
#elif (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define BIMT_HAVE_AVX2_PATH 1
#define BIMT_AVX2 __attribute__((target("avx2,fma"), optimize("fp-contract=fast")))
#else
#define BIMT_HAVE_AVX2_PATH 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define BIMT_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define BIMT_ALWAYS_INLINE inline
#endif

static BIMT_ALWAYS_INLINE float bimt__v_asfloat(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static BIMT_ALWAYS_INLINE uint32_t bimt__v_asuint(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/** e^x, x clamped to [-87, 88] (results in the normal float range). */
static BIMT_ALWAYS_INLINE float bimt__v_exp(float x)
{
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    /* x = n ln2 + r, |r| <= ln2/2; n rounded to nearest by the 1.5*2^23 trick. */
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f; /* ln2 split: the high part has 9 bits, n*hi is exact */
    r = r - n * -2.12194440e-4f;
    /* Taylor polynomial of degree 7 on |r| <= 0.347: truncation error < 6e-9 relative.
     * Estrin's scheme: short dependency chains, so that several vectors overlap in flight. */
    float r2 = r * r, r4 = r2 * r2;
    float p01 = 1.0f + r, p23 = 0.5f + r * (1.0f / 6.0f);
    float p45 = 1.0f / 24.0f + r * (1.0f / 120.0f), p67 = 1.0f / 720.0f + r * (1.0f / 5040.0f);
    float p = (p01 + r2 * p23) + r4 * (p45 + r2 * p67);
    int32_t k = (int32_t)n;
    return p * bimt__v_asfloat((uint32_t)(k + 127) << 23);
}

/** c[0] - c[1] x + c[2] x^2 - ... - c[7] x^7 + c[8] x^8 (the coefficients of a series of
 *  alternating signs, given as magnitudes) by Estrin's scheme: short dependency chains, so
 *  that several vectors overlap in flight. The polynomial of bimt__v_log and bimt__v_log1p01. */
static BIMT_ALWAYS_INLINE float bimt__v_poly8(float x, const float c[9])
{
    float x2 = x * x, x4 = x2 * x2;
    float p01 = c[0] - c[1] * x;
    float p23 = c[2] - c[3] * x;
    float p45 = c[4] - c[5] * x;
    float p67 = c[6] - c[7] * x;
    return (p01 + x2 * p23) + x4 * ((p45 + x2 * p67) + x4 * c[8]);
}

/** ln(x) for positive normal x (no check: 0, denormals, Inf and NaN give garbage).
 *  x = 2^e m, m in [0.707, 1.414); ln m = f Q(f), f = m - 1, Q a degree-8 polynomial fitted
 *  (weighted least squares on Chebyshev nodes) to ln(1+f)/f: relative error < 2e-7. */
static BIMT_ALWAYS_INLINE float bimt__v_log(float x)
{
    uint32_t u = bimt__v_asuint(x);
    int32_t e = (int32_t)(u >> 23) - 127;
    float m = bimt__v_asfloat((u & 0x007FFFFFu) | 0x3F800000u); /* [1, 2) */
    int big = m > 1.41421356f;
    float half = m * 0.5f;
    m = big ? half : m; /* [0.707, 1.414) */
    float fe = (float)(e + big);
    float f = m - 1.0f; /* exact */
    static const float Q[9] = {9.999999742e-01f, 4.999998796e-01f, 3.333418563e-01f,
                               2.500207410e-01f, 1.995683360e-01f, 1.656239243e-01f,
                               1.495226550e-01f, 1.436684704e-01f, 8.722363693e-02f};
    float q = bimt__v_poly8(f, Q);
    return fe * 0.693359375f + (fe * -2.12194440e-4f + f * q);
}

/** ln(1 + x) for x in [0, 1] as x P(x), P a degree-8 polynomial fitted to ln(1+x)/x
 *  (relative error < 2e-7 everywhere, including tiny x; no division). */
static BIMT_ALWAYS_INLINE float bimt__v_log1p01(float x)
{
    static const float P[9] = {9.999999699e-01f, 4.999949314e-01f, 3.331909684e-01f,
                               2.484298247e-01f, 1.910600777e-01f, 1.366324794e-01f,
                               7.822597705e-02f, 2.950525420e-02f, 5.232698103e-03f};
    return x * bimt__v_poly8(x, P);
}

/** sqrt(x) for positive normal x without sqrtf() (which keeps loops scalar because of errno):
 *  bit-level first guess of 1/sqrt(x), three Newton steps (relative error ~1e-7). */
static BIMT_ALWAYS_INLINE float bimt__v_sqrt_pos(float x)
{
    float r = bimt__v_asfloat(0x5F375A86u - (bimt__v_asuint(x) >> 1));
    float hx = 0.5f * x;
    r = r * (1.5f - hx * r * r);
    r = r * (1.5f - hx * r * r);
    r = r * (1.5f - hx * r * r);
    return x * r;
}

/** tanh(x) for any finite x; odd; |x| < 0.625 by a [7/6] Pade-type continued fraction
 *  (error < 1e-10), larger |x| through e^(-2|x|) (no cancellation there). */
static BIMT_ALWAYS_INLINE float bimt__v_tanh(float x)
{
    float nx = -x;
    float ax = x < 0.0f ? nx : x;
    float x2 = x * x;
    float num = ((x2 + 378.0f) * x2 + 17325.0f) * x2 + 135135.0f;
    float den = ((28.0f * x2 + 3150.0f) * x2 + 62370.0f) * x2 + 135135.0f;
    float small = ax * num / den;
    float e = bimt__v_exp(-2.0f * ax);
    float large = (1.0f - e) / (1.0f + e);
    float t = ax < 0.625f ? small : large;
    float nt = -t;
    return x < 0.0f ? nt : t;
}

/** Logistic sigmoid 1 / (1 + e^-x), stable for any finite x. */
static BIMT_ALWAYS_INLINE float bimt__v_sigmoid(float x)
{
    float nx = -x;
    float e = bimt__v_exp(x < 0.0f ? x : nx); /* e^-|x| in (0, 1] */
    float s = 1.0f / (1.0f + e);
    float es = e * s;
    return x < 0.0f ? es : s;
}

#endif /* BIMT_VMATH_H */
