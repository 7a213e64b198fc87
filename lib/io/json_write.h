/* A small JSON writer into a text buffer (private; report metrics.json, checkpoint metadata).
 *
 * Why one writer: every JSON text of the library escapes strings, places separators and
 * prints numbers the same way, independent of the caller's C locale. Containers are either
 * indented (one member per line, two spaces per level) or flat (members on one line,
 * separated by ", "); a container inside a flat one is flat too. Non-finite numbers are
 * written as null. Errors (allocation) are sticky in the buffer (bimt__buf_ok). Not installed. */
#ifndef BIMT_JSON_WRITE_H
#define BIMT_JSON_WRITE_H

#include <stddef.h>
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

/** The three members that open every JSON file of the library: "format" (the file kind),
 *  "format_version" and "library_version". */
void bimt__json_header(bimt__json *j, const char *format, uint64_t format_version);

/** Ends the text with a newline, writes it to path atomically (bimt__buf_save) and frees it. */
int bimt__json_save(bimt__json *j, const char *path, char *errbuf);

/* ---------------------------------------------------------------- member tables */

/** How a table row writes its field. */
enum {
    BIMT__JF_NUM,   /* float or double, as bimt__json_num */
    BIMT__JF_NUM17, /* float or double, as bimt__json_num17 */
    BIMT__JF_UINT,  /* unsigned integer of 1, 2, 4 or 8 bytes */
    BIMT__JF_NAME,  /* enum or int32: the string name(value) */
    BIMT__JF_STR    /* const char * (NULL writes null) */
};

/** One member of a table: key, kind, the field's size and offset in its struct, and for
 *  BIMT__JF_NAME the naming function. */
typedef struct bimt__json_field {
    const char *key;
    uint8_t kind, size;
    size_t off;
    const char *(*name)(int32_t);
} bimt__json_field;

/** Rows of a member table over struct type T (the key is the field's name unless given). */
#define BIMT__JF(kind, T, field)                                                                   \
    {                                                                                              \
#field, BIMT__JF_##kind, (uint8_t)sizeof(((T *)0)->field), offsetof(T, field), NULL        \
    }
#define BIMT__JF_AS(kind, key, T, field)                                                           \
    {                                                                                              \
        key, BIMT__JF_##kind, (uint8_t)sizeof(((T *)0)->field), offsetof(T, field), NULL           \
    }
#define BIMT__JF_NAMED(key, T, field, fn)                                                          \
    {                                                                                              \
        key, BIMT__JF_NAME, (uint8_t)sizeof(((T *)0)->field), offsetof(T, field), fn               \
    }

/** Elements of a member table (or any array). */
#define BIMT__N_OF(t) (sizeof(t) / sizeof((t)[0]))

/** Writes the n members of table f, read from the struct at s, in table order. */
void bimt__json_fields(bimt__json *j, const void *s, const bimt__json_field *f, size_t n);

#endif /* BIMT_JSON_WRITE_H */
