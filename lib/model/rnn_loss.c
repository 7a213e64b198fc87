/* Losses of the last forward (bimt_model_loss): Yang et al.'s masked squared error on sigmoid
 * outputs and the mask-weighted cross-entropy on softmax outputs. Each stores dL/do for
 * bimt_model_backward(). Element-wise work is float32 (vectorized); sums are double.
 * Also their activity regularisers on the rates (bimt_model_activity_cost), stored as dcost/dh. */
#include <math.h>

#include "bimt/regularizer.h"
#include "common/bigbuf.h"
#include "model/rnn_internal.h"
#include "common/vmath.h"

/* MSE, one row of n outputs: res = mask (y - sigmoid(o)) into rb; dL/do into g.
 * d/do of coef' * res^2 with coef = -2/N: coef * mask * res * z (1 - z). */
static BIMT_ALWAYS_INLINE void mse_row_body(const float *restrict o, const float *restrict y,
                                            const float *restrict mk, size_t n, float coef,
                                            float *restrict rb, float *restrict g)
{
    for (size_t k = 0; k < n; k++) {
        float z = bimt__v_sigmoid(o[k]);
        float res = mk[k] * (y[k] - z);
        rb[k] = res;
        g[k] = coef * mk[k] * res * (z * (1.0f - z));
    }
}

/* CE, one row: rb = e^(o - mx) (the caller sums it in double). */
static BIMT_ALWAYS_INLINE void ce_exp_body(const float *restrict o, size_t n, float mx,
                                           float *restrict rb)
{
    for (size_t k = 0; k < n; k++)
        rb[k] = bimt__v_exp(o[k] - mx);
}

/* CE, one row: g = coef * (ysum * e / s - y), coef = mask / (T B). */
static BIMT_ALWAYS_INLINE void ce_grad_body(const float *restrict e, const float *restrict y,
                                            size_t n, float ysum, float inv_s, float coef,
                                            float *restrict g)
{
    for (size_t k = 0; k < n; k++)
        g[k] = coef * (ysum * (e[k] * inv_s) - y[k]);
}

static void mse_row_generic(const float *o, const float *y, const float *mk, size_t n, float coef,
                            float *rb, float *g)
{
    mse_row_body(o, y, mk, n, coef, rb, g);
}
static void ce_exp_generic(const float *o, size_t n, float mx, float *rb)
{
    ce_exp_body(o, n, mx, rb);
}
static void ce_grad_generic(const float *e, const float *y, size_t n, float ysum, float inv_s,
                            float coef, float *g)
{
    ce_grad_body(e, y, n, ysum, inv_s, coef, g);
}

#if BIMT_HAVE_AVX2_PATH
BIMT_AVX2 static void mse_row_avx2(const float *o, const float *y, const float *mk, size_t n,
                                   float coef, float *rb, float *g)
{
    mse_row_body(o, y, mk, n, coef, rb, g);
}
BIMT_AVX2 static void ce_exp_avx2(const float *o, size_t n, float mx, float *rb)
{
    ce_exp_body(o, n, mx, rb);
}
BIMT_AVX2 static void ce_grad_avx2(const float *e, const float *y, size_t n, float ysum,
                                   float inv_s, float coef, float *g)
{
    ce_grad_body(e, y, n, ysum, inv_s, coef, g);
}
#define PICK(ws, name) ((ws)->avx2 ? name##_avx2 : name##_generic)
#else
#define PICK(ws, name) (name##_generic)
#endif

static double loss_mse(struct bimt_rnn_ws *ws, size_t no, const float *Y, const float *M)
{
    const size_t rows = ws->T * ws->B;
    const double N = (double)rows * (double)no;
    const float coef = (float)(-2.0 / N);
    void (*row)(const float *, const float *, const float *, size_t, float, float *, float *) =
        PICK(ws, mse_row);
    float *rb = ws->rowbuf;
    double sum = 0.0;
    for (size_t r = 0; r < rows; r++) {
        size_t off = r * no;
        row(ws->O + off, Y + off, M + off, no, coef, rb, ws->dO + off);
        for (size_t k = 0; k < no; k++)
            sum += (double)rb[k] * (double)rb[k];
    }
    return sum / N;
}

static double loss_ce(struct bimt_rnn_ws *ws, size_t no, const float *Y, const float *M)
{
    const size_t rows = ws->T * ws->B;
    const double inv_tb = 1.0 / (double)rows;
    void (*ex)(const float *, size_t, float, float *) = PICK(ws, ce_exp);
    void (*gr)(const float *, const float *, size_t, float, float, float, float *) =
        PICK(ws, ce_grad);
    float *rb = ws->rowbuf;
    double total = 0.0;
    for (size_t r = 0; r < rows; r++) {
        const float *o = ws->O + r * no, *y = Y + r * no;
        float mx = o[0];
        for (size_t k = 1; k < no; k++)
            mx = o[k] > mx ? o[k] : mx;
        ex(o, no, mx, rb);
        double s = 0.0, ysum = 0.0, yo = 0.0;
        for (size_t k = 0; k < no; k++) {
            s += (double)rb[k];
            ysum += (double)y[k];
            yo += (double)y[k] * (double)o[k];
        }
        double lse = (double)mx + log(s);
        double m0 = (double)M[r * no];
        total += m0 * (ysum * lse - yo);
        gr(rb, y, no, (float)ysum, (float)(1.0 / s), (float)(m0 * inv_tb), ws->dO + r * no);
    }
    return total * inv_tb;
}

int bimt_model_loss(bimt_model_t *m, const float *y, const float *mask, double *loss)
{
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_loss: model is NULL");
    if (!y || !mask || !loss)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG, "bimt_model_loss: %s is NULL",
                          !y      ? "y"
                          : !mask ? "mask"
                                  : "loss");
    struct bimt_rnn_ws *ws = m->ws;
    if (!ws || !ws->have_fwd)
        return bimt__fail(m->errmsg, BIMT_E_STATE, "loss: no forward pass to score");
    double v = m->p.loss == BIMT_LOSS_CROSS_ENTROPY ? loss_ce(ws, m->n_out, y, mask)
                                                    : loss_mse(ws, m->n_out, y, mask);
    ws->have_loss = 1;
    *loss = v;
    return BIMT_OK;
}

/* Yang et al.'s l1_h and l2_h on the rates h_0 .. h_{T-1} of the last forward (regularizer.h):
 * the cost in double, dcost/dh in float into ws->dR for the backward to add. */
int bimt_model_activity_cost(bimt_model_t *m, double l1_h, double l2_h, double *value)
{
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_activity_cost: model is NULL");
    if (!(bimt__finite(l1_h) && l1_h >= 0.0 && l1_h <= 1e6) ||
        !(bimt__finite(l2_h) && l2_h >= 0.0 && l2_h <= 1e6))
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "activity cost: l1_h and l2_h must be in [0, 1e6] (got %g, %g)", l1_h,
                          l2_h);
    struct bimt_rnn_ws *ws = m->ws;
    if (!ws || !ws->have_fwd)
        return bimt__fail(m->errmsg, BIMT_E_STATE, "activity cost: no forward pass to score");
    const size_t nh = m->n_h, rows = ws->T * ws->B, n = rows * nh;
    if (l1_h == 0.0 && l2_h == 0.0) {
        ws->have_act = 0;
        if (value) *value = 0.0;
        return BIMT_OK;
    }
    if (rows > ws->cap_dR) {
        float *d = bimt__big_alloc(ws->cap_rows, nh * sizeof(float));
        if (!d)
            return bimt__fail(m->errmsg, BIMT_E_NOMEM, "activity cost: out of memory for %zu rows",
                              rows);
        bimt__big_free(ws->dR);
        ws->dR = d;
        ws->cap_dR = ws->cap_rows;
    }
    const float *h = ws->Hs + ws->B * nh; /* h_0 .. h_{T-1}, after the zero block */
    const float c1 = (float)(l1_h / (double)n), c2 = (float)l2_h;
    double s1 = 0.0, s2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float r = h[i];
        const float sg = (float)((r > 0.0f) - (r < 0.0f));
        s1 += fabs((double)r);
        s2 += (double)r * (double)r;
        ws->dR[i] = c1 * sg + c2 * r;
    }
    ws->have_act = 1;
    if (value) *value = l1_h * s1 / (double)n + l2_h * 0.5 * s2;
    return BIMT_OK;
}
