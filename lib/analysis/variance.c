/* Task variance (spec section 5.1-5.2): for each rule, the test-mode grid, a noise-free
 * forward pass, the population variance across trials at each step of the analysis window,
 * averaged over the window. Definitions in docs/analysis.md.
 *
 * The states come from the inference-only forward (rnn_states.h), bit-identical to
 * bimt_model_forward's, and each step's statistics are taken while the states are in cache
 * (each thread on its own columns), so no [T][B][n_h] array is ever stored. The grid is
 * walked in slices of TV_SLICE trials (the 500-trial grids would otherwise need 53 MB of
 * inputs and targets at once); per step and neuron a running mean and sum of squared
 * deviations in double are merged slice by slice (Chan, Golub and LeVeque's pairwise
 * update, exact two-pass statistics within a slice). A slice starts with steps whose inputs
 * are the same in every one of its trials (fixation and rule input only): those run once,
 * on one trial, standing for all of them, and the slice continues from that state. */
#include <stdlib.h>
#include <string.h>

#include "bimt/analysis.h"
#include "common/common.h"
#include "model/model_internal.h"
#include "model/rnn_states.h"
#include "task/task_internal.h"

/* Trials per slice of a test grid: the training batch size, so the task's buffers do not
 * grow beyond what training needs. */
#define TV_SLICE 64u

typedef struct tv_ws {
    bimt_states_engine *eng;
    double *cm, *m2;     /* [n_h] mean and sum of squared deviations of one step of a slice */
    double *mean, *msq;  /* [cap_w][n_h] running mean and squared deviations per window step */
    float *h0;           /* [TV_SLICE][n_h] shared state after the common prefix */
    float *xp;           /* [cap_t][n_in] inputs of the common prefix (one trial) */
    size_t cap_t, cap_w; /* capacities of xp (floats) and of mean and msq (doubles each) */
    size_t stride;       /* n_h: distance between rows of mean/msq */
    size_t t_off, t0;    /* step of the run's first step in the trial; analysis window start */
    double n_seen;       /* trials of earlier slices merged into mean/msq */
    double rep;          /* trials each row of the current run stands for */
} tv_ws;

/* Statistics of step t (of the run) on columns [c0, c1), merged into the window row. */
static void tv_visit(void *ctx, size_t t, const float *h, size_t B, size_t ld, size_t c0, size_t c1)
{
    tv_ws *w = ctx;
    const size_t s = w->t_off + t;
    if (s < w->t0) return;
    double *cm = w->cm, *m2 = w->m2;
    const double rows = (double)B;
    for (size_t k = c0; k < c1; k++)
        cm[k] = 0.0, m2[k] = 0.0;
    for (size_t i = 0; i < B; i++) {
        const float *hi = h + i * ld;
        for (size_t k = c0; k < c1; k++)
            cm[k] += (double)hi[k];
    }
    for (size_t k = c0; k < c1; k++)
        cm[k] /= rows;
    for (size_t i = 0; i < B; i++) {
        const float *hi = h + i * ld;
        for (size_t k = c0; k < c1; k++) {
            double d = (double)hi[k] - cm[k];
            m2[k] += d * d;
        }
    }
    /* Merge (n_b = B * rep trials, mean cm, M2 rep * m2) into the running statistics. */
    const double na = w->n_seen, nb = rows * w->rep, n = na + nb;
    double *mean = w->mean + (s - w->t0) * w->stride, *msq = w->msq + (s - w->t0) * w->stride;
    for (size_t k = c0; k < c1; k++) {
        if (na == 0.0) {
            mean[k] = cm[k];
            msq[k] = w->rep * m2[k];
        } else {
            double d = cm[k] - mean[k];
            mean[k] += d * (nb / n);
            msq[k] += w->rep * m2[k] + d * d * (na * nb / n);
        }
    }
}

/* Number of leading steps whose inputs are the same (bit for bit) in every trial. */
static size_t common_prefix(const float *x, size_t T, size_t B, size_t nin)
{
    size_t t = 0;
    for (; t < T; t++) {
        const float *r0 = x + t * B * nin;
        for (size_t i = 1; i < B; i++)
            if (memcmp(r0, r0 + i * nin, nin * sizeof(float)) != 0) return t;
    }
    return t;
}

/* Grows *p to hold n elements of size sz (contents not kept); 0, or -1 with *p unchanged. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap) return 0;
    void *q = bimt__malloc(n, sz);
    if (!q) return -1;
    free(*p);
    *p = q;
    *cap = n;
    return 0;
}

/* Runs one slice of B trials (inputs x [T][B][n_in]) and merges its statistics. */
static int run_slice(struct bimt_model *m, const float *x, size_t T, size_t B, tv_ws *w)
{
    const size_t nh = m->n_h, nin = m->n_in;
    const size_t tp = B > 1 ? common_prefix(x, T, B, nin) : 0;
    if (tp > 0) {
        if (grow((void **)&w->xp, &w->cap_t, tp * nin, sizeof(float)))
            return bimt__fail(m->errmsg, BIMT_E_NOMEM, "out of memory (task variance)");
        for (size_t t = 0; t < tp; t++)
            memcpy(w->xp + t * nin, x + t * B * nin, nin * sizeof(float));
        w->t_off = 0;
        w->rep = (double)B;
        bimt_states_run pre = {w->xp, tp, 1, NULL, NULL, w->h0, tv_visit, w};
        int rc = bimt__model_forward_states(w->eng, &pre);
        if (rc) return rc; /* message set */
        for (size_t i = 1; i < B; i++)
            memcpy(w->h0 + i * nh, w->h0, nh * sizeof(float));
    }
    if (tp < T) {
        w->t_off = tp;
        w->rep = 1.0;
        bimt_states_run run = {x + tp * B * nin, T - tp, B, tp > 0 ? w->h0 : NULL, NULL, NULL,
                               tv_visit,         w};
        int rc = bimt__model_forward_states(w->eng, &run);
        if (rc) return rc;
    }
    w->n_seen += (double)B;
    return BIMT_OK;
}

/* Task variance of one rule into acc [n_h] (double). */
static int rule_variance(struct bimt_model *m, bimt_task_t *task, int rule, tv_ws *w, double *acc)
{
    const size_t nh = m->n_h, nin = m->n_in, G = bimt__test_batch_size(rule);
    size_t nw = 0;
    w->n_seen = 0.0;
    for (size_t b0 = 0; b0 < G; b0 += TV_SLICE) {
        bimt_batch b;
        bimt__struct_init(&b, sizeof b); /* an output struct: the caller sets its size */
        size_t nb = G - b0 < TV_SLICE ? G - b0 : TV_SLICE;
        int rc = bimt__task_sample_test_slice(task, rule, b0, nb, &b);
        if (rc)
            return bimt__fail(m->errmsg, rc, "test batch of rule %d: %s", rule,
                              bimt_task_errmsg(task));
        const size_t T = b.n_steps;
        if (b.n_in != nin || !b.x || T == 0 || b.batch_size != nb)
            return bimt__fail(m->errmsg, BIMT_E_SHAPE,
                              "test batch of rule %d has n_in %u, "
                              "model %zu",
                              rule, (unsigned)b.n_in, nin);
        if (b0 == 0) {
            w->t0 = b.n_epochs > 0 ? b.epochs[0].end : 0;
            if (w->t0 >= T)
                return bimt__fail(m->errmsg, BIMT_E_STATE,
                                  "test batch of rule %d: empty "
                                  "analysis window (first epoch ends at %zu, trial has %zu "
                                  "steps)",
                                  rule, w->t0, T);
            nw = T - w->t0;
            size_t cap = w->cap_w;
            if (grow((void **)&w->mean, &w->cap_w, nw * nh, sizeof(double)) ||
                grow((void **)&w->msq, &cap, nw * nh, sizeof(double)))
                return bimt__fail(m->errmsg, BIMT_E_NOMEM, "out of memory (task variance)");
            w->cap_w = cap;
        }
        rc = run_slice(m, b.x, T, nb, w);
        if (rc) return rc;
    }
    /* Population variance at each window step, averaged over the window. */
    memset(acc, 0, nh * sizeof(double));
    for (size_t s = 0; s < nw; s++)
        for (size_t k = 0; k < nh; k++)
            acc[k] += w->msq[s * nh + k] / w->n_seen;
    for (size_t k = 0; k < nh; k++)
        acc[k] /= (double)nw;
    return BIMT_OK;
}

int bimt_task_variance(bimt_model_t *model, bimt_task_t *task, float *tv)
{
    if (!model) return bimt__err(BIMT_E_INVALID_ARG, "bimt_task_variance: model is NULL");
    if (!task || !tv)
        return bimt__fail(model->errmsg, BIMT_E_INVALID_ARG, "bimt_task_variance: %s is NULL",
                          !task ? "task" : "tv");
    if (bimt_task_n_in(task) != model->n_in || bimt_task_n_out(task) != model->n_out)
        return bimt__fail(model->errmsg, BIMT_E_SHAPE,
                          "bimt_task_variance: task n_in %u and n_out %u differ from the model's "
                          "n_in %zu and n_out %zu",
                          (unsigned)bimt_task_n_in(task), (unsigned)bimt_task_n_out(task),
                          model->n_in, model->n_out);
    const size_t nh = model->n_h;
    double *acc = bimt__malloc((size_t)BIMT_N_RULES * nh, sizeof(double));
    tv_ws w;
    memset(&w, 0, sizeof w);
    w.cm = bimt__malloc(nh, sizeof(double));
    w.m2 = bimt__malloc(nh, sizeof(double));
    w.h0 = bimt__malloc(TV_SLICE * nh, sizeof(float));
    w.stride = nh;
    int rc = BIMT_OK;
    if (!acc || !w.cm || !w.m2 || !w.h0) {
        rc = bimt__fail(model->errmsg, BIMT_E_NOMEM, "out of memory (task variance)");
        goto done;
    }
    rc = bimt__states_engine_create(&w.eng, model, 0);
    if (rc) goto done; /* message set */
    for (int r = 0; r < BIMT_N_RULES; r++) {
        rc = rule_variance(model, task, r, &w, acc + (size_t)r * nh);
        if (rc) goto done;
    }
    for (size_t i = 0; i < (size_t)BIMT_N_RULES * nh; i++)
        tv[i] = (float)acc[i];
done:
    bimt__states_engine_free(w.eng);
    free(acc);
    free(w.cm);
    free(w.m2);
    free(w.h0);
    free(w.xp);
    free(w.mean);
    free(w.msq);
    return rc;
}
