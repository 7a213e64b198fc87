/**
 * @file task.h
 * @brief The 20 cognitive tasks of Yang et al. (2019): batches, test grids and the metric.
 *
 * A bimt_task_t generates time-major batches of one rule at a time, exactly as
 * docs/tasks.md (and the project's task specification) describe: inputs x[T][B][n_in],
 * targets y[T][B][n_out], cost mask[T][B][n_out] and target directions y_loc[T][B].
 * Input layout: 0 fixation, 1..n_ring ring 1, n_ring+1..2 n_ring ring 2, then 20 rule units.
 * Output layout: 0 fixation, 1..n_ring response ring.
 *
 * Host programs may also bring their own data: the model takes plain arrays of these shapes,
 * and a bimt_batch filled by hand (pointers to the host's arrays) can be scored with
 * bimt_task_performance().
 *
 * Thread safety: one thread at a time per task handle; distinct handles are independent.
 */
#ifndef BIMT_TASK_H
#define BIMT_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Number of rules (tasks) in the battery. */
#define BIMT_N_RULES 20
/** Most epochs a trial has (fix1, stim1, delay1, stim2, delay2, go1). */
#define BIMT_MAX_EPOCHS 6
/** Most trials of one batch: bimt_task_sample(), bimt_trainer_params.batch_size and
 * bimt_model_forward() refuse more (2^16; training uses 32 to 64, the test grids 500). */
#define BIMT_MAX_BATCH 65536u
/** Most time steps of one batch: bimt_model_forward() and bimt_task_performance() refuse more
 * (2^20; a trial of the battery lasts at most a few hundred steps at dt = 20 ms). */
#define BIMT_MAX_STEPS 1048576u

/** Canonical rule indices (the order of the task specification; rule input = 1 + 2 n_ring + r). */
typedef enum bimt_rule {
    BIMT_RULE_FDGO = 0,
    BIMT_RULE_REACTGO = 1,
    BIMT_RULE_DELAYGO = 2,
    BIMT_RULE_FDANTI = 3,
    BIMT_RULE_REACTANTI = 4,
    BIMT_RULE_DELAYANTI = 5,
    BIMT_RULE_DM1 = 6,
    BIMT_RULE_DM2 = 7,
    BIMT_RULE_CONTEXTDM1 = 8,
    BIMT_RULE_CONTEXTDM2 = 9,
    BIMT_RULE_MULTIDM = 10,
    BIMT_RULE_DELAYDM1 = 11,
    BIMT_RULE_DELAYDM2 = 12,
    BIMT_RULE_CONTEXTDELAYDM1 = 13,
    BIMT_RULE_CONTEXTDELAYDM2 = 14,
    BIMT_RULE_MULTIDELAYDM = 15,
    BIMT_RULE_DMSGO = 16,
    BIMT_RULE_DMSNOGO = 17,
    BIMT_RULE_DMCGO = 18,
    BIMT_RULE_DMCNOGO = 19
} bimt_rule;

/** Loss type, which also fixes the target encoding and the cost mask. */
typedef enum bimt_loss {
    BIMT_LOSS_MSE = 0, /**< Yang's "lsq": sigmoid outputs, 0.05/0.8 targets, squared mask */
    BIMT_LOSS_CROSS_ENTROPY = 1 /**< softmax over all outputs, one-hot targets, mean-1 mask */
} bimt_loss;

/**
 * @brief Name of a rule ("fdgo" ... "dmcnogo").
 * @param[in] rule rule index (a bimt_rule value).
 * @return a static string, or NULL if rule is not in [0, BIMT_N_RULES). Thread-safe.
 */
BIMT_API const char *bimt_rule_name(int rule);

/**
 * @brief Name of a loss ("mse", "cross_entropy").
 * @param[in] loss a bimt_loss value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_loss_name(int32_t loss);

/**
 * @brief Index of a rule by name (exact, case-sensitive).
 * @param[in] name the rule's name, as bimt_rule_name() gives it.
 * @return the rule index in [0, BIMT_N_RULES), or BIMT_E_INVALID_ARG for NULL/unknown names.
 * Thread-safe.
 */
BIMT_API int bimt_rule_index(const char *name);

/** Opaque task-suite handle. */
typedef struct bimt_task bimt_task_t;

/** Parameters of a task suite. Fill with bimt_task_params_init() and change fields. A
 * smaller struct_size (an older header) gets defaults for the fields it lacks; a larger one
 * gives BIMT_E_VERSION. */
typedef struct bimt_task_params {
    uint32_t struct_size; /**< set by bimt_task_params_init(); checked by bimt_task_create() */
    uint32_t
        n_eachring;     /**< units per ring, 4 .. 1024, default 32 (2 input rings, 1 output ring) */
    double dt_ms;       /**< simulation step, default 20 ms */
    double tau_ms;      /**< neuronal time constant, default 100 ms (alpha = dt/tau) */
    double sigma_x;     /**< input noise (finite, >= 0), default 0.01; effective std
                           sigma_x*sqrt(2/alpha) */
    uint32_t rule_mask; /**< bit r enables rule r for training/evaluation; 0 = all 20 */
    int32_t loss;       /**< a bimt_loss value: target encoding and mask, default BIMT_LOSS_MSE */
    uint32_t input_noise; /**< 1 (default): random-mode batches get input noise; 0: none (other
                             values refused) */
    uint32_t easy_task;   /**< 1: coherences x10 (DM) / x2 (delayed DM); default 0 (0 or 1) */
    uint64_t seed;        /**< seed of the task's random stream, default 1 */
} bimt_task_params;

/** One named epoch of a trial: steps [start, end). */
typedef struct bimt_epoch {
    const char *name; /**< static string: "fix1", "stim1", "delay1", "stim2", "delay2", "go1" */
    uint32_t start;   /**< first step of the epoch */
    uint32_t end;     /**< one past its last step (half-open step interval) */
} bimt_epoch;

/**
 * @brief A batch of trials of one rule, all with the same length and epoch boundaries.
 *
 * An output struct: the library sets struct_size to the size it filled (sizeof(bimt_batch) of
 * the library; fields are only ever appended, so a caller reads a field only when it lies
 * within struct_size).
 * When returned by bimt_task_sample() or bimt_task_sample_test() the arrays are borrowed:
 * owned by the task and valid until the next sample call on it or bimt_task_free(). A host
 * program may fill one with its own arrays to use bimt_task_performance().
 */
typedef struct bimt_batch {
    uint32_t struct_size; /**< caller: sizeof before the call; on return the bytes filled */
    int32_t rule;         /**< rule index, or -1 for host-made batches */
    uint32_t n_steps;     /**< T */
    uint32_t batch_size;  /**< B */
    uint32_t n_in;        /**< input features (85 for the default rings) */
    uint32_t n_out;       /**< output features (33 for the default rings) */
    uint32_t go_step;     /**< g: response onset (fixation offset, stimulus or test onset) */
    uint32_t n_epochs;    /**< number of valid entries in epochs */
    bimt_epoch epochs[BIMT_MAX_EPOCHS]; /**< epoch boundaries, in time order */
    const float *x;                     /**< [n_steps][batch_size][n_in] inputs */
    const float *y;                     /**< [n_steps][batch_size][n_out] targets */
    const float *mask; /**< [n_steps][batch_size][n_out] cost mask (CE: same value on every unit) */
    const float
        *y_loc; /**< [n_steps][batch_size]: -1 = fixate, else target direction in [0, 2pi) */
} bimt_batch;

/**
 * @brief Fills p with the defaults (32 units/ring, dt 20 ms, tau 100 ms, sigma_x 0.01,
 * all 20 rules, MSE, input noise on, seed 1). NULL is ignored. Thread-safe.
 * @param[out] p the parameters to fill (struct_size set).
 */
BIMT_API void bimt_task_params_init(bimt_task_params *p);

/**
 * @brief Creates a task suite. Thread-safe (touches no existing handle).
 * @param[in] params parameters, or NULL for the defaults.
 * @param[out] out receives the new handle (owned by the caller; free with bimt_task_free());
 *             set to NULL on failure (bimt_last_error() says why).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (out NULL, n_eachring < 4 or > 1024, dt/tau not
 *         positive and finite, dt > tau, dt outside [1, 200] ms (every epoch, including the
 *         shortest 200 ms response period, must last at least one step), sigma_x negative or
 *         NaN, unknown loss, rule_mask with bits above 19); BIMT_E_VERSION (struct_size
 *         larger than this library's); BIMT_E_NOMEM.
 */
BIMT_API int bimt_task_create(const bimt_task_params *params, bimt_task_t **out);

/**
 * @brief Frees a task and every batch it lent. NULL is a no-op.
 * @param[in] task the handle to free.
 */
BIMT_API void bimt_task_free(bimt_task_t *task);

/**
 * @brief Message of the last failed call on task ("" if none).
 * @param[in] task the task.
 * @return a string owned by the task, valid until the next call on it. NULL task gives a
 *         static message.
 */
BIMT_API const char *bimt_task_errmsg(const bimt_task_t *task);

/**
 * @brief Input size: 1 + 2 n_eachring + 20 (85 by default); 0 for NULL.
 * @param[in] task the task.
 * @return n_in, or 0 for NULL.
 */
BIMT_API uint32_t bimt_task_n_in(const bimt_task_t *task);
/**
 * @brief Output size: 1 + n_eachring (33 by default); 0 for NULL.
 * @param[in] task the task.
 * @return n_out, or 0 for NULL.
 */
BIMT_API uint32_t bimt_task_n_out(const bimt_task_t *task);
/**
 * @brief The parameters the task was created with (copied into *p).
 * @param[in] task the task.
 * @param[out] p receives the parameters.
 *        Set p->struct_size first: the parameters are written up to it.
 * @return BIMT_OK, BIMT_E_INVALID_ARG (NULL task or p) or BIMT_E_VERSION (struct_size unset).
 */
BIMT_API int bimt_task_get_params(const bimt_task_t *task, bimt_task_params *p);
/**
 * @brief Whether a rule is enabled by the task's rule_mask.
 * @param[in] task the task.
 * @param[in] rule rule index.
 * @return 1 if rule is enabled by the task's rule_mask, 0 otherwise (also for bad input).
 */
BIMT_API int bimt_task_rule_enabled(const bimt_task_t *task, int rule);

/**
 * @brief Samples a random-mode training batch of one rule (with input noise if enabled).
 * @param[in,out] task the task suite (its random stream moves on; it owns the batch arrays).
 * @param[in] rule rule index in [0, BIMT_N_RULES) (any rule, whatever the rule_mask).
 * @param[in] batch_size number of trials, 1 .. BIMT_MAX_BATCH (65536).
 * @param[out] out receives borrowed views (see bimt_batch); set out->struct_size first.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL, unknown rule, batch size 0 or too large);
 *         BIMT_E_VERSION (out->struct_size unset);
 *         BIMT_E_NOMEM. On failure *out is not written and the task's random stream is unchanged.
 */
BIMT_API int bimt_task_sample(bimt_task_t *task, int rule, uint32_t batch_size, bimt_batch *out);

/**
 * @brief Builds the deterministic test-mode condition grid of a rule (noise off), as used
 * for task variance. Batch size is fixed by the rule (40, 100, 500 or 80). Does not use or
 * change the random stream.
 * @param[in,out] task the task suite (it owns the batch arrays).
 * @param[in] rule rule index in [0, BIMT_N_RULES) (any rule, whatever the rule_mask).
 * @param[out] out receives borrowed views (see bimt_batch); set out->struct_size first.
 * @return as bimt_task_sample().
 */
BIMT_API int bimt_task_sample_test(bimt_task_t *task, int rule, bimt_batch *out);

/**
 * @brief Yang et al.'s per-trial performance (last step only) of model outputs.
 * @param[in] batch the batch the outputs were computed on (n_steps, batch_size, n_out, y_loc used).
 * @param[in] outputs [n_steps][batch_size][n_out] pre-nonlinearity outputs (as bimt_model_outputs()
 *        gives them); the call applies sigmoid (MSE) or softmax (CE) itself.
 * @param[in] loss how to turn outputs into z (a bimt_loss value).
 * @param[out] correct optional [batch_size] array receiving 1 or 0 per trial.
 * @param[out] mean optional fraction of correct trials.
 * @return BIMT_OK; BIMT_E_INVALID_ARG for NULL batch/outputs/y_loc, n_out < 2, batch_size 0,
 *         n_steps 0, n_steps above BIMT_MAX_STEPS (2^20), batch_size above 2^20, n_out above
 *         2^16, unknown loss.
 *         Thread-safe (touches no handle).
 */
BIMT_API int bimt_task_performance(const bimt_batch *batch, const float *outputs, int32_t loss,
                                   float *correct, double *mean);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_TASK_H */
