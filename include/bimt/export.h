/**
 * @file export.h
 * @brief Symbol visibility and attribute macros of libbimt.
 *
 * BIMT_API marks every public function. The library is compiled with hidden visibility, so
 * only BIMT_API symbols are exported from libbimt.so. Define BIMT_STATIC when linking the
 * static library on Windows.
 */
#ifndef BIMT_EXPORT_H
#define BIMT_EXPORT_H

/**
 * @def BIMT_API
 * @brief Marks every public function of libbimt: exported from the shared library
 * (visibility("default") with GCC and Clang; dllexport while building and dllimport when
 * using the DLL on Windows unless BIMT_STATIC is defined; empty elsewhere).
 */
#if defined(_WIN32) && !defined(BIMT_STATIC)
#if defined(BIMT_BUILDING_LIBRARY)
#define BIMT_API __declspec(dllexport)
#else
#define BIMT_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define BIMT_API __attribute__((visibility("default")))
#else
#define BIMT_API
#endif

/** Marks a declaration that will be removed at the next major release. */
#if defined(__GNUC__) || defined(__clang__)
#define BIMT_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define BIMT_DEPRECATED(msg)
#endif

#endif /* BIMT_EXPORT_H */
