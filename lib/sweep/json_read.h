/* A small JSON reader (RFC 8259): parses a whole document into a tree of values, with the
 * line and column of the first error. Used to read the metrics.json of sweep runs. Not
 * installed. Numbers are read with strtod (the C locale, as the writers assume). */
#ifndef BIMT_JSON_READ_H
#define BIMT_JSON_READ_H

#include <stddef.h>

typedef enum bimt__jkind {
    BIMT__J_NULL = 0,
    BIMT__J_BOOL = 1,
    BIMT__J_NUM = 2,
    BIMT__J_STR = 3,
    BIMT__J_ARR = 4,
    BIMT__J_OBJ = 5
} bimt__jkind;

/** One value. Arrays and objects hold n items; objects also n keys (in document order). */
typedef struct bimt__jv {
    bimt__jkind kind;
    int boolean; /* BIMT__J_BOOL */
    double num;  /* BIMT__J_NUM */
    char *str;   /* BIMT__J_STR: NUL-terminated UTF-8 (may hold no NUL inside) */
    size_t n;
    struct bimt__jv *items; /* BIMT__J_ARR, BIMT__J_OBJ */
    char **keys;            /* BIMT__J_OBJ */
} bimt__jv;

/** Deepest nesting accepted. */
#define BIMT__JSON_READ_MAX_DEPTH 64

/**
 * Parses text[0..len) (one JSON value, surrounding white space allowed) into *out (free with
 * bimt__jv_free()). On failure *out = NULL and err (errlen bytes, may be NULL) says what and
 * where ("line L, column C: ...").
 * @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_FORMAT, BIMT_E_NOMEM.
 */
int bimt__json_parse(const char *text, size_t len, bimt__jv **out, char *err, size_t errlen);
/** Reads and parses a file; errors name the file. Also BIMT_E_IO. */
int bimt__json_read_file(const char *path, bimt__jv **out, char *err, size_t errlen);
/** Frees a tree from bimt__json_parse(). NULL is a no-op. */
void bimt__jv_free(bimt__jv *v);

/** Member key of an object, or NULL (v NULL, not an object, or no such key). */
const bimt__jv *bimt__jv_get(const bimt__jv *v, const char *key);
/** Member reached by a dotted path of keys ("performance.mean"), or NULL. */
const bimt__jv *bimt__jv_path(const bimt__jv *v, const char *path);

#endif /* BIMT_JSON_READ_H */
