/* Task variance (spec section 5.1-5.2): for each rule, the test-mode grid, a noise-free
 * forward pass, the population variance across trials at each step of the analysis window,
 * averaged over the window. Definitions in docs/analysis.md.
 *
 * The states come from the inference-only forward (rnn_states.h), bit-identical to
 * bimt_model_forward's: all trials of a rule run as one batch and each step's statistics are
 * taken while the states are in cache (exact two-pass mean and variance in double per step,
 * each thread on its own columns), so no [T][B][n_h] array is ever stored. The test grids
 * start with steps whose inputs are the same in every trial (fixation and rule input only):
 * those steps run once, on one trial, and all trials continue from its state; their
 * contribution to the variance is exactly zero. */
#include <stdlib.h>
#include <string.h>

#include "bimt/analysis.h"
#include "common.h"
#include "model_internal.h"
#include "rnn_states.h"

typedef struct tv_ws {
    bimt_states_engine *eng;
    double *cm, *m2;     /* [n_h] per-step mean and sum of squared deviations */
    double *acc;         /* [n_h] sum over the window of the per-step variances (one rule) */
    float *h0;           /* [cap_b][n_h] shared state after the common prefix */
    float *xp;           /* [T][n_in] inputs of the common prefix (one trial) */
    size_t cap_b, cap_t;
    size_t t_off, t0;    /* step of the run's first step in the trial; analysis window start */
} tv_ws;

/* Statistics of step t (of the run) on columns [c0, c1): acc += population variance. */
static void tv_visit(void *ctx, size_t t, const float *h, size_t B, size_t ld, size_t c0,
                     size_t c1)
{
    tv_ws *w = ctx;
    if (w->t_off + t < w->t0) return;
    double *cm = w->cm, *m2 = w->m2;
    const double nb = (double)B;
    for (size_t k = c0; k < c1; k++) cm[k] = 0.0, m2[k] = 0.0;
    for (size_t i = 0; i < B; i++) {
        const float *hi = h + i * ld;
        for (size_t k = c0; k < c1; k++) cm[k] += (double)hi[k];
    }
    for (size_t k = c0; k < c1; k++) cm[k] /= nb;
    for (size_t i = 0; i < B; i++) {
        const float *hi = h + i * ld;
        for (size_t k = c0; k < c1; k++) {
            double d = (double)hi[k] - cm[k];
            m2[k] += d * d;
        }
    }
    for (size_t k = c0; k < c1; k++) w->acc[k] += m2[k] / nb;
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
    /* Steps [0, tp) are the same in every trial; from tp on the trials differ. */
    const size_t tp = B > 1 ? common_prefix(b.x, T, B, nin) : 0;
    memset(acc, 0, nh * sizeof(double));
    if (tp < T) {
        if (B > w->cap_b) {
            free(w->h0);
            w->h0 = bimt__malloc(B * nh, sizeof(float));
            w->cap_b = w->h0 ? B : 0;
        }
        if (tp > w->cap_t) {
            free(w->xp);
            w->xp = bimt__malloc(tp * nin, sizeof(float));
            w->cap_t = w->xp ? tp : 0;
        }
        if ((tp > 0 && (!w->h0 || !w->xp)))
            return bimt__fail(m->errmsg, BIMT_E_NOMEM, "out of memory (task variance)");
        if (tp > 0) {
            for (size_t t = 0; t < tp; t++)
                memcpy(w->xp + t * nin, b.x + t * B * nin, nin * sizeof(float));
            bimt_states_run pre = {w->xp, tp, 1, NULL, NULL, w->h0, NULL, NULL};
            rc = bimt__model_forward_states(w->eng, &pre);
            if (rc) return rc; /* message set */
            for (size_t i = 1; i < B; i++) memcpy(w->h0 + i * nh, w->h0, nh * sizeof(float));
        }
        w->acc = acc;
        w->t_off = tp;
        w->t0 = t0;
        bimt_states_run run = {b.x + tp * B * nin, T - tp, B, tp > 0 ? w->h0 : NULL, NULL,
                               NULL, tv_visit, w};
        rc = bimt__model_forward_states(w->eng, &run);
        if (rc) return rc;
    }
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
    w.cm = bimt__malloc(nh, sizeof(double));
    w.m2 = bimt__malloc(nh, sizeof(double));
    int rc = BIMT_OK;
    if (!acc || !w.cm || !w.m2) {
        rc = bimt__fail(model->errmsg, BIMT_E_NOMEM, "out of memory (task variance)");
        goto done;
    }
    rc = bimt__states_engine_create(&w.eng, model, 0);
    if (rc) goto done; /* message set */
    for (int r = 0; r < BIMT_N_RULES; r++) {
        rc = rule_variance(model, task, r, &w, acc + (size_t)r * nh);
        if (rc) goto done;
    }
    for (size_t i = 0; i < (size_t)BIMT_N_RULES * nh; i++) tv[i] = (float)acc[i];
done:
    bimt__states_engine_free(w.eng);
    free(acc);
    free(w.cm);
    free(w.m2);
    free(w.h0);
    free(w.xp);
    return rc;
}
