/* The BIMT connection cost (seed paper eq. 2) and its subgradient, in one pass over the flat
 * parameter buffer:
 *   lambda * ( sum |theta| + A * sum_ij D_ij |W_rec[i][j]| ),  theta = all five tensors,
 *   d/dtheta = lambda * sign(theta) * (1 + A * D_ij for W_rec entries), sign(0) = 0.
 * Under an io layout (bimt_io_layout) W_in and W_out entries also pay A * D for their
 * distance to their input or output, like W_rec. W_in and W_out entries pay their tensor's price
 * too (bimt_model_params.w_in_cost, w_out_cost); at the default prices of 1 the arithmetic is
 * the unpriced one, operation for operation, so results stay bit for bit. Sums are double; the
 * gradient is added in float. */
#include <math.h>

#include "bimt/regularizer.h"
#include "model/model_internal.h"
#include "train/cost_internal.h"

/* lambda and A are in [0, 1e6] (regularizer.h): then lambda * A and the gradient terms stay
 * far inside float range, and the cost is finite for any finite weights. */
static int check_coef(double v)
{
    return bimt__finite(v) && v >= 0.0 && v <= 1e6;
}

/* sum |w| over n floats, in double. */
static double l1_sum(const float *w, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += fabs((double)w[i]);
    return s;
}

/* sum d |w| over n floats, sequentially, in double. */
static double dist_sum(const float *w, const float *d, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)d[i] * fabs((double)w[i]);
    return s;
}

double bimt__distance_sum(const struct bimt_model *m)
{
    double s = dist_sum(bimt__W(m), m->dist, m->n_h * m->n_h);
    if (m->dist_in) /* io layout: W_in and W_out at their distances (laid out like them) */
        s += m->p.w_in_cost * dist_sum(bimt__Win(m), m->dist_in, m->n_h * m->n_in) +
             m->p.w_out_cost * dist_sum(bimt__Wout(m), m->dist_out, m->n_out * m->n_h);
    return s;
}

/* Whether W_in or W_out has a price other than 1. */
static int priced(const bimt_model_t *m)
{
    return m->p.w_in_cost != 1.0 || m->p.w_out_cost != 1.0;
}

/* The price of flat parameter i past W_rec: w_in_cost, w_out_cost, or 1 for the biases. */
static float price_at(const bimt_model_t *m, size_t i)
{
    if (i >= m->off[1] && i - m->off[1] < m->n_h * m->n_in) return (float)m->p.w_in_cost;
    if (i >= m->off[2] && i - m->off[2] < m->n_out * m->n_h) return (float)m->p.w_out_cost;
    return 1.0f;
}

/* sum |theta| past W_rec, each tensor at its price. */
static double priced_l1_rest(const bimt_model_t *m)
{
    const size_t n_in = m->n_h * m->n_in, n_out = m->n_out * m->n_h;
    return m->p.w_in_cost * l1_sum(bimt__Win(m), n_in) +
           m->p.w_out_cost * l1_sum(bimt__Wout(m), n_out) +
           l1_sum(bimt__bh(m), m->n_params - m->off[3]);
}

static float sgn(float w)
{
    return (float)((w > 0.0f) - (w < 0.0f));
}

/* Distance of flat parameter i (past W_rec) under an io layout: W_in and W_out entries get
 * theirs, the biases (and everything without a layout) 0. */
static float io_dist_at(const bimt_model_t *m, size_t i)
{
    if (!m->dist_in) return 0.0f;
    size_t a = i - m->off[1];
    if (i >= m->off[1] && a < m->n_h * m->n_in) return m->dist_in[a];
    size_t b = i - m->off[2];
    if (i >= m->off[2] && b < m->n_out * m->n_h) return m->dist_out[b];
    return 0.0f;
}

int bimt_model_connection_cost(bimt_model_t *m, double lambda, double A, uint32_t add_grad,
                               double *value)
{
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_connection_cost: model is NULL");
    if (add_grad > 1)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "connection cost: add_grad must be 0 or 1 (got %u)", (unsigned)add_grad);
    if (!check_coef(lambda) || !check_coef(A))
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "connection cost: lambda and A must be in [0, 1e6] (got %g, %g)", lambda,
                          A);
    const size_t nW = m->n_h * m->n_h;
    const float *W = bimt__W(m), *D = m->dist;
    const float *rest = m->params + nW; /* W_in, W_out, b_h, b_o follow W_rec contiguously */
    const size_t n_rest = m->n_params - nW;
    if (lambda == 0.0) {
        if (value) *value = 0.0;
        return BIMT_OK;
    }
    if (value) {
        double s1 = l1_sum(W, nW) + (priced(m) ? priced_l1_rest(m) : l1_sum(rest, n_rest));
        double s2 = A > 0.0 ? bimt__distance_sum(m) : 0.0;
        *value = lambda * (s1 + A * s2);
    }
    if (add_grad) {
        const float lf = (float)lambda, la = (float)(lambda * A);
        float *g = m->grad;
        for (size_t i = 0; i < nW; i++)
            g[i] += sgn(W[i]) * (lf + la * D[i]);
        float *gr = g + nW;
        if (priced(m))
            for (size_t i = 0; i < n_rest; i++)
                gr[i] += sgn(rest[i]) * ((lf + la * io_dist_at(m, nW + i)) * price_at(m, nW + i));
        else if (m->dist_in && A > 0.0)
            for (size_t i = 0; i < n_rest; i++)
                gr[i] += sgn(rest[i]) * (lf + la * io_dist_at(m, nW + i));
        else
            for (size_t i = 0; i < n_rest; i++)
                gr[i] += lf * sgn(rest[i]);
    }
    return BIMT_OK;
}

int bimt_model_distance_cost(const bimt_model_t *m, double A, double *value)
{
    if (!m || !value)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_distance_cost: %s is NULL",
                         !m ? "model" : "value");
    if (!check_coef(A))
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_model_distance_cost: A must be finite and "
                         ">= 0 (got %g)",
                         A);
    *value = A * bimt__distance_sum(m);
    return BIMT_OK;
}

/* Soft threshold: the closed-form minimiser of (theta - x)^2 / (2 t) + k |theta|. */
static float shrink(float x, float tk)
{
    if (x > tk) return x - tk;
    if (x < -tk) return x + tk;
    return 0.0f;
}

int bimt_model_connection_cost_prox(bimt_model_t *m, double lambda, double A, const float *step,
                                    size_t n_step, size_t *n_zero)
{
    if (!m || !step)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_connection_cost_prox: %s is NULL",
                         !m ? "model" : "step");
    if (!check_coef(lambda) || !check_coef(A))
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "connection cost prox: lambda and A must be in [0, 1e6] (got %g, %g)",
                          lambda, A);
    if (n_step != m->n_params)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "connection cost prox: n_step is %zu, the model has %zu parameters",
                          n_step, m->n_params);
    for (size_t i = 0; i < n_step; i++)
        if (!(step[i] >= 0.0f) || !isfinite(step[i]))
            return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                              "connection cost prox: step[%zu] is %g (must be finite and >= 0)", i,
                              (double)step[i]);
    const size_t nW = m->n_h * m->n_h;
    float *p = m->params;
    const float *D = m->dist;
    const float lf = (float)lambda, la = (float)(lambda * A);
    size_t zeros = 0;
    if (lambda > 0.0) {
        for (size_t i = 0; i < nW; i++)
            p[i] = shrink(p[i], step[i] * (lf + la * D[i]));
        if (priced(m))
            for (size_t i = nW; i < m->n_params; i++)
                p[i] = shrink(p[i], step[i] * ((lf + la * io_dist_at(m, i)) * price_at(m, i)));
        else
            for (size_t i = nW; i < m->n_params; i++)
                p[i] = shrink(p[i], step[i] * (lf + la * io_dist_at(m, i)));
    }
    if (n_zero) {
        for (size_t i = 0; i < m->n_params; i++)
            zeros += p[i] == 0.0f;
        *n_zero = zeros;
    }
    return BIMT_OK;
}
