/* .npz writer: stored (uncompressed) zip members of .npy v1.0 arrays streamed into a
 * temporary file that replaces the destination atomically (io/atomic_file.h) on commit.
 * Formats: PKWARE APPNOTE (local header, central directory, end record) and the numpy
 * .npy format description (magic, version, header dict padded to 64 bytes). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/crc32.h"
#include "io/atomic_file.h"
#include "io/npz_format.h"

static void wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xffu);
    p[1] = (uint8_t)((v >> 8) & 0xffu);
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v & 0xffffu);
    wr16(p + 2, v >> 16);
}

/* ------------------------------------------------------------------------ writer */

typedef struct cd_entry {
    char name[BIMT_NPZ_MAX_NAME + 5]; /* with ".npy" */
    uint32_t crc, size, offset;
} cd_entry;

struct bimt_npz_writer {
    bimt__atomic_file af; /* the temporary file and the destination */
    char *err;
    size_t errlen;
    int status;      /* first failure (sticky) */
    uint64_t offset; /* bytes written so far */
    cd_entry *ents;
    size_t n, cap;
};

static int wfail(bimt_npz_writer *w, int status, const char *what)
{
    if (w->status == BIMT_OK) {
        w->status = status;
        if (status == BIMT_E_IO)
            bimt__failn(w->err, w->errlen, status, "%s '%s': %s", what, w->af.tmp, strerror(errno));
        else
            bimt__failn(w->err, w->errlen, status, "%s", what);
    }
    return w->status;
}

static void writer_free(bimt_npz_writer *w)
{
    free(w->ents);
    free(w);
}

int bimt__npz_writer_open(bimt_npz_writer **out, const char *path, char *err, size_t errlen)
{
    if (!out) return bimt__failn(err, errlen, BIMT_E_INVALID_ARG, "npz writer: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return bimt__failn(err, errlen, BIMT_E_INVALID_ARG, "npz writer: empty or NULL path");
    bimt_npz_writer *w = calloc(1, sizeof(*w));
    if (!w) return bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");
    w->err = err;
    w->errlen = errlen;
    int rc = bimt__atomic_open(&w->af, path, err, errlen);
    if (rc) {
        writer_free(w);
        return rc;
    }
    *out = w;
    return BIMT_OK;
}

static int wbytes(bimt_npz_writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->af.f) != n) return wfail(w, BIMT_E_IO, "cannot write");
    w->offset += n;
    return BIMT_OK;
}

static int name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > BIMT_NPZ_MAX_NAME) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Streams data (count elements of esz bytes, host order) in little-endian order through
 * a bounded buffer: either into the CRC (f == NULL) or into the file. */
static int stream_le(bimt_npz_writer *w, const void *data, size_t count, size_t esz, uint32_t *crc)
{
    if (host_is_le() || esz == 1) {
        if (crc) {
            *crc = bimt__crc32(*crc, data, count * esz);
            return BIMT_OK;
        }
        return wbytes(w, data, count * esz);
    }
    uint8_t buf[4096];
    size_t per = sizeof buf / esz;
    const uint8_t *src = data;
    for (size_t i = 0; i < count; i += per) {
        size_t k = count - i < per ? count - i : per;
        copy_le(buf, src + i * esz, k, esz);
        if (crc)
            *crc = bimt__crc32(*crc, buf, k * esz);
        else if (wbytes(w, buf, k * esz))
            return w->status;
    }
    return BIMT_OK;
}

int bimt__npz_write(bimt_npz_writer *w, const char *name, bimt_npz_dtype dt, size_t ndim,
                    const size_t *shape, const void *data)
{
    if (!w) return BIMT_E_INVALID_ARG;
    if (w->status) return w->status;
    if (!name || !name_ok(name)) {
        w->status = bimt__failn(w->err, w->errlen, BIMT_E_INVALID_ARG,
                                "npz: bad member name "
                                "'%s' (1..%d characters of [A-Za-z0-9._-])",
                                name ? name : "(null)", BIMT_NPZ_MAX_NAME);
        return w->status;
    }
    if ((unsigned)dt >= BIMT_NPZ_N_DTYPES || ndim > BIMT_NPZ_MAX_DIMS || (ndim && !shape)) {
        w->status = bimt__failn(w->err, w->errlen, BIMT_E_INVALID_ARG,
                                "npz: member '%s': bad "
                                "dtype or shape",
                                name);
        return w->status;
    }
    char fname[BIMT_NPZ_MAX_NAME + 5];
    snprintf(fname, sizeof fname, "%s.npy", name);
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->ents[i].name, fname) == 0) {
            w->status = bimt__failn(w->err, w->errlen, BIMT_E_INVALID_ARG,
                                    "npz: duplicate "
                                    "member '%s'",
                                    name);
            return w->status;
        }
    size_t esz = dtype_size[dt], count = 1;
    for (size_t d = 0; d < ndim; d++) {
        if (shape[d] && count > SIZE_MAX / shape[d])
            count = SIZE_MAX;
        else
            count *= shape[d];
    }
    if (count && !data) {
        w->status = bimt__failn(w->err, w->errlen, BIMT_E_INVALID_ARG,
                                "npz: member '%s': data "
                                "is NULL",
                                name);
        return w->status;
    }
    if (count > (SIZE_MAX / esz) || (uint64_t)count * esz > ZIP_LIMIT) {
        errno = EFBIG;
        return wfail(w, BIMT_E_IO, "npz: archive would exceed 4 GiB (ZIP64 is not supported)");
    }
    size_t nbytes = count * esz;

    /* .npy header: dict padded with spaces and a final newline to a multiple of 64 bytes. */
    char dict[400];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                       dtype_descr[dt]);
    for (size_t d = 0; d < ndim; d++)
        len += snprintf(dict + len, sizeof dict - (size_t)len, d + 1 < ndim ? "%zu, " : "%zu",
                        shape[d]);
    len += snprintf(dict + len, sizeof dict - (size_t)len, "%s), }", ndim == 1 ? "," : "");
    size_t hlen = (size_t)len + 1;
    size_t pad = (NPY_ALIGN - (10 + hlen) % NPY_ALIGN) % NPY_ALIGN;
    hlen += pad;
    uint8_t npy[512];
    memcpy(npy, "\x93NUMPY\x01\x00", 8);
    wr16(npy + 8, (uint32_t)hlen);
    memcpy(npy + 10, dict, (size_t)len);
    memset(npy + 10 + len, ' ', pad);
    npy[10 + hlen - 1] = '\n';
    size_t npy_len = 10 + hlen;

    uint64_t member = (uint64_t)npy_len + nbytes;
    size_t flen = strlen(fname);
    if (w->offset + LOCAL_SIZE + flen + member > ZIP_LIMIT) {
        errno = EFBIG;
        return wfail(w, BIMT_E_IO, "npz: archive would exceed 4 GiB (ZIP64 is not supported)");
    }
    if (w->n == MAX_MEMBERS) {
        w->status = bimt__failn(w->err, w->errlen, BIMT_E_INVALID_ARG,
                                "npz: more than %u "
                                "members",
                                MAX_MEMBERS);
        return w->status;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        cd_entry *e = realloc(w->ents, cap * sizeof(*e));
        if (!e) {
            w->status = bimt__failn(w->err, w->errlen, BIMT_E_NOMEM, "out of memory");
            return w->status;
        }
        w->ents = e;
        w->cap = cap;
    }
    uint32_t crc = bimt__crc32(0, npy, npy_len);
    stream_le(w, data, count, esz, &crc);

    cd_entry *e = &w->ents[w->n];
    memcpy(e->name, fname, flen + 1);
    e->crc = crc;
    e->size = (uint32_t)member;
    e->offset = (uint32_t)w->offset;

    uint8_t lh[LOCAL_SIZE];
    wr32(lh, SIG_LOCAL);
    wr16(lh + 4, 20); /* version needed: 2.0 */
    wr16(lh + 6, 0);  /* flags */
    wr16(lh + 8, 0);  /* method: stored */
    wr16(lh + 10, 0); /* time 00:00:00 */
    wr16(lh + 12, DOS_DATE_1980);
    wr32(lh + 14, crc);
    wr32(lh + 18, e->size); /* compressed size */
    wr32(lh + 22, e->size); /* uncompressed size */
    wr16(lh + 26, (uint32_t)flen);
    wr16(lh + 28, 0); /* extra length */
    if (wbytes(w, lh, sizeof lh) || wbytes(w, fname, flen) || wbytes(w, npy, npy_len) ||
        stream_le(w, data, count, esz, NULL))
        return w->status;
    w->n++;
    return BIMT_OK;
}

int bimt__npz_write_text(bimt_npz_writer *w, const char *name, const char *text)
{
    if (!w) return BIMT_E_INVALID_ARG;
    if (!text) {
        if (w->status) return w->status;
        w->status = bimt__failn(w->err, w->errlen, BIMT_E_INVALID_ARG, "npz: text is NULL");
        return w->status;
    }
    size_t n = strlen(text);
    return bimt__npz_write(w, name, BIMT_NPZ_U1, 1, &n, text);
}

int bimt__npz_writer_commit(bimt_npz_writer *w)
{
    if (!w) return BIMT_E_INVALID_ARG;
    if (w->status == BIMT_OK) {
        uint64_t cd_start = w->offset;
        for (size_t i = 0; i < w->n && w->status == BIMT_OK; i++) {
            const cd_entry *e = &w->ents[i];
            size_t flen = strlen(e->name);
            uint8_t ch[CENTRAL_SIZE];
            wr32(ch, SIG_CENTRAL);
            wr16(ch + 4, (3u << 8) | 20u); /* made by: Unix, 2.0 */
            wr16(ch + 6, 20);
            wr16(ch + 8, 0);
            wr16(ch + 10, 0);
            wr16(ch + 12, 0);
            wr16(ch + 14, DOS_DATE_1980);
            wr32(ch + 16, e->crc);
            wr32(ch + 20, e->size);
            wr32(ch + 24, e->size);
            wr16(ch + 28, (uint32_t)flen);
            wr16(ch + 30, 0);              /* extra */
            wr16(ch + 32, 0);              /* comment */
            wr16(ch + 34, 0);              /* disk */
            wr16(ch + 36, 0);              /* internal attributes */
            wr32(ch + 38, 0100644u << 16); /* external: regular file rw-r--r-- */
            wr32(ch + 42, e->offset);
            if (wbytes(w, ch, sizeof ch) == BIMT_OK) wbytes(w, e->name, flen);
        }
        uint64_t cd_size = w->offset - cd_start;
        if (w->status == BIMT_OK && w->offset + END_SIZE > ZIP_LIMIT) {
            errno = EFBIG;
            wfail(w, BIMT_E_IO, "npz: archive would exceed 4 GiB (ZIP64 is not supported)");
        }
        if (w->status == BIMT_OK) {
            uint8_t end[END_SIZE];
            wr32(end, SIG_END);
            wr16(end + 4, 0);
            wr16(end + 6, 0);
            wr16(end + 8, (uint32_t)w->n);
            wr16(end + 10, (uint32_t)w->n);
            wr32(end + 12, (uint32_t)cd_size);
            wr32(end + 16, (uint32_t)cd_start);
            wr16(end + 20, 0);
            wbytes(w, end, sizeof end);
        }
    }
    int rc = w->status;
    if (rc == BIMT_OK)
        rc = bimt__atomic_commit(&w->af, w->err, w->errlen);
    else
        bimt__atomic_abort(&w->af);
    writer_free(w);
    return rc;
}

void bimt__npz_writer_abort(bimt_npz_writer *w)
{
    if (!w) return;
    bimt__atomic_abort(&w->af);
    writer_free(w);
}
