/* Status strings, version, and the small shared helpers of common.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/status.h"
#include "bimt/version.h"
#include "common/common.h"

const char *bimt_status_str(int status)
{
    /* Indexed by -status: the codes are 0, -1, ..., BIMT_E_UNSUPPORTED (bimt/status.h). */
    static const char *const text[] = {
        "success",                           /* BIMT_OK */
        "invalid argument",                  /* BIMT_E_INVALID_ARG */
        "out of memory",                     /* BIMT_E_NOMEM */
        "sizes disagree",                    /* BIMT_E_SHAPE */
        "input/output error",                /* BIMT_E_IO */
        "corrupt or foreign file",           /* BIMT_E_FORMAT */
        "incompatible version",              /* BIMT_E_VERSION */
        "NaN or Inf met; state rolled back", /* BIMT_E_NUMERIC */
        "call not valid in this state",      /* BIMT_E_STATE */
        "not supported by this build",       /* BIMT_E_UNSUPPORTED */
    };
    _Static_assert(sizeof text / sizeof text[0] == 1 - BIMT_E_UNSUPPORTED, "one text a code");
    return status <= 0 && status >= BIMT_E_UNSUPPORTED ? text[-status] : "unknown status";
}

uint32_t bimt_version(void)
{
    return (uint32_t)BIMT_VERSION_NUMBER;
}

const char *bimt_version_string(void)
{
    return BIMT_VERSION_STRING;
}

/* The thread-local error message of bimt_last_error() (docs/design.md, "Errors"). Each thread
 * has its own, so it is not shared mutable state: a failing call on one thread never changes
 * what another thread reads. */
static _Thread_local char bimt__last_error_buf[BIMT_LAST_ERROR_LEN];

const char *bimt_last_error(void)
{
    return bimt__last_error_buf;
}

void bimt_clear_error(void)
{
    bimt__last_error_buf[0] = '\0';
}

/* Formats fmt into the thread-local message, then copies it into buf (len bytes) if given. */
static void set_error_v(char *buf, size_t len, const char *fmt, va_list ap)
{
    char tmp[BIMT_LAST_ERROR_LEN]; /* the arguments may point into the thread-local message */
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (tmp[0] == '\0') snprintf(tmp, sizeof tmp, "libbimt call failed");
    memcpy(bimt__last_error_buf, tmp, sizeof tmp);
    if (buf && len > 0) snprintf(buf, len, "%s", tmp);
}

int bimt__fail(char *buf, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_v(buf, BIMT_ERRMSG_LEN, fmt, ap);
    va_end(ap);
    return status;
}

int bimt__failn(char *buf, size_t len, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_v(buf, len, fmt, ap);
    va_end(ap);
    return status;
}

int bimt__err(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_v(NULL, 0, fmt, ap);
    va_end(ap);
    return status;
}

int bimt__struct_init(void *p, size_t size)
{
    if (!p) return 0;
    memset(p, 0, size);
    uint32_t sz = (uint32_t)size;
    memcpy(p, &sz, sizeof sz);
    return 1;
}

int bimt__out_check(const void *p, const char *name)
{
    if (!p) return bimt__err(BIMT_E_INVALID_ARG, "%s is NULL", name);
    uint32_t sz;
    memcpy(&sz, p, sizeof sz);
    if (sz < sizeof(uint32_t))
        return bimt__err(BIMT_E_VERSION,
                         "%s.struct_size is %u: set it to the struct's sizeof before the call",
                         name, (unsigned)sz);
    return BIMT_OK;
}

int bimt__out_write(void *dst, const void *src, size_t size, const char *name)
{
    int rc = bimt__out_check(dst, name);
    if (rc) return rc;
    uint32_t sz;
    memcpy(&sz, dst, sizeof sz);
    uint32_t n = sz < size ? sz : (uint32_t)size;
    memcpy((char *)dst + sizeof n, (const char *)src + sizeof n, n - sizeof n);
    memcpy(dst, &n, sizeof n);
    return BIMT_OK;
}

int bimt__params_out(const void *src, void *p, size_t size, const char *fn, const char *handle)
{
    if (!src || !p) return bimt__err(BIMT_E_INVALID_ARG, "%s: %s is NULL", fn, !src ? handle : "p");
    char name[96];
    snprintf(name, sizeof name, "%s: p", fn);
    return bimt__out_write(p, src, size, name);
}

int bimt__params_in(void *dst, size_t dst_size, const void *src, const char *name)
{
    if (!src) return BIMT_OK;
    uint32_t sz;
    memcpy(&sz, src, sizeof sz);
    if (sz < sizeof(uint32_t) || sz > dst_size)
        return bimt__err(BIMT_E_VERSION,
                         "%s.struct_size is %u, must be in %zu..%zu (fill the "
                         "struct with its _init function)",
                         name, (unsigned)sz, sizeof(uint32_t), dst_size);
    memcpy(dst, src, sz);
    uint32_t full = (uint32_t)dst_size;
    memcpy(dst, &full, sizeof full);
    return BIMT_OK;
}

int bimt__finite(double x)
{
    return isfinite(x) ? 1 : 0;
}

void *bimt__calloc(size_t n, size_t sz)
{
    if (n == 0 || sz == 0) n = sz = 1;
    if (n > SIZE_MAX / sz) return NULL;
    return calloc(n, sz);
}

void *bimt__malloc(size_t n, size_t sz)
{
    if (n == 0 || sz == 0) n = sz = 1;
    if (n > SIZE_MAX / sz) return NULL;
    return malloc(n * sz);
}

void bimt__free_all(void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
}

int bimt__alloc_failed(void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!p[i]) {
            bimt__free_all(p, n);
            return 1;
        }
    return 0;
}
