/* Private interface of bimt_task_t used by the trainer (checkpoints) and the analysis.
 * Implemented in task.c. Not installed. */
#ifndef BIMT_TASK_INTERNAL_H
#define BIMT_TASK_INTERNAL_H

#include "bimt/task.h"
#include "rng.h"

/** The task's random stream (directions, timings, input noise); for checkpoints. */
bimt_rng *bimt__task_rng(bimt_task_t *task);

#endif /* BIMT_TASK_INTERNAL_H */
