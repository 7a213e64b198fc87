/*
 * custom_task: a host program that brings its own task, loss and optimizer, and uses libbimt
 * only for the grid RNN, backpropagation, the BIMT wiring cost and neuron swaps.
 *
 * The task is a delayed comparison: two scalar stimuli a then b arrive on input 1, separated
 * by a delay, while a fixation input is on; when fixation goes off the single output must
 * read +1 if a > b and -1 otherwise (and stay at 0 before). Each step composes:
 *   bimt_model_forward -> own squared-error loss and its gradient d_outputs ->
 *   bimt_model_backward -> bimt_model_connection_cost (adds the BIMT subgradient) ->
 *   own SGD-with-momentum step on bimt_model_params_data / bimt_model_grad_data,
 * and every K steps bimt_model_swap. It prints the loss going down and the swaps made, and
 * exits with status 1 if the loss of the last steps is not below that of the first ones.
 *
 * Usage: custom_task [--steps N] [--grid-side n] [--lambda L] [--swap-every K] [--seed S]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bimt/bimt.h>

enum { N_IN = 3, N_OUT = 1, T_STEPS = 24, BATCH = 32, GO = 18 };

typedef struct options {
    unsigned long steps, grid_side, swap_every, seed;
    double lambda, lr, momentum;
} options;

/* The host's own random numbers (splitmix64), kept in a local state. */
static double uniform01(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

/* One batch of the delayed comparison, time-major: x[T][B][N_IN], y and mask [T][B][N_OUT]. */
static void make_batch(uint64_t *rng, float *x, float *y, float *mask)
{
    for (size_t b = 0; b < BATCH; b++) {
        double a = uniform01(rng), c = uniform01(rng);
        while (fabs(a - c) < 0.1)
            c = uniform01(rng);
        float answer = a > c ? 1.0f : -1.0f;
        for (size_t t = 0; t < T_STEPS; t++) {
            float *xi = x + (t * BATCH + b) * N_IN;
            xi[0] = t < GO ? 1.0f : 0.0f; /* fixation */
            xi[1] = (t >= 2 && t < 5) ? (float)a : (t >= 10 && t < 13) ? (float)c : 0.0f;
            xi[2] = 1.0f; /* constant bias input */
            y[t * BATCH + b] = t < GO ? 0.0f : answer;
            mask[t * BATCH + b] = t < GO ? 0.2f : (t >= GO + 2 ? 1.0f : 0.0f);
        }
    }
}

/* Own loss: L = sum m (o - y)^2 / (T B); fills d_outputs = dL/do; counts correct signs. */
static double loss_and_grad(const float *o, const float *y, const float *mask, float *d_out,
                            double *accuracy)
{
    const double scale = 1.0 / (double)(T_STEPS * BATCH);
    double loss = 0.0;
    for (size_t i = 0; i < (size_t)T_STEPS * BATCH; i++) {
        double r = (double)o[i] - (double)y[i];
        loss += (double)mask[i] * r * r * scale;
        d_out[i] = (float)(2.0 * (double)mask[i] * r * scale);
    }
    size_t correct = 0;
    for (size_t b = 0; b < BATCH; b++) {
        size_t i = (size_t)(T_STEPS - 1) * BATCH + b;
        correct += ((o[i] > 0.0f) == (y[i] > 0.0f)) ? 1u : 0u;
    }
    *accuracy = (double)correct / BATCH;
    return loss;
}

static int parse(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) return -1;
        const char *v = argv[++i];
        if (!strcmp(a, "--steps"))
            o->steps = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--grid-side"))
            o->grid_side = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--swap-every"))
            o->swap_every = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--seed"))
            o->seed = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--lambda"))
            o->lambda = strtod(v, NULL);
        else
            return -1;
    }
    return (o->steps >= 20 && o->grid_side >= 2 && o->swap_every >= 1) ? 0 : -1;
}

static int fail(const char *what, int rc, const char *msg)
{
    fprintf(stderr, "custom_task: %s: %s (%s)\n", what, msg, bimt_status_str(rc));
    return 2;
}

int main(int argc, char **argv)
{
    options opt = {1500, 6, 50, 7, 1e-4, 0.05, 0.9};
    if (parse(argc, argv, &opt)) {
        fprintf(stderr, "usage: custom_task [--steps N>=20] [--grid-side n>=2] "
                        "[--lambda L] [--swap-every K>=1] [--seed S]\n");
        return 2;
    }
    if (bimt_version() / 10000 != BIMT_VERSION_MAJOR) {
        fprintf(stderr, "custom_task: libbimt %s does not match the headers %s\n",
                bimt_version_string(), BIMT_VERSION_STRING);
        return 2;
    }

    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = (uint32_t)opt.grid_side;
    mp.n_in = N_IN;
    mp.n_out = N_OUT;
    mp.activation = BIMT_ACT_TANH;
    mp.init_scale = 1.0;
    mp.seed = opt.seed;
    bimt_model_t *model = NULL;
    int rc = bimt_model_create(&mp, &model);
    if (rc) return fail("bimt_model_create", rc, "bad parameters");

    size_t n_params = bimt_model_n_params(model);
    size_t n_xy = (size_t)T_STEPS * BATCH;
    float *x = malloc(n_xy * N_IN * sizeof(float));
    float *y = malloc(n_xy * sizeof(float));
    float *mask = malloc(n_xy * sizeof(float));
    float *d_out = malloc(n_xy * sizeof(float));
    float *velocity = calloc(n_params, sizeof(float));
    if (!x || !y || !mask || !d_out || !velocity) {
        fprintf(stderr, "custom_task: out of memory\n");
        return 2;
    }

    bimt_swap_params sp;
    bimt_swap_params_init(&sp);
    sp.top_k = (uint32_t)bimt_model_n_hidden(model);
    sp.A = 1.0;

    uint64_t rng = opt.seed;
    double first = 0.0, last = 0.0;
    unsigned long window = opt.steps / 5, total_swaps = 0;
    printf("custom_task: delayed comparison, %u hidden neurons on a %lux%lu grid, "
           "%zu parameters\n",
           (unsigned)bimt_model_n_hidden(model), opt.grid_side, opt.grid_side, n_params);
    printf("%6s %10s %10s %9s %6s\n", "step", "loss", "cost", "accuracy", "swaps");
    int status = 0;
    for (unsigned long step = 1; step <= opt.steps; step++) {
        make_batch(&rng, x, y, mask);
        bimt_model_zero_grad(model);
        rc = bimt_model_forward(model, x, T_STEPS, BATCH, 0);
        if (rc) {
            status = fail("forward", rc, bimt_model_errmsg(model));
            break;
        }
        const float *o = NULL;
        rc = bimt_model_outputs(model, &o);
        if (rc) {
            status = fail("outputs", rc, bimt_model_errmsg(model));
            break;
        }
        double acc = 0.0;
        double loss = loss_and_grad(o, y, mask, d_out, &acc);
        rc = bimt_model_backward(model, d_out);
        if (rc) {
            status = fail("backward", rc, bimt_model_errmsg(model));
            break;
        }
        double cost = 0.0;
        rc = bimt_model_connection_cost(model, opt.lambda, 1.0, 1, &cost);
        if (rc) {
            status = fail("connection cost", rc, bimt_model_errmsg(model));
            break;
        }

        /* The host's optimizer: SGD with momentum and element-wise clipping. */
        float *p = bimt_model_params_data(model);
        const float *g = bimt_model_grad_data(model);
        for (size_t i = 0; i < n_params; i++) {
            float gi = g[i] > 1.0f ? 1.0f : (g[i] < -1.0f ? -1.0f : g[i]);
            velocity[i] = (float)opt.momentum * velocity[i] - (float)opt.lr * gi;
            p[i] += velocity[i];
        }

        unsigned swaps = 0;
        if (step % opt.swap_every == 0) {
            bimt_swap_result res = {(uint32_t)sizeof res, 0, 0.0, 0.0, NULL, 0};
            rc = bimt_model_swap(model, &sp, &res);
            if (rc) {
                status = fail("swap", rc, bimt_model_errmsg(model));
                break;
            }
            swaps = res.n_swaps;
            total_swaps += swaps;
        }
        if (step <= window) first += loss / (double)window;
        if (step > opt.steps - window) last += loss / (double)window;
        if (step == 1 || step % (opt.steps / 10 ? opt.steps / 10 : 1) == 0 || swaps)
            printf("%6lu %10.5f %10.5f %9.3f %6u\n", step, loss, cost, acc, swaps);
    }
    if (status == 0) {
        printf("custom_task: mean loss of the first %lu steps %.5f, of the last %lu steps %.5f; "
               "%lu swaps in total\n",
               window, first, window, last, total_swaps);
        if (!(last < first)) {
            fprintf(stderr, "custom_task: the loss did not go down\n");
            status = 1;
        }
    }
    free(x);
    free(y);
    free(mask);
    free(d_out);
    free(velocity);
    bimt_model_free(model);
    return status;
}
