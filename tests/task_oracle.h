/* Independent re-implementation of the task specification used as an oracle by the task
 * test suites: from a batch's public epochs and the per-trial conditions it recomputes every
 * input, target, mask and y_loc value the spec prescribes, and the correct response.
 * It shares no code with lib/task_*.c (own distance, bump, decisions, intervals). */
#ifndef BIMT_TASK_ORACLE_H
#define BIMT_TASK_ORACLE_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bimt/bimt.h"
#include "task/task_build.h"

#define OR_PI 3.14159265358979323846
/* Cheap assertions for hot loops (Check's ck_assert_* report every passing check). */
#define OR_ASSERT(c)                                                                               \
    do {                                                                                           \
        if (!(c)) ck_abort_msg("%s:%d: assertion failed: %s", __FILE__, __LINE__, #c);             \
    } while (0)
#define OR_ASSERT_MSG(c, ...)                                                                      \
    do {                                                                                           \
        if (!(c)) ck_abort_msg(__VA_ARGS__);                                                       \
    } while (0)
#define OR_CMP_(T, fmt, a, op, b)                                                                  \
    do {                                                                                           \
        T or_x_ = (T)(a), or_y_ = (T)(b);                                                          \
        if (!(or_x_ op or_y_))                                                                     \
            ck_abort_msg("%s:%d: %s " #op " %s failed: " fmt " vs " fmt, __FILE__, __LINE__, #a,   \
                         #b, or_x_, or_y_);                                                        \
    } while (0)
#define OR_EQ_U(a, b) OR_CMP_(size_t, "%zu", a, ==, b)
#define OR_LT_U(a, b) OR_CMP_(size_t, "%zu", a, <, b)
#define OR_LE_U(a, b) OR_CMP_(size_t, "%zu", a, <=, b)
#define OR_GE_U(a, b) OR_CMP_(size_t, "%zu", a, >=, b)
#define OR_EQ_I(a, b) OR_CMP_(long, "%ld", a, ==, b)
#define OR_GT_I(a, b) OR_CMP_(long, "%ld", a, >, b)
#define OR_EQ_D(a, b) OR_CMP_(double, "%.17g", a, ==, b)
#define OR_LT_D(a, b) OR_CMP_(double, "%.17g", a, <, b)
#define OR_GT_D(a, b) OR_CMP_(double, "%.17g", a, >, b)
/* Exact float comparison (Check's float macros trip -Wdouble-promotion). */
#define OR_FEQ(a, b)                                                                               \
    do {                                                                                           \
        float or_a_ = (a), or_b_ = (b);                                                            \
        if (!(or_a_ == or_b_))                                                                     \
            ck_abort_msg("%s:%d: %s = %.9g, expected %.9g", __FILE__, __LINE__, #a, (double)or_a_, \
                         (double)or_b_);                                                           \
    } while (0)
#define OR_2PI (2.0 * OR_PI)

/* Circular distance of two angles in [0, 2pi). */
static inline double or_cd(double a, double b)
{
    double d = fabs(a - b);
    return d < OR_2PI - d ? d : OR_2PI - d;
}

static inline double or_wrap(double a)
{
    while (a >= OR_2PI)
        a -= OR_2PI;
    while (a < 0.0)
        a += OR_2PI;
    return a;
}

/* Spec 1.5: input bump of unit strength at ring unit k of n. */
static inline double or_bump(double psi, size_t k, size_t n)
{
    double d = or_cd(psi, OR_2PI * (double)k / (double)n) / (OR_PI / 8.0);
    return 0.8 * exp(-0.5 * d * d);
}

/* Epoch lookup by name: 1 and [s, e) if present. */
static inline int or_epoch(const bimt_batch *b, const char *name, size_t *s, size_t *e)
{
    for (size_t i = 0; i < b->n_epochs; i++)
        if (strcmp(b->epochs[i].name, name) == 0) {
            *s = b->epochs[i].start;
            *e = b->epochs[i].end;
            return 1;
        }
    return 0;
}

typedef struct or_layout {
    size_t fix_on, fix_off; /* fixation input interval */
    size_t n_slots;
    size_t on[4], off[4]; /* slot visibility */
} or_layout;

/* Spec 2.2-2.7: where the fixation input and each stimulus slot are visible, derived from
 * the public epochs only. Slot order: stimulus 1 (ring a), stimulus 2 (ring a), stimulus 1
 * (ring 2), stimulus 2 (ring 2). */
static inline or_layout or_layout_of(const bimt_batch *b)
{
    or_layout L;
    memset(&L, 0, sizeof(L));
    const int r = b->rule;
    const size_t T = b->n_steps, g = b->go_step;
    size_t fs, fe, s1s, s1e, s2s, s2e;
    OR_ASSERT(or_epoch(b, "fix1", &fs, &fe));
    L.fix_on = 0;
    L.fix_off = g;
    if (r == BIMT_RULE_FDGO || r == BIMT_RULE_FDANTI || r == BIMT_RULE_REACTGO ||
        r == BIMT_RULE_REACTANTI) {
        L.n_slots = 1;
        L.on[0] = fe; /* stimulus appears when fix1 ends and stays on */
        L.off[0] = T;
        if (r == BIMT_RULE_REACTGO || r == BIMT_RULE_REACTANTI) L.fix_off = T;
    } else if (r == BIMT_RULE_DELAYGO || r == BIMT_RULE_DELAYANTI) {
        OR_ASSERT(or_epoch(b, "stim1", &s1s, &s1e));
        L.n_slots = 1;
        L.on[0] = s1s;
        L.off[0] = s1e;
    } else if (r <= BIMT_RULE_MULTIDM) {
        OR_ASSERT(or_epoch(b, "stim1", &s1s, &s1e));
        L.n_slots = r <= BIMT_RULE_DM2 ? 2 : 4;
        for (size_t s = 0; s < L.n_slots; s++) {
            L.on[s] = s1s;
            L.off[s] = g; /* switch off at the go signal */
        }
    } else if (r <= BIMT_RULE_MULTIDELAYDM) {
        OR_ASSERT(or_epoch(b, "stim1", &s1s, &s1e));
        OR_ASSERT(or_epoch(b, "stim2", &s2s, &s2e));
        L.n_slots = r <= BIMT_RULE_DELAYDM2 ? 2 : 4;
        for (size_t s = 0; s < L.n_slots; s++) {
            L.on[s] = s % 2 == 0 ? s1s : s2s;
            L.off[s] = s % 2 == 0 ? s1e : s2e;
        }
    } else {
        OR_ASSERT(or_epoch(b, "stim1", &s1s, &s1e));
        L.n_slots = 2;
        L.on[0] = s1s;
        L.off[0] = s1e;
        L.on[1] = g; /* test stays on to the end */
        L.off[1] = T;
        L.fix_off = T; /* fixation input for the whole trial */
    }
    return L;
}

/* Spec 2: whether trial tr responds, and where. */
static inline int or_decide(int rule, const bimt__trial *tr, double *target)
{
    const double eps = 1e-9; /* test-grid exact ties go to stimulus 2 */
    switch (rule) {
    case BIMT_RULE_FDGO:
    case BIMT_RULE_REACTGO:
    case BIMT_RULE_DELAYGO:
        *target = tr->dir[0];
        return 1;
    case BIMT_RULE_FDANTI:
    case BIMT_RULE_REACTANTI:
    case BIMT_RULE_DELAYANTI:
        *target = or_wrap(tr->dir[0] + OR_PI);
        return 1;
    case BIMT_RULE_DM1:
    case BIMT_RULE_DM2:
    case BIMT_RULE_DELAYDM1:
    case BIMT_RULE_DELAYDM2:
    case BIMT_RULE_CONTEXTDM1:
    case BIMT_RULE_CONTEXTDELAYDM1:
        *target = tr->strength[0] > tr->strength[1] + eps ? tr->dir[0] : tr->dir[1];
        return 1;
    case BIMT_RULE_CONTEXTDM2:
    case BIMT_RULE_CONTEXTDELAYDM2:
        *target = tr->strength[2] > tr->strength[3] + eps ? tr->dir[0] : tr->dir[1];
        return 1;
    case BIMT_RULE_MULTIDM:
    case BIMT_RULE_MULTIDELAYDM:
        *target = tr->strength[0] + tr->strength[2] > tr->strength[1] + tr->strength[3] + eps
                      ? tr->dir[0]
                      : tr->dir[1];
        return 1;
    case BIMT_RULE_DMSGO:
    case BIMT_RULE_DMSNOGO: {
        int match = tr->dir[0] == tr->dir[1];
        *target = tr->dir[1];
        return rule == BIMT_RULE_DMSGO ? match : !match;
    }
    default: {
        int match = (tr->dir[0] < OR_PI) == (tr->dir[1] < OR_PI);
        *target = tr->dir[1];
        return rule == BIMT_RULE_DMCGO ? match : !match;
    }
    }
}

/* Checks every element of a noise-free batch against the spec. ring: units per ring;
 * ce: cross-entropy encoding; p0: S(100 ms) in steps. */
static inline void or_check_batch(const bimt_batch *b, const bimt__trial *trials, size_t ring,
                                  int ce, size_t p0)
{
    const size_t T = b->n_steps, B = b->batch_size, n_in = b->n_in, n_out = b->n_out;
    const size_t g = b->go_step, rule_col = 1 + 2 * ring + (size_t)b->rule;
    OR_EQ_U(n_in, 1 + 2 * ring + 20);
    OR_EQ_U(n_out, 1 + ring);
    OR_LT_U(g, T);
    or_layout L = or_layout_of(b);
    double expect[2 * 1024];
    double tbump[1024];

    /* CE mask normalisation over the T*B entries (all trials share the per-step pattern). */
    double msum = 0.0;
    for (size_t t = 0; t < T; t++) {
        double m = (t >= p0 && t < g) ? 1.0 : (t >= g + p0 ? 5.0 : 0.0);
        msum += m * (double)B;
    }
    double mmean = msum / (double)(T * B);

    for (size_t bb = 0; bb < B; bb++) {
        const bimt__trial *tr = &trials[bb];
        double target = 0.0;
        int go = or_decide(b->rule, tr, &target);
        OR_ASSERT_MSG(go == tr->go, "rule %d trial %zu: go %d expected %d", b->rule, bb, tr->go,
                      go);
        if (go) OR_LT_D(or_cd(target, tr->target), 1e-12);
        size_t best = 0;
        for (size_t k = 0; k < ring; k++) {
            tbump[k] = or_bump(target, k, ring);
            if (or_cd(target, OR_2PI * (double)k / (double)ring) <
                or_cd(target, OR_2PI * (double)best / (double)ring))
                best = k;
        }
        for (size_t t = 0; t < T; t++) {
            const float *x = b->x + (t * B + bb) * n_in;
            /* Inputs. */
            OR_FEQ(x[0], (t >= L.fix_on && t < L.fix_off) ? 1.0f : 0.0f);
            for (size_t i = 1 + 2 * ring; i < n_in; i++)
                OR_FEQ(x[i], i == rule_col ? 1.0f : 0.0f);
            for (size_t i = 0; i < 2 * ring; i++)
                expect[i] = 0.0;
            for (size_t s = 0; s < L.n_slots; s++) {
                if (t < L.on[s] || t >= L.off[s]) continue;
                OR_ASSERT(tr->ring[s] == 0 || tr->ring[s] == 1);
                for (size_t k = 0; k < ring; k++)
                    expect[(size_t)tr->ring[s] * ring + k] +=
                        tr->strength[s] * or_bump(tr->dir[s], k, ring);
            }
            for (size_t i = 0; i < 2 * ring; i++)
                OR_ASSERT_MSG(fabs((double)x[1 + i] - expect[i]) < 3e-6,
                              "rule %d t %zu b %zu input %zu: %g expected %g", b->rule, t, bb,
                              1 + i, (double)x[1 + i], expect[i]);
            /* Targets and y_loc. */
            const float *y = b->y + (t * B + bb) * n_out;
            const float *m = b->mask + (t * B + bb) * n_out;
            float yl = b->y_loc[t * B + bb];
            int respond = go && t >= g;
            if (!respond) {
                OR_FEQ(y[0], ce ? 1.0f : 0.8f);
                for (size_t k = 1; k < n_out; k++)
                    OR_FEQ(y[k], ce ? 0.0f : 0.05f);
                OR_FEQ(yl, -1.0f);
            } else {
                OR_FEQ(y[0], ce ? 0.0f : 0.05f);
                double sum = (double)y[0];
                for (size_t k = 0; k < ring; k++) {
                    sum += (double)y[1 + k];
                    if (ce)
                        OR_FEQ(y[1 + k], k == best ? 1.0f : 0.0f);
                    else
                        OR_LT_D(fabs((double)y[1 + k] - (0.05 + tbump[k])), 2e-6);
                }
                if (ce) OR_EQ_D(sum, 1.0);
                OR_ASSERT((double)yl >= 0.0 && (double)yl < OR_2PI);
                OR_LT_D(or_cd((double)yl, target), 1e-6);
            }
            /* Cost mask (spec 1.10). */
            double w = (t >= p0 && t < g) ? 1.0 : (t >= g + p0 ? 5.0 : 0.0);
            if (ce) {
                for (size_t k = 0; k < n_out; k++)
                    OR_LT_D(fabs((double)m[k] - w / mmean), 1e-6 * (1.0 + w / mmean));
            } else {
                OR_FEQ(m[0], (float)(2.0 * w));
                for (size_t k = 1; k < n_out; k++)
                    OR_FEQ(m[k], (float)w);
            }
        }
    }
}

/* Task with the given settings (noise off unless asked). */
static inline bimt_task_t *or_task(uint64_t seed, int ce, int noise, double dt, uint32_t ring)
{
    bimt_task_params p;
    bimt_task_params_init(&p);
    p.seed = seed;
    p.loss = ce ? BIMT_LOSS_CROSS_ENTROPY : BIMT_LOSS_MSE;
    p.input_noise = (uint32_t)noise;
    p.dt_ms = dt;
    p.n_eachring = ring;
    bimt_task_t *t = NULL;
    OR_EQ_I(bimt_task_create(&p, &t), BIMT_OK);
    ck_assert_ptr_nonnull(t);
    return t;
}

#endif /* BIMT_TASK_ORACLE_H */
