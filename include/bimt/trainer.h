/**
 * @file trainer.h
 * @brief BIMT training loop (bimt_trainer_t) and checkpoints.
 *
 * One step: draw a rule (weights rule_weight over the task's enabled rules), sample a batch
 * of batch_size trials with noise, forward with recurrent noise, loss, backward, add the
 * connection cost lambda(step) * L_cc (arm BIMT: with A; arm L1: A = 0; arm NONE: no cost),
 * Adam update (with element-wise clipping if grad_clip > 0); then every swap_interval steps
 * (arm BIMT only) a swap pass of swap_top_k neurons, and every eval_interval steps an
 * evaluation of every enabled rule on fresh batches.
 * Divergence guard: a NaN/Inf loss or parameter restores the state before the step and
 * returns BIMT_E_NUMERIC.
 *
 * The trainer borrows the model and the task: both must outlive it, and must not be used
 * by another thread while the trainer runs. One thread at a time per trainer.
 */
#ifndef BIMT_TRAINER_H
#define BIMT_TRAINER_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/export.h"
#include "bimt/model.h"
#include "bimt/optim.h"
#include "bimt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque trainer handle. */
typedef struct bimt_trainer bimt_trainer_t;

/** Experimental arm. */
typedef enum bimt_arm {
    BIMT_ARM_BIMT = 0, /**< lambda > 0, A > 0, swaps on */
    BIMT_ARM_L1 = 1,   /**< lambda > 0, A = 0, no swaps */
    BIMT_ARM_NONE = 2  /**< no connection cost, no swaps */
} bimt_arm;

/** Most breakpoints of the piecewise-constant lambda schedule. */
#define BIMT_MAX_SCHEDULE 8
/** Most trials per rule of one evaluation (bimt_trainer_params.eval_batch,
 * bimt_trainer_evaluate()): 10^6. */
#define BIMT_MAX_EVAL_TRIALS 1000000u

/** Trainer parameters. Fill with bimt_trainer_params_init(). A smaller struct_size (an older
 * header) gets defaults for the fields it lacks; a larger one gives BIMT_E_VERSION. */
typedef struct bimt_trainer_params {
    uint32_t struct_size; /**< set by bimt_trainer_params_init() */
    int32_t arm;          /**< a bimt_arm value; default BIMT_ARM_BIMT */
    uint32_t batch_size;  /**< trials per step, 1..BIMT_MAX_BATCH, default 64 */
    double learning_rate; /**< Adam lr, default 1e-3 */
    double beta1;         /**< Adam first-moment decay, default 0.9 */
    double beta2;         /**< Adam second-moment decay, default 0.999 */
    double eps;           /**< Adam denominator offset, default 1e-8 */
    double grad_clip;     /**< element-wise clip value, default 1 (Yang); 0 = off */
    double lambda; /**< connection-cost weight in [0, 1e6], default 1e-4 (ignored for ARM_NONE) */
    double A;      /**< distance weight in [0, 1e6], default 1 (ignored unless ARM_BIMT) */
    uint32_t n_schedule; /**< 0: constant lambda; else breakpoints used below (at most
                              BIMT_MAX_SCHEDULE) */
    uint64_t schedule_step[BIMT_MAX_SCHEDULE]; /**< increasing steps; lambda = value[i] from step[i]
                                                  on (before step[0]: 0) */
    double schedule_lambda[BIMT_MAX_SCHEDULE]; /**< lambda values, each in [0, 1e6] */
    uint32_t swap_interval; /**< steps between swap passes (ARM_BIMT), default 200; 0 = never;
                                 any value up to UINT32_MAX */
    uint32_t swap_top_k;    /**< neurons per swap pass, 1..BIMT_MAX_HIDDEN, default 30 */
    uint32_t eval_interval; /**< steps between evaluations, default 500; 0 = never; any value
                                 up to UINT32_MAX */
    uint32_t eval_batch;    /**< trials per rule per evaluation, 0..BIMT_MAX_EVAL_TRIALS (>= 1 when
                                 eval_interval > 0), default 512 */
    double rule_weight[BIMT_N_RULES]; /**< sampling weights (finite, >= 0, and their sum
                                         finite: only ratios matter), default all 1; disabled
                                         rules get 0 */
    uint32_t recurrent_noise; /**< 1 (default): train with sigma_rec noise; 0: without (0 or 1) */
    uint64_t seed;            /**< seed of the rule-sampling and evaluation streams, default 1 */
    uint32_t l1_proximal;     /**< 0 (default): the cost's subgradient joins the gradient;
                                   1: Adam steps on the loss alone, then
                                   bimt_model_connection_cost_prox() in Adam's metric (exact
                                   zeros; pruned neurons go silent) */
    double l1_h; /**< Yang's activity L1 weight (bimt_model_activity_cost()) in [0, 1e6], default
                    0; applies in every arm */
    double l2_h; /**< Yang's activity L2 weight in [0, 1e6], default 0; every arm */
    uint32_t hidden_bias_nonpositive; /**< 0 (default): the hidden biases b_h are free;
                                           1: after every update b_h <- min(b_h, 0), so no
                                           neuron is driven without input (a projected Adam
                                           step; every arm). 0 or 1 */
} bimt_trainer_params;

/** What a step reports (an output struct: the caller sets struct_size; the library writes
 * only the fields within it, docs/design.md "ABI rules"; fields are only ever appended). */
typedef struct bimt_step_info {
    uint32_t struct_size; /**< caller: sizeof before the call; on return the bytes filled */
    uint64_t step;        /**< steps done so far (after this one) */
    uint64_t trials;      /**< trials seen so far */
    int32_t rule;         /**< rule trained in this step */
    double loss;          /**< prediction loss of this step */
    double cost;          /**< lambda * L_cc after this step's gradient (before the update) */
    double lambda;        /**< lambda used in this step */
    double mean_perf; /**< mean performance over enabled rules at the last evaluation, -1 if none */
    double min_perf;  /**< minimum over enabled rules at the last evaluation, -1 if none */
    double trials_per_s;  /**< throughput of the current bimt_trainer_run() call so far */
    uint32_t n_swaps;     /**< swaps made in this step (0 if no pass ran) */
    double activity_cost; /**< l1_h and l2_h terms of this step (0 when both are 0) */
} bimt_step_info;

/** Progress callback of bimt_trainer_run(); a nonzero return stops the run after the step. */
typedef int (*bimt_progress_fn)(const bimt_step_info *info, void *payload);

/**
 * @brief Name of an arm ("bimt", "l1", "none").
 * @param[in] arm a bimt_arm value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_arm_name(int32_t arm);

/**
 * @brief Name of a bimt_trainer_set_param() key ("learning_rate", "lambda", "A",
 * "swap_interval", "swap_top_k", "eval_interval", "grad_clip", "easy_train").
 * @param[in] key a bimt_trainer_key value.
 * @return a static string, or NULL for unknown values. Thread-safe.
 */
BIMT_API const char *bimt_trainer_key_name(int32_t key);

/**
 * @brief Fills p with the defaults listed in bimt_trainer_params. NULL is ignored.
 * Thread-safe.
 * @param[out] p the parameters to fill (struct_size set, every field at its default).
 */
BIMT_API void bimt_trainer_params_init(bimt_trainer_params *p);

/**
 * @brief Creates a trainer for model on task (both borrowed; they must outlive it).
 * @param[in,out] model the model to train (borrowed; the trainer updates it).
 * @param[in,out] task the task suite to train on (borrowed; its random stream is used).
 * @param[in] params parameters, or NULL for the defaults.
 * @param[out] out new handle (free with bimt_trainer_free()); NULL on failure.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL, batch size 0 or above BIMT_MAX_BATCH, bad
 *         lr/betas/eps/clip/lambda/A, swap_top_k 0 or above BIMT_MAX_HIDDEN, eval_batch above
 *         BIMT_MAX_EVAL_TRIALS, a flag other than 0 or 1,
 *         schedule not increasing, all rule weights of the enabled rules 0, model and task
 *         losses differ); BIMT_E_SHAPE (model n_in/n_out differ from the task's);
 *         BIMT_E_VERSION; BIMT_E_NOMEM. On failure bimt_last_error() says why (the message
 *         is also copied to bimt_model_errmsg(model) when model is not NULL).
 * Thread safety: model and task must not be used by another thread during the call.
 */
BIMT_API int bimt_trainer_create(bimt_model_t *model, bimt_task_t *task,
                                 const bimt_trainer_params *params, bimt_trainer_t **out);

/**
 * @brief Frees a trainer (not its model or task). NULL is a no-op.
 * @param[in] tr the handle to free; its optimizer becomes invalid.
 */
BIMT_API void bimt_trainer_free(bimt_trainer_t *tr);

/**
 * @brief Message of the last failed call ("" if none); owned by the trainer.
 * @param[in] tr the trainer.
 * @return a string owned by the trainer, valid until bimt_trainer_free() (its contents
 *         change with the next failed call); a static message for NULL.
 */
BIMT_API const char *bimt_trainer_errmsg(const bimt_trainer_t *tr);

/**
 * @brief Copies the trainer's parameters into *p.
 * @param[in] tr the trainer.
 * @param[out] p receives the parameters (including changes made by bimt_trainer_set_param()).
 *        Set p->struct_size first: the parameters are written up to it.
 * @return BIMT_OK, BIMT_E_INVALID_ARG (NULL tr or p) or BIMT_E_VERSION (struct_size unset).
 */
BIMT_API int bimt_trainer_get_params(const bimt_trainer_t *tr, bimt_trainer_params *p);

/**
 * @brief The borrowed model (NULL for NULL).
 * @param[in] tr the trainer.
 * @return the model given to bimt_trainer_create() (or created by bimt_checkpoint_load()).
 */
BIMT_API bimt_model_t *bimt_trainer_model(const bimt_trainer_t *tr);
/**
 * @brief The borrowed task (NULL for NULL).
 * @param[in] tr the trainer.
 * @return the task given to bimt_trainer_create() (or created by bimt_checkpoint_load()).
 */
BIMT_API bimt_task_t *bimt_trainer_task(const bimt_trainer_t *tr);
/**
 * @brief The trainer's Adam optimizer (borrowed).
 * @param[in] tr the trainer.
 * @return the optimizer, owned by the trainer and valid until bimt_trainer_free(); NULL for
 *         NULL.
 */
BIMT_API const bimt_optimizer_t *bimt_trainer_optimizer(const bimt_trainer_t *tr);
/**
 * @brief Steps done so far.
 * @param[in] tr the trainer.
 * @return the step count (0 for NULL).
 */
BIMT_API uint64_t bimt_trainer_steps(const bimt_trainer_t *tr);
/**
 * @brief lambda the schedule gives at a step (0 for ARM_NONE).
 * @param[in] tr the trainer.
 * @param[in] step the training step.
 * @return the connection-cost weight at step (0 for NULL or ARM_NONE).
 */
BIMT_API double bimt_trainer_lambda_at(const bimt_trainer_t *tr, uint64_t step);

/**
 * Keys of bimt_trainer_set_param() (knobs that may change mid-training).
 *
 * BIMT_TP_EASY_TRAIN (0 or 1, default 0) is a curriculum switch: while 1, training batches
 * are drawn as if the task had easy_task = 1 (coherences x10 for the decision tasks, x2 for
 * the delayed ones; the same random stream), while evaluation keeps the task's own setting
 * and the task handle is left unchanged. It is saved in checkpoints.
 */
typedef enum bimt_trainer_key {
    BIMT_TP_LEARNING_RATE = 0,
    BIMT_TP_LAMBDA = 1,
    BIMT_TP_A = 2,
    BIMT_TP_SWAP_INTERVAL = 3,
    BIMT_TP_SWAP_TOP_K = 4,
    BIMT_TP_EVAL_INTERVAL = 5,
    BIMT_TP_GRAD_CLIP = 6,
    BIMT_TP_EASY_TRAIN = 7
} bimt_trainer_key;

/**
 * @brief Changes one knob (setting BIMT_TP_LAMBDA clears the schedule).
 * @param[in,out] tr the trainer.
 * @param[in] key which knob (a bimt_trainer_key value).
 * @param[in] value the new value (integer knobs take whole numbers; learning_rate finite and
 *        > 0, lambda and A in [0, 1e6], grad_clip finite and >= 0, swap_interval and
 *        eval_interval 0 .. UINT32_MAX, swap_top_k 1 .. BIMT_MAX_HIDDEN, easy_train 0 or 1).
 * @return BIMT_OK or BIMT_E_INVALID_ARG (unknown key, value out of range; nothing changed).
 */
BIMT_API int bimt_trainer_set_param(bimt_trainer_t *tr, int32_t key, double value);

/**
 * @brief One training step (see the file comment).
 * @param[in,out] tr the trainer (its model, task and optimizer are updated).
 * @param[out] info optional report of the step (set info->struct_size first; unset gives
 *        BIMT_E_VERSION before the step runs).
 * @return BIMT_OK; BIMT_E_NUMERIC (divergence; parameters, Adam moments and step count
 *         restored to before the step, the step counter unchanged; the random streams have
 *         moved on, so a retry draws a new batch); BIMT_E_NOMEM.
 */
BIMT_API int bimt_trainer_step(bimt_trainer_t *tr, bimt_step_info *info);

/**
 * @brief Runs n_steps steps, calling cb (if not NULL) after each; stops early when cb
 * returns nonzero (then returns BIMT_OK) or on an error (returned).
 * @param[in,out] tr the trainer.
 * @param[in] n_steps number of steps to run: any value up to UINT32_MAX (0 runs none); the
 *        step counter is 64-bit, so it cannot overflow.
 * @param[in] cb optional progress callback, called on the calling thread after each step.
 * @param[in] payload passed to cb unchanged.
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL tr); or the error of bimt_trainer_step().
 */
BIMT_API int bimt_trainer_run(bimt_trainer_t *tr, uint32_t n_steps, bimt_progress_fn cb,
                              void *payload);

/**
 * @brief Evaluates Yang's performance on trials_per_rule fresh random-mode trials of every
 * enabled rule (input noise as the task, recurrent noise as training, evaluated in batches)
 * from the trainer's own evaluation streams, without changing the training streams. The
 * result also becomes the "last evaluation".
 * @param[in,out] tr the trainer (its evaluation streams move on).
 * @param[in] trials_per_rule trials per enabled rule, 1 .. BIMT_MAX_EVAL_TRIALS (10^6).
 * @param[out] perf [BIMT_N_RULES] fraction correct per rule (-1 for disabled rules).
 * @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_NOMEM. perf is written only on success.
 */
BIMT_API int bimt_trainer_evaluate(bimt_trainer_t *tr, uint32_t trials_per_rule,
                                   double perf[BIMT_N_RULES]);

/**
 * @brief Per-rule performance of the last evaluation (-1 where none).
 * @param[in] tr the trainer.
 * @param[out] perf [BIMT_N_RULES] fraction correct per rule (-1 for disabled rules, and for
 *        every rule when no evaluation was made yet).
 * @return BIMT_OK; BIMT_E_INVALID_ARG (NULL); BIMT_E_STATE (no evaluation yet).
 */
BIMT_API int bimt_trainer_last_eval(const bimt_trainer_t *tr, double perf[BIMT_N_RULES]);

/**
 * @brief Writes a checkpoint (.npz: parameters, slots, Adam moments, counters, RNG states,
 * all hyperparameters of model, task and trainer) atomically: a temporary file in the same
 * folder, fsync, then rename over path. An existing file at path is untouched on failure.
 * Only reads the trainer, its model and its task (the trainer's message changes on failure).
 * @param[in] tr the trainer.
 * @param[in] path output file (not empty); its folder must exist.
 * @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_IO, BIMT_E_NOMEM (message in
 *         bimt_trainer_errmsg()).
 */
BIMT_API int bimt_trainer_save(const bimt_trainer_t *tr, const char *path);

/**
 * @brief Loads a checkpoint written by bimt_trainer_save() and creates all three handles.
 * Every member's CRC, dtype and shape is checked; on any failure no handle is returned
 * (all three set to NULL) and bimt_last_error() says why.
 * Thread-safe (touches no existing handle).
 * @param[in] path the checkpoint file.
 * @param[out] model new model handle owned by the caller.
 * @param[out] task new task handle owned by the caller.
 * @param[out] tr new trainer handle owned by the caller (free tr first).
 * @return BIMT_OK; BIMT_E_INVALID_ARG; BIMT_E_IO; BIMT_E_FORMAT (corrupt, truncated, not a
 *         checkpoint); BIMT_E_VERSION (newer format); BIMT_E_NOMEM.
 */
BIMT_API int bimt_checkpoint_load(const char *path, bimt_model_t **model, bimt_task_t **task,
                                  bimt_trainer_t **tr);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_TRAINER_H */
