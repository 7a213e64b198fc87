/*
 * analyze: loads a checkpoint written by bimt_trainer_save() (by grow_brain, the Python
 * example or any host program), asks whether functional modules became anatomical ones,
 * prints the answer, and writes the figures and the report into a folder.
 *
 * Steps: bimt_checkpoint_load -> bimt_trainer_evaluate -> bimt_task_variance ->
 * bimt_cluster_task_variance -> bimt_anatomy_metrics (against shuffled nulls) ->
 * bimt_wiring_stats and bimt_weight_distance_profile -> bimt_report_write (SVG figures,
 * metrics.json, index.html).
 *
 * Usage: analyze CHECKPOINT.npz OUT_DIR [--n-shuffles N] [--eval-trials N]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bimt/bimt.h>

static int usage(void)
{
    fprintf(stderr, "usage: analyze CHECKPOINT.npz OUT_DIR [--n-shuffles N] "
                    "[--eval-trials N]\n");
    return 2;
}

static int fail(const char *what, int rc, const char *msg)
{
    fprintf(stderr, "analyze: %s: %s (%s)\n", what, msg && *msg ? msg : "failed",
            bimt_status_str(rc));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) return usage();
    const char *ckpt = argv[1], *out_dir = argv[2];
    unsigned long n_shuffles = 1000, eval_trials = 256;
    for (int i = 3; i < argc; i += 2) {
        if (i + 1 >= argc) return usage();
        if (!strcmp(argv[i], "--n-shuffles"))
            n_shuffles = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--eval-trials"))
            eval_trials = strtoul(argv[i + 1], NULL, 10);
        else
            return usage();
    }
    if (n_shuffles == 0 || n_shuffles > 1000000 || eval_trials == 0 || eval_trials > 65536)
        return usage();

    bimt_model_t *model = NULL;
    bimt_task_t *task = NULL;
    bimt_trainer_t *tr = NULL;
    char err[256] = "";
    int rc = bimt_checkpoint_load(ckpt, &model, &task, &tr);
    if (rc) return fail(ckpt, rc, err);

    uint32_t n_h = bimt_model_n_hidden(model);
    float *tv = malloc(BIMT_N_RULES * n_h * sizeof(float));
    int32_t *labels = malloc(n_h * sizeof(int32_t));
    double *iso_null = malloc(n_shuffles * sizeof(double));
    double *size_null = malloc(n_shuffles * sizeof(double));
    size_t side = bimt_model_grid_side(model); /* 0: caller positions (20 distance bins) */
    size_t n_bins = side ? 2 * side - 1 : 20;
    double *profile = malloc(n_bins * sizeof(double));
    uint64_t *counts = malloc(n_bins * sizeof(uint64_t));
    int status = 0;
    if (!tv || !labels || !iso_null || !size_null || !profile || !counts) {
        status = fail("analyze", BIMT_E_NOMEM, "out of memory");
        goto done;
    }
    if (side)
        printf("analyze: %s: %u hidden neurons on a %ux%u grid, %llu training steps\n", ckpt,
               (unsigned)n_h, (unsigned)side, (unsigned)side,
               (unsigned long long)bimt_trainer_steps(tr));
    else
        printf("analyze: %s: %u hidden neurons at %u-D positions (%s distance), %llu training "
               "steps\n",
               ckpt, (unsigned)n_h, (unsigned)bimt_model_dim(model),
               bimt_distance_name(bimt_model_distance_kind(model)),
               (unsigned long long)bimt_trainer_steps(tr));

    double perf[BIMT_N_RULES];
    rc = bimt_trainer_evaluate(tr, (uint32_t)eval_trials, perf);
    if (rc) {
        status = fail("evaluate", rc, bimt_trainer_errmsg(tr));
        goto done;
    }
    printf("performance per task (%lu trials each):\n", eval_trials);
    for (int r = 0; r < BIMT_N_RULES; r++)
        if (perf[r] >= 0.0) printf("  %-16s %.3f\n", bimt_rule_name(r), perf[r]);

    rc = bimt_task_variance(model, task, tv);
    if (rc) {
        status = fail("task variance", rc, bimt_model_errmsg(model));
        goto done;
    }
    bimt_cluster_params cp;
    bimt_cluster_params_init(&cp);
    uint32_t n_clusters = 0;
    double silhouette = 0.0;
    rc = bimt_cluster_task_variance(tv, BIMT_N_RULES, n_h, &cp, labels, &n_clusters, &silhouette);
    if (rc) {
        status = fail("clustering", rc, "");
        goto done;
    }
    uint32_t n_important = 0;
    for (size_t k = 0; k < n_h; k++)
        n_important += labels[k] >= 0 ? 1u : 0u;
    printf("functional clusters: %u among %u important neurons (silhouette %.3f)\n", n_clusters,
           n_important, silhouette);

    bimt_anatomy an;
    an.struct_size = (uint32_t)sizeof an; /* an output struct */
    rc = bimt_anatomy_metrics(model, labels, (uint32_t)n_shuffles, 1, &an, iso_null, size_null);
    if (rc) {
        status = fail("anatomy", rc, "");
        goto done;
    }
    printf("isolated neurons: %.3f (shuffled null %.3f +- %.3f, z %.2f, p %.4f)\n",
           an.isolated_fraction, an.isolated_null_mean, an.isolated_null_sd, an.isolated_z,
           an.isolated_p);
    printf("cluster size:     %.3f (shuffled null %.3f +- %.3f, z %.2f, p %.4f)\n", an.cluster_size,
           an.size_null_mean, an.size_null_sd, an.size_z, an.size_p);
    printf("=> %s\n", (an.isolated_p < 0.05 && an.size_p < 0.05)
                          ? "functional clusters are anatomically local (p < 0.05 on both)"
                          : "no significant anatomical modularity at p < 0.05");

    bimt_wiring w;
    w.struct_size = (uint32_t)sizeof w; /* an output struct */
    rc = bimt_wiring_stats(model, tv, cp.importance_threshold, 1e-2, &w);
    if (rc) {
        status = fail("wiring", rc, "");
        goto done;
    }
    printf("wiring: %u active neurons, %u active edges, length %.3f, spectral radius %.3f\n",
           w.n_active_neurons, w.n_active_edges, w.wiring_length, w.spectral_radius);
    rc = bimt_weight_distance_profile(model, n_bins, profile, counts);
    if (rc) {
        status = fail("weight profile", rc, "");
        goto done;
    }
    printf("mean |w| by distance:");
    for (size_t b = 0; b < n_bins; b++)
        if (counts[b]) printf(" %.3g", profile[b]);
    printf("\n");

    rc = bimt_report_write(out_dir, model, task, tr, &cp, (uint32_t)n_shuffles);
    if (rc) {
        status = fail("report", rc, bimt_model_errmsg(model));
        goto done;
    }
    printf("analyze: report written to %s/index.html\n", out_dir);

done:
    free(tv);
    free(labels);
    free(iso_null);
    free(size_null);
    free(profile);
    free(counts);
    bimt_trainer_free(tr);
    bimt_model_free(model);
    bimt_task_free(task);
    return status;
}
