/* Work buffers mapped straight from the OS (see bigbuf.h). A 64-byte header in front of
 * the returned pointer holds the mapping's length, which keeps the pointer 64-byte aligned
 * (mappings are page aligned). Under AddressSanitizer (and where mmap is missing) the
 * buffers come from posix_memalign instead. */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS in glibc under -std=c11 */
#endif
#include "common/bigbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BIGBUF_HEADER 64u

/* Under AddressSanitizer the buffers come from the C library, so that ASan sees (and
 * checks) every access to them; it does not watch private mappings. */
#if defined(__SANITIZE_ADDRESS__)
#define BIGBUF_USE_MMAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIGBUF_USE_MMAP 0
#endif
#endif
#if !defined(BIGBUF_USE_MMAP) && (defined(__unix__) || defined(__APPLE__))
#define BIGBUF_USE_MMAP 1
#endif

#if defined(BIGBUF_USE_MMAP) && BIGBUF_USE_MMAP
#include <sys/mman.h>
#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

void *bimt__big_alloc(size_t n, size_t elem)
{
    if (n == 0) n = 1;
    if (elem == 0 || n > (SIZE_MAX - BIGBUF_HEADER) / elem) return NULL;
    size_t len = BIGBUF_HEADER + n * elem;
    void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return NULL;
    memcpy(base, &len, sizeof len);
    return (char *)base + BIGBUF_HEADER;
}

void bimt__big_free(void *p)
{
    if (!p) return;
    char *base = (char *)p - BIGBUF_HEADER;
    size_t len;
    memcpy(&len, base, sizeof len);
    munmap(base, len);
}

#else

void *bimt__big_alloc(size_t n, size_t elem)
{
    if (n == 0) n = 1;
    if (elem == 0 || n > (SIZE_MAX - BIGBUF_HEADER) / elem) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, BIGBUF_HEADER, n * elem) != 0) return NULL;
    memset(p, 0, n * elem);
    return p;
}

void bimt__big_free(void *p)
{
    free(p);
}

#endif

void bimt__big_free_all(void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bimt__big_free(p[i]);
}
