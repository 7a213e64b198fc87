/* Times each part of the analysis on a 16x16 trained-like model (sparse random recurrent
 * weights, scrambled placement): task variance over the 20 test grids, clustering (k = 2..29,
 * 20 restarts), anatomical metrics with 1000 shuffles, wiring statistics.
 * Usage: bench_analysis [grid_side] [n_shuffles] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bimt/bimt.h"
#include "common/rng.h"

/* Wall-clock and process CPU time: on a shared machine the CPU time (all threads) is the
 * steadier figure; with one BLAS thread it is what an idle core would take. */
typedef struct stamp {
    double wall, cpu;
} stamp;

static stamp now(void)
{
    struct timespec w, c;
    clock_gettime(CLOCK_MONOTONIC, &w);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
    stamp s = {(double)w.tv_sec + 1e-9 * (double)w.tv_nsec,
               (double)c.tv_sec + 1e-9 * (double)c.tv_nsec};
    return s;
}

static int check(int rc, const char *what)
{
    if (rc) fprintf(stderr, "%s failed: %s\n", what, bimt_status_str(rc));
    return rc;
}

int main(int argc, char **argv)
{
    uint32_t side = argc > 1 ? (uint32_t)atoi(argv[1]) : 16;
    uint32_t n_shuffles = argc > 2 ? (uint32_t)atoi(argv[2]) : 1000;
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = side;
    bimt_model_t *m = NULL;
    bimt_task_t *task = NULL;
    if (check(bimt_model_create(&mp, &m), "model") || check(bimt_task_create(NULL, &task), "task"))
        return 1;
    size_t n = bimt_model_n_hidden(m), off;
    bimt_model_tensor(m, BIMT_W_REC, NULL, NULL, NULL, &off);
    float *W = bimt_model_params_data(m) + off;
    bimt_rng r;
    bimt__rng_seed(&r, 2024, 1);
    /* ~10% non-zero recurrent weights, mostly local, like a BIMT-trained network. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double d = bimt_model_distance(m, (uint32_t)i, (uint32_t)j);
            double pconn = 0.3 * (d < 0.2 ? 1.0 : 0.1);
            W[i * n + j] = bimt__rng_uniform(&r) < pconn ? (float)(0.15 * bimt__rng_normal(&r)) : 0.0f;
        }
    uint32_t *perm = malloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)bimt__rng_below(&r, i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    bimt_model_set_slots(m, perm, n);
    free(perm);

    float *tv = malloc(BIMT_N_RULES * n * sizeof(float));
    int32_t *lab = malloc(n * sizeof(int32_t));
    stamp t0 = now();
    if (check(bimt_task_variance(m, task, tv), "task variance")) return 1;
    stamp t1 = now();
    bimt_cluster_params cp;
    bimt_cluster_params_init(&cp);
    uint32_t nc = 0, n_imp = 0;
    double sil = 0;
    uint8_t *imp = malloc(n);
    bimt_important_neurons(tv, BIMT_N_RULES, (uint32_t)n, cp.importance_threshold, imp, &n_imp);
    stamp t2 = now();
    if (check(bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)n, &cp, lab, &nc, &sil),
              "cluster"))
        return 1;
    stamp t3 = now();
    bimt_anatomy a;
    a.struct_size = (uint32_t)sizeof a; /* an output struct */
    if (check(bimt_anatomy_metrics(m, lab, n_shuffles, 7, &a, NULL, NULL), "anatomy")) return 1;
    stamp t4 = now();
    bimt_wiring w;
    w.struct_size = (uint32_t)sizeof w; /* an output struct */
    double prof[64];
    if (check(bimt_wiring_stats(m, tv, 1e-3, 1e-2, &w), "wiring")) return 1;
    if (check(bimt_weight_distance_profile(m, 2 * side - 1 < 64 ? 2 * side - 1 : 64, prof, NULL),
              "profile"))
        return 1;
    stamp t5 = now();

    printf("analysis benchmark: %ux%u grid (%zu neurons), %u shuffles   [wall s / cpu s]\n",
           side, side, n, n_shuffles);
    printf("  task variance (20 test grids, noise off)          %7.3f / %7.3f\n",
           t1.wall - t0.wall, t1.cpu - t0.cpu);
    printf("  clustering (k=%u..%u, %u restarts)                  %7.3f / %7.3f"
           "   (%u important -> k*=%u, silhouette %.3f)\n", cp.k_min, cp.k_max,
           cp.n_restarts, t3.wall - t2.wall, t3.cpu - t2.cpu, n_imp, nc, sil);
    printf("  anatomy + nulls                                   %7.3f / %7.3f"
           "   (isolated %.3f p=%.3f, size %.4f p=%.3f)\n", t4.wall - t3.wall,
           t4.cpu - t3.cpu, a.isolated_fraction, a.isolated_p, a.cluster_size, a.size_p);
    printf("  wiring + profile                                  %7.3f / %7.3f"
           "   (spectral radius %.3f, %u edges)\n", t5.wall - t4.wall, t5.cpu - t4.cpu,
           w.spectral_radius, w.n_active_edges);
    printf("  total                                             %7.3f / %7.3f\n",
           (t1.wall - t0.wall) + (t5.wall - t2.wall), (t1.cpu - t0.cpu) + (t5.cpu - t2.cpu));
    free(imp);
    free(tv);
    free(lab);
    bimt_task_free(task);
    bimt_model_free(m);
    return 0;
}
