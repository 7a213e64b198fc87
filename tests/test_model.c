/* bimt_model_t creation, initialisation statistics, views, geometry, clone and bad input. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "testutil.h"

static bimt_model_t *make(uint32_t side, bimt_init init, double scale, uint64_t seed)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = side;
    p.init = init;
    p.init_scale = scale;
    p.seed = seed;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    return m;
}

static const float *tensor(const bimt_model_t *m, bimt_tensor t, uint32_t *rows, uint32_t *cols)
{
    const float *d = NULL;
    ck_assert_int_eq(bimt_model_tensor(m, t, &d, rows, cols, NULL), BIMT_OK);
    return d;
}

START_TEST(defaults_and_layout)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    ck_assert_uint_eq(p.struct_size, sizeof p);
    ck_assert_uint_eq(p.grid_side, 16);
    ck_assert_uint_eq(p.n_in, 85);
    ck_assert_uint_eq(p.n_out, 33);
    ck_assert_int_eq(p.activation, BIMT_ACT_SOFTPLUS);
    ck_assert_double_eq(p.alpha, 0.2);
    ck_assert_double_eq(p.sigma_rec, 0.05);
    ck_assert_int_eq(p.init, BIMT_INIT_DIAG);
    ck_assert_double_eq(p.init_scale, 0.5);
    bimt_model_params_init(NULL); /* ignored */
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(NULL, &m), BIMT_OK); /* NULL = defaults */
    ck_assert_uint_eq(bimt_model_n_hidden(m), 256);
    ck_assert_uint_eq(bimt_model_grid_side(m), 16);
    ck_assert_uint_eq(bimt_model_n_in(m), 85);
    ck_assert_uint_eq(bimt_model_n_out(m), 33);
    size_t expect = 256 * 256 + 256 * 85 + 33 * 256 + 256 + 33;
    ck_assert_uint_eq(bimt_model_n_params(m), expect);
    /* The five tensors tile the flat buffer in order. */
    const size_t shapes[5][2] = {{256, 256}, {256, 85}, {33, 256}, {256, 1}, {33, 1}};
    size_t next = 0;
    for (int k = 0; k < 5; k++) {
        const float *d;
        uint32_t r, c;
        size_t off;
        ck_assert_int_eq(bimt_model_tensor(m, (bimt_tensor)k, &d, &r, &c, &off), BIMT_OK);
        ck_assert_uint_eq(r, shapes[k][0]);
        ck_assert_uint_eq(c, shapes[k][1]);
        ck_assert_uint_eq(off, next);
        ck_assert_ptr_eq(d, bimt_model_params_view(m) + off);
        next += r * c;
    }
    ck_assert_uint_eq(next, expect);
    ck_assert_int_eq(bimt_model_tensor(m, (bimt_tensor)5, NULL, NULL, NULL, NULL),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_tensor(NULL, BIMT_W_REC, NULL, NULL, NULL, NULL),
                     BIMT_E_INVALID_ARG);
    ck_assert_ptr_eq(bimt_model_params_data(m), bimt_model_params_view(m));
    bimt_model_params q;
    q.struct_size = (uint32_t)sizeof q; /* an output struct */
    ck_assert_int_eq(bimt_model_get_params(m, &q), BIMT_OK);
    ck_assert(memcmp(&p, &q, sizeof p) == 0);
    ck_assert_int_eq(bimt_model_get_params(m, NULL), BIMT_E_INVALID_ARG);
    ck_assert_str_eq(bimt_model_errmsg(m), "");
    /* gradients start at zero */
    for (size_t i = 0; i < expect; i++)
        ck_assert(bimt_model_grad_data(m)[i] == 0.0f);
    bimt_model_free(m);
}
END_TEST

START_TEST(null_handle_queries)
{
    ck_assert_uint_eq(bimt_model_n_hidden(NULL), 0);
    ck_assert_uint_eq(bimt_model_n_in(NULL), 0);
    ck_assert_uint_eq(bimt_model_n_out(NULL), 0);
    ck_assert_uint_eq(bimt_model_grid_side(NULL), 0);
    ck_assert_uint_eq(bimt_model_n_params(NULL), 0);
    ck_assert_ptr_null(bimt_model_params_data(NULL));
    ck_assert_ptr_null(bimt_model_grad_data(NULL));
    ck_assert_ptr_null(bimt_model_params_view(NULL));
    ck_assert_ptr_null(bimt_model_slots(NULL));
    ck_assert_ptr_null(bimt_model_distances(NULL));
    ck_assert_ptr_nonnull(bimt_model_errmsg(NULL));
    ck_assert_double_eq(bimt_model_distance(NULL, 0, 0), -1.0);
    bimt_model_zero_grad(NULL);
    bimt_model_free(NULL);
}
END_TEST

/* Seed-paper / Yang initialisation: W_rec = 0.5 I (diag), W_in ~ N(0, 1/n_in),
 * W_out ~ U(-L, L) with L = sqrt(6 / (n_h + n_out)), biases 0. */
START_TEST(init_statistics_diag)
{
    bimt_model_t *m = make(16, BIMT_INIT_DIAG, 0.5, 7);
    uint32_t r, c;
    const float *W = tensor(m, BIMT_W_REC, &r, &c);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++)
            ck_assert(W[i * c + j] == (i == j ? 0.5f : 0.0f));
    const float *Win = tensor(m, BIMT_W_IN, &r, &c);
    double s = 0, s2 = 0, n = (double)(r * c);
    for (size_t i = 0; i < r * c; i++) {
        s += (double)Win[i];
        s2 += (double)Win[i] * (double)Win[i];
    }
    double sd = sqrt(1.0 / 85.0), mean = s / n, var = s2 / n - mean * mean;
    ck_assert_double_lt(fabs(mean), 5 * sd / sqrt(n));
    ck_assert_double_lt(fabs(sqrt(var) - sd), 5 * sd / sqrt(2 * n));
    const float *Wout = tensor(m, BIMT_W_OUT, &r, &c);
    double lim = sqrt(6.0 / (256 + 33));
    s = s2 = 0;
    n = (double)(r * c);
    for (size_t i = 0; i < r * c; i++) {
        ck_assert(fabs((double)Wout[i]) <= lim);
        s += (double)Wout[i];
        s2 += (double)Wout[i] * (double)Wout[i];
    }
    /* uniform: variance L^2/3 (sd of the variance estimate ~ L^2 sqrt(4/45 / n)) */
    ck_assert_double_lt(fabs(s / n), 5 * lim / sqrt(3 * n));
    ck_assert_double_lt(fabs(s2 / n - lim * lim / 3), 5 * lim * lim * sqrt(4.0 / 45.0 / n));
    const float *bh = tensor(m, BIMT_B_H, &r, &c);
    for (size_t i = 0; i < r; i++)
        ck_assert(bh[i] == 0.0f);
    const float *bo = tensor(m, BIMT_B_O, &r, &c);
    for (size_t i = 0; i < r; i++)
        ck_assert(bo[i] == 0.0f);
    bimt_model_free(m);
}
END_TEST

START_TEST(init_randortho_is_orthogonal)
{
    const double scale = 0.8;
    bimt_model_t *m = make(8, BIMT_INIT_RANDORTHO, scale, 3);
    uint32_t n, c;
    const float *W = tensor(m, BIMT_W_REC, &n, &c);
    double worst = 0, diag_dev = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double d = 0;
            for (size_t k = 0; k < n; k++)
                d += (double)W[k * n + i] * (double)W[k * n + j];
            double e = fabs(d - (i == j ? scale * scale : 0.0));
            worst = fmax(worst, e);
            if (i == j) diag_dev += fabs((double)W[i * n + i]);
        }
    ck_assert_double_lt(worst, 1e-5 * scale * scale);
    /* Haar, not the identity: the diagonal is not dominant (E|Q_ii| ~ sqrt(2/(pi n))). */
    ck_assert_double_lt(diag_dev / (double)n, 0.5 * scale);
    /* seeds matter */
    bimt_model_t *m2 = make(8, BIMT_INIT_RANDORTHO, scale, 3),
                 *m3 = make(8, BIMT_INIT_RANDORTHO, scale, 4);
    ck_assert(memcmp(bimt_model_params_view(m), bimt_model_params_view(m2),
                     bimt_model_n_params(m) * sizeof(float)) == 0);
    ck_assert(memcmp(tensor(m, BIMT_W_REC, NULL, NULL), tensor(m3, BIMT_W_REC, NULL, NULL),
                     n * n * sizeof(float)) != 0);
    bimt_model_free(m);
    bimt_model_free(m2);
    bimt_model_free(m3);
}
END_TEST

START_TEST(init_gauss_std)
{
    const double scale = 1.5;
    bimt_model_t *m = make(16, BIMT_INIT_GAUSS, scale, 5);
    uint32_t n, c;
    const float *W = tensor(m, BIMT_W_REC, &n, &c);
    double s = 0, s2 = 0, N = (double)(n * n);
    for (size_t i = 0; i < n * n; i++) {
        s += (double)W[i];
        s2 += (double)W[i] * (double)W[i];
    }
    double sd = scale / sqrt((double)n);
    ck_assert_double_lt(fabs(s / N), 5 * sd / sqrt(N));
    ck_assert_double_lt(fabs(sqrt(s2 / N) - sd), 5 * sd / sqrt(2 * N));
    bimt_model_free(m);
}
END_TEST

START_TEST(clone_is_deep_and_equal)
{
    bimt_model_t *m = make(4, BIMT_INIT_GAUSS, 1.0, 9);
    uint32_t s[16];
    for (uint32_t k = 0; k < 16; k++)
        s[k] = (k * 5 + 3) % 16;
    ck_assert_int_eq(bimt_model_set_slots(m, s, 16), BIMT_OK);
    size_t np = bimt_model_n_params(m);
    for (size_t i = 0; i < np; i++)
        bimt_model_grad_data(m)[i] = (float)i;
    float x[2 * 3 * 85] = {0};
    ck_assert_int_eq(bimt_model_forward(m, x, 2, 3, 0), BIMT_OK);
    bimt_model_t *c = NULL;
    ck_assert_int_eq(bimt_model_clone(m, &c), BIMT_OK);
    ck_assert(memcmp(bimt_model_params_view(m), bimt_model_params_view(c), np * sizeof(float)) ==
              0);
    ck_assert(memcmp(bimt_model_grad_data(m), bimt_model_grad_data(c), np * sizeof(float)) == 0);
    ck_assert(memcmp(bimt_model_slots(m), bimt_model_slots(c), sizeof s) == 0);
    ck_assert(memcmp(bimt_model_distances(m), bimt_model_distances(c), 256 * sizeof(float)) == 0);
    bimt_model_params pa, pb;
    pa.struct_size = (uint32_t)sizeof pa; /* an output struct */
    bimt_model_get_params(m, &pa);
    pb.struct_size = (uint32_t)sizeof pb; /* an output struct */
    bimt_model_get_params(c, &pb);
    ck_assert(memcmp(&pa, &pb, sizeof pa) == 0);
    const float *h;
    ck_assert_int_eq(bimt_model_states(c, &h), BIMT_E_STATE); /* workspace not copied */
    /* independent storage */
    ck_assert_ptr_ne(bimt_model_params_view(m), bimt_model_params_view(c));
    bimt_model_params_data(c)[0] += 1.0f;
    ck_assert(bimt_model_params_view(m)[0] != bimt_model_params_view(c)[0]);
    ck_assert_int_eq(bimt_model_clone(m, NULL), BIMT_E_INVALID_ARG);
    bimt_model_t *z = (bimt_model_t *)s;
    ck_assert_int_eq(bimt_model_clone(NULL, &z), BIMT_E_INVALID_ARG);
    ck_assert_ptr_null(z);
    bimt_model_free(c);
    bimt_model_free(m);
}
END_TEST

static double manhattan(uint32_t a, uint32_t b, uint32_t side)
{
    double dr = fabs((double)(a / side) - (double)(b / side));
    double dc = fabs((double)(a % side) - (double)(b % side));
    return (dr + dc) / side;
}

START_TEST(geometry_and_set_slots)
{
    const uint32_t side = 5, n = 25;
    bimt_model_t *m = make(side, BIMT_INIT_DIAG, 0.5, 1);
    const uint32_t *sl = bimt_model_slots(m);
    for (uint32_t k = 0; k < n; k++)
        ck_assert_uint_eq(sl[k], k); /* identity at creation */
    uint32_t s[25];
    for (uint32_t k = 0; k < n; k++)
        s[k] = (k * 7 + 11) % n; /* a permutation (7 coprime 25) */
    ck_assert_int_eq(bimt_model_set_slots(m, s, n), BIMT_OK);
    const float *D = bimt_model_distances(m);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            double want = manhattan(s[i], s[j], side);
            ck_assert_double_le(fabs(bimt_model_distance(m, i, j) - want), 1e-15);
            ck_assert_double_le(fabs((double)D[i * n + j] - want), 1e-7);
        }
    ck_assert_double_eq(bimt_model_distance(m, 0, 25), -1.0);
    ck_assert_double_eq(bimt_model_distance(m, 25, 0), -1.0);
    /* Invalid placements: message, nothing changed. */
    uint32_t bad[25];
    memcpy(bad, s, sizeof bad);
    bad[3] = bad[4]; /* duplicate */
    float *Dcopy = malloc(n * n * sizeof(float));
    memcpy(Dcopy, D, n * n * sizeof(float));
    ck_assert_int_eq(bimt_model_set_slots(m, bad, n), BIMT_E_INVALID_ARG);
    ck_assert_str_ne(bimt_model_errmsg(m), "");
    bad[3] = 25; /* out of range */
    ck_assert_int_eq(bimt_model_set_slots(m, bad, n), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_set_slots(m, s, n - 1), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_set_slots(m, NULL, n), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_set_slots(NULL, s, n), BIMT_E_INVALID_ARG);
    ck_assert(memcmp(bimt_model_slots(m), s, sizeof s) == 0);
    ck_assert(memcmp(D, Dcopy, n * n * sizeof(float)) == 0);
    free(Dcopy);
    bimt_model_free(m);
}
END_TEST

/* Grid-order copies put each neuron's weights at its slot; undoing the map gives the model's
 * arrays back exactly. */
START_TEST(weights_grid_order_round_trip)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = 4;
    p.n_in = 3;
    p.n_out = 2;
    p.init = BIMT_INIT_GAUSS;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    float *th = bimt_model_params_data(m);
    for (size_t i = 0; i < bimt_model_n_params(m); i++)
        th[i] = (float)i + 0.25f; /* distinct */
    uint32_t s[16];
    for (uint32_t k = 0; k < 16; k++)
        s[k] = (k * 3 + 1) % 16;
    ck_assert_int_eq(bimt_model_set_slots(m, s, 16), BIMT_OK);
    float gW[256], gin[48], gout[32], gbh[16];
    ck_assert_int_eq(bimt_model_weights_grid_order(m, gW, gin, gout, gbh), BIMT_OK);
    const float *W = tensor(m, BIMT_W_REC, NULL, NULL), *Win = tensor(m, BIMT_W_IN, NULL, NULL);
    const float *Wout = tensor(m, BIMT_W_OUT, NULL, NULL), *bh = tensor(m, BIMT_B_H, NULL, NULL);
    for (size_t i = 0; i < 16; i++) {
        for (size_t j = 0; j < 16; j++)
            ck_assert(gW[s[i] * 16 + s[j]] == W[i * 16 + j]);
        for (size_t k = 0; k < 3; k++)
            ck_assert(gin[s[i] * 3 + k] == Win[i * 3 + k]);
        for (size_t o = 0; o < 2; o++)
            ck_assert(gout[o * 16 + s[i]] == Wout[o * 16 + i]);
        ck_assert(gbh[s[i]] == bh[i]);
    }
    /* Any destination may be NULL. */
    ck_assert_int_eq(bimt_model_weights_grid_order(m, NULL, NULL, NULL, gbh), BIMT_OK);
    ck_assert_int_eq(bimt_model_weights_grid_order(NULL, gW, gin, gout, gbh), BIMT_E_INVALID_ARG);
    bimt_model_free(m);
}
END_TEST

START_TEST(bad_params)
{
    struct {
        int field;
        double value;
        int code;
    } cases[] = {
        {0, 0, BIMT_E_INVALID_ARG},    {0, 257, BIMT_E_INVALID_ARG},
        {1, 0, BIMT_E_INVALID_ARG},    {1, 65537, BIMT_E_INVALID_ARG},
        {2, 0, BIMT_E_INVALID_ARG},    {3, 0.0, BIMT_E_INVALID_ARG},
        {3, 1.5, BIMT_E_INVALID_ARG},  {3, (double)NAN, BIMT_E_INVALID_ARG},
        {4, -0.1, BIMT_E_INVALID_ARG}, {4, (double)NAN, BIMT_E_INVALID_ARG},
        {5, -1.0, BIMT_E_INVALID_ARG}, {5, (double)INFINITY, BIMT_E_INVALID_ARG},
        {6, 3, BIMT_E_INVALID_ARG},    {7, 3, BIMT_E_INVALID_ARG},
        {8, 2, BIMT_E_INVALID_ARG},    {9, 0, BIMT_E_VERSION},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bimt_model_params p;
        bimt_model_params_init(&p);
        double v = cases[k].value;
        switch (cases[k].field) {
        case 0:
            p.grid_side = (uint32_t)v;
            break;
        case 1:
            p.n_in = (uint32_t)v;
            break;
        case 2:
            p.n_out = (uint32_t)v;
            break;
        case 3:
            p.alpha = v;
            break;
        case 4:
            p.sigma_rec = v;
            break;
        case 5:
            p.init_scale = v;
            break;
        case 6:
            p.activation = (bimt_activation)v;
            break;
        case 7:
            p.init = (bimt_init)v;
            break;
        case 8:
            p.loss = (bimt_loss)v;
            break;
        default:
            p.struct_size = (uint32_t)sizeof p + 8;
            break;
        }
        bimt_model_t *m = (bimt_model_t *)&p; /* must be reset to NULL */
        ck_assert_msg(bimt_model_create(&p, &m) == cases[k].code, "case %zu", k);
        ck_assert_ptr_null(m);
    }
    ck_assert_int_eq(bimt_model_create(NULL, NULL), BIMT_E_INVALID_ARG);
    /* Edge values that are valid. */
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = 1;
    p.n_in = 1;
    p.n_out = 1;
    p.alpha = 1.0;
    p.sigma_rec = 0.0;
    p.init_scale = 0.0;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    ck_assert_uint_eq(bimt_model_n_params(m), 1 + 1 + 1 + 1 + 1);
    bimt_model_free(m);
}
END_TEST

/* Independent distance of two points (model.h: Manhattan or Euclidean). */
static double ref_dist(const double *x, const double *y, size_t dim, int euclid)
{
    double acc = 0.0;
    for (size_t d = 0; d < dim; d++)
        acc += euclid ? (x[d] - y[d]) * (x[d] - y[d]) : fabs(x[d] - y[d]);
    return euclid ? sqrt(acc) : acc;
}

/* A 5 x 5 x 4 lattice (seRNN's), unit spacing, in row-major order. */
static double *lattice_554(void)
{
    double *p = malloc(100 * 3 * sizeof(double));
    for (int s = 0; s < 100; s++) {
        p[3 * s] = (double)(s / 20);
        p[3 * s + 1] = (double)(s / 4 % 5);
        p[3 * s + 2] = (double)(s % 4);
    }
    return p;
}

/* Caller positions: copied at create, the getters, and bimt_model_distance(i, j) = the
 * distance of the positions of the neurons' slots, for every pair, after a permutation. */
START_TEST(positions_and_distance)
{
    for (int euclid = 0; euclid <= 1; euclid++) {
        double *pos = lattice_554();
        bimt_model_params p;
        bimt_model_params_init(&p);
        p.positions = pos;
        p.n_slots = 100;
        p.dim = 3;
        p.distance = (uint32_t)euclid;
        p.grid_side = 7; /* ignored */
        bimt_model_t *m = NULL;
        ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
        ck_assert_uint_eq(bimt_model_n_hidden(m), 100);
        ck_assert_uint_eq(bimt_model_grid_side(m), 0);
        ck_assert_uint_eq(bimt_model_dim(m), 3);
        ck_assert_int_eq(bimt_model_distance_kind(m), euclid);
        ck_assert_uint_eq(bimt_model_n_params(m), 100 * 100 + 100 * 85 + 33 * 100 + 100 + 33);
        const double *mp = bimt_model_positions(m);
        ck_assert_ptr_ne(mp, pos);
        ck_assert_int_eq(memcmp(mp, pos, 300 * sizeof(double)), 0);
        double *ref = lattice_554();
        pos[0] = 99.0; /* the caller's array is not used after create */
        ck_assert(mp[0] == 0.0);
        bimt_model_params q;
        q.struct_size = (uint32_t)sizeof q;
        ck_assert_int_eq(bimt_model_get_params(m, &q), BIMT_OK);
        ck_assert_ptr_eq(q.positions, mp);
        ck_assert_uint_eq(q.n_slots, 100);
        ck_assert_uint_eq(q.grid_side, 0);
        uint32_t perm[100];
        for (uint32_t k = 0; k < 100; k++)
            perm[k] = (k * 37u + 11u) % 100u;
        ck_assert_int_eq(bimt_model_set_slots(m, perm, 100), BIMT_OK);
        const float *D = bimt_model_distances(m);
        for (size_t i = 0; i < 100; i++)
            for (size_t j = 0; j < 100; j++) {
                double d = ref_dist(ref + 3 * perm[i], ref + 3 * perm[j], 3, euclid);
                ck_assert_msg(bimt_model_distance(m, (uint32_t)i, (uint32_t)j) == d,
                              "(%zu, %zu): %.17g vs %.17g", i, j,
                              bimt_model_distance(m, (uint32_t)i, (uint32_t)j), d);
                ck_assert(D[i * 100 + j] == (float)d);
            }
        ck_assert(bimt_model_distance(m, 0, 1) > 0.0);
        ck_assert(bimt_model_io_distance(m, 0, 0, 0) == 0.0); /* io none */
        /* the clone and get_params -> create keep the geometry */
        bimt_model_t *c = NULL, *r = NULL;
        ck_assert_int_eq(bimt_model_clone(m, &c), BIMT_OK);
        ck_assert_int_eq(bimt_model_create(&q, &r), BIMT_OK);
        ck_assert_ptr_ne(bimt_model_positions(c), mp);
        ck_assert_int_eq(memcmp(bimt_model_positions(c), ref, 300 * sizeof(double)), 0);
        ck_assert_int_eq(memcmp(bimt_model_positions(r), ref, 300 * sizeof(double)), 0);
        ck_assert_int_eq(memcmp(bimt_model_distances(c), D, 100 * 100 * sizeof(float)), 0);
        ck_assert_int_eq(bimt_model_distance_kind(r), euclid);
        bimt_model_free(c);
        bimt_model_free(r);
        bimt_model_free(m);
        free(pos);
        free(ref);
    }
}
END_TEST

/* The default grid: positions (row, col) / side, dimension 2, Manhattan; the distance is the
 * Manhattan distance of the positions. With BIMT_DIST_EUCLIDEAN, their Euclidean distance. */
START_TEST(grid_positions)
{
    for (int euclid = 0; euclid <= 1; euclid++) {
        bimt_model_params p;
        bimt_model_params_init(&p);
        p.grid_side = 5;
        p.distance = (uint32_t)euclid;
        p.io_layout = BIMT_IO_EDGES;
        bimt_model_t *m = NULL;
        ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
        ck_assert_uint_eq(bimt_model_dim(m), 2);
        ck_assert_uint_eq(bimt_model_grid_side(m), 5);
        const double *pos = bimt_model_positions(m);
        for (size_t s = 0; s < 25; s++) {
            ck_assert(pos[2 * s] == (double)(s / 5) / 5.0);
            ck_assert(pos[2 * s + 1] == (double)(s % 5) / 5.0);
        }
        const uint32_t *sl = bimt_model_slots(m);
        for (size_t i = 0; i < 25; i++)
            for (size_t j = 0; j < 25; j++)
                ck_assert(fabs(bimt_model_distance(m, (uint32_t)i, (uint32_t)j) -
                               ref_dist(pos + 2 * sl[i], pos + 2 * sl[j], 2, euclid)) < 1e-15);
        /* io edges: input 0 at row (0.5 * 5 / 85 - 0.5), column -1 */
        double row = 0.5 * 5.0 / 85.0 - 0.5, dr = 0.0 - row, dc = 1.0;
        double io = euclid ? sqrt(dr * dr + dc * dc) / 5.0 : (fabs(dr) + dc) / 5.0;
        ck_assert(fabs(bimt_model_io_distance(m, 0, 0, 0) - io) < 1e-6);
        bimt_model_free(m);
    }
    ck_assert_str_eq(bimt_distance_name(BIMT_DIST_MANHATTAN), "manhattan");
    ck_assert_str_eq(bimt_distance_name(BIMT_DIST_EUCLIDEAN), "euclidean");
    ck_assert_ptr_null(bimt_distance_name(2));
    ck_assert_ptr_null(bimt_distance_name(-1));
    ck_assert_uint_eq(bimt_model_dim(NULL), 0);
    ck_assert_int_eq(bimt_model_distance_kind(NULL), -1);
    ck_assert_ptr_null(bimt_model_positions(NULL));
    /* A caller built against the header before positions: the grid. */
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.struct_size = (uint32_t)offsetof(bimt_model_params, positions);
    p.grid_side = 3;
    p.distance = 1; /* beyond the old struct: not read */
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    ck_assert_uint_eq(bimt_model_n_hidden(m), 9);
    ck_assert_int_eq(bimt_model_distance_kind(m), BIMT_DIST_MANHATTAN);
    bimt_model_free(m);
}
END_TEST

/* Refused geometry: every case fails with BIMT_E_INVALID_ARG, a message naming the field, and
 * no model. */
START_TEST(bad_positions)
{
    double pos[6] = {0.0, 1.0, 2.0, 3.0, 4.0, 5.0};
    struct {
        int what;
        const char *needle;
    } cases[] = {{0, "positions[3]"}, {1, "positions[5]"}, {2, "dim"},
                 {3, "dim"},          {4, "n_slots"},      {5, "n_slots"},
                 {6, "io_layout"},    {7, "distance"},     {8, "neighbours"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double q[6];
        memcpy(q, pos, sizeof q);
        bimt_model_params p;
        bimt_model_params_init(&p);
        p.positions = q;
        p.n_slots = 3;
        p.dim = 2;
        switch (cases[k].what) {
        case 0:
            q[3] = (double)NAN;
            break;
        case 1:
            q[5] = -(double)INFINITY;
            break;
        case 2:
            p.dim = 0;
            break;
        case 3:
            p.dim = 4;
            break;
        case 4:
            p.n_slots = 0;
            break;
        case 5:
            p.n_slots = 65537;
            break;
        case 6:
            p.io_layout = BIMT_IO_EDGES;
            break;
        case 7:
            p.distance = 2;
            break;
        default:
            p.neighbours = 65537;
            break;
        }
        bimt_model_t *m = (bimt_model_t *)&p;
        ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_E_INVALID_ARG);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(bimt_last_error(), cases[k].needle) != NULL, "case %zu: %s", k,
                      bimt_last_error());
    }
    /* one slot in 1-D, equal positions: valid */
    bimt_model_params p;
    bimt_model_params_init(&p);
    double one[2] = {2.0, 2.0};
    p.positions = one;
    p.n_slots = 2;
    p.dim = 1;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    ck_assert(bimt_model_distance(m, 0, 1) == 0.0);
    bimt_model_free(m);
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, defaults_and_layout);
    tcase_add_test(tc, null_handle_queries);
    tcase_add_test(tc, init_statistics_diag);
    tcase_add_test(tc, init_randortho_is_orthogonal);
    tcase_add_test(tc, init_gauss_std);
    tcase_add_test(tc, clone_is_deep_and_equal);
    tcase_add_test(tc, geometry_and_set_slots);
    tcase_add_test(tc, weights_grid_order_round_trip);
    tcase_add_test(tc, bad_params);
    tcase_add_test(tc, positions_and_distance);
    tcase_add_test(tc, grid_positions);
    tcase_add_test(tc, bad_positions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(model_suite());
}
