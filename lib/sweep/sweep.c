/* The sweep handle: runs, Pareto fronts, Student t intervals and per-group summaries. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/status.h"
#include "common/common.h"
#include "sweep/sweep_internal.h"

/* ------------------------------------------------------------------ handle */

void bimt_sweep_metrics_init(bimt_sweep_metrics *m)
{
    if (!bimt__struct_init(m, sizeof *m)) return;
    m->perf_mean = m->perf_min = m->wiring_length = (double)NAN;
    m->isolated_p = m->cluster_size_p = m->lambda = m->A = (double)NAN;
    m->graph_modularity_q = m->graph_clustering = (double)NAN;
    m->graph_char_path_length = m->graph_small_world_sigma = (double)NAN;
}

void bimt_sweep_run_init(bimt_sweep_run *r)
{
    if (!bimt__struct_init(r, sizeof *r)) return;
    r->arm = BIMT_ARM_BIMT;
    r->lambda = r->A = r->elapsed_s = (double)NAN;
    r->status = BIMT_SWEEP_PENDING;
}

int bimt_sweep_create(bimt_sweep_t **out)
{
    if (!out) return bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_create: out is NULL");
    *out = calloc(1, sizeof **out);
    return *out ? BIMT_OK : bimt__err(BIMT_E_NOMEM, "bimt_sweep_create: out of memory");
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static void run_clear(bimt__srun *r)
{
    free(r->id);
    free(r->group);
    free(r->error);
    free(r->report);
    free_strings(r->args, r->n_args);
    free_strings(r->keys, r->n_settings);
    free_strings(r->values, r->n_settings);
    memset(r, 0, sizeof *r);
}

void bimt_sweep_free(bimt_sweep_t *sw)
{
    if (!sw) return;
    for (size_t i = 0; i < sw->n; i++)
        run_clear(&sw->runs[i]);
    free(sw->runs);
    free(sw);
}

const char *bimt_sweep_errmsg(const bimt_sweep_t *sw)
{
    return sw ? sw->errmsg : "NULL sweep handle";
}

uint32_t bimt_sweep_n_runs(const bimt_sweep_t *sw)
{
    return sw ? (uint32_t)sw->n : 0; /* bimt_sweep_add_run keeps n below 2^32 */
}

/* strdup of s (NULL stays NULL); sets *nomem on failure. */
static char *dup_or_null(const char *s, int *nomem)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d)
        *nomem = 1;
    else
        memcpy(d, s, n);
    return d;
}

static char **dup_array(const char *const *v, size_t n, int *nomem)
{
    if (n == 0) return NULL;
    char **d = bimt__calloc(n, sizeof *d);
    if (!d) {
        *nomem = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = dup_or_null(v[i] ? v[i] : "", nomem);
    return d;
}

int bimt_sweep_add_run(bimt_sweep_t *sw, const bimt_sweep_run *run)
{
    if (!sw) return bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_add_run: sw is NULL");
    if (!run) return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG, "add_run: run is NULL");
    if (run->struct_size < sizeof *run)
        return bimt__fail(sw->errmsg, BIMT_E_VERSION,
                          "add_run: run.struct_size %u, expected %zu"
                          " (use bimt_sweep_run_init())",
                          (unsigned)run->struct_size, sizeof *run);
    if (!run->id || !*run->id)
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG, "add_run: id is %s",
                          run->id ? "empty" : "NULL");
    if (sw->n >= BIMT_SWEEP_MAX_POINTS) /* run counts and indices are uint32_t */
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG, "add_run: the sweep is full (%u runs)",
                          (unsigned)BIMT_SWEEP_MAX_POINTS);
    for (size_t i = 0; i < sw->n; i++)
        if (strcmp(sw->runs[i].id, run->id) == 0)
            return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG, "add_run: duplicate id '%s'",
                              run->id);
    if ((unsigned)run->arm > BIMT_ARM_NONE)
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG, "add_run %s: unknown arm %d", run->id,
                          (int)run->arm);
    if ((unsigned)run->status > BIMT_SWEEP_FAILED)
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG, "add_run %s: unknown status %d", run->id,
                          (int)run->status);
    /* lambda and A: NaN (unknown) or finite and >= 0; elapsed_s: NaN or >= 0 */
    if (run->lambda < 0.0 || isinf(run->lambda))
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG,
                          "add_run %s: lambda is %g (must be finite and >= 0, or NaN)", run->id,
                          run->lambda);
    if (run->A < 0.0 || isinf(run->A))
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG,
                          "add_run %s: A is %g (must be finite and >= 0, or NaN)", run->id, run->A);
    if (run->elapsed_s < 0.0)
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG,
                          "add_run %s: elapsed_s is %g (must be >= 0, or NaN)", run->id,
                          run->elapsed_s);
    if (run->n_args > BIMT_SWEEP_MAX_ARGS || run->n_settings > BIMT_SWEEP_MAX_ARGS)
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG,
                          "add_run %s: n_args (%zu) and n_settings (%zu) must be at most %u",
                          run->id, run->n_args, run->n_settings, (unsigned)BIMT_SWEEP_MAX_ARGS);
    if ((run->n_args && !run->args) ||
        (run->n_settings && (!run->setting_keys || !run->setting_values)))
        return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG, "add_run %s: %s is NULL with %s %zu",
                          run->id,
                          run->n_args && !run->args ? "args" : "setting_keys or setting_values",
                          run->n_args && !run->args ? "n_args" : "n_settings",
                          run->n_args && !run->args ? run->n_args : run->n_settings);
    if (run->status == BIMT_SWEEP_OK) {
        if (!run->metrics)
            return bimt__fail(sw->errmsg, BIMT_E_INVALID_ARG,
                              "add_run %s: status ok needs "
                              "metrics",
                              run->id);
        if (run->metrics->struct_size < sizeof *run->metrics)
            return bimt__fail(sw->errmsg, BIMT_E_VERSION,
                              "add_run %s: metrics.struct_size %u,"
                              " expected %zu",
                              run->id, (unsigned)run->metrics->struct_size, sizeof *run->metrics);
    }
    if (sw->n == sw->cap) {
        size_t nc = sw->cap ? sw->cap * 2 : 16;
        bimt__srun *runs = realloc(sw->runs, nc * sizeof *runs);
        if (!runs) return bimt__fail(sw->errmsg, BIMT_E_NOMEM, "add_run: out of memory");
        sw->runs = runs;
        sw->cap = nc;
    }
    bimt__srun r;
    memset(&r, 0, sizeof r);
    int nomem = 0;
    r.id = dup_or_null(run->id, &nomem);
    r.group = dup_or_null(run->group ? run->group : "", &nomem);
    r.error = dup_or_null(run->status == BIMT_SWEEP_FAILED ? run->error : NULL, &nomem);
    r.report = dup_or_null(run->report, &nomem);
    r.args = dup_array(run->args, run->n_args, &nomem);
    r.n_args = r.args ? run->n_args : 0;
    r.keys = dup_array(run->setting_keys, run->n_settings, &nomem);
    r.values = dup_array(run->setting_values, run->n_settings, &nomem);
    r.n_settings = r.keys && r.values ? run->n_settings : 0;
    if (nomem) {
        free_strings(r.keys, r.keys ? run->n_settings : 0);
        free_strings(r.values, r.values ? run->n_settings : 0);
        r.keys = r.values = NULL;
        r.n_settings = 0;
        run_clear(&r);
        return bimt__fail(sw->errmsg, BIMT_E_NOMEM, "add_run: out of memory");
    }
    r.arm = run->arm;
    r.lambda = run->lambda;
    r.A = run->A;
    r.seed = run->seed;
    r.steps = run->steps;
    r.status = run->status;
    r.elapsed_s = run->elapsed_s;
    bimt_sweep_metrics_init(&r.m);
    if (run->status == BIMT_SWEEP_OK) {
        r.m = *run->metrics;
        if (r.m.n_by_k > BIMT_SWEEP_MAX_BY_K) r.m.n_by_k = BIMT_SWEEP_MAX_BY_K;
    }
    sw->runs[sw->n++] = r;
    sw->errmsg[0] = '\0';
    return BIMT_OK;
}

/* ------------------------------------------------------------------ fronts */

double bimt__sweep_cost(const bimt__srun *r, bimt_sweep_axis axis)
{
    if (r->status != BIMT_SWEEP_OK) return (double)NAN;
    return axis == BIMT_SWEEP_AXIS_WIRING ? r->m.wiring_length : (double)r->m.n_active_neurons;
}

double bimt__sweep_error(const bimt__srun *r)
{
    return r->status == BIMT_SWEEP_OK ? 1.0 - r->m.perf_mean : (double)NAN;
}

typedef struct point {
    double cost, error;
    size_t i;
} point;

static int point_cmp(const void *a, const void *b)
{
    const point *x = a, *y = b;
    int c = BIMT__CMP(x->cost, y->cost);
    if (!c) c = BIMT__CMP(x->error, y->error);
    return c ? c : BIMT__CMP(x->i, y->i);
}

/* Sorts the n finite points and marks the front: a group of equal cost contributes its
 * lowest-error points when that error is below every error of lower cost. */
static size_t front_of_points(point *pts, size_t n, uint8_t *on_front)
{
    qsort(pts, n, sizeof *pts, point_cmp);
    size_t count = 0;
    double best = INFINITY;
    for (size_t g = 0; g < n;) {
        size_t e = g;
        while (e < n && pts[e].cost == pts[g].cost)
            e++;
        double gmin = pts[g].error; /* sorted by error within the group */
        if (gmin < best) {
            for (size_t k = g; k < e && pts[k].error == gmin; k++) {
                on_front[pts[k].i] = 1;
                count++;
            }
            best = gmin;
        }
        g = e;
    }
    return count;
}

int bimt_sweep_pareto_front(const double *cost, const double *error, size_t n, uint8_t *on_front,
                            size_t *n_front)
{
    if (n_front) *n_front = 0;
    if (n == 0) return BIMT_OK;
    if (!cost || !error || !on_front)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_pareto_front: %s is NULL with n = %zu",
                         !cost    ? "cost"
                         : !error ? "error"
                                  : "on_front",
                         n);
    if (n > BIMT_SWEEP_MAX_POINTS)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_sweep_pareto_front: n must be at most %u (got %zu)",
                         (unsigned)BIMT_SWEEP_MAX_POINTS, n);
    point *pts = bimt__malloc(n, sizeof *pts);
    if (!pts) return bimt__err(BIMT_E_NOMEM, "bimt_sweep_pareto_front: out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        on_front[i] = 0;
        if (bimt__finite(cost[i]) && bimt__finite(error[i]))
            pts[m++] = (point){cost[i], error[i], i};
    }
    size_t c = front_of_points(pts, m, on_front);
    free(pts);
    if (n_front) *n_front = c;
    return BIMT_OK;
}

int bimt_sweep_front(const bimt_sweep_t *sw, int32_t arm, int32_t axis, uint32_t *idx, size_t cap,
                     size_t *n_front)
{
    if (n_front) *n_front = 0;
    if (!sw || !n_front || (cap && !idx))
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_front: %s is NULL%s",
                         !sw        ? "sw"
                         : !n_front ? "n_front"
                                    : "idx",
                         !sw || !n_front ? "" : " with cap > 0");
    if ((unsigned)arm > BIMT_ARM_NONE || (unsigned)axis > BIMT_SWEEP_AXIS_WIRING)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_front: unknown %s %d",
                         (unsigned)arm > BIMT_ARM_NONE ? "arm" : "axis",
                         (unsigned)arm > BIMT_ARM_NONE ? (int)arm : (int)axis);
    if (sw->n == 0) return BIMT_OK;
    point *pts = bimt__malloc(sw->n, sizeof *pts);
    uint8_t *on = bimt__calloc(sw->n, 1);
    if (bimt__alloc_failed((void *[]){pts, on}, 2))
        return bimt__err(BIMT_E_NOMEM, "bimt_sweep_front: out of memory");
    size_t m = 0;
    for (size_t i = 0; i < sw->n; i++) {
        const bimt__srun *r = &sw->runs[i];
        double c = bimt__sweep_cost(r, axis), e = bimt__sweep_error(r);
        if (r->arm == arm && bimt__finite(c) && bimt__finite(e)) pts[m++] = (point){c, e, i};
    }
    front_of_points(pts, m, on);
    size_t k = 0;
    for (size_t j = 0; j < m; j++) { /* pts is sorted by cost, error, index */
        if (!on[pts[j].i]) continue;
        if (k < cap) idx[k] = (uint32_t)pts[j].i;
        k++;
    }
    free(pts);
    free(on);
    *n_front = k;
    return k > cap ? BIMT_E_SHAPE : BIMT_OK;
}

/* ------------------------------------------------------------------ statistics */

/* P(|T| < t) for Student's t with integer df, t = sqrt(df) tan(theta), theta in [0, pi/2):
 * the finite series of Abramowitz & Stegun 26.7.3 and 26.7.4. */
static double t_central(double theta, uint32_t df)
{
    const double s = sin(theta), c = cos(theta), c2 = c * c;
    const double pi = 3.14159265358979323846;
    double sum = 1.0, term = 1.0;
    if (df % 2 == 0) {
        for (uint32_t k = 1; 2 * k <= df - 2; k++) {
            term *= c2 * (2.0 * k - 1.0) / (2.0 * k);
            sum += term;
            if (term < 1e-18 * sum) break;
        }
        return s * sum;
    }
    if (df == 1) return 2.0 * theta / pi;
    for (uint32_t k = 1; 2 * k + 3 <= df; k++) {
        term *= c2 * (2.0 * k) / (2.0 * k + 1.0);
        sum += term;
        if (term < 1e-18 * sum) break;
    }
    return 2.0 / pi * (theta + s * c * sum);
}

double bimt_sweep_t_quantile(double p, uint32_t df)
{
    if (!(p > 0.0 && p < 1.0) || df < 1 || df > 10000000u) {
        bimt__err(BIMT_E_INVALID_ARG,
                  "bimt_sweep_t_quantile: p (%g) must be in (0, 1) and df (%u) in 1..10000000", p,
                  (unsigned)df);
        return (double)NAN;
    }
    if (p == 0.5) return 0.0;
    const double target = fabs(2.0 * p - 1.0);
    double lo = 0.0, hi = 1.57079632679489661923; /* theta in [0, pi/2) */
    for (int it = 0; it < 200 && hi - lo > 0.0; it++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        if (t_central(mid, df) < target)
            lo = mid;
        else
            hi = mid;
    }
    double t = sqrt((double)df) * tan(0.5 * (lo + hi));
    return p > 0.5 ? t : -t;
}

int bimt_sweep_mean_ci(const double *x, size_t n_x, double level, bimt_sweep_ci *out)
{
    if (!out || (n_x && !x))
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_mean_ci: %s is NULL", !out ? "out" : "x");
    if (n_x > BIMT_SWEEP_MAX_POINTS)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_mean_ci: n_x must be at most %u (got %zu)",
                         (unsigned)BIMT_SWEEP_MAX_POINTS, n_x);
    if (!(level > 0.0 && level < 1.0))
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_mean_ci: level %g is not in (0, 1)",
                         level);
    double sum = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < n_x; i++)
        if (bimt__finite(x[i])) {
            sum += x[i];
            n++;
        }
    out->n = (uint32_t)n;
    out->mean = n ? sum / (double)n : (double)NAN;
    out->lo = out->hi = (double)NAN;
    if (n < 2) return BIMT_OK;
    double ss = 0.0;
    for (size_t i = 0; i < n_x; i++)
        if (bimt__finite(x[i])) ss += (x[i] - out->mean) * (x[i] - out->mean);
    double sd = sqrt(ss / (double)(n - 1));
    uint32_t df = n - 1 > 10000000u ? 10000000u : (uint32_t)(n - 1);
    double half = bimt_sweep_t_quantile(0.5 + 0.5 * level, df) * sd / sqrt((double)n);
    out->lo = out->mean - half;
    out->hi = out->mean + half;
    return BIMT_OK;
}

/* ------------------------------------------------------------------ summaries */

typedef struct gkey {
    int arm;
    const char *group;
    double lambda, A;
    size_t i;
} gkey;

/* Total order with NaN after every number and equal to NaN. */
static int dcmp(double a, double b)
{
    int an = a != a, bn = b != b;
    if (an || bn) return an - bn;
    return a < b ? -1 : a > b;
}

static int gkey_group_cmp(const gkey *x, const gkey *y)
{
    if (x->arm != y->arm) return x->arm < y->arm ? -1 : 1;
    int c = strcmp(x->group, y->group);
    if (c) return c;
    c = dcmp(x->lambda, y->lambda);
    return c ? c : dcmp(x->A, y->A);
}

static int gkey_cmp(const void *a, const void *b)
{
    const gkey *x = a, *y = b;
    int c = gkey_group_cmp(x, y);
    return c ? c : BIMT__CMP(x->i, y->i);
}

int bimt__sweep_groups(const bimt_sweep_t *sw, size_t **order, size_t **starts, size_t *n_groups)
{
    *order = *starts = NULL;
    *n_groups = 0;
    if (sw->n == 0) return BIMT_OK;
    gkey *k = bimt__malloc(sw->n, sizeof *k);
    size_t *o = bimt__malloc(sw->n, sizeof *o), *s = bimt__malloc(sw->n + 1, sizeof *s);
    if (bimt__alloc_failed((void *[]){k, o, s}, 3))
        return bimt__err(BIMT_E_NOMEM, "sweep summary: out of memory");
    for (size_t i = 0; i < sw->n; i++) {
        const bimt__srun *r = &sw->runs[i];
        k[i] = (gkey){(int)r->arm, r->group, r->lambda, r->A, i};
    }
    qsort(k, sw->n, sizeof *k, gkey_cmp);
    size_t g = 0;
    for (size_t i = 0; i < sw->n; i++) {
        o[i] = k[i].i;
        if (i == 0 || gkey_group_cmp(&k[i - 1], &k[i]) != 0) s[g++] = i;
    }
    s[g] = sw->n;
    free(k);
    *order = o;
    *starts = s;
    *n_groups = g;
    return BIMT_OK;
}

int bimt__sweep_summarise(const bimt_sweep_t *sw, const size_t *order, size_t from, size_t to,
                          bimt_sweep_summary *out)
{
    const size_t n = to - from;
    double *p = bimt__malloc(3 * n, sizeof(double)), *w = p + n, *nn = p + 2 * n;
    if (!p) return bimt__err(BIMT_E_NOMEM, "sweep summary: out of memory");
    const bimt__srun *first = &sw->runs[order[from]];
    memset(out, 0, sizeof *out);
    out->struct_size = (uint32_t)sizeof *out;
    out->arm = first->arm;
    out->lambda = first->lambda;
    out->A = first->A;
    out->group = first->group;
    size_t m = 0;
    for (size_t j = from; j < to; j++) {
        const bimt__srun *r = &sw->runs[order[j]];
        out->n_runs++;
        if (r->status == BIMT_SWEEP_FAILED) out->n_failed++;
        if (r->status != BIMT_SWEEP_OK) continue;
        out->n_ok++;
        p[m] = r->m.perf_mean;
        w[m] = r->m.wiring_length;
        nn[m] = (double)r->m.n_active_neurons;
        m++;
        if (bimt__finite(r->m.isolated_p)) {
            out->n_isolated_tested++;
            out->n_isolated_pass += r->m.isolated_p < 0.05;
        }
        if (bimt__finite(r->m.cluster_size_p)) {
            out->n_size_tested++;
            out->n_size_pass += r->m.cluster_size_p < 0.05;
        }
    }
    bimt_sweep_mean_ci(p, m, 0.95, &out->perf);
    bimt_sweep_mean_ci(w, m, 0.95, &out->wiring);
    bimt_sweep_mean_ci(nn, m, 0.95, &out->neurons);
    free(p);
    return BIMT_OK;
}

uint32_t bimt_sweep_n_summaries(const bimt_sweep_t *sw)
{
    size_t *order, *starts, n = 0;
    if (!sw || bimt__sweep_groups(sw, &order, &starts, &n)) return 0;
    free(order);
    free(starts);
    return (uint32_t)n; /* at most the number of runs */
}

int bimt_sweep_summary_get(const bimt_sweep_t *sw, uint32_t i, bimt_sweep_summary *out)
{
    if (!sw || !out)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_summary_get: %s is NULL",
                         !sw ? "sw" : "out");
    int rc = bimt__out_check(out, "bimt_sweep_summary_get: out");
    if (rc) return rc;
    size_t *order, *starts, n;
    rc = bimt__sweep_groups(sw, &order, &starts, &n);
    if (rc) return rc;
    bimt_sweep_summary full;
    if (i >= n)
        rc = bimt__err(BIMT_E_INVALID_ARG, "bimt_sweep_summary_get: index %u, there are %zu groups",
                       (unsigned)i, n);
    else
        rc = bimt__sweep_summarise(sw, order, starts[i], starts[i + 1], &full);
    if (!rc) rc = bimt__out_write(out, &full, sizeof full, "bimt_sweep_summary_get: out");
    free(order);
    free(starts);
    return rc;
}
