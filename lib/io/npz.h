/* .npz archives (zip of .npy arrays, stored without compression): writer and strict reader.
 * Private to libbimt (checkpoints). Not installed.
 *
 * Writer: members are streamed into "<path>.tmp-XXXXXX" in the destination's folder; commit
 * writes the central directory, fsyncs, renames over path and fsyncs the folder. Any failure
 * (or abort) removes the temporary file, so an existing file at path is never damaged.
 * Errors are sticky: after the first failure every call returns the same status.
 *
 * Reader: the whole archive is read into memory (bounded size), the end record and the
 * central directory are parsed, every offset and length is checked against the buffer,
 * every member's CRC-32 is verified and its .npy header parsed strictly before the open
 * call returns. Corrupt input yields BIMT_E_FORMAT and a message, never a crash.
 *
 * Byte order: data are stored little-endian whatever the host's order.
 */
#ifndef BIMT_NPZ_H
#define BIMT_NPZ_H

#include <stddef.h>
#include <stdint.h>

/** Element types (numpy descr in the comment). */
typedef enum bimt_npz_dtype {
    BIMT_NPZ_F4 = 0, /* '<f4' float */
    BIMT_NPZ_F8 = 1, /* '<f8' double */
    BIMT_NPZ_U4 = 2, /* '<u4' uint32_t */
    BIMT_NPZ_U8 = 3, /* '<u8' uint64_t */
    BIMT_NPZ_I4 = 4, /* '<i4' int32_t */
    BIMT_NPZ_I8 = 5, /* '<i8' int64_t */
    BIMT_NPZ_U1 = 6  /* '|u1' uint8_t (also used for UTF-8 text such as JSON) */
} bimt_npz_dtype;

/** Number of dtypes above. */
#define BIMT_NPZ_N_DTYPES 7
/** Most dimensions of a member. */
#define BIMT_NPZ_MAX_DIMS 8
/** Longest member name (without ".npy"). */
#define BIMT_NPZ_MAX_NAME 127

/** numpy descr of a dtype ("<f4", ...); "?" for unknown values. */
const char *bimt__npz_dtype_descr(bimt_npz_dtype dt);
/** Bytes per element (0 for unknown). */
size_t bimt__npz_dtype_size(bimt_npz_dtype dt);

/* ------------------------------------------------------------------ writer */

typedef struct bimt_npz_writer bimt_npz_writer;

/**
 * Creates the temporary file next to path. err (errlen bytes, may be NULL) receives the
 * messages of this and every later call on the writer; it must outlive the writer.
 * @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_IO, BIMT_E_NOMEM (then *out is NULL).
 */
int bimt__npz_writer_open(bimt_npz_writer **out, const char *path, char *err, size_t errlen);

/**
 * Appends one array member "<name>.npy" (name: 1..BIMT_NPZ_MAX_NAME of [A-Za-z0-9._-],
 * unique). ndim 0 writes a scalar (shape ()); shape may then be NULL. data holds
 * prod(shape) elements in host order.
 * @return BIMT_OK; BIMT_E_INVALID_ARG; BIMT_E_IO (also when the archive would pass 4 GiB,
 *         the zip limit without ZIP64); BIMT_E_NOMEM. Sticky.
 */
int bimt__npz_write(bimt_npz_writer *w, const char *name, bimt_npz_dtype dt, size_t ndim,
                    const size_t *shape, const void *data);

/** Writes a 1-D '|u1' member holding the bytes of a NUL-terminated string (no NUL stored). */
int bimt__npz_write_text(bimt_npz_writer *w, const char *name, const char *text);

/**
 * Finishes the archive and renames it over the destination, then frees the writer (also on
 * failure, when the temporary file is removed). NULL returns BIMT_E_INVALID_ARG.
 */
int bimt__npz_writer_commit(bimt_npz_writer *w);

/** Removes the temporary file and frees the writer. NULL is a no-op. */
void bimt__npz_writer_abort(bimt_npz_writer *w);

/* ------------------------------------------------------------------ reader */

/** One member of an opened archive (views into the archive's buffer). */
typedef struct bimt_npz_array {
    char name[BIMT_NPZ_MAX_NAME + 1]; /* without ".npy" */
    bimt_npz_dtype dtype;
    size_t ndim;
    size_t shape[BIMT_NPZ_MAX_DIMS];
    size_t count;        /* product of shape (1 for a scalar) */
    const uint8_t *data; /* count * size(dtype) little-endian bytes, unaligned */
} bimt_npz_array;

typedef struct bimt_npz bimt_npz;

/** Default bound of bimt__npz_open(): 2 GiB. */
#define BIMT_NPZ_DEFAULT_MAX_BYTES ((size_t)2 << 30)

/**
 * Reads and validates the archive at path (at most max_bytes; 0 = default).
 * @return BIMT_OK; BIMT_E_INVALID_ARG; BIMT_E_IO (cannot open/read); BIMT_E_FORMAT (too
 *         large, truncated, corrupt, CRC mismatch, unsupported zip or npy feature);
 *         BIMT_E_NOMEM. *out is NULL on failure; err receives a message.
 */
int bimt__npz_open(bimt_npz **out, const char *path, size_t max_bytes, char *err, size_t errlen);

/**
 * Same on a buffer of len bytes; the archive keeps a private copy (buf may be freed after).
 */
int bimt__npz_open_mem(bimt_npz **out, const void *buf, size_t len, char *err, size_t errlen);

/** Frees an archive. NULL is a no-op. */
void bimt__npz_close(bimt_npz *z);

/** Number of members and the i-th one (NULL out of range). */
size_t bimt__npz_count(const bimt_npz *z);
const bimt_npz_array *bimt__npz_at(const bimt_npz *z, size_t i);

/** Member by name (without ".npy"), or NULL. */
const bimt_npz_array *bimt__npz_find(const bimt_npz *z, const char *name);

/**
 * Typed lookup: the member must exist, have dtype dt, ndim dimensions and (if shape is not
 * NULL) exactly that shape. Copies count elements into dst in host order.
 * @return BIMT_OK or BIMT_E_FORMAT (message names the member and what differs).
 */
int bimt__npz_get(const bimt_npz *z, const char *name, bimt_npz_dtype dt, size_t ndim,
                  const size_t *shape, void *dst, char *err, size_t errlen);

/** Copies the elements of a member into dst (count * size(dtype) bytes) in host order. */
void bimt__npz_array_copy(const bimt_npz_array *a, void *dst);

#endif /* BIMT_NPZ_H */
