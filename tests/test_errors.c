/* The one error channel (docs/design.md, "Errors"): every public call that can fail sets the
 * thread-local bimt_last_error() with a message of at least a few words; the message is per
 * thread. Also the ABI rule for params structs: a smaller struct_size gets defaults for the
 * tail, a larger one is refused. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bimt/bimt.h"
#include "testutil.h"

/* A message "of at least a few words": three or more words and 12 or more characters. */
static int few_words(const char *m)
{
    if (!m || strlen(m) < 12) return 0;
    int words = 0, in = 0;
    for (const char *c = m; *c; c++) {
        int sp = (*c == ' ');
        if (!sp && !in) words++;
        in = !sp;
    }
    return words >= 3;
}

#define EXPECT_FAIL(call)                                                                          \
    do {                                                                                           \
        bimt_clear_error();                                                                        \
        ck_assert_str_eq(bimt_last_error(), "");                                                   \
        int rc_ = (call);                                                                          \
        ck_assert_msg(rc_ < 0, "%s succeeded (%d)", #call, rc_);                                   \
        ck_assert_msg(few_words(bimt_last_error()), "%s: message '%s'", #call, bimt_last_error()); \
    } while (0)

struct fixture {
    bimt_task_t *task;
    bimt_model_t *model;
    bimt_trainer_t *tr;
};

static void fixture_make(struct fixture *f)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    ck_assert_int_eq(bimt_task_create(&tp, &f->task), BIMT_OK);
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 3;
    mp.n_in = (uint32_t)bimt_task_n_in(f->task);
    mp.n_out = (uint32_t)bimt_task_n_out(f->task);
    ck_assert_int_eq(bimt_model_create(&mp, &f->model), BIMT_OK);
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 4;
    ck_assert_int_eq(bimt_trainer_create(f->model, f->task, &p, &f->tr), BIMT_OK);
}

static void fixture_free(struct fixture *f)
{
    bimt_trainer_free(f->tr);
    bimt_model_free(f->model);
    bimt_task_free(f->task);
}

START_TEST(model_create_grid_side_0)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = 0;
    bimt_model_t *m = (bimt_model_t *)&p;
    bimt_clear_error();
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_E_INVALID_ARG);
    ck_assert_ptr_null(m);
    ck_assert(few_words(bimt_last_error()));
    ck_assert_ptr_nonnull(strstr(bimt_last_error(), "grid_side"));
    ck_assert_ptr_nonnull(strstr(bimt_last_error(), "0"));

    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 2;
    bimt_task_t *t = (bimt_task_t *)&tp;
    bimt_clear_error();
    ck_assert_int_eq(bimt_task_create(&tp, &t), BIMT_E_INVALID_ARG);
    ck_assert_ptr_null(t);
    ck_assert(few_words(bimt_last_error()));
    ck_assert_ptr_nonnull(strstr(bimt_last_error(), "n_eachring"));
}
END_TEST

START_TEST(every_fallible_call_sets_the_message)
{
    struct fixture f;
    fixture_make(&f);
    bimt_model_t *m = f.model;
    bimt_task_t *t = f.task;
    bimt_trainer_t *tr = f.tr;
    const size_t nh = bimt_model_n_hidden(m), np = bimt_model_n_params(m);
    float buf[4096];
    double d[64];
    uint64_t u[64];
    int32_t labels[64];
    uint8_t imp[64];
    const float *cp = NULL;
    bimt_model_t *mo = NULL;
    bimt_task_t *to = NULL;
    bimt_trainer_t *tro = NULL;
    bimt_optimizer_t *oo = NULL;
    bimt_batch b;
    b.struct_size = (uint32_t)sizeof b; /* an output struct */
    ck_assert(np <= sizeof buf / sizeof buf[0]);

    /* status.h has no fallible call. task.h */
    EXPECT_FAIL(bimt_rule_index("no such rule"));
    EXPECT_FAIL(bimt_rule_index(NULL));
    EXPECT_FAIL(bimt_task_create(NULL, NULL));
    EXPECT_FAIL(bimt_task_get_params(NULL, NULL));
    EXPECT_FAIL(bimt_task_sample(t, 99, 4, &b));
    EXPECT_FAIL(bimt_task_sample(t, 0, 0, &b));
    EXPECT_FAIL(bimt_task_sample(NULL, 0, 4, &b));
    EXPECT_FAIL(bimt_task_sample_test(t, -1, &b));
    EXPECT_FAIL(bimt_task_sample_test(NULL, 0, &b));
    EXPECT_FAIL(bimt_task_performance(NULL, buf, BIMT_LOSS_MSE, NULL, NULL));
    ck_assert_int_eq(bimt_task_sample(t, 0, 4, &b), BIMT_OK);
    ck_assert_uint_eq(b.struct_size, sizeof b);
    EXPECT_FAIL(bimt_task_performance(&b, buf, 7, NULL, NULL));

    /* model.h */
    EXPECT_FAIL(bimt_model_create(NULL, NULL));
    EXPECT_FAIL(bimt_model_clone(NULL, &mo));
    EXPECT_FAIL(bimt_model_clone(m, NULL));
    EXPECT_FAIL(bimt_model_get_params(NULL, NULL));
    EXPECT_FAIL(bimt_model_tensor(m, 42, &cp, NULL, NULL, NULL));
    EXPECT_FAIL(bimt_model_tensor(NULL, BIMT_W_REC, &cp, NULL, NULL, NULL));
    EXPECT_FAIL(bimt_model_set_slots(m, NULL, nh));
    EXPECT_FAIL(bimt_model_set_slots(m, (const uint32_t *)u, nh + 1));
    EXPECT_FAIL(bimt_model_set_slots(NULL, NULL, 0));
    EXPECT_FAIL(bimt_model_states(m, &cp)); /* no forward yet */
    EXPECT_FAIL(bimt_model_outputs(m, &cp));
    EXPECT_FAIL(bimt_model_states(NULL, &cp));
    EXPECT_FAIL(bimt_model_outputs(NULL, &cp));
    EXPECT_FAIL(bimt_model_forward(m, NULL, 1, 1, 0));
    EXPECT_FAIL(bimt_model_forward(m, buf, 0, 1, 0));
    EXPECT_FAIL(bimt_model_forward(m, buf, 1, 1, 99u));
    EXPECT_FAIL(bimt_model_forward(NULL, buf, 1, 1, 0));
    EXPECT_FAIL(bimt_model_loss(m, buf, buf, d));
    EXPECT_FAIL(bimt_model_loss(NULL, buf, buf, d));
    EXPECT_FAIL(bimt_model_backward(m, NULL));
    EXPECT_FAIL(bimt_model_backward(NULL, NULL));
    EXPECT_FAIL(bimt_model_weights_grid_order(NULL, NULL, NULL, NULL, NULL));

    /* regularizer.h */
    EXPECT_FAIL(bimt_model_connection_cost(NULL, 1.0, 1.0, 0, d));
    EXPECT_FAIL(bimt_model_connection_cost(m, -1.0, 1.0, 0, d));
    EXPECT_FAIL(bimt_model_connection_cost(m, 1.0, (double)NAN, 0, d));
    EXPECT_FAIL(bimt_model_distance_cost(NULL, 1.0, d));
    EXPECT_FAIL(bimt_model_distance_cost(m, -2.0, d));
    EXPECT_FAIL(bimt_model_connection_cost_prox(NULL, 1.0, 1.0, buf, np, NULL));
    EXPECT_FAIL(bimt_model_connection_cost_prox(m, 1.0, 1.0, buf, np + 1, NULL));
    EXPECT_FAIL(bimt_model_connection_cost_prox(m, -1.0, 1.0, buf, np, NULL));
    EXPECT_FAIL(bimt_model_activity_cost(NULL, 0.1, 0.0, d));
    EXPECT_FAIL(bimt_model_activity_cost(m, -0.1, 0.0, d));
    EXPECT_FAIL(bimt_model_activity_cost(m, 0.1, (double)NAN, d));

    /* swap.h */
    bimt_swap_params sp;
    bimt_swap_params_init(&sp);
    EXPECT_FAIL(bimt_model_swap(NULL, &sp, NULL));
    sp.A = -1.0;
    EXPECT_FAIL(bimt_model_swap(m, &sp, NULL));
    bimt_swap_params_init(&sp);
    sp.top_k = 0;
    EXPECT_FAIL(bimt_model_swap(m, &sp, NULL));
    bimt_swap_params_init(&sp);
    sp.struct_size = (uint32_t)sizeof sp + 8;
    EXPECT_FAIL(bimt_model_swap(m, &sp, NULL));

    /* optim.h */
    bimt_adam_options ao;
    bimt_adam_options_init(&ao);
    EXPECT_FAIL(bimt_adam_create(0, &ao, &oo));
    EXPECT_FAIL(bimt_adam_create(4, &ao, NULL));
    ao.lr = -1.0;
    EXPECT_FAIL(bimt_adam_create(4, &ao, &oo));
    bimt_adam_options_init(&ao);
    ao.beta1 = 1.0;
    EXPECT_FAIL(bimt_adam_create(4, &ao, &oo));
    bimt_adam_options_init(&ao);
    ao.beta2 = (double)NAN;
    EXPECT_FAIL(bimt_adam_create(4, &ao, &oo));
    bimt_adam_options_init(&ao);
    ao.eps = 0.0;
    EXPECT_FAIL(bimt_adam_create(4, &ao, &oo));
    bimt_adam_options_init(&ao);
    ao.grad_clip = -1.0;
    EXPECT_FAIL(bimt_adam_create(4, &ao, &oo));
    bimt_adam_options_init(&ao);
    ao.struct_size = 2;
    EXPECT_FAIL(bimt_adam_create(4, &ao, &oo));
    ck_assert_ptr_null(oo);
    ck_assert_int_eq(bimt_adam_create(4, NULL, &oo), BIMT_OK);
    EXPECT_FAIL(bimt_adam_step(oo, NULL, buf));
    EXPECT_FAIL(bimt_adam_step(NULL, buf, buf));
    EXPECT_FAIL(bimt_adam_set_lr(oo, 0.0));
    EXPECT_FAIL(bimt_adam_set_lr(NULL, 1.0));
    EXPECT_FAIL(bimt_adam_set_clip(oo, -1.0));
    EXPECT_FAIL(bimt_adam_set_clip(NULL, 1.0));
    EXPECT_FAIL(bimt_adam_moments(NULL, NULL, NULL));
    EXPECT_FAIL(bimt_adam_step_sizes(oo, 4, buf)); /* no step yet */
    EXPECT_FAIL(bimt_adam_step_sizes(oo, 5, buf));
    EXPECT_FAIL(bimt_adam_step_sizes(NULL, 4, buf));
    bimt_optimizer_free(oo);

    /* trainer.h */
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    EXPECT_FAIL(bimt_trainer_create(NULL, t, &p, &tro));
    EXPECT_FAIL(bimt_trainer_create(m, NULL, &p, &tro));
    EXPECT_FAIL(bimt_trainer_create(m, t, &p, NULL));
    p.batch_size = 0;
    EXPECT_FAIL(bimt_trainer_create(m, t, &p, &tro));
    bimt_trainer_params_init(&p);
    p.learning_rate = -1.0;
    EXPECT_FAIL(bimt_trainer_create(m, t, &p, &tro));
    bimt_trainer_params_init(&p);
    p.struct_size = (uint32_t)sizeof p + 4;
    EXPECT_FAIL(bimt_trainer_create(m, t, &p, &tro));
    ck_assert_ptr_null(tro);
    EXPECT_FAIL(bimt_trainer_get_params(NULL, &p));
    EXPECT_FAIL(bimt_trainer_set_param(tr, 999, 1.0));
    EXPECT_FAIL(bimt_trainer_set_param(tr, BIMT_TP_LEARNING_RATE, -1.0));
    EXPECT_FAIL(bimt_trainer_set_param(NULL, BIMT_TP_LAMBDA, 1.0));
    EXPECT_FAIL(bimt_trainer_step(NULL, NULL));
    EXPECT_FAIL(bimt_trainer_run(NULL, 1, NULL, NULL));
    EXPECT_FAIL(bimt_trainer_evaluate(tr, 0, d));
    EXPECT_FAIL(bimt_trainer_evaluate(NULL, 4, d));
    EXPECT_FAIL(bimt_trainer_last_eval(tr, d)); /* no evaluation yet */
    EXPECT_FAIL(bimt_trainer_last_eval(NULL, d));
    EXPECT_FAIL(bimt_trainer_save(NULL, "/tmp/x.npz"));
    EXPECT_FAIL(bimt_trainer_save(tr, NULL));
    EXPECT_FAIL(bimt_trainer_save(tr, "/nonexistent/folder/ck.npz"));
    EXPECT_FAIL(bimt_checkpoint_load(NULL, &mo, &to, &tro));
    EXPECT_FAIL(bimt_checkpoint_load("/nonexistent/ck.npz", &mo, &to, &tro));
    EXPECT_FAIL(bimt_checkpoint_load("/nonexistent/ck.npz", NULL, &to, &tro));

    /* analysis.h */
    float tv[BIMT_N_RULES * 9];
    memset(tv, 0, sizeof tv);
    ck_assert_uint_eq(nh, 9);
    EXPECT_FAIL(bimt_task_variance(NULL, t, tv));
    EXPECT_FAIL(bimt_task_variance(m, NULL, tv));
    EXPECT_FAIL(bimt_task_variance(m, t, NULL));
    EXPECT_FAIL(bimt_important_neurons(NULL, BIMT_N_RULES, (uint32_t)nh, 1e-3, imp, NULL));
    EXPECT_FAIL(bimt_important_neurons(tv, 0, (uint32_t)nh, 1e-3, imp, NULL));
    EXPECT_FAIL(bimt_important_neurons(tv, BIMT_N_RULES, (uint32_t)nh, -1.0, imp, NULL));
    EXPECT_FAIL(bimt_important_neurons(tv, BIMT_N_RULES, (uint32_t)nh, 1e-3, NULL, NULL));
    tv[3] = -1.0f;
    EXPECT_FAIL(bimt_important_neurons(tv, BIMT_N_RULES, (uint32_t)nh, 1e-3, imp, NULL));
    tv[3] = 0.0f;
    EXPECT_FAIL(bimt_normalize_task_variance(tv, BIMT_N_RULES, (uint32_t)nh, 1e-3, 0, NULL));
    EXPECT_FAIL(bimt_normalize_task_variance(NULL, BIMT_N_RULES, (uint32_t)nh, 1e-3, 0, buf));
    bimt_cluster_params cl;
    bimt_cluster_params_init(&cl);
    EXPECT_FAIL(bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)nh, &cl, NULL, NULL, NULL));
    cl.k_min = 1;
    EXPECT_FAIL(
        bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)nh, &cl, labels, NULL, NULL));
    bimt_cluster_params_init(&cl);
    cl.tol = -1.0;
    EXPECT_FAIL(
        bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)nh, &cl, labels, NULL, NULL));
    bimt_cluster_params_init(&cl);
    cl.struct_size = (uint32_t)sizeof cl + 8;
    EXPECT_FAIL(
        bimt_cluster_task_variance(tv, BIMT_N_RULES, (uint32_t)nh, &cl, labels, NULL, NULL));
    bimt_anatomy an;
    an.struct_size = (uint32_t)sizeof an; /* an output struct */
    for (size_t k = 0; k < nh; k++)
        labels[k] = -1;
    EXPECT_FAIL(bimt_anatomy_metrics(NULL, labels, 0, 1, &an, NULL, NULL));
    EXPECT_FAIL(bimt_anatomy_metrics(m, labels, 0, 1, NULL, NULL, NULL));
    labels[2] = 99;
    EXPECT_FAIL(bimt_anatomy_metrics(m, labels, 0, 1, &an, NULL, NULL));
    labels[2] = -1;
    ck_assert_int_eq(bimt_anatomy_metrics(m, labels, 0, 1, &an, NULL, NULL), BIMT_OK);
    ck_assert_uint_eq(an.struct_size, sizeof an);
    bimt_centrality cen;
    cen.struct_size = (uint32_t)sizeof cen; /* an output struct */
    EXPECT_FAIL(bimt_centrality_metrics(NULL, imp, 0, 1, &cen, NULL));
    EXPECT_FAIL(bimt_centrality_metrics(m, NULL, 0, 1, &cen, NULL));
    EXPECT_FAIL(bimt_centrality_metrics(m, imp, 0, 1, NULL, NULL));
    bimt_wiring w;
    w.struct_size = (uint32_t)sizeof w; /* an output struct */
    EXPECT_FAIL(bimt_wiring_stats(NULL, NULL, 1e-3, 0.01, &w));
    EXPECT_FAIL(bimt_wiring_stats(m, NULL, 1e-3, -0.01, &w));
    EXPECT_FAIL(bimt_wiring_stats(m, NULL, 1e-3, 0.01, NULL));
    ck_assert_int_eq(bimt_wiring_stats(m, NULL, 1e-3, 0.01, &w), BIMT_OK);
    ck_assert_uint_eq(w.struct_size, sizeof w);
    EXPECT_FAIL(bimt_weight_distance_profile(NULL, 4, d, u));
    EXPECT_FAIL(bimt_weight_distance_profile(m, 0, d, u));
    EXPECT_FAIL(bimt_weight_distance_profile(m, 4, NULL, u));

    /* report.h */
    EXPECT_FAIL(bimt_report_write(NULL, m, t, tr, NULL, 0));
    EXPECT_FAIL(bimt_report_write("/tmp/bimt_err_report", NULL, t, tr, NULL, 0));
    EXPECT_FAIL(bimt_report_write("/tmp/bimt_err_report", m, NULL, tr, NULL, 0));
    EXPECT_FAIL(bimt_report_write("/tmp/bimt_err_report", m, t, tr, NULL, 100000000u));
    bimt_cluster_params_init(&cl);
    cl.struct_size = (uint32_t)sizeof cl + 8;
    EXPECT_FAIL(bimt_report_write("/tmp/bimt_err_report", m, t, tr, &cl, 0));

    /* plot.h */
    const char *bad = "/nonexistent/folder/fig.svg";
    double perf[BIMT_N_RULES];
    for (int r = 0; r < BIMT_N_RULES; r++)
        perf[r] = 0.5;
    EXPECT_FAIL(bimt_plot_network(NULL, NULL, 0.0, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_network(m, NULL, (double)NAN, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_network(m, NULL, 0.0, bad));
    EXPECT_FAIL(bimt_plot_task_variance(NULL, BIMT_N_RULES, (uint32_t)nh, NULL, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_task_variance(tv, 0, (uint32_t)nh, NULL, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_task_variance(tv, BIMT_N_RULES, (uint32_t)nh, NULL, bad));
    EXPECT_FAIL(bimt_plot_clusters_grid(m, NULL, NULL, 0, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_clusters_grid(m, labels, NULL, 0, bad));
    EXPECT_FAIL(bimt_plot_performance(NULL, 0.9, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_performance(perf, 2.0, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_performance(perf, 0.9, bad));
    EXPECT_FAIL(bimt_plot_importance_grid(m, tv, BIMT_N_RULES, 0.0, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_importance_grid(NULL, tv, BIMT_N_RULES, 1e-3, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_weight_distance(NULL, NULL, 4, 3, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_weight_distance(d, NULL, 4, 0, "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_null((double)NAN, NULL, 0, -1.0, "t", "x", "/tmp/x.svg"));
    EXPECT_FAIL(bimt_plot_null(0.5, NULL, 0, -1.0, "t", "x", bad));
    EXPECT_FAIL(bimt_plot_null(0.5, NULL, 0, -1.0, "t", "x", NULL));

    fixture_free(&f);
}
END_TEST

/* The per-handle message stays as a convenience and agrees with the thread-local one. */
START_TEST(handle_message_agrees)
{
    struct fixture f;
    fixture_make(&f);
    bimt_clear_error();
    ck_assert_int_eq(bimt_task_sample(f.task, 99, 4, &(bimt_batch){0}), BIMT_E_INVALID_ARG);
    ck_assert_str_eq(bimt_task_errmsg(f.task), bimt_last_error());
    bimt_clear_error();
    ck_assert_int_eq(bimt_model_set_slots(f.model, NULL, 9), BIMT_E_INVALID_ARG);
    ck_assert_str_eq(bimt_model_errmsg(f.model), bimt_last_error());
    /* success leaves the message alone (as libgit2's git_error_last()) */
    ck_assert_int_eq(bimt_model_set_slots(f.model, bimt_model_slots(f.model), 9), BIMT_OK);
    ck_assert_str_eq(bimt_model_errmsg(f.model), bimt_last_error());
    fixture_free(&f);
}
END_TEST

static void *fail_on_other_thread(void *arg)
{
    (void)arg;
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = 999;
    bimt_model_t *m = NULL;
    int rc = bimt_model_create(&p, &m);
    return (rc < 0 && strstr(bimt_last_error(), "999")) ? (void *)1 : NULL;
}

START_TEST(message_is_per_thread)
{
    bimt_clear_error();
    ck_assert_int_lt(bimt_rule_index("nope"), 0);
    char mine[512];
    snprintf(mine, sizeof mine, "%s", bimt_last_error());
    pthread_t th;
    void *ok = NULL;
    ck_assert_int_eq(pthread_create(&th, NULL, fail_on_other_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(th, &ok), 0);
    ck_assert_ptr_nonnull(ok);
    ck_assert_str_eq(bimt_last_error(), mine);
}
END_TEST

/* A caller built against an older, smaller params struct: the fields it lacks get their
 * defaults (what the caller wrote beyond its struct_size is never read). */
START_TEST(smaller_params_get_defaults_for_the_tail)
{
    bimt_model_params p;
    bimt_model_params_init(&p);
    p.grid_side = 4;
    p.seed = 12345; /* beyond the pretended size: must be ignored */
    p.struct_size = (uint32_t)offsetof(bimt_model_params, seed);
    bimt_model_t *m = NULL;
    ck_assert_int_eq(bimt_model_create(&p, &m), BIMT_OK);
    bimt_model_params got;
    got.struct_size = (uint32_t)sizeof got; /* an output struct */
    ck_assert_int_eq(bimt_model_get_params(m, &got), BIMT_OK);
    ck_assert_uint_eq(got.struct_size, sizeof got);
    ck_assert_uint_eq(got.grid_side, 4);
    ck_assert_uint_eq(got.seed, 1);
    bimt_model_free(m);

    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    tp.seed = 99;
    tp.struct_size = (uint32_t)offsetof(bimt_task_params, seed);
    bimt_task_t *t = NULL;
    ck_assert_int_eq(bimt_task_create(&tp, &t), BIMT_OK);
    bimt_task_params tgot;
    tgot.struct_size = (uint32_t)sizeof tgot; /* an output struct */
    ck_assert_int_eq(bimt_task_get_params(t, &tgot), BIMT_OK);
    ck_assert_uint_eq(tgot.n_eachring, 8);
    ck_assert_uint_eq(tgot.seed, 1);
    bimt_task_free(t);

    bimt_adam_options o;
    bimt_adam_options_init(&o);
    o.lr = 0.5;
    o.grad_clip = 3.0;
    o.struct_size = (uint32_t)offsetof(bimt_adam_options, grad_clip);
    bimt_optimizer_t *opt = NULL;
    ck_assert_int_eq(bimt_adam_create(2, &o, &opt), BIMT_OK);
    float x[2] = {0, 0}, g[2] = {100.0f, -100.0f};
    ck_assert_int_eq(bimt_adam_step(opt, x, g), BIMT_OK); /* no clip: step is -lr * sign */
    ck_assert(fabs((double)x[0] + 0.5) < 1e-5 && fabs((double)x[1] - 0.5) < 1e-5);
    bimt_optimizer_free(opt);
}
END_TEST

START_TEST(enum_names)
{
    ck_assert_str_eq(bimt_activation_name(BIMT_ACT_SOFTPLUS), "softplus");
    ck_assert_str_eq(bimt_activation_name(BIMT_ACT_TANH), "tanh");
    ck_assert_ptr_null(bimt_activation_name(3));
    ck_assert_str_eq(bimt_init_name(BIMT_INIT_RANDORTHO), "randortho");
    ck_assert_ptr_null(bimt_init_name(-1));
    ck_assert_str_eq(bimt_tensor_name(BIMT_B_O), "b_o");
    ck_assert_ptr_null(bimt_tensor_name(5));
    ck_assert_str_eq(bimt_io_layout_name(BIMT_IO_EDGES), "edges");
    ck_assert_str_eq(bimt_io_layout_name(BIMT_IO_NONE), "none");
    ck_assert_ptr_null(bimt_io_layout_name(2));
    ck_assert_str_eq(bimt_loss_name(BIMT_LOSS_CROSS_ENTROPY), "cross_entropy");
    ck_assert_ptr_null(bimt_loss_name(2));
    ck_assert_str_eq(bimt_arm_name(BIMT_ARM_L1), "l1");
    ck_assert_ptr_null(bimt_arm_name(3));
    ck_assert_str_eq(bimt_trainer_key_name(BIMT_TP_EASY_TRAIN), "easy_train");
    ck_assert_ptr_null(bimt_trainer_key_name(8));
    ck_assert_str_eq(bimt_rule_name(BIMT_RULE_DMCNOGO), "dmcnogo");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("errors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, model_create_grid_side_0);
    tcase_add_test(tc, every_fallible_call_sets_the_message);
    tcase_add_test(tc, handle_message_agrees);
    tcase_add_test(tc, message_is_per_thread);
    tcase_add_test(tc, smaller_params_get_defaults_for_the_tail);
    tcase_add_test(tc, enum_names);
    suite_add_tcase(s, tc);
    return bimt_test_run(s);
}
