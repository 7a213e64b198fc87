/* JSON writer (see json_write.h). */
#include "io/json_write.h"

#include <stdio.h>
#include <string.h>

#include "bimt/version.h"
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

void bimt__json_header(bimt__json *j, const char *format, uint64_t format_version)
{
    bimt__json_str(j, "format", format);
    bimt__json_uint(j, "format_version", format_version);
    bimt__json_str(j, "library_version", bimt_version_string());
}

int bimt__json_save(bimt__json *j, const char *path, char *errbuf)
{
    bimt__buf_put(&j->b, "\n", 1);
    return bimt__buf_save_free(&j->b, path, errbuf);
}

/* The field of row f in struct s, widened: unsigned integers to uint64_t, numbers to double,
 * names to int32_t (an enum of the library is 4 bytes). */
static uint64_t field_uint(const char *p, uint8_t size)
{
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    switch (size) {
    case 1:
        memcpy(&u8, p, 1);
        return u8;
    case 2:
        memcpy(&u16, p, 2);
        return u16;
    case 4:
        memcpy(&u32, p, 4);
        return u32;
    default:
        memcpy(&u64, p, 8);
        return u64;
    }
}

static double field_num(const char *p, uint8_t size)
{
    float f;
    double d;
    if (size == sizeof f) {
        memcpy(&f, p, sizeof f);
        return (double)f;
    }
    memcpy(&d, p, sizeof d);
    return d;
}

void bimt__json_fields(bimt__json *j, const void *s, const bimt__json_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = (const char *)s + f[i].off;
        int32_t v;
        switch (f[i].kind) {
        case BIMT__JF_NUM:
            bimt__json_num(j, f[i].key, field_num(p, f[i].size));
            break;
        case BIMT__JF_NUM17:
            bimt__json_num17(j, f[i].key, field_num(p, f[i].size));
            break;
        case BIMT__JF_UINT:
            bimt__json_uint(j, f[i].key, field_uint(p, f[i].size));
            break;
        case BIMT__JF_NAME:
            memcpy(&v, p, sizeof v);
            bimt__json_str(j, f[i].key, f[i].name(v));
            break;
        default: /* BIMT__JF_STR */
            bimt__json_str(j, f[i].key, *(const char *const *)(const void *)p);
            break;
        }
    }
}
