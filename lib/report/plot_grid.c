/* Figures drawn on the neuron grid: the network (1a), the cluster map (1c) and neuron
 * importance (1e). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/plot.h"
#include "bimt/status.h"
#include "common/common.h"
#include "model/grid.h"
#include "report/plot_internal.h"
#include "report/svg.h"

/* Geometry shared by the grid figures: a square of PANEL px at (LEFT, TOP). */
#define LEFT 50.0
#define TOP 78.0
#define PANEL 600.0

const char *bimt__plot_rule_name(size_t r, size_t n_rules, char *out, size_t out_len)
{
    const char *name = n_rules == BIMT_N_RULES ? bimt_rule_name((int)r) : NULL;
    if (name)
        snprintf(out, out_len, "%s", name);
    else
        snprintf(out, out_len, "rule %zu", r);
    return out;
}

long bimt__plot_check_labels(const int32_t *labels, size_t n)
{
    long k = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < -1 || (labels[i] >= 0 && (size_t)labels[i] >= n)) return -1;
        if (labels[i] >= 0 && (long)labels[i] + 1 > k) k = (long)labels[i] + 1;
    }
    return k;
}

long bimt__plot_bad_label(const int32_t *labels, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (labels[i] < -1 || (labels[i] >= 0 && (size_t)labels[i] >= n)) return (long)i;
    return 0;
}

/* Starts a grid figure: the document and its heading above the panel. */
static void grid_begin(bimt__buf *b, double w, double h, const char *title, const char *sub)
{
    bimt__svg_begin(b, w, h, title);
    bimt__svg_heading(b, LEFT + PANEL / 2.0, 26.0, title, sub);
}

/* Where the slots are drawn: the side x side grid, or (caller positions, side 0) the slots'
 * positions in cell units: the first coordinate down, the second across; in 3-D the layers of
 * the third coordinate side by side (at most MAX_LAYERS distinct values, else projected onto
 * the first two). The cell is the smallest gap between distinct coordinate values (at least
 * 1/63 of their range). */
#define MAX_LAYERS 12
typedef struct layout {
    size_t side;     /* grid side, or 0 */
    double cell;     /* px per cell */
    double *cx, *cy; /* side 0: [n] column and row of each slot, in cells */
    char name[96];   /* "8 x 8 grid" or a description of the positions */
} layout;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v [n] and returns its distinct values' count; *gap = smallest positive gap (0 if
 * none), *range = max - min. */
static size_t distinct(double *v, size_t n, double *gap, double *range)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t k = 1;
    *gap = 0.0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[i - 1]) {
            double g = v[i] - v[i - 1];
            if (*gap == 0.0 || g < *gap) *gap = g;
            k++;
        }
    *range = v[n - 1] - v[0];
    return k;
}

static void layout_free(layout *L)
{
    free(L->cx);
    free(L->cy);
    L->cx = L->cy = NULL;
}

static int layout_make(const bimt_model_t *model, layout *L)
{
    memset(L, 0, sizeof *L);
    const size_t n = bimt_model_n_hidden(model), dim = bimt_model_dim(model);
    L->side = bimt_model_grid_side(model);
    if (L->side) {
        L->cell = PANEL / (double)L->side;
        snprintf(L->name, sizeof L->name, "%zu x %zu grid", L->side, L->side);
        return BIMT_OK;
    }
    const double *pos = bimt_model_positions(model);
    L->cx = bimt__malloc(n, sizeof(double));
    L->cy = bimt__malloc(n, sizeof(double));
    double *v = bimt__malloc(n, sizeof(double));
    if (!L->cx || !L->cy || !v) {
        free(v);
        layout_free(L);
        return BIMT_E_NOMEM;
    }
    /* axis 0 = rows, 1 = columns, 2 = layers; min, cell size and count for each */
    double lo[3] = {0.0, 0.0, 0.0}, sp[3] = {1.0, 1.0, 1.0}, zval[MAX_LAYERS];
    size_t n_layers = 1, extent[2] = {1, 1};
    for (size_t d = 0; d < dim; d++) {
        for (size_t s = 0; s < n; s++)
            v[s] = pos[s * dim + d];
        double gap, range;
        size_t k = distinct(v, n, &gap, &range);
        lo[d] = v[0];
        if (d == 2) {
            if (k <= MAX_LAYERS) {
                n_layers = 0;
                for (size_t s = 0; s < n; s++)
                    if (s == 0 || v[s] > v[s - 1]) zval[n_layers++] = v[s];
            }
            continue;
        }
        sp[d] = gap > range / 63.0 ? gap : (range > 0.0 ? range / 63.0 : 1.0);
        extent[d] = (size_t)floor(range / sp[d] + 0.5) + 1;
    }
    free(v);
    size_t row_ax = dim >= 2 ? 0 : 1, col_ax = dim >= 2 ? 1 : 0; /* 1-D: one row */
    if (dim == 1) extent[1] = extent[0], extent[0] = 1;
    for (size_t s = 0; s < n; s++) {
        const double *p = pos + s * dim;
        size_t layer = 0;
        while (n_layers > 1 && zval[layer] < p[2])
            layer++;
        L->cy[s] = dim >= 2 ? (p[row_ax] - lo[row_ax]) / sp[row_ax] : 0.0;
        L->cx[s] = (p[col_ax] - lo[col_ax]) / sp[col_ax] + (double)(layer * (extent[1] + 1));
    }
    double width = (double)(n_layers * (extent[1] + 1) - 1), height = (double)extent[0];
    L->cell = PANEL / (width > height ? width : height);
    snprintf(L->name, sizeof L->name, "%zu slots at %zu-D positions%s", n, dim,
             n_layers > 1 ? " (layers of the 3rd coordinate side by side)" : "");
    return BIMT_OK;
}

/* Top-left pixel corner of slot s's cell. */
static void cell_xy(const layout *L, uint32_t s, double *x, double *y)
{
    if (L->side) {
        *x = LEFT + (double)bimt__slot_col(L->side, s) * L->cell;
        *y = TOP + (double)bimt__slot_row(L->side, s) * L->cell;
    } else {
        *x = LEFT + L->cx[s] * L->cell;
        *y = TOP + L->cy[s] * L->cell;
    }
}

/* Pixel centre of slot s. */
static void slot_xy(const layout *L, uint32_t s, double *x, double *y)
{
    if (L->side) {
        *x = LEFT + ((double)bimt__slot_col(L->side, s) + 0.5) * L->cell;
        *y = TOP + ((double)bimt__slot_row(L->side, s) + 0.5) * L->cell;
    } else {
        *x = LEFT + (L->cx[s] + 0.5) * L->cell;
        *y = TOP + (L->cy[s] + 0.5) * L->cell;
    }
}

static void cluster_hex(char out[8], int32_t label)
{
    if (label < 0)
        memcpy(out, "#d9d9d9", 8);
    else
        bimt__rgb_hex(out, bimt__cmap_cat((int)label));
}

/* ------------------------------------------------------------------ 1a network */

typedef struct edge {
    float aw;
    uint32_t i, j;
    int pos;
} edge;

static int edge_desc(const void *a, const void *b)
{
    const edge *x = a, *y = b;
    if (x->aw != y->aw) return x->aw < y->aw ? 1 : -1;
    if (x->i != y->i) return x->i < y->i ? -1 : 1;
    return x->j < y->j ? -1 : (x->j > y->j);
}

int bimt__plot_network(const bimt_model_t *model, const int32_t *labels, double weight_threshold,
                       const char *path, char *errbuf)
{
    if (!model || !path)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_network: %s is NULL",
                          !model ? "model" : "path");
    if (isnan(weight_threshold))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_network: threshold is NaN");
    double thr = weight_threshold > 0.0 ? weight_threshold : BIMT_PLOT_WEIGHT_THRESHOLD;
    size_t n = bimt_model_n_hidden(model);
    const float *W = NULL;
    const uint32_t *slots = bimt_model_slots(model);
    if (bimt_model_tensor(model, BIMT_W_REC, &W, NULL, NULL, NULL) != BIMT_OK || !W || !slots)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_network: model has no weights");
    long n_clusters = 0;
    if (labels && (n_clusters = bimt__plot_check_labels(labels, n)) < 0)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_network: labels[%ld] is %d: must be -1 or in [0, n_hidden)",
                          bimt__plot_bad_label(labels, n),
                          (int)labels[bimt__plot_bad_label(labels, n)]);

    size_t n_total = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && fabs((double)W[i * n + j]) > thr) n_total++;
    edge *e = n_total ? bimt__malloc(n_total, sizeof(*e)) : NULL;
    if (n_total && !e) return bimt__fail(errbuf, BIMT_E_NOMEM, "plot_network: out of memory");
    size_t ne = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            float w = W[i * n + j];
            if (i != j && fabs((double)w) > thr) {
                e[ne].aw = fabsf(w);
                e[ne].i = (uint32_t)i;
                e[ne].j = (uint32_t)j;
                e[ne].pos = w > 0.0f;
                ne++;
            }
        }
    if (ne > 1) qsort(e, ne, sizeof(*e), edge_desc);
    layout L;
    if (layout_make(model, &L)) {
        free(e);
        return bimt__fail(errbuf, BIMT_E_NOMEM, "plot_network: out of memory");
    }
    size_t shown = ne < BIMT_PLOT_MAX_EDGES ? ne : BIMT_PLOT_MAX_EDGES;
    double wmax = shown ? (double)e[0].aw : thr;
    double wmin_shown = shown ? (double)e[shown - 1].aw : thr;

    bimt__buf b;
    bimt__buf_init(&b);
    const double W_PX = LEFT + PANEL + 250.0, H_PX = TOP + PANEL + 40.0;
    char title[128], sub[256], t1[BIMT__NUMBUF], t2[BIMT__NUMBUF];
    snprintf(title, sizeof title, "Hidden network on the %s", L.name);
    bimt__fmt_short(t1, thr);
    if (shown < ne)
        snprintf(sub, sizeof sub,
                 "the %zu strongest of %zu connections with |w| > %s; "
                 "self-connections not drawn",
                 shown, ne, t1);
    else
        snprintf(sub, sizeof sub, "%zu connections with |w| > %s; self-connections not drawn", ne,
                 t1);
    grid_begin(&b, W_PX, H_PX, title, sub);
    bimt__svg_rect(&b, LEFT, TOP, PANEL, PANEL, "#fbfbfb", "#bbbbbb", 1.0);

    /* Edges, weakest first so the strong ones lie on top. */
    bimt__buf_puts(&b, "<g id=\"edges\" stroke-linecap=\"round\">\n");
    double span = wmax - wmin_shown;
    for (size_t q = shown; q-- > 0;) {
        double x1, y1, x2, y2;
        slot_xy(&L, slots[e[q].j], &x1, &y1);
        slot_xy(&L, slots[e[q].i], &x2, &y2);
        double t = span > 0.0 ? ((double)e[q].aw - wmin_shown) / span : 1.0;
        bimt__buf_fmt(&b,
                      "<line class=\"edge\" x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" "
                      "stroke=\"%r\" stroke-width=\"%f\" stroke-opacity=\"%.3f\"/>\n",
                      x1, y1, x2, y2, e[q].pos ? "#d62728" : "#1f5fd6", 0.4 + 3.2 * t,
                      0.15 + 0.8 * t);
    }
    bimt__buf_puts(&b, "</g>\n");

    /* Neurons. */
    double cell = L.cell;
    double r = cell * 0.28 < 9.0 ? cell * 0.28 : 9.0;
    if (r < 1.2) r = 1.2;
    bimt__buf_puts(&b, "<g id=\"neurons\">\n");
    for (size_t k = 0; k < n; k++) {
        double x, y;
        char hex[8];
        slot_xy(&L, slots[k], &x, &y);
        if (labels)
            cluster_hex(hex, labels[k]);
        else
            memcpy(hex, "#444444", 8);
        bimt__buf_fmt(&b,
                      "<circle class=\"neuron\" cx=\"%f\" cy=\"%f\" r=\"%f\" fill=\"%r\" "
                      "stroke=\"#222222\" stroke-width=\"0.6\"/>\n",
                      x, y, r, hex);
    }
    bimt__buf_puts(&b, "</g>\n");

    /* Legend. */
    double lx = LEFT + PANEL + 25.0, ly = TOP + 10.0;
    bimt__svg_text(&b, lx, ly, 13.0, BIMT__LEFT, 0.0, 1, "Connections");
    ly += 22.0;
    bimt__svg_line(&b, lx, ly - 4.0, lx + 30.0, ly - 4.0, "#d62728", 3.0, NULL);
    bimt__svg_text(&b, lx + 38.0, ly, 12.0, BIMT__LEFT, 0.0, 0, "positive w");
    ly += 20.0;
    bimt__svg_line(&b, lx, ly - 4.0, lx + 30.0, ly - 4.0, "#1f5fd6", 3.0, NULL);
    bimt__svg_text(&b, lx + 38.0, ly, 12.0, BIMT__LEFT, 0.0, 0, "negative w");
    ly += 20.0;
    bimt__fmt_short(t1, wmax);
    bimt__fmt_short(t2, wmin_shown);
    snprintf(sub, sizeof sub, "|w| = %s (thickest)", t1);
    bimt__svg_line(&b, lx, ly - 4.0, lx + 30.0, ly - 4.0, "#555555", 3.6, NULL);
    bimt__svg_text(&b, lx + 38.0, ly, 12.0, BIMT__LEFT, 0.0, 0, sub);
    ly += 20.0;
    snprintf(sub, sizeof sub, "|w| = %s (thinnest)", t2);
    bimt__svg_line(&b, lx, ly - 4.0, lx + 30.0, ly - 4.0, "#555555", 0.4, NULL);
    bimt__svg_text(&b, lx + 38.0, ly, 12.0, BIMT__LEFT, 0.0, 0, sub);
    ly += 34.0;
    if (labels) {
        bimt__svg_text(&b, lx, ly, 13.0, BIMT__LEFT, 0.0, 1, "Neurons (cluster)");
        ly += 22.0;
        size_t shown_c = 0;
        for (long c = 0; c < n_clusters && ly < TOP + PANEL - 20.0; c++) {
            size_t cnt = 0;
            for (size_t k = 0; k < n; k++)
                cnt += labels[k] == c;
            if (!cnt) continue;
            char hex[8];
            cluster_hex(hex, (int32_t)c);
            snprintf(sub, sizeof sub, "cluster %ld (%zu)", c, cnt);
            bimt__svg_swatch(&b, lx, ly, hex, sub);
            ly += 18.0;
            shown_c++;
        }
        (void)shown_c;
        size_t un = 0;
        for (size_t k = 0; k < n; k++)
            un += labels[k] < 0;
        snprintf(sub, sizeof sub, "unimportant (%zu)", un);
        bimt__svg_swatch(&b, lx, ly, "#d9d9d9", sub);
    } else {
        bimt__svg_swatch(&b, lx, ly, "#444444", "neuron at its slot");
    }
    bimt__svg_end(&b);
    free(e);
    layout_free(&L);
    return bimt__buf_save_free(&b, path, errbuf);
}

int bimt_plot_network(const bimt_model_t *model, const int32_t *labels, double weight_threshold,
                      const char *path)
{
    return bimt__plot_network(model, labels, weight_threshold, path, NULL);
}

/* ------------------------------------------------------------------ 1c clusters */

/* Preferred rule of cluster c: argmax over rules of the summed ntv of its members. */
static size_t preferred_rule(const float *ntv, size_t n_rules, size_t n, const int32_t *labels,
                             int32_t c)
{
    size_t best = 0;
    double best_v = -1.0;
    for (size_t r = 0; r < n_rules; r++) {
        double s = 0.0;
        for (size_t k = 0; k < n; k++)
            if (labels[k] == c) s += (double)ntv[r * n + k];
        if (s > best_v) {
            best_v = s;
            best = r;
        }
    }
    return best;
}

static int check_nonneg(const float *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!bimt__finite((double)a[i]) || a[i] < 0.0f) return 0;
    return 1;
}

int bimt__plot_clusters_grid(const bimt_model_t *model, const int32_t *labels, const float *ntv,
                             size_t n_rules, const char *path, char *errbuf)
{
    if (!model || !labels || !path)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_clusters_grid: %s is NULL",
                          !model    ? "model"
                          : !labels ? "labels"
                                    : "path");
    size_t n = bimt_model_n_hidden(model);
    const uint32_t *slots = bimt_model_slots(model);
    long n_clusters = bimt__plot_check_labels(labels, n);
    if (n_clusters < 0)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_clusters_grid: labels[%ld] is %d: must be -1 or in [0, n_hidden)",
                          bimt__plot_bad_label(labels, n),
                          (int)labels[bimt__plot_bad_label(labels, n)]);
    if (ntv && (n_rules == 0 || n_rules > BIMT_PLOT_MAX_RULES))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_clusters_grid: n_rules must be in 1..%u with ntv (got %zu)",
                          (unsigned)BIMT_PLOT_MAX_RULES, n_rules);
    if (ntv && !check_nonneg(ntv, n_rules * n))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_clusters_grid: ntv[] must be finite and >= 0");

    layout L;
    if (layout_make(model, &L))
        return bimt__fail(errbuf, BIMT_E_NOMEM, "plot_clusters_grid: out of memory");
    bimt__buf b;
    bimt__buf_init(&b);
    const double W_PX = LEFT + PANEL + 300.0, H_PX = TOP + PANEL + 40.0;
    char title[128], sub[256];
    size_t n_imp = 0, n_used = 0;
    for (size_t k = 0; k < n; k++)
        n_imp += labels[k] >= 0;
    for (long c = 0; c < n_clusters; c++)
        for (size_t k = 0; k < n; k++)
            if (labels[k] == c) {
                n_used++;
                break;
            }
    snprintf(title, sizeof title, "Functional clusters on the %s", L.name);
    snprintf(sub, sizeof sub, "%zu clusters among %zu important neurons (grey: unimportant)",
             n_used, n_imp);
    grid_begin(&b, W_PX, H_PX, title, sub);

    double cell = L.cell;
    for (size_t k = 0; k < n; k++) {
        char hex[8];
        cluster_hex(hex, labels[k]);
        double x, y;
        cell_xy(&L, slots[k], &x, &y);
        bimt__buf_fmt(&b,
                      "<rect class=\"cell\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" "
                      "fill=\"%r\" stroke=\"#ffffff\" stroke-width=\"%f\"/>\n",
                      x, y, cell, cell, hex, cell > 8.0 ? 1.5 : 0.3);
        if (labels[k] >= 0 && cell >= 18.0) {
            char num[16];
            snprintf(num, sizeof num, "%d", (int)labels[k]);
            bimt__rgb c = bimt__cmap_cat((int)labels[k]);
            int dark = 0.299 * c.r + 0.587 * c.g + 0.114 * c.b < 140.0;
            bimt__buf_fmt(&b,
                          "<text x=\"%f\" y=\"%f\" font-size=\"%.1f\" text-anchor=\"middle\" "
                          "fill=\"%r\">%s</text>\n",
                          x + cell / 2.0, y + cell / 2.0 + cell * 0.14,
                          cell * 0.4 < 14.0 ? cell * 0.4 : 14.0, dark ? "#ffffff" : "#000000", num);
        }
    }
    bimt__svg_rect(&b, LEFT, TOP, PANEL, PANEL, "none", "#888888", 1.0);

    double lx = LEFT + PANEL + 25.0, ly = TOP + 10.0;
    bimt__svg_text(&b, lx, ly, 13.0, BIMT__LEFT, 0.0, 1,
                   ntv ? "Cluster (size): preferred task" : "Cluster (size)");
    ly += 22.0;
    size_t listed = 0;
    for (long c = 0; c < n_clusters; c++) {
        size_t cnt = 0;
        for (size_t k = 0; k < n; k++)
            cnt += labels[k] == c;
        if (!cnt) continue;
        if (ly > TOP + PANEL - 30.0) {
            snprintf(sub, sizeof sub, "... %zu more clusters", n_used - listed);
            bimt__svg_text(&b, lx, ly, 12.0, BIMT__LEFT, 0.0, 0, sub);
            ly += 18.0;
            break;
        }
        char hex[8], rn[48];
        cluster_hex(hex, (int32_t)c);
        if (ntv)
            snprintf(sub, sizeof sub, "%ld (%zu): %s", c, cnt,
                     bimt__plot_rule_name(preferred_rule(ntv, n_rules, n, labels, (int32_t)c),
                                          n_rules, rn, sizeof rn));
        else
            snprintf(sub, sizeof sub, "%ld (%zu)", c, cnt);
        bimt__svg_swatch(&b, lx, ly, hex, sub);
        ly += 18.0;
        listed++;
    }
    snprintf(sub, sizeof sub, "unimportant (%zu)", n - n_imp);
    bimt__svg_swatch(&b, lx, ly, "#d9d9d9", sub);
    bimt__svg_end(&b);
    layout_free(&L);
    return bimt__buf_save_free(&b, path, errbuf);
}

int bimt_plot_clusters_grid(const bimt_model_t *model, const int32_t *labels, const float *ntv,
                            uint32_t n_rules, const char *path)
{
    return bimt__plot_clusters_grid(model, labels, ntv, n_rules, path, NULL);
}

/* ------------------------------------------------------------------ 1e importance */

int bimt__plot_importance_grid(const bimt_model_t *model, const float *tv, size_t n_rules,
                               double threshold, const char *path, char *errbuf)
{
    if (!model || !tv || !path)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_importance_grid: %s is NULL",
                          !model ? "model"
                          : !tv  ? "tv"
                                 : "path");
    if (n_rules == 0 || n_rules > 1024)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_importance_grid: n_rules must be in 1..1024 (got %zu)", n_rules);
    if (!(threshold > 0.0) || !bimt__finite(threshold))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_importance_grid: threshold must be finite and > 0 (got %g)",
                          threshold);
    size_t n = bimt_model_n_hidden(model);
    const uint32_t *slots = bimt_model_slots(model);
    if (!check_nonneg(tv, n_rules * n))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_importance_grid: tv[] (the task variance) must be finite and >= 0");
    double *s = bimt__calloc(n, sizeof(*s));
    layout L;
    if (!s || layout_make(model, &L)) {
        free(s);
        return bimt__fail(errbuf, BIMT_E_NOMEM, "plot_importance_grid: out of memory");
    }
    double smax = 0.0, spos = (double)INFINITY;
    size_t n_imp = 0;
    for (size_t k = 0; k < n; k++) {
        for (size_t r = 0; r < n_rules; r++)
            s[k] += (double)tv[r * n + k];
        if (s[k] > smax) smax = s[k];
        if (s[k] > 0.0 && s[k] < spos) spos = s[k];
        n_imp += s[k] > threshold;
    }
    double vmax, vmin;
    if (smax > 0.0) {
        vmax = ceil(log10(smax) * 4.0) / 4.0;
        vmin = floor(log10(spos) * 4.0) / 4.0;
        if (vmin < vmax - 8.0) vmin = vmax - 8.0;
        if (vmax - vmin < 1.0) vmin = vmax - 1.0;
    } else {
        vmax = 0.0;
        vmin = -6.0;
    }

    bimt__buf b;
    bimt__buf_init(&b);
    const double W_PX = LEFT + PANEL + 250.0, H_PX = TOP + PANEL + 40.0;
    char title[128], sub[256], t1[BIMT__NUMBUF];
    snprintf(title, sizeof title, "Neuron importance (task variance summed over %zu tasks)",
             n_rules);
    bimt__fmt_short(t1, threshold);
    snprintf(sub, sizeof sub,
             "log colour scale; %zu neurons above the threshold %s are "
             "outlined in black",
             n_imp, t1);
    grid_begin(&b, W_PX, H_PX, title, sub);
    double cell = L.cell;
    for (size_t k = 0; k < n; k++) {
        char hex[8];
        if (s[k] > 0.0)
            bimt__rgb_hex(hex, bimt__cmap_seq((log10(s[k]) - vmin) / (vmax - vmin)));
        else
            memcpy(hex, "#f2f2f2", 8);
        double x, y;
        cell_xy(&L, slots[k], &x, &y);
        int imp = s[k] > threshold;
        double inset = imp ? (cell > 8.0 ? 1.2 : 0.3) : 0.0;
        bimt__buf_fmt(&b,
                      "<rect class=\"cell\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" "
                      "fill=\"%r\" stroke=\"%r\" stroke-width=\"%f\"/>\n",
                      x + inset, y + inset, cell - 2.0 * inset, cell - 2.0 * inset, hex,
                      imp ? "#000000" : "#ffffff", imp ? 2.0 * inset : (cell > 8.0 ? 1.0 : 0.2));
    }
    bimt__svg_rect(&b, LEFT, TOP, PANEL, PANEL, "none", "#888888", 1.0);
    double cbx = LEFT + PANEL + 90.0, cby = TOP + 20.0, cbh = PANEL - 80.0;
    bimt__svg_colorbar(&b, cbx, cby, 22.0, cbh, vmin, vmax, 1, "summed task variance");
    double lt = log10(threshold);
    if (lt >= vmin && lt <= vmax) {
        double py = cby + cbh - (lt - vmin) / (vmax - vmin) * cbh;
        bimt__svg_line(&b, cbx - 6.0, py, cbx + 28.0, py, "#d62728", 2.0, NULL);
        bimt__svg_text(&b, cbx - 8.0, py + 4.0, 11.0, BIMT__RIGHT, 0.0, 0, "threshold");
    }
    bimt__svg_swatch(&b, cbx, cby + cbh + 40.0, "#f2f2f2", "zero variance");
    bimt__svg_end(&b);
    free(s);
    layout_free(&L);
    return bimt__buf_save_free(&b, path, errbuf);
}

int bimt_plot_importance_grid(const bimt_model_t *model, const float *tv, uint32_t n_rules,
                              double threshold, const char *path)
{
    return bimt__plot_importance_grid(model, tv, n_rules, threshold, path, NULL);
}

/* ------------------------------------------------------------------ graph modules */

/* One panel of the modules figure at x0 (size px square, the slots laid out as in the other
 * grid figures, scaled): each neuron's cell coloured by its label. */
static void label_grid(bimt__buf *b, const bimt_model_t *model, const layout *L, const int32_t *lab,
                       double x0, double size, const char *heading)
{
    const size_t n = bimt_model_n_hidden(model);
    const uint32_t *slots = bimt_model_slots(model);
    const double scale = size / PANEL, cell = L->cell * scale;
    bimt__svg_text(b, x0 + size / 2.0, TOP - 10.0, 14.0, BIMT__MIDDLE, 0.0, 1, heading);
    for (size_t k = 0; k < n; k++) {
        char hex[8];
        cluster_hex(hex, lab[k]);
        double x, y;
        cell_xy(L, slots[k], &x, &y);
        x = x0 + (x - LEFT) * scale;
        y = TOP + (y - TOP) * scale;
        bimt__buf_fmt(b,
                      "<rect class=\"cell\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" "
                      "fill=\"%r\" stroke=\"#ffffff\" stroke-width=\"%f\"/>\n",
                      x, y, cell, cell, hex, cell > 8.0 ? 1.5 : 0.3);
    }
    bimt__svg_rect(b, x0, TOP, size, size, "none", "#888888", 1.0);
}

int bimt__plot_modules_grid(const bimt_model_t *model, const int32_t *modules,
                            const int32_t *labels, const char *subtitle, const char *path,
                            char *errbuf)
{
    if (!model || !modules || !labels || !path)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_modules_grid: NULL argument");
    const size_t n = bimt_model_n_hidden(model);
    if (bimt__plot_check_labels(modules, n) < 0 || bimt__plot_check_labels(labels, n) < 0)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_modules_grid: labels must be -1 or in [0, n_hidden)");
    layout L;
    if (layout_make(model, &L))
        return bimt__fail(errbuf, BIMT_E_NOMEM, "plot_modules_grid: out of memory");
    const double size = 420.0, gap = 60.0;
    bimt__buf b;
    bimt__buf_init(&b);
    char title[160];
    snprintf(title, sizeof title, "Graph modules beside functional clusters (%s)", L.name);
    bimt__svg_begin(&b, LEFT + 2.0 * size + gap + 40.0, TOP + size + 40.0, title);
    bimt__svg_heading(&b, LEFT + size + gap / 2.0, 26.0, title, subtitle);
    label_grid(&b, model, &L, modules, LEFT, size, "modules of the thresholded W_rec");
    label_grid(&b, model, &L, labels, LEFT + size + gap, size, "functional clusters");
    layout_free(&L);
    bimt__svg_end(&b);
    int rc = bimt__buf_save(&b, path, errbuf);
    bimt__buf_free(&b);
    return rc;
}
