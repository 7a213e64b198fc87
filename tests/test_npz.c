/* .npz writer and reader (lib/io/npz.c): round trips, strict parsing, corruption, atomicity.
 * numpy interoperability is checked by the npz_numpy CTest (tests/tools/npz_numpy_check.py). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bimt/status.h"
#include "common/crc32.h"
#include "io/npz.h"
#include "common/rng.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Independent zip walker (APPNOTE layout, archives without comments): recomputes the CRC of
 * every member in both headers, so a test can alter member bytes and reach the .npy parser. */
static void fix_crcs(unsigned char *b, size_t len)
{
    size_t e = len - 22;
    ck_assert_uint_eq(le32(b + e), 0x06054b50u);
    unsigned n = (unsigned)(b[e + 10] | (b[e + 11] << 8));
    size_t p = le32(b + e + 16);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_uint_eq(le32(b + p), 0x02014b50u);
        size_t size = le32(b + p + 24), lho = le32(b + p + 42);
        size_t nlen = (size_t)(b[p + 28] | (b[p + 29] << 8));
        size_t xlen = (size_t)(b[p + 30] | (b[p + 31] << 8));
        size_t clen = (size_t)(b[p + 32] | (b[p + 33] << 8));
        size_t lnlen = (size_t)(b[lho + 26] | (b[lho + 27] << 8));
        size_t lxlen = (size_t)(b[lho + 28] | (b[lho + 29] << 8));
        uint32_t crc = bimt__crc32(0, b + lho + 30 + lnlen + lxlen, size);
        put32(b + p + 16, crc);
        put32(b + lho + 14, crc);
        p += 46 + nlen + xlen + clen;
    }
}

static void *find_bytes(const void *hay, size_t n, const void *needle, size_t m)
{
    const unsigned char *h = hay;
    for (size_t i = 0; m <= n && i + m <= n; i++)
        if (memcmp(h + i, needle, m) == 0) return (void *)(h + i);
    return NULL;
}

/* A fresh private folder for atomicity tests. */
static void make_dir(char *buf, size_t len)
{
    bimt_test_tmppath(buf, len, "");
    ck_assert_int_eq(mkdir(buf, 0700), 0);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    char p[1024];
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* A small archive of every dtype with values following simple formulas. */
#define N_F4 7
static float g_f4[2][3][N_F4];
static double g_f8[5];
static uint32_t g_u4[4];
static uint64_t g_u8[3];
static int32_t g_i4[2][2];
static int64_t g_i8[3];
static const char *g_text = "{\"hello\": \"npz\", \"pi\": 3.14159}";

static void fill_values(void)
{
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < N_F4; k++)
                g_f4[i][j][k] = (float)(i * 100 + j * 10 + k) * 0.25f - 3.0f;
    for (int i = 0; i < 5; i++)
        g_f8[i] = 1.0 / (i + 1) - 0.3;
    for (int i = 0; i < 4; i++)
        g_u4[i] = 0xfffffff0u + (uint32_t)i;
    for (uint64_t i = 0; i < 3; i++)
        g_u8[i] = UINT64_C(0xfedcba9876543210) + i;
    g_i4[0][0] = -2147483647 - 1;
    g_i4[0][1] = -1;
    g_i4[1][0] = 0;
    g_i4[1][1] = 2147483647;
    g_i8[0] = INT64_MIN;
    g_i8[1] = -5;
    g_i8[2] = INT64_MAX;
}

static void write_sample(const char *path)
{
    fill_values();
    char err[256] = "";
    bimt_npz_writer *w;
    ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_OK);
    size_t s3[3] = {2, 3, N_F4}, s1 = 5, s4 = 4, s3b = 3, s22[2] = {2, 2}, s0 = 0;
    double scalar = -2.5;
    ck_assert_int_eq(bimt__npz_write(w, "f4", BIMT_NPZ_F4, 3, s3, g_f4), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "f8", BIMT_NPZ_F8, 1, &s1, g_f8), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "u4", BIMT_NPZ_U4, 1, &s4, g_u4), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "u8", BIMT_NPZ_U8, 1, &s3b, g_u8), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "i4", BIMT_NPZ_I4, 2, s22, g_i4), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "i8", BIMT_NPZ_I8, 1, &s3b, g_i8), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "scalar", BIMT_NPZ_F8, 0, NULL, &scalar), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "empty", BIMT_NPZ_F4, 1, &s0, NULL), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write_text(w, "meta", g_text), BIMT_OK);
    ck_assert_int_eq(bimt__npz_writer_commit(w), BIMT_OK);
}

/* Checks every member of the sample against the formulas. */
static void check_sample(const bimt_npz *z)
{
    char err[256];
    float f4[2][3][N_F4];
    double f8[5], scalar;
    uint32_t u4[4];
    uint64_t u8[3];
    int32_t i4[2][2];
    int64_t i8[3];
    size_t s3[3] = {2, 3, N_F4}, s1 = 5, s4 = 4, s3b = 3, s22[2] = {2, 2};
    ck_assert_uint_eq(bimt__npz_count(z), 9);
    ck_assert_int_eq(bimt__npz_get(z, "f4", BIMT_NPZ_F4, 3, s3, f4, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_get(z, "f8", BIMT_NPZ_F8, 1, &s1, f8, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_get(z, "u4", BIMT_NPZ_U4, 1, &s4, u4, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_get(z, "u8", BIMT_NPZ_U8, 1, &s3b, u8, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_get(z, "i4", BIMT_NPZ_I4, 2, s22, i4, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_get(z, "i8", BIMT_NPZ_I8, 1, &s3b, i8, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_get(z, "scalar", BIMT_NPZ_F8, 0, NULL, &scalar, err, sizeof err),
                     BIMT_OK);
    ck_assert_int_eq(memcmp(f4, g_f4, sizeof f4), 0);
    ck_assert_int_eq(memcmp(f8, g_f8, sizeof f8), 0);
    ck_assert_int_eq(memcmp(u4, g_u4, sizeof u4), 0);
    ck_assert_int_eq(memcmp(u8, g_u8, sizeof u8), 0);
    ck_assert_int_eq(memcmp(i4, g_i4, sizeof i4), 0);
    ck_assert_int_eq(memcmp(i8, g_i8, sizeof i8), 0);
    ck_assert(scalar == -2.5);
    const bimt_npz_array *e = bimt__npz_find(z, "empty");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->count, 0);
    ck_assert_uint_eq(e->ndim, 1);
    const bimt_npz_array *m = bimt__npz_find(z, "meta");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->dtype, BIMT_NPZ_U1);
    ck_assert_uint_eq(m->count, strlen(g_text));
    ck_assert_int_eq(memcmp(m->data, g_text, m->count), 0);
}

/* ------------------------------------------------------------------ tests */

START_TEST(crc32_check_value)
{
    /* The standard check value of CRC-32/ISO-HDLC, and chunked updates agree. */
    ck_assert_uint_eq(bimt__crc32(0, "123456789", 9), 0xCBF43926u);
    uint32_t c = bimt__crc32(0, "1234", 4);
    ck_assert_uint_eq(bimt__crc32(c, "56789", 5), 0xCBF43926u);
    ck_assert_uint_eq(bimt__crc32(0, "", 0), 0u);
}
END_TEST

START_TEST(round_trip_every_dtype)
{
    char path[512], err[256] = "";
    bimt_test_tmppath(path, sizeof path, ".npz");
    write_sample(path);
    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, path, 0, err, sizeof err), BIMT_OK);
    check_sample(z);
    /* The .npy header is 64-byte aligned and ends with a newline (npy format 1.0). */
    const bimt_npz_array *a = bimt__npz_find(z, "f4");
    ck_assert_ptr_nonnull(a);
    bimt__npz_close(z);
    size_t len;
    char *buf = bimt_test_read_file(path, &len);
    char *npy = find_bytes(buf, len, "\x93NUMPY", 6);
    ck_assert_ptr_nonnull(npy);
    size_t hl = (size_t)((unsigned char)npy[8] | ((unsigned char)npy[9] << 8));
    ck_assert_uint_eq((10 + hl) % 64, 0);
    ck_assert_int_eq(npy[10 + hl - 1], '\n');
    ck_assert(strstr(npy + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 7), }") ==
              npy + 10);
    free(buf);
    unlink(path);
}
END_TEST

START_TEST(lookup_errors_name_dtype_shape)
{
    char path[512], err[256] = "";
    bimt_test_tmppath(path, sizeof path, ".npz");
    write_sample(path);
    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, path, 0, err, sizeof err), BIMT_OK);
    double d[5];
    size_t s5 = 5, s4 = 4;
    ck_assert_int_eq(bimt__npz_get(z, "nope", BIMT_NPZ_F8, 1, &s5, d, err, sizeof err),
                     BIMT_E_FORMAT);
    ck_assert(strstr(err, "missing") != NULL);
    ck_assert_int_eq(bimt__npz_get(z, "f8", BIMT_NPZ_F4, 1, &s5, d, err, sizeof err),
                     BIMT_E_FORMAT);
    ck_assert(strstr(err, "dtype") != NULL);
    ck_assert_int_eq(bimt__npz_get(z, "f8", BIMT_NPZ_F8, 1, &s4, d, err, sizeof err),
                     BIMT_E_FORMAT);
    ck_assert(strstr(err, "shape") != NULL);
    ck_assert_int_eq(bimt__npz_get(z, "f8", BIMT_NPZ_F8, 0, NULL, d, err, sizeof err),
                     BIMT_E_FORMAT);
    ck_assert_ptr_null(bimt__npz_at(z, 9));
    ck_assert_ptr_nonnull(bimt__npz_at(z, 8));
    bimt__npz_close(z);
    unlink(path);
}
END_TEST

START_TEST(truncated_at_every_offset)
{
    char path[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    write_sample(path);
    size_t len;
    char *buf = bimt_test_read_file(path, &len);
    for (size_t n = 0; n < len; n++) {
        bimt_npz *z = (bimt_npz *)1;
        err[0] = '\0';
        int rc = bimt__npz_open_mem(&z, buf, n, err, sizeof err);
        ck_assert_msg(rc == BIMT_E_FORMAT, "prefix of %zu bytes gave %d", n, rc);
        ck_assert_ptr_null(z);
        ck_assert(err[0] != '\0');
    }
    /* The same through a file. */
    bimt_test_write_file(path, buf, len / 2);
    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, path, 0, err, sizeof err), BIMT_E_FORMAT);
    free(buf);
    unlink(path);
}
END_TEST

START_TEST(every_byte_flip_detected_or_harmless)
{
    /* A flipped byte either fails with BIMT_E_FORMAT or changes only fields that carry no
     * data (timestamps, version-made-by, attributes): the decoded arrays never differ. Flips
     * inside members (npy header or data) are always caught (CRC-32). */
    char path[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    write_sample(path);
    size_t len;
    unsigned char *buf = (unsigned char *)bimt_test_read_file(path, &len);
    unsigned char *mut = malloc(len);
    size_t cd = le32(buf + len - 22 + 16);
    int undetected = 0;
    for (size_t i = 0; i < len; i++) {
        for (int f = 0; f < 2; f++) {
            memcpy(mut, buf, len);
            mut[i] ^= (unsigned char)(f ? 0xff : 0x01);
            bimt_npz *z = NULL;
            int rc = bimt__npz_open_mem(&z, mut, len, err, sizeof err);
            if (rc == BIMT_OK) {
                check_sample(z);
                bimt__npz_close(z);
                undetected++;
                /* Member content is covered by the CRC: the byte must be in a header. */
                int in_member = 0;
                size_t p = 0;
                while (p < cd) { /* walk local headers */
                    size_t sz = le32(buf + p + 22), nl = (size_t)(buf[p + 26] | (buf[p + 27] << 8));
                    size_t start = p + 30 + nl;
                    if (i >= start && i < start + sz) in_member = 1;
                    p = start + sz;
                }
                ck_assert_msg(!in_member, "flip at %zu inside a member was not detected", i);
            } else {
                ck_assert_int_eq(rc, BIMT_E_FORMAT);
                ck_assert_ptr_null(z);
            }
        }
    }
    /* Only a handful of header bytes per member are free of meaning. */
    ck_assert_int_lt(undetected, (int)len / 4);
    free(mut);
    free(buf);
    unlink(path);
}
END_TEST

START_TEST(random_bytes_rejected)
{
    bimt_rng r;
    bimt__rng_seed(&r, 99, 1);
    unsigned char buf[4096];
    char err[256];
    for (int t = 0; t < 2000; t++) {
        size_t n = (size_t)bimt__rng_below(&r, sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (unsigned char)bimt__rng_u64(&r);
        if (t % 2 && n >= 22) { /* give half of them a plausible end record */
            memset(buf + n - 22, 0, 22);
            put32(buf + n - 22, 0x06054b50u);
            buf[n - 22 + 8] = buf[n - 22 + 10] = (unsigned char)(t % 5);
            put32(buf + n - 22 + 12, (uint32_t)bimt__rng_below(&r, n));
            put32(buf + n - 22 + 16, (uint32_t)bimt__rng_below(&r, n));
        }
        bimt_npz *z = NULL;
        int rc = bimt__npz_open_mem(&z, buf, n, err, sizeof err);
        if (t % 2 && n >= 22 && (t % 5) == 0 && rc == BIMT_OK) { /* empty archive is valid */
            ck_assert_uint_eq(bimt__npz_count(z), 0);
            bimt__npz_close(z);
            continue;
        }
        ck_assert_int_eq(rc, BIMT_E_FORMAT);
        ck_assert_ptr_null(z);
    }
}
END_TEST

START_TEST(foreign_files_rejected)
{
    char err[256] = "";
    bimt_npz *z;
    const char *txt = "this is a plain text file, not a zip archive at all\n";
    ck_assert_int_eq(bimt__npz_open_mem(&z, txt, strlen(txt), err, sizeof err), BIMT_E_FORMAT);
    ck_assert(strstr(err, "zip") != NULL);
    ck_assert_int_eq(bimt__npz_open(&z, "/nonexistent/dir/x.npz", 0, err, sizeof err), BIMT_E_IO);
    ck_assert_ptr_null(z);
    ck_assert_int_eq(bimt__npz_open(&z, "/tmp", 0, err, sizeof err), BIMT_E_IO);
    /* Size bound. */
    char path[512];
    bimt_test_tmppath(path, sizeof path, ".npz");
    write_sample(path);
    ck_assert_int_eq(bimt__npz_open(&z, path, 100, err, sizeof err), BIMT_E_FORMAT);
    ck_assert(strstr(err, "too large") != NULL);
    unlink(path);
}
END_TEST

/* Replaces the first occurrence of `from` by `to` (same length) and fixes the CRCs. */
static int mutate_header(const char *path, const char *from, const char *to, char *err)
{
    size_t len;
    unsigned char *buf = (unsigned char *)bimt_test_read_file(path, &len);
    ck_assert_uint_eq(strlen(from), strlen(to));
    unsigned char *p = find_bytes(buf, len, from, strlen(from));
    ck_assert_ptr_nonnull(p);
    memcpy(p, to, strlen(to));
    fix_crcs(buf, len);
    bimt_npz *z = NULL;
    int rc = bimt__npz_open_mem(&z, buf, len, err, 256);
    if (rc == BIMT_OK)
        bimt__npz_close(z);
    else
        ck_assert_ptr_null(z);
    free(buf);
    return rc;
}

START_TEST(npy_header_strict)
{
    char path[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    write_sample(path);
    /* Control: the CRC fixer alone keeps the archive valid, and the walker agrees. */
    ck_assert_int_eq(mutate_header(path, "'descr'", "'descr'", err), BIMT_OK);
    ck_assert_int_eq(mutate_header(path, "\x93NUMPY", "\x93NUMPZ", err), BIMT_E_FORMAT);
    ck_assert(strstr(err, "magic") != NULL);
    ck_assert_int_eq(mutate_header(path, "NUMPY\x01", "NUMPY\x07", err), BIMT_E_FORMAT);
    ck_assert(strstr(err, "version") != NULL);
    ck_assert_int_eq(mutate_header(path, "'<f4'", "'>f4'", err), BIMT_E_FORMAT);
    ck_assert(strstr(err, "dtype") != NULL);
    ck_assert_int_eq(mutate_header(path, "'<f4'", "'<c8'", err), BIMT_E_FORMAT);
    ck_assert_int_eq(mutate_header(path, "False, 'shape': (2, 3", "True,  'shape': (2, 3", err),
                     BIMT_E_FORMAT);
    ck_assert(strstr(err, "Fortran") != NULL);
    /* Shape that disagrees with the data length. */
    ck_assert_int_eq(mutate_header(path, "(2, 3, 7)", "(2, 3, 8)", err), BIMT_E_FORMAT);
    ck_assert(strstr(err, "data bytes") != NULL);
    ck_assert_int_eq(mutate_header(path, "(5,)", "(5) ", err), BIMT_E_FORMAT);
    ck_assert_int_eq(mutate_header(path, "(2, 3, 7)", "(2, x, 7)", err), BIMT_E_FORMAT);
    /* Overflowing dimension (uses the padding after the dict). */
    ck_assert_int_eq(mutate_header(path, "(2, 3, 7), }                         ",
                                   "(99999999999999999999999, 3, 7), }   ", err),
                     BIMT_E_FORMAT);
    ck_assert_int_eq(mutate_header(path, "(2, 3, 7), }                         ",
                                   "(4294967296, 4294967296, 4294967296)}", err),
                     BIMT_E_FORMAT);
    ck_assert_int_eq(mutate_header(path, "'descr'", "'dexcr'", err), BIMT_E_FORMAT);
    ck_assert_int_eq(mutate_header(path, "{'descr'", "['descr'", err), BIMT_E_FORMAT);
    ck_assert_int_eq(mutate_header(path, "(2, 3, 7), } ", "(2, 3, 7), }x", err), BIMT_E_FORMAT);
    /* Same shape written differently is accepted (independent of our writer's spacing). */
    ck_assert_int_eq(mutate_header(path, "(2, 3, 7)", "(2,3,7,) ", err), BIMT_OK);
    unlink(path);
}
END_TEST

START_TEST(zip_features_rejected)
{
    char path[512], err[256];
    bimt_test_tmppath(path, sizeof path, ".npz");
    write_sample(path);
    size_t len;
    unsigned char *buf = (unsigned char *)bimt_test_read_file(path, &len);
    bimt_npz *z;
    /* Compression method 8 (deflate) in both headers of the first member. */
    size_t cd = le32(buf + len - 22 + 16);
    unsigned char *mut = malloc(len);
    memcpy(mut, buf, len);
    mut[8] = 8;
    mut[cd + 10] = 8;
    ck_assert_int_eq(bimt__npz_open_mem(&z, mut, len, err, sizeof err), BIMT_E_FORMAT);
    ck_assert(strstr(err, "compressed") != NULL);
    /* Encryption flag. */
    memcpy(mut, buf, len);
    mut[6] |= 1;
    mut[cd + 8] |= 1;
    ck_assert_int_eq(bimt__npz_open_mem(&z, mut, len, err, sizeof err), BIMT_E_FORMAT);
    ck_assert(strstr(err, "encrypted") != NULL);
    /* ZIP64 end record markers. */
    memcpy(mut, buf, len);
    put32(mut + len - 22 + 16, 0xffffffffu);
    ck_assert_int_eq(bimt__npz_open_mem(&z, mut, len, err, sizeof err), BIMT_E_FORMAT);
    ck_assert(strstr(err, "ZIP64") != NULL);
    free(mut);
    free(buf);
    unlink(path);
}
END_TEST

START_TEST(writer_validates_input)
{
    char dir[512], path[1024], err[256] = "";
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a.npz", dir);
    bimt_npz_writer *w = NULL;
    ck_assert_int_eq(bimt__npz_writer_open(NULL, path, err, sizeof err), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt__npz_writer_open(&w, NULL, err, sizeof err), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt__npz_writer_open(&w, "/nonexistent-dir/x.npz", err, sizeof err),
                     BIMT_E_IO);
    ck_assert_ptr_null(w);
    ck_assert(strstr(err, "nonexistent-dir") != NULL);
    float x = 1.0f;
    size_t one = 1;
    const char *bad[] = {"", "a/b", "sp ace", "quote'", NULL};
    for (int i = 0; bad[i]; i++) {
        ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_OK);
        ck_assert_int_eq(bimt__npz_write(w, bad[i], BIMT_NPZ_F4, 1, &one, &x), BIMT_E_INVALID_ARG);
        /* Sticky: later calls fail the same way, commit fails and leaves nothing behind. */
        ck_assert_int_eq(bimt__npz_write(w, "ok", BIMT_NPZ_F4, 1, &one, &x), BIMT_E_INVALID_ARG);
        ck_assert_int_eq(bimt__npz_writer_commit(w), BIMT_E_INVALID_ARG);
        ck_assert_int_eq(count_entries(dir), 0);
    }
    ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "x", BIMT_NPZ_F4, 1, &one, &x), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "x", BIMT_NPZ_F4, 1, &one, &x), BIMT_E_INVALID_ARG);
    ck_assert(strstr(err, "duplicate") != NULL);
    bimt__npz_writer_abort(w);
    ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "x", (bimt_npz_dtype)42, 1, &one, &x), BIMT_E_INVALID_ARG);
    bimt__npz_writer_abort(w);
    ck_assert_int_eq(count_entries(dir), 0);
    remove_dir(dir);
}
END_TEST

START_TEST(writer_refuses_4gib)
{
    char dir[512], path[1024], err[256] = "";
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/big.npz", dir);
    bimt_npz_writer *w;
    ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_OK);
    size_t shape[2] = {(size_t)1 << 20, (size_t)1 << 10}; /* 2^30 floats = 4 GiB */
    float dummy = 0.0f; /* never read: the size check comes first */
    ck_assert_int_eq(bimt__npz_write(w, "huge", BIMT_NPZ_F4, 2, shape, &dummy), BIMT_E_IO);
    ck_assert(strstr(err, "4 GiB") != NULL);
    ck_assert_int_eq(bimt__npz_writer_commit(w), BIMT_E_IO);
    ck_assert_int_eq(count_entries(dir), 0);
    remove_dir(dir);
}
END_TEST

START_TEST(failed_write_keeps_existing_file)
{
    char dir[512], path[1024], err[256] = "";
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/keep.npz", dir);
    write_sample(path);
    size_t len0;
    char *before = bimt_test_read_file(path, &len0);
    /* Aborted write. */
    bimt_npz_writer *w;
    float x[3] = {1, 2, 3};
    size_t three = 3;
    ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "x", BIMT_NPZ_F4, 1, &three, x), BIMT_OK);
    bimt__npz_writer_abort(w);
    /* Failed write (bad name) then commit. */
    ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "x", BIMT_NPZ_F4, 1, &three, x), BIMT_OK);
    ck_assert_int_ne(bimt__npz_write(w, "bad name", BIMT_NPZ_F4, 1, &three, x), BIMT_OK);
    ck_assert_int_ne(bimt__npz_writer_commit(w), BIMT_OK);
    size_t len1;
    char *after = bimt_test_read_file(path, &len1);
    ck_assert_uint_eq(len0, len1);
    ck_assert_int_eq(memcmp(before, after, len0), 0);
    ck_assert_int_eq(count_entries(dir), 1);
    /* A successful write replaces it completely. */
    ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(bimt__npz_write(w, "x", BIMT_NPZ_F4, 1, &three, x), BIMT_OK);
    ck_assert_int_eq(bimt__npz_writer_commit(w), BIMT_OK);
    bimt_npz *z;
    ck_assert_int_eq(bimt__npz_open(&z, path, 0, err, sizeof err), BIMT_OK);
    ck_assert_uint_eq(bimt__npz_count(z), 1);
    float y[3];
    ck_assert_int_eq(bimt__npz_get(z, "x", BIMT_NPZ_F4, 1, &three, y, err, sizeof err), BIMT_OK);
    ck_assert_int_eq(memcmp(x, y, sizeof x), 0);
    bimt__npz_close(z);
    ck_assert_int_eq(count_entries(dir), 1);
    free(before);
    free(after);
    remove_dir(dir);
}
END_TEST

START_TEST(write_into_readonly_dir_fails_cleanly)
{
    if (geteuid() == 0) {
        /* root ignores directory permissions; use a path whose folder is a file instead. */
        char file[512], path[1024], err[256] = "";
        bimt_test_tmppath(file, sizeof file, "");
        bimt_test_write_file(file, "x", 1);
        snprintf(path, sizeof path, "%s/sub.npz", file);
        bimt_npz_writer *w;
        ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_E_IO);
        unlink(file);
        return;
    }
    char dir[512], path[1024], err[256] = "";
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ro.npz", dir);
    chmod(dir, 0500);
    bimt_npz_writer *w;
    ck_assert_int_eq(bimt__npz_writer_open(&w, path, err, sizeof err), BIMT_E_IO);
    chmod(dir, 0700);
    remove_dir(dir);
}
END_TEST

static Suite *npz_suite(void)
{
    Suite *s = suite_create("npz");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, crc32_check_value);
    tcase_add_test(tc, round_trip_every_dtype);
    tcase_add_test(tc, lookup_errors_name_dtype_shape);
    tcase_add_test(tc, truncated_at_every_offset);
    tcase_add_test(tc, every_byte_flip_detected_or_harmless);
    tcase_add_test(tc, random_bytes_rejected);
    tcase_add_test(tc, foreign_files_rejected);
    tcase_add_test(tc, npy_header_strict);
    tcase_add_test(tc, zip_features_rejected);
    tcase_add_test(tc, writer_validates_input);
    tcase_add_test(tc, writer_refuses_4gib);
    tcase_add_test(tc, failed_write_keeps_existing_file);
    tcase_add_test(tc, write_into_readonly_dir_fails_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(npz_suite());
}
