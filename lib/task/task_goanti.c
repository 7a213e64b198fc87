/* Go / Anti family: fdgo, reactgo, delaygo, fdanti, reactanti, delayanti.
 * One unit-strength stimulus at psi in one ring; the response is psi (go) or psi + pi (anti). */
#include "task/task_build.h"

void bimt__build_goanti(const struct bimt_task *t, bimt_rng *r, bimt__plan *p, bimt__trial *tr)
{
    static const double fix_delay[3] = {300.0, 500.0, 700.0};
    static const double stim_dur[3] = {200.0, 400.0, 600.0};
    static const double delay_dur[4] = {200.0, 400.0, 800.0, 1600.0};
    const int kind = p->rule % 3; /* 0 fd, 1 react, 2 delay */
    const int anti = p->rule >= BIMT_RULE_FDANTI;
    size_t a, soff, g, T;
    int ring = 0;

    if (r) {
        switch (kind) {
        case 0:
            a = bimt__steps(t, bimt__rng_range(r, 300.0, 700.0));
            g = a + bimt__steps(t, bimt__rng_range(r, 500.0, 1500.0));
            T = g + bimt__steps(t, 500.0);
            soff = T;
            break;
        case 1:
            a = bimt__steps(t, bimt__rng_range(r, 500.0, 2500.0));
            g = a;
            T = g + bimt__steps(t, 500.0);
            soff = T;
            break;
        default:
            a = bimt__steps(t, fix_delay[bimt__rng_below(r, 3)]);
            soff = a + bimt__steps(t, stim_dur[bimt__rng_below(r, 3)]);
            g = soff + bimt__steps(t, delay_dur[bimt__rng_below(r, 4)]);
            T = g + bimt__steps(t, 500.0);
            break;
        }
        ring = (int)bimt__rng_below(r, 2);
    } else {
        switch (kind) {
        case 0:
            T = bimt__steps(t, 2000.0);
            a = bimt__steps(t, 500.0);
            g = bimt__steps(t, 1500.0);
            soff = T;
            break;
        case 1:
            T = bimt__steps(t, 2500.0);
            a = bimt__steps(t, 2000.0);
            g = a;
            soff = T;
            break;
        default:
            T = bimt__steps(t, 2500.0);
            a = bimt__steps(t, 500.0);
            soff = bimt__steps(t, 1000.0);
            g = bimt__steps(t, 2000.0);
            break;
        }
    }

    /* reaction tasks: the fixation input never switches off */
    bimt__plan_timing(p, T, g, kind == 1 ? T : g, 1);
    p->slot[0].on = a;
    p->slot[0].off = soff;

    bimt__plan_epoch(p, "fix1", 0, a);
    if (kind == 0) bimt__plan_epoch(p, "stim1", a, g);
    if (kind == 2) {
        bimt__plan_epoch(p, "stim1", a, soff);
        bimt__plan_epoch(p, "delay1", soff, g);
    }
    bimt__plan_epoch(p, "go1", g, T);

    for (size_t b = 0; b < p->B; b++) {
        double psi;
        if (r) {
            psi = bimt__rng_range(r, 0.0, TWO_PI);
            tr[b].ring[0] = ring;
        } else {
            psi = TWO_PI * (double)(b / 2) / 20.0;
            tr[b].ring[0] = (int)(b % 2);
        }
        tr[b].dir[0] = psi;
        tr[b].strength[0] = 1.0;
        tr[b].target = anti ? bimt__wrap(psi + PI) : psi;
        tr[b].go = 1;
    }
}
