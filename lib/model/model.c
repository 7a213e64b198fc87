/* bimt_model_t: creation, initialisation, parameter views and grid geometry.
 * Forward/backward live in rnn.c, the connection cost in cost.c, swaps in swap.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/model.h"
#include "common/blas.h"
#include "model/model_internal.h"

void bimt_model_params_init(bimt_model_params *p)
{
    if (!bimt__struct_init(p, sizeof *p)) return;
    p->grid_side = 16;
    p->n_in = 85;
    p->n_out = 33;
    p->activation = BIMT_ACT_SOFTPLUS;
    p->alpha = 0.2;
    p->sigma_rec = 0.05;
    p->init = BIMT_INIT_DIAG;
    p->init_scale = 0.5;
    p->loss = BIMT_LOSS_MSE;
    p->seed = 1;
    p->w_in_cost = 1.0;
    p->w_out_cost = 1.0;
}

const char *bimt_activation_name(int32_t a)
{
    static const char *const names[] = {"softplus", "relu", "tanh"};
    return a >= 0 && a < (int32_t)(sizeof names / sizeof names[0]) ? names[a] : NULL;
}

const char *bimt_init_name(int32_t i)
{
    static const char *const names[] = {"diag", "randortho", "gauss"};
    return i >= 0 && i < (int32_t)(sizeof names / sizeof names[0]) ? names[i] : NULL;
}

const char *bimt_tensor_name(int32_t t)
{
    static const char *const names[] = {"W_rec", "W_in", "W_out", "b_h", "b_o"};
    return t >= 0 && t < (int32_t)(sizeof names / sizeof names[0]) ? names[t] : NULL;
}

const char *bimt_distance_name(int32_t d)
{
    static const char *const names[] = {"manhattan", "euclidean"};
    return d >= 0 && d < (int32_t)(sizeof names / sizeof names[0]) ? names[d] : NULL;
}

const char *bimt_io_layout_name(int32_t l)
{
    static const char *const names[] = {"none", "edges"};
    return l >= 0 && l < (int32_t)(sizeof names / sizeof names[0]) ? names[l] : NULL;
}

int bimt__model_params_check(const bimt_model_params *p, char *e)
{
    if (p->struct_size != sizeof(*p))
        return bimt__fail(e, BIMT_E_VERSION,
                          "bimt_model_params.struct_size is %u, expected %u "
                          "(call bimt_model_params_init)",
                          (unsigned)p->struct_size, (unsigned)sizeof(*p));
    if (!p->positions && (p->grid_side == 0 || p->grid_side > 256))
        return bimt__fail(e, BIMT_E_INVALID_ARG, "grid_side must be in 1..256 (got %u)",
                          (unsigned)p->grid_side);
    if (p->positions) {
        if (p->n_slots == 0 || p->n_slots > 65536)
            return bimt__fail(e, BIMT_E_INVALID_ARG, "n_slots must be in 1..65536 (got %u)",
                              (unsigned)p->n_slots);
        if (p->dim == 0 || p->dim > BIMT_MAX_DIM)
            return bimt__fail(e, BIMT_E_INVALID_ARG, "dim must be in 1..%u (got %u)", BIMT_MAX_DIM,
                              (unsigned)p->dim);
        for (size_t i = 0; i < (size_t)p->n_slots * p->dim; i++)
            if (!bimt__finite(p->positions[i]))
                return bimt__fail(e, BIMT_E_INVALID_ARG,
                                  "positions[%zu] (slot %zu, coordinate %zu) is %g, not finite", i,
                                  i / p->dim, i % p->dim, p->positions[i]);
        if (p->io_layout != BIMT_IO_NONE)
            return bimt__fail(e, BIMT_E_INVALID_ARG,
                              "io_layout is %u: inputs and outputs have positions only beside "
                              "the grid; with caller positions use BIMT_IO_NONE (0)",
                              (unsigned)p->io_layout);
    }
    if (p->distance > BIMT_DIST_EUCLIDEAN)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "unknown distance %u", (unsigned)p->distance);
    if (p->neighbours > 65536)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "neighbours must be in 0..65536 (got %u)",
                          (unsigned)p->neighbours);
    if (p->n_in == 0 || p->n_in > 65536 || p->n_out == 0 || p->n_out > 65536)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "n_in and n_out must be in 1..65536 (got %u, %u)",
                          (unsigned)p->n_in, (unsigned)p->n_out);
    if ((unsigned)p->activation > BIMT_ACT_TANH)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "unknown activation %d", (int)p->activation);
    if (!(p->alpha > 0.0 && p->alpha <= 1.0))
        return bimt__fail(e, BIMT_E_INVALID_ARG, "alpha must be in (0, 1] (got %g)", p->alpha);
    if (!bimt__finite(p->sigma_rec) || p->sigma_rec < 0.0)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "sigma_rec must be finite and >= 0 (got %g)",
                          p->sigma_rec);
    if ((unsigned)p->init > BIMT_INIT_GAUSS)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "unknown init %d", (int)p->init);
    if (!bimt__finite(p->init_scale) || p->init_scale < 0.0)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "init_scale must be finite and >= 0 (got %g)",
                          p->init_scale);
    if ((unsigned)p->loss > BIMT_LOSS_CROSS_ENTROPY)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "unknown loss %d", (int)p->loss);
    if (p->io_layout > BIMT_IO_EDGES)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "unknown io_layout %u", (unsigned)p->io_layout);
    if (!(p->w_in_cost >= 0.0 && p->w_in_cost <= 1e6) ||
        !(p->w_out_cost >= 0.0 && p->w_out_cost <= 1e6))
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "w_in_cost and w_out_cost must be in [0, 1e6] (got %g, %g)", p->w_in_cost,
                          p->w_out_cost);
    return BIMT_OK;
}

double bimt__pos_distance(const double *x, const double *y, size_t dim, uint32_t kind)
{
    double s = 0.0;
    for (size_t d = 0; d < dim; d++) {
        double t = x[d] - y[d];
        s += kind == BIMT_DIST_EUCLIDEAN ? t * t : fabs(t);
    }
    return kind == BIMT_DIST_EUCLIDEAN ? sqrt(s) : s;
}

double bimt__model_slot_distance(const struct bimt_model *m, uint32_t a, uint32_t b)
{
    if (bimt__model_is_grid(m))
        return (double)bimt__slot_manhattan(m->side, a, b) / (double)m->side;
    return bimt__pos_distance(m->pos + (size_t)a * m->dim, m->pos + (size_t)b * m->dim, m->dim,
                              m->p.distance);
}

/* The cached (float) distance between slots a and b. */
static float slot_dist_f(const struct bimt_model *m, uint32_t a, uint32_t b)
{
    if (bimt__model_is_grid(m)) return bimt__slot_distance(m->side, a, b);
    return (float)bimt__model_slot_distance(m, a, b);
}

/* Row k of dist_in and column k of dist_out (neuron k's distances to inputs and outputs). */
static void update_io(struct bimt_model *m, size_t k)
{
    if (!m->dist_in) return;
    uint32_t kind = m->p.distance;
    for (size_t i = 0; i < m->n_in; i++)
        m->dist_in[k * m->n_in + i] = bimt__io_distance(m->side, m->slots[k], i, m->n_in, 0, kind);
    for (size_t o = 0; o < m->n_out; o++)
        m->dist_out[o * m->n_h + k] = bimt__io_distance(m->side, m->slots[k], o, m->n_out, 1, kind);
}

void bimt__model_update_distances(struct bimt_model *m)
{
    for (size_t i = 0; i < m->n_h; i++)
        for (size_t j = 0; j < m->n_h; j++)
            m->dist[i * m->n_h + j] = slot_dist_f(m, m->slots[i], m->slots[j]);
    for (size_t k = 0; k < m->n_h; k++)
        update_io(m, k);
}

void bimt__model_update_distance_row(struct bimt_model *m, size_t k)
{
    for (size_t j = 0; j < m->n_h; j++) {
        float d = slot_dist_f(m, m->slots[k], m->slots[j]);
        m->dist[k * m->n_h + j] = d;
        m->dist[j * m->n_h + k] = d;
    }
    update_io(m, k);
}

/* Rows and columns of tensor `which` (bimt_tensor order: W_rec, W_in, W_out, b_h, b_o). */
static void tensor_shape(const struct bimt_model *m, int which, size_t *rows, size_t *cols)
{
    const size_t shape[5][2] = {
        {m->n_h, m->n_h}, {m->n_h, m->n_in}, {m->n_out, m->n_h}, {m->n_h, 1}, {m->n_out, 1}};
    *rows = shape[which][0];
    *cols = shape[which][1];
}

static struct bimt_model *model_alloc(const bimt_model_params *p)
{
    struct bimt_model *m = calloc(1, sizeof(*m));
    if (!m) return NULL;
    m->p = *p;
    if (p->positions) {
        m->side = 0;
        m->n_h = p->n_slots;
        m->dim = p->dim;
        m->p.grid_side = 0;
    } else {
        m->side = p->grid_side;
        m->n_h = m->side * m->side;
        m->dim = 2;
        m->p.n_slots = 0;
        m->p.dim = 0;
    }
    static const size_t default_nbr[] = {0, 2, 8, 26};
    m->n_nbr = p->neighbours ? p->neighbours : default_nbr[m->dim];
    m->n_in = p->n_in;
    m->n_out = p->n_out;
    size_t off = 0;
    for (int i = 0; i < 5; i++) {
        size_t r, c;
        tensor_shape(m, i, &r, &c);
        m->off[i] = off;
        off += r * c;
    }
    m->n_params = off;
    m->params = bimt__calloc(m->n_params, sizeof(float));
    m->grad = bimt__calloc(m->n_params, sizeof(float));
    m->slots = bimt__malloc(m->n_h, sizeof(uint32_t));
    m->dist = bimt__malloc(m->n_h * m->n_h, sizeof(float));
    m->pos = bimt__malloc(m->n_h * m->dim, sizeof(double));
    if (m->pos && p->positions) {
        memcpy(m->pos, p->positions, m->n_h * m->dim * sizeof(double));
    } else if (m->pos) {
        for (uint32_t s = 0; s < m->n_h; s++) {
            m->pos[2 * s] = (double)bimt__slot_row(m->side, s) / (double)m->side;
            m->pos[2 * s + 1] = (double)bimt__slot_col(m->side, s) / (double)m->side;
        }
    }
    m->p.positions = p->positions ? m->pos : NULL;
    if (p->io_layout != BIMT_IO_NONE) {
        m->dist_in = bimt__malloc(m->n_h * m->n_in, sizeof(float));
        m->dist_out = bimt__malloc(m->n_out * m->n_h, sizeof(float));
    }
    if (!m->params || !m->grad || !m->slots || !m->dist || !m->pos ||
        (p->io_layout != BIMT_IO_NONE && (!m->dist_in || !m->dist_out))) {
        bimt_model_free(m);
        return NULL;
    }
    return m;
}

static int init_recurrent(struct bimt_model *m, bimt_rng *rng)
{
    size_t n = m->n_h;
    float *W = bimt__W(m);
    double g0 = m->p.init_scale;
    if (m->p.init == BIMT_INIT_DIAG) {
        for (size_t i = 0; i < n; i++)
            W[i * n + i] = (float)g0;
        return BIMT_OK;
    }
    if (m->p.init == BIMT_INIT_GAUSS) {
        double s = g0 / sqrt((double)n);
        for (size_t i = 0; i < n * n; i++)
            W[i] = (float)(s * bimt__rng_normal(rng));
        return BIMT_OK;
    }
    double *a = bimt__malloc(n * n, sizeof(double));
    if (!a) return bimt__err(BIMT_E_NOMEM, "model: out of memory (%zu x %zu init)", n, n);
    for (size_t i = 0; i < n * n; i++)
        a[i] = bimt__rng_normal(rng);
    int rc = bimt__orthogonalize(a, n);
    if (rc == BIMT_OK)
        for (size_t i = 0; i < n * n; i++)
            W[i] = (float)(g0 * a[i]);
    free(a);
    return rc;
}

int bimt_model_create(const bimt_model_params *params, bimt_model_t **out)
{
    if (!out) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_create: out is NULL");
    *out = NULL;
    bimt_model_params def;
    bimt_model_params_init(&def);
    int rc = bimt__params_in(&def, sizeof def, params, "bimt_model_params");
    if (rc) return rc;
    const bimt_model_params *p = &def;
    rc = bimt__model_params_check(p, NULL);
    if (rc) return rc;
    struct bimt_model *m = model_alloc(p);
    if (!m) return bimt__err(BIMT_E_NOMEM, "bimt_model_create: out of memory");

    bimt_rng rng;
    bimt__rng_seed(&rng, p->seed, BIMT_STREAM_INIT);
    rc = init_recurrent(m, &rng);
    if (rc) {
        bimt_model_free(m);
        return rc;
    }
    float *Win = bimt__Win(m), *Wout = bimt__Wout(m);
    double s_in = 1.0 / sqrt((double)m->n_in);
    for (size_t i = 0; i < m->n_h * m->n_in; i++)
        Win[i] = (float)(s_in * bimt__rng_normal(&rng));
    double lim = sqrt(6.0 / (double)(m->n_h + m->n_out)); /* Glorot uniform */
    for (size_t i = 0; i < m->n_out * m->n_h; i++)
        Wout[i] = (float)bimt__rng_range(&rng, -lim, lim);

    for (size_t k = 0; k < m->n_h; k++)
        m->slots[k] = (uint32_t)k;
    bimt__model_update_distances(m);
    bimt__rng_seed(&m->noise_rng, p->seed, BIMT_STREAM_NOISE);
    *out = m;
    return BIMT_OK;
}

int bimt_model_clone(const bimt_model_t *src, bimt_model_t **out)
{
    if (!out) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_clone: out is NULL");
    *out = NULL;
    if (!src) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_clone: model is NULL");
    struct bimt_model *m = model_alloc(&src->p);
    if (!m) return bimt__err(BIMT_E_NOMEM, "bimt_model_clone: out of memory");
    memcpy(m->params, src->params, src->n_params * sizeof(float));
    memcpy(m->grad, src->grad, src->n_params * sizeof(float));
    memcpy(m->slots, src->slots, src->n_h * sizeof(uint32_t));
    memcpy(m->dist, src->dist, src->n_h * src->n_h * sizeof(float));
    if (src->dist_in) {
        memcpy(m->dist_in, src->dist_in, src->n_h * src->n_in * sizeof(float));
        memcpy(m->dist_out, src->dist_out, src->n_out * src->n_h * sizeof(float));
    }
    m->noise_rng = src->noise_rng;
    if (src->n_silenced) {
        m->silenced = bimt__malloc(src->n_silenced, sizeof(uint32_t));
        if (!m->silenced) {
            bimt_model_free(m);
            return bimt__err(BIMT_E_NOMEM, "bimt_model_clone: out of memory");
        }
        memcpy(m->silenced, src->silenced, src->n_silenced * sizeof(uint32_t));
        m->n_silenced = src->n_silenced;
    }
    *out = m;
    return BIMT_OK;
}

void bimt_model_free(bimt_model_t *m)
{
    if (!m) return;
    bimt__rnn_ws_free(m->ws);
    bimt__free_all((void *[]){m->silenced, m->params, m->grad, m->slots, m->dist, m->pos,
                              m->dist_in, m->dist_out, m},
                   9);
}

const char *bimt_model_errmsg(const bimt_model_t *m)
{
    return m ? m->errmsg : "NULL model handle";
}

int bimt_model_get_params(const bimt_model_t *m, bimt_model_params *p)
{
    return bimt__params_out(m ? &m->p : NULL, p, sizeof *p, "bimt_model_get_params", "model");
}

/* The counts fit 32 bits: grid_side <= 256 (n_h <= 65536), n_in and n_out <= 65536. */
uint32_t bimt_model_n_hidden(const bimt_model_t *m)
{
    return m ? (uint32_t)m->n_h : 0;
}
uint32_t bimt_model_n_in(const bimt_model_t *m)
{
    return m ? (uint32_t)m->n_in : 0;
}
uint32_t bimt_model_n_out(const bimt_model_t *m)
{
    return m ? (uint32_t)m->n_out : 0;
}
uint32_t bimt_model_grid_side(const bimt_model_t *m)
{
    return m ? (uint32_t)m->side : 0;
}
uint32_t bimt_model_dim(const bimt_model_t *m)
{
    return m ? (uint32_t)m->dim : 0;
}
int32_t bimt_model_distance_kind(const bimt_model_t *m)
{
    return m ? (int32_t)m->p.distance : -1;
}
const double *bimt_model_positions(const bimt_model_t *m)
{
    return m ? m->pos : NULL;
}
size_t bimt_model_n_params(const bimt_model_t *m)
{
    return m ? m->n_params : 0;
}
float *bimt_model_params_data(bimt_model_t *m)
{
    return m ? m->params : NULL;
}
float *bimt_model_grad_data(bimt_model_t *m)
{
    return m ? m->grad : NULL;
}
const float *bimt_model_params_view(const bimt_model_t *m)
{
    return m ? m->params : NULL;
}

int bimt_model_tensor(const bimt_model_t *m, int32_t which, const float **data, uint32_t *rows,
                      uint32_t *cols, size_t *offset)
{
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_tensor: model is NULL");
    if (which < BIMT_W_REC || which > BIMT_B_O)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_tensor: unknown tensor %d", (int)which);
    size_t r, c;
    tensor_shape(m, which, &r, &c);
    if (data) *data = m->params + m->off[which];
    if (rows) *rows = (uint32_t)r; /* a count of neurons, inputs or outputs */
    if (cols) *cols = (uint32_t)c;
    if (offset) *offset = m->off[which];
    return BIMT_OK;
}

const uint32_t *bimt_model_slots(const bimt_model_t *m)
{
    return m ? m->slots : NULL;
}
const float *bimt_model_distances(const bimt_model_t *m)
{
    return m ? m->dist : NULL;
}

int bimt_model_set_slots(bimt_model_t *m, const uint32_t *slots, size_t n)
{
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_set_slots: model is NULL");
    if (!slots) return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG, "slots is NULL");
    if (n != m->n_h)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "slots has %zu entries, model has %zu "
                          "hidden neurons",
                          n, m->n_h);
    uint8_t *seen = bimt__calloc(n, 1);
    if (!seen) return bimt__fail(m->errmsg, BIMT_E_NOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        if (slots[k] >= n || seen[slots[k]]) {
            free(seen);
            return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                              "slots is not a permutation "
                              "(entry %zu = %u)",
                              k, (unsigned)slots[k]);
        }
        seen[slots[k]] = 1;
    }
    free(seen);
    memcpy(m->slots, slots, n * sizeof(uint32_t));
    bimt__model_update_distances(m);
    return BIMT_OK;
}

double bimt_model_distance(const bimt_model_t *m, uint32_t i, uint32_t j)
{
    if (!m || i >= m->n_h || j >= m->n_h) {
        if (!m)
            bimt__err(BIMT_E_INVALID_ARG, "bimt_model_distance: model is NULL");
        else
            bimt__err(BIMT_E_INVALID_ARG,
                      "bimt_model_distance: i (%u) and j (%u) must be below n_hidden (%zu)",
                      (unsigned)i, (unsigned)j, m->n_h);
        return -1.0;
    }
    return bimt__model_slot_distance(m, m->slots[i], m->slots[j]);
}

double bimt_model_io_distance(const bimt_model_t *m, uint32_t output, uint32_t k, uint32_t index)
{
    if (m && output > 1) {
        bimt__err(BIMT_E_INVALID_ARG, "bimt_model_io_distance: output must be 0 or 1 (got %u)",
                  (unsigned)output);
        return -1.0;
    }
    if (!m || k >= m->n_h || index >= (output ? m->n_out : m->n_in)) {
        if (!m)
            bimt__err(BIMT_E_INVALID_ARG, "bimt_model_io_distance: model is NULL");
        else
            bimt__err(BIMT_E_INVALID_ARG,
                      "bimt_model_io_distance: k (%u) must be below n_hidden (%zu) and index (%u) "
                      "below %s (%zu)",
                      (unsigned)k, m->n_h, (unsigned)index, output ? "n_out" : "n_in",
                      output ? m->n_out : m->n_in);
        return -1.0;
    }
    if (m->p.io_layout == BIMT_IO_NONE) return 0.0;
    return (double)bimt__io_distance(m->side, m->slots[k], index, output ? m->n_out : m->n_in,
                                     (int)output, m->p.distance);
}

void bimt_model_zero_grad(bimt_model_t *m)
{
    if (m) memset(m->grad, 0, m->n_params * sizeof(float));
}

int bimt_model_weights_grid_order(const bimt_model_t *m, float *dst_W, float *dst_in,
                                  float *dst_out, float *dst_bh)
{
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_weights_grid_order: model is NULL");
    size_t n = m->n_h;
    const float *W = bimt__W(m), *Win = bimt__Win(m), *Wout = bimt__Wout(m), *bh = bimt__bh(m);
    for (size_t i = 0; i < n; i++) {
        size_t si = m->slots[i];
        if (dst_W)
            for (size_t j = 0; j < n; j++)
                dst_W[si * n + m->slots[j]] = W[i * n + j];
        if (dst_in) memcpy(dst_in + si * m->n_in, Win + i * m->n_in, m->n_in * sizeof(float));
        if (dst_out)
            for (size_t o = 0; o < m->n_out; o++)
                dst_out[o * n + si] = Wout[o * n + i];
        if (dst_bh) dst_bh[si] = bh[i];
    }
    return BIMT_OK;
}

int bimt_model_set_silenced(bimt_model_t *m, const uint8_t *silenced, size_t n)
{
    if (!m) return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_set_silenced: model is NULL");
    if (silenced && n != m->n_h)
        return bimt__fail(m->errmsg, BIMT_E_INVALID_ARG,
                          "bimt_model_set_silenced: n is %zu, the model has %zu hidden neurons", n,
                          m->n_h);
    size_t count = 0;
    for (size_t k = 0; silenced && k < n; k++)
        count += silenced[k] != 0;
    uint32_t *list = count ? bimt__malloc(count, sizeof(uint32_t)) : NULL;
    if (count && !list)
        return bimt__fail(m->errmsg, BIMT_E_NOMEM, "bimt_model_set_silenced: out of memory");
    for (size_t k = 0, c = 0; count && k < n; k++)
        if (silenced[k]) list[c++] = (uint32_t)k;
    free(m->silenced);
    m->silenced = list;
    m->n_silenced = count;
    return BIMT_OK;
}

size_t bimt_model_n_silenced(const bimt_model_t *m)
{
    return m ? m->n_silenced : 0;
}
