/* A small recursive-descent JSON reader (see json_read.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/status.h"
#include "common/common.h"
#include "sweep/json_read.h"

typedef struct parser {
    const char *s, *p, *end;
    int depth;
    int status;
    char *err;
    size_t errlen;
} parser;

static int perror_at(parser *ps, int status, const char *what)
{
    if (ps->status) return ps->status; /* keep the first error */
    size_t line = 1, col = 1;
    for (const char *q = ps->s; q < ps->p && q < ps->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    ps->status = status;
    return bimt__failn(ps->err, ps->errlen, status, "line %zu, column %zu: %s", line, col, what);
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int literal(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return perror_at(ps, BIMT_E_FORMAT, "invalid literal");
    ps->p += n;
    return BIMT_OK;
}

/* Appends the UTF-8 encoding of code point cp. */
static size_t utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(parser *ps, uint32_t *out)
{
    if (ps->end - ps->p < 4) return perror_at(ps, BIMT_E_FORMAT, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        uint32_t d = c >= '0' && c <= '9'   ? (uint32_t)(c - '0')
                     : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10)
                                            : 16u;
        if (d > 15) return perror_at(ps, BIMT_E_FORMAT, "bad hex digit in \\u escape");
        v = v * 16u + d;
    }
    *out = v;
    return BIMT_OK;
}

/* A string starting at the opening quote; the decoded text (never longer than the source). */
static int string(parser *ps, char **out)
{
    ps->p++; /* opening quote */
    const char *start = ps->p;
    while (ps->p < ps->end && *ps->p != '"')
        ps->p += (*ps->p == '\\' && ps->p + 1 < ps->end) ? 2 : 1;
    if (ps->p >= ps->end) return perror_at(ps, BIMT_E_FORMAT, "unterminated string");
    const char *stop = ps->p;
    char *o = malloc((size_t)(stop - start) + 1);
    if (!o) return perror_at(ps, BIMT_E_NOMEM, "out of memory");
    size_t n = 0;
    ps->p = start;
    while (ps->p < stop) {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            free(o);
            return perror_at(ps, BIMT_E_FORMAT, "control character in string");
        }
        if (c != '\\') {
            o[n++] = (char)c;
            ps->p++;
            continue;
        }
        ps->p++;
        char e = *ps->p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            o[n++] = map[simple - "\"\\/bfnrt"];
            continue;
        }
        uint32_t cp = 0, lo = 0;
        if (e != 'u' || hex4(ps, &cp)) {
            free(o);
            return perror_at(ps, BIMT_E_FORMAT, "invalid escape in string");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') {
                free(o);
                return perror_at(ps, BIMT_E_FORMAT, "lone surrogate in string");
            }
            ps->p += 2;
            if (hex4(ps, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                free(o);
                return perror_at(ps, BIMT_E_FORMAT, "bad surrogate pair in string");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            free(o);
            return perror_at(ps, BIMT_E_FORMAT, "lone surrogate in string");
        }
        if (cp == 0) {
            free(o);
            return perror_at(ps, BIMT_E_FORMAT, "\\u0000 in string is not supported");
        }
        n += utf8_put(o + n, cp); /* an escape is 6+ source bytes for at most 4 out */
    }
    o[n] = '\0';
    ps->p = stop + 1;
    *out = o;
    return BIMT_OK;
}

static int number(parser *ps, double *out)
{
    const char *q = ps->p;
    if (q < ps->end && *q == '-') q++;
    if (q < ps->end && *q == '0') {
        q++;
    } else if (q < ps->end && *q >= '1' && *q <= '9') {
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    } else {
        return perror_at(ps, BIMT_E_FORMAT, "invalid number");
    }
    if (q < ps->end && *q == '.') {
        q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return perror_at(ps, BIMT_E_FORMAT, "invalid number");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-')) q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return perror_at(ps, BIMT_E_FORMAT, "invalid number");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    char buf[64];
    size_t n = (size_t)(q - ps->p);
    if (n >= sizeof buf) return perror_at(ps, BIMT_E_FORMAT, "number too long");
    memcpy(buf, ps->p, n);
    buf[n] = '\0';
    char *stop;
    errno = 0;
    double x = strtod(buf, &stop);
    if (*stop) return perror_at(ps, BIMT_E_FORMAT, "number not readable in this locale");
    if (errno == ERANGE && (x > 1.0 || x < -1.0))
        return perror_at(ps, BIMT_E_FORMAT, "number out of range");
    ps->p = q;
    *out = x;
    return BIMT_OK;
}

static int value(parser *ps, bimt__jv *v);

/* Grows a container by one item (and key slot for objects). */
static int grow(parser *ps, bimt__jv *v, size_t *cap)
{
    if (v->n < *cap) return BIMT_OK;
    size_t nc = *cap ? *cap * 2 : 4;
    bimt__jv *items = realloc(v->items, nc * sizeof *items);
    if (!items) return perror_at(ps, BIMT_E_NOMEM, "out of memory");
    v->items = items;
    if (v->kind == BIMT__J_OBJ) {
        char **keys = realloc(v->keys, nc * sizeof *keys);
        if (!keys) return perror_at(ps, BIMT_E_NOMEM, "out of memory");
        v->keys = keys;
    }
    *cap = nc;
    return BIMT_OK;
}

static int container(parser *ps, bimt__jv *v, char close)
{
    if (++ps->depth > BIMT__JSON_READ_MAX_DEPTH)
        return perror_at(ps, BIMT_E_FORMAT, "nested too deeply");
    ps->p++;
    size_t cap = 0;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return BIMT_OK;
    }
    for (;;) {
        if (grow(ps, v, &cap)) return ps->status;
        skip_ws(ps);
        if (v->kind == BIMT__J_OBJ) {
            v->keys[v->n] = NULL;
            if (ps->p >= ps->end || *ps->p != '"')
                return perror_at(ps, BIMT_E_FORMAT, "expected a member name");
            char *key = NULL;
            if (string(ps, &key)) return ps->status;
            v->keys[v->n] = key;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                v->n++;
                memset(&v->items[v->n - 1], 0, sizeof v->items[0]);
                return perror_at(ps, BIMT_E_FORMAT, "expected ':'");
            }
            ps->p++;
        }
        memset(&v->items[v->n], 0, sizeof v->items[0]);
        v->n++;
        if (value(ps, &v->items[v->n - 1])) return ps->status;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            ps->depth--;
            return BIMT_OK;
        }
        return perror_at(ps, BIMT_E_FORMAT,
                         close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
    }
}

static int value(parser *ps, bimt__jv *v)
{
    skip_ws(ps);
    if (ps->p >= ps->end) return perror_at(ps, BIMT_E_FORMAT, "unexpected end of text");
    switch (*ps->p) {
    case '{':
        v->kind = BIMT__J_OBJ;
        return container(ps, v, '}');
    case '[':
        v->kind = BIMT__J_ARR;
        return container(ps, v, ']');
    case '"':
        v->kind = BIMT__J_STR;
        return string(ps, &v->str);
    case 't':
        v->kind = BIMT__J_BOOL;
        v->boolean = 1;
        return literal(ps, "true");
    case 'f':
        v->kind = BIMT__J_BOOL;
        return literal(ps, "false");
    case 'n':
        v->kind = BIMT__J_NULL;
        return literal(ps, "null");
    default:
        v->kind = BIMT__J_NUM;
        return number(ps, &v->num);
    }
}

static void jv_clear(bimt__jv *v)
{
    free(v->str);
    for (size_t i = 0; i < v->n; i++) {
        jv_clear(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
}

void bimt__jv_free(bimt__jv *v)
{
    if (!v) return;
    jv_clear(v);
    free(v);
}

int bimt__json_parse(const char *text, size_t len, bimt__jv **out, char *err, size_t errlen)
{
    if (out) *out = NULL;
    if (!text || !out) return bimt__failn(err, errlen, BIMT_E_INVALID_ARG, "NULL argument");
    bimt__jv *v = calloc(1, sizeof *v);
    if (!v) return bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");
    parser ps = {text, text, text + len, 0, BIMT_OK, err, errlen};
    if (value(&ps, v) == BIMT_OK) {
        skip_ws(&ps);
        if (ps.p != ps.end) perror_at(&ps, BIMT_E_FORMAT, "text after the value");
    }
    if (ps.status) {
        bimt__jv_free(v);
        return ps.status;
    }
    *out = v;
    return BIMT_OK;
}

int bimt__json_read_file(const char *path, bimt__jv **out, char *err, size_t errlen)
{
    if (out) *out = NULL;
    if (!path || !out) return bimt__failn(err, errlen, BIMT_E_INVALID_ARG, "NULL argument");
    FILE *f = fopen(path, "rb");
    if (!f) return bimt__failn(err, errlen, BIMT_E_IO, "%s: %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = BIMT_OK;
    for (;;) {
        if (len + 4096 > cap) {
            size_t nc = cap ? cap * 2 : 65536;
            char *t = realloc(text, nc);
            if (!t) {
                rc = bimt__failn(err, errlen, BIMT_E_NOMEM, "%s: out of memory", path);
                break;
            }
            text = t;
            cap = nc;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) rc = bimt__failn(err, errlen, BIMT_E_IO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (!rc) {
        char detail[200];
        rc = bimt__json_parse(text, len, out, detail, sizeof detail);
        if (rc) bimt__failn(err, errlen, rc, "%s: %s", path, detail);
    }
    free(text);
    return rc;
}

const bimt__jv *bimt__jv_get(const bimt__jv *v, const char *key)
{
    if (!v || v->kind != BIMT__J_OBJ || !key) return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (v->keys[i] && strcmp(v->keys[i], key) == 0) return &v->items[i];
    return NULL;
}

const bimt__jv *bimt__jv_path(const bimt__jv *v, const char *path)
{
    char key[128];
    while (v && path && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key) return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        v = bimt__jv_get(v, key);
        path = dot ? dot + 1 : NULL;
    }
    return v;
}
