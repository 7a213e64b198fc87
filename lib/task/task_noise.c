/* Gaussian input noise: an exact ziggurat on interleaved xoshiro256** lanes.
 *
 * Algorithm (Marsaglia & Tsang 2000, 1024 layers of equal area, tail start r = 4.03885...):
 * each value takes one 64-bit draw w; bits 0..9 pick the layer i, bit 10 the sign and bits
 * 12..63 the abscissa fraction u in [0, 1) (52 bits). If u < x[i+1]/x[i] (99.57 % of
 * draws) the value is u x[i]. Otherwise a scalar slow path decides with further draws from
 * a separate generator: the tail beyond r (Marsaglia 1964) for layer 0, or the wedge test
 * y < exp(-x^2/2) otherwise. The wedge test first compares y with the wedge's chord and a
 * precomputed bound on |f - chord| (McFarland 2016), so exp() is rarely evaluated; the
 * outcome is the same as the plain test. Using separate bits for layer, sign and abscissa
 * avoids the correlation of the original 32-bit formulation.
 *
 * Draws are made in blocks: 4 lanes produce a block of 64-bit words, the fast path turns
 * the block into values (AVX2 when the CPU has it, otherwise scalar: bit-identical), then
 * the slow path fixes the flagged entries in index order. Per batch the lanes are seeded
 * from one 64-bit key drawn from the task's stream, so a batch is a function of the seed. */
#include <math.h>
#include <string.h>

#include "task/task_build.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define BIMT_NOISE_AVX2 1
#include <immintrin.h>
#endif

#define ZIG_R 4.038849846109505              /* start of the tail for 1024 layers */
#define HALF_PI_SQRT 1.2533141373155002512   /* sqrt(pi / 2) */
#define BLK 256                              /* values per block (multiple of 64) */
#define ZIG_MASK ((uint64_t)BIMT__ZIG_N - 1) /* layer bits 0..9 */
#define ZIG_SIGN ((uint64_t)BIMT__ZIG_N)     /* sign bit 10 */

static double zig_f(double x)
{
    return exp(-0.5 * x * x);
}

/* Largest |f(x) - chord(x)| on [lo, hi], chord(x) = f(hi) + slope (hi - x) (f - chord has a
 * single extremum there: golden-section search). */
static double chord_dev(double lo, double hi, double slope)
{
    double fhi = zig_f(hi);
    double a = lo, b = hi;
    const double gr = 0.6180339887498949;
    for (int it = 0; it < 100; it++) {
        double c = b - gr * (b - a), d = a + gr * (b - a);
        double dc = fabs(zig_f(c) - (fhi + slope * (hi - c)));
        double dd = fabs(zig_f(d) - (fhi + slope * (hi - d)));
        if (dc > dd)
            b = d;
        else
            a = c;
    }
    double m = 0.5 * (a + b);
    return fabs(zig_f(m) - (fhi + slope * (hi - m)));
}

void bimt__zig_init(bimt__zig *z)
{
    const int n = BIMT__ZIG_N;
    double fr = zig_f(ZIG_R);
    /* Common area of every layer: base rectangle plus the tail beyond r. */
    double v = ZIG_R * fr + HALF_PI_SQRT * erfc(ZIG_R / sqrt(2.0));
    z->x[0] = v / fr;
    z->x[1] = ZIG_R;
    for (int i = 1; i < n - 1; i++)
        z->x[i + 1] = sqrt(-2.0 * log(v / z->x[i] + zig_f(z->x[i])));
    z->x[n] = 0.0;
    for (int i = 0; i < n; i++)
        z->k[i] = z->x[i + 1] / z->x[i];
    for (int i = 0; i <= n; i++)
        z->f[i] = zig_f(z->x[i]);
    z->f[n] = 1.0;
    for (int i = 0; i < n; i++) {
        z->xk[2 * i] = z->x[i];
        z->xk[2 * i + 1] = z->k[i];
    }
    /* Wedge of layer i >= 1: x in [x[i+1], x[i]), y in [f[i], f[i+1]). f is concave on
     * [0, 1] and convex beyond. */
    z->slope[0] = z->dev[0] = 0.0;
    z->shape[0] = 0;
    for (int i = 1; i < n; i++) {
        double lo = z->x[i + 1], hi = z->x[i];
        z->slope[i] = (z->f[i + 1] - z->f[i]) / (hi - lo);
        z->shape[i] = hi <= 1.0 ? 1 : (lo >= 1.0 ? -1 : 0);
        /* Inflate the bound so rounding can never turn an exact comparison around. */
        z->dev[i] = z->shape[i] ? chord_dev(lo, hi, z->slope[i]) * 1.001 + 1e-15 : 0.0;
    }
    z->use_avx2 = 0;
#ifdef BIMT_NOISE_AVX2
    z->use_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
#endif
}

void bimt__noise_seed(bimt__noise *nz, uint64_t key)
{
    bimt_rng r;
    for (int j = 0; j < 4; j++) {
        bimt__rng_seed(&r, key, (uint64_t)j);
        for (int w = 0; w < 4; w++)
            nz->s[w][j] = r.s[w];
    }
    bimt__rng_seed(&r, key, 4);
    for (int w = 0; w < 4; w++)
        nz->slow[w] = r.s[w];
}

static inline size_t ctz64(uint64_t v) /* v != 0 */
{
#if defined(__GNUC__) || defined(__clang__)
    return (size_t)__builtin_ctzll(v);
#else
    size_t n = 0;
    while (!(v & 1u)) {
        v >>= 1;
        n++;
    }
    return n;
#endif
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t slow_next(bimt__noise *nz)
{
    return bimt__xoshiro_next(nz->slow);
}

/* Uniform [0, 1) from bits 12..63 (exact: 1 + m 2^-52 minus 1). */
static inline double u01(uint64_t w)
{
    uint64_t b = (w >> 12) | UINT64_C(0x3FF0000000000000);
    double d;
    memcpy(&d, &b, sizeof(d));
    return d - 1.0;
}

/* Slow path for a draw whose fast test failed in layer i with fraction u: a standard normal
 * magnitude. */
static double zig_slow(bimt__noise *nz, const bimt__zig *z, unsigned i, double u)
{
    for (;;) {
        if (i == 0) {
            /* Tail beyond r: x = -ln(U1)/r, accepted when -2 ln(U2) > x^2. */
            double a, b;
            do {
                a = -log(1.0 - u01(slow_next(nz))) / ZIG_R;
                b = -log(1.0 - u01(slow_next(nz)));
            } while (b + b < a * a);
            return ZIG_R + a;
        }
        double xv = u * z->x[i];
        double y = z->f[i] + u01(slow_next(nz)) * (z->f[i + 1] - z->f[i]);
        int decided = 0, accept = 0;
        if (z->shape[i] != 0) {
            const double eps = 1e-15;
            double yc = z->f[i] + z->slope[i] * (z->x[i] - xv); /* chord through the corners */
            if (z->shape[i] > 0) { /* concave: chord <= f <= chord + dev */
                if (y <= yc - eps)
                    decided = accept = 1;
                else if (y > yc + z->dev[i] + eps)
                    decided = 1;
            } else { /* convex: chord - dev <= f <= chord */
                if (y >= yc + eps)
                    decided = 1;
                else if (y < yc - z->dev[i] - eps)
                    decided = accept = 1;
            }
        }
        if (!decided) accept = y < zig_f(xv);
        if (accept) return xv;
        uint64_t w = slow_next(nz);
        i = (unsigned)(w & ZIG_MASK);
        u = u01(w);
        if (u < z->k[i]) return u * z->x[i];
    }
}

/* ---- block generation: buf[q] for q < m (m multiple of 4), lane q % 4 ---- */

static void gen_scalar(bimt__noise *nz, uint64_t *buf, size_t m)
{
    uint64_t s0[4], s1[4], s2[4], s3[4];
    for (int j = 0; j < 4; j++) {
        s0[j] = nz->s[0][j];
        s1[j] = nz->s[1][j];
        s2[j] = nz->s[2][j];
        s3[j] = nz->s[3][j];
    }
    for (size_t q = 0; q < m; q += 4)
        for (int j = 0; j < 4; j++) {
            buf[q + (size_t)j] = rotl64(s1[j] * 5, 7) * 9;
            uint64_t t = s1[j] << 17;
            s2[j] ^= s0[j];
            s3[j] ^= s1[j];
            s1[j] ^= s2[j];
            s0[j] ^= s3[j];
            s2[j] ^= t;
            s3[j] = rotl64(s3[j], 45);
        }
    for (int j = 0; j < 4; j++) {
        nz->s[0][j] = s0[j];
        nz->s[1][j] = s1[j];
        nz->s[2][j] = s2[j];
        nz->s[3][j] = s3[j];
    }
}

/* Fast path of one value; flags the draw in bad[] when the slow path must decide. */
static inline float conv_one(const bimt__zig *z, uint64_t w, double base, double std, int *bad)
{
    unsigned i = (unsigned)(w & ZIG_MASK);
    double u = u01(w);
    *bad = !(u < z->k[i]);
    double g = (u * z->x[i]) * std;
    uint64_t gb;
    memcpy(&gb, &g, sizeof(gb));
    gb ^= (w & ZIG_SIGN) << 53;
    memcpy(&g, &gb, sizeof(g));
    return (float)(base + g);
}

static void conv_scalar(const bimt__zig *z, const uint64_t *buf, size_t from, size_t m, float *dst,
                        const float *base, double std, uint64_t *bad)
{
    size_t q = from;
    while (q < m) {
        size_t end = (q | 63) + 1;
        if (end > m) end = m;
        uint64_t acc = 0;
        for (; q < end; q++) {
            int b;
            dst[q] = conv_one(z, buf[q], (double)base[q], std, &b);
            acc |= (uint64_t)b << (q & 63);
        }
        bad[(q - 1) >> 6] |= acc;
    }
}

#ifdef BIMT_NOISE_AVX2
__attribute__((target("avx2"))) static void gen_avx2(bimt__noise *nz, uint64_t *buf, size_t m)
{
    __m256i s0 = _mm256_loadu_si256((const __m256i *)(const void *)nz->s[0]);
    __m256i s1 = _mm256_loadu_si256((const __m256i *)(const void *)nz->s[1]);
    __m256i s2 = _mm256_loadu_si256((const __m256i *)(const void *)nz->s[2]);
    __m256i s3 = _mm256_loadu_si256((const __m256i *)(const void *)nz->s[3]);
    for (size_t q = 0; q < m; q += 4) {
        __m256i a = _mm256_add_epi64(_mm256_slli_epi64(s1, 2), s1);             /* s1 * 5 */
        a = _mm256_or_si256(_mm256_slli_epi64(a, 7), _mm256_srli_epi64(a, 57)); /* rotl 7 */
        a = _mm256_add_epi64(_mm256_slli_epi64(a, 3), a);                       /* * 9 */
        _mm256_storeu_si256((__m256i *)(void *)(buf + q), a);
        __m256i t = _mm256_slli_epi64(s1, 17);
        s2 = _mm256_xor_si256(s2, s0);
        s3 = _mm256_xor_si256(s3, s1);
        s1 = _mm256_xor_si256(s1, s2);
        s0 = _mm256_xor_si256(s0, s3);
        s2 = _mm256_xor_si256(s2, t);
        s3 = _mm256_or_si256(_mm256_slli_epi64(s3, 45), _mm256_srli_epi64(s3, 19));
    }
    _mm256_storeu_si256((__m256i *)(void *)nz->s[0], s0);
    _mm256_storeu_si256((__m256i *)(void *)nz->s[1], s1);
    _mm256_storeu_si256((__m256i *)(void *)nz->s[2], s2);
    _mm256_storeu_si256((__m256i *)(void *)nz->s[3], s3);
}

/* Same arithmetic as conv_one, four values at a time (no FMA: identical rounding). */
__attribute__((target("avx2"))) static size_t conv_avx2(const bimt__zig *z, const uint64_t *buf,
                                                        size_t m, float *dst, const float *base,
                                                        double std, uint64_t *bad)
{
    const __m256i one = _mm256_set1_epi64x(0x3FF0000000000000LL);
    const __m256i sbit = _mm256_set1_epi64x((long long)ZIG_SIGN);
    const __m256d onev = _mm256_set1_pd(1.0), stdv = _mm256_set1_pd(std);
    size_t q = 0;
    while (q + 4 <= m) {
        size_t end = (q | 63) + 1; /* accumulate the flags of one 64-value word in a register */
        if (end > m) end = m;
        uint64_t acc = 0;
        for (; q + 4 <= end; q += 4) {
            __m256i w = _mm256_loadu_si256((const __m256i *)(const void *)(buf + q));
            __m256d u = _mm256_sub_pd(
                _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(w, 12), one)), onev);
            __m128d p0 = _mm_loadu_pd(z->xk + 2 * (buf[q] & ZIG_MASK));
            __m128d p1 = _mm_loadu_pd(z->xk + 2 * (buf[q + 1] & ZIG_MASK));
            __m128d p2 = _mm_loadu_pd(z->xk + 2 * (buf[q + 2] & ZIG_MASK));
            __m128d p3 = _mm_loadu_pd(z->xk + 2 * (buf[q + 3] & ZIG_MASK));
            __m256d a02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(p0), p2, 1);
            __m256d a13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(p1), p3, 1);
            __m256d xv = _mm256_unpacklo_pd(a02, a13);
            __m256d kv = _mm256_unpackhi_pd(a02, a13);
            unsigned mk = (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(u, kv, _CMP_NLT_UQ));
            acc |= (uint64_t)mk << (q & 63);
            __m256d g = _mm256_mul_pd(_mm256_mul_pd(u, xv), stdv);
            g = _mm256_xor_pd(
                g, _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_and_si256(w, sbit), 53)));
            __m256d bv = _mm256_cvtps_pd(_mm_loadu_ps(base + q));
            _mm_storeu_ps(dst + q, _mm256_cvtpd_ps(_mm256_add_pd(bv, g)));
        }
        bad[(q - 1) >> 6] |= acc;
    }
    return q;
}
#endif

void bimt__noise_fill(bimt__noise *nz, const bimt__zig *z, float *dst, const float *base, size_t n,
                      double std)
{
    uint64_t buf[BLK];
    uint64_t bad[BLK / 64];
    while (n > 0) {
        size_t m = n < BLK ? n : BLK;
        size_t mg = (m + 3) & ~(size_t)3;
        memset(bad, 0, sizeof(bad));
        size_t done = 0;
#ifdef BIMT_NOISE_AVX2
        if (z->use_avx2) {
            gen_avx2(nz, buf, mg);
            done = conv_avx2(z, buf, m, dst, base, std, bad);
        } else
#endif
            gen_scalar(nz, buf, mg);
        conv_scalar(z, buf, done, m, dst, base, std, bad);
        for (size_t wd = 0; wd < (m + 63) / 64; wd++) {
            uint64_t bits = bad[wd];
            while (bits) {
                size_t q = wd * 64 + ctz64(bits);
                bits &= bits - 1;
                uint64_t w = buf[q];
                double g = zig_slow(nz, z, (unsigned)(w & ZIG_MASK), u01(w)) * std;
                if (w & ZIG_SIGN) g = -g;
                dst[q] = (float)((double)base[q] + g);
            }
        }
        dst += m;
        base += m;
        n -= m;
    }
}
