/* Task variance (spec section 5.1-5.2): for each rule, the test-mode grid, a noise-free
 * forward pass, the population variance across trials at each step of the analysis window,
 * averaged over the window. Trials are forwarded in chunks and the per-step statistics of
 * the chunks are merged exactly (Chan et al.'s pairwise update), so the workspace stays small
 * even for the 500-trial grids. Definitions in docs/analysis.md. */
#include <stdlib.h>
#include <string.h>

#include "bimt/analysis.h"
#include "common.h"
#include "model_internal.h"

/* Trials per forward call. */
#define TV_CHUNK 128u

typedef struct tv_ws {
    double *mean, *m2;   /* [window][n_h] running statistics */
    double *cmean;       /* [n_h] chunk mean at one step */
    float *xc;           /* [T][chunk][n_in] gathered inputs */
    size_t cap_w, cap_x;
} tv_ws;


/* Task variance of one rule into acc [n_h] (double). */
static int rule_variance(struct bimt_model *m, bimt_task_t *task, int rule, tv_ws *w,
                         double *acc)
{
    bimt_batch b;
    int rc = bimt_task_sample_test(task, rule, &b);
    if (rc)
        return bimt__fail(m->errmsg, rc, "test batch of rule %d: %s", rule,
                          bimt_task_errmsg(task));
    const size_t T = b.n_steps, B = b.batch_size, nh = m->n_h, nin = m->n_in;
    if (b.n_in != nin || !b.x || T == 0 || B == 0)
        return bimt__fail(m->errmsg, BIMT_E_SHAPE, "test batch of rule %d has n_in %zu, model "
                          "%zu", rule, b.n_in, nin);
    size_t t0 = b.n_epochs > 0 ? b.epochs[0].end : 0;
    if (t0 >= T)
        return bimt__fail(m->errmsg, BIMT_E_STATE, "test batch of rule %d: empty analysis "
                          "window (first epoch ends at %zu, trial has %zu steps)", rule, t0, T);
    const size_t nw = T - t0;
    if (nw * nh > w->cap_w) {
        free(w->mean);
        free(w->m2);
        w->mean = bimt__malloc(nw * nh, sizeof(double));
        w->m2 = bimt__malloc(nw * nh, sizeof(double));
        w->cap_w = (w->mean && w->m2) ? nw * nh : 0;
        if (!w->cap_w) return bimt__fail(m->errmsg, BIMT_E_NOMEM, "out of memory (task variance)");
    }
    const size_t chunk = B < TV_CHUNK ? B : TV_CHUNK;
    if (B > chunk && T * chunk * nin > w->cap_x) {
        free(w->xc);
        w->xc = bimt__malloc(T * chunk * nin, sizeof(float));
        w->cap_x = w->xc ? T * chunk * nin : 0;
        if (!w->xc) return bimt__fail(m->errmsg, BIMT_E_NOMEM, "out of memory (task variance)");
    }

    for (size_t c0 = 0; c0 < B; c0 += chunk) {
        const size_t nb = B - c0 < chunk ? B - c0 : chunk;
        const float *x = b.x;
        if (nb != B) {
            for (size_t t = 0; t < T; t++)
                memcpy(w->xc + t * nb * nin, b.x + (t * B + c0) * nin, nb * nin * sizeof(float));
            x = w->xc;
        }
        rc = bimt_model_forward(m, x, T, nb, 0);
        if (rc) return rc; /* message set by the forward pass */
        const float *h;
        rc = bimt_model_states(m, &h);
        if (rc) return rc;
        const double na = (double)c0, nbd = (double)nb, ntot = na + nbd;
        for (size_t t = t0; t < T; t++) {
            const float *ht = h + t * nb * nh;
            double *mean = w->mean + (t - t0) * nh, *m2 = w->m2 + (t - t0) * nh;
            double *cm = w->cmean;
            memset(cm, 0, nh * sizeof(double));
            for (size_t i = 0; i < nb; i++)
                for (size_t k = 0; k < nh; k++) cm[k] += (double)ht[i * nh + k];
            for (size_t k = 0; k < nh; k++) cm[k] /= nbd;
            if (c0 == 0) {
                memcpy(mean, cm, nh * sizeof(double));
                memset(m2, 0, nh * sizeof(double));
            } else {
                for (size_t k = 0; k < nh; k++) {
                    double delta = cm[k] - mean[k];
                    m2[k] += delta * delta * na * nbd / ntot;
                    mean[k] += delta * nbd / ntot;
                }
            }
            for (size_t i = 0; i < nb; i++) {
                for (size_t k = 0; k < nh; k++) {
                    double dv = (double)ht[i * nh + k] - cm[k];
                    m2[k] += dv * dv;
                }
            }
        }
    }
    memset(acc, 0, nh * sizeof(double));
    for (size_t t = 0; t < nw; t++)
        for (size_t k = 0; k < nh; k++) acc[k] += w->m2[t * nh + k] / (double)B;
    for (size_t k = 0; k < nh; k++) acc[k] /= (double)nw;
    return BIMT_OK;
}

int bimt_task_variance(bimt_model_t *model, bimt_task_t *task, float *tv)
{
    if (!model) return BIMT_E_INVALID_ARG;
    if (!task || !tv)
        return bimt__fail(model->errmsg, BIMT_E_INVALID_ARG, "bimt_task_variance: %s is NULL",
                          !task ? "task" : "tv");
    if (bimt_task_n_in(task) != model->n_in || bimt_task_n_out(task) != model->n_out)
        return bimt__fail(model->errmsg, BIMT_E_SHAPE, "task has %zu inputs and %zu outputs, "
                          "model %zu and %zu", bimt_task_n_in(task), bimt_task_n_out(task),
                          model->n_in, model->n_out);
    const size_t nh = model->n_h;
    double *acc = bimt__malloc((size_t)BIMT_N_RULES * nh, sizeof(double));
    tv_ws w;
    memset(&w, 0, sizeof w);
    w.cmean = bimt__malloc(nh, sizeof(double));
    int rc = BIMT_OK;
    if (!acc || !w.cmean) {
        rc = bimt__fail(model->errmsg, BIMT_E_NOMEM, "out of memory (task variance)");
        goto done;
    }
    for (int r = 0; r < BIMT_N_RULES; r++) {
        rc = rule_variance(model, task, r, &w, acc + (size_t)r * nh);
        if (rc) goto done;
    }
    for (size_t i = 0; i < (size_t)BIMT_N_RULES * nh; i++) tv[i] = (float)acc[i];
done:
    free(acc);
    free(w.mean);
    free(w.m2);
    free(w.cmean);
    free(w.xc);
    return rc;
}
