/**
 * @file optim.h
 * @brief Adam over a flat float32 buffer (the model's parameter buffer, or any other).
 *
 * Update (Kingma & Ba, with bias correction; the framework default used by Yang et al.):
 *   g <- clip(g, -clip, clip) if clip > 0 (element-wise)
 *   m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * Thread safety: one thread at a time per optimizer.
 */
#ifndef BIMT_OPTIM_H
#define BIMT_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most values an optimizer may update (2^34: more than the largest model's parameters,
 * BIMT_MAX_HIDDEN * (BIMT_MAX_HIDDEN + 2 BIMT_MAX_IO) + ...). */
#define BIMT_MAX_PARAMS 17179869184ull

/** Opaque optimizer handle. */
typedef struct bimt_optimizer bimt_optimizer_t;

/** Options of bimt_adam_create(). Fill with bimt_adam_options_init() and change fields. A
 * smaller struct_size (an older header) gets defaults for the fields it lacks; a larger one
 * gives BIMT_E_VERSION. */
typedef struct bimt_adam_options {
    uint32_t struct_size; /**< set by bimt_adam_options_init() */
    double lr;            /**< learning rate (> 0, finite), default 1e-3 */
    double beta1;         /**< decay of the first moment, in [0, 1), default 0.9 */
    double beta2;         /**< decay of the second moment, in [0, 1), default 0.999 */
    double eps;           /**< denominator offset (> 0, finite), default 1e-8 */
    double grad_clip;     /**< element-wise gradient clip (>= 0), default 0 = off */
} bimt_adam_options;

/**
 * @brief Fills o with the defaults listed in bimt_adam_options. NULL is ignored. Thread-safe.
 * @param[out] o the options to fill (struct_size set, every field at its default).
 */
BIMT_API void bimt_adam_options_init(bimt_adam_options *o);

/**
 * @brief Creates an Adam optimizer for n_params values, moments zero, step 0.
 * Thread-safe (touches no existing handle).
 * @param[in] n_params length of the buffers it will update, 1 .. BIMT_MAX_PARAMS.
 * @param[in] options the options, or NULL for the defaults.
 * @param[out] out new handle (free with bimt_optimizer_free()); NULL on failure.
 * @return BIMT_OK, BIMT_E_INVALID_ARG (NULL out, n_params 0 or above BIMT_MAX_PARAMS, a value
 *         out of range or NaN),
 *         BIMT_E_VERSION (struct_size larger than this library's), BIMT_E_NOMEM. On failure
 *         bimt_last_error() says why.
 */
BIMT_API int bimt_adam_create(size_t n_params, const bimt_adam_options *options,
                              bimt_optimizer_t **out);

/**
 * @brief One Adam update of params (length n_params) with grad. Gradients are clipped
 * element-wise first when the clip value is positive (bimt_adam_set_clip()).
 * @param[in,out] opt the optimizer (moments and step count are updated).
 * @param[in,out] params [n_params] values updated in place.
 * @param[in] grad [n_params] gradient.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL). The gradient buffer is not modified.
 */
BIMT_API int bimt_adam_step(bimt_optimizer_t *opt, float *params, const float *grad);

/**
 * @brief Sets the learning rate (> 0, finite).
 * @param[in,out] opt the optimizer.
 * @param[in] lr the new learning rate.
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL opt, lr out of range; nothing changed).
 */
BIMT_API int bimt_adam_set_lr(bimt_optimizer_t *opt, double lr);
/**
 * @brief Sets element-wise gradient clipping (0 = off, else > 0).
 * @param[in,out] opt the optimizer.
 * @param[in] clip the clip value (finite, >= 0).
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL opt, clip out of range; nothing changed).
 */
BIMT_API int bimt_adam_set_clip(bimt_optimizer_t *opt, double clip);
/**
 * @brief Number of updates made so far (0 for NULL).
 * @param[in] opt the optimizer.
 * @return the step count t of the bias correction.
 */
BIMT_API uint64_t bimt_adam_steps(const bimt_optimizer_t *opt);
/**
 * @brief Length of the buffers the optimizer works on (0 for NULL).
 * @param[in] opt the optimizer.
 * @return n_params, or 0 for NULL.
 */
BIMT_API size_t bimt_adam_n_params(const bimt_optimizer_t *opt);
/**
 * @brief Borrowed views of the first and second moments [n_params].
 * @param[in] opt the optimizer.
 * @param[out] m optional: receives the first moments (valid until bimt_optimizer_free()).
 * @param[out] v optional: receives the second moments (valid until bimt_optimizer_free()).
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL opt).
 */
BIMT_API int bimt_adam_moments(const bimt_optimizer_t *opt, const float **m, const float **v);
/**
 * @brief Per-parameter step sizes of the last update: out[i] = lr / (sqrt(v_i / (1 - beta2^t))
 * + eps), Adam's diagonal preconditioner (the factor that turned the bias-corrected first moment
 * into the step). Feed it to bimt_model_connection_cost_prox() for a proximal L1 step in Adam's
 * metric. Thread-safe for an optimizer no thread mutates.
 * @param[in] opt the optimizer (at least one step taken).
 * @param[in] n must equal bimt_adam_n_params().
 * @param[out] out receives n values (caller-owned).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL opt or out, n not the parameter count, no step
 *         taken yet; out is not written).
 */
BIMT_API int bimt_adam_step_sizes(const bimt_optimizer_t *opt, size_t n, float *out);

/**
 * @brief Frees an optimizer. NULL is a no-op.
 * @param[in] opt the handle to free; views of its moments become invalid.
 */
BIMT_API void bimt_optimizer_free(bimt_optimizer_t *opt);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_OPTIM_H */
