/* Anatomical metrics of a functional clustering on the grid (isolated fraction, cluster size)
 * against a null that shuffles the clustered neurons' labels over their own slots.
 * Definitions in docs/analysis.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/analysis.h"
#include "common/common.h"
#include "model/model_internal.h"
#include "common/rng.h"
#include "analysis/null_test.h"

/* Configuration of the clustered neurons: m neurons at fixed slots (ascending), each with a
 * compact cluster index 0..nc-1 in lab (the part the null shuffles). */
typedef struct anat_cfg {
    size_t side, n_slots; /* grid side (0: the positions and neighbour lists below), slots */
    size_t m, nc;         /* clustered neurons, clusters */
    const uint32_t *slot; /* [m] slot of the i-th clustered neuron (ascending) */
    int32_t *lab;         /* [m] compact cluster index */
    const size_t *cnt;    /* [nc] members per cluster (fixed under shuffles) */
    int32_t *grid;        /* [n_slots] compact label at each slot, -1 = none */
    double *sr, *sc, *sd; /* [nc] scratch: coordinate sums, distance sums */
    /* Positions (side == 0): dim coordinates per slot; slot s's neighbours are
     * nb[nb_off[s] .. nb_off[s + 1] - 1]; sx holds [nc][dim] coordinate sums. */
    size_t dim;
    const double *pos;
    const size_t *nb_off;
    const uint32_t *nb;
    double *sx;
} anat_cfg;

static double euclid(const double *x, const double *y, size_t dim)
{
    return bimt__pos_distance(x, y, dim, BIMT_DIST_EUCLIDEAN);
}

static void swap_d(double *x, double *y)
{
    double t = *x;
    *x = *y;
    *y = t;
}

/* The (k+1)-th smallest of d[0..n-1] (0-based k < n), by quickselect; d is reordered. */
static double kth_smallest(double *d, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        swap_d(&d[lo + (hi - lo) / 2], &d[hi]);
        double piv = d[hi];
        size_t st = lo;
        for (size_t i = lo; i < hi; i++)
            if (d[i] < piv) swap_d(&d[i], &d[st++]);
        swap_d(&d[st], &d[hi]);
        if (k == st) return d[st];
        if (k < st)
            hi = st - 1;
        else
            lo = st + 1;
    }
    return d[lo];
}

/* Neighbour lists of the slots (docs/analysis.md): the radius is the smallest over the slots
 * of the Euclidean distance to their k-th nearest other slot (on a lattice: an interior
 * slot's, so k = 8 gives a square grid's 8-neighbourhood and k = 26 a cubic lattice's
 * 26-neighbourhood, at the border too); the neighbours of s are the other slots within it
 * (relative tolerance 1e-9). Returns 0 or BIMT_E_NOMEM; *off and *nb belong to the caller. */
static int neighbour_lists(const struct bimt_model *m, size_t **off_out, uint32_t **nb_out)
{
    const size_t n = m->n_h, dim = m->dim;
    size_t k = m->n_nbr < n - 1 ? m->n_nbr : n - 1;
    size_t *off = bimt__calloc(n + 1, sizeof(size_t));
    double *d = bimt__malloc(n, sizeof(double));
    if (bimt__alloc_failed((void *[]){off, d}, 2)) return BIMT_E_NOMEM;
    double radius = INFINITY;
    for (size_t s = 0; s < n && k > 0; s++) {
        size_t c = 0;
        for (size_t t = 0; t < n; t++)
            if (t != s) d[c++] = euclid(m->pos + s * dim, m->pos + t * dim, dim);
        double r = kth_smallest(d, c, k - 1);
        radius = r < radius ? r : radius;
    }
    double lim = k > 0 ? radius * (1.0 + 1e-9) : -1.0;
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *nb = pass ? bimt__malloc(total ? total : 1, sizeof(uint32_t)) : NULL;
        if (pass && !nb) {
            free(off);
            free(d);
            return BIMT_E_NOMEM;
        }
        total = 0;
        for (size_t s = 0; s < n; s++) {
            off[s] = total;
            for (size_t t = 0; t < n; t++)
                if (t != s && euclid(m->pos + s * dim, m->pos + t * dim, dim) <= lim) {
                    if (pass) nb[total] = (uint32_t)t;
                    total++;
                }
        }
        off[n] = total;
        if (pass) *nb_out = nb;
    }
    free(d);
    *off_out = off;
    return BIMT_OK;
}

static double isolated_fraction_lists(const anat_cfg *a)
{
    size_t iso = 0;
    for (size_t i = 0; i < a->m; i++) {
        int alone = 1;
        for (size_t q = a->nb_off[a->slot[i]]; q < a->nb_off[a->slot[i] + 1] && alone; q++)
            alone = a->grid[a->nb[q]] != a->lab[i];
        iso += (size_t)alone;
    }
    return (double)iso / (double)a->m;
}

/* cluster_size() on positions: Euclidean distance in the positions' own units. */
static double cluster_size_positions(const anat_cfg *a)
{
    const size_t dim = a->dim;
    memset(a->sx, 0, a->nc * dim * sizeof(double));
    memset(a->sd, 0, a->nc * sizeof(double));
    for (size_t i = 0; i < a->m; i++)
        for (size_t d = 0; d < dim; d++)
            a->sx[(size_t)a->lab[i] * dim + d] += a->pos[(size_t)a->slot[i] * dim + d];
    for (size_t i = 0; i < a->m; i++) {
        size_t c = (size_t)a->lab[i];
        double n = (double)a->cnt[c], ctr[BIMT_MAX_DIM];
        for (size_t d = 0; d < dim; d++)
            ctr[d] = a->sx[c * dim + d] / n;
        a->sd[c] += euclid(a->pos + (size_t)a->slot[i] * dim, ctr, dim);
    }
    double total = 0.0;
    for (size_t c = 0; c < a->nc; c++)
        if (a->cnt[c] > 1) total += a->sd[c] / (double)a->cnt[c];
    return total / (double)a->nc;
}

static double isolated_fraction(const anat_cfg *a)
{
    if (a->m == 0) return 0.0;
    for (size_t s = 0; s < a->n_slots; s++)
        a->grid[s] = -1;
    for (size_t i = 0; i < a->m; i++)
        a->grid[a->slot[i]] = a->lab[i];
    if (a->side == 0) return isolated_fraction_lists(a);
    size_t iso = 0;
    long side = (long)a->side;
    for (size_t i = 0; i < a->m; i++) {
        long r = (long)bimt__slot_row(a->side, a->slot[i]);
        long c = (long)bimt__slot_col(a->side, a->slot[i]);
        int alone = 1;
        for (long dr = -1; dr <= 1 && alone; dr++) {
            for (long dc = -1; dc <= 1; dc++) {
                if (dr == 0 && dc == 0) continue;
                long rr = r + dr, cc = c + dc;
                if (rr < 0 || cc < 0 || rr >= side || cc >= side) continue;
                if (a->grid[rr * side + cc] == a->lab[i]) {
                    alone = 0;
                    break;
                }
            }
        }
        iso += (size_t)alone;
    }
    return (double)iso / (double)a->m;
}

/* Mean over clusters of the mean Euclidean distance (coordinates row/side, col/side) of the
 * members to their centroid; singleton clusters contribute 0. Summation runs in slot order,
 * so equal configurations give bit-identical values. */
static double cluster_size(const anat_cfg *a)
{
    if (a->nc == 0) return 0.0;
    if (a->side == 0) return cluster_size_positions(a);
    memset(a->sr, 0, a->nc * sizeof(double));
    memset(a->sc, 0, a->nc * sizeof(double));
    memset(a->sd, 0, a->nc * sizeof(double));
    for (size_t i = 0; i < a->m; i++) {
        a->sr[a->lab[i]] += (double)bimt__slot_row(a->side, a->slot[i]);
        a->sc[a->lab[i]] += (double)bimt__slot_col(a->side, a->slot[i]);
    }
    for (size_t i = 0; i < a->m; i++) {
        size_t c = (size_t)a->lab[i];
        double n = (double)a->cnt[c];
        double dr = (double)bimt__slot_row(a->side, a->slot[i]) - a->sr[c] / n;
        double dc = (double)bimt__slot_col(a->side, a->slot[i]) - a->sc[c] / n;
        a->sd[c] += sqrt(dr * dr + dc * dc);
    }
    double total = 0.0;
    for (size_t c = 0; c < a->nc; c++)
        if (a->cnt[c] > 1) total += a->sd[c] / (double)a->cnt[c];
    return total / (double)a->nc / (double)a->side;
}

int bimt_anatomy_metrics(const bimt_model_t *model, const int32_t *labels, uint32_t n_shuffles,
                         uint64_t seed, bimt_anatomy *out, double *isolated_null, double *size_null)
{
    int arc =
        bimt__null_test_args("bimt_anatomy_metrics", model, labels, "labels", out, n_shuffles);
    if (arc) return arc;
    const size_t nh = model->n_h;
    for (size_t k = 0; k < nh; k++)
        if (labels[k] < -1 || (labels[k] >= 0 && (size_t)labels[k] >= nh))
            return bimt__err(BIMT_E_INVALID_ARG,
                             "bimt_anatomy_metrics: labels[%zu] is %d, "
                             "must be -1 or in [0, %zu)",
                             k, (int)labels[k], nh);

    int32_t *compact = bimt__malloc(nh, sizeof(int32_t)); /* label -> compact index */
    size_t *cnt = bimt__calloc(nh, sizeof(size_t));
    uint32_t *slot = bimt__malloc(nh, sizeof(uint32_t));
    int32_t *lab = bimt__malloc(nh, sizeof(int32_t));
    int32_t *grid = bimt__malloc(nh, sizeof(int32_t));
    size_t *at = bimt__malloc(nh, sizeof(size_t)); /* slot -> neuron */
    double *sr = bimt__malloc(nh, sizeof(double));
    double *sc = bimt__malloc(nh, sizeof(double));
    double *sd = bimt__malloc(nh, sizeof(double));
    /* The grid's own 8-neighbourhood and row/column formulas, unless the slots are caller
     * positions or the neighbourhood is not the 8 nearest (then neighbour lists). */
    const int lists = model->side == 0 || model->n_nbr != 8;
    double *sx = lists ? bimt__malloc(nh * model->dim, sizeof(double)) : NULL;
    size_t *nb_off = NULL;
    uint32_t *nb = NULL;
    int rc = BIMT_OK;
    if (lists && (!sx || neighbour_lists(model, &nb_off, &nb))) {
        rc = BIMT_E_NOMEM;
        goto done;
    }
    if (!compact || !cnt || !slot || !lab || !grid || !at || !sr || !sc || !sd) {
        rc = bimt__err(BIMT_E_NOMEM, "anatomical metrics: out of memory (%zu neurons)", nh);
        goto done;
    }
    for (size_t k = 0; k < nh; k++) {
        compact[k] = -1;
        at[model->slots[k]] = k;
    }
    /* Compact cluster indices in increasing label order, neurons in slot order. */
    size_t nc = 0, m = 0;
    for (size_t k = 0; k < nh; k++)
        if (labels[k] >= 0) compact[labels[k]] = 0;
    for (size_t l = 0; l < nh; l++)
        if (compact[l] >= 0) compact[l] = (int32_t)nc++;
    for (size_t s = 0; s < nh; s++) {
        size_t k = at[s];
        if (labels[k] < 0) continue;
        slot[m] = (uint32_t)s;
        lab[m] = compact[labels[k]];
        cnt[lab[m]]++;
        m++;
    }

    anat_cfg a = {lists ? 0 : model->side,
                  nh,
                  m,
                  nc,
                  slot,
                  lab,
                  cnt,
                  grid,
                  sr,
                  sc,
                  sd,
                  model->dim,
                  model->pos,
                  nb_off,
                  nb,
                  sx};
    bimt_anatomy res;
    memset(&res, 0, sizeof res);
    res.isolated_fraction = isolated_fraction(&a);
    res.cluster_size = cluster_size(&a);
    res.n_shuffles = n_shuffles;

    bimt_rng rng;
    bimt__rng_seed(&rng, seed, BIMT_STREAM_SHUFFLE);
    bimt__null_acc ni = {0.0, 0.0, 0, 0}, ns = {0.0, 0.0, 0, 0};
    for (uint32_t s = 0; s < n_shuffles; s++) {
        for (size_t i = m; i > 1; i--) { /* Fisher-Yates over the clustered slots */
            size_t j = (size_t)bimt__rng_below(&rng, (uint64_t)i);
            int32_t t = lab[i - 1];
            lab[i - 1] = lab[j];
            lab[j] = t;
        }
        double vi = isolated_fraction(&a), vs = cluster_size(&a);
        bimt__null_add(&ni, vi, res.isolated_fraction);
        bimt__null_add(&ns, vs, res.cluster_size);
        if (isolated_null) isolated_null[s] = vi;
        if (size_null) size_null[s] = vs;
    }
    bimt__null_finish(&ni, res.isolated_fraction, &res.isolated_null_mean, &res.isolated_null_sd,
                      &res.isolated_z, &res.isolated_p);
    bimt__null_finish(&ns, res.cluster_size, &res.size_null_mean, &res.size_null_sd, &res.size_z,
                      &res.size_p);
    bimt__out_write(out, &res, sizeof res, "bimt_anatomy_metrics: out");
done:
    free(compact);
    free(cnt);
    free(slot);
    free(lab);
    free(grid);
    free(at);
    free(sr);
    free(sc);
    free(sd);
    free(sx);
    free(nb_off);
    free(nb);
    return rc;
}
