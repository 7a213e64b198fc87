/* grow_brain's closing summary on stdout: performance and the headline modularity numbers. */
#ifndef GROW_BRAIN_SUMMARY_H
#define GROW_BRAIN_SUMMARY_H

#include <stdint.h>

#include "bimt/bimt.h"
#include "config.h"

/** Prints the summary of a finished run (perf: the final evaluation, -1 where not run). */
void gb_summary(const gb_config *c, bimt_model_t *m, bimt_task_t *t, const double *perf,
                double secs, uint64_t steps);

#endif /* GROW_BRAIN_SUMMARY_H */
