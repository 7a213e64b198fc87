/* The `key = value` line reader of grow_brain and bimt_sweep (see kv_lines.h). */
#include "kv_lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kv_lines_init(kv_lines *r, const char *text, size_t len, size_t max_len)
{
    r->p = text;
    r->end = text + len;
    r->max_len = max_len < KV_LINE_MAX ? max_len : KV_LINE_MAX;
    r->line = 0;
    r->buf[0] = '\0';
}

char *kv_trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

kv_status kv_lines_next(kv_lines *r, char **key, char **value)
{
    while (r->p < r->end) {
        const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
        size_t n = (size_t)((nl ? nl : r->end) - r->p);
        const char *start = r->p;
        r->p = nl ? nl + 1 : r->end;
        r->line++;
        if (n > r->max_len) return KV_TOO_LONG;
        if (memchr(start, '\0', n)) return KV_NUL;
        memcpy(r->buf, start, n);
        r->buf[n] = '\0';
        char *hash = strchr(r->buf, '#');
        if (hash) *hash = '\0';
        char *s = kv_trim(r->buf);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) return KV_NO_EQUALS;
        *eq = '\0';
        *key = kv_trim(s);
        *value = kv_trim(eq + 1);
        return KV_PAIR;
    }
    return KV_END;
}

int kv_read_file(const char *path, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int rc = buf ? 0 : -2;
    while (!rc) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = -2;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) rc = -2;
            break;
        }
    }
    int saved = errno;
    fclose(f);
    if (rc) {
        free(buf);
        errno = saved;
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}
