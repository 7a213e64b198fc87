/* Private interface of bimt_task_t used by the trainer (checkpoints) and the analysis.
 * Implemented in task.c. Not installed. */
#ifndef BIMT_TASK_INTERNAL_H
#define BIMT_TASK_INTERNAL_H

#include "bimt/task.h"
#include "common/rng.h"

/** The task's random stream (directions, timings, input noise); for checkpoints. */
bimt_rng *bimt__task_rng(bimt_task_t *task);

/** Sets the task's easy_task flag to on (0 or 1) and returns the previous value; the
 * trainer's curriculum switches it around the sampling of a training batch. */
uint32_t bimt__task_swap_easy(bimt_task_t *task, uint32_t on);

/** Size of the test-mode grid of a rule (40, 80, 100 or 500 trials). */
size_t bimt__test_batch_size(int rule);

/** Trials [b0, b0 + nb) of the test-mode grid of rule, as bimt_task_sample_test() would give
 * them in its batch (bit for bit), rendered as a batch of nb trials: the analysis walks the
 * big grids a slice at a time so that the task's buffers stay small. BIMT_OK,
 * BIMT_E_INVALID_ARG (NULL, unknown rule, slice outside the grid) or BIMT_E_NOMEM. */
int bimt__task_sample_test_slice(bimt_task_t *task, int rule, size_t b0, size_t nb,
                                 bimt_batch *out);

#endif /* BIMT_TASK_INTERNAL_H */
