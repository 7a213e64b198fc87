/*
 * bimt_sweep: trains a grid of grow_brain configurations and writes the sweep report.
 *
 *   bimt_sweep --spec FILE --out DIR [--jobs N]     N runs side by side on this machine
 *   mpirun -np K bimt_sweep --spec FILE --out DIR   K ranks, on one host or many
 *   bimt_sweep --spec FILE --out DIR --index I      only configuration I (SLURM arrays)
 *   bimt_sweep --spec FILE --count                  how many configurations there are
 *
 * Every run executes grow_brain (found beside this program) with a generated --config file
 * in DIR/.work/<id>.XXXXXX and is renamed to DIR/runs/<id> when complete, so a killed sweep
 * started again skips finished runs and redoes half-made ones. docs/sweeps.md has the rest.
 *
 * Exit codes: 0 every configuration finished, 1 some failed (or pending after --index), 2 bad
 * command line or spec (nothing was trained), 3 DIR is in use by another bimt_sweep,
 * 130 interrupted.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "config.h"
#include "mpi_backend.h"
#include "duration.h"
#include "runner.h"
#include "spec.h"

#define EXIT_FAILED_RUNS 1
#define EXIT_USAGE 2
#define EXIT_LOCKED 3
#define EXIT_INTERRUPTED 130
/** Shortest time between two rewrites of the sweep report while runs finish. */
#define REPORT_EVERY_S 2.0

static volatile sig_atomic_t g_stop = 0;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bimt_sweep --spec FILE --out DIR [--jobs N] [--threads T]\n"
            "       bimt_sweep --spec FILE --out DIR --index I\n"
            "       bimt_sweep --spec FILE --count | --list\n"
            "       mpirun -np K bimt_sweep --spec FILE --out DIR\n"
            "\n"
            "Trains every configuration of a spec with grow_brain and writes DIR/runs/<id>/ (each\n"
            "run's report, metrics.json, model.npz) and the sweep report DIR/sweep.json,\n"
            "DIR/pareto_neurons.svg, DIR/pareto_wiring.svg, DIR/index.html.\n"
            "\n"
            "The spec has grow_brain --config lines ('key = value', '#' comments); any value may\n"
            "be a comma-separated list and the sweep is the Cartesian product (arm none ignores\n"
            "lambda, arms l1 and none ignore A: no duplicate runs).\n"
            "\n"
            "options:\n"
            "  --spec FILE        the spec\n"
            "  --out DIR          the sweep folder (runs already finished there are kept)\n"
            "  --jobs N           runs side by side (default 1); the cores are split between them\n"
            "  --threads T        threads of each run (default: online cores / jobs, at least 1)\n"
            "  --index I          run configuration I only (0-based), then update the report\n"
            "  --count            print the number of configurations and exit\n"
            "  --list             print index, id and settings of each configuration and exit\n"
            "  --grow-brain PATH  the grow_brain program (default: beside bimt_sweep)\n"
            "  --quiet            no progress lines\n"
            "  --help             this text\n"
            "\n"
            "Under mpirun (Open MPI) rank 0 hands out configurations to the ranks as they finish;\n"
            "DIR must be on a file system every host sees. Exit codes: 0 all finished, 1 some\n"
            "failed, 2 bad command line or spec, 3 DIR in use, 130 interrupted.\n");
}

typedef struct options {
    const char *spec, *out, *grow_brain;
    long jobs, threads, index;
    int count, list, quiet;
} options;

static int parse_long(const char *opt, const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || errno || x < lo || x > hi) {
        fprintf(stderr, "bimt_sweep: %s needs a whole number in %ld..%ld\n", opt, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->jobs = 1;
    o->index = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--count") == 0) {
            o->count = 1, takes = 0;
        } else if (strcmp(a, "--list") == 0) {
            o->list = 1, takes = 0;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1, takes = 0;
        } else if (strcmp(a, "--spec") == 0 || strcmp(a, "--out") == 0 ||
                   strcmp(a, "--grow-brain") == 0) {
            if (!v || !*v) {
                fprintf(stderr, "bimt_sweep: %s needs a value\n", a);
                return -1;
            }
            *(a[2] == 's' ? &o->spec : a[2] == 'o' ? &o->out : &o->grow_brain) = v;
        } else if (strcmp(a, "--jobs") == 0) {
            if (parse_long(a, v, 1, 4096, &o->jobs)) return -1;
        } else if (strcmp(a, "--threads") == 0) {
            if (parse_long(a, v, 1, 64, &o->threads)) return -1;
        } else if (strcmp(a, "--index") == 0) {
            if (parse_long(a, v, 0, LONG_MAX, &o->index)) return -1;
        } else {
            fprintf(stderr, "bimt_sweep: unknown argument '%s' (see --help)\n", a);
            return -1;
        }
        i += takes;
    }
    if (!o->spec) {
        fprintf(stderr, "bimt_sweep: --spec FILE is required (see --help)\n");
        return -1;
    }
    if (!o->out && !o->count && !o->list) {
        fprintf(stderr, "bimt_sweep: --out DIR is required (see --help)\n");
        return -1;
    }
    return 0;
}

/* grow_brain beside this program (build tree, or the install's bin/), else on PATH. */
static int find_grow_brain(const char *given, char *out, size_t len)
{
    if (given) {
        sx_fmt(out, len, "%s", given);
        return access(out, X_OK) == 0 ? 0 : -1;
    }
    char self[SX_PATH / 2];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            sx_fmt(out, len, "%s/grow_brain", self);
            if (access(out, X_OK) == 0) return 0;
            sx_fmt(out, len, "%s/../bin/grow_brain", self);
            if (access(out, X_OK) == 0) return 0;
        }
    }
    const char *path = getenv("PATH");
    while (path && *path) {
        const char *colon = strchr(path, ':');
        size_t l = colon ? (size_t)(colon - path) : strlen(path);
        sx_fmt(out, len, "%.*s/grow_brain", (int)l, path);
        if (l && access(out, X_OK) == 0) return 0;
        path = colon ? colon + 1 : NULL;
    }
    sx_fmt(out, len, "grow_brain");
    return -1;
}

/* ------------------------------------------------------------------ the sweep */

typedef struct sweep {
    const options *o;
    spec sp;
    sweep_config *cfg;
    size_t n;
    sx_state *st;
    sx_ctx ctx;
    size_t next;        /* next index to hand out */
    long only;          /* --index: the one configuration to run (else -1) */
    size_t todo, done;  /* runs to do in this session, finished so far */
    double t0, busy;    /* session start; sum of the finished runs' times */
    double last_report; /* when the report was last written (throttled, see finished()) */
    size_t slots;       /* runs side by side */
} sweep;

/* Whether the spec sets key. The settings grow_brain takes for configuration c: its defaults
 * with the spec's lines applied (lines it refuses are skipped here; the run itself reports them).
 * So a run that has not finished is grouped with its finished seeds even when the spec leaves
 * lambda or A at grow_brain's default. */
static int spec_has(const sweep *s, const char *key)
{
    for (size_t k = 0; k < s->sp.n_keys; k++)
        if (strcmp(s->sp.keys[k].key, key) == 0) return 1;
    return 0;
}

static gb_config run_settings(const sweep *s, const sweep_config *c)
{
    gb_config g = GB_DEFAULTS;
    gb_error e;
    for (size_t k = 0; k < s->sp.n_keys; k++)
        (void)gb_config_set(&g, s->sp.keys[k].key, c->vals[k], &e);
    return g;
}

/* Writes DIR/sweep.json, the two figures and DIR/index.html from the states. */
static void write_report(sweep *s)
{
    bimt_sweep_t *sw = NULL;
    if (bimt_sweep_create(&sw) != BIMT_OK) return;
    const char **keys = calloc(s->sp.n_keys + 1, sizeof *keys);
    for (size_t k = 0; keys && k < s->sp.n_keys; k++)
        keys[k] = s->sp.keys[k].key;
    int rc = keys ? BIMT_OK : BIMT_E_NOMEM;
    for (size_t i = 0; i < s->n && rc == BIMT_OK; i++) {
        const sweep_config *c = &s->cfg[i];
        const sx_state *st = &s->st[i];
        const int ok = st->status == BIMT_SWEEP_OK;
        char conf[SX_PATH], report[SX_PATH];
        sx_fmt(conf, sizeof conf, "runs/%s/grow_brain.conf", c->id);
        sx_fmt(report, sizeof report, "runs/%s/index.html", c->id);
        const char *args[] = {"--config", conf};
        bimt_sweep_run r;
        bimt_sweep_run_init(&r);
        r.id = c->id;
        r.arm = c->arm;
        const gb_config g = run_settings(s, c);
        /* a finished run's own record wins where the spec is silent */
        r.lambda = c->arm == BIMT_ARM_NONE        ? 0.0
                   : ok && !spec_has(s, "lambda") ? st->m.lambda
                                                  : g.lambda;
        r.A = c->arm != BIMT_ARM_BIMT ? 0.0 : ok && !spec_has(s, "A") ? st->m.A : g.A;
        r.seed = ok ? st->m.seed : g.seed;
        r.steps = ok ? st->m.steps : g.steps;
        r.group = c->group;
        r.status = st->status;
        r.error = st->error;
        r.args = args;
        r.n_args = 2;
        r.setting_keys = keys;
        r.setting_values = c->vals;
        r.n_settings = s->sp.n_keys;
        r.report = ok ? report : NULL;
        r.elapsed_s = st->elapsed_s;
        r.metrics = &st->m;
        rc = bimt_sweep_add_run(sw, &r);
    }
    if (rc == BIMT_OK) rc = bimt_sweep_write_report(sw, s->o->out);
    if (rc != BIMT_OK)
        fprintf(stderr, "bimt_sweep: cannot write the sweep report in %s: %s\n", s->o->out,
                bimt_sweep_errmsg(sw));
    free(keys);
    bimt_sweep_free(sw);
}

/* A run ended (here or on another rank): record, print progress, rewrite the report. */
static void finished(sweep *s, size_t i)
{
    s->done++;
    const sx_state *st = &s->st[i];
    if (isfinite(st->elapsed_s)) s->busy += st->elapsed_s;
    if (!s->o->quiet) {
        char el[32], eta[32];
        double t = sx_now() - s->t0;
        ex_fmt_duration(el, sizeof el, st->elapsed_s, 1);
        ex_fmt_duration(eta, sizeof eta,
                        s->done < s->todo ? t / (double)s->done * (double)(s->todo - s->done) : 0.0,
                        1);
        fprintf(stderr, "bimt_sweep: [%zu/%zu] %s %s in %s; ETA %s%s%s\n", s->done, s->todo,
                s->cfg[i].id, st->status == BIMT_SWEEP_OK ? "ok" : "FAILED", el, eta,
                st->status == BIMT_SWEEP_FAILED ? "; " : "",
                st->status == BIMT_SWEEP_FAILED ? st->error : "");
    }
    if (s->only >= 0) /* other array tasks may have finished runs meanwhile */
        for (size_t j = 0; j < s->n; j++)
            if (j != i) sx_read_state(&s->ctx, &s->cfg[j], &s->st[j]);
    /* Rewritten at most every REPORT_EVERY_S seconds while runs go on (each rewrite costs
     * four atomic writes with fsync); main() writes it once more at the end. */
    double now = sx_now();
    if (now - s->last_report >= REPORT_EVERY_S || s->done >= s->todo) {
        write_report(s);
        s->last_report = now;
    }
}

/* Next configuration that is not finished, or n. */
static size_t next_index(sweep *s)
{
    if (s->only >= 0) {
        size_t i = (size_t)s->only;
        if (s->next > i || s->st[i].status == BIMT_SWEEP_OK) return s->n;
        s->next = i + 1;
        return i;
    }
    while (s->next < s->n && s->st[s->next].status == BIMT_SWEEP_OK)
        s->next++;
    return s->next < s->n ? s->next++ : s->n;
}

/* Starts configuration i in job; 1 started, 0 not (skipped or failed to start: recorded). */
static int start(sweep *s, size_t i, sx_job *job)
{
    char err[600];
    int r = sx_start(&s->ctx, &s->cfg[i], i, job, err, sizeof err);
    if (r == 0) return 1;
    if (r < 0) {
        s->st[i].status = BIMT_SWEEP_FAILED;
        sx_fmt(s->st[i].error, sizeof s->st[i].error, "%s", err);
        finished(s, i);
    } else {
        sx_read_state(&s->ctx, &s->cfg[i], &s->st[i]); /* finished or running elsewhere */
        if (s->todo) s->todo--;
    }
    return 0;
}

/* Local backend (also rank 0 under MPI, with workers): runs up to slots jobs at once. */
static void run_loop(sweep *s, int workers)
{
    sx_job *jobs = calloc(s->slots, sizeof *jobs);
    if (!jobs) return;
    size_t active = 0;
    for (;;) {
        for (size_t j = 0; j < s->slots && !g_stop; j++) {
            if (jobs[j].pid) continue;
            size_t i;
            while ((i = next_index(s)) < s->n && !start(s, i, &jobs[j])) {
            }
            if (i < s->n) active++;
        }
        /* remote requests: report what they finished, give the next index */
        int src, stopping;
        long d;
        while (workers > 0 && smpi_poll(&src, &d, &stopping)) {
            if (d >= 0 && (size_t)d < s->n) {
                sx_read_state(&s->ctx, &s->cfg[d], &s->st[d]);
                finished(s, (size_t)d);
            }
            if (stopping) {
                workers--;
                continue;
            }
            size_t i = g_stop ? s->n : next_index(s);
            smpi_reply(src, i < s->n ? (long)i : -1);
            if (i >= s->n) workers--;
        }
        if (active == 0 && workers == 0) break;
        if (active == 0 && (g_stop || s->next >= s->n)) {
            if (workers > 0) nanosleep(&(struct timespec){0, 20000000L}, NULL);
            continue;
        }
        int ws;
        pid_t pid = waitpid(-1, &ws, workers > 0 ? WNOHANG : 0);
        if (pid == 0 || (pid < 0 && errno == EINTR)) {
            if (pid == 0) nanosleep(&(struct timespec){0, 20000000L}, NULL);
            if (g_stop) break;
            continue;
        }
        if (pid < 0) break;
        for (size_t j = 0; j < s->slots; j++) {
            if (jobs[j].pid != pid) continue;
            size_t i = jobs[j].index;
            int discard = g_stop && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
            sx_finish(&s->ctx, &s->cfg[i], &jobs[j], ws, discard, &s->st[i]);
            active--;
            if (!discard)
                finished(s, i);
            else
                sx_read_state(&s->ctx, &s->cfg[i], &s->st[i]);
        }
    }
    for (size_t j = 0; j < s->slots; j++)
        if (jobs[j].pid) {
            size_t i = jobs[j].index;
            sx_abort(&s->ctx, &s->cfg[i], &jobs[j]);
            sx_read_state(&s->ctx, &s->cfg[i], &s->st[i]);
        }
    /* stopping with workers still out: tell each that asks to end */
    while (workers > 0) {
        int src, stopping;
        long d;
        if (!smpi_poll(&src, &d, &stopping)) {
            nanosleep(&(struct timespec){0, 20000000L}, NULL);
            continue;
        }
        if (d >= 0 && (size_t)d < s->n) sx_read_state(&s->ctx, &s->cfg[d], &s->st[d]);
        if (!stopping) smpi_reply(src, -1);
        workers--;
    }
    free(jobs);
}

/* An MPI worker: asks rank 0 for indices until told to end. */
static void worker_loop(sweep *s)
{
    long done = -1;
    for (;;) {
        long i = smpi_request(done, g_stop != 0);
        if (i < 0 || (size_t)i >= s->n) return;
        done = -1;
        sx_job job;
        char err[600];
        int r = sx_start(&s->ctx, &s->cfg[i], (size_t)i, &job, err, sizeof err);
        if (r < 0) fprintf(stderr, "bimt_sweep: run %s: %s\n", s->cfg[i].id, err);
        if (r != 0) continue;
        int ws = 0;
        while (waitpid(job.pid, &ws, 0) < 0)
            if (errno != EINTR) break;
        int discard = g_stop && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
        sx_finish(&s->ctx, &s->cfg[i], &job, ws, discard, &s->st[i]);
        if (!discard) done = i;
    }
}

static unsigned online_cores(void)
{
    const char *slurm = getenv("SLURM_CPUS_PER_TASK");
    long n = slurm ? strtol(slurm, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 4096 ? (unsigned)n : 1u;
}

static int exit_code(const sweep *s)
{
    if (g_stop) return EXIT_INTERRUPTED;
    for (size_t i = 0; i < s->n; i++)
        if (s->st[i].status != BIMT_SWEEP_OK) return EXIT_FAILED_RUNS;
    return 0;
}

int main(int argc, char **argv)
{
    int rank = 0, size = 1, local = 1, use_mpi = 0;
    if (smpi_launched() && smpi_built()) {
        if (smpi_init(&argc, &argv, &rank, &size, &local) != 0) {
            fprintf(stderr, "bimt_sweep: MPI_Init failed\n");
            return 1;
        }
        use_mpi = 1;
    }
    options o;
    int rc = parse_args(argc, argv, &o) ? EXIT_USAGE : 0;
    if (!rc && use_mpi && (o.index >= 0 || o.jobs > 1)) {
        if (rank == 0)
            fprintf(stderr, "bimt_sweep: under mpirun, use -np instead of --jobs / --index\n");
        rc = EXIT_USAGE;
    }
    sweep s;
    memset(&s, 0, sizeof s);
    s.o = &o;
    s.only = -1;
    char gb[SX_PATH], err[2048];
    if (!rc && find_grow_brain(o.grow_brain, gb, sizeof gb) != 0) {
        fprintf(stderr,
                "bimt_sweep: cannot find the grow_brain program (%s); give "
                "--grow-brain PATH\n",
                gb);
        rc = EXIT_USAGE;
    }
    if (!rc && spec_read(&s.sp, o.spec, err, sizeof err) != 0) {
        fprintf(stderr, "bimt_sweep: %s\n", err);
        rc = EXIT_USAGE;
    }
    if (!rc && rank == 0) {
        const char *tmp = getenv("TMPDIR");
        if (spec_validate(&s.sp, gb, tmp && *tmp ? tmp : "/tmp", err, sizeof err) != 0) {
            fprintf(stderr, "bimt_sweep: %s\n", err);
            rc = EXIT_USAGE;
        }
    }
    if (!rc && spec_expand(&s.sp, &s.cfg, &s.n, err, sizeof err) != 0) {
        fprintf(stderr, "bimt_sweep: %s\n", err);
        rc = EXIT_USAGE;
    }
    if (!rc && o.index >= 0 && (size_t)o.index >= s.n) {
        fprintf(stderr,
                "bimt_sweep: --index %ld is out of range: the spec has %zu "
                "configurations (0..%zu)\n",
                o.index, s.n, s.n - 1);
        rc = EXIT_USAGE;
    }
    if (!rc && (o.count || o.list)) {
        if (rank == 0 && o.count) printf("%zu\n", s.n);
        for (size_t i = 0; rank == 0 && o.list && i < s.n; i++)
            printf("%zu\t%s\t%s\n", i, s.cfg[i].id, s.cfg[i].group);
        goto end;
    }
    int lock_fd = -1;
    if (!rc && rank == 0) {
        if (sx_mkdirs(o.out, err, sizeof err) != 0) {
            fprintf(stderr, "bimt_sweep: %s\n", err);
            rc = 1;
        } else if ((lock_fd = sx_lock_sweep(o.out, o.index >= 0, err, sizeof err)) < 0) {
            fprintf(stderr, "bimt_sweep: %s\n", err);
            rc = EXIT_LOCKED;
        }
    }
    if (use_mpi) smpi_bcast_int(&rc); /* every rank stops when rank 0 refused */
    if (rc) goto end;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    s.ctx.out = o.out;
    s.ctx.grow_brain = gb;
    s.slots = o.index >= 0 ? 1 : (size_t)o.jobs;
    s.only = o.index;
    unsigned per_host = use_mpi ? (unsigned)local : (unsigned)s.slots;
    unsigned threads = o.threads > 0 ? (unsigned)o.threads : online_cores() / per_host;
    s.st = calloc(s.n ? s.n : 1, sizeof *s.st);
    if (!s.st || sx_make_env(&s.ctx, threads ? threads : 1) != 0) {
        fprintf(stderr, "bimt_sweep: out of memory\n");
        rc = 1;
        goto end;
    }
    if (rank > 0) {
        worker_loop(&s);
        goto end;
    }
    size_t n_ok = 0;
    for (size_t i = 0; i < s.n; i++) {
        sx_read_state(&s.ctx, &s.cfg[i], &s.st[i]);
        n_ok += s.st[i].status == BIMT_SWEEP_OK;
    }
    s.todo = s.n - n_ok;
    if (o.index >= 0) s.todo = s.st[o.index].status != BIMT_SWEEP_OK;
    if (!o.quiet)
        fprintf(stderr,
                "bimt_sweep: %zu configurations, %zu finished before; running %zu with "
                "%zu %s of %u thread%s; grow_brain: %s\n",
                s.n, n_ok, s.todo, use_mpi ? (size_t)size : s.slots,
                use_mpi       ? "MPI ranks"
                : s.slots > 1 ? "jobs"
                              : "job",
                s.ctx.threads, s.ctx.threads == 1 ? "" : "s", gb);
    write_report(&s);
    s.t0 = sx_now();
    if (o.index >= 0 && !s.todo) {
        if (!o.quiet) fprintf(stderr, "bimt_sweep: %s is already finished\n", s.cfg[o.index].id);
    } else {
        run_loop(&s, use_mpi ? size - 1 : 0);
    }
    if (o.index < 0 && !o.quiet && s.done) {
        double wall = sx_now() - s.t0, slots = use_mpi ? (double)size : (double)s.slots;
        fprintf(stderr,
                "bimt_sweep: %zu runs in %.1f s (%.0f runs/hour); runs' own time "
                "%.1f s; sweep overhead %.2f %% of %g slot%s x wall time\n",
                s.done, wall, wall > 0 ? 3600.0 * (double)s.done / wall : 0.0, s.busy,
                wall > 0 ? 100.0 * (1.0 - s.busy / (slots * wall)) : 0.0, slots,
                slots == 1 ? "" : "s");
    }
    write_report(&s);
    rc = exit_code(&s);
    if (o.index >= 0 && rc != EXIT_INTERRUPTED)
        rc = s.st[o.index].status == BIMT_SWEEP_OK ? 0 : EXIT_FAILED_RUNS;
end:
    configs_free(s.cfg, s.n);
    spec_free(&s.sp);
    free(s.st);
    sx_free_env(&s.ctx);
    if (use_mpi) smpi_finalize();
    return rc;
}
