/* bimt_trainer_t: the BIMT training loop (rule choice, batch, forward/backward, connection
 * cost, Adam, swaps, periodic evaluation, divergence guard). Checkpoints: checkpoint.c. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bimt/regularizer.h"
#include "bimt/swap.h"
#include "bimt/trainer.h"
#include "model/model_internal.h"
#include "train/optim_internal.h"
#include "task/task_internal.h"
#include "train/trainer_internal.h"

/* Evaluation forwards run on chunks of at least this many trials (Yang: 16 x 32). */
#define EVAL_MIN_CHUNK 32u

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *bimt_arm_name(int32_t arm)
{
    static const char *const names[] = {"bimt", "l1", "none"};
    return arm >= 0 && arm < (int32_t)(sizeof names / sizeof names[0]) ? names[arm] : NULL;
}

const char *bimt_trainer_key_name(int32_t key)
{
    static const char *const names[] = {"learning_rate", "lambda",     "A",
                                        "swap_interval", "swap_top_k", "eval_interval",
                                        "grad_clip",     "easy_train"};
    return key >= 0 && key < (int32_t)(sizeof names / sizeof names[0]) ? names[key] : NULL;
}

void bimt_trainer_params_init(bimt_trainer_params *p)
{
    if (!bimt__struct_init(p, sizeof *p)) return;
    p->arm = BIMT_ARM_BIMT;
    p->batch_size = 64;
    p->learning_rate = 1e-3;
    p->beta1 = 0.9;
    p->beta2 = 0.999;
    p->eps = 1e-8;
    p->grad_clip = 1.0;
    p->lambda = 1e-4;
    p->A = 1.0;
    p->n_schedule = 0;
    p->swap_interval = 200;
    p->swap_top_k = 30;
    p->eval_interval = 500;
    p->eval_batch = 512;
    for (int r = 0; r < BIMT_N_RULES; r++)
        p->rule_weight[r] = 1.0;
    p->recurrent_noise = 1;
    p->seed = 1;
}

int bimt__trainer_params_check(const bimt_trainer_params *p, char *e)
{
    if (!p) return bimt__fail(e, BIMT_E_INVALID_ARG, "trainer params are NULL");
    if (p->struct_size != sizeof(*p))
        return bimt__fail(e, BIMT_E_VERSION,
                          "bimt_trainer_params.struct_size is %u, expected %u "
                          "(call bimt_trainer_params_init)",
                          (unsigned)p->struct_size, (unsigned)sizeof(*p));
    if ((unsigned)p->arm > BIMT_ARM_NONE)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "unknown arm %d", (int)p->arm);
    if (p->batch_size == 0 || p->batch_size > BIMT_MAX_BATCH)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "batch_size must be in 1..%u (got %u)",
                          (unsigned)BIMT_MAX_BATCH, (unsigned)p->batch_size);
    if (!bimt__finite(p->learning_rate) || p->learning_rate <= 0.0)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "learning_rate must be finite and > 0 (got %g)",
                          p->learning_rate);
    if (!(p->beta1 >= 0.0 && p->beta1 < 1.0) || !(p->beta2 >= 0.0 && p->beta2 < 1.0))
        return bimt__fail(e, BIMT_E_INVALID_ARG, "beta1 and beta2 must be in [0, 1) (got %g, %g)",
                          p->beta1, p->beta2);
    if (!bimt__finite(p->eps) || p->eps <= 0.0)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "eps must be finite and > 0 (got %g)", p->eps);
    if (!bimt__finite(p->grad_clip) || p->grad_clip < 0.0)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "grad_clip must be finite and >= 0 (got %g)",
                          p->grad_clip);
    if (!(p->lambda >= 0.0 && p->lambda <= 1e6))
        return bimt__fail(e, BIMT_E_INVALID_ARG, "lambda must be in [0, 1e6] (got %g)", p->lambda);
    if (!(p->A >= 0.0 && p->A <= 1e6))
        return bimt__fail(e, BIMT_E_INVALID_ARG, "A must be in [0, 1e6] (got %g)", p->A);
    if (p->n_schedule > BIMT_MAX_SCHEDULE)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "n_schedule must be at most %d (got %u)",
                          BIMT_MAX_SCHEDULE, (unsigned)p->n_schedule);
    for (uint32_t i = 0; i < p->n_schedule; i++) {
        if (i > 0 && p->schedule_step[i] <= p->schedule_step[i - 1])
            return bimt__fail(e, BIMT_E_INVALID_ARG,
                              "schedule_step must be strictly increasing "
                              "(entry %u: %llu after %llu)",
                              (unsigned)i, (unsigned long long)p->schedule_step[i],
                              (unsigned long long)p->schedule_step[i - 1]);
        if (!(p->schedule_lambda[i] >= 0.0 && p->schedule_lambda[i] <= 1e6))
            return bimt__fail(e, BIMT_E_INVALID_ARG,
                              "schedule_lambda[%u] must be in [0, 1e6] (got %g)", (unsigned)i,
                              p->schedule_lambda[i]);
    }
    if (p->swap_top_k == 0 || p->swap_top_k > BIMT_MAX_HIDDEN)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "swap_top_k must be in 1..%u (got %u)",
                          (unsigned)BIMT_MAX_HIDDEN, (unsigned)p->swap_top_k);
    if (p->eval_interval > 0 && p->eval_batch == 0)
        return bimt__fail(
            e, BIMT_E_INVALID_ARG,
            "eval_batch must be >= 1 when eval_interval > 0 (got 0, eval_interval %u)",
            (unsigned)p->eval_interval);
    if (p->eval_batch > BIMT_MAX_EVAL_TRIALS)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "eval_batch must be at most %u (got %u)",
                          (unsigned)BIMT_MAX_EVAL_TRIALS, (unsigned)p->eval_batch);
    double weight_sum = 0.0;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        if (!bimt__finite(p->rule_weight[r]) || p->rule_weight[r] < 0.0)
            return bimt__fail(e, BIMT_E_INVALID_ARG,
                              "rule_weight[%d] must be finite and >= 0 "
                              "(got %g)",
                              r, p->rule_weight[r]);
        weight_sum += p->rule_weight[r];
    }
    if (!bimt__finite(weight_sum)) /* the rule draw scales a uniform by the sum */
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "the rule weights sum to %g (overflow); only their ratios matter, so "
                          "scale them down",
                          weight_sum);
    if (p->l1_proximal > 1)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "l1_proximal must be 0 or 1 (got %u)",
                          (unsigned)p->l1_proximal);
    if (p->recurrent_noise > 1)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "recurrent_noise must be 0 or 1 (got %u)",
                          (unsigned)p->recurrent_noise);
    if (!(p->l1_h >= 0.0 && p->l1_h <= 1e6) || !(p->l2_h >= 0.0 && p->l2_h <= 1e6))
        return bimt__fail(e, BIMT_E_INVALID_ARG, "l1_h and l2_h must be in [0, 1e6] (got %g, %g)",
                          p->l1_h, p->l2_h);
    if (p->hidden_bias_nonpositive > 1)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "hidden_bias_nonpositive must be 0 or 1 (got %u)",
                          (unsigned)p->hidden_bias_nonpositive);
    return BIMT_OK;
}

/* Sum of the weights of the rules the task enables. */
static double enabled_weight(const bimt_trainer_params *p, const bimt_task_t *task)
{
    double total = 0.0;
    for (int r = 0; r < BIMT_N_RULES; r++)
        if (bimt_task_rule_enabled(task, r)) total += p->rule_weight[r];
    return total;
}

int bimt_trainer_create(bimt_model_t *model, bimt_task_t *task, const bimt_trainer_params *params,
                        bimt_trainer_t **out)
{
    if (!out) return bimt__err(BIMT_E_INVALID_ARG, "bimt_trainer_create: out is NULL");
    *out = NULL;
    if (!model) return bimt__err(BIMT_E_INVALID_ARG, "bimt_trainer_create: model is NULL");
    char *e = model->errmsg; /* the only handle able to carry the message of a failed create */
    if (!task) return bimt__fail(e, BIMT_E_INVALID_ARG, "bimt_trainer_create: task is NULL");
    bimt_trainer_params def;
    bimt_trainer_params_init(&def);
    int rc = bimt__params_in(&def, sizeof def, params, "bimt_trainer_params");
    if (rc) return bimt__fail(e, rc, "%s", bimt_last_error());
    const bimt_trainer_params *p = &def;
    rc = bimt__trainer_params_check(p, e);
    if (rc) return rc;
    if (bimt_model_n_in(model) != bimt_task_n_in(task) ||
        bimt_model_n_out(model) != bimt_task_n_out(task))
        return bimt__fail(
            e, BIMT_E_SHAPE,
            "model n_in %u and n_out %u differ from the task's n_in %u and n_out %u (inputs "
            "and outputs)",
            (unsigned)bimt_model_n_in(model), (unsigned)bimt_model_n_out(model),
            (unsigned)bimt_task_n_in(task), (unsigned)bimt_task_n_out(task));
    bimt_task_params tp;
    tp.struct_size = (uint32_t)sizeof tp;
    bimt_task_get_params(task, &tp);
    if (tp.loss != model->p.loss)
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "model loss (%d) and task loss (%d) differ: the "
                          "targets would not match the outputs",
                          (int)model->p.loss, (int)tp.loss);
    if (!(enabled_weight(p, task) > 0.0))
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "every enabled rule has rule_weight 0: nothing "
                          "to train");

    bimt_trainer_t *tr = calloc(1, sizeof(*tr));
    if (!tr) return bimt__fail(e, BIMT_E_NOMEM, "out of memory");
    tr->p = *p;
    tr->model = model;
    tr->task = task;
    tr->n_params = bimt_model_n_params(model);
    tr->backup = bimt__malloc(tr->n_params, sizeof(float));
    tr->prox_step = bimt__malloc(tr->n_params, sizeof(float));
    rc = tr->backup && tr->prox_step ? BIMT_OK : BIMT_E_NOMEM;
    if (!rc) {
        bimt_adam_options ao;
        bimt_adam_options_init(&ao);
        ao.lr = p->learning_rate;
        ao.beta1 = p->beta1;
        ao.beta2 = p->beta2;
        ao.eps = p->eps;
        ao.grad_clip = p->grad_clip;
        rc = bimt_adam_create(tr->n_params, &ao, &tr->opt);
        if (!rc) rc = bimt_adam_create(tr->n_params, &ao, &tr->opt_backup);
    } else {
        bimt__err(rc, "out of memory for %zu parameters", tr->n_params);
    }
    if (!rc) rc = bimt_task_create(&tp, &tr->eval_task);
    if (rc) {
        bimt_trainer_free(tr);
        return bimt__fail(e, rc, "bimt_trainer_create: %s", bimt_last_error());
    }
    bimt__rng_seed(&tr->rule_rng, p->seed, BIMT_STREAM_RULES);
    bimt__rng_seed(bimt__task_rng(tr->eval_task), p->seed, BIMT_STREAM_EVAL);
    /* A second, distinct evaluation stream for the recurrent noise: the same (seed, stream)
     * pair continued far away would also do; seeding with the complemented seed is simpler. */
    bimt__rng_seed(&tr->eval_noise_rng, ~p->seed, BIMT_STREAM_EVAL);
    tr->eval_step = BIMT_NO_EVAL;
    for (int r = 0; r < BIMT_N_RULES; r++)
        tr->last_eval[r] = -1.0;
    tr->run_t0 = -1.0;
    *out = tr;
    return BIMT_OK;
}

void bimt_trainer_free(bimt_trainer_t *tr)
{
    if (!tr) return;
    bimt_optimizer_free(tr->opt);
    bimt_optimizer_free(tr->opt_backup);
    bimt_task_free(tr->eval_task);
    bimt__free_all((void *[]){tr->backup, tr->prox_step, tr}, 3);
}

const char *bimt_trainer_errmsg(const bimt_trainer_t *tr)
{
    return tr ? tr->errmsg : "NULL trainer handle";
}

int bimt_trainer_get_params(const bimt_trainer_t *tr, bimt_trainer_params *p)
{
    return bimt__params_out(tr ? &tr->p : NULL, p, sizeof *p, "bimt_trainer_get_params", "tr");
}

bimt_model_t *bimt_trainer_model(const bimt_trainer_t *tr)
{
    return tr ? tr->model : NULL;
}
bimt_task_t *bimt_trainer_task(const bimt_trainer_t *tr)
{
    return tr ? tr->task : NULL;
}
const bimt_optimizer_t *bimt_trainer_optimizer(const bimt_trainer_t *tr)
{
    return tr ? tr->opt : NULL;
}
uint64_t bimt_trainer_steps(const bimt_trainer_t *tr)
{
    return tr ? tr->step : 0;
}

double bimt_trainer_lambda_at(const bimt_trainer_t *tr, uint64_t step)
{
    if (!tr || tr->p.arm == BIMT_ARM_NONE) return 0.0;
    if (tr->p.n_schedule == 0) return tr->p.lambda;
    double lam = 0.0;
    for (uint32_t i = 0; i < tr->p.n_schedule && tr->p.schedule_step[i] <= step; i++)
        lam = tr->p.schedule_lambda[i];
    return lam;
}

/* Integral value in [lo, hi]. */
/* What bimt_trainer_set_param() accepts for each key (bimt_trainer_key order): the name in
 * messages, the range [lo, hi] (lo refused when lo_open), whether the value is a whole number
 * (stored as uint32_t), and the field of the params it sets (easy_train lives beside them). */
typedef struct tp_key {
    const char *name;
    double lo, hi;
    uint8_t lo_open, whole;
    size_t off; /* offsetof(bimt_trainer_params, field); SIZE_MAX: tr->easy_train */
} tp_key;

#define TP_NUM(name, lo, open, f)                                                                  \
    {                                                                                              \
        name, lo, INFINITY, open, 0, offsetof(bimt_trainer_params, f)                              \
    }
#define TP_U32(name, lo, hi, f)                                                                    \
    {                                                                                              \
        name, lo, hi, 0, 1, offsetof(bimt_trainer_params, f)                                       \
    }
static const tp_key TP_KEYS[] = {
    TP_NUM("learning_rate", 0.0, 1, learning_rate),
    {"lambda", 0.0, 1e6, 0, 0, offsetof(bimt_trainer_params, lambda)},
    {"A", 0.0, 1e6, 0, 0, offsetof(bimt_trainer_params, A)},
    TP_U32("swap_interval", 0.0, 4294967295.0, swap_interval),
    TP_U32("swap_top_k", 1.0, (double)BIMT_MAX_HIDDEN, swap_top_k),
    TP_U32("eval_interval", 0.0, 4294967295.0, eval_interval),
    TP_NUM("grad_clip", 0.0, 0, grad_clip),
    {"easy_train", 0.0, 1.0, 0, 1, SIZE_MAX},
};

/* BIMT_OK when value is in key k's range, else the message. */
static int tp_check(const tp_key *k, double value, char *e)
{
    int ok = bimt__finite(value) && (k->lo_open ? value > k->lo : value >= k->lo) &&
             value <= k->hi && (!k->whole || value == floor(value));
    if (ok) return BIMT_OK;
    if (!k->whole && k->hi < (double)INFINITY)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "%s must be in [%g, %g] (got %g)", k->name, k->lo,
                          k->hi, value);
    if (!k->whole)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "%s must be finite and %s 0 (got %g)", k->name,
                          k->lo_open ? ">" : ">=", value);
    if (k->hi == 1.0)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "%s must be 0 or 1 (got %g)", k->name, value);
    return bimt__fail(e, BIMT_E_INVALID_ARG, "%s must be an integer in %.0f..%.0f (got %g)",
                      k->name, k->lo, k->hi, value);
}

int bimt_trainer_set_param(bimt_trainer_t *tr, int32_t key, double value)
{
    if (!tr) return bimt__err(BIMT_E_INVALID_ARG, "bimt_trainer_set_param: tr is NULL");
    char *e = tr->errmsg;
    if (key < 0 || key >= (int32_t)(sizeof TP_KEYS / sizeof TP_KEYS[0]))
        return bimt__fail(e, BIMT_E_INVALID_ARG, "unknown trainer key %d", (int)key);
    const tp_key *k = &TP_KEYS[key];
    int rc = tp_check(k, value, e);
    if (rc) return rc;
    /* The keys with more to do than store the value. */
    if (key == BIMT_TP_LEARNING_RATE && bimt_adam_set_lr(tr->opt, value))
        return bimt__fail(e, BIMT_E_INVALID_ARG, "optimizer refused learning rate %g", value);
    if (key == BIMT_TP_GRAD_CLIP && bimt_adam_set_clip(tr->opt, value))
        return bimt__fail(e, BIMT_E_INVALID_ARG, "optimizer refused clip %g", value);
    if (key == BIMT_TP_EVAL_INTERVAL && value > 0.0 && tr->p.eval_batch == 0)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "eval_batch is 0: set it at creation");
    if (key == BIMT_TP_LAMBDA) tr->p.n_schedule = 0;
    if (k->off == SIZE_MAX) {
        tr->easy_train = (uint32_t)value;
    } else {
        char *f = (char *)&tr->p + k->off;
        if (k->whole)
            *(uint32_t *)(void *)f = (uint32_t)value;
        else
            *(double *)(void *)f = value;
    }
    return BIMT_OK;
}

/* ------------------------------------------------------------------ evaluation */

/* Evaluates every enabled rule on n trials from the evaluation streams. The model's noise
 * stream is swapped for the evaluation noise stream around each forward, so no training
 * stream moves. */
static int evaluate(bimt_trainer_t *tr, uint32_t n, double perf[BIMT_N_RULES])
{
    struct bimt_model *m = tr->model;
    uint32_t flags = tr->p.recurrent_noise ? BIMT_FWD_NOISE : 0u;
    uint32_t chunk = tr->p.batch_size > EVAL_MIN_CHUNK ? tr->p.batch_size : EVAL_MIN_CHUNK;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        perf[r] = -1.0;
        if (!bimt_task_rule_enabled(tr->task, r)) continue;
        double correct = 0.0;
        for (uint32_t done = 0; done < n;) {
            uint32_t b = n - done < chunk ? n - done : chunk;
            bimt_batch batch;
            bimt__struct_init(&batch,
                              sizeof batch); /* an output struct: the caller sets its size */
            int rc = bimt_task_sample(tr->eval_task, r, b, &batch);
            if (rc)
                return bimt__fail(tr->errmsg, rc, "evaluation batch of %s: %s", bimt_rule_name(r),
                                  bimt_task_errmsg(tr->eval_task));
            bimt_rng train_noise = m->noise_rng;
            m->noise_rng = tr->eval_noise_rng;
            rc = bimt_model_forward(m, batch.x, batch.n_steps, batch.batch_size, flags);
            tr->eval_noise_rng = m->noise_rng;
            m->noise_rng = train_noise;
            if (rc)
                return bimt__fail(tr->errmsg, rc, "evaluation forward: %s", bimt_model_errmsg(m));
            const float *o;
            double mean = 0.0;
            rc = bimt_model_outputs(m, &o);
            if (!rc) rc = bimt_task_performance(&batch, o, m->p.loss, NULL, &mean);
            if (rc) return bimt__fail(tr->errmsg, rc, "evaluation of %s failed", bimt_rule_name(r));
            correct += mean * (double)b;
            done += b;
        }
        perf[r] = correct / (double)n;
    }
    return BIMT_OK;
}

int bimt_trainer_evaluate(bimt_trainer_t *tr, uint32_t trials_per_rule, double perf[BIMT_N_RULES])
{
    if (!tr) return bimt__err(BIMT_E_INVALID_ARG, "bimt_trainer_evaluate: tr is NULL");
    if (!perf) return bimt__fail(tr->errmsg, BIMT_E_INVALID_ARG, "perf is NULL");
    if (trials_per_rule == 0 || trials_per_rule > BIMT_MAX_EVAL_TRIALS)
        return bimt__fail(tr->errmsg, BIMT_E_INVALID_ARG,
                          "trials_per_rule must be in 1..%u (got %u)",
                          (unsigned)BIMT_MAX_EVAL_TRIALS, (unsigned)trials_per_rule);
    double tmp[BIMT_N_RULES];
    int rc = evaluate(tr, trials_per_rule, tmp);
    if (rc) return rc;
    memcpy(perf, tmp, sizeof tmp);
    memcpy(tr->last_eval, tmp, sizeof tmp);
    tr->last_eval_trials = trials_per_rule;
    tr->eval_step = tr->step;
    return BIMT_OK;
}

int bimt_trainer_last_eval(const bimt_trainer_t *tr, double perf[BIMT_N_RULES])
{
    if (!tr || !perf)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_trainer_last_eval: %s is NULL",
                         !tr ? "tr" : "perf");
    memcpy(perf, tr->last_eval, sizeof tr->last_eval);
    if (tr->eval_step == BIMT_NO_EVAL)
        return bimt__err(BIMT_E_STATE, "bimt_trainer_last_eval: no evaluation yet");
    return BIMT_OK;
}

static void eval_summary(const bimt_trainer_t *tr, double *mean, double *min)
{
    *mean = *min = -1.0;
    if (tr->eval_step == BIMT_NO_EVAL) return;
    double s = 0.0, lo = 2.0;
    int n = 0;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        if (tr->last_eval[r] < 0.0) continue;
        s += tr->last_eval[r];
        if (tr->last_eval[r] < lo) lo = tr->last_eval[r];
        n++;
    }
    if (n) {
        *mean = s / n;
        *min = lo;
    }
}

/* ------------------------------------------------------------------ step */

static int draw_rule(bimt_trainer_t *tr)
{
    double w[BIMT_N_RULES], total = 0.0;
    int last = -1;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        w[r] = bimt_task_rule_enabled(tr->task, r) ? tr->p.rule_weight[r] : 0.0;
        total += w[r];
        if (w[r] > 0.0) last = r;
    }
    double u = bimt__rng_uniform(&tr->rule_rng) * total, cum = 0.0;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        cum += w[r];
        if (w[r] > 0.0 && u < cum) return r;
    }
    return last; /* u rounded up to total */
}

/* x <- min(x, 0): the projection of bimt_trainer_params.hidden_bias_nonpositive (NaN stays
 * NaN for the divergence guard). */
static void clamp_nonpositive(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (x[i] > 0.0f) x[i] = 0.0f;
}

static int all_finite(const float *x, size_t n)
{
    /* Summing is not enough (Inf - Inf); test each value, vectorizable. */
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= isfinite(x[i]) ? 1 : 0;
    return ok;
}

/* What a step changes besides the parameters, the optimizer and the slots: the random streams
 * and the evaluation record. A failed step (out of memory part-way) puts them back, so that a
 * refused step leaves the trainer, its model and task as they were (a repeated call then
 * gives the same step as if nothing had failed). */
typedef struct step_undo {
    bimt_rng rule, noise, eval_noise, task, eval_task;
    double last_eval[BIMT_N_RULES];
    uint64_t eval_step;
    uint32_t last_eval_trials;
} step_undo;

static void undo_save(const bimt_trainer_t *tr, step_undo *u)
{
    u->rule = tr->rule_rng;
    u->noise = tr->model->noise_rng;
    u->eval_noise = tr->eval_noise_rng;
    u->task = *bimt__task_rng(tr->task);
    u->eval_task = *bimt__task_rng(tr->eval_task);
    memcpy(u->last_eval, tr->last_eval, sizeof u->last_eval);
    u->eval_step = tr->eval_step;
    u->last_eval_trials = tr->last_eval_trials;
}

static int undo_restore(bimt_trainer_t *tr, const step_undo *u, int rc)
{
    tr->rule_rng = u->rule;
    tr->model->noise_rng = u->noise;
    tr->eval_noise_rng = u->eval_noise;
    *bimt__task_rng(tr->task) = u->task;
    *bimt__task_rng(tr->eval_task) = u->eval_task;
    memcpy(tr->last_eval, u->last_eval, sizeof u->last_eval);
    tr->eval_step = u->eval_step;
    tr->last_eval_trials = u->last_eval_trials;
    return rc;
}

static int step_once(bimt_trainer_t *tr, bimt_step_info *info);

int bimt_trainer_step(bimt_trainer_t *tr, bimt_step_info *info)
{
    if (!tr) return bimt__err(BIMT_E_INVALID_ARG, "bimt_trainer_step: tr is NULL");
    if (info) {
        int orc = bimt__out_check(info, "bimt_trainer_step: info");
        if (orc) return bimt__fail(tr->errmsg, orc, "%s", bimt_last_error());
    }
    step_undo u;
    undo_save(tr, &u);
    int rc = step_once(tr, info);
    return rc ? undo_restore(tr, &u, rc) : BIMT_OK;
}

static int step_once(bimt_trainer_t *tr, bimt_step_info *info)
{
    struct bimt_model *m = tr->model;
    double t0 = now_s();
    int rc;
    if (tr->p.eval_interval > 0 && tr->step % tr->p.eval_interval == 0 &&
        tr->eval_step != tr->step) {
        double perf[BIMT_N_RULES];
        rc = evaluate(tr, tr->p.eval_batch, perf);
        if (rc) return rc;
        memcpy(tr->last_eval, perf, sizeof perf);
        tr->last_eval_trials = tr->p.eval_batch;
        tr->eval_step = tr->step;
    }
    if (!(enabled_weight(&tr->p, tr->task) > 0.0))
        return bimt__fail(tr->errmsg, BIMT_E_STATE, "every enabled rule has rule_weight 0");
    int rule = draw_rule(tr);
    bimt_batch b;
    bimt__struct_init(&b, sizeof b); /* an output struct: the caller sets its size */
    if (tr->easy_train) {
        uint32_t own = bimt__task_swap_easy(tr->task, 1u);
        rc = bimt_task_sample(tr->task, rule, tr->p.batch_size, &b);
        bimt__task_swap_easy(tr->task, own);
    } else {
        rc = bimt_task_sample(tr->task, rule, tr->p.batch_size, &b);
    }
    if (rc)
        return bimt__fail(tr->errmsg, rc, "sampling %s: %s", bimt_rule_name(rule),
                          bimt_task_errmsg(tr->task));
    rc = bimt_model_forward(m, b.x, b.n_steps, b.batch_size,
                            tr->p.recurrent_noise ? BIMT_FWD_NOISE : 0u);
    if (rc) return bimt__fail(tr->errmsg, rc, "forward: %s", bimt_model_errmsg(m));
    bimt_model_zero_grad(m);
    double loss = 0.0;
    rc = bimt_model_loss(m, b.y, b.mask, &loss);
    if (rc) return bimt__fail(tr->errmsg, rc, "loss: %s", bimt_model_errmsg(m));
    if (!bimt__finite(loss))
        return bimt__fail(tr->errmsg, BIMT_E_NUMERIC,
                          "loss is %g at step %llu (rule %s): "
                          "diverged; parameters left as before the step",
                          loss, (unsigned long long)tr->step, bimt_rule_name(rule));
    double activity = 0.0;
    if (tr->p.l1_h > 0.0 || tr->p.l2_h > 0.0) {
        rc = bimt_model_activity_cost(m, tr->p.l1_h, tr->p.l2_h, &activity);
        if (rc) return bimt__fail(tr->errmsg, rc, "activity cost: %s", bimt_model_errmsg(m));
    }
    rc = bimt_model_backward(m, NULL);
    if (rc) return bimt__fail(tr->errmsg, rc, "backward: %s", bimt_model_errmsg(m));
    double lambda = bimt_trainer_lambda_at(tr, tr->step), cost = 0.0;
    const int use_cost = tr->p.arm != BIMT_ARM_NONE && lambda > 0.0;
    const double A = tr->p.arm == BIMT_ARM_BIMT ? tr->p.A : 0.0;
    if (use_cost) {
        rc = bimt_model_connection_cost(m, lambda, A, !tr->p.l1_proximal, &cost);
        if (rc) return bimt__fail(tr->errmsg, rc, "connection cost: %s", bimt_model_errmsg(m));
    }

    /* Divergence guard: keep the state before the update, restore it on NaN/Inf. */
    size_t n = tr->n_params;
    float *am = NULL, *av = NULL;
    bimt__adam_state(tr->opt, &am, &av, NULL);
    memcpy(tr->backup, m->params, n * sizeof(float));
    bimt__adam_copy_state(tr->opt_backup, tr->opt);
    rc = bimt_adam_step(tr->opt, m->params, m->grad);
    if (rc) return bimt__fail(tr->errmsg, rc, "Adam step failed");
    if (use_cost && tr->p.l1_proximal && all_finite(m->params, n)) {
        rc = bimt_adam_step_sizes(tr->opt, n, tr->prox_step);
        if (!rc) rc = bimt_model_connection_cost_prox(m, lambda, A, tr->prox_step, n, NULL);
        if (rc) return bimt__fail(tr->errmsg, rc, "proximal step: %s", bimt_model_errmsg(m));
    }
    if (tr->p.hidden_bias_nonpositive) /* projection onto b_h <= 0 (NaN is caught below) */
        clamp_nonpositive(bimt__bh(m), m->n_h);
    if (!all_finite(m->params, n) || !all_finite(am, n) || !all_finite(av, n)) {
        memcpy(m->params, tr->backup, n * sizeof(float));
        bimt__adam_copy_state(tr->opt, tr->opt_backup);
        return bimt__fail(tr->errmsg, BIMT_E_NUMERIC,
                          "NaN or Inf in the parameters after the "
                          "update of step %llu (rule %s, loss %g): diverged; model and optimizer "
                          "restored to before the step (lower the learning rate?)",
                          (unsigned long long)tr->step, bimt_rule_name(rule), loss);
    }
    tr->step++;
    tr->trials += tr->p.batch_size;

    uint32_t n_swaps = 0;
    if (tr->p.arm == BIMT_ARM_BIMT && tr->p.swap_interval > 0 &&
        tr->step % tr->p.swap_interval == 0) {
        bimt_swap_params sp;
        bimt_swap_params_init(&sp);
        sp.top_k = tr->p.swap_top_k;
        sp.A = tr->p.A;
        bimt_swap_result res;
        bimt__struct_init(&res, sizeof res);
        rc = bimt_model_swap(m, &sp, &res);
        if (rc) {
            /* The swap left the slots as they were; undo the update too. */
            memcpy(m->params, tr->backup, n * sizeof(float));
            bimt__adam_copy_state(tr->opt, tr->opt_backup);
            tr->step--;
            tr->trials -= tr->p.batch_size;
            return bimt__fail(tr->errmsg, rc, "swap pass: %s; step undone", bimt_model_errmsg(m));
        }
        n_swaps = res.n_swaps;
    }

    if (info) {
        bimt_step_info full;
        memset(&full, 0, sizeof full);
        full.step = tr->step;
        full.trials = tr->trials;
        full.rule = rule;
        full.loss = loss;
        full.cost = cost;
        full.lambda = lambda;
        eval_summary(tr, &full.mean_perf, &full.min_perf);
        double t1 = now_s();
        if (tr->run_t0 >= 0.0)
            full.trials_per_s =
                t1 > tr->run_t0 ? (double)(tr->trials - tr->run_trials0) / (t1 - tr->run_t0) : 0.0;
        else
            full.trials_per_s = t1 > t0 ? (double)tr->p.batch_size / (t1 - t0) : 0.0;
        full.n_swaps = n_swaps;
        full.activity_cost = activity;
        bimt__out_write(info, &full, sizeof full, "bimt_trainer_step: info");
    }
    return BIMT_OK;
}

int bimt_trainer_run(bimt_trainer_t *tr, uint32_t n_steps, bimt_progress_fn cb, void *payload)
{
    if (!tr) return bimt__err(BIMT_E_INVALID_ARG, "bimt_trainer_run: tr is NULL");
    tr->run_t0 = now_s();
    tr->run_trials0 = tr->trials;
    int rc = BIMT_OK;
    for (uint32_t i = 0; i < n_steps; i++) {
        bimt_step_info info; /* the library's own: full size */
        info.struct_size = (uint32_t)sizeof info;
        rc = bimt_trainer_step(tr, &info);
        if (rc) break;
        if (cb && cb(&info, payload)) break;
    }
    tr->run_t0 = -1.0;
    return rc;
}
