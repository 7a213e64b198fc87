/* Large, 64-byte-aligned work buffers that come from and go back to the operating system.
 *
 * The model's workspaces grow whenever a longer trial or a bigger batch arrives. Through
 * malloc, glibc's adaptive mmap threshold moves the regrown buffers into the heap, and the
 * freed generations stay resident between live blocks: the main job peaked 43 MB higher
 * that way (docs/performance.md, memory). Mapping each buffer on its own returns its pages
 * the moment it is freed. Not installed. */
#ifndef BIMT_BIGBUF_H
#define BIMT_BIGBUF_H

#include <stddef.h>

/** n elements of size elem, 64-byte aligned, zero-filled; NULL on overflow or failure. */
void *bimt__big_alloc(size_t n, size_t elem);

/** Releases a buffer of bimt__big_alloc(); NULL is a no-op. */
void bimt__big_free(void *p);

/** bimt__big_free() of each of the n buffers of p (NULL entries are skipped). */
void bimt__big_free_all(void *const *p, size_t n);

#endif /* BIMT_BIGBUF_H */
