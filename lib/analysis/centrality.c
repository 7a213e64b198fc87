/* Centrality of the important neurons: their mean distance to the grid centre (caller
 * positions: the centroid of the slots) against random placements on all slots. The seed paper
 * reads Fig. 1e as "important neurons in the middle"; this puts a number and a p-value on it.
 * Definition in docs/analysis.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/null_test.h"
#include "bimt/analysis.h"
#include "common/common.h"
#include "common/rng.h"
#include "model/model_internal.h"

/* Distance of slot s to the centre, in grid units / side (the cluster-size unit). */
static double centre_distance(size_t side, uint32_t s)
{
    double c = 0.5 * (double)(side - 1);
    double dr = (double)bimt__slot_row(side, s) - c, dc = (double)bimt__slot_col(side, s) - c;
    return sqrt(dr * dr + dc * dc) / (double)side;
}

/* Distances of every slot to the centroid of all slots, Euclidean in the positions' units
 * (caller positions; on the grid the centroid is the centre and centre_distance() applies). */
static void centroid_distances(const struct bimt_model *m, double *d)
{
    double c[BIMT_MAX_DIM] = {0.0, 0.0, 0.0};
    for (size_t s = 0; s < m->n_h; s++)
        for (size_t k = 0; k < m->dim; k++)
            c[k] += m->pos[s * m->dim + k];
    for (size_t k = 0; k < m->dim; k++)
        c[k] /= (double)m->n_h;
    for (size_t s = 0; s < m->n_h; s++)
        d[s] = bimt__pos_distance(m->pos + s * m->dim, c, m->dim, BIMT_DIST_EUCLIDEAN);
}

/* Mean of d over the first m entries of slots, summed in the given order. */
static double mean_of(const double *d, const uint32_t *slots, size_t m)
{
    double s = 0.0;
    for (size_t i = 0; i < m; i++)
        s += d[slots[i]];
    return m ? s / (double)m : 0.0;
}

int bimt_centrality_metrics(const bimt_model_t *model, const uint8_t *important,
                            uint32_t n_shuffles, uint64_t seed, bimt_centrality *out,
                            double *null_samples)
{
    int arc = bimt__null_test_args("bimt_centrality_metrics", model, important, "important", out,
                                   n_shuffles);
    if (arc) return arc;
    const size_t nh = model->n_h, side = model->side;
    double *d = bimt__malloc(nh, sizeof(double));
    uint32_t *slots = bimt__malloc(nh, sizeof(uint32_t));
    if (bimt__alloc_failed((void *[]){d, slots}, 2))
        return bimt__err(BIMT_E_NOMEM, "bimt_centrality_metrics: out of memory (%u shuffles)",
                         (unsigned)n_shuffles);
    if (side == 0)
        centroid_distances(model, d);
    else
        for (size_t s = 0; s < nh; s++)
            d[s] = centre_distance(side, (uint32_t)s);
    /* Observed: the important neurons' own slots, in slot order. */
    size_t m = 0;
    uint8_t *used = (uint8_t *)slots; /* reuse as a flag array before filling the slot list */
    memset(used, 0, nh);
    for (size_t k = 0; k < nh; k++)
        if (important[k]) used[model->slots[k]] = 1;
    double sum = 0.0;
    for (size_t s = 0; s < nh; s++)
        if (used[s]) {
            sum += d[s];
            m++;
        }
    bimt_centrality res;
    memset(&res, 0, sizeof res);
    res.struct_size = (uint32_t)sizeof res;
    res.n_important = (uint32_t)m;
    res.observed = m ? sum / (double)m : 0.0;
    res.n_shuffles = n_shuffles;

    for (size_t s = 0; s < nh; s++)
        slots[s] = (uint32_t)s;
    bimt_rng rng;
    bimt__rng_seed(&rng, seed, BIMT_STREAM_SHUFFLE);
    bimt__null_acc acc = {0.0, 0.0, 0, 0};
    for (uint32_t t = 0; t < n_shuffles; t++) {
        /* Partial Fisher-Yates: the first m entries become a uniform m-subset of the slots. */
        for (size_t i = 0; i < m; i++) {
            size_t j = i + (size_t)bimt__rng_below(&rng, (uint64_t)(nh - i));
            uint32_t x = slots[i];
            slots[i] = slots[j];
            slots[j] = x;
        }
        double v = mean_of(d, slots, m);
        bimt__null_add(&acc, v, res.observed);
        if (null_samples) null_samples[t] = v;
    }
    if (m == 0) {
        res.p = 1.0;
    } else {
        bimt__null_finish(&acc, res.observed, &res.null_mean, &res.null_sd, &res.z, &res.p);
    }
    if (n_shuffles == 0) res.p = 1.0;
    bimt__out_write(out, &res, sizeof res, "bimt_centrality_metrics: out");
    free(d);
    free(slots);
    return BIMT_OK;
}
