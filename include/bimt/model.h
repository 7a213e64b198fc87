/**
 * @file model.h
 * @brief The leaky RNN whose hidden neurons sit on a 2D grid (bimt_model_t).
 *
 * Dynamics (column-vector convention of the seed paper; alpha = dt/tau):
 *   h_t = (1 - alpha) h_{t-1} + alpha * phi(W h_{t-1} + W_in x_t + b_h + xi_t),  h_{-1} = 0
 *   o_t = W_out h_t + b_o      (pre-nonlinearity outputs; sigmoid for MSE, softmax for CE)
 * with xi_t ~ N(0, (sigma_rec sqrt(2/alpha))^2) when a forward call asks for noise.
 *
 * All parameters live in one flat float32 buffer, in this order:
 *   W_rec [n_hidden][n_hidden]  (W_rec[i][j]: weight from neuron j to neuron i)
 *   W_in  [n_hidden][n_in]
 *   W_out [n_out][n_hidden]
 *   b_h   [n_hidden]
 *   b_o   [n_out]
 * The gradient buffer mirrors it. Neuron k sits at grid slot slots[k] = row*grid_side + col;
 * the distance between neurons i and j is (|dr| + |dc|) / grid_side. A model may instead take
 * its slots' positions from the caller (n_slots points in 1 to 3 dimensions, Manhattan or
 * Euclidean distance: bimt_model_params.positions); slots[k] then indexes those positions.
 *
 * Ownership: pointers returned by the view functions are borrowed from the model and valid
 * until the model is freed; their contents change with every mutating call.
 * Thread safety: one thread at a time per model; const calls may run concurrently as long as
 * no thread mutates the model. Reproducibility: bit-identical results need the same library
 * version, BLAS library and BLAS thread count, and a CPU with the same vector features (AVX2/FMA
 * kernels are chosen at run time).
 *
 * Internal threads: the per-step loops of bimt_model_forward() and bimt_model_backward() run on
 * worker threads owned by the model (created at its first forward, joined by
 * bimt_model_free(); they sleep between calls). Their number is the environment variable
 * BIMT_NUM_THREADS (1..64) if set when the model first runs forward (then they are always
 * used), else the number of online CPUs (at most 8), used when the timings of recent calls
 * show that they are faster than the calling thread alone (on a busy machine they may not be).
 * The threads share out blocks of trials (or, for batches under 8 trials per thread, column
 * panels of the hidden layer; BIMT_RNN_SPLIT=rows|panels forces one or the other, other values
 * are ignored). Results are bit-identical for any number of these threads and either split.
 * A model used in a child process after fork() runs those loops on the calling thread.
 */
#ifndef BIMT_MODEL_H
#define BIMT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/export.h"
#include "bimt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Hidden nonlinearity phi. */
typedef enum bimt_activation {
    BIMT_ACT_SOFTPLUS = 0, /**< ln(1 + e^u), Yang et al.'s main networks */
    BIMT_ACT_RELU = 1,     /**< max(0, u) */
    BIMT_ACT_TANH = 2      /**< tanh(u) */
} bimt_activation;

/** Initialisation of W_rec (W_in ~ N(0,1)/sqrt(n_in), W_out Glorot-uniform, biases 0). */
typedef enum bimt_init {
    BIMT_INIT_DIAG = 0,      /**< init_scale * I */
    BIMT_INIT_RANDORTHO = 1, /**< init_scale * Q, Q Haar-random orthogonal (LAPACKE QR) */
    BIMT_INIT_GAUSS = 2      /**< init_scale * N(0,1)/sqrt(n_hidden) */
} bimt_init;

/**
 * Where the inputs and outputs sit relative to the grid, i.e. whether W_in and W_out pay a
 * wiring distance in the connection cost (and so move with the swap step) or only their L1.
 */
typedef enum bimt_io_layout {
    BIMT_IO_NONE = 0, /**< no positions: W_in and W_out pay the plain L1 term only (default) */
    BIMT_IO_EDGES = 1 /**< input i at row (i + 0.5) * side / n_in - 0.5, column -1 (along the
                           left edge, just outside the grid); output o at row
                           (o + 0.5) * side / n_out - 0.5, column side (the right edge) */
} bimt_io_layout;

/**
 * Distance between two slot positions x and y (bimt_model_params.distance). Under the default
 * grid, x and y are the slots' (row, col) / grid_side.
 */
typedef enum bimt_distance {
    BIMT_DIST_MANHATTAN = 0, /**< sum_d |x_d - y_d| (the seed paper's; default) */
    BIMT_DIST_EUCLIDEAN = 1  /**< sqrt(sum_d (x_d - y_d)^2) (seRNN's) */
} bimt_distance;

/** Most coordinates a slot position may have (bimt_model_params.dim is 1..BIMT_MAX_DIM). */
#define BIMT_MAX_DIM 3u
/** Largest grid side (bimt_model_params.grid_side is 1..BIMT_MAX_GRID_SIDE; the main job
 * uses 16 or 20). */
#define BIMT_MAX_GRID_SIDE 256u
/** Most hidden neurons of a model (BIMT_MAX_GRID_SIDE^2 = 2^16; also the bound of n_slots,
 * neighbours and of the n_hidden, top_k and k_max arguments of the analysis calls). */
#define BIMT_MAX_HIDDEN 65536u
/** Most inputs or outputs of a model (bimt_model_params.n_in and n_out are 1..BIMT_MAX_IO). */
#define BIMT_MAX_IO 65536u

/** Which parameter tensor a view refers to. */
typedef enum bimt_tensor {
    BIMT_W_REC = 0,
    BIMT_W_IN = 1,
    BIMT_W_OUT = 2,
    BIMT_B_H = 3,
    BIMT_B_O = 4
} bimt_tensor;

/** Opaque model handle. */
typedef struct bimt_model bimt_model_t;

/** Model parameters. Fill with bimt_model_params_init() and change fields. A struct_size
 * smaller than sizeof (a caller built against an older header) is accepted: the fields it
 * lacks get their defaults; a larger one gives BIMT_E_VERSION. */
typedef struct bimt_model_params {
    uint32_t struct_size; /**< set by bimt_model_params_init() */
    uint32_t
        grid_side; /**< n: n*n hidden neurons on an n x n grid, 1..BIMT_MAX_GRID_SIDE; default 16 */
    uint32_t n_in; /**< number of inputs, 1..BIMT_MAX_IO, default 85 (the 20-task battery) */
    uint32_t n_out;     /**< number of outputs, 1..BIMT_MAX_IO, default 33 (the 20-task battery) */
    int32_t activation; /**< a bimt_activation value; default BIMT_ACT_SOFTPLUS */
    double alpha;       /**< leak dt/tau in (0, 1]; default 0.2; 1 = the seed's eq. 1 */
    double sigma_rec;   /**< recurrent noise, default 0.05 (used with BIMT_FWD_NOISE) */
    int32_t init;       /**< a bimt_init value; default BIMT_INIT_DIAG */
    double init_scale;  /**< default 0.5 (tanh: use 1.0) */
    int32_t loss;       /**< a bimt_loss value: loss of bimt_model_loss(); default BIMT_LOSS_MSE */
    uint64_t seed;      /**< initialisation and noise seed; default 1 */
    uint32_t io_layout; /**< bimt_io_layout: positions of inputs and outputs; default
                             BIMT_IO_NONE */
    /** Slot positions given by the caller, or NULL (default) for the grid_side x grid_side
     * grid, slot s at (s / grid_side, s % grid_side) / grid_side. Otherwise [n_slots][dim]
     * doubles, row-major: slot s sits at positions[s * dim .. s * dim + dim - 1]; the model has
     * n_slots hidden neurons, grid_side is ignored (stored as 0), io_layout must be
     * BIMT_IO_NONE. Borrowed for bimt_model_create() only: the model keeps a copy, and
     * bimt_model_get_params() returns a pointer to that copy (valid until bimt_model_free()).
     * Coordinates must be finite; equal positions are allowed. */
    const double *positions;
    uint32_t n_slots; /**< number of positions, 1..BIMT_MAX_HIDDEN (with positions; else ignored) */
    uint32_t dim;     /**< coordinates per position, 1..BIMT_MAX_DIM (with positions) */
    uint32_t distance;   /**< a bimt_distance: metric between slot positions; default
                              BIMT_DIST_MANHATTAN */
    uint32_t neighbours; /**< k of the anatomical neighbourhood (bimt_anatomy_metrics(): the
                              slots within the k-th nearest-slot distance; see
                              docs/analysis.md); 0 (default) = 2, 8, 26 in 1, 2, 3 dimensions
                              (the grid: 8, its 8 neighbours); at most 65536 */
    double w_in_cost;    /**< price of W_in in the connection cost: each W_in entry pays
                              w_in_cost * (1 + A * D) instead of 1 + A * D (regularizer.h; also in
                              the proximal step and the swap's io terms); in [0, 1e6], default 1 */
    double w_out_cost;   /**< the same for W_out; in [0, 1e6], default 1 */
} bimt_model_params;

/**
 * @brief Fills p with the defaults listed in bimt_model_params. NULL is ignored. Thread-safe.
 * @param[out] p the parameters to fill (struct_size set, every field at its default).
 */
BIMT_API void bimt_model_params_init(bimt_model_params *p);

/**
 * @brief Name of an activation ("softplus", "relu", "tanh").
 * @param[in] activation a bimt_activation value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_activation_name(int32_t activation);

/**
 * @brief Name of an initialisation ("diag", "randortho", "gauss").
 * @param[in] init a bimt_init value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_init_name(int32_t init);

/**
 * @brief Name of a parameter tensor ("W_rec", "W_in", "W_out", "b_h", "b_o").
 * @param[in] tensor a bimt_tensor value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_tensor_name(int32_t tensor);

/**
 * @brief Name of an io layout ("none", "edges").
 * @param[in] layout a bimt_io_layout value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_io_layout_name(int32_t layout);

/**
 * @brief Name of a distance ("manhattan", "euclidean").
 * @param[in] distance a bimt_distance value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_distance_name(int32_t distance);

/**
 * @brief Creates and initialises a model.
 * @param[in] params parameters, or NULL for the defaults.
 * @param[out] out new handle (caller frees with bimt_model_free()); NULL on failure.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL out, grid_side 0 or > 256, n_in/n_out 0 or > 65536,
 *         alpha outside (0,1], negative/NaN/Inf sigma_rec or init_scale, unknown enum; with
 *         positions: n_slots 0 or > 65536, dim 0 or > BIMT_MAX_DIM, a NaN or infinite
 *         coordinate, io_layout other than BIMT_IO_NONE; neighbours > 65536);
 *         BIMT_E_VERSION (struct_size larger than this library's); BIMT_E_NOMEM;
 *         BIMT_E_NUMERIC (QR failed). On failure bimt_last_error() says why.
 * Thread safety: safe from any thread (touches no existing handle).
 */
BIMT_API int bimt_model_create(const bimt_model_params *params, bimt_model_t **out);

/**
 * @brief Deep copy of a model: parameters, gradients, positions, noise stream.
 * The forward/backward workspace is not copied (call forward again on the clone).
 * @param[in] model the model to copy (read only; may be used concurrently by other const
 *        calls).
 * @param[out] out new handle (caller frees with bimt_model_free()); NULL on failure.
 * @return BIMT_OK, BIMT_E_INVALID_ARG (NULL out or model), BIMT_E_NOMEM.
 */
BIMT_API int bimt_model_clone(const bimt_model_t *model, bimt_model_t **out);

/**
 * @brief Frees a model (and joins its worker threads). NULL is a no-op.
 * @param[in] model the handle to free; every view borrowed from it becomes invalid.
 */
BIMT_API void bimt_model_free(bimt_model_t *model);

/**
 * @brief Message of the last failed call ("" if none); owned by the model.
 * @param[in] model the model.
 * @return a string owned by the model, valid until bimt_model_free() (its contents change
 *         with the next failed call); a static message for NULL.
 */
BIMT_API const char *bimt_model_errmsg(const bimt_model_t *model);

/**
 * @brief Copies the creation parameters into *p.
 * @param[in] model the model.
 * @param[out] p receives the parameters.
 *        Set p->struct_size first: the parameters are written up to it.
 * @return BIMT_OK, BIMT_E_INVALID_ARG (NULL model or p) or BIMT_E_VERSION (struct_size unset).
 */
BIMT_API int bimt_model_get_params(const bimt_model_t *model, bimt_model_params *p);

/**
 * @brief Number of hidden neurons (grid_side^2); 0 for NULL.
 * @param[in] model the model.
 * @return n_hidden, or 0 for NULL.
 */
BIMT_API uint32_t bimt_model_n_hidden(const bimt_model_t *model);
/**
 * @brief Number of inputs; 0 for NULL.
 * @param[in] model the model.
 * @return n_in, or 0 for NULL.
 */
BIMT_API uint32_t bimt_model_n_in(const bimt_model_t *model);
/**
 * @brief Number of outputs; 0 for NULL.
 * @param[in] model the model.
 * @return n_out, or 0 for NULL.
 */
BIMT_API uint32_t bimt_model_n_out(const bimt_model_t *model);
/**
 * @brief Grid side n; 0 for NULL and for a model with caller positions (no square grid).
 * @param[in] model the model.
 * @return grid_side, or 0 for NULL or caller positions.
 */
BIMT_API uint32_t bimt_model_grid_side(const bimt_model_t *model);
/**
 * @brief Coordinates per slot position: 2 for the grid, else bimt_model_params.dim; 0 for NULL.
 * @param[in] model the model.
 * @return the dimension, or 0 for NULL.
 */
BIMT_API uint32_t bimt_model_dim(const bimt_model_t *model);
/**
 * @brief The distance between slot positions (a bimt_distance value); -1 for NULL.
 * @param[in] model the model.
 * @return BIMT_DIST_MANHATTAN or BIMT_DIST_EUCLIDEAN, or -1 for NULL.
 */
BIMT_API int32_t bimt_model_distance_kind(const bimt_model_t *model);
/**
 * @brief Positions of the slots: [n_hidden][bimt_model_dim()] doubles, row-major, slot s at
 * row s (index by slot, not by neuron: neuron k sits at slot bimt_model_slots()[k]). The
 * grid's are (s / grid_side, s % grid_side) / grid_side; caller positions are their copy.
 * @param[in] model the model.
 * @return borrowed array, valid until bimt_model_free() (it never changes: swaps move neurons
 *         between slots, not slots); NULL for NULL.
 */
BIMT_API const double *bimt_model_positions(const bimt_model_t *model);
/**
 * @brief Length of the flat parameter (and gradient) buffer; 0 for NULL.
 * @param[in] model the model.
 * @return the number of float32 parameters, or 0 for NULL.
 */
BIMT_API size_t bimt_model_n_params(const bimt_model_t *model);

/**
 * @brief The flat parameter buffer (layout in the file comment). Borrowed; writing through
 * it is allowed (call bimt_model_forward() again afterwards). NULL for NULL.
 * @param[in] model the model.
 * @return borrowed [bimt_model_n_params()] array, valid until bimt_model_free(); NULL for
 *         NULL.
 */
BIMT_API float *bimt_model_params_data(bimt_model_t *model);
/**
 * @brief The flat gradient buffer, mirroring bimt_model_params_data(). Borrowed; writable.
 * @param[in] model the model.
 * @return borrowed [bimt_model_n_params()] array, valid until bimt_model_free(); NULL for
 *         NULL.
 */
BIMT_API float *bimt_model_grad_data(bimt_model_t *model);
/**
 * @brief Read-only view of the parameters (for const models).
 * @param[in] model the model.
 * @return borrowed [bimt_model_n_params()] array, valid until bimt_model_free(); NULL for
 *         NULL.
 */
BIMT_API const float *bimt_model_params_view(const bimt_model_t *model);

/**
 * @brief Borrowed view of one parameter tensor inside the flat buffer.
 * Any output pointer may be NULL.
 * @param[in] model the model.
 * @param[in] which the tensor (a bimt_tensor value).
 * @param[out] data start of the tensor (borrowed, valid until bimt_model_free()).
 * @param[out] rows its number of rows.
 * @param[out] cols its number of columns (biases: cols = 1).
 * @param[out] offset optional: element offset in the flat buffer.
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL model, unknown tensor).
 */
BIMT_API int bimt_model_tensor(const bimt_model_t *model, int32_t which, const float **data,
                               uint32_t *rows, uint32_t *cols, size_t *offset);

/**
 * @brief Geometry: slots[k] is the grid slot (row * grid_side + col) of neuron k.
 * @param[in] model the model.
 * @return borrowed [n_hidden] array, a permutation of 0..n_hidden-1; NULL for NULL.
 */
BIMT_API const uint32_t *bimt_model_slots(const bimt_model_t *model);

/**
 * @brief Places the neurons: slots must be a permutation of 0..n_hidden-1. Updates the
 * cached distance matrix. Weights do not move.
 * @param[in,out] model the model.
 * @param[in] slots [n] new slot of each neuron (copied).
 * @param[in] n length of slots; must equal n_hidden.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL, n not n_hidden, not a permutation; model
 *         unchanged); BIMT_E_NOMEM.
 */
BIMT_API int bimt_model_set_slots(bimt_model_t *model, const uint32_t *slots, size_t n);

/**
 * @brief Distance between neurons i and j at their current slots: the model's distance
 * (bimt_model_distance_kind()) between the positions of their slots; on the default grid
 * (|dr| + |dc|) / grid_side, computed exactly from the integer row and column differences.
 * @param[in] model the model.
 * @param[in] i first neuron, in [0, n_hidden).
 * @param[in] j second neuron, in [0, n_hidden).
 * @return the distance, or -1 for NULL or out-of-range indices (bimt_last_error() says why).
 */
BIMT_API double bimt_model_distance(const bimt_model_t *model, uint32_t i, uint32_t j);

/**
 * @brief Distance between hidden neuron k at its current slot and input (output = 0) or
 * output (output != 0) number index, under the model's io_layout: (|dr| + |dc|) / grid_side
 * with the positions of bimt_io_layout. 0 under BIMT_IO_NONE (no positions).
 * @param[in] model the model.
 * @param[in] output 0: an input; 1: an output (other values give -1).
 * @param[in] k hidden neuron, in [0, n_hidden).
 * @param[in] index input in [0, n_in) or output in [0, n_out).
 * @return the distance, or -1 for NULL or out-of-range arguments (bimt_last_error() says
 *         why). Thread-safe for a model no thread mutates.
 */
BIMT_API double bimt_model_io_distance(const bimt_model_t *model, uint32_t output, uint32_t k,
                                       uint32_t index);

/**
 * @brief Borrowed view of the cached distance matrix [n_hidden][n_hidden] (float32),
 * D[i][j] = bimt_model_distance(i, j). NULL for NULL.
 * @param[in] model the model.
 * @return borrowed array, valid until bimt_model_free() (updated when the slots change);
 *         NULL for NULL.
 */
BIMT_API const float *bimt_model_distances(const bimt_model_t *model);

/**
 * @brief Silences hidden neurons (a lesion): in every bimt_model_forward() from now on, a
 * silenced neuron's output is held at zero at every step of the trial, so no neuron and no
 * output reads it, and its states are reported as 0; bimt_model_backward() then gives the
 * gradient of that silenced network (zero for every weight into or out of the neuron). The
 * weights are not changed. Without silenced neurons (the default) the forward pass is the
 * same code and gives bit-identical results. The set is not saved in checkpoints; clones copy
 * it. The analyses that run their own recurrence (bimt_task_variance()) do not apply it.
 * @param[in,out] model the model (one thread at a time).
 * @param[in] silenced [n] nonzero for a neuron to silence, or NULL to silence none.
 * @param[in] n length of silenced: n_hidden (ignored when silenced is NULL).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model, n != n_hidden); BIMT_E_NOMEM. A refused
 *         call leaves the set unchanged. The last forward's results stay as they were.
 */
BIMT_API int bimt_model_set_silenced(bimt_model_t *model, const uint8_t *silenced, size_t n);

/**
 * @brief Number of silenced hidden neurons (bimt_model_set_silenced()); 0 for NULL.
 * @param[in] model the model.
 * @return the count.
 */
BIMT_API size_t bimt_model_n_silenced(const bimt_model_t *model);

/** Flag of bimt_model_forward(): add recurrent noise (sigma_rec) from the model's stream. */
#define BIMT_FWD_NOISE 1u

/**
 * @brief Runs the network on a time-major batch and keeps what backward needs.
 * @param[in,out] model the model (its workspace keeps the states and outputs; the noise
 *        stream moves on with BIMT_FWD_NOISE).
 * @param[in] x [n_steps][batch_size][n_in] inputs (borrowed for the call only).
 * @param[in] n_steps T, number of time steps, 1 .. BIMT_MAX_STEPS (2^20).
 * @param[in] batch_size B, number of trials, 1 .. BIMT_MAX_BATCH (2^16).
 * @param[in] flags 0 or BIMT_FWD_NOISE.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL, zero sizes, sizes above their bounds, unknown
 *         flags, or a product T * B * max(n_hidden, n_in) (the workspace's rows) above
 *         INT_MAX, the BLAS index range);
 *         BIMT_E_NOMEM (workspace could not grow; previous results are then invalid).
 */
BIMT_API int bimt_model_forward(bimt_model_t *model, const float *x, uint32_t n_steps,
                                uint32_t batch_size, uint32_t flags);

/**
 * @brief Borrowed hidden states [T][B][n_hidden] of the last forward.
 * @param[in] model the model.
 * @param[out] h receives the borrowed array (valid until the next forward or
 *        bimt_model_free()).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL); BIMT_E_STATE (no forward yet).
 */
BIMT_API int bimt_model_states(const bimt_model_t *model, const float **h);
/**
 * @brief Borrowed pre-nonlinearity outputs [T][B][n_out] of the last forward.
 * @param[in] model the model.
 * @param[out] o receives the borrowed array (valid until the next forward or
 *        bimt_model_free()).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL); BIMT_E_STATE (no forward yet).
 */
BIMT_API int bimt_model_outputs(const bimt_model_t *model, const float **o);

/**
 * @brief Loss of the last forward against targets and mask (loss type from the params);
 * stores dLoss/dOutputs for bimt_model_backward().
 * MSE (Yang's lsq): mean over T*B*n_out of (mask * (y - sigmoid(o)))^2.
 * CE: (1/(T*B)) sum_{t,b} mask[t][b][0] * (-sum_o y log softmax(o)).
 * @param[in,out] model the model (keeps dLoss/dOutputs in its workspace).
 * @param[in] y [T][B][n_out] targets, of the forward's shape.
 * @param[in] mask [T][B][n_out] cost mask, of the forward's shape.
 * @param[out] loss receives the loss value.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL); BIMT_E_STATE (no forward).
 */
BIMT_API int bimt_model_loss(bimt_model_t *model, const float *y, const float *mask, double *loss);

/**
 * @brief Backpropagation through time of the last forward; accumulates (adds) the
 * gradients into the model's gradient buffer.
 * @param[in,out] model the model (its gradient buffer is added to).
 * @param[in] d_outputs NULL to use the gradient stored by bimt_model_loss(), or a host-computed
 *        [T][B][n_out] gradient of the loss with respect to the pre-nonlinearity outputs.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL model); BIMT_E_STATE (no forward, or NULL
 *         d_outputs without a loss call).
 */
BIMT_API int bimt_model_backward(bimt_model_t *model, const float *d_outputs);

/**
 * @brief Sets every gradient element to 0. NULL is a no-op.
 * @param[in,out] model the model.
 */
BIMT_API void bimt_model_zero_grad(bimt_model_t *model);

/**
 * @brief Copies weights in grid order: dst_W[s][t] = W_rec[i][j] for the neurons i, j at
 * slots s, t; dst_in[s][:] = W_in[i][:]; dst_out[:][s] = W_out[:][i]; dst_bh[s] = b_h[i].
 * Any destination may be NULL. Sizes are those of the tensors.
 * @param[in] model the model.
 * @param[out] dst_W [n_hidden][n_hidden] recurrent weights in grid order, or NULL.
 * @param[out] dst_in [n_hidden][n_in] input weights in grid order, or NULL.
 * @param[out] dst_out [n_out][n_hidden] output weights in grid order, or NULL.
 * @param[out] dst_bh [n_hidden] hidden biases in grid order, or NULL.
 * @return BIMT_OK or BIMT_E_INVALID_ARG (NULL model).
 */
BIMT_API int bimt_model_weights_grid_order(const bimt_model_t *model, float *dst_W, float *dst_in,
                                           float *dst_out, float *dst_bh);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_MODEL_H */
