/* Text buffer, locale-independent numbers, XML escaping, SVG primitives and atomic writes
 * for the report (see svg.h). */
#include "report/svg.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "bimt/status.h"
#include "common/common.h"

/* ------------------------------------------------------------------ text buffer */

void bimt__buf_init(bimt__buf *b) { memset(b, 0, sizeof(*b)); }

void bimt__buf_free(bimt__buf *b)
{
    if (!b) return;
    free(b->data);
    memset(b, 0, sizeof(*b));
}

int bimt__buf_ok(const bimt__buf *b) { return b && !b->nomem; }

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
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
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

void bimt__buf_puts(bimt__buf *b, const char *s) { bimt__buf_put(b, s ? s : "", s ? strlen(s) : 0); }

/* Length of a valid UTF-8 sequence starting at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
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
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default: break;
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
        case 'f': bimt__buf_put(b, num, bimt__fmt_fixed(num, va_arg(ap, double), prec)); break;
        case 'g': bimt__buf_put(b, num, bimt__fmt_double(num, va_arg(ap, double))); break;
        case 'e': bimt__buf_put(b, num, bimt__fmt_short(num, va_arg(ap, double))); break;
        case 'd': snprintf(num, sizeof num, "%d", va_arg(ap, int)); bimt__buf_puts(b, num); break;
        case 'u': snprintf(num, sizeof num, "%u", va_arg(ap, unsigned)); bimt__buf_puts(b, num); break;
        case 'z': snprintf(num, sizeof num, "%zu", va_arg(ap, size_t)); bimt__buf_puts(b, num); break;
        case 'U':
            snprintf(num, sizeof num, "%llu", (unsigned long long)va_arg(ap, uint64_t));
            bimt__buf_puts(b, num);
            break;
        case 's': bimt__buf_xml(b, va_arg(ap, const char *)); break;
        case 'r': bimt__buf_puts(b, va_arg(ap, const char *)); break;
        case '%': bimt__buf_put(b, "%", 1); break;
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
    int n = snprintf(out, BIMT__NUMBUF, "%s%llu", (neg && v != 0) ? "-" : "",
                     (unsigned long long)ip);
    if (fp != 0) {
        char frac[24];
        snprintf(frac, sizeof frac, "%0*llu", prec, (unsigned long long)fp);
        size_t fl = strlen(frac);
        while (fl > 0 && frac[fl - 1] == '0') frac[--fl] = '\0';
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
        while (m > 0 && tmp[m - 1] == '0') m--;
        if (m > 0 && tmp[m - 1] == '.') m--;
        char sign = e[1] == '-' ? '-' : 0;
        const char *d = e + 2;
        while (*d == '0' && d[1]) d++;
        int n = snprintf(out, BIMT__NUMBUF, "%.*se%s%s", (int)m, tmp, sign ? "-" : "", d);
        return (size_t)n;
    }
    int prec = ax >= 100.0 ? 1 : 3;
    return bimt__fmt_fixed(out, x, prec);
}

/* ------------------------------------------------------------------ files */

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static void fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    if (!slash) dir = strdup(".");
    else if (slash == path) dir = strdup("/");
    else {
        dir = malloc((size_t)(slash - path) + 1);
        if (dir) {
            memcpy(dir, path, (size_t)(slash - path));
            dir[slash - path] = '\0';
        }
    }
    if (!dir) return;
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: some file systems refuse fsync on folders */
        close(fd);
    }
    free(dir);
}

int bimt__write_atomic(const char *path, const void *data, size_t len, char *errbuf)
{
    if (!path || !*path || (!data && len > 0))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "write: NULL or empty path or data");
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) return bimt__fail(errbuf, BIMT_E_NOMEM, "write: out of memory");
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        bimt__fail(errbuf, BIMT_E_IO, "cannot create a temporary file beside %s: %s", path,
                   strerror(e));
        free(tmp);
        return BIMT_E_IO;
    }
    const char *what = NULL;
    int e = 0;
    if (fchmod(fd, 0644) != 0) { what = "set the mode of"; e = errno; }
    else if (write_all(fd, (const char *)data, len) != 0) { what = "write"; e = errno; }
    else if (fsync(fd) != 0) { what = "flush"; e = errno; }
    if (close(fd) != 0 && !what) { what = "close"; e = errno; }
    if (!what && rename(tmp, path) != 0) { what = "rename onto"; e = errno; }
    if (what) {
        unlink(tmp);
        free(tmp);
        return bimt__fail(errbuf, BIMT_E_IO, "cannot %s %s: %s", what, path, strerror(e));
    }
    free(tmp);
    fsync_parent(path);
    return BIMT_OK;
}

int bimt__buf_save(const bimt__buf *b, const char *path, char *errbuf)
{
    if (!bimt__buf_ok(b)) return bimt__fail(errbuf, BIMT_E_NOMEM, "out of memory building %s",
                                            path ? path : "(null)");
    return bimt__write_atomic(path, b->data ? b->data : "", b->len, errbuf);
}

int bimt__mkdir_p(const char *dir, char *errbuf)
{
    if (!dir || !*dir) return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "empty folder name");
    char *d = strdup(dir);
    if (!d) return bimt__fail(errbuf, BIMT_E_NOMEM, "out of memory");
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/') d[--n] = '\0';
    for (char *p = d + 1;; p++) {
        int last = (*p == '\0');
        if (*p == '/' || last) {
            char save = *p;
            *p = '\0';
            if (mkdir(d, 0777) != 0 && errno != EEXIST) {
                int e = errno;
                bimt__fail(errbuf, BIMT_E_IO, "cannot create folder %s: %s", d, strerror(e));
                free(d);
                return BIMT_E_IO;
            }
            *p = save;
        }
        if (last) break;
    }
    struct stat st;
    int ok = stat(d, &st) == 0 && S_ISDIR(st.st_mode);
    free(d);
    if (!ok) return bimt__fail(errbuf, BIMT_E_IO, "%s exists and is not a folder", dir);
    return BIMT_OK;
}

/* ------------------------------------------------------------------ colours */

void bimt__rgb_hex(char out[8], bimt__rgb c)
{
    snprintf(out, 8, "#%02x%02x%02x", (unsigned)c.r, (unsigned)c.g, (unsigned)c.b);
}

bimt__rgb bimt__cmap_seq(double t)
{
    /* Anchor colours sampled along a viridis-like path (dark purple -> blue -> green -> yellow). */
    static const unsigned char k[9][3] = {
        {68, 1, 84},    {71, 44, 122},  {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
        {39, 173, 129}, {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
    if (!(t > 0.0)) t = 0.0;
    if (t > 1.0) t = 1.0;
    double s = t * 8.0;
    int i = (int)floor(s);
    if (i >= 8) i = 7;
    double f = s - (double)i;
    bimt__rgb c;
    c.r = (unsigned char)lround((1.0 - f) * k[i][0] + f * k[i + 1][0]);
    c.g = (unsigned char)lround((1.0 - f) * k[i][1] + f * k[i + 1][1]);
    c.b = (unsigned char)lround((1.0 - f) * k[i][2] + f * k[i + 1][2]);
    return c;
}

bimt__rgb bimt__cmap_cat(int k)
{
    static const unsigned char pal[20][3] = {
        {31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},   {148, 103, 189},
        {140, 86, 75},  {227, 119, 194}, {188, 189, 34}, {23, 190, 207},  {0, 0, 128},
        {174, 199, 232}, {255, 187, 120}, {152, 223, 138}, {255, 152, 150}, {197, 176, 213},
        {196, 156, 148}, {247, 182, 210}, {219, 219, 141}, {158, 218, 229}, {128, 128, 0}};
    bimt__rgb c;
    if (k < 0) k = -k;
    if (k < 20) {
        c.r = pal[k][0];
        c.g = pal[k][1];
        c.b = pal[k][2];
        return c;
    }
    /* Golden-angle hues at medium saturation and lightness. */
    double h = fmod((double)k * 137.508, 360.0) / 60.0, s = 0.65, l = 0.5;
    double ch = (1.0 - fabs(2.0 * l - 1.0)) * s, x = ch * (1.0 - fabs(fmod(h, 2.0) - 1.0));
    double r = 0, g = 0, bl = 0;
    switch ((int)h) {
    case 0: r = ch; g = x; break;
    case 1: r = x; g = ch; break;
    case 2: g = ch; bl = x; break;
    case 3: g = x; bl = ch; break;
    case 4: r = x; bl = ch; break;
    default: r = ch; bl = x; break;
    }
    double m = l - ch / 2.0;
    c.r = (unsigned char)lround(255.0 * (r + m));
    c.g = (unsigned char)lround(255.0 * (g + m));
    c.b = (unsigned char)lround(255.0 * (bl + m));
    return c;
}

/* ------------------------------------------------------------------ SVG */

void bimt__svg_begin(bimt__buf *b, double w, double h, const char *title)
{
    bimt__buf_fmt(b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" "
                  "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                  "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
                  "<title>%s</title>\n"
                  "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
                  w, h, w, h, title ? title : "", w, h);
}

void bimt__svg_end(bimt__buf *b) { bimt__buf_puts(b, "</svg>\n"); }

void bimt__svg_text(bimt__buf *b, double x, double y, double size, int anchor, double angle,
                    int bold, const char *text)
{
    static const char *const anchors[3] = {"start", "middle", "end"};
    if (anchor < 0 || anchor > 2) anchor = 0;
    bimt__buf_fmt(b, "<text x=\"%f\" y=\"%f\" font-size=\"%.1f\" text-anchor=\"%r\"", x, y, size,
                  anchors[anchor]);
    if (bold) bimt__buf_puts(b, " font-weight=\"bold\"");
    if (angle != 0.0) bimt__buf_fmt(b, " transform=\"rotate(%f %f %f)\"", angle, x, y);
    bimt__buf_fmt(b, ">%s</text>\n", text ? text : "");
}

void bimt__svg_rect(bimt__buf *b, double x, double y, double w, double h, const char *fill,
                    const char *stroke, double stroke_width)
{
    bimt__buf_fmt(b, "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\"", x, y,
                  w < 0 ? 0.0 : w, h < 0 ? 0.0 : h, fill ? fill : "none");
    if (stroke) bimt__buf_fmt(b, " stroke=\"%s\" stroke-width=\"%f\"", stroke, stroke_width);
    bimt__buf_puts(b, "/>\n");
}

void bimt__svg_line(bimt__buf *b, double x1, double y1, double x2, double y2,
                    const char *stroke, double width, const char *dash)
{
    bimt__buf_fmt(b, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"%s\" "
                     "stroke-width=\"%f\"", x1, y1, x2, y2, stroke ? stroke : "#000000", width);
    if (dash) bimt__buf_fmt(b, " stroke-dasharray=\"%s\"", dash);
    bimt__buf_puts(b, "/>\n");
}

void bimt__svg_circle(bimt__buf *b, double cx, double cy, double r, const char *fill,
                      const char *stroke, double stroke_width)
{
    bimt__buf_fmt(b, "<circle cx=\"%f\" cy=\"%f\" r=\"%f\" fill=\"%s\"", cx, cy, r,
                  fill ? fill : "none");
    if (stroke) bimt__buf_fmt(b, " stroke=\"%s\" stroke-width=\"%f\"", stroke, stroke_width);
    bimt__buf_puts(b, "/>\n");
}

void bimt__svg_heading(bimt__buf *b, double x, double y, const char *title,
                       const char *subtitle)
{
    bimt__svg_text(b, x, y, 17.0, BIMT__MIDDLE, 0.0, 1, title);
    if (subtitle && *subtitle)
        bimt__svg_text(b, x, y + 19.0, 12.0, BIMT__MIDDLE, 0.0, 0, subtitle);
}

/* ------------------------------------------------------------------ charts */

double bimt__ax_x(const bimt__axes *a, double x)
{
    double span = a->xmax - a->xmin;
    if (!(span > 0.0)) span = 1.0;
    return a->x0 + (x - a->xmin) / span * a->w;
}

double bimt__ax_y(const bimt__axes *a, double y)
{
    double span = a->ymax - a->ymin;
    if (!(span > 0.0)) span = 1.0;
    if (a->ylog) y = y > 0.0 ? log10(y) : a->ymin;
    if (y < a->ymin) y = a->ymin;
    if (y > a->ymax) y = a->ymax;
    return a->y0 + a->h - (y - a->ymin) / span * a->h;
}

size_t bimt__nice_ticks(double lo, double hi, size_t max, double *ticks)
{
    if (max == 0 || !bimt__finite(lo) || !bimt__finite(hi)) return 0;
    if (hi < lo) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (hi - lo <= 0.0) {
        ticks[0] = lo;
        return 1;
    }
    double raw = (hi - lo) / (double)(max > 1 ? max - 1 : 1);
    double mag = pow(10.0, floor(log10(raw)));
    double step = mag;
    static const double mult[4] = {1.0, 2.0, 5.0, 10.0};
    for (int i = 0; i < 4; i++) {
        step = mult[i] * mag;
        if ((floor(hi / step) - ceil(lo / step)) + 1.0 <= (double)max) break;
    }
    size_t n = 0;
    for (double v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9 && n < max; v += step) {
        ticks[n++] = fabs(v) < step * 1e-9 ? 0.0 : v;
    }
    return n;
}

/* Tick label of v on an axis with tick spacing step: fixed with just enough decimals, or
 * exponent form for very small or large spacings. */
static void tick_label(char out[BIMT__NUMBUF], double v, double step)
{
    if (!(step > 0.0) || step < 1e-4 || step >= 1e5 || fabs(v) >= 1e6) {
        bimt__fmt_short(out, v);
        return;
    }
    int dec = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    bimt__fmt_fixed(out, v, dec > 6 ? 6 : dec);
}

void bimt__svg_yaxis(bimt__buf *b, const bimt__axes *a, const char *label)
{
    double ticks[16];
    size_t n;
    if (a->ylog) {
        n = 0;
        double lo = ceil(a->ymin - 1e-9), hi = floor(a->ymax + 1e-9);
        double step = ceil((hi - lo + 1.0) / 8.0);
        if (step < 1.0) step = 1.0;
        for (double v = lo; v <= hi && n < 16; v += step) ticks[n++] = v;
    } else {
        n = bimt__nice_ticks(a->ymin, a->ymax, 7, ticks);
    }
    char lab[BIMT__NUMBUF + 8];
    for (size_t i = 0; i < n; i++) {
        double py = a->ylog ? bimt__ax_y(a, pow(10.0, ticks[i])) : bimt__ax_y(a, ticks[i]);
        bimt__svg_line(b, a->x0, py, a->x0 + a->w, py, "#e6e6e6", 1.0, NULL);
        bimt__svg_line(b, a->x0 - 5.0, py, a->x0, py, "#000000", 1.0, NULL);
        if (a->ylog) {
            char e[BIMT__NUMBUF];
            bimt__fmt_fixed(e, ticks[i], 0);
            snprintf(lab, sizeof lab, "1e%s", e);
        } else {
            tick_label(lab, ticks[i], n > 1 ? ticks[1] - ticks[0] : 0.0);
        }
        bimt__svg_text(b, a->x0 - 8.0, py + 4.0, 11.0, BIMT__RIGHT, 0.0, 0, lab);
    }
    bimt__svg_rect(b, a->x0, a->y0, a->w, a->h, "none", "#000000", 1.0);
    if (label)
        bimt__svg_text(b, a->x0 - 52.0, a->y0 + a->h / 2.0, 13.0, BIMT__MIDDLE, -90.0, 0, label);
}

void bimt__svg_xaxis(bimt__buf *b, const bimt__axes *a, const char *label)
{
    double ticks[16];
    size_t n = bimt__nice_ticks(a->xmin, a->xmax, 9, ticks);
    char lab[BIMT__NUMBUF];
    double base = a->y0 + a->h;
    for (size_t i = 0; i < n; i++) {
        double px = bimt__ax_x(a, ticks[i]);
        bimt__svg_line(b, px, base, px, base + 5.0, "#000000", 1.0, NULL);
        tick_label(lab, ticks[i], n > 1 ? ticks[1] - ticks[0] : 0.0);
        bimt__svg_text(b, px, base + 18.0, 11.0, BIMT__MIDDLE, 0.0, 0, lab);
    }
    if (label) bimt__svg_text(b, a->x0 + a->w / 2.0, base + 40.0, 13.0, BIMT__MIDDLE, 0.0, 0, label);
}

void bimt__svg_colorbar(bimt__buf *b, double x, double y, double w, double h, double vmin,
                        double vmax, int log10_scale, const char *label)
{
    /* Stacked thin rectangles (no gradient ids, so several bars can share a page). */
    const int steps = 64;
    char hex[8];
    for (int i = 0; i < steps; i++) {
        double t0 = (double)i / steps;
        bimt__rgb_hex(hex, bimt__cmap_seq((double)i / (steps - 1)));
        double yy = y + h - (t0 + 1.0 / steps) * h;
        bimt__svg_rect(b, x, yy, w, h / steps + 0.5, hex, NULL, 0.0);
    }
    bimt__svg_rect(b, x, y, w, h, "none", "#000000", 1.0);
    double ticks[16];
    size_t n;
    if (log10_scale) {
        n = 0;
        double lo = ceil(vmin - 1e-9), hi = floor(vmax + 1e-9);
        double step = ceil((hi - lo + 1.0) / 7.0);
        if (step < 1.0) step = 1.0;
        for (double v = lo; v <= hi && n < 16; v += step) ticks[n++] = v;
    } else {
        n = bimt__nice_ticks(vmin, vmax, 6, ticks);
    }
    double span = vmax - vmin;
    if (!(span > 0.0)) span = 1.0;
    char lab[BIMT__NUMBUF + 8];
    for (size_t i = 0; i < n; i++) {
        double py = y + h - (ticks[i] - vmin) / span * h;
        bimt__svg_line(b, x + w, py, x + w + 5.0, py, "#000000", 1.0, NULL);
        if (log10_scale) {
            char e[BIMT__NUMBUF];
            bimt__fmt_fixed(e, ticks[i], 0);
            snprintf(lab, sizeof lab, "1e%s", e);
        } else {
            tick_label(lab, ticks[i], n > 1 ? ticks[1] - ticks[0] : 0.0);
        }
        bimt__svg_text(b, x + w + 8.0, py + 4.0, 11.0, BIMT__LEFT, 0.0, 0, lab);
    }
    if (label)
        bimt__svg_text(b, x + w + 58.0, y + h / 2.0, 12.0, BIMT__MIDDLE, -90.0, 0, label);
}

void bimt__svg_swatch(bimt__buf *b, double x, double y, const char *fill, const char *text)
{
    bimt__svg_rect(b, x, y - 10.0, 12.0, 12.0, fill, "#555555", 0.5);
    bimt__svg_text(b, x + 18.0, y, 12.0, BIMT__LEFT, 0.0, 0, text);
}
