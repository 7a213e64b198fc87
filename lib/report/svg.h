/* Private text-output helpers of the report: a growable text buffer, locale-independent
 * number formatting, XML escaping, a tiny SVG vocabulary (shapes, text, axes, colour maps,
 * colour bars) and atomic file writes (temporary file in the same folder, fsync, rename).
 * Not installed. */
#ifndef BIMT_SVG_H
#define BIMT_SVG_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ text buffer */

/** A growable byte buffer. An allocation failure is sticky: later appends do nothing and
 *  bimt__buf_ok() reports 0. Always NUL-terminated when data != NULL. */
typedef struct bimt__buf {
    char  *data;
    size_t len, cap;
    int    nomem;
} bimt__buf;

void bimt__buf_init(bimt__buf *b);
void bimt__buf_free(bimt__buf *b);
/** 1 if no allocation failed so far. */
int  bimt__buf_ok(const bimt__buf *b);
void bimt__buf_put(bimt__buf *b, const char *s, size_t n);
void bimt__buf_puts(bimt__buf *b, const char *s);
/** Appends s escaped for XML text and attribute values (&amp; &lt; &gt; &quot; &apos;);
 *  control characters other than tab/newline and invalid UTF-8 bytes become '?'. */
void bimt__buf_xml(bimt__buf *b, const char *s);

/**
 * Locale-independent formatter (not printf; no locale, no grouping). Directives:
 *   %f  double, fixed 2 decimals, trailing zeros removed   %.Nf  same with N (0..6) decimals
 *   %g  double, shortest text that reads back exactly ("null" if not finite)
 *   %e  double, 3 significant digits (e.g. 1.23e-05)
 *   %d  int     %u  unsigned     %z  size_t     %U  uint64_t
 *   %s  const char *, XML-escaped                %r  const char *, raw
 *   %%  a percent sign
 */
void bimt__buf_fmt(bimt__buf *b, const char *fmt, ...);

/* ------------------------------------------------------------------ numbers */

/** Size a caller buffer for the formatters below needs. */
#define BIMT__NUMBUF 48

/** x rounded to prec (0..6) decimals, '.' decimal point, no trailing zeros, no "-0".
 *  Non-finite x gives "0"; |x| is clamped to 1e12. Returns the length. */
size_t bimt__fmt_fixed(char out[BIMT__NUMBUF], double x, int prec);
/** Shortest decimal text that strtod (C locale) reads back as exactly x; '.' decimal point;
 *  "null" for NaN and infinities. Returns the length. */
size_t bimt__fmt_double(char out[BIMT__NUMBUF], double x);
/** x with 3 significant digits in exponent form when |x| < 1e-2 or >= 1e4, else fixed
 *  (for labels). Returns the length. */
size_t bimt__fmt_short(char out[BIMT__NUMBUF], double x);

/* ------------------------------------------------------------------ files */

/**
 * Writes len bytes to path atomically: a temporary file "<path>.tmp-XXXXXX" in the same
 * folder, fsync, rename over path, then fsync of the folder (best effort). On any failure
 * the temporary file is removed and an existing file at path is untouched.
 * @param errbuf optional BIMT_ERRMSG_LEN buffer for a message.
 * @return BIMT_OK, BIMT_E_INVALID_ARG (NULL path or data with len > 0), BIMT_E_IO.
 */
int bimt__write_atomic(const char *path, const void *data, size_t len, char *errbuf);

/** Writes a finished buffer with bimt__write_atomic(); BIMT_E_NOMEM if the buffer had an
 *  allocation failure. */
int bimt__buf_save(const bimt__buf *b, const char *path, char *errbuf);

/** Creates a folder and its missing parents (mode 0777 & ~umask). Existing folders are fine.
 *  @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_IO (with a message), BIMT_E_NOMEM. */
int bimt__mkdir_p(const char *dir, char *errbuf);

/* ------------------------------------------------------------------ colours */

typedef struct bimt__rgb { unsigned char r, g, b; } bimt__rgb;

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
void bimt__svg_line(bimt__buf *b, double x1, double y1, double x2, double y2,
                    const char *stroke, double width, const char *dash);
/** A filled circle with optional stroke. */
void bimt__svg_circle(bimt__buf *b, double cx, double cy, double r, const char *fill,
                      const char *stroke, double stroke_width);

/** Title (bold, centred at x) and optional subtitle line under it. */
void bimt__svg_heading(bimt__buf *b, double x, double y, const char *title,
                       const char *subtitle);

/* ------------------------------------------------------------------ charts */

/** A rectangular plot area mapping data (xmin..xmax, ymin..ymax) to pixels; ylog: the y
 *  range is given in log10 units and values are mapped through log10. */
typedef struct bimt__axes {
    double x0, y0, w, h;        /* pixel box, (x0, y0) top-left */
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
