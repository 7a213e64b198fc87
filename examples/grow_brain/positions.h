/* grow_brain's --positions files: one point a line (1, 2 or 3 numbers), the slots of the
 * hidden neurons. The parser is a pure function on a text buffer (no file, no output), so a
 * fuzz target can call gb_positions_parse() on any bytes. */
#ifndef GROW_BRAIN_POSITIONS_H
#define GROW_BRAIN_POSITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/** Most points a positions file may hold (the library's limit on n_slots). */
#define GB_POSITIONS_MAX 65536u
/** Longest line of a positions file, without its newline. */
#define GB_POSITIONS_LINE_MAX 1024u

/** Parsed positions: n points of dim coordinates, row-major in xyz (malloc'd). */
typedef struct gb_positions {
    double *xyz;
    uint32_t n, dim;
} gb_positions;

/**
 * Parses text[0..len) (need not end in a NUL): one point a line, 1 to 3 finite numbers
 * separated by spaces, tabs or commas; '#' starts a comment; blank lines are skipped; every
 * point has as many numbers as the first. Returns 0 with *out filled (free it with
 * gb_positions_free()), or -1 with e->line the bad line's number (0: the whole text, e.g. no
 * point) and e->msg the reason; *out is then empty.
 */
int gb_positions_parse(const char *text, size_t len, gb_positions *out, gb_error *e);

/** Frees the points of p (p itself is the caller's) and empties it. NULL is a no-op. */
void gb_positions_free(gb_positions *p);

#endif /* GROW_BRAIN_POSITIONS_H */
