/* Forward pass and backpropagation through time of the leaky RNN (bimt_model_forward,
 * bimt_model_backward); the losses live in rnn_loss.c, the element-wise kernels and the noise
 * in rnn_kernels.c, the packed recurrent products in rnn_gemm.c.
 *
 * Layout (time-major rows r = t*B + b; see rnn_internal.h):
 *   forward   D_t  = h_{t-1} W^T + x_t Win^T      packed product per step (h_{-1} = 0)
 *             D_t += xi_t (optional noise); h_t = (1-a) h_{t-1} + a phi(D_t + b_h); D_t <- phi'
 *             O    = H Wout^T + b_o              one BLAS GEMM over all rows
 *   backward  G_{T-1} = dO_{T-1} Wout
 *             for t = T-1 .. 0:  G_t <- a phi'_t G_t (= dL/du_t, in place);
 *                                G_{t-1} = (1-a) G_t(old) + G_t W + dO_{t-1} Wout
 *                                (element-wise store, then one packed product per step)
 *             dW += G[1..]^T H[0..T-2], dWin += G^T X, dWout += dO^T H   (one BLAS GEMM each)
 *             db_h += column sums of G, db_o += column sums of dO
 * The per-step loops run on the model's worker pool, split one of two ways:
 *   rows    threads take blocks of 4 or 6 trials (batch rows) first come, first served, and
 *           run each block through the whole sequence. A trial's recurrence depends on no other
 *           trial, so the loop needs no barrier per step: only one after the weights are
 *           packed (and the noise drawn, panel by panel, for all steps into G, which backward
 *           overwrites), and in backward one before the bias and weight gradients, which are
 *           then taken by column panels;
 *   panels  each thread owns a range of 16-column panels of the hidden layer (its columns of
 *           every product, element-wise pass and noise), with one barrier per step; used when
 *           the batch is too small to give every thread several rows.
 * Every value is computed by the same code in the same order whatever the split and the
 * number of threads (each row of a product sums over k in the same order whichever row tile
 * it falls in; the bias gradient sums over t descending, then b ascending, either way), so
 * results are bit-identical for any thread count and either split. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/bigbuf.h"
#include "model/rnn_gemm.h"
#include "model/rnn_internal.h"
#include "common/vmath.h"

/* Below this many multiply-adds per step the loops run on the calling thread only. */
#define PAR_MIN_WORK ((size_t)1 << 16)

/* The row split needs at least this many trials per thread (below it, row tiles of a few
 * rows waste most of the 6-row micro-kernel and the panel split wins). */
#define ROWS_MIN_PER_THREAD 8

/* ---------------------------------------------------------------- workspace */

static void ws_release_buffers(struct bimt_rnn_ws *ws)
{
    bimt__big_free_all((void *[]){ws->X, ws->Hs, ws->D, ws->G, ws->O, ws->dO, ws->scratch}, 7);
    ws->X = ws->Hs = ws->D = ws->G = ws->O = ws->dO = ws->scratch = NULL;
    ws->cap_rows = ws->cap_b = 0;
}

void bimt__rnn_ws_free(struct bimt_rnn_ws *ws)
{
    if (!ws) return;
    ws_release_buffers(ws);
    bimt__big_free_all(
        (void *[]){ws->Wpk, ws->Wout_t, ws->tn_scratch, ws->lanes, ws->colsum, ws->rowbuf, ws->dR},
        7);
    bimt__pool_free(ws->pool);
    free(ws);
}

static struct bimt_rnn_ws *ws_create(const struct bimt_model *m)
{
    struct bimt_rnn_ws *ws = calloc(1, sizeof(*ws));
    if (!ws) return NULL;
    ws->avx2 = ws->fma = bimt__rnn_cpu_avx2();
    size_t nh = m->n_h, P = bimt__rg_panels(nh);
    size_t k2 = m->n_in > m->n_out ? m->n_in : m->n_out;
    ws->npanels = P;
    ws->Wpk = bimt__big_alloc(P * BIMT_RG_PANEL * (nh + k2), sizeof(float));
    ws->lanes = bimt__big_alloc(P * 32, sizeof(uint64_t));
    ws->colsum = bimt__big_alloc(nh, sizeof(float));
    ws->rowbuf = bimt__big_alloc(m->n_out, sizeof(float));
    ws->Wout_t = bimt__big_alloc(bimt__rg_panels(m->n_out) * BIMT_RG_PANEL * nh, sizeof(float));
    if (!ws->Wpk || !ws->lanes || !ws->colsum || !ws->rowbuf || !ws->Wout_t) {
        bimt__rnn_ws_free(ws);
        return NULL;
    }
    ws->Wpk2 = ws->Wpk + P * BIMT_RG_PANEL * nh;
    int from_env = 0;
    int nt = bimt__pool_default_threads(&from_env);
    if ((size_t)nt > P) nt = (int)P;
    ws->pool = nt > 1 ? bimt__pool_create(nt) : NULL;
    ws->nthreads = ws->pool ? nt : 1;
    ws->adaptive = !from_env;
    bimt__mode_pick_init(&ws->fwd_stats, 256);
    bimt__mode_pick_init(&ws->bwd_stats, 256);
    /* BIMT_RNN_SPLIT=rows|panels forces a split (comparisons, tests); results are the same. */
    const char *split = getenv("BIMT_RNN_SPLIT");
    ws->split = !split                         ? BIMT_SPLIT_AUTO
                : strcmp(split, "rows") == 0   ? BIMT_SPLIT_ROWS
                : strcmp(split, "panels") == 0 ? BIMT_SPLIT_PANELS
                                               : BIMT_SPLIT_AUTO;
    size_t Pi = bimt__rg_panels(m->n_in);
    ws->tn_per = BIMT_RG_KB * BIMT_RG_PANEL * (P > Pi ? P : Pi);
    ws->tn_scratch = bimt__big_alloc((size_t)ws->nthreads * ws->tn_per, sizeof(float));
    if (!ws->tn_scratch) {
        bimt__rnn_ws_free(ws);
        return NULL;
    }
    return ws;
}

/* Makes room for rows = T*B rows and batch B. On failure the buffers are released (the
 * previous results are gone) and BIMT_E_NOMEM is returned. */
static int ws_reserve(struct bimt_model *m, size_t rows, size_t B)
{
    if (!m->ws && !(m->ws = ws_create(m)))
        return bimt__err(BIMT_E_NOMEM, "forward: out of memory for the workspace");
    struct bimt_rnn_ws *ws = m->ws;
    if (rows <= ws->cap_rows && B <= ws->cap_b) return BIMT_OK;
    size_t cr = rows > ws->cap_rows ? rows : ws->cap_rows;
    size_t cb = B > ws->cap_b ? B : ws->cap_b;
    ws_release_buffers(ws);
    ws->have_fwd = ws->have_loss = ws->have_act = 0;
    size_t nh = m->n_h;
    ws->X = bimt__big_alloc(cr, m->n_in * sizeof(float));
    ws->Hs = bimt__big_alloc(cr + cb, nh * sizeof(float));
    ws->D = bimt__big_alloc(cr, nh * sizeof(float));
    /* G also holds the noise of a row-split forward: rows of whole panels */
    ws->G = bimt__big_alloc(cr, ws->npanels * BIMT_RG_PANEL * sizeof(float));
    ws->O = bimt__big_alloc(cr, m->n_out * sizeof(float));
    ws->dO = bimt__big_alloc(cr, m->n_out * sizeof(float));
    /* noise [cb][P*16] + bits [2*cb*8] words, rounded up to 16 floats (64-byte alignment) */
    size_t per = cb * ws->npanels * BIMT_RG_PANEL + 2 * cb * 8;
    per = (per + 15) / 16 * 16;
    ws->scratch_per = per;
    ws->scratch = bimt__big_alloc((size_t)ws->nthreads * per, sizeof(float));
    if (!ws->X || !ws->Hs || !ws->D || !ws->G || !ws->O || !ws->dO || !ws->scratch) {
        ws_release_buffers(ws);
        return bimt__err(BIMT_E_NOMEM, "forward: out of memory for %zu rows x %zu trials", rows, B);
    }
    ws->cap_rows = cr;
    ws->cap_b = cb;
    return BIMT_OK;
}

/* Panels [p0, p1) of thread tid among n. */
static void panel_range(size_t P, int tid, int n, size_t *p0, size_t *p1)
{
    *p0 = P * (size_t)tid / (size_t)n;
    *p1 = P * (size_t)(tid + 1) / (size_t)n;
}

/* The share of thread tid among n of the recurrence's panel split: panels [*p0, *p1) and the
 * hidden columns [*c0, *c1) they cover (the last panel may be partial). */
typedef struct panel_share {
    size_t p0, p1, c0, c1;
} panel_share;

static panel_share panel_share_of(const struct bimt_model *m, int tid, int n)
{
    panel_share s;
    panel_range(m->ws->npanels, tid, n, &s.p0, &s.p1);
    s.c0 = s.p0 * BIMT_RG_PANEL;
    s.c1 = s.p1 * BIMT_RG_PANEL < m->n_h ? s.p1 * BIMT_RG_PANEL : m->n_h;
    return s;
}

/* A job of one of two kinds: `all` runs on every participant (the panel split, which
 * synchronises with barriers), or `item` runs the work items of up to four phases, each
 * item on whichever thread takes it (the row split; see bimt__pool_run_items). */
typedef struct job_exec {
    bimt_pool_fn all;
    bimt_pool_item_fn item;
    void *arg;
    size_t counts[BIMT_POOL_MAX_PHASES];
    unsigned n_phases;
} job_exec;

/* Runs x (a const job_exec *) on pool, or on the calling thread alone when pool is NULL. */
static void exec_job(void *arg, bimt_pool *pool)
{
    const job_exec *x = arg;
    if (x->item)
        bimt__pool_run_items(pool, x->item, x->arg, x->counts, x->n_phases);
    else if (pool)
        bimt__pool_run(pool, x->all, x->arg);
    else
        x->all(x->arg, 0, 1);
}

/* Runs job on the pool when the per-step work is worth it, else on this thread alone.
 * Results are bit-identical either way, so the choice is free: with the default thread count
 * it follows the measured speed per row (see mode_pick.h); BIMT_NUM_THREADS set: always the
 * pool. */
static void run_job(struct bimt_rnn_ws *ws, bimt_mode_pick *st, size_t work, size_t rows,
                    const job_exec *x)
{
    bimt__mode_pick_run(st, work >= PAR_MIN_WORK ? ws->pool : NULL, ws->adaptive, rows, exec_job,
                        (void *)x);
}

/* ---------------------------------------------------------------- forward */

struct fwd_job {
    struct bimt_model *m;
    size_t T, B;
    int noise;
    int rows; /* split by trials (else by panels) */
    float scale;
    int nthreads; /* participants the row split's items are made for */
};

/* Work items of the row split: blocks of trials that threads take first come, first served,
 * so that a thread whose vCPU the hypervisor holds back does fewer and its partner does not
 * wait for it. Items are whole micro-tiles: q6 blocks of 6 trials, then k4 blocks of 4, then
 * the r = B - 6 q6 - 4 k4 < 4 trials left (odd B only). 4-row blocks replace a 2-row tail
 * (a 2-row tile has too few accumulators to keep the FMA units busy) and make the item count
 * a multiple of the thread count where they can, so an undisturbed run is balanced: B = 32 on
 * two threads gives 6,6,6,6,4,4; B = 64 gives 8 x 6 and 4 x 4. */
typedef struct row_items {
    size_t q6, k4, r, count;
} row_items;

static row_items make_row_items(size_t B, int nthreads)
{
    row_items it = {B / 6, 0, B % 6, 0};
    if (it.r == 2 && it.q6 > 0) { /* ... 6 + 2 -> ... 4 + 4 */
        it.q6--;
        it.k4 = 2;
        it.r = 0;
    } else if (it.r >= 4) {
        it.k4 = 1;
        it.r -= 4;
    }
    size_t n = (size_t)nthreads;
    while (n > 1 && (it.q6 + it.k4 + (it.r > 0)) % n != 0 && it.q6 >= 2) {
        it.q6 -= 2; /* 12 trials as 4 + 4 + 4 instead of 6 + 6 */
        it.k4 += 3;
    }
    it.count = it.q6 + it.k4 + (it.r > 0);
    return it;
}

/* Trials [b0, b1) of work item c. */
static void item_rows(const row_items *it, size_t c, size_t *b0, size_t *b1)
{
    if (c < it->q6) {
        *b0 = 6 * c;
        *b1 = *b0 + 6;
    } else if (c < it->q6 + it->k4) {
        *b0 = 6 * it->q6 + 4 * (c - it->q6);
        *b1 = *b0 + 4;
    } else {
        *b0 = 6 * it->q6 + 4 * it->k4;
        *b1 = *b0 + it->r;
    }
}

/* Output projection O = H Wout^T + b_o on `count` rows from row r (of T*B); Wout^T packed. */
static void fwd_outputs(struct bimt_model *m, size_t r, size_t count)
{
    struct bimt_rnn_ws *ws = m->ws;
    const size_t no = m->n_out, nh = m->n_h;
    const float *bo = bimt__bo(m);
    for (size_t i = r; i < r + count; i++)
        memcpy(ws->O + i * no, bo, no * sizeof(float));
    bimt_rg_term hw = {ws->Hs + (ws->B + r) * nh, nh, 1, nh, ws->Wout_t};
    bimt__rg_gemm(ws->fma, 1, count, no, 0, bimt__rg_panels(no), &hw, NULL, ws->O + r * no);
}

/* A forward's packing of panels [p0, p1) of W^T (when T > 1) and Win^T, and, with_out, all
 * of Wout^T (read only after a barrier or phase end). */
static void fwd_pack(struct bimt_model *m, size_t T, size_t p0, size_t p1, int with_out)
{
    struct bimt_rnn_ws *ws = m->ws;
    const size_t nh = m->n_h;
    if (p1 > p0) {
        if (T > 1) bimt__rg_pack_t(bimt__W(m), nh, nh, p0, p1, ws->Wpk);
        bimt__rg_pack_t(bimt__Win(m), nh, m->n_in, p0, p1, ws->Wpk2);
    }
    if (with_out)
        bimt__rg_pack_t(bimt__Wout(m), m->n_out, nh, 0, bimt__rg_panels(m->n_out), ws->Wout_t);
    /* Silenced neurons: nobody reads them (their rows of the packed W^T and Wout^T are 0). */
    for (size_t s = 0; s < m->n_silenced; s++) {
        const size_t k = m->silenced[s];
        for (size_t p = p0; p < p1 && T > 1; p++)
            memset(ws->Wpk + (p * nh + k) * BIMT_RG_PANEL, 0, BIMT_RG_PANEL * sizeof(float));
        for (size_t p = 0; with_out && p < bimt__rg_panels(m->n_out); p++)
            memset(ws->Wout_t + (p * nh + k) * BIMT_RG_PANEL, 0, BIMT_RG_PANEL * sizeof(float));
    }
}

/* After a forward with silenced neurons: their states and derivatives set to 0 (the values
 * computed for them were read by nobody), so states, backward and gradients are those of the
 * silenced network. */
static void zero_silenced(struct bimt_model *m, size_t rows)
{
    struct bimt_rnn_ws *ws = m->ws;
    const size_t nh = m->n_h;
    float *H = ws->Hs + ws->B * nh;
    for (size_t r = 0; r < rows; r++)
        for (size_t s = 0; s < m->n_silenced; s++) {
            H[r * nh + m->silenced[s]] = 0.0f;
            ws->D[r * nh + m->silenced[s]] = 0.0f;
        }
}

/* Panel split: one barrier per step. */
static void fwd_panels(void *arg, int tid, int n)
{
    const struct fwd_job *J = arg;
    struct bimt_model *m = J->m;
    struct bimt_rnn_ws *ws = m->ws;
    const size_t nh = m->n_h, T = J->T, B = J->B, blk = B * nh;
    const panel_share sh = panel_share_of(m, tid, n);
    const size_t p0 = sh.p0, p1 = sh.p1, c0 = sh.c0, c1 = sh.c1;
    const float *bh = bimt__bh(m);
    const float a = (float)m->p.alpha;
    const int act = (int)m->p.activation;
    float *z = NULL;
    uint32_t *bits = NULL;
    const size_t ldz = (p1 - p0) * BIMT_RG_PANEL;
    if (J->noise) {
        z = ws->scratch + (size_t)tid * ws->scratch_per;
        bits = (uint32_t *)(void *)(z + ws->cap_b * ws->npanels * BIMT_RG_PANEL);
    }
    const size_t ni = m->n_in;
    fwd_pack(m, T, p0, p1, tid == 0);
    for (size_t t = 0; t < T; t++) {
        float *Dt = ws->D + t * blk;
        const float *hp = ws->Hs + t * blk;
        float *ht = ws->Hs + (t + 1) * blk;
        bimt_rg_term rec = {hp, nh, 1, t > 0 ? nh : 0, ws->Wpk};
        bimt_rg_term in = {ws->X + t * B * ni, ni, 1, ni, ws->Wpk2};
        bimt__rg_gemm(ws->fma, 0, B, nh, p0, p1, &rec, &in, Dt);
        if (z)
            for (size_t p = p0; p < p1; p++)
                bimt__rnn_noise_panel(ws->avx2, ws->lanes + p * 32, B, J->scale, bits,
                                      z + (p - p0) * BIMT_RG_PANEL, ldz);
        if (c1 > c0)
            bimt__rnn_step(ws->avx2, act, B, c1 - c0, nh, bh + c0, a, Dt + c0, hp + c0, ht + c0, z,
                           ldz);
        bimt__pool_barrier(ws->pool, n);
    }
    /* Output projection, each thread on its share of the rows. */
    const size_t rows = T * B;
    const size_t r0 = rows * (size_t)tid / (size_t)n, r1 = rows * (size_t)(tid + 1) / (size_t)n;
    fwd_outputs(m, r0, r1 - r0); /* Wout^T was packed before the first step's barrier */
}

/* Trials [b0, b1) of a row-split forward through all steps, then their outputs. */
static void fwd_chunk(const void *arg, size_t b0, size_t b1)
{
    const struct fwd_job *J = arg;
    struct bimt_model *m = J->m;
    struct bimt_rnn_ws *ws = m->ws;
    const size_t nh = m->n_h, ni = m->n_in, T = J->T, B = J->B, blk = B * nh, P = ws->npanels;
    const size_t ldn = P * BIMT_RG_PANEL; /* row stride of the noise: whole panels */
    const size_t M = b1 - b0, off = b0 * nh;
    const float *bh = bimt__bh(m);
    const float a = (float)m->p.alpha;
    const int act = (int)m->p.activation;
    for (size_t t = 0; t < T; t++) {
        float *Dt = ws->D + t * blk + off;
        const float *hp = ws->Hs + t * blk + off;
        float *ht = ws->Hs + (t + 1) * blk + off;
        bimt_rg_term rec = {hp, nh, 1, t > 0 ? nh : 0, ws->Wpk};
        bimt_rg_term in = {ws->X + (t * B + b0) * ni, ni, 1, ni, ws->Wpk2};
        bimt__rg_gemm(ws->fma, 0, M, nh, 0, P, &rec, &in, Dt);
        bimt__rnn_step(ws->avx2, act, M, nh, nh, bh, a, Dt, hp, ht,
                       J->noise ? ws->G + (t * B + b0) * ldn : NULL, ldn);
    }
    for (size_t t = 0; t < T; t++)
        fwd_outputs(m, t * B + b0, M);
}

/* Row split, as an elastic job: phase 0 packs the weights and draws the noise of every step
 * (into G), one item per panel (the same draws, panel by panel and step by step, as the
 * panel split makes) and one for Wout^T; phase 1 takes blocks of trials (make_row_items)
 * through all steps and their outputs. */
static void fwd_item(void *arg, unsigned phase, size_t item, int tid)
{
    const struct fwd_job *J = arg;
    struct bimt_model *m = J->m;
    struct bimt_rnn_ws *ws = m->ws;
    const size_t T = J->T, B = J->B, P = ws->npanels;
    if (phase == 1) {
        const row_items it = make_row_items(B, J->nthreads);
        size_t b0, b1;
        item_rows(&it, item, &b0, &b1);
        fwd_chunk(J, b0, b1);
    } else if (item == P) {
        fwd_pack(m, T, 0, 0, 1);
    } else {
        fwd_pack(m, T, item, item + 1, 0);
        if (!J->noise) return;
        uint32_t *bits = (uint32_t *)(void *)(ws->scratch + (size_t)tid * ws->scratch_per);
        for (size_t t = 0; t < T; t++)
            bimt__rnn_noise_panel(ws->avx2, ws->lanes + item * 32, B, J->scale, bits,
                                  ws->G + (t * B * P + item) * BIMT_RG_PANEL, P * BIMT_RG_PANEL);
    }
}

/* Whether the loops of a batch of B trials split by rows (see the top of this file). */
static int use_row_split(const struct bimt_rnn_ws *ws, size_t B)
{
    if (ws->split != BIMT_SPLIT_AUTO) return ws->split == BIMT_SPLIT_ROWS;
    return B >= (size_t)ROWS_MIN_PER_THREAD * (size_t)ws->nthreads;
}

int bimt_model_forward(bimt_model_t *m, const float *x, uint32_t n_steps, uint32_t batch_size,
                       uint32_t flags)
{
    const size_t T = n_steps, B = batch_size;
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_forward: model is NULL");
    if (!x) return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG, "forward: x is NULL");
    if (T == 0 || B == 0)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "forward: n_steps and batch_size must be > 0 (got %zu, %zu)", T, B);
    if (T > BIMT_MAX_STEPS || B > BIMT_MAX_BATCH)
        return bimt__fail(
            m->errmsg, BIMT_E_INVALID_ARG,
            "forward: n_steps (%zu) must be at most %u and batch_size (%zu) at most %u", T,
            (unsigned)BIMT_MAX_STEPS, B, (unsigned)BIMT_MAX_BATCH);
    if (flags & ~(uint32_t)BIMT_FWD_NOISE)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG, "forward: unknown flags 0x%x",
                          (unsigned)flags);
    size_t nh = m->n_h, ni = m->n_in, no = m->n_out;
    size_t widest = nh > ni ? nh : ni;
    if (T > (size_t)INT_MAX / B || T * B + B > (size_t)INT_MAX / widest)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "forward: batch too large (n_steps %zu x batch_size %zu x %zu units "
                          "is above INT_MAX)",
                          T, B, widest);
    size_t rows = T * B;
    if (ws_reserve(m, rows, B) != BIMT_OK)
        return bimt__fail(m->errmsg, BIMT_E_NOMEM, "forward: out of memory for %zu rows", rows);
    struct bimt_rnn_ws *ws = m->ws;
    ws->have_fwd = ws->have_loss = ws->have_act = 0;
    ws->T = T;
    ws->B = B;

    struct fwd_job job = {.m = m,
                          .T = T,
                          .B = B,
                          .noise = (flags & BIMT_FWD_NOISE) && m->p.sigma_rec > 0.0,
                          .rows = use_row_split(ws, B),
                          .scale = (float)(m->p.sigma_rec * sqrt(2.0 / m->p.alpha)),
                          .nthreads = ws->nthreads};
    memcpy(ws->X, x, rows * ni * sizeof(float));
    memset(ws->Hs, 0, B * nh * sizeof(float));
    if (job.noise) bimt__rnn_noise_seed(ws->lanes, ws->npanels, &m->noise_rng);
    job_exec ex = {.all = fwd_panels, .arg = &job};
    if (job.rows) {
        ex.item = fwd_item;
        ex.counts[0] = ws->npanels + 1;
        ex.counts[1] = make_row_items(B, ws->nthreads).count;
        ex.n_phases = 2;
    }
    run_job(ws, &ws->fwd_stats, B * nh * (nh + ni + no), rows, &ex);
    if (m->n_silenced) zero_silenced(m, rows);
    ws->have_fwd = 1;
    return BIMT_OK;
}

int bimt_model_states(const bimt_model_t *m, const float **h)
{
    if (!m || !h)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_states: %s is NULL", !m ? "model" : "h");
    if (!m->ws || !m->ws->have_fwd)
        return bimt__err(BIMT_E_STATE, "bimt_model_states: no forward pass yet");
    *h = m->ws->Hs + m->ws->B * m->n_h;
    return BIMT_OK;
}

int bimt_model_outputs(const bimt_model_t *m, const float **o)
{
    if (!m || !o)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_outputs: %s is NULL",
                         !m ? "model" : "opt");
    if (!m->ws || !m->ws->have_fwd)
        return bimt__err(BIMT_E_STATE, "bimt_model_outputs: no forward pass yet");
    *o = m->ws->O;
    return BIMT_OK;
}

/* ---------------------------------------------------------------- backward */

struct bwd_job {
    struct bimt_model *m;
    const float *dO;
    const float *dR; /* dcost/dh of an activity cost, added to dL/dh before each step; or NULL */
    int rows;        /* split by trials (else by panels) */
    int nthreads;    /* participants the row split's items are made for */
};

/* g[r][j] += d[r][j] for r < rows, j < w (row stride ld): the activity cost's dcost/dh joins
 * dL/dh once that step's products are complete, in either split. */
static void add_block(float *g, const float *d, size_t rows, size_t w, size_t ld)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < w; j++)
            g[r * ld + j] += d[r * ld + j];
}

/* A backward's packing of panels [p0, p1) of W (when T > 1) and Wout. */
static void bwd_pack(struct bimt_model *m, size_t T, size_t p0, size_t p1)
{
    struct bimt_rnn_ws *ws = m->ws;
    if (T > 1) bimt__rg_pack(bimt__W(m), m->n_h, m->n_h, p0, p1, ws->Wpk);
    bimt__rg_pack(bimt__Wout(m), m->n_h, m->n_out, p0, p1, ws->Wpk2);
}

/* Panel split of the recurrence: one barrier per step; the bias gradient is summed on the way. */
static void bwd_panels(const struct bwd_job *J, int tid, int n)
{
    struct bimt_model *m = J->m;
    struct bimt_rnn_ws *ws = m->ws;
    const size_t nh = m->n_h, T = ws->T, B = ws->B, blk = B * nh;
    const panel_share sh = panel_share_of(m, tid, n);
    const size_t p0 = sh.p0, p1 = sh.p1, c0 = sh.c0, c1 = sh.c1;
    const size_t no = m->n_out;
    const float a = (float)m->p.alpha;
    bwd_pack(m, T, p0, p1);
    if (c1 > c0) memset(ws->colsum + c0, 0, (c1 - c0) * sizeof(float));
    bimt_rg_term last = {J->dO + (T - 1) * B * no, no, 1, no, ws->Wpk2};
    bimt__rg_gemm(ws->fma, 0, B, nh, p0, p1, NULL, &last, ws->G + (T - 1) * blk);
    for (size_t t = T; t-- > 0;) {
        float *Gt = ws->G + t * blk;
        float *Gp = t > 0 ? Gt - blk : NULL;
        if (J->dR && c1 > c0) add_block(Gt + c0, J->dR + t * blk + c0, B, c1 - c0, nh);
        if (c1 > c0)
            bimt__rnn_bstep(ws->avx2, B, c1 - c0, nh, a, ws->D + t * blk + c0, Gt + c0,
                            Gp ? Gp + c0 : NULL, ws->colsum + c0);
        bimt__pool_barrier(ws->pool, n); /* dL/du_t complete: every thread reads all of it */
        if (Gp) {
            bimt_rg_term rec = {Gt, nh, 1, nh, ws->Wpk};
            bimt_rg_term out = {J->dO + (t - 1) * B * no, no, 1, no, ws->Wpk2};
            bimt__rg_gemm(ws->fma, 1, B, nh, p0, p1, &rec, &out, Gp);
        }
    }
}

/* Trials [b0, b1) of a row-split backward through all steps. */
static void bwd_chunk(const void *arg, size_t b0, size_t b1)
{
    const struct bwd_job *J = arg;
    struct bimt_model *m = J->m;
    struct bimt_rnn_ws *ws = m->ws;
    const size_t nh = m->n_h, no = m->n_out, T = ws->T, B = ws->B, blk = B * nh, P = ws->npanels;
    const float a = (float)m->p.alpha;
    const size_t M = b1 - b0, off = b0 * nh;
    bimt_rg_term last = {J->dO + ((T - 1) * B + b0) * no, no, 1, no, ws->Wpk2};
    bimt__rg_gemm(ws->fma, 0, M, nh, 0, P, NULL, &last, ws->G + (T - 1) * blk + off);
    for (size_t t = T; t-- > 0;) {
        float *Gt = ws->G + t * blk + off;
        float *Gp = t > 0 ? Gt - blk : NULL;
        if (J->dR) add_block(Gt, J->dR + t * blk + off, M, nh, nh);
        bimt__rnn_bstep(ws->avx2, M, nh, nh, a, ws->D + t * blk + off, Gt, Gp, NULL);
        if (Gp) {
            bimt_rg_term rec = {Gt, nh, 1, nh, ws->Wpk};
            bimt_rg_term out = {J->dO + ((t - 1) * B + b0) * no, no, 1, no, ws->Wpk2};
            bimt__rg_gemm(ws->fma, 1, M, nh, 0, P, &rec, &out, Gp);
        }
    }
}

/* Weight gradients, part `part` of nparts (each a range of panels of the gradients'
 * columns, and of rows of dWin), with the scratch of thread tid:
 * dW += G[1..]^T H[0..T-2], dWin += G^T X, dWout += dO^T H. */
static void bwd_weight_grads(const struct bwd_job *J, size_t part, size_t nparts, int tid)
{
    struct bimt_model *m = J->m;
    struct bimt_rnn_ws *ws = m->ws;
    const size_t nh = m->n_h, no = m->n_out, T = ws->T, B = ws->B, blk = B * nh;
    const size_t rows = T * B, ni = m->n_in;
    const float *H = ws->Hs + blk;
    float *g = m->grad, *sc = ws->tn_scratch + (size_t)tid * ws->tn_per;
    size_t q0, q1;
    panel_range(ws->npanels, (int)part, (int)nparts, &q0, &q1);
    /* dW and dWout share H: one packing of each block of H for both (K = 0 when T = 1) */
    const bimt_rg_tn hp[2] = {{ws->G + blk, nh, nh, rows - B, g + m->off[BIMT_W_REC], nh},
                              {J->dO, no, no, rows, g + m->off[BIMT_W_OUT], nh}};
    bimt__rg_gemm_tn_multi(ws->fma, nh, H, q0, q1, sc, hp, 2);
    /* dWin (n_in columns: few panels, the last one narrow) is split by rows of 6, not panels,
     * to balance the parts; every element gets the same sum either way. */
    const size_t nt6 = (nh + 5) / 6, i0 = 6 * (nt6 * part / nparts);
    const size_t i1 = part == nparts - 1 ? nh : 6 * (nt6 * (part + 1) / nparts);
    if (i1 > i0)
        bimt__rg_gemm_tn(ws->fma, i1 - i0, ni, rows, ws->G + i0, nh, ws->X,
                         g + m->off[BIMT_W_IN] + i0 * ni, ni, 0, bimt__rg_panels(ni), sc);
}

static void bwd_panels_run(void *arg, int tid, int n)
{
    const struct bwd_job *J = arg;
    bwd_panels(J, tid, n);
    bimt__pool_barrier(J->m->ws->pool, n);
    bwd_weight_grads(J, (size_t)tid, (size_t)n, tid);
}

/* Bias-gradient column sums of G over panels [p0, p1), in the panel split's order
 * (t descending, then b ascending), so both splits give the same floats. */
static void bwd_colsum(struct bimt_model *m, size_t p0, size_t p1)
{
    struct bimt_rnn_ws *ws = m->ws;
    const size_t nh = m->n_h, T = ws->T, B = ws->B;
    const size_t c0 = p0 * BIMT_RG_PANEL, c1 = p1 * BIMT_RG_PANEL < nh ? p1 * BIMT_RG_PANEL : nh;
    if (c1 <= c0) return;
    float *cs = ws->colsum + c0;
    const size_t w = c1 - c0;
    memset(cs, 0, w * sizeof(float));
    for (size_t t = T; t-- > 0;)
        for (size_t b = 0; b < B; b++) {
            const float *g = ws->G + (t * B + b) * nh + c0;
            for (size_t j = 0; j < w; j++)
                cs[j] += g[j];
        }
}

/* Row split, as an elastic job: phase 0 packs the weights, one item per panel; phase 1 takes
 * blocks of trials (make_row_items) through all steps; phase 2 has one item per thread, each
 * a share of the bias sums (by column panels) and of the weight gradients. */
static void bwd_item(void *arg, unsigned phase, size_t item, int tid)
{
    const struct bwd_job *J = arg;
    struct bimt_model *m = J->m;
    struct bimt_rnn_ws *ws = m->ws;
    const size_t nparts = (size_t)J->nthreads;
    if (phase == 0) {
        bwd_pack(m, ws->T, item, item + 1);
    } else if (phase == 1) {
        const row_items it = make_row_items(ws->B, J->nthreads);
        size_t b0, b1;
        item_rows(&it, item, &b0, &b1);
        bwd_chunk(J, b0, b1);
    } else {
        size_t p0, p1;
        panel_range(ws->npanels, (int)item, (int)nparts, &p0, &p1);
        bwd_colsum(m, p0, p1);
        bwd_weight_grads(J, item, nparts, tid);
    }
}

int bimt_model_backward(bimt_model_t *m, const float *d_outputs)
{
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_backward: model is NULL");
    struct bimt_rnn_ws *ws = m->ws;
    if (!ws || !ws->have_fwd)
        return bimt__fail(m->errmsg, BIMT_E_STATE, "backward: no forward pass to differentiate");
    if (!d_outputs && !ws->have_loss)
        return bimt__fail(m->errmsg, BIMT_E_STATE,
                          "backward: no d_outputs given and no loss computed since the forward");
    const size_t T = ws->T, B = ws->B, nh = m->n_h, no = m->n_out;
    const size_t rows = T * B;
    const float *dO = d_outputs ? d_outputs : ws->dO;

    struct bwd_job job = {.m = m,
                          .dO = dO,
                          .dR = ws->have_act ? ws->dR : NULL,
                          .rows = use_row_split(ws, B),
                          .nthreads = ws->nthreads};
    job_exec ex = {.all = bwd_panels_run, .arg = &job};
    if (job.rows) {
        ex.item = bwd_item;
        ex.counts[0] = ws->npanels;
        ex.counts[1] = make_row_items(B, ws->nthreads).count;
        ex.counts[2] = (size_t)ws->nthreads;
        ex.n_phases = 3;
    }
    run_job(ws, &ws->bwd_stats, B * nh * (nh + no), rows, &ex);

    float *g = m->grad;
    float *gbh = g + m->off[BIMT_B_H], *gbo = g + m->off[BIMT_B_O];
    for (size_t j = 0; j < nh; j++)
        gbh[j] += ws->colsum[j];
    float *acc = ws->rowbuf; /* [n_out] */
    memset(acc, 0, no * sizeof(float));
    for (size_t r = 0; r < rows; r++) {
        const float *row = dO + r * no;
        for (size_t o = 0; o < no; o++)
            acc[o] += row[o];
    }
    for (size_t o = 0; o < no; o++)
        gbo[o] += acc[o];
    return BIMT_OK;
}
