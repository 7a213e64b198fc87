/* Matching family: dmsgo, dmsnogo (match = same direction), dmcgo, dmcnogo (match = same
 * category, direction < pi). A sample, a delay, then a test that stays on to the end; the
 * fixation input never switches off and the test onset is the go signal. */
#include "task/task_build.h"

void bimt__build_match(const struct bimt_task *t, bimt_rng *r, bimt__plan *p, bimt__trial *tr)
{
    static const double on_ms[3] = {200.0, 400.0, 600.0};
    static const double dur_ms[3] = {200.0, 400.0, 600.0};
    static const double delay_ms[4] = {200.0, 400.0, 800.0, 1600.0};
    static const double resp_ms[3] = {200.0, 400.0, 600.0};
    const int dmc = p->rule >= BIMT_RULE_DMCGO;
    const int nogo_on_match = p->rule == BIMT_RULE_DMSNOGO || p->rule == BIMT_RULE_DMCNOGO;
    size_t a1, b1, g, T;
    int m1 = 0, m2 = 0;
    if (r) {
        m1 = (int)bimt__rng_below(r, 2);
        m2 = (int)bimt__rng_below(r, 2);
        a1 = bimt__steps(t, on_ms[bimt__rng_below(r, 3)]);
        b1 = a1 + bimt__steps(t, dur_ms[bimt__rng_below(r, 3)]);
        g = b1 + bimt__steps(t, delay_ms[bimt__rng_below(r, 4)]);
        T = g + bimt__steps(t, dmc ? resp_ms[bimt__rng_below(r, 3)] : 500.0);
    } else {
        a1 = bimt__steps(t, 500.0);
        b1 = a1 + bimt__steps(t, 500.0);
        g = b1 + bimt__steps(t, 1200.0);
        T = g + bimt__steps(t, 500.0);
    }
    bimt__plan_timing(p, T, g, T, 2);
    p->slot[0].on = a1;
    p->slot[0].off = b1;
    p->slot[1].on = g;
    p->slot[1].off = T;
    bimt__plan_epoch(p, "fix1", 0, a1);
    bimt__plan_epoch(p, "stim1", a1, b1);
    bimt__plan_epoch(p, "delay1", b1, g);
    bimt__plan_epoch(p, "go1", g, T);

    for (size_t b = 0; b < p->B; b++) {
        double psi1, psi2;
        int match;
        if (r) {
            tr[b].ring[0] = m1;
            tr[b].ring[1] = m2;
            if (dmc) {
                psi1 = (0.1 + 0.2 * (double)bimt__rng_below(r, 10)) * PI;
                psi2 = (0.1 + 0.2 * (double)bimt__rng_below(r, 10)) * PI;
                match = (psi1 < PI) == (psi2 < PI);
            } else {
                match = (int)bimt__rng_below(r, 2);
                psi1 = bimt__rng_range(r, 0.0, TWO_PI);
                double d = bimt__rng_range(r, PI / 9.0, 17.0 * PI / 9.0) * bimt__rng_sign(r);
                psi2 = match ? psi1 : bimt__wrap(psi1 + d);
            }
        } else {
            size_t i = b / 4;
            tr[b].ring[0] = (int)((b / 2) % 2);
            tr[b].ring[1] = (int)(b % 2);
            if (dmc)
                psi1 =
                    (i < 10 ? 0.1 + 0.8 * (double)i / 10.0 : 1.1 + 0.8 * (double)(i - 10) / 10.0) *
                    PI;
            else
                psi1 = TWO_PI * (double)i / 20.0;
            /* The grid makes every trial a go trial: test = sample (go-on-match rules) or
             * sample + pi (go-on-non-match rules; opposite category for DMC). */
            psi2 = nogo_on_match ? bimt__wrap(psi1 + PI) : psi1;
            match = dmc ? (psi1 < PI) == (psi2 < PI) : !nogo_on_match;
        }
        tr[b].dir[0] = psi1;
        tr[b].dir[1] = psi2;
        tr[b].strength[0] = tr[b].strength[1] = 1.0;
        tr[b].target = psi2;
        tr[b].go = nogo_on_match ? !match : match;
    }
}
