/* Inference-only forward pass (see rnn_states.h).
 *
 * Per step t, for every block of RB trial rows:  D = h_{t-1} W^T + x_t Win^T (the packed
 * product of rnn_gemm.c, the recurrent term first, skipped at t = 0 from a zero state as in
 * bimt_model_forward), then h_t = (1-a) h_{t-1} + a phi(D + b_h) (the element-wise kernel of
 * rnn_kernels.c; its phi' goes to the scratch D and is not kept). Working on row blocks keeps
 * the rows of h_{t-1} and D being used in cache for large batches.
 *
 * Inputs are often constant over many steps (the epochs of a trial), so the input term is
 * kept: U = x_t Win^T is recomputed for a row block only when its inputs differ from the
 * previous step's, and added by the element-wise kernel (its noise operand, d += z, before
 * the bias). The packed product computes the input term from zero and adds it to the stored
 * recurrent term (rnn_gemm.c: C = rec, then C += in), and float addition is commutative, so
 * D + U is the same float as the public forward's D. The time loop is cut into
 * jobs of about JOB_ROWS rows; each job runs on the engine's pool (each thread owns a range of
 * 16-column panels, one barrier per step) or on the calling thread, by measured speed. */
#include "model/rnn_states.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bigbuf.h"
#include "common/pool.h"
#include "model/rnn_gemm.h"
#include "model/rnn_internal.h"
#include "common/vmath.h"

/* Trial rows per block of the per-step product (a multiple of the 6-row micro-tile). */
#define RB 48
/* Rows (steps x trials) per job: a job lasts a few milliseconds at the reference size. */
#define JOB_ROWS 2048
/* Below this many multiply-adds per step the steps run on the calling thread. */
#define PAR_MIN_WORK ((size_t)1 << 18)
/* Most calls between probes of the mode not in use (see mode_pick.h). */
#define PROBE_MAX 128

struct bimt_states_engine {
    struct bimt_model *m;
    size_t nh, ni, P;
    int avx2, fma;
    bimt_pool *pool; /* NULL: single thread */
    int nthreads;
    int adaptive;
    float *Wpk; /* packed W^T panels, then the Win^T panels (Wpk2) */
    float *Wpk2;
    float *buf; /* D, U and two state blocks, for up to cap_b trials */
    size_t cap_b;
    bimt_mode_pick mode; /* pool or calling thread (see run_job) */
};

void bimt__states_engine_free(bimt_states_engine *e)
{
    if (!e) return;
    bimt__pool_free(e->pool);
    bimt__big_free(e->Wpk);
    bimt__big_free(e->buf);
    free(e);
}

int bimt__states_engine_create(bimt_states_engine **out, struct bimt_model *m, int nthreads)
{
    if (!out || !m)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt__states_engine_create: %s is NULL",
                         !out ? "out" : "model");
    *out = NULL;
    bimt_states_engine *e = calloc(1, sizeof(*e));
    if (!e) return bimt__fail(m->errmsg, BIMT_E_NOMEM, "out of memory (states engine)");
    e->m = m;
    e->nh = m->n_h;
    e->ni = m->n_in;
    e->P = bimt__rg_panels(e->nh);
    e->avx2 = e->fma = bimt__rnn_cpu_avx2(); /* the same kernels as bimt_model_forward */
    int from_env = 1, nt = nthreads;
    if (nt <= 0) nt = bimt__pool_default_threads(&from_env);
    if ((size_t)nt > e->P) nt = (int)e->P;
    e->pool = nt > 1 ? bimt__pool_create(nt) : NULL;
    e->nthreads = e->pool ? nt : 1;
    e->adaptive = !from_env;
    e->Wpk = bimt__big_alloc(e->P * BIMT_RG_PANEL * (e->nh + e->ni), sizeof(float));
    if (!e->Wpk) {
        bimt__states_engine_free(e);
        return bimt__fail(m->errmsg, BIMT_E_NOMEM, "out of memory (states engine)");
    }
    e->Wpk2 = e->Wpk + e->P * BIMT_RG_PANEL * e->nh;
    bimt__rg_pack_t(bimt__W(m), e->nh, e->nh, 0, e->P, e->Wpk);
    bimt__rg_pack_t(bimt__Win(m), e->nh, e->ni, 0, e->P, e->Wpk2);
    bimt__mode_pick_init(&e->mode, PROBE_MAX);
    *out = e;
    return BIMT_OK;
}

/* ---------------------------------------------------------------- one job */

struct seg_job {
    bimt_states_engine *e;
    const bimt_states_run *run;
    size_t t_begin, t_end;
    float *D, *U, *pp; /* recurrent term; input term; two state blocks (pp[1] zero at start) */
};

/* State after step t (t < T) of the run. */
static float *state_at(const struct seg_job *J, size_t t)
{
    const size_t blk = J->run->B * J->e->nh;
    return J->run->hs ? J->run->hs + t * blk : J->pp + (t & 1u) * blk;
}

static void seg_run(void *arg, int tid, int n)
{
    const struct seg_job *J = arg;
    const bimt_states_engine *e = J->e;
    const bimt_states_run *run = J->run;
    const struct bimt_model *m = e->m;
    const size_t nh = e->nh, ni = e->ni, B = run->B, P = e->P;
    const size_t p0 = P * (size_t)tid / (size_t)n, p1 = P * (size_t)(tid + 1) / (size_t)n;
    const size_t c0 = p0 * BIMT_RG_PANEL, c1 = p1 * BIMT_RG_PANEL < nh ? p1 * BIMT_RG_PANEL : nh;
    const float *bh = bimt__bh(m);
    const float a = (float)m->p.alpha;
    const int act = (int)m->p.activation;
    for (size_t t = J->t_begin; t < J->t_end; t++) {
        const float *hp = t > 0 ? state_at(J, t - 1) : run->h0 ? run->h0 : J->pp + B * nh;
        const size_t krec = (t > 0 || run->h0) ? nh : 0;
        float *ht = state_at(J, t);
        const float *xt = run->x + t * B * ni;
        for (size_t r0 = 0; r0 < B; r0 += RB) {
            const size_t rb = B - r0 < RB ? B - r0 : RB;
            bimt_rg_term rec = {hp + r0 * nh, nh, 1, krec, e->Wpk};
            bimt_rg_term in = {xt + r0 * ni, ni, 1, ni, e->Wpk2};
            float *Dr = J->D + r0 * nh, *Ur = J->U + r0 * nh;
            const float *z = NULL;
            if (krec == 0) {
                bimt__rg_gemm(e->fma, 0, rb, nh, p0, p1, NULL, &in, Dr);
            } else {
                /* U is current unless this is its first step or the inputs changed. */
                if (t == 0 || (t == 1 && !run->h0) ||
                    memcmp(xt + r0 * ni, xt - B * ni + r0 * ni, rb * ni * sizeof(float)) != 0)
                    bimt__rg_gemm(e->fma, 0, rb, nh, p0, p1, NULL, &in, Ur);
                bimt__rg_gemm(e->fma, 0, rb, nh, p0, p1, &rec, NULL, Dr);
                z = Ur + c0;
            }
            if (c1 > c0)
                bimt__rnn_step(e->avx2, act, rb, c1 - c0, nh, bh + c0, a, Dr + c0,
                               hp + r0 * nh + c0, ht + r0 * nh + c0, z, nh);
        }
        if (run->visit && c1 > c0) run->visit(run->ctx, t, ht, B, nh, c0, c1);
        bimt__pool_barrier(e->pool, n);
    }
}

/* One job on pool (NULL: the calling thread alone). */
static void seg_exec(void *arg, bimt_pool *pool)
{
    if (pool)
        bimt__pool_run(pool, seg_run, arg);
    else
        seg_run(arg, 0, 1);
}

/* Runs a job on the pool or the calling thread (results are the same either way); adaptive
 * engines choose by measured speed (see mode_pick.h). */
static void run_job(bimt_states_engine *e, struct seg_job *J, size_t work, size_t rows)
{
    bimt__mode_pick_run(&e->mode, work >= PAR_MIN_WORK ? e->pool : NULL, e->adaptive, rows,
                        seg_exec, J);
}

int bimt__model_forward_states(bimt_states_engine *e, const bimt_states_run *run)
{
    if (!e) return bimt__err(BIMT_E_INVALID_ARG, "bimt__model_forward_states: engine is NULL");
    struct bimt_model *m = e->m;
    if (!run || !run->x)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG, "forward_states: %s is NULL",
                          !run ? "run" : "x");
    const size_t T = run->T, B = run->B, nh = e->nh, ni = e->ni;
    if (T == 0 || B == 0)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "forward_states: n_steps and batch_size must be > 0 (got %zu, %zu)", T,
                          B);
    const size_t widest = nh > ni ? nh : ni;
    if (T > (size_t)INT_MAX / B || T * B + B > (size_t)INT_MAX / widest)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "forward_states: batch too large (%zu steps x %zu trials)", T, B);
    if (B > e->cap_b) {
        float *nb = bimt__big_alloc(4 * B * nh, sizeof(float));
        if (!nb)
            return bimt__fail(m->errmsg, BIMT_E_NOMEM,
                              "forward_states: out of memory for %zu trials", B);
        bimt__big_free(e->buf);
        e->buf = nb;
        e->cap_b = B;
    }
    struct seg_job J = {e, run, 0, 0, e->buf, e->buf + B * nh, e->buf + 2 * B * nh};
    if (!run->h0) memset(J.pp + B * nh, 0, B * nh * sizeof(float));
    const size_t work = B * nh * (nh + ni);
    size_t steps = JOB_ROWS / B;
    if (steps == 0) steps = 1;
    for (size_t t = 0; t < T; t += steps) {
        J.t_begin = t;
        J.t_end = T - t < steps ? T : t + steps;
        run_job(e, &J, work, (J.t_end - J.t_begin) * B);
    }
    if (run->h_last) memcpy(run->h_last, state_at(&J, T - 1), B * nh * sizeof(float));
    return BIMT_OK;
}
