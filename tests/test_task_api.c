/* bimt_task_t handle: parameters, names, bad input, determinism, buffers, RNG handling and
 * the input noise (spec 1.7, 7.6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "task/task_internal.h"
#include "task_oracle.h"
#include "testutil.h"

START_TEST(rule_names_roundtrip)
{
    const char *names[BIMT_N_RULES] = {
        "fdgo",         "reactgo",  "delaygo",  "fdanti",          "reactanti",
        "delayanti",    "dm1",      "dm2",      "contextdm1",      "contextdm2",
        "multidm",      "delaydm1", "delaydm2", "contextdelaydm1", "contextdelaydm2",
        "multidelaydm", "dmsgo",    "dmsnogo",  "dmcgo",           "dmcnogo"};
    for (int r = 0; r < BIMT_N_RULES; r++) {
        ck_assert_str_eq(bimt_rule_name(r), names[r]);
        ck_assert_int_eq(bimt_rule_index(names[r]), r);
    }
    ck_assert_ptr_null(bimt_rule_name(-1));
    ck_assert_ptr_null(bimt_rule_name(BIMT_N_RULES));
    ck_assert_int_eq(bimt_rule_index(NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_rule_index("FDGO"), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_rule_index("fdgo "), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_rule_index(""), BIMT_E_INVALID_ARG);
}
END_TEST

START_TEST(params_defaults_and_sizes)
{
    bimt_task_params p;
    memset(&p, 0x5A, sizeof(p));
    bimt_task_params_init(&p);
    bimt_task_params_init(NULL);
    ck_assert_uint_eq(p.struct_size, sizeof(p));
    ck_assert_uint_eq(p.n_eachring, 32);
    ck_assert_double_eq(p.dt_ms, 20.0);
    ck_assert_double_eq(p.tau_ms, 100.0);
    ck_assert_double_eq(p.sigma_x, 0.01);
    ck_assert_uint_eq(p.rule_mask, 0);
    ck_assert_int_eq(p.loss, BIMT_LOSS_MSE);
    ck_assert_uint_eq(p.input_noise, 1);
    ck_assert_uint_eq(p.easy_task, 0);
    ck_assert_uint_eq(p.seed, 1);

    bimt_task_t *t = NULL;
    ck_assert_int_eq(bimt_task_create(NULL, &t), BIMT_OK);
    ck_assert_uint_eq(bimt_task_n_in(t), 85); /* 7.1 */
    ck_assert_uint_eq(bimt_task_n_out(t), 33);
    bimt_task_params q;
    q.struct_size = (uint32_t)sizeof q; /* an output struct */
    ck_assert_int_eq(bimt_task_get_params(t, &q), BIMT_OK);
    ck_assert_mem_eq(&q, &p, sizeof(p));
    ck_assert_int_eq(bimt_task_get_params(t, NULL), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_get_params(NULL, &q), BIMT_E_INVALID_ARG);
    ck_assert_str_eq(bimt_task_errmsg(t), "");
    for (int r = 0; r < BIMT_N_RULES; r++)
        ck_assert_int_eq(bimt_task_rule_enabled(t, r), 1);
    ck_assert_int_eq(bimt_task_rule_enabled(t, -1), 0);
    ck_assert_int_eq(bimt_task_rule_enabled(t, BIMT_N_RULES), 0);
    ck_assert_int_eq(bimt_task_rule_enabled(NULL, 0), 0);
    bimt_task_free(t);

    p.n_eachring = 16;
    p.rule_mask = (1u << BIMT_RULE_DM1) | (1u << BIMT_RULE_DMCNOGO);
    ck_assert_int_eq(bimt_task_create(&p, &t), BIMT_OK);
    ck_assert_uint_eq(bimt_task_n_in(t), 1 + 32 + 20);
    ck_assert_uint_eq(bimt_task_n_out(t), 17);
    for (int r = 0; r < BIMT_N_RULES; r++)
        ck_assert_int_eq(bimt_task_rule_enabled(t, r),
                         r == BIMT_RULE_DM1 || r == BIMT_RULE_DMCNOGO);
    /* Any rule can be sampled whatever the mask. */
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    ck_assert_int_eq(bimt_task_sample(t, BIMT_RULE_FDGO, 3, &b), BIMT_OK);
    ck_assert_uint_eq(b.n_in, 53);
    bimt_task_free(t);

    ck_assert_uint_eq(bimt_task_n_in(NULL), 0);
    ck_assert_uint_eq(bimt_task_n_out(NULL), 0);
    ck_assert_ptr_nonnull(bimt_task_errmsg(NULL));
    bimt_task_free(NULL);
    ck_assert_ptr_null(bimt__task_rng(NULL));
}
END_TEST

START_TEST(create_rejects_bad_params)
{
    bimt_task_t *t = (bimt_task_t *)&t; /* must be reset to NULL */
    bimt_task_params p;
    ck_assert_int_eq(bimt_task_create(NULL, NULL), BIMT_E_INVALID_ARG);
#define BAD(field, value, code)                                                                    \
    do {                                                                                           \
        bimt_task_params_init(&p);                                                                 \
        p.field = value;                                                                           \
        t = (bimt_task_t *)&p;                                                                     \
        ck_assert_int_eq(bimt_task_create(&p, &t), code);                                          \
        ck_assert_ptr_null(t);                                                                     \
    } while (0)
    BAD(struct_size, (uint32_t)sizeof(p) + 8, BIMT_E_VERSION);
    BAD(struct_size, 0, BIMT_E_VERSION);
    BAD(n_eachring, 0, BIMT_E_INVALID_ARG);
    BAD(n_eachring, 3, BIMT_E_INVALID_ARG);
    BAD(n_eachring, 1025, BIMT_E_INVALID_ARG);
    BAD(dt_ms, (double)NAN, BIMT_E_INVALID_ARG);
    BAD(dt_ms, (double)INFINITY, BIMT_E_INVALID_ARG);
    BAD(dt_ms, 0.0, BIMT_E_INVALID_ARG);
    BAD(dt_ms, -20.0, BIMT_E_INVALID_ARG);
    BAD(dt_ms, 150.0, BIMT_E_INVALID_ARG); /* > tau */
    BAD(dt_ms, 0.5, BIMT_E_INVALID_ARG);   /* below 1 ms */
    BAD(tau_ms, (double)NAN, BIMT_E_INVALID_ARG);
    BAD(tau_ms, 0.0, BIMT_E_INVALID_ARG);
    BAD(tau_ms, 10.0, BIMT_E_INVALID_ARG); /* dt 20 > tau */
    BAD(sigma_x, (double)NAN, BIMT_E_INVALID_ARG);
    BAD(sigma_x, -0.01, BIMT_E_INVALID_ARG);
    BAD(sigma_x, (double)INFINITY, BIMT_E_INVALID_ARG);
    BAD(loss, (bimt_loss)2, BIMT_E_INVALID_ARG);
    BAD(loss, -1, BIMT_E_INVALID_ARG);
    BAD(rule_mask, 1u << 20, BIMT_E_INVALID_ARG);
    BAD(rule_mask, 0x80000001u, BIMT_E_INVALID_ARG);
#undef BAD
    /* Boundary values that are valid. */
    bimt_task_params_init(&p);
    p.n_eachring = 4;
    p.dt_ms = 100.0;
    p.sigma_x = 0.0;
    p.rule_mask = 0xFFFFF;
    ck_assert_int_eq(bimt_task_create(&p, &t), BIMT_OK);
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    for (int r = 0; r < BIMT_N_RULES; r++) {
        ck_assert_int_eq(bimt_task_sample(t, r, 2, &b), BIMT_OK);
        ck_assert_uint_lt(b.go_step, b.n_steps);
    }
    bimt_task_free(t);
}
END_TEST

START_TEST(sample_rejects_bad_input)
{
    bimt_task_t *t = or_task(3, 0, 1, 20.0, 32);
    bimt_batch b, ref;
    b.struct_size = (uint32_t)sizeof b;     /* an output struct */
    ref.struct_size = (uint32_t)sizeof ref; /* an output struct */
    memset(&b, 0xA5, sizeof(b));
    memcpy(&ref, &b, sizeof(b));
    uint64_t before[BIMT_RNG_WORDS], after[BIMT_RNG_WORDS];
    bimt__rng_pack(bimt__task_rng(t), before);
    ck_assert_int_eq(bimt_task_sample(NULL, 0, 4, &b), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_sample(t, 0, 4, NULL), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_task_errmsg(t), "NULL") != NULL);
    ck_assert_int_eq(bimt_task_sample(t, -1, 4, &b), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_task_errmsg(t), "rule") != NULL);
    ck_assert_int_eq(bimt_task_sample(t, BIMT_N_RULES, 4, &b), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_sample(t, 0, 0, &b), BIMT_E_INVALID_ARG);
    ck_assert(strstr(bimt_task_errmsg(t), "batch_size") != NULL);
    ck_assert_int_eq(bimt_task_sample(t, 0, 65537, &b), BIMT_E_INVALID_ARG);
    ck_assert_int_eq(bimt_task_sample(t, 0, UINT32_MAX, &b), BIMT_E_INVALID_ARG);
    ck_assert_mem_eq(&b, &ref, sizeof(b));
    bimt__rng_pack(bimt__task_rng(t), after);
    ck_assert_mem_eq(before, after, sizeof(before));
    /* Still usable, and the stream starts where it was. */
    bimt_task_t *twin = or_task(3, 0, 1, 20.0, 32);
    bimt_batch b2;
    b2.struct_size = (uint32_t)sizeof b2; /* an output struct */
    ck_assert_int_eq(bimt_task_sample(t, 7, 8, &b), BIMT_OK);
    ck_assert_int_eq(bimt_task_sample(twin, 7, 8, &b2), BIMT_OK);
    ck_assert_uint_eq(b.n_steps, b2.n_steps);
    ck_assert_mem_eq(b.x, b2.x, b.n_steps * 8 * 85 * sizeof(float));
    bimt_task_free(t);
    bimt_task_free(twin);
}
END_TEST

START_TEST(sample_out_of_memory_leaves_state)
{
#if defined(__SANITIZE_ADDRESS__)
    return; /* ASan aborts on huge allocations instead of returning NULL */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return;
#endif
#endif
    /* dt = 1 ms, 65536 trials of reactgo: ~3000 steps x 65536 x 85 floats (> 60 GB). */
    bimt_task_t *t = or_task(4, 0, 1, 1.0, 32);
    bimt_batch b, ref;
    b.struct_size = (uint32_t)sizeof b;     /* an output struct */
    ref.struct_size = (uint32_t)sizeof ref; /* an output struct */
    memset(&b, 0xA5, sizeof(b));
    memcpy(&ref, &b, sizeof(b));
    uint64_t before[BIMT_RNG_WORDS], after[BIMT_RNG_WORDS];
    bimt__rng_pack(bimt__task_rng(t), before);
    ck_assert_int_eq(bimt_task_sample(t, BIMT_RULE_REACTGO, 65536, &b), BIMT_E_NOMEM);
    ck_assert(strstr(bimt_task_errmsg(t), "memory") != NULL);
    ck_assert_mem_eq(&b, &ref, sizeof(b));
    bimt__rng_pack(bimt__task_rng(t), after);
    ck_assert_mem_eq(before, after, sizeof(before));
    ck_assert_int_eq(bimt_task_sample(t, BIMT_RULE_REACTGO, 4, &b), BIMT_OK);
    bimt_task_free(t);
}
END_TEST

static int batches_equal(const bimt_batch *a, const bimt_batch *b)
{
    if (a->n_steps != b->n_steps || a->batch_size != b->batch_size || a->go_step != b->go_step)
        return 0;
    size_t tb = a->n_steps * a->batch_size;
    return memcmp(a->x, b->x, tb * a->n_in * sizeof(float)) == 0 &&
           memcmp(a->y, b->y, tb * a->n_out * sizeof(float)) == 0 &&
           memcmp(a->mask, b->mask, tb * a->n_out * sizeof(float)) == 0 &&
           memcmp(a->y_loc, b->y_loc, tb * sizeof(float)) == 0;
}

START_TEST(deterministic_for_a_seed)
{
    bimt_task_t *a = or_task(123, 0, 1, 20.0, 32), *b = or_task(123, 0, 1, 20.0, 32);
    bimt_task_t *c = or_task(124, 0, 1, 20.0, 32);
    int differ = 0;
    for (int i = 0; i < 60; i++) {
        int rule = (i * 7) % BIMT_N_RULES;
        size_t B = 1 + (size_t)(i % 9);
        bimt_batch ba, bb, bc;
        ba.struct_size = (uint32_t)sizeof ba; /* an output struct */
        bb.struct_size = (uint32_t)sizeof bb; /* an output struct */
        bc.struct_size = (uint32_t)sizeof bc; /* an output struct */
        ck_assert_int_eq(bimt_task_sample(a, rule, (uint32_t)B, &ba), BIMT_OK);
        ck_assert_int_eq(bimt_task_sample(b, rule, (uint32_t)B, &bb), BIMT_OK);
        ck_assert_int_eq(bimt_task_sample(c, rule, (uint32_t)B, &bc), BIMT_OK);
        ck_assert(batches_equal(&ba, &bb));
        differ += !batches_equal(&ba, &bc);
    }
    ck_assert_int_eq(differ, 60);
    bimt_task_free(a);
    bimt_task_free(b);
    bimt_task_free(c);
}
END_TEST

START_TEST(buffers_stop_growing)
{
    /* Borrowed arrays are reused: after warm-up the same pointers come back (no allocation). */
    bimt_task_t *t = or_task(8, 0, 1, 20.0, 32);
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    for (int i = 0; i < 400; i++)
        ck_assert_int_eq(bimt_task_sample(t, i % BIMT_N_RULES, 64, &b), BIMT_OK);
    const float *x = b.x, *y = b.y, *m = b.mask, *l = b.y_loc;
    for (int i = 0; i < 400; i++) {
        ck_assert_int_eq(bimt_task_sample(t, i % BIMT_N_RULES, 64, &b), BIMT_OK);
        ck_assert(b.x == x && b.y == y && b.mask == m && b.y_loc == l);
    }
    bimt_task_free(t);
}
END_TEST

/* ---------------------------------------------------------------- input noise */

START_TEST(noise_std_on_every_channel)
{
    /* 1.7 / 7.6: noisy minus noise-free batch of the same seed is N(0, 0.0316228^2) on all
     * 85 channels at all steps. */
    for (int rule = 0; rule < BIMT_N_RULES; rule += 3) {
        bimt_task_t *a = or_task(900 + (uint64_t)rule, 0, 1, 20.0, 32);
        bimt_task_t *c = or_task(900 + (uint64_t)rule, 0, 0, 20.0, 32);
        double s1[85] = {0}, s2[85] = {0}, s4[85] = {0};
        long n = 0;
        for (int rep = 0; rep < 20; rep++) {
            bimt_batch bn, bc;
            bn.struct_size = (uint32_t)sizeof bn; /* an output struct */
            bc.struct_size = (uint32_t)sizeof bc; /* an output struct */
            ck_assert_int_eq(bimt_task_sample(a, rule, 64, &bn), BIMT_OK);
            ck_assert_int_eq(bimt_task_sample(c, rule, 64, &bc), BIMT_OK);
            ck_assert_uint_eq(bn.n_steps, bc.n_steps);
            size_t rows = bn.n_steps * 64;
            ck_assert_mem_eq(bn.y, bc.y, rows * 33 * sizeof(float));
            for (size_t i = 0; i < rows; i++)
                for (size_t u = 0; u < 85; u++) {
                    double d = (double)bn.x[i * 85 + u] - (double)bc.x[i * 85 + u];
                    s1[u] += d;
                    s2[u] += d * d;
                    s4[u] += d * d * d * d;
                }
            n += (long)rows;
            /* Resynchronise: the noisy task also drew its noise key. */
            uint64_t st[BIMT_RNG_WORDS];
            bimt__rng_pack(bimt__task_rng(a), st);
            bimt__rng_unpack(bimt__task_rng(c), st);
        }
        const double want = 0.01 * sqrt(10.0);
        for (size_t u = 0; u < 85; u++) {
            double mean = s1[u] / (double)n, var = s2[u] / (double)n - mean * mean;
            double sd = sqrt(var), kurt = s4[u] / (double)n / (var * var);
            OR_LT_D(fabs(mean), 5 * want / sqrt((double)n));
            OR_LT_D(fabs(sd - want), 5 * want / sqrt(2.0 * (double)n));
            OR_LT_D(fabs(kurt - 3.0), 0.15);
        }
        bimt_task_free(a);
        bimt_task_free(c);
    }
}
END_TEST

START_TEST(noise_scale_follows_params)
{
    /* sigma_x sqrt(2 / alpha) with alpha = dt / tau; sigma_x = 0 or input_noise = 0: none. */
    const double sig[3] = {0.05, 0.0, 0.01};
    const double dt[3] = {10.0, 20.0, 20.0};
    const uint32_t on[3] = {1, 1, 0};
    for (int c = 0; c < 3; c++) {
        bimt_task_params p;
        bimt_task_params_init(&p);
        p.sigma_x = sig[c];
        p.dt_ms = dt[c];
        p.input_noise = on[c];
        bimt_task_t *t = NULL;
        ck_assert_int_eq(bimt_task_create(&p, &t), BIMT_OK);
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        double s2 = 0.0;
        long n = 0;
        for (int rep = 0; rep < 10; rep++) {
            ck_assert_int_eq(bimt_task_sample(t, BIMT_RULE_DELAYDM1, 32, &b), BIMT_OK);
            /* Rule channels other than the task's are 0 before noise. */
            for (size_t i = 0; i < b.n_steps * 32; i++)
                for (size_t u = 65; u < 85; u++) {
                    if (u == 65 + BIMT_RULE_DELAYDM1) continue;
                    double v = (double)b.x[i * 85 + u];
                    s2 += v * v;
                    n++;
                }
        }
        double want = sig[c] * sqrt(2.0 / (dt[c] / 100.0)) * (on[c] ? 1.0 : 0.0);
        double sd = sqrt(s2 / (double)n);
        if (want == 0.0)
            ck_assert_double_eq(sd, 0.0);
        else
            ck_assert_double_lt(fabs(sd - want), 5 * want / sqrt(2.0 * (double)n));
        bimt_task_free(t);
    }
}
END_TEST

/* Standard normal CDF. */
static double phi(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

static void check_normal_sample(const float *v, size_t n)
{
    /* Moments, tail masses (including beyond the ziggurat's tail start 4.0388) and a
     * 60-bin chi-square against the normal distribution. */
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    long beyond[5] = {0};
    const double cut[5] = {1.0, 2.0, 3.0, 4.0388, 4.5};
    long bins[62] = {0};
    for (size_t i = 0; i < n; i++) {
        double x = (double)v[i];
        s1 += x;
        s2 += x * x;
        s3 += x * x * x;
        s4 += x * x * x * x;
        for (int c = 0; c < 5; c++)
            beyond[c] += fabs(x) > cut[c];
        int bin = x < -3.0 ? 0 : (x >= 3.0 ? 61 : 1 + (int)floor((x + 3.0) / 0.1));
        bins[bin]++;
    }
    double dn = (double)n, mean = s1 / dn, var = s2 / dn - mean * mean;
    OR_LT_D(fabs(mean), 5.0 / sqrt(dn));
    OR_LT_D(fabs(var - 1.0), 5.0 * sqrt(2.0 / dn));
    OR_LT_D(fabs(s3 / dn), 5.0 * sqrt(15.0 / dn));
    OR_LT_D(fabs(s4 / dn - 3.0), 5.0 * sqrt(96.0 / dn));
    for (int c = 0; c < 5; c++) {
        double p = 2.0 * (1.0 - phi(cut[c]));
        double sd = sqrt(dn * p * (1.0 - p));
        OR_ASSERT_MSG(fabs((double)beyond[c] - dn * p) < 5.0 * sd + 1.0,
                      "P(|x| > %g): %ld, expected %.1f", cut[c], beyond[c], dn * p);
    }
    double chi2 = 0.0;
    for (int k = 0; k < 62; k++) {
        double lo = k == 0 ? -(double)INFINITY : -3.0 + 0.1 * (k - 1);
        double hi = k == 61 ? (double)INFINITY : -3.0 + 0.1 * k;
        double e = dn * (phi(hi) - phi(lo));
        chi2 += ((double)bins[k] - e) * ((double)bins[k] - e) / e;
    }
    /* 61 degrees of freedom: mean 61, sd 11; 120 is beyond 5 sd. */
    OR_ASSERT_MSG(chi2 < 120.0, "chi-square %g", chi2);
}

START_TEST(noise_generator_is_normal_and_path_independent)
{
    bimt__zig z;
    bimt__zig_init(&z);
    const size_t n = 4000000;
    float *base = calloc(n, sizeof(float)), *a = malloc(n * sizeof(float));
    float *b = malloc(n * sizeof(float));
    ck_assert(base && a && b);
    bimt__noise nz;
    bimt__noise_seed(&nz, 2024);
    /* Odd chunk sizes exercise block tails. */
    size_t off = 0, chunk = 1;
    while (off < n) {
        size_t m = chunk < n - off ? chunk : n - off;
        bimt__noise_fill(&nz, &z, a + off, base + off, m, 1.0);
        off += m;
        chunk = chunk * 3 + 1;
        if (chunk > 100000) chunk = 7;
    }
    check_normal_sample(a, n);
    /* Scalar and vector paths give bit-identical values from the same state. */
    int had = z.use_avx2;
    for (int path = 0; path < 2; path++) {
        z.use_avx2 = path;
        if (path == 1 && !had) break;
        bimt__noise_seed(&nz, 77);
        bimt__noise_fill(&nz, &z, a, base, 1000003, 0.5);
        bimt__noise_fill(&nz, &z, a + 1000003, base, 85, 0.5);
        if (path == 0)
            memcpy(b, a, (1000003 + 85) * sizeof(float));
        else
            ck_assert_mem_eq(a, b, (1000003 + 85) * sizeof(float));
    }
    z.use_avx2 = had;
    /* The base is added: base + std * N. */
    for (size_t i = 0; i < 1000; i++)
        base[i] = (float)i;
    bimt__noise_seed(&nz, 5);
    bimt__noise_fill(&nz, &z, a, base, 1000, 0.0);
    for (size_t i = 0; i < 1000; i++)
        OR_FEQ(a[i], (float)i);
    free(base);
    free(a);
    free(b);
}
END_TEST

START_TEST(noise_tail_beyond_ziggurat_edge)
{
    /* The rare tail path (|x| > r = 4.03885) must follow the normal tail: mass 2 Q(r) and
     * mean excess phi(r) / Q(r) - r. 100 million draws give about 5500 tail values. */
    bimt__zig z;
    bimt__zig_init(&z);
    const double r = z.x[1];
    ck_assert_double_lt(fabs(r - 4.0388), 1e-4);
    const size_t chunk = 1 << 20;
    float *base = calloc(chunk, sizeof(float)), *v = malloc(chunk * sizeof(float));
    ck_assert(base && v);
    bimt__noise nz;
    bimt__noise_seed(&nz, 99);
    /* The top layer [0, x[1023]) is decided by its wedge test alone: its mass checks the
     * concave wedge logic. */
    const double top = z.x[BIMT__ZIG_N - 1];
    long n_tail = 0, n = 0, n_top = 0;
    double s1 = 0.0, s2 = 0.0;
    for (int c = 0; c < 100; c++) {
        bimt__noise_fill(&nz, &z, v, base, chunk, 1.0);
        for (size_t i = 0; i < chunk; i++) {
            double a = fabs((double)v[i]);
            n_top += a < top;
            if (a > r) {
                n_tail++;
                s1 += a - r;
                s2 += (a - r) * (a - r);
            }
        }
        n += (long)chunk;
    }
    double q = 0.5 * erfc(r / sqrt(2.0));
    double dens = exp(-0.5 * r * r) / sqrt(OR_2PI);
    double p = 2.0 * q, mu = dens / q - r;
    OR_ASSERT_MSG(fabs((double)n_tail - (double)n * p) < 5.0 * sqrt((double)n * p),
                  "tail count %ld", n_tail);
    double pt = erf(top / sqrt(2.0));
    OR_ASSERT_MSG(fabs((double)n_top - (double)n * pt) < 5.0 * sqrt((double)n * pt * (1 - pt)),
                  "top-layer count %ld, expected %.0f", n_top, (double)n * pt);
    double mean = s1 / (double)n_tail, sd = sqrt(s2 / (double)n_tail - mean * mean);
    OR_ASSERT_MSG(fabs(mean - mu) < 5.0 * sd / sqrt((double)n_tail), "tail excess %g vs %g", mean,
                  mu);
    free(base);
    free(v);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("task_api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, rule_names_roundtrip);
    tcase_add_test(tc, params_defaults_and_sizes);
    tcase_add_test(tc, create_rejects_bad_params);
    tcase_add_test(tc, sample_rejects_bad_input);
    tcase_add_test(tc, sample_out_of_memory_leaves_state);
    tcase_add_test(tc, deterministic_for_a_seed);
    tcase_add_test(tc, buffers_stop_growing);
    suite_add_tcase(s, tc);
    TCase *tn = tcase_create("noise");
    tcase_set_timeout(tn, 300);
    tcase_add_test(tn, noise_std_on_every_channel);
    tcase_add_test(tn, noise_scale_follows_params);
    tcase_add_test(tn, noise_generator_is_normal_and_path_independent);
    tcase_add_test(tn, noise_tail_beyond_ziggurat_edge);
    suite_add_tcase(s, tn);
    return s;
}

int main(void)
{
    return bimt_test_run(suite());
}
