/* grow_brain's closing summary (see summary.h): the same analysis calls the report uses. */
#include "summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "duration.h"

const char *gb_geometry(const bimt_model_t *m, char *buf, size_t len)
{
    size_t side = bimt_model_grid_side(m);
    const char *dist = bimt_distance_name(bimt_model_distance_kind(m));
    int manhattan = bimt_model_distance_kind(m) == BIMT_DIST_MANHATTAN;
    if (side)
        snprintf(buf, len, "%zux%zu grid%s%s", side, side, manhattan ? "" : ", ",
                 manhattan ? "" : dist);
    else
        snprintf(buf, len, "%u slots at %u-D positions, %s distance", bimt_model_n_hidden(m),
                 bimt_model_dim(m), dist);
    return buf;
}

void gb_summary(const gb_config *c, bimt_model_t *m, bimt_task_t *t, const double *perf,
                double secs, uint64_t steps)
{
    char dur[32];
    ex_fmt_duration(dur, sizeof dur, secs, 0);
    double sum = 0.0, mn = 1.0;
    int n = 0, above = 0;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        if (perf[r] < 0.0) continue;
        sum += perf[r];
        mn = perf[r] < mn ? perf[r] : mn;
        above += perf[r] >= 0.9;
        n++;
    }
    char geo[128];
    printf("grow_brain: arm %s, %s, %llu steps in %s\n", bimt_arm_name(c->arm),
           gb_geometry(m, geo, sizeof geo), (unsigned long long)steps, dur);
    if (n)
        printf("  performance: mean %.3f, min %.3f, %d of %d tasks >= 0.9\n", sum / n, mn, above,
               n);
    /* The headline modularity numbers, from the same analysis calls the report uses. */
    uint32_t nh = bimt_model_n_hidden(m);
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
            printf("  important neurons %u of %u, %u functional clusters (silhouette %.3f)\n",
                   (unsigned)n_imp, (unsigned)nh, (unsigned)n_cl, sil);
            bimt_anatomy an;
            an.struct_size = (uint32_t)sizeof an; /* an output struct */
            if (bimt_anatomy_metrics(m, labels, c->shuffles, cp.seed, &an, NULL, NULL) == BIMT_OK &&
                isfinite(an.isolated_fraction))
                printf("  isolated fraction %.3f (null %.3f +- %.3f, p %.3g); cluster size "
                       "%.3f (null %.3f +- %.3f, p %.3g)\n",
                       an.isolated_fraction, an.isolated_null_mean, an.isolated_null_sd,
                       an.isolated_p, an.cluster_size, an.size_null_mean, an.size_null_sd,
                       an.size_p);
            bimt_wiring w;
            w.struct_size = (uint32_t)sizeof w; /* an output struct */
            if (bimt_wiring_stats(m, tv, cp.importance_threshold, 1e-2, &w) == BIMT_OK)
                printf("  active connections %u, wiring length %.2f, spectral radius %.3f\n",
                       (unsigned)w.n_active_edges, w.wiring_length, w.spectral_radius);
        }
        free(imp);
    }
    free(tv);
    free(labels);
}
