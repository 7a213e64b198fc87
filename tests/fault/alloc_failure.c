/* alloc_failure_injection: the N-th allocation of libbimt fails, for every N, through the
 * whole life of a model: task, model and trainer creation, sampling, training steps (swaps and
 * an evaluation among them), save, load, task variance, clusters, anatomical metrics, wiring,
 * the report folder, and a last save. Each run (one N) must
 *   - see the failing call return BIMT_E_NOMEM with a message (or succeed, where the library
 *     recovers: best-effort work such as removing stale temporary files is skipped),
 *   - leave its handles usable: the failed call is repeated without injection and the run goes
 *     on, and its end state (final checkpoint bytes, task variance, clusters, anatomy,
 *     metrics.json) is bit-identical to a run without injection, so a failed call changed
 *     nothing;
 *   - leak nothing (LeakSanitizer, in the ASan build, checks at exit).
 * Usage: alloc_failure_injection PARENT [STRIDE]  (STRIDE > 1 tries every STRIDE-th N only):
 * works in a new folder PARENT/afi-XXXXXX (a tmpfs such as /dev/shm spares the fsyncs), removed
 * at the end. Prints the number of allocation points injected. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "fault_alloc.h"

typedef struct world {
    char dir[700], ck[800], final[800], report[800];
    bimt_task_t *t;
    bimt_model_t *m;
    bimt_trainer_t *tr;
    float tv[BIMT_N_RULES * 9];
    int32_t labels[9];
    bimt_anatomy an;
    bimt_wiring w;
} world;

static int s_task(world *w)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 4;
    tp.rule_mask = (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1) | (1u << BIMT_RULE_DMSGO);
    tp.seed = 5;
    tp.dt_ms = 100.0; /* few time steps: every run is short */
    return bimt_task_create(&tp, &w->t);
}

static int s_model(world *w)
{
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 3;
    mp.n_in = (uint32_t)bimt_task_n_in(w->t);
    mp.n_out = (uint32_t)bimt_task_n_out(w->t);
    mp.seed = 6;
    return bimt_model_create(&mp, &w->m);
}

static int s_trainer(world *w)
{
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 4;
    p.swap_interval = 2;
    p.eval_interval = 3;
    p.eval_batch = 4;
    p.seed = 7;
    return bimt_trainer_create(w->m, w->t, &p, &w->tr);
}

static int s_sample(world *w)
{
    bimt_batch b;
    memset(&b, 0, sizeof b);
    b.struct_size = (uint32_t)sizeof b;
    return bimt_task_sample(w->t, BIMT_RULE_DM1, 3, &b);
}

static int s_step(world *w)
{
    return bimt_trainer_step(w->tr, NULL);
}

static int s_save(world *w)
{
    return bimt_trainer_save(w->tr, w->ck);
}

/* Load the checkpoint and go on with the loaded handles (the originals are freed). */
static int s_load(world *w)
{
    bimt_model_t *m;
    bimt_task_t *t;
    bimt_trainer_t *tr;
    int rc = bimt_checkpoint_load(w->ck, &m, &t, &tr);
    if (rc) {
        if (m || t || tr) {
            fprintf(stderr, "a failed load returned handles\n");
            exit(1);
        }
        return rc;
    }
    bimt_trainer_free(w->tr);
    bimt_task_free(w->t);
    bimt_model_free(w->m);
    w->m = m;
    w->t = t;
    w->tr = tr;
    return BIMT_OK;
}

static int s_variance(world *w)
{
    return bimt_task_variance(w->m, w->t, w->tv);
}

static int s_cluster(world *w)
{
    bimt_cluster_params cp;
    bimt_cluster_params_init(&cp);
    cp.importance_threshold = 0.0;
    cp.n_restarts = 2;
    cp.max_iter = 20;
    return bimt_cluster_task_variance(w->tv, BIMT_N_RULES, 9, &cp, w->labels, NULL, NULL);
}

static int s_anatomy(world *w)
{
    return bimt_anatomy_metrics(w->m, w->labels, 8, 3, &w->an, NULL, NULL);
}

static int s_wiring(world *w)
{
    return bimt_wiring_stats(w->m, w->tv, 1e-3, 1e-2, &w->w);
}

static int s_report(world *w)
{
    return bimt_report_write(w->report, w->m, w->t, w->tr, NULL, 4);
}

static int s_final(world *w)
{
    return bimt_trainer_save(w->tr, w->final);
}

typedef struct stage {
    const char *name;
    int (*fn)(world *);
} stage;

static const stage stages[] = {
    {"task_create", s_task},   {"model_create", s_model},     {"trainer_create", s_trainer},
    {"task_sample", s_sample}, {"trainer_step", s_step},      {"trainer_step", s_step},
    {"trainer_step", s_step},  {"trainer_save", s_save},      {"checkpoint_load", s_load},
    {"trainer_step", s_step},  {"task_variance", s_variance}, {"cluster", s_cluster},
    {"anatomy", s_anatomy},    {"wiring", s_wiring},          {"report_write", s_report},
    {"final_save", s_final},
};
enum { N_STAGES = sizeof stages / sizeof stages[0] };

static void world_open(world *w, const char *root, const char *name)
{
    memset(w, 0, sizeof *w);
    w->an.struct_size = (uint32_t)sizeof w->an;
    w->w.struct_size = (uint32_t)sizeof w->w;
    snprintf(w->dir, sizeof w->dir, "%s/%s", root, name);
    mkdir(w->dir, 0755);
    snprintf(w->ck, sizeof w->ck, "%s/model.npz", w->dir);
    snprintf(w->final, sizeof w->final, "%s/final.npz", w->dir);
    snprintf(w->report, sizeof w->report, "%s/report", w->dir);
}

static void world_close(world *w)
{
    bimt_trainer_free(w->tr);
    bimt_task_free(w->t);
    bimt_model_free(w->m);
    w->tr = NULL;
    w->t = NULL;
    w->m = NULL;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *da = slurp(a, &la), *db = slurp(b, &lb);
    int eq = da && db && la == lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return eq;
}

/* 0 when w's end state equals ref's. */
static int compare(const world *w, const world *ref, char *why, size_t len)
{
    char a[900], b[900];
    snprintf(a, sizeof a, "%s/metrics.json", w->report);
    snprintf(b, sizeof b, "%s/metrics.json", ref->report);
    const char *what = !same_file(w->final, ref->final)                   ? "final checkpoint"
                       : memcmp(w->tv, ref->tv, sizeof w->tv)             ? "task variance"
                       : memcmp(w->labels, ref->labels, sizeof w->labels) ? "clusters"
                       : memcmp(&w->an, &ref->an, sizeof w->an)           ? "anatomy"
                       : memcmp(&w->w, &ref->w, sizeof w->w)              ? "wiring"
                       : !same_file(a, b)                                 ? "metrics.json"
                                                                          : NULL;
    if (what) snprintf(why, len, "%s differs from the run without injection", what);
    return what != NULL;
}

/* One run; fail_at 0 = no injection. Returns 0, or 1 after printing the problem. On return
 * *fired_stage is the stage whose call met the failure (-1: none). */
static int run(world *w, unsigned long fail_at, int *fired_stage, int *recovered)
{
    *fired_stage = -1;
    *recovered = 0;
    bimt_fault_arm(fail_at);
    for (int s = 0; s < N_STAGES; s++) {
        bimt_clear_error();
        int rc = stages[s].fn(w);
        if (bimt_fault_fired() && *fired_stage < 0) {
            *fired_stage = s;
            bimt_fault_arm(0);
            if (rc == BIMT_OK) {
                *recovered = 1;
                continue;
            }
            const char *msg = bimt_last_error();
            if (rc != BIMT_E_NOMEM || !msg || !*msg) {
                fprintf(stderr,
                        "N = %lu, %s: returned %d (%s), message '%s'; expected "
                        "BIMT_E_NOMEM with a message\n",
                        fail_at, stages[s].name, rc, bimt_status_str(rc), msg ? msg : "");
                return 1;
            }
            rc = stages[s].fn(w); /* the same call again: the handles must be usable */
        }
        if (rc != BIMT_OK) {
            fprintf(stderr, "N = %lu, %s: %s (%s)\n", fail_at, stages[s].name, bimt_status_str(rc),
                    bimt_last_error());
            return 1;
        }
    }
    bimt_fault_arm(0);
    return 0;
}

/* Removes a folder of files and folders of files (a world's). */
static void remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1200];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            if (unlink(p) != 0 && depth > 0) remove_tree(p, depth - 1);
        }
    if (d) closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: alloc_failure_injection WORKDIR [STRIDE]\n");
        return 2;
    }
    unsigned long stride = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
    if (stride < 1) stride = 1;
    char root[600];
    snprintf(root, sizeof root, "%s/afi-XXXXXX", argv[1]);
    if (!mkdtemp(root)) {
        perror("alloc_failure_injection: mkdtemp");
        return 2;
    }
    world ref, w;
    int fired, recovered;
    world_open(&ref, root, "reference");
    unsigned long before = bimt_fault_count();
    if (run(&ref, 0, &fired, &recovered)) return 1;
    unsigned long total = bimt_fault_count() - before;
    world_close(&ref);
    printf("allocations of one run: %lu\n", total);
    unsigned long points = 0, n_recovered = 0, per_stage[N_STAGES] = {0};
    char why[256];
    for (unsigned long n = 1; n <= total; n += stride) {
        world_open(&w, root, "injected");
        if (run(&w, n, &fired, &recovered)) return 1;
        if (fired < 0) {
            fprintf(stderr, "N = %lu: no allocation failed (the run allocates less?)\n", n);
            return 1;
        }
        if (compare(&w, &ref, why, sizeof why)) {
            fprintf(stderr, "N = %lu, failure in %s: %s\n", n, stages[fired].name, why);
            return 1;
        }
        world_close(&w);
        points++;
        n_recovered += (unsigned long)recovered;
        per_stage[fired]++;
    }
    for (int s = 0; s < N_STAGES; s++)
        if (per_stage[s]) printf("  %-16s %lu\n", stages[s].name, per_stage[s]);
    printf("alloc_failure_injection: %lu allocation points injected (every %lu-th of %lu); %lu "
           "failed with BIMT_E_NOMEM and recovered, %lu absorbed by the library; end states "
           "identical to the run without injection\n",
           points, stride, total, points - n_recovered, n_recovered);
    remove_tree(root, 2);
    return 0;
}
