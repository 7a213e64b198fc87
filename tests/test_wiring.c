/* Wiring statistics and the weight-distance profile against brute force. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "common/rng.h"
#include "testutil.h"

static bimt_model_t *make_model(uint32_t side)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = side;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    return m;
}

static float *wrec(bimt_model_t *m)
{
    size_t off;
    ck_assert_int_eq(bimt_model_tensor(m, BIMT_W_REC, NULL, NULL, NULL, &off), BIMT_OK);
    return bimt_model_params_data(m) + off;
}

/* Sparse random recurrent weights and a scrambled placement. */
static void randomize(bimt_model_t *m, uint64_t seed)
{
    size_t n = bimt_model_n_hidden(m);
    float *W = wrec(m);
    bimt_rng r;
    bimt__rng_seed(&r, seed, 31);
    for (size_t i = 0; i < n * n; i++)
        W[i] = bimt__rng_uniform(&r) < 0.3 ? (float)(0.1 * bimt__rng_normal(&r)) : 0.0f;
    uint32_t *s = malloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++)
        s[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)bimt__rng_below(&r, i);
        uint32_t t = s[i - 1];
        s[i - 1] = s[j];
        s[j] = t;
    }
    ck_assert_int_eq(bimt_model_set_slots(m, s, n), BIMT_OK);
    free(s);
}

START_TEST(spectral_radius_known_matrices)
{
    bimt_model_t *m = make_model(3); /* 9 neurons */
    float *W = wrec(m);
    memset(W, 0, 81 * sizeof(float));
    const float dg[9] = {0.1f, -0.7f, 0.3f, 0.05f, 0.6f, -0.2f, 0.0f, 0.4f, 0.55f};
    for (int i = 0; i < 9; i++)
        W[i * 9 + i] = dg[i];
    bimt_wiring w;
    w.struct_size = (uint32_t)sizeof w; /* an output struct */
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, 1e-2, &w), BIMT_OK);
    ck_assert(fabs(w.spectral_radius - 0.7) < 1e-6);
    ck_assert_uint_eq(w.n_active_edges, 0); /* self-connections are not counted */
    ck_assert(w.wiring_length == 0.0);
    /* A scaled rotation block: eigenvalues 0.9 e^{+-i theta}. */
    memset(W, 0, 81 * sizeof(float));
    double th = 0.7;
    W[2 * 9 + 2] = (float)(0.9 * cos(th));
    W[2 * 9 + 5] = (float)(-0.9 * sin(th));
    W[5 * 9 + 2] = (float)(0.9 * sin(th));
    W[5 * 9 + 5] = (float)(0.9 * cos(th));
    W[0] = 0.3f;
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, 1e-2, &w), BIMT_OK);
    ck_assert(fabs(w.spectral_radius - 0.9) < 1e-6);
    ck_assert_uint_eq(w.n_active_edges, 2);
    /* A nilpotent shift has radius 0. */
    memset(W, 0, 81 * sizeof(float));
    for (int i = 0; i + 1 < 9; i++)
        W[i * 9 + i + 1] = 1.0f;
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, 1e-2, &w), BIMT_OK);
    ck_assert(w.spectral_radius < 1e-3);
    bimt_model_free(m);
}
END_TEST

START_TEST(edges_and_length_brute_force)
{
    bimt_model_t *m = make_model(6);
    randomize(m, 4);
    size_t n = 36;
    const float *W = wrec(m);
    double thr = 0.05, len = 0.0;
    uint32_t edges = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && fabs((double)W[i * n + j]) > thr) {
                edges++;
                len += bimt_model_distance(m, (uint32_t)i, (uint32_t)j);
            }
    bimt_wiring w;
    w.struct_size = (uint32_t)sizeof w; /* an output struct */
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, thr, &w), BIMT_OK);
    ck_assert_uint_eq(w.n_active_edges, edges);
    ck_assert_uint_gt(edges, 20);
    ck_assert(fabs(w.wiring_length - len) < 1e-9);
    ck_assert(w.spectral_radius > 0.0);
    bimt_model_free(m);
}
END_TEST

START_TEST(active_neurons)
{
    bimt_model_t *m = make_model(3);
    size_t n = 9;
    /* Zero every weight, then give neuron 4 one input weight and neuron 7 one output weight,
     * neuron 1 a recurrent weight onto neuron 2 (so 1 and 2 are both incident). */
    memset(bimt_model_params_data(m), 0, bimt_model_n_params(m) * sizeof(float));
    float *P = bimt_model_params_data(m);
    size_t off_in, off_out;
    bimt_model_tensor(m, BIMT_W_IN, NULL, NULL, NULL, &off_in);
    bimt_model_tensor(m, BIMT_W_OUT, NULL, NULL, NULL, &off_out);
    P[off_in + 4 * bimt_model_n_in(m) + 10] = 0.5f;
    P[off_out + 3 * n + 7] = -0.5f;
    wrec(m)[2 * n + 1] = 0.2f;
    wrec(m)[0] = 0.005f; /* below threshold */
    bimt_wiring w;
    w.struct_size = (uint32_t)sizeof w; /* an output struct */
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, 1e-2, &w), BIMT_OK);
    ck_assert_uint_eq(w.n_active_neurons, 4);
    /* With a task variance matrix, the count is the important-neuron count. */
    float tv[BIMT_N_RULES * 9];
    memset(tv, 0, sizeof tv);
    tv[3 * 9 + 0] = 0.01f;
    tv[5 * 9 + 8] = 0.002f;
    tv[5 * 9 + 6] = 0.0005f;
    ck_assert_int_eq(bimt_wiring_stats(m, tv, 1e-3, 1e-2, &w), BIMT_OK);
    ck_assert_uint_eq(w.n_active_neurons, 2);
    bimt_model_free(m);
}
END_TEST

START_TEST(profile_brute_force)
{
    const uint32_t side = 5;
    bimt_model_t *m = make_model(side);
    randomize(m, 6);
    size_t n = side * side, nb = 2 * side - 1;
    const float *W = wrec(m);
    double sum[9] = {0}, mean[9];
    uint64_t cnt[9] = {0}, got_cnt[9];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j) continue;
            size_t b = (size_t)lround(bimt_model_distance(m, (uint32_t)i, (uint32_t)j) * side);
            sum[b] += fabs((double)W[i * n + j]);
            cnt[b]++;
        }
    ck_assert_int_eq(bimt_weight_distance_profile(m, nb, mean, got_cnt), BIMT_OK);
    ck_assert_uint_eq(got_cnt[0], 0);
    ck_assert(mean[0] == 0.0);
    uint64_t total = 0;
    for (size_t b = 0; b < nb; b++) {
        ck_assert_uint_eq(got_cnt[b], cnt[b]);
        ck_assert(fabs(mean[b] - (cnt[b] ? sum[b] / (double)cnt[b] : 0.0)) < 1e-12);
        total += got_cnt[b];
    }
    ck_assert_uint_eq(total, n * (n - 1));
    /* Fewer bins: the first bins are unchanged, far pairs are dropped; counts optional. */
    double few[3];
    ck_assert_int_eq(bimt_weight_distance_profile(m, 3, few, NULL), BIMT_OK);
    for (size_t b = 0; b < 3; b++)
        ck_assert(few[b] == mean[b]);
    bimt_model_free(m);
}
END_TEST

/* Caller positions (2-D, Euclidean): the wiring length is the sum of the Euclidean distances
 * of the active edges; the profile puts each pair in the bin nearest to D / w, w = the
 * largest distance / (n_bins - 1). Both by brute force. */
START_TEST(positions_length_and_profile)
{
    double pos[24 * 2];
    for (int i = 0; i < 48; i++)
        pos[i] = (double)((i * 31 + 7) % 17) * 0.25;
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.positions = pos;
    p.n_slots = 24;
    p.dim = 2;
    p.distance = BIMT_DIST_EUCLIDEAN;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    randomize(m, 5);
    const float *W = wrec(m);
    const uint32_t *sl = bimt_model_slots(m);
    size_t n = 24;
    double len = 0.0, dmax = 0.0;
    uint32_t edges = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            const double *a = pos + 2 * sl[i], *b = pos + 2 * sl[j];
            double d = hypot(a[0] - b[0], a[1] - b[1]);
            dmax = d > dmax ? d : dmax;
            if (i != j && fabs((double)W[i * n + j]) > 0.05) {
                len += d;
                edges++;
            }
        }
    bimt_wiring w;
    w.struct_size = (uint32_t)sizeof w;
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 0.0, 0.05, &w), BIMT_OK);
    ck_assert_uint_eq(w.n_active_edges, edges);
    ck_assert_uint_gt(edges, 20);
    ck_assert_double_eq_tol(w.wiring_length, len, 1e-9);
    double mean[10], sum[10] = {0};
    uint64_t cnt[10], bc[10] = {0};
    ck_assert_int_eq(bimt_weight_distance_profile(m, 10, mean, cnt), BIMT_OK);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j) continue;
            const double *a = pos + 2 * sl[i], *b = pos + 2 * sl[j];
            size_t bin = (size_t)floor(hypot(a[0] - b[0], a[1] - b[1]) / (dmax / 9.0) + 0.5);
            ck_assert_uint_lt(bin, 10);
            bc[bin]++;
            sum[bin] += fabs((double)W[i * n + j]);
        }
    for (int b = 0; b < 10; b++) {
        ck_assert_uint_eq(cnt[b], bc[b]);
        ck_assert_double_eq_tol(mean[b], bc[b] ? sum[b] / (double)bc[b] : 0.0, 1e-12);
    }
    bimt_model_free(m);
}
END_TEST

START_TEST(wiring_bad_input)
{
    bimt_model_t *m = make_model(3);
    bimt_wiring w;
    w.struct_size = (uint32_t)sizeof w; /* an output struct */
    memset(&w, 0x33, sizeof w);
    bimt_wiring before = w;
    double prof[5];
    ck_assert_int_eq(bimt_wiring_stats(NULL, NULL, 1e-3, 1e-2, &w), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, 1e-2, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, (double)NAN, &w), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, -1.0, &w), BIMT_E_INVALID_ARG);
    float tv[BIMT_N_RULES * 9];
    memset(tv, 0, sizeof tv);
    ck_assert_int_eq(bimt_wiring_stats(m, tv, (double)NAN, 1e-2, &w), BIMT_E_INVALID_ARG);
    tv[4] = NAN;
    ck_assert_int_eq(bimt_wiring_stats(m, tv, 1e-3, 1e-2, &w), BIMT_E_INVALID_ARG);
    wrec(m)[4] = NAN;
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, 1e-2, &w), BIMT_E_NUMERIC);
    ck_assert_int_eq(memcmp(&w, &before, sizeof w), 0);
    ck_assert_int_eq(bimt_weight_distance_profile(NULL, 5, prof, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_weight_distance_profile(m, 5, NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_weight_distance_profile(m, 0, prof, NULL), BIMT_E_INVALID_ARG);
    bimt_model_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wiring");
    TCase *tc = tcase_create("wiring");
    tcase_add_test(tc, spectral_radius_known_matrices);
    tcase_add_test(tc, edges_and_length_brute_force);
    tcase_add_test(tc, active_neurons);
    tcase_add_test(tc, profile_brute_force);
    tcase_add_test(tc, wiring_bad_input);
    tcase_add_test(tc, positions_length_and_profile);
    suite_add_tcase(s, tc);
    return bimt_test_run(s);
}
