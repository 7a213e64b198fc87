/* Test-mode condition grids (spec 2.3-2.7, 7.22, 7.32, 7.37, 7.48): sizes, timings, the
 * condition of every trial, noise off, and no use of the random stream. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "task/task_internal.h"
#include "task_oracle.h"
#include "testutil.h"

/* Expected timing of the grid of a rule at dt = 20 ms (spec 2.3-2.7). */
typedef struct grid_timing {
    size_t B, T, g;
    size_t n_epochs;
    const char *names[6];
    size_t bounds[7];
} grid_timing;

static grid_timing timing_of(int rule)
{
    grid_timing G;
    memset(&G, 0, sizeof(G));
    switch (rule) {
    case BIMT_RULE_FDGO:
    case BIMT_RULE_FDANTI:
        G = (grid_timing){40, 100, 75, 3, {"fix1", "stim1", "go1"}, {0, 25, 75, 100}};
        break;
    case BIMT_RULE_REACTGO:
    case BIMT_RULE_REACTANTI:
        G = (grid_timing){40, 125, 100, 2, {"fix1", "go1"}, {0, 100, 125}};
        break;
    case BIMT_RULE_DELAYGO:
    case BIMT_RULE_DELAYANTI:
        G = (grid_timing){
            40, 125, 100, 4, {"fix1", "stim1", "delay1", "go1"}, {0, 25, 50, 100, 125}};
        break;
    case BIMT_RULE_DM1:
    case BIMT_RULE_DM2:
        G = (grid_timing){100, 125, 100, 3, {"fix1", "stim1", "go1"}, {0, 25, 100, 125}};
        break;
    case BIMT_RULE_CONTEXTDM1:
    case BIMT_RULE_CONTEXTDM2:
    case BIMT_RULE_MULTIDM:
        G = (grid_timing){500, 100, 75, 3, {"fix1", "stim1", "go1"}, {0, 25, 75, 100}};
        break;
    case BIMT_RULE_DELAYDM1:
    case BIMT_RULE_DELAYDM2:
        G = (grid_timing){100,
                          150,
                          135,
                          6,
                          {"fix1", "stim1", "delay1", "stim2", "delay2", "go1"},
                          {0, 25, 50, 100, 125, 135, 150}};
        break;
    case BIMT_RULE_CONTEXTDELAYDM1:
    case BIMT_RULE_CONTEXTDELAYDM2:
    case BIMT_RULE_MULTIDELAYDM:
        G = (grid_timing){500,
                          175,
                          150,
                          6,
                          {"fix1", "stim1", "delay1", "stim2", "delay2", "go1"},
                          {0, 25, 50, 100, 125, 150, 175}};
        break;
    default:
        G = (grid_timing){
            80, 135, 110, 4, {"fix1", "stim1", "delay1", "go1"}, {0, 25, 50, 110, 135}};
        break;
    }
    return G;
}

/* Expected condition of grid entry b (spec formulas, written independently). */
static void grid_condition(int rule, size_t b, bimt__trial *e)
{
    memset(e, 0, sizeof(*e));
    if (rule <= BIMT_RULE_DELAYANTI) {
        e->dir[0] = OR_2PI * (double)(b / 2) / 20.0;
        e->ring[0] = (int)(b % 2);
        e->strength[0] = 1.0;
    } else if (rule == BIMT_RULE_DM1 || rule == BIMT_RULE_DM2 || rule == BIMT_RULE_DELAYDM1 ||
               rule == BIMT_RULE_DELAYDM2) {
        size_t i = b / 5, j = b % 5;
        int delayed = rule >= BIMT_RULE_DELAYDM1;
        e->dir[0] = OR_2PI * (double)i / 20.0;
        e->dir[1] = or_wrap(e->dir[0] + OR_PI);
        e->strength[0] = delayed ? 0.5 + 0.2 * (double)j : 0.8 + 0.08 * (double)j;
        e->strength[1] = 2.0 - e->strength[0];
        int ring = (rule == BIMT_RULE_DM2 || rule == BIMT_RULE_DELAYDM2) ? 1 : 0;
        e->ring[0] = e->ring[1] = ring;
    } else if (rule <= BIMT_RULE_MULTIDELAYDM) {
        size_t i = b / 25, j = (b / 5) % 5, k = b % 5;
        e->dir[0] = e->dir[2] = OR_2PI * (double)i / 20.0;
        e->dir[1] = e->dir[3] = or_wrap(e->dir[0] + OR_PI);
        e->strength[0] = 0.8 + 0.08 * (double)j;
        e->strength[1] = 2.0 - e->strength[0];
        e->strength[2] = 0.8 + 0.08 * (double)k;
        e->strength[3] = 2.0 - e->strength[2];
        e->ring[2] = e->ring[3] = 1;
    } else {
        size_t i = b / 4;
        e->ring[0] = (int)((b / 2) % 2);
        e->ring[1] = (int)(b % 2);
        e->strength[0] = e->strength[1] = 1.0;
        if (rule <= BIMT_RULE_DMSNOGO)
            e->dir[0] = OR_2PI * (double)i / 20.0;
        else
            e->dir[0] = (i < 10 ? 0.1 + 0.08 * (double)i : 1.1 + 0.08 * (double)(i - 10)) * OR_PI;
        int opposite = rule == BIMT_RULE_DMSNOGO || rule == BIMT_RULE_DMCNOGO;
        e->dir[1] = opposite ? or_wrap(e->dir[0] + OR_PI) : e->dir[0];
    }
}

START_TEST(grid_matches_spec)
{
    const int rule = _i;
    bimt_task_t *t = or_task(5, 0, 1, 20.0, 32); /* noise on: the grid must ignore it */
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    ck_assert_int_eq(bimt_task_sample_test(t, rule, &b), BIMT_OK);
    grid_timing G = timing_of(rule);
    ck_assert_int_eq(b.rule, rule);
    ck_assert_uint_eq(b.batch_size, G.B);
    ck_assert_uint_eq(b.n_steps, G.T);
    ck_assert_uint_eq(b.go_step, G.g);
    ck_assert_uint_eq(b.n_epochs, G.n_epochs);
    for (size_t e = 0; e < G.n_epochs; e++) {
        ck_assert_str_eq(b.epochs[e].name, G.names[e]);
        ck_assert_uint_eq(b.epochs[e].start, G.bounds[e]);
        ck_assert_uint_eq(b.epochs[e].end, G.bounds[e + 1]);
    }
    const bimt__trial *tr = bimt__task_trials(t);
    size_t n_slots = or_layout_of(&b).n_slots;
    long ties = 0;
    for (size_t i = 0; i < b.batch_size; i++) {
        bimt__trial e;
        grid_condition(rule, i, &e);
        for (size_t s = 0; s < n_slots; s++) {
            OR_LT_D(fabs(tr[i].dir[s] - e.dir[s]), 1e-12);
            OR_LT_D(fabs(tr[i].strength[s] - e.strength[s]), 1e-12);
            OR_EQ_I(tr[i].ring[s], e.ring[s]);
        }
        OR_EQ_I(tr[i].go, 1); /* 7.48: every grid trial responds */
        if (rule == BIMT_RULE_MULTIDM || rule == BIMT_RULE_MULTIDELAYDM) {
            size_t j = (i / 5) % 5, k = i % 5;
            if (j + k == 5) { /* equal sums: the strict rule picks stimulus 2 */
                OR_EQ_D(tr[i].target, e.dir[1]);
                ties++;
            }
        }
    }
    if (rule == BIMT_RULE_MULTIDM || rule == BIMT_RULE_MULTIDELAYDM) ck_assert_int_eq(ties, 80);
    /* Every element, noise off. */
    or_check_batch(&b, tr, 32, 0, 5);
    bimt_task_free(t);
}
END_TEST

START_TEST(grid_blackbox_directions)
{
    /* 7.22 from the inputs alone: the go/anti grid stimulus of trial b sits at 2 pi floor(b/2)/20
     * in ring 1 + (b mod 2) (population vector of the noise-free bump). */
    bimt_task_t *t = or_task(5, 0, 1, 20.0, 32);
    for (int rule = 0; rule <= BIMT_RULE_DELAYANTI; rule++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        ck_assert_int_eq(bimt_task_sample_test(t, rule, &b), BIMT_OK);
        size_t s = b.epochs[0].end; /* first stimulus step */
        for (size_t i = 0; i < 40; i++) {
            const float *x = b.x + (s * 40 + i) * 85;
            size_t on = 1 + 32 * (i % 2), off = 1 + 32 * (1 - i % 2);
            double sx = 0, sy = 0;
            for (size_t k = 0; k < 32; k++) {
                sx += (double)x[on + k] * cos(OR_2PI * (double)k / 32);
                sy += (double)x[on + k] * sin(OR_2PI * (double)k / 32);
                OR_FEQ(x[off + k], 0.0f);
            }
            double dec = or_wrap(atan2(sy, sx));
            OR_LT_D(or_cd(dec, OR_2PI * (double)(i / 2) / 20.0), 1e-5);
            double yl = (double)b.y_loc[(b.n_steps - 1) * 40 + i];
            double want = rule >= BIMT_RULE_FDANTI ? or_wrap(dec + OR_PI) : dec;
            OR_LT_D(or_cd(yl, want), 1e-5);
        }
    }
    bimt_task_free(t);
}
END_TEST

START_TEST(grid_does_not_touch_the_stream)
{
    bimt_task_t *a = or_task(77, 0, 1, 20.0, 32), *b = or_task(77, 0, 1, 20.0, 32);
    uint64_t before[BIMT_RNG_WORDS], after[BIMT_RNG_WORDS];
    bimt__rng_pack(bimt__task_rng(a), before);
    for (int r = 0; r < BIMT_N_RULES; r++) {
        bimt_batch g;
        g.struct_size = (uint32_t)sizeof g; /* an output struct */
        ck_assert_int_eq(bimt_task_sample_test(a, r, &g), BIMT_OK);
    }
    bimt__rng_pack(bimt__task_rng(a), after);
    ck_assert_mem_eq(before, after, sizeof(before));
    /* The next random batch equals that of a twin that never built a grid. */
    bimt_batch ba, bb;
    ba.struct_size = (uint32_t)sizeof ba; /* an output struct */
    bb.struct_size = (uint32_t)sizeof bb; /* an output struct */
    ck_assert_int_eq(bimt_task_sample(a, BIMT_RULE_DMSGO, 16, &ba), BIMT_OK);
    ck_assert_int_eq(bimt_task_sample(b, BIMT_RULE_DMSGO, 16, &bb), BIMT_OK);
    ck_assert_uint_eq(ba.n_steps, bb.n_steps);
    ck_assert_mem_eq(ba.x, bb.x, ba.n_steps * 16 * 85 * sizeof(float));
    bimt_task_free(a);
    bimt_task_free(b);
}
END_TEST

START_TEST(grid_ce_mask_values)
{
    /* 7.12: fdgo grid, cross-entropy: 1/mean = 100/85 before g, 5 * 100/85 after g + 5. */
    bimt_task_t *t = or_task(3, 1, 0, 20.0, 32);
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    ck_assert_int_eq(bimt_task_sample_test(t, BIMT_RULE_FDGO, &b), BIMT_OK);
    double sum = 0.0;
    for (size_t i = 0; i < b.n_steps * b.batch_size * b.n_out; i++)
        sum += (double)b.mask[i];
    ck_assert_double_lt(fabs(sum / (double)(b.n_steps * b.batch_size * b.n_out) - 1.0), 1e-6);
    ck_assert_double_lt(fabs((double)b.mask[(10 * 40 + 3) * 33 + 0] - 0.58824), 1e-5);
    ck_assert_double_lt(fabs((double)b.mask[(10 * 40 + 3) * 33 + 7] - 0.58824), 1e-5);
    ck_assert_double_lt(fabs((double)b.mask[(90 * 40 + 3) * 33 + 7] - 2.94118), 1e-5);
    ck_assert_double_eq((double)b.mask[(2 * 40 + 3) * 33 + 7], 0.0);
    ck_assert_double_eq((double)b.mask[(77 * 40 + 3) * 33 + 0], 0.0);
    or_check_batch(&b, bimt__task_trials(t), 32, 1, 5);
    bimt_task_free(t);
}
END_TEST

START_TEST(grid_other_dt_and_ring)
{
    /* Durations are converted separately with the step: at dt = 10 ms every grid boundary
     * doubles; with 16 units per ring every element still follows the spec. */
    bimt_task_t *t = or_task(9, 0, 0, 10.0, 16);
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    for (int rule = 0; rule < BIMT_N_RULES; rule++) {
        ck_assert_int_eq(bimt_task_sample_test(t, rule, &b), BIMT_OK);
        grid_timing G = timing_of(rule);
        ck_assert_uint_eq(b.batch_size, G.B);
        ck_assert_uint_eq(b.n_steps, 2 * G.T);
        ck_assert_uint_eq(b.go_step, 2 * G.g);
        for (size_t e = 0; e < G.n_epochs; e++)
            ck_assert_uint_eq(b.epochs[e].start, 2 * G.bounds[e]);
        or_check_batch(&b, bimt__task_trials(t), 16, 0, 10);
    }
    bimt_task_free(t);
}
END_TEST

START_TEST(grid_ce_ties_lowest_index)
{
    /* With 5 units per ring (72 degrees apart), the fdgo grid direction 36 degrees (trials 4, 5)
     * lies exactly between units 0 and 1: the cross-entropy one-hot goes to the lower index. */
    bimt_task_t *t = or_task(9, 1, 0, 20.0, 5);
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    for (int rule = 0; rule < BIMT_N_RULES; rule++) {
        ck_assert_int_eq(bimt_task_sample_test(t, rule, &b), BIMT_OK);
        or_check_batch(&b, bimt__task_trials(t), 5, 1, 5);
    }
    ck_assert_int_eq(bimt_task_sample_test(t, BIMT_RULE_FDGO, &b), BIMT_OK);
    const float *y = b.y + ((b.n_steps - 1) * 40 + 4) * 6;
    double psi = bimt__task_trials(t)[4].target;
    ck_assert_double_eq(or_cd(psi, 0.0), or_cd(psi, OR_2PI / 5.0));
    const float want[6] = {0, 1, 0, 0, 0, 0};
    for (int k = 0; k < 6; k++)
        OR_FEQ(y[k], want[k]);
    bimt_task_free(t);
}
END_TEST

START_TEST(grid_bad_input)
{
    bimt_task_t *t = or_task(9, 0, 0, 20.0, 32);
    bimt_batch b, ref;
    b.struct_size = (uint32_t)sizeof b;     /* an output struct */
    ref.struct_size = (uint32_t)sizeof ref; /* an output struct */
    memset(&b, 0xA5, sizeof(b));
    memcpy(&ref, &b, sizeof(b));
    ck_assert_int_eq(bimt_task_sample_test(NULL, 0, &b), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_sample_test(t, -1, &b), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_task_errmsg(t), "rule") != NULL);
    ck_assert_int_eq(bimt_task_sample_test(t, BIMT_N_RULES, &b), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_sample_test(t, 0, NULL), BIMT_E_INVALID_ARG);
    ck_assert(strlen(bimt_task_errmsg(t)) > 0);
    ck_assert_mem_eq(&b, &ref, sizeof(b));
    bimt_task_free(t);
}
END_TEST

/* A slice of a test grid (what the analysis renders, to keep buffers small) is the same
 * trials, bit for bit, as the whole grid's batch; bad slices fail without output. */
START_TEST(grid_slices_match_whole_grid)
{
    bimt_task_t *t = NULL;
    ck_assert_int_eq(bimt_task_create(NULL, &t), BIMT_OK);
    const size_t nin = bimt_task_n_in(t), nout = bimt_task_n_out(t);
    for (int rule = 0; rule < BIMT_N_RULES; rule++) {
        bimt_batch g;
        g.struct_size = (uint32_t)sizeof g; /* an output struct */
        ck_assert_int_eq(bimt_task_sample_test(t, rule, &g), BIMT_OK);
        const size_t T = g.n_steps, G = g.batch_size;
        ck_assert_uint_eq(G, bimt__test_batch_size(rule));
        /* Copy the whole grid: the next sample call reuses the task's buffers. */
        float *x = malloc(T * G * nin * sizeof(float)), *y = malloc(T * G * nout * sizeof(float));
        float *mk = malloc(T * G * nout * sizeof(float)), *loc = malloc(T * G * sizeof(float));
        memcpy(x, g.x, T * G * nin * sizeof(float));
        memcpy(y, g.y, T * G * nout * sizeof(float));
        memcpy(mk, g.mask, T * G * nout * sizeof(float));
        memcpy(loc, g.y_loc, T * G * sizeof(float));
        const size_t widths[] = {1, 7, 64, G};
        for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
            const size_t w = widths[wi];
            for (size_t b0 = 0; b0 < G; b0 += w) {
                size_t nb = G - b0 < w ? G - b0 : w;
                bimt_batch s;
                s.struct_size = (uint32_t)sizeof s; /* an output struct */
                ck_assert_int_eq(bimt__task_sample_test_slice(t, rule, b0, nb, &s), BIMT_OK);
                ck_assert_uint_eq(s.batch_size, nb);
                ck_assert_uint_eq(s.n_steps, T);
                ck_assert_uint_eq(s.go_step, g.go_step);
                ck_assert_uint_eq(s.n_epochs, g.n_epochs);
                for (size_t k = 0; k < T; k++) {
                    const size_t row = k * G + b0;
                    ck_assert_mem_eq(s.x + k * nb * nin, x + row * nin, nb * nin * sizeof(float));
                    ck_assert_mem_eq(s.y + k * nb * nout, y + row * nout,
                                     nb * nout * sizeof(float));
                    ck_assert_mem_eq(s.mask + k * nb * nout, mk + row * nout,
                                     nb * nout * sizeof(float));
                    ck_assert_mem_eq(s.y_loc + k * nb, loc + row, nb * sizeof(float));
                }
            }
        }
        bimt_batch s;
        s.struct_size = (uint32_t)sizeof s; /* an output struct */
        ck_assert_int_eq(bimt__task_sample_test_slice(t, rule, G, 1, &s), BIMT_E_INVALID_ARG);
        ck_assert_int_eq(bimt__task_sample_test_slice(t, rule, 0, 0, &s), BIMT_E_INVALID_ARG);
        ck_assert_int_eq(bimt__task_sample_test_slice(t, rule, 1, G, &s), BIMT_E_INVALID_ARG);
        ck_assert(strstr(bimt_task_errmsg(t), "slice") != NULL);
        free(x);
        free(y);
        free(mk);
        free(loc);
    }
    bimt_batch s;
    s.struct_size = (uint32_t)sizeof s; /* an output struct */
    ck_assert_int_eq(bimt__task_sample_test_slice(t, BIMT_N_RULES, 0, 1, &s), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt__task_sample_test_slice(t, 0, 0, 1, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt__task_sample_test_slice(NULL, 0, 0, 1, &s), BIMT_E_INVALID_ARG);
    bimt_task_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("task_grids");
    TCase *tc = tcase_create("grids");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, grid_matches_spec, 0, BIMT_N_RULES);
    tcase_add_test(tc, grid_blackbox_directions);
    tcase_add_test(tc, grid_does_not_touch_the_stream);
    tcase_add_test(tc, grid_ce_mask_values);
    tcase_add_test(tc, grid_other_dt_and_ring);
    tcase_add_test(tc, grid_ce_ties_lowest_index);
    tcase_add_test(tc, grid_bad_input);
    tcase_add_test(tc, grid_slices_match_whole_grid);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(suite());
}
