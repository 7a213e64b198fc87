/* Growable text buffer and locale-independent number text (see textbuf.h). */
#include "io/textbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "io/atomic_file.h"

/* ------------------------------------------------------------------ text buffer */

void bimt__buf_init(bimt__buf *b)
{
    memset(b, 0, sizeof(*b));
}

void bimt__buf_free(bimt__buf *b)
{
    if (!b) return;
    free(b->data);
    memset(b, 0, sizeof(*b));
}

int bimt__buf_ok(const bimt__buf *b)
{
    return b && !b->nomem;
}

static int buf_reserve(bimt__buf *b, size_t extra)
{
    if (b->nomem) return 0;
    if (extra > SIZE_MAX - b->len - 1) {
        b->nomem = 1;
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->nomem = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void bimt__buf_put(bimt__buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n)) return;
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void bimt__buf_puts(bimt__buf *b, const char *s)
{
    bimt__buf_put(b, s ? s : "", s ? strlen(s) : 0);
}

/* Length of a valid UTF-8 sequence starting at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else
        return 0;
    unsigned cp = c & (0x3Fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    if (cp == 0xFFFE || cp == 0xFFFF) return 0; /* not XML characters */
    return n;
}

void bimt__buf_xml(bimt__buf *b, const char *s)
{
    if (!s) return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        default:
            break;
        }
        if (rep) {
            bimt__buf_puts(b, rep);
            p++;
            continue;
        }
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
            bimt__buf_put(b, "?", 1);
            p++;
            continue;
        }
        size_t n = utf8_len(p);
        if (n == 0) {
            bimt__buf_put(b, "?", 1);
            p++;
            continue;
        }
        bimt__buf_put(b, (const char *)p, n);
        p += n;
    }
}

void bimt__buf_fmt(bimt__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char num[BIMT__NUMBUF];
    const char *p = fmt;
    while (*p) {
        const char *q = strchr(p, '%');
        if (!q) {
            bimt__buf_puts(b, p);
            break;
        }
        bimt__buf_put(b, p, (size_t)(q - p));
        q++;
        int prec = 2;
        if (*q == '.' && q[1] >= '0' && q[1] <= '6') {
            prec = q[1] - '0';
            q += 2;
        }
        switch (*q) {
        case 'f':
            bimt__buf_put(b, num, bimt__fmt_fixed(num, va_arg(ap, double), prec));
            break;
        case 'g':
            bimt__buf_put(b, num, bimt__fmt_double(num, va_arg(ap, double)));
            break;
        case 'e':
            bimt__buf_put(b, num, bimt__fmt_short(num, va_arg(ap, double)));
            break;
        case 'd': /* integers: printf's own conversion, then the text */
        case 'u':
        case 'z':
        case 'U':
            if (*q == 'd')
                snprintf(num, sizeof num, "%d", va_arg(ap, int));
            else if (*q == 'u')
                snprintf(num, sizeof num, "%u", va_arg(ap, unsigned));
            else if (*q == 'z')
                snprintf(num, sizeof num, "%zu", va_arg(ap, size_t));
            else
                snprintf(num, sizeof num, "%llu", (unsigned long long)va_arg(ap, uint64_t));
            bimt__buf_puts(b, num);
            break;
        case 's':
            bimt__buf_xml(b, va_arg(ap, const char *));
            break;
        case 'r':
            bimt__buf_puts(b, va_arg(ap, const char *));
            break;
        case '%':
            bimt__buf_put(b, "%", 1);
            break;
        default: /* unknown directive: copy it literally */
            bimt__buf_put(b, q - 1, *q ? 2 : 1);
            break;
        }
        if (!*q) break;
        p = q + 1;
    }
    va_end(ap);
}

/* ------------------------------------------------------------------ numbers */

size_t bimt__fmt_fixed(char out[BIMT__NUMBUF], double x, int prec)
{
    static const uint64_t pow10[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    if (prec < 0) prec = 0;
    if (prec > 6) prec = 6;
    if (!bimt__finite(x)) x = 0.0;
    if (x > 1e12) x = 1e12;
    if (x < -1e12) x = -1e12;
    int neg = x < 0.0;
    uint64_t scale = pow10[prec];
    uint64_t v = (uint64_t)llround(fabs(x) * (double)scale);
    uint64_t ip = v / scale, fp = v % scale;
    int n =
        snprintf(out, BIMT__NUMBUF, "%s%llu", (neg && v != 0) ? "-" : "", (unsigned long long)ip);
    if (fp != 0) {
        char frac[24];
        snprintf(frac, sizeof frac, "%0*llu", prec, (unsigned long long)fp);
        size_t fl = strlen(frac);
        while (fl > 0 && frac[fl - 1] == '0')
            frac[--fl] = '\0';
        n += snprintf(out + n, BIMT__NUMBUF - (size_t)n, ".%s", frac);
    }
    return (size_t)n;
}

/* Rewrites printf %g/%e output so that whatever the locale's decimal point is (one or more
 * bytes that are neither digits, signs nor 'e'), it becomes a single '.'. */
static size_t normalize_point(char *s)
{
    size_t w = 0;
    int in_point = 0;
    for (size_t r = 0; s[r]; r++) {
        char c = s[r];
        int keep = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E';
        if (keep) {
            s[w++] = c;
            in_point = 0;
        } else if (!in_point) {
            s[w++] = '.';
            in_point = 1;
        }
    }
    s[w] = '\0';
    return w;
}

size_t bimt__fmt_double(char out[BIMT__NUMBUF], double x)
{
    if (!bimt__finite(x)) {
        memcpy(out, "null", 5);
        return 4;
    }
    if (x == 0.0) { /* also -0 */
        memcpy(out, "0", 2);
        return 1;
    }
    char tmp[BIMT__NUMBUF];
    for (int p = 15; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, x);
        /* Read back in the same locale that wrote it. */
        if (strtod(tmp, NULL) == x || p == 17) break;
    }
    memcpy(out, tmp, sizeof tmp);
    return normalize_point(out);
}

size_t bimt__fmt_short(char out[BIMT__NUMBUF], double x)
{
    if (!bimt__finite(x)) {
        memcpy(out, "n/a", 4);
        return 3;
    }
    double ax = fabs(x);
    if (ax != 0.0 && (ax < 1e-2 || ax >= 1e4)) {
        /* 3 significant digits, then compact: "1.50e-03" -> "1.5e-3". */
        char tmp[BIMT__NUMBUF];
        snprintf(tmp, sizeof tmp, "%.2e", x);
        normalize_point(tmp);
        char *e = strchr(tmp, 'e');
        if (!e) {
            memcpy(out, tmp, sizeof tmp);
            return strlen(out);
        }
        size_t m = (size_t)(e - tmp);
        while (m > 0 && tmp[m - 1] == '0')
            m--;
        if (m > 0 && tmp[m - 1] == '.') m--;
        char sign = e[1] == '-' ? '-' : 0;
        const char *d = e + 2;
        while (*d == '0' && d[1])
            d++;
        int n = snprintf(out, BIMT__NUMBUF, "%.*se%s%s", (int)m, tmp, sign ? "-" : "", d);
        return (size_t)n;
    }
    int prec = ax >= 100.0 ? 1 : 3;
    return bimt__fmt_fixed(out, x, prec);
}

int bimt__buf_save(const bimt__buf *b, const char *path, char *errbuf)
{
    if (!bimt__buf_ok(b))
        return bimt__fail(errbuf, BIMT_E_NOMEM, "out of memory building %s",
                          path ? path : "(null)");
    return bimt__write_atomic(path, b->data ? b->data : "", b->len, errbuf);
}

int bimt__buf_save_free(bimt__buf *b, const char *path, char *errbuf)
{
    int rc = bimt__buf_save(b, path, errbuf);
    bimt__buf_free(b);
    return rc;
}
