/* libFuzzer target of grow_brain's --positions parser (examples/grow_brain/positions.c, from
 * the positions work): gb_positions_parse() on any bytes returns 0 with 1 .. GB_POSITIONS_MAX
 * points of 1 to 3 finite coordinates, or -1 with a message and nothing allocated; it never
 * crashes, reads out of bounds or leaks. Built only where positions.c exists.
 * Run: ./tests/fuzz_positions -max_total_time=60 NEW_DIR ../tests/fuzz/corpus/positions */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "positions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gb_positions p;
    memset(&p, 0xa5, sizeof p); /* the parser must set every field */
    gb_error e;
    memset(&e, 0, sizeof e);
    int rc = gb_positions_parse((const char *)data, size, &p, &e);
    if (rc == 0) {
        if (p.n < 1 || p.n > GB_POSITIONS_MAX || p.dim < 1 || p.dim > 3 || !p.xyz) __builtin_trap();
        for (size_t i = 0; i < (size_t)p.n * p.dim; i++)
            if (!isfinite(p.xyz[i])) __builtin_trap();
        gb_positions_free(&p);
    } else if (rc != -1 || e.msg[0] == '\0' || !memchr(e.msg, '\0', sizeof e.msg)) {
        __builtin_trap();
    }
    return 0;
}
