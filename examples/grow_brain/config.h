/* grow_brain's settings: the DEFAULTS table, the keys of `--config` files and options, and
 * the parser of a config text. The parser only fills a gb_config (no file, no output, no run),
 * so a fuzz target can call gb_config_parse() on any bytes. */
#ifndef GROW_BRAIN_CONFIG_H
#define GROW_BRAIN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "bimt/bimt.h"

/** Every setting of a run. The keys marked (option) are also command-line options. */
typedef struct gb_config {
    /* run */
    uint64_t steps;    /* (option) training steps (batches) */
    uint64_t seed;     /* (option) seed of the model, the task and the trainer */
    char out[1024];    /* (option) report folder */
    uint32_t shuffles; /* (option) shuffles of each anatomical null */
    /* model */
    uint32_t grid; /* (option) grid side: grid x grid hidden neurons */
    bimt_activation activation;
    bimt_init init;
    double init_scale;
    double alpha;     /* leak dt/tau */
    double sigma_rec; /* recurrent noise */
    bimt_loss loss;
    uint32_t io_layout;   /* bimt_io_layout: whether inputs and outputs sit beside the grid */
    uint32_t io_given;    /* 1 once the io key was set (with positions, io defaults to none) */
    char positions[1024]; /* (option) positions file of the slots; "" = the grid */
    uint32_t distance;    /* (option) bimt_distance between slot positions */
    /* trainer */
    bimt_arm arm;         /* (option) bimt, l1 or none */
    double lambda;        /* (option) connection-cost weight after the warm-up */
    double lambda_start;  /* lambda during the warm-up (small, lets the tasks be learnt) */
    double warmup_frac;   /* fraction of the steps trained with lambda_start (0 = none) */
    double easy_frac;     /* fraction of the steps trained on easy coherences (curriculum) */
    double A;             /* (option) distance weight of the connection cost */
    double w_in_cost;     /* price of W_in in the connection cost (1 = as W_rec) */
    double w_out_cost;    /* price of W_out in the connection cost */
    uint32_t l1_proximal; /* 0: cost subgradient in the gradient; 1: proximal step */
    double lambda_late;   /* lambda from late_frac of the steps on (a late ramp) */
    double late_frac;     /* where lambda_late starts (1 = never; after the warm-up) */
    double l1_h;          /* Yang's activity L1 (mean |rate|), every arm */
    double l2_h;          /* Yang's activity L2 (1/2 sum rate^2), every arm */
    uint32_t hidden_bias_nonpositive; /* 1: b_h <= 0 after every update (key hidden_bias) */
    double lr;                        /* Adam learning rate at the start */
    double lr_end; /* learning rate at the end: cosine decay from lr (= lr: constant) */
    double rule_weight[BIMT_N_RULES]; /* sampling weight of each rule (key weight.<rule>) */
    uint32_t batch;                   /* trials per step */
    double grad_clip;                 /* element-wise gradient clipping, 0 = off */
    uint32_t swap_interval;           /* steps between swap passes (arm bimt) */
    uint32_t top_k;                   /* neurons per swap pass */
    uint32_t eval_interval;           /* steps between evaluations */
    uint32_t eval_trials;             /* trials per task per evaluation during training */
    uint32_t final_eval_trials;       /* trials per task of the final evaluation (the report's) */
    uint32_t
        progress_every; /* steps between progress lines when stderr is not a terminal (0 = auto) */
} gb_config;

/** What a plain `grow_brain` does (config.c; tune there). */
extern const gb_config GB_DEFAULTS;

/** Why a setting was refused: the line of the config text (0: not from a text) and why. */
typedef struct gb_error {
    int line;
    char msg[512];
} gb_error;

/** Longest line of a config text, without its newline. */
#define GB_CONFIG_LINE_MAX 2046

/** Applies one key = value (from a config file or an option). 0, or -1 with e->msg set. */
int gb_config_set(gb_config *c, const char *key, const char *value, gb_error *e);

/**
 * Applies the `key = value` lines of text[0..len) to c in order ('#' comments, blank lines;
 * text need not end in a NUL). Returns 0, or -1 at the first bad line with e->line its number
 * and e->msg the reason ("line too long", "expected 'key = value'", or gb_config_set()'s);
 * the lines before it stay applied.
 */
int gb_config_parse(gb_config *c, const char *text, size_t len, gb_error *e);

/** The library's parameters of the run c describes (each *_params_init()ed, then set). */
void gb_config_params(const gb_config *c, bimt_task_params *tp, bimt_model_params *mp,
                      bimt_trainer_params *trp);

/** 1 if key is also a command-line option (the others only in --config files). */
int gb_is_option_key(const char *key);

#endif /* GROW_BRAIN_CONFIG_H */
