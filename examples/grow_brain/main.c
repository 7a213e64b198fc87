/*
 * grow_brain: the main job of libbimt.
 *
 * Trains a recurrent network whose hidden neurons sit on a 2D grid on all 20 cognitive tasks
 * of Yang et al. (2019) with brain-inspired modular training (BIMT: a connection cost that
 * grows with wiring distance, plus neuron swaps), then writes a report folder: the seed
 * paper's figures as SVG, metrics.json, the final checkpoint model.npz and index.html.
 *
 *   grow_brain                       default run (see DEFAULTS in config.c), report in ./report
 *   grow_brain --arm l1 --out l1/    the L1 control arm
 *   grow_brain --help                every option
 *
 * Sources (examples/grow_brain/): main.c the command line and the run, config.c the
 * DEFAULTS table and the `key = value` parser, progress.c the per-step callback and Ctrl-C,
 * summary.c the closing summary; examples/common/kv_lines.c the line reader it shares with
 * bimt_sweep.
 *
 * Exit codes: 0 success, 1 run-time failure, 2 bad command line or configuration,
 * 130 interrupted by Ctrl-C (the report of what was trained so far is still written).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "config.h"
#include "kv_lines.h"
#include "positions.h"
#include "progress.h"
#include "summary.h"

#define EXIT_USAGE 2
#define MAX_DIVERGENCES 8
#define EXIT_INTERRUPTED 130

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
        "  --positions FILE     place the hidden neurons at the points of FILE instead of the\n"
        "                       grid: one point a line, 1 to 3 numbers (spaces, tabs or\n"
        "                       commas; '#' comments); one neuron per point; io is then none\n"
        "  --distance manhattan|euclidean\n"
        "                       distance between neuron positions (default manhattan)\n"
        "  --config FILE        read 'key = value' lines first; keys: the options above and\n"
        "                       activation, init, init_scale, alpha, sigma_rec, loss,\n"
        "                       lambda_start, warmup_frac, easy_frac, lr, lr_end (cosine decay),\n"
        "                       lambda_late, late_frac (lambda_late from late_frac of the steps\n"
        "                       on), l1_h, l2_h (Yang's activity L1 and L2, every arm),\n"
        "                       l1_step (subgradient|proximal), io (edges|none; default edges,\n"
        "                       none with positions), hidden_bias (free|nonpositive: b_h <= 0\n"
        "                       after every update, every arm), w_in_cost, w_out_cost (price\n"
        "                       of W_in, W_out in the connection cost; default 1),\n"
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
        GB_DEFAULTS.lambda, GB_DEFAULTS.A, (unsigned)GB_DEFAULTS.grid,
        (unsigned long long)GB_DEFAULTS.steps, (unsigned long long)GB_DEFAULTS.seed,
        GB_DEFAULTS.out, (unsigned)GB_DEFAULTS.shuffles);
}

/* Reads a --positions file into mp (the points stay in *pts); errors name the file and line. */
static int load_positions(const char *path, gb_positions *pts, bimt_model_params *mp)
{
    char *text;
    size_t len;
    int rc = kv_read_file(path, &text, &len);
    if (rc) {
        fprintf(stderr, "grow_brain: cannot read positions file %s: %s\n", path,
                rc == -1 ? strerror(errno) : "read error");
        return -1;
    }
    gb_error e;
    rc = gb_positions_parse(text, len, pts, &e);
    free(text);
    if (rc) {
        fprintf(stderr, "grow_brain: %s:%d: %s\n", path, e.line, e.msg);
        return -1;
    }
    mp->positions = pts->xyz;
    mp->n_slots = pts->n;
    mp->dim = pts->dim;
    return 0;
}

/* Applies a --config file; errors name the file and line. */
static int load_config(gb_config *c, const char *path)
{
    char *text;
    size_t len;
    int rc = kv_read_file(path, &text, &len);
    if (rc == -1) {
        fprintf(stderr, "grow_brain: cannot read config file %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (rc) {
        fprintf(stderr, "grow_brain: error reading %s\n", path);
        return -1;
    }
    gb_error e;
    rc = gb_config_parse(c, text, len, &e);
    if (rc) fprintf(stderr, "grow_brain: %s:%d: %s\n", path, e.line, e.msg);
    free(text);
    return rc;
}

typedef struct gb_args {
    gb_config c;
    int quiet, help, check;
} gb_args;

static int parse_args(int argc, char **argv, gb_args *a)
{
    a->c = GB_DEFAULTS;
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
            if (strcmp(key, "config") != 0 && !gb_is_option_key(key)) {
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
                gb_error e;
                if (gb_config_set(&a->c, key, val, &e)) {
                    fprintf(stderr, "grow_brain: --%s\n", e.msg);
                    return -1;
                }
            }
        }
    }
    return 0;
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
    bimt_model_params mp;
    bimt_trainer_params trp;
    gb_config_params(c, &tp, &mp, &trp);
    gb_positions pts = {NULL, 0, 0};
    if (c->positions[0] && load_positions(c->positions, &pts, &mp)) return EXIT_USAGE;

    bimt_task_t *task = NULL;
    bimt_model_t *model = NULL;
    bimt_trainer_t *tr = NULL;
    int rc = bimt_task_create(&tp, &task);
    if (rc) {
        fprintf(stderr, "grow_brain: task: %s\n", bimt_task_errmsg(task));
        gb_positions_free(&pts);
        return EXIT_USAGE;
    }
    rc = bimt_model_create(&mp, &model);
    if (rc) {
        fprintf(stderr, "grow_brain: model: %s (%s)\n", bimt_status_str(rc), bimt_last_error());
        bimt_task_free(task);
        gb_positions_free(&pts);
        return rc == BIMT_E_INVALID_ARG ? EXIT_USAGE : 1;
    }
    rc = bimt_trainer_create(model, task, &trp, &tr);
    if (rc) {
        fprintf(stderr, "grow_brain: trainer: %s\n", bimt_status_str(rc));
        bimt_model_free(model);
        bimt_task_free(task);
        gb_positions_free(&pts);
        return rc == BIMT_E_INVALID_ARG ? EXIT_USAGE : 1;
    }
    if (a.check) goto done; /* rc is BIMT_OK: everything was accepted */
    if (mkdir_p(c->out) != 0) {
        fprintf(stderr, "grow_brain: cannot create the report folder %s: %s\n", c->out,
                strerror(errno));
        rc = 1;
        goto done;
    }

    gb_catch_sigint();

    gb_progress pr;
    memset(&pr, 0, sizeof pr);
    pr.quiet = a.quiet;
    pr.tty = isatty(STDERR_FILENO);
    pr.total = c->steps;
    pr.every = c->progress_every ? c->progress_every : (c->steps >= 20 ? c->steps / 20 : 1);
    pr.t0 = pr.last_print = gb_now_s();
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
    char geo[128];
    if (!a.quiet)
        fprintf(stderr,
                "grow_brain: training arm %s on %s for %llu steps "
                "(batch %u, lr %g -> %g, lambda %g, A %g); report in %s/\n",
                bimt_arm_name(c->arm), gb_geometry(model, geo, sizeof geo),
                (unsigned long long)c->steps, (unsigned)c->batch, c->lr, c->lr_end, c->lambda, c->A,
                c->out);
    /* A step that diverges is undone by the trainer (parameters and Adam moments restored);
     * the run goes on with half the learning rate, at most MAX_DIVERGENCES times. */
    rc = BIMT_OK;
    for (int n_div = 0; bimt_trainer_steps(tr) < c->steps && !gb_interrupted();) {
        /* steps <= 1e9 (config.c), so what is left fits the uint32_t count */
        rc = bimt_trainer_run(tr, (uint32_t)(c->steps - bimt_trainer_steps(tr)), gb_on_step, &pr);
        if (rc != BIMT_E_NUMERIC || ++n_div > MAX_DIVERGENCES) break;
        pr.lr_scale *= 0.5;
        if (!a.quiet)
            fprintf(stderr,
                    "%sgrow_brain: %s; continuing with the learning rate halved "
                    "(x%g)\n",
                    pr.tty ? "\n" : "", bimt_trainer_errmsg(tr), pr.lr_scale);
        if (bimt_trainer_set_param(tr, BIMT_TP_LEARNING_RATE,
                                   gb_lr_at(&pr, bimt_trainer_steps(tr))) != BIMT_OK)
            break;
        rc = BIMT_OK;
    }
    double secs = gb_now_s() - pr.t0;
    if (pr.tty && !a.quiet) fputc('\n', stderr);
    if (rc) {
        fprintf(stderr, "grow_brain: training stopped at step %llu: %s\n",
                (unsigned long long)bimt_trainer_steps(tr), bimt_trainer_errmsg(tr));
        fprintf(stderr, "grow_brain: writing the report of the model before the failed step\n");
    }
    int train_rc = rc;
    if (gb_interrupted() && !a.quiet)
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
        gb_summary(c, model, task, perf, secs, bimt_trainer_steps(tr));
        printf("report: %s/index.html\n", c->out);
    }
    rc = train_rc ? 1 : gb_interrupted() ? EXIT_INTERRUPTED : 0;
done:
    bimt_trainer_free(tr);
    bimt_model_free(model);
    bimt_task_free(task);
    gb_positions_free(&pts);
    return rc;
}
