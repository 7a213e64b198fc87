/* Status strings, version, and the small shared helpers of common.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bimt/status.h"
#include "bimt/version.h"
#include "common/common.h"

const char *bimt_status_str(int status)
{
    switch (status) {
    case BIMT_OK: return "success";
    case BIMT_E_INVALID_ARG: return "invalid argument";
    case BIMT_E_NOMEM: return "out of memory";
    case BIMT_E_SHAPE: return "sizes disagree";
    case BIMT_E_IO: return "input/output error";
    case BIMT_E_FORMAT: return "corrupt or foreign file";
    case BIMT_E_VERSION: return "incompatible version";
    case BIMT_E_NUMERIC: return "NaN or Inf met; state rolled back";
    case BIMT_E_STATE: return "call not valid in this state";
    case BIMT_E_UNSUPPORTED: return "not supported by this build";
    default: return "unknown status";
    }
}

uint32_t bimt_version(void) { return (uint32_t)BIMT_VERSION_NUMBER; }

const char *bimt_version_string(void) { return BIMT_VERSION_STRING; }

int bimt__fail(char *buf, int status, const char *fmt, ...)
{
    if (buf) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, BIMT_ERRMSG_LEN, fmt, ap);
        va_end(ap);
    }
    return status;
}

int bimt__failn(char *buf, size_t len, int status, const char *fmt, ...)
{
    if (buf && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, len, fmt, ap);
        va_end(ap);
    }
    return status;
}

int bimt__finite(double x) { return isfinite(x) ? 1 : 0; }

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
