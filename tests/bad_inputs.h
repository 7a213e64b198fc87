/* The table-driven bad-input tests (issue 19, item 3) of tests/test_bad_inputs.c and
 * tests/test_bad_inputs_analysis.c share this fixture and runner. A case is one call with one
 * bad argument; the runner checks its code, that bimt_last_error() names the argument, that
 * every handle of the fixture is unchanged (parameters, gradients, slots, silenced set, the
 * task's, trainer's and optimizer's state, the sweep's runs) and that constructor outputs stay
 * NULL. */
#ifndef BIMT_BAD_INPUTS_H
#define BIMT_BAD_INPUTS_H

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "testutil.h"

#define INV BIMT_E_INVALID_ARG
#define VER BIMT_E_VERSION
#define SHP BIMT_E_SHAPE

/* The handles every case may be given, and the outputs of constructors. */
typedef struct fx {
    bimt_task_t *t;
    bimt_model_t *m;
    bimt_model_t *m_ce;    /* cross-entropy loss: not the task's */
    bimt_model_t *m_shape; /* n_in one larger than the task's */
    bimt_trainer_t *tr;
    bimt_optimizer_t *opt; /* 16 values, one step taken */
    bimt_sweep_t *sw;      /* one finished run, id "r0" */
    bimt_sweep_metrics met;
    size_t nh, np;
    float tv[BIMT_N_RULES * 9];
    float ntv[BIMT_N_RULES * 9];
    int32_t labels[9];
    uint8_t imp[9];
    uint8_t adj[16];
    float buf[4096], buf2[4096];
    double d[1024];
    uint64_t u[1024];
    uint32_t slots[64];
    char dir[256], path[300], garbage[300], missing[300];
    /* constructor outputs: NULL before each case, checked NULL after */
    bimt_model_t *om;
    bimt_task_t *ot;
    bimt_trainer_t *otr;
    bimt_optimizer_t *oopt;
    bimt_sweep_t *osw;
} fx;

typedef int (*case_fn)(fx *f);

typedef struct bad_case {
    const char *name;
    case_fn fn;
    int code;
    const char *want; /* substring of bimt_last_error(): the argument's name */
} bad_case;

/* X-macro helpers: CASES(X) lists X(name, code, want, body...). */
#define BAD_DEF(name, code, want, ...)                                                             \
    static int name(fx *f)                                                                         \
    {                                                                                              \
        (void)f;                                                                                   \
        __VA_ARGS__                                                                                \
    }
#define BAD_ROW(name, code, want, ...) {#name, name, code, want},

static void fx_make(fx *f)
{
    memset(f, 0, sizeof *f);
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 4;
    ck_assert_int_eq(bimt_task_create(&tp, &f->t), BIMT_OK);
    bimt_model_params mp;
    bimt_test_model_params(&mp, f->t, 3);
    ck_assert_int_eq(bimt_model_create(&mp, &f->m), BIMT_OK);
    mp.loss = BIMT_LOSS_CROSS_ENTROPY;
    ck_assert_int_eq(bimt_model_create(&mp, &f->m_ce), BIMT_OK);
    mp.loss = BIMT_LOSS_MSE;
    mp.n_in += 1;
    ck_assert_int_eq(bimt_model_create(&mp, &f->m_shape), BIMT_OK);
    f->nh = bimt_model_n_hidden(f->m);
    f->np = bimt_model_n_params(f->m);
    ck_assert(f->np <= 4096 && f->nh == 9);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 4;
    p.eval_interval = 0;
    ck_assert_int_eq(bimt_trainer_create(f->m, f->t, &p, &f->tr), BIMT_OK);
    bimt_step_info info;
    info.struct_size = (uint32_t)sizeof info;
    ck_assert_int_eq(bimt_trainer_step(f->tr, &info), BIMT_OK);
    ck_assert_int_eq(bimt_adam_create(16, NULL, &f->opt), BIMT_OK);
    for (int i = 0; i < 16; i++) {
        f->buf[i] = 0.1f * (float)i;
        f->buf2[i] = 0.01f * (float)(i - 8);
    }
    ck_assert_int_eq(bimt_adam_step(f->opt, f->buf, f->buf2), BIMT_OK);
    for (size_t i = 0; i < sizeof f->tv / sizeof f->tv[0]; i++) {
        f->tv[i] = (float)((i * 7919u) % 13u) * 0.01f;
        f->ntv[i] = (float)((i * 31u) % 11u) / 10.0f;
    }
    for (int k = 0; k < 9; k++) {
        f->labels[k] = k % 3;
        f->imp[k] = 1;
        f->slots[k] = (uint32_t)k;
    }
    /* a 4-node path graph */
    f->adj[1] = f->adj[4] = f->adj[6] = f->adj[9] = f->adj[11] = f->adj[14] = 1;
    ck_assert_int_eq(bimt_sweep_create(&f->sw), BIMT_OK);
    bimt_sweep_metrics_init(&f->met);
    f->met.perf_mean = 0.5;
    bimt_sweep_run r;
    bimt_sweep_run_init(&r);
    r.id = "r0";
    r.lambda = 0.001;
    r.A = 1.0;
    r.status = BIMT_SWEEP_OK;
    r.metrics = &f->met;
    ck_assert_int_eq(bimt_sweep_add_run(f->sw, &r), BIMT_OK);
    /* a folder for the files the cases would write (none must appear) */
    bimt_test_tmppath(f->dir, sizeof f->dir, "-bad");
    ck_assert_int_eq(mkdir(f->dir, 0700), 0);
    snprintf(f->path, sizeof f->path, "%s/out.svg", f->dir);
    snprintf(f->missing, sizeof f->missing, "%s/no/such/file", f->dir);
    snprintf(f->garbage, sizeof f->garbage, "%s/garbage.npz", f->dir);
    bimt_test_write_file(f->garbage, "not a checkpoint or json\n", 25);
}

static void fx_free(fx *f)
{
    bimt_trainer_free(f->tr);
    bimt_model_free(f->m);
    bimt_model_free(f->m_ce);
    bimt_model_free(f->m_shape);
    bimt_task_free(f->t);
    bimt_optimizer_free(f->opt);
    bimt_sweep_free(f->sw);
    unlink(f->garbage);
    rmdir(f->dir);
}

/* What a case must leave as it was. */
typedef struct snap {
    float params[4096], grad[4096], m1[4096], v1[4096], om[16], ov[16], osz[16];
    uint32_t slots[64];
    size_t n_silenced, n_params;
    bimt_model_params mp;
    bimt_task_params tp;
    bimt_trainer_params trp;
    uint64_t tr_steps, tr_opt_steps, opt_steps;
    uint32_t sw_runs, sw_summaries;
    size_t dir_entries;
} snap;

static size_t count_entries(const char *dir)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (p) {
        if (fscanf(p, "%zu", &n) != 1) n = 0;
        pclose(p);
    }
    return n;
}

static void snap_take(const fx *f, snap *s, int with_dir)
{
    memset(s, 0, sizeof *s);
    s->n_params = bimt_model_n_params(f->m);
    memcpy(s->params, bimt_model_params_view(f->m), s->n_params * sizeof(float));
    memcpy(s->grad, bimt_model_grad_data((bimt_model_t *)f->m), s->n_params * sizeof(float));
    memcpy(s->slots, bimt_model_slots(f->m), f->nh * sizeof(uint32_t));
    s->n_silenced = bimt_model_n_silenced(f->m);
    s->mp.struct_size = (uint32_t)sizeof s->mp;
    ck_assert_int_eq(bimt_model_get_params(f->m, &s->mp), BIMT_OK);
    s->tp.struct_size = (uint32_t)sizeof s->tp;
    ck_assert_int_eq(bimt_task_get_params(f->t, &s->tp), BIMT_OK);
    s->trp.struct_size = (uint32_t)sizeof s->trp;
    ck_assert_int_eq(bimt_trainer_get_params(f->tr, &s->trp), BIMT_OK);
    s->tr_steps = bimt_trainer_steps(f->tr);
    const bimt_optimizer_t *to = bimt_trainer_optimizer(f->tr);
    s->tr_opt_steps = bimt_adam_steps(to);
    const float *m = NULL, *v = NULL;
    ck_assert_int_eq(bimt_adam_moments(to, &m, &v), BIMT_OK);
    memcpy(s->m1, m, s->n_params * sizeof(float));
    memcpy(s->v1, v, s->n_params * sizeof(float));
    s->opt_steps = bimt_adam_steps(f->opt);
    ck_assert_int_eq(bimt_adam_moments(f->opt, &m, &v), BIMT_OK);
    memcpy(s->om, m, sizeof s->om);
    memcpy(s->ov, v, sizeof s->ov);
    ck_assert_int_eq(bimt_adam_step_sizes(f->opt, 16, s->osz), BIMT_OK); /* holds lr, clip */
    s->sw_runs = bimt_sweep_n_runs(f->sw);
    s->sw_summaries = bimt_sweep_n_summaries(f->sw);
    s->dir_entries = with_dir ? count_entries(f->dir) : 0;
}

/* NULL when equal, else what differs. */
static const char *snap_diff(const snap *a, const snap *b)
{
#define SAME(field) (memcmp(&a->field, &b->field, sizeof a->field) == 0)
    if (!SAME(n_params) || !SAME(params)) return "model parameters changed";
    if (!SAME(grad)) return "model gradients changed";
    if (!SAME(slots)) return "model slots changed";
    if (!SAME(n_silenced)) return "model silenced set changed";
    if (!SAME(mp)) return "model params changed";
    if (!SAME(tp)) return "task params changed";
    if (!SAME(trp)) return "trainer params changed";
    if (!SAME(tr_steps) || !SAME(tr_opt_steps)) return "trainer step count changed";
    if (!SAME(m1) || !SAME(v1)) return "trainer Adam moments changed";
    if (!SAME(opt_steps) || !SAME(om) || !SAME(ov) || !SAME(osz)) return "optimizer changed";
    if (!SAME(sw_runs) || !SAME(sw_summaries)) return "sweep changed";
    if (!SAME(dir_entries)) return "a file was written";
#undef SAME
    return NULL;
}

/* Runs every case; prints each failure; returns how many failed. */
static int run_cases(fx *f, const bad_case *cs, size_t n)
{
    int failed = 0;
    static snap before, after;
    for (size_t i = 0; i < n; i++) {
        const bad_case *c = &cs[i];
        int with_dir = strstr(c->name, "plot") || strstr(c->name, "write") ||
                       strstr(c->name, "save") || strstr(c->name, "report");
        snap_take(f, &before, with_dir);
        f->om = NULL;
        f->ot = NULL;
        f->otr = NULL;
        f->oopt = NULL;
        f->osw = NULL;
        bimt_clear_error();
        int rc = c->fn(f);
        const char *msg = bimt_last_error();
        const char *why = NULL;
        if (rc != c->code)
            why = "wrong code";
        else if (msg[0] == '\0')
            why = "no message";
        else if (!strstr(msg, c->want))
            why = "message does not name the argument";
        else if (f->om || f->ot || f->otr || f->oopt || f->osw)
            why = "constructor output not NULL";
        if (!why) {
            snap_take(f, &after, with_dir);
            why = snap_diff(&before, &after);
        }
        if (why) {
            fprintf(stderr, "FAIL %s: %s (rc %d, want %d '%s'; message '%s')\n", c->name, why, rc,
                    c->code, c->want, msg);
            failed++;
        }
        bimt_trainer_free(f->otr);
        bimt_model_free(f->om);
        bimt_task_free(f->ot);
        bimt_optimizer_free(f->oopt);
        bimt_sweep_free(f->osw);
    }
    return failed;
}

/* The Check program of a table of cases: one test that runs them all and fails if any case
 * failed (stderr lists each failure). name: the suite; what: the headers the table covers. */
#define BAD_INPUTS_PROGRAM(table, name, what)                                                      \
    START_TEST(name##_all)                                                                         \
    {                                                                                              \
        fx f;                                                                                      \
        fx_make(&f);                                                                               \
        size_t n = sizeof table / sizeof table[0];                                                 \
        int failed = run_cases(&f, table, n);                                                      \
        fprintf(stderr, #name " (" what "): %zu cases\n", n);                                      \
        fx_free(&f);                                                                               \
        ck_assert_msg(failed == 0, "%d of %zu bad-input cases failed (see stderr)", failed, n);    \
    }                                                                                              \
    END_TEST                                                                                       \
    int main(void)                                                                                 \
    {                                                                                              \
        Suite *s = suite_create(#name);                                                            \
        TCase *tc = tcase_create("core");                                                          \
        tcase_set_timeout(tc, 300);                                                                \
        tcase_add_test(tc, name##_all);                                                            \
        suite_add_tcase(s, tc);                                                                    \
        return bimt_test_run(s);                                                                   \
    }

#endif
