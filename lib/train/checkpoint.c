/* Checkpoints: one .npz holding everything a bit-identical resume needs (parameters, slots,
 * Adam state, counters, every random stream) plus every hyperparameter of the model, task
 * and trainer. Member list and meaning: docs/checkpoint-format.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/trainer.h"
#include "io/json_write.h"
#include "model/model_internal.h"
#include "io/npz.h"
#include "train/optim_internal.h"
#include "task/task_internal.h"
#include "train/trainer_internal.h"

/* Largest checkpoint the loader reads (the 256 x 256 grid with the default rings is ~51 GB
 * of W_rec alone, so any real checkpoint is far below). */
#define CHECKPOINT_MAX_BYTES ((size_t)2 << 30)

static const char *const arm_names[3] = {"bimt", "l1", "none"};

/* ------------------------------------------------------------------ save */

/* Human-readable summary on one line (informational; the typed members are authoritative). */
static void metadata_json(const bimt_trainer_t *tr, const bimt_model_params *mp,
                          const bimt_task_params *tp, bimt__json *j)
{
    bimt__json_open(j, NULL, '{', 1);
    bimt__json_str(j, "format", "libbimt-checkpoint");
    bimt__json_uint(j, "format_version", BIMT_CHECKPOINT_FORMAT);
    bimt__json_str(j, "library_version", bimt_version_string());
    bimt__json_str(j, "arm", arm_names[tr->p.arm]);
    bimt__json_uint(j, "step", tr->step);
    bimt__json_uint(j, "trials", tr->trials);
    bimt__json_uint(j, "grid_side", mp->grid_side);
    bimt__json_uint(j, "n_in", mp->n_in);
    bimt__json_uint(j, "n_out", mp->n_out);
    bimt__json_uint(j, "n_params", tr->n_params);
    bimt__json_num17(j, "lambda", bimt_trainer_lambda_at(tr, tr->step));
    bimt__json_num17(j, "A", tr->p.A);
    bimt__json_num17(j, "learning_rate", tr->p.learning_rate);
    bimt__json_open(j, "rules", '[', 1);
    for (int r = 0; r < BIMT_N_RULES; r++)
        if (tp->rule_mask == 0 || (tp->rule_mask >> r) & 1u)
            bimt__json_str(j, NULL, bimt_rule_name(r));
    bimt__json_close(j, ']');
    bimt__json_open(j, "last_eval", '{', 1);
    for (int r = 0; r < BIMT_N_RULES && tr->eval_step != BIMT_NO_EVAL; r++)
        if (tr->last_eval[r] >= 0.0) bimt__json_num17(j, bimt_rule_name(r), tr->last_eval[r]);
    bimt__json_close(j, '}');
    bimt__json_close(j, '}');
}

#define SCALAR(name, dt, ptr) bimt__npz_write(w, name, dt, 0, NULL, ptr)

static void write_rng(bimt_npz_writer *w, const char *name, const bimt_rng *r)
{
    uint64_t words[BIMT_RNG_WORDS];
    size_t n = BIMT_RNG_WORDS;
    bimt__rng_pack(r, words);
    bimt__npz_write(w, name, BIMT_NPZ_U8, 1, &n, words);
}

int bimt_trainer_save(const bimt_trainer_t *tr, const char *path)
{
    if (!tr) return BIMT_E_INVALID_ARG;
    char *e = ((bimt_trainer_t *)tr)->errmsg; /* the message is the only thing a save changes */
    if (!path || !*path)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "checkpoint path is NULL or empty");
    const struct bimt_model *m = tr->model;
    bimt_model_params mp = m->p;
    bimt_task_params tp;
    bimt_task_get_params(tr->task, &tp);
    float *am = NULL, *av = NULL;
    uint64_t at = 0;
    bimt__adam_state(tr->opt, &am, &av, &at);

    bimt__json meta;
    bimt__json_init(&meta);
    metadata_json(tr, &mp, &tp, &meta);
    if (!bimt__buf_ok(&meta.b)) {
        bimt__buf_free(&meta.b);
        return bimt__fail(e, BIMT_E_NOMEM, "out of memory (checkpoint metadata)");
    }

    bimt_npz_writer *w;
    int rc = bimt__npz_writer_open(&w, path, e, BIMT_ERRMSG_LEN);
    if (rc) {
        bimt__buf_free(&meta.b);
        return rc;
    }
    uint32_t u;
    int32_t i;
    uint64_t q;
    u = BIMT_CHECKPOINT_FORMAT;
    SCALAR("format_version", BIMT_NPZ_U4, &u);
    u = bimt_version();
    SCALAR("library_version", BIMT_NPZ_U4, &u);
    bimt__npz_write_text(w, "metadata", meta.b.data);
    bimt__buf_free(&meta.b);

    /* model */
    SCALAR("model.grid_side", BIMT_NPZ_U4, &mp.grid_side);
    SCALAR("model.n_in", BIMT_NPZ_U4, &mp.n_in);
    SCALAR("model.n_out", BIMT_NPZ_U4, &mp.n_out);
    i = (int32_t)mp.activation;
    SCALAR("model.activation", BIMT_NPZ_I4, &i);
    SCALAR("model.alpha", BIMT_NPZ_F8, &mp.alpha);
    SCALAR("model.sigma_rec", BIMT_NPZ_F8, &mp.sigma_rec);
    i = (int32_t)mp.init;
    SCALAR("model.init", BIMT_NPZ_I4, &i);
    SCALAR("model.init_scale", BIMT_NPZ_F8, &mp.init_scale);
    i = (int32_t)mp.loss;
    SCALAR("model.loss", BIMT_NPZ_I4, &i);
    SCALAR("model.seed", BIMT_NPZ_U8, &mp.seed);
    SCALAR("model.io_layout", BIMT_NPZ_U4, &mp.io_layout);
    size_t np_ = tr->n_params, nh = m->n_h;
    bimt__npz_write(w, "model.params", BIMT_NPZ_F4, 1, &np_, m->params);
    bimt__npz_write(w, "model.slots", BIMT_NPZ_U4, 1, &nh, m->slots);
    write_rng(w, "model.noise_rng", &m->noise_rng);

    /* task */
    SCALAR("task.n_eachring", BIMT_NPZ_U4, &tp.n_eachring);
    SCALAR("task.dt_ms", BIMT_NPZ_F8, &tp.dt_ms);
    SCALAR("task.tau_ms", BIMT_NPZ_F8, &tp.tau_ms);
    SCALAR("task.sigma_x", BIMT_NPZ_F8, &tp.sigma_x);
    SCALAR("task.rule_mask", BIMT_NPZ_U4, &tp.rule_mask);
    i = (int32_t)tp.loss;
    SCALAR("task.loss", BIMT_NPZ_I4, &i);
    SCALAR("task.input_noise", BIMT_NPZ_U4, &tp.input_noise);
    SCALAR("task.easy_task", BIMT_NPZ_U4, &tp.easy_task);
    SCALAR("task.seed", BIMT_NPZ_U8, &tp.seed);
    write_rng(w, "task.rng", bimt__task_rng(tr->task));

    /* trainer hyperparameters */
    const bimt_trainer_params *p = &tr->p;
    size_t nsched = BIMT_MAX_SCHEDULE, nrules = BIMT_N_RULES;
    i = (int32_t)p->arm;
    SCALAR("trainer.arm", BIMT_NPZ_I4, &i);
    SCALAR("trainer.batch_size", BIMT_NPZ_U4, &p->batch_size);
    SCALAR("trainer.learning_rate", BIMT_NPZ_F8, &p->learning_rate);
    SCALAR("trainer.beta1", BIMT_NPZ_F8, &p->beta1);
    SCALAR("trainer.beta2", BIMT_NPZ_F8, &p->beta2);
    SCALAR("trainer.eps", BIMT_NPZ_F8, &p->eps);
    SCALAR("trainer.grad_clip", BIMT_NPZ_F8, &p->grad_clip);
    SCALAR("trainer.lambda", BIMT_NPZ_F8, &p->lambda);
    SCALAR("trainer.A", BIMT_NPZ_F8, &p->A);
    SCALAR("trainer.n_schedule", BIMT_NPZ_U4, &p->n_schedule);
    bimt__npz_write(w, "trainer.schedule_step", BIMT_NPZ_U8, 1, &nsched, p->schedule_step);
    bimt__npz_write(w, "trainer.schedule_lambda", BIMT_NPZ_F8, 1, &nsched, p->schedule_lambda);
    SCALAR("trainer.swap_interval", BIMT_NPZ_U4, &p->swap_interval);
    SCALAR("trainer.swap_top_k", BIMT_NPZ_U4, &p->swap_top_k);
    SCALAR("trainer.eval_interval", BIMT_NPZ_U4, &p->eval_interval);
    SCALAR("trainer.eval_batch", BIMT_NPZ_U4, &p->eval_batch);
    bimt__npz_write(w, "trainer.rule_weight", BIMT_NPZ_F8, 1, &nrules, p->rule_weight);
    SCALAR("trainer.recurrent_noise", BIMT_NPZ_U4, &p->recurrent_noise);
    SCALAR("trainer.seed", BIMT_NPZ_U8, &p->seed);
    SCALAR("trainer.l1_proximal", BIMT_NPZ_U4, &p->l1_proximal);

    /* trainer state */
    SCALAR("trainer.step", BIMT_NPZ_U8, &tr->step);
    SCALAR("trainer.trials", BIMT_NPZ_U8, &tr->trials);
    SCALAR("trainer.easy_train", BIMT_NPZ_U4, &tr->easy_train);
    SCALAR("trainer.last_eval_trials", BIMT_NPZ_U4, &tr->last_eval_trials);
    write_rng(w, "trainer.rule_rng", &tr->rule_rng);
    write_rng(w, "trainer.eval_task_rng", bimt__task_rng(tr->eval_task));
    write_rng(w, "trainer.eval_noise_rng", &tr->eval_noise_rng);
    q = tr->eval_step;
    SCALAR("trainer.eval_step", BIMT_NPZ_U8, &q);
    bimt__npz_write(w, "trainer.last_eval", BIMT_NPZ_F8, 1, &nrules, tr->last_eval);

    /* optimizer */
    bimt__npz_write(w, "adam.m", BIMT_NPZ_F4, 1, &np_, am);
    bimt__npz_write(w, "adam.v", BIMT_NPZ_F4, 1, &np_, av);
    SCALAR("adam.step", BIMT_NPZ_U8, &at);
    return bimt__npz_writer_commit(w); /* also reports (and cleans up after) any error above */
}

/* ------------------------------------------------------------------ load */

typedef struct loader {
    const bimt_npz *z;
    char *err;
    size_t errlen;
    int rc; /* first failure */
} loader;

/* Reads a scalar or fixed-shape member; sticky failure. */
static void get(loader *L, const char *name, bimt_npz_dtype dt, size_t n, void *dst)
{
    if (L->rc) return;
    L->rc = bimt__npz_get(L->z, name, dt, n ? 1 : 0, n ? &n : NULL, dst, L->err, L->errlen);
}

static int get_enum(loader *L, const char *name)
{
    int32_t v = -1;
    get(L, name, BIMT_NPZ_I4, 0, &v);
    return (int)v;
}

static void get_rng(loader *L, const char *name, bimt_rng *r)
{
    uint64_t w[BIMT_RNG_WORDS] = {0};
    get(L, name, BIMT_NPZ_U8, BIMT_RNG_WORDS, w);
    if (L->rc) return;
    double spare;
    memcpy(&spare, &w[4], sizeof spare);
    if ((w[0] | w[1] | w[2] | w[3]) == 0 || w[5] > 1 || !isfinite(spare)) {
        L->rc = bimt__failn(L->err, L->errlen, BIMT_E_FORMAT,
                            "member '%s' is not a valid "
                            "generator state",
                            name);
        return;
    }
    bimt__rng_unpack(r, w);
}

/* A member of n elements copied into a new buffer of the given element size (shape checked
 * before allocating, so a corrupt header cannot request a huge buffer). */
static void *get_vec(loader *L, const char *name, bimt_npz_dtype dt, size_t n)
{
    if (L->rc) return NULL;
    const bimt_npz_array *a = bimt__npz_find(L->z, name);
    if (a && a->dtype == dt && a->ndim == 1 && a->shape[0] == n) {
        void *buf = bimt__malloc(n, bimt__npz_dtype_size(dt));
        if (!buf) {
            L->rc = bimt__failn(L->err, L->errlen, BIMT_E_NOMEM, "out of memory for '%s'", name);
            return NULL;
        }
        bimt__npz_array_copy(a, buf);
        return buf;
    }
    L->rc = bimt__npz_get(L->z, name, dt, 1, &n, NULL, L->err, L->errlen); /* the message */
    return NULL;
}

static int check_finite(loader *L, const char *name, const float *x, size_t n, int nonneg)
{
    if (L->rc) return L->rc;
    for (size_t k = 0; k < n; k++)
        if (!isfinite(x[k]) || (nonneg && x[k] < 0.0f))
            return L->rc = bimt__failn(L->err, L->errlen, BIMT_E_FORMAT,
                                       "member '%s': element "
                                       "%zu is %s",
                                       name, k, isfinite(x[k]) ? "negative" : "NaN or Inf");
    return BIMT_OK;
}

static int load_npz(const bimt_npz *z, bimt_model_t **model_out, bimt_task_t **task_out,
                    bimt_trainer_t **tr_out, char *err, size_t errlen)
{
    loader L = {z, err, errlen, BIMT_OK};
    char msg[BIMT_ERRMSG_LEN];
    if (!bimt__npz_find(z, "format_version"))
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "not a libbimt checkpoint (no "
                           "format_version member)");
    uint32_t fmt = 0, libver = 0;
    get(&L, "format_version", BIMT_NPZ_U4, 0, &fmt);
    get(&L, "library_version", BIMT_NPZ_U4, 0, &libver);
    if (L.rc) return L.rc;
    if (fmt > BIMT_CHECKPOINT_FORMAT)
        return bimt__failn(err, errlen, BIMT_E_VERSION,
                           "checkpoint format %u (written by libbimt "
                           "%u.%u.%u) is newer than format %u of this libbimt %s; upgrade libbimt",
                           (unsigned)fmt, (unsigned)(libver / 10000),
                           (unsigned)(libver / 100 % 100), (unsigned)(libver % 100),
                           BIMT_CHECKPOINT_FORMAT, bimt_version_string());
    if (fmt == 0)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "checkpoint format version 0 is invalid");

    /* Hyperparameters. */
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    get(&L, "model.grid_side", BIMT_NPZ_U4, 0, &mp.grid_side);
    get(&L, "model.n_in", BIMT_NPZ_U4, 0, &mp.n_in);
    get(&L, "model.n_out", BIMT_NPZ_U4, 0, &mp.n_out);
    mp.activation = (bimt_activation)get_enum(&L, "model.activation");
    get(&L, "model.alpha", BIMT_NPZ_F8, 0, &mp.alpha);
    get(&L, "model.sigma_rec", BIMT_NPZ_F8, 0, &mp.sigma_rec);
    mp.init = (bimt_init)get_enum(&L, "model.init");
    get(&L, "model.init_scale", BIMT_NPZ_F8, 0, &mp.init_scale);
    mp.loss = (bimt_loss)get_enum(&L, "model.loss");
    get(&L, "model.seed", BIMT_NPZ_U8, 0, &mp.seed);
    if (bimt__npz_find(L.z, "model.io_layout")) /* absent in files before 0.2: none */
        get(&L, "model.io_layout", BIMT_NPZ_U4, 0, &mp.io_layout);

    bimt_task_params tp;
    bimt_task_params_init(&tp);
    get(&L, "task.n_eachring", BIMT_NPZ_U4, 0, &tp.n_eachring);
    get(&L, "task.dt_ms", BIMT_NPZ_F8, 0, &tp.dt_ms);
    get(&L, "task.tau_ms", BIMT_NPZ_F8, 0, &tp.tau_ms);
    get(&L, "task.sigma_x", BIMT_NPZ_F8, 0, &tp.sigma_x);
    get(&L, "task.rule_mask", BIMT_NPZ_U4, 0, &tp.rule_mask);
    tp.loss = (bimt_loss)get_enum(&L, "task.loss");
    get(&L, "task.input_noise", BIMT_NPZ_U4, 0, &tp.input_noise);
    get(&L, "task.easy_task", BIMT_NPZ_U4, 0, &tp.easy_task);
    get(&L, "task.seed", BIMT_NPZ_U8, 0, &tp.seed);

    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.arm = (bimt_arm)get_enum(&L, "trainer.arm");
    get(&L, "trainer.batch_size", BIMT_NPZ_U4, 0, &p.batch_size);
    get(&L, "trainer.learning_rate", BIMT_NPZ_F8, 0, &p.learning_rate);
    get(&L, "trainer.beta1", BIMT_NPZ_F8, 0, &p.beta1);
    get(&L, "trainer.beta2", BIMT_NPZ_F8, 0, &p.beta2);
    get(&L, "trainer.eps", BIMT_NPZ_F8, 0, &p.eps);
    get(&L, "trainer.grad_clip", BIMT_NPZ_F8, 0, &p.grad_clip);
    get(&L, "trainer.lambda", BIMT_NPZ_F8, 0, &p.lambda);
    get(&L, "trainer.A", BIMT_NPZ_F8, 0, &p.A);
    get(&L, "trainer.n_schedule", BIMT_NPZ_U4, 0, &p.n_schedule);
    get(&L, "trainer.schedule_step", BIMT_NPZ_U8, BIMT_MAX_SCHEDULE, p.schedule_step);
    get(&L, "trainer.schedule_lambda", BIMT_NPZ_F8, BIMT_MAX_SCHEDULE, p.schedule_lambda);
    get(&L, "trainer.swap_interval", BIMT_NPZ_U4, 0, &p.swap_interval);
    get(&L, "trainer.swap_top_k", BIMT_NPZ_U4, 0, &p.swap_top_k);
    get(&L, "trainer.eval_interval", BIMT_NPZ_U4, 0, &p.eval_interval);
    get(&L, "trainer.eval_batch", BIMT_NPZ_U4, 0, &p.eval_batch);
    get(&L, "trainer.rule_weight", BIMT_NPZ_F8, BIMT_N_RULES, p.rule_weight);
    get(&L, "trainer.recurrent_noise", BIMT_NPZ_U4, 0, &p.recurrent_noise);
    get(&L, "trainer.seed", BIMT_NPZ_U8, 0, &p.seed);
    if (bimt__npz_find(L.z, "trainer.l1_proximal")) /* absent in files before 0.2: 0 */
        get(&L, "trainer.l1_proximal", BIMT_NPZ_U4, 0, &p.l1_proximal);
    if (L.rc) return L.rc;

    if (bimt__model_params_check(&mp, msg))
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "checkpoint model parameters are invalid: "
                           "%s",
                           msg);
    if (bimt__trainer_params_check(&p, msg))
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "checkpoint trainer parameters are "
                           "invalid: %s",
                           msg);
    if (tp.n_eachring < 4 || tp.n_eachring > 1024 ||
        mp.n_in != 1u + 2u * tp.n_eachring + BIMT_N_RULES || mp.n_out != 1u + tp.n_eachring)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "checkpoint sizes disagree: model %u "
                           "inputs, %u outputs; task %u units per ring",
                           (unsigned)mp.n_in, (unsigned)mp.n_out, (unsigned)tp.n_eachring);
    if (mp.loss != tp.loss)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "checkpoint model and task losses differ");

    /* State. */
    size_t nh = (size_t)mp.grid_side * mp.grid_side;
    size_t np_ = nh * nh + nh * mp.n_in + (size_t)mp.n_out * nh + nh + mp.n_out;
    bimt_rng model_noise, task_rng, rule_rng, eval_task_rng, eval_noise_rng;
    uint64_t step = 0, trials = 0, eval_step = 0, adam_t = 0;
    double last_eval[BIMT_N_RULES];
    get_rng(&L, "model.noise_rng", &model_noise);
    get_rng(&L, "task.rng", &task_rng);
    get_rng(&L, "trainer.rule_rng", &rule_rng);
    get_rng(&L, "trainer.eval_task_rng", &eval_task_rng);
    get_rng(&L, "trainer.eval_noise_rng", &eval_noise_rng);
    get(&L, "trainer.step", BIMT_NPZ_U8, 0, &step);
    get(&L, "trainer.trials", BIMT_NPZ_U8, 0, &trials);
    get(&L, "trainer.eval_step", BIMT_NPZ_U8, 0, &eval_step);
    uint32_t easy_train = 0; /* optional: older files have no curriculum flag */
    if (bimt__npz_find(L.z, "trainer.easy_train"))
        get(&L, "trainer.easy_train", BIMT_NPZ_U4, 0, &easy_train);
    /* optional too: older files mean eval_batch trials behind last_eval (set below) */
    uint32_t last_eval_trials = UINT32_MAX;
    if (bimt__npz_find(L.z, "trainer.last_eval_trials"))
        get(&L, "trainer.last_eval_trials", BIMT_NPZ_U4, 0, &last_eval_trials);
    if (!L.rc && easy_train > 1)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "trainer.easy_train is %u, not 0 or 1",
                           (unsigned)easy_train);
    get(&L, "trainer.last_eval", BIMT_NPZ_F8, BIMT_N_RULES, last_eval);
    get(&L, "adam.step", BIMT_NPZ_U8, 0, &adam_t);
    if (L.rc) return L.rc;
    if (eval_step != BIMT_NO_EVAL && eval_step > step)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "trainer.eval_step %llu is after "
                           "trainer.step %llu",
                           (unsigned long long)eval_step, (unsigned long long)step);
    for (int r = 0; r < BIMT_N_RULES; r++)
        if (!(last_eval[r] == -1.0 || (last_eval[r] >= 0.0 && last_eval[r] <= 1.0)))
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "trainer.last_eval[%d] = %g is not a "
                               "fraction or -1",
                               r, last_eval[r]);
    if (adam_t > step)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "adam.step %llu exceeds trainer.step %llu",
                           (unsigned long long)adam_t, (unsigned long long)step);

    float *params = get_vec(&L, "model.params", BIMT_NPZ_F4, np_);
    uint32_t *slots = get_vec(&L, "model.slots", BIMT_NPZ_U4, nh);
    float *am = get_vec(&L, "adam.m", BIMT_NPZ_F4, np_);
    float *av = get_vec(&L, "adam.v", BIMT_NPZ_F4, np_);
    check_finite(&L, "model.params", params, np_, 0);
    check_finite(&L, "adam.m", am, np_, 0);
    check_finite(&L, "adam.v", av, np_, 1);
    bimt_model_t *model = NULL;
    bimt_task_t *task = NULL;
    bimt_trainer_t *tr = NULL;
    int rc = L.rc;
    if (!rc) {
        uint8_t *seen = bimt__calloc(nh, 1);
        if (!seen) rc = bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");
        for (size_t k = 0; !rc && k < nh; k++) {
            if (slots[k] >= nh || seen[slots[k]])
                rc = bimt__failn(err, errlen, BIMT_E_FORMAT,
                                 "model.slots is not a permutation "
                                 "(entry %zu = %u)",
                                 k, (unsigned)slots[k]);
            else
                seen[slots[k]] = 1;
        }
        free(seen);
    }
    /* Everything is validated: build the handles. */
    /* Created with the cheap diagonal initialisation (the parameters are overwritten), then
     * given the recorded parameters. */
    bimt_model_params mp_diag = mp;
    mp_diag.init = BIMT_INIT_DIAG;
    if (!rc && (rc = bimt_model_create(&model, &mp_diag)) != BIMT_OK)
        rc = bimt__failn(err, errlen, rc == BIMT_E_INVALID_ARG ? BIMT_E_FORMAT : rc,
                         "cannot create the model: %s", bimt_status_str(rc));
    if (!rc) model->p = mp;
    if (!rc && (rc = bimt_task_create(&task, &tp)) != BIMT_OK)
        rc = bimt__failn(err, errlen, rc == BIMT_E_INVALID_ARG ? BIMT_E_FORMAT : rc,
                         "checkpoint task parameters are invalid: %s", bimt_status_str(rc));
    if (!rc && (rc = bimt_trainer_create(&tr, model, task, &p)) != BIMT_OK)
        rc = bimt__failn(err, errlen, rc == BIMT_E_NOMEM ? rc : BIMT_E_FORMAT,
                         "cannot create the trainer: %s", bimt_model_errmsg(model));
    if (!rc && bimt_model_n_params(model) != np_)
        rc = bimt__failn(err, errlen, BIMT_E_FORMAT, "internal size mismatch");
    if (!rc && (rc = bimt_model_set_slots(model, slots, nh)) != BIMT_OK)
        rc = bimt__failn(err, errlen, BIMT_E_FORMAT, "%s", bimt_model_errmsg(model));
    if (!rc) {
        memcpy(model->params, params, np_ * sizeof(float));
        model->noise_rng = model_noise;
        *bimt__task_rng(task) = task_rng;
        tr->rule_rng = rule_rng;
        *bimt__task_rng(tr->eval_task) = eval_task_rng;
        tr->eval_noise_rng = eval_noise_rng;
        tr->step = step;
        tr->trials = trials;
        tr->easy_train = easy_train;
        tr->last_eval_trials = eval_step == BIMT_NO_EVAL ? 0
                               : last_eval_trials == UINT32_MAX ? p.eval_batch
                                                                : last_eval_trials;
        tr->eval_step = eval_step;
        memcpy(tr->last_eval, last_eval, sizeof last_eval);
        float *om = NULL, *ov = NULL;
        bimt__adam_state(tr->opt, &om, &ov, NULL);
        memcpy(om, am, np_ * sizeof(float));
        memcpy(ov, av, np_ * sizeof(float));
        bimt__adam_set_steps(tr->opt, adam_t);
    }
    free(params);
    free(slots);
    free(am);
    free(av);
    if (rc) {
        bimt_trainer_free(tr);
        bimt_task_free(task);
        bimt_model_free(model);
        return rc;
    }
    *model_out = model;
    *task_out = task;
    *tr_out = tr;
    return BIMT_OK;
}

static int load_check_args(bimt_model_t **model, bimt_task_t **task, bimt_trainer_t **tr,
                           char *errbuf, size_t errlen)
{
    if (model) *model = NULL;
    if (task) *task = NULL;
    if (tr) *tr = NULL;
    if (!model || !task || !tr)
        return bimt__failn(errbuf, errlen, BIMT_E_INVALID_ARG,
                           "bimt_checkpoint_load: model, "
                           "task and tr must not be NULL");
    return BIMT_OK;
}

int bimt_checkpoint_load(const char *path, bimt_model_t **model, bimt_task_t **task,
                         bimt_trainer_t **tr, char *errbuf, size_t errbuf_len)
{
    int rc = load_check_args(model, task, tr, errbuf, errbuf_len);
    if (rc) return rc;
    if (!path) return bimt__failn(errbuf, errbuf_len, BIMT_E_INVALID_ARG, "path is NULL");
    bimt_npz *z;
    rc = bimt__npz_open(&z, path, CHECKPOINT_MAX_BYTES, errbuf, errbuf_len);
    if (rc) return rc;
    rc = load_npz(z, model, task, tr, errbuf, errbuf_len);
    bimt__npz_close(z);
    return rc;
}

int bimt__checkpoint_load_mem(const void *buf, size_t len, bimt_model_t **model, bimt_task_t **task,
                              bimt_trainer_t **tr, char *errbuf, size_t errbuf_len)
{
    int rc = load_check_args(model, task, tr, errbuf, errbuf_len);
    if (rc) return rc;
    bimt_npz *z;
    rc = bimt__npz_open_mem(&z, buf, len, errbuf, errbuf_len);
    if (rc) return rc;
    rc = load_npz(z, model, task, tr, errbuf, errbuf_len);
    bimt__npz_close(z);
    return rc;
}
