/* Private helpers shared by every module of libbimt (not installed). */
#ifndef BIMT_COMMON_H
#define BIMT_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bimt/status.h"

/** Size of the per-handle error message buffers. */
#define BIMT_ERRMSG_LEN 256

/** Formats a message into buf (BIMT_ERRMSG_LEN bytes) and returns status (for `return`). */
int bimt__fail(char *buf, int status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** Formats into a caller buffer of any size (NULL or 0 length: nothing). Returns status. */
int bimt__failn(char *buf, size_t len, int status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/** 1 if x is finite (not NaN, not +-Inf). */
int bimt__finite(double x);

/** calloc/malloc of n elements of size sz with overflow check; NULL on failure. */
void *bimt__calloc(size_t n, size_t sz);
void *bimt__malloc(size_t n, size_t sz);

#endif /* BIMT_COMMON_H */
