/* Checkpoints: one .npz holding everything a bit-identical resume needs (parameters, slots,
 * Adam state, counters, every random stream) plus every hyperparameter of the model, task
 * and trainer. Member list and meaning: docs/checkpoint-format.md. */
#include <math.h>
#include <stddef.h>
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

/* ------------------------------------------------------------------ save */

/* Human-readable summary on one line (informational; the typed members are authoritative). */
static void metadata_json(const bimt_trainer_t *tr, const bimt_model_params *mp,
                          const bimt_task_params *tp, bimt__json *j)
{
    bimt__json_open(j, NULL, '{', 1);
    bimt__json_header(j, "libbimt-checkpoint", BIMT_CHECKPOINT_FORMAT);
    bimt__json_str(j, "arm", bimt_arm_name(tr->p.arm));
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

/* ------------------------------------------------------------------ schema */

/* Everything a checkpoint holds, gathered in one struct so that one member table (below)
 * says where each member lives: save fills it from the handles and writes the table in order;
 * load reads the table into it, validates, then builds the handles. Enums are stored as
 * int32 (their own fields here, converted explicitly). */
typedef struct ckpt {
    uint32_t format, libver;
    const char *meta; /* save only: the JSON summary */
    bimt_model_params mp;
    bimt_task_params tp;
    bimt_trainer_params p;
    int32_t m_activation, m_init, m_loss, t_loss, arm;
    bimt_rng model_noise, task_rng, rule_rng, eval_task_rng, eval_noise_rng;
    uint64_t step, trials, eval_step, adam_t;
    uint32_t easy_train, last_eval_trials;
    double last_eval[BIMT_N_RULES];
    size_t np, nh;          /* lengths of the vectors */
    void *params, *am, *av; /* [np] float */
    void *slots;            /* [nh] uint32_t */
    double *positions;      /* load only: [mp.n_slots][mp.dim] caller positions, or NULL */
} ckpt;

enum { K_SCALAR, K_ARRAY, K_RNG, K_TEXT, K_VEC };
/* Load order: the header, the hyperparameters (validated before anything else is read), the
 * state, and last the vectors, whose sizes follow from the validated hyperparameters. */
enum { P_HEAD, P_HYPER, P_STATE, P_VEC };

typedef struct member {
    const char *name;
    uint8_t kind, phase, optional; /* optional: absent in older files, the default stays */
    bimt_npz_dtype dt;             /* must match the C type of the field */
    size_t off;                    /* offsetof(ckpt, field) */
    size_t n;                      /* K_ARRAY: elements; K_VEC: offsetof the size_t length */
} member;

#define M_(name, kind, phase, opt, dt, field, n)                                                   \
    {                                                                                              \
        name, kind, phase, opt, dt, offsetof(ckpt, field), n                                       \
    }
#define SCALAR(name, phase, dt, field) M_(name, K_SCALAR, phase, 0, dt, field, 0)
#define ARRAY(name, dt, field, n) M_(name, K_ARRAY, P_HYPER, 0, dt, field, n)
#define RNG(name, field) M_(name, K_RNG, P_STATE, 0, BIMT_NPZ_U8, field, BIMT_RNG_WORDS)
#define VEC(name, dt, field, len) M_(name, K_VEC, P_VEC, 0, dt, field, offsetof(ckpt, len))
#define OPTIONAL(name, phase, dt, field) M_(name, K_SCALAR, phase, 1, dt, field, 0)

/* The members in file order (docs/checkpoint-format.md). */
static const member schema[] = {
    SCALAR("format_version", P_HEAD, BIMT_NPZ_U4, format),
    SCALAR("library_version", P_HEAD, BIMT_NPZ_U4, libver),
    M_("metadata", K_TEXT, P_HEAD, 0, BIMT_NPZ_U1, meta, 0),
    /* model */
    SCALAR("model.grid_side", P_HYPER, BIMT_NPZ_U4, mp.grid_side),
    SCALAR("model.n_in", P_HYPER, BIMT_NPZ_U4, mp.n_in),
    SCALAR("model.n_out", P_HYPER, BIMT_NPZ_U4, mp.n_out),
    SCALAR("model.activation", P_HYPER, BIMT_NPZ_I4, m_activation),
    SCALAR("model.alpha", P_HYPER, BIMT_NPZ_F8, mp.alpha),
    SCALAR("model.sigma_rec", P_HYPER, BIMT_NPZ_F8, mp.sigma_rec),
    SCALAR("model.init", P_HYPER, BIMT_NPZ_I4, m_init),
    SCALAR("model.init_scale", P_HYPER, BIMT_NPZ_F8, mp.init_scale),
    SCALAR("model.loss", P_HYPER, BIMT_NPZ_I4, m_loss),
    SCALAR("model.seed", P_HYPER, BIMT_NPZ_U8, mp.seed),
    OPTIONAL("model.io_layout", P_HYPER, BIMT_NPZ_U4, mp.io_layout), /* since 0.2 */
    /* since format 2; model.positions follows the table (written for caller positions only) */
    OPTIONAL("model.n_slots", P_HYPER, BIMT_NPZ_U4, mp.n_slots),
    OPTIONAL("model.dim", P_HYPER, BIMT_NPZ_U4, mp.dim),
    OPTIONAL("model.distance", P_HYPER, BIMT_NPZ_U4, mp.distance),
    OPTIONAL("model.neighbours", P_HYPER, BIMT_NPZ_U4, mp.neighbours),
    OPTIONAL("model.w_in_cost", P_HYPER, BIMT_NPZ_F8, mp.w_in_cost),   /* since 0.3 */
    OPTIONAL("model.w_out_cost", P_HYPER, BIMT_NPZ_F8, mp.w_out_cost), /* since 0.3 */
    VEC("model.params", BIMT_NPZ_F4, params, np),
    VEC("model.slots", BIMT_NPZ_U4, slots, nh),
    RNG("model.noise_rng", model_noise),
    /* task */
    SCALAR("task.n_eachring", P_HYPER, BIMT_NPZ_U4, tp.n_eachring),
    SCALAR("task.dt_ms", P_HYPER, BIMT_NPZ_F8, tp.dt_ms),
    SCALAR("task.tau_ms", P_HYPER, BIMT_NPZ_F8, tp.tau_ms),
    SCALAR("task.sigma_x", P_HYPER, BIMT_NPZ_F8, tp.sigma_x),
    SCALAR("task.rule_mask", P_HYPER, BIMT_NPZ_U4, tp.rule_mask),
    SCALAR("task.loss", P_HYPER, BIMT_NPZ_I4, t_loss),
    SCALAR("task.input_noise", P_HYPER, BIMT_NPZ_U4, tp.input_noise),
    SCALAR("task.easy_task", P_HYPER, BIMT_NPZ_U4, tp.easy_task),
    SCALAR("task.seed", P_HYPER, BIMT_NPZ_U8, tp.seed),
    RNG("task.rng", task_rng),
    /* trainer hyperparameters */
    SCALAR("trainer.arm", P_HYPER, BIMT_NPZ_I4, arm),
    SCALAR("trainer.batch_size", P_HYPER, BIMT_NPZ_U4, p.batch_size),
    SCALAR("trainer.learning_rate", P_HYPER, BIMT_NPZ_F8, p.learning_rate),
    SCALAR("trainer.beta1", P_HYPER, BIMT_NPZ_F8, p.beta1),
    SCALAR("trainer.beta2", P_HYPER, BIMT_NPZ_F8, p.beta2),
    SCALAR("trainer.eps", P_HYPER, BIMT_NPZ_F8, p.eps),
    SCALAR("trainer.grad_clip", P_HYPER, BIMT_NPZ_F8, p.grad_clip),
    SCALAR("trainer.lambda", P_HYPER, BIMT_NPZ_F8, p.lambda),
    SCALAR("trainer.A", P_HYPER, BIMT_NPZ_F8, p.A),
    SCALAR("trainer.n_schedule", P_HYPER, BIMT_NPZ_U4, p.n_schedule),
    ARRAY("trainer.schedule_step", BIMT_NPZ_U8, p.schedule_step, BIMT_MAX_SCHEDULE),
    ARRAY("trainer.schedule_lambda", BIMT_NPZ_F8, p.schedule_lambda, BIMT_MAX_SCHEDULE),
    SCALAR("trainer.swap_interval", P_HYPER, BIMT_NPZ_U4, p.swap_interval),
    SCALAR("trainer.swap_top_k", P_HYPER, BIMT_NPZ_U4, p.swap_top_k),
    SCALAR("trainer.eval_interval", P_HYPER, BIMT_NPZ_U4, p.eval_interval),
    SCALAR("trainer.eval_batch", P_HYPER, BIMT_NPZ_U4, p.eval_batch),
    ARRAY("trainer.rule_weight", BIMT_NPZ_F8, p.rule_weight, BIMT_N_RULES),
    SCALAR("trainer.recurrent_noise", P_HYPER, BIMT_NPZ_U4, p.recurrent_noise),
    SCALAR("trainer.seed", P_HYPER, BIMT_NPZ_U8, p.seed),
    OPTIONAL("trainer.l1_proximal", P_HYPER, BIMT_NPZ_U4, p.l1_proximal), /* since 0.2 */
    OPTIONAL("trainer.l1_h", P_HYPER, BIMT_NPZ_F8, p.l1_h),               /* since 0.3 */
    OPTIONAL("trainer.l2_h", P_HYPER, BIMT_NPZ_F8, p.l2_h),               /* since 0.3 */
    OPTIONAL("trainer.hidden_bias_nonpositive", P_HYPER, BIMT_NPZ_U4,
             p.hidden_bias_nonpositive), /* since 0.3 */
    /* trainer state */
    SCALAR("trainer.step", P_STATE, BIMT_NPZ_U8, step),
    SCALAR("trainer.trials", P_STATE, BIMT_NPZ_U8, trials),
    OPTIONAL("trainer.easy_train", P_STATE, BIMT_NPZ_U4, easy_train), /* curriculum flag */
    OPTIONAL("trainer.last_eval_trials", P_STATE, BIMT_NPZ_U4, last_eval_trials),
    RNG("trainer.rule_rng", rule_rng),
    RNG("trainer.eval_task_rng", eval_task_rng),
    RNG("trainer.eval_noise_rng", eval_noise_rng),
    SCALAR("trainer.eval_step", P_STATE, BIMT_NPZ_U8, eval_step),
    M_("trainer.last_eval", K_ARRAY, P_STATE, 0, BIMT_NPZ_F8, last_eval, BIMT_N_RULES),
    /* optimizer */
    VEC("adam.m", BIMT_NPZ_F4, am, np),
    VEC("adam.v", BIMT_NPZ_F4, av, np),
    SCALAR("adam.step", P_STATE, BIMT_NPZ_U8, adam_t),
};
#define N_SCHEMA (sizeof schema / sizeof schema[0])

static void *field(ckpt *c, const member *e)
{
    return (char *)c + e->off;
}

/* ------------------------------------------------------------------ save */

static void write_member(bimt_npz_writer *w, ckpt *c, const member *e)
{
    void *f = field(c, e);
    size_t n = e->n;
    uint64_t words[BIMT_RNG_WORDS];
    switch (e->kind) {
    case K_SCALAR:
        bimt__npz_write(w, e->name, e->dt, 0, NULL, f);
        break;
    case K_ARRAY:
        bimt__npz_write(w, e->name, e->dt, 1, &n, f);
        break;
    case K_RNG:
        bimt__rng_pack(f, words);
        bimt__npz_write(w, e->name, e->dt, 1, &n, words);
        break;
    case K_TEXT:
        bimt__npz_write_text(w, e->name, *(const char **)f);
        break;
    default: /* K_VEC */
        memcpy(&n, (char *)c + e->n, sizeof n);
        bimt__npz_write(w, e->name, e->dt, 1, &n, *(void **)f);
        break;
    }
}

int bimt_trainer_save(const bimt_trainer_t *tr, const char *path)
{
    if (!tr) return bimt__err(BIMT_E_INVALID_ARG, "bimt_trainer_save: tr is NULL");
    char *e = ((bimt_trainer_t *)tr)->errmsg; /* the message is the only thing a save changes */
    if (!path || !*path)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "checkpoint path is NULL or empty");
    const struct bimt_model *m = tr->model;
    ckpt c;
    memset(&c, 0, sizeof c);
    c.format = BIMT_CHECKPOINT_FORMAT;
    c.libver = bimt_version();
    c.mp = m->p;
    c.tp.struct_size = (uint32_t)sizeof c.tp;
    bimt_task_get_params(tr->task, &c.tp);
    c.p = tr->p;
    c.m_activation = (int32_t)c.mp.activation;
    c.m_init = (int32_t)c.mp.init;
    c.m_loss = (int32_t)c.mp.loss;
    c.t_loss = (int32_t)c.tp.loss;
    c.arm = (int32_t)c.p.arm;
    c.model_noise = m->noise_rng;
    c.task_rng = *bimt__task_rng(tr->task);
    c.rule_rng = tr->rule_rng;
    c.eval_task_rng = *bimt__task_rng(tr->eval_task);
    c.eval_noise_rng = tr->eval_noise_rng;
    c.step = tr->step;
    c.trials = tr->trials;
    c.eval_step = tr->eval_step;
    c.easy_train = tr->easy_train;
    c.last_eval_trials = tr->last_eval_trials;
    memcpy(c.last_eval, tr->last_eval, sizeof c.last_eval);
    c.np = tr->n_params;
    c.nh = m->n_h;
    c.params = m->params;
    c.slots = m->slots;
    float *am = NULL, *av = NULL;
    bimt__adam_state(tr->opt, &am, &av, &c.adam_t);
    c.am = am;
    c.av = av;

    bimt__json meta;
    bimt__json_init(&meta);
    metadata_json(tr, &c.mp, &c.tp, &meta);
    if (!bimt__buf_ok(&meta.b)) {
        bimt__buf_free(&meta.b);
        return bimt__fail(e, BIMT_E_NOMEM, "out of memory (checkpoint metadata)");
    }
    c.meta = meta.b.data;

    bimt_npz_writer *w;
    int rc = bimt__npz_writer_open(&w, path, e, BIMT_ERRMSG_LEN);
    if (!rc) {
        for (size_t k = 0; k < N_SCHEMA; k++)
            write_member(w, &c, &schema[k]);
        if (m->p.positions) {
            size_t shape[2] = {m->n_h, m->dim};
            bimt__npz_write(w, "model.positions", BIMT_NPZ_F8, 2, shape, m->pos);
        }
        rc = bimt__npz_writer_commit(w); /* also reports (and cleans up after) any error above */
    }
    bimt__buf_free(&meta.b);
    return rc;
}

/* ------------------------------------------------------------------ load */

typedef struct loader {
    const bimt_npz *z;
    char *err;
    size_t errlen;
    int rc; /* first failure */
} loader;

static void get_rng(loader *L, const char *name, bimt_rng *r)
{
    uint64_t w[BIMT_RNG_WORDS] = {0};
    size_t n = BIMT_RNG_WORDS;
    L->rc = bimt__npz_get(L->z, name, BIMT_NPZ_U8, 1, &n, w, L->err, L->errlen);
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

/* Reads the members of one phase into c; sticky failure. */
static int read_phase(loader *L, ckpt *c, int phase)
{
    for (size_t k = 0; k < N_SCHEMA && !L->rc; k++) {
        const member *e = &schema[k];
        if (e->phase != phase || e->kind == K_TEXT) continue;
        if (e->optional && !bimt__npz_find(L->z, e->name)) continue;
        void *f = field(c, e);
        size_t n = e->n, len;
        switch (e->kind) {
        case K_SCALAR:
            L->rc = bimt__npz_get(L->z, e->name, e->dt, 0, NULL, f, L->err, L->errlen);
            break;
        case K_ARRAY:
            L->rc = bimt__npz_get(L->z, e->name, e->dt, 1, &n, f, L->err, L->errlen);
            break;
        case K_RNG:
            get_rng(L, e->name, f);
            break;
        default: /* K_VEC */
            memcpy(&len, (char *)c + e->n, sizeof len);
            *(void **)f = get_vec(L, e->name, e->dt, len);
            break;
        }
    }
    return L->rc;
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

/* Reads and validates everything into c (vectors allocated; freed by the caller). */
static int load_ckpt(loader *L, ckpt *c)
{
    char *err = L->err;
    size_t errlen = L->errlen;
    char msg[BIMT_ERRMSG_LEN];
    if (!bimt__npz_find(L->z, "format_version"))
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "not a libbimt checkpoint (no "
                           "format_version member)");
    if (read_phase(L, c, P_HEAD)) return L->rc;
    if (c->format > BIMT_CHECKPOINT_FORMAT)
        return bimt__failn(err, errlen, BIMT_E_VERSION,
                           "checkpoint format %u (written by libbimt "
                           "%u.%u.%u) is newer than format %u of this libbimt %s; upgrade libbimt",
                           (unsigned)c->format, (unsigned)(c->libver / 10000),
                           (unsigned)(c->libver / 100 % 100), (unsigned)(c->libver % 100),
                           BIMT_CHECKPOINT_FORMAT, bimt_version_string());
    if (c->format == 0)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "checkpoint format version 0 is invalid");

    /* Hyperparameters. */
    bimt_model_params_init(&c->mp);
    bimt_task_params_init(&c->tp);
    bimt_trainer_params_init(&c->p);
    c->m_activation = c->m_init = c->m_loss = c->t_loss = c->arm = -1;
    if (read_phase(L, c, P_HYPER)) return L->rc;
    c->mp.activation = (bimt_activation)c->m_activation;
    c->mp.init = (bimt_init)c->m_init;
    c->mp.loss = (bimt_loss)c->m_loss;
    c->tp.loss = (bimt_loss)c->t_loss;
    c->p.arm = (bimt_arm)c->arm;
    const bimt_model_params *mp = &c->mp;
    const bimt_task_params *tp = &c->tp;
    /* Caller positions (n_slots > 0) are read with the vectors; until then the check sees a
     * placeholder of the right size, so n_slots and dim are validated before any allocation. */
    const double placeholder[BIMT_MAX_DIM] = {0.0, 0.0, 0.0};
    bimt_model_params chk = c->mp;
    chk.positions = NULL;
    if (chk.n_slots) {
        if (chk.n_slots > 65536 || chk.dim == 0 || chk.dim > BIMT_MAX_DIM)
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "checkpoint model.n_slots %u / model.dim %u out of range",
                               (unsigned)chk.n_slots, (unsigned)chk.dim);
        chk.positions = placeholder;
        chk.n_slots = 1;
    }
    if (bimt__model_params_check(&chk, msg))
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "checkpoint model parameters are invalid: "
                           "%s",
                           msg);
    if (bimt__trainer_params_check(&c->p, msg))
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "checkpoint trainer parameters are "
                           "invalid: %s",
                           msg);
    if (tp->n_eachring < 4 || tp->n_eachring > 1024 ||
        mp->n_in != 1u + 2u * tp->n_eachring + BIMT_N_RULES || mp->n_out != 1u + tp->n_eachring)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "checkpoint sizes disagree: model %u "
                           "inputs, %u outputs; task %u units per ring",
                           (unsigned)mp->n_in, (unsigned)mp->n_out, (unsigned)tp->n_eachring);
    if (mp->loss != tp->loss)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "checkpoint model and task losses differ");

    /* State. Optional members: older files have no curriculum flag (0), and mean eval_batch
     * trials behind last_eval (UINT32_MAX here, resolved by the caller). */
    c->easy_train = 0;
    c->last_eval_trials = UINT32_MAX;
    if (read_phase(L, c, P_STATE)) return L->rc;
    if (c->easy_train > 1)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "trainer.easy_train is %u, not 0 or 1",
                           (unsigned)c->easy_train);
    if (c->eval_step != BIMT_NO_EVAL && c->eval_step > c->step)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "trainer.eval_step %llu is after "
                           "trainer.step %llu",
                           (unsigned long long)c->eval_step, (unsigned long long)c->step);
    for (int r = 0; r < BIMT_N_RULES; r++)
        if (!(c->last_eval[r] == -1.0 || (c->last_eval[r] >= 0.0 && c->last_eval[r] <= 1.0)))
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "trainer.last_eval[%d] = %g is not a "
                               "fraction or -1",
                               r, c->last_eval[r]);
    if (c->adam_t > c->step)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "adam.step %llu exceeds trainer.step %llu",
                           (unsigned long long)c->adam_t, (unsigned long long)c->step);

    /* Vectors, sized by the validated hyperparameters. */
    c->nh = mp->n_slots ? (size_t)mp->n_slots : (size_t)mp->grid_side * mp->grid_side;
    c->np = c->nh * c->nh + c->nh * mp->n_in + (size_t)mp->n_out * c->nh + c->nh + mp->n_out;
    if (read_phase(L, c, P_VEC)) return L->rc;
    check_finite(L, "model.params", c->params, c->np, 0);
    check_finite(L, "adam.m", c->am, c->np, 0);
    check_finite(L, "adam.v", c->av, c->np, 1);
    if (L->rc) return L->rc;
    if (mp->n_slots) { /* caller positions (format 2): finiteness is checked at create */
        size_t shape[2] = {c->nh, mp->dim};
        c->positions = bimt__malloc(c->nh * mp->dim, sizeof(double));
        if (!c->positions) return bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");
        L->rc = bimt__npz_get(L->z, "model.positions", BIMT_NPZ_F8, 2, shape, c->positions, err,
                              errlen);
        if (L->rc) return L->rc;
        c->mp.positions = c->positions;
    }
    const uint32_t *slots = c->slots;
    uint8_t *seen = bimt__calloc(c->nh, 1);
    int rc = seen ? BIMT_OK : bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");
    for (size_t k = 0; !rc && k < c->nh; k++) {
        if (slots[k] >= c->nh || seen[slots[k]])
            rc = bimt__failn(err, errlen, BIMT_E_FORMAT,
                             "model.slots is not a permutation "
                             "(entry %zu = %u)",
                             k, (unsigned)slots[k]);
        else
            seen[slots[k]] = 1;
    }
    free(seen);
    return rc;
}

static int load_npz(const bimt_npz *z, bimt_model_t **model_out, bimt_task_t **task_out,
                    bimt_trainer_t **tr_out, char *err, size_t errlen)
{
    loader L = {z, err, errlen, BIMT_OK};
    ckpt c;
    memset(&c, 0, sizeof c);
    int rc = load_ckpt(&L, &c);
    const size_t np_ = c.np, nh = c.nh;
    bimt_model_t *model = NULL;
    bimt_task_t *task = NULL;
    bimt_trainer_t *tr = NULL;
    /* Everything is validated: build the handles. */
    /* Created with the cheap diagonal initialisation (the parameters are overwritten), then
     * given the recorded parameters. */
    bimt_model_params mp_diag = c.mp;
    mp_diag.init = BIMT_INIT_DIAG;
    if (!rc && (rc = bimt_model_create(&mp_diag, &model)) != BIMT_OK)
        rc = bimt__failn(err, errlen, rc == BIMT_E_INVALID_ARG ? BIMT_E_FORMAT : rc,
                         "cannot create the model: %s", bimt_last_error());
    if (!rc) {
        model->p = c.mp;
        model->p.positions = c.mp.positions ? model->pos : NULL; /* the model's own copy */
    }
    if (!rc && (rc = bimt_task_create(&c.tp, &task)) != BIMT_OK)
        rc = bimt__failn(err, errlen, rc == BIMT_E_INVALID_ARG ? BIMT_E_FORMAT : rc,
                         "checkpoint task parameters are invalid: %s", bimt_last_error());
    if (!rc && (rc = bimt_trainer_create(model, task, &c.p, &tr)) != BIMT_OK)
        rc = bimt__failn(err, errlen, rc == BIMT_E_NOMEM ? rc : BIMT_E_FORMAT,
                         "cannot create the trainer: %s", bimt_model_errmsg(model));
    if (!rc && bimt_model_n_params(model) != np_)
        rc = bimt__failn(err, errlen, BIMT_E_FORMAT, "internal size mismatch");
    if (!rc && (rc = bimt_model_set_slots(model, c.slots, nh)) != BIMT_OK)
        rc = bimt__failn(err, errlen, rc == BIMT_E_NOMEM ? rc : BIMT_E_FORMAT, "%s",
                         bimt_model_errmsg(model));
    if (!rc) {
        memcpy(model->params, c.params, np_ * sizeof(float));
        model->noise_rng = c.model_noise;
        *bimt__task_rng(task) = c.task_rng;
        tr->rule_rng = c.rule_rng;
        *bimt__task_rng(tr->eval_task) = c.eval_task_rng;
        tr->eval_noise_rng = c.eval_noise_rng;
        tr->step = c.step;
        tr->trials = c.trials;
        tr->easy_train = c.easy_train;
        tr->last_eval_trials = c.eval_step == BIMT_NO_EVAL        ? 0
                               : c.last_eval_trials == UINT32_MAX ? c.p.eval_batch
                                                                  : c.last_eval_trials;
        tr->eval_step = c.eval_step;
        memcpy(tr->last_eval, c.last_eval, sizeof c.last_eval);
        float *om = NULL, *ov = NULL;
        bimt__adam_state(tr->opt, &om, &ov, NULL);
        memcpy(om, c.am, np_ * sizeof(float));
        memcpy(ov, c.av, np_ * sizeof(float));
        bimt__adam_set_steps(tr->opt, c.adam_t);
    }
    free(c.params);
    free(c.slots);
    free(c.positions);
    free(c.am);
    free(c.av);
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
        return bimt__failn(errbuf, errlen, BIMT_E_INVALID_ARG, "bimt_checkpoint_load: %s is NULL",
                           !model  ? "model"
                           : !task ? "task"
                                   : "tr");
    return BIMT_OK;
}

int bimt_checkpoint_load(const char *path, bimt_model_t **model, bimt_task_t **task,
                         bimt_trainer_t **tr)
{
    char *errbuf = NULL; /* the message goes to bimt_last_error() */
    size_t errbuf_len = 0;
    int rc = load_check_args(model, task, tr, errbuf, errbuf_len);
    if (rc) return rc;
    if (!path) return bimt__failn(errbuf, errbuf_len, BIMT_E_INVALID_ARG, "path is NULL");
    bimt_npz *z;
    rc = bimt__npz_open(&z, path, CHECKPOINT_MAX_BYTES, errbuf, errbuf_len);
    if (!rc) {
        rc = load_npz(z, model, task, tr, errbuf, errbuf_len);
        bimt__npz_close(z);
    }
    /* Name the file when the message does not (the arguments may point into the message). */
    if (rc && !strstr(bimt_last_error(), path)) bimt__err(rc, "%s: %s", path, bimt_last_error());
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
