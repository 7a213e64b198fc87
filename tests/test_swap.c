/* The swap pass against an exact brute-force oracle.
 *
 * The oracle (this file only) implements the documented algorithm literally: it ranks the
 * neurons by importance, and for each selected neuron tries every allowed partner by
 * exchanging the two slots and recomputing the WHOLE cost sum_ab D_ab |W_ab| exactly (every
 * product D_ab |W_ab| of two floats is exact in double and is accumulated as a 128-bit
 * fixed-point integer, so the oracle's costs and differences have no rounding at all). It
 * applies the documented decision rule (an exchange, or a better partner, must lower the
 * cost by more than BIMT_SWAP_RTOL * dmax * sum(|W| + |W|^T)). Weights are drawn so that the
 * fixed-point representation is exact (|w| >= 2^-18 or 0, |w| <= 15, side <= 8). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "model/model_internal.h"
#include "common/rng.h"
#include "train/cost_internal.h"
#include "train/swap_internal.h"
#include "testutil.h"

__extension__ typedef __int128 i128;
/* The oracle's fixed point: integers in units of 2^-70. */

enum wmode { W_GAUSS = 0, W_INT = 1, W_DYADIC = 2, W_ONES = 3, W_NMODES = 4 };

/* ---------------------------------------------------------------- weights and models */

static float draw_weight(bimt_rng *r, int mode, double sparsity, double scale)
{
    if (bimt__rng_uniform(r) < sparsity) return 0.0f;
    double sign = bimt__rng_uniform(r) < 0.5 ? -1.0 : 1.0;
    double v;
    switch (mode) {
    case W_GAUSS:
        v = scale * bimt__rng_normal(r);
        if (fabs(v) < 0x1p-18) return 0.0f;
        if (fabs(v) > 15.0) v = v > 0 ? 15.0 : -15.0;
        return (float)v;
    case W_INT:
        v = (double)(1 + bimt__rng_below(r, 3));
        break;
    case W_DYADIC:
        v = 0.25 * (double)(1 + bimt__rng_below(r, 4));
        break;
    default:
        v = 1.0;
        break;
    }
    return (float)(sign * v);
}

static bimt_model_t *make_model(size_t side, size_t n_in, size_t n_out)
{
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = (uint32_t)side;
    mp.n_in = (uint32_t)n_in;
    mp.n_out = (uint32_t)n_out;
    mp.init = BIMT_INIT_GAUSS;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
    return m;
}

/* Random W_rec, W_in, W_out (W_in/W_out zero with probability 1/3 to force importance
 * ties) and a random permutation of slots. */
static void randomize(bimt_model_t *m, bimt_rng *r, int mode, double sparsity)
{
    size_t n = bimt_model_n_hidden(m), n_in = bimt_model_n_in(m), n_out = bimt_model_n_out(m);
    float *P = bimt_model_params_data(m);
    size_t off_w, off_in, off_out;
    bimt_model_tensor(m, BIMT_W_REC, NULL, NULL, NULL, &off_w);
    bimt_model_tensor(m, BIMT_W_IN, NULL, NULL, NULL, &off_in);
    bimt_model_tensor(m, BIMT_W_OUT, NULL, NULL, NULL, &off_out);
    double scale = 0.01 + 2.0 * bimt__rng_uniform(r);
    for (size_t i = 0; i < n * n; i++)
        P[off_w + i] = draw_weight(r, mode, sparsity, scale);
    int io = (int)bimt__rng_below(r, 3);
    for (size_t i = 0; i < n * n_in; i++)
        P[off_in + i] = io == 0 ? 0.0f : draw_weight(r, mode, sparsity, scale);
    for (size_t i = 0; i < n_out * n; i++)
        P[off_out + i] = io == 0 ? 0.0f : draw_weight(r, mode, sparsity, scale);
    uint32_t *perm = malloc(n * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t k = (size_t)bimt__rng_below(r, i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[k];
        perm[k] = t;
    }
    ck_assert_int_eq(bimt_model_set_slots(m, perm, n), BIMT_OK);
    free(perm);
}

/* ---------------------------------------------------------------- the exact oracle */

/* Distance of two slots: (|dr| + |dc|) / side in float32, from the model.h definition. */
static float slot_dist(size_t side, uint32_t s, uint32_t t)
{
    long dr = labs((long)(s / side) - (long)(t / side));
    long dc = labs((long)(s % side) - (long)(t % side));
    return (float)(dr + dc) / (float)side;
}

/* Distance of slots s and t of model m, from the definitions in model.h: the grid's above, or
 * the Manhattan or Euclidean distance of the caller positions, rounded to float32. */
static float model_slot_dist(const bimt_model_t *m, uint32_t s, uint32_t t)
{
    size_t side = bimt_model_grid_side(m), dim = bimt_model_dim(m);
    if (side) return slot_dist(side, s, t);
    const double *x = bimt_model_positions(m) + s * dim, *y = bimt_model_positions(m) + t * dim;
    double acc = 0.0;
    for (size_t d = 0; d < dim; d++)
        acc += bimt_model_distance_kind(m) == BIMT_DIST_EUCLIDEAN ? (x[d] - y[d]) * (x[d] - y[d])
                                                                  : fabs(x[d] - y[d]);
    return (float)(bimt_model_distance_kind(m) == BIMT_DIST_EUCLIDEAN ? sqrt(acc) : acc);
}

/* (Check's assertions are function calls with bookkeeping: hot loops test with `if`.) */
static i128 to_fixed(double v)
{
    double s = v * 0x1p70;
    if (s != floor(s) || !(fabs(s) < 0x1p120))
        ck_abort_msg("value %.17g is not representable in the oracle's fixed point", v);
    return (i128)s;
}

static double from_fixed(i128 v)
{
    return (double)v * 0x1p-70;
}

typedef struct oracle {
    size_t side, n, n_in, n_out;
    const float *W, *Win, *Wout;
    float *dtab; /* [slot][slot] distances */
} oracle;

static void oracle_init(oracle *o, const bimt_model_t *m)
{
    o->side = bimt_model_grid_side(m);
    o->n = bimt_model_n_hidden(m);
    o->n_in = bimt_model_n_in(m);
    o->n_out = bimt_model_n_out(m);
    bimt_model_tensor(m, BIMT_W_REC, &o->W, NULL, NULL, NULL);
    bimt_model_tensor(m, BIMT_W_IN, &o->Win, NULL, NULL, NULL);
    bimt_model_tensor(m, BIMT_W_OUT, &o->Wout, NULL, NULL, NULL);
    o->dtab = malloc(o->n * o->n * sizeof(float));
    for (size_t s = 0; s < o->n; s++)
        for (size_t t = 0; t < o->n; t++)
            o->dtab[s * o->n + t] = model_slot_dist(m, (uint32_t)s, (uint32_t)t);
}

/* sum_ab D_ab |W_ab| as an exact fixed-point integer. */
static i128 oracle_cost(const oracle *o, const uint32_t *slots)
{
    i128 acc = 0;
    size_t n = o->n;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            float w = o->W[a * n + b];
            if (w == 0.0f) continue;
            double prod = (double)o->dtab[slots[a] * n + slots[b]] * (double)fabsf(w);
            acc += to_fixed(prod);
        }
    return acc;
}

typedef struct oswap {
    uint32_t neuron, partner;
    double delta;
} oswap;

typedef struct ostats {
    long ties;       /* candidates whose delta exactly equalled the best so far (< 0) */
    long zeros;      /* candidates whose exchange leaves the cost exactly unchanged */
    long candidates; /* candidates evaluated */
} ostats;

/* One pass, literally: returns the number of exchanges and updates slots. */
static uint32_t oracle_pass(const oracle *o, uint32_t *slots, uint32_t top_k, double A,
                            const uint8_t *cand, oswap *out, double *cost_before,
                            double *cost_after, ostats *st)
{
    size_t n = o->n;
    /* importance: |row i of W| + |column i of W| + |row i of W_in| + |column i of W_out| */
    double *imp = malloc(n * sizeof(double));
    uint8_t *taken = calloc(n, 1);
    for (size_t i = 0; i < n; i++) {
        double row = 0, col = 0, in = 0, outc = 0;
        for (size_t j = 0; j < n; j++)
            row += fabs((double)o->W[i * n + j]);
        for (size_t j = 0; j < n; j++)
            col += fabs((double)o->W[j * n + i]);
        for (size_t c = 0; c < o->n_in; c++)
            in += fabs((double)o->Win[i * o->n_in + c]);
        for (size_t c = 0; c < o->n_out; c++)
            outc += fabs((double)o->Wout[c * n + i]);
        imp[i] = row + col + in + outc;
    }
    i128 wsum = 0;
    for (size_t i = 0; i < n * n; i++)
        wsum += to_fixed((double)fabsf(o->W[i]));
    double dmax = 2.0 * (double)(o->side - 1) / (double)o->side;
    if (o->side == 0) { /* caller positions: the largest distance */
        dmax = 0.0;
        for (size_t i = 0; i < n * n; i++)
            dmax = (double)o->dtab[i] > dmax ? (double)o->dtab[i] : dmax;
    }
    double tol = BIMT_SWAP_RTOL * dmax * (2.0 * from_fixed(wsum));

    *cost_before = A * from_fixed(oracle_cost(o, slots));
    uint32_t top = top_k < n ? top_k : (uint32_t)n, n_swaps = 0;
    for (uint32_t t = 0; t < top && A > 0.0; t++) {
        /* selection: the most important untaken neuron, ties to the lower index */
        size_t j = n;
        for (size_t i = 0; i < n; i++)
            if (!taken[i] && (j == n || imp[i] > imp[j])) j = i;
        taken[j] = 1;
        i128 base = oracle_cost(o, slots);
        double best = 0.0;
        size_t best_k = n;
        for (size_t k = 0; k < n; k++) {
            if (k == j || (cand && !cand[k])) continue;
            uint32_t s = slots[j];
            slots[j] = slots[k];
            slots[k] = s;
            i128 c = oracle_cost(o, slots);
            slots[k] = slots[j];
            slots[j] = s;
            double d = from_fixed(c - base);
            st->candidates++;
            if (best_k < n && d == best) st->ties++;
            if (d == 0.0) st->zeros++;
            if (d < best - tol) {
                best = d;
                best_k = k;
            }
        }
        if (best_k == n) continue;
        uint32_t s = slots[j];
        slots[j] = slots[best_k];
        slots[best_k] = s;
        out[n_swaps].neuron = (uint32_t)j;
        out[n_swaps].partner = (uint32_t)best_k;
        out[n_swaps].delta = A * best;
        n_swaps++;
    }
    *cost_after = A * from_fixed(oracle_cost(o, slots));
    free(imp);
    free(taken);
    return n_swaps;
}

/* ---------------------------------------------------------------- shared checks */

static void check_dist_cache(const bimt_model_t *m)
{
    size_t n = bimt_model_n_hidden(m);
    const uint32_t *slots = bimt_model_slots(m);
    const float *D = bimt_model_distances(m);
    uint8_t *seen = calloc(n, 1);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_lt(slots[i], n);
        ck_assert(!seen[slots[i]]);
        seen[slots[i]] = 1;
    }
    free(seen);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (D[i * n + j] != model_slot_dist(m, slots[i], slots[j]) ||
                !(fabs((double)D[i * n + j] - bimt_model_distance(m, (uint32_t)i, (uint32_t)j)) <
                  1e-6))
                ck_abort_msg("distance cache wrong at (%zu, %zu)", i, j);
}

static double rel(double a, double b)
{
    return fabs(a - b) / fmax(1e-300, fmax(fabs(a), fabs(b)));
}

typedef struct suite_stats {
    long swaps, ties, zeros, candidates, passes;
} suite_stats;

/* Runs `passes` library passes on m, each compared with the oracle from the same slots;
 * parameters drawn at random, or `fixed` if given. */
static void compare_passes(bimt_model_t *m, bimt_rng *r, int passes, const bimt_swap_params *fixed,
                           suite_stats *ss)
{
    size_t n = bimt_model_n_hidden(m);
    oracle o;
    oracle_init(&o, m);
    uint32_t *oslots = malloc(n * sizeof(uint32_t));
    oswap *oex = malloc(n * sizeof(oswap));
    bimt_swap_exchange *lex = malloc(n * sizeof(bimt_swap_exchange));
    uint8_t *cand = malloc(n);
    for (int pass = 0; pass < passes; pass++) {
        bimt_swap_params sp;
        bimt_swap_params_init(&sp);
        static const uint32_t tops[] = {1, 2, 3, 5, 30, 1000};
        sp.top_k = tops[bimt__rng_below(r, 6)];
        if (bimt__rng_below(r, 4) == 0) sp.top_k = (uint32_t)n;
        static const double As[] = {1.0, 0.37, 2.5};
        sp.A = As[bimt__rng_below(r, 3)];
        int cmode = (int)bimt__rng_below(r, 5);
        for (size_t k = 0; k < n; k++) {
            switch (cmode) {
            case 1:
                cand[k] = (uint8_t)(bimt__rng_uniform(r) < 0.5 ? 7 : 0);
                break;
            case 2:
                cand[k] = 0;
                break;
            case 3:
                cand[k] = (uint8_t)(k == n / 2);
                break;
            default:
                cand[k] = 1;
                break;
            }
        }
        sp.candidates = cmode == 0 ? NULL : cand;
        if (fixed) sp = *fixed;

        memcpy(oslots, bimt_model_slots(m), n * sizeof(uint32_t));
        ostats st = {0, 0, 0};
        double ocb, oca;
        uint32_t on = oracle_pass(&o, oslots, sp.top_k, sp.A, sp.candidates, oex, &ocb, &oca, &st);
        bimt_swap_result res;
        memset(&res, 0, sizeof res);
        res.struct_size = (uint32_t)sizeof res;
        res.exchanges = lex;
        res.max_exchanges = (uint32_t)n;
        ck_assert_int_eq(bimt_model_swap(m, &sp, &res), BIMT_OK);

        ck_assert_uint_eq(res.n_swaps, on);
        for (uint32_t s = 0; s < on; s++) {
            ck_assert_uint_eq(lex[s].neuron, oex[s].neuron);
            ck_assert_uint_eq(lex[s].partner, oex[s].partner);
            ck_assert(lex[s].delta < 0.0);
            ck_assert_msg(fabs(lex[s].delta - oex[s].delta) <= 1e-12 * (fabs(oca) + 1.0),
                          "delta %.17g vs oracle %.17g", lex[s].delta, oex[s].delta);
        }
        ck_assert(memcmp(bimt_model_slots(m), oslots, n * sizeof(uint32_t)) == 0);
        ck_assert_msg(rel(res.cost_before, ocb) < 1e-12 || (ocb == 0 && res.cost_before == 0),
                      "cost_before %.17g vs %.17g", res.cost_before, ocb);
        ck_assert_msg(rel(res.cost_after, oca) < 1e-12 || (oca == 0 && res.cost_after == 0),
                      "cost_after %.17g vs %.17g", res.cost_after, oca);
        ck_assert(res.cost_after <= res.cost_before);
        if (res.n_swaps) ck_assert(res.cost_after < res.cost_before);
        check_dist_cache(m);
        ss->swaps += on;
        ss->ties += st.ties;
        ss->zeros += st.zeros;
        ss->candidates += st.candidates;
        ss->passes++;
    }
    free(o.dtab);
    free(oslots);
    free(oex);
    free(lex);
    free(cand);
}

/* ---------------------------------------------------------------- tests */

START_TEST(params_defaults)
{
    bimt_swap_params p;
    memset(&p, 0xab, sizeof p);
    bimt_swap_params_init(&p);
    ck_assert_uint_eq(p.struct_size, sizeof p);
    ck_assert_uint_eq(p.top_k, 30);
    ck_assert(p.A == 1.0);
    ck_assert_ptr_null(p.candidates);
    bimt_swap_params_init(NULL); /* ignored */
}
END_TEST

/* A hand-computed case: side 2, one connection between opposite corners. */
START_TEST(hand_computed_corner_pair)
{
    bimt_model_t *m = make_model(2, 1, 1);
    float *P = bimt_model_params_data(m);
    memset(P, 0, bimt_model_n_params(m) * sizeof(float));
    P[0 * 4 + 3] = 1.0f; /* W[0][3]: neurons 0 (slot (0,0)) and 3 (slot (1,1)), distance 1 */
    for (int a = 1; a <= 2; a++) {
        bimt_swap_params p;
        bimt_swap_params_init(&p);
        p.A = a;
        uint32_t id[4] = {0, 1, 2, 3};
        ck_assert_int_eq(bimt_model_set_slots(m, id, 4), BIMT_OK);
        bimt_swap_exchange ex[4];
        bimt_swap_result res = {(uint32_t)sizeof res, 0, 0, 0, ex, 4};
        ck_assert_int_eq(bimt_model_swap(m, &p, &res), BIMT_OK);
        /* neuron 0 first (importance 1, ties with 3 to the lower index); partners 1 and 2
         * both halve the distance (tie to 1); afterwards nothing lowers the cost. */
        ck_assert_uint_eq(res.n_swaps, 1);
        ck_assert_uint_eq(ex[0].neuron, 0);
        ck_assert_uint_eq(ex[0].partner, 1);
        ck_assert(ex[0].delta == -0.5 * a);
        ck_assert(res.cost_before == 1.0 * a);
        ck_assert(res.cost_after == 0.5 * a);
        const uint32_t *s = bimt_model_slots(m);
        ck_assert(s[0] == 1 && s[1] == 0 && s[2] == 2 && s[3] == 3);
        ck_assert(bimt_model_distance(m, 0, 3) == 0.5);
    }
    bimt_model_free(m);
}
END_TEST

START_TEST(delta_equals_bruteforce_difference)
{
    bimt_rng r;
    bimt__rng_seed(&r, 11, 99);
    for (int rep = 0; rep < 60; rep++) {
        size_t side = 2 + (size_t)bimt__rng_below(&r, 7), n = side * side;
        int mode = rep % W_NMODES;
        bimt_model_t *m = make_model(side, 3, 2);
        randomize(m, &r, mode, (double)bimt__rng_below(&r, 3) * 0.45);
        oracle o;
        oracle_init(&o, m);
        double *M = malloc(n * n * sizeof(double)), *dj = malloc(n * sizeof(double));
        double msum = bimt__swap_sym_abs(m, M, dj);
        double dmax = 2.0 * (double)(side - 1) / (double)side;
        uint32_t *slots = malloc(n * sizeof(uint32_t));
        memcpy(slots, bimt_model_slots(m), n * sizeof(uint32_t));
        i128 base = oracle_cost(&o, slots);
        ck_assert(rel(bimt__distance_sum(m), from_fixed(base)) < 1e-13 || base == 0);
        for (int t = 0; t < 20; t++) {
            size_t j = (size_t)bimt__rng_below(&r, n), k = (size_t)bimt__rng_below(&r, n);
            if (j == k) continue;
            double d = bimt__swap_delta(m, M, dj, j, k);
            uint32_t s = slots[j];
            slots[j] = slots[k];
            slots[k] = s;
            double exact = from_fixed(oracle_cost(&o, slots) - base);
            slots[k] = slots[j];
            slots[j] = s;
            if (mode == W_GAUSS)
                ck_assert_msg(fabs(d - exact) <= 1e-14 * dmax * msum, "delta %.17g vs %.17g", d,
                              exact);
            else
                ck_assert_msg(d == exact, "delta %.17g vs exact %.17g", d, exact);
            /* symmetric in j and k */
            ck_assert(fabs(bimt__swap_delta(m, M, dj, k, j) - d) <= 1e-14 * dmax * msum);
        }
        /* the helper reads only; the model is unchanged */
        ck_assert(memcmp(slots, bimt_model_slots(m), n * sizeof(uint32_t)) == 0);
        check_dist_cache(m);
        free(o.dtab);
        free(M);
        free(dj);
        free(slots);
        bimt_model_free(m);
    }
}
END_TEST

/* Gaussian weights of several sparsities: same exchanges as the oracle. */
/* BIMT_IO_EDGES: every candidate's delta equals the change of the definition's cost (with
 * W_in and W_out at their distances to the edges), a pass never raises it and reports it, and
 * a neuron wired only to input 0 and output 0 moves towards the left edge's top, keeping its
 * output on the right in balance. */
START_TEST(io_layout_delta_and_pass)
{
    bimt_rng r;
    bimt__rng_seed(&r, 12, 99);
    for (int rep = 0; rep < 12; rep++) {
        size_t side = 3 + (size_t)bimt__rng_below(&r, 4), n = side * side;
        bimt_model_params mp;
        bimt_model_params_init(&mp);
        mp.grid_side = (uint32_t)side;
        mp.n_in = 5;
        mp.n_out = 3;
        mp.init = BIMT_INIT_GAUSS;
        mp.io_layout = BIMT_IO_EDGES;
        mp.seed = (uint64_t)rep + 1;
        bimt_model_t *m = NULL;
        ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
        randomize(m, &r, W_GAUSS, 0.3);
        double *M = malloc(n * n * sizeof(double)), *dj = malloc(n * sizeof(double));
        bimt__swap_sym_abs(m, M, dj);
        uint32_t *slots = malloc(n * sizeof(uint32_t));
        memcpy(slots, bimt_model_slots(m), n * sizeof(uint32_t));
        double base = bimt_test_distance_cost(m, NULL);
        ck_assert(rel(bimt__distance_sum(m), base) < 1e-6);
        for (int t = 0; t < 20; t++) {
            size_t j = (size_t)bimt__rng_below(&r, n), k = (size_t)bimt__rng_below(&r, n);
            if (j == k) continue;
            double d = bimt__swap_delta(m, M, dj, j, k);
            uint32_t s = slots[j];
            slots[j] = slots[k];
            slots[k] = s;
            double exact = bimt_test_distance_cost(m, slots) - base;
            slots[k] = slots[j];
            slots[j] = s;
            ck_assert_msg(fabs(d - exact) <= 1e-6 * base, "delta %.10g vs %.10g", d, exact);
        }
        bimt_swap_params p;
        bimt_swap_params_init(&p);
        p.top_k = (uint32_t)n;
        bimt_swap_result res;
        memset(&res, 0, sizeof res);
        res.struct_size = (uint32_t)sizeof res;
        ck_assert_int_eq(bimt_model_swap(m, &p, &res), BIMT_OK);
        ck_assert(res.cost_after <= res.cost_before + 1e-9 * res.cost_before);
        ck_assert(rel(res.cost_after, bimt_test_distance_cost(m, NULL)) < 1e-6);
        ck_assert(rel(res.cost_before, base) < 1e-6);
        free(M);
        free(dj);
        free(slots);
        bimt_model_free(m);
    }
    /* One wired neuron: W_in[0][0] strong, everything else 0. */
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 6;
    mp.n_in = 1;
    mp.n_out = 1;
    mp.io_layout = BIMT_IO_EDGES;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
    float *P = bimt_model_params_data(m);
    memset(P, 0, bimt_model_n_params(m) * sizeof(float));
    const float *Win;
    size_t off;
    ck_assert_int_eq(bimt_model_tensor(m, BIMT_W_IN, &Win, NULL, NULL, &off), BIMT_OK);
    P[off + 20] = 2.0f; /* neuron 20 (slot (3, 2)) gets input 0 (row 2.5, column -1) */
    bimt_swap_params p;
    bimt_swap_params_init(&p);
    ck_assert_int_eq(bimt_model_swap(m, &p, NULL), BIMT_OK);
    uint32_t s20 = bimt_model_slots(m)[20];
    ck_assert_uint_eq(s20 % 6, 0); /* now in the left column, row 2 or 3 */
    ck_assert(s20 / 6 == 2 || s20 / 6 == 3);
    bimt_model_free(m);
}
END_TEST

START_TEST(matches_oracle_gaussian)
{
    bimt_rng r;
    bimt__rng_seed(&r, 2024, 7);
    suite_stats ss = {0, 0, 0, 0, 0};
    for (size_t side = 2; side <= 8; side++)
        for (int sp = 0; sp < 3; sp++)
            for (int rep = 0; rep < 3; rep++) {
                bimt_model_t *m = make_model(side, 1 + (size_t)bimt__rng_below(&r, 5),
                                             1 + (size_t)bimt__rng_below(&r, 4));
                static const double sparsity[] = {0.0, 0.5, 0.9};
                randomize(m, &r, W_GAUSS, sparsity[sp]);
                compare_passes(m, &r, 3, NULL, &ss);
                bimt_model_free(m);
            }
    ck_assert_int_gt(ss.swaps, 100); /* the comparison is not vacuous */
}
END_TEST

/* Caller positions in 1, 2 and 3 dimensions (dyadic coordinates, some repeated), Manhattan
 * and Euclidean: the swap pass still matches the brute-force oracle exactly. */
START_TEST(matches_oracle_positions)
{
    bimt_rng r;
    bimt__rng_seed(&r, 4242, 9);
    suite_stats ss = {0, 0, 0, 0, 0};
    for (uint32_t dim = 1; dim <= 3; dim++)
        for (uint32_t kind = 0; kind <= 1; kind++)
            for (int rep = 0; rep < 4; rep++) {
                uint32_t n = 5 + (uint32_t)bimt__rng_below(&r, 30);
                double *pos = malloc(n * dim * sizeof(double));
                for (size_t i = 0; i < n * dim; i++)
                    pos[i] = (double)bimt__rng_below(&r, 16) / 8.0 - 0.5;
                bimt_model_params mp;
                bimt_model_params_init(&mp);
                mp.positions = pos;
                mp.n_slots = n;
                mp.dim = dim;
                mp.distance = kind;
                mp.n_in = 1 + (uint32_t)bimt__rng_below(&r, 5);
                mp.n_out = 1 + (uint32_t)bimt__rng_below(&r, 4);
                mp.init = BIMT_INIT_GAUSS;
                bimt_model_t *m = NULL;
                ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
                free(pos); /* the model keeps its own copy */
                randomize(m, &r, rep % 2 ? W_DYADIC : W_GAUSS, 0.3);
                compare_passes(m, &r, 3, NULL, &ss);
                bimt_model_free(m);
            }
    ck_assert_int_gt(ss.swaps, 50);
}
END_TEST

/* Small-integer, dyadic and all-ones weights: exact ties everywhere (importance ties,
 * partner ties, zero deltas); the tie rules must agree with the oracle exactly. */
START_TEST(matches_oracle_exact_ties)
{
    bimt_rng r;
    bimt__rng_seed(&r, 77, 8);
    suite_stats ss = {0, 0, 0, 0, 0};
    for (size_t side = 2; side <= 8; side++)
        for (int mode = W_INT; mode < W_NMODES; mode++)
            for (int rep = 0; rep < 4; rep++) {
                bimt_model_t *m = make_model(side, 1 + (size_t)bimt__rng_below(&r, 3),
                                             1 + (size_t)bimt__rng_below(&r, 3));
                static const double sparsity[] = {0.0, 0.6, 0.9, 0.97};
                randomize(m, &r, mode, sparsity[rep]);
                compare_passes(m, &r, 3, NULL, &ss);
                bimt_model_free(m);
            }
    ck_assert_int_gt(ss.swaps, 100);
    ck_assert_int_gt(ss.ties, 50);    /* exact ties between improving partners were decided */
    ck_assert_int_gt(ss.zeros, 1000); /* and exactly-neutral exchanges were refused */
}
END_TEST

/* Mirror-symmetric Gaussian W_rec on an odd grid: exchanging the (most important) neuron on
 * the mirror axis with k or with the mirror image of k gives mirror-image layouts, hence
 * exactly equal costs, although the O(n) sums add the same terms in different orders. The
 * tolerance makes such ties ties (lower index), as in the exact oracle. */
START_TEST(mirror_symmetric_ties)
{
    bimt_rng r;
    bimt__rng_seed(&r, 31, 4);
    suite_stats ss = {0, 0, 0, 0, 0};
    for (int rep = 0; rep < 80; rep++) {
        size_t side = rep % 2 ? 5 : 7, n = side * side;
        bimt_model_t *m = make_model(side, 1, 1);
        randomize(m, &r, W_GAUSS, rep % 4 < 2 ? 0.0 : 0.5);
        uint32_t *id = malloc(n * sizeof(uint32_t));
        for (size_t i = 0; i < n; i++)
            id[i] = (uint32_t)i;
        ck_assert_int_eq(bimt_model_set_slots(m, id, n), BIMT_OK);
        free(id);
        float *P = bimt_model_params_data(m);
        size_t off_w, off_in, off_out;
        bimt_model_tensor(m, BIMT_W_REC, NULL, NULL, NULL, &off_w);
        bimt_model_tensor(m, BIMT_W_IN, NULL, NULL, NULL, &off_in);
        bimt_model_tensor(m, BIMT_W_OUT, NULL, NULL, NULL, &off_out);
        float *W = P + off_w;
        for (size_t a = 0; a < n; a++)
            for (size_t b = 0; b < n; b++) {
                size_t ma = a - a % side + (side - 1 - a % side);
                size_t mb = b - b % side + (side - 1 - b % side);
                if (ma * n + mb > a * n + b) W[ma * n + mb] = W[a * n + b];
            }
        /* importance: the axis neurons first, then by index (distinct by far) */
        for (size_t i = 0; i < n; i++) {
            P[off_in + i] = (float)((i % side == side / 2 ? 1000.0 : 0.0) + 10.0 * (double)i);
            P[off_out + i] = 0.0f;
        }
        bimt_swap_params sp;
        bimt_swap_params_init(&sp);
        sp.top_k = 1;
        compare_passes(m, &r, 1, &sp, &ss);
        bimt_model_free(m);
    }
    ck_assert_int_gt(ss.ties, 40); /* the best partner was mostly a mirror pair */
}
END_TEST

/* Weights, gradients, biases never move; only slots and distances change. */
START_TEST(only_positions_move)
{
    bimt_rng r;
    bimt__rng_seed(&r, 5, 5);
    bimt_model_t *m = make_model(6, 4, 3);
    randomize(m, &r, W_GAUSS, 0.3);
    size_t np = bimt_model_n_params(m), n = bimt_model_n_hidden(m);
    float *g = bimt_model_grad_data(m);
    for (size_t i = 0; i < np; i++)
        g[i] = (float)bimt__rng_normal(&r);
    float *p0 = malloc(np * sizeof(float)), *g0 = malloc(np * sizeof(float));
    memcpy(p0, bimt_model_params_data(m), np * sizeof(float));
    memcpy(g0, g, np * sizeof(float));
    uint32_t *s0 = malloc(n * sizeof(uint32_t));
    memcpy(s0, bimt_model_slots(m), n * sizeof(uint32_t));
    bimt_swap_params p;
    bimt_swap_params_init(&p);
    bimt_swap_result res;
    memset(&res, 0, sizeof res);
    res.struct_size = (uint32_t)sizeof res;
    ck_assert_int_eq(bimt_model_swap(m, &p, &res), BIMT_OK);
    ck_assert_uint_gt(res.n_swaps, 0);
    ck_assert(memcmp(s0, bimt_model_slots(m), n * sizeof(uint32_t)) != 0);
    ck_assert(memcmp(p0, bimt_model_params_data(m), np * sizeof(float)) == 0);
    ck_assert(memcmp(g0, bimt_model_grad_data(m), np * sizeof(float)) == 0);
    check_dist_cache(m);
    free(p0);
    free(g0);
    free(s0);
    bimt_model_free(m);
}
END_TEST

/* The network computes exactly the same function after a pass (forward outputs and hidden
 * states bit-identical), and the reported costs agree with the connection-cost module. */
START_TEST(forward_bit_identical_and_cost_agrees)
{
    bimt_rng r;
    bimt__rng_seed(&r, 6, 6);
    for (int act = 0; act < 3; act++) {
        bimt_model_params mp;
        bimt_model_params_init(&mp);
        mp.grid_side = 7;
        mp.n_in = 5;
        mp.n_out = 4;
        mp.activation = (bimt_activation)act;
        mp.init = BIMT_INIT_GAUSS;
        mp.init_scale = 1.0;
        bimt_model_t *m = NULL;
        ck_assert_int_eq(bimt_model_create(&mp, &m), BIMT_OK);
        randomize(m, &r, W_GAUSS, 0.4);
        size_t n = bimt_model_n_hidden(m), T = 6, B = 3;
        float *x = malloc(T * B * mp.n_in * sizeof(float));
        for (size_t i = 0; i < T * B * mp.n_in; i++)
            x[i] = (float)bimt__rng_normal(&r);
        const float *o, *h;
        ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
        ck_assert_int_eq(bimt_model_outputs(m, &o), BIMT_OK);
        ck_assert_int_eq(bimt_model_states(m, &h), BIMT_OK);
        float *o0 = malloc(T * B * mp.n_out * sizeof(float));
        float *h0 = malloc(T * B * n * sizeof(float));
        memcpy(o0, o, T * B * mp.n_out * sizeof(float));
        memcpy(h0, h, T * B * n * sizeof(float));

        double c0;
        ck_assert_int_eq(bimt_model_distance_cost(m, 1.7, &c0), BIMT_OK);
        bimt_swap_params sp;
        bimt_swap_params_init(&sp);
        sp.A = 1.7;
        bimt_swap_result res;
        memset(&res, 0, sizeof res);
        res.struct_size = (uint32_t)sizeof res;
        ck_assert_int_eq(bimt_model_swap(m, &sp, &res), BIMT_OK);
        ck_assert_uint_gt(res.n_swaps, 0);
        double c1;
        ck_assert_int_eq(bimt_model_distance_cost(m, 1.7, &c1), BIMT_OK);
        ck_assert_msg(rel(res.cost_before, c0) < 1e-9, "%.17g vs %.17g", res.cost_before, c0);
        ck_assert_msg(rel(res.cost_after, c1) < 1e-9, "%.17g vs %.17g", res.cost_after, c1);
        ck_assert(c1 < c0);

        ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
        ck_assert_int_eq(bimt_model_outputs(m, &o), BIMT_OK);
        ck_assert_int_eq(bimt_model_states(m, &h), BIMT_OK);
        ck_assert(memcmp(o0, o, T * B * mp.n_out * sizeof(float)) == 0);
        ck_assert(memcmp(h0, h, T * B * n * sizeof(float)) == 0);
        free(x);
        free(o0);
        free(h0);
        bimt_model_free(m);
    }
}
END_TEST

/* Repeated passes lower the cost strictly until none helps; the pass after a pass with no
 * exchange changes nothing. Also checks exchanges capacity handling and delta bookkeeping. */
START_TEST(passes_converge)
{
    bimt_rng r;
    bimt__rng_seed(&r, 9, 9);
    for (int mode = 0; mode < W_NMODES; mode++) {
        bimt_model_t *m = make_model(5, 2, 2);
        randomize(m, &r, mode, 0.5);
        size_t n = bimt_model_n_hidden(m);
        bimt_swap_params p;
        bimt_swap_params_init(&p);
        p.top_k = (uint32_t)n;
        double prev = (double)INFINITY;
        int passes = 0;
        uint32_t made = 1;
        while (made && passes < 10000) {
            bimt_swap_exchange ex[3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
            ex[2].neuron = 12345; /* sentinel beyond the capacity */
            bimt_swap_result res = {(uint32_t)sizeof res, 0, 0, 0, ex, 2};
            ck_assert_int_eq(bimt_model_swap(m, &p, &res), BIMT_OK);
            made = res.n_swaps;
            ck_assert(res.cost_before <= prev);
            if (made) {
                ck_assert(res.cost_after < res.cost_before);
                ck_assert(ex[0].delta < 0);
            } else {
                ck_assert(res.cost_after == res.cost_before);
            }
            ck_assert_uint_eq(ex[2].neuron, 12345);
            prev = res.cost_after;
            passes++;
        }
        ck_assert_uint_eq(made, 0);
        uint32_t *s0 = malloc(n * sizeof(uint32_t));
        memcpy(s0, bimt_model_slots(m), n * sizeof(uint32_t));
        bimt_swap_result res;
        memset(&res, 0, sizeof res);
        res.struct_size = (uint32_t)sizeof res;
        ck_assert_int_eq(bimt_model_swap(m, &p, &res), BIMT_OK);
        ck_assert_uint_eq(res.n_swaps, 0);
        ck_assert(memcmp(s0, bimt_model_slots(m), n * sizeof(uint32_t)) == 0);
        /* the sum of the reported deltas equals the cost change */
        randomize(m, &r, mode, 0.5);
        bimt_swap_exchange ex[64];
        bimt_swap_result r2 = {(uint32_t)sizeof r2, 0, 0, 0, ex, 64};
        ck_assert_int_eq(bimt_model_swap(m, &p, &r2), BIMT_OK);
        double sum = 0;
        for (uint32_t i = 0; i < r2.n_swaps; i++)
            sum += ex[i].delta;
        ck_assert(fabs(r2.cost_before + sum - r2.cost_after) <= 1e-12 * r2.cost_before + 1e-300);
        free(s0);
        bimt_model_free(m);
    }
}
END_TEST

/* A = 0: positions do not matter; no exchange and zero costs. NULL params = defaults. */
START_TEST(zero_A_and_default_params)
{
    bimt_rng r;
    bimt__rng_seed(&r, 3, 3);
    bimt_model_t *m = make_model(4, 2, 2);
    randomize(m, &r, W_GAUSS, 0.2);
    size_t n = bimt_model_n_hidden(m);
    uint32_t s0[16];
    memcpy(s0, bimt_model_slots(m), sizeof s0);
    bimt_swap_params p;
    bimt_swap_params_init(&p);
    p.A = 0.0;
    bimt_swap_result res;
    memset(&res, 0, sizeof res);
    res.struct_size = (uint32_t)sizeof res;
    ck_assert_int_eq(bimt_model_swap(m, &p, &res), BIMT_OK);
    ck_assert_uint_eq(res.n_swaps, 0);
    ck_assert(res.cost_before == 0.0 && res.cost_after == 0.0);
    ck_assert(memcmp(s0, bimt_model_slots(m), sizeof s0) == 0);

    /* defaults (NULL params) decide exactly like explicit defaults */
    bimt_model_t *c = NULL;
    ck_assert_int_eq(bimt_model_clone(m, &c), BIMT_OK);
    bimt_swap_params_init(&p);
    bimt_swap_result r1, r2;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    r1.struct_size = (uint32_t)sizeof r1; /* an output struct */
    r2.struct_size = (uint32_t)sizeof r2;
    ck_assert_int_eq(bimt_model_swap(m, NULL, &r1), BIMT_OK);
    ck_assert_int_eq(bimt_model_swap(c, &p, &r2), BIMT_OK);
    ck_assert_uint_gt(r1.n_swaps, 0);
    ck_assert_uint_eq(r1.n_swaps, r2.n_swaps);
    ck_assert(memcmp(bimt_model_slots(m), bimt_model_slots(c), n * sizeof(uint32_t)) == 0);
    ck_assert_int_eq(bimt_model_swap(m, NULL, NULL), BIMT_OK); /* res is optional */
    bimt_model_free(c);
    bimt_model_free(m);
}
END_TEST

START_TEST(bad_input_changes_nothing)
{
    bimt_rng r;
    bimt__rng_seed(&r, 4, 4);
    bimt_model_t *m = make_model(4, 2, 2);
    randomize(m, &r, W_GAUSS, 0.0);
    size_t n = bimt_model_n_hidden(m);
    uint32_t s0[16];
    float d0[256];
    memcpy(s0, bimt_model_slots(m), sizeof s0);
    memcpy(d0, bimt_model_distances(m), sizeof d0);
    bimt_swap_result res = {(uint32_t)sizeof res, 77, 1.0, 2.0, NULL, 0};

    ck_assert_int_eq(bimt_model_swap(NULL, NULL, &res), BIMT_E_INVALID_ARG);

    bimt_swap_params p;
    const double badA[] = {(double)NAN, -1.0, (double)INFINITY, -0.0 - 1e-300};
    for (size_t i = 0; i < sizeof badA / sizeof badA[0]; i++) {
        bimt_swap_params_init(&p);
        p.A = badA[i];
        ck_assert_int_eq(bimt_model_swap(m, &p, &res), BIMT_E_INVALID_ARG);
        ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "A must be"));
    }
    bimt_swap_params_init(&p);
    p.top_k = 0;
    ck_assert_int_eq(bimt_model_swap(m, &p, &res), BIMT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "top_k"));
    bimt_swap_params_init(&p);
    p.struct_size = (uint32_t)sizeof p + 8;
    ck_assert_int_eq(bimt_model_swap(m, &p, &res), BIMT_E_VERSION);
    ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "struct_size"));

    /* NaN / Inf weights: refused, nothing moves */
    float *P = bimt_model_params_data(m);
    size_t off_in;
    bimt_model_tensor(m, BIMT_W_IN, NULL, NULL, NULL, &off_in);
    float keep = P[5];
    P[5] = NAN;
    ck_assert_int_eq(bimt_model_swap(m, NULL, &res), BIMT_E_NUMERIC);
    ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "NaN"));
    P[5] = keep;
    keep = P[off_in];
    P[off_in] = INFINITY;
    ck_assert_int_eq(bimt_model_swap(m, NULL, &res), BIMT_E_NUMERIC);
    P[off_in] = keep;

    ck_assert(memcmp(s0, bimt_model_slots(m), sizeof s0) == 0);
    ck_assert(memcmp(d0, bimt_model_distances(m), sizeof d0) == 0);
    ck_assert_uint_eq(res.n_swaps, 77); /* result untouched on failure */
    ck_assert(res.cost_before == 1.0 && res.cost_after == 2.0);
    (void)n;
    bimt_model_free(m);
}
END_TEST

/* Side 1 (a single neuron) has no partner; a pass is valid and changes nothing. */
START_TEST(single_neuron)
{
    bimt_model_t *m = make_model(1, 1, 1);
    bimt_swap_result res;
    memset(&res, 0, sizeof res);
    res.struct_size = (uint32_t)sizeof res;
    ck_assert_int_eq(bimt_model_swap(m, NULL, &res), BIMT_OK);
    ck_assert_uint_eq(res.n_swaps, 0);
    ck_assert(res.cost_before == 0.0);
    bimt_model_free(m);
}
END_TEST

static Suite *swap_suite(void)
{
    Suite *s = suite_create("swap");
    /* one test case per test, so CK_RUN_CASE=<name> runs one */
#define ADD(name)                                                                                  \
    do {                                                                                           \
        TCase *tc = tcase_create(#name);                                                           \
        tcase_set_timeout(tc, 600);                                                                \
        tcase_add_test(tc, name);                                                                  \
        suite_add_tcase(s, tc);                                                                    \
    } while (0)
    ADD(params_defaults);
    ADD(hand_computed_corner_pair);
    ADD(delta_equals_bruteforce_difference);
    ADD(io_layout_delta_and_pass);
    ADD(matches_oracle_gaussian);
    ADD(matches_oracle_exact_ties);
    ADD(matches_oracle_positions);
    ADD(mirror_symmetric_ties);
    ADD(only_positions_move);
    ADD(forward_bit_identical_and_cost_agrees);
    ADD(passes_converge);
    ADD(zero_A_and_default_params);
    ADD(bad_input_changes_nothing);
    ADD(single_neuron);
#undef ADD
    return s;
}

int main(void)
{
    return bimt_test_run(swap_suite());
}
