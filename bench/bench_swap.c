/* Swap-pass benchmark: bimt_model_swap (O(n) delta per candidate) against a brute-force
 * pass (for each candidate: exchange the slots, recompute the whole cost O(n^2), exchange
 * back) making the same decisions, on a 16 x 16 grid with trained-like weights.
 *
 * Usage: bench_swap [grid_side=16] [top_k=30] [fast_reps=101] [brute_reps=3]
 * Prints both median times, their ratio, and whether both made the same exchanges
 * (exit status 1 if not). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bimt/bimt.h"
#include "model/model_internal.h"
#include "common/rng.h"
#include "train/swap_internal.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Full cost sum_ab D_ab |W_ab| from the distance cache: the straightforward loop (one
 * accumulator, bound by the latency of the additions), or with 8 independent partial sums
 * (what an optimised brute force would do). */
static double full_cost_plain(const struct bimt_model *m)
{
    size_t n = m->n_h;
    const float *W = bimt__W(m), *D = m->dist;
    double acc = 0.0;
    for (size_t i = 0; i < n * n; i++) acc += (double)D[i] * fabs((double)W[i]);
    return acc;
}

/* Same AVX2 clone as the library's kernel, so the optimised brute force is equally tuned. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("avx2", "default")))
#endif
static double full_cost_unrolled(const struct bimt_model *m)
{
    size_t nn = m->n_h * m->n_h, i = 0;
    const float *W = bimt__W(m), *D = m->dist;
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (; i + 8 <= nn; i += 8)
        for (size_t u = 0; u < 8; u++) s[u] += (double)D[i + u] * (double)fabsf(W[i + u]);
    for (; i < nn; i++) s[0] += (double)D[i] * (double)fabsf(W[i]);
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

typedef double (*cost_fn)(const struct bimt_model *m);

static void exchange(struct bimt_model *m, size_t j, size_t k)
{
    uint32_t s = m->slots[j];
    m->slots[j] = m->slots[k];
    m->slots[k] = s;
    bimt__model_update_distance_row(m, j);
    bimt__model_update_distance_row(m, k);
}

/* The brute-force pass: the documented ranking and decision rule, every candidate by full
 * recomputation. Returns the number of exchanges (written to ex, capacity cap). */
static uint32_t brute_pass(struct bimt_model *m, uint32_t top_k, double A, cost_fn full_cost,
                           bimt_swap_exchange *ex, uint32_t cap)
{
    size_t n = m->n_h;
    const float *W = bimt__W(m), *Win = bimt__Win(m), *Wout = bimt__Wout(m);
    double *imp = malloc(n * sizeof(double));
    unsigned char *taken = calloc(n, 1);
    double wsum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double row = 0, col = 0, in = 0, out = 0;
        for (size_t j = 0; j < n; j++) row += fabs((double)W[i * n + j]);
        for (size_t j = 0; j < n; j++) col += fabs((double)W[j * n + i]);
        for (size_t c = 0; c < m->n_in; c++) in += fabs((double)Win[i * m->n_in + c]);
        for (size_t o = 0; o < m->n_out; o++) out += fabs((double)Wout[o * n + i]);
        imp[i] = row + col + in + out;
        wsum += row;
    }
    double dmax = 2.0 * (double)(m->side - 1) / (double)m->side;
    double tol = BIMT_SWAP_RTOL * dmax * 2.0 * wsum;
    uint32_t top = top_k < n ? top_k : (uint32_t)n, made = 0;
    for (uint32_t t = 0; t < top; t++) {
        size_t j = n;
        for (size_t i = 0; i < n; i++)
            if (!taken[i] && (j == n || imp[i] > imp[j])) j = i;
        taken[j] = 1;
        double base = full_cost(m), best = 0.0;
        size_t best_k = n;
        for (size_t k = 0; k < n; k++) {
            if (k == j) continue;
            exchange(m, j, k);
            double d = full_cost(m) - base;
            exchange(m, j, k);
            if (d < best - tol) {
                best = d;
                best_k = k;
            }
        }
        if (best_k == n) continue;
        exchange(m, j, best_k);
        if (made < cap) {
            ex[made].neuron = (uint32_t)j;
            ex[made].partner = (uint32_t)best_k;
            ex[made].delta = A * best;
        }
        made++;
    }
    free(imp);
    free(taken);
    return made;
}

int main(int argc, char **argv)
{
    uint32_t side = argc > 1 ? (uint32_t)atoi(argv[1]) : 16;
    uint32_t top_k = argc > 2 ? (uint32_t)atoi(argv[2]) : 30;
    int fast_reps = argc > 3 ? atoi(argv[3]) : 101;
    int brute_reps = argc > 4 ? atoi(argv[4]) : 3;
    int io_edges = argc > 5 && strcmp(argv[5], "io") == 0; /* inputs/outputs on the edges */
    if (side < 2 || top_k < 1 || fast_reps < 1 || brute_reps < 1) {
        fprintf(stderr, "usage: bench_swap [grid_side>=2] [top_k>=1] [fast_reps] [brute_reps] "
                        "[io]\n");
        return 2;
    }
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = side;
    mp.init = BIMT_INIT_GAUSS;
    mp.io_layout = io_edges ? BIMT_IO_EDGES : BIMT_IO_NONE;
    bimt_model_t *m = NULL;
    if (bimt_model_create(&mp, &m) != BIMT_OK) {
        fprintf(stderr, "model creation failed\n");
        return 2;
    }
    size_t n = bimt_model_n_hidden(m);

    /* Trained-like weights: 60% exact zeros, the rest Gaussian with magnitudes that decay
     * with the distance on the grid (local wiring), then the neurons scattered by a random
     * permutation of the slots so that the pass has work to do. */
    bimt_rng r;
    bimt__rng_seed(&r, 12345, 77);
    float *W = bimt__W(m);
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            double d = (double)bimt__slot_distance(side, (uint32_t)a, (uint32_t)b);
            double w = bimt__rng_uniform(&r) < 0.6 ? 0.0
                                                   : 0.3 * bimt__rng_normal(&r) * exp(-d / 0.15);
            W[a * n + b] = (float)w;
        }
    uint32_t *perm = malloc(n * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t k = (size_t)bimt__rng_below(&r, i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[k];
        perm[k] = t;
    }

    bimt_swap_params sp;
    bimt_swap_params_init(&sp);
    sp.top_k = top_k;
    bimt_swap_exchange *fex = calloc(n, sizeof(*fex)), *bex = calloc(n, sizeof(*bex));
    bimt_swap_result res;
    res.struct_size = (uint32_t)sizeof res; /* an output struct */
    double *tf = malloc((size_t)fast_reps * sizeof(double));
    double *tb = malloc((size_t)brute_reps * sizeof(double));
    for (int rep = 0; rep < fast_reps; rep++) {
        bimt_model_set_slots(m, perm, n);
        memset(&res, 0, sizeof res);
        res.struct_size = (uint32_t)sizeof res;
        res.exchanges = fex;
        res.max_exchanges = (uint32_t)n;
        double t0 = now_ms();
        int rc = bimt_model_swap(m, &sp, &res);
        tf[rep] = now_ms() - t0;
        if (rc != BIMT_OK) {
            fprintf(stderr, "bimt_model_swap: %s\n", bimt_model_errmsg(m));
            return 2;
        }
    }
    uint32_t *fast_slots = malloc(n * sizeof(uint32_t));
    memcpy(fast_slots, bimt_model_slots(m), n * sizeof(uint32_t));
    double mf = median(tf, (size_t)fast_reps);
    printf("swap pass, %ux%u grid (%zu neurons), top_k %u%s\n", side, side, n, top_k,
           io_edges ? ", inputs and outputs on the edges" : "");
    printf("  bimt_model_swap            median %9.3f ms over %d reps (min %.3f)\n", mf,
           fast_reps, tf[0]);
    static const char *names[2] = {"brute force, plain loop  ", "brute force, 8 partials  "};
    const cost_fn fns[2] = {full_cost_plain, full_cost_unrolled};
    int all_same = 1;
    for (int v = 0; v < 2; v++) {
        uint32_t bn = 0;
        for (int rep = 0; rep < brute_reps; rep++) {
            bimt_model_set_slots(m, perm, n);
            double t0 = now_ms();
            bn = brute_pass(m, sp.top_k, sp.A, fns[v], bex, (uint32_t)n);
            tb[rep] = now_ms() - t0;
        }
        int same = bn == res.n_swaps &&
                   memcmp(fast_slots, bimt_model_slots(m), n * sizeof(uint32_t)) == 0;
        for (uint32_t i = 0; same && i < bn; i++)
            same = fex[i].neuron == bex[i].neuron && fex[i].partner == bex[i].partner;
        all_same &= same;
        double mb = median(tb, (size_t)brute_reps);
        printf("  %s median %9.3f ms over %d reps (min %.3f): speedup %.0fx, "
               "same exchanges: %s\n", names[v], mb, brute_reps, tb[0], mb / mf,
               same ? "yes" : "NO");
    }
    printf("  exchanges made            %u (cost %.6g -> %.6g)\n", res.n_swaps,
           res.cost_before, res.cost_after);
    int same = all_same;
    free(perm);
    free(fex);
    free(bex);
    free(tf);
    free(tb);
    free(fast_slots);
    bimt_model_free(m);
    return same ? 0 : 1;
}
