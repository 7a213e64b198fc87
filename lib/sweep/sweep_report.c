/* The sweep report: sweep.json, pareto_neurons.svg / pareto_wiring.svg (seed Fig. 1g, 1h)
 * and index.html, through the report's JSON writer and SVG vocabulary. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/status.h"
#include "common/common.h"
#include "io/json_write.h"
#include "io/atomic_file.h"
#include "io/textbuf.h"
#include "report/svg.h"
#include "sweep/sweep_internal.h"

const char *bimt_sweep_status_name(int32_t s)
{
    static const char *const names[] = {"pending", "ok", "failed"};
    return s >= 0 && s < (int32_t)(sizeof names / sizeof names[0]) ? names[s] : NULL;
}

const char *bimt_sweep_axis_name(int32_t a)
{
    static const char *const names[] = {"neurons", "wiring"};
    return a >= 0 && a < (int32_t)(sizeof names / sizeof names[0]) ? names[a] : NULL;
}

/* The names for the files: an out-of-range value cannot reach here (checked on input). */
static const char *status_name(bimt_sweep_status s)
{
    const char *n = bimt_sweep_status_name((int32_t)s);
    return n ? n : "pending";
}

static const char *axis_key(bimt_sweep_axis axis)
{
    const char *n = bimt_sweep_axis_name((int32_t)axis);
    return n ? n : "neurons";
}

static int check_path(bimt_sweep_t *sw, const char *path, const char *what)
{
    if (!sw) return bimt__err(BIMT_E_INVALID_ARG, "%s: sw is NULL", what);
    if (!path || !*path)
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG, "%s: %s is %s", what,
                          strcmp(what, "write_report") == 0 ? "dir" : "path",
                          path ? "empty" : "NULL");
    return BIMT_OK;
}

static int save(bimt_sweep_t *sw, bimt__buf *b, const char *path)
{
    int rc = bimt__buf_save_free(b, path, sw->errmsg);
    if (!rc) sw->errmsg[0] = '\0';
    return rc;
}

/* Front of each arm on axis as run indices; fronts[arm] (caller frees), n[arm]. */
static int all_fronts(bimt_sweep_t *sw, bimt_sweep_axis axis, uint32_t *fronts[BIMT__N_ARMS],
                      size_t n[BIMT__N_ARMS])
{
    for (int a = 0; a < BIMT__N_ARMS; a++) {
        fronts[a] = NULL;
        n[a] = 0;
    }
    for (int a = 0; a < BIMT__N_ARMS; a++) {
        fronts[a] = bimt__malloc(sw->n ? sw->n : 1, sizeof(uint32_t));
        if (!fronts[a] ||
            bimt_sweep_front(sw, (bimt_arm)a, axis, fronts[a], sw->n, &n[a]) != BIMT_OK) {
            for (int b = 0; b <= a; b++)
                free(fronts[b]);
            return bimt__fail(sw->errmsg, BIMT_E_NOMEM, "sweep report: out of memory");
        }
    }
    return BIMT_OK;
}

static void free_fronts(uint32_t *fronts[BIMT__N_ARMS])
{
    for (int a = 0; a < BIMT__N_ARMS; a++)
        free(fronts[a]);
}

/* ------------------------------------------------------------------ sweep.json */

/* The members of sweep.json's runs and summaries, in file order (docs/sweeps.md). */
typedef bimt_sweep_metrics met_t;
typedef bimt_sweep_anatomy_k byk_t;
typedef bimt__srun run_t;
typedef bimt_sweep_summary sum_t;
typedef bimt_sweep_ci ci_t;
static const bimt__json_field METRICS_FIELDS[] = {
    BIMT__JF(NUM, met_t, perf_mean),
    BIMT__JF(NUM, met_t, perf_min),
    BIMT__JF(UINT, met_t, n_tasks_at_target),
    BIMT__JF(UINT, met_t, n_important),
    BIMT__JF(UINT, met_t, n_active_neurons),
    BIMT__JF(NUM, met_t, wiring_length),
    BIMT__JF(UINT, met_t, n_clusters),
    BIMT__JF(NUM, met_t, isolated_p),
    BIMT__JF(NUM, met_t, cluster_size_p),
    BIMT__JF(NUM, met_t, graph_modularity_q),
    BIMT__JF(NUM, met_t, graph_clustering),
    BIMT__JF(NUM, met_t, graph_char_path_length),
    BIMT__JF(NUM, met_t, graph_small_world_sigma),
};
static const bimt__json_field BY_K_FIELDS[] = {
    BIMT__JF(UINT, byk_t, k),
    BIMT__JF(NUM, byk_t, isolated_fraction),
    BIMT__JF(NUM, byk_t, isolated_p),
    BIMT__JF(NUM, byk_t, cluster_size),
    BIMT__JF(NUM, byk_t, cluster_size_p),
};
static const char *status_name32(int32_t s)
{
    return status_name((bimt_sweep_status)s);
}
static const bimt__json_field RUN_FIELDS[] = {
    BIMT__JF(STR, run_t, id),     BIMT__JF_NAMED("arm", run_t, arm, bimt_arm_name),
    BIMT__JF(NUM, run_t, lambda), BIMT__JF(NUM, run_t, A),
    BIMT__JF(UINT, run_t, seed),  BIMT__JF(UINT, run_t, steps),
    BIMT__JF(STR, run_t, group),  BIMT__JF_NAMED("status", run_t, status, status_name32),
    BIMT__JF(STR, run_t, error),  BIMT__JF(NUM, run_t, elapsed_s),
};
static const bimt__json_field SUMMARY_FIELDS[] = {
    BIMT__JF_NAMED("arm", sum_t, arm, bimt_arm_name),
    BIMT__JF(NUM, sum_t, lambda),
    BIMT__JF(NUM, sum_t, A),
    BIMT__JF(STR, sum_t, group),
    BIMT__JF(UINT, sum_t, n_runs),
    BIMT__JF(UINT, sum_t, n_ok),
    BIMT__JF(UINT, sum_t, n_failed),
};
static const bimt__json_field CI_FIELDS[] = {
    BIMT__JF(UINT, ci_t, n),
    BIMT__JF(NUM, ci_t, mean),
    BIMT__JF_AS(NUM, "ci95_lo", ci_t, lo),
    BIMT__JF_AS(NUM, "ci95_hi", ci_t, hi),
};

/* A flat object of one table's members. */
static void json_flat(bimt__json *j, const char *key, const void *s, const bimt__json_field *f,
                      size_t n)
{
    bimt__json_open(j, key, '{', 1);
    bimt__json_fields(j, s, f, n);
    bimt__json_close(j, '}');
}

/* {"n_tested": tested, "n_p_below_0.05": pass} */
static void json_pass(bimt__json *j, const char *key, uint32_t tested, uint32_t pass)
{
    bimt__json_open(j, key, '{', 1);
    bimt__json_uint(j, "n_tested", tested);
    bimt__json_uint(j, "n_p_below_0.05", pass);
    bimt__json_close(j, '}');
}

static void json_metrics(bimt__json *j, const bimt_sweep_metrics *m)
{
    bimt__json_open(j, "metrics", '{', 0);
    bimt__json_fields(j, m, METRICS_FIELDS, BIMT__N_OF(METRICS_FIELDS));
    if (m->n_by_k) {
        bimt__json_open(j, "anatomy_by_k", '[', 0);
        for (uint32_t i = 0; i < m->n_by_k; i++)
            json_flat(j, NULL, &m->by_k[i], BY_K_FIELDS, BIMT__N_OF(BY_K_FIELDS));
        bimt__json_close(j, ']');
    }
    bimt__json_close(j, '}');
}

static void json_run(bimt__json *j, const bimt__srun *r)
{
    bimt__json_open(j, NULL, '{', 0);
    bimt__json_fields(j, r, RUN_FIELDS, BIMT__N_OF(RUN_FIELDS));
    bimt__json_open(j, "grow_brain_args", '[', 1);
    for (size_t a = 0; a < r->n_args; a++)
        bimt__json_str(j, NULL, r->args[a]);
    bimt__json_close(j, ']');
    bimt__json_open(j, "settings", '{', 1);
    for (size_t s = 0; s < r->n_settings; s++)
        bimt__json_str(j, r->keys[s], r->values[s]);
    bimt__json_close(j, '}');
    bimt__json_str(j, "report", r->report);
    if (r->status == BIMT_SWEEP_OK)
        json_metrics(j, &r->m);
    else
        bimt__json_null(j, "metrics");
    bimt__json_close(j, '}');
}

static void json_summary(bimt__json *j, const bimt_sweep_summary *s)
{
    bimt__json_open(j, NULL, '{', 0);
    bimt__json_fields(j, s, SUMMARY_FIELDS, BIMT__N_OF(SUMMARY_FIELDS));
    json_flat(j, "perf_mean", &s->perf, CI_FIELDS, BIMT__N_OF(CI_FIELDS));
    json_flat(j, "wiring_length", &s->wiring, CI_FIELDS, BIMT__N_OF(CI_FIELDS));
    json_flat(j, "n_active_neurons", &s->neurons, CI_FIELDS, BIMT__N_OF(CI_FIELDS));
    json_pass(j, "isolated_pass", s->n_isolated_tested, s->n_isolated_pass);
    json_pass(j, "cluster_size_pass", s->n_size_tested, s->n_size_pass);
    bimt__json_close(j, '}');
}

int bimt_sweep_write_json(bimt_sweep_t *sw, const char *path)
{
    int rc = check_path(sw, path, "write_json");
    if (rc) return rc;
    uint32_t *fronts[2][BIMT__N_ARMS];
    size_t nf[2][BIMT__N_ARMS];
    if ((rc = all_fronts(sw, BIMT_SWEEP_AXIS_NEURONS, fronts[0], nf[0]))) return rc;
    if ((rc = all_fronts(sw, BIMT_SWEEP_AXIS_WIRING, fronts[1], nf[1]))) {
        free_fronts(fronts[0]);
        return rc;
    }
    size_t *order = NULL, *starts = NULL, n_groups = 0;
    rc = bimt__sweep_groups(sw, &order, &starts, &n_groups);
    bimt__json j;
    bimt__json_init(&j);
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < sw->n; i++)
        count[sw->runs[i].status]++;
    bimt__json_open(&j, NULL, '{', 0);
    bimt__json_header(&j, "bimt-sweep", 1);
    bimt__json_uint(&j, "n_runs", sw->n);
    bimt__json_uint(&j, "n_ok", count[BIMT_SWEEP_OK]);
    bimt__json_uint(&j, "n_failed", count[BIMT_SWEEP_FAILED]);
    bimt__json_uint(&j, "n_pending", count[BIMT_SWEEP_PENDING]);
    bimt__json_open(&j, "runs", '[', 0);
    for (size_t i = 0; i < sw->n; i++)
        json_run(&j, &sw->runs[i]);
    bimt__json_close(&j, ']');
    bimt__json_open(&j, "frontier", '{', 0);
    for (int a = 0; a < BIMT__N_ARMS; a++) {
        bimt__json_open(&j, bimt_arm_name(a), '{', 0);
        for (int ax = 0; ax < 2; ax++) {
            bimt__json_open(&j, axis_key((bimt_sweep_axis)ax), '[', 1);
            for (size_t k = 0; k < nf[ax][a]; k++)
                bimt__json_str(&j, NULL, sw->runs[fronts[ax][a][k]].id);
            bimt__json_close(&j, ']');
        }
        bimt__json_close(&j, '}');
    }
    bimt__json_close(&j, '}');
    bimt__json_open(&j, "summary", '[', 0);
    for (size_t g = 0; !rc && g < n_groups; g++) {
        bimt_sweep_summary s;
        s.struct_size = (uint32_t)sizeof s;
        if ((rc = bimt__sweep_summarise(sw, order, starts[g], starts[g + 1], &s))) break;
        json_summary(&j, &s);
    }
    bimt__json_close(&j, ']');
    bimt__json_close(&j, '}');
    bimt__buf_put(&j.b, "\n", 1);
    free(order);
    free(starts);
    free_fronts(fronts[0]);
    free_fronts(fronts[1]);
    if (rc) {
        bimt__buf_free(&j.b);
        return bimt__fail(sw->errmsg, rc, "write_json: out of memory");
    }
    return save(sw, &j.b, path);
}

/* ------------------------------------------------------------------ Pareto figures */

#define FIG_W 820.0
#define FIG_H 520.0

static void arm_colour(int arm, char hex[8])
{
    bimt__rgb_hex(hex, bimt__cmap_cat(arm));
}

/* Data range [lo, hi] padded by 5 % (a single value gets +-1 or +-5 %). */
static void padded_range(double lo, double hi, double *out_lo, double *out_hi)
{
    if (!(lo <= hi)) {
        lo = 0.0;
        hi = 1.0;
    }
    double pad = hi > lo ? 0.05 * (hi - lo) : (lo != 0.0 ? 0.05 * fabs(lo) : 1.0);
    *out_lo = lo - pad;
    *out_hi = hi + pad;
}

int bimt_sweep_write_svg(bimt_sweep_t *sw, int32_t axis, const char *path)
{
    int rc = check_path(sw, path, "write_svg");
    if (rc) return rc;
    if ((unsigned)axis > BIMT_SWEEP_AXIS_WIRING)
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG, "write_svg: unknown axis %d", (int)axis);
    uint32_t *fronts[BIMT__N_ARMS];
    size_t nf[BIMT__N_ARMS];
    if ((rc = all_fronts(sw, axis, fronts, nf))) return rc;
    double xlo = INFINITY, xhi = -INFINITY, yhi = 0.0;
    size_t n_pts = 0;
    for (size_t i = 0; i < sw->n; i++) {
        double c = bimt__sweep_cost(&sw->runs[i], axis), e = bimt__sweep_error(&sw->runs[i]);
        if (!bimt__finite(c) || !bimt__finite(e)) continue;
        n_pts++;
        xlo = c < xlo ? c : xlo;
        xhi = c > xhi ? c : xhi;
        yhi = e > yhi ? e : yhi;
    }
    double x0, x1, y0, y1;
    padded_range(n_pts ? xlo : 0.0, n_pts ? xhi : 1.0, &x0, &x1);
    if (n_pts && xlo >= 0.0 && x0 < 0.0) x0 = 0.0;
    y0 = 0.0;
    y1 = yhi > 0.0 ? yhi * 1.1 : 0.1;
    bimt__axes a = {90.0, 80.0, 560.0, 360.0, x0, x1, y0, y1, 0};
    const int wiring = axis == BIMT_SWEEP_AXIS_WIRING;
    const char *title = wiring ? "Error versus wiring length" : "Error versus active neurons";
    char sub[200];
    snprintf(sub, sizeof sub,
             "%zu finished run%s of %zu; each arm's Pareto front as a line "
             "(seed paper Fig. 1%s)",
             n_pts, n_pts == 1 ? "" : "s", sw->n, wiring ? "h" : "g");
    bimt__buf b;
    bimt__buf_init(&b);
    bimt__svg_begin(&b, FIG_W, FIG_H, title);
    bimt__svg_heading(&b, a.x0 + a.w / 2.0, 26.0, title, sub);
    bimt__svg_yaxis(&b, &a, "error = 1 - mean performance");
    bimt__svg_xaxis(
        &b, &a, wiring ? "wiring length (hidden-hidden |w| > 0.01, grid units)" : "active neurons");
    if (!n_pts)
        bimt__svg_text(&b, a.x0 + a.w / 2.0, a.y0 + a.h / 2.0, 14.0, BIMT__MIDDLE, 0.0, 0,
                       "no finished runs yet");
    for (int arm = 0; arm < BIMT__N_ARMS; arm++) {
        char col[8];
        arm_colour(arm, col);
        for (size_t k = 1; k < nf[arm]; k++) {
            const bimt__srun *p = &sw->runs[fronts[arm][k - 1]], *q = &sw->runs[fronts[arm][k]];
            bimt__svg_line(&b, bimt__ax_x(&a, bimt__sweep_cost(p, axis)),
                           bimt__ax_y(&a, bimt__sweep_error(p)),
                           bimt__ax_x(&a, bimt__sweep_cost(q, axis)),
                           bimt__ax_y(&a, bimt__sweep_error(q)), col, 2.0, NULL);
        }
        for (size_t i = 0; i < sw->n; i++) {
            const bimt__srun *r = &sw->runs[i];
            double c = bimt__sweep_cost(r, axis), e = bimt__sweep_error(r);
            if ((int)r->arm != arm || !bimt__finite(c) || !bimt__finite(e)) continue;
            int front = 0;
            for (size_t k = 0; k < nf[arm]; k++)
                front |= fronts[arm][k] == i;
            bimt__svg_circle(&b, bimt__ax_x(&a, c), bimt__ax_y(&a, e), front ? 5.0 : 3.5, col,
                             front ? "#000000" : "#ffffff", front ? 1.2 : 0.8);
        }
    }
    double lx = a.x0 + a.w + 24.0, ly = a.y0 + 16.0;
    bimt__svg_text(&b, lx, ly, 13.0, BIMT__LEFT, 0.0, 1, "arm");
    for (int arm = 0; arm < BIMT__N_ARMS; arm++) {
        char col[8], label[64];
        arm_colour(arm, col);
        size_t n_arm = 0;
        for (size_t i = 0; i < sw->n; i++)
            n_arm += (int)sw->runs[i].arm == arm && sw->runs[i].status == BIMT_SWEEP_OK;
        snprintf(label, sizeof label, "%s (%zu runs, %zu on front)", bimt_arm_name(arm), n_arm,
                 nf[arm]);
        bimt__svg_swatch(&b, lx, ly + 22.0 * (arm + 1), col, label);
    }
    bimt__svg_text(&b, lx, ly + 22.0 * 5, 11.0, BIMT__LEFT, 0.0, 0, "outlined: on the front");
    bimt__svg_end(&b);
    free_fronts(fronts);
    return save(sw, &b, path);
}

/* ------------------------------------------------------------------ index.html */

static void cell_num(bimt__buf *b, double v, int prec)
{
    char t[BIMT__NUMBUF];
    if (!bimt__finite(v))
        snprintf(t, sizeof t, "n/a");
    else
        bimt__fmt_fixed(t, v, prec);
    bimt__buf_fmt(b, "<td>%s</td>", t);
}

static void cell_ci(bimt__buf *b, const bimt_sweep_ci *c, int prec)
{
    char m[BIMT__NUMBUF], lo[BIMT__NUMBUF], hi[BIMT__NUMBUF];
    if (!bimt__finite(c->mean)) {
        bimt__buf_puts(b, "<td>n/a</td>");
        return;
    }
    bimt__fmt_fixed(m, c->mean, prec);
    if (!bimt__finite(c->lo)) {
        bimt__buf_fmt(b, "<td>%s</td>", m);
        return;
    }
    bimt__fmt_fixed(lo, c->lo, prec);
    bimt__fmt_fixed(hi, c->hi, prec);
    bimt__buf_fmt(b, "<td>%s <span class=\"ci\">[%s, %s]</span></td>", m, lo, hi);
}

static void cell_short(bimt__buf *b, double v)
{
    char t[BIMT__NUMBUF];
    if (!bimt__finite(v))
        snprintf(t, sizeof t, "n/a");
    else
        bimt__fmt_short(t, v);
    bimt__buf_fmt(b, "<td>%s</td>", t);
}

static int html_summary(bimt_sweep_t *sw, bimt__buf *b)
{
    size_t *order = NULL, *starts = NULL, n_groups = 0;
    int rc = bimt__sweep_groups(sw, &order, &starts, &n_groups);
    bimt__buf_puts(b, "<h2>Summary over seeds</h2>\n<table>\n<tr><th>arm</th><th>lambda</th>"
                      "<th>A</th><th>other settings</th><th>runs (ok / failed)</th>"
                      "<th>mean performance [95 % CI]</th><th>active neurons [95 % CI]</th>"
                      "<th>wiring length [95 % CI]</th><th>isolated p &lt; 0.05</th>"
                      "<th>cluster size p &lt; 0.05</th></tr>\n");
    for (size_t g = 0; !rc && g < n_groups; g++) {
        bimt_sweep_summary s;
        s.struct_size = (uint32_t)sizeof s;
        if ((rc = bimt__sweep_summarise(sw, order, starts[g], starts[g + 1], &s))) break;
        bimt__buf_fmt(b, "<tr><td>%s</td>", bimt_arm_name((int)s.arm));
        cell_short(b, s.lambda);
        cell_short(b, s.A);
        bimt__buf_fmt(b, "<td>%s</td><td>%u (%u / %u)</td>", s.group, s.n_runs, s.n_ok, s.n_failed);
        cell_ci(b, &s.perf, 3);
        cell_ci(b, &s.neurons, 1);
        cell_ci(b, &s.wiring, 2);
        bimt__buf_fmt(b, "<td>%u of %u</td><td>%u of %u</td></tr>\n", s.n_isolated_pass,
                      s.n_isolated_tested, s.n_size_pass, s.n_size_tested);
    }
    bimt__buf_puts(b, "</table>\n");
    free(order);
    free(starts);
    return rc;
}

static void html_runs(const bimt_sweep_t *sw, bimt__buf *b)
{
    bimt__buf_puts(b, "<h2>Runs</h2>\n<table>\n<tr><th>id</th><th>arm</th><th>lambda</th>"
                      "<th>A</th><th>seed</th><th>status</th><th>mean performance</th>"
                      "<th>tasks &#8805; 0.9</th><th>active neurons</th><th>wiring length</th>"
                      "<th>isolated p</th><th>cluster size p</th><th>time (s)</th></tr>\n");
    for (size_t i = 0; i < sw->n; i++) {
        const bimt__srun *r = &sw->runs[i];
        if (r->report && r->status == BIMT_SWEEP_OK)
            bimt__buf_fmt(b, "<tr><td><a href=\"%s\">%s</a></td>", r->report, r->id);
        else
            bimt__buf_fmt(b, "<tr><td>%s</td>", r->id);
        bimt__buf_fmt(b, "<td>%s</td>", bimt_arm_name((int)r->arm));
        cell_short(b, r->lambda);
        cell_short(b, r->A);
        bimt__buf_fmt(b, "<td>%U</td>", r->seed);
        if (r->status == BIMT_SWEEP_FAILED)
            bimt__buf_fmt(b, "<td class=\"failed\">failed: %s</td>", r->error ? r->error : "");
        else
            bimt__buf_fmt(b, "<td>%s</td>", status_name(r->status));
        if (r->status == BIMT_SWEEP_OK) {
            cell_num(b, r->m.perf_mean, 3);
            bimt__buf_fmt(b, "<td>%u</td><td>%u</td>", r->m.n_tasks_at_target,
                          r->m.n_active_neurons);
            cell_num(b, r->m.wiring_length, 2);
            cell_short(b, r->m.isolated_p);
            cell_short(b, r->m.cluster_size_p);
        } else {
            bimt__buf_puts(b, "<td></td><td></td><td></td><td></td><td></td><td></td>");
        }
        cell_num(b, r->elapsed_s, 1);
        bimt__buf_puts(b, "</tr>\n");
    }
    bimt__buf_puts(b, "</table>\n");
}

int bimt_sweep_write_html(bimt_sweep_t *sw, const char *path)
{
    int rc = check_path(sw, path, "write_html");
    if (rc) return rc;
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < sw->n; i++)
        count[sw->runs[i].status]++;
    bimt__buf b;
    bimt__buf_init(&b);
    bimt__buf_puts(&b,
                   "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<title>libbimt sweep</title>\n<style>\n"
                   "body{font-family:\"DejaVu Sans\",Helvetica,Arial,sans-serif;margin:24px;"
                   "color:#222;background:#fafafa}\n"
                   "h1{margin:0 0 4px 0;font-size:26px}\n.sub{color:#555;margin-bottom:18px}\n"
                   "table{border-collapse:collapse;background:#fff;margin-bottom:22px}\n"
                   "th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;font-size:13px}\n"
                   "th{background:#f0f0f0;font-weight:600}\n.ci{color:#666}\n"
                   ".failed{color:#b00020}\n"
                   "figure{margin:0 0 18px 0;background:#fff;border:1px solid #ddd;padding:10px;"
                   "max-width:840px}\nfigure img{width:100%;height:auto;display:block}\n"
                   "figcaption{font-size:13px;color:#444;margin-top:6px}\n"
                   "</style>\n</head>\n<body>\n<h1>Growing brains: libbimt sweep</h1>\n");
    bimt__buf_fmt(&b,
                  "<div class=\"sub\">%z configurations: %z ok, %z failed, %z pending; "
                  "libbimt %s; data in <a href=\"sweep.json\">sweep.json</a></div>\n",
                  sw->n, count[BIMT_SWEEP_OK], count[BIMT_SWEEP_FAILED], count[BIMT_SWEEP_PENDING],
                  bimt_version_string());
    bimt__buf_puts(&b, "<figure><img src=\"pareto_neurons.svg\" alt=\"error versus active "
                       "neurons\"><figcaption>Fig. 1g: error (1 - mean performance) against "
                       "active neurons; each arm's Pareto front as a line.</figcaption>"
                       "</figure>\n"
                       "<figure><img src=\"pareto_wiring.svg\" alt=\"error versus wiring "
                       "length\"><figcaption>Fig. 1h: error against wiring length."
                       "</figcaption></figure>\n");
    rc = html_summary(sw, &b);
    html_runs(sw, &b);
    bimt__buf_puts(&b, "</body>\n</html>\n");
    if (rc) {
        bimt__buf_free(&b);
        return bimt__fail(sw->errmsg, rc, "write_html: out of memory");
    }
    return save(sw, &b, path);
}

int bimt_sweep_write_report(bimt_sweep_t *sw, const char *dir)
{
    int rc = check_path(sw, dir, "write_report");
    if (rc) return rc;
    if ((rc = bimt__mkdir_p(dir, sw->errmsg))) return rc;
    static const char *const files[] = {"sweep.json", "pareto_neurons.svg", "pareto_wiring.svg",
                                        "index.html"};
    size_t len = strlen(dir) + 32;
    char *path = malloc(len);
    if (!path) return bimt__fail(sw->errmsg, BIMT_E_NOMEM, "write_report: out of memory");
    for (int f = 0; !rc && f < 4; f++) {
        snprintf(path, len, "%s/%s", dir, files[f]);
        rc = f == 0   ? bimt_sweep_write_json(sw, path)
             : f == 3 ? bimt_sweep_write_html(sw, path)
                      : bimt_sweep_write_svg(sw, (bimt_sweep_axis)(f - 1), path);
    }
    free(path);
    return rc;
}
