/* Adam against a hand-written double-precision reference, clipping, state access for the
 * trainer (snapshot/restore, step counter), and bad input. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "train/optim_internal.h"
#include "testutil.h"

static uint64_t lcg = 1;
static double urand(void)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(lcg >> 11) * 0x1.0p-53;
}

/* Textbook Adam (Kingma & Ba, Algorithm 1) in double, with element-wise clipping. */
typedef struct ref_adam {
    double lr, b1, b2, eps, clip;
    double m[64], v[64];
    int t;
} ref_adam;

static void ref_step(ref_adam *r, double *p, const float *g, size_t n)
{
    r->t++;
    for (size_t i = 0; i < n; i++) {
        double gi = (double)g[i];
        if (r->clip > 0) gi = fmin(r->clip, fmax(-r->clip, gi));
        r->m[i] = r->b1 * r->m[i] + (1 - r->b1) * gi;
        r->v[i] = r->b2 * r->v[i] + (1 - r->b2) * gi * gi;
        double mh = r->m[i] / (1 - pow(r->b1, r->t)), vh = r->v[i] / (1 - pow(r->b2, r->t));
        p[i] -= r->lr * mh / (sqrt(vh) + r->eps);
    }
}

START_TEST(matches_double_reference)
{
    const size_t n = 64;
    bimt_optimizer_t *o = NULL;
    ck_assert_int_eq(
        bimt_adam_create(
            n, &(bimt_adam_options){sizeof(bimt_adam_options), 0.01, 0.9, 0.999, 1e-8, 0.0}, &o),
        BIMT_OK);
    ref_adam r = {0.01, 0.9, 0.999, 1e-8, 0.0, {0}, {0}, 0};
    float p[64], g[64], gcopy[64];
    double pr[64];
    lcg = 3;
    for (size_t i = 0; i < n; i++)
        pr[i] = (double)(p[i] = (float)(urand() * 2 - 1));
    for (int step = 0; step < 25; step++) {
        if (step == 10) { /* clipping from step 10 on, learning rate change at 15 */
            ck_assert_int_eq(bimt_adam_set_clip(o, 0.5), BIMT_OK);
            r.clip = 0.5;
        }
        if (step == 15) {
            ck_assert_int_eq(bimt_adam_set_lr(o, 0.003), BIMT_OK);
            r.lr = 0.003;
        }
        for (size_t i = 0; i < n; i++)
            g[i] = (float)((urand() * 2 - 1) * (i % 4 == 0 ? 3 : 0.2));
        g[5] = 0.0f; /* a parameter that never gets a gradient */
        memcpy(gcopy, g, sizeof g);
        ck_assert_int_eq(bimt_adam_step(o, p, g), BIMT_OK);
        ck_assert(memcmp(g, gcopy, sizeof g) == 0); /* the gradient is not modified */
        ref_step(&r, pr, g, n);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fabs((double)p[i] - pr[i]) <= 2e-6 * fmax(1.0, fabs(pr[i])),
                          "step %d param %zu: %.9g vs %.9g", step, i, (double)p[i], pr[i]);
    }
    ck_assert_uint_eq(bimt_adam_steps(o), 25);
    ck_assert_uint_eq(bimt_adam_n_params(o), n);
    const float *m, *v;
    ck_assert_int_eq(bimt_adam_moments(o, &m, &v), BIMT_OK);
    for (size_t i = 0; i < n; i++) {
        ck_assert_double_le(fabs((double)m[i] - r.m[i]), 1e-7 + 1e-5 * fabs(r.m[i]));
        ck_assert_double_le(fabs((double)v[i] - r.v[i]), 1e-9 + 1e-5 * fabs(r.v[i]));
    }
    ck_assert(m[5] == 0.0f && v[5] == 0.0f);
    /* Step sizes: the reference's lr / (sqrt(v_hat) + eps) after 25 steps. */
    float st[64];
    ck_assert_int_eq(bimt_adam_step_sizes(o, n - 1, st), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_step_sizes(o, n, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_step_sizes(o, n, st), BIMT_OK);
    for (size_t i = 0; i < n; i++) {
        double ref = r.lr / (sqrt(r.v[i] / (1 - pow(r.b2, r.t))) + r.eps);
        ck_assert_msg(fabs((double)st[i] - ref) <= 1e-5 * ref, "step size %zu: %g vs %g", i,
                      (double)st[i], ref);
    }
    bimt_optimizer_free(o);
}
END_TEST

START_TEST(step_sizes_need_a_step)
{
    bimt_optimizer_t *o = NULL;
    float st[4];
    ck_assert_int_eq(
        bimt_adam_create(
            4, &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, 0.9, 0.999, 1e-8, 0.0}, &o),
        BIMT_OK);
    ck_assert_int_eq(bimt_adam_step_sizes(o, 4, st), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_step_sizes(NULL, 4, st), BIMT_E_INVALID_ARG);
    bimt_optimizer_free(o);
}
END_TEST

/* The first bias-corrected update is lr * sign(g) for |g| >> eps, clipped or not. */
START_TEST(first_step_is_lr_times_sign)
{
    bimt_optimizer_t *o = NULL;
    ck_assert_int_eq(
        bimt_adam_create(
            4, &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, 0.9, 0.999, 1e-8, 0.0}, &o),
        BIMT_OK);
    ck_assert_int_eq(bimt_adam_set_clip(o, 1.0), BIMT_OK);
    float p[4] = {0, 0, 0, 0}, g[4] = {5.0f, -0.25f, 1e-2f, -100.0f};
    ck_assert_int_eq(bimt_adam_step(o, p, g), BIMT_OK);
    for (int i = 0; i < 4; i++)
        ck_assert_double_le(fabs((double)p[i] + 0.1 * copysign(1.0, (double)g[i])), 1e-6);
    const float *m;
    ck_assert_int_eq(bimt_adam_moments(o, &m, NULL), BIMT_OK);
    ck_assert_double_le(fabs((double)m[0] - 0.1), 1e-7); /* clipped to 1 before the moment */
    ck_assert_double_le(fabs((double)m[3] + 0.1), 1e-7);
    bimt_optimizer_free(o);
}
END_TEST

/* What the trainer's checkpoint and divergence guard rely on. */
START_TEST(state_snapshot_restore)
{
    const size_t n = 16;
    bimt_optimizer_t *a = NULL, *snap = NULL;
    ck_assert_int_eq(
        bimt_adam_create(
            n, &(bimt_adam_options){sizeof(bimt_adam_options), 0.01, 0.9, 0.99, 1e-8, 0.0}, &a),
        BIMT_OK);
    ck_assert_int_eq(
        bimt_adam_create(
            n, &(bimt_adam_options){sizeof(bimt_adam_options), 1.0, 0.5, 0.5, 1.0, 0.0}, &snap),
        BIMT_OK);
    float p[16], g[16], p2[16];
    lcg = 8;
    for (size_t i = 0; i < n; i++)
        p[i] = (float)urand();
    for (int s = 0; s < 3; s++) {
        for (size_t i = 0; i < n; i++)
            g[i] = (float)(urand() - 0.5);
        bimt_adam_step(a, p, g);
    }
    ck_assert_int_eq(bimt__adam_copy_state(snap, a), BIMT_OK);
    memcpy(p2, p, sizeof p);
    for (size_t i = 0; i < n; i++)
        g[i] = (float)(urand() - 0.5);
    bimt_adam_step(a, p, g);
    /* restore and replay: identical result */
    ck_assert_int_eq(bimt__adam_copy_state(a, snap), BIMT_OK);
    ck_assert_uint_eq(bimt_adam_steps(a), 3);
    float p3[16];
    memcpy(p3, p, sizeof p);
    memcpy(p, p2, sizeof p);
    bimt_adam_step(a, p, g);
    ck_assert(memcmp(p, p3, sizeof p) == 0);
    /* raw access */
    float *m, *v;
    uint64_t t;
    ck_assert_int_eq(bimt__adam_state(a, &m, &v, &t), BIMT_OK);
    ck_assert_uint_eq(t, 4);
    const float *cm, *cv;
    bimt_adam_moments(a, &cm, &cv);
    ck_assert_ptr_eq(m, cm);
    ck_assert_ptr_eq(v, cv);
    ck_assert_int_eq(bimt__adam_set_steps(a, 1000), BIMT_OK);
    ck_assert_uint_eq(bimt_adam_steps(a), 1000);
    bimt_optimizer_t *other = NULL;
    ck_assert_int_eq(bimt_adam_create(n + 1,
                                      &(bimt_adam_options){sizeof(bimt_adam_options), 0.01, 0.9,
                                                           0.99, 1e-8, 0.0},
                                      &other),
                     BIMT_OK);
    ck_assert_int_eq(bimt__adam_copy_state(other, a), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt__adam_state(NULL, &m, &v, &t), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt__adam_set_steps(NULL, 1), BIMT_E_INVALID_ARG);
    bimt_optimizer_free(other);
    bimt_optimizer_free(a);
    bimt_optimizer_free(snap);
}
END_TEST

START_TEST(bad_input)
{
    bimt_optimizer_t *o = (bimt_optimizer_t *)&lcg; /* must be reset to NULL on failure */
    ck_assert_int_eq(
        bimt_adam_create(
            0, &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, 0.9, 0.999, 1e-8, 0.0}, &o),
        BIMT_E_INVALID_ARG);
    ck_assert_ptr_null(o);
    ck_assert_int_eq(
        bimt_adam_create(
            4, &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, 0.9, 0.999, 1e-8, 0.0}, NULL),
        BIMT_E_INVALID_ARG);
    const double bad_lr[3] = {0.0, -1.0, (double)NAN};
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(bimt_adam_create(4,
                                          &(bimt_adam_options){sizeof(bimt_adam_options), bad_lr[i],
                                                               0.9, 0.999, 1e-8, 0.0},
                                          &o),
                         BIMT_E_INVALID_ARG);
    ck_assert_int_eq(
        bimt_adam_create(
            4, &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, 1.0, 0.999, 1e-8, 0.0}, &o),
        BIMT_E_INVALID_ARG);
    ck_assert_int_eq(
        bimt_adam_create(
            4, &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, -0.1, 0.999, 1e-8, 0.0}, &o),
        BIMT_E_INVALID_ARG);
    ck_assert_int_eq(
        bimt_adam_create(
            4, &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, 0.9, 1.0, 1e-8, 0.0}, &o),
        BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_create(4,
                                      &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, 0.9,
                                                           (double)NAN, 1e-8, 0.0},
                                      &o),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(
        bimt_adam_create(
            4, &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, 0.9, 0.999, 0.0, 0.0}, &o),
        BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_create(4,
                                      &(bimt_adam_options){sizeof(bimt_adam_options),
                                                           (double)INFINITY, 0.9, 0.999, 1e-8, 0.0},
                                      &o),
                     BIMT_E_INVALID_ARG);
    ck_assert_int_eq(
        bimt_adam_create(
            4, &(bimt_adam_options){sizeof(bimt_adam_options), 0.1, 0.0, 0.0, 1e-8, 0.0}, &o),
        BIMT_OK); /* betas 0 ok */
    float p[4] = {1, 2, 3, 4}, g[4] = {1, 1, 1, 1};
    ck_assert_int_eq(bimt_adam_step(o, NULL, g), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_step(o, p, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_step(NULL, p, g), BIMT_E_INVALID_ARG);
    ck_assert_uint_eq(bimt_adam_steps(o), 0); /* failed steps do not count */
    ck_assert_int_eq(bimt_adam_set_lr(o, 0.0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_set_lr(o, (double)NAN), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_set_lr(NULL, 0.1), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_set_clip(o, -1.0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_set_clip(o, (double)NAN), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_set_clip(o, (double)INFINITY), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_set_clip(NULL, 1.0), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_adam_set_clip(o, 0.0), BIMT_OK);
    ck_assert_int_eq(bimt_adam_moments(NULL, NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_uint_eq(bimt_adam_steps(NULL), 0);
    ck_assert_uint_eq(bimt_adam_n_params(NULL), 0);
    /* failed setters left lr unchanged: one step moves by lr = 0.1 */
    ck_assert_int_eq(bimt_adam_step(o, p, g), BIMT_OK);
    ck_assert_double_le(fabs((double)p[0] - 0.9), 1e-6);
    bimt_optimizer_free(o);
    bimt_optimizer_free(NULL);
}
END_TEST

static Suite *optim_suite(void)
{
    Suite *s = suite_create("optim");
    TCase *tc = tcase_create("optim");
    tcase_add_test(tc, matches_double_reference);
    tcase_add_test(tc, first_step_is_lr_times_sign);
    tcase_add_test(tc, state_snapshot_restore);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, step_sizes_need_a_step);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(optim_suite());
}
