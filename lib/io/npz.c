/* .npz archives: a zip file (stored members, no compression) of .npy v1.0 arrays.
 * Writer streams members into a temporary file and renames it into place; the reader
 * validates the whole archive (offsets, lengths, CRC-32, .npy headers) before use.
 * Formats: PKWARE APPNOTE (local header, central directory, end record) and the numpy
 * .npy format description (magic, version, header dict padded to 64 bytes). */
#include "io/npz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "common/crc32.h"

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

const char *bimt__npz_dtype_descr(bimt_npz_dtype dt)
{
    return (unsigned)dt < BIMT_NPZ_N_DTYPES ? dtype_descr[dt] : "?";
}

size_t bimt__npz_dtype_size(bimt_npz_dtype dt)
{
    return (unsigned)dt < BIMT_NPZ_N_DTYPES ? dtype_size[dt] : 0;
}

/* ------------------------------------------------------------ byte order helpers */

static int host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

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

/* Copies n elements of size esz, reversing each element's bytes when the host is big-endian
 * (little-endian <-> host order; the same operation both ways). */
static void copy_le(void *dst, const void *src, size_t n, size_t esz)
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

/* ------------------------------------------------------------------------ writer */

typedef struct cd_entry {
    char name[BIMT_NPZ_MAX_NAME + 5]; /* with ".npy" */
    uint32_t crc, size, offset;
} cd_entry;

struct bimt_npz_writer {
    FILE *f;
    char *path, *tmp;
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
            bimt__failn(w->err, w->errlen, status, "%s '%s': %s", what, w->tmp ? w->tmp : w->path,
                        strerror(errno));
        else
            bimt__failn(w->err, w->errlen, status, "%s", what);
    }
    return w->status;
}

static void writer_free(bimt_npz_writer *w)
{
    free(w->path);
    free(w->tmp);
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
    size_t plen = strlen(path);
    w->path = malloc(plen + 1);
    w->tmp = malloc(plen + 12);
    if (!w->path || !w->tmp) {
        writer_free(w);
        return bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");
    }
    memcpy(w->path, path, plen + 1);
    snprintf(w->tmp, plen + 12, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(w->tmp);
    if (fd < 0) {
        int rc = bimt__failn(err, errlen, BIMT_E_IO,
                             "cannot create a temporary file next to "
                             "'%s': %s",
                             path, strerror(errno));
        writer_free(w);
        return rc;
    }
    (void)fchmod(fd, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
    w->f = fdopen(fd, "wb");
    if (!w->f) {
        int rc =
            bimt__failn(err, errlen, BIMT_E_IO, "cannot open '%s': %s", w->tmp, strerror(errno));
        close(fd);
        unlink(w->tmp);
        writer_free(w);
        return rc;
    }
    *out = w;
    return BIMT_OK;
}

static int wbytes(bimt_npz_writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n) return wfail(w, BIMT_E_IO, "cannot write");
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

static void fsync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash) {
        dir = malloc(2);
        if (dir) memcpy(dir, ".", 2);
    } else {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        dir = malloc(n + 1);
        if (dir) {
            memcpy(dir, path, n);
            dir[n] = '\0';
        }
    }
    if (!dir) return;
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: the rename is durable once the folder is synced */
        close(fd);
    }
    free(dir);
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
        if (w->status == BIMT_OK && fflush(w->f) != 0) wfail(w, BIMT_E_IO, "cannot write");
        if (w->status == BIMT_OK && fsync(fileno(w->f)) != 0) wfail(w, BIMT_E_IO, "cannot sync");
    }
    int rc_close = fclose(w->f);
    w->f = NULL;
    if (w->status == BIMT_OK && rc_close != 0) wfail(w, BIMT_E_IO, "cannot close");
    if (w->status == BIMT_OK && rename(w->tmp, w->path) != 0) {
        int e = errno;
        w->status = bimt__failn(w->err, w->errlen, BIMT_E_IO, "cannot rename '%s' to '%s': %s",
                                w->tmp, w->path, strerror(e));
    }
    int rc = w->status;
    if (rc != BIMT_OK)
        unlink(w->tmp);
    else
        fsync_dir_of(w->path);
    writer_free(w);
    return rc;
}

void bimt__npz_writer_abort(bimt_npz_writer *w)
{
    if (!w) return;
    if (w->f) fclose(w->f);
    unlink(w->tmp);
    writer_free(w);
}

/* ------------------------------------------------------------------------ reader */

struct bimt_npz {
    uint8_t *buf;
    size_t len;
    bimt_npz_array *arr;
    size_t n;
};

void bimt__npz_close(bimt_npz *z)
{
    if (!z) return;
    free(z->buf);
    free(z->arr);
    free(z);
}

size_t bimt__npz_count(const bimt_npz *z)
{
    return z ? z->n : 0;
}

const bimt_npz_array *bimt__npz_at(const bimt_npz *z, size_t i)
{
    return z && i < z->n ? &z->arr[i] : NULL;
}

const bimt_npz_array *bimt__npz_find(const bimt_npz *z, const char *name)
{
    if (!z || !name) return NULL;
    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->arr[i].name, name) == 0) return &z->arr[i];
    return NULL;
}

/* Tiny cursor over the .npy header text (a Python dict literal). */
typedef struct cursor {
    const char *s;
    size_t n, i;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

static int accept(cursor *c, char ch)
{
    skip_ws(c);
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes into out (cap bytes). */
static int parse_str(cursor *c, char *out, size_t cap)
{
    skip_ws(c);
    if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"')) return 0;
    char q = c->s[c->i++];
    size_t k = 0;
    while (c->i < c->n && c->s[c->i] != q) {
        char ch = c->s[c->i++];
        if (ch == '\\' || (unsigned char)ch < 0x20 || k + 1 >= cap) return 0;
        out[k++] = ch;
    }
    if (c->i >= c->n) return 0;
    c->i++;
    out[k] = '\0';
    return 1;
}

static int parse_word(cursor *c, const char *word)
{
    skip_ws(c);
    size_t n = strlen(word);
    if (c->n - c->i < n || memcmp(c->s + c->i, word, n) != 0) return 0;
    c->i += n;
    return 1;
}

static int parse_uint(cursor *c, size_t *v)
{
    skip_ws(c);
    size_t start = c->i, x = 0;
    while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
        size_t d = (size_t)(c->s[c->i] - '0');
        if (x > (SIZE_MAX - d) / 10) return 0;
        x = x * 10 + d;
        c->i++;
    }
    if (c->i == start) return 0;
    *v = x;
    return 1;
}

static int parse_npy_header(const char *s, size_t n, bimt_npz_array *a, char *err, size_t errlen)
{
    cursor c = {s, n, 0};
    int have_descr = 0, have_order = 0, have_shape = 0;
    const char *nm = a->name;
    if (!accept(&c, '{'))
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': .npy header is not a dict",
                           nm);
    for (;;) {
        if (accept(&c, '}')) break;
        char key[32], val[32];
        if (!parse_str(&c, key, sizeof key) || !accept(&c, ':'))
            return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': malformed .npy header",
                               nm);
        if (strcmp(key, "descr") == 0 && !have_descr) {
            if (!parse_str(&c, val, sizeof val))
                return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': malformed descr", nm);
            int found = -1;
            for (int d = 0; d < BIMT_NPZ_N_DTYPES; d++)
                if (strcmp(val, dtype_descr[d]) == 0) found = d;
            if (found < 0)
                return bimt__failn(err, errlen, BIMT_E_FORMAT,
                                   "member '%s': unsupported dtype "
                                   "'%s' (little-endian f4/f8/u4/u8/i4/i8 or |u1 only)",
                                   nm, val);
            a->dtype = (bimt_npz_dtype)found;
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0 && !have_order) {
            if (parse_word(&c, "True"))
                return bimt__failn(err, errlen, BIMT_E_FORMAT,
                                   "member '%s': Fortran-ordered "
                                   "arrays are not supported",
                                   nm);
            if (!parse_word(&c, "False"))
                return bimt__failn(err, errlen, BIMT_E_FORMAT,
                                   "member '%s': malformed "
                                   "fortran_order",
                                   nm);
            have_order = 1;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            if (!accept(&c, '('))
                return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': malformed shape", nm);
            size_t nd = 0;
            int trailing_comma = 0;
            while (!accept(&c, ')')) {
                size_t v;
                if (nd == BIMT_NPZ_MAX_DIMS)
                    return bimt__failn(err, errlen, BIMT_E_FORMAT,
                                       "member '%s': more than %d "
                                       "dimensions",
                                       nm, BIMT_NPZ_MAX_DIMS);
                if (!parse_uint(&c, &v))
                    return bimt__failn(err, errlen, BIMT_E_FORMAT,
                                       "member '%s': malformed "
                                       "shape",
                                       nm);
                a->shape[nd++] = v;
                trailing_comma = accept(&c, ',');
                if (!trailing_comma) {
                    if (!accept(&c, ')'))
                        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                                           "member '%s': malformed "
                                           "shape",
                                           nm);
                    break;
                }
            }
            if (nd == 1 && !trailing_comma)
                return bimt__failn(err, errlen, BIMT_E_FORMAT,
                                   "member '%s': shape (n) is not a "
                                   "tuple",
                                   nm);
            a->ndim = nd;
            have_shape = 1;
        } else {
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "member '%s': unexpected or repeated "
                               "key '%s' in .npy header",
                               nm, key);
        }
        if (accept(&c, ',')) continue;
        if (accept(&c, '}')) break;
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': malformed .npy header", nm);
    }
    while (c.i < c.n && (c.s[c.i] == ' ' || c.s[c.i] == '\n'))
        c.i++;
    if (c.i != c.n || n == 0 || s[n - 1] != '\n')
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "member '%s': trailing bytes in .npy "
                           "header",
                           nm);
    if (!have_descr || !have_order || !have_shape)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "member '%s': .npy header lacks descr, "
                           "fortran_order or shape",
                           nm);
    return BIMT_OK;
}

/* Parses one .npy member of n bytes at d into a (name already set). */
static int parse_npy(const uint8_t *d, size_t n, bimt_npz_array *a, char *err, size_t errlen)
{
    const char *nm = a->name;
    if (n < 10 || memcmp(d, "\x93NUMPY", 6) != 0)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "member '%s' is not a .npy array (bad "
                           "magic)",
                           nm);
    size_t hs, hl;
    if (d[6] == 1 && d[7] == 0) {
        hs = 10;
        hl = rd16(d + 8);
    } else if ((d[6] == 2 || d[6] == 3) && d[7] == 0 && n >= 12) {
        hs = 12;
        hl = rd32(d + 8);
    } else {
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "member '%s': unsupported .npy version "
                           "%u.%u",
                           nm, (unsigned)d[6], (unsigned)d[7]);
    }
    if (hl > n - hs)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': truncated .npy header", nm);
    int rc = parse_npy_header((const char *)d + hs, hl, a, err, errlen);
    if (rc) return rc;
    size_t count = 1, esz = dtype_size[a->dtype];
    for (size_t k = 0; k < a->ndim; k++) {
        if (a->shape[k] && count > SIZE_MAX / a->shape[k])
            return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': shape too large", nm);
        count *= a->shape[k];
    }
    size_t avail = n - hs - hl;
    if (count > SIZE_MAX / esz || count * esz != avail)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "member '%s': %zu data bytes, shape and "
                           "dtype need %s",
                           nm, avail, count > SIZE_MAX / esz ? "more" : "a different amount");
    a->count = count;
    a->data = d + hs + hl;
    return BIMT_OK;
}

/* Values of the ZIP64 extended-information extra field for the 32-bit fields that are
 * 0xFFFFFFFF (in the order uncompressed size, compressed size, local header offset). */
static int zip64_extra(const uint8_t *x, size_t xlen, uint64_t *usize, uint64_t *csize,
                       uint64_t *lho)
{
    size_t p = 0;
    while (xlen - p >= 4) {
        uint16_t id = rd16(x + p), sz = rd16(x + p + 2);
        if (sz > xlen - p - 4) return 0;
        if (id == 1) {
            const uint8_t *v = x + p + 4;
            size_t k = 0;
            uint64_t *fields[3] = {usize, csize, lho};
            for (int f = 0; f < 3; f++) {
                if (*fields[f] != 0xffffffffu) continue;
                if (sz - k < 8) return 0;
                *fields[f] = rd64(v + k);
                k += 8;
            }
            return 1;
        }
        p += 4 + (size_t)sz;
    }
    return 0;
}

static int parse_zip(bimt_npz *z, char *err, size_t errlen)
{
    const uint8_t *b = z->buf;
    size_t len = z->len;
    if (len < END_SIZE)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "file too short for a zip archive (%zu "
                           "bytes)",
                           len);
    size_t eocd = SIZE_MAX;
    size_t lowest = len - END_SIZE > 65535 ? len - END_SIZE - 65535 : 0;
    for (size_t pos = len - END_SIZE + 1; pos-- > lowest;) {
        if (rd32(b + pos) == SIG_END && pos + END_SIZE + rd16(b + pos + 20) == len) {
            eocd = pos;
            break;
        }
    }
    if (eocd == SIZE_MAX)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "no zip end record (not an .npz archive, "
                           "or truncated)");
    const uint8_t *e = b + eocd;
    uint32_t n_disk = rd16(e + 8), n_total = rd16(e + 10);
    uint32_t cd_size = rd32(e + 12), cd_off = rd32(e + 16);
    if (n_total == 0xffffu || cd_size == 0xffffffffu || cd_off == 0xffffffffu)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "ZIP64 archives are not supported");
    if (rd16(e + 4) != 0 || rd16(e + 6) != 0 || n_disk != n_total)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "multi-volume zip archives are not "
                           "supported");
    if (cd_off > eocd || cd_size > eocd - cd_off)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "zip central directory out of bounds "
                           "(corrupt or truncated)");
    if (n_total > MAX_MEMBERS || (size_t)n_total * CENTRAL_SIZE > cd_size)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "zip central directory: %u members do "
                           "not fit (limit %u)",
                           (unsigned)n_total, MAX_MEMBERS);
    z->arr = bimt__calloc(n_total ? n_total : 1, sizeof(*z->arr));
    if (!z->arr) return bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");

    size_t p = cd_off, end = (size_t)cd_off + cd_size;
    for (uint32_t i = 0; i < n_total; i++) {
        if (end - p < CENTRAL_SIZE || rd32(b + p) != SIG_CENTRAL)
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "zip central directory entry %u is "
                               "corrupt",
                               (unsigned)i);
        const uint8_t *c = b + p;
        uint32_t flags = rd16(c + 8), method = rd16(c + 10), crc = rd32(c + 16);
        uint64_t csize = rd32(c + 20), usize = rd32(c + 24), lho = rd32(c + 42);
        size_t nlen = rd16(c + 28), xlen = rd16(c + 30), clen = rd16(c + 32);
        if (CENTRAL_SIZE + nlen + xlen + clen > end - p)
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "zip central directory entry %u "
                               "overruns the directory",
                               (unsigned)i);
        const uint8_t *fname = c + CENTRAL_SIZE;
        if (nlen < 5 || nlen > BIMT_NPZ_MAX_NAME + 4 || memcmp(fname + nlen - 4, ".npy", 4) != 0)
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "zip member %u is not a .npy array "
                               "with a name of at most %d characters",
                               (unsigned)i, BIMT_NPZ_MAX_NAME);
        bimt_npz_array *a = &z->arr[i];
        for (size_t k = 0; k + 4 < nlen; k++) {
            if (fname[k] < 0x20 || fname[k] > 0x7e)
                return bimt__failn(err, errlen, BIMT_E_FORMAT,
                                   "zip member %u: name is not "
                                   "printable ASCII",
                                   (unsigned)i);
            a->name[k] = (char)fname[k];
        }
        a->name[nlen - 4] = '\0';
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(z->arr[k].name, a->name) == 0)
                return bimt__failn(err, errlen, BIMT_E_FORMAT, "duplicate member '%s'", a->name);
        if (flags & 1u)
            return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s' is encrypted", a->name);
        if (method != 0)
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "member '%s' is compressed (method "
                               "%u); only stored members are supported (np.savez, not "
                               "np.savez_compressed)",
                               a->name, (unsigned)method);
        if ((csize == 0xffffffffu || usize == 0xffffffffu || lho == 0xffffffffu) &&
            !zip64_extra(fname + nlen, xlen, &usize, &csize, &lho))
            return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': bad ZIP64 field", a->name);
        if (csize != usize)
            return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': sizes disagree", a->name);
        if (lho > cd_off || cd_off - lho < LOCAL_SIZE)
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "member '%s': local header out of "
                               "bounds",
                               a->name);
        const uint8_t *l = b + lho;
        size_t lnlen = rd16(l + 26), lxlen = rd16(l + 28);
        uint32_t lflags = rd16(l + 6), lcs = rd32(l + 18), lus = rd32(l + 22);
        /* Local CRC and sizes must repeat the central ones, unless a data descriptor follows
         * (flag bit 3: zeros allowed) or ZIP64 moved the sizes into the extra field. */
        int described = (lflags & 8u) != 0;
        if (rd32(l) != SIG_LOCAL || rd16(l + 8) != 0 || lflags != flags ||
            (!described && rd32(l + 14) != crc) ||
            (!described && lcs != 0xffffffffu && lcs != csize) ||
            (!described && lus != 0xffffffffu && lus != usize))
            return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s': corrupt local header",
                               a->name);
        uint64_t data_off = lho + LOCAL_SIZE + lnlen + lxlen;
        if (data_off > cd_off || usize > cd_off - data_off)
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "member '%s': data out of bounds "
                               "(truncated or corrupt)",
                               a->name);
        if (lnlen != nlen || memcmp(l + LOCAL_SIZE, fname, nlen) != 0)
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "member '%s': local and central "
                               "names differ",
                               a->name);
        const uint8_t *d = b + data_off;
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION /* fuzz builds reach past the CRC */
        if (bimt__crc32(0, d, (size_t)usize) != crc)
#else
        if (crc == 0xdeadbeefu)
#endif
            return bimt__failn(err, errlen, BIMT_E_FORMAT,
                               "member '%s': CRC-32 mismatch "
                               "(corrupt file)",
                               a->name);
        int rc = parse_npy(d, (size_t)usize, a, err, errlen);
        if (rc) return rc;
        p += CENTRAL_SIZE + nlen + xlen + clen;
        z->n = i + 1;
    }
    if (p != end)
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "zip central directory size disagrees "
                           "with its entries");
    return BIMT_OK;
}

static int open_buffer(bimt_npz **out, uint8_t *buf, size_t len, char *err, size_t errlen)
{
    bimt_npz *z = calloc(1, sizeof(*z));
    if (!z) {
        free(buf);
        return bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");
    }
    z->buf = buf;
    z->len = len;
    int rc = parse_zip(z, err, errlen);
    if (rc) {
        bimt__npz_close(z);
        return rc;
    }
    *out = z;
    return BIMT_OK;
}

int bimt__npz_open_mem(bimt_npz **out, const void *buf, size_t len, char *err, size_t errlen)
{
    if (!out) return bimt__failn(err, errlen, BIMT_E_INVALID_ARG, "npz: out is NULL");
    *out = NULL;
    if (!buf && len) return bimt__failn(err, errlen, BIMT_E_INVALID_ARG, "npz: buffer is NULL");
    uint8_t *copy = bimt__malloc(len, 1);
    if (!copy) return bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");
    if (len) memcpy(copy, buf, len);
    return open_buffer(out, copy, len, err, errlen);
}

int bimt__npz_open(bimt_npz **out, const char *path, size_t max_bytes, char *err, size_t errlen)
{
    if (!out) return bimt__failn(err, errlen, BIMT_E_INVALID_ARG, "npz: out is NULL");
    *out = NULL;
    if (!path) return bimt__failn(err, errlen, BIMT_E_INVALID_ARG, "npz: path is NULL");
    if (max_bytes == 0) max_bytes = BIMT_NPZ_DEFAULT_MAX_BYTES;
    FILE *f = fopen(path, "rb");
    if (!f)
        return bimt__failn(err, errlen, BIMT_E_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return bimt__failn(err, errlen, BIMT_E_IO, "'%s' is not a readable regular file", path);
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > (uint64_t)max_bytes) {
        fclose(f);
        return bimt__failn(err, errlen, BIMT_E_FORMAT,
                           "'%s' is too large (%lld bytes, limit "
                           "%zu)",
                           path, (long long)st.st_size, max_bytes);
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = bimt__malloc(len, 1);
    if (!buf) {
        fclose(f);
        return bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory reading '%s'", path);
    }
    size_t got = len ? fread(buf, 1, len, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (bad || got != len) {
        free(buf);
        return bimt__failn(err, errlen, BIMT_E_IO, "cannot read '%s'", path);
    }
    return open_buffer(out, buf, len, err, errlen);
}

void bimt__npz_array_copy(const bimt_npz_array *a, void *dst)
{
    if (a && dst && a->count) copy_le(dst, a->data, a->count, dtype_size[a->dtype]);
}

static void shape_str(char *buf, size_t len, size_t ndim, const size_t *shape)
{
    int k = snprintf(buf, len, "(");
    for (size_t d = 0; d < ndim && k > 0 && (size_t)k < len; d++)
        k += snprintf(buf + k, len - (size_t)k, d + 1 < ndim || ndim == 1 ? "%zu," : "%zu",
                      shape[d]);
    if (k > 0 && (size_t)k < len) snprintf(buf + k, len - (size_t)k, ")");
}

int bimt__npz_get(const bimt_npz *z, const char *name, bimt_npz_dtype dt, size_t ndim,
                  const size_t *shape, void *dst, char *err, size_t errlen)
{
    const bimt_npz_array *a = bimt__npz_find(z, name);
    if (!a)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s' is missing",
                           name ? name : "(null)");
    if (a->dtype != dt)
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s' has dtype %s, expected %s",
                           name, dtype_descr[a->dtype], bimt__npz_dtype_descr(dt));
    int same = a->ndim == ndim;
    for (size_t d = 0; same && shape && d < ndim; d++)
        same = a->shape[d] == shape[d];
    if (!same) {
        char got[160], want[160];
        shape_str(got, sizeof got, a->ndim, a->shape);
        if (shape)
            shape_str(want, sizeof want, ndim, shape);
        else
            snprintf(want, sizeof want, "%zu dimensions", ndim);
        return bimt__failn(err, errlen, BIMT_E_FORMAT, "member '%s' has shape %s, expected %s",
                           name, got, want);
    }
    bimt__npz_array_copy(a, dst);
    return BIMT_OK;
}
