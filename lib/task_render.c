/* Writes a batch (x, y, mask, y_loc) from a plan, and the fast Gaussian input noise.
 *
 * Inputs are written row by row ([t][b] rows of n_in values). The batch is cut into
 * segments at every stimulus, fixation and trial boundary; inside a segment the noise-free
 * row of a trial does not change, so it is built once per segment and copied (or copied
 * with noise added) into every step of the segment: x is written in one pass.
 *
 * Noise: a 256-layer ziggurat (Marsaglia & Tsang's construction, with independent bits for
 * layer, sign and abscissa) on four interleaved xoshiro256** lanes seeded per batch from one
 * 64-bit key of the task's stream. Exact standard normal (up to the 2^-53 grid of the
 * uniform abscissa); about one 64-bit draw per value. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "task_build.h"

#define TWO_PI 6.283185307179586476925
#define HALF_PI_SQRT 1.2533141373155002512 /* sqrt(pi / 2) */
#define ZIG_R 3.6541528853610088           /* start of the tail for 256 layers */

/* ------------------------------------------------------------------ buffers */

static int grow(void **buf, size_t *cap, size_t n, size_t elem)
{
    if (n <= *cap) return BIMT_OK;
    size_t want = n;
    if (*cap > 0 && *cap <= SIZE_MAX / 3 && *cap + *cap / 2 > want) want = *cap + *cap / 2;
    if (want > SIZE_MAX / elem) return BIMT_E_NOMEM;
    void *p = realloc(*buf, want * elem);
    if (!p && want > n) {
        want = n;
        p = realloc(*buf, want * elem);
    }
    if (!p) return BIMT_E_NOMEM;
    *buf = p;
    *cap = want;
    return BIMT_OK;
}

static int mul_ok(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

int bimt__task_reserve_trials(struct bimt_task *t, size_t B)
{
    size_t nb, ns;
    if (!mul_ok(B, BIMT__MAX_SLOTS * t->ring, &nb) || !mul_ok(B, t->n_in, &ns))
        return BIMT_E_NOMEM;
    if (grow((void **)&t->trials, &t->cap_trials, B, sizeof(bimt__trial)) ||
        grow((void **)&t->bumps, &t->cap_bumps, nb, sizeof(double)) ||
        grow((void **)&t->sigrows, &t->cap_sigrows, ns, sizeof(float)) ||
        grow((void **)&t->rows, &t->cap_rows, (B + 1) * t->n_out, sizeof(float)))
        return BIMT_E_NOMEM;
    return BIMT_OK;
}

int bimt__task_reserve(struct bimt_task *t, size_t T, size_t B)
{
    size_t tb, nx, ny;
    if (!mul_ok(T, B, &tb) || !mul_ok(tb, t->n_in, &nx) || !mul_ok(tb, t->n_out, &ny))
        return BIMT_E_NOMEM;
    if (grow((void **)&t->x, &t->cap_x, nx, sizeof(float)) ||
        grow((void **)&t->y, &t->cap_y, ny, sizeof(float)) ||
        grow((void **)&t->mask, &t->cap_mask, ny, sizeof(float)) ||
        grow((void **)&t->y_loc, &t->cap_loc, tb, sizeof(float)))
        return BIMT_E_NOMEM;
    return BIMT_OK;
}

/* ------------------------------------------------------------------ noise */

static double zig_f(double x) { return exp(-0.5 * x * x); }

void bimt__zig_init(bimt__zig *z)
{
    const int n = BIMT__ZIG_N;
    double fr = zig_f(ZIG_R);
    /* Common area of every layer: base rectangle plus the tail beyond r. */
    double v = ZIG_R * fr + HALF_PI_SQRT * erfc(ZIG_R / sqrt(2.0));
    z->x[0] = v / fr;
    z->x[1] = ZIG_R;
    for (int i = 1; i < n - 1; i++) z->x[i + 1] = sqrt(-2.0 * log(v / z->x[i] + zig_f(z->x[i])));
    z->x[n] = 0.0;
    for (int i = 0; i < n; i++) z->k[i] = z->x[i + 1] / z->x[i];
    for (int i = 0; i < n; i++) z->f[i] = zig_f(z->x[i]);
    z->f[n] = 1.0;
}

void bimt__noise_seed(bimt__noise *nz, uint64_t key)
{
    for (int j = 0; j < 4; j++) {
        bimt_rng r;
        bimt__rng_seed(&r, key, (uint64_t)j);
        for (int w = 0; w < 4; w++) nz->s[w][j] = r.s[w];
    }
}

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t lane_next(bimt__noise *nz, int j)
{
    uint64_t s0 = nz->s[0][j], s1 = nz->s[1][j], s2 = nz->s[2][j], s3 = nz->s[3][j];
    uint64_t out = rotl64(s1 * 5, 7) * 9;
    uint64_t t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl64(s3, 45);
    nz->s[0][j] = s0;
    nz->s[1][j] = s1;
    nz->s[2][j] = s2;
    nz->s[3][j] = s3;
    return out;
}

/* Abscissa fraction from the top 53 bits (bits 0..7 pick the layer, bit 8 the sign). */
#define ZIG_U(u) ((double)((u) >> 11) * 0x1.0p-53)

/* Rare path of the ziggurat (about 1.2 % of draws): wedge test, tail, or a fresh draw. */
static double zig_slow(bimt__noise *nz, int lane, const bimt__zig *z, unsigned i, double u)
{
    for (;;) {
        if (i == 0) {
            /* Tail beyond r (Marsaglia 1964): x = -ln(U1)/r, accept if -2 ln(U2) > x^2. */
            double a, b;
            do {
                a = -log(1.0 - ZIG_U(lane_next(nz, lane))) / ZIG_R;
                b = -log(1.0 - ZIG_U(lane_next(nz, lane)));
            } while (b + b < a * a);
            return ZIG_R + a;
        }
        double xv = u * z->x[i];
        double y = z->f[i] + ZIG_U(lane_next(nz, lane)) * (z->f[i + 1] - z->f[i]);
        if (y < zig_f(xv)) return xv;
        uint64_t w = lane_next(nz, lane);
        i = (unsigned)(w & 0xffu);
        u = ZIG_U(w);
        if (u < z->k[i]) return u * z->x[i];
    }
}

static inline float zig_value(bimt__noise *nz, int lane, const bimt__zig *z, uint64_t w,
                              double base, const double sgn[2])
{
    unsigned i = (unsigned)(w & 0xffu);
    double u = ZIG_U(w);
    double g = (u < z->k[i]) ? u * z->x[i] : zig_slow(nz, lane, z, i, u);
    return (float)(base + g * sgn[(w >> 8) & 1u]);
}

void bimt__noise_fill(bimt__noise *nz, const bimt__zig *z, float *dst, const float *base,
                      size_t n, double std)
{
    const double sgn[2] = {std, -std};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint64_t w0 = lane_next(nz, 0), w1 = lane_next(nz, 1);
        uint64_t w2 = lane_next(nz, 2), w3 = lane_next(nz, 3);
        double b0 = base ? (double)base[i] : 0.0, b1 = base ? (double)base[i + 1] : 0.0;
        double b2 = base ? (double)base[i + 2] : 0.0, b3 = base ? (double)base[i + 3] : 0.0;
        dst[i] = zig_value(nz, 0, z, w0, b0, sgn);
        dst[i + 1] = zig_value(nz, 1, z, w1, b1, sgn);
        dst[i + 2] = zig_value(nz, 2, z, w2, b2, sgn);
        dst[i + 3] = zig_value(nz, 3, z, w3, b3, sgn);
    }
    for (; i < n; i++) {
        uint64_t w = lane_next(nz, 0);
        dst[i] = zig_value(nz, 0, z, w, base ? (double)base[i] : 0.0, sgn);
    }
}

/* ------------------------------------------------------------------ rendering */

/* Unit-strength-free bump 0.8 exp(-(cd/(pi/8))^2 / 2) of direction psi at ring unit k. */
static double bump_at(double psi, size_t k, size_t ring)
{
    double theta = (double)k * (TWO_PI / (double)ring);
    double d = bimt__cd(psi, theta) / (3.14159265358979323846 / 8.0);
    return 0.8 * exp(-0.5 * d * d);
}

static float dir_to_float(double psi)
{
    float f = (float)psi;
    if ((double)f >= TWO_PI) f = 0.0f; /* rounding up to 2pi wraps to 0 */
    return f;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static void render_inputs(struct bimt_task *t, const bimt__plan *p, const bimt__trial *tr,
                          int noise, uint64_t key)
{
    const size_t T = p->T, B = p->B, n_in = t->n_in, R = t->ring;
    const size_t rule_col = t->rule_start + (size_t)p->rule;

    /* Bumps (double) of every slot of every trial, including the strength. */
    for (size_t b = 0; b < B; b++)
        for (size_t s = 0; s < p->n_slots; s++) {
            double *bp = t->bumps + (b * BIMT__MAX_SLOTS + s) * R;
            for (size_t k = 0; k < R; k++) bp[k] = bump_at(tr[b].dir[s], k, R) * tr[b].strength[s];
        }

    /* Segment boundaries. */
    size_t cut[2 * BIMT__MAX_SLOTS + 4];
    size_t nc = 0;
    cut[nc++] = 0;
    cut[nc++] = T;
    cut[nc++] = p->fix_on < T ? p->fix_on : T;
    cut[nc++] = p->fix_off < T ? p->fix_off : T;
    for (size_t s = 0; s < p->n_slots; s++) {
        cut[nc++] = p->slot[s].on < T ? p->slot[s].on : T;
        cut[nc++] = p->slot[s].off < T ? p->slot[s].off : T;
    }
    qsort(cut, nc, sizeof(size_t), cmp_size);

    bimt__noise nz;
    if (noise) bimt__noise_seed(&nz, key);

    for (size_t c = 0; c + 1 < nc; c++) {
        size_t s0 = cut[c], s1 = cut[c + 1];
        if (s0 >= s1) continue;
        int fix = p->fix_on <= s0 && s1 <= p->fix_off;
        /* Noise-free rows of this segment. Stimuli add in slot order (float32 sums). */
        for (size_t b = 0; b < B; b++) {
            float *row = t->sigrows + b * n_in;
            memset(row, 0, n_in * sizeof(float));
            if (fix) row[0] = 1.0f;
            row[rule_col] = 1.0f;
            for (size_t s = 0; s < p->n_slots; s++) {
                if (!(p->slot[s].on <= s0 && s1 <= p->slot[s].off)) continue;
                const double *bp = t->bumps + (b * BIMT__MAX_SLOTS + s) * R;
                float *dst = row + 1 + (size_t)tr[b].ring[s] * R;
                for (size_t k = 0; k < R; k++) dst[k] = (float)((double)dst[k] + bp[k]);
            }
        }
        for (size_t step = s0; step < s1; step++) {
            float *xr = t->x + step * B * n_in;
            if (noise)
                for (size_t b = 0; b < B; b++)
                    bimt__noise_fill(&nz, &t->zig, xr + b * n_in, t->sigrows + b * n_in, n_in,
                                     t->noise_std);
            else
                memcpy(xr, t->sigrows, B * n_in * sizeof(float));
        }
    }
}

static void render_targets(struct bimt_task *t, const bimt__plan *p, const bimt__trial *tr)
{
    const size_t T = p->T, B = p->B, n_out = t->n_out, R = t->ring, g = p->go;
    const int ce = t->p.loss == BIMT_LOSS_CROSS_ENTROPY;
    const float base = ce ? 0.0f : 0.05f;

    /* rows[0]: must-fixate row; rows[1 + b]: response row of trial b. */
    float *fixrow = t->rows;
    fixrow[0] = ce ? 1.0f : 0.8f;
    for (size_t k = 0; k < R; k++) fixrow[1 + k] = base;
    float *locs = t->sigrows; /* free again after the inputs: y_loc value per trial */
    for (size_t b = 0; b < B; b++) {
        float *row = t->rows + (1 + b) * n_out;
        row[0] = base;
        if (ce) {
            size_t best = 0;
            double bd = bimt__cd(tr[b].target, 0.0);
            for (size_t k = 1; k < R; k++) {
                double d = bimt__cd(tr[b].target, (double)k * (TWO_PI / (double)R));
                if (d < bd) {
                    bd = d;
                    best = k;
                }
            }
            for (size_t k = 0; k < R; k++) row[1 + k] = k == best ? 1.0f : 0.0f;
        } else {
            for (size_t k = 0; k < R; k++)
                row[1 + k] = (float)((double)base + bump_at(tr[b].target, k, R));
        }
        locs[b] = tr[b].go ? dir_to_float(tr[b].target) : -1.0f;
    }

    for (size_t step = 0; step < T; step++) {
        float *yr = t->y + step * B * n_out;
        float *lr = t->y_loc + step * B;
        if (step < g) {
            for (size_t b = 0; b < B; b++) memcpy(yr + b * n_out, fixrow, n_out * sizeof(float));
            for (size_t b = 0; b < B; b++) lr[b] = -1.0f;
        } else {
            for (size_t b = 0; b < B; b++) {
                const float *src = tr[b].go ? t->rows + (1 + b) * n_out : fixrow;
                memcpy(yr + b * n_out, src, n_out * sizeof(float));
            }
            memcpy(lr, locs, B * sizeof(float));
        }
    }
}

static void render_mask(struct bimt_task *t, const bimt__plan *p)
{
    const size_t T = p->T, B = p->B, n_out = t->n_out, g = p->go;
    const size_t p0 = bimt__steps(t, 100.0);
    const int ce = t->p.loss == BIMT_LOSS_CROSS_ENTROPY;

    /* Per-step weight: 5 from g + p0 on, then 1 on [p0, g) (written last, as in the spec). */
    double total = 0.0;
    for (size_t step = 0; step < T; step++) {
        double m = 0.0;
        if (step >= g + p0) m = 5.0;
        if (step >= p0 && step < g) m = 1.0;
        total += m;
    }
    double mean = total / (double)T; /* equal for every trial, so mean over T*B too */

    for (size_t step = 0; step < T; step++) {
        double m = 0.0;
        if (step >= g + p0) m = 5.0;
        if (step >= p0 && step < g) m = 1.0;
        float ring_w, fix_w;
        if (ce) {
            ring_w = fix_w = mean > 0.0 ? (float)(m / mean) : 0.0f;
        } else {
            ring_w = (float)m;
            fix_w = (float)(2.0 * m);
        }
        float *mr = t->mask + step * B * n_out;
        for (size_t b = 0; b < B; b++) {
            float *row = mr + b * n_out;
            row[0] = fix_w;
            for (size_t k = 1; k < n_out; k++) row[k] = ring_w;
        }
    }
}

void bimt__render(struct bimt_task *t, const bimt__plan *p, const bimt__trial *tr, int noise,
                  uint64_t noise_key)
{
    render_inputs(t, p, tr, noise, noise_key);
    render_targets(t, p, tr);
    render_mask(t, p);
}
