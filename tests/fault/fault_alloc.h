/* Allocation-failure injection for the test build alloc_failure_injection (tests/fault/).
 *
 * That build compiles libbimt's sources a second time with malloc, calloc, realloc, strdup and
 * posix_memalign renamed to the bimt__fault_* functions below (tests/CMakeLists.txt), so every
 * allocation of the library passes through a countdown: armed with n, the n-th allocation from
 * then on fails (returns NULL / ENOMEM) and the others succeed. The countdown is thread-local
 * (each thread counts its own allocations; the library's pool threads never fail), and exists
 * only in this test build: libbimt itself has no global or injected state. */
#ifndef BIMT_FAULT_ALLOC_H
#define BIMT_FAULT_ALLOC_H

#include <stddef.h>

/** Arms the countdown: the n-th allocation from now fails (n >= 1), once; 0 disarms. */
void bimt_fault_arm(unsigned long n);

/** 1 if the armed failure has happened since bimt_fault_arm(). */
int bimt_fault_fired(void);

/** Allocations seen on this thread since the program started. */
unsigned long bimt_fault_count(void);

void *bimt__fault_malloc(size_t n);
void *bimt__fault_calloc(size_t n, size_t size);
void *bimt__fault_realloc(void *p, size_t n);
char *bimt__fault_strdup(const char *s);
int bimt__fault_posix_memalign(void **out, size_t align, size_t n);

#endif
