/* JSON writer (see json_write.h). */
#include "io/json_write.h"

#include <stdio.h>
#include <string.h>

#include "common/common.h"

void bimt__json_init(bimt__json *j)
{
    memset(j, 0, sizeof(*j));
    bimt__buf_init(&j->b);
}

static void json_string(bimt__json *j, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    bimt__buf_put(&j->b, "\"", 1);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned c = *p;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            bimt__buf_put(&j->b, esc, 2);
            p++;
        } else if (c < 0x20) {
            const char *named = c == '\n'   ? "\\n"
                                : c == '\t' ? "\\t"
                                : c == '\r' ? "\\r"
                                : c == '\b' ? "\\b"
                                : c == '\f' ? "\\f"
                                            : NULL;
            if (named) {
                bimt__buf_puts(&j->b, named);
            } else {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                bimt__buf_put(&j->b, esc, 6);
            }
            p++;
        } else if (c < 0x80) {
            bimt__buf_put(&j->b, (const char *)p, 1);
            p++;
        } else {
            /* Copy valid UTF-8 sequences; replace invalid bytes by U+FFFD. */
            size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
            if (c > 0xF4) n = 0;
            for (size_t i = 1; i < n; i++)
                if ((p[i] & 0xC0) != 0x80) n = 0;
            if (n) {
                bimt__buf_put(&j->b, (const char *)p, n);
                p += n;
            } else {
                bimt__buf_puts(&j->b, "\\ufffd");
                p++;
            }
        }
    }
    bimt__buf_put(&j->b, "\"", 1);
}

/* Separator, newline and indentation before a member; then the key if given. */
static void json_member(bimt__json *j, const char *key)
{
    int d = j->depth;
    if (d > 0) {
        if (j->count[d - 1]++) bimt__buf_put(&j->b, ",", 1);
        if (j->flat[d - 1]) {
            if (j->count[d - 1] > 1) bimt__buf_put(&j->b, " ", 1);
        } else {
            bimt__buf_put(&j->b, "\n", 1);
            for (int i = 0; i < d; i++)
                bimt__buf_put(&j->b, "  ", 2);
        }
    }
    if (key) {
        json_string(j, key);
        bimt__buf_put(&j->b, ": ", 2);
    }
}

void bimt__json_open(bimt__json *j, const char *key, char bracket, int flat)
{
    json_member(j, key);
    bimt__buf_put(&j->b, &bracket, 1);
    if (j->depth < BIMT__JSON_MAX_DEPTH) {
        j->count[j->depth] = 0;
        j->flat[j->depth] = flat || (j->depth > 0 && j->flat[j->depth - 1]);
    }
    j->depth++;
}

void bimt__json_close(bimt__json *j, char bracket)
{
    j->depth--;
    if (j->depth < BIMT__JSON_MAX_DEPTH && j->count[j->depth] && !j->flat[j->depth]) {
        bimt__buf_put(&j->b, "\n", 1);
        for (int i = 0; i < j->depth; i++)
            bimt__buf_put(&j->b, "  ", 2);
    }
    bimt__buf_put(&j->b, &bracket, 1);
}

void bimt__json_num(bimt__json *j, const char *key, double v)
{
    char t[BIMT__NUMBUF];
    json_member(j, key);
    bimt__buf_put(&j->b, t, bimt__fmt_double(t, v)); /* "null" when not finite */
}

void bimt__json_num17(bimt__json *j, const char *key, double v)
{
    char t[40];
    json_member(j, key);
    if (!bimt__finite(v)) {
        bimt__buf_puts(&j->b, "null");
        return;
    }
    snprintf(t, sizeof t, "%.17g", v);
    for (char *c = t; *c; c++) /* whatever the locale's decimal point, a '.' */
        if (!((*c >= '0' && *c <= '9') || *c == '-' || *c == '+' || *c == 'e' || *c == 'E'))
            *c = '.';
    bimt__buf_puts(&j->b, t);
}

void bimt__json_uint(bimt__json *j, const char *key, uint64_t v)
{
    json_member(j, key);
    bimt__buf_fmt(&j->b, "%U", v);
}

void bimt__json_int(bimt__json *j, const char *key, long v)
{
    char t[32];
    json_member(j, key);
    snprintf(t, sizeof t, "%ld", v);
    bimt__buf_puts(&j->b, t);
}

void bimt__json_str(bimt__json *j, const char *key, const char *s)
{
    json_member(j, key);
    if (s)
        json_string(j, s);
    else
        bimt__buf_puts(&j->b, "null");
}

void bimt__json_null(bimt__json *j, const char *key)
{
    json_member(j, key);
    bimt__buf_puts(&j->b, "null");
}
