/* Training-step throughput of the numerical engine at the reference size:
 * forward (with recurrent noise) + loss + BPTT + connection cost + Adam, random data.
 * Usage: bench_train [iters] [grid_side] [batch] [steps] [loss: mse|ce] [noise: 1|0]
 * Prints ms per phase (mean and best of the iterations), ms per step, trials/s and the CPU
 * time per step. Machine load distorts wall times (the best iteration is the least disturbed
 * one): run it several times. BIMT_NUM_THREADS sets the model's worker threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bimt/bimt.h"

#ifdef BIMT_HAVE_OPENBLAS
int openblas_get_num_threads(void);
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t state = 88172645463325252ull;
static float frand(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (float)(state >> 40) * 0x1.0p-24f;
}

static int check(int rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "%s failed: %s\n", what, bimt_status_str(rc));
        exit(1);
    }
    return rc;
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 40;
    unsigned side = argc > 2 ? (unsigned)atoi(argv[2]) : 16;
    size_t B = argc > 3 ? (size_t)atol(argv[3]) : 64;
    size_t T = argc > 4 ? (size_t)atol(argv[4]) : 100;
    int ce = argc > 5 && strcmp(argv[5], "ce") == 0;
    int noise = argc > 6 ? atoi(argv[6]) : 1;
    if (iters < 1 || side < 1 || B < 1 || T < 1) {
        fprintf(stderr, "usage: %s [iters] [grid_side] [batch] [steps] [mse|ce] [noise 1|0]\n",
                argv[0]);
        return 2;
    }

    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = side;
    p.loss = ce ? BIMT_LOSS_CROSS_ENTROPY : BIMT_LOSS_MSE;
    bimt_model_t *m = NULL;
    check(bimt_model_create(&p, &m), "bimt_model_create");
    size_t ni = bimt_model_n_in(m), no = bimt_model_n_out(m), np = bimt_model_n_params(m);
    bimt_optimizer_t *opt = NULL;
    check(bimt_adam_create(np, &(bimt_adam_options){sizeof(bimt_adam_options), 1e-3, 0.9, 0.999, 1e-8, 0.0}, &opt), "bimt_adam_create");
    check(bimt_adam_set_clip(opt, 1.0), "bimt_adam_set_clip");

    size_t rows = T * B;
    float *x = malloc(rows * ni * sizeof(float)), *y = malloc(rows * no * sizeof(float));
    float *mk = malloc(rows * no * sizeof(float));
    if (!x || !y || !mk) return 1;
    for (size_t i = 0; i < rows * ni; i++) x[i] = frand() < 0.2f ? frand() : 0.01f * frand();
    for (size_t i = 0; i < rows * no; i++) {
        y[i] = frand() < 0.1f ? 0.8f : 0.05f;
        mk[i] = frand() < 0.2f ? 0.0f : 1.0f;
    }

    double t_fwd = 0, t_loss = 0, t_bwd = 0, t_cost = 0, t_adam = 0, loss = 0, cost = 0;
    double best[6] = {1e30, 1e30, 1e30, 1e30, 1e30, 1e30}; /* per phase, and whole step */
    uint32_t flags = noise ? BIMT_FWD_NOISE : 0;
    /* Untimed warm-up steps: buffer growth, and the pool's first four calls of each pass,
     * which time the pool and the calling thread alternately (lib/common/mode_pick.h). */
    int warm = 5;
    double cpu0 = 0;
    for (int it = -warm; it < iters; it++) {
        if (it == 0) cpu0 = cpu_now();
        double t0 = now();
        bimt_model_zero_grad(m);
        check(bimt_model_forward(m, x, (uint32_t)T, (uint32_t)B, flags), "forward");
        double t1 = now();
        check(bimt_model_loss(m, y, mk, &loss), "loss");
        double t2 = now();
        check(bimt_model_backward(m, NULL), "backward");
        double t3 = now();
        check(bimt_model_connection_cost(m, 1e-4, 1.0, 1, &cost), "connection cost");
        double t4 = now();
        check(bimt_adam_step(opt, bimt_model_params_data(m), bimt_model_grad_data(m)), "adam");
        double t5 = now();
        if (it >= 0) {
            t_fwd += t1 - t0;
            t_loss += t2 - t1;
            t_bwd += t3 - t2;
            t_cost += t4 - t3;
            t_adam += t5 - t4;
            double ph[6] = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0};
            for (int k = 0; k < 6; k++) best[k] = ph[k] < best[k] ? ph[k] : best[k];
        }
    }
    double cpu = (cpu_now() - cpu0) / iters;
    double n = iters, total = (t_fwd + t_loss + t_bwd + t_cost + t_adam) / n;
    size_t nh = bimt_model_n_hidden(m);
    /* Multiply-adds of the GEMMs: forward in+rec+out, backward out+rec, dW, dWin, dWout. */
    double R = (double)rows, Rp = (double)(rows - B), H = (double)nh, I = (double)ni;
    double O = (double)no;
    double flops = 2.0 * (R * H * I + Rp * H * H + R * O * H) * 2.0 + 2.0 * Rp * H * H;
    int threads = 0;
#ifdef BIMT_HAVE_OPENBLAS
    threads = openblas_get_num_threads();
#endif
    printf("bench_train: grid %ux%u (n_hidden %zu), n_in %zu, n_out %zu, B %zu, T %zu, %s, "
           "noise %s, BLAS threads %d, %d iterations\n",
           side, side, nh, ni, no, B, T, ce ? "CE" : "MSE", noise ? "on" : "off", threads, iters);
    printf("  phase        mean ms    best ms\n");
    printf("  forward   %9.3f  %9.3f\n", 1e3 * t_fwd / n, 1e3 * best[0]);
    printf("  loss      %9.3f  %9.3f\n", 1e3 * t_loss / n, 1e3 * best[1]);
    printf("  backward  %9.3f  %9.3f\n", 1e3 * t_bwd / n, 1e3 * best[2]);
    printf("  cost      %9.3f  %9.3f\n", 1e3 * t_cost / n, 1e3 * best[3]);
    printf("  adam      %9.3f  %9.3f\n", 1e3 * t_adam / n, 1e3 * best[4]);
    printf("  step      %9.3f  %9.3f ms  (GEMM work %.2f GFLOP/step)\n", 1e3 * total,
           1e3 * best[5], flops * 1e-9);
    printf("  trials/s  %9.0f  %9.0f    (GEMM rate %.1f / %.1f GFLOP/s)\n", (double)B / total,
           (double)B / best[5], flops * 1e-9 / total, flops * 1e-9 / best[5]);
    printf("  CPU time  %9.3f ms per step, all threads (with 1 thread: the idle-machine time)\n",
           1e3 * cpu);
    printf("  last loss %.6f, cost %.6f\n", loss, cost);
    free(x);
    free(y);
    free(mk);
    bimt_optimizer_free(opt);
    bimt_model_free(m);
    return 0;
}
