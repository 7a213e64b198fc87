/* The pool-or-calling-thread chooser (lib/common/mode_pick.c), driven by simulated timings:
 * warm-ups are ignored, a stale slow sample of the better mode is forgotten at the next probe, a
 * slowdown of the mode in use switches at once, and probes of the slower mode come at
 * doubling intervals up to the cap. */
#include <math.h>
#include <stdlib.h>

#include "common/mode_pick.h"
#include "testutil.h"

#define NCALLS 1000

/* Seconds per unit of each mode at call k. */
typedef double (*timing_fn)(uint32_t k, int multi);

typedef struct trace {
    int multi[NCALLS];
    int probe[NCALLS];
} trace;

/* n calls of a fresh chooser whose calls take f(k, mode); returns its final state. */
static bimt_mode_pick simulate(uint32_t probe_max, timing_fn f, uint32_t n, trace *tr)
{
    bimt_mode_pick s;
    bimt__mode_pick_init(&s, probe_max);
    for (uint32_t k = 0; k < n; k++) {
        int probe;
        int multi = bimt__mode_pick_next(&s, &probe);
        tr->multi[k] = multi;
        tr->probe[k] = probe;
        bimt__mode_pick_record(&s, multi, probe, f(k, multi));
    }
    return s;
}

/* Pool twice as fast; the warm-up calls 0 and 1 take 1000x longer. */
static double warm_slow(uint32_t k, int multi)
{
    if (k < 2) return 1000.0;
    return multi ? 1.0 : 2.0;
}

START_TEST(warm_up_calls_are_not_recorded)
{
    trace tr;
    bimt_mode_pick s = simulate(256, warm_slow, 40, &tr);
    /* warm-ups and first measurements alternate, pool first */
    ck_assert_int_eq(tr.multi[0], 1);
    ck_assert_int_eq(tr.multi[1], 0);
    ck_assert_int_eq(tr.multi[2], 1);
    ck_assert_int_eq(tr.multi[3], 0);
    for (int k = 0; k < 40; k++)
        if (k >= 4 && !tr.probe[k]) ck_assert_msg(tr.multi[k], "call %d not on the pool", k);
    ck_assert(s.multi == 1.0);
    ck_assert(s.single == 2.0); /* the probe at call 19 measured it again */
}
END_TEST

/* Pool twice as fast, but its first measured call (2) was 10x slow (a CPU held by another
 * process). */
static double stale_pool(uint32_t k, int multi)
{
    if (k == 2) return 10.0;
    return multi ? 1.0 : 2.0;
}

START_TEST(stale_slow_sample_forgotten_at_first_probe)
{
    trace tr;
    bimt_mode_pick s = simulate(256, stale_pool, NCALLS, &tr);
    /* the calling thread runs until the first probe of the pool, 16 calls after the
     * measurements; from then on only probes leave the pool */
    uint32_t first_probe = 0;
    for (uint32_t k = 4; k < NCALLS && !first_probe; k++)
        if (tr.probe[k]) first_probe = k;
    ck_assert_uint_eq(first_probe, 3 + BIMT_MODE_PROBE_MIN);
    ck_assert_int_eq(tr.multi[first_probe], 1);
    for (uint32_t k = first_probe; k < NCALLS; k++)
        ck_assert_msg(tr.multi[k] == !tr.probe[k] || k == first_probe, "call %u: multi %d probe %d",
                      k, tr.multi[k], tr.probe[k]);
    /* the probes of the slower mode come at doubling intervals, 16 to 256 calls */
    uint32_t last = first_probe, gap_want = BIMT_MODE_PROBE_MIN, seen = 0;
    for (uint32_t k = first_probe + 1; k < NCALLS; k++) {
        if (!tr.probe[k]) continue;
        ck_assert_uint_eq(k - last, gap_want);
        gap_want = gap_want < 256 ? 2 * gap_want : 256;
        last = k;
        seen++;
    }
    ck_assert_uint_ge(seen, 4);
    ck_assert(s.multi == 1.0 && s.single == 2.0); /* the stale 10.0 is gone */
}
END_TEST

/* Pool faster for 100 calls, then three times slower (the machine got busy). */
static double pool_gets_slow(uint32_t k, int multi)
{
    if (!multi) return 2.0;
    return k < 100 ? 1.0 : 6.0;
}

START_TEST(slowdown_of_mode_in_use_switches_at_once)
{
    trace tr;
    bimt_mode_pick s = simulate(256, pool_gets_slow, 300, &tr);
    uint32_t switched = 0;
    for (uint32_t k = 100; k < 300 && !switched; k++)
        if (!tr.multi[k] && !tr.probe[k]) switched = k;
    /* the smoothed estimate crosses 2.0 after one slow call (0.75 * 1 + 0.25 * 6 = 2.25) */
    ck_assert_uint_ge(switched, 101);
    ck_assert_uint_le(switched, 103);
    for (uint32_t k = switched; k < 300; k++)
        ck_assert_int_eq(tr.multi[k], tr.probe[k]); /* the pool only when probed */
    ck_assert(s.multi == 6.0 && s.single == 2.0);   /* probes measure the slow pool afresh */
}
END_TEST

static double single_faster(uint32_t k, int multi)
{
    (void)k;
    return multi ? 2.0 : 1.0;
}

START_TEST(probe_interval_capped)
{
    trace tr;
    bimt_mode_pick s = simulate(128, single_faster, NCALLS, &tr);
    uint32_t last = 3, max_gap = 0, prev_gap = 0;
    for (uint32_t k = 4; k < NCALLS; k++) {
        if (!tr.probe[k]) {
            ck_assert_int_eq(tr.multi[k], 0);
            continue;
        }
        ck_assert_int_eq(tr.multi[k], 1);
        uint32_t gap = k - last;
        ck_assert_uint_ge(gap, prev_gap);
        ck_assert_uint_le(gap, 128);
        max_gap = gap > max_gap ? gap : max_gap;
        prev_gap = gap;
        last = k;
    }
    ck_assert_uint_eq(max_gap, 128);
    /* a cap below the first interval is raised to it */
    s = simulate(3, single_faster, 1, &tr);
    ck_assert_uint_eq(s.probe_max, BIMT_MODE_PROBE_MIN);
}
END_TEST

/* Timings a clock cannot give (zero, negative, NaN) leave a positive estimate. */
static double broken_clock(uint32_t k, int multi)
{
    (void)multi;
    return k % 3 == 0 ? 0.0 : k % 3 == 1 ? -1.0 : (double)NAN;
}

START_TEST(unusable_timings_leave_positive_estimates)
{
    trace tr;
    bimt_mode_pick s = simulate(256, broken_clock, 200, &tr);
    ck_assert(s.multi > 0.0 && s.single > 0.0);
    ck_assert(isfinite(s.multi) && isfinite(s.single));
    ck_assert_uint_eq(s.calls, 200);
}
END_TEST

static Suite *mode_pick_suite(void)
{
    Suite *s = suite_create("mode_pick");
    TCase *tc = tcase_create("mode_pick");
    tcase_add_test(tc, warm_up_calls_are_not_recorded);
    tcase_add_test(tc, stale_slow_sample_forgotten_at_first_probe);
    tcase_add_test(tc, slowdown_of_mode_in_use_switches_at_once);
    tcase_add_test(tc, probe_interval_capped);
    tcase_add_test(tc, unusable_timings_leave_positive_estimates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(mode_pick_suite());
}
