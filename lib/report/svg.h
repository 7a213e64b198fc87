/* Private SVG helpers of the report: colour maps, a tiny SVG vocabulary (shapes, text, axes,
 * colour bars), written into a text buffer (io/textbuf.h) that is saved atomically.
 * Not installed. */
#ifndef BIMT_SVG_H
#define BIMT_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "io/textbuf.h"

/* ------------------------------------------------------------------ colours */

typedef struct bimt__rgb {
    unsigned char r, g, b;
} bimt__rgb;

/** "#rrggbb" into out (8 bytes). */
void bimt__rgb_hex(char out[8], bimt__rgb c);
/** Perceptually ordered sequential map (viridis-like), t in [0, 1] (clamped; NaN -> 0). */
bimt__rgb bimt__cmap_seq(double t);
/** Distinct colour of category k >= 0 (20 fixed colours, then generated hues). */
bimt__rgb bimt__cmap_cat(int k);

/* ------------------------------------------------------------------ SVG */

/** Starts a standalone SVG document of w x h px with a white background and a <title>. */
void bimt__svg_begin(bimt__buf *b, double w, double h, const char *title);
/** Closes the document. */
void bimt__svg_end(bimt__buf *b);

/** Text anchors. */
enum { BIMT__LEFT = 0, BIMT__MIDDLE = 1, BIMT__RIGHT = 2 };

/** Text at (x, y) (baseline), font size px, anchor, rotated by angle degrees about (x, y);
 *  bold if weight nonzero. */
void bimt__svg_text(bimt__buf *b, double x, double y, double size, int anchor, double angle,
                    int bold, const char *text);
/** A rectangle; stroke NULL = none. */
void bimt__svg_rect(bimt__buf *b, double x, double y, double w, double h, const char *fill,
                    const char *stroke, double stroke_width);
/** A line; dash NULL = solid (else an SVG dash array like "6 4"). */
void bimt__svg_line(bimt__buf *b, double x1, double y1, double x2, double y2, const char *stroke,
                    double width, const char *dash);
/** A filled circle with optional stroke. */
void bimt__svg_circle(bimt__buf *b, double cx, double cy, double r, const char *fill,
                      const char *stroke, double stroke_width);

/** Title (bold, centred at x) and optional subtitle line under it. */
void bimt__svg_heading(bimt__buf *b, double x, double y, const char *title, const char *subtitle);

/* ------------------------------------------------------------------ charts */

/** A rectangular plot area mapping data (xmin..xmax, ymin..ymax) to pixels; ylog: the y
 *  range is given in log10 units and values are mapped through log10. */
typedef struct bimt__axes {
    double x0, y0, w, h; /* pixel box, (x0, y0) top-left */
    double xmin, xmax, ymin, ymax;
    int ylog;
} bimt__axes;

double bimt__ax_x(const bimt__axes *a, double x);
/** Pixel y of data value y (log10 applied when ylog; non-positive values map to the bottom). */
double bimt__ax_y(const bimt__axes *a, double y);

/** Up to max "nice" ticks (1, 2, 5 x 10^k steps) covering [lo, hi]; returns the count. */
size_t bimt__nice_ticks(double lo, double hi, size_t max, double *ticks);

/** Frame, y ticks with light grid lines and labels, and the y-axis label (rotated). In log
 *  mode the ticks are powers of ten. */
void bimt__svg_yaxis(bimt__buf *b, const bimt__axes *a, const char *label);
/** x ticks with labels under the frame and the x-axis label. */
void bimt__svg_xaxis(bimt__buf *b, const bimt__axes *a, const char *label);

/**
 * Vertical colour bar of the sequential map at (x, y), w x h px, for values vmin (bottom)
 * to vmax (top), ticks on the right, label rotated beside it. In log mode vmin/vmax are
 * log10 values and tick labels read 10^k.
 */
void bimt__svg_colorbar(bimt__buf *b, double x, double y, double w, double h, double vmin,
                        double vmax, int log10_scale, const char *label);

/** Legend entry: a colour swatch (fill) and text. */
void bimt__svg_swatch(bimt__buf *b, double x, double y, const char *fill, const char *text);

#endif /* BIMT_SVG_H */
