/* Colours, SVG primitives and axes for the report (see svg.h). */
#include "report/svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"

/* ------------------------------------------------------------------ colours */

void bimt__rgb_hex(char out[8], bimt__rgb c)
{
    snprintf(out, 8, "#%02x%02x%02x", (unsigned)c.r, (unsigned)c.g, (unsigned)c.b);
}

bimt__rgb bimt__cmap_seq(double t)
{
    /* Anchor colours sampled along a viridis-like path (dark purple -> blue -> green -> yellow). */
    static const unsigned char k[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},
                                          {44, 113, 142}, {33, 144, 141}, {39, 173, 129},
                                          {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
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
        {31, 119, 180},  {255, 127, 14},  {44, 160, 44},   {214, 39, 40},   {148, 103, 189},
        {140, 86, 75},   {227, 119, 194}, {188, 189, 34},  {23, 190, 207},  {0, 0, 128},
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
    case 0:
        r = ch;
        g = x;
        break;
    case 1:
        r = x;
        g = ch;
        break;
    case 2:
        g = ch;
        bl = x;
        break;
    case 3:
        g = x;
        bl = ch;
        break;
    case 4:
        r = x;
        bl = ch;
        break;
    default:
        r = ch;
        bl = x;
        break;
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

void bimt__svg_end(bimt__buf *b)
{
    bimt__buf_puts(b, "</svg>\n");
}

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

void bimt__svg_line(bimt__buf *b, double x1, double y1, double x2, double y2, const char *stroke,
                    double width, const char *dash)
{
    bimt__buf_fmt(b,
                  "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"%s\" "
                  "stroke-width=\"%f\"",
                  x1, y1, x2, y2, stroke ? stroke : "#000000", width);
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

void bimt__svg_heading(bimt__buf *b, double x, double y, const char *title, const char *subtitle)
{
    bimt__svg_text(b, x, y, 17.0, BIMT__MIDDLE, 0.0, 1, title);
    if (subtitle && *subtitle) bimt__svg_text(b, x, y + 19.0, 12.0, BIMT__MIDDLE, 0.0, 0, subtitle);
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
        for (double v = lo; v <= hi && n < 16; v += step)
            ticks[n++] = v;
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
    if (label)
        bimt__svg_text(b, a->x0 + a->w / 2.0, base + 40.0, 13.0, BIMT__MIDDLE, 0.0, 0, label);
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
        for (double v = lo; v <= hi && n < 16; v += step)
            ticks[n++] = v;
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
    if (label) bimt__svg_text(b, x + w + 58.0, y + h / 2.0, 12.0, BIMT__MIDDLE, -90.0, 0, label);
}

void bimt__svg_swatch(bimt__buf *b, double x, double y, const char *fill, const char *text)
{
    bimt__svg_rect(b, x, y - 10.0, 12.0, 12.0, fill, "#555555", 0.5);
    bimt__svg_text(b, x + 18.0, y, 12.0, BIMT__LEFT, 0.0, 0, text);
}
