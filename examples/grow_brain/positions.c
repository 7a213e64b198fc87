/* grow_brain's --positions parser (see positions.h). */
#include "positions.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(gb_error *e, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->line = line;
    return -1;
}

static int is_sep(char ch)
{
    return ch == ' ' || ch == '\t' || ch == ',' || ch == '\r';
}

/* Reads the numbers of one line (NUL-terminated, comment removed) into x; returns their
 * count, or -1 with e set. */
static int line_numbers(char *s, int line, double x[3], gb_error *e)
{
    int k = 0;
    for (;;) {
        while (is_sep(*s))
            s++;
        if (!*s) return k;
        char *tok = s;
        while (*s && !is_sep(*s))
            s++;
        char saved = *s;
        *s = '\0';
        if (k == 3) return fail(e, line, "more than 3 numbers (a point has 1, 2 or 3)");
        char *end;
        errno = 0;
        double v = strtod(tok, &end);
        if (end == tok || *end || errno == ERANGE || !isfinite(v))
            return fail(e, line, "'%.40s' is not a finite number", tok);
        x[k++] = v;
        *s = saved;
    }
}

int gb_positions_parse(const char *text, size_t len, gb_positions *out, gb_error *e)
{
    memset(out, 0, sizeof *out);
    e->line = 0;
    e->msg[0] = '\0';
    size_t cap = 0, n = 0;
    uint32_t dim = 0;
    double *xyz = NULL;
    char buf[GB_POSITIONS_LINE_MAX + 1];
    int line = 0;
    for (size_t i = 0; i < len;) {
        line++;
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        size_t l = j - i;
        if (l > GB_POSITIONS_LINE_MAX) {
            free(xyz);
            return fail(e, line, "line too long (more than %u bytes)", GB_POSITIONS_LINE_MAX);
        }
        if (memchr(text + i, '\0', l)) {
            free(xyz);
            return fail(e, line, "NUL byte in the line");
        }
        memcpy(buf, text + i, l);
        buf[l] = '\0';
        char *hash = strchr(buf, '#');
        if (hash) *hash = '\0';
        i = j + 1;
        double x[3];
        int k = line_numbers(buf, line, x, e);
        if (k < 0) {
            free(xyz);
            return -1;
        }
        if (k == 0) continue;
        if (dim == 0) dim = (uint32_t)k;
        if ((uint32_t)k != dim) {
            free(xyz);
            return fail(e, line, "%d numbers, but the first point has %u", k, (unsigned)dim);
        }
        if (n == GB_POSITIONS_MAX) {
            free(xyz);
            return fail(e, line, "more than %u points", GB_POSITIONS_MAX);
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            double *grown = realloc(xyz, cap * dim * sizeof(double));
            if (!grown) {
                free(xyz);
                return fail(e, line, "out of memory");
            }
            xyz = grown;
        }
        memcpy(xyz + n * dim, x, dim * sizeof(double));
        n++;
    }
    if (n == 0) {
        free(xyz);
        return fail(e, 0, "no points (one point a line: 1, 2 or 3 numbers)");
    }
    out->xyz = xyz;
    out->n = (uint32_t)n;
    out->dim = dim;
    return 0;
}

void gb_positions_free(gb_positions *p)
{
    if (!p) return;
    free(p->xyz);
    memset(p, 0, sizeof *p);
}
