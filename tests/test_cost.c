/* The BIMT connection cost: value against a brute-force double sum, subgradient against
 * finite differences of that sum, sign(0) = 0, and bad input leaving everything unchanged. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "testutil.h"

static uint64_t lcg = 1;
static double urand(void)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(lcg >> 11) * 0x1.0p-53;
}

/* 4x4 grid, random weights with |w| >= 0.01 (away from the kink), random positions, inputs
 * and outputs placed by io_layout. */
static bimt_model_t *make_layout(uint64_t seed, uint32_t io_layout)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = 4;
    p.n_in = 3;
    p.n_out = 2;
    p.seed = seed;
    p.io_layout = io_layout;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    lcg = seed;
    float *w = bimt_model_params_data(m);
    for (size_t i = 0; i < bimt_model_n_params(m); i++) {
        double v = 0.01 + urand();
        w[i] = (float)(urand() < 0.5 ? -v : v);
    }
    uint32_t slots[16];
    for (uint32_t k = 0; k < 16; k++)
        slots[k] = k;
    for (uint32_t k = 15; k > 0; k--) { /* Fisher-Yates */
        uint32_t j = (uint32_t)(urand() * (k + 1));
        uint32_t t = slots[k];
        slots[k] = slots[j];
        slots[j] = t;
    }
    ck_assert_int_eq(bimt_model_set_slots(m, slots, 16), BIMT_OK);
    return m;
}

static bimt_model_t *make(uint64_t seed)
{
    return make_layout(seed, BIMT_IO_NONE);
}

/* Brute force from the definition: positions from the slots, not from the cached matrix. */
static double brute(const bimt_model_t *m, const double *th, double lambda, double A)
{
    size_t nh = bimt_model_n_hidden(m), side = bimt_model_grid_side(m);
    const uint32_t *s = bimt_model_slots(m);
    double l1 = 0.0, dl = 0.0;
    for (size_t i = 0; i < bimt_model_n_params(m); i++)
        l1 += fabs(th[i]);
    for (size_t i = 0; i < nh; i++)
        for (size_t j = 0; j < nh; j++) {
            double d = (fabs((double)(s[i] / side) - (double)(s[j] / side)) +
                        fabs((double)(s[i] % side) - (double)(s[j] % side))) /
                       (double)side;
            dl += d * fabs(th[i * nh + j]);
        }
    return lambda * (l1 + A * dl);
}

static double *params_double(const bimt_model_t *m)
{
    size_t n = bimt_model_n_params(m);
    double *th = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        th[i] = (double)bimt_model_params_view(m)[i];
    return th;
}

START_TEST(value_matches_brute_force)
{
    const double lams[3] = {1e-4, 0.3, 2.0}, As[3] = {0.0, 1.0, 3.5};
    for (int k = 0; k < 3; k++) {
        bimt_model_t *m = make(10 + (uint64_t)k);
        double *th = params_double(m), v = -1;
        ck_assert_int_eq(bimt_model_connection_cost(m, lams[k], As[k], 0, &v), BIMT_OK);
        double b = brute(m, th, lams[k], As[k]);
        /* The library weights |W| with the float distance cache: 1e-7 relative. */
        ck_assert_double_le(fabs(v - b), 1e-7 * b);
        double dc;
        ck_assert_int_eq(bimt_model_distance_cost(m, As[k], &dc), BIMT_OK);
        ck_assert_double_le(fabs(dc - (brute(m, th, 1.0, As[k]) - brute(m, th, 1.0, 0.0))),
                            1e-7 * fmax(dc, 1e-300) + 1e-12);
        free(th);
        bimt_model_free(m);
    }
}
END_TEST

START_TEST(subgradient_matches_finite_differences)
{
    bimt_model_t *m = make(21);
    size_t n = bimt_model_n_params(m);
    double lambda = 0.05, A = 2.0;
    float *g = bimt_model_grad_data(m);
    float *before = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        g[i] = (float)(urand() - 0.5); /* adds, does not overwrite */
    memcpy(before, g, n * sizeof(float));
    double v;
    ck_assert_int_eq(bimt_model_connection_cost(m, lambda, A, 1, &v), BIMT_OK);
    double *th = params_double(m);
    const double h = 1e-6;
    for (size_t i = 0; i < n; i++) {
        double keep = th[i];
        th[i] = keep + h;
        double lp = brute(m, th, lambda, A);
        th[i] = keep - h;
        double lm = brute(m, th, lambda, A);
        th[i] = keep;
        double fd = (lp - lm) / (2 * h);
        double an = (double)g[i] - (double)before[i];
        ck_assert_msg(fabs(an - fd) <= 1e-6 * fabs(fd) + 3e-7, "param %zu: %g vs %g", i, an, fd);
    }
    free(th);
    free(before);
    bimt_model_free(m);
}
END_TEST

START_TEST(zero_weight_has_zero_subgradient)
{
    bimt_model_t *m = make(31);
    size_t n = bimt_model_n_params(m);
    float *w = bimt_model_params_data(m);
    for (size_t i = 0; i < n; i += 3)
        w[i] = 0.0f;
    w[1] = -0.0f;
    bimt_model_zero_grad(m);
    ck_assert_int_eq(bimt_model_connection_cost(m, 0.1, 1.5, 1, NULL), BIMT_OK);
    const float *g = bimt_model_grad_data(m);
    for (size_t i = 0; i < n; i++) {
        if (w[i] == 0.0f)
            ck_assert(g[i] == 0.0f);
        else
            ck_assert(g[i] != 0.0f && (g[i] > 0.0f) == (w[i] > 0.0f));
    }
    bimt_model_free(m);
}
END_TEST

START_TEST(no_grad_and_zero_lambda_leave_grad_alone)
{
    bimt_model_t *m = make(41);
    size_t n = bimt_model_n_params(m);
    float *g = bimt_model_grad_data(m);
    for (size_t i = 0; i < n; i++)
        g[i] = (float)i;
    float *keep = malloc(n * sizeof(float));
    memcpy(keep, g, n * sizeof(float));
    double v = -1;
    ck_assert_int_eq(bimt_model_connection_cost(m, 0.2, 1.0, 0, &v), BIMT_OK);
    ck_assert_double_gt(v, 0.0);
    ck_assert(memcmp(keep, g, n * sizeof(float)) == 0);
    ck_assert_int_eq(bimt_model_connection_cost(m, 0.0, 1.0, 1, &v), BIMT_OK);
    ck_assert_double_eq(v, 0.0);
    ck_assert(memcmp(keep, g, n * sizeof(float)) == 0);
    free(keep);
    bimt_model_free(m);
}
END_TEST

START_TEST(bad_input_changes_nothing)
{
    bimt_model_t *m = make(51);
    size_t n = bimt_model_n_params(m);
    float *g = bimt_model_grad_data(m);
    for (size_t i = 0; i < n; i++)
        g[i] = (float)i * 0.5f;
    float *keep = malloc(n * sizeof(float));
    memcpy(keep, g, n * sizeof(float));
    const double bad[4] = {(double)NAN, -1e-3, (double)INFINITY, -(double)INFINITY};
    for (int k = 0; k < 4; k++) {
        double v = 42;
        ck_assert_int_eq(bimt_model_connection_cost(m, bad[k], 1.0, 1, &v), BIMT_E_INVALID_ARG);
        ck_assert_str_ne(bimt_model_errmsg(m), "");
        ck_assert_int_eq(bimt_model_connection_cost(m, 0.1, bad[k], 1, &v), BIMT_E_INVALID_ARG);
        ck_assert_double_eq(v, 42);
        ck_assert_int_eq(bimt_model_distance_cost(m, bad[k], &v), BIMT_E_INVALID_ARG);
        ck_assert_double_eq(v, 42);
    }
    ck_assert(memcmp(keep, g, n * sizeof(float)) == 0);
    double v;
    ck_assert_int_eq(bimt_model_connection_cost(NULL, 0.1, 1.0, 1, &v), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_distance_cost(NULL, 1.0, &v), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_distance_cost(m, 1.0, NULL), BIMT_E_INVALID_ARG);
    free(keep);
    bimt_model_free(m);
}
END_TEST

/* Moving neurons changes only the distance part, consistently with the new positions. */
/* The prox is the minimiser of (theta - x)^2 / (2 t) + lambda c |theta| for each parameter:
 * checked against a dense scan of that objective in double (independent of the closed form),
 * with c from the slots (not from the cached distances). */
START_TEST(prox_minimises_the_proximal_objective)
{
    bimt_model_t *m = make(21);
    size_t n = bimt_model_n_params(m), nh = bimt_model_n_hidden(m), side = 4;
    const uint32_t *sl = bimt_model_slots(m);
    double *x = params_double(m);
    float *step = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        step[i] = (float)(0.2 + 2.0 * urand());
    const double lambda = 0.3, A = 1.5;
    size_t nz = 0;
    ck_assert_int_eq(bimt_model_connection_cost_prox(m, lambda, A, step, n, &nz), BIMT_OK);
    const float *y = bimt_model_params_view(m);
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++) {
        double c = 1.0;
        if (i < nh * nh) {
            uint32_t a = sl[i / nh], b = sl[i % nh];
            c += A *
                 (fabs((double)(a / side) - (double)(b / side)) +
                  fabs((double)(a % side) - (double)(b % side))) /
                 (double)side;
        }
        double t = (double)step[i], best = 0.0, fbest = INFINITY;
        for (int k = -20000; k <= 20000; k++) { /* scan [-2, 2] in steps of 1e-4 */
            double th = 1e-4 * k;
            double f = (th - x[i]) * (th - x[i]) / (2.0 * t) + lambda * c * fabs(th);
            if (f < fbest) fbest = f, best = th;
        }
        ck_assert_msg(fabs((double)y[i] - best) <= 2e-4, "param %zu: prox %g, scan %g", i,
                      (double)y[i], best);
        zeros += y[i] == 0.0f;
    }
    ck_assert_uint_eq(nz, zeros);
    ck_assert_uint_gt(zeros, 0); /* the thresholds above are large enough to zero some */
    free(step);
    free(x);
    bimt_model_free(m);
}
END_TEST

START_TEST(prox_bad_input_changes_nothing)
{
    bimt_model_t *m = make(22);
    size_t n = bimt_model_n_params(m);
    double *before = params_double(m);
    float *step = calloc(n, sizeof(float));
    ck_assert_int_eq(bimt_model_connection_cost_prox(NULL, 1, 1, step, n, NULL),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_connection_cost_prox(m, 1, 1, NULL, n, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_connection_cost_prox(m, -1, 1, step, n, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_connection_cost_prox(m, 1, NAN, step, n, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_connection_cost_prox(m, 1, 1, step, n - 1, NULL),
                     BIMT_E_INVALID_ARG);
    step[n - 1] = NAN;
    ck_assert_int_eq(bimt_model_connection_cost_prox(m, 1, 1, step, n, NULL), BIMT_E_INVALID_ARG);
    step[n - 1] = -1.0f;
    ck_assert_int_eq(bimt_model_connection_cost_prox(m, 1, 1, step, n, NULL), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_model_errmsg(m), "step[") != NULL);
    for (size_t i = 0; i < n; i++)
        ck_assert(bimt_model_params_view(m)[i] == (float)before[i]);
    free(step);
    free(before);
    bimt_model_free(m);
}
END_TEST

/* Under BIMT_IO_EDGES the cost, its subgradient and the prox include W_in and W_out at their
 * distances to the inputs (left edge) and outputs (right edge): value and distance cost against
 * the definition (tests/testutil.c), the subgradient against finite differences of it. */
static bimt_model_t *make_io(uint64_t seed)
{
    bimt_model_t *m = make_layout(seed, BIMT_IO_EDGES);
    uint32_t slots[16] = {5, 2, 9, 14, 0, 7, 12, 3, 10, 1, 15, 6, 13, 4, 11, 8};
    ck_assert_int_eq(bimt_model_set_slots(m, slots, 16), BIMT_OK);
    return m;
}

static double l1_all(const bimt_model_t *m)
{
    double s = 0.0;
    for (size_t i = 0; i < bimt_model_n_params(m); i++)
        s += fabs((double)bimt_model_params_view(m)[i]);
    return s;
}

START_TEST(io_layout_cost_value_and_subgradient)
{
    bimt_model_t *m = make_io(41);
    const double lambda = 0.07, A = 1.5;
    double v, dc;
    ck_assert_int_eq(bimt_model_connection_cost(m, lambda, A, 0, &v), BIMT_OK);
    ck_assert_int_eq(bimt_model_distance_cost(m, A, &dc), BIMT_OK);
    double want_dc = A * bimt_test_distance_cost(m, NULL);
    ck_assert_double_le(fabs(dc - want_dc), 1e-7 * want_dc);
    ck_assert_double_le(fabs(v - lambda * (l1_all(m) + want_dc / A * A)), 1e-7 * v);
    /* io distances: the accessor against the documented positions */
    ck_assert_double_eq_tol(bimt_model_io_distance(m, 0, 0, 0),
                            (fabs(1.0 - (0.5 * 4 / 3 - 0.5)) + fabs(1.0 + 1.0)) / 4.0, 1e-6);
    ck_assert(bimt_model_io_distance(m, 1, 0, 2) == -1.0);
    /* subgradient: finite differences of the definition, one parameter at a time */
    size_t n = bimt_model_n_params(m);
    float *g = bimt_model_grad_data(m);
    memset(g, 0, n * sizeof(float));
    ck_assert_int_eq(bimt_model_connection_cost(m, lambda, A, 1, &v), BIMT_OK);
    float *w = bimt_model_params_data(m);
    const float h = 1e-3f;
    for (size_t i = 0; i < n; i++) {
        float keep = w[i];
        w[i] = keep + h;
        double lp = lambda * (l1_all(m) + A * bimt_test_distance_cost(m, NULL));
        w[i] = keep - h;
        double lm = lambda * (l1_all(m) + A * bimt_test_distance_cost(m, NULL));
        w[i] = keep;
        double fd = (lp - lm) / (2.0 * (double)h);
        ck_assert_msg(fabs((double)g[i] - fd) <= 1e-4 * fabs(fd) + 1e-6, "param %zu: %g vs %g", i,
                      (double)g[i], fd);
    }
    bimt_model_free(m);
}
END_TEST

START_TEST(cost_follows_positions)
{
    bimt_model_t *m = make(61);
    double *th = params_double(m);
    double before, after;
    ck_assert_int_eq(bimt_model_distance_cost(m, 1.0, &before), BIMT_OK);
    uint32_t s[16];
    memcpy(s, bimt_model_slots(m), sizeof s);
    uint32_t t = s[0];
    s[0] = s[5];
    s[5] = t;
    ck_assert_int_eq(bimt_model_set_slots(m, s, 16), BIMT_OK);
    ck_assert_int_eq(bimt_model_distance_cost(m, 1.0, &after), BIMT_OK);
    double b = brute(m, th, 1.0, 1.0) - brute(m, th, 1.0, 0.0);
    ck_assert_double_le(fabs(after - b), 1e-7 * b);
    ck_assert_double_ne(before, after);
    free(th);
    bimt_model_free(m);
}
END_TEST

/* A tensor's price p is the same as its weights scaled by p: W_in at price 1/2 and W_out at
 * price 2 (powers of two, so the scaled copy is exact) give the cost, the distance cost, the
 * subgradient (times p), the proximal step (at step * p) and the swap pass of an unpriced
 * model whose W_in is halved and W_out doubled. With and without an io layout. */
static bimt_model_t *priced_copy(const bimt_model_t *m, double p_in, double p_out)
{
    bimt_model_params mp;
    mp.struct_size = (uint32_t)sizeof mp; /* an output struct */
    ck_assert_int_eq(bimt_model_get_params(m, &mp), BIMT_OK);
    mp.w_in_cost = p_in;
    mp.w_out_cost = p_out;
    bimt_model_t *c = NULL;
    ck_assert_int_eq(bimt_model_create(&mp, &c), BIMT_OK);
    memcpy(bimt_model_params_data(c), bimt_model_params_view(m),
           bimt_model_n_params(m) * sizeof(float));
    ck_assert_int_eq(bimt_model_set_slots(c, bimt_model_slots(m), bimt_model_n_hidden(m)), BIMT_OK);
    return c;
}

/* The price of flat parameter i (1 outside W_in and W_out). */
static double price_of(const bimt_model_t *m, size_t i, double p_in, double p_out)
{
    size_t o_in, o_out;
    uint32_t r_in, c_in, r_out, c_out;
    bimt_model_tensor(m, BIMT_W_IN, NULL, &r_in, &c_in, &o_in);
    bimt_model_tensor(m, BIMT_W_OUT, NULL, &r_out, &c_out, &o_out);
    if (i >= o_in && i < o_in + (size_t)r_in * c_in) return p_in;
    if (i >= o_out && i < o_out + (size_t)r_out * c_out) return p_out;
    return 1.0;
}

START_TEST(tensor_prices_equal_scaled_weights)
{
    const double p_in = 0.5, p_out = 2.0, lambda = 0.07, A = 1.5;
    for (uint32_t io = 0; io < 2; io++) {
        bimt_model_t *scaled = make_layout(71 + io, io ? BIMT_IO_EDGES : BIMT_IO_NONE);
        bimt_model_t *priced = priced_copy(scaled, p_in, p_out);
        const size_t n = bimt_model_n_params(scaled);
        float *ws = bimt_model_params_data(scaled);
        for (size_t i = 0; i < n; i++)
            ws[i] = (float)(price_of(scaled, i, p_in, p_out) * (double)ws[i]);
        double vs, vp, ds, dp;
        ck_assert_int_eq(bimt_model_connection_cost(scaled, lambda, A, 0, &vs), BIMT_OK);
        ck_assert_int_eq(bimt_model_connection_cost(priced, lambda, A, 0, &vp), BIMT_OK);
        ck_assert_double_le(fabs(vs - vp), 1e-12 * vs);
        ck_assert_int_eq(bimt_model_distance_cost(scaled, A, &ds), BIMT_OK);
        ck_assert_int_eq(bimt_model_distance_cost(priced, A, &dp), BIMT_OK);
        ck_assert_double_le(fabs(ds - dp), 1e-12 * ds);
        /* the unpriced value differs, so the check above can fail */
        bimt_model_t *plain = priced_copy(priced, 1.0, 1.0);
        double v1;
        ck_assert_int_eq(bimt_model_connection_cost(plain, lambda, A, 0, &v1), BIMT_OK);
        ck_assert_double_gt(fabs(v1 - vp), 1e-6 * vp);
        bimt_model_free(plain);

        float *gs = bimt_model_grad_data(scaled), *gp = bimt_model_grad_data(priced);
        memset(gs, 0, n * sizeof(float));
        memset(gp, 0, n * sizeof(float));
        ck_assert_int_eq(bimt_model_connection_cost(scaled, lambda, A, 1, NULL), BIMT_OK);
        ck_assert_int_eq(bimt_model_connection_cost(priced, lambda, A, 1, NULL), BIMT_OK);
        for (size_t i = 0; i < n; i++) {
            double want = price_of(scaled, i, p_in, p_out) * (double)gs[i];
            ck_assert_msg(fabs((double)gp[i] - want) <= 1e-6 * fabs(want), "grad %zu: %g vs %g", i,
                          (double)gp[i], want);
        }

        bimt_swap_params sp;
        bimt_swap_params_init(&sp);
        sp.top_k = 16;
        sp.A = A;
        bimt_swap_result rs, rp;
        rs.struct_size = rp.struct_size = (uint32_t)sizeof rs; /* outputs */
        rs.exchanges = rp.exchanges = NULL;
        rs.max_exchanges = rp.max_exchanges = 0;
        ck_assert_int_eq(bimt_model_swap(scaled, &sp, &rs), BIMT_OK);
        ck_assert_int_eq(bimt_model_swap(priced, &sp, &rp), BIMT_OK);
        ck_assert_uint_gt(rs.n_swaps, 0);
        ck_assert_uint_eq(rs.n_swaps, rp.n_swaps);
        ck_assert_int_eq(memcmp(bimt_model_slots(scaled), bimt_model_slots(priced),
                                bimt_model_n_hidden(scaled) * sizeof(uint32_t)),
                         0);

        float *st = malloc(n * sizeof(float)), *sts = malloc(n * sizeof(float));
        for (size_t i = 0; i < n; i++) {
            st[i] = (float)(0.2 + 2.0 * urand());
            sts[i] = (float)(price_of(scaled, i, p_in, p_out) * (double)st[i]);
        }
        /* prox at step t with price p minimises (x - th)^2 / 2t + p c |th|: the unpriced prox
         * at step p t of x, that is of the priced model's own (unscaled) weights */
        bimt_model_t *unpriced = priced_copy(priced, 1.0, 1.0);
        ck_assert_int_eq(bimt_model_connection_cost_prox(priced, lambda, A, st, n, NULL), BIMT_OK);
        ck_assert_int_eq(bimt_model_connection_cost_prox(unpriced, lambda, A, sts, n, NULL),
                         BIMT_OK);
        const float *yp = bimt_model_params_view(priced), *yu = bimt_model_params_view(unpriced);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fabs((double)yp[i] - (double)yu[i]) <= 1e-6 * fabs((double)yu[i]) + 1e-7,
                          "prox %zu: %g vs %g", i, (double)yp[i], (double)yu[i]);
        free(st);
        free(sts);
        bimt_model_free(unpriced);
        bimt_model_free(priced);
        bimt_model_free(scaled);
    }
}
END_TEST

static Suite *cost_suite(void)
{
    Suite *s = suite_create("cost");
    TCase *tc = tcase_create("cost");
    tcase_add_test(tc, value_matches_brute_force);
    tcase_add_test(tc, subgradient_matches_finite_differences);
    tcase_add_test(tc, zero_weight_has_zero_subgradient);
    tcase_add_test(tc, no_grad_and_zero_lambda_leave_grad_alone);
    tcase_add_test(tc, bad_input_changes_nothing);
    tcase_add_test(tc, cost_follows_positions);
    tcase_add_test(tc, prox_minimises_the_proximal_objective);
    tcase_add_test(tc, prox_bad_input_changes_nothing);
    tcase_add_test(tc, io_layout_cost_value_and_subgradient);
    tcase_add_test(tc, tensor_prices_equal_scaled_weights);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(cost_suite());
}
