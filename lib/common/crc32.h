/* CRC-32 of zip archives (private). */
#ifndef BIMT_CRC32_H
#define BIMT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/**
 * Updates a CRC-32 with n bytes: start with crc = 0, feed chunks in order; the result of
 * one call is the crc argument of the next. bimt__crc32(0, "123456789", 9) == 0xCBF43926.
 */
uint32_t bimt__crc32(uint32_t crc, const void *data, size_t n);

#endif /* BIMT_CRC32_H */
