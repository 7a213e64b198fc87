/* grow_brain's per-step callback and Ctrl-C handling (see progress.h). */
#include "progress.h"

#include "duration.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t g_interrupted = 0;

static void on_sigint(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

void gb_catch_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C ends the program at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

int gb_interrupted(void)
{
    return g_interrupted != 0;
}

double gb_lr_at(const gb_progress *p, uint64_t step)
{
    if (p->total == 0 || p->lr == p->lr_end) return p->lr_scale * p->lr;
    double f = (double)step / (double)p->total;
    return p->lr_scale *
           (p->lr_end + 0.5 * (p->lr - p->lr_end) * (1.0 + cos(3.14159265358979323846 * f)));
}

double gb_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int gb_on_step(const bimt_step_info *info, void *payload)
{
    gb_progress *p = payload;
    if (p->easy_steps > 0 && info->step == p->easy_steps &&
        bimt_trainer_set_param(p->tr, BIMT_TP_EASY_TRAIN, 0.0) != BIMT_OK)
        return 1;
    if ((p->lr != p->lr_end || p->lr_scale != 1.0) &&
        bimt_trainer_set_param(p->tr, BIMT_TP_LEARNING_RATE, gb_lr_at(p, info->step)) != BIMT_OK)
        return 1;
    if (!p->quiet) {
        double t = gb_now_s();
        if (p->first_step == 0) {
            p->first_step = info->step;
            p->t_first = t;
        }
        int new_eval = info->mean_perf >= 0.0 && info->mean_perf != p->last_mean;
        int last = info->step >= p->total;
        int due = p->tty ? (t - p->last_print >= 0.25 || last || new_eval)
                         : (info->step % p->every == 0 || last);
        if (due) {
            char eta[32], perf[64];
            uint64_t done = info->step - p->first_step;
            ex_fmt_duration(
                eta, sizeof eta,
                done ? (t - p->t_first) / (double)done * (double)(p->total - info->step) : -1.0, 0);
            if (info->mean_perf >= 0.0)
                snprintf(perf, sizeof perf, "perf %.3f (min %.3f)", info->mean_perf,
                         info->min_perf);
            else
                snprintf(perf, sizeof perf, "perf -");
            fprintf(stderr, "%sstep %llu/%llu  loss %.4f  lambda %.1e  %s  %.0f trials/s  ETA %s%s",
                    p->tty ? "\r" : "", (unsigned long long)info->step,
                    (unsigned long long)p->total, info->loss, info->lambda, perf,
                    info->trials_per_s, eta, p->tty ? "\033[K" : "\n");
            if (p->tty && new_eval) fputc('\n', stderr); /* keep each evaluation on screen */
            fflush(stderr);
            p->last_print = t;
        }
        if (new_eval) p->last_mean = info->mean_perf;
    }
    return g_interrupted ? 1 : 0;
}
