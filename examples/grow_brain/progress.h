/* grow_brain's training loop companions: the per-step callback (learning-rate schedule,
 * curriculum, progress lines on stderr) and the Ctrl-C flag that stops training. */
#ifndef GROW_BRAIN_PROGRESS_H
#define GROW_BRAIN_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/bimt.h"

typedef struct gb_progress {
    int quiet, tty;
    uint64_t total, every;
    double t0, last_print;
    double t_first;      /* time of the first callback (its step includes an evaluation) */
    uint64_t first_step; /* step of the first callback, 0 before it */
    uint64_t last_eval_step;
    double last_mean;
    bimt_trainer_t *tr; /* for the learning-rate schedule */
    double lr, lr_end;
    double lr_scale;     /* halved at each divergence */
    uint64_t easy_steps; /* steps [0, easy_steps) train on easy coherences */
} gb_progress;

/** Cosine decay from lr at step 0 to lr_end at the last step, times lr_scale (a function of
 *  the step alone, so a run is reproducible bit for bit). */
double gb_lr_at(const gb_progress *p, uint64_t step);

/** The bimt_trainer_run() callback; payload is a gb_progress. Returns 1 to stop (Ctrl-C or a
 *  failed schedule update). */
int gb_on_step(const bimt_step_info *info, void *payload);

/** Seconds of a monotonic clock. */
double gb_now_s(void);

/** Makes the first Ctrl-C set the interrupted flag (a second one ends the program). */
void gb_catch_sigint(void);

/** 1 once Ctrl-C was pressed. */
int gb_interrupted(void);

#endif /* GROW_BRAIN_PROGRESS_H */
