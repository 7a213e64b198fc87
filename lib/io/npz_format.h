/* What the .npz writer and reader share (npz_write.c, npz_read.c): the zip record layout
 * (PKWARE APPNOTE: local header, central directory, end record), the .npy constants, the
 * dtype tables and the little-endian byte order of the data. Included by those two files
 * only. Private; not installed. */
#ifndef BIMT_NPZ_FORMAT_H
#define BIMT_NPZ_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "io/npz.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define LOCAL_SIZE 30u
#define CENTRAL_SIZE 46u
#define END_SIZE 22u
#define ZIP_LIMIT 0xffffffffull /* largest 32-bit offset/size without ZIP64 */
#define MAX_MEMBERS 4096u       /* more than any libbimt archive needs */
#define NPY_ALIGN 64u
#define DOS_DATE_1980 0x0021u /* 1980-01-01: fixed timestamp, reproducible files */

static const char *const dtype_descr[BIMT_NPZ_N_DTYPES] = {"<f4", "<f8", "<u4", "<u8",
                                                           "<i4", "<i8", "|u1"};
static const size_t dtype_size[BIMT_NPZ_N_DTYPES] = {4, 8, 4, 8, 4, 8, 1};

static inline int host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Copies n elements of size esz, reversing each element's bytes when the host is big-endian
 * (little-endian <-> host order; the same operation both ways). */
static inline void copy_le(void *dst, const void *src, size_t n, size_t esz)
{
    if (host_is_le() || esz == 1) {
        memcpy(dst, src, n * esz);
        return;
    }
    const uint8_t *s = src;
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < esz; k++)
            d[i * esz + k] = s[i * esz + esz - 1 - k];
}

#endif /* BIMT_NPZ_FORMAT_H */
