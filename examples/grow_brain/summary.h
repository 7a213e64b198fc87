/* grow_brain's closing summary on stdout: performance and the headline modularity numbers. */
#ifndef GROW_BRAIN_SUMMARY_H
#define GROW_BRAIN_SUMMARY_H

#include <stdint.h>

#include "bimt/bimt.h"
#include "config.h"

/** Where the model's neurons sit, for messages: "16x16 grid" or "100 slots at 3-D positions,
 *  euclidean distance"; returns buf. */
const char *gb_geometry(const bimt_model_t *m, char *buf, size_t len);

/** Prints the summary of a finished run (perf: the final evaluation, -1 where not run). */
void gb_summary(const gb_config *c, bimt_model_t *m, bimt_task_t *t, const double *perf,
                double secs, uint64_t steps);

#endif /* GROW_BRAIN_SUMMARY_H */
