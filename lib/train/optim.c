/* Adam over a flat float32 buffer (Kingma & Ba, bias-corrected), optional element-wise
 * gradient clipping. Moments are float32; the bias-correction scalars are double. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "train/optim_internal.h"
#include "common/vmath.h"

static int coef_ok(double x)
{
    return bimt__finite(x);
}

void bimt_adam_options_init(bimt_adam_options *o)
{
    if (!bimt__struct_init(o, sizeof *o)) return;
    o->lr = 1e-3;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->grad_clip = 0.0;
}

int bimt_adam_create(size_t n, const bimt_adam_options *opt, bimt_optimizer_t **out)
{
    if (!out) return bimt__err(BIMT_E_INVALID_ARG, "bimt_adam_create: out is NULL");
    *out = NULL;
    bimt_adam_options o_;
    bimt_adam_options_init(&o_);
    int rc = bimt__params_in(&o_, sizeof o_, opt, "bimt_adam_options");
    if (rc) return rc;
    const double lr = o_.lr, beta1 = o_.beta1, beta2 = o_.beta2, eps = o_.eps;
    if (n == 0 || (uint64_t)n > BIMT_MAX_PARAMS)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_adam_create: n_params must be in 1..%llu (got %zu)",
                         (unsigned long long)BIMT_MAX_PARAMS, n);
    if (!coef_ok(lr) || lr <= 0.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_adam_options.lr must be finite and > 0 "
                         "(got %g)",
                         lr);
    if (!coef_ok(beta1) || beta1 < 0.0 || beta1 >= 1.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_adam_options.beta1 must be in [0, 1) "
                         "(got %g)",
                         beta1);
    if (!coef_ok(beta2) || beta2 < 0.0 || beta2 >= 1.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_adam_options.beta2 must be in [0, 1) "
                         "(got %g)",
                         beta2);
    if (!coef_ok(eps) || eps <= 0.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_adam_options.eps must be finite and > 0 "
                         "(got %g)",
                         eps);
    if (!coef_ok(o_.grad_clip) || o_.grad_clip < 0.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_adam_options.grad_clip must be finite and "
                         ">= 0 (got %g)",
                         o_.grad_clip);
    struct bimt_optimizer *o = calloc(1, sizeof(*o));
    if (!o) return bimt__err(BIMT_E_NOMEM, "bimt_adam_create: out of memory");
    o->m = bimt__calloc(n, sizeof(float));
    o->v = bimt__calloc(n, sizeof(float));
    if (!o->m || !o->v) {
        bimt_optimizer_free(o);
        return bimt__err(BIMT_E_NOMEM, "bimt_adam_create: out of memory for %zu moments", n);
    }
    o->n = n;
    o->lr = lr;
    o->beta1 = beta1;
    o->beta2 = beta2;
    o->eps = eps;
    o->clip = o_.grad_clip;
    *out = o;
    return BIMT_OK;
}

void bimt_optimizer_free(bimt_optimizer_t *o)
{
    if (!o) return;
    bimt__free_all((void *[]){o->m, o->v, o}, 3);
}

/* m and v updated in place, p -= sc * m / (sqrt(v * ic2) + eps) with sc = lr / (1 - b1^t),
 * ic2 = 1 / (1 - b2^t); c1 = 1 - b1 and c2 = 1 - b2 are rounded from double (1.0f - 0.999f
 * would be 1.3e-5 off). The square root is bimt__v_sqrt_pos() (sqrtf() keeps the loop scalar):
 * relative error ~1e-7, exactly 0 for v = 0, inaccurate only for subnormal v, where eps
 * dominates anyway. */
static BIMT_ALWAYS_INLINE void adam_body(size_t n, float *restrict p, const float *restrict g,
                                         float *restrict m, float *restrict v, float b1, float b2,
                                         float c1, float c2, float sc, float ic2, float eps,
                                         float clip)
{
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        gi = gi > clip ? clip : gi; /* clip is +Inf when clipping is off */
        gi = gi < -clip ? -clip : gi;
        float mi = b1 * m[i] + c1 * gi;
        float vi = b2 * v[i] + c2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        p[i] -= sc * mi / (bimt__v_sqrt_pos(vi * ic2) + eps);
    }
}

static void adam_generic(size_t n, float *p, const float *g, float *m, float *v, float b1, float b2,
                         float c1, float c2, float sc, float ic2, float eps, float clip)
{
    adam_body(n, p, g, m, v, b1, b2, c1, c2, sc, ic2, eps, clip);
}

#if BIMT_HAVE_AVX2_PATH
BIMT_AVX2 static void adam_avx2(size_t n, float *p, const float *g, float *m, float *v, float b1,
                                float b2, float c1, float c2, float sc, float ic2, float eps,
                                float clip)
{
    adam_body(n, p, g, m, v, b1, b2, c1, c2, sc, ic2, eps, clip);
}
#endif

int bimt_adam_step(bimt_optimizer_t *o, float *params, const float *grad)
{
    if (!o || !params || !grad)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_adam_step: %s is NULL",
                         !o        ? "opt"
                         : !params ? "params"
                                   : "grad");
    o->t++;
    double t = (double)o->t;
    double bc1 = 1.0 - pow(o->beta1, t), bc2 = 1.0 - pow(o->beta2, t);
    float sc = (float)(o->lr / bc1), ic2 = (float)(1.0 / bc2);
    float b1 = (float)o->beta1, b2 = (float)o->beta2, eps = (float)o->eps;
    float c1 = (float)(1.0 - o->beta1), c2 = (float)(1.0 - o->beta2);
    float clip = o->clip > 0.0 ? (float)o->clip : INFINITY;
#if BIMT_HAVE_AVX2_PATH
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        adam_avx2(o->n, params, grad, o->m, o->v, b1, b2, c1, c2, sc, ic2, eps, clip);
    else
#endif
        adam_generic(o->n, params, grad, o->m, o->v, b1, b2, c1, c2, sc, ic2, eps, clip);
    return BIMT_OK;
}

int bimt_adam_step_sizes(const bimt_optimizer_t *o, size_t n, float *out)
{
    if (!o || !out)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_adam_step_sizes: %s is NULL",
                         !o ? "opt" : "out");
    if (n != o->n)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_adam_step_sizes: n is %zu, the optimizer has "
                         "%zu parameters",
                         n, o->n);
    if (o->t == 0) return bimt__err(BIMT_E_INVALID_ARG, "bimt_adam_step_sizes: no step taken yet");
    float ic2 = (float)(1.0 / (1.0 - pow(o->beta2, (double)o->t)));
    float lr = (float)o->lr, eps = (float)o->eps;
    for (size_t i = 0; i < n; i++)
        out[i] = lr / (bimt__v_sqrt_pos(o->v[i] * ic2) + eps);
    return BIMT_OK;
}

int bimt_adam_set_lr(bimt_optimizer_t *o, double lr)
{
    if (!o) return bimt__err(BIMT_E_INVALID_ARG, "bimt_adam_set_lr: opt is NULL");
    if (!coef_ok(lr) || lr <= 0.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_adam_set_lr: lr must be finite and > 0 "
                         "(got %g)",
                         lr);
    o->lr = lr;
    return BIMT_OK;
}

int bimt_adam_set_clip(bimt_optimizer_t *o, double clip)
{
    if (!o) return bimt__err(BIMT_E_INVALID_ARG, "bimt_adam_set_clip: opt is NULL");
    if (!coef_ok(clip) || clip < 0.0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_adam_set_clip: clip must be finite and >= 0 "
                         "(got %g)",
                         clip);
    o->clip = clip;
    return BIMT_OK;
}

uint64_t bimt_adam_steps(const bimt_optimizer_t *o)
{
    return o ? o->t : 0;
}
size_t bimt_adam_n_params(const bimt_optimizer_t *o)
{
    return o ? o->n : 0;
}

int bimt_adam_moments(const bimt_optimizer_t *o, const float **m, const float **v)
{
    if (!o) return bimt__err(BIMT_E_INVALID_ARG, "bimt_adam_moments: opt is NULL");
    if (m) *m = o->m;
    if (v) *v = o->v;
    return BIMT_OK;
}

int bimt__adam_state(bimt_optimizer_t *o, float **m, float **v, uint64_t *t)
{
    if (!o) return bimt__err(BIMT_E_INVALID_ARG, "bimt__adam_state: opt is NULL");
    if (m) *m = o->m;
    if (v) *v = o->v;
    if (t) *t = o->t;
    return BIMT_OK;
}

int bimt__adam_set_steps(bimt_optimizer_t *o, uint64_t t)
{
    if (!o) return bimt__err(BIMT_E_INVALID_ARG, "bimt__adam_set_steps: opt is NULL");
    o->t = t;
    return BIMT_OK;
}

int bimt__adam_copy_state(bimt_optimizer_t *dst, const bimt_optimizer_t *src)
{
    if (!dst || !src || dst->n != src->n)
        return bimt__err(BIMT_E_INVALID_ARG, "adam state copy: optimizers differ in size");
    if (dst == src) return BIMT_OK;
    memcpy(dst->m, src->m, src->n * sizeof(float));
    memcpy(dst->v, src->v, src->n * sizeof(float));
    dst->t = src->t;
    dst->lr = src->lr;
    dst->beta1 = src->beta1;
    dst->beta2 = src->beta2;
    dst->eps = src->eps;
    dst->clip = src->clip;
    return BIMT_OK;
}
