/* Sweep aggregation (bimt/sweep.h): Pareto fronts against a brute-force reference, Student t
 * quantiles and intervals against tabulated values and a direct computation, metrics.json
 * reading (with anatomy_by_k, nulls, errors), the JSON reader, summaries and the report
 * files (well-formed SVG and JSON, links in index.html). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "sweep/json_read.h"
#include "testutil.h"
#include "textcheck.h"

/* ------------------------------------------------------------------ fronts */

/* Definition, O(n^2): i is on the front iff finite and no finite j dominates it. */
static void brute_front(const double *c, const double *e, size_t n, uint8_t *on)
{
    for (size_t i = 0; i < n; i++) {
        on[i] = isfinite(c[i]) && isfinite(e[i]);
        for (size_t j = 0; on[i] && j < n; j++) {
            if (!isfinite(c[j]) || !isfinite(e[j])) continue;
            if (c[j] <= c[i] && e[j] <= e[i] && (c[j] < c[i] || e[j] < e[i])) on[i] = 0;
        }
    }
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

START_TEST(front_matches_brute_force)
{
    uint64_t s = 7;
    for (int trial = 0; trial < 300; trial++) {
        size_t n = (size_t)(lcg(&s) % 40);
        double c[40], e[40];
        uint8_t on[40], ref[40];
        for (size_t i = 0; i < n; i++) {
            /* few distinct values, so ties in cost, error and whole points are common */
            c[i] = (double)(lcg(&s) % 8);
            e[i] = (double)(lcg(&s) % 6) / 10.0;
            if (lcg(&s) % 17 == 0) c[i] = (double)NAN;
            if (lcg(&s) % 19 == 0) e[i] = (double)INFINITY;
        }
        size_t nf = 99, nref = 0;
        ck_assert_int_eq(bimt_sweep_pareto_front(c, e, n, on, &nf), BIMT_OK);
        brute_front(c, e, n, ref);
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(on[i] == ref[i], "trial %d point %zu", trial, i);
            nref += ref[i];
        }
        ck_assert_uint_eq(nf, nref);
    }
    ck_assert_int_eq(bimt_sweep_pareto_front(NULL, NULL, 0, NULL, NULL), BIMT_OK);
    double x = 1.0;
    uint8_t o;
    ck_assert_int_eq(bimt_sweep_pareto_front(&x, NULL, 1, &o, NULL), BIMT_E_INVALID_ARG);
}
END_TEST

/* ------------------------------------------------------------------ statistics */

START_TEST(t_quantile_table)
{
    /* the name tables (sweep.json's status and frontier keys) */
    ck_assert_str_eq(bimt_sweep_status_name(BIMT_SWEEP_FAILED), "failed");
    ck_assert_str_eq(bimt_sweep_axis_name(BIMT_SWEEP_AXIS_WIRING), "wiring");
    ck_assert_ptr_null(bimt_sweep_status_name(3));
    ck_assert_ptr_null(bimt_sweep_axis_name(-1));
    /* t_{0.975, df} (two-sided 95 %) and t_{0.995, df}, standard tables. */
    static const struct {
        uint32_t df;
        double p, t;
    } tab[] = {{1, 0.975, 12.706204736},  {2, 0.975, 4.302652730},   {3, 0.975, 3.182446305},
               {4, 0.975, 2.776445105},   {5, 0.975, 2.570581836},   {9, 0.975, 2.262157163},
               {10, 0.975, 2.228138852},  {29, 0.975, 2.045229642},  {30, 0.975, 2.042272456},
               {100, 0.975, 1.983971519}, {1, 0.995, 63.656741163},  {4, 0.995, 4.604094871},
               {20, 0.95, 1.724718243},   {1000, 0.975, 1.962339081}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        double t = bimt_sweep_t_quantile(tab[i].p, tab[i].df);
        ck_assert_msg(fabs(t - tab[i].t) < 1e-8 * tab[i].t, "df %u p %g: %.12g vs %.12g", tab[i].df,
                      tab[i].p, t, tab[i].t);
        ck_assert(fabs(bimt_sweep_t_quantile(1.0 - tab[i].p, tab[i].df) + t) < 1e-9 * t);
    }
    ck_assert(bimt_sweep_t_quantile(0.5, 3) == 0.0);
    ck_assert(isnan(bimt_sweep_t_quantile(0.0, 3)));
    ck_assert(isnan(bimt_sweep_t_quantile(1.0, 3)));
    ck_assert(isnan(bimt_sweep_t_quantile(0.975, 0)));
    /* very many degrees of freedom: the normal quantile 1.959964 */
    ck_assert(fabs(bimt_sweep_t_quantile(0.975, 10000000u) - 1.959964) < 1e-5);
}
END_TEST

START_TEST(mean_ci_direct)
{
    const double x[] = {0.91, 0.87, (double)NAN, 0.95, 0.89, 0.93};
    bimt_sweep_ci ci;
    ck_assert_int_eq(bimt_sweep_mean_ci(x, 6, 0.95, &ci), BIMT_OK);
    /* by hand: the five finite values, s with n - 1, t_{0.975,4} = 2.776445105 */
    double m = (0.91 + 0.87 + 0.95 + 0.89 + 0.93) / 5.0, ss = 0.0;
    for (int i = 0; i < 6; i++)
        if (!isnan(x[i])) ss += (x[i] - m) * (x[i] - m);
    double half = 2.776445105 * sqrt(ss / 4.0) / sqrt(5.0);
    ck_assert_uint_eq(ci.n, 5);
    ck_assert(fabs(ci.mean - m) < 1e-15);
    ck_assert(fabs(ci.lo - (m - half)) < 1e-9 && fabs(ci.hi - (m + half)) < 1e-9);
    ck_assert_int_eq(bimt_sweep_mean_ci(x, 1, 0.95, &ci), BIMT_OK);
    ck_assert(ci.n == 1 && ci.mean == 0.91 && isnan(ci.lo) && isnan(ci.hi));
    ck_assert_int_eq(bimt_sweep_mean_ci(NULL, 0, 0.95, &ci), BIMT_OK);
    ck_assert(ci.n == 0 && isnan(ci.mean));
    ck_assert_int_eq(bimt_sweep_mean_ci(x, 6, 1.0, &ci), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_sweep_mean_ci(NULL, 2, 0.95, &ci), BIMT_E_INVALID_ARG);
}
END_TEST

/* ------------------------------------------------------------------ JSON reader */

START_TEST(json_reader)
{
    const char *doc =
        "{\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\\"\\n\\u00e9\\ud83d\\ude00\","
        " \"o\": {\"k\": {}}, \"e\": []}";
    bimt__jv *v = NULL;
    char err[200];
    ck_assert_int_eq(bimt__json_parse(doc, strlen(doc), &v, err, sizeof err), BIMT_OK);
    const bimt__jv *a = bimt__jv_get(v, "a");
    ck_assert(a && a->kind == BIMT__J_ARR && a->n == 5);
    ck_assert(a->items[1].num == -2500.0 && a->items[2].boolean && !a->items[3].boolean);
    ck_assert_int_eq(a->items[4].kind, BIMT__J_NULL);
    ck_assert_str_eq(bimt__jv_get(v, "s")->str, "x\"\n\xc3\xa9\xf0\x9f\x98\x80");
    ck_assert(bimt__jv_path(v, "o.k") && bimt__jv_path(v, "o.k")->kind == BIMT__J_OBJ);
    ck_assert(bimt__jv_path(v, "o.k.z") == NULL && bimt__jv_path(v, "a.b") == NULL);
    bimt__jv_free(v);

    static const char *const bad[] = {"",    "{",          "[1,]",    "{\"a\" 1}",   "01",
                                      "1.",  "-",          "\"\\x\"", "\"\\ud800\"", "[1] 2",
                                      "tru", "{\"a\":1,}", "\"a\nb\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(bimt__json_parse(bad[i], strlen(bad[i]), &v, err, sizeof err) ==
                          BIMT_E_FORMAT,
                      "accepted %s", bad[i]);
        ck_assert(v == NULL && strstr(err, "line "));
    }
    const char *two = "{\n  \"a\": 1,\n  \"b\": ?\n}";
    ck_assert_int_eq(bimt__json_parse(two, strlen(two), &v, err, sizeof err), BIMT_E_FORMAT);
    ck_assert_msg(strstr(err, "line 3, column 8"), "%s", err);
    /* nesting deeper than the limit is refused, not a stack overflow */
    char deep[200];
    memset(deep, '[', 150);
    deep[150] = '\0';
    ck_assert_int_eq(bimt__json_parse(deep, 150, &v, err, sizeof err), BIMT_E_FORMAT);
}
END_TEST

/* ------------------------------------------------------------------ metrics.json */

static const char *METRICS_FMT =
    "{\"format\": \"bimt-report\", \"steps\": 200,\n"
    " \"config\": {\"trainer\": {\"arm\": \"%s\", \"lambda\": 0.001, \"A\": 1, \"seed\": 2}},\n"
    " \"performance\": {\"mean\": %s, \"min\": 0.5, \"n_at_or_above_target\": 3},\n"
    " \"task_variance\": {\"n_important\": 11},\n"
    " \"clusters\": {\"n_clusters\": 4},\n"
    " \"anatomy\": {\"isolated_fraction\": {\"p\": 0.01}, \"cluster_size\": {\"p\": null}},\n"
    " %s\n"
    " \"wiring\": {\"n_active_neurons\": 9, \"wiring_length\": 3.25}}\n";

static void write_metrics(const char *path, const char *arm, const char *mean, const char *extra)
{
    char buf[2048];
    snprintf(buf, sizeof buf, METRICS_FMT, arm, mean, extra);
    bimt_test_write_file(path, buf, strlen(buf));
}

START_TEST(read_metrics)
{
    char path[512], err[300];
    bimt_test_tmppath(path, sizeof path, ".json");
    write_metrics(path, "l1", "0.75",
                  "\"anatomy_by_k\": [{\"k\": 4, \"isolated_fraction\": 0.2, "
                  "\"isolated_p\": 0.03, \"cluster_size\": 1.5, \"cluster_size_p\": null}, "
                  "{\"k\": 8, \"isolated_fraction\": 0.1, \"isolated_p\": 0.5, \"cluster_size\":"
                  " 2, \"cluster_size_p\": 0.04}],");
    bimt_sweep_metrics m;
    bimt_sweep_metrics_init(&m);
    ck_assert_int_eq(bimt_sweep_read_metrics(path, &m, err, sizeof err), BIMT_OK);
    ck_assert(m.perf_mean == 0.75 && m.perf_min == 0.5 && m.n_tasks_at_target == 3);
    ck_assert(m.n_important == 11 && m.n_clusters == 4 && m.n_active_neurons == 9);
    ck_assert(m.wiring_length == 3.25 && m.isolated_p == 0.01 && isnan(m.cluster_size_p));
    ck_assert(m.arm == BIMT_ARM_L1 && m.lambda == 0.001 && m.A == 1.0 && m.seed == 2);
    ck_assert(m.steps == 200 && m.n_by_k == 2);
    ck_assert(m.by_k[0].k == 4 && m.by_k[0].isolated_p == 0.03 && isnan(m.by_k[0].cluster_size_p));
    ck_assert(m.by_k[1].k == 8 && m.by_k[1].cluster_size == 2.0);

    ck_assert(isnan(m.graph_modularity_q) && isnan(m.graph_small_world_sigma)); /* no graph */

    write_metrics(path, "bimt", "0.75", ""); /* no anatomy_by_k: allowed */
    ck_assert_int_eq(bimt_sweep_read_metrics(path, &m, err, sizeof err), BIMT_OK);
    ck_assert_uint_eq(m.n_by_k, 0);

    write_metrics(path, "bimt", "0.75",
                  "\"graph\": {\"modularity_q\": 0.25, \"clustering\": 0.5, "
                  "\"char_path_length\": 2.5, \"small_world_sigma\": null},");
    ck_assert_int_eq(bimt_sweep_read_metrics(path, &m, err, sizeof err), BIMT_OK);
    ck_assert(m.graph_modularity_q == 0.25 && m.graph_clustering == 0.5);
    ck_assert(m.graph_char_path_length == 2.5 && isnan(m.graph_small_world_sigma));

    write_metrics(path, "bimt", "\"high\"", "");
    ck_assert_int_eq(bimt_sweep_read_metrics(path, &m, err, sizeof err), BIMT_E_FORMAT);
    ck_assert_msg(strstr(err, "performance.mean is not a number") && strstr(err, path), "%s", err);
    write_metrics(path, "foo", "0.5", "");
    ck_assert_int_eq(bimt_sweep_read_metrics(path, &m, err, sizeof err), BIMT_E_FORMAT);
    ck_assert_msg(strstr(err, "config.trainer.arm"), "%s", err);
    bimt_test_write_file(path, "{\"format\": \"other\"}", 19);
    ck_assert_int_eq(bimt_sweep_read_metrics(path, &m, err, sizeof err), BIMT_E_FORMAT);
    bimt_test_write_file(path, "{\n\"format\": \n", 13);
    ck_assert_int_eq(bimt_sweep_read_metrics(path, &m, err, sizeof err), BIMT_E_FORMAT);
    ck_assert_msg(strstr(err, "line 3"), "%s", err);
    unlink(path);
    ck_assert_int_eq(bimt_sweep_read_metrics(path, &m, err, sizeof err), BIMT_E_IO);
    m.struct_size = 2; /* below its own field: not set */
    ck_assert_int_eq(bimt_sweep_read_metrics(path, &m, err, sizeof err), BIMT_E_VERSION);
    ck_assert_int_eq(bimt_sweep_read_metrics(NULL, &m, NULL, 0), BIMT_E_INVALID_ARG);
}
END_TEST

/* ------------------------------------------------------------------ handle */

static void add(bimt_sweep_t *sw, const char *id, bimt_arm arm, double lambda, uint64_t seed,
                bimt_sweep_status st, double perf, uint32_t neurons, double wiring, double iso_p,
                double size_p)
{
    bimt_sweep_metrics m;
    bimt_sweep_metrics_init(&m);
    m.perf_mean = perf;
    m.n_active_neurons = neurons;
    m.wiring_length = wiring;
    m.isolated_p = iso_p;
    m.cluster_size_p = size_p;
    m.n_by_k = 1;
    m.by_k[0].k = 4;
    m.by_k[0].isolated_p = iso_p;
    bimt_sweep_run r;
    bimt_sweep_run_init(&r);
    const char *args[] = {"--config", "x.conf"};
    const char *keys[] = {"grid"}, *vals[] = {"4"};
    r.id = id;
    r.arm = arm;
    r.lambda = lambda;
    r.A = arm == BIMT_ARM_BIMT ? 1.0 : 0.0;
    r.seed = seed;
    r.steps = 200;
    r.status = st;
    r.error = st == BIMT_SWEEP_FAILED ? "exit code 1 <&>" : NULL;
    r.args = args;
    r.n_args = 2;
    r.setting_keys = keys;
    r.setting_values = vals;
    r.n_settings = 1;
    r.report = "runs/x/index.html";
    r.metrics = &m;
    ck_assert_int_eq(bimt_sweep_add_run(sw, &r), BIMT_OK);
}

static bimt_sweep_t *example(void)
{
    bimt_sweep_t *sw = NULL;
    ck_assert_int_eq(bimt_sweep_create(&sw), BIMT_OK);
    add(sw, "b1", BIMT_ARM_BIMT, 1e-3, 1, BIMT_SWEEP_OK, 0.80, 10, 5.0, 0.01, 0.02);
    add(sw, "b2", BIMT_ARM_BIMT, 1e-3, 2, BIMT_SWEEP_OK, 0.90, 14, 4.0, 0.20, 0.01);
    add(sw, "b3", BIMT_ARM_BIMT, 1e-4, 1, BIMT_SWEEP_OK, 0.95, 20, 9.0, 0.03, (double)NAN);
    add(sw, "b4", BIMT_ARM_BIMT, 1e-4, 2, BIMT_SWEEP_FAILED, 0, 0, 0, 0, 0);
    add(sw, "l1", BIMT_ARM_L1, 1e-3, 1, BIMT_SWEEP_OK, 0.85, 12, 6.0, 0.5, 0.5);
    add(sw, "l2", BIMT_ARM_L1, 1e-3, 2, BIMT_SWEEP_OK, 0.85, 16, 7.0, 0.5, 0.5);
    add(sw, "n1", BIMT_ARM_NONE, 0.0, 1, BIMT_SWEEP_OK, 0.97, 16, 30.0, 0.5, 0.5);
    add(sw, "n2", BIMT_ARM_NONE, 0.0, 2, BIMT_SWEEP_PENDING, 0, 0, 0, 0, 0);
    return sw;
}

START_TEST(handle_fronts_and_summaries)
{
    bimt_sweep_t *sw = example();
    ck_assert_uint_eq(bimt_sweep_n_runs(sw), 8);
    uint32_t idx[8];
    size_t n;
    ck_assert_int_eq(bimt_sweep_front(sw, BIMT_ARM_BIMT, BIMT_SWEEP_AXIS_NEURONS, idx, 8, &n), 0);
    ck_assert_uint_eq(n, 3); /* 10/0.2, 14/0.1, 20/0.05: all trade off */
    ck_assert(idx[0] == 0 && idx[1] == 1 && idx[2] == 2);
    ck_assert_int_eq(bimt_sweep_front(sw, BIMT_ARM_BIMT, BIMT_SWEEP_AXIS_WIRING, idx, 8, &n), 0);
    ck_assert_uint_eq(n, 2); /* b2 (4, 0.1) dominates b1 (5, 0.2); b3 (9, 0.05) */
    ck_assert(idx[0] == 1 && idx[1] == 2);
    ck_assert_int_eq(bimt_sweep_front(sw, BIMT_ARM_L1, BIMT_SWEEP_AXIS_NEURONS, idx, 8, &n), 0);
    ck_assert(n == 1 && idx[0] == 4);
    ck_assert_int_eq(bimt_sweep_front(sw, BIMT_ARM_NONE, BIMT_SWEEP_AXIS_WIRING, idx, 8, &n), 0);
    ck_assert(n == 1 && idx[0] == 6);
    ck_assert_int_eq(bimt_sweep_front(sw, BIMT_ARM_BIMT, BIMT_SWEEP_AXIS_NEURONS, idx, 1, &n),
                     BIMT_E_SHAPE);
    ck_assert_uint_eq(n, 3);

    /* groups: bimt 1e-4, bimt 1e-3, l1 1e-3, none 0 */
    ck_assert_uint_eq(bimt_sweep_n_summaries(sw), 4);
    bimt_sweep_summary s;
    s.struct_size = (uint32_t)sizeof s; /* an output struct */
    s.struct_size = sizeof s;
    ck_assert_int_eq(bimt_sweep_summary_get(sw, 0, &s), BIMT_OK);
    ck_assert(s.arm == BIMT_ARM_BIMT && s.lambda == 1e-4 && s.n_runs == 2 && s.n_ok == 1);
    ck_assert(s.n_failed == 1 && s.perf.n == 1 && isnan(s.perf.lo));
    ck_assert(s.n_isolated_tested == 1 && s.n_isolated_pass == 1 && s.n_size_tested == 0);
    ck_assert_int_eq(bimt_sweep_summary_get(sw, 1, &s), BIMT_OK);
    ck_assert(s.lambda == 1e-3 && s.n_ok == 2 && fabs(s.perf.mean - 0.85) < 1e-12);
    double half = 12.706204736 * sqrt(2 * 0.05 * 0.05) / sqrt(2.0);
    ck_assert(fabs(s.perf.hi - 0.85 - half) < 1e-8);
    ck_assert(s.n_isolated_pass == 1 && s.n_size_pass == 2 && s.neurons.mean == 12.0);
    ck_assert_int_eq(bimt_sweep_summary_get(sw, 3, &s), BIMT_OK);
    ck_assert(s.arm == BIMT_ARM_NONE && s.n_runs == 2 && s.n_ok == 1);
    ck_assert_int_eq(bimt_sweep_summary_get(sw, 4, &s), BIMT_E_INVALID_ARG);
    s.struct_size = 0; /* not set */
    ck_assert_int_eq(bimt_sweep_summary_get(sw, 0, &s), BIMT_E_VERSION);

    /* bad records leave the handle unchanged */
    bimt_sweep_run r;
    bimt_sweep_run_init(&r);
    ck_assert_int_eq(bimt_sweep_add_run(sw, &r), BIMT_E_INVALID_ARG);
    r.id = "b1";
    ck_assert_int_eq(bimt_sweep_add_run(sw, &r), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_sweep_errmsg(sw), "duplicate"));
    r.id = "new";
    r.status = BIMT_SWEEP_OK; /* no metrics */
    ck_assert_int_eq(bimt_sweep_add_run(sw, &r), BIMT_E_INVALID_ARG);
    r.status = BIMT_SWEEP_PENDING;
    r.arm = (bimt_arm)7;
    ck_assert_int_eq(bimt_sweep_add_run(sw, &r), BIMT_E_INVALID_ARG);
    r.arm = BIMT_ARM_L1;
    r.struct_size = 4;
    ck_assert_int_eq(bimt_sweep_add_run(sw, &r), BIMT_E_VERSION);
    ck_assert_uint_eq(bimt_sweep_n_runs(sw), 8);
    bimt_sweep_free(sw);
    bimt_sweep_free(NULL);
}
END_TEST

START_TEST(report_files)
{
    bimt_sweep_t *sw = example();
    char dir[512], path[600];
    bimt_test_tmppath(dir, sizeof dir, "-sweep/sub");
    ck_assert_int_eq(bimt_sweep_write_report(sw, dir), BIMT_OK);
    static const char *const svgs[] = {"pareto_neurons.svg", "pareto_wiring.svg"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, svgs[i]);
        char *s = tc_read_file(path, NULL), why[200];
        ck_assert_msg(s && tc_xml_wellformed(s, why, sizeof why), "%s: %s", path, why);
        ck_assert(tc_count(s, "<circle") == 6); /* the six finished runs */
        ck_assert(strstr(s, "error = 1 - mean performance"));
        free(s);
    }
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    char *j = tc_read_file(path, NULL);
    ck_assert(j && tc_json_valid(j));
    double x;
    ck_assert(tc_json_number(j, "n_runs", &x) && x == 8.0);
    ck_assert(tc_json_number(j, "n_failed", &x) && x == 1.0);
    ck_assert(tc_json_number(j, "runs.1.metrics.n_active_neurons", &x) && x == 14.0);
    ck_assert(tc_json_number(j, "runs.0.metrics.anatomy_by_k.0.k", &x) && x == 4.0);
    ck_assert(tc_json_number(j, "runs.3.metrics", &x) && isnan(x)); /* failed: null */
    ck_assert(strncmp(tc_json_find(j, "runs.3.status"), "\"failed\"", 8) == 0);
    ck_assert(strncmp(tc_json_find(j, "runs.3.error"), "\"exit code 1 <&>\"", 17) == 0);
    ck_assert(strncmp(tc_json_find(j, "frontier.bimt.wiring"), "[\"b2\", \"b3\"]", 12) == 0);
    ck_assert(strncmp(tc_json_find(j, "frontier.l1.neurons"), "[\"l1\"]", 6) == 0);
    ck_assert(tc_json_number(j, "summary.1.perf_mean.mean", &x) && fabs(x - 0.85) < 1e-12);
    ck_assert(tc_json_number(j, "summary.1.cluster_size_pass.n_p_below_0", &x) == 0);
    ck_assert(
        strncmp(tc_json_find(j, "runs.0.grow_brain_args"), "[\"--config\", \"x.conf\"]", 22) == 0);
    free(j);
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *h = tc_read_file(path, NULL);
    ck_assert(h && strstr(h, "<img src=\"pareto_neurons.svg\"") &&
              strstr(h, "<img src=\"pareto_wiring.svg\""));
    ck_assert(strstr(h, "<a href=\"runs/x/index.html\">b1</a>"));
    ck_assert(strstr(h, "exit code 1 &lt;&amp;&gt;")); /* escaped */
    ck_assert(tc_count(h, "<table>") == 2 && tc_count(h, "</table>") == 2);
    ck_assert(tc_count(h, "<tr>") == tc_count(h, "</tr>") && tc_count(h, "<tr>") == 1 + 4 + 1 + 8);
    free(h);
    ck_assert_int_eq(bimt_sweep_write_svg(sw, (bimt_sweep_axis)5, path), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_sweep_write_json(sw, ""), BIMT_E_INVALID_ARG);
    bimt_sweep_free(sw);

    /* an empty sweep still writes every file */
    ck_assert_int_eq(bimt_sweep_create(&sw), BIMT_OK);
    ck_assert_int_eq(bimt_sweep_write_report(sw, dir), BIMT_OK);
    snprintf(path, sizeof path, "%s/pareto_wiring.svg", dir);
    char *s = tc_read_file(path, NULL);
    ck_assert(s && strstr(s, "no finished runs yet"));
    free(s);
    bimt_sweep_free(sw);
}
END_TEST

static Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("aggregation");
    tcase_add_test(tc, front_matches_brute_force);
    tcase_add_test(tc, t_quantile_table);
    tcase_add_test(tc, mean_ci_direct);
    tcase_add_test(tc, json_reader);
    tcase_add_test(tc, read_metrics);
    tcase_add_test(tc, handle_fronts_and_summaries);
    tcase_add_test(tc, report_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(sweep_suite());
}
