/* .npz reader: the whole archive is read into memory and validated (end record, central
 * directory, every offset and length, CRC-32, .npy headers) before the open call returns, so
 * corrupt input yields BIMT_E_FORMAT and a message, never a crash (see npz.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/common.h"
#include "common/crc32.h"
#include "io/npz_format.h"

const char *bimt__npz_dtype_descr(bimt_npz_dtype dt)
{
    return (unsigned)dt < BIMT_NPZ_N_DTYPES ? dtype_descr[dt] : "?";
}

size_t bimt__npz_dtype_size(bimt_npz_dtype dt)
{
    return (unsigned)dt < BIMT_NPZ_N_DTYPES ? dtype_size[dt] : 0;
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

struct bimt_npz {
    uint8_t *buf;
    size_t len;
    bimt_npz_array *arr;
    size_t n;
};

void bimt__npz_close(bimt_npz *z)
{
    if (!z) return;
    bimt__free_all((void *[]){z->buf, z->arr, z}, 3);
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
