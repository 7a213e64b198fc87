/* Inference-only forward pass (private; rnn_states.c): the recurrence of the leaky RNN alone,
 * for analyses that need the hidden states of many trials (task variance). Compared with
 * bimt_model_forward() it computes no outputs and stores no derivatives or inputs, can start
 * from a given state h0, keeps only two state blocks unless the caller asks for all states,
 * and hands every step's states to a callback while they are hot. It has its own worker pool
 * and buffers, so the states and outputs of the model's last bimt_model_forward() stay valid.
 *
 * The states are bit-identical to those of bimt_model_forward() (noise off) on the same
 * inputs: the same packed products and element-wise kernels run in the same order on each
 * row; with h0 = the state after a prefix of the inputs, the states equal those of the public
 * forward on the whole sequence. They do not depend on the number of threads. */
#ifndef BIMT_RNN_STATES_H
#define BIMT_RNN_STATES_H

#include <stddef.h>

#include "model/model_internal.h"

typedef struct bimt_states_engine bimt_states_engine;

/* Called once per step t on each participating thread with that thread's columns [c0, c1)
 * of the states h_t (B rows, row stride ld = n_h), after all B rows of those columns are
 * computed and before any thread starts step t + 1. The callback may read any rows of
 * columns [c0, c1) and must write only data that belongs to those columns. */
typedef void (*bimt_states_visit_fn)(void *ctx, size_t t, const float *h, size_t B, size_t ld,
                                     size_t c0, size_t c1);

typedef struct bimt_states_run {
    const float *x;  /* [T][B][n_in] inputs */
    size_t T, B;     /* steps and trials, both > 0 */
    const float *h0; /* [B][n_h] state before the first step; NULL: zeros */
    float *hs;       /* [T][B][n_h] receives all states; NULL: not stored */
    float *h_last;   /* [B][n_h] receives the state after the last step; NULL: not stored */
    bimt_states_visit_fn visit; /* NULL: none */
    void *ctx;                  /* passed to visit */
} bimt_states_run;

/* Creates an engine for model m with a snapshot of its current weights (packed once): change
 * the weights and the engine must be recreated. nthreads 0 picks the default (BIMT_NUM_THREADS,
 * else the online CPUs) and, unless BIMT_NUM_THREADS is set, chooses between the pool and the
 * calling thread by measured speed, as bimt_model_forward() does; nthreads > 0 always uses
 * that many participants (at most one per 16-column panel). Returns BIMT_OK or BIMT_E_NOMEM
 * (message in m's errmsg); *out is NULL on failure. One thread at a time per engine. */
int bimt__states_engine_create(bimt_states_engine **out, struct bimt_model *m, int nthreads);

/* Frees the engine and joins its workers. NULL is a no-op. */
void bimt__states_engine_free(bimt_states_engine *e);

/* Runs the recurrence (noise off) over run->T steps of run->B trials. Returns BIMT_OK, or
 * BIMT_E_INVALID_ARG (NULL engine/run/x, T or B zero or too large) or BIMT_E_NOMEM with a
 * message in the model's errmsg; on error nothing is written to hs, h_last or the callback. */
int bimt__model_forward_states(bimt_states_engine *e, const bimt_states_run *run);

#endif /* BIMT_RNN_STATES_H */
