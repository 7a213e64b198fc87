/**
 * @file status.h
 * @brief Status codes, their messages, and the run-time version of libbimt.
 *
 * Every fallible call of libbimt returns an int: 0 (BIMT_OK) on success or a negative
 * bimt_status. The values are part of the ABI and never change.
 *
 * Errors: every public call that fails sets a message naming the argument and the value
 * that made it fail, readable with bimt_last_error() on the same thread until the next
 * failing call on that thread (as libgit2's git_error_last()). The message is thread-local:
 * each thread has its own, so calls on other threads never change it. A successful call
 * does not clear it; call bimt_clear_error() first to tell a fresh failure from an old one.
 * A handle also keeps the message of its last failure as a convenience
 * (bimt_model_errmsg(), bimt_task_errmsg(), bimt_trainer_errmsg()).
 */
#ifndef BIMT_STATUS_H
#define BIMT_STATUS_H

#include <stdint.h>

#include "bimt/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes of libbimt. Explicit values; stable across releases. */
typedef enum bimt_status {
    BIMT_OK = 0,             /**< success */
    BIMT_E_INVALID_ARG = -1, /**< NULL where not allowed, value out of range, NaN */
    BIMT_E_NOMEM = -2,       /**< an allocation failed */
    BIMT_E_SHAPE = -3,       /**< sizes disagree with the handle */
    BIMT_E_IO = -4,          /**< open, read, write or rename failed */
    BIMT_E_FORMAT = -5,      /**< corrupt, truncated or foreign file */
    BIMT_E_VERSION = -6,     /**< file or struct from an incompatible version */
    BIMT_E_NUMERIC = -7,     /**< NaN or Inf met; state rolled back */
    BIMT_E_STATE = -8,       /**< call not valid now (e.g. backward before forward) */
    BIMT_E_UNSUPPORTED = -9  /**< feature not available in this build */
} bimt_status;

/**
 * @brief Short English description of a status code.
 * @param[in] status a bimt_status value (any int is accepted).
 * @return a static string, never NULL ("unknown status" for unknown codes).
 * Thread safety: safe from any thread.
 */
BIMT_API const char *bimt_status_str(int status);

/**
 * @brief Message of the last failing libbimt call on the calling thread.
 * @return a thread-local string owned by the library, "" when no call failed on this thread
 *         since it started or since bimt_clear_error(); valid until the next libbimt call on
 *         the same thread (copy it to keep it). Never NULL.
 * Thread safety: safe from any thread; each thread sees only its own failures.
 */
BIMT_API const char *bimt_last_error(void);

/**
 * @brief Clears the calling thread's message, so bimt_last_error() returns "".
 * Thread safety: safe from any thread; touches only the calling thread's message.
 */
BIMT_API void bimt_clear_error(void);

/**
 * @brief Run-time library version as MAJOR*10000 + MINOR*100 + PATCH.
 * Compare with BIMT_VERSION_NUMBER from bimt/version.h. Thread-safe.
 * @return the version number of the library that is linked (not of the header).
 */
BIMT_API uint32_t bimt_version(void);

/**
 * @brief Run-time library version as "MAJOR.MINOR.PATCH".
 * @return a static string. Thread-safe.
 */
BIMT_API const char *bimt_version_string(void);

#ifdef __cplusplus
}
#endif
#endif /* BIMT_STATUS_H */
