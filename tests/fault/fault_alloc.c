/* The thread-local allocation countdown of the fault-injection build (fault_alloc.h). Compiled
 * without the renaming, so the real allocator is called here. */
#include "fault_alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local unsigned long countdown; /* 0: off */
static _Thread_local int fired;
static _Thread_local unsigned long seen;

void bimt_fault_arm(unsigned long n)
{
    countdown = n;
    fired = 0;
}

int bimt_fault_fired(void)
{
    return fired;
}

unsigned long bimt_fault_count(void)
{
    return seen;
}

/* 1 when this allocation is the one that fails. */
static int fail_now(void)
{
    seen++;
    if (countdown == 0 || --countdown != 0) return 0;
    fired = 1;
    return 1;
}

void *bimt__fault_malloc(size_t n)
{
    return fail_now() ? NULL : malloc(n);
}

void *bimt__fault_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : calloc(n, size);
}

void *bimt__fault_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : realloc(p, n);
}

char *bimt__fault_strdup(const char *s)
{
    if (fail_now()) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int bimt__fault_posix_memalign(void **out, size_t align, size_t n)
{
    return fail_now() ? ENOMEM : posix_memalign(out, align, n);
}
