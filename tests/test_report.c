/* The report folder: every file present and well-formed, metrics.json parses and agrees
 * with direct calls of the analysis API, bad input, determinism. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "testutil.h"
#include "textcheck.h"

static const char *const FILES[] = {
    "network.svg",    "task_variance.svg",   "clusters.svg",        "performance.svg",
    "importance.svg", "weight_distance.svg", "null_isolated.svg",   "null_cluster_size.svg",
    "silhouette.svg", "anatomy_by_k.svg",    "null_centrality.svg", "metrics.json",
    "index.html"};
#define N_FILES (sizeof FILES / sizeof FILES[0])

static void rm_rf(const char *dir)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *read_in(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = tc_read_file(path, NULL);
    ck_assert_msg(s != NULL, "missing %s", path);
    return s;
}

static void make_pair(uint32_t side, uint64_t seed, bimt_model_t **m, bimt_task_t **t)
{
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = side;
    mp.init = BIMT_INIT_GAUSS;
    mp.init_scale = 1.5;
    mp.seed = seed;
    ck_assert_int_eq(bimt_model_create(&mp, m), BIMT_OK);
    ck_assert_int_eq(bimt_task_create(NULL, t), BIMT_OK);
}

static double json_num(const char *js, const char *path)
{
    double v;
    ck_assert_msg(tc_json_number(js, path, &v), "metrics.json has no number at %s", path);
    return v;
}

/* Same double, or both NaN (JSON null). */
static void same(double a, double b, const char *what)
{
    ck_assert_msg((isnan(a) && isnan(b)) || a == b, "%s: json %.17g, direct %.17g", what, a, b);
}

static void check_files(const char *dir)
{
    for (size_t f = 0; f < N_FILES; f++) {
        char *s = read_in(dir, FILES[f]);
        char why[256];
        if (strstr(FILES[f], ".svg"))
            ck_assert_msg(tc_xml_wellformed(s, why, sizeof why), "%s: %s", FILES[f], why);
        free(s);
    }
    char *js = read_in(dir, "metrics.json");
    ck_assert_msg(tc_json_valid(js), "metrics.json is not valid JSON");
    free(js);
    if (access("/usr/bin/python3", X_OK) == 0) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 -m json.tool '%s/metrics.json' >/dev/null",
                 dir);
        ck_assert_msg(system(cmd) == 0, "python3 json.tool rejects metrics.json");
    }
    char *html = read_in(dir, "index.html");
    for (size_t f = 0; f < N_FILES; f++) {
        if (strcmp(FILES[f], "index.html") == 0) continue;
        char want[128];
        snprintf(want, sizeof want, strstr(FILES[f], ".svg") ? "<img src=\"%s\"" : "href=\"%s\"",
                 FILES[f]);
        ck_assert_msg(strstr(html, want) != NULL, "index.html does not show %s", FILES[f]);
    }
    free(html);
}

START_TEST(report_without_trainer_matches_the_analysis_api)
{
    bimt_model_t *m;
    bimt_task_t *t;
    make_pair(4, 7, &m, &t);
    char dir[512];
    bimt_test_tmppath(dir, sizeof dir, "-report/nested");
    const uint32_t NS = 40;
    ck_assert_int_eq(bimt_report_write(dir, m, t, NULL, NULL, NS), BIMT_OK);
    check_files(dir);
    char *js = read_in(dir, "metrics.json");

    /* Direct calls with the same (default) parameters. */
    const size_t n = bimt_model_n_hidden(m);
    float *tv = malloc(BIMT_N_RULES * n * sizeof(float));
    uint8_t *imp = malloc(n);
    int32_t *labels = malloc(n * sizeof(int32_t));
    double *iso = malloc(NS * sizeof(double)), *size = malloc(NS * sizeof(double));
    ck_assert_int_eq(bimt_task_variance(m, t, tv), BIMT_OK);
    bimt_cluster_params cp;
    bimt_cluster_params_init(&cp);
    uint32_t n_imp, n_cl;
    double sil;
    ck_assert_int_eq(
        bimt_important_neurons(tv, BIMT_N_RULES, (uint32_t)n, cp.importance_threshold, imp, &n_imp),
        BIMT_OK);
    ck_assert_int_eq(
        bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)n, &cp, labels, &n_cl, &sil),
        BIMT_OK);
    bimt_anatomy an;
    an.struct_size = (uint32_t)sizeof an; /* an output struct */
    ck_assert_int_eq(bimt_anatomy_metrics(m, labels, NS, cp.seed, &an, iso, size), BIMT_OK);
    bimt_wiring w;
    w.struct_size = (uint32_t)sizeof w; /* an output struct */
    ck_assert_int_eq(bimt_wiring_stats(m, tv, cp.importance_threshold, 1e-2, &w), BIMT_OK);
    const size_t nb = 2 * 4 - 1;
    double prof[7];
    uint64_t pairs[7];
    ck_assert_int_eq(bimt_weight_distance_profile(m, nb, prof, pairs), BIMT_OK);

    same(json_num(js, "task_variance.n_important"), n_imp, "n_important");
    ck_assert_uint_gt(n_imp, 2); /* the test exercises real clusters */
    same(json_num(js, "clusters.n_clusters"), n_cl, "n_clusters");
    same(json_num(js, "clusters.silhouette"), sil, "silhouette");
    char key[96];
    for (size_t k = 0; k < n; k++) {
        snprintf(key, sizeof key, "clusters.labels.%zu", k);
        same(json_num(js, key), labels[k], key);
        snprintf(key, sizeof key, "slots.%zu", k);
        same(json_num(js, key), bimt_model_slots(m)[k], key);
        double s = 0.0;
        for (int r = 0; r < BIMT_N_RULES; r++)
            s += (double)tv[(size_t)r * n + k];
        snprintf(key, sizeof key, "task_variance.summed.%zu", k);
        same(json_num(js, key), s, key);
        snprintf(key, sizeof key, "task_variance.by_task.dmcgo.%zu", k);
        same(json_num(js, key), (double)tv[(size_t)BIMT_RULE_DMCGO * n + k], key);
    }
    same(json_num(js, "anatomy.isolated_fraction.observed"), an.isolated_fraction, "isolated");
    same(json_num(js, "anatomy.isolated_fraction.null_mean"), an.isolated_null_mean, "iso mean");
    same(json_num(js, "anatomy.isolated_fraction.null_sd"), an.isolated_null_sd, "iso sd");
    same(json_num(js, "anatomy.isolated_fraction.z"), an.isolated_z, "iso z");
    same(json_num(js, "anatomy.isolated_fraction.p"), an.isolated_p, "iso p");
    same(json_num(js, "anatomy.cluster_size.observed"), an.cluster_size, "size");
    same(json_num(js, "anatomy.cluster_size.null_mean"), an.size_null_mean, "size mean");
    same(json_num(js, "anatomy.cluster_size.p"), an.size_p, "size p");
    same(json_num(js, "anatomy.n_shuffles"), NS, "n_shuffles");
    for (uint32_t s = 0; s < NS; s += 7) {
        snprintf(key, sizeof key, "anatomy.isolated_fraction.null_samples.%u", (unsigned)s);
        same(json_num(js, key), iso[s], key);
        snprintf(key, sizeof key, "anatomy.cluster_size.null_samples.%u", (unsigned)s);
        same(json_num(js, key), size[s], key);
    }
    /* Diagnostics: each anatomy_by_k entry is the clustering fixed at its k and the same
     * tests; the silhouette curve is the same clustering at every k; centrality; pruning. */
    static const uint32_t want_k[4] = {4, 8, 12, 16};
    uint32_t n_by_k = 0, last_k = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t k = want_k[i] < n_imp - 1 ? want_k[i] : n_imp - 1;
        if (k < 2 || k == last_k) continue;
        last_k = k;
        bimt_cluster_params ck = cp;
        ck.k_min = ck.k_max = k;
        int32_t *lk = malloc(n * sizeof(int32_t));
        uint32_t nck;
        double silk;
        ck_assert_int_eq(
            bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)n, &ck, lk, &nck, &silk),
            BIMT_OK);
        bimt_anatomy ak;
        ak.struct_size = (uint32_t)sizeof ak; /* an output struct */
        ck_assert_int_eq(bimt_anatomy_metrics(m, lk, NS, cp.seed, &ak, NULL, NULL), BIMT_OK);
        snprintf(key, sizeof key, "anatomy_by_k.%u.k", (unsigned)n_by_k);
        same(json_num(js, key), k, key);
        snprintf(key, sizeof key, "anatomy_by_k.%u.isolated_p", (unsigned)n_by_k);
        same(json_num(js, key), ak.isolated_p, key);
        snprintf(key, sizeof key, "anatomy_by_k.%u.cluster_size", (unsigned)n_by_k);
        same(json_num(js, key), ak.cluster_size, key);
        snprintf(key, sizeof key, "anatomy_by_k.%u.cluster_size_p", (unsigned)n_by_k);
        same(json_num(js, key), ak.size_p, key);
        snprintf(key, sizeof key, "anatomy_by_k.%u.silhouette", (unsigned)n_by_k);
        same(json_num(js, key), silk, key);
        if (k == n_cl) { /* the chosen k reproduces the main clustering's tests */
            same(ak.isolated_p, an.isolated_p, "by_k at the chosen k");
            same(ak.size_p, an.size_p, "by_k at the chosen k");
        }
        free(lk);
        n_by_k++;
    }
    ck_assert_uint_gt(n_by_k, 0);
    snprintf(key, sizeof key, "anatomy_by_k.%u.k", (unsigned)n_by_k);
    double dummy;
    ck_assert(!tc_json_number(js, key, &dummy)); /* no extra entries */
    same(json_num(js, "silhouette_by_k.0.k"), 2, "first k of the curve");
    {
        bimt_cluster_params c2 = cp;
        c2.k_min = c2.k_max = n_cl;
        uint32_t nc2;
        double s2;
        int32_t *l2 = malloc(n * sizeof(int32_t));
        ck_assert_int_eq(
            bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)n, &c2, l2, &nc2, &s2), BIMT_OK);
        snprintf(key, sizeof key, "silhouette_by_k.%u.silhouette", (unsigned)(n_cl - 2));
        same(json_num(js, key), sil, key); /* the chosen k's silhouette sits on the curve */
        same(s2, sil, "fixed-k silhouette at the chosen k");
        free(l2);
    }
    bimt_centrality cen;
    cen.struct_size = (uint32_t)sizeof cen; /* an output struct */
    ck_assert_int_eq(bimt_centrality_metrics(m, imp, NS, cp.seed, &cen, NULL), BIMT_OK);
    same(json_num(js, "centrality.distance_to_centre.observed"), cen.observed, "centrality");
    same(json_num(js, "centrality.distance_to_centre.p"), cen.p, "centrality p");
    same(json_num(js, "pruning.n_pruned"), (double)(n - n_imp), "n_pruned");
    same(json_num(js, "pruning.n_disconnected"), 0, "n_disconnected"); /* random weights */

    same(json_num(js, "wiring.n_active_neurons"), w.n_active_neurons, "active neurons");
    same(json_num(js, "wiring.n_active_edges"), w.n_active_edges, "active edges");
    same(json_num(js, "wiring.wiring_length"), w.wiring_length, "wiring length");
    same(json_num(js, "wiring.spectral_radius"), w.spectral_radius, "spectral radius");
    double dc;
    ck_assert_int_eq(bimt_model_distance_cost(m, 1.0, &dc), BIMT_OK);
    same(json_num(js, "wiring.distance_cost"), dc, "distance cost");
    for (size_t b = 0; b < nb; b++) {
        snprintf(key, sizeof key, "weight_distance.mean_abs_w.%zu", b);
        same(json_num(js, key), prof[b], key);
        snprintf(key, sizeof key, "weight_distance.pairs.%zu", b);
        same(json_num(js, key), (double)pairs[b], key);
    }

    /* Performance without a trainer: the deterministic test grid, noise off. */
    bimt_model_params mp;
    mp.struct_size = (uint32_t)sizeof mp; /* an output struct */
    bimt_model_get_params(m, &mp);
    double sum = 0.0, mn = 1.0;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        ck_assert_int_eq(bimt_task_sample_test(t, r, &b), BIMT_OK);
        ck_assert_int_eq(bimt_model_forward(m, b.x, b.n_steps, b.batch_size, 0), BIMT_OK);
        const float *o;
        ck_assert_int_eq(bimt_model_outputs(m, &o), BIMT_OK);
        double p;
        ck_assert_int_eq(bimt_task_performance(&b, o, mp.loss, NULL, &p), BIMT_OK);
        snprintf(key, sizeof key, "performance.per_task.%s", bimt_rule_name(r));
        same(json_num(js, key), p, key);
        sum += p;
        mn = p < mn ? p : mn;
    }
    ck_assert_double_eq_tol(json_num(js, "performance.mean"), sum / BIMT_N_RULES, 1e-12);
    same(json_num(js, "performance.min"), mn, "min perf");
    ck_assert_ptr_nonnull(strstr(js, "\"source\": \"test_grid_noise_off\""));
    ck_assert_ptr_nonnull(strstr(js, "\"trainer\": null"));
    snprintf(key, sizeof key, "\"library_version\": \"%s\"", bimt_version_string());
    ck_assert_ptr_nonnull(strstr(js, key));
    same(json_num(js, "config.model.grid_side"), 4, "grid side");
    same(json_num(js, "config.model.seed"), 7, "seed");
    same(json_num(js, "config.analysis.k_max"), cp.k_max, "k_max");

    /* The page shows the key numbers. */
    char *html = read_in(dir, "index.html");
    snprintf(key, sizeof key, "<th>important neurons</th><td>%u of %zu</td>", (unsigned)n_imp, n);
    ck_assert_msg(strstr(html, key) != NULL, "index.html lacks %s", key);
    snprintf(key, sizeof key, "<th>functional clusters</th><td>%u</td>", (unsigned)n_cl);
    ck_assert_msg(strstr(html, key) != NULL, "index.html lacks %s", key);
    ck_assert_ptr_null(strstr(html, "model.npz")); /* no checkpoint in the folder */
    free(html);

    free(js);
    free(tv);
    free(imp);
    free(labels);
    free(iso);
    free(size);
    char top[512];
    snprintf(top, sizeof top, "%.*s", (int)(strlen(dir) - strlen("/nested")), dir);
    rm_rf(top);
    bimt_model_free(m);
    bimt_task_free(t);
}
END_TEST

START_TEST(report_is_deterministic)
{
    bimt_model_t *m;
    bimt_task_t *t;
    make_pair(4, 3, &m, &t);
    char d1[512], d2[512];
    bimt_test_tmppath(d1, sizeof d1, "-r1");
    bimt_test_tmppath(d2, sizeof d2, "-r2");
    ck_assert_int_eq(bimt_report_write(d1, m, t, NULL, NULL, 20), BIMT_OK);
    ck_assert_int_eq(bimt_report_write(d2, m, t, NULL, NULL, 20), BIMT_OK);
    for (size_t f = 0; f < N_FILES; f++) {
        char *a = read_in(d1, FILES[f]), *b = read_in(d2, FILES[f]);
        ck_assert_msg(strcmp(a, b) == 0, "%s differs between two identical runs", FILES[f]);
        free(a);
        free(b);
    }
    rm_rf(d1);
    rm_rf(d2);
    bimt_model_free(m);
    bimt_task_free(t);
}
END_TEST

START_TEST(report_with_trainer_evaluates_when_needed)
{
    bimt_model_t *m;
    bimt_task_t *t;
    make_pair(4, 11, &m, &t);
    bimt_trainer_params tp;
    bimt_trainer_params_init(&tp);
    tp.batch_size = 8;
    tp.eval_interval = 0;
    tp.eval_batch = 16;
    bimt_trainer_t *tr = NULL;
    ck_assert_int_eq(bimt_trainer_create(m, t, &tp, &tr), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(tr, 3, NULL, NULL), BIMT_OK);
    double perf[BIMT_N_RULES];
    ck_assert_int_eq(bimt_trainer_last_eval(tr, perf), BIMT_E_STATE);
    char dir[512];
    bimt_test_tmppath(dir, sizeof dir, "-rtr");
    ck_assert_int_eq(bimt_report_write(dir, m, t, tr, NULL, 10), BIMT_OK);
    check_files(dir);
    ck_assert_int_eq(bimt_trainer_last_eval(tr, perf), BIMT_OK); /* evaluated by the report */
    char *js = read_in(dir, "metrics.json");
    char key[96];
    for (int r = 0; r < BIMT_N_RULES; r++) {
        snprintf(key, sizeof key, "performance.per_task.%s", bimt_rule_name(r));
        same(json_num(js, key), perf[r], key);
    }
    ck_assert_ptr_nonnull(strstr(js, "\"source\": \"trainer_evaluation_at_report\""));
    same(json_num(js, "performance.trials_per_task"), 16, "trials");
    same(json_num(js, "steps"), 3, "steps");
    same(json_num(js, "trials"), 24, "trials seen");
    same(json_num(js, "config.trainer.batch_size"), 8, "batch");
    same(json_num(js, "config.trainer.lambda"), tp.lambda, "lambda");
    ck_assert_ptr_nonnull(strstr(js, "\"arm\": \"bimt\""));
    free(js);
    /* Next time the trainer's last evaluation is reused. */
    ck_assert_int_eq(bimt_report_write(dir, m, t, tr, NULL, 10), BIMT_OK);
    js = read_in(dir, "metrics.json");
    ck_assert_ptr_nonnull(strstr(js, "\"source\": \"trainer_last_evaluation\""));
    same(json_num(js, "performance.trials_per_task"), 16, "trials");
    free(js);
    /* A host's own evaluation with another trial count: the report says how many. */
    ck_assert_int_eq(bimt_trainer_evaluate(tr, 40, perf), BIMT_OK);
    ck_assert_int_eq(bimt_report_write(dir, m, t, tr, NULL, 10), BIMT_OK);
    js = read_in(dir, "metrics.json");
    same(json_num(js, "performance.trials_per_task"), 40, "trials of the host's evaluation");
    same(json_num(js, "performance.per_task.fdgo"), perf[BIMT_RULE_FDGO], "its results");
    free(js);
    rm_rf(dir);
    bimt_trainer_free(tr);
    bimt_model_free(m);
    bimt_task_free(t);
}
END_TEST

START_TEST(report_bad_input)
{
    bimt_model_t *m, *m2;
    bimt_task_t *t, *t2;
    make_pair(4, 1, &m, &t);
    make_pair(4, 2, &m2, &t2);
    char dir[512];
    bimt_test_tmppath(dir, sizeof dir, "-rbad");
    ck_assert_int_eq(bimt_report_write(NULL, m, t, NULL, NULL, 5), BIMT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "dir"));
    ck_assert_int_eq(bimt_report_write("", m, t, NULL, NULL, 5), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_report_write(dir, NULL, t, NULL, NULL, 5), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_report_write(dir, m, NULL, NULL, NULL, 5), BIMT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "task"));
    /* A trainer of another model. */
    bimt_trainer_t *tr2 = NULL;
    ck_assert_int_eq(bimt_trainer_create(m2, t2, NULL, &tr2), BIMT_OK);
    ck_assert_int_eq(bimt_report_write(dir, m, t, tr2, NULL, 5), BIMT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "trainer"));
    /* Cluster params not from bimt_cluster_params_init(). */
    bimt_cluster_params cp;
    memset(&cp, 0, sizeof cp);
    ck_assert_int_eq(bimt_report_write(dir, m, t, NULL, &cp, 5), BIMT_E_VERSION);
    /* A task of other sizes. */
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    bimt_task_t *t8 = NULL;
    ck_assert_int_eq(bimt_task_create(&tp, &t8), BIMT_OK);
    ck_assert_int_eq(bimt_report_write(dir, m, t8, NULL, NULL, 5), BIMT_E_SHAPE);
    struct stat st;
    ck_assert_int_eq(stat(dir, &st), -1); /* nothing was created by the failed calls */
    /* The folder path is a file. */
    FILE *f = fopen(dir, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(bimt_report_write(dir, m, t, NULL, NULL, 5), BIMT_E_IO);
    ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "not a folder"));
    unlink(dir);
    bimt_trainer_free(tr2);
    bimt_task_free(t8);
    bimt_model_free(m);
    bimt_model_free(m2);
    bimt_task_free(t);
    bimt_task_free(t2);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    /* the report also runs the graph nulls and the lesion batches: slow under ASan */
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, report_without_trainer_matches_the_analysis_api);
    tcase_add_test(tc, report_is_deterministic);
    tcase_add_test(tc, report_with_trainer_evaluates_when_needed);
    tcase_add_test(tc, report_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(report_suite());
}
