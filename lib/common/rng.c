/* xoshiro256** (Blackman & Vigna) seeded by splitmix64; Box-Muller normals in double. */
#include <math.h>
#include <string.h>

#include "common/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    return bimt__mix64(*x += 0x9E3779B97F4A7C15ull);
}

void bimt__rng_seed(bimt_rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix the stream id through splitmix first so nearby (seed, stream) pairs diverge. */
    uint64_t x = stream * 0xD1B54A32D192ED03ull;
    uint64_t key = splitmix64(&x) ^ seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&key);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) r->s[0] = 1; /* never all zero */
    r->spare = 0.0;
    r->has_spare = 0;
}

uint64_t bimt__rng_u64(bimt_rng *r)
{
    return bimt__xoshiro_next(r->s);
}

double bimt__rng_uniform(bimt_rng *r)
{
    return (double)(bimt__rng_u64(r) >> 11) * 0x1.0p-53;
}

double bimt__rng_range(bimt_rng *r, double a, double b)
{
    double v = a + (b - a) * bimt__rng_uniform(r);
    return v < b ? v : a; /* guard the rounding case v == b */
}

uint64_t bimt__rng_below(bimt_rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* reject the biased tail */
    uint64_t v;
    do {
        v = bimt__rng_u64(r);
    } while (v >= limit);
    return v % n;
}

double bimt__rng_normal(bimt_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1, u2;
    do {
        u1 = bimt__rng_uniform(r);
    } while (u1 <= 0.0);
    u2 = bimt__rng_uniform(r);
    double rad = sqrt(-2.0 * log(u1));
    double ang = 6.283185307179586 * u2;
    r->spare = rad * sin(ang);
    r->has_spare = 1;
    return rad * cos(ang);
}

void bimt__rng_pack(const bimt_rng *r, uint64_t out[BIMT_RNG_WORDS])
{
    for (int i = 0; i < 4; i++)
        out[i] = r->s[i];
    memcpy(&out[4], &r->spare, sizeof(double));
    out[5] = r->has_spare;
}

void bimt__rng_unpack(bimt_rng *r, const uint64_t in[BIMT_RNG_WORDS])
{
    for (int i = 0; i < 4; i++)
        r->s[i] = in[i];
    memcpy(&r->spare, &in[4], sizeof(double));
    r->has_spare = in[5] ? 1 : 0;
}
