/* bimt_task_t: parameters, rule names, batch buffers and the sampling dispatch.
 * Family builders: task_goanti.c, task_dm.c, task_delaydm.c, task_match.c;
 * renderer and noise: task_render.c; metric: task_perf.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/bigbuf.h"
#include "task/task_build.h"
#include "task/task_internal.h"

static const char *const rule_names[BIMT_N_RULES] = {
    "fdgo",         "reactgo",  "delaygo",  "fdanti",          "reactanti",
    "delayanti",    "dm1",      "dm2",      "contextdm1",      "contextdm2",
    "multidm",      "delaydm1", "delaydm2", "contextdelaydm1", "contextdelaydm2",
    "multidelaydm", "dmsgo",    "dmsnogo",  "dmcgo",           "dmcnogo"};

const char *bimt_rule_name(int rule)
{
    if (rule < 0 || rule >= BIMT_N_RULES) return NULL;
    return rule_names[rule];
}

const char *bimt_loss_name(int32_t loss)
{
    static const char *const names[] = {"mse", "cross_entropy"};
    return loss >= 0 && loss < (int32_t)(sizeof names / sizeof names[0]) ? names[loss] : NULL;
}

int bimt_rule_index(const char *name)
{
    if (!name) return bimt__err(BIMT_E_INVALID_ARG, "bimt_rule_index: name is NULL");
    for (int r = 0; r < BIMT_N_RULES; r++)
        if (strcmp(name, rule_names[r]) == 0) return r;
    return bimt__err(BIMT_E_INVALID_ARG, "bimt_rule_index: unknown rule name \"%.64s\"", name);
}

/* ------------------------------------------------------------------ shared helpers */

size_t bimt__steps(const struct bimt_task *t, double ms)
{
    double s = floor(ms / t->dt + 1e-9);
    return s > 0.0 ? (size_t)s : 0;
}

double bimt__cd(double a, double b)
{
    double d = fabs(a - b);
    double e = TWO_PI - d;
    return d < e ? d : e;
}

double bimt__wrap(double a)
{
    double w = fmod(a, TWO_PI);
    if (w < 0.0) w += TWO_PI;
    if (w >= TWO_PI) w = 0.0; /* -tiny + 2pi may round to 2pi */
    return w;
}

void bimt__plan_epoch(bimt__plan *p, const char *name, size_t start, size_t end)
{
    if (p->n_epochs >= BIMT_MAX_EPOCHS) return;
    p->epochs[p->n_epochs].name = name;
    p->epochs[p->n_epochs].start = (uint32_t)start; /* steps of a trial: well below 2^32 */
    p->epochs[p->n_epochs].end = (uint32_t)end;
    p->n_epochs++;
}

double bimt__rng_sign(bimt_rng *r)
{
    return (bimt__rng_u64(r) >> 63) ? -1.0 : 1.0;
}

int bimt__stim1_wins(double s1, double s2)
{
    return s1 - s2 > 1e-9;
}

size_t bimt__test_batch_size(int rule)
{
    if (rule <= BIMT_RULE_DELAYANTI) return 40;
    if (rule == BIMT_RULE_DM1 || rule == BIMT_RULE_DM2 || rule == BIMT_RULE_DELAYDM1 ||
        rule == BIMT_RULE_DELAYDM2)
        return 100;
    if (rule <= BIMT_RULE_MULTIDELAYDM) return 500;
    return 80;
}

const bimt__trial *bimt__task_trials(const bimt_task_t *t)
{
    return t ? t->trials : NULL;
}

const bimt__plan *bimt__task_plan(const bimt_task_t *t)
{
    return t ? &t->plan : NULL;
}

bimt_rng *bimt__task_rng(bimt_task_t *task)
{
    return task ? &task->rng : NULL;
}

uint32_t bimt__task_swap_easy(bimt_task_t *task, uint32_t on)
{
    uint32_t old = task->p.easy_task;
    task->p.easy_task = on;
    return old;
}

/* ------------------------------------------------------------------ handle */

void bimt_task_params_init(bimt_task_params *p)
{
    if (!bimt__struct_init(p, sizeof *p)) return;
    p->n_eachring = 32;
    p->dt_ms = 20.0;
    p->tau_ms = 100.0;
    p->sigma_x = 0.01;
    p->rule_mask = 0;
    p->loss = BIMT_LOSS_MSE;
    p->input_noise = 1;
    p->easy_task = 0;
    p->seed = 1;
}

static int params_check(const bimt_task_params *p, char *e)
{
    if (p->struct_size != sizeof(*p))
        return bimt__fail(e, BIMT_E_VERSION,
                          "bimt_task_params.struct_size is %u, expected %u "
                          "(call bimt_task_params_init)",
                          (unsigned)p->struct_size, (unsigned)sizeof(*p));
    if (p->n_eachring < 4 || p->n_eachring > 1024)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "n_eachring must be in 4..1024 (got %u)",
                          (unsigned)p->n_eachring);
    if (!bimt__finite(p->dt_ms) || !bimt__finite(p->tau_ms) || p->dt_ms <= 0.0 || p->tau_ms <= 0.0)
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "dt_ms and tau_ms must be positive and finite (got %g, %g)", p->dt_ms,
                          p->tau_ms);
    if (p->dt_ms > p->tau_ms)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "dt_ms (%g) must not exceed tau_ms (%g)", p->dt_ms,
                          p->tau_ms);
    if (p->dt_ms < 1.0 || p->dt_ms > 200.0)
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "dt_ms must be in [1, 200] ms so every epoch is representable (got %g)",
                          p->dt_ms);
    if (!bimt__finite(p->sigma_x) || p->sigma_x < 0.0)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "sigma_x must be finite and >= 0 (got %g)",
                          p->sigma_x);
    if ((unsigned)p->loss > (unsigned)BIMT_LOSS_CROSS_ENTROPY)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "unknown loss %d", (int)p->loss);
    if (p->input_noise > 1 || p->easy_task > 1)
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "input_noise and easy_task must be 0 or 1 (got %u, %u)",
                          (unsigned)p->input_noise, (unsigned)p->easy_task);
    if (p->rule_mask >> BIMT_N_RULES)
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "rule_mask 0x%lx has bits above %d (only 20 rules exist)",
                          (unsigned long)p->rule_mask, BIMT_N_RULES - 1);
    if (p->input_noise > 1 || p->easy_task > 1) /* booleans: 0 or 1 only */
        return bimt__fail(e, BIMT_E_INVALID_ARG, "%s must be 0 or 1 (got %u)",
                          p->input_noise > 1 ? "input_noise" : "easy_task",
                          (unsigned)(p->input_noise > 1 ? p->input_noise : p->easy_task));
    return BIMT_OK;
}

int bimt_task_create(const bimt_task_params *params, bimt_task_t **out)
{
    if (!out) return bimt__err(BIMT_E_INVALID_ARG, "bimt_task_create: out is NULL");
    *out = NULL;
    bimt_task_params def;
    bimt_task_params_init(&def);
    int rc = bimt__params_in(&def, sizeof def, params, "bimt_task_params");
    if (rc) return rc;
    const bimt_task_params *p = &def;
    rc = params_check(p, NULL);
    if (rc) return rc;
    struct bimt_task *t = calloc(1, sizeof(*t));
    if (!t) return bimt__err(BIMT_E_NOMEM, "bimt_task_create: out of memory");
    t->p = *p;
    t->ring = p->n_eachring;
    t->n_in = 1 + 2 * t->ring + BIMT_N_RULES;
    t->n_out = 1 + t->ring;
    t->rule_start = 1 + 2 * t->ring;
    t->dt = p->dt_ms;
    t->noise_std = p->sigma_x * sqrt(2.0 / (p->dt_ms / p->tau_ms));
    bimt__rng_seed(&t->rng, p->seed, BIMT_STREAM_TASK);
    bimt__zig_init(&t->zig);
    t->errmsg[0] = '\0';
    *out = t;
    return BIMT_OK;
}

void bimt_task_free(bimt_task_t *task)
{
    if (!task) return;
    bimt__big_free_all((void *[]){task->x, task->y, task->mask, task->y_loc, task->trials,
                                  task->bumps, task->sigrows, task->rows},
                       8);
    free(task);
}

const char *bimt_task_errmsg(const bimt_task_t *task)
{
    if (!task) return "task handle is NULL";
    return task->errmsg;
}

uint32_t bimt_task_n_in(const bimt_task_t *task)
{
    return task ? (uint32_t)task->n_in : 0; /* <= 2 * 65536 + 1 rings' units */
}

uint32_t bimt_task_n_out(const bimt_task_t *task)
{
    return task ? (uint32_t)task->n_out : 0;
}

int bimt_task_get_params(const bimt_task_t *task, bimt_task_params *p)
{
    return bimt__params_out(task ? &task->p : NULL, p, sizeof *p, "bimt_task_get_params", "task");
}

int bimt_task_rule_enabled(const bimt_task_t *task, int rule)
{
    if (!task || rule < 0 || rule >= BIMT_N_RULES) return 0;
    if (task->p.rule_mask == 0) return 1;
    return (task->p.rule_mask >> rule) & 1u ? 1 : 0;
}

/* ------------------------------------------------------------------ sampling */

static void build(const struct bimt_task *t, bimt_rng *r, bimt__plan *p, bimt__trial *tr)
{
    if (p->rule <= BIMT_RULE_DELAYANTI)
        bimt__build_goanti(t, r, p, tr);
    else if (p->rule <= BIMT_RULE_MULTIDM)
        bimt__build_dm(t, r, p, tr);
    else if (p->rule <= BIMT_RULE_MULTIDELAYDM)
        bimt__build_delaydm(t, r, p, tr);
    else
        bimt__build_match(t, r, p, tr);
}

/* Builds the conditions of B trials and renders trials [b0, b0 + nb) of them as the batch
 * (random mode: b0 = 0, nb = B; a test grid may be rendered a slice at a time, since test
 * trials are noise-free and each is rendered from its own conditions alone). */
static int produce(struct bimt_task *t, int rule, size_t B, size_t b0, size_t nb, int test,
                   bimt_batch *out)
{
    int orc = bimt__out_check(out, "bimt_task_sample: out");
    if (orc) return bimt__fail(t->errmsg, orc, "%s", bimt_last_error());
    if (bimt__task_reserve_trials(t, B))
        return bimt__fail(t->errmsg, BIMT_E_NOMEM, "out of memory for %zu trials", B);
    bimt_rng r = t->rng; /* committed only on success */
    bimt__plan p;
    memset(&p, 0, sizeof(p));
    p.rule = rule;
    p.B = B;
    build(t, test ? NULL : &r, &p, t->trials);
    p.B = nb;
    if (bimt__task_reserve(t, p.T, nb))
        return bimt__fail(t->errmsg, BIMT_E_NOMEM,
                          "out of memory for a batch of %zu steps x %zu trials", p.T, nb);
    int noise = !test && t->p.input_noise && t->noise_std > 0.0;
    uint64_t key = noise ? bimt__rng_u64(&r) : 0;
    bimt__render(t, &p, t->trials + b0, noise, key);
    if (!test) t->rng = r;
    t->plan = p;

    bimt_batch full;
    memset(&full, 0, sizeof full);
    full.rule = rule;
    /* The counts fit 32 bits: T and go are steps of one trial, nb <= BIMT__MAX_BATCH, n_in and
     * n_out are bounded by the ring size (bimt_task_create). */
    full.n_steps = (uint32_t)p.T;
    full.batch_size = (uint32_t)nb;
    full.n_in = (uint32_t)t->n_in;
    full.n_out = (uint32_t)t->n_out;
    full.go_step = (uint32_t)p.go;
    full.n_epochs = (uint32_t)p.n_epochs;
    for (size_t i = 0; i < p.n_epochs; i++)
        full.epochs[i] = p.epochs[i];
    full.x = t->x;
    full.y = t->y;
    full.mask = t->mask;
    full.y_loc = t->y_loc;
    return bimt__out_write(out, &full, sizeof full, "bimt_task_sample: out");
}

int bimt_task_sample(bimt_task_t *task, int rule, uint32_t batch_size, bimt_batch *out)
{
    if (!task) return bimt__err(BIMT_E_INVALID_ARG, "bimt_task_sample: task is NULL");
    if (!out) return bimt__fail(task->errmsg, BIMT_E_INVALID_ARG, "bimt_task_sample: out is NULL");
    if (rule < 0 || rule >= BIMT_N_RULES)
        return bimt__fail(task->errmsg, BIMT_E_INVALID_ARG,
                          "bimt_task_sample: unknown rule %d (valid: 0..%d)", rule,
                          BIMT_N_RULES - 1);
    if (batch_size == 0 || batch_size > BIMT__MAX_BATCH)
        return bimt__fail(task->errmsg, BIMT_E_INVALID_ARG,
                          "bimt_task_sample: batch_size must be in 1..%u (got %u)", BIMT__MAX_BATCH,
                          (unsigned)batch_size);
    return produce(task, rule, batch_size, 0, batch_size, 0, out);
}

int bimt_task_sample_test(bimt_task_t *task, int rule, bimt_batch *out)
{
    if (!task) return bimt__err(BIMT_E_INVALID_ARG, "bimt_task_sample_test: task is NULL");
    if (!out)
        return bimt__fail(task->errmsg, BIMT_E_INVALID_ARG, "bimt_task_sample_test: out is NULL");
    if (rule < 0 || rule >= BIMT_N_RULES)
        return bimt__fail(task->errmsg, BIMT_E_INVALID_ARG,
                          "bimt_task_sample_test: unknown rule %d (valid: 0..%d)", rule,
                          BIMT_N_RULES - 1);
    size_t B = bimt__test_batch_size(rule);
    return produce(task, rule, B, 0, B, 1, out);
}

int bimt__task_sample_test_slice(bimt_task_t *task, int rule, size_t b0, size_t nb, bimt_batch *out)
{
    if (!task) return bimt__err(BIMT_E_INVALID_ARG, "bimt__task_sample_test_slice: task is NULL");
    if (!out || rule < 0 || rule >= BIMT_N_RULES)
        return bimt__fail(task->errmsg, BIMT_E_INVALID_ARG, "test slice: %s",
                          !out ? "out is NULL" : "unknown rule");
    size_t B = bimt__test_batch_size(rule);
    if (nb == 0 || b0 >= B || nb > B - b0)
        return bimt__fail(task->errmsg, BIMT_E_INVALID_ARG,
                          "test slice [%zu, %zu) is not inside the %zu trials of %s", b0, b0 + nb,
                          B, bimt_rule_name(rule));
    return produce(task, rule, B, b0, nb, 1, out);
}
