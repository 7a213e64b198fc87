/* Private helpers shared by every module of libbimt (not installed). */
#ifndef BIMT_COMMON_H
#define BIMT_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bimt/status.h"

/** Size of the per-handle error message buffers. */
#define BIMT_ERRMSG_LEN 256

/** Size of the thread-local message of bimt_last_error(). */
#define BIMT_LAST_ERROR_LEN 512

/** Formats a message into the thread-local bimt_last_error() and, when buf is not NULL, into
 * buf (BIMT_ERRMSG_LEN bytes); returns status (for `return`). */
int bimt__fail(char *buf, int status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** As bimt__fail() with a caller buffer of any size (NULL or 0 length: thread-local only). */
int bimt__failn(char *buf, size_t len, int status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/** Sets only the thread-local message of bimt_last_error(); returns status. */
int bimt__err(int status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Starts a struct whose first member is a uint32_t struct_size (params and output structs):
 *  zeroes its size bytes and sets struct_size = size. Returns 0 when p is NULL (nothing done),
 *  else 1: `if (!bimt__struct_init(p, sizeof *p)) return;` then the defaults. */
int bimt__struct_init(void *p, size_t size);

/** Reads a caller's params struct of any older, smaller size: dst (dst_size bytes, its first
 * member a uint32_t struct_size) must hold the defaults; the caller's first struct_size bytes
 * are copied over them, so fields the caller's version did not have keep their defaults, and
 * dst's struct_size becomes dst_size. src NULL leaves dst at the defaults. A struct_size
 * larger than dst_size (a newer caller) or smaller than 4 gives BIMT_E_VERSION with a message
 * naming `name`. */
int bimt__params_in(void *dst, size_t dst_size, const void *src, const char *name);

/** -1, 0 or 1 as a < b, a == b, a > b (for qsort comparators; numbers must not be NaN). */
#define BIMT__CMP(a, b) (((a) > (b)) - ((a) < (b)))

/** 1 if x is finite (not NaN, not +-Inf). */
int bimt__finite(double x);

/** calloc/malloc of n elements of size sz with overflow check; NULL on failure. */
void *bimt__calloc(size_t n, size_t sz);
void *bimt__malloc(size_t n, size_t sz);

#endif /* BIMT_COMMON_H */
