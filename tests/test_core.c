/* Status strings, version, and the RNG streams. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "common/rng.h"
#include "testutil.h"

START_TEST(version_matches_header)
{
    ck_assert_uint_eq(bimt_version(), BIMT_VERSION_NUMBER);
    ck_assert_str_eq(bimt_version_string(), BIMT_VERSION_STRING);
}
END_TEST

START_TEST(status_strings)
{
    for (int s = 0; s >= -9; s--) {
        const char *m = bimt_status_str(s);
        ck_assert_ptr_nonnull(m);
        ck_assert_str_ne(m, "unknown status");
    }
    ck_assert_str_eq(bimt_status_str(-1000), "unknown status");
    ck_assert_str_eq(bimt_status_str(5), "unknown status");
}
END_TEST

START_TEST(rng_deterministic_and_streams_differ)
{
    bimt_rng a, b, c;
    bimt__rng_seed(&a, 42, 1);
    bimt__rng_seed(&b, 42, 1);
    bimt__rng_seed(&c, 42, 2);
    int same_c = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = bimt__rng_u64(&a), y = bimt__rng_u64(&b), z = bimt__rng_u64(&c);
        ck_assert_uint_eq(x, y);
        same_c += (x == z);
    }
    ck_assert_int_lt(same_c, 2);
}
END_TEST

START_TEST(rng_moments)
{
    /* Uniform mean 1/2, var 1/12; normal mean 0, var 1: checked to 5 standard errors. */
    bimt_rng r;
    bimt__rng_seed(&r, 7, 3);
    const int n = 200000;
    double su = 0, su2 = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; i++) {
        double u = bimt__rng_uniform(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        su += u;
        su2 += u * u;
        double z = bimt__rng_normal(&r);
        sn += z;
        sn2 += z * z;
    }
    double mu = su / n, vu = su2 / n - mu * mu, mn = sn / n, vn = sn2 / n - mn * mn;
    ck_assert_double_lt(fabs(mu - 0.5), 5 * sqrt(1.0 / 12 / n));
    ck_assert_double_lt(fabs(vu - 1.0 / 12), 5 * sqrt(1.0 / 180 / n));
    ck_assert_double_lt(fabs(mn), 5 * sqrt(1.0 / n));
    ck_assert_double_lt(fabs(vn - 1.0), 5 * sqrt(2.0 / n));
}
END_TEST

START_TEST(rng_below_is_uniform)
{
    bimt_rng r;
    bimt__rng_seed(&r, 9, 4);
    int count[7] = {0};
    for (int i = 0; i < 70000; i++)
        count[bimt__rng_below(&r, 7)]++;
    for (int k = 0; k < 7; k++)
        ck_assert_int_lt(abs(count[k] - 10000), 500);
}
END_TEST

START_TEST(rng_pack_roundtrip)
{
    bimt_rng a, b;
    bimt__rng_seed(&a, 5, 5);
    (void)bimt__rng_normal(&a); /* leaves a spare */
    uint64_t w[BIMT_RNG_WORDS];
    bimt__rng_pack(&a, w);
    bimt__rng_unpack(&b, w);
    for (int i = 0; i < 100; i++)
        ck_assert(bimt__rng_normal(&a) == bimt__rng_normal(&b));
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, version_matches_header);
    tcase_add_test(tc, status_strings);
    tcase_add_test(tc, rng_deterministic_and_streams_differ);
    tcase_add_test(tc, rng_moments);
    tcase_add_test(tc, rng_below_is_uniform);
    tcase_add_test(tc, rng_pack_roundtrip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(core_suite());
}
