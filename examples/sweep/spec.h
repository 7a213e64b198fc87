/* The sweep spec of bimt_sweep: grow_brain --config lines whose values may be
 * comma-separated lists; the sweep is their Cartesian product. */
#ifndef BIMT_SWEEP_SPEC_H
#define BIMT_SWEEP_SPEC_H

#include <stddef.h>
#include <stdio.h>

#include "bimt/bimt.h"

/** One `key = v1, v2, ...` line. */
typedef struct spec_key {
    char *key;
    char **vals;
    size_t n_vals;
    int line;   /* line number in the spec file */
    int varied; /* more than one distinct value */
} spec_key;

typedef struct spec {
    char *path;
    spec_key *keys;
    size_t n_keys;
    int n_lines; /* lines of the file */
} spec;

/** One configuration of the sweep. */
typedef struct sweep_config {
    char id[200];
    bimt_arm arm;
    const char **vals; /* [n_keys] the value of each spec key (ignored keys: the first) */
    char *conf;        /* the grow_brain --config text of the run */
    char group[400];   /* varied settings other than arm, lambda, A, seed ("" if none) */
} sweep_config;

/**
 * Reads `key = value[, value...]` lines ('#' comments, blank lines) from path. Errors name
 * the file and line and go to err (a message of errlen bytes). Returns 0 or -1.
 */
int spec_read(spec *s, const char *path, char *err, size_t errlen);

/**
 * As spec_read() on the text[0..len) of a spec (need not end in a NUL; name stands for the
 * file in messages). No file, no output: the unit the fuzz target fuzz_sweep_spec calls.
 */
int spec_parse(spec *s, const char *name, const char *text, size_t len, char *err, size_t errlen);
void spec_free(spec *s);

/** 1 if key of spec is ignored by arm (lambda and more for none, A and swaps unless bimt). */
int spec_key_ignored(const char *key, bimt_arm arm);

/**
 * Expands the Cartesian product (first key outermost), one run per distinct configuration
 * once the keys an arm ignores take their first value. *out (free with configs_free()).
 * Returns 0 or -1 (out of memory, message in err).
 */
int spec_expand(const spec *s, sweep_config **out, size_t *n, char *err, size_t errlen);
void configs_free(sweep_config *c, size_t n);

/**
 * Asks grow_brain to check every value of the spec (grow_brain --check with configuration
 * files whose line numbers are those of the spec). Returns 0 when all are accepted; else -1
 * with grow_brain's message, its file name replaced by the spec's, in err.
 */
int spec_validate(const spec *s, const char *grow_brain, const char *tmpdir, char *err,
                  size_t errlen);

#endif /* BIMT_SWEEP_SPEC_H */
