/* Chart figures: normalised task variance heat map (1b), per-task performance (1d), mean |w|
 * versus distance (1f) and metric-versus-null histograms (2b). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/plot.h"
#include "bimt/status.h"
#include "common/common.h"
#include "report/plot_internal.h"
#include "report/svg.h"

/* ------------------------------------------------------------------ 1b task variance */

typedef struct column {
    int32_t cluster;
    uint32_t pref;
    uint32_t neuron;
} column;

static int column_cmp(const void *a, const void *b)
{
    const column *x = a, *y = b;
    int c = BIMT__CMP(x->cluster, y->cluster);
    if (!c) c = BIMT__CMP(x->pref, y->pref);
    return c ? c : BIMT__CMP(x->neuron, y->neuron);
}

int bimt__plot_task_variance(const float *ntv, size_t n_rules, size_t n, const int32_t *labels,
                             const char *path, char *errbuf)
{
    if (!ntv || !path)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_task_variance: %s is NULL",
                          !ntv ? "ntv" : "path");
    if (n_rules == 0 || n_rules > BIMT_PLOT_MAX_RULES || n == 0 || n > BIMT_MAX_HIDDEN)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_task_variance: n_rules (%zu) must be in 1..%u and n_hidden (%zu) "
                          "in 1..%u",
                          n_rules, (unsigned)BIMT_PLOT_MAX_RULES, n, (unsigned)BIMT_MAX_HIDDEN);
    if (labels && bimt__plot_check_labels(labels, n) < 0)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_task_variance: labels[%ld] is %d: must be -1 or in [0, n_hidden)",
                          bimt__plot_bad_label(labels, n),
                          (int)labels[bimt__plot_bad_label(labels, n)]);
    double vmax = 0.0;
    for (size_t i = 0; i < n_rules * n; i++) {
        if (!bimt__finite((double)ntv[i]) || ntv[i] < 0.0f)
            return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                              "plot_task_variance: ntv[%zu] is %g: must be finite and >= 0", i,
                              (double)ntv[i]);
        if ((double)ntv[i] > vmax) vmax = (double)ntv[i];
    }
    vmax = vmax <= 1.0 ? 1.0 : vmax;

    column *cols = bimt__malloc(n, sizeof(*cols));
    if (!cols) return bimt__fail(errbuf, BIMT_E_NOMEM, "plot_task_variance: out of memory");
    size_t nc = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t pref = 0;
        float best = -1.0f;
        for (size_t r = 0; r < n_rules; r++)
            if (ntv[r * n + k] > best) {
                best = ntv[r * n + k];
                pref = (uint32_t)r;
            }
        if (labels ? labels[k] < 0 : !(best > 0.0f)) continue;
        cols[nc].cluster = labels ? labels[k] : 0;
        cols[nc].pref = pref;
        cols[nc].neuron = (uint32_t)k;
        nc++;
    }
    if (nc > 1) qsort(cols, nc, sizeof(*cols), column_cmp);

    const double left = 150.0, top = 96.0, rowh = 22.0;
    double cw = nc ? 720.0 / (double)nc : 720.0;
    if (cw > 18.0) cw = 18.0;
    if (cw < 1.0) cw = 1.0;
    double hw = nc ? cw * (double)nc : 400.0, hh = rowh * (double)n_rules;
    double W_PX = left + hw + 140.0, H_PX = top + hh + 70.0;
    if (W_PX < 560.0) W_PX = 560.0;

    bimt__buf b;
    bimt__buf_init(&b);
    char sub[256], rn[48];
    size_t n_cl = 0;
    for (size_t q = 0; q < nc; q++)
        n_cl += q == 0 || cols[q].cluster != cols[q - 1].cluster;
    if (labels)
        snprintf(sub, sizeof sub,
                 "%zu important neurons (columns) grouped into %zu clusters; "
                 "each neuron scaled to its largest value",
                 nc, n_cl);
    else
        snprintf(sub, sizeof sub, "%zu neurons with nonzero variance, ordered by preferred task",
                 nc);
    bimt__svg_begin(&b, W_PX, H_PX, "Normalised task variance");
    bimt__svg_heading(&b, W_PX / 2.0, 26.0, "Normalised task variance", sub);
    for (size_t r = 0; r < n_rules; r++)
        bimt__svg_text(&b, left - 8.0, top + ((double)r + 0.5) * rowh + 4.0, 12.0, BIMT__RIGHT, 0.0,
                       0, bimt__plot_rule_name(r, n_rules, rn, sizeof rn));
    if (nc == 0) {
        bimt__svg_rect(&b, left, top, hw, hh, "#f2f2f2", "#000000", 1.0);
        bimt__svg_text(&b, left + hw / 2.0, top + hh / 2.0, 14.0, BIMT__MIDDLE, 0.0, 0,
                       "no important neurons");
    } else {
        bimt__buf_puts(&b, "<g id=\"heatmap\" shape-rendering=\"crispEdges\">\n");
        for (size_t q = 0; q < nc; q++)
            for (size_t r = 0; r < n_rules; r++) {
                char hex[8];
                bimt__rgb_hex(hex, bimt__cmap_seq((double)ntv[r * n + cols[q].neuron] / vmax));
                bimt__buf_fmt(&b,
                              "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" "
                              "fill=\"%r\"/>\n",
                              left + (double)q * cw, top + (double)r * rowh, cw + 0.05, rowh + 0.05,
                              hex);
            }
        bimt__buf_puts(&b, "</g>\n");
        bimt__svg_rect(&b, left, top, hw, hh, "none", "#000000", 1.0);
        if (labels) {
            size_t start = 0;
            for (size_t q = 1; q <= nc; q++) {
                if (q < nc && cols[q].cluster == cols[start].cluster) continue;
                double x0 = left + (double)start * cw, x1 = left + (double)q * cw;
                if (q < nc)
                    bimt__buf_fmt(&b,
                                  "<line class=\"boundary\" x1=\"%f\" y1=\"%f\" x2=\"%f\" "
                                  "y2=\"%f\" stroke=\"#ffffff\" stroke-width=\"2\"/>\n",
                                  x1, top - 4.0, x1, top + hh + 4.0);
                char hex[8], id[16];
                bimt__rgb_hex(hex, bimt__cmap_cat((int)cols[start].cluster));
                bimt__svg_rect(&b, x0, top - 12.0, x1 - x0, 8.0, hex, NULL, 0.0);
                snprintf(id, sizeof id, "%d", (int)cols[start].cluster);
                if (x1 - x0 >= 12.0)
                    bimt__svg_text(&b, (x0 + x1) / 2.0, top - 16.0, 10.0, BIMT__MIDDLE, 0.0, 0, id);
                start = q;
            }
            bimt__svg_text(&b, left - 8.0, top - 5.0, 10.0, BIMT__RIGHT, 0.0, 0, "cluster");
        }
    }
    snprintf(sub, sizeof sub,
             labels ? "important neurons, grouped by cluster (%zu)" : "neurons (%zu)", nc);
    bimt__svg_text(&b, left + hw / 2.0, top + hh + 24.0, 13.0, BIMT__MIDDLE, 0.0, 0, sub);
    bimt__svg_colorbar(&b, left + hw + 24.0, top, 18.0, hh, 0.0, vmax, 0,
                       "normalised task variance");
    bimt__svg_end(&b);
    free(cols);
    return bimt__buf_save_free(&b, path, errbuf);
}

int bimt_plot_task_variance(const float *ntv, uint32_t n_rules, uint32_t n_hidden,
                            const int32_t *labels, const char *path)
{
    return bimt__plot_task_variance(ntv, n_rules, n_hidden, labels, path, NULL);
}

/* ------------------------------------------------------------------ 1d performance */

int bimt__plot_performance(const double *perf, double target, const char *path, char *errbuf)
{
    if (!perf || !path)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_performance: %s is NULL",
                          !perf ? "perf" : "path");
    if (!(target >= 0.0 && target <= 1.0))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_performance: target must be in [0, 1] (got %g)", target);
    double sum = 0.0, mn = 2.0;
    size_t k = 0, above = 0;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        if (isnan(perf[r]) || perf[r] > 1.0)
            return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                              "plot_performance: perf[%d] must be "
                              "<= 1 and not NaN (negative = not evaluated)",
                              r);
        if (perf[r] < 0.0) continue;
        sum += perf[r];
        mn = perf[r] < mn ? perf[r] : mn;
        above += perf[r] >= target;
        k++;
    }
    bimt__buf b;
    bimt__buf_init(&b);
    const double W_PX = 900.0, H_PX = 570.0;
    bimt__axes a = {80.0, 80.0, 780.0, 360.0, 0.0, (double)BIMT_N_RULES, 0.0, 1.0, 0};
    char sub[256], m1[BIMT__NUMBUF], m2[BIMT__NUMBUF], t1[BIMT__NUMBUF];
    bimt__fmt_fixed(m1, k ? sum / (double)k : 0.0, 3);
    bimt__fmt_fixed(m2, k ? mn : 0.0, 3);
    bimt__fmt_fixed(t1, target, 3);
    if (k)
        snprintf(sub, sizeof sub, "mean %s, min %s over %zu tasks; %zu of %zu at or above %s", m1,
                 m2, k, above, k, t1);
    else
        snprintf(sub, sizeof sub, "no task evaluated");
    bimt__svg_begin(&b, W_PX, H_PX, "Performance per task");
    bimt__svg_heading(&b, W_PX / 2.0, 26.0, "Performance per task", sub);
    bimt__svg_yaxis(&b, &a, "fraction of correct trials");
    double slot = a.w / BIMT_N_RULES;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        double cx = a.x0 + ((double)r + 0.5) * slot;
        const char *name = bimt_rule_name(r);
        char rn[48];
        snprintf(rn, sizeof rn, "%s", name ? name : "?");
        bimt__svg_text(&b, cx + 3.0, a.y0 + a.h + 12.0, 12.0, BIMT__RIGHT, -45.0, 0, rn);
        if (perf[r] < 0.0) {
            bimt__svg_text(&b, cx, a.y0 + a.h - 6.0, 10.0, BIMT__MIDDLE, 0.0, 0, "n/a");
            continue;
        }
        double y = bimt__ax_y(&a, perf[r]);
        bimt__buf_fmt(&b,
                      "<rect class=\"bar\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" "
                      "fill=\"%r\"><title>%s: %.3f</title></rect>\n",
                      cx - slot * 0.35, y, slot * 0.7, a.y0 + a.h - y,
                      perf[r] >= target ? "#3a7dc9" : "#f28e2b", rn, perf[r]);
        char v[BIMT__NUMBUF];
        bimt__fmt_fixed(v, perf[r], 2);
        bimt__svg_text(&b, cx, y - 4.0, 10.0, BIMT__MIDDLE, 0.0, 0, v);
    }
    double ty = bimt__ax_y(&a, target);
    bimt__svg_line(&b, a.x0, ty, a.x0 + a.w, ty, "#d62728", 1.6, "7 4");
    double lx = a.x0 + a.w - 210.0, ly = a.y0 + a.h + 118.0;
    bimt__svg_line(&b, lx, ly - 4.0, lx + 28.0, ly - 4.0, "#d62728", 1.6, "7 4");
    snprintf(sub, sizeof sub, "target %s", t1);
    bimt__svg_text(&b, lx + 34.0, ly, 12.0, BIMT__LEFT, 0.0, 0, sub);
    bimt__svg_swatch(&b, a.x0, ly, "#3a7dc9", "at or above target");
    bimt__svg_swatch(&b, a.x0 + 170.0, ly, "#f28e2b", "below target");
    bimt__svg_end(&b);
    return bimt__buf_save_free(&b, path, errbuf);
}

int bimt_plot_performance(const double perf[BIMT_N_RULES], double target, const char *path)
{
    return bimt__plot_performance(perf, target, path, NULL);
}

/* ------------------------------------------------------------------ 1f |w| vs distance */

/* Distance of bin i: i / side on the grid, else i * width. */
static double bin_x(size_t i, size_t side, double width)
{
    return side ? (double)i / (double)side : (double)i * width;
}

int bimt__plot_weight_distance(const double *mw, const uint64_t *counts, size_t n_bins, size_t side,
                               double width, const char *path, char *errbuf)
{
    if (!mw || !path)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_weight_distance: %s is NULL",
                          !mw ? "mean_abs_w" : "path");
    if (n_bins == 0 || n_bins > 4096)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_weight_distance: n_bins must be in 1..4096 (got %zu)", n_bins);
    if ((side == 0 && !(width > 0.0 && bimt__finite(width))) || side > BIMT_MAX_GRID_SIDE)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_weight_distance: grid_side must be in 1..%u (got %zu)",
                          (unsigned)BIMT_MAX_GRID_SIDE, side);
    double lo = (double)INFINITY, hi = 0.0;
    size_t shown = 0, last = 0;
    for (size_t i = 0; i < n_bins; i++) {
        if (!bimt__finite(mw[i]) || mw[i] < 0.0)
            return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                              "plot_weight_distance: mean_abs_w[%zu] is %g: must be finite and "
                              ">= 0",
                              i, mw[i]);
        if (counts && counts[i] == 0) continue;
        shown++;
        last = i;
        if (mw[i] > hi) hi = mw[i];
        if (mw[i] < lo) lo = mw[i];
    }
    int ylog = shown > 0 && lo > 0.0 && hi / lo > 100.0;
    bimt__axes a = {100.0, 80.0,
                    560.0, 360.0,
                    0.0,   bin_x(last > 0 ? last : 1, side, width),
                    0.0,   hi > 0.0 ? hi * 1.1 : 1.0,
                    ylog};
    if (ylog) {
        a.ymin = floor(log10(lo));
        a.ymax = ceil(log10(hi));
        if (a.ymax - a.ymin < 1.0) a.ymax = a.ymin + 1.0;
    }
    bimt__buf b;
    bimt__buf_init(&b);
    const double W_PX = 720.0, H_PX = 500.0;
    char sub[200];
    snprintf(sub, sizeof sub,
             "mean |W_rec[i][j]| over neuron pairs i != j at each grid "
             "distance%s",
             ylog ? " (log scale)" : "");
    bimt__svg_begin(&b, W_PX, H_PX, "Connection strength versus distance");
    bimt__svg_heading(&b, W_PX / 2.0, 26.0, "Connection strength versus distance", sub);
    bimt__svg_yaxis(&b, &a, "mean |w|");
    bimt__svg_xaxis(&b, &a,
                    side ? "distance D = (|row difference| + |column difference|) / grid side"
                         : "distance D between the slots' positions (bin centres)");
    if (shown) {
        bimt__buf_puts(&b,
                       "<polyline fill=\"none\" stroke=\"#3a7dc9\" stroke-width=\"2\" points=\"");
        for (size_t i = 0; i < n_bins; i++) {
            if (counts && counts[i] == 0) continue;
            bimt__buf_fmt(&b, "%f,%f ", bimt__ax_x(&a, bin_x(i, side, width)),
                          bimt__ax_y(&a, mw[i]));
        }
        bimt__buf_puts(&b, "\"/>\n");
        for (size_t i = 0; i < n_bins; i++) {
            if (counts && counts[i] == 0) continue;
            bimt__buf_fmt(&b,
                          "<circle class=\"point\" cx=\"%f\" cy=\"%f\" r=\"3.5\" "
                          "fill=\"#3a7dc9\"><title>D = %.3f: mean |w| = %g</title></circle>\n",
                          bimt__ax_x(&a, bin_x(i, side, width)), bimt__ax_y(&a, mw[i]),
                          bin_x(i, side, width), mw[i]);
        }
    } else {
        bimt__svg_text(&b, a.x0 + a.w / 2.0, a.y0 + a.h / 2.0, 14.0, BIMT__MIDDLE, 0.0, 0,
                       "no neuron pairs");
    }
    bimt__svg_end(&b);
    return bimt__buf_save_free(&b, path, errbuf);
}

int bimt_plot_weight_distance(const double *mean_abs_w, const uint64_t *counts, size_t n_bins,
                              uint32_t grid_side, const char *path)
{
    return bimt__plot_weight_distance(mean_abs_w, counts, n_bins, grid_side, 0.0, path, NULL);
}

/* ------------------------------------------------------------------ curves */

int bimt__plot_curves(const bimt__curve *c, size_t n_curves, const char *title,
                      const char *subtitle, const char *xlabel, const char *ylabel, int ylog,
                      double ref_y, const char *ref_label, double mark_x, const char *mark_label,
                      const char *path, char *errbuf)
{
    if (!c || !path || !title || n_curves == 0 || n_curves > 8)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_curves: NULL argument or "
                          "n_curves not in 1..8");
    double xlo = (double)INFINITY, xhi = -(double)INFINITY;
    double ylo = (double)INFINITY, yhi = -(double)INFINITY;
    size_t shown = 0;
    for (size_t k = 0; k < n_curves; k++) {
        if (c[k].n && (!c[k].x || !c[k].y))
            return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_curves: curve %zu has no data", k);
        for (size_t i = 0; i < c[k].n; i++) {
            double x = c[k].x[i], y = c[k].y[i];
            if (!bimt__finite(x) || !bimt__finite(y) || (ylog && y <= 0.0)) continue;
            shown++;
            xlo = fmin(xlo, x), xhi = fmax(xhi, x), ylo = fmin(ylo, y), yhi = fmax(yhi, y);
        }
    }
    if (bimt__finite(ref_y) && (!ylog || ref_y > 0.0))
        ylo = fmin(ylo, ref_y), yhi = fmax(yhi, ref_y);
    if (!shown) xlo = 0.0, xhi = 1.0, ylo = ylog ? 0.1 : 0.0, yhi = 1.0;
    if (xhi <= xlo) xlo -= 1.0, xhi += 1.0;
    bimt__axes a = {100.0, 80.0, 560.0, 360.0, xlo, xhi, 0.0, 1.0, ylog};
    if (ylog) {
        a.ymin = floor(log10(ylo));
        a.ymax = ceil(log10(yhi));
        if (a.ymax - a.ymin < 1.0) a.ymax = a.ymin + 1.0;
    } else {
        double pad = yhi > ylo ? 0.05 * (yhi - ylo) : 0.5;
        a.ymin = ylo - pad;
        a.ymax = yhi + pad;
    }
    const double W_PX = 720.0, H_PX = 500.0;
    bimt__buf b;
    bimt__buf_init(&b);
    bimt__svg_begin(&b, W_PX, H_PX, title);
    bimt__svg_heading(&b, W_PX / 2.0, 26.0, title, subtitle);
    bimt__svg_yaxis(&b, &a, ylabel ? ylabel : "");
    bimt__svg_xaxis(&b, &a, xlabel ? xlabel : "");
    if (bimt__finite(ref_y) && (!ylog || ref_y > 0.0)) {
        double y = bimt__ax_y(&a, ref_y);
        bimt__svg_line(&b, a.x0, y, a.x0 + a.w, y, "#888888", 1.2, "6 4");
        if (ref_label)
            bimt__svg_text(&b, a.x0 + a.w - 4.0, y - 5.0, 11.0, BIMT__RIGHT, 0.0, 0, ref_label);
    }
    if (bimt__finite(mark_x) && mark_x >= a.xmin && mark_x <= a.xmax) {
        double x = bimt__ax_x(&a, mark_x);
        bimt__svg_line(&b, x, a.y0, x, a.y0 + a.h, "#555555", 1.2, "2 3");
        if (mark_label)
            bimt__svg_text(&b, x + 4.0, a.y0 + 14.0, 11.0, BIMT__LEFT, 0.0, 0, mark_label);
    }
    for (size_t k = 0; k < n_curves; k++) {
        bimt__buf_fmt(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                      c[k].colour);
        for (size_t i = 0; i < c[k].n; i++) {
            double x = c[k].x[i], y = c[k].y[i];
            if (!bimt__finite(x) || !bimt__finite(y) || (ylog && y <= 0.0)) continue;
            bimt__buf_fmt(&b, "%f,%f ", bimt__ax_x(&a, x), bimt__ax_y(&a, y));
        }
        bimt__buf_puts(&b, "\"/>\n");
        for (size_t i = 0; i < c[k].n; i++) {
            double x = c[k].x[i], y = c[k].y[i];
            if (!bimt__finite(x) || !bimt__finite(y) || (ylog && y <= 0.0)) continue;
            bimt__buf_fmt(&b,
                          "<circle class=\"point\" cx=\"%f\" cy=\"%f\" r=\"3.5\" fill=\"%s\">"
                          "<title>%s: %g at %g</title></circle>\n",
                          bimt__ax_x(&a, x), bimt__ax_y(&a, y), c[k].colour,
                          c[k].label ? c[k].label : "", y, x);
        }
        if (c[k].label)
            bimt__svg_swatch(&b, a.x0 + a.w - 250.0, a.y0 + 16.0 + 18.0 * (double)k, c[k].colour,
                             c[k].label);
    }
    if (!shown)
        bimt__svg_text(&b, a.x0 + a.w / 2.0, a.y0 + a.h / 2.0, 14.0, BIMT__MIDDLE, 0.0, 0,
                       "no data");
    bimt__svg_end(&b);
    return bimt__buf_save_free(&b, path, errbuf);
}

/* ------------------------------------------------------------------ 2b null */

int bimt__plot_null(double observed, const double *null_samples, size_t n, double p_value,
                    const char *title, const char *xlabel, const char *path, char *errbuf)
{
    if (!path || (n > 0 && !null_samples))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_null: %s is NULL",
                          !path ? "path" : "null_samples (with n > 0)");
    if (n > 10000000u) /* BIMT_MAX_SHUFFLES (analysis.h) */
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                          "plot_null: n must be at most 10000000 (got %zu)", n);
    if (!bimt__finite(observed))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_null: observed is %g, not finite",
                          observed);
    if (isnan(p_value)) return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_null: p_value is NaN");
    double lo = observed, hi = observed, mean = 0.0, sd = 0.0;
    size_t le = 0;
    for (size_t i = 0; i < n; i++) {
        double v = null_samples[i];
        if (!bimt__finite(v))
            return bimt__fail(errbuf, BIMT_E_INVALID_ARG,
                              "plot_null: null_samples[%zu] is %g, not finite", i, v);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        mean += v;
        le += v <= observed;
    }
    if (n) {
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            sd += (null_samples[i] - mean) * (null_samples[i] - mean);
        sd = sqrt(sd / (double)n);
    }
    if (p_value < 0.0) p_value = (1.0 + (double)le) / (1.0 + (double)n);
    double pad = (hi - lo) * 0.08;
    if (!(pad > 0.0)) pad = fabs(lo) > 0.0 ? fabs(lo) * 0.1 : 0.5;
    lo -= pad;
    hi += pad;
    size_t nb = n < 50 ? 10 : (n < 400 ? 20 : 30);
    size_t hist[30] = {0}, hmax = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)((null_samples[i] - lo) / (hi - lo) * (double)nb);
        if (k >= nb) k = nb - 1;
        hist[k]++;
    }
    for (size_t k = 0; k < nb; k++)
        hmax = hist[k] > hmax ? hist[k] : hmax;
    bimt__axes a = {90.0, 80.0, 560.0, 340.0, lo, hi, 0.0, hmax ? (double)hmax * 1.15 : 1.0, 0};

    bimt__buf b;
    bimt__buf_init(&b);
    const double W_PX = 780.0, H_PX = 500.0;
    char full[300], sub[300], pv[BIMT__NUMBUF], ov[BIMT__NUMBUF], mv[BIMT__NUMBUF],
        sv[BIMT__NUMBUF];
    bimt__fmt_short(pv, p_value);
    snprintf(full, sizeof full, "%s (p = %s)", title ? title : "", pv);
    bimt__fmt_short(ov, observed);
    bimt__fmt_short(mv, mean);
    bimt__fmt_short(sv, sd);
    if (n)
        snprintf(sub, sizeof sub, "observed %s; shuffled null (n = %zu): mean %s, sd %s", ov, n, mv,
                 sv);
    else
        snprintf(sub, sizeof sub, "observed %s; no null samples", ov);
    bimt__svg_begin(&b, W_PX, H_PX, full);
    bimt__svg_heading(&b, a.x0 + a.w / 2.0, 26.0, full, sub);
    bimt__svg_yaxis(&b, &a, "count (shuffles)");
    bimt__svg_xaxis(&b, &a, xlabel ? xlabel : "");
    for (size_t k = 0; k < nb; k++) {
        if (!hist[k]) continue;
        double x0 = bimt__ax_x(&a, lo + (hi - lo) * (double)k / (double)nb);
        double x1 = bimt__ax_x(&a, lo + (hi - lo) * (double)(k + 1) / (double)nb);
        double y = bimt__ax_y(&a, (double)hist[k]);
        bimt__buf_fmt(&b,
                      "<rect class=\"bin\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" "
                      "fill=\"#9ecae1\" stroke=\"#4a7fb0\" stroke-width=\"0.8\">"
                      "<title>%z shuffles</title></rect>\n",
                      x0, y, x1 - x0, a.y0 + a.h - y, hist[k]);
    }
    double ox = bimt__ax_x(&a, observed);
    bimt__svg_line(&b, ox, a.y0, ox, a.y0 + a.h, "#d62728", 2.5, NULL);
    double lx = a.x0 + a.w + 16.0, ly = a.y0 + 14.0;
    bimt__svg_line(&b, lx, ly - 4.0, lx + 12.0, ly - 4.0, "#d62728", 2.5, NULL);
    bimt__svg_text(&b, lx + 18.0, ly, 12.0, BIMT__LEFT, 0.0, 0, "observed");
    bimt__svg_swatch(&b, lx, ly + 24.0, "#9ecae1", "shuffled null");
    bimt__svg_end(&b);
    return bimt__buf_save_free(&b, path, errbuf);
}

int bimt_plot_null(double observed, const double *null_samples, size_t n, double p_value,
                   const char *title, const char *xlabel, const char *path)
{
    return bimt__plot_null(observed, null_samples, n, p_value, title, xlabel, path, NULL);
}

/* ------------------------------------------------------------------ lesions */

int bimt__plot_lesions(const double *base, const double *perf, size_t n_clusters, const char *path,
                       char *errbuf)
{
    if (!base || (!perf && n_clusters) || !path)
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "plot_lesions: NULL argument");
    double dmax = 0.0;
    for (size_t c = 0; c < n_clusters; c++)
        for (int r = 0; r < BIMT_N_RULES; r++) {
            double d = base[r] - perf[c * BIMT_N_RULES + (size_t)r];
            if (bimt__finite(d) && d > dmax) dmax = d;
        }
    const double left = 110.0, top = 150.0, cw = 34.0;
    const double ch = n_clusters ? (n_clusters > 20 ? 600.0 / (double)n_clusters : 30.0) : 30.0;
    const double W_PX = left + BIMT_N_RULES * cw + 140.0;
    const double H_PX = top + ch * (double)(n_clusters ? n_clusters : 1) + 40.0;
    bimt__buf b;
    bimt__buf_init(&b);
    char sub[200], t[BIMT__NUMBUF];
    bimt__fmt_short(t, dmax);
    snprintf(sub, sizeof sub,
             "drop in performance (unlesioned minus lesioned) with each cluster silenced; "
             "largest drop %s",
             t);
    bimt__svg_begin(&b, W_PX, H_PX, "Lesions of the functional clusters");
    bimt__svg_heading(&b, W_PX / 2.0, 26.0, "Lesions of the functional clusters", sub);
    for (int r = 0; r < BIMT_N_RULES; r++)
        bimt__svg_text(&b, left + ((double)r + 0.5) * cw, top - 8.0, 11.0, BIMT__LEFT, -60.0, 0,
                       bimt_rule_name(r));
    for (size_t c = 0; c < n_clusters; c++) {
        char lab[32];
        snprintf(lab, sizeof lab, "cluster %zu", c);
        double y = top + (double)c * ch;
        bimt__svg_text(&b, left - 8.0, y + ch / 2.0 + 4.0, ch < 12.0 ? ch : 12.0, BIMT__RIGHT, 0.0,
                       0, lab);
        for (int r = 0; r < BIMT_N_RULES; r++) {
            double d = base[r] - perf[c * BIMT_N_RULES + (size_t)r];
            char hex[8];
            bimt__rgb_hex(hex, bimt__cmap_seq(dmax > 0.0 && d > 0.0 ? d / dmax : 0.0));
            bimt__svg_rect(&b, left + (double)r * cw, y, cw, ch, hex, "#ffffff", 0.5);
        }
    }
    if (!n_clusters)
        bimt__svg_text(&b, left + BIMT_N_RULES * cw / 2.0, top + 20.0, 13.0, BIMT__MIDDLE, 0.0, 0,
                       "no functional cluster to lesion");
    bimt__svg_colorbar(&b, left + BIMT_N_RULES * cw + 30.0, top, 20.0,
                       ch * (double)(n_clusters ? n_clusters : 1), 0.0, dmax > 0.0 ? dmax : 1.0, 0,
                       "drop in performance");
    bimt__svg_end(&b);
    return bimt__buf_save_free(&b, path, errbuf);
}
