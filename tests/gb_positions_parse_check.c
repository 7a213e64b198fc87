/* grow_brain's positions parser (examples/grow_brain/positions.c) on good and bad texts: the
 * points read back exactly, and every refusal names its line. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "positions.h"
#include "testutil.h"

static int parse(const char *text, gb_positions *p, gb_error *e)
{
    return gb_positions_parse(text, strlen(text), p, e);
}

START_TEST(good_texts)
{
    gb_positions p;
    gb_error e;
    ck_assert_int_eq(parse("# a comment\n0 0 0\n\n1,2,3  # trailing\n\t-1.5e0 2.25 4\r\n", &p, &e),
                     0);
    ck_assert_uint_eq(p.n, 3);
    ck_assert_uint_eq(p.dim, 3);
    const double want[9] = {0, 0, 0, 1, 2, 3, -1.5, 2.25, 4};
    ck_assert_int_eq(memcmp(p.xyz, want, sizeof want), 0);
    gb_positions_free(&p);
    ck_assert_ptr_null(p.xyz);
    ck_assert_int_eq(parse("0.5 1\n2 3", &p, &e), 0); /* no final newline */
    ck_assert_uint_eq(p.n, 2);
    ck_assert_uint_eq(p.dim, 2);
    ck_assert(p.xyz[3] == 3.0);
    gb_positions_free(&p);
    ck_assert_int_eq(parse("7\n8\n", &p, &e), 0);
    ck_assert_uint_eq(p.dim, 1);
    gb_positions_free(&p);
    /* not NUL-terminated: only len bytes are read */
    char buf[8] = {'1', ' ', '2', '\n', '9', '9', '9', '9'};
    ck_assert_int_eq(gb_positions_parse(buf, 4, &p, &e), 0);
    ck_assert_uint_eq(p.n, 1);
    gb_positions_free(&p);
}
END_TEST

START_TEST(bad_texts)
{
    struct {
        const char *text;
        int line;
        const char *needle;
    } cases[] = {
        {"", 0, "no points"},
        {"# only a comment\n\n", 0, "no points"},
        {"0 0\n1 x\n", 2, "'x' is not a finite number"},
        {"0 0\n1 2 3\n", 2, "but the first point has 2"},
        {"1 2 3 4\n", 1, "more than 3"},
        {"0 0\nnan 1\n", 2, "not a finite number"},
        {"0 0\n\n1e999 1\n", 3, "not a finite number"},
        {"0 0\n1 inf\n", 2, "not a finite number"},
        {"1,,2\n3 4 5\n", 2, "but the first point has 2"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gb_positions p;
        gb_error e;
        ck_assert_int_eq(parse(cases[k].text, &p, &e), -1);
        ck_assert_msg(e.line == cases[k].line, "case %zu: line %d", k, e.line);
        ck_assert_msg(strstr(e.msg, cases[k].needle) != NULL, "case %zu: %s", k, e.msg);
        ck_assert_ptr_null(p.xyz);
    }
    gb_positions p;
    gb_error e;
    char nul[] = {'1', ' ', '2', '\n', '3', '\0', '4', '\n'};
    ck_assert_int_eq(gb_positions_parse(nul, sizeof nul, &p, &e), -1);
    ck_assert_int_eq(e.line, 2);
    ck_assert(strstr(e.msg, "NUL") != NULL);
    static char longline[GB_POSITIONS_LINE_MAX + 10];
    memset(longline, ' ', sizeof longline - 1);
    longline[0] = '1';
    ck_assert_int_eq(gb_positions_parse(longline, sizeof longline - 1, &p, &e), -1);
    ck_assert(strstr(e.msg, "too long") != NULL);
    /* more points than the library takes */
    size_t n = GB_POSITIONS_MAX + 1;
    char *many = malloc(2 * n);
    for (size_t i = 0; i < n; i++) {
        many[2 * i] = '1';
        many[2 * i + 1] = '\n';
    }
    ck_assert_int_eq(gb_positions_parse(many, 2 * n, &p, &e), -1);
    ck_assert_int_eq(e.line, (int)n);
    ck_assert_int_eq(gb_positions_parse(many, 2 * (n - 1), &p, &e), 0);
    ck_assert_uint_eq(p.n, GB_POSITIONS_MAX);
    gb_positions_free(&p);
    free(many);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grow_brain_positions");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, good_texts);
    tcase_add_test(tc, bad_texts);
    suite_add_tcase(s, tc);
    return bimt_test_run(s);
}
