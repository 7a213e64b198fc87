/* Yang et al.'s per-trial performance: last step only; fixating iff z_fix > 0.5; direction
 * decoded by population vector over the response ring; correct iff (fixation required and
 * fixating) or (not fixating and decoded direction strictly within 0.2 pi of the target). */
#include <math.h>
#include <stddef.h>

#include "task/task_build.h"

static int trial_correct(const float *o, size_t n_out, bimt_loss loss, double yloc)
{
    const size_t R = n_out - 1;
    double zfix, sx = 0.0, sy = 0.0;
    if (loss == BIMT_LOSS_MSE) {
        zfix = 1.0 / (1.0 + exp(-(double)o[0]));
        for (size_t k = 0; k < R; k++) {
            double z = 1.0 / (1.0 + exp(-(double)o[1 + k]));
            double th = (double)k * (TWO_PI / (double)R);
            sx += z * cos(th);
            sy += z * sin(th);
        }
    } else {
        double m = (double)o[0];
        for (size_t k = 1; k < n_out; k++)
            if ((double)o[k] > m) m = (double)o[k];
        double sum = 0.0;
        for (size_t k = 0; k < n_out; k++)
            sum += exp((double)o[k] - m);
        zfix = exp((double)o[0] - m) / sum;
        for (size_t k = 0; k < R; k++) {
            double z = exp((double)o[1 + k] - m) / sum;
            double th = (double)k * (TWO_PI / (double)R);
            sx += z * cos(th);
            sy += z * sin(th);
        }
    }
    int fixating = zfix > 0.5;
    if (yloc < 0.0) return fixating;
    if (fixating) return 0;
    double dec = bimt__wrap(atan2(sy, sx));
    return bimt__cd(bimt__wrap(yloc), dec) < 0.2 * PI;
}

int bimt_task_performance(const bimt_batch *batch, const float *outputs, int32_t loss,
                          float *correct, double *mean)
{
    if (!batch || !outputs || !batch->y_loc)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_task_performance: %s is NULL",
                         !batch     ? "batch"
                         : !outputs ? "outputs"
                                    : "batch->y_loc");
    if (batch->n_out < 2 || batch->batch_size == 0 || batch->n_steps == 0)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_task_performance: batch has n_out %zu (need "
                         ">= 2), batch_size %zu, n_steps %zu (need > 0)",
                         batch->n_out, batch->batch_size, batch->n_steps);
    if (loss != BIMT_LOSS_MSE && loss != BIMT_LOSS_CROSS_ENTROPY)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_task_performance: unknown loss %d", (int)loss);
    const size_t B = batch->batch_size, n_out = batch->n_out, last = batch->n_steps - 1;
    size_t n_ok = 0;
    for (size_t b = 0; b < B; b++) {
        const float *o = outputs + (last * B + b) * n_out;
        int ok = trial_correct(o, n_out, loss, (double)batch->y_loc[last * B + b]);
        n_ok += (size_t)ok;
        if (correct) correct[b] = ok ? 1.0f : 0.0f;
    }
    if (mean) *mean = (double)n_ok / (double)B;
    return BIMT_OK;
}
