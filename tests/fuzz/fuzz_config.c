/* libFuzzer target of grow_brain's config-file parser (examples/grow_brain/config.c):
 * gb_config_parse() on any bytes returns 0 or -1 with a line number and a message, never
 * crashes, reads out of bounds or leaks; an accepted text gives settings within their bounds.
 * Build: cmake -DCMAKE_C_COMPILER=clang -DBIMT_FUZZ=ON ... && make fuzz_config
 * Run:   ./tests/fuzz_config -max_total_time=60 NEW_DIR ../tests/fuzz/corpus/config */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gb_config c = GB_DEFAULTS;
    gb_error e;
    memset(&e, 0, sizeof e);
    int rc = gb_config_parse(&c, (const char *)data, size, &e);
    if (rc != 0 && rc != -1) __builtin_trap();
    if (rc == -1 && (e.line < 0 || e.msg[0] == '\0' || !memchr(e.msg, '\0', sizeof e.msg)))
        __builtin_trap();
    if (rc == 0) {
        /* An accepted text gives settings within the documented bounds, and the library's
         * parameter structs are filled from them without reading past anything. */
        bimt_task_params tp;
        bimt_model_params mp;
        bimt_trainer_params trp;
        gb_config_params(&c, &tp, &mp, &trp);
        if (c.grid < 2 || c.grid > 64 || c.batch == 0 || c.batch > 4096 || !(c.lr > 0.0) ||
            !(c.lr <= 1.0) || !(c.lambda >= 0.0 && c.lambda <= 10.0) || !(c.A <= 1e6))
            __builtin_trap();
        for (int r = 0; r < BIMT_N_RULES; r++)
            if (!(c.rule_weight[r] >= 0.0 && c.rule_weight[r] <= 1e6)) __builtin_trap();
    }
    return 0;
}
