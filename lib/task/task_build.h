/* Private layout of bimt_task_t and the shared trial-building machinery of the 20 tasks.
 *
 * A batch is built in two stages. A family builder (task_goanti.c, task_dm.c,
 * task_delaydm.c, task_match.c) draws the batch-scalar timing and the per-trial
 * conditions into a bimt__plan and an array of bimt__trial; it touches no output array.
 * The renderer (task_render.c) then writes x, y, mask and y_loc from the plan, adding the
 * input noise row by row. Builders draw from a caller-owned copy of the task's random
 * stream (NULL in test mode), so a failed call never advances the task's stream.
 * Not installed. */
#ifndef BIMT_TASK_BUILD_H
#define BIMT_TASK_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/task.h"
#include "common/common.h"
#include "common/rng.h"

/* The ring geometry of every task: directions are angles in [0, 2 pi). */
#define TWO_PI 6.283185307179586476925
#define PI 3.14159265358979323846

/** Most stimulus slots a trial uses (context DM tasks: 2 stimuli x 2 rings). */
#define BIMT__MAX_SLOTS 4
/** Largest batch accepted by bimt_task_sample(). */
#define BIMT__MAX_BATCH 65536u
/** Layers of the ziggurat normal generator. */
#define BIMT__ZIG_N 1024

/** A stimulus slot: shown on steps [on, off), the same for all trials of the batch;
 * ring, direction and strength are per trial (bimt__trial). */
typedef struct bimt__slot {
    size_t on, off;
} bimt__slot;

/** Batch-level description of one batch (everything shared by its trials). */
typedef struct bimt__plan {
    int rule;
    size_t T, B;            /* steps, trials */
    size_t go;              /* g: response onset */
    size_t fix_on, fix_off; /* fixation input is 1 on [fix_on, fix_off) */
    size_t n_slots;
    bimt__slot slot[BIMT__MAX_SLOTS];
    size_t n_epochs;
    bimt_epoch epochs[BIMT_MAX_EPOCHS];
} bimt__plan;

/** Sets a plan's batch timing: T steps, response from step go, fixation input on
 *  [0, fix_off), n_slots stimulus slots (each family builder states its timing here). */
static inline void bimt__plan_timing(bimt__plan *p, size_t T, size_t go, size_t fix_off,
                                     size_t n_slots)
{
    p->T = T;
    p->go = go;
    p->fix_on = 0;
    p->fix_off = fix_off;
    p->n_slots = n_slots;
}

/** Per-trial conditions. */
typedef struct bimt__trial {
    double dir[BIMT__MAX_SLOTS];      /* stimulus direction of each slot, in [0, 2pi) */
    double strength[BIMT__MAX_SLOTS]; /* stimulus strength of each slot */
    int ring[BIMT__MAX_SLOTS];        /* input ring of each slot: 0 (modality 1) or 1 */
    double target;                    /* response direction in [0, 2pi) (go trials) */
    int go;                           /* 1: respond from g on; 0: fixate to the end */
} bimt__trial;

/** Noise state of one batch: four interleaved xoshiro256** lanes feed the fast path of the
 * ziggurat, a fifth generator its rare slow path (seeded per batch from one key). */
typedef struct bimt__noise {
    uint64_t s[4][4]; /* s[word][lane] */
    uint64_t slow[4];
} bimt__noise;

/** Ziggurat tables for the standard normal (computed once per task handle). */
typedef struct bimt__zig {
    double x[BIMT__ZIG_N + 1];  /* layer right edges, x[0] = v/f(r), x[1] = r, x[N] = 0 */
    double k[BIMT__ZIG_N];      /* x[i+1] / x[i]: fast-path acceptance threshold */
    double f[BIMT__ZIG_N + 1];  /* exp(-x[i]^2 / 2) */
    double xk[2 * BIMT__ZIG_N]; /* interleaved (x[i], k[i]) for the vector path */
    double slope[BIMT__ZIG_N];  /* chord slope of the wedge of layer i */
    double dev[BIMT__ZIG_N];    /* bound on |f - chord| over the wedge of layer i */
    int shape[BIMT__ZIG_N];     /* +1 concave wedge, -1 convex, 0 contains the inflection */
    int use_avx2;               /* 1: vector path (bit-identical to the scalar one) */
} bimt__zig;

struct bimt_task {
    bimt_task_params p;
    size_t ring; /* n_eachring */
    size_t n_in, n_out, rule_start;
    double dt;        /* ms */
    double noise_std; /* sigma_x * sqrt(2 / alpha) */
    bimt_rng rng;     /* BIMT_STREAM_TASK of p.seed: timings, conditions, noise keys */
    bimt__zig zig;

    /* Growable buffers: never shrink; no allocation once grown to the largest batch. */
    float *x, *y, *mask, *y_loc;
    size_t cap_x, cap_y, cap_mask, cap_loc;
    bimt__trial *trials;
    size_t cap_trials;
    double *bumps; /* [B][MAX_SLOTS][ring] stimulus bumps */
    size_t cap_bumps;
    float *sigrows; /* [B][n_in] noise-free input row of each trial in the current segment */
    size_t cap_sigrows;
    float *rows; /* [B + 1][n_out] target rows: fixation row, then one per trial */
    size_t cap_rows;

    bimt__plan plan; /* plan of the batch last lent (tests read it) */
    char errmsg[BIMT_ERRMSG_LEN];
};

/* ---- small helpers (task.c) ---- */

/** S(ms): a duration in ms as whole steps, floor(ms / dt) (guarded against a representation
 * error of 1e-9 step when ms is an exact multiple of dt). */
size_t bimt__steps(const struct bimt_task *t, double ms);
/** Circular distance min(|a-b|, 2pi-|a-b|) for a, b in [0, 2pi). */
double bimt__cd(double a, double b);
/** a reduced to [0, 2pi). */
double bimt__wrap(double a);
/** Appends an epoch to the plan. */
void bimt__plan_epoch(bimt__plan *p, const char *name, size_t start, size_t end);
/** Uniform sign +1 / -1. */
double bimt__rng_sign(bimt_rng *r);
/** Batch size of the test-mode grid of a rule (40, 100, 500 or 80). */
size_t bimt__test_batch_size(int rule);

/* ---- family builders: r == NULL builds the test-mode grid (p->B already set) ---- */
void bimt__build_goanti(const struct bimt_task *t, bimt_rng *r, bimt__plan *p, bimt__trial *tr);
void bimt__build_dm(const struct bimt_task *t, bimt_rng *r, bimt__plan *p, bimt__trial *tr);
void bimt__build_delaydm(const struct bimt_task *t, bimt_rng *r, bimt__plan *p, bimt__trial *tr);
void bimt__build_match(const struct bimt_task *t, bimt_rng *r, bimt__plan *p, bimt__trial *tr);

/** Conditions of one DM-type trial (directions, strengths, rings, target) in the slot layout
 * of the family: 2 slots (stimulus 1, stimulus 2 in one ring) for dm1/dm2/delaydm1/delaydm2,
 * 4 slots (stimulus 1 ring 1, stimulus 2 ring 1, stimulus 1 ring 2, stimulus 2 ring 2)
 * otherwise. variant: 0/1 single ring 1/2, 2/3 context ring 1/2, 4 multisensory.
 * r == NULL: test-mode grid entry b. */
void bimt__dm_conditions(const struct bimt_task *t, bimt_rng *r, int variant, int delayed, size_t b,
                         bimt__trial *tr);

/** Decision of the DM tasks: stimulus 1 wins iff s1 exceeds s2 by more than rounding
 * (1e-9); exact ties (test-mode multidm grid) go to stimulus 2. */
int bimt__stim1_wins(double s1, double s2);

/* ---- renderer (task_render.c) ---- */

/** Writes x, y, mask and y_loc of plan p into the task's buffers (already grown).
 * noise != 0 adds N(0, noise_std^2) to every input with lanes seeded from noise_key. */
void bimt__render(struct bimt_task *t, const bimt__plan *p, const bimt__trial *tr, int noise,
                  uint64_t noise_key);
/** Grows the per-trial scratch for B trials. BIMT_OK or BIMT_E_NOMEM (buffers stay valid). */
int bimt__task_reserve_trials(struct bimt_task *t, size_t B);
/** Grows the batch arrays for T steps of B trials. BIMT_OK or BIMT_E_NOMEM (buffers stay
 * valid, possibly moved). */
int bimt__task_reserve(struct bimt_task *t, size_t T, size_t B);

/* ---- input noise (task_noise.c) ---- */

/** Ziggurat tables; also picks the AVX2 path when the CPU has it. */
void bimt__zig_init(bimt__zig *z);
/** Seeds the lanes from one 64-bit key. */
void bimt__noise_seed(bimt__noise *nz, uint64_t key);
/** dst[i] = (float)((double)base[i] + std * N(0,1)) for i < n. The draws depend only on the
 * state and n, never on the vector path taken. */
void bimt__noise_fill(bimt__noise *nz, const bimt__zig *z, float *dst, const float *base, size_t n,
                      double std);

/** The per-trial conditions and plan of the batch last returned (for white-box tests). */
const bimt__trial *bimt__task_trials(const bimt_task_t *t);
const bimt__plan *bimt__task_plan(const bimt_task_t *t);

#endif /* BIMT_TASK_BUILD_H */
