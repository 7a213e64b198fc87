/* The trainer (lib/train/trainer.c): learning on Yang's tasks, the connection cost and its distance
 * term, evaluation streams, the divergence guard, the lambda schedule, set_param, bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"
#include "testutil.h"

static int sanitized(void)
{
    const char *s = getenv("BIMT_SANITIZED");
    return s && *s && strcmp(s, "0") != 0;
}

typedef struct setup {
    bimt_model_t *m;
    bimt_task_t *t;
    bimt_trainer_t *tr;
} setup;

static void make_task(setup *s, uint32_t mask, uint32_t ring, uint32_t easy, uint64_t seed)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = ring;
    tp.rule_mask = mask;
    tp.easy_task = easy;
    tp.seed = seed;
    ck_assert_int_eq(bimt_task_create(&tp, &s->t), BIMT_OK);
}

static void make_model(setup *s, uint32_t side, bimt_activation act, bimt_init init,
                       double init_scale, uint64_t seed)
{
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = side;
    mp.n_in = (uint32_t)bimt_task_n_in(s->t);
    mp.n_out = (uint32_t)bimt_task_n_out(s->t);
    mp.activation = act;
    mp.init = init;
    mp.init_scale = init_scale;
    mp.seed = seed;
    ck_assert_int_eq(bimt_model_create(&mp, &s->m), BIMT_OK);
}

static void drop(setup *s)
{
    bimt_trainer_free(s->tr);
    bimt_task_free(s->t);
    bimt_model_free(s->m);
    memset(s, 0, sizeof(*s));
}

/* A tiny configuration for the mechanics tests (fast even under sanitizers). */
static void make_tiny(setup *s, bimt_trainer_params *p, uint64_t seed)
{
    make_task(s, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 8, 0, seed);
    make_model(s, 3, BIMT_ACT_SOFTPLUS, BIMT_INIT_GAUSS, 0.8, seed);
    bimt_trainer_params def;
    if (!p) {
        bimt_trainer_params_init(&def);
        def.batch_size = 4;
        def.eval_batch = 8;
        def.eval_interval = 4;
        def.swap_interval = 2;
        def.swap_top_k = 4;
        def.lambda = 1e-3;
        p = &def;
    }
    ck_assert_int_eq(bimt_trainer_create(s->m, s->t, p, &s->tr), BIMT_OK);
}

/* ------------------------------------------------------------------ learning */

START_TEST(learns_fdgo_and_dm1)
{
    /* Acceptance: a small grid learns fdgo and dm1 to >= 0.9 of Yang's metric, evaluated on
     * 512 fresh trials per rule (Yang's evaluation size) with input and recurrent noise on.
     * dm1 is as specified: default coherences {0.01, 0.02, 0.04, 0.08}, easy_task = 0.
     * Settings (one 6x6 softplus model, diag init 0.5, arm NONE so no connection cost; the
     * cost has its own tests below), chosen to fit a unit test's budget:
     * - fdgo is learnt within ~100 steps, so dm1 gets most steps: rule weights 1 : 7;
     * - Adam lr 3e-2, lowered to 5e-3 at step 500 and to 1e-3 at step 1000: the high rate
     *   learns fast, the low ones remove the step-to-step jitter of dm1's performance;
     * - evaluation only from step 1100 on (after the last lowering), every 100 steps, so a
     *   lucky evaluation during the high-rate phase cannot pass the test.
     * Measured with these settings for seeds 1, 7, 11, 23 (512 trials): dm1 0.91-0.95 at
     * step 1100 and 0.96-0.97 on 2048 trials at step 2500; fdgo 1.0. With seed 7 the test
     * stops at step 1100 (dm1 0.92; 0.91 in the Debug+ASan build, whose arithmetic differs
     * slightly): ~6 s of one core in Release, ~2 min under ASan, same assertion in both. */
    setup s;
    make_task(&s, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 32, 0, 7);
    make_model(&s, 6, BIMT_ACT_SOFTPLUS, BIMT_INIT_DIAG, 0.5, 7);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.arm = BIMT_ARM_NONE;
    p.learning_rate = 3e-2;
    p.batch_size = 64;
    p.eval_interval = 0;
    p.rule_weight[BIMT_RULE_FDGO] = 1.0;
    p.rule_weight[BIMT_RULE_DM1] = 7.0;
    ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &s.tr), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(s.tr, 500, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_LEARNING_RATE, 5e-3), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(s.tr, 500, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_LEARNING_RATE, 1e-3), BIMT_OK);
    double perf[BIMT_N_RULES] = {0};
    const int max_steps = 2500, chunk = 100;
    int steps = 1000, reached = 0;
    while (steps < max_steps && !reached) {
        ck_assert_int_eq(bimt_trainer_run(s.tr, (uint32_t)chunk, NULL, NULL), BIMT_OK);
        steps += chunk;
        ck_assert_int_eq(bimt_trainer_evaluate(s.tr, 512, perf), BIMT_OK);
        reached = perf[BIMT_RULE_FDGO] >= 0.9 && perf[BIMT_RULE_DM1] >= 0.9;
    }
    ck_assert_msg(reached, "after %d steps: fdgo %.3f, dm1 %.3f", steps, perf[BIMT_RULE_FDGO],
                  perf[BIMT_RULE_DM1]);
    /* Only the enabled rules are evaluated. */
    for (int r = 0; r < BIMT_N_RULES; r++)
        if (r != BIMT_RULE_FDGO && r != BIMT_RULE_DM1) ck_assert(perf[r] == -1.0);
    /* A fresh, untrained network of the same kind is far from it (the test can fail). */
    setup u;
    make_task(&u, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 32, 0, 7);
    make_model(&u, 6, BIMT_ACT_SOFTPLUS, BIMT_INIT_DIAG, 0.5, 7);
    ck_assert_int_eq(bimt_trainer_create(u.m, u.t, &p, &u.tr), BIMT_OK);
    double perf0[BIMT_N_RULES];
    ck_assert_int_eq(bimt_trainer_evaluate(u.tr, 512, perf0), BIMT_OK);
    ck_assert(perf0[BIMT_RULE_FDGO] < 0.5 && perf0[BIMT_RULE_DM1] < 0.5);
    drop(&u);
    drop(&s);
}
END_TEST

/* lambda * L_cc of the model at its current parameters. */
static double cost_of(bimt_model_t *m, double lambda, double A)
{
    double v = -1.0;
    ck_assert_int_eq(bimt_model_connection_cost(m, lambda, A, 0, &v), BIMT_OK);
    return v;
}

START_TEST(connection_cost_falls)
{
    /* With lambda > 0 the connection cost falls during training; without it (arm NONE, same
     * seeds) it does not fall as much. */
    const int steps = sanitized() ? 150 : 300;
    double c0[2], c1[2];
    for (int arm = 0; arm < 2; arm++) {
        setup s;
        make_task(&s, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 16, 1, 3);
        make_model(&s, 5, BIMT_ACT_SOFTPLUS, BIMT_INIT_GAUSS, 0.8, 3);
        bimt_trainer_params p;
        bimt_trainer_params_init(&p);
        p.arm = arm == 0 ? BIMT_ARM_BIMT : BIMT_ARM_NONE;
        p.lambda = 1e-2;
        p.learning_rate = 3e-3;
        p.batch_size = 16;
        p.eval_interval = 0;
        p.swap_interval = 25;
        p.swap_top_k = 5;
        ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &s.tr), BIMT_OK);
        c0[arm] = cost_of(s.m, 1.0, 1.0);
        bimt_step_info info;
        info.struct_size = (uint32_t)sizeof info; /* an output struct */
        double reported_first = -1.0;
        for (int k = 0; k < steps; k++) {
            ck_assert_int_eq(bimt_trainer_step(s.tr, &info), BIMT_OK);
            if (k == 0) reported_first = info.cost;
        }
        c1[arm] = cost_of(s.m, 1.0, 1.0);
        if (arm == 0) {
            /* The step reports lambda * L_cc of the parameters it started from. */
            ck_assert(fabs(reported_first - 1e-2 * c0[0]) <= 1e-6 * c0[0]);
            ck_assert(info.lambda == 1e-2);
        } else {
            ck_assert(info.cost == 0.0 && info.lambda == 0.0);
        }
        drop(&s);
    }
    ck_assert_msg(c1[0] < 0.7 * c0[0], "BIMT: cost %g -> %g", c0[0], c1[0]);
    ck_assert_msg(c1[0] / c0[0] < 0.8 * (c1[1] / c0[1]), "BIMT %g -> %g, none %g -> %g", c0[0],
                  c1[0], c0[1], c1[1]);
}
END_TEST

/* Mean |W_rec| over pairs whose distance is >= thr (long) or < thr (short), at fixed slots. */
static void long_short(bimt_model_t *m, double thr, double *lng, double *shrt)
{
    const float *W;
    uint32_t n, cols;
    ck_assert_int_eq(bimt_model_tensor(m, BIMT_W_REC, &W, &n, &cols, NULL), BIMT_OK);
    double sl = 0, ss = 0;
    size_t nl = 0, ns = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j) continue;
            double d = bimt_model_distance(m, (uint32_t)i, (uint32_t)j);
            if (d >= thr) {
                sl += fabs((double)W[i * n + j]);
                nl++;
            } else {
                ss += fabs((double)W[i * n + j]);
                ns++;
            }
        }
    ck_assert(nl > 0 && ns > 0);
    *lng = sl / (double)nl;
    *shrt = ss / (double)ns;
}

START_TEST(distance_term_shrinks_long_connections)
{
    /* Same seeds, no swaps (slots fixed): arm BIMT (A > 0) against arm L1 (A = 0). The
     * distance term must shrink long recurrent connections more than short ones, relative to
     * their initial sizes; the plain L1 penalty does not tell them apart. */
    const int steps = sanitized() ? 120 : 250;
    const double thr = 0.5; /* half the grid side */
    double ratio[2];        /* (long_final/long_init) / (short_final/short_init) */
    double long_final[2];
    for (int arm = 0; arm < 2; arm++) {
        setup s;
        make_task(&s, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 16, 1, 11);
        make_model(&s, 6, BIMT_ACT_SOFTPLUS, BIMT_INIT_GAUSS, 0.8, 11);
        bimt_trainer_params p;
        bimt_trainer_params_init(&p);
        p.arm = arm == 0 ? BIMT_ARM_BIMT : BIMT_ARM_L1;
        p.lambda = 3e-4; /* small enough that the task gradient competes with the cost */
        p.A = 4.0;
        p.learning_rate = 3e-3;
        p.batch_size = 16;
        p.eval_interval = 0;
        p.swap_interval = 0;
        ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &s.tr), BIMT_OK);
        double l0, s0, l1, s1;
        long_short(s.m, thr, &l0, &s0);
        ck_assert_int_eq(bimt_trainer_run(s.tr, (uint32_t)steps, NULL, NULL), BIMT_OK);
        long_short(s.m, thr, &l1, &s1);
        ratio[arm] = (l1 / l0) / (s1 / s0);
        long_final[arm] = l1 / l0;
        drop(&s);
    }
    ck_assert_msg(ratio[0] < 0.85, "BIMT long/short shrink ratio %g", ratio[0]);
    ck_assert_msg(ratio[0] < ratio[1] - 0.1, "BIMT %g vs L1 %g", ratio[0], ratio[1]);
    ck_assert_msg(fabs(ratio[1] - 1.0) < 0.15, "L1 arm distinguishes distances: %g", ratio[1]);
    ck_assert(long_final[0] < long_final[1]);
}
END_TEST

/* The proximal L1 step leaves pruned parameters at exactly 0 (the subgradient step at the same
 * lambda leaves them jittering around 0), and a weight once at 0 stays there unless the loss
 * pulls it harder than lambda * c. */
START_TEST(proximal_step_prunes_to_exact_zeros)
{
    const int steps = sanitized() ? 80 : 200;
    size_t zeros[2];
    for (int prox = 0; prox < 2; prox++) {
        setup s;
        make_task(&s, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 16, 1, 5);
        make_model(&s, 5, BIMT_ACT_SOFTPLUS, BIMT_INIT_GAUSS, 0.8, 5);
        bimt_trainer_params p;
        bimt_trainer_params_init(&p);
        p.lambda = 3e-3;
        p.learning_rate = 3e-3;
        p.batch_size = 16;
        p.eval_interval = 0;
        p.swap_interval = 0;
        p.l1_proximal = (uint32_t)prox;
        ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &s.tr), BIMT_OK);
        ck_assert_int_eq(bimt_trainer_run(s.tr, (uint32_t)steps, NULL, NULL), BIMT_OK);
        const float *w = bimt_model_params_view(s.m);
        zeros[prox] = 0;
        for (size_t i = 0; i < bimt_model_n_params(s.m); i++)
            zeros[prox] += w[i] == 0.0f;
        if (prox) {
            bimt_trainer_params q;
            q.struct_size = (uint32_t)sizeof q; /* an output struct */
            ck_assert_int_eq(bimt_trainer_get_params(s.tr, &q), BIMT_OK);
            ck_assert_uint_eq(q.l1_proximal, 1);
        }
        drop(&s);
    }
    ck_assert_msg(zeros[1] > 10 * (zeros[0] + 1), "exact zeros: subgradient %zu, proximal %zu",
                  zeros[0], zeros[1]);
}
END_TEST

/* Yang's l1_h lowers the rates it penalises, and the step reports its cost; l1_h = 0 trains
 * exactly as a trainer that never heard of it. */
static double mean_rate_after(double l1_h, int steps, double *reported)
{
    setup s;
    make_task(&s, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 16, 1, 5);
    make_model(&s, 4, BIMT_ACT_SOFTPLUS, BIMT_INIT_GAUSS, 0.8, 5);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.arm = BIMT_ARM_NONE;
    p.learning_rate = 3e-3;
    p.batch_size = 16;
    p.eval_interval = 0;
    p.l1_h = l1_h;
    ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &s.tr), BIMT_OK);
    bimt_step_info info;
    for (int i = 0; i < steps; i++) {
        info.struct_size = (uint32_t)sizeof info;
        ck_assert_int_eq(bimt_trainer_step(s.tr, &info), BIMT_OK);
    }
    *reported = info.activity_cost;
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b;
    ck_assert_int_eq(bimt_task_sample_test(s.t, BIMT_RULE_FDGO, &b), BIMT_OK);
    ck_assert_int_eq(bimt_model_forward(s.m, b.x, b.n_steps, b.batch_size, 0), BIMT_OK);
    const float *h;
    ck_assert_int_eq(bimt_model_states(s.m, &h), BIMT_OK);
    const size_t n = (size_t)b.n_steps * b.batch_size * bimt_model_n_hidden(s.m);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += (double)h[i];
    drop(&s);
    return sum / (double)n;
}

START_TEST(activity_l1_lowers_the_rates)
{
    const int steps = sanitized() ? 60 : 200;
    double c0, c1;
    double r0 = mean_rate_after(0.0, steps, &c0), r1 = mean_rate_after(1.0, steps, &c1);
    ck_assert_double_eq(c0, 0.0);
    ck_assert_double_gt(c1, 0.0);
    ck_assert_msg(r1 < 0.5 * r0, "mean rate: l1_h 0 %.4f, l1_h 1 %.4f", r0, r1);
}
END_TEST

/* hidden_bias_nonpositive is a projection after the update: one step with it equals one step
 * without it followed by b_h <- min(b_h, 0), every other parameter bit for bit; and it holds
 * at every later step while a free run keeps positive biases. */
static void trainer_with_bias_rule(setup *s, uint32_t nonpositive)
{
    make_task(s, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 16, 1, 7);
    make_model(s, 4, BIMT_ACT_RELU, BIMT_INIT_GAUSS, 0.8, 7);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.learning_rate = 3e-3;
    p.batch_size = 16;
    p.eval_interval = 0;
    p.swap_interval = 0;
    p.lambda = 1e-4;
    p.hidden_bias_nonpositive = nonpositive;
    ck_assert_int_eq(bimt_trainer_create(s->m, s->t, &p, &s->tr), BIMT_OK);
}

START_TEST(hidden_bias_nonpositive_projects_after_the_update)
{
    setup fr, np;
    trainer_with_bias_rule(&fr, 0);
    trainer_with_bias_rule(&np, 1);
    ck_assert_int_eq(bimt_trainer_step(fr.tr, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_step(np.tr, NULL), BIMT_OK);
    size_t off = 0;
    uint32_t n_h = 0;
    ck_assert_int_eq(bimt_model_tensor(fr.m, BIMT_B_H, NULL, &n_h, NULL, &off), BIMT_OK);
    const float *a = bimt_model_params_view(fr.m), *b = bimt_model_params_view(np.m);
    size_t n_pos = 0;
    for (size_t i = 0; i < bimt_model_n_params(fr.m); i++) {
        const int is_bias = i >= off && i < off + n_h;
        const float want = is_bias && a[i] > 0.0f ? 0.0f : a[i];
        n_pos += is_bias && a[i] > 0.0f;
        ck_assert_msg(b[i] == want, "parameter %zu: %g, expected %g", i, (double)b[i],
                      (double)want);
    }
    ck_assert_msg(n_pos > 0, "no bias went positive in the free step: the test cannot fail");
    const int steps = sanitized() ? 30 : 100;
    ck_assert_int_eq(bimt_trainer_run(fr.tr, (uint32_t)steps, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(np.tr, (uint32_t)steps, NULL, NULL), BIMT_OK);
    const float *bf, *bn;
    ck_assert_int_eq(bimt_model_tensor(fr.m, BIMT_B_H, &bf, NULL, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_model_tensor(np.m, BIMT_B_H, &bn, NULL, NULL, NULL), BIMT_OK);
    size_t free_pos = 0;
    for (uint32_t j = 0; j < n_h; j++) {
        ck_assert_msg(bn[j] <= 0.0f, "b_h[%u] = %g after %d steps", (unsigned)j, (double)bn[j],
                      steps + 1);
        free_pos += bf[j] > 0.0f;
    }
    ck_assert_uint_gt(free_pos, 0);
    bimt_trainer_params q;
    q.struct_size = (uint32_t)sizeof q; /* an output struct */
    ck_assert_int_eq(bimt_trainer_get_params(np.tr, &q), BIMT_OK);
    ck_assert_uint_eq(q.hidden_bias_nonpositive, 1);
    drop(&fr);
    drop(&np);
}
END_TEST

/* ------------------------------------------------------------------ mechanics */

START_TEST(evaluation_does_not_perturb_training)
{
    /* Same seeds, with and without evaluations (periodic and explicit): identical training. */
    setup a, b;
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 4;
    p.eval_batch = 8;
    p.swap_interval = 3;
    p.swap_top_k = 4;
    p.eval_interval = 3;
    make_tiny(&a, &p, 21);
    p.eval_interval = 0;
    make_tiny(&b, &p, 21);
    double perf[BIMT_N_RULES];
    ck_assert_int_eq(bimt_trainer_last_eval(a.tr, perf), BIMT_E_STATE);
    for (int r = 0; r < BIMT_N_RULES; r++)
        ck_assert(perf[r] == -1.0);
    bimt_step_info ia, ib;
    ia.struct_size = (uint32_t)sizeof ia; /* an output struct */
    ib.struct_size = (uint32_t)sizeof ib; /* an output struct */
    for (int k = 0; k < 10; k++) {
        ck_assert_int_eq(bimt_trainer_step(a.tr, &ia), BIMT_OK);
        ck_assert_int_eq(bimt_trainer_step(b.tr, &ib), BIMT_OK);
        if (k == 4) ck_assert_int_eq(bimt_trainer_evaluate(b.tr, 5, perf), BIMT_OK);
        ck_assert_int_eq(ia.rule, ib.rule);
        ck_assert(ia.loss == ib.loss);
        ck_assert(ia.mean_perf >= 0.0 && ia.min_perf >= 0.0 && ia.min_perf <= ia.mean_perf);
        ck_assert(k <= 4 ? ib.mean_perf == -1.0 : ib.mean_perf >= 0.0);
    }
    size_t n = bimt_model_n_params(a.m);
    ck_assert_int_eq(
        memcmp(bimt_model_params_view(a.m), bimt_model_params_view(b.m), n * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(bimt_model_slots(a.m), bimt_model_slots(b.m), 9 * sizeof(uint32_t)), 0);
    ck_assert_int_eq(bimt_trainer_last_eval(a.tr, perf), BIMT_OK);
    for (int r = 0; r < BIMT_N_RULES; r++) {
        int on = r == BIMT_RULE_FDGO || r == BIMT_RULE_DM1;
        ck_assert(on ? perf[r] >= 0.0 && perf[r] <= 1.0 : perf[r] == -1.0);
    }
    drop(&a);
    drop(&b);
}
END_TEST

START_TEST(step_info_and_counters)
{
    setup s;
    make_tiny(&s, NULL, 4);
    bimt_trainer_params p;
    p.struct_size = (uint32_t)sizeof p; /* an output struct */
    bimt_trainer_get_params(s.tr, &p);
    bimt_step_info info;
    info.struct_size = (uint32_t)sizeof info; /* an output struct */
    uint64_t swaps_off_interval = 0;
    for (uint64_t k = 1; k <= 8; k++) {
        ck_assert_int_eq(bimt_trainer_step(s.tr, &info), BIMT_OK);
        ck_assert_uint_eq(info.step, k);
        ck_assert_uint_eq(info.trials, k * p.batch_size);
        ck_assert(info.rule == BIMT_RULE_FDGO || info.rule == BIMT_RULE_DM1);
        ck_assert(isfinite(info.loss) && info.loss > 0.0);
        ck_assert(info.trials_per_s > 0.0);
        if (k % p.swap_interval) swaps_off_interval += info.n_swaps;
    }
    ck_assert_uint_eq(swaps_off_interval, 0);
    ck_assert_uint_eq(bimt_trainer_steps(s.tr), 8);
    ck_assert_uint_eq(bimt_adam_steps(bimt_trainer_optimizer(s.tr)), 8);
    ck_assert_ptr_eq(bimt_trainer_model(s.tr), s.m);
    ck_assert_ptr_eq(bimt_trainer_task(s.tr), s.t);
    ck_assert_ptr_null(bimt_trainer_model(NULL));
    ck_assert_uint_eq(bimt_trainer_steps(NULL), 0);
    drop(&s);
}
END_TEST

static int stop_after_3(const bimt_step_info *info, void *payload)
{
    int *calls = payload;
    (*calls)++;
    return info->step >= 3;
}

START_TEST(run_callback_stops)
{
    setup s;
    make_tiny(&s, NULL, 5);
    int calls = 0;
    ck_assert_int_eq(bimt_trainer_run(s.tr, 100, stop_after_3, &calls), BIMT_OK);
    ck_assert_int_eq(calls, 3);
    ck_assert_uint_eq(bimt_trainer_steps(s.tr), 3);
    ck_assert_int_eq(bimt_trainer_run(s.tr, 2, NULL, NULL), BIMT_OK);
    ck_assert_uint_eq(bimt_trainer_steps(s.tr), 5);
    ck_assert_int_eq(bimt_trainer_run(NULL, 2, NULL, NULL), BIMT_E_INVALID_ARG);
    drop(&s);
}
END_TEST

START_TEST(rule_sampling_follows_weights)
{
    /* fdgo : dm1 = 1 : 3 and a disabled rule with a large weight: over 400 steps the share of
     * dm1 is 0.75 within 5 standard errors, and the disabled rule never appears. */
    setup s;
    make_task(&s, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 4, 0, 1);
    make_model(&s, 2, BIMT_ACT_SOFTPLUS, BIMT_INIT_DIAG, 0.5, 1);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    for (int r = 0; r < BIMT_N_RULES; r++)
        p.rule_weight[r] = 0.0;
    p.rule_weight[BIMT_RULE_FDGO] = 1.0;
    p.rule_weight[BIMT_RULE_DM1] = 3.0;
    p.rule_weight[BIMT_RULE_DMSGO] = 100.0; /* not enabled by the task */
    p.batch_size = 1;
    p.eval_interval = 0;
    ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &s.tr), BIMT_OK);
    const int n = 400;
    int dm1 = 0;
    for (int k = 0; k < n; k++) {
        bimt_step_info info;
        info.struct_size = (uint32_t)sizeof info; /* an output struct */
        ck_assert_int_eq(bimt_trainer_step(s.tr, &info), BIMT_OK);
        ck_assert(info.rule == BIMT_RULE_FDGO || info.rule == BIMT_RULE_DM1);
        dm1 += info.rule == BIMT_RULE_DM1;
    }
    double share = (double)dm1 / n, se = sqrt(0.75 * 0.25 / n);
    ck_assert_msg(fabs(share - 0.75) < 5 * se, "dm1 share %g", share);
    drop(&s);
}
END_TEST

START_TEST(lambda_schedule_piecewise_constant)
{
    setup s;
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.lambda = 0.5; /* ignored while a schedule is set */
    p.n_schedule = 3;
    p.schedule_step[0] = 10;
    p.schedule_lambda[0] = 1e-4;
    p.schedule_step[1] = 20;
    p.schedule_lambda[1] = 0.0;
    p.schedule_step[2] = 1000;
    p.schedule_lambda[2] = 2e-3;
    p.eval_interval = 0;
    p.batch_size = 2;
    make_tiny(&s, &p, 6);
    const uint64_t at[] = {0, 9, 10, 15, 19, 20, 999, 1000, 123456789};
    const double want[] = {0, 0, 1e-4, 1e-4, 1e-4, 0, 0, 2e-3, 2e-3};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        ck_assert(bimt_trainer_lambda_at(s.tr, at[i]) == want[i]);
    /* The step uses it: steps 0..9 report lambda 0 and no cost, step 10 reports 1e-4. */
    bimt_step_info info;
    info.struct_size = (uint32_t)sizeof info; /* an output struct */
    for (int k = 0; k < 11; k++) {
        ck_assert_int_eq(bimt_trainer_step(s.tr, &info), BIMT_OK);
        ck_assert(info.lambda == (k < 10 ? 0.0 : 1e-4));
        ck_assert(k < 10 ? info.cost == 0.0 : info.cost > 0.0);
    }
    /* Setting lambda clears the schedule. */
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_LAMBDA, 3e-3), BIMT_OK);
    ck_assert(bimt_trainer_lambda_at(s.tr, 0) == 3e-3 &&
              bimt_trainer_lambda_at(s.tr, 5000) == 3e-3);
    p.struct_size = (uint32_t)sizeof p; /* an output struct */
    bimt_trainer_get_params(s.tr, &p);
    ck_assert_uint_eq(p.n_schedule, 0);
    ck_assert(bimt_trainer_lambda_at(NULL, 5) == 0.0);
    drop(&s);
    /* Arm NONE: always 0. */
    bimt_trainer_params_init(&p);
    p.arm = BIMT_ARM_NONE;
    p.lambda = 1.0;
    make_tiny(&s, &p, 6);
    ck_assert(bimt_trainer_lambda_at(s.tr, 0) == 0.0);
    drop(&s);
}
END_TEST

START_TEST(divergence_guard_restores_state)
{
    setup s;
    make_tiny(&s, NULL, 8);
    ck_assert_int_eq(bimt_trainer_run(s.tr, 3, NULL, NULL), BIMT_OK);
    size_t n = bimt_model_n_params(s.m);
    float *p0 = malloc(n * sizeof(float)), *m0 = malloc(n * sizeof(float)),
          *v0 = malloc(n * sizeof(float));
    const float *mm, *vv;
    memcpy(p0, bimt_model_params_view(s.m), n * sizeof(float));
    ck_assert_int_eq(bimt_adam_moments(bimt_trainer_optimizer(s.tr), &mm, &vv), BIMT_OK);
    memcpy(m0, mm, n * sizeof(float));
    memcpy(v0, vv, n * sizeof(float));
    /* A learning rate beyond float range turns the update into Inf. */
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_LEARNING_RATE, 1e300), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_step(s.tr, NULL), BIMT_E_NUMERIC);
    ck_assert(strstr(bimt_trainer_errmsg(s.tr), "restored") != NULL);
    ck_assert_int_eq(memcmp(p0, bimt_model_params_view(s.m), n * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(m0, mm, n * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(v0, vv, n * sizeof(float)), 0);
    ck_assert_uint_eq(bimt_adam_steps(bimt_trainer_optimizer(s.tr)), 3);
    ck_assert_uint_eq(bimt_trainer_steps(s.tr), 3);
    /* Training goes on after lowering the learning rate. */
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_LEARNING_RATE, 1e-3), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_step(s.tr, NULL), BIMT_OK);
    ck_assert_uint_eq(bimt_trainer_steps(s.tr), 4);
    /* A NaN parameter gives a NaN loss: BIMT_E_NUMERIC before any update. */
    float *w = bimt_model_params_data(s.m);
    w[0] = NAN;
    memcpy(p0, w, n * sizeof(float));
    ck_assert_int_eq(bimt_trainer_step(s.tr, NULL), BIMT_E_NUMERIC);
    ck_assert(strstr(bimt_trainer_errmsg(s.tr), "loss") != NULL);
    ck_assert_int_eq(memcmp(p0, bimt_model_params_view(s.m), n * sizeof(float)), 0);
    ck_assert_uint_eq(bimt_trainer_steps(s.tr), 4);
    free(p0);
    free(m0);
    free(v0);
    drop(&s);
}
END_TEST

START_TEST(set_param_validates)
{
    setup s;
    make_tiny(&s, NULL, 9);
    bimt_trainer_params before, after;
    before.struct_size = (uint32_t)sizeof before; /* an output struct */
    bimt_trainer_get_params(s.tr, &before);
    struct {
        bimt_trainer_key key;
        double value;
    } bad[] = {{BIMT_TP_LEARNING_RATE, 0.0},
               {BIMT_TP_LEARNING_RATE, -1.0},
               {BIMT_TP_LEARNING_RATE, (double)NAN},
               {BIMT_TP_LAMBDA, -1e-3},
               {BIMT_TP_LAMBDA, (double)INFINITY},
               {BIMT_TP_A, -2.0},
               {BIMT_TP_SWAP_INTERVAL, 2.5},
               {BIMT_TP_SWAP_INTERVAL, -1.0},
               {BIMT_TP_SWAP_TOP_K, 0.0},
               {BIMT_TP_EVAL_INTERVAL, 1e12},
               {BIMT_TP_GRAD_CLIP, -0.1},
               {BIMT_TP_EASY_TRAIN, 0.5},
               {BIMT_TP_EASY_TRAIN, 2.0},
               {BIMT_TP_EASY_TRAIN, (double)NAN},
               {(bimt_trainer_key)99, 1.0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(bimt_trainer_set_param(s.tr, bad[i].key, bad[i].value),
                         BIMT_E_INVALID_ARG);
        ck_assert(strlen(bimt_trainer_errmsg(s.tr)) > 0);
        after.struct_size = (uint32_t)sizeof after; /* an output struct */
        bimt_trainer_get_params(s.tr, &after);
        ck_assert_int_eq(memcmp(&before, &after, sizeof before), 0);
    }
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_A, 2.0), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_SWAP_INTERVAL, 7), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_SWAP_TOP_K, 3), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_EVAL_INTERVAL, 0), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(s.tr, BIMT_TP_GRAD_CLIP, 0), BIMT_OK);
    after.struct_size = (uint32_t)sizeof after; /* an output struct */
    bimt_trainer_get_params(s.tr, &after);
    ck_assert(after.A == 2.0 && after.swap_interval == 7 && after.swap_top_k == 3 &&
              after.eval_interval == 0 && after.grad_clip == 0.0);
    ck_assert_int_eq(bimt_trainer_set_param(NULL, BIMT_TP_A, 1.0), BIMT_E_INVALID_ARG);
    drop(&s);
}
END_TEST

START_TEST(create_rejects_bad_input)
{
    setup s;
    make_task(&s, (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1), 8, 0, 1);
    make_model(&s, 3, BIMT_ACT_SOFTPLUS, BIMT_INIT_DIAG, 0.5, 1);
    bimt_trainer_t *tr = (bimt_trainer_t *)1;
    bimt_trainer_params p;
    ck_assert_int_eq(bimt_trainer_create(s.m, s.t, NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_trainer_create(NULL, s.t, NULL, &tr), BIMT_E_INVALID_ARG);
    ck_assert_ptr_null(tr);
    ck_assert_int_eq(bimt_trainer_create(s.m, NULL, NULL, &tr), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_model_errmsg(s.m), "task") != NULL);

    /* Model sizes that do not match the task. */
    bimt_task_t *big;
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    ck_assert_int_eq(bimt_task_create(&tp, &big), BIMT_OK); /* 85 inputs */
    ck_assert_int_eq(bimt_trainer_create(s.m, big, NULL, &tr), BIMT_E_SHAPE);
    ck_assert_ptr_null(tr);
    ck_assert(strstr(bimt_model_errmsg(s.m), "inputs") != NULL);
    bimt_task_free(big);

    struct {
        const char *what;
        int field;
        double value;
    } bad[] = {{"batch_size", 0, 0},
               {"learning_rate", 1, 0.0},
               {"learning_rate", 1, (double)NAN},
               {"beta1", 2, 1.0},
               {"beta1", 3, -0.5},
               {"eps", 4, 0.0},
               {"grad_clip", 5, -1.0},
               {"lambda", 6, -1e-4},
               {"lambda", 6, (double)NAN},
               {"A", 7, -1.0},
               {"schedule", 8, 0},
               {"schedule_lambda", 9, -1},
               {"n_schedule", 10, 9},
               {"rule_weight", 11, -1.0},
               {"rule_weight", 12, 0},
               {"arm", 13, 7},
               {"swap_top_k", 14, 0},
               {"recurrent_noise", 15, 2},
               {"l1_proximal", 16, 2},
               {"l1_h", 17, -1.0},
               {"l2_h", 18, (double)NAN},
               {"l1_h", 19, 2e6},
               {"hidden_bias_nonpositive", 20, 2}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bimt_trainer_params_init(&p);
        switch (bad[i].field) {
        case 0:
            p.batch_size = 0;
            break;
        case 1:
            p.learning_rate = bad[i].value;
            break;
        case 2:
            p.beta1 = bad[i].value;
            break;
        case 3:
            p.beta1 = bad[i].value;
            break;
        case 4:
            p.eps = bad[i].value;
            break;
        case 5:
            p.grad_clip = bad[i].value;
            break;
        case 6:
            p.lambda = bad[i].value;
            break;
        case 7:
            p.A = bad[i].value;
            break;
        case 8: /* not increasing */
            p.n_schedule = 2;
            p.schedule_step[0] = 100;
            p.schedule_step[1] = 100;
            break;
        case 9:
            p.n_schedule = 1;
            p.schedule_lambda[0] = bad[i].value;
            break;
        case 10:
            p.n_schedule = 9;
            break;
        case 11:
            p.rule_weight[3] = bad[i].value;
            break;
        case 12: /* all weights of the enabled rules zero (others are ignored) */
            p.rule_weight[BIMT_RULE_FDGO] = 0.0;
            p.rule_weight[BIMT_RULE_DM1] = 0.0;
            break;
        case 13:
            p.arm = (bimt_arm)7;
            break;
        case 14:
            p.swap_top_k = 0;
            break;
        case 15:
            p.recurrent_noise = 2;
            break;
        case 16:
            p.l1_proximal = 2;
            break;
        case 17:
        case 19:
            p.l1_h = bad[i].value;
            break;
        case 18:
            p.l2_h = bad[i].value;
            break;
        case 20:
            p.hidden_bias_nonpositive = 2;
            break;
        }
        bimt_model_errmsg(s.m);
        tr = (bimt_trainer_t *)1;
        ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &tr), BIMT_E_INVALID_ARG);
        ck_assert_ptr_null(tr);
        ck_assert_msg(strstr(bimt_model_errmsg(s.m), bad[i].what) != NULL ||
                          (bad[i].field == 12 && strstr(bimt_model_errmsg(s.m), "weight")),
                      "case %zu: message '%s'", i, bimt_model_errmsg(s.m));
    }
    bimt_trainer_params_init(&p);
    p.struct_size = (uint32_t)sizeof p + 8;
    ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &tr), BIMT_E_VERSION);
    bimt_trainer_params_init(&p);
    ck_assert_int_eq(bimt_trainer_create(s.m, s.t, &p, &tr), BIMT_OK);
    ck_assert_str_eq(bimt_trainer_errmsg(tr), "");
    double perf[BIMT_N_RULES];
    ck_assert_int_eq(bimt_trainer_evaluate(tr, 0, perf), BIMT_E_INVALID_ARG);
    ck_assert(strlen(bimt_trainer_errmsg(tr)) > 0);
    ck_assert_int_eq(bimt_trainer_evaluate(tr, 4, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_trainer_evaluate(NULL, 4, perf), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_trainer_get_params(tr, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_trainer_step(NULL, NULL), BIMT_E_INVALID_ARG);
    ck_assert_str_eq(bimt_trainer_errmsg(NULL), "NULL trainer handle");
    bimt_trainer_free(NULL);
    s.tr = tr;
    drop(&s);
}
END_TEST

/* The easy-coherence curriculum: with BIMT_TP_EASY_TRAIN on, training batches are those of
 * a task created with easy_task = 1 (the same stream, so the same parameters bit for bit),
 * the user's task keeps its own setting, and switched off, training is on real batches. */
START_TEST(easy_train_uses_easy_batches_only)
{
    const uint32_t mask =
        (1u << BIMT_RULE_DM1) | (1u << BIMT_RULE_CONTEXTDM1) | (1u << BIMT_RULE_DELAYDM1);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 6;
    p.eval_interval = 0;
    p.eval_batch = 16;
    setup curr, easy, hard;
    setup *all[3] = {&curr, &easy, &hard};
    const uint32_t task_easy[3] = {0, 1, 0};
    for (int i = 0; i < 3; i++) {
        make_task(all[i], mask, 8, task_easy[i], 3);
        make_model(all[i], 3, BIMT_ACT_SOFTPLUS, BIMT_INIT_GAUSS, 0.8, 3);
        ck_assert_int_eq(bimt_trainer_create(all[i]->m, all[i]->t, &p, &all[i]->tr), BIMT_OK);
    }
    ck_assert_int_eq(bimt_trainer_set_param(curr.tr, BIMT_TP_EASY_TRAIN, 1.0), BIMT_OK);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(bimt_trainer_run(all[i]->tr, 6, NULL, NULL), BIMT_OK);
    size_t n = bimt_model_n_params(curr.m);
    const float *pc = bimt_model_params_view(curr.m), *pe = bimt_model_params_view(easy.m),
                *ph = bimt_model_params_view(hard.m);
    ck_assert_int_eq(memcmp(pc, pe, n * sizeof(float)), 0); /* trained on easy batches */
    ck_assert_int_ne(memcmp(pc, ph, n * sizeof(float)), 0); /* which are not the real ones */
    bimt_task_params tp;
    tp.struct_size = (uint32_t)sizeof tp; /* an output struct */
    ck_assert_int_eq(bimt_task_get_params(curr.t, &tp), BIMT_OK);
    ck_assert_uint_eq(tp.easy_task, 0); /* the user's task is left as it was */
    /* Switched on and off again before training: the same steps as a plain trainer. */
    setup off;
    make_task(&off, mask, 8, 0, 3);
    make_model(&off, 3, BIMT_ACT_SOFTPLUS, BIMT_INIT_GAUSS, 0.8, 3);
    ck_assert_int_eq(bimt_trainer_create(off.m, off.t, &p, &off.tr), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(off.tr, BIMT_TP_EASY_TRAIN, 1.0), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_set_param(off.tr, BIMT_TP_EASY_TRAIN, 0.0), BIMT_OK);
    setup ref;
    make_task(&ref, mask, 8, 0, 3);
    make_model(&ref, 3, BIMT_ACT_SOFTPLUS, BIMT_INIT_GAUSS, 0.8, 3);
    ck_assert_int_eq(bimt_trainer_create(ref.m, ref.t, &p, &ref.tr), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(off.tr, 4, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(bimt_trainer_run(ref.tr, 4, NULL, NULL), BIMT_OK);
    ck_assert_int_eq(
        memcmp(bimt_model_params_view(off.m), bimt_model_params_view(ref.m), n * sizeof(float)), 0);
    drop(&off);
    drop(&ref);
    for (int i = 0; i < 3; i++)
        drop(all[i]);
}
END_TEST

START_TEST(params_defaults)
{
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    ck_assert_uint_eq(p.struct_size, sizeof p);
    ck_assert_int_eq(p.arm, BIMT_ARM_BIMT);
    ck_assert_uint_eq(p.batch_size, 64);
    ck_assert(p.learning_rate == 1e-3 && p.beta1 == 0.9 && p.beta2 == 0.999 && p.eps == 1e-8);
    ck_assert(p.grad_clip == 1.0 && p.lambda == 1e-4 && p.A == 1.0);
    ck_assert_uint_eq(p.n_schedule, 0);
    ck_assert_uint_eq(p.swap_interval, 200);
    ck_assert_uint_eq(p.swap_top_k, 30);
    ck_assert_uint_eq(p.eval_interval, 500);
    ck_assert_uint_eq(p.eval_batch, 512);
    for (int r = 0; r < BIMT_N_RULES; r++)
        ck_assert(p.rule_weight[r] == 1.0);
    ck_assert_uint_eq(p.recurrent_noise, 1);
    ck_assert_uint_eq(p.seed, 1);
    ck_assert(p.l1_proximal == 0 && p.l1_h == 0.0 && p.l2_h == 0.0);
    ck_assert_uint_eq(p.hidden_bias_nonpositive, 0);
    bimt_trainer_params_init(NULL);
}
END_TEST

static Suite *trainer_suite(void)
{
    Suite *s = suite_create("trainer");
    TCase *mech = tcase_create("mechanics");
    tcase_set_timeout(mech, 300);
    tcase_add_test(mech, params_defaults);
    tcase_add_test(mech, create_rejects_bad_input);
    tcase_add_test(mech, set_param_validates);
    tcase_add_test(mech, step_info_and_counters);
    tcase_add_test(mech, run_callback_stops);
    tcase_add_test(mech, rule_sampling_follows_weights);
    tcase_add_test(mech, lambda_schedule_piecewise_constant);
    tcase_add_test(mech, evaluation_does_not_perturb_training);
    tcase_add_test(mech, divergence_guard_restores_state);
    tcase_add_test(mech, easy_train_uses_easy_batches_only);
    suite_add_tcase(s, mech);
    TCase *learn = tcase_create("learning");
    tcase_set_timeout(learn, 900);
    tcase_add_test(learn, learns_fdgo_and_dm1);
    tcase_add_test(learn, connection_cost_falls);
    tcase_add_test(learn, distance_term_shrinks_long_connections);
    tcase_add_test(learn, proximal_step_prunes_to_exact_zeros);
    tcase_add_test(learn, activity_l1_lowers_the_rates);
    tcase_add_test(learn, hidden_bias_nonpositive_projects_after_the_update);
    suite_add_tcase(s, learn);
    return s;
}

int main(void)
{
    return bimt_test_run(trainer_suite());
}
