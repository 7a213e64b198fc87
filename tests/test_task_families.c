/* The 20 tasks in random mode: every element of many seeded batches against the spec oracle
 * (task_oracle.h), and the sampling distributions of timings, directions, strengths,
 * modalities and match flags (spec sections 1, 2 and 7.1-7.5). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "task_oracle.h"
#include "testutil.h"

/* Binomial count within 5 standard deviations of n p. */
static void assert_binomial(long hits, long n, double p, const char *what)
{
    double mu = (double)n * p, sd = sqrt((double)n * p * (1.0 - p));
    OR_ASSERT_MSG(fabs((double)hits - mu) < 5.0 * sd, "%s: %ld of %ld, expected %.1f +- %.1f", what,
                  hits, n, mu, sd);
}

static int near_any(double v, const double *set, size_t n, double tol, size_t *which)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(v - set[i]) < tol) {
            if (which) *which = i;
            return 1;
        }
    return 0;
}

static size_t ep_len(const bimt_batch *b, const char *name)
{
    size_t s, e;
    OR_ASSERT_MSG(or_epoch(b, name, &s, &e), "epoch %s missing", name);
    OR_LE_U(s, e);
    return e - s;
}

/* ---------------------------------------------------------------- every element */

static void check_rule_batches(int rule, uint64_t seed, int ce, double dt, uint32_t ring,
                               int n_batches, size_t B)
{
    bimt_task_t *t = or_task(seed, ce, 0, dt, ring);
    size_t p0 = (size_t)floor(100.0 / dt + 1e-9);
    for (int i = 0; i < n_batches; i++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        OR_EQ_I(bimt_task_sample(t, rule, (uint32_t)B, &b), BIMT_OK);
        OR_EQ_I(b.rule, rule);
        OR_EQ_U(b.batch_size, B);
        or_check_batch(&b, bimt__task_trials(t), ring, ce, p0);
    }
    bimt_task_free(t);
}

START_TEST(every_element_matches_spec_lsq)
{
    check_rule_batches(_i, 100 + (uint64_t)_i, 0, 20.0, 32, 24, 12);
}
END_TEST

START_TEST(every_element_matches_spec_ce)
{
    check_rule_batches(_i, 200 + (uint64_t)_i, 1, 20.0, 32, 8, 8);
}
END_TEST

START_TEST(every_element_other_dt_and_ring)
{
    check_rule_batches(_i, 300 + (uint64_t)_i, 0, 10.0, 16, 4, 6);
    check_rule_batches(_i, 400 + (uint64_t)_i, 1, 50.0, 7, 4, 6);
    check_rule_batches(_i, 500 + (uint64_t)_i, 0, 7.0, 32, 2, 4);
}
END_TEST

/* ---------------------------------------------------------------- global properties */

START_TEST(batch_shape_and_epochs)
{
    /* 7.1: one T and one set of epoch boundaries per batch; epochs tile [0, T) in order;
     * go1 starts at g; response lasts 25 steps except DMC (10/20/30). */
    bimt_task_t *t = or_task(7, 0, 1, 20.0, 32);
    for (int rep = 0; rep < 30; rep++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        OR_EQ_I(bimt_task_sample(t, _i, 5, &b), BIMT_OK);
        OR_EQ_U(b.n_in, 85);
        OR_EQ_U(b.n_out, 33);
        OR_GE_U(b.n_epochs, 2);
        ck_assert_str_eq(b.epochs[0].name, "fix1");
        OR_EQ_U(b.epochs[0].start, 0);
        for (size_t e = 1; e < b.n_epochs; e++)
            OR_EQ_U(b.epochs[e].start, b.epochs[e - 1].end);
        ck_assert_str_eq(b.epochs[b.n_epochs - 1].name, "go1");
        OR_EQ_U(b.epochs[b.n_epochs - 1].start, b.go_step);
        OR_EQ_U(b.epochs[b.n_epochs - 1].end, b.n_steps);
        size_t resp = b.n_steps - b.go_step;
        if (_i == BIMT_RULE_DMCGO || _i == BIMT_RULE_DMCNOGO)
            OR_ASSERT(resp == 10 || resp == 20 || resp == 30);
        else
            OR_EQ_U(resp, 25);
        OR_GE_U(b.go_step, 25); /* so the first 100 ms window never meets g */
        /* 7.2: exactly one rule unit is 1 (noise on: within 6 sigma), at 65 + rule. */
        for (size_t i = 0; i < b.n_steps * b.batch_size; i++)
            for (size_t u = 65; u < 85; u++) {
                double v = (double)b.x[i * 85 + u], want = u == 65 + (size_t)_i ? 1.0 : 0.0;
                OR_LT_D(fabs(v - want), 6 * 0.0316228);
            }
    }
    bimt_task_free(t);
}
END_TEST

/* ---------------------------------------------------------------- go / anti */

START_TEST(goanti_distributions)
{
    const int rule = _i;
    const int kind = rule % 3;
    bimt_task_t *t = or_task(11 + (uint64_t)rule, 0, 0, 20.0, 32);
    int seen_a[200] = {0}, seen_d[200] = {0}, seen_delay[200] = {0};
    long ring1 = 0, n = 0, bins[8] = {0}, n_dir = 0;
    const int N = 2500;
    for (int rep = 0; rep < N; rep++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        OR_EQ_I(bimt_task_sample(t, rule, 3, &b), BIMT_OK);
        const bimt__trial *tr = bimt__task_trials(t);
        size_t a = ep_len(&b, "fix1"), T = b.n_steps, g = b.go_step;
        OR_LT_U(a, 200);
        seen_a[a]++;
        if (kind == 0) { /* 7.15 */
            OR_ASSERT(a >= 15 && a <= 34);
            OR_ASSERT(g - a >= 25 && g - a <= 74);
            OR_ASSERT(T >= 65 && T <= 133);
            seen_d[g - a]++;
        } else if (kind == 1) { /* 7.18 */
            OR_ASSERT(a >= 25 && a <= 124);
            OR_EQ_U(g, a);
            OR_ASSERT(T >= 50 && T <= 149);
        } else { /* 7.19 */
            OR_ASSERT(a == 15 || a == 25 || a == 35);
            size_t d = ep_len(&b, "stim1"), dl = ep_len(&b, "delay1");
            OR_ASSERT(d == 10 || d == 20 || d == 30);
            OR_ASSERT(dl == 10 || dl == 20 || dl == 40 || dl == 80);
            seen_d[d]++;
            seen_delay[dl]++;
            OR_ASSERT(T >= 60 && T <= 170);
        }
        /* 7.21: one ring per batch; the other ring is identically zero (noise off). */
        for (size_t i = 1; i < b.batch_size; i++)
            OR_EQ_I(tr[i].ring[0], tr[0].ring[0]);
        ring1 += tr[0].ring[0];
        n++;
        size_t other = tr[0].ring[0] == 0 ? 33 : 1;
        for (size_t i = 0; i < T * b.batch_size; i++)
            for (size_t k = 0; k < 32; k++)
                OR_FEQ(b.x[i * 85 + other + k], 0.0f);
        for (size_t i = 0; i < b.batch_size; i++) {
            OR_ASSERT(tr[i].dir[0] >= 0.0 && tr[i].dir[0] < OR_2PI);
            OR_EQ_D(tr[i].strength[0], 1.0);
            bins[(int)(tr[i].dir[0] / (OR_2PI / 8))]++;
            n_dir++;
            /* 7.20: y_loc on [g, T) is psi (go) or exactly opposite (anti). */
            double yl = (double)b.y_loc[(T - 1) * b.batch_size + i];
            double want = rule >= BIMT_RULE_FDANTI ? OR_PI : 0.0;
            OR_LT_D(fabs(or_cd(yl, tr[i].dir[0]) - want), 1e-6);
        }
    }
    assert_binomial(ring1, n, 0.5, "ring 2 chosen");
    for (int k = 0; k < 8; k++)
        assert_binomial(bins[k], n_dir, 0.125, "direction octant");
    if (kind == 0) {
        for (int a = 15; a <= 34; a++)
            OR_GT_I(seen_a[a], 0);
        for (int d = 25; d <= 74; d++)
            OR_GT_I(seen_d[d], 0);
    } else if (kind == 1) {
        for (int a = 25; a <= 124; a++)
            OR_GT_I(seen_a[a], 0);
    } else {
        OR_ASSERT(seen_a[15] && seen_a[25] && seen_a[35]);
        OR_ASSERT(seen_d[10] && seen_d[20] && seen_d[30]);
        OR_ASSERT(seen_delay[10] && seen_delay[20] && seen_delay[40] && seen_delay[80]);
    }
    bimt_task_free(t);
}
END_TEST

/* ---------------------------------------------------------------- DM family */

static const double coh_dm[4] = {0.02, 0.04, 0.08, 0.16}; /* |g1 - g2| = 2c */
static const double coh_dly[3] = {0.16, 0.32, 0.64};

/* Checks a strength pair (s1, s2) against spec 2.1; records which difference occurred. */
static void check_pair(double s1, double s2, const double *diffs, size_t nd, int *seen)
{
    OR_ASSERT(s1 + s2 >= 1.6 - 1e-12 && s1 + s2 < 2.4 + 1e-12);
    size_t w = 0;
    OR_ASSERT_MSG(near_any(fabs(s1 - s2), diffs, nd, 1e-9, &w), "|s1-s2| = %g", fabs(s1 - s2));
    seen[w]++;
}

static void dm_family(int rule, int delayed, int easy)
{
    bimt_task_params p;
    bimt_task_params_init(&p);
    p.seed = 21 + (uint64_t)rule + 1000 * (uint64_t)easy;
    p.input_noise = 0;
    p.easy_task = (uint32_t)easy;
    bimt_task_t *t = NULL;
    OR_EQ_I(bimt_task_create(&p, &t), BIMT_OK);
    const int variant = rule - (delayed ? BIMT_RULE_DELAYDM1 : BIMT_RULE_DM1);
    double diffs[4];
    size_t nd = delayed ? 3 : 4;
    for (size_t i = 0; i < nd; i++)
        diffs[i] = (delayed ? coh_dly[i] : coh_dm[i]) * (easy ? (delayed ? 2.0 : 10.0) : 1.0);
    int seen_diff[4] = {0}, seen_on[40] = {0}, seen_dur[100] = {0}, seen_d1[40] = {0};
    int seen_dl1[100] = {0}, seen_d2[40] = {0}, seen_dl2[40] = {0}, seen_on1[40] = {0};
    long n = 0, disagree = 0, ring1_wrong = 0, neg = 0;
    const int N = 1500;
    for (int rep = 0; rep < N; rep++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        OR_EQ_I(bimt_task_sample(t, rule, 4, &b), BIMT_OK);
        const bimt__trial *tr = bimt__task_trials(t);
        size_t T = b.n_steps, g = b.go_step;
        if (!delayed) { /* 7.27 */
            size_t a = ep_len(&b, "fix1"), d = ep_len(&b, "stim1");
            OR_ASSERT(a >= 5 && a <= 19);
            OR_ASSERT(d == 20 || d == 40 || d == 80);
            OR_EQ_U(a + d, g);
            OR_ASSERT(T >= 50 && T <= 124);
            seen_on[a]++;
            seen_dur[d]++;
        } else { /* 7.33 */
            size_t a1 = ep_len(&b, "fix1"), d1 = ep_len(&b, "stim1"), dl1 = ep_len(&b, "delay1");
            size_t d2 = ep_len(&b, "stim2"), dl2 = ep_len(&b, "delay2");
            OR_ASSERT(a1 == 10 || a1 == 20 || a1 == 30);
            OR_ASSERT(d1 == 10 || d1 == 20 || d1 == 30);
            OR_ASSERT(dl1 == 10 || dl1 == 20 || dl1 == 40 || dl1 == 80);
            OR_ASSERT(d2 == 10 || d2 == 20 || d2 == 30);
            OR_ASSERT(dl2 >= 5 && dl2 <= 14);
            OR_ASSERT(T >= 70 && T <= 209);
            seen_on1[a1]++;
            seen_d1[d1]++;
            seen_dl1[dl1]++;
            seen_d2[d2]++;
            seen_dl2[dl2]++;
        }
        for (size_t i = 0; i < b.batch_size; i++, n++) {
            const bimt__trial *q = &tr[i];
            /* 7.24: separation in [pi/2, pi]. */
            double sep = or_cd(q->dir[0], q->dir[1]);
            OR_ASSERT(sep >= OR_PI / 2 - 1e-12 && sep <= OR_PI + 1e-12);
            neg += or_wrap(q->dir[1] - q->dir[0]) > OR_PI;
            if (variant <= 1) { /* 7.23 */
                OR_EQ_I(q->ring[0], variant);
                OR_EQ_I(q->ring[1], variant);
                check_pair(q->strength[0], q->strength[1], diffs, nd, seen_diff);
            } else {
                OR_ASSERT(q->ring[0] == 0 && q->ring[1] == 0 && q->ring[2] == 1 && q->ring[3] == 1);
                /* 7.28 / 7.36: same two directions in both rings. */
                OR_ASSERT(q->dir[2] == q->dir[0] && q->dir[3] == q->dir[1]);
                int win1_r1 = q->strength[0] > q->strength[1];
                int win1_r2 = q->strength[2] > q->strength[3];
                if (variant <= 3) {
                    check_pair(q->strength[0], q->strength[1], diffs, nd, seen_diff);
                    check_pair(q->strength[2], q->strength[3], diffs, nd, seen_diff);
                    disagree += win1_r1 != win1_r2;
                } else { /* 7.31 */
                    double b1 = 0.5 * (q->strength[0] + q->strength[2]);
                    double b2 = 0.5 * (q->strength[1] + q->strength[3]);
                    check_pair(b1, b2, diffs, nd, seen_diff);
                    double u1 = fabs(q->strength[0] - q->strength[2]) / b1;
                    double u2 = fabs(q->strength[1] - q->strength[3]) / b2;
                    OR_ASSERT(u1 >= 0.2 - 1e-9 && u1 < 0.8 + 1e-9);
                    OR_ASSERT(u2 >= 0.2 - 1e-9 && u2 < 0.8 + 1e-9);
                    int win1 = b1 > b2;
                    OR_ASSERT(q->target == (win1 ? q->dir[0] : q->dir[1]));
                    ring1_wrong += win1_r1 != win1;
                }
            }
        }
    }
    assert_binomial(neg, n, 0.5, "second direction on the negative side");
    for (size_t i = 0; i < nd; i++)
        OR_GT_I(seen_diff[i], 0);
    if (!delayed) {
        for (int a = 5; a <= 19; a++)
            OR_GT_I(seen_on[a], 0);
        OR_ASSERT(seen_dur[20] && seen_dur[40] && seen_dur[80]);
    } else {
        OR_ASSERT(seen_on1[10] && seen_on1[20] && seen_on1[30]);
        OR_ASSERT(seen_d1[10] && seen_d1[20] && seen_d1[30]);
        OR_ASSERT(seen_dl1[10] && seen_dl1[20] && seen_dl1[40] && seen_dl1[80]);
        OR_ASSERT(seen_d2[10] && seen_d2[20] && seen_d2[30]);
        for (int d = 5; d <= 14; d++)
            OR_GT_I(seen_dl2[d], 0);
    }
    if (variant == 2 || variant == 3)
        assert_binomial(disagree, n, 0.5, "rings disagree"); /* 7.30 */
    if (variant == 4 && !easy) {
        /* Spec 2.5: ring 1 alone misleads in ~41 % (multidm) / ~20 % (multidelaydm). */
        double f = (double)ring1_wrong / (double)n;
        if (delayed)
            OR_ASSERT_MSG(f > 0.15 && f < 0.25, "ring-1 wrong fraction %g", f);
        else
            OR_ASSERT_MSG(f > 0.36 && f < 0.46, "ring-1 wrong fraction %g", f);
    }
    bimt_task_free(t);
}

START_TEST(dm_distributions)
{
    dm_family(BIMT_RULE_DM1 + _i, 0, 0);
}
END_TEST

START_TEST(delaydm_distributions)
{
    dm_family(BIMT_RULE_DELAYDM1 + _i, 1, 0);
}
END_TEST

START_TEST(easy_task_scales_coherences)
{
    dm_family(BIMT_RULE_DM1, 0, 1);
    dm_family(BIMT_RULE_CONTEXTDELAYDM2, 1, 1);
}
END_TEST

START_TEST(dm_stronger_stimulus_wins_blackbox)
{
    /* 7.26 without the trial records: in dm1 (noise off) read the two bumps' directions
     * and strengths back from ring 1 and check that y_loc is the stronger one. */
    bimt_task_t *t = or_task(31, 0, 0, 20.0, 32);
    for (int rep = 0; rep < 20; rep++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        OR_EQ_I(bimt_task_sample(t, BIMT_RULE_DM1, 16, &b), BIMT_OK);
        const bimt__trial *tr = bimt__task_trials(t);
        size_t s, e;
        OR_ASSERT(or_epoch(&b, "stim1", &s, &e));
        for (size_t i = 0; i < b.batch_size; i++) {
            const float *x = b.x + (s * b.batch_size + i) * 85;
            /* Least squares for the two strengths given the recorded directions. */
            double a11 = 0, a12 = 0, a22 = 0, r1 = 0, r2 = 0;
            for (size_t k = 0; k < 32; k++) {
                double f1 = or_bump(tr[i].dir[0], k, 32), f2 = or_bump(tr[i].dir[1], k, 32);
                a11 += f1 * f1;
                a12 += f1 * f2;
                a22 += f2 * f2;
                r1 += f1 * (double)x[1 + k];
                r2 += f2 * (double)x[1 + k];
                OR_FEQ(x[33 + k], 0.0f);
            }
            double det = a11 * a22 - a12 * a12;
            double g1 = (a22 * r1 - a12 * r2) / det, g2 = (a11 * r2 - a12 * r1) / det;
            OR_LT_D(fabs(g1 - tr[i].strength[0]), 1e-5);
            OR_LT_D(fabs(g2 - tr[i].strength[1]), 1e-5);
            double yl = (double)b.y_loc[(b.n_steps - 1) * b.batch_size + i];
            OR_LT_D(or_cd(yl, g1 > g2 ? tr[i].dir[0] : tr[i].dir[1]), 1e-6);
        }
    }
    bimt_task_free(t);
}
END_TEST

START_TEST(contextdm_ignores_other_ring)
{
    /* 7.29: the decision of contextdm1 follows ring-1 strengths whatever ring 2 says, and
     * disagreeing trials exist (so ring 2 really would have decided differently). */
    for (int rule = BIMT_RULE_CONTEXTDM1; rule <= BIMT_RULE_CONTEXTDM2; rule++) {
        bimt_task_t *t = or_task(41 + (uint64_t)rule, 0, 0, 20.0, 32);
        long conflicts = 0;
        for (int rep = 0; rep < 40; rep++) {
            bimt_batch b;
            b.struct_size = (uint32_t)sizeof b; /* an output struct */
            OR_EQ_I(bimt_task_sample(t, rule, 16, &b), BIMT_OK);
            const bimt__trial *tr = bimt__task_trials(t);
            for (size_t i = 0; i < 16; i++) {
                size_t att = rule == BIMT_RULE_CONTEXTDM1 ? 0 : 2, ign = 2 - att;
                int att1 = tr[i].strength[att] > tr[i].strength[att + 1];
                int ign1 = tr[i].strength[ign] > tr[i].strength[ign + 1];
                double yl = (double)b.y_loc[(b.n_steps - 1) * 16 + i];
                OR_LT_D(or_cd(yl, att1 ? tr[i].dir[0] : tr[i].dir[1]), 1e-6);
                conflicts += att1 != ign1;
            }
        }
        OR_GT_I(conflicts, 100);
        bimt_task_free(t);
    }
}
END_TEST

/* ---------------------------------------------------------------- matching family */

START_TEST(match_distributions)
{
    const int rule = BIMT_RULE_DMSGO + _i;
    const int dmc = rule >= BIMT_RULE_DMCGO;
    bimt_task_t *t = or_task(51 + (uint64_t)rule, 0, 0, 20.0, 32);
    int combos[4] = {0}, seen_a[40] = {0}, seen_d[40] = {0}, seen_dl[100] = {0};
    int seen_resp[40] = {0}, seen_dir[10] = {0};
    long n = 0, go = 0, match = 0;
    const int N = 1500;
    for (int rep = 0; rep < N; rep++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        OR_EQ_I(bimt_task_sample(t, rule, 4, &b), BIMT_OK);
        const bimt__trial *tr = bimt__task_trials(t);
        size_t a = ep_len(&b, "fix1"), d = ep_len(&b, "stim1"), dl = ep_len(&b, "delay1");
        size_t resp = b.n_steps - b.go_step;
        OR_ASSERT(a == 10 || a == 20 || a == 30);
        OR_ASSERT(d == 10 || d == 20 || d == 30);
        OR_ASSERT(dl == 10 || dl == 20 || dl == 40 || dl == 80);
        if (dmc) {
            OR_ASSERT(resp == 10 || resp == 20 || resp == 30);
            OR_ASSERT(b.n_steps >= 40 && b.n_steps <= 170);
        } else {
            OR_EQ_U(resp, 25);
            OR_ASSERT(b.n_steps >= 55 && b.n_steps <= 165);
        }
        seen_a[a]++;
        seen_d[d]++;
        seen_dl[dl]++;
        seen_resp[resp]++;
        for (size_t i = 1; i < b.batch_size; i++) {
            OR_EQ_I(tr[i].ring[0], tr[0].ring[0]);
            OR_EQ_I(tr[i].ring[1], tr[0].ring[1]);
        }
        combos[tr[0].ring[0] * 2 + tr[0].ring[1]]++; /* 7.39 */
        for (size_t i = 0; i < b.batch_size; i++, n++) {
            const bimt__trial *q = &tr[i];
            int m;
            if (dmc) { /* 7.44 */
                size_t w0 = 0, w1 = 0;
                const double vals[10] = {0.1 * OR_PI, 0.3 * OR_PI, 0.5 * OR_PI, 0.7 * OR_PI,
                                         0.9 * OR_PI, 1.1 * OR_PI, 1.3 * OR_PI, 1.5 * OR_PI,
                                         1.7 * OR_PI, 1.9 * OR_PI};
                OR_ASSERT(near_any(q->dir[0], vals, 10, 1e-12, &w0));
                OR_ASSERT(near_any(q->dir[1], vals, 10, 1e-12, &w1));
                seen_dir[w0]++;
                seen_dir[w1]++;
                m = (w0 < 5) == (w1 < 5);
            } else { /* 7.41-42 */
                m = q->dir[0] == q->dir[1];
                if (!m) {
                    double cd = or_cd(q->dir[0], q->dir[1]);
                    OR_ASSERT(cd >= OR_PI / 9 - 1e-12 && cd <= OR_PI + 1e-12);
                }
            }
            match += m;
            int want_go = (rule == BIMT_RULE_DMSGO || rule == BIMT_RULE_DMCGO) ? m : !m;
            OR_EQ_I(q->go, want_go); /* 7.41, 7.45 */
            go += q->go;
            /* 7.46: no-go trials fixate to the end. */
            for (size_t s = 0; s < b.n_steps; s++) {
                float yl = b.y_loc[s * b.batch_size + i];
                if (!q->go || s < b.go_step)
                    OR_FEQ(yl, -1.0f);
                else
                    OR_LT_D(or_cd((double)yl, q->dir[1]), 1e-6);
            }
        }
    }
    assert_binomial(go, n, 0.5, "go trials"); /* 7.43 */
    assert_binomial(match, n, 0.5, "match trials");
    for (int c = 0; c < 4; c++)
        OR_GT_I(combos[c], N / 8);
    OR_ASSERT(seen_a[10] && seen_a[20] && seen_a[30]);
    OR_ASSERT(seen_d[10] && seen_d[20] && seen_d[30]);
    OR_ASSERT(seen_dl[10] && seen_dl[20] && seen_dl[40] && seen_dl[80]);
    if (dmc) {
        OR_ASSERT(seen_resp[10] && seen_resp[20] && seen_resp[30]);
        for (int k = 0; k < 10; k++)
            OR_GT_I(seen_dir[k], 0);
    }
    bimt_task_free(t);
}
END_TEST

START_TEST(test_stimulus_stays_on)
{
    /* 7.16 / 7.40 / 7.18: the stimulus of fdgo/fdanti/reactgo and the DMS/DMC test are non-zero
     * from their onset to the last step; delay epochs carry no ring input (7.19, 7.35). */
    const int rules[] = {BIMT_RULE_FDGO,     BIMT_RULE_FDANTI,         BIMT_RULE_REACTGO,
                         BIMT_RULE_DMSGO,    BIMT_RULE_DMCNOGO,        BIMT_RULE_DELAYGO,
                         BIMT_RULE_DELAYDM1, BIMT_RULE_CONTEXTDELAYDM2};
    bimt_task_t *t = or_task(61, 0, 0, 20.0, 32);
    for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++)
        for (int rep = 0; rep < 10; rep++) {
            bimt_batch b;
            b.struct_size = (uint32_t)sizeof b; /* an output struct */
            OR_EQ_I(bimt_task_sample(t, rules[r], 8, &b), BIMT_OK);
            size_t s, e;
            for (size_t st = 0; st < b.n_steps; st++) {
                int in_delay = (or_epoch(&b, "delay1", &s, &e) && st >= s && st < e) ||
                               (or_epoch(&b, "delay2", &s, &e) && st >= s && st < e);
                int stays = rules[r] == BIMT_RULE_FDGO || rules[r] == BIMT_RULE_FDANTI ||
                            rules[r] == BIMT_RULE_REACTGO || rules[r] >= BIMT_RULE_DMSGO;
                int in_go = st >= b.go_step;
                for (size_t i = 0; i < 8; i++) {
                    double mx = 0.0;
                    for (size_t k = 1; k < 65; k++)
                        mx = fmax(mx, fabs((double)b.x[(st * 8 + i) * 85 + k]));
                    if (in_delay || (in_go && !stays)) OR_EQ_D(mx, 0.0);
                    if (in_go && stays) OR_GT_D(mx, 0.5);
                }
            }
        }
    bimt_task_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("task_families");
    TCase *tc = tcase_create("elements");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, every_element_matches_spec_lsq, 0, BIMT_N_RULES);
    tcase_add_loop_test(tc, every_element_matches_spec_ce, 0, BIMT_N_RULES);
    tcase_add_loop_test(tc, every_element_other_dt_and_ring, 0, BIMT_N_RULES);
    tcase_add_loop_test(tc, batch_shape_and_epochs, 0, BIMT_N_RULES);
    suite_add_tcase(s, tc);
    TCase *td = tcase_create("distributions");
    tcase_set_timeout(td, 600);
    tcase_add_loop_test(td, goanti_distributions, 0, 6);
    tcase_add_loop_test(td, dm_distributions, 0, 5);
    tcase_add_loop_test(td, delaydm_distributions, 0, 5);
    tcase_add_test(td, easy_task_scales_coherences);
    tcase_add_test(td, dm_stronger_stimulus_wins_blackbox);
    tcase_add_test(td, contextdm_ignores_other_ring);
    tcase_add_loop_test(td, match_distributions, 0, 4);
    tcase_add_test(td, test_stimulus_stays_on);
    suite_add_tcase(s, td);
    return s;
}

int main(void)
{
    return bimt_test_run(suite());
}
