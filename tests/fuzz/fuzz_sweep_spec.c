/* libFuzzer target of bimt_sweep's spec parser (examples/sweep/spec.c): spec_parse() on any
 * bytes returns 0 or -1 with a message naming the line, never crashes, reads out of bounds or
 * leaks; an accepted spec of up to 64 combinations expands into distinct configurations with
 * distinct run ids and one `key = value` line per key in each run's config text.
 * Build: cmake -DCMAKE_C_COMPILER=clang -DBIMT_FUZZ=ON ... && make fuzz_sweep_spec
 * Run:   ./tests/fuzz_sweep_spec -max_total_time=60 NEW_DIR ../tests/fuzz/corpus/sweep_spec */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spec s;
    char err[700] = "";
    int rc = spec_parse(&s, "fuzz.spec", (const char *)data, size, err, sizeof err);
    if (rc != 0) {
        if (rc != -1 || strncmp(err, "fuzz.spec:", 10) != 0) __builtin_trap();
        return 0;
    }
    size_t total = 1;
    for (size_t k = 0; k < s.n_keys && total <= 64; k++) {
        if (s.keys[k].n_vals == 0 || !s.keys[k].key[0]) __builtin_trap();
        total *= s.keys[k].n_vals;
    }
    if (total <= 64) {
        sweep_config *c = NULL;
        size_t n = 0;
        if (spec_expand(&s, &c, &n, err, sizeof err) == 0) {
            if (n == 0 || n > total) __builtin_trap();
            for (size_t i = 0; i < n; i++) {
                size_t lines = 0;
                for (const char *p = c[i].conf; *p; p++)
                    lines += *p == '\n';
                if (lines != s.n_keys + 1) __builtin_trap(); /* a comment, then each key */
                for (size_t j = 0; j < i; j++)
                    if (!strcmp(c[i].id, c[j].id) || !strcmp(c[i].conf, c[j].conf))
                        __builtin_trap();
            }
            configs_free(c, n);
        }
    }
    spec_free(&s);
    return 0;
}
