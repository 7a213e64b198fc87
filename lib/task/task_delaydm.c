/* Delayed decision-making family: delaydm1, delaydm2, contextdelaydm1, contextdelaydm2,
 * multidelaydm. Two stimuli shown one after the other, separated by a delay. */
#include "task/task_build.h"

void bimt__build_delaydm(const struct bimt_task *t, bimt_rng *r, bimt__plan *p, bimt__trial *tr)
{
    static const double on_ms[3] = {200.0, 400.0, 600.0};
    static const double dur_ms[3] = {200.0, 400.0, 600.0};
    static const double delay_ms[4] = {200.0, 400.0, 800.0, 1600.0};
    const int variant = p->rule - BIMT_RULE_DELAYDM1;
    size_t a1, b1, a2, b2, g, T;
    if (r) {
        a1 = bimt__steps(t, on_ms[bimt__rng_below(r, 3)]);
        b1 = a1 + bimt__steps(t, dur_ms[bimt__rng_below(r, 3)]);
        a2 = b1 + bimt__steps(t, delay_ms[bimt__rng_below(r, 4)]);
        b2 = a2 + bimt__steps(t, dur_ms[bimt__rng_below(r, 3)]);
        g = b2 + bimt__steps(t, bimt__rng_range(r, 100.0, 300.0));
        T = g + bimt__steps(t, 500.0);
    } else {
        a1 = bimt__steps(t, 500.0);
        b1 = bimt__steps(t, 1000.0);
        a2 = bimt__steps(t, 2000.0);
        b2 = bimt__steps(t, 2500.0);
        g = bimt__steps(t, variant <= 1 ? 2700.0 : 3000.0);
        T = bimt__steps(t, variant <= 1 ? 3000.0 : 3500.0);
    }
    bimt__plan_timing(p, T, g, g, variant <= 1 ? 2 : 4);
    /* Slot order: stimulus 1, stimulus 2 (ring 1 or the single ring), then the same in ring 2. */
    for (size_t s = 0; s < p->n_slots; s++) {
        p->slot[s].on = (s % 2 == 0) ? a1 : a2;
        p->slot[s].off = (s % 2 == 0) ? b1 : b2;
    }
    bimt__plan_epoch(p, "fix1", 0, a1);
    bimt__plan_epoch(p, "stim1", a1, b1);
    bimt__plan_epoch(p, "delay1", b1, a2);
    bimt__plan_epoch(p, "stim2", a2, b2);
    bimt__plan_epoch(p, "delay2", b2, g);
    bimt__plan_epoch(p, "go1", g, T);
    for (size_t b = 0; b < p->B; b++)
        bimt__dm_conditions(t, r, variant, 1, b, &tr[b]);
}
