#include "testutil.h"

#include "bimt/bimt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int bimt_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void bimt_test_tmppath(char *buf, size_t len, const char *suffix)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/bimt-test-XXXXXX", dir);
    int fd = mkstemp(tmpl);
    if (fd >= 0) {
        close(fd);
        unlink(tmpl);
    }
    snprintf(buf, len, "%s%s", tmpl, suffix ? suffix : "");
}

void bimt_test_model_params(bimt_model_params *mp, const bimt_task_t *t, uint32_t side)
{
    bimt_model_params_init(mp);
    mp->grid_side = side;
    mp->n_in = (uint32_t)bimt_task_n_in(t);
    mp->n_out = (uint32_t)bimt_task_n_out(t);
}

double bimt_test_max_rel_err(const double *a, const double *b, size_t n)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]) / fmax(1.0, fabs(b[i]));
        if (d > worst) worst = d;
    }
    return worst;
}

char *bimt_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

void bimt_test_write_file(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Position of input (output = 0) or output number index of count: left or right edge. */
static void io_pos(size_t side, size_t index, size_t count, int output, double *r, double *c)
{
    *r = ((double)index + 0.5) * (double)side / (double)count - 0.5;
    *c = output ? (double)side : -1.0;
}

double bimt_test_distance_cost(const struct bimt_model *m, const uint32_t *slots_or_null)
{
    size_t n = bimt_model_n_hidden(m), side = bimt_model_grid_side(m);
    size_t ni = bimt_model_n_in(m), no = bimt_model_n_out(m);
    const uint32_t *sl = bimt_model_slots(m);
    const float *W, *Win, *Wout;
    bimt_model_tensor(m, BIMT_W_REC, &W, NULL, NULL, NULL);
    bimt_model_tensor(m, BIMT_W_IN, &Win, NULL, NULL, NULL);
    bimt_model_tensor(m, BIMT_W_OUT, &Wout, NULL, NULL, NULL);
    bimt_model_params p;
    p.struct_size = (uint32_t)sizeof p; /* an output struct */
    bimt_model_get_params(m, &p);
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        double ri = (double)((slots_or_null ? slots_or_null[i] : sl[i]) / side);
        double ci = (double)((slots_or_null ? slots_or_null[i] : sl[i]) % side);
        for (size_t j = 0; j < n; j++) {
            double rj = (double)((slots_or_null ? slots_or_null[j] : sl[j]) / side);
            double cj = (double)((slots_or_null ? slots_or_null[j] : sl[j]) % side);
            total += (fabs(ri - rj) + fabs(ci - cj)) / (double)side * fabs((double)W[i * n + j]);
        }
        if (p.io_layout != BIMT_IO_EDGES) continue;
        for (size_t a = 0; a < ni; a++) {
            double r, c;
            io_pos(side, a, ni, 0, &r, &c);
            total += (fabs(ri - r) + fabs(ci - c)) / (double)side * fabs((double)Win[i * ni + a]);
        }
        for (size_t o = 0; o < no; o++) {
            double r, c;
            io_pos(side, o, no, 1, &r, &c);
            total += (fabs(ri - r) + fabs(ci - c)) / (double)side * fabs((double)Wout[o * n + i]);
        }
    }
    return total;
}
