/* Text output helpers (private; report SVG/HTML/JSON, checkpoint metadata): a growable text
 * buffer with a small locale-independent formatter, XML escaping, and number text that reads
 * the same in every C locale (a library must not depend on setlocale() of its caller).
 * Not installed. */
#ifndef BIMT_TEXTBUF_H
#define BIMT_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ text buffer */

/** A growable byte buffer. An allocation failure is sticky: later appends do nothing and
 *  bimt__buf_ok() reports 0. Always NUL-terminated when data != NULL. */
typedef struct bimt__buf {
    char *data;
    size_t len, cap;
    int nomem;
} bimt__buf;

void bimt__buf_init(bimt__buf *b);
void bimt__buf_free(bimt__buf *b);
/** 1 if no allocation failed so far. */
int bimt__buf_ok(const bimt__buf *b);
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

/** Writes a finished buffer with bimt__write_atomic() (io/atomic_file.h); BIMT_E_NOMEM if
 *  the buffer had an allocation failure. */
int bimt__buf_save(const bimt__buf *b, const char *path, char *errbuf);
/** bimt__buf_save(), then bimt__buf_free(): how every finished document leaves. */
int bimt__buf_save_free(bimt__buf *b, const char *path, char *errbuf);

#endif /* BIMT_TEXTBUF_H */
