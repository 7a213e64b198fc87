/* Throughput of the task generator: trial-steps per second and milliseconds per 64-trial
 * batch for every rule (random mode, input noise on), plus the noise generator alone.
 * Times are process CPU time (robust on a shared machine).
 * Usage: bench_tasks [batches_per_rule (default 200)] [batch_size (default 64)] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bimt/task.h"
#include "task/task_build.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: robust on a shared machine */
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long n_batches = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
    long bs = argc > 2 ? strtol(argv[2], NULL, 10) : 64;
    if (n_batches < 1 || bs < 1) {
        fprintf(stderr, "usage: %s [batches_per_rule] [batch_size]\n", argv[0]);
        return 2;
    }
    bimt_task_params p;
    bimt_task_params_init(&p);
    p.seed = 12345;
    bimt_task_t *task = NULL;
    if (bimt_task_create(&p, &task) != BIMT_OK) {
        fprintf(stderr, "bimt_task_create failed\n");
        return 1;
    }
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    /* Warm-up: grow every buffer. */
    for (int r = 0; r < BIMT_N_RULES; r++)
        for (int i = 0; i < 20; i++) bimt_task_sample(task, r, (uint32_t)bs, &b);

    printf("bench_tasks: %ld batches of %ld trials per rule, dt 20 ms, input noise on\n",
           n_batches, bs);
    printf("%-16s %10s %14s %12s %12s\n", "rule", "mean T", "trial-steps/s", "ms/batch",
           "ns/x value");
    double tot_time = 0.0, tot_steps = 0.0, tot_vals = 0.0;
    double checksum = 0.0;
    for (int r = 0; r < BIMT_N_RULES; r++) {
        double steps = 0.0;
        double t0 = now_s();
        for (long i = 0; i < n_batches; i++) {
            if (bimt_task_sample(task, r, (uint32_t)bs, &b) != BIMT_OK) {
                fprintf(stderr, "sample failed: %s\n", bimt_task_errmsg(task));
                return 1;
            }
            steps += (double)b.n_steps;
            checksum += (double)b.x[0];
        }
        double dt = now_s() - t0;
        double tsteps = steps * (double)bs;
        double vals = tsteps * (double)b.n_in;
        printf("%-16s %10.1f %14.3e %12.4f %12.3f\n", bimt_rule_name(r), steps / (double)n_batches,
               tsteps / dt, 1e3 * dt / (double)n_batches, 1e9 * dt / vals);
        tot_time += dt;
        tot_steps += tsteps;
        tot_vals += vals;
    }
    printf("%-16s %10s %14.3e %12.4f %12.3f\n", "all rules", "",
           tot_steps / tot_time, 1e3 * tot_time / (double)(n_batches * BIMT_N_RULES),
           1e9 * tot_time / tot_vals);

    /* The same with the portable scalar noise path (bit-identical output). */
    if (task->zig.use_avx2) {
        task->zig.use_avx2 = 0;
        double t0 = now_s(), steps = 0.0;
        for (int r = 0; r < BIMT_N_RULES; r++)
            for (long i = 0; i < n_batches; i++) {
                if (bimt_task_sample(task, r, (uint32_t)bs, &b) != BIMT_OK) return 1;
                steps += (double)b.n_steps * (double)bs;
            }
        double dt = now_s() - t0;
        printf("%-16s %10s %14.3e %12.4f %12.3f\n", "all (scalar)", "", steps / dt,
               1e3 * dt / (double)(n_batches * BIMT_N_RULES), 1e9 * dt / (steps * (double)b.n_in));
        task->zig.use_avx2 = 1;
    }
    /* Noise-free batches (task variance, analysis): rendering alone. */
    {
        bimt_task_params q = p;
        q.input_noise = 0;
        bimt_task_t *quiet = NULL;
        if (bimt_task_create(&q, &quiet) != BIMT_OK) return 1;
        double t0 = now_s(), steps = 0.0;
        for (int r = 0; r < BIMT_N_RULES; r++)
            for (long i = 0; i < n_batches; i++) {
                if (bimt_task_sample(quiet, r, (uint32_t)bs, &b) != BIMT_OK) return 1;
                steps += (double)b.n_steps * (double)bs;
            }
        double dt = now_s() - t0;
        printf("%-16s %10s %14.3e %12.4f %12.3f\n", "all (no noise)", "", steps / dt,
               1e3 * dt / (double)(n_batches * BIMT_N_RULES), 1e9 * dt / (steps * (double)b.n_in));
        bimt_task_free(quiet);
    }
    /* Noise generator alone (the hot spot). */
    size_t n = (size_t)1 << 20;
    float *buf = malloc(n * sizeof(float));
    float *zero = calloc(n, sizeof(float));
    if (buf && zero) {
        bimt__zig z;
        bimt__zig_init(&z);
        bimt__noise nz;
        bimt__noise_seed(&nz, 99);
        double t0 = now_s();
        int reps = 50;
        for (int i = 0; i < reps; i++) bimt__noise_fill(&nz, &z, buf, zero, n, 1.0);
        double dt = now_s() - t0;
        checksum += (double)buf[7];
        printf("noise generator (%s): %.3f ns per normal (%.1f M normals/s)\n",
               z.use_avx2 ? "AVX2" : "scalar", 1e9 * dt / ((double)n * reps),
               1e-6 * (double)n * reps / dt);
    }
    free(buf);
    free(zero);
    printf("(checksum %g)\n", checksum);
    bimt_task_free(task);
    return 0;
}
