/* grow_brain's settings: the DEFAULTS table and the parser of `key = value` settings. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv_lines.h"

/* ======================================================================================
 * DEFAULTS: the one table that fixes what a plain `grow_brain` does. Tune here.
 * Every key can also be set in a --config file (`key = value` lines); the keys marked
 * (option) in config.h are also command-line options, which win over the file.
 * The default is a fixed step count (reproducible), sized to finish within about ten
 * minutes on two cores.
 * ====================================================================================== */
const gb_config GB_DEFAULTS = {
    /* Tuned for all 20 tasks within about ten minutes on two cores with the BIMT structure
     * intact; the evidence (learning curves of each candidate, bench/tune_main_job.py) is
     * in docs/performance.md, "The main job's defaults". */
    .steps = 28000,
    .seed = 1,
    .out = "report",
    .shuffles = 1000,
    .grid = 16,
    .activation = BIMT_ACT_SOFTPLUS,
    .init = BIMT_INIT_DIAG,
    .init_scale = 0.5,
    .alpha = 0.2,
    .sigma_rec = 0.05,
    .loss = BIMT_LOSS_MSE,
    .io_layout = BIMT_IO_EDGES, /* inputs left, outputs right: W_in/W_out pay distance too;
                                 * the silhouette then finds the modules (docs/science.md H5) */
    .arm = BIMT_ARM_BIMT,
    .lambda = 3e-5,      /* from 40 % of the steps on; 1e-4 cost 0.05 mean performance */
    .lambda_start = 0.0, /* the tasks are learnt first, then wiring is pruned */
    .warmup_frac = 0.4,
    .easy_frac = 0.2, /* the context decisions learn which ring matters on easy trials */
    .A = 1.0,
    .w_in_cost = 1.0, /* W_in and W_out at the price of W_rec */
    .w_out_cost = 1.0,
    .l1_proximal = 0,
    .lambda_late = 0.0,
    .late_frac = 1.0, /* no late ramp */
    .l1_h = 0.0,      /* Yang's activity regularisers, off as in their main runs */
    .l2_h = 0.0,
    .hidden_bias_nonpositive = 0, /* free biases, as in Yang et al. */
    .lr = 2e-3,                   /* 3e-3 and 5e-3 diverged or died early */
    .lr_end = 1e-4,
    /* Yang et al. weight contextdm1/2 by 5; with the curriculum the slowest tasks are multidm
     * (both rings summed, each alone misleading), then the context decisions, the other
     * decisions and DMS; Go/Anti are learnt first and need less (delayanti a little more). */
    .rule_weight = {0.5, 0.5, 0.5, 0.5, 0.5, 1, 2, 2, 4, 4, 5, 2, 2, 2, 2, 1, 1.5, 1.5, 1, 1},
    .batch = 32, /* same trials/s as 64 here, twice the updates */
    .grad_clip = 1.0,
    .swap_interval = 200,
    .top_k = 30,
    .eval_interval = 2000,
    .eval_trials = 256,
    .final_eval_trials = 512, /* Yang et al.'s metric: 512 random-mode trials per task */
    .progress_every = 0,
};
/* ====================================================================================== */

static int fail(gb_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_double(const char *key, const char *v, double lo, double hi, int lo_open,
                        double *out, gb_error *e)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || *end || errno == ERANGE || !isfinite(x))
        return fail(e, "%s: '%s' is not a number", key, v);
    if ((lo_open ? x <= lo : x < lo) || x > hi)
        return fail(e, "%s: %s is out of range (%s%g, %g])", key, v, lo_open ? "(" : "[", lo, hi);
    *out = x;
    return 0;
}

static int parse_u64(const char *key, const char *v, uint64_t lo, uint64_t hi, uint64_t *out,
                     gb_error *e)
{
    char *end;
    errno = 0;
    if (!*v || *v == '-' || *v == '+') return fail(e, "%s: '%s' is not a whole number", key, v);
    unsigned long long x = strtoull(v, &end, 10);
    if (*end || errno == ERANGE) return fail(e, "%s: '%s' is not a whole number", key, v);
    if (x < lo || x > hi)
        return fail(e, "%s: %s is out of range (%llu..%llu)", key, v, (unsigned long long)lo,
                    (unsigned long long)hi);
    *out = x;
    return 0;
}

static int parse_choice(const char *key, const char *v, const char *const *names, int *out,
                        gb_error *e)
{
    int n = 0;
    for (; names[n]; n++)
        if (strcmp(v, names[n]) == 0) {
            *out = n;
            return 0;
        }
    char list[128] = "";
    for (int i = 0; i < n; i++) {
        strncat(list, names[i], sizeof list - strlen(list) - 1);
        if (i + 1 < n) strncat(list, "|", sizeof list - strlen(list) - 1);
    }
    return fail(e, "%s: '%s' is not one of %s", key, v, list);
}

/* The keys: one row each, the value's kind, where it goes and what it may be. */
typedef enum key_kind { K_DOUBLE, K_U64, K_U32, K_CHOICE } key_kind;

typedef struct key_row {
    const char *key;
    key_kind kind;
    size_t offset; /* of the field in gb_config */
    double lo, hi; /* K_DOUBLE range; lo is exclusive when lo_open */
    int lo_open;
    uint64_t ulo, uhi;        /* K_U64, K_U32 range */
    const char *const *names; /* K_CHOICE: the names of the values 0, 1, ... (NULL-ended) */
} key_row;

static const char *const ARMS[] = {"bimt", "l1", "none", NULL};
static const char *const ACTS[] = {"softplus", "relu", "tanh", NULL};
static const char *const INITS[] = {"diag", "randortho", "gauss", NULL};
static const char *const LOSSES[] = {"mse", "ce", NULL};
static const char *const L1_STEPS[] = {"subgradient", "proximal", NULL};
static const char *const IOS[] = {"none", "edges", NULL};
static const char *const HIDDEN_BIASES[] = {"free", "nonpositive", NULL};
static const char *const DISTANCES[] = {"manhattan", "euclidean", NULL};

#define AT(field) offsetof(gb_config, field)
#define DBL(k, f, lo, hi, open)                                                                    \
    {                                                                                              \
        k, K_DOUBLE, AT(f), lo, hi, open, 0, 0, NULL                                               \
    }
#define U64(k, f, lo, hi)                                                                          \
    {                                                                                              \
        k, K_U64, AT(f), 0, 0, 0, lo, hi, NULL                                                     \
    }
#define U32(k, f, lo, hi)                                                                          \
    {                                                                                              \
        k, K_U32, AT(f), 0, 0, 0, lo, hi, NULL                                                     \
    }
#define CHOICE(k, f, names)                                                                        \
    {                                                                                              \
        k, K_CHOICE, AT(f), 0, 0, 0, 0, 0, names                                                   \
    }

static const key_row KEYS[] = {
    CHOICE("arm", arm, ARMS),
    CHOICE("activation", activation, ACTS),
    CHOICE("init", init, INITS),
    CHOICE("loss", loss, LOSSES),
    CHOICE("io", io_layout, IOS),
    CHOICE("distance", distance, DISTANCES),
    CHOICE("l1_step", l1_proximal, L1_STEPS),
    CHOICE("hidden_bias", hidden_bias_nonpositive, HIDDEN_BIASES),
    DBL("lambda", lambda, 0.0, 10.0, 0),
    DBL("lambda_start", lambda_start, 0.0, 10.0, 0),
    DBL("warmup_frac", warmup_frac, 0.0, 0.99, 0),
    DBL("lambda_late", lambda_late, 0.0, 10.0, 0),
    DBL("late_frac", late_frac, 0.0, 1.0, 0),
    DBL("l1_h", l1_h, 0.0, 1e6, 0),
    DBL("l2_h", l2_h, 0.0, 1e6, 0),
    DBL("easy_frac", easy_frac, 0.0, 1.0, 0),
    DBL("A", A, 0.0, 1e6, 0),
    DBL("w_in_cost", w_in_cost, 0.0, 1e6, 0),
    DBL("w_out_cost", w_out_cost, 0.0, 1e6, 0),
    DBL("lr", lr, 0.0, 1.0, 1),
    DBL("lr_end", lr_end, 0.0, 1.0, 1),
    DBL("grad_clip", grad_clip, 0.0, 1e6, 0),
    DBL("init_scale", init_scale, 0.0, 100.0, 0),
    DBL("alpha", alpha, 0.0, 1.0, 1),
    DBL("sigma_rec", sigma_rec, 0.0, 10.0, 0),
    U64("steps", steps, 0, 1000000000ULL),
    U64("seed", seed, 0, UINT64_MAX),
    U32("grid", grid, 2, 64),
    U32("shuffles", shuffles, 0, 1000000),
    U32("batch", batch, 1, 4096),
    U32("swap_interval", swap_interval, 0, 1000000000u),
    U32("top_k", top_k, 1, 65536),
    U32("eval_interval", eval_interval, 0, 1000000000u),
    U32("eval_trials", eval_trials, 1, 100000),
    U32("final_eval_trials", final_eval_trials, 1, 100000),
    U32("progress_every", progress_every, 0, 1000000000u),
};

/* A choice is stored as a 32-bit unsigned integer: the enum fields (bimt_arm, ...) are enums
 * of non-negative values, whose type is an int or unsigned int of 32 bits on every target we
 * build for, and the others are uint32_t. */
_Static_assert(sizeof(bimt_arm) == 4 && sizeof(bimt_activation) == 4 && sizeof(bimt_init) == 4 &&
                   sizeof(bimt_loss) == 4,
               "choice fields are 32 bits");

int gb_config_set(gb_config *c, const char *k, const char *v, gb_error *e)
{
    if (strcmp(k, "out") == 0) {
        if (!*v || strlen(v) >= sizeof c->out - 32) return fail(e, "out: empty or too long");
        snprintf(c->out, sizeof c->out, "%s", v);
        return 0;
    }
    if (strcmp(k, "positions") == 0) {
        if (!*v || strlen(v) >= sizeof c->positions) return fail(e, "positions: empty or too long");
        snprintf(c->positions, sizeof c->positions, "%s", v);
        return 0;
    }
    if (strcmp(k, "io") == 0) c->io_given = 1;
    if (strncmp(k, "weight.", 7) == 0) {
        for (int r = 0; r < BIMT_N_RULES; r++)
            if (strcmp(k + 7, bimt_rule_name(r)) == 0)
                return parse_double(k, v, 0.0, 1e6, 0, &c->rule_weight[r], e);
        return fail(e, "%s: unknown rule '%s' (see docs/tasks.md for the 20 names)", k, k + 7);
    }
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) {
        const key_row *row = &KEYS[i];
        if (strcmp(k, row->key) != 0) continue;
        void *field = (char *)c + row->offset;
        switch (row->kind) {
        case K_DOUBLE:
            return parse_double(k, v, row->lo, row->hi, row->lo_open, field, e);
        case K_U64:
            return parse_u64(k, v, row->ulo, row->uhi, field, e);
        case K_U32: {
            uint64_t x = 0;
            if (parse_u64(k, v, row->ulo, row->uhi, &x, e)) return -1;
            *(uint32_t *)field = (uint32_t)x;
            return 0;
        }
        case K_CHOICE: {
            int x = 0;
            if (parse_choice(k, v, row->names, &x, e)) return -1;
            *(uint32_t *)field = (uint32_t)x;
            return 0;
        }
        }
    }
    return fail(e, "unknown key '%s'", k);
}

int gb_config_parse(gb_config *c, const char *text, size_t len, gb_error *e)
{
    kv_lines r;
    kv_lines_init(&r, text, len, GB_CONFIG_LINE_MAX);
    char *key, *value;
    kv_status st;
    e->line = 0;
    e->msg[0] = '\0';
    while ((st = kv_lines_next(&r, &key, &value)) == KV_PAIR)
        if (gb_config_set(c, key, value, e)) break;
    if (st == KV_END) return 0;
    e->line = r.line;
    if (st == KV_TOO_LONG) return fail(e, "line too long");
    if (st == KV_NO_EQUALS) return fail(e, "expected 'key = value'");
    if (st == KV_NUL) return fail(e, "NUL byte in the line");
    return -1; /* gb_config_set() wrote e->msg */
}

int gb_is_option_key(const char *k)
{
    static const char *const opts[] = {"arm",  "lambda", "A",        "grid",      "steps",
                                       "seed", "out",    "shuffles", "positions", "distance"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(k, opts[i]) == 0) return 1;
    return 0;
}

void gb_config_params(const gb_config *c, bimt_task_params *tp, bimt_model_params *mp,
                      bimt_trainer_params *trp)
{
    bimt_task_params_init(tp);
    tp->loss = c->loss;
    tp->seed = c->seed;
    bimt_model_params_init(mp);
    mp->grid_side = c->grid;
    mp->activation = c->activation;
    mp->init = c->init;
    mp->init_scale = c->init_scale;
    mp->alpha = c->alpha;
    mp->sigma_rec = c->sigma_rec;
    mp->loss = c->loss;
    mp->seed = c->seed;
    /* Inputs and outputs have positions only beside the grid: with a positions file the io
     * layout is none unless the io key asks otherwise (the library then refuses it). */
    mp->io_layout = c->positions[0] && !c->io_given ? BIMT_IO_NONE : c->io_layout;
    mp->w_in_cost = c->w_in_cost;
    mp->w_out_cost = c->w_out_cost;
    mp->distance = c->distance;
    bimt_trainer_params_init(trp);
    trp->arm = c->arm;
    trp->batch_size = c->batch;
    trp->learning_rate = c->lr;
    trp->grad_clip = c->grad_clip;
    trp->lambda = c->lambda;
    trp->A = c->A;
    trp->l1_proximal = c->l1_proximal;
    uint64_t warm = (uint64_t)(c->warmup_frac * (double)c->steps);
    if (warm > 0 && c->arm != BIMT_ARM_NONE) {
        trp->n_schedule = 2;
        trp->schedule_step[0] = 0;
        trp->schedule_lambda[0] = c->lambda_start;
        trp->schedule_step[1] = warm;
        trp->schedule_lambda[1] = c->lambda;
    }
    /* A late ramp: lambda_late from late_frac of the steps on (after the warm-up). */
    uint64_t late = (uint64_t)(c->late_frac * (double)c->steps);
    if (c->late_frac < 1.0 && late < c->steps && c->arm != BIMT_ARM_NONE) {
        if (trp->n_schedule == 0) {
            trp->n_schedule = 1;
            trp->schedule_step[0] = 0;
            trp->schedule_lambda[0] = c->lambda;
        }
        uint64_t prev = trp->schedule_step[trp->n_schedule - 1];
        trp->schedule_step[trp->n_schedule] = late > prev ? late : prev + 1;
        trp->schedule_lambda[trp->n_schedule] = c->lambda_late;
        trp->n_schedule++;
    }
    trp->l1_h = c->l1_h;
    trp->l2_h = c->l2_h;
    trp->hidden_bias_nonpositive = c->hidden_bias_nonpositive;
    trp->swap_interval = c->swap_interval;
    trp->swap_top_k = c->top_k;
    trp->eval_interval = c->eval_interval;
    trp->eval_batch = c->eval_trials;
    trp->seed = c->seed;
    for (int r = 0; r < BIMT_N_RULES; r++)
        trp->rule_weight[r] = c->rule_weight[r];
}
