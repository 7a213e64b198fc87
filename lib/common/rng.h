/* Per-handle random streams: xoshiro256** seeded through splitmix64 (private). */
#ifndef BIMT_RNG_H
#define BIMT_RNG_H

#include <stdint.h>

/** Stream ids: each purpose draws from its own stream so a new feature never shifts others. */
enum {
    BIMT_STREAM_INIT = 1,    /* model initialisation */
    BIMT_STREAM_NOISE = 2,   /* recurrent noise */
    BIMT_STREAM_TASK = 3,    /* task sampling (directions, timings, input noise) */
    BIMT_STREAM_RULES = 4,   /* the trainer's rule choice */
    BIMT_STREAM_EVAL = 5,    /* evaluation batches */
    BIMT_STREAM_SHUFFLE = 6, /* analysis nulls */
    BIMT_STREAM_KMEANS = 7,  /* clustering */
    BIMT_STREAM_GRAPH = 8    /* Erdos-Renyi null graphs */
};

/** Full generator state (checkpointable as 6 uint64 words, see bimt__rng_pack). */
typedef struct bimt_rng {
    uint64_t s[4];
    double spare; /* second normal of the last Box-Muller pair */
    uint64_t has_spare;
} bimt_rng;

/** Number of uint64 words of a packed state. */
#define BIMT_RNG_WORDS 6

/** One xoshiro256** step on a raw 4-word state (shared by bimt_rng and the noise lanes). */
static inline uint64_t bimt__xoshiro_next(uint64_t s[4])
{
    uint64_t result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/** The splitmix64 finalizer (Stafford's mix 13): a bijective scramble of a 64-bit word. The
 *  seeding below (splitmix64 = this of a Weyl sequence) and the noise lanes' seeding use it. */
static inline uint64_t bimt__mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/** Seeds stream `stream` of `seed` (independent streams for distinct (seed, stream)). */
void bimt__rng_seed(bimt_rng *r, uint64_t seed, uint64_t stream);
uint64_t bimt__rng_u64(bimt_rng *r);
/** Uniform double in [0, 1) with 53 random bits. */
double bimt__rng_uniform(bimt_rng *r);
/** Uniform double in [a, b). */
double bimt__rng_range(bimt_rng *r, double a, double b);
/** Uniform integer in [0, n) without modulo bias (n > 0). */
uint64_t bimt__rng_below(bimt_rng *r, uint64_t n);
/** Standard normal (Box-Muller, double precision). */
double bimt__rng_normal(bimt_rng *r);
/** Packs/unpacks the state into BIMT_RNG_WORDS words (spare stored as its bit pattern). */
void bimt__rng_pack(const bimt_rng *r, uint64_t out[BIMT_RNG_WORDS]);
void bimt__rng_unpack(bimt_rng *r, const uint64_t in[BIMT_RNG_WORDS]);

#endif /* BIMT_RNG_H */
