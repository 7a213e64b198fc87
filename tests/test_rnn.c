/* Forward, losses and BPTT of bimt_model_t against an independent double-precision reference
 * written here, and central finite differences of that reference. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers */

static uint64_t lcg_state;
static double urand(void) /* deterministic uniform [0, 1) for test data */
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(lcg_state >> 11) * 0x1.0p-53;
}
static double urange(double a, double b)
{
    return a + (b - a) * urand();
}

typedef struct cfg {
    uint32_t side, n_in, n_out;
    bimt_activation act;
    double alpha;
    bimt_loss loss;
    double lambda, A;
} cfg;

static bimt_model_t *make_model(const cfg *c, uint64_t seed)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = c->side;
    p.n_in = c->n_in;
    p.n_out = c->n_out;
    p.activation = c->act;
    p.alpha = c->alpha;
    p.loss = c->loss;
    p.seed = seed;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    return m;
}

/* Random parameters with about 10% exact zeros in W_rec (exercises sign(0) = 0). */
static void randomize_params(bimt_model_t *m)
{
    size_t nh = bimt_model_n_hidden(m);
    float *p = bimt_model_params_data(m);
    size_t off[5];
    uint32_t rows, cols;
    for (int k = 0; k < 5; k++)
        bimt_model_tensor(m, (bimt_tensor)k, NULL, &rows, &cols, &off[k]);
    double sc = 1.2 / sqrt((double)nh);
    for (size_t i = 0; i < nh * nh; i++)
        p[off[0] + i] = urand() < 0.1 ? 0.0f : (float)urange(-sc, sc);
    for (size_t i = off[1]; i < off[3]; i++)
        p[i] = (float)urange(-0.6, 0.6);
    for (size_t i = off[3]; i < bimt_model_n_params(m); i++)
        p[i] = (float)urange(-0.3, 0.3);
}

typedef struct data {
    uint32_t T, B;
    float *x, *y, *mask;
} data;

static data make_data(const cfg *c, size_t T, size_t B)
{
    data d = {(uint32_t)T, (uint32_t)B, NULL, NULL, NULL};
    size_t nx = T * B * c->n_in, ny = T * B * c->n_out;
    d.x = malloc(nx * sizeof(float));
    d.y = malloc(ny * sizeof(float));
    d.mask = malloc(ny * sizeof(float));
    for (size_t i = 0; i < nx; i++)
        d.x[i] = (float)urange(-1, 1);
    for (size_t i = 0; i < ny; i++) {
        d.y[i] = (float)urand(); /* CE: non-normalised targets test the general formula */
        double u = urand();      /* zeros, ones, and other weights */
        d.mask[i] = u < 0.25 ? 0.0f : (u < 0.6 ? 1.0f : (float)urange(0.2, 2.0));
    }
    return d;
}

static void free_data(data *d)
{
    free(d->x);
    free(d->y);
    free(d->mask);
}

/* ------------------------------------------------------------------ double reference */

typedef struct ref {
    size_t nh, ni, no;
    int act, loss;
    double alpha;
    const double *dist; /* [nh][nh] */
} ref;

static double phi(int act, double u)
{
    if (act == BIMT_ACT_SOFTPLUS) return fmax(u, 0.0) + log1p(exp(-fabs(u)));
    if (act == BIMT_ACT_RELU) return u > 0.0 ? u : 0.0;
    return tanh(u);
}

/* Runs the reference on flat double parameters th. Writes states/outputs if asked.
 * Returns the prediction loss; if dO is given returns sum(dO * o) instead. */
static double ref_run(const ref *r, const double *th, const data *d, double *H, double *O,
                      const float *dO)
{
    size_t nh = r->nh, ni = r->ni, no = r->no, T = d->T, B = d->B;
    const double *W = th, *Win = W + nh * nh, *Wout = Win + nh * ni, *bh = Wout + no * nh;
    const double *bo = bh + nh;
    double *h = calloc(B * nh, sizeof(double)), *hn = malloc(B * nh * sizeof(double));
    double *o = malloc(no * sizeof(double));
    double loss = 0.0, lin = 0.0;
    for (size_t t = 0; t < T; t++) {
        for (size_t b = 0; b < B; b++) {
            const float *xr = d->x + (t * B + b) * ni;
            for (size_t i = 0; i < nh; i++) {
                double u = bh[i];
                for (size_t j = 0; j < nh; j++)
                    u += W[i * nh + j] * h[b * nh + j];
                for (size_t k = 0; k < ni; k++)
                    u += Win[i * ni + k] * (double)xr[k];
                hn[b * nh + i] = (1.0 - r->alpha) * h[b * nh + i] + r->alpha * phi(r->act, u);
            }
        }
        memcpy(h, hn, B * nh * sizeof(double));
        for (size_t b = 0; b < B; b++) {
            size_t row = t * B + b;
            if (H) memcpy(H + row * nh, h + b * nh, nh * sizeof(double));
            for (size_t k = 0; k < no; k++) {
                double s = bo[k];
                for (size_t i = 0; i < nh; i++)
                    s += Wout[k * nh + i] * h[b * nh + i];
                o[k] = s;
            }
            if (O) memcpy(O + row * no, o, no * sizeof(double));
            const float *y = d->y + row * no, *mk = d->mask + row * no;
            if (dO) {
                for (size_t k = 0; k < no; k++)
                    lin += (double)dO[row * no + k] * o[k];
            } else if (r->loss == BIMT_LOSS_MSE) {
                for (size_t k = 0; k < no; k++) {
                    double z = 1.0 / (1.0 + exp(-o[k]));
                    double e = (double)mk[k] * ((double)y[k] - z);
                    loss += e * e;
                }
            } else {
                double mx = o[0], s = 0.0, ce = 0.0;
                for (size_t k = 1; k < no; k++)
                    mx = fmax(mx, o[k]);
                for (size_t k = 0; k < no; k++)
                    s += exp(o[k] - mx);
                double lse = mx + log(s);
                for (size_t k = 0; k < no; k++)
                    ce -= (double)y[k] * (o[k] - lse);
                loss += (double)mk[0] * ce;
            }
        }
    }
    free(h);
    free(hn);
    free(o);
    if (dO) return lin;
    return r->loss == BIMT_LOSS_MSE ? loss / (double)(T * B * no) : loss / (double)(T * B);
}

static double ref_cost(const ref *r, const double *th, size_t n, double lambda, double A)
{
    double s = 0.0, sd = 0.0;
    for (size_t i = 0; i < n; i++)
        s += fabs(th[i]);
    for (size_t i = 0; i < r->nh * r->nh; i++)
        sd += r->dist[i] * fabs(th[i]);
    return lambda * (s + A * sd);
}

static ref make_ref(const bimt_model_t *m, const cfg *c, double *dist)
{
    size_t nh = bimt_model_n_hidden(m);
    for (size_t i = 0; i < nh; i++)
        for (size_t j = 0; j < nh; j++)
            dist[i * nh + j] = bimt_model_distance(m, (uint32_t)i, (uint32_t)j);
    ref r = {nh, c->n_in, c->n_out, (int)c->act, (int)c->loss, c->alpha, dist};
    return r;
}

/* ------------------------------------------------------------------ gradient checks */

static const cfg base_cfg = {3, 5, 4, BIMT_ACT_SOFTPLUS, 0.2, BIMT_LOSS_MSE, 0.0, 0.0};

/* Config i of 24: activation x alpha x loss x cost; 24..29: a 5x5 grid with 18 inputs and
 * 17 outputs (two 16-column panels in every packed product, the second one partial). */
static cfg config_of(int i)
{
    cfg c = base_cfg;
    if (i >= 24) {
        c.side = 5;
        c.n_in = 18;
        c.n_out = 17;
        i = (i - 24) * 7 % 24;
    }
    c.act = (bimt_activation)(i % 3);
    c.alpha = (i / 3) % 2 ? 1.0 : 0.2;
    c.loss = (bimt_loss)((i / 6) % 2);
    if ((i / 12) % 2) {
        c.lambda = 0.01;
        c.A = 2.0;
    }
    return c;
}

/* Compares float analytic gradients with double central differences, tensor by tensor:
 * |g - fd| <= tol * max|fd over the tensor|. Returns the worst ratio. Observed errors are
 * a few 1e-7 (float arithmetic); a wrong term is O(1). */
static double check_grad(const bimt_model_t *m, const float *g, const double *fd, double tol)
{
    double worst = 0.0;
    for (int k = 0; k < 5; k++) {
        uint32_t rows, cols;
        size_t off;
        bimt_model_tensor(m, (bimt_tensor)k, NULL, &rows, &cols, &off);
        double scale = 1e-12;
        for (size_t i = 0; i < (size_t)rows * cols; i++)
            scale = fmax(scale, fabs(fd[off + i]));
        for (size_t i = 0; i < (size_t)rows * cols; i++) {
            double err = fabs((double)g[off + i] - fd[off + i]) / scale;
            if (err > worst) worst = err;
            if (err > tol)
                ck_abort_msg("tensor %d element %zu: analytic %.9g, finite differences %.9g "
                             "(scale %.3g)",
                             k, i, (double)g[off + i], fd[off + i], scale);
        }
    }
    return worst;
}

/* FD of the reference loss (+ cost) w.r.t. every parameter; dO: the linear functional. */
static void fd_grad(const ref *r, const bimt_model_t *m, const data *d, double lambda, double A,
                    const float *dO, double *fd)
{
    size_t n = bimt_model_n_params(m);
    const float *p = bimt_model_params_view(m);
    double *th = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        th[i] = (double)p[i];
    const double h = 1e-6;
    for (size_t i = 0; i < n; i++) {
        double keep = th[i];
        th[i] = keep + h;
        double lp = ref_run(r, th, d, NULL, NULL, dO) + ref_cost(r, th, n, lambda, A);
        th[i] = keep - h;
        double lm = ref_run(r, th, d, NULL, NULL, dO) + ref_cost(r, th, n, lambda, A);
        th[i] = keep;
        fd[i] = (lp - lm) / (2.0 * h);
    }
    free(th);
}

/* Loop index: 0..29 configurations; 30..35 the same with the portable (non-AVX2) kernels;
 * 36, 37: a single step and a single trial. */
START_TEST(gradients_match_finite_differences)
{
    int generic = _i >= 30 && _i < 36;
    cfg c = config_of(generic ? (_i - 30) * 5 : (_i >= 36 ? 27 : _i));
    size_t T = 6, B = 3;
    if (_i == 36) T = 1;
    if (_i == 37) B = 1;
    if (generic) setenv("BIMT_DISABLE_AVX2", "1", 1);
    lcg_state = 1000u + (uint64_t)_i;
    bimt_model_t *m = make_model(&c, 11);
    randomize_params(m);
    data d = make_data(&c, T, B);
    double dist[625];
    ref r = make_ref(m, &c, dist);
    size_t n = bimt_model_n_params(m);

    /* Forward and loss agree with the double reference. */
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, 0), BIMT_OK);
    const float *H, *O;
    ck_assert_int_eq(bimt_model_states(m, &H), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(m, &O), BIMT_OK);
    double *th = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        th[i] = (double)bimt_model_params_view(m)[i];
    size_t rows = d.T * d.B;
    double *Hr = malloc(rows * r.nh * sizeof(double)), *Or = malloc(rows * r.no * sizeof(double));
    double lref = ref_run(&r, th, &d, Hr, Or, NULL);
    for (size_t i = 0; i < rows * r.nh; i++)
        ck_assert_double_le(fabs((double)H[i] - Hr[i]), 1e-5 * fmax(1.0, fabs(Hr[i])));
    for (size_t i = 0; i < rows * r.no; i++)
        ck_assert_double_le(fabs((double)O[i] - Or[i]), 1e-5 * fmax(1.0, fabs(Or[i])));
    double loss;
    ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, &loss), BIMT_OK);
    ck_assert_double_le(fabs(loss - lref), 1e-5 * fabs(lref));

    /* Gradient of loss (+ cost) against central differences of the reference. */
    bimt_model_zero_grad(m);
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
    if (c.lambda > 0.0) {
        double v;
        ck_assert_int_eq(bimt_model_connection_cost(m, c.lambda, c.A, 1, &v), BIMT_OK);
        /* The library uses the float distance cache: 1e-7 relative. */
        ck_assert_double_le(fabs(v - ref_cost(&r, th, n, c.lambda, c.A)), 1e-7 * v);
    }
    double *fd = malloc(n * sizeof(double));
    fd_grad(&r, m, &d, c.lambda, c.A, NULL, fd);
    double worst = check_grad(m, bimt_model_grad_data(m), fd, 1e-5);
    if (getenv("BIMT_TEST_VERBOSE")) printf("config %d: worst gradient error %.3g\n", _i, worst);
    unsetenv("BIMT_DISABLE_AVX2");

    free(fd);
    free(th);
    free(Hr);
    free(Or);
    free_data(&d);
    bimt_model_free(m);
}
END_TEST

/* Yang's activity cost of the reference's rates H [rows][nh]. */
static double ref_activity(const double *H, size_t n, double l1_h, double l2_h)
{
    double s1 = 0.0, s2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        s1 += fabs(H[i]);
        s2 += H[i] * H[i];
    }
    return l1_h * s1 / (double)n + l2_h * 0.5 * s2;
}

/* bimt_model_activity_cost: value against the reference, and the gradient of loss + activity
 * cost through backward against central differences of the reference (loop index: the
 * activation x which coefficients; both splits of the recurrent loops). */
START_TEST(activity_cost_matches_finite_differences)
{
    const double l1s[3] = {0.5, 0.0, 0.2}, l2s[3] = {0.0, 0.05, 0.02};
    cfg c = base_cfg;
    c.side = 5; /* 25 neurons: two panels, the second partial */
    c.n_in = 6;
    c.n_out = 4;
    c.act = (bimt_activation)(_i % 3);
    const double l1 = l1s[(_i / 3) % 3], l2 = l2s[(_i / 3) % 3];
    setenv("BIMT_RNN_SPLIT", _i % 2 ? "rows" : "panels", 1);
    lcg_state = 500u + (uint64_t)_i;
    bimt_model_t *m = make_model(&c, 13);
    randomize_params(m);
    data d = make_data(&c, 5, 3);
    double dist[625];
    ref r = make_ref(m, &c, dist);
    const size_t n = bimt_model_n_params(m), rows = (size_t)d.T * d.B, nh = r.nh;
    double *th = malloc(n * sizeof(double)), *H = malloc(rows * nh * sizeof(double));
    for (size_t i = 0; i < n; i++)
        th[i] = (double)bimt_model_params_view(m)[i];
    double loss, act;
    ck_assert_int_eq(bimt_model_activity_cost(m, l1, l2, &act), BIMT_E_STATE); /* no forward */
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, &loss), BIMT_OK);
    ck_assert_int_eq(bimt_model_activity_cost(m, l1, l2, &act), BIMT_OK);
    ref_run(&r, th, &d, H, NULL, NULL);
    const double aref = ref_activity(H, rows * nh, l1, l2);
    ck_assert_double_le(fabs(act - aref), 1e-5 * aref);
    bimt_model_zero_grad(m);
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
    double *fd = malloc(n * sizeof(double));
    const double h = 1e-6;
    for (size_t i = 0; i < n; i++) {
        double keep = th[i], lp, lm;
        th[i] = keep + h;
        lp = ref_run(&r, th, &d, H, NULL, NULL) + ref_activity(H, rows * nh, l1, l2);
        th[i] = keep - h;
        lm = ref_run(&r, th, &d, H, NULL, NULL) + ref_activity(H, rows * nh, l1, l2);
        th[i] = keep;
        fd[i] = (lp - lm) / (2.0 * h);
    }
    check_grad(m, bimt_model_grad_data(m), fd, 1e-5);
    /* Zero coefficients remove the term: the gradient is the loss's alone again. */
    float *g1 = malloc(n * sizeof(float)), *g0 = malloc(n * sizeof(float));
    memcpy(g1, bimt_model_grad_data(m), n * sizeof(float));
    ck_assert_int_eq(bimt_model_activity_cost(m, 0.0, 0.0, &act), BIMT_OK);
    ck_assert_double_eq(act, 0.0);
    bimt_model_zero_grad(m);
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
    memcpy(g0, bimt_model_grad_data(m), n * sizeof(float));
    ck_assert(memcmp(g0, g1, n * sizeof(float)) != 0);
    bimt_model_t *plain = make_model(&c, 13);
    lcg_state = 500u + (uint64_t)_i;
    randomize_params(plain);
    ck_assert_int_eq(bimt_model_forward(plain, d.x, d.T, d.B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_loss(plain, d.y, d.mask, &loss), BIMT_OK);
    ck_assert_int_eq(bimt_model_backward(plain, NULL), BIMT_OK);
    ck_assert(memcmp(g0, bimt_model_grad_data(plain), n * sizeof(float)) == 0);
    /* A new forward clears the term too. */
    ck_assert_int_eq(bimt_model_activity_cost(m, l1, l2, &act), BIMT_OK);
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, &loss), BIMT_OK);
    bimt_model_zero_grad(m);
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
    ck_assert(memcmp(g0, bimt_model_grad_data(m), n * sizeof(float)) == 0);
    /* Bad coefficients are refused and change nothing. */
    ck_assert_int_eq(bimt_model_activity_cost(m, -1.0, 0.0, &act), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_activity_cost(m, 0.0, (double)NAN, &act), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_activity_cost(m, 2e6, 0.0, &act), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_activity_cost(NULL, 0.1, 0.0, &act), BIMT_E_INVALID_ARG);
    unsetenv("BIMT_RNN_SPLIT");
    bimt_model_free(plain);
    free(g0);
    free(g1);
    free(fd);
    free(th);
    free(H);
    free_data(&d);
    bimt_model_free(m);
}
END_TEST

/* A wrong term must fail the check: perturb one gradient element by 1% of its tensor scale. */
START_TEST(gradient_check_detects_a_wrong_term)
{
    cfg c = base_cfg;
    lcg_state = 77;
    bimt_model_t *m = make_model(&c, 3);
    randomize_params(m);
    data d = make_data(&c, 6, 3);
    double dist[81];
    ref r = make_ref(m, &c, dist);
    size_t n = bimt_model_n_params(m);
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, 0), BIMT_OK);
    double loss;
    ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, &loss), BIMT_OK);
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
    double *fd = malloc(n * sizeof(double));
    fd_grad(&r, m, &d, 0, 0, NULL, fd);
    float *g = bimt_model_grad_data(m);
    ck_assert_double_lt(check_grad(m, g, fd, 1e-5), 1e-5);
    /* Dropping the leak term's contribution (what a forgotten (1-a) dh_{t+1} would do) is large;
     * a single element off by 1% of the scale is already caught: */
    size_t off;
    bimt_model_tensor(m, BIMT_W_REC, NULL, NULL, NULL, &off);
    double scale = 0;
    for (size_t i = 0; i < 81; i++)
        scale = fmax(scale, fabs(fd[off + i]));
    float keep = g[off + 40];
    g[off + 40] = (float)((double)keep + 0.01 * scale);
    double worst = 0;
    for (size_t i = 0; i < 81; i++)
        worst = fmax(worst, fabs((double)g[off + i] - fd[off + i]) / scale);
    ck_assert_double_gt(worst, 1e-5);
    g[off + 40] = keep;
    free(fd);
    free_data(&d);
    bimt_model_free(m);
}
END_TEST

START_TEST(host_d_outputs_path)
{
    for (int act = 0; act < 3; act++) {
        cfg c = base_cfg;
        c.act = (bimt_activation)act;
        c.alpha = act == 1 ? 1.0 : 0.2;
        lcg_state = 500u + (uint64_t)act;
        bimt_model_t *m = make_model(&c, 5);
        randomize_params(m);
        data d = make_data(&c, 5, 4);
        double dist[81];
        ref r = make_ref(m, &c, dist);
        size_t n = bimt_model_n_params(m), rows = d.T * d.B;
        float *dO = malloc(rows * c.n_out * sizeof(float));
        for (size_t i = 0; i < rows * c.n_out; i++)
            dO[i] = (float)urange(-1, 1);
        ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, 0), BIMT_OK);
        /* No loss computed: d_outputs is enough. */
        bimt_model_zero_grad(m);
        ck_assert_int_eq(bimt_model_backward(m, dO), BIMT_OK);
        double *fd = malloc(n * sizeof(double));
        fd_grad(&r, m, &d, 0, 0, dO, fd);
        check_grad(m, bimt_model_grad_data(m), fd, 1e-5);
        free(fd);
        free(dO);
        free_data(&d);
        bimt_model_free(m);
    }
}
END_TEST

/* Backward accumulates, and repeating it gives the same increment. */
START_TEST(backward_accumulates)
{
    cfg c = base_cfg;
    lcg_state = 9;
    bimt_model_t *m = make_model(&c, 9);
    randomize_params(m);
    data d = make_data(&c, 4, 2);
    size_t n = bimt_model_n_params(m);
    double loss;
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, &loss), BIMT_OK);
    bimt_model_zero_grad(m);
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
    float *g1 = malloc(n * sizeof(float));
    memcpy(g1, bimt_model_grad_data(m), n * sizeof(float));
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
    const float *g2 = bimt_model_grad_data(m);
    double gs = 0;
    for (size_t i = 0; i < n; i++)
        gs = fmax(gs, fabs((double)g1[i]));
    ck_assert_double_gt(gs, 0.0);
    for (size_t i = 0; i < n; i++)
        ck_assert_double_le(fabs((double)g2[i] - 2.0 * (double)g1[i]), 1e-6 * gs);
    /* zero_grad clears everything */
    bimt_model_zero_grad(m);
    for (size_t i = 0; i < n; i++)
        ck_assert(g2[i] == 0.0f);
    free(g1);
    free_data(&d);
    bimt_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------ noise */

static int outputs_equal(bimt_model_t *a, bimt_model_t *b, size_t n)
{
    const float *oa, *ob;
    ck_assert_int_eq(bimt_model_outputs(a, &oa), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(b, &ob), BIMT_OK);
    return memcmp(oa, ob, n * sizeof(float)) == 0;
}

START_TEST(noise_off_deterministic_on_reproducible)
{
    cfg c = base_cfg;
    lcg_state = 21;
    bimt_model_t *m = make_model(&c, 4), *m2 = make_model(&c, 4);
    data d = make_data(&c, 8, 5);
    size_t no = d.T * d.B * c.n_out;
    float *first = malloc(no * sizeof(float));
    const float *o;
    /* Off: identical bits on every call. */
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, 0), BIMT_OK);
    bimt_model_outputs(m, &o);
    memcpy(first, o, no * sizeof(float));
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, 0), BIMT_OK);
    bimt_model_outputs(m, &o);
    ck_assert(memcmp(first, o, no * sizeof(float)) == 0);
    /* On: differs from off and from call to call... */
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, BIMT_FWD_NOISE), BIMT_OK);
    bimt_model_outputs(m, &o);
    ck_assert(memcmp(first, o, no * sizeof(float)) != 0);
    memcpy(first, o, no * sizeof(float));
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, BIMT_FWD_NOISE), BIMT_OK);
    bimt_model_outputs(m, &o);
    ck_assert(memcmp(first, o, no * sizeof(float)) != 0);
    /* ...but a model with the same seed replays the same sequence, */
    ck_assert_int_eq(bimt_model_forward(m2, d.x, d.T, d.B, BIMT_FWD_NOISE), BIMT_OK);
    const float *o2;
    bimt_model_outputs(m2, &o2);
    ck_assert(memcmp(first, o2, no * sizeof(float)) == 0);
    ck_assert_int_eq(bimt_model_forward(m2, d.x, d.T, d.B, BIMT_FWD_NOISE), BIMT_OK);
    ck_assert(outputs_equal(m, m2, no));
    /* and a clone continues the same stream. */
    bimt_model_t *cl = NULL;
    ck_assert_int_eq(bimt_model_clone(m, &cl), BIMT_OK);
    ck_assert_int_eq(bimt_model_forward(cl, d.x, d.T, d.B, BIMT_FWD_NOISE), BIMT_OK);
    ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, BIMT_FWD_NOISE), BIMT_OK);
    ck_assert(outputs_equal(m, cl, no));
    /* A different seed gives different noise. */
    bimt_model_t *m3 = make_model(&c, 5);
    memcpy(bimt_model_params_data(m3), bimt_model_params_view(m),
           bimt_model_n_params(m) * sizeof(float));
    ck_assert_int_eq(bimt_model_forward(m3, d.x, d.T, d.B, BIMT_FWD_NOISE), BIMT_OK);
    ck_assert(!outputs_equal(m, m3, no));
    free(first);
    free_data(&d);
    bimt_model_free(m);
    bimt_model_free(m2);
    bimt_model_free(m3);
    bimt_model_free(cl);
}
END_TEST

/* With W = 0, W_in = 0, relu and b_h = 10, u_t = 10 + xi_t exactly; recover xi from the states
 * (h_t - (1-a) h_{t-1}) / a - 10 and test its moments against N(0, (sigma sqrt(2/a))^2). */
START_TEST(noise_statistics)
{
    const double alphas[2] = {1.0, 0.2};
    for (int k = 0; k < 2; k++) {
        bimt_model_params p;
        bimt_model_params_init(&p);
        p.grid_side = 8;
        p.n_in = 1;
        p.n_out = 1;
        p.activation = BIMT_ACT_RELU;
        p.alpha = alphas[k];
        p.sigma_rec = 0.3;
        p.seed = 123;
        bimt_model_t *m = NULL;
        ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
        size_t nh = 64, T = 60, B = 33;
        float *th = bimt_model_params_data(m);
        memset(th, 0, bimt_model_n_params(m) * sizeof(float));
        size_t off;
        bimt_model_tensor(m, BIMT_B_H, NULL, NULL, NULL, &off);
        for (size_t i = 0; i < nh; i++)
            th[off + i] = 10.0f;
        float *x = calloc(T * B, sizeof(float));
        ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, BIMT_FWD_NOISE),
                         BIMT_OK);
        const float *H;
        ck_assert_int_eq(bimt_model_states(m, &H), BIMT_OK);
        double a = alphas[k], sd = 0.3 * sqrt(2.0 / a);
        double s1 = 0, s2 = 0, s4 = 0, tail = 0, lag = 0, prev = 0;
        size_t n = 0;
        for (size_t t = 0; t < T; t++)
            for (size_t b = 0; b < B; b++)
                for (size_t i = 0; i < nh; i++) {
                    double h = (double)H[(t * B + b) * nh + i];
                    double hp = t ? (double)H[((t - 1) * B + b) * nh + i] : 0.0;
                    double z = ((h - (1 - a) * hp) / a - 10.0) / sd;
                    s1 += z;
                    s2 += z * z;
                    s4 += z * z * z * z;
                    tail += fabs(z) > 2.0;
                    if (n) lag += z * prev;
                    prev = z;
                    n++;
                }
        double N = (double)n, mean = s1 / N, var = s2 / N;
        ck_assert_double_lt(fabs(mean), 5.0 / sqrt(N));
        ck_assert_double_lt(fabs(var - 1.0), 5.0 * sqrt(2.0 / N) + 1e-3);
        ck_assert_double_lt(fabs(s4 / N - 3.0), 5.0 * sqrt(96.0 / N) + 1e-2);
        ck_assert_double_lt(fabs(tail / N - 0.0455003), 5.0 * sqrt(0.0455 / N));
        ck_assert_double_lt(fabs(lag / N), 5.0 / sqrt(N));
        free(x);
        bimt_model_free(m);
    }
}
END_TEST

/* ------------------------------------------------------------------ state and errors */

START_TEST(errors_and_state)
{
    cfg c = base_cfg;
    lcg_state = 5;
    bimt_model_t *m = make_model(&c, 1);
    data d = make_data(&c, 3, 2);
    const float *v;
    double loss = -1;
    /* Before any forward. */
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_E_STATE);
    ck_assert_str_ne(bimt_model_errmsg(m), "");
    ck_assert_int_eq(bimt_model_backward(m, d.y), BIMT_E_STATE);
    ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, &loss), BIMT_E_STATE);
    ck_assert_double_eq(loss, -1);
    ck_assert_int_eq(bimt_model_states(m, &v), BIMT_E_STATE);
    ck_assert_int_eq(bimt_model_outputs(m, &v), BIMT_E_STATE);
    /* Bad arguments. */
    ck_assert_int_eq(bimt_model_forward(NULL, d.x, 3, 2, 0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_forward(m, NULL, 3, 2, 0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_forward(m, d.x, 0, 2, 0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_forward(m, d.x, 3, 0, 0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_forward(m, d.x, 3, 2, 6u), BIMT_E_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(bimt_model_errmsg(m), "flags"));
    ck_assert_int_eq(bimt_model_forward(m, d.x, UINT32_MAX, 4, 0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_states(m, &v), BIMT_E_STATE); /* still nothing */
    /* After a forward without loss: backward(NULL) still refused, d_outputs accepted. */
    ck_assert_int_eq(bimt_model_forward(m, d.x, 3, 2, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_E_STATE);
    ck_assert_int_eq(bimt_model_loss(m, NULL, d.mask, &loss), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_loss(m, d.y, NULL, &loss), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_loss(NULL, d.y, d.mask, &loss), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_backward(NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_states(NULL, &v), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_states(m, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_outputs(NULL, &v), BIMT_E_INVALID_ARG);
    /* A failed forward leaves the previous results valid. */
    const float *o1;
    ck_assert_int_eq(bimt_model_outputs(m, &o1), BIMT_OK);
    ck_assert_int_eq(bimt_model_forward(m, d.x, 0, 2, 0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_model_outputs(m, &v), BIMT_OK);
    ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, &loss), BIMT_OK);
    ck_assert(isfinite(loss) && loss > 0.0);
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
    /* A new forward invalidates the stored loss gradient. */
    ck_assert_int_eq(bimt_model_forward(m, d.x, 3, 2, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_E_STATE);
    free_data(&d);
    bimt_model_free(m);
}
END_TEST

/* The workspace grows only when needed; smaller and equal shapes reuse it, and the results
 * do not depend on the history of shapes. */
START_TEST(workspace_reuse)
{
    cfg c = base_cfg;
    lcg_state = 33;
    bimt_model_t *m = make_model(&c, 2), *fresh = make_model(&c, 2);
    data big = make_data(&c, 10, 6), small = make_data(&c, 3, 2);
    const float *h1, *h2, *o;
    ck_assert_int_eq(bimt_model_forward(m, big.x, 10, 6, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(m, &h1), BIMT_OK);
    ck_assert_int_eq(bimt_model_forward(m, small.x, 3, 2, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_forward(m, big.x, 10, 6, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(m, &h2), BIMT_OK);
    ck_assert_ptr_eq(h1, h2); /* no reallocation */
    ck_assert_int_eq(bimt_model_forward(m, small.x, 3, 2, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_forward(fresh, small.x, 3, 2, 0), BIMT_OK);
    ck_assert_int_eq(bimt_model_outputs(fresh, &o), BIMT_OK);
    ck_assert(outputs_equal(m, fresh, 3 * 2 * c.n_out));
    /* Growing the batch (same T*B) still works: T=2, B=30 > all earlier B. */
    data wide = make_data(&c, 2, 30);
    ck_assert_int_eq(bimt_model_forward(m, wide.x, 2, 30, BIMT_FWD_NOISE), BIMT_OK);
    ck_assert_int_eq(bimt_model_forward(fresh, wide.x, 2, 30, BIMT_FWD_NOISE), BIMT_OK);
    ck_assert(outputs_equal(m, fresh, 2 * 30 * c.n_out));
    free_data(&big);
    free_data(&small);
    free_data(&wide);
    bimt_model_free(m);
    bimt_model_free(fresh);
}
END_TEST

/* The recurrent loops split the trials or the hidden layer among worker threads; every value
 * must be bit-identical whatever the number of threads and the split (BIMT_NUM_THREADS and
 * BIMT_RNN_SPLIT, read when a model first runs forward). Loop index % 4: 0 the automatic
 * split, 1 trials (rows), 2 panels, 3 an unknown value; index / 4: the batch size. Rows on 1..4
 * threads against panels on 1 thread is the check that both splits make the same floats. */
START_TEST(thread_count_invariance)
{
    /* an unknown value is ignored (the automatic split), like a bad BIMT_NUM_THREADS */
    const char *splits[4] = {NULL, "rows", "panels", "diagonal"};
    /* batches: an odd one (a 1-row block), 32 (6,6,6,6,4,4 on two threads), 64 (8 x 6, 4 x 4) */
    const size_t batches[3] = {29, 32, 64};
    const int sp = _i % 4;
    if (splits[sp])
        setenv("BIMT_RNN_SPLIT", splits[sp], 1);
    else
        unsetenv("BIMT_RNN_SPLIT");
    cfg c = base_cfg;
    c.side = 9; /* 81 neurons: 6 panels, the last one partial */
    c.n_in = 7;
    c.n_out = 5;
    lcg_state = 4242;
    data d = make_data(&c, 7, batches[_i / 4]);
    size_t rows = d.T * d.B, nh = 81;
    float *ref_h = NULL, *ref_o = NULL, *ref_g = NULL;
    size_t np = 0;
    const char *counts[4] = {"1", "2", "3", "4"};
    for (int k = 0; k < 5; k++) {
        /* k = 4: the reference's own setting is 1 thread of the other split */
        setenv("BIMT_NUM_THREADS", counts[k % 4], 1);
        if (k == 4) setenv("BIMT_RNN_SPLIT", sp == 2 ? "rows" : "panels", 1);
        bimt_model_t *m = make_model(&c, 77);
        lcg_state = 99;
        randomize_params(m);
        np = bimt_model_n_params(m);
        double loss;
        ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, BIMT_FWD_NOISE), BIMT_OK);
        ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, &loss), BIMT_OK);
        if (_i >= 4) /* with an activity cost's dcost/dh in the recurrence */
            ck_assert_int_eq(bimt_model_activity_cost(m, 0.3, 0.01, NULL), BIMT_OK);
        ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
        const float *h, *o;
        bimt_model_states(m, &h);
        bimt_model_outputs(m, &o);
        const float *g = bimt_model_grad_data(m);
        if (k == 0) {
            ref_h = malloc(rows * nh * sizeof(float));
            ref_o = malloc(rows * c.n_out * sizeof(float));
            ref_g = malloc(np * sizeof(float));
            memcpy(ref_h, h, rows * nh * sizeof(float));
            memcpy(ref_o, o, rows * c.n_out * sizeof(float));
            memcpy(ref_g, g, np * sizeof(float));
        } else {
            ck_assert_msg(memcmp(ref_h, h, rows * nh * sizeof(float)) == 0, "%s threads (%d)",
                          counts[k % 4], k);
            ck_assert(memcmp(ref_o, o, rows * c.n_out * sizeof(float)) == 0);
            ck_assert(memcmp(ref_g, g, np * sizeof(float)) == 0);
        }
        bimt_model_free(m);
    }
    unsetenv("BIMT_NUM_THREADS");
    unsetenv("BIMT_RNN_SPLIT");
    free(ref_h);
    free(ref_o);
    free(ref_g);
    free_data(&d);
}
END_TEST

/* The portable kernels (forced by BIMT_DISABLE_AVX2) and the SIMD ones compute the same
 * function (not bit for bit: FMA rounds once). */
START_TEST(portable_and_simd_kernels_agree)
{
    cfg c = base_cfg;
    c.side = 6;
    c.n_in = 20;
    c.n_out = 19;
    lcg_state = 31337;
    data d = make_data(&c, 9, 13);
    size_t rows = d.T * d.B, np = 0;
    float *o[2], *g[2];
    for (int k = 0; k < 2; k++) {
        if (k == 1) setenv("BIMT_DISABLE_AVX2", "1", 1);
        bimt_model_t *m = make_model(&c, 5);
        lcg_state = 7;
        randomize_params(m);
        np = bimt_model_n_params(m);
        double loss;
        ck_assert_int_eq(bimt_model_forward(m, d.x, d.T, d.B, BIMT_FWD_NOISE), BIMT_OK);
        ck_assert_int_eq(bimt_model_loss(m, d.y, d.mask, &loss), BIMT_OK);
        ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
        const float *out;
        bimt_model_outputs(m, &out);
        o[k] = malloc(rows * c.n_out * sizeof(float));
        g[k] = malloc(np * sizeof(float));
        memcpy(o[k], out, rows * c.n_out * sizeof(float));
        memcpy(g[k], bimt_model_grad_data(m), np * sizeof(float));
        bimt_model_free(m);
    }
    unsetenv("BIMT_DISABLE_AVX2");
    double gs = 0;
    for (size_t i = 0; i < np; i++)
        gs = fmax(gs, fabs((double)g[0][i]));
    for (size_t i = 0; i < rows * c.n_out; i++)
        ck_assert_double_le(fabs((double)o[0][i] - (double)o[1][i]),
                            1e-5 * fmax(1.0, fabs((double)o[0][i])));
    for (size_t i = 0; i < np; i++)
        ck_assert_double_le(fabs((double)g[0][i] - (double)g[1][i]), 1e-5 * gs);
    for (int k = 0; k < 2; k++) {
        free(o[k]);
        free(g[k]);
    }
    free_data(&d);
}
END_TEST

/* ------------------------------------------------------------------ learning sanity */

/* A tiny network learns a one-step memory task: output 0 must report whether input 0 was
 * positive at the previous step (MSE on sigmoid outputs, targets 0.2 / 0.8). */
START_TEST(learns_a_memory_task)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = 4;
    p.n_in = 2;
    p.n_out = 1;
    p.alpha = 1.0;
    p.activation = BIMT_ACT_TANH;
    p.init_scale = 0.5;
    p.seed = 3;
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    bimt_optimizer_t *opt = NULL;
    ck_assert_int_eq(bimt_adam_create(bimt_model_n_params(m),
                                      &(bimt_adam_options){sizeof(bimt_adam_options), 0.02, 0.9,
                                                           0.999, 1e-8, 0.0},
                                      &opt),
                     BIMT_OK);
    const size_t T = 12, B = 32;
    float *x = malloc(T * B * 2 * sizeof(float)), *y = malloc(T * B * sizeof(float));
    float *mk = malloc(T * B * sizeof(float));
    lcg_state = 99;
    double first = 0, last = 0;
    for (int it = 0; it < 400; it++) {
        for (size_t b = 0; b < B; b++) {
            double prev = 0;
            for (size_t t = 0; t < T; t++) {
                double v = urand() < 0.5 ? -1.0 : 1.0; /* the bit to remember */
                x[(t * B + b) * 2] = v > 0 ? 1.0f : -1.0f;
                x[(t * B + b) * 2 + 1] = 1.0f;
                y[t * B + b] = prev > 0 ? 0.8f : 0.2f;
                mk[t * B + b] = t > 0 ? 1.0f : 0.0f;
                prev = v;
            }
        }
        double loss;
        ck_assert_int_eq(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, 0), BIMT_OK);
        ck_assert_int_eq(bimt_model_loss(m, y, mk, &loss), BIMT_OK);
        bimt_model_zero_grad(m);
        ck_assert_int_eq(bimt_model_backward(m, NULL), BIMT_OK);
        ck_assert_int_eq(bimt_adam_step(opt, bimt_model_params_data(m), bimt_model_grad_data(m)),
                         BIMT_OK);
        if (it < 10) first += loss / 10;
        if (it >= 390) last += loss / 10;
    }
    ck_assert_msg(last < first / 20, "loss %g -> %g", first, last);
    free(x);
    free(y);
    free(mk);
    bimt_optimizer_free(opt);
    bimt_model_free(m);
}
END_TEST

static Suite *rnn_suite(void)
{
    Suite *s = suite_create("rnn");
    TCase *tc = tcase_create("rnn");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, gradients_match_finite_differences, 0, 38);
    tcase_add_loop_test(tc, activity_cost_matches_finite_differences, 0, 9);
    tcase_add_test(tc, gradient_check_detects_a_wrong_term);
    tcase_add_test(tc, host_d_outputs_path);
    tcase_add_test(tc, backward_accumulates);
    tcase_add_test(tc, noise_off_deterministic_on_reproducible);
    tcase_add_test(tc, noise_statistics);
    tcase_add_test(tc, errors_and_state);
    tcase_add_test(tc, workspace_reuse);
    tcase_add_loop_test(tc, thread_count_invariance, 0, 12);
    tcase_add_test(tc, portable_and_simd_kernels_agree);
    tcase_add_test(tc, learns_a_memory_task);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(rnn_suite());
}
