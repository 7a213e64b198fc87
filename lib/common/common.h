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

/** Checks the caller's output struct p (first member uint32_t struct_size, set by the caller
 *  to the size it knows) before any work, so a refused call changes nothing: BIMT_OK;
 *  BIMT_E_INVALID_ARG when p is NULL ("<name> is NULL"); BIMT_E_VERSION when its struct_size
 *  is below 4 bytes (not set). */
int bimt__out_check(const void *p, const char *name);

/** Writes the library's finished output struct src (size bytes, its struct_size field
 *  ignored) into the caller's dst: only the first min(dst's struct_size, size) bytes, so no
 *  byte beyond the caller's struct_size is touched, then sets dst's struct_size to that count
 *  (what the library filled). Returns bimt__out_check()'s status. */
int bimt__out_write(void *dst, const void *src, size_t size, const char *name);

/** The body of every bimt_*_get_params(): src is the handle's params struct (NULL when the
 *  handle is NULL), p the caller's (written up to its struct_size, as bimt__out_write);
 *  fn and handle name the function and the handle argument in messages. */
int bimt__params_out(const void *src, void *p, size_t size, const char *fn, const char *handle);

/** -1, 0 or 1 as a < b, a == b, a > b (for qsort comparators; numbers must not be NaN). */
#define BIMT__CMP(a, b) (((a) > (b)) - ((a) < (b)))

/** 1 if x is finite (not NaN, not +-Inf). */
int bimt__finite(double x);

/** calloc/malloc of n elements of size sz with overflow check; NULL on failure. */
void *bimt__calloc(size_t n, size_t sz);
void *bimt__malloc(size_t n, size_t sz);

/** Frees the n buffers of p (NULL entries are skipped, as free() does): a destructor lists
 *  its members once, `bimt__free_all((void *[]){h->a, h->b, h}, 3);`. */
void bimt__free_all(void *const *p, size_t n);

/** The check of an all-or-nothing allocation of n buffers: when any pointer of p is NULL,
 *  frees them all and returns 1 (the caller then reports out of memory); else returns 0 and
 *  frees nothing: `if (bimt__alloc_failed((void *[]){a, b}, 2)) return <out of memory>;`. */
int bimt__alloc_failed(void *const *p, size_t n);

#endif /* BIMT_COMMON_H */
