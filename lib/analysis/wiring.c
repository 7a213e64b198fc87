/* Wiring statistics: active neurons and connections, wiring length, spectral radius, and
 * mean |w| against wiring distance. Definitions in docs/analysis.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "bimt/analysis.h"
#include "common/blas.h"
#include "common/common.h"
#include "model/model_internal.h"

/* Neurons with any incident weight (W_rec row or column, W_in row, W_out column) above thr. */
static uint32_t count_connected(const struct bimt_model *m, double thr)
{
    const size_t n = m->n_h;
    const float *W = bimt__W(m), *Win = bimt__Win(m), *Wout = bimt__Wout(m);
    uint32_t count = 0;
    for (size_t k = 0; k < n; k++) {
        int act = 0;
        for (size_t j = 0; j < n && !act; j++)
            act = fabs((double)W[k * n + j]) > thr || fabs((double)W[j * n + k]) > thr;
        for (size_t j = 0; j < m->n_in && !act; j++)
            act = fabs((double)Win[k * m->n_in + j]) > thr;
        for (size_t o = 0; o < m->n_out && !act; o++)
            act = fabs((double)Wout[o * n + k]) > thr;
        count += (uint32_t)act;
    }
    return count;
}

int bimt_wiring_stats(const bimt_model_t *model, const float *tv, double importance_threshold,
                      double weight_threshold, bimt_wiring *out)
{
    if (!model) return bimt__err(BIMT_E_INVALID_ARG, "bimt_wiring_stats: model is NULL");
    int orc = bimt__out_check(out, "bimt_wiring_stats: out");
    if (orc) return orc;
    if (!bimt__finite(weight_threshold) || weight_threshold < 0.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_wiring_stats: weight_threshold must be finite "
                         "and >= 0 (got %g)",
                         weight_threshold);
    const size_t n = model->n_h;
    const float *W = bimt__W(model);
    bimt_wiring res;
    memset(&res, 0, sizeof res);

    if (tv) {
        uint8_t *imp = bimt__malloc(n, 1);
        if (!imp)
            return bimt__err(BIMT_E_NOMEM, "bimt_wiring_stats: out of memory (%zu neurons)", n);
        int rc = bimt_important_neurons(tv, BIMT_N_RULES, (uint32_t)n, importance_threshold, imp,
                                        &res.n_active_neurons);
        free(imp);
        if (rc) return rc;
    } else {
        res.n_active_neurons = count_connected(model, weight_threshold);
    }

    for (size_t i = 0; i < n * n; i++)
        if (!bimt__finite((double)W[i]))
            return bimt__err(BIMT_E_NUMERIC, "bimt_wiring_stats: W_rec[%zu] is %g", i,
                             (double)W[i]);
    uint64_t edges = 0, len_slots = 0; /* grid: length in slot units, exact integer sum */
    double len = 0.0;                  /* otherwise: sum of the model's distances */
    const int grid = bimt__model_is_grid(model);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            if (i == j || !(fabs((double)W[i * n + j]) > weight_threshold)) continue;
            edges++;
            if (grid)
                len_slots += bimt__slot_manhattan(model->side, model->slots[i], model->slots[j]);
            else
                len += bimt__model_slot_distance(model, model->slots[i], model->slots[j]);
        }
    }
    res.n_active_edges = (uint32_t)edges;
    res.wiring_length = grid ? (double)len_slots / (double)model->side : len;
    int rc = bimt__spectral_radius(W, n, &res.spectral_radius);
    if (rc) return rc;
    bimt__out_write(out, &res, sizeof res, "bimt_wiring_stats: out");
    return BIMT_OK;
}

double bimt__profile_bin_width(const struct bimt_model *m, size_t n_bins)
{
    if (bimt__model_is_grid(m)) return 1.0 / (double)m->side;
    double mx = 0.0;
    for (uint32_t a = 0; a < m->n_h; a++)
        for (uint32_t b = a + 1; b < m->n_h; b++) {
            double d = bimt__model_slot_distance(m, a, b);
            mx = d > mx ? d : mx;
        }
    return n_bins > 1 && mx > 0.0 ? mx / (double)(n_bins - 1) : 1.0;
}

/* Bin of the distance between slots a and b: the nearest multiple of width. */
static size_t profile_bin(const struct bimt_model *m, uint32_t a, uint32_t b, double width)
{
    double x = floor(bimt__model_slot_distance(m, a, b) / width + 0.5);
    return x < (double)SIZE_MAX / 2 ? (size_t)x : SIZE_MAX;
}

int bimt_weight_distance_profile(const bimt_model_t *model, size_t n_bins, double *mean_abs_w,
                                 uint64_t *counts)
{
    if (!model || !mean_abs_w)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_weight_distance_profile: %s is NULL",
                         !model ? "model" : "mean_abs_w");
    if (n_bins == 0)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_weight_distance_profile: n_bins is 0");
    if (n_bins > BIMT_MAX_BINS)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_weight_distance_profile: n_bins must be at most %u (got %zu)",
                         (unsigned)BIMT_MAX_BINS, n_bins);
    const size_t n = model->n_h;
    const float *W = bimt__W(model);
    double *sum = bimt__calloc(n_bins, sizeof(double));
    uint64_t *cnt = bimt__calloc(n_bins, sizeof(uint64_t));
    if (bimt__alloc_failed((void *[]){sum, cnt}, 2))
        return bimt__err(BIMT_E_NOMEM, "bimt_weight_distance_profile: out of memory (%zu bins)",
                         n_bins);
    const int grid = bimt__model_is_grid(model);
    const double width = grid ? 0.0 : bimt__profile_bin_width(model, n_bins);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            if (i == j) continue;
            size_t b = grid ? bimt__slot_manhattan(model->side, model->slots[i], model->slots[j])
                            : profile_bin(model, model->slots[i], model->slots[j], width);
            if (b >= n_bins) continue;
            sum[b] += fabs((double)W[i * n + j]);
            cnt[b]++;
        }
    }
    for (size_t b = 0; b < n_bins; b++) {
        mean_abs_w[b] = cnt[b] ? sum[b] / (double)cnt[b] : 0.0;
        if (counts) counts[b] = cnt[b];
    }
    free(sum);
    free(cnt);
    return BIMT_OK;
}
