/* Writes a batch (x, y, mask, y_loc) from a plan.
 *
 * Inputs are written one step at a time ([B][n_in] contiguous). The batch is cut into
 * segments at every stimulus, fixation and trial boundary; inside a segment the noise-free
 * row of a trial does not change, so the rows are built once per segment and copied (or
 * copied with noise added, task_noise.c) into every step of the segment: x is written in
 * one pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/bigbuf.h"
#include "task/task_build.h"

/* ------------------------------------------------------------------ buffers */

/* Grows a batch array to at least n elements (by half again at a time, so a growing trial
 * length reallocates rarely). The arrays are mapped from the OS (bigbuf.h), so the pages of
 * an outgrown array return at once. On failure the old array stays. */
static int grow(void **buf, size_t *cap, size_t n, size_t elem)
{
    if (n <= *cap) return BIMT_OK;
    size_t want = n;
    if (*cap > 0 && *cap <= SIZE_MAX / 3 && *cap + *cap / 2 > want) want = *cap + *cap / 2;
    void *p = bimt__big_alloc(want, elem);
    if (!p && want > n) p = bimt__big_alloc(want = n, elem);
    if (!p) return bimt__err(BIMT_E_NOMEM, "task: out of memory for %zu elements", n);
    if (*cap) memcpy(p, *buf, *cap * elem);
    bimt__big_free(*buf);
    *buf = p;
    *cap = want;
    return BIMT_OK;
}

static int mul_ok(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

int bimt__task_reserve_trials(struct bimt_task *t, size_t B)
{
    size_t nb, ns;
    if (!mul_ok(B, BIMT__MAX_SLOTS * t->ring, &nb) || !mul_ok(B, t->n_in, &ns))
        return bimt__err(BIMT_E_NOMEM, "task: %zu trials overflow the buffers", B);
    if (grow((void **)&t->trials, &t->cap_trials, B, sizeof(bimt__trial)) ||
        grow((void **)&t->bumps, &t->cap_bumps, nb, sizeof(double)) ||
        grow((void **)&t->sigrows, &t->cap_sigrows, ns, sizeof(float)) ||
        grow((void **)&t->rows, &t->cap_rows, (B + 1) * t->n_out, sizeof(float)))
        return BIMT_E_NOMEM; /* message set by grow() */
    return BIMT_OK;
}

int bimt__task_reserve(struct bimt_task *t, size_t T, size_t B)
{
    size_t tb, nx, ny;
    if (!mul_ok(T, B, &tb) || !mul_ok(tb, t->n_in, &nx) || !mul_ok(tb, t->n_out, &ny))
        return bimt__err(BIMT_E_NOMEM, "task: %zu steps x %zu trials overflow the buffers", T, B);
    if (grow((void **)&t->x, &t->cap_x, nx, sizeof(float)) ||
        grow((void **)&t->y, &t->cap_y, ny, sizeof(float)) ||
        grow((void **)&t->mask, &t->cap_mask, ny, sizeof(float)) ||
        grow((void **)&t->y_loc, &t->cap_loc, tb, sizeof(float)))
        return BIMT_E_NOMEM; /* message set by grow() */
    return BIMT_OK;
}

/* ------------------------------------------------------------------ rendering */

/* Unit-strength-free bump 0.8 exp(-(cd/(pi/8))^2 / 2) of direction psi at ring unit k. */
static double bump_at(double psi, size_t k, size_t ring)
{
    double theta = (double)k * (TWO_PI / (double)ring);
    double d = bimt__cd(psi, theta) / (3.14159265358979323846 / 8.0);
    return 0.8 * exp(-0.5 * d * d);
}

static float dir_to_float(double psi)
{
    float f = (float)psi;
    if ((double)f >= TWO_PI) f = 0.0f; /* rounding up to 2pi wraps to 0 */
    return f;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static void render_inputs(struct bimt_task *t, const bimt__plan *p, const bimt__trial *tr,
                          int noise, uint64_t key)
{
    const size_t T = p->T, B = p->B, n_in = t->n_in, R = t->ring;
    const size_t rule_col = t->rule_start + (size_t)p->rule;

    /* Bumps (double) of every slot of every trial, including the strength. */
    for (size_t b = 0; b < B; b++)
        for (size_t s = 0; s < p->n_slots; s++) {
            double *bp = t->bumps + (b * BIMT__MAX_SLOTS + s) * R;
            for (size_t k = 0; k < R; k++)
                bp[k] = bump_at(tr[b].dir[s], k, R) * tr[b].strength[s];
        }

    /* Segment boundaries. */
    size_t cut[2 * BIMT__MAX_SLOTS + 4];
    size_t nc = 0;
    cut[nc++] = 0;
    cut[nc++] = T;
    cut[nc++] = p->fix_on < T ? p->fix_on : T;
    cut[nc++] = p->fix_off < T ? p->fix_off : T;
    for (size_t s = 0; s < p->n_slots; s++) {
        cut[nc++] = p->slot[s].on < T ? p->slot[s].on : T;
        cut[nc++] = p->slot[s].off < T ? p->slot[s].off : T;
    }
    qsort(cut, nc, sizeof(size_t), cmp_size);

    bimt__noise nz;
    if (noise) bimt__noise_seed(&nz, key);

    for (size_t c = 0; c + 1 < nc; c++) {
        size_t s0 = cut[c], s1 = cut[c + 1];
        if (s0 >= s1) continue;
        int fix = p->fix_on <= s0 && s1 <= p->fix_off;
        /* Noise-free rows of this segment. Stimuli add in slot order (float32 sums). */
        for (size_t b = 0; b < B; b++) {
            float *row = t->sigrows + b * n_in;
            memset(row, 0, n_in * sizeof(float));
            if (fix) row[0] = 1.0f;
            row[rule_col] = 1.0f;
            for (size_t s = 0; s < p->n_slots; s++) {
                if (!(p->slot[s].on <= s0 && s1 <= p->slot[s].off)) continue;
                const double *bp = t->bumps + (b * BIMT__MAX_SLOTS + s) * R;
                float *dst = row + 1 + (size_t)tr[b].ring[s] * R;
                for (size_t k = 0; k < R; k++)
                    dst[k] = (float)((double)dst[k] + bp[k]);
            }
        }
        for (size_t step = s0; step < s1; step++) {
            float *xr = t->x + step * B * n_in;
            if (noise)
                bimt__noise_fill(&nz, &t->zig, xr, t->sigrows, B * n_in, t->noise_std);
            else
                memcpy(xr, t->sigrows, B * n_in * sizeof(float));
        }
    }
}

static void render_targets(struct bimt_task *t, const bimt__plan *p, const bimt__trial *tr)
{
    const size_t T = p->T, B = p->B, n_out = t->n_out, R = t->ring, g = p->go;
    const int ce = t->p.loss == BIMT_LOSS_CROSS_ENTROPY;
    const float base = ce ? 0.0f : 0.05f;

    /* rows[0]: must-fixate row; rows[1 + b]: response row of trial b. */
    float *fixrow = t->rows;
    fixrow[0] = ce ? 1.0f : 0.8f;
    for (size_t k = 0; k < R; k++)
        fixrow[1 + k] = base;
    float *locs = t->sigrows; /* free again after the inputs: y_loc value per trial */
    for (size_t b = 0; b < B; b++) {
        float *row = t->rows + (1 + b) * n_out;
        row[0] = base;
        if (ce) {
            size_t best = 0;
            double bd = bimt__cd(tr[b].target, 0.0);
            for (size_t k = 1; k < R; k++) {
                double d = bimt__cd(tr[b].target, (double)k * (TWO_PI / (double)R));
                if (d < bd) {
                    bd = d;
                    best = k;
                }
            }
            for (size_t k = 0; k < R; k++)
                row[1 + k] = k == best ? 1.0f : 0.0f;
        } else {
            for (size_t k = 0; k < R; k++)
                row[1 + k] = (float)((double)base + bump_at(tr[b].target, k, R));
        }
        locs[b] = tr[b].go ? dir_to_float(tr[b].target) : -1.0f;
    }

    for (size_t step = 0; step < T; step++) {
        float *yr = t->y + step * B * n_out;
        float *lr = t->y_loc + step * B;
        if (step < g) {
            for (size_t b = 0; b < B; b++)
                memcpy(yr + b * n_out, fixrow, n_out * sizeof(float));
            for (size_t b = 0; b < B; b++)
                lr[b] = -1.0f;
        } else {
            for (size_t b = 0; b < B; b++) {
                const float *src = tr[b].go ? t->rows + (1 + b) * n_out : fixrow;
                memcpy(yr + b * n_out, src, n_out * sizeof(float));
            }
            memcpy(lr, locs, B * sizeof(float));
        }
    }
}

static void render_mask(struct bimt_task *t, const bimt__plan *p)
{
    const size_t T = p->T, B = p->B, n_out = t->n_out, g = p->go;
    const size_t p0 = bimt__steps(t, 100.0);
    const int ce = t->p.loss == BIMT_LOSS_CROSS_ENTROPY;

    /* Per-step weight: 5 from g + p0 on, then 1 on [p0, g) (written last, as in the spec). */
    double total = 0.0;
    for (size_t step = 0; step < T; step++) {
        double m = 0.0;
        if (step >= g + p0) m = 5.0;
        if (step >= p0 && step < g) m = 1.0;
        total += m;
    }
    double mean = total / (double)T; /* equal for every trial, so mean over T*B too */

    for (size_t step = 0; step < T; step++) {
        double m = 0.0;
        if (step >= g + p0) m = 5.0;
        if (step >= p0 && step < g) m = 1.0;
        float ring_w, fix_w;
        if (ce) {
            ring_w = fix_w = mean > 0.0 ? (float)(m / mean) : 0.0f;
        } else {
            ring_w = (float)m;
            fix_w = (float)(2.0 * m);
        }
        float *mr = t->mask + step * B * n_out;
        for (size_t b = 0; b < B; b++) {
            float *row = mr + b * n_out;
            row[0] = fix_w;
            for (size_t k = 1; k < n_out; k++)
                row[k] = ring_w;
        }
    }
}

void bimt__render(struct bimt_task *t, const bimt__plan *p, const bimt__trial *tr, int noise,
                  uint64_t noise_key)
{
    render_inputs(t, p, tr, noise, noise_key);
    render_targets(t, p, tr);
    render_mask(t, p);
}
