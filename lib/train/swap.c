/* The BIMT swap pass: exchanges neurons' grid slots to lower A * sum_ab D_ab |W_ab|.
 *
 * Only positions move (slots and the cached distances); weights never do. With M = |W| +
 * |W|^T, the exchange of the slots of j and k changes the cost (A = 1) by
 *
 *   delta(j, k) = sum_{a not in {j, k}} (D_ka - D_ja) (M_ja - M_ka),
 *
 * O(n_h) per candidate from two rows of D and two rows of M (derivation in docs/swap.md).
 * Under an io layout (bimt_io_layout) W_in and W_out pay a distance too, and the exchange
 * also changes each of the two neurons' input and output wiring:
 *
 *   delta_io = io(j at s_k) + io(k at s_j) - io(j at s_j) - io(k at s_k),
 *   io(x at s) = sum_i |W_in[x][i]| d_in(s, i) + sum_o |W_out[o][x]| d_out(s, o).
 *
 * Decisions use a small documented tolerance (BIMT_SWAP_RTOL) so that exact ties are ties
 * whatever the rounding of the sums. */
#include <math.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "bimt/swap.h"
#include "model/model_internal.h"
#include "train/cost_internal.h"
#include "train/swap_internal.h"

void bimt_swap_params_init(bimt_swap_params *p)
{
    if (!bimt__struct_init(p, sizeof *p)) return;
    p->top_k = 30;
    p->A = 1.0;
    p->candidates = NULL;
}

/* sum of n doubles with eight partial sums (index mod 8), combined pairwise. */
static double sum8(const double *x, size_t n)
{
    double s[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t u = 0; u < 8; u++)
            s[u] += x[i + u];
    for (; i < n; i++)
        s[0] += x[i];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

double bimt__swap_sym_abs(const struct bimt_model *m, double *M, double *rowsum)
{
    size_t n = m->n_h;
    const float *W = bimt__W(m);
    /* Blocked transpose so that both W[a][b] and W[b][a] are read from cache-sized tiles. */
    const size_t B = 32;
    for (size_t a0 = 0; a0 < n; a0 += B) {
        size_t a1 = a0 + B < n ? a0 + B : n;
        for (size_t b0 = 0; b0 < n; b0 += B) {
            size_t b1 = b0 + B < n ? b0 + B : n;
            for (size_t a = a0; a < a1; a++)
                for (size_t b = b0; b < b1; b++)
                    M[a * n + b] = (double)fabsf(W[a * n + b]) + (double)fabsf(W[b * n + a]);
        }
    }
    double total = 0.0;
    for (size_t a = 0; a < n; a++) {
        rowsum[a] = sum8(M + a * n, n);
        total += rowsum[a];
    }
    return total;
}

void bimt__swap_importance(const struct bimt_model *m, const double *rowsum, double *imp)
{
    size_t n = m->n_h, n_in = m->n_in, n_out = m->n_out;
    const float *Win = bimt__Win(m), *Wout = bimt__Wout(m);
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t c = 0; c < n_in; c++)
            s += (double)fabsf(Win[i * n_in + c]);
        imp[i] = rowsum[i] + m->p.w_in_cost * s; /* each tensor at its price (1: exact) */
    }
    /* Column i of W_out, summed in ascending o, then added to the rest. */
    for (size_t i = 0; i < n; i++) {
        double t = 0.0;
        for (size_t o = 0; o < n_out; o++)
            t += (double)fabsf(Wout[o * n + i]);
        imp[i] += m->p.w_out_cost * t;
    }
}

/* sum_a (Dk[a] - dj[a]) (Mj[a] - Mk[a]) with a fixed assignment of every index a to one of
 * eight partial sums (a mod 8, the tail to the first): the result depends only on the terms,
 * so term-by-term identical candidates give bit-identical deltas. Eight independent sums
 * hide the latency of the additions and let the compiler use packed instructions (the
 * arithmetic of each partial sum is the same with or without vectorisation). */
#define KERNEL_LANES 8
/* GCC on x86-64 Linux also compiles an AVX2 clone of the kernel, picked at load time (not
 * under the sanitizers: the ifunc resolver would run before their runtime starts). AVX2
 * here means wider packed adds, subtractions and products only (no FMA, and ISO C mode does
 * not contract a*b+c), so both clones compute bit-identical results. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) &&       \
    !defined(BIMT_NO_TARGET_CLONES) && !defined(__SANITIZE_ADDRESS__) &&                           \
    !defined(__SANITIZE_THREAD__)
#define BIMT_SWAP_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define BIMT_SWAP_CLONES
#endif
BIMT_SWAP_CLONES
static double delta_kernel(const float *restrict Dk, const double *restrict dj,
                           const double *restrict Mj, const double *restrict Mk, size_t n)
{
    double s[KERNEL_LANES] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    size_t a = 0;
    for (; a + KERNEL_LANES <= n; a += KERNEL_LANES)
        for (size_t u = 0; u < KERNEL_LANES; u++)
            s[u] += ((double)Dk[a + u] - dj[a + u]) * (Mj[a + u] - Mk[a + u]);
    for (; a < n; a++)
        s[0] += ((double)Dk[a] - dj[a]) * (Mj[a] - Mk[a]);
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* Delta of candidate k with dj holding row j of D (dj[j] == 0). The terms a = j and a = k
 * are excluded by making their distance factor exactly zero: dj[j] := D_kj, dj[k] := D_kk
 * (= 0); both entries are restored before returning. */
static double delta_prepared(const struct bimt_model *m, const double *M, double *dj, size_t j,
                             size_t k)
{
    size_t n = m->n_h;
    const float *Dk = m->dist + k * n;
    double save_k = dj[k];
    dj[j] = (double)Dk[j];
    dj[k] = (double)Dk[k];
    double d = delta_kernel(Dk, dj, M + j * n, M + k * n, n);
    dj[k] = save_k;
    dj[j] = 0.0;
    return d;
}

/* io(x at slot s): neuron x's input and output wiring if it sat at slot s (0 without an io
 * layout), summed in input then output order, each tensor at its price (the cost's,
 * regularizer.h; a price of 1 leaves the products exact). */
static double io_cost_at(const struct bimt_model *m, size_t x, uint32_t s)
{
    if (!m->dist_in) return 0.0;
    const float *Win = bimt__Win(m) + x * m->n_in, *Wout = bimt__Wout(m);
    double c = 0.0;
    for (size_t i = 0; i < m->n_in; i++)
        c += m->p.w_in_cost * (double)fabsf(Win[i]) *
             (double)bimt__io_distance(m->side, s, i, m->n_in, 0, m->p.distance);
    for (size_t o = 0; o < m->n_out; o++)
        c += m->p.w_out_cost * (double)fabsf(Wout[o * m->n_h + x]) *
             (double)bimt__io_distance(m->side, s, o, m->n_out, 1, m->p.distance);
    return c;
}

static double io_delta(const struct bimt_model *m, size_t j, size_t k)
{
    if (!m->dist_in) return 0.0;
    uint32_t sj = m->slots[j], sk = m->slots[k];
    return (io_cost_at(m, j, sk) + io_cost_at(m, k, sj)) -
           (io_cost_at(m, j, sj) + io_cost_at(m, k, sk));
}

/* The io terms of a pass from tables, so that a candidate costs two dot products over the
 * n_in + n_out channels: T[s][c] the distance of slot s to channel c (inputs, then outputs),
 * Wa[x][c] neuron x's |W_in[x][c]| then |W_out[c][x]|, cur[x] = io(x at its slot). */
typedef struct io_tables {
    size_t nc; /* channels, 0 without an io layout */
    double *T, *Wa, *cur;
} io_tables;

static double io_dot(const io_tables *t, size_t x, uint32_t s)
{
    const double *w = t->Wa + x * t->nc, *d = t->T + (size_t)s * t->nc;
    double c = 0.0;
    for (size_t i = 0; i < t->nc; i++)
        c += w[i] * d[i];
    return c;
}

static void io_tables_free(io_tables *t)
{
    free(t->T);
    free(t->Wa);
    free(t->cur);
    memset(t, 0, sizeof *t);
}

static int io_tables_make(const struct bimt_model *m, io_tables *t)
{
    memset(t, 0, sizeof *t);
    if (!m->dist_in) return BIMT_OK;
    const size_t n = m->n_h, ni = m->n_in, no = m->n_out, nc = ni + no;
    t->T = bimt__malloc(n * nc, sizeof(double));
    t->Wa = bimt__malloc(n * nc, sizeof(double));
    t->cur = bimt__malloc(n, sizeof(double));
    if (!t->T || !t->Wa || !t->cur) {
        io_tables_free(t);
        return BIMT_E_NOMEM;
    }
    t->nc = nc;
    const float *Win = bimt__Win(m), *Wout = bimt__Wout(m);
    const uint32_t kind = m->p.distance;
    for (size_t s = 0; s < n; s++) {
        for (size_t i = 0; i < ni; i++)
            t->T[s * nc + i] = (double)bimt__io_distance(m->side, (uint32_t)s, i, ni, 0, kind);
        for (size_t o = 0; o < no; o++)
            t->T[s * nc + ni + o] = (double)bimt__io_distance(m->side, (uint32_t)s, o, no, 1, kind);
    }
    for (size_t x = 0; x < n; x++) {
        for (size_t i = 0; i < ni; i++)
            t->Wa[x * nc + i] = m->p.w_in_cost * (double)fabsf(Win[x * ni + i]);
        for (size_t o = 0; o < no; o++)
            t->Wa[x * nc + ni + o] = m->p.w_out_cost * (double)fabsf(Wout[o * n + x]);
        t->cur[x] = io_dot(t, x, m->slots[x]);
    }
    return BIMT_OK;
}

static double io_delta_tab(const io_tables *t, const uint32_t *slots, size_t j, size_t k)
{
    return (io_dot(t, j, slots[k]) + io_dot(t, k, slots[j])) - (t->cur[j] + t->cur[k]);
}

double bimt__swap_delta(const struct bimt_model *m, const double *M, double *dj, size_t j, size_t k)
{
    size_t n = m->n_h;
    const float *Dj = m->dist + j * n;
    for (size_t a = 0; a < n; a++)
        dj[a] = (double)Dj[a];
    dj[j] = 0.0;
    return delta_prepared(m, M, dj, j, k) + io_delta(m, j, k);
}

/* Largest entry of the distance cache (the scale of the tolerance for caller positions; the
 * grid's is 2 (side - 1) / side, its largest Manhattan distance, an upper bound of the
 * Euclidean one). */
static double max_distance(const struct bimt_model *m)
{
    float mx = 0.0f;
    for (size_t i = 0; i < m->n_h * m->n_h; i++)
        mx = m->dist[i] > mx ? m->dist[i] : mx;
    return (double)mx;
}

typedef struct ranked {
    double imp;
    uint32_t idx;
} ranked;

/* Importance descending, ties to the lower index. */
static int ranked_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    int c = BIMT__CMP(b->imp, a->imp);
    return c ? c : BIMT__CMP(a->idx, b->idx);
}

int bimt_model_swap(bimt_model_t *m, const bimt_swap_params *params, bimt_swap_result *out)
{
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_swap: model is NULL");
    /* The result is built in a full-size struct and written back to the caller's within its
     * struct_size; its inputs (exchanges, max_exchanges) count only when they lie within it. */
    bimt_swap_result full, *res = NULL;
    if (out) {
        int orc = bimt__out_check(out, "bimt_model_swap: res");
        if (orc) return bimt__fail(m->errmsg, orc, "%s", bimt_last_error());
        memset(&full, 0, sizeof full);
        if (out->struct_size >= offsetof(bimt_swap_result, max_exchanges) + sizeof(uint32_t)) {
            full.exchanges = out->exchanges;
            full.max_exchanges = out->max_exchanges;
        }
        res = &full;
    }
    bimt_swap_params def;
    bimt_swap_params_init(&def);
    int prc = bimt__params_in(&def, sizeof def, params, "bimt_swap_params");
    if (prc) return bimt__fail(m->errmsg, prc, "%s", bimt_last_error());
    const bimt_swap_params *p = &def;
    if (!bimt__finite(p->A) || p->A < 0.0)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG, "swap: A must be finite and >= 0 (got %g)",
                          p->A);
    if (p->top_k == 0 || p->top_k > BIMT_MAX_HIDDEN)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG, "swap: top_k must be in 1..%u (got %u)",
                          (unsigned)BIMT_MAX_HIDDEN, (unsigned)p->top_k);

    size_t n = m->n_h;
    size_t top = p->top_k < n ? p->top_k : n;
    double *M = bimt__malloc(n * n, sizeof(double));
    double *imp = bimt__malloc(n, sizeof(double));
    double *dj = bimt__malloc(n, sizeof(double)); /* also the row sums of M at first */
    ranked *order = bimt__malloc(n, sizeof(ranked));
    if (bimt__alloc_failed((void *[]){M, imp, dj, order}, 4))
        return bimt__fail(m->errmsg, BIMT_E_NOMEM, "swap: out of memory (%zu neurons)", n);

    int rc = BIMT_OK;
    io_tables io = {0, NULL, NULL, NULL};
    double msum = bimt__swap_sym_abs(m, M, dj);
    bimt__swap_importance(m, dj, imp);
    double isum = 0.0;
    for (size_t i = 0; i < n; i++)
        isum += imp[i];
    if (!bimt__finite(msum) || !bimt__finite(isum)) {
        rc = bimt__fail(m->errmsg, BIMT_E_NUMERIC,
                        "swap: the weights contain NaN or Inf; slots unchanged");
        goto done;
    }

    if (io_tables_make(m, &io)) {
        rc = bimt__fail(m->errmsg, BIMT_E_NOMEM, "swap: out of memory (io tables)");
        goto done;
    }
    double A = p->A;
    double cost_before = A * bimt__distance_sum(m);
    uint32_t n_swaps = 0;
    if (A > 0.0 && n > 1) {
        for (size_t i = 0; i < n; i++) {
            order[i].imp = imp[i];
            order[i].idx = (uint32_t)i;
        }
        qsort(order, n, sizeof(ranked), ranked_cmp);
        double dmax = m->side ? 2.0 * (double)(m->side - 1) / (double)m->side : max_distance(m);
        double tol = BIMT_SWAP_RTOL * dmax * msum;
        if (m->dist_in) /* the io terms reach one column beyond the grid on each side */
            tol = BIMT_SWAP_RTOL * 2.0 * (double)(m->side + 1) / (double)m->side * isum;
        const uint8_t *cand = p->candidates;
        for (size_t t = 0; t < top; t++) {
            size_t j = order[t].idx;
            const float *Dj = m->dist + j * n;
            for (size_t a = 0; a < n; a++)
                dj[a] = (double)Dj[a];
            dj[j] = 0.0;
            double best = 0.0; /* the incumbent: no exchange */
            size_t best_k = n;
            for (size_t k = 0; k < n; k++) {
                if (k == j || (cand && !cand[k])) continue;
                double d = delta_prepared(m, M, dj, j, k);
                if (io.nc) d += io_delta_tab(&io, m->slots, j, k);
                if (d < best - tol) {
                    best = d;
                    best_k = k;
                }
            }
            if (best_k == n) continue;
            uint32_t s = m->slots[j];
            m->slots[j] = m->slots[best_k];
            m->slots[best_k] = s;
            bimt__model_update_distance_row(m, j);
            bimt__model_update_distance_row(m, best_k);
            if (io.nc) {
                io.cur[j] = io_dot(&io, j, m->slots[j]);
                io.cur[best_k] = io_dot(&io, best_k, m->slots[best_k]);
            }
            if (res && res->exchanges && n_swaps < res->max_exchanges) {
                bimt_swap_exchange *e = &res->exchanges[n_swaps];
                e->neuron = (uint32_t)j;
                e->partner = (uint32_t)best_k;
                e->delta = A * best;
            }
            n_swaps++;
        }
    }
    if (res) {
        res->n_swaps = n_swaps;
        res->cost_before = cost_before;
        res->cost_after = n_swaps ? A * bimt__distance_sum(m) : cost_before;
        bimt__out_write(out, res, sizeof *res, "bimt_model_swap: res");
    }

done:
    io_tables_free(&io);
    free(M);
    free(imp);
    free(dj);
    free(order);
    return rc;
}
