/*
 * grow_brain: the main job of libbimt.
 *
 * Trains a recurrent network whose hidden neurons sit on a 2D grid on all 20 cognitive tasks
 * of Yang et al. (2019) with brain-inspired modular training (BIMT: a connection cost that
 * grows with wiring distance, plus neuron swaps), then writes a report folder: the seed
 * paper's figures as SVG, metrics.json, the final checkpoint model.npz and index.html.
 *
 *   grow_brain                       default run (see DEFAULTS below), report in ./report
 *   grow_brain --arm l1 --out l1/    the L1 control arm
 *   grow_brain --help                every option
 *
 * Exit codes: 0 success, 1 run-time failure, 2 bad command line or configuration,
 * 130 interrupted by Ctrl-C (the report of what was trained so far is still written).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bimt/bimt.h"

/* ======================================================================================
 * DEFAULTS: the one table that fixes what a plain `grow_brain` does. Tune here.
 * Every key can also be set in a --config file (`key = value` lines); the keys marked
 * (option) are also command-line options, which win over the file.
 * The default is a fixed step count (reproducible), sized to finish within about ten
 * minutes on two cores.
 * ====================================================================================== */
typedef struct gb_config {
    /* run */
    uint64_t steps;    /* (option) training steps (batches) */
    uint64_t seed;     /* (option) seed of the model, the task and the trainer */
    char out[1024];    /* (option) report folder */
    uint32_t shuffles; /* (option) shuffles of each anatomical null */
    /* model */
    uint32_t grid; /* (option) grid side: grid x grid hidden neurons */
    bimt_activation activation;
    bimt_init init;
    double init_scale;
    double alpha;     /* leak dt/tau */
    double sigma_rec; /* recurrent noise */
    bimt_loss loss;
    uint32_t io_layout; /* bimt_io_layout: whether inputs and outputs sit beside the grid */
    /* trainer */
    bimt_arm arm;         /* (option) bimt, l1 or none */
    double lambda;        /* (option) connection-cost weight after the warm-up */
    double lambda_start;  /* lambda during the warm-up (small, lets the tasks be learnt) */
    double warmup_frac;   /* fraction of the steps trained with lambda_start (0 = none) */
    double easy_frac;     /* fraction of the steps trained on easy coherences (curriculum) */
    double A;             /* (option) distance weight of the connection cost */
    uint32_t l1_proximal; /* 0: cost subgradient in the gradient; 1: proximal step */
    double lr;            /* Adam learning rate at the start */
    double lr_end;        /* learning rate at the end: cosine decay from lr (= lr: constant) */
    double rule_weight[BIMT_N_RULES]; /* sampling weight of each rule (key weight.<rule>) */
    uint32_t batch;                   /* trials per step */
    double grad_clip;                 /* element-wise gradient clipping, 0 = off */
    uint32_t swap_interval;           /* steps between swap passes (arm bimt) */
    uint32_t top_k;                   /* neurons per swap pass */
    uint32_t eval_interval;           /* steps between evaluations */
    uint32_t eval_trials;             /* trials per task per evaluation during training */
    uint32_t final_eval_trials;       /* trials per task of the final evaluation (the report's) */
    uint32_t
        progress_every; /* steps between progress lines when stderr is not a terminal (0 = auto) */
} gb_config;

static const gb_config DEFAULTS = {
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
    .l1_proximal = 0,
    .lr = 2e-3, /* 3e-3 and 5e-3 diverged or died early */
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

#define EXIT_USAGE 2
#define MAX_DIVERGENCES 8
#define EXIT_INTERRUPTED 130

static volatile sig_atomic_t g_interrupted = 0;

static void on_sigint(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: grow_brain [options]\n"
        "\n"
        "Trains an RNN on a grid on Yang et al.'s 20 cognitive tasks with brain-inspired\n"
        "modular training, then writes a report folder (SVG figures, metrics.json,\n"
        "model.npz, index.html).\n"
        "\n"
        "options:\n"
        "  --arm bimt|l1|none   training arm (default bimt)\n"
        "  --lambda X           connection-cost weight after the warm-up (default %g)\n"
        "  --A X                distance weight of the connection cost (default %g)\n"
        "  --grid N             grid side, N x N hidden neurons, 2..64 (default %u)\n"
        "  --steps N            training steps (default %llu)\n"
        "  --seed N             seed of model, task and trainer (default %llu)\n"
        "  --out DIR            report folder (default %s)\n"
        "  --shuffles N         shuffles of each anatomical null, 0..1000000 (default %u)\n"
        "  --config FILE        read 'key = value' lines first; keys: the options above and\n"
        "                       activation, init, init_scale, alpha, sigma_rec, loss,\n"
        "                       lambda_start, warmup_frac, easy_frac, lr, lr_end (cosine decay),\n"
        "                       l1_step (subgradient|proximal), io (edges|none; default edges),\n"
        "                       weight.<rule> (sampling weight, e.g. weight.contextdm1),\n"
        "                       batch, grad_clip,\n"
        "                       swap_interval, top_k, eval_interval, eval_trials,\n"
        "                       final_eval_trials,\n"
        "                       progress_every ('#' starts a comment)\n"
        "  --quiet              no progress and no summary (errors still go to stderr)\n"
        "  --check              check the options and the config file (and that model and\n"
        "                       trainer accept them), then exit: 0 valid, 2 not; no output\n"
        "  --help               this text\n"
        "\n"
        "BLAS threads: set OPENBLAS_NUM_THREADS. Ctrl-C stops training and still writes\n"
        "the report of what was trained so far (exit code 130).\n",
        DEFAULTS.lambda, DEFAULTS.A, (unsigned)DEFAULTS.grid, (unsigned long long)DEFAULTS.steps,
        (unsigned long long)DEFAULTS.seed, DEFAULTS.out, (unsigned)DEFAULTS.shuffles);
}

/* ------------------------------------------------------------------ parsing */

/* Error text of the last failed parse (printed by the caller with its context). */
typedef struct perr {
    char msg[512];
} perr;

static int fail(perr *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_double(const char *key, const char *v, double lo, double hi, int lo_open,
                        double *out, perr *e)
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
                     perr *e)
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

static int parse_u32(const char *key, const char *v, uint32_t lo, uint32_t hi, uint32_t *out,
                     perr *e)
{
    uint64_t x;
    if (parse_u64(key, v, lo, hi, &x, e)) return -1;
    *out = (uint32_t)x;
    return 0;
}

static int parse_choice(const char *key, const char *v, const char *const *names, int n, int *out,
                        perr *e)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return 0;
        }
    char list[128] = "";
    for (int i = 0; i < n; i++) {
        strncat(list, names[i], sizeof list - strlen(list) - 1);
        if (i + 1 < n) strncat(list, "|", sizeof list - strlen(list) - 1);
    }
    return fail(e, "%s: '%s' is not one of %s", key, v, list);
}

/* Applies one key = value (from a config file or an option). */
static int set_key(gb_config *c, const char *k, const char *v, perr *e)
{
    static const char *const arms[] = {"bimt", "l1", "none"};
    static const char *const acts[] = {"softplus", "relu", "tanh"};
    static const char *const inits[] = {"diag", "randortho", "gauss"};
    static const char *const losses[] = {"mse", "ce"};
    static const char *const l1_steps[] = {"subgradient", "proximal"};
    static const char *const ios[] = {"none", "edges"};
    int i;
    if (strcmp(k, "arm") == 0) {
        if (parse_choice(k, v, arms, 3, &i, e)) return -1;
        c->arm = (bimt_arm)i;
        return 0;
    }
    if (strcmp(k, "activation") == 0) {
        if (parse_choice(k, v, acts, 3, &i, e)) return -1;
        c->activation = (bimt_activation)i;
        return 0;
    }
    if (strcmp(k, "init") == 0) {
        if (parse_choice(k, v, inits, 3, &i, e)) return -1;
        c->init = (bimt_init)i;
        return 0;
    }
    if (strcmp(k, "loss") == 0) {
        if (parse_choice(k, v, losses, 2, &i, e)) return -1;
        c->loss = (bimt_loss)i;
        return 0;
    }
    if (strcmp(k, "io") == 0) {
        if (parse_choice(k, v, ios, 2, &i, e)) return -1;
        c->io_layout = (uint32_t)i;
        return 0;
    }
    if (strcmp(k, "l1_step") == 0) {
        if (parse_choice(k, v, l1_steps, 2, &i, e)) return -1;
        c->l1_proximal = (uint32_t)i;
        return 0;
    }
    if (strcmp(k, "out") == 0) {
        if (!*v || strlen(v) >= sizeof c->out - 32) return fail(e, "out: empty or too long");
        snprintf(c->out, sizeof c->out, "%s", v);
        return 0;
    }
    if (strcmp(k, "lambda") == 0) return parse_double(k, v, 0.0, 10.0, 0, &c->lambda, e);
    if (strcmp(k, "lambda_start") == 0)
        return parse_double(k, v, 0.0, 10.0, 0, &c->lambda_start, e);
    if (strcmp(k, "warmup_frac") == 0) return parse_double(k, v, 0.0, 0.99, 0, &c->warmup_frac, e);
    if (strcmp(k, "easy_frac") == 0) return parse_double(k, v, 0.0, 1.0, 0, &c->easy_frac, e);
    if (strcmp(k, "A") == 0) return parse_double(k, v, 0.0, 1e6, 0, &c->A, e);
    if (strcmp(k, "lr") == 0) return parse_double(k, v, 0.0, 1.0, 1, &c->lr, e);
    if (strcmp(k, "lr_end") == 0) return parse_double(k, v, 0.0, 1.0, 1, &c->lr_end, e);
    if (strncmp(k, "weight.", 7) == 0) {
        for (int r = 0; r < BIMT_N_RULES; r++)
            if (strcmp(k + 7, bimt_rule_name(r)) == 0)
                return parse_double(k, v, 0.0, 1e6, 0, &c->rule_weight[r], e);
        return fail(e, "%s: unknown rule '%s' (see docs/tasks.md for the 20 names)", k, k + 7);
    }
    if (strcmp(k, "grad_clip") == 0) return parse_double(k, v, 0.0, 1e6, 0, &c->grad_clip, e);
    if (strcmp(k, "init_scale") == 0) return parse_double(k, v, 0.0, 100.0, 0, &c->init_scale, e);
    if (strcmp(k, "alpha") == 0) return parse_double(k, v, 0.0, 1.0, 1, &c->alpha, e);
    if (strcmp(k, "sigma_rec") == 0) return parse_double(k, v, 0.0, 10.0, 0, &c->sigma_rec, e);
    if (strcmp(k, "steps") == 0) return parse_u64(k, v, 0, 1000000000ULL, &c->steps, e);
    if (strcmp(k, "seed") == 0) return parse_u64(k, v, 0, UINT64_MAX, &c->seed, e);
    if (strcmp(k, "grid") == 0) return parse_u32(k, v, 2, 64, &c->grid, e);
    if (strcmp(k, "shuffles") == 0) return parse_u32(k, v, 0, 1000000, &c->shuffles, e);
    if (strcmp(k, "batch") == 0) return parse_u32(k, v, 1, 4096, &c->batch, e);
    if (strcmp(k, "swap_interval") == 0)
        return parse_u32(k, v, 0, 1000000000u, &c->swap_interval, e);
    if (strcmp(k, "top_k") == 0) return parse_u32(k, v, 1, 65536, &c->top_k, e);
    if (strcmp(k, "eval_interval") == 0)
        return parse_u32(k, v, 0, 1000000000u, &c->eval_interval, e);
    if (strcmp(k, "eval_trials") == 0) return parse_u32(k, v, 1, 100000, &c->eval_trials, e);
    if (strcmp(k, "final_eval_trials") == 0)
        return parse_u32(k, v, 1, 100000, &c->final_eval_trials, e);
    if (strcmp(k, "progress_every") == 0)
        return parse_u32(k, v, 0, 1000000000u, &c->progress_every, e);
    return fail(e, "unknown key '%s'", k);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static int load_config(gb_config *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "grow_brain: cannot read config file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[2048];
    int ln = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (!strchr(line, '\n') && !feof(f)) {
            fprintf(stderr, "grow_brain: %s:%d: line too long\n", path, ln);
            rc = -1;
            break;
        }
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *s = trim(line);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(stderr, "grow_brain: %s:%d: expected 'key = value'\n", path, ln);
            rc = -1;
            break;
        }
        *eq = '\0';
        perr e;
        if (set_key(c, trim(s), trim(eq + 1), &e)) {
            fprintf(stderr, "grow_brain: %s:%d: %s\n", path, ln, e.msg);
            rc = -1;
            break;
        }
    }
    if (!rc && ferror(f)) {
        fprintf(stderr, "grow_brain: error reading %s\n", path);
        rc = -1;
    }
    fclose(f);
    return rc;
}

typedef struct gb_args {
    gb_config c;
    int quiet, help, check;
} gb_args;

/* Options that are command-line options (the others only in --config files). */
static int is_option_key(const char *k)
{
    static const char *const opts[] = {"arm",   "lambda", "A",   "grid",
                                       "steps", "seed",   "out", "shuffles"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(k, opts[i]) == 0) return 1;
    return 0;
}

static int parse_args(int argc, char **argv, gb_args *a)
{
    a->c = DEFAULTS;
    a->quiet = a->help = a->check = 0;
    /* Pass 1: --help and --config (the file is applied before the other options). */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            a->help = 1;
            return 0;
        }
    }
    for (int pass = 1; pass <= 2; pass++) {
        for (int i = 1; i < argc; i++) {
            const char *arg = argv[i];
            if (strncmp(arg, "--", 2) != 0) {
                fprintf(stderr, "grow_brain: unexpected argument '%s' (see --help)\n", arg);
                return -1;
            }
            char key[64];
            const char *val = NULL;
            const char *eq = strchr(arg, '=');
            size_t kl = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            if (kl == 0 || kl >= sizeof key) {
                fprintf(stderr, "grow_brain: unknown option '%s' (see --help)\n", arg);
                return -1;
            }
            memcpy(key, arg + 2, kl);
            key[kl] = '\0';
            if (strcmp(key, "quiet") == 0 || strcmp(key, "check") == 0) {
                if (eq) {
                    fprintf(stderr, "grow_brain: --%s takes no value\n", key);
                    return -1;
                }
                if (key[0] == 'q')
                    a->quiet = 1;
                else
                    a->check = 1;
                continue;
            }
            if (strcmp(key, "config") != 0 && !is_option_key(key)) {
                fprintf(stderr, "grow_brain: unknown option '--%s' (see --help)\n", key);
                return -1;
            }
            if (eq) {
                val = eq + 1;
            } else {
                if (i + 1 >= argc) {
                    fprintf(stderr, "grow_brain: option --%s needs a value\n", key);
                    return -1;
                }
                val = argv[++i];
            }
            if (strcmp(key, "config") == 0) {
                if (pass == 1 && load_config(&a->c, val)) return -1;
                continue;
            }
            if (pass == 2) {
                perr e;
                if (set_key(&a->c, key, val, &e)) {
                    fprintf(stderr, "grow_brain: --%s\n", e.msg);
                    return -1;
                }
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ progress */

typedef struct progress {
    int quiet, tty;
    uint64_t total, every;
    double t0, last_print;
    double t_first;      /* time of the first callback (its step includes an evaluation) */
    uint64_t first_step; /* step of the first callback, 0 before it */
    uint64_t last_eval_step;
    double last_mean;
    bimt_trainer_t *tr; /* for the learning-rate schedule */
    double lr, lr_end;
    double lr_scale;     /* halved at each divergence */
    uint64_t easy_steps; /* steps [0, easy_steps) train on easy coherences */
} progress;

/* Cosine decay from lr at step 0 to lr_end at the last step (a function of the step alone,
 * so a run is reproducible bit for bit). */
static double lr_at(const progress *p, uint64_t step)
{
    if (p->total == 0 || p->lr == p->lr_end) return p->lr_scale * p->lr;
    double f = (double)step / (double)p->total;
    return p->lr_scale *
           (p->lr_end + 0.5 * (p->lr - p->lr_end) * (1.0 + cos(3.14159265358979323846 * f)));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fmt_duration(char *out, size_t len, double s)
{
    if (!(s >= 0.0) || s > 1e8) {
        snprintf(out, len, "?");
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(out, len, "%luh%02lum", t / 3600, (t / 60) % 60);
    else if (t >= 60)
        snprintf(out, len, "%lum%02lus", t / 60, t % 60);
    else
        snprintf(out, len, "%lus", t);
}

static int on_step(const bimt_step_info *info, void *payload)
{
    progress *p = payload;
    if (p->easy_steps > 0 && info->step == p->easy_steps &&
        bimt_trainer_set_param(p->tr, BIMT_TP_EASY_TRAIN, 0.0) != BIMT_OK)
        return 1;
    if ((p->lr != p->lr_end || p->lr_scale != 1.0) &&
        bimt_trainer_set_param(p->tr, BIMT_TP_LEARNING_RATE, lr_at(p, info->step)) != BIMT_OK)
        return 1;
    if (!p->quiet) {
        double t = now_s();
        if (p->first_step == 0) {
            p->first_step = info->step;
            p->t_first = t;
        }
        int new_eval = info->mean_perf >= 0.0 && info->mean_perf != p->last_mean;
        int last = info->step >= p->total;
        int due = p->tty ? (t - p->last_print >= 0.25 || last || new_eval)
                         : (info->step % p->every == 0 || last);
        if (due) {
            char eta[32], perf[64];
            uint64_t done = info->step - p->first_step;
            fmt_duration(eta, sizeof eta,
                         done ? (t - p->t_first) / (double)done * (double)(p->total - info->step)
                              : -1.0);
            if (info->mean_perf >= 0.0)
                snprintf(perf, sizeof perf, "perf %.3f (min %.3f)", info->mean_perf,
                         info->min_perf);
            else
                snprintf(perf, sizeof perf, "perf -");
            fprintf(stderr, "%sstep %llu/%llu  loss %.4f  lambda %.1e  %s  %.0f trials/s  ETA %s%s",
                    p->tty ? "\r" : "", (unsigned long long)info->step,
                    (unsigned long long)p->total, info->loss, info->lambda, perf,
                    info->trials_per_s, eta, p->tty ? "\033[K" : "\n");
            if (p->tty && new_eval) fputc('\n', stderr); /* keep each evaluation on screen */
            fflush(stderr);
            p->last_print = t;
        }
        if (new_eval) p->last_mean = info->mean_perf;
    }
    return g_interrupted ? 1 : 0;
}

/* ------------------------------------------------------------------ main */

static int mkdir_p(const char *dir)
{
    char buf[1100];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static void summary(const gb_config *c, bimt_model_t *m, bimt_task_t *t, const double *perf,
                    double secs, uint64_t steps)
{
    char dur[32];
    fmt_duration(dur, sizeof dur, secs);
    double sum = 0.0, mn = 1.0;
    int n = 0, above = 0;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        if (perf[r] < 0.0) continue;
        sum += perf[r];
        mn = perf[r] < mn ? perf[r] : mn;
        above += perf[r] >= 0.9;
        n++;
    }
    printf("grow_brain: arm %s, %ux%u grid, %llu steps in %s\n",
           c->arm == BIMT_ARM_BIMT ? "bimt"
           : c->arm == BIMT_ARM_L1 ? "l1"
                                   : "none",
           (unsigned)c->grid, (unsigned)c->grid, (unsigned long long)steps, dur);
    if (n)
        printf("  performance: mean %.3f, min %.3f, %d of %d tasks >= 0.9\n", sum / n, mn, above,
               n);
    /* The headline modularity numbers, from the same analysis calls the report uses. */
    size_t nh = bimt_model_n_hidden(m);
    float *tv = malloc(BIMT_N_RULES * nh * sizeof(float));
    int32_t *labels = malloc(nh * sizeof(int32_t));
    if (tv && labels && bimt_task_variance(m, t, tv) == BIMT_OK) {
        bimt_cluster_params cp;
        bimt_cluster_params_init(&cp);
        cp.seed = c->seed;
        uint32_t n_imp = 0, n_cl = 0;
        double sil = 0.0;
        uint8_t *imp = malloc(nh);
        if (imp &&
            bimt_important_neurons(tv, BIMT_N_RULES, nh, cp.importance_threshold, imp, &n_imp) ==
                BIMT_OK &&
            bimt_cluster_task_variance(tv, BIMT_N_RULES, nh, &cp, labels, &n_cl, &sil) == BIMT_OK) {
            printf("  important neurons %u of %zu, %u functional clusters (silhouette %.3f)\n",
                   (unsigned)n_imp, nh, (unsigned)n_cl, sil);
            bimt_anatomy an;
            if (bimt_anatomy_metrics(m, labels, c->shuffles, cp.seed, &an, NULL, NULL) == BIMT_OK &&
                isfinite(an.isolated_fraction))
                printf("  isolated fraction %.3f (null %.3f +- %.3f, p %.3g); cluster size "
                       "%.3f (null %.3f +- %.3f, p %.3g)\n",
                       an.isolated_fraction, an.isolated_null_mean, an.isolated_null_sd,
                       an.isolated_p, an.cluster_size, an.size_null_mean, an.size_null_sd,
                       an.size_p);
            bimt_wiring w;
            if (bimt_wiring_stats(m, tv, cp.importance_threshold, 1e-2, &w) == BIMT_OK)
                printf("  active connections %u, wiring length %.2f, spectral radius %.3f\n",
                       (unsigned)w.n_active_edges, w.wiring_length, w.spectral_radius);
        }
        free(imp);
    }
    free(tv);
    free(labels);
}

int main(int argc, char **argv)
{
    gb_args a;
    if (parse_args(argc, argv, &a)) return EXIT_USAGE;
    if (a.help) {
        usage(stdout);
        return 0;
    }
    const gb_config *c = &a.c;

    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.loss = c->loss;
    tp.seed = c->seed;
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = c->grid;
    mp.activation = c->activation;
    mp.init = c->init;
    mp.init_scale = c->init_scale;
    mp.alpha = c->alpha;
    mp.sigma_rec = c->sigma_rec;
    mp.loss = c->loss;
    mp.seed = c->seed;
    mp.io_layout = c->io_layout;
    bimt_trainer_params trp;
    bimt_trainer_params_init(&trp);
    trp.arm = c->arm;
    trp.batch_size = c->batch;
    trp.learning_rate = c->lr;
    trp.grad_clip = c->grad_clip;
    trp.lambda = c->lambda;
    trp.A = c->A;
    trp.l1_proximal = c->l1_proximal;
    uint64_t warm = (uint64_t)(c->warmup_frac * (double)c->steps);
    if (warm > 0 && c->arm != BIMT_ARM_NONE) {
        trp.n_schedule = 2;
        trp.schedule_step[0] = 0;
        trp.schedule_lambda[0] = c->lambda_start;
        trp.schedule_step[1] = warm;
        trp.schedule_lambda[1] = c->lambda;
    }
    trp.swap_interval = c->swap_interval;
    trp.swap_top_k = c->top_k;
    trp.eval_interval = c->eval_interval;
    trp.eval_batch = c->eval_trials;
    trp.seed = c->seed;
    for (int r = 0; r < BIMT_N_RULES; r++)
        trp.rule_weight[r] = c->rule_weight[r];

    bimt_task_t *task = NULL;
    bimt_model_t *model = NULL;
    bimt_trainer_t *tr = NULL;
    int rc = bimt_task_create(&tp, &task);
    if (rc) {
        fprintf(stderr, "grow_brain: task: %s\n", bimt_task_errmsg(task));
        return EXIT_USAGE;
    }
    rc = bimt_model_create(&mp, &model);
    if (rc) {
        fprintf(stderr, "grow_brain: model: %s (%s)\n", bimt_status_str(rc),
                rc == BIMT_E_INVALID_ARG ? "check the model keys" : "");
        bimt_task_free(task);
        return rc == BIMT_E_INVALID_ARG ? EXIT_USAGE : 1;
    }
    rc = bimt_trainer_create(model, task, &trp, &tr);
    if (rc) {
        fprintf(stderr, "grow_brain: trainer: %s\n", bimt_status_str(rc));
        bimt_model_free(model);
        bimt_task_free(task);
        return rc == BIMT_E_INVALID_ARG ? EXIT_USAGE : 1;
    }
    if (a.check) goto done; /* rc is BIMT_OK: everything was accepted */
    if (mkdir_p(c->out) != 0) {
        fprintf(stderr, "grow_brain: cannot create the report folder %s: %s\n", c->out,
                strerror(errno));
        rc = 1;
        goto done;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C ends the program at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);

    progress pr;
    memset(&pr, 0, sizeof pr);
    pr.quiet = a.quiet;
    pr.tty = isatty(STDERR_FILENO);
    pr.total = c->steps;
    pr.every = c->progress_every ? c->progress_every : (c->steps >= 20 ? c->steps / 20 : 1);
    pr.t0 = pr.last_print = now_s();
    pr.last_mean = -1.0;
    pr.tr = tr;
    pr.lr = c->lr;
    pr.lr_end = c->lr_end;
    pr.lr_scale = 1.0;
    pr.easy_steps = (uint64_t)(c->easy_frac * (double)c->steps);
    if (pr.easy_steps > 0 && bimt_trainer_set_param(tr, BIMT_TP_EASY_TRAIN, 1.0) != BIMT_OK) {
        fprintf(stderr, "grow_brain: %s\n", bimt_trainer_errmsg(tr));
        rc = 1;
        goto done;
    }
    if (!a.quiet)
        fprintf(stderr,
                "grow_brain: training arm %s on %ux%u grid for %llu steps "
                "(batch %u, lr %g -> %g, lambda %g, A %g); report in %s/\n",
                c->arm == BIMT_ARM_BIMT ? "bimt"
                : c->arm == BIMT_ARM_L1 ? "l1"
                                        : "none",
                (unsigned)c->grid, (unsigned)c->grid, (unsigned long long)c->steps,
                (unsigned)c->batch, c->lr, c->lr_end, c->lambda, c->A, c->out);
    /* A step that diverges is undone by the trainer (parameters and Adam moments restored);
     * the run goes on with half the learning rate, at most MAX_DIVERGENCES times. */
    rc = BIMT_OK;
    for (int n_div = 0; bimt_trainer_steps(tr) < c->steps && !g_interrupted;) {
        rc = bimt_trainer_run(tr, c->steps - bimt_trainer_steps(tr), on_step, &pr);
        if (rc != BIMT_E_NUMERIC || ++n_div > MAX_DIVERGENCES) break;
        pr.lr_scale *= 0.5;
        if (!a.quiet)
            fprintf(stderr,
                    "%sgrow_brain: %s; continuing with the learning rate halved "
                    "(x%g)\n",
                    pr.tty ? "\n" : "", bimt_trainer_errmsg(tr), pr.lr_scale);
        if (bimt_trainer_set_param(tr, BIMT_TP_LEARNING_RATE, lr_at(&pr, bimt_trainer_steps(tr))) !=
            BIMT_OK)
            break;
        rc = BIMT_OK;
    }
    double secs = now_s() - pr.t0;
    if (pr.tty && !a.quiet) fputc('\n', stderr);
    if (rc) {
        fprintf(stderr, "grow_brain: training stopped at step %llu: %s\n",
                (unsigned long long)bimt_trainer_steps(tr), bimt_trainer_errmsg(tr));
        fprintf(stderr, "grow_brain: writing the report of the model before the failed step\n");
    }
    int train_rc = rc;
    if (g_interrupted && !a.quiet)
        fprintf(stderr, "grow_brain: interrupted at step %llu; writing the report\n",
                (unsigned long long)bimt_trainer_steps(tr));

    /* Final evaluation, so the report shows the network as it ends. */
    double perf[BIMT_N_RULES];
    rc = bimt_trainer_evaluate(tr, c->final_eval_trials, perf);
    if (rc) {
        fprintf(stderr, "grow_brain: final evaluation: %s\n", bimt_trainer_errmsg(tr));
        rc = 1;
        goto done;
    }
    char path[1100];
    snprintf(path, sizeof path, "%s/model.npz", c->out);
    rc = bimt_trainer_save(tr, path);
    if (rc) {
        fprintf(stderr, "grow_brain: checkpoint: %s\n", bimt_trainer_errmsg(tr));
        rc = 1;
        goto done;
    }
    if (!a.quiet) fprintf(stderr, "grow_brain: analysing and writing the report...\n");
    bimt_cluster_params cp;
    bimt_cluster_params_init(&cp);
    cp.seed = c->seed;
    rc = bimt_report_write(c->out, model, task, tr, &cp, c->shuffles);
    if (rc) {
        fprintf(stderr, "grow_brain: report: %s\n", bimt_model_errmsg(model));
        rc = 1;
        goto done;
    }
    if (!a.quiet) {
        summary(c, model, task, perf, secs, bimt_trainer_steps(tr));
        printf("report: %s/index.html\n", c->out);
    }
    rc = train_rc ? 1 : g_interrupted ? EXIT_INTERRUPTED : 0;
done:
    bimt_trainer_free(tr);
    bimt_model_free(model);
    bimt_task_free(task);
    return rc;
}
