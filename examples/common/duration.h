/* Durations for humans, as grow_brain and bimt_sweep print them. */
#ifndef BIMT_EXAMPLES_DURATION_H
#define BIMT_EXAMPLES_DURATION_H

#include <stddef.h>

/** "1h02m", "3m05s", then below a minute "42s" (tenths 0) or "41.7s" (tenths 1); "?" for a
 *  negative, NaN or absurd (> 1e8 s) value. */
void ex_fmt_duration(char *out, size_t len, double sec, int tenths);

#endif /* BIMT_EXAMPLES_DURATION_H */
