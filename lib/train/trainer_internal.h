/* Private layout of bimt_trainer_t, shared by trainer.c and checkpoint.c. Not installed. */
#ifndef BIMT_TRAINER_INTERNAL_H
#define BIMT_TRAINER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/trainer.h"
#include "common/common.h"
#include "common/rng.h"

/** eval_step value meaning "no evaluation yet". */
#define BIMT_NO_EVAL UINT64_MAX

struct bimt_trainer {
    bimt_trainer_params p;          /* validated; set_param keeps it current */
    bimt_model_t *model;            /* borrowed */
    bimt_task_t *task;              /* borrowed */
    bimt_optimizer_t *opt;          /* owned Adam over the model's flat parameters */
    bimt_task_t *eval_task;         /* owned: same task parameters, its stream is the eval stream */
    bimt_rng rule_rng;              /* BIMT_STREAM_RULES of p.seed: rule choice */
    bimt_rng eval_noise_rng;        /* recurrent noise of evaluation forwards (BIMT_STREAM_EVAL) */
    uint32_t easy_train;            /* 1: training batches with easy coherences (curriculum) */
    uint64_t step, trials;          /* steps done, trials seen */
    uint64_t eval_step;             /* step at which the last evaluation ran, or BIMT_NO_EVAL */
    double last_eval[BIMT_N_RULES]; /* -1 for disabled rules or before any evaluation */
    uint32_t last_eval_trials;      /* trials per rule behind last_eval (0 before any) */
    size_t n_params;
    float *backup;                /* [n_params]: params before the update */
    bimt_optimizer_t *opt_backup; /* Adam before the update (bimt__adam_copy_state) */
    float *prox_step;             /* [n_params]: Adam's step sizes for the proximal L1 step */
    double run_t0;        /* start time of the current bimt_trainer_run() (s), < 0 outside */
    uint64_t run_trials0; /* trials at that start */
    char errmsg[BIMT_ERRMSG_LEN];
};

/** Validates trainer params (message into errbuf of BIMT_ERRMSG_LEN bytes, may be NULL). */
int bimt__trainer_params_check(const bimt_trainer_params *p, char *errbuf);

/** Loads a checkpoint held in memory (len bytes); same contract as bimt_checkpoint_load(). */
int bimt__checkpoint_load_mem(const void *buf, size_t len, bimt_model_t **model, bimt_task_t **task,
                              bimt_trainer_t **tr, char *errbuf, size_t errbuf_len);

/** Checkpoint format version written by this library (newer files give BIMT_E_VERSION). */
#define BIMT_CHECKPOINT_FORMAT 2u

#endif /* BIMT_TRAINER_INTERNAL_H */
