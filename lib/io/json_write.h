/* A small JSON writer into a text buffer (private; report metrics.json, checkpoint metadata).
 *
 * Why one writer: every JSON text of the library escapes strings, places separators and
 * prints numbers the same way, independent of the caller's C locale. Containers are either
 * indented (one member per line, two spaces per level) or flat (members on one line,
 * separated by ", "); a container inside a flat one is flat too. Non-finite numbers are
 * written as null. Errors (allocation) are sticky in the buffer (bimt__buf_ok). Not installed. */
#ifndef BIMT_JSON_WRITE_H
#define BIMT_JSON_WRITE_H

#include <stdint.h>

#include "io/textbuf.h"

/** Deepest nesting whose layout is tracked (deeper containers still close correctly). */
#define BIMT__JSON_MAX_DEPTH 16

typedef struct bimt__json {
    bimt__buf b; /* the text */
    int depth;
    int count[BIMT__JSON_MAX_DEPTH]; /* members written at each level */
    int flat[BIMT__JSON_MAX_DEPTH];  /* 1: this container stays on one line */
} bimt__json;

/** Starts an empty text. */
void bimt__json_init(bimt__json *j);

/** Opens an object or array (bracket '{' or '['), as member key of the enclosing object
 *  (key NULL inside arrays and at the top); flat keeps it on one line. */
void bimt__json_open(bimt__json *j, const char *key, char bracket, int flat);
/** Closes the innermost container with bracket '}' or ']'. */
void bimt__json_close(bimt__json *j, char bracket);

/** Number, shortest text that reads back exactly (bimt__fmt_double). */
void bimt__json_num(bimt__json *j, const char *key, double v);
/** Number with 17 significant digits ("%.17g" with a '.' decimal point): always exact, not
 *  always shortest; the checkpoint metadata keeps the text it always had. */
void bimt__json_num17(bimt__json *j, const char *key, double v);
void bimt__json_uint(bimt__json *j, const char *key, uint64_t v);
void bimt__json_int(bimt__json *j, const char *key, long v);
/** String (escaped; invalid UTF-8 bytes become U+FFFD); NULL writes null. */
void bimt__json_str(bimt__json *j, const char *key, const char *s);
void bimt__json_null(bimt__json *j, const char *key);

#endif /* BIMT_JSON_WRITE_H */
