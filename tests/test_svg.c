/* SVG writer and figures: locale-independent numbers, XML escaping, well-formed output of
 * every figure (own checker + xmllint when installed), figure contents against the input
 * data, atomic writes. */
#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "common/common.h"
#include "io/atomic_file.h"
#include "report/svg.h"
#include "testutil.h"
#include "textcheck.h"

/* ------------------------------------------------------------------ helpers */

static char *make_tmpdir(void)
{
    char base[512];
    bimt_test_tmppath(base, sizeof base, "-svgdir");
    ck_assert_int_eq(mkdir(base, 0755), 0);
    return strdup(base);
}

static void join(char *out, size_t len, const char *dir, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static void rm_rf(const char *dir)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Reads an SVG, asserts it is well-formed (own checker, and xmllint if present). */
static char *read_svg(const char *path)
{
    char *s = tc_read_file(path, NULL);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    char why[256];
    ck_assert_msg(tc_xml_wellformed(s, why, sizeof why), "%s: %s", path, why);
    ck_assert_msg(strstr(s, "<svg") && strstr(s, "xmlns=\"http://www.w3.org/2000/svg\""),
                  "%s is not an SVG document", path);
    if (access("/usr/bin/xmllint", X_OK) == 0) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "/usr/bin/xmllint --noout '%s'", path);
        ck_assert_msg(system(cmd) == 0, "xmllint rejects %s", path);
    }
    return s;
}

static bimt_model_t *small_model(uint32_t side, uint64_t seed)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = side;
    p.init = BIMT_INIT_GAUSS;
    p.init_scale = 1.0;
    p.seed = seed;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    return m;
}

/* A locale whose decimal point is not '.', if the system has one. */
static int set_comma_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8",  "fr_FR.UTF-8", "fr_FR.utf8",
                                        "ru_RU.UTF-8", "nl_NL.UTF-8", "de_DE"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (setlocale(LC_NUMERIC, names[i]) && strcmp(localeconv()->decimal_point, ".") != 0)
            return 1;
    setlocale(LC_NUMERIC, "C");
    return 0;
}

/* ------------------------------------------------------------------ numbers */

START_TEST(fixed_numbers_round_and_read_back)
{
    uint64_t s = 12345;
    for (int it = 0; it < 20000; it++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double mag = pow(10.0, (double)((s >> 33) % 14) - 6.0);
        double x = ((double)(s >> 11) / 9007199254740992.0 - 0.5) * 2.0 * mag;
        int prec = (int)((s >> 5) % 7);
        char out[BIMT__NUMBUF];
        size_t n = bimt__fmt_fixed(out, x, prec);
        ck_assert_uint_eq(n, strlen(out));
        ck_assert_ptr_null(strchr(out, ','));
        ck_assert_ptr_null(strchr(out, 'e'));
        char *end;
        double back = strtod(out, &end);
        ck_assert(*end == '\0');
        double want = round(x * pow(10.0, prec)) / pow(10.0, prec);
        ck_assert_msg(fabs(back - want) <= 1e-9 * fmax(1.0, fabs(want)), "%.17g prec %d -> %s", x,
                      prec, out);
        if (strchr(out, '.')) ck_assert(out[n - 1] != '0' && out[n - 1] != '.');
        ck_assert_msg(strcmp(out, "-0") != 0, "negative zero printed for %.17g", x);
    }
    char out[BIMT__NUMBUF];
    bimt__fmt_fixed(out, 2.5, 0);
    ck_assert_str_eq(out, "3"); /* half away from zero */
    bimt__fmt_fixed(out, -0.004, 2);
    ck_assert_str_eq(out, "0");
    bimt__fmt_fixed(out, (double)NAN, 2);
    ck_assert_str_eq(out, "0");
    bimt__fmt_fixed(out, 1.5, 2);
    ck_assert_str_eq(out, "1.5");
}
END_TEST

START_TEST(doubles_round_trip_exactly)
{
    uint64_t s = 99;
    for (int it = 0; it < 20000; it++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double x;
        memcpy(&x, &s, sizeof x);
        if (!isfinite(x)) continue;
        char out[BIMT__NUMBUF];
        bimt__fmt_double(out, x);
        char *end;
        double back = strtod(out, &end);
        ck_assert(*end == '\0');
        ck_assert_msg(back == x, "%.17g -> %s", x, out);
        ck_assert_ptr_null(strchr(out, ','));
    }
    char out[BIMT__NUMBUF];
    bimt__fmt_double(out, 0.1);
    ck_assert_str_eq(out, "0.1"); /* shortest, not 0.10000000000000001 */
    bimt__fmt_double(out, (double)NAN);
    ck_assert_str_eq(out, "null");
    bimt__fmt_double(out, -(double)INFINITY);
    ck_assert_str_eq(out, "null");
}
END_TEST

START_TEST(numbers_ignore_the_process_locale)
{
    if (!set_comma_locale()) {
        /* Only C locales on this system: still check C formatting is '.'-based. */
        setlocale(LC_NUMERIC, "C");
    }
    char out[BIMT__NUMBUF];
    bimt__fmt_double(out, 1234.5678);
    ck_assert_str_eq(out, "1234.5678");
    bimt__fmt_double(out, 1.25e-7);
    ck_assert_str_eq(out, "1.25e-07");
    bimt__fmt_fixed(out, -3.14159, 3);
    ck_assert_str_eq(out, "-3.142");
    bimt__fmt_short(out, 0.000123);
    ck_assert_str_eq(out, "1.23e-4");
    bimt__fmt_short(out, -0.001);
    ck_assert_str_eq(out, "-1e-3");
    bimt__fmt_short(out, 25000.0);
    ck_assert_str_eq(out, "2.5e4");
    bimt__fmt_short(out, 0.5);
    ck_assert_str_eq(out, "0.5");
    bimt__buf b;
    bimt__buf_init(&b);
    bimt__buf_fmt(&b, "%f|%.4f|%g|%d|%z|%U|%u|%%", 0.5, 2.0 / 3.0, 0.25, -7, (size_t)12,
                  (uint64_t)1 << 40, 3u);
    ck_assert_str_eq(b.data, "0.5|0.6667|0.25|-7|12|1099511627776|3|%");
    bimt__buf_free(&b);
    /* A whole figure: no decimal commas anywhere. */
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "perf.svg");
    double perf[BIMT_N_RULES];
    for (int r = 0; r < BIMT_N_RULES; r++)
        perf[r] = 0.0123 + 0.049 * r;
    ck_assert_int_eq(bimt_plot_performance(perf, 0.9, path), BIMT_OK);
    setlocale(LC_NUMERIC, "C");
    char *svg = read_svg(path);
    ck_assert_ptr_nonnull(strstr(svg, ">0.01<")); /* 0.0123 rounded to 2 decimals */
    for (const char *p = strstr(svg, "=\""); p; p = strstr(p + 2, "=\"")) {
        const char *q = p + 2;
        if (isdigit((unsigned char)*q))
            while (*q && *q != '"')
                ck_assert_msg(*q++ != ',', "decimal comma in %.40s", p);
    }
    free(svg);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------------ escaping */

START_TEST(xml_escaping)
{
    bimt__buf b;
    bimt__buf_init(&b);
    bimt__buf_xml(&b, "a<b>&\"c'\x01\xff\xc3\xa9");
    ck_assert_str_eq(b.data, "a&lt;b&gt;&amp;&quot;c&apos;??\xc3\xa9");
    b.len = 0;
    bimt__buf_fmt(&b, "<t a=\"%s\">%s</t>", "x\"<y", "1 & 2 < 3");
    char why[128];
    ck_assert_msg(tc_xml_wellformed(b.data, why, sizeof why), "%s", why);
    ck_assert_str_eq(b.data, "<t a=\"x&quot;&lt;y\">1 &amp; 2 &lt; 3</t>");
    bimt__buf_free(&b);

    /* The checker itself rejects the mistakes it is meant to catch. */
    ck_assert(!tc_xml_wellformed("<a><b></a></b>", why, sizeof why));
    ck_assert(!tc_xml_wellformed("<a x=1></a>", why, sizeof why));
    ck_assert(!tc_xml_wellformed("<a>1 & 2</a>", why, sizeof why));
    ck_assert(!tc_xml_wellformed("<a x=\"<\"/>", why, sizeof why));
    ck_assert(!tc_xml_wellformed("<a>", why, sizeof why));
    ck_assert(
        tc_xml_wellformed("<?xml version=\"1.0\"?>\n<a x='1'><b/>t&amp;</a>\n", why, sizeof why));
}
END_TEST

START_TEST(titles_are_escaped_in_figures)
{
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "null.svg");
    double null[5] = {0.1, 0.2, 0.3, 0.4, 0.5};
    ck_assert_int_eq(bimt_plot_null(0.25, null, 5, -1.0, "a < b & \"c\" > d", "x & y", path),
                     BIMT_OK);
    char *svg = read_svg(path);
    ck_assert_ptr_nonnull(strstr(svg, "a &lt; b &amp; &quot;c&quot; &gt; d"));
    ck_assert_ptr_nonnull(strstr(svg, "x &amp; y"));
    ck_assert_ptr_null(strstr(svg, "a < b"));
    free(svg);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------------ figures */

START_TEST(network_draws_every_connection_above_threshold)
{
    bimt_model_t *m = small_model(4, 3);
    size_t n = bimt_model_n_hidden(m);
    float *W = bimt_model_params_data(m); /* W_rec comes first */
    size_t expect = 0, pos = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            float w = W[i * n + j];
            if (i != j && fabs((double)w) > 0.3) {
                expect++;
                pos += w > 0.0f;
            }
        }
    ck_assert_uint_gt(expect, 5);
    ck_assert_uint_lt(expect, n * (n - 1));
    int32_t labels[16];
    for (size_t k = 0; k < n; k++)
        labels[k] = k % 5 == 0 ? -1 : (int32_t)(k % 3);
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "net.svg");
    ck_assert_int_eq(bimt_plot_network(m, labels, 0.3, path), BIMT_OK);
    char *svg = read_svg(path);
    ck_assert_uint_eq(tc_count(svg, "class=\"edge\""), expect);
    ck_assert_uint_eq(tc_count(svg, "stroke=\"#d62728\" stroke-width"), pos + 1); /* + legend */
    ck_assert_uint_eq(tc_count(svg, "class=\"neuron\""), n);
    ck_assert_ptr_nonnull(strstr(svg, "cluster 2 (")); /* legend */
    ck_assert_ptr_nonnull(strstr(svg, "unimportant (4)"));
    free(svg);
    /* Default threshold, no labels. */
    ck_assert_int_eq(bimt_plot_network(m, NULL, 0.0, path), BIMT_OK);
    svg = read_svg(path);
    size_t e2 = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            e2 += i != j && fabs((double)W[i * n + j]) > 1e-2;
    ck_assert_uint_eq(tc_count(svg, "class=\"edge\""), e2);
    free(svg);
    /* Bad input: nothing written. */
    char bad[600];
    join(bad, sizeof bad, dir, "bad.svg");
    labels[3] = -2;
    ck_assert_int_eq(bimt_plot_network(m, labels, 0.3, bad), BIMT_E_INVALID_ARG);
    labels[3] = 16;
    ck_assert_int_eq(bimt_plot_network(m, labels, 0.3, bad), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_plot_network(NULL, NULL, 0.3, bad), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_plot_network(m, NULL, (double)NAN, bad), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_plot_network(m, NULL, 0.3, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(access(bad, F_OK), -1);
    rm_rf(dir);
    free(dir);
    bimt_model_free(m);
}
END_TEST

START_TEST(network_caps_the_number_of_lines)
{
    bimt_model_t *m = small_model(10, 5); /* 100 neurons, 9900 off-diagonal weights */
    size_t n = bimt_model_n_hidden(m);
    float *W = bimt_model_params_data(m);
    for (size_t i = 0; i < n * n; i++)
        W[i] = 0.05f + 0.001f * (float)(i % 97);
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "net.svg");
    ck_assert_int_eq(bimt_plot_network(m, NULL, 0.0, path), BIMT_OK);
    char *svg = read_svg(path);
    ck_assert_uint_eq(tc_count(svg, "class=\"edge\""), BIMT_PLOT_MAX_EDGES);
    ck_assert_ptr_nonnull(strstr(svg, "6000 strongest of 9900"));
    free(svg);
    rm_rf(dir);
    free(dir);
    bimt_model_free(m);
}
END_TEST

START_TEST(task_variance_heatmap_columns_and_names)
{
    enum { N = 16 };
    float ntv[BIMT_N_RULES * N];
    int32_t labels[N];
    for (size_t k = 0; k < N; k++) {
        labels[k] = k < 4 ? -1 : (int32_t)(k % 3);
        for (size_t r = 0; r < BIMT_N_RULES; r++)
            ntv[r * N + k] = labels[k] < 0 ? 0.0f : (float)((r * 7 + k * 3) % 11) / 10.0f;
    }
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "tv.svg");
    ck_assert_int_eq(bimt_plot_task_variance(ntv, BIMT_N_RULES, N, labels, path), BIMT_OK);
    char *svg = read_svg(path);
    const char *heat = strstr(svg, "<g id=\"heatmap\"");
    ck_assert_ptr_nonnull(heat);
    const char *heat_end = strstr(heat, "</g>");
    size_t cells = 0;
    for (const char *p = strstr(heat, "<rect"); p && p < heat_end; p = strstr(p + 1, "<rect"))
        cells++;
    ck_assert_uint_eq(cells, 12 * BIMT_N_RULES);
    for (int r = 0; r < BIMT_N_RULES; r++) {
        char want[64];
        snprintf(want, sizeof want, ">%s</text>", bimt_rule_name(r));
        ck_assert_msg(strstr(svg, want) != NULL, "rule name %s missing", bimt_rule_name(r));
    }
    ck_assert_uint_eq(tc_count(svg, "class=\"boundary\""), 2); /* 3 clusters */
    ck_assert_ptr_nonnull(strstr(svg, "normalised task variance"));
    free(svg);
    /* Other rule counts get generic names; no labels: nonzero columns only. */
    ck_assert_int_eq(bimt_plot_task_variance(ntv, 5, N, NULL, path), BIMT_OK);
    svg = read_svg(path);
    ck_assert_ptr_nonnull(strstr(svg, ">rule 4</text>"));
    free(svg);
    ntv[3] = NAN;
    ck_assert_int_eq(bimt_plot_task_variance(ntv, BIMT_N_RULES, N, labels, path),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_plot_task_variance(ntv, 0, N, labels, path), BIMT_E_INVALID_ARG);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(clusters_grid_and_preferred_tasks)
{
    bimt_model_t *m = small_model(4, 1);
    enum { N = 16 };
    int32_t labels[N];
    float ntv[BIMT_N_RULES * N];
    memset(ntv, 0, sizeof ntv);
    size_t grey = 0;
    for (size_t k = 0; k < N; k++) {
        labels[k] = k % 4 == 3 ? -1 : (int32_t)(k % 2);
        grey += labels[k] < 0;
        if (labels[k] == 0) ntv[BIMT_RULE_DELAYANTI * N + k] = 1.0f;
        if (labels[k] == 1) ntv[BIMT_RULE_DMCNOGO * N + k] = 1.0f;
        if (labels[k] >= 0) ntv[BIMT_RULE_FDGO * N + k] = 0.3f;
    }
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "cl.svg");
    ck_assert_int_eq(bimt_plot_clusters_grid(m, labels, ntv, BIMT_N_RULES, path), BIMT_OK);
    char *svg = read_svg(path);
    ck_assert_uint_eq(tc_count(svg, "class=\"cell\""), N);
    ck_assert_uint_eq(tc_count(svg, "fill=\"#d9d9d9\" stroke=\"#ffffff\""), grey);
    ck_assert_ptr_nonnull(strstr(svg, "0 (8): delayanti"));
    ck_assert_ptr_nonnull(strstr(svg, "1 (4): dmcnogo"));
    free(svg);
    ck_assert_int_eq(bimt_plot_clusters_grid(m, labels, NULL, 0, path), BIMT_OK);
    free(read_svg(path));
    ck_assert_int_eq(bimt_plot_clusters_grid(m, NULL, NULL, 0, path), BIMT_E_INVALID_ARG);
    rm_rf(dir);
    free(dir);
    bimt_model_free(m);
}
END_TEST

START_TEST(performance_bars)
{
    double perf[BIMT_N_RULES];
    size_t above = 0;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        perf[r] = r == 7 ? -1.0 : (double)r / 19.0;
        above += perf[r] >= 0.9;
    }
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "perf.svg");
    ck_assert_int_eq(bimt_plot_performance(perf, 0.9, path), BIMT_OK);
    char *svg = read_svg(path);
    ck_assert_uint_eq(tc_count(svg, "class=\"bar\""), BIMT_N_RULES - 1);
    ck_assert_uint_eq(tc_count(svg, ">n/a<"), 1);
    char want[64];
    snprintf(want, sizeof want, "%zu of 19 at or above 0.9", above);
    ck_assert_ptr_nonnull(strstr(svg, want));
    ck_assert_ptr_nonnull(strstr(svg, ">contextdelaydm2</text>"));
    free(svg);
    char bad[600];
    join(bad, sizeof bad, dir, "bad.svg");
    perf[2] = (double)NAN;
    ck_assert_int_eq(bimt_plot_performance(perf, 0.9, bad), BIMT_E_INVALID_ARG);
    perf[2] = 1.5;
    ck_assert_int_eq(bimt_plot_performance(perf, 0.9, bad), BIMT_E_INVALID_ARG);
    perf[2] = 0.5;
    ck_assert_int_eq(bimt_plot_performance(perf, 1.1, bad), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(access(bad, F_OK), -1);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(importance_grid_outlines_important_neurons)
{
    bimt_model_t *m = small_model(4, 2);
    enum { N = 16, R = 3 };
    float tv[R * N];
    size_t imp = 0;
    for (size_t k = 0; k < N; k++) {
        double sum = 0.0;
        for (size_t r = 0; r < R; r++) {
            tv[r * N + k] = k == 5 ? 0.0f : (float)(pow(10.0, -5.0 + 0.3 * (double)k) / R);
            sum += (double)tv[r * N + k];
        }
        imp += sum > 1e-3;
    }
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "imp.svg");
    ck_assert_int_eq(bimt_plot_importance_grid(m, tv, R, 1e-3, path), BIMT_OK);
    char *svg = read_svg(path);
    ck_assert_uint_eq(tc_count(svg, "class=\"cell\""), N);
    ck_assert_uint_eq(tc_count(svg, "stroke=\"#000000\" stroke-width=\"2.4\""), imp);
    ck_assert_uint_eq(tc_count(svg, "fill=\"#f2f2f2\" stroke=\"#ffffff\""),
                      1); /* the zero neuron */
    ck_assert_ptr_nonnull(strstr(svg, ">threshold<"));
    free(svg);
    tv[0] = -1.0f;
    ck_assert_int_eq(bimt_plot_importance_grid(m, tv, R, 1e-3, path), BIMT_E_INVALID_ARG);
    tv[0] = 0.0f;
    ck_assert_int_eq(bimt_plot_importance_grid(m, tv, R, 0.0, path), BIMT_E_INVALID_ARG);
    rm_rf(dir);
    free(dir);
    bimt_model_free(m);
}
END_TEST

START_TEST(weight_distance_points)
{
    double mw[7] = {0.0, 0.5, 0.2, 0.1, 0.0, 0.001, 0.0005};
    uint64_t counts[7] = {0, 24, 40, 20, 0, 8, 4};
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "wd.svg");
    ck_assert_int_eq(bimt_plot_weight_distance(mw, counts, 7, 4, path), BIMT_OK);
    char *svg = read_svg(path);
    ck_assert_uint_eq(tc_count(svg, "class=\"point\""), 5);
    ck_assert_ptr_nonnull(strstr(svg, "(log scale)")); /* 0.5 / 0.0005 spans 3 decades */
    ck_assert_ptr_nonnull(strstr(svg, "D = 0.25: mean |w| = 0.5<"));
    free(svg);
    ck_assert_int_eq(bimt_plot_weight_distance(mw, NULL, 7, 4, path), BIMT_OK);
    svg = read_svg(path);
    ck_assert_uint_eq(tc_count(svg, "class=\"point\""), 7);
    ck_assert_ptr_null(strstr(svg, "(log scale)")); /* zeros plotted: linear */
    free(svg);
    mw[2] = (double)INFINITY;
    ck_assert_int_eq(bimt_plot_weight_distance(mw, counts, 7, 4, path), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_plot_weight_distance(mw, counts, 7, 0, path), BIMT_E_INVALID_ARG);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(null_histogram_counts_and_p)
{
    enum { NS = 200 };
    double null[NS];
    size_t le = 0;
    const double obs = 0.31;
    for (size_t i = 0; i < NS; i++) {
        null[i] = 0.3 + 0.2 * sin((double)i * 1.7);
        le += null[i] <= obs;
    }
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "null.svg");
    ck_assert_int_eq(bimt_plot_null(obs, null, NS, -1.0, "Isolated", "fraction", path), BIMT_OK);
    char *svg = read_svg(path);
    size_t total = 0;
    for (const char *p = strstr(svg, "<title>"); p; p = strstr(p + 1, "<title>")) {
        unsigned long v;
        if (sscanf(p, "<title>%lu shuffles</title>", &v) == 1) total += v;
    }
    ck_assert_uint_eq(total, NS);
    const char *t = strstr(svg, "Isolated (p = ");
    ck_assert_ptr_nonnull(t);
    double p_shown = strtod(t + strlen("Isolated (p = "), NULL);
    ck_assert_double_eq_tol(p_shown, (1.0 + (double)le) / (1.0 + NS), 5e-4);
    free(svg);
    ck_assert_int_eq(bimt_plot_null(obs, NULL, 0, 0.5, "t", "x", path), BIMT_OK);
    svg = read_svg(path);
    ck_assert_ptr_nonnull(strstr(svg, "t (p = 0.5)"));
    free(svg);
    null[4] = (double)NAN;
    ck_assert_int_eq(bimt_plot_null(obs, null, NS, -1.0, "t", "x", path), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_plot_null((double)NAN, NULL, 0, -1.0, "t", "x", path),
                     BIMT_E_INVALID_ARG);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------------ atomic writes */

START_TEST(atomic_write_replaces_whole_file)
{
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "f.txt");
    char err[BIMT_ERRMSG_LEN];
    ck_assert_int_eq(bimt__write_atomic(path, "first", 5, err), BIMT_OK);
    ck_assert_int_eq(bimt__write_atomic(path, "second!", 7, err), BIMT_OK);
    size_t len;
    char *s = tc_read_file(path, &len);
    ck_assert_str_eq(s, "second!");
    free(s);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0644);
    ck_assert_uint_eq(count_entries(dir), 1); /* no temporary left */
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(atomic_write_failure_leaves_old_file)
{
    char *dir = make_tmpdir(), path[600];
    join(path, sizeof path, dir, "keep.txt");
    char err[BIMT_ERRMSG_LEN];
    ck_assert_int_eq(bimt__write_atomic(path, "original", 8, err), BIMT_OK);

    /* 1. The write itself fails (file size limit, in a child so the limit stays there). */
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {4, 4};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(3);
        static char big[10000];
        memset(big, 'x', sizeof big);
        char e2[BIMT_ERRMSG_LEN] = "";
        int rc = bimt__write_atomic(path, big, sizeof big, e2);
        _exit(rc == BIMT_E_IO && strstr(e2, "keep.txt") ? 0 : 1);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    char *s = tc_read_file(path, NULL);
    ck_assert_str_eq(s, "original");
    free(s);
    ck_assert_uint_eq(count_entries(dir), 1);

    /* 2. The rename fails: the target is a non-empty folder. */
    char sub[700], inner[800];
    join(sub, sizeof sub, dir, "folder");
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    join(inner, sizeof inner, sub, "x");
    ck_assert_int_eq(bimt__write_atomic(inner, "x", 1, err), BIMT_OK);
    ck_assert_int_eq(bimt__write_atomic(sub, "data", 4, err), BIMT_E_IO);
    ck_assert_ptr_nonnull(strstr(err, "folder"));
    ck_assert_uint_eq(count_entries(dir), 2);
    ck_assert_uint_eq(count_entries(sub), 1);

    /* 3. The folder is missing. */
    char missing[800];
    join(missing, sizeof missing, dir, "nope/f.svg");
    double perf[BIMT_N_RULES] = {0};
    ck_assert_int_eq(bimt_plot_performance(perf, 0.9, missing), BIMT_E_IO);
    ck_assert_int_eq(bimt__write_atomic(missing, "x", 1, err), BIMT_E_IO);
    ck_assert_ptr_nonnull(strstr(err, "nope"));

    /* 4. An unwritable folder (only meaningful when not root). */
    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(dir, 0500), 0);
        ck_assert_int_eq(bimt_plot_performance(perf, 0.9, path), BIMT_E_IO);
        ck_assert_int_eq(chmod(dir, 0755), 0);
        s = tc_read_file(path, NULL);
        ck_assert_str_eq(s, "original");
        free(s);
    }
    ck_assert_int_eq(bimt__write_atomic(NULL, "x", 1, err), BIMT_E_INVALID_ARG);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(mkdir_p_creates_parents)
{
    char *dir = make_tmpdir(), path[700], file[800];
    join(path, sizeof path, dir, "a/b/c/");
    char err[BIMT_ERRMSG_LEN];
    ck_assert_int_eq(bimt__mkdir_p(path, err), BIMT_OK);
    ck_assert_int_eq(bimt__mkdir_p(path, err), BIMT_OK); /* existing is fine */
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    join(file, sizeof file, dir, "plain");
    ck_assert_int_eq(bimt__write_atomic(file, "x", 1, err), BIMT_OK);
    ck_assert_int_eq(bimt__mkdir_p(file, err), BIMT_E_IO);
    strcat(file, "/sub");
    ck_assert_int_eq(bimt__mkdir_p(file, err), BIMT_E_IO);
    ck_assert_int_eq(bimt__mkdir_p("", err), BIMT_E_INVALID_ARG);
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *svg_suite(void)
{
    Suite *s = suite_create("svg");
    TCase *tc = tcase_create("writer");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fixed_numbers_round_and_read_back);
    tcase_add_test(tc, doubles_round_trip_exactly);
    tcase_add_test(tc, numbers_ignore_the_process_locale);
    tcase_add_test(tc, xml_escaping);
    tcase_add_test(tc, titles_are_escaped_in_figures);
    tcase_add_test(tc, atomic_write_replaces_whole_file);
    tcase_add_test(tc, atomic_write_failure_leaves_old_file);
    tcase_add_test(tc, mkdir_p_creates_parents);
    suite_add_tcase(s, tc);
    TCase *tf = tcase_create("figures");
    tcase_set_timeout(tf, 60);
    tcase_add_test(tf, network_draws_every_connection_above_threshold);
    tcase_add_test(tf, network_caps_the_number_of_lines);
    tcase_add_test(tf, task_variance_heatmap_columns_and_names);
    tcase_add_test(tf, clusters_grid_and_preferred_tasks);
    tcase_add_test(tf, performance_bars);
    tcase_add_test(tf, importance_grid_outlines_important_neurons);
    tcase_add_test(tf, weight_distance_points);
    tcase_add_test(tf, null_histogram_counts_and_p);
    suite_add_tcase(s, tf);
    return s;
}

int main(void)
{
    return bimt_test_run(svg_suite());
}
