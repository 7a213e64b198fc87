/* Shared helpers of the Check suites. */
#ifndef BIMT_TESTUTIL_H
#define BIMT_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/** Runs one suite, prints Check's summary, returns the process exit code. */
int bimt_test_run(Suite *s);

/** Writes a unique temporary file path "<dir>/bimt-test-XXXXXX<suffix>" into buf. */
void bimt_test_tmppath(char *buf, size_t len, const char *suffix);

/** Reads a whole file (asserts on failure); the caller frees the result. */
char *bimt_test_read_file(const char *path, size_t *len);

/** Writes len bytes to path (asserts on failure). */
void bimt_test_write_file(const char *path, const void *buf, size_t len);

/** Model params at their defaults, sized for task t, with grid side `side`. */
struct bimt_task;
struct bimt_model_params;
void bimt_test_model_params(struct bimt_model_params *mp, const struct bimt_task *t, uint32_t side);

/** Max |a - b| / max(1, |b|) over n doubles. */
double bimt_test_max_rel_err(const double *a, const double *b, size_t n);

/** Position-dependent connection cost sum D |W| of a model from its definition (slots and the
 *  bimt_io_layout formulas, in double): W_rec plus, under an io layout, W_in and W_out. */
struct bimt_model;
double bimt_test_distance_cost(const struct bimt_model *m, const uint32_t *slots_or_null);

#endif
