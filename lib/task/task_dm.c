/* Decision-making family: dm1, dm2, contextdm1, contextdm2, multidm; and the trial
 * conditions (direction pair, strength pairs, multisensory split, decision) shared with the
 * delayed DM family. */
#include "task/task_build.h"

/* Strength pair: mean U[0.8, 1.2), coherence from coh[], sign +-. */
static void strength_pair(bimt_rng *r, const double *coh, size_t n, double mult, double *s1,
                          double *s2)
{
    double mu = bimt__rng_range(r, 0.8, 1.2);
    double c = coh[bimt__rng_below(r, n)] * mult;
    double s = bimt__rng_sign(r);
    *s1 = mu + c * s;
    *s2 = mu - c * s;
}

/* Multisensory split of a base strength: ring 1 gets base + d/2, ring 2 base - d/2 with
 * d = base * U[0.2, 0.8) * (+-1). */
static void split(bimt_rng *r, double base, double *ring1, double *ring2)
{
    double d = base * bimt__rng_range(r, 0.2, 0.8) * bimt__rng_sign(r);
    *ring1 = base + d / 2.0;
    *ring2 = base - d / 2.0;
}

void bimt__dm_conditions(const struct bimt_task *t, bimt_rng *r, int variant, int delayed, size_t b,
                         bimt__trial *tr)
{
    static const double coh_dm[4] = {0.01, 0.02, 0.04, 0.08};
    static const double coh_dly[3] = {0.08, 0.16, 0.32};
    const double *coh = delayed ? coh_dly : coh_dm;
    const size_t ncoh = delayed ? 3 : 4;
    const double mult = t->p.easy_task ? (delayed ? 2.0 : 10.0) : 1.0;
    double psi1, psi2;
    double s[BIMT__MAX_SLOTS] = {0.0, 0.0, 0.0,
                                 0.0}; /* s1 ring a, s2 ring a, s1 ring 2, s2 ring 2 */

    if (r) {
        psi1 = bimt__rng_range(r, 0.0, TWO_PI);
        double delta = bimt__rng_range(r, 0.5 * PI, 1.5 * PI) * bimt__rng_sign(r);
        psi2 = bimt__wrap(psi1 + delta);
        if (variant <= 1) {
            strength_pair(r, coh, ncoh, mult, &s[0], &s[1]);
        } else if (variant <= 3) {
            strength_pair(r, coh, ncoh, mult, &s[0], &s[1]);
            strength_pair(r, coh, ncoh, mult, &s[2], &s[3]);
        } else {
            double g1, g2;
            strength_pair(r, coh, ncoh, mult, &g1, &g2);
            split(r, g1, &s[0], &s[2]);
            split(r, g2, &s[1], &s[3]);
        }
    } else if (variant <= 1) {
        size_t i = b / 5, j = b % 5;
        psi1 = TWO_PI * (double)i / 20.0;
        psi2 = bimt__wrap(psi1 + PI);
        s[0] = delayed ? 1.0 * (double)j / 5.0 + 0.5 : 0.4 * (double)j / 5.0 + 0.8;
        s[1] = 2.0 - s[0];
    } else {
        size_t i = b / 25, j = (b / 5) % 5, k = b % 5;
        psi1 = TWO_PI * (double)i / 20.0;
        psi2 = bimt__wrap(psi1 + PI);
        s[0] = 0.4 * (double)j / 5.0 + 0.8;
        s[1] = 2.0 - s[0];
        s[2] = 0.4 * (double)k / 5.0 + 0.8;
        s[3] = 2.0 - s[2];
    }

    int win1;
    if (variant <= 1) {
        for (int k = 0; k < 2; k++)
            tr->ring[k] = variant;
        win1 = bimt__stim1_wins(s[0], s[1]);
    } else {
        tr->ring[0] = tr->ring[1] = 0;
        tr->ring[2] = tr->ring[3] = 1;
        if (variant == 2)
            win1 = bimt__stim1_wins(s[0], s[1]);
        else if (variant == 3)
            win1 = bimt__stim1_wins(s[2], s[3]);
        else
            win1 = bimt__stim1_wins(s[0] + s[2], s[1] + s[3]);
    }
    tr->dir[0] = tr->dir[2] = psi1;
    tr->dir[1] = tr->dir[3] = psi2;
    for (int k = 0; k < BIMT__MAX_SLOTS; k++)
        tr->strength[k] = s[k];
    tr->target = win1 ? psi1 : psi2;
    tr->go = 1;
}

void bimt__build_dm(const struct bimt_task *t, bimt_rng *r, bimt__plan *p, bimt__trial *tr)
{
    static const double stim_dur[3] = {400.0, 800.0, 1600.0};
    const int variant = p->rule - BIMT_RULE_DM1;
    size_t a, g, T;
    if (r) {
        a = bimt__steps(t, bimt__rng_range(r, 100.0, 400.0));
        g = a + bimt__steps(t, stim_dur[bimt__rng_below(r, 3)]);
        T = g + bimt__steps(t, 500.0);
    } else if (variant <= 1) {
        T = bimt__steps(t, 2500.0);
        g = bimt__steps(t, 2000.0);
        a = bimt__steps(t, 500.0);
    } else {
        T = bimt__steps(t, 2000.0);
        g = bimt__steps(t, 1500.0);
        a = bimt__steps(t, 500.0);
    }
    bimt__plan_timing(p, T, g, g, variant <= 1 ? 2 : 4);
    for (size_t s = 0; s < p->n_slots; s++) {
        p->slot[s].on = a;
        p->slot[s].off = g; /* stimuli switch off at the go signal */
    }
    bimt__plan_epoch(p, "fix1", 0, a);
    bimt__plan_epoch(p, "stim1", a, g);
    bimt__plan_epoch(p, "go1", g, T);
    for (size_t b = 0; b < p->B; b++)
        bimt__dm_conditions(t, r, variant, 0, b, &tr[b]);
}
