/* Bad inputs, table-driven (issue 19, item 3): every fallible call of task.h, model.h,
 * optim.h, regularizer.h, swap.h and trainer.h, given one bad argument at a time, returns the
 * expected code with a bimt_last_error() message naming the argument, and changes no handle
 * (tests/bad_inputs.h). The analysis, graph, lesion, plot, report and sweep calls are in
 * tests/test_bad_inputs_analysis.c. */
#include "bad_inputs.h"

static bimt_task_params TP(void)
{
    bimt_task_params p;
    bimt_task_params_init(&p);
    p.n_eachring = 4;
    return p;
}
#define TASKP(stmt)                                                                                \
    bimt_task_params p = TP();                                                                     \
    stmt;                                                                                          \
    return bimt_task_create(&p, &f->ot);

static bimt_model_params MP(const fx *f)
{
    bimt_model_params p;
    bimt_test_model_params(&p, f->t, 3);
    return p;
}
#define MODELP(stmt)                                                                               \
    bimt_model_params p = MP(f);                                                                   \
    stmt;                                                                                          \
    return bimt_model_create(&p, &f->om);
/* caller positions: 4 slots in 2 dimensions */
#define POSP(stmt)                                                                                 \
    double pos[8] = {0, 0, 0, 1, 1, 0, 1, 1};                                                      \
    bimt_model_params p = MP(f);                                                                   \
    p.positions = pos;                                                                             \
    p.n_slots = 4;                                                                                 \
    p.dim = 2;                                                                                     \
    stmt;                                                                                          \
    return bimt_model_create(&p, &f->om);

/* a host batch of 2 steps x 2 trials x n_out 5 scored on f->buf */
#define PERFB(stmt)                                                                                \
    bimt_batch b;                                                                                  \
    memset(&b, 0, sizeof b);                                                                       \
    b.struct_size = (uint32_t)sizeof b;                                                            \
    b.rule = -1;                                                                                   \
    b.n_steps = 2;                                                                                 \
    b.batch_size = 2;                                                                              \
    b.n_in = bimt_task_n_in(f->t);                                                                 \
    b.n_out = 5;                                                                                   \
    b.x = b.y = b.mask = f->buf;                                                                   \
    b.y_loc = f->buf2;                                                                             \
    stmt;                                                                                          \
    return bimt_task_performance(&b, f->buf, BIMT_LOSS_MSE, NULL, NULL);

#define OUTB                                                                                       \
    bimt_batch b;                                                                                  \
    b.struct_size = (uint32_t)sizeof b;

#define ADAMP(stmt)                                                                                \
    bimt_adam_options o;                                                                           \
    bimt_adam_options_init(&o);                                                                    \
    stmt;                                                                                          \
    return bimt_adam_create(16, &o, &f->oopt);

/* per-parameter steps, all valid (0.01) unless stmt changes one */
#define PROX(lambda, A, stmt)                                                                      \
    for (size_t i = 0; i < f->np; i++)                                                             \
        f->buf2[i] = 0.01f;                                                                        \
    stmt;                                                                                          \
    return bimt_model_connection_cost_prox(f->m, lambda, A, f->buf2, f->np, NULL);

#define SWAPP(stmt)                                                                                \
    bimt_swap_params p;                                                                            \
    bimt_swap_params_init(&p);                                                                     \
    stmt;                                                                                          \
    return bimt_model_swap(f->m, &p, NULL);

static bimt_trainer_params TRP(void)
{
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 4;
    p.eval_interval = 0;
    return p;
}
#define TRAINP(stmt)                                                                               \
    bimt_trainer_params p = TRP();                                                                 \
    stmt;                                                                                          \
    return bimt_trainer_create(f->m, f->t, &p, &f->otr);
#define SETP(key, value) return bimt_trainer_set_param(f->tr, key, value);

#define NAN_ ((double)NAN)
#define INF_ ((double)INFINITY)

/* clang-format off */
#define CASES(X) \
    /* task.h */ \
    X(rule_index_null, INV, "name", return bimt_rule_index(NULL);) \
    X(rule_index_unknown, INV, "nosuchrule", return bimt_rule_index("nosuchrule");) \
    X(task_create_out_null, INV, "out", bimt_task_params p = TP(); return bimt_task_create(&p, NULL);) \
    X(task_create_struct_size_0, VER, "struct_size", TASKP(p.struct_size = 0)) \
    X(task_create_struct_size_big, VER, "struct_size", TASKP(p.struct_size = (uint32_t)sizeof p + 8)) \
    X(task_create_n_eachring_0, INV, "n_eachring", TASKP(p.n_eachring = 0)) \
    X(task_create_n_eachring_3, INV, "n_eachring", TASKP(p.n_eachring = 3)) \
    X(task_create_n_eachring_1025, INV, "n_eachring", TASKP(p.n_eachring = 1025)) \
    X(task_create_n_eachring_max, INV, "4294967295", TASKP(p.n_eachring = UINT32_MAX)) \
    X(task_create_dt_nan, INV, "dt", TASKP(p.dt_ms = NAN_)) \
    X(task_create_dt_inf, INV, "dt", TASKP(p.dt_ms = INF_)) \
    X(task_create_dt_neg, INV, "dt", TASKP(p.dt_ms = -20)) \
    X(task_create_dt_0, INV, "dt", TASKP(p.dt_ms = 0)) \
    X(task_create_dt_small, INV, "dt", TASKP(p.dt_ms = 0.5)) \
    X(task_create_dt_large, INV, "dt", TASKP(p.dt_ms = 201; p.tau_ms = 1000)) \
    X(task_create_tau_nan, INV, "tau", TASKP(p.tau_ms = NAN_)) \
    X(task_create_tau_inf, INV, "tau", TASKP(p.tau_ms = INF_)) \
    X(task_create_tau_neg, INV, "tau", TASKP(p.tau_ms = -100)) \
    X(task_create_dt_above_tau, INV, "tau", TASKP(p.dt_ms = 50; p.tau_ms = 40)) \
    X(task_create_sigma_x_nan, INV, "sigma_x", TASKP(p.sigma_x = NAN_)) \
    X(task_create_sigma_x_inf, INV, "sigma_x", TASKP(p.sigma_x = INF_)) \
    X(task_create_sigma_x_neg, INV, "sigma_x", TASKP(p.sigma_x = -0.01)) \
    X(task_create_loss_2, INV, "loss", TASKP(p.loss = 2)) \
    X(task_create_loss_neg, INV, "loss", TASKP(p.loss = -1)) \
    X(task_create_rule_mask_bit20, INV, "rule_mask", TASKP(p.rule_mask = 1u << 20)) \
    X(task_create_rule_mask_all, INV, "rule_mask", TASKP(p.rule_mask = UINT32_MAX)) \
    X(task_create_input_noise_2, INV, "input_noise", TASKP(p.input_noise = 2)) \
    X(task_create_input_noise_max, INV, "input_noise", TASKP(p.input_noise = UINT32_MAX)) \
    X(task_create_easy_task_2, INV, "easy_task", TASKP(p.easy_task = 2)) \
    X(task_get_params_task_null, INV, "task", bimt_task_params p; p.struct_size = (uint32_t)sizeof p; return bimt_task_get_params(NULL, &p);) \
    X(task_get_params_p_null, INV, "p", return bimt_task_get_params(f->t, NULL);) \
    X(task_get_params_struct_size_0, VER, "struct_size", bimt_task_params p; p.struct_size = 0; return bimt_task_get_params(f->t, &p);) \
    X(task_sample_task_null, INV, "task", OUTB return bimt_task_sample(NULL, 0, 4, &b);) \
    X(task_sample_rule_neg, INV, "rule", OUTB return bimt_task_sample(f->t, -1, 4, &b);) \
    X(task_sample_rule_20, INV, "rule", OUTB return bimt_task_sample(f->t, BIMT_N_RULES, 4, &b);) \
    X(task_sample_batch_0, INV, "batch_size", OUTB return bimt_task_sample(f->t, 0, 0, &b);) \
    X(task_sample_batch_big, INV, "batch_size", OUTB return bimt_task_sample(f->t, 0, BIMT_MAX_BATCH + 1, &b);) \
    X(task_sample_batch_max, INV, "4294967295", OUTB return bimt_task_sample(f->t, 0, UINT32_MAX, &b);) \
    X(task_sample_out_null, INV, "out", return bimt_task_sample(f->t, 0, 4, NULL);) \
    X(task_sample_struct_size_0, VER, "struct_size", OUTB b.struct_size = 0; return bimt_task_sample(f->t, 0, 4, &b);) \
    X(task_sample_test_task_null, INV, "task", OUTB return bimt_task_sample_test(NULL, 0, &b);) \
    X(task_sample_test_rule_neg, INV, "rule", OUTB return bimt_task_sample_test(f->t, -1, &b);) \
    X(task_sample_test_rule_20, INV, "rule", OUTB return bimt_task_sample_test(f->t, BIMT_N_RULES, &b);) \
    X(task_sample_test_out_null, INV, "out", return bimt_task_sample_test(f->t, 0, NULL);) \
    X(task_sample_test_struct_size_0, VER, "struct_size", OUTB b.struct_size = 0; return bimt_task_sample_test(f->t, 0, &b);) \
    X(task_performance_batch_null, INV, "batch", return bimt_task_performance(NULL, f->buf, BIMT_LOSS_MSE, NULL, NULL);) \
    X(task_performance_outputs_null, INV, "outputs", bimt_batch b; memset(&b, 0, sizeof b); b.struct_size = (uint32_t)sizeof b; b.n_steps = b.batch_size = 2; b.n_out = 5; b.y_loc = f->buf2; return bimt_task_performance(&b, NULL, BIMT_LOSS_MSE, NULL, NULL);) \
    X(task_performance_y_loc_null, INV, "y_loc", PERFB(b.y_loc = NULL)) \
    X(task_performance_n_out_1, INV, "n_out", PERFB(b.n_out = 1)) \
    X(task_performance_n_out_big, INV, "n_out", PERFB(b.n_out = 65537)) \
    X(task_performance_batch_0, INV, "batch_size", PERFB(b.batch_size = 0)) \
    X(task_performance_batch_big, INV, "batch_size", PERFB(b.batch_size = (1u << 20) + 1)) \
    X(task_performance_n_steps_0, INV, "n_steps", PERFB(b.n_steps = 0)) \
    X(task_performance_n_steps_big, INV, "n_steps", PERFB(b.n_steps = (1u << 20) + 1)) \
    X(task_performance_loss_2, INV, "loss", bimt_batch b; memset(&b, 0, sizeof b); b.struct_size = (uint32_t)sizeof b; b.n_steps = b.batch_size = 2; b.n_out = 5; b.y_loc = f->buf2; return bimt_task_performance(&b, f->buf, 2, NULL, NULL);) \
    X(task_performance_loss_neg, INV, "loss", bimt_batch b; memset(&b, 0, sizeof b); b.struct_size = (uint32_t)sizeof b; b.n_steps = b.batch_size = 2; b.n_out = 5; b.y_loc = f->buf2; return bimt_task_performance(&b, f->buf, -1, NULL, NULL);) \
    /* model.h */ \
    X(model_create_out_null, INV, "out", bimt_model_params p = MP(f); return bimt_model_create(&p, NULL);) \
    X(model_create_struct_size_0, VER, "struct_size", MODELP(p.struct_size = 0)) \
    X(model_create_struct_size_big, VER, "struct_size", MODELP(p.struct_size = (uint32_t)sizeof p + 8)) \
    X(model_create_grid_side_0, INV, "grid_side", MODELP(p.grid_side = 0)) \
    X(model_create_grid_side_257, INV, "grid_side", MODELP(p.grid_side = BIMT_MAX_GRID_SIDE + 1)) \
    X(model_create_grid_side_max, INV, "4294967295", MODELP(p.grid_side = UINT32_MAX)) \
    X(model_create_n_in_0, INV, "n_in", MODELP(p.n_in = 0)) \
    X(model_create_w_in_cost_neg, INV, "w_in_cost", MODELP(p.w_in_cost = -1.0)) \
    X(model_create_w_out_cost_nan, INV, "w_out_cost", MODELP(p.w_out_cost = NAN_)) \
    X(model_create_w_out_cost_big, INV, "w_out_cost", MODELP(p.w_out_cost = 2e6)) \
    X(model_create_n_in_big, INV, "n_in", MODELP(p.n_in = BIMT_MAX_IO + 1)) \
    X(model_create_n_out_0, INV, "n_out", MODELP(p.n_out = 0)) \
    X(model_create_n_out_big, INV, "n_out", MODELP(p.n_out = BIMT_MAX_IO + 1)) \
    X(model_create_activation_3, INV, "activation", MODELP(p.activation = 3)) \
    X(model_create_activation_neg, INV, "activation", MODELP(p.activation = -1)) \
    X(model_create_alpha_0, INV, "alpha", MODELP(p.alpha = 0)) \
    X(model_create_alpha_above_1, INV, "alpha", MODELP(p.alpha = 1.5)) \
    X(model_create_alpha_nan, INV, "alpha", MODELP(p.alpha = NAN_)) \
    X(model_create_alpha_inf, INV, "alpha", MODELP(p.alpha = INF_)) \
    X(model_create_alpha_neg, INV, "alpha", MODELP(p.alpha = -0.2)) \
    X(model_create_sigma_rec_nan, INV, "sigma_rec", MODELP(p.sigma_rec = NAN_)) \
    X(model_create_sigma_rec_inf, INV, "sigma_rec", MODELP(p.sigma_rec = INF_)) \
    X(model_create_sigma_rec_neg, INV, "sigma_rec", MODELP(p.sigma_rec = -1)) \
    X(model_create_init_3, INV, "init", MODELP(p.init = 3)) \
    X(model_create_init_neg, INV, "init", MODELP(p.init = -1)) \
    X(model_create_init_scale_nan, INV, "init_scale", MODELP(p.init_scale = NAN_)) \
    X(model_create_init_scale_inf, INV, "init_scale", MODELP(p.init_scale = INF_)) \
    X(model_create_init_scale_neg, INV, "init_scale", MODELP(p.init_scale = -0.5)) \
    X(model_create_loss_2, INV, "loss", MODELP(p.loss = 2)) \
    X(model_create_loss_neg, INV, "loss", MODELP(p.loss = -1)) \
    X(model_create_io_layout_2, INV, "io_layout", MODELP(p.io_layout = 2)) \
    X(model_create_distance_2, INV, "distance", MODELP(p.distance = 2)) \
    X(model_create_neighbours_big, INV, "neighbours", MODELP(p.neighbours = BIMT_MAX_HIDDEN + 1)) \
    X(model_create_n_slots_0, INV, "n_slots", POSP(p.n_slots = 0)) \
    X(model_create_n_slots_big, INV, "n_slots", POSP(p.n_slots = BIMT_MAX_HIDDEN + 1)) \
    X(model_create_dim_0, INV, "dim", POSP(p.dim = 0)) \
    X(model_create_dim_4, INV, "dim", POSP(p.dim = BIMT_MAX_DIM + 1)) \
    X(model_create_positions_nan, INV, "positions", POSP(pos[3] = NAN_)) \
    X(model_create_positions_inf, INV, "positions", POSP(pos[5] = -INF_)) \
    X(model_create_positions_io_layout, INV, "io_layout", POSP(p.io_layout = BIMT_IO_EDGES)) \
    X(model_clone_model_null, INV, "model", return bimt_model_clone(NULL, &f->om);) \
    X(model_clone_out_null, INV, "out", return bimt_model_clone(f->m, NULL);) \
    X(model_get_params_model_null, INV, "model", bimt_model_params p; p.struct_size = (uint32_t)sizeof p; return bimt_model_get_params(NULL, &p);) \
    X(model_get_params_p_null, INV, "p", return bimt_model_get_params(f->m, NULL);) \
    X(model_get_params_struct_size_0, VER, "struct_size", bimt_model_params p; p.struct_size = 0; return bimt_model_get_params(f->m, &p);) \
    X(model_tensor_model_null, INV, "model", const float *d = NULL; return bimt_model_tensor(NULL, BIMT_W_REC, &d, NULL, NULL, NULL);) \
    X(model_tensor_which_5, INV, "tensor", const float *d = NULL; return bimt_model_tensor(f->m, 5, &d, NULL, NULL, NULL);) \
    X(model_tensor_which_neg, INV, "tensor", const float *d = NULL; return bimt_model_tensor(f->m, -1, &d, NULL, NULL, NULL);) \
    X(model_set_slots_model_null, INV, "model", return bimt_model_set_slots(NULL, f->slots, f->nh);) \
    X(model_set_slots_slots_null, INV, "slots", return bimt_model_set_slots(f->m, NULL, f->nh);) \
    X(model_set_slots_n_0, INV, "n", return bimt_model_set_slots(f->m, f->slots, 0);) \
    X(model_set_slots_n_big, INV, "n", return bimt_model_set_slots(f->m, f->slots, f->nh + 1);) \
    X(model_set_slots_n_max, INV, "n", return bimt_model_set_slots(f->m, f->slots, SIZE_MAX);) \
    X(model_set_slots_repeated, INV, "slots", uint32_t s[9]; memcpy(s, bimt_model_slots(f->m), sizeof s); s[1] = s[0]; return bimt_model_set_slots(f->m, s, f->nh);) \
    X(model_set_slots_out_of_range, INV, "slots", uint32_t s[9]; memcpy(s, bimt_model_slots(f->m), sizeof s); s[8] = 9; return bimt_model_set_slots(f->m, s, f->nh);) \
    X(model_set_silenced_model_null, INV, "model", return bimt_model_set_silenced(NULL, f->imp, f->nh);) \
    X(model_set_silenced_n_0, INV, "n", return bimt_model_set_silenced(f->m, f->imp, 0);) \
    X(model_set_silenced_n_big, INV, "n", return bimt_model_set_silenced(f->m, f->imp, f->nh + 1);) \
    X(model_forward_model_null, INV, "model", return bimt_model_forward(NULL, f->buf, 1, 1, 0);) \
    X(model_forward_x_null, INV, "x", return bimt_model_forward(f->m, NULL, 1, 1, 0);) \
    X(model_forward_n_steps_0, INV, "n_steps", return bimt_model_forward(f->m, f->buf, 0, 1, 0);) \
    X(model_forward_batch_0, INV, "batch_size", return bimt_model_forward(f->m, f->buf, 1, 0, 0);) \
    X(model_forward_n_steps_big, INV, "n_steps", return bimt_model_forward(f->m, f->buf, BIMT_MAX_STEPS + 1, 1, 0);) \
    X(model_forward_batch_big, INV, "batch_size", return bimt_model_forward(f->m, f->buf, 1, BIMT_MAX_BATCH + 1, 0);) \
    X(model_forward_product, INV, "n_steps", return bimt_model_forward(f->m, f->buf, BIMT_MAX_STEPS, BIMT_MAX_BATCH, 0);) \
    X(model_forward_flags_2, INV, "flags", return bimt_model_forward(f->m, f->buf, 1, 1, 2);) \
    X(model_forward_flags_max, INV, "flags", return bimt_model_forward(f->m, f->buf, 1, 1, UINT32_MAX);) \
    X(model_states_model_null, INV, "model", const float *h = NULL; return bimt_model_states(NULL, &h);) \
    X(model_states_h_null, INV, "h", return bimt_model_states(f->m, NULL);) \
    X(model_outputs_model_null, INV, "model", const float *o = NULL; return bimt_model_outputs(NULL, &o);) \
    X(model_outputs_o_null, INV, "o", return bimt_model_outputs(f->m, NULL);) \
    X(model_loss_model_null, INV, "model", double l; return bimt_model_loss(NULL, f->buf, f->buf, &l);) \
    X(model_loss_y_null, INV, "y is NULL", double l; return bimt_model_loss(f->m, NULL, f->buf, &l);) \
    X(model_loss_mask_null, INV, "mask is NULL", double l; return bimt_model_loss(f->m, f->buf, NULL, &l);) \
    X(model_loss_loss_null, INV, "loss is NULL", return bimt_model_loss(f->m, f->buf, f->buf, NULL);) \
    X(model_backward_model_null, INV, "model", return bimt_model_backward(NULL, NULL);) \
    X(model_distance_model_null, INV, "model", return bimt_model_distance(NULL, 0, 0) == -1.0 ? INV : 0;) \
    X(model_distance_i_big, INV, "i (9)", return bimt_model_distance(f->m, 9, 0) == -1.0 ? INV : 0;) \
    X(model_distance_j_max, INV, "j (4294967295)", return bimt_model_distance(f->m, 0, UINT32_MAX) == -1.0 ? INV : 0;) \
    X(model_io_distance_model_null, INV, "model", return bimt_model_io_distance(NULL, 0, 0, 0) == -1.0 ? INV : 0;) \
    X(model_io_distance_output_2, INV, "output", return bimt_model_io_distance(f->m, 2, 0, 0) == -1.0 ? INV : 0;) \
    X(model_io_distance_k_big, INV, "k (9)", return bimt_model_io_distance(f->m, 0, 9, 0) == -1.0 ? INV : 0;) \
    X(model_io_distance_index_big, INV, "n_out", return bimt_model_io_distance(f->m, 1, 0, 5) == -1.0 ? INV : 0;) \
    X(model_weights_grid_order_model_null, INV, "model", return bimt_model_weights_grid_order(NULL, f->buf, NULL, NULL, NULL);) \
    /* optim.h */ \
    X(adam_create_out_null, INV, "out", return bimt_adam_create(16, NULL, NULL);) \
    X(adam_create_n_params_0, INV, "n_params", return bimt_adam_create(0, NULL, &f->oopt);) \
    X(adam_create_n_params_big, INV, "n_params", return bimt_adam_create((size_t)BIMT_MAX_PARAMS + 1, NULL, &f->oopt);) \
    X(adam_create_n_params_max, INV, "n_params", return bimt_adam_create(SIZE_MAX, NULL, &f->oopt);) \
    X(adam_create_struct_size_0, VER, "struct_size", ADAMP(o.struct_size = 0)) \
    X(adam_create_struct_size_big, VER, "struct_size", ADAMP(o.struct_size = (uint32_t)sizeof o + 8)) \
    X(adam_create_lr_0, INV, "lr", ADAMP(o.lr = 0)) \
    X(adam_create_lr_neg, INV, "lr", ADAMP(o.lr = -1e-3)) \
    X(adam_create_lr_nan, INV, "lr", ADAMP(o.lr = NAN_)) \
    X(adam_create_lr_inf, INV, "lr", ADAMP(o.lr = INF_)) \
    X(adam_create_beta1_1, INV, "beta1", ADAMP(o.beta1 = 1)) \
    X(adam_create_beta1_neg, INV, "beta1", ADAMP(o.beta1 = -0.1)) \
    X(adam_create_beta1_nan, INV, "beta1", ADAMP(o.beta1 = NAN_)) \
    X(adam_create_beta2_1, INV, "beta2", ADAMP(o.beta2 = 1)) \
    X(adam_create_beta2_nan, INV, "beta2", ADAMP(o.beta2 = NAN_)) \
    X(adam_create_beta2_inf, INV, "beta2", ADAMP(o.beta2 = INF_)) \
    X(adam_create_eps_0, INV, "eps", ADAMP(o.eps = 0)) \
    X(adam_create_eps_nan, INV, "eps", ADAMP(o.eps = NAN_)) \
    X(adam_create_eps_inf, INV, "eps", ADAMP(o.eps = INF_)) \
    X(adam_create_clip_neg, INV, "grad_clip", ADAMP(o.grad_clip = -1)) \
    X(adam_create_clip_nan, INV, "grad_clip", ADAMP(o.grad_clip = NAN_)) \
    X(adam_create_clip_inf, INV, "grad_clip", ADAMP(o.grad_clip = INF_)) \
    X(adam_step_opt_null, INV, "opt", return bimt_adam_step(NULL, f->buf, f->buf2);) \
    X(adam_step_params_null, INV, "params", return bimt_adam_step(f->opt, NULL, f->buf2);) \
    X(adam_step_grad_null, INV, "grad", return bimt_adam_step(f->opt, f->buf, NULL);) \
    X(adam_set_lr_opt_null, INV, "opt", return bimt_adam_set_lr(NULL, 1e-3);) \
    X(adam_set_lr_0, INV, "lr", return bimt_adam_set_lr(f->opt, 0);) \
    X(adam_set_lr_neg, INV, "lr", return bimt_adam_set_lr(f->opt, -1);) \
    X(adam_set_lr_nan, INV, "lr", return bimt_adam_set_lr(f->opt, NAN_);) \
    X(adam_set_lr_inf, INV, "lr", return bimt_adam_set_lr(f->opt, INF_);) \
    X(adam_set_clip_opt_null, INV, "opt", return bimt_adam_set_clip(NULL, 1);) \
    X(adam_set_clip_neg, INV, "clip", return bimt_adam_set_clip(f->opt, -1);) \
    X(adam_set_clip_nan, INV, "clip", return bimt_adam_set_clip(f->opt, NAN_);) \
    X(adam_set_clip_inf, INV, "clip", return bimt_adam_set_clip(f->opt, INF_);) \
    X(adam_moments_opt_null, INV, "opt", const float *m = NULL; return bimt_adam_moments(NULL, &m, NULL);) \
    X(adam_step_sizes_opt_null, INV, "opt", return bimt_adam_step_sizes(NULL, 16, f->buf);) \
    X(adam_step_sizes_out_null, INV, "out", return bimt_adam_step_sizes(f->opt, 16, NULL);) \
    X(adam_step_sizes_n_0, INV, "n", return bimt_adam_step_sizes(f->opt, 0, f->buf);) \
    X(adam_step_sizes_n_big, INV, "n", return bimt_adam_step_sizes(f->opt, 17, f->buf);) \
    /* regularizer.h */ \
    X(cost_model_null, INV, "model", double v; return bimt_model_connection_cost(NULL, 1e-3, 1, 0, &v);) \
    X(cost_lambda_neg, INV, "lambda", double v; return bimt_model_connection_cost(f->m, -1e-3, 1, 1, &v);) \
    X(cost_lambda_nan, INV, "lambda", double v; return bimt_model_connection_cost(f->m, NAN_, 1, 1, &v);) \
    X(cost_lambda_inf, INV, "lambda", double v; return bimt_model_connection_cost(f->m, INF_, 1, 1, &v);) \
    X(cost_lambda_big, INV, "lambda", double v; return bimt_model_connection_cost(f->m, 2e6, 1, 1, &v);) \
    X(cost_A_neg, INV, "A", double v; return bimt_model_connection_cost(f->m, 1e-3, -1, 1, &v);) \
    X(cost_A_nan, INV, "A", double v; return bimt_model_connection_cost(f->m, 1e-3, NAN_, 1, &v);) \
    X(cost_A_inf, INV, "A", double v; return bimt_model_connection_cost(f->m, 1e-3, INF_, 1, &v);) \
    X(cost_A_big, INV, "A", double v; return bimt_model_connection_cost(f->m, 1e-3, 2e6, 1, &v);) \
    X(cost_add_grad_2, INV, "add_grad", double v; return bimt_model_connection_cost(f->m, 1e-3, 1, 2, &v);) \
    X(distance_cost_model_null, INV, "model", double v; return bimt_model_distance_cost(NULL, 1, &v);) \
    X(distance_cost_value_null, INV, "value", return bimt_model_distance_cost(f->m, 1, NULL);) \
    X(distance_cost_A_neg, INV, "A", double v; return bimt_model_distance_cost(f->m, -1, &v);) \
    X(distance_cost_A_nan, INV, "A", double v; return bimt_model_distance_cost(f->m, NAN_, &v);) \
    X(distance_cost_A_inf, INV, "A", double v; return bimt_model_distance_cost(f->m, INF_, &v);) \
    X(distance_cost_A_big, INV, "A", double v; return bimt_model_distance_cost(f->m, 2e6, &v);) \
    X(prox_model_null, INV, "model", return bimt_model_connection_cost_prox(NULL, 1e-3, 1, f->buf2, f->np, NULL);) \
    X(prox_step_null, INV, "step", return bimt_model_connection_cost_prox(f->m, 1e-3, 1, NULL, f->np, NULL);) \
    X(prox_n_step_0, INV, "n_step", return bimt_model_connection_cost_prox(f->m, 1e-3, 1, f->buf2, 0, NULL);) \
    X(prox_n_step_big, INV, "n_step", return bimt_model_connection_cost_prox(f->m, 1e-3, 1, f->buf2, f->np + 1, NULL);) \
    X(prox_lambda_neg, INV, "lambda", PROX(-1, 1, (void)0)) \
    X(prox_lambda_nan, INV, "lambda", PROX(NAN_, 1, (void)0)) \
    X(prox_lambda_big, INV, "lambda", PROX(2e6, 1, (void)0)) \
    X(prox_A_neg, INV, "A", PROX(1e-3, -1, (void)0)) \
    X(prox_A_inf, INV, "A", PROX(1e-3, INF_, (void)0)) \
    X(prox_A_big, INV, "A", PROX(1e-3, 2e6, (void)0)) \
    X(prox_step_neg, INV, "step", PROX(1e-3, 1, f->buf2[3] = -0.01f)) \
    X(prox_step_nan, INV, "step", PROX(1e-3, 1, f->buf2[4] = (float)NAN)) \
    X(prox_step_inf, INV, "step", PROX(1e-3, 1, f->buf2[5] = (float)INFINITY)) \
    X(activity_model_null, INV, "model", double v; return bimt_model_activity_cost(NULL, 0.1, 0, &v);) \
    X(activity_l1_neg, INV, "l1_h", double v; return bimt_model_activity_cost(f->m, -1, 0, &v);) \
    X(activity_l1_nan, INV, "l1_h", double v; return bimt_model_activity_cost(f->m, NAN_, 0, &v);) \
    X(activity_l2_inf, INV, "l2_h", double v; return bimt_model_activity_cost(f->m, 0, INF_, &v);) \
    X(activity_l2_big, INV, "l2_h", double v; return bimt_model_activity_cost(f->m, 0, 2e6, &v);) \
    /* swap.h */ \
    X(swap_model_null, INV, "model", return bimt_model_swap(NULL, NULL, NULL);) \
    X(swap_struct_size_0, VER, "struct_size", SWAPP(p.struct_size = 0)) \
    X(swap_struct_size_big, VER, "struct_size", SWAPP(p.struct_size = (uint32_t)sizeof p + 8)) \
    X(swap_top_k_0, INV, "top_k", SWAPP(p.top_k = 0)) \
    X(swap_top_k_big, INV, "top_k", SWAPP(p.top_k = BIMT_MAX_HIDDEN + 1)) \
    X(swap_A_neg, INV, "A", SWAPP(p.A = -1)) \
    X(swap_A_nan, INV, "A", SWAPP(p.A = NAN_)) \
    X(swap_A_inf, INV, "A", SWAPP(p.A = INF_)) \
    X(swap_res_struct_size_0, VER, "struct_size", bimt_swap_result r; memset(&r, 0, sizeof r); return bimt_model_swap(f->m, NULL, &r);) \
    /* trainer.h */ \
    X(trainer_create_out_null, INV, "out", bimt_trainer_params p = TRP(); return bimt_trainer_create(f->m, f->t, &p, NULL);) \
    X(trainer_create_model_null, INV, "model", bimt_trainer_params p = TRP(); return bimt_trainer_create(NULL, f->t, &p, &f->otr);) \
    X(trainer_create_task_null, INV, "task", bimt_trainer_params p = TRP(); return bimt_trainer_create(f->m, NULL, &p, &f->otr);) \
    X(trainer_create_struct_size_0, VER, "struct_size", TRAINP(p.struct_size = 0)) \
    X(trainer_create_struct_size_big, VER, "struct_size", TRAINP(p.struct_size = (uint32_t)sizeof p + 8)) \
    X(trainer_create_arm_3, INV, "arm", TRAINP(p.arm = 3)) \
    X(trainer_create_arm_neg, INV, "arm", TRAINP(p.arm = -1)) \
    X(trainer_create_batch_0, INV, "batch_size", TRAINP(p.batch_size = 0)) \
    X(trainer_create_batch_big, INV, "batch_size", TRAINP(p.batch_size = BIMT_MAX_BATCH + 1)) \
    X(trainer_create_lr_0, INV, "learning_rate", TRAINP(p.learning_rate = 0)) \
    X(trainer_create_lr_nan, INV, "learning_rate", TRAINP(p.learning_rate = NAN_)) \
    X(trainer_create_lr_inf, INV, "learning_rate", TRAINP(p.learning_rate = INF_)) \
    X(trainer_create_beta1_1, INV, "beta1", TRAINP(p.beta1 = 1)) \
    X(trainer_create_beta1_nan, INV, "beta1", TRAINP(p.beta1 = NAN_)) \
    X(trainer_create_beta2_1, INV, "beta2", TRAINP(p.beta2 = 1)) \
    X(trainer_create_beta2_neg, INV, "beta2", TRAINP(p.beta2 = -1)) \
    X(trainer_create_eps_0, INV, "eps", TRAINP(p.eps = 0)) \
    X(trainer_create_eps_nan, INV, "eps", TRAINP(p.eps = NAN_)) \
    X(trainer_create_clip_neg, INV, "grad_clip", TRAINP(p.grad_clip = -1)) \
    X(trainer_create_clip_nan, INV, "grad_clip", TRAINP(p.grad_clip = NAN_)) \
    X(trainer_create_clip_inf, INV, "grad_clip", TRAINP(p.grad_clip = INF_)) \
    X(trainer_create_lambda_neg, INV, "lambda", TRAINP(p.lambda = -1)) \
    X(trainer_create_lambda_nan, INV, "lambda", TRAINP(p.lambda = NAN_)) \
    X(trainer_create_lambda_big, INV, "lambda", TRAINP(p.lambda = 2e6)) \
    X(trainer_create_A_neg, INV, "A", TRAINP(p.A = -1)) \
    X(trainer_create_A_nan, INV, "A", TRAINP(p.A = NAN_)) \
    X(trainer_create_A_big, INV, "A", TRAINP(p.A = 2e6)) \
    X(trainer_create_n_schedule_big, INV, "n_schedule", TRAINP(p.n_schedule = BIMT_MAX_SCHEDULE + 1)) \
    X(trainer_create_schedule_step_order, INV, "schedule_step", TRAINP(p.n_schedule = 2; p.schedule_step[0] = 10; p.schedule_step[1] = 5)) \
    X(trainer_create_schedule_lambda_neg, INV, "schedule_lambda", TRAINP(p.n_schedule = 1; p.schedule_lambda[0] = -1)) \
    X(trainer_create_schedule_lambda_nan, INV, "schedule_lambda", TRAINP(p.n_schedule = 1; p.schedule_lambda[0] = NAN_)) \
    X(trainer_create_schedule_lambda_big, INV, "schedule_lambda", TRAINP(p.n_schedule = 1; p.schedule_lambda[0] = 2e6)) \
    X(trainer_create_swap_top_k_0, INV, "swap_top_k", TRAINP(p.swap_top_k = 0)) \
    X(trainer_create_swap_top_k_big, INV, "swap_top_k", TRAINP(p.swap_top_k = BIMT_MAX_HIDDEN + 1)) \
    X(trainer_create_eval_batch_0, INV, "eval_batch", TRAINP(p.eval_interval = 10; p.eval_batch = 0)) \
    X(trainer_create_eval_batch_big, INV, "eval_batch", TRAINP(p.eval_batch = BIMT_MAX_EVAL_TRIALS + 1)) \
    X(trainer_create_rule_weight_neg, INV, "rule_weight", TRAINP(p.rule_weight[3] = -1)) \
    X(trainer_create_rule_weight_nan, INV, "rule_weight", TRAINP(p.rule_weight[4] = NAN_)) \
    X(trainer_create_rule_weight_inf, INV, "rule_weight", TRAINP(p.rule_weight[5] = INF_)) \
    X(trainer_create_rule_weight_sum, INV, "rule weights", TRAINP(for (int r = 0; r < BIMT_N_RULES; r++) p.rule_weight[r] = 1e308)) \
    X(trainer_create_rule_weight_zero, INV, "rule_weight", TRAINP(for (int r = 0; r < BIMT_N_RULES; r++) p.rule_weight[r] = 0)) \
    X(trainer_create_recurrent_noise_2, INV, "recurrent_noise", TRAINP(p.recurrent_noise = 2)) \
    X(trainer_create_l1_proximal_2, INV, "l1_proximal", TRAINP(p.l1_proximal = 2)) \
    X(trainer_create_l1_h_neg, INV, "l1_h", TRAINP(p.l1_h = -1e-3)) \
    X(trainer_create_l2_h_nan, INV, "l2_h", TRAINP(p.l2_h = NAN_)) \
    X(trainer_create_bias_rule_2, INV, "hidden_bias_nonpositive",                              \
      TRAINP(p.hidden_bias_nonpositive = 2))                                                     \
    X(trainer_create_loss_differs, INV, "loss", bimt_trainer_params p = TRP(); return bimt_trainer_create(f->m_ce, f->t, &p, &f->otr);) \
    X(trainer_create_shape_differs, SHP, "n_in", bimt_trainer_params p = TRP(); return bimt_trainer_create(f->m_shape, f->t, &p, &f->otr);) \
    X(trainer_get_params_tr_null, INV, "tr", bimt_trainer_params p; p.struct_size = (uint32_t)sizeof p; return bimt_trainer_get_params(NULL, &p);) \
    X(trainer_get_params_p_null, INV, "p", return bimt_trainer_get_params(f->tr, NULL);) \
    X(trainer_get_params_struct_size_0, VER, "struct_size", bimt_trainer_params p; p.struct_size = 0; return bimt_trainer_get_params(f->tr, &p);) \
    X(set_param_tr_null, INV, "tr", return bimt_trainer_set_param(NULL, BIMT_TP_LAMBDA, 1e-3);) \
    X(set_param_key_neg, INV, "key", SETP(-1, 1)) \
    X(set_param_key_8, INV, "key", SETP(8, 1)) \
    X(set_param_lr_0, INV, "learning_rate", SETP(BIMT_TP_LEARNING_RATE, 0)) \
    X(set_param_lr_neg, INV, "learning_rate", SETP(BIMT_TP_LEARNING_RATE, -1)) \
    X(set_param_lr_nan, INV, "learning_rate", SETP(BIMT_TP_LEARNING_RATE, NAN_)) \
    X(set_param_lr_inf, INV, "learning_rate", SETP(BIMT_TP_LEARNING_RATE, INF_)) \
    X(set_param_lambda_neg, INV, "lambda", SETP(BIMT_TP_LAMBDA, -1)) \
    X(set_param_lambda_nan, INV, "lambda", SETP(BIMT_TP_LAMBDA, NAN_)) \
    X(set_param_lambda_big, INV, "lambda", SETP(BIMT_TP_LAMBDA, 2e6)) \
    X(set_param_A_neg, INV, "A", SETP(BIMT_TP_A, -1)) \
    X(set_param_A_nan, INV, "A", SETP(BIMT_TP_A, NAN_)) \
    X(set_param_A_big, INV, "A", SETP(BIMT_TP_A, 2e6)) \
    X(set_param_swap_interval_neg, INV, "swap_interval", SETP(BIMT_TP_SWAP_INTERVAL, -1)) \
    X(set_param_swap_interval_frac, INV, "swap_interval", SETP(BIMT_TP_SWAP_INTERVAL, 1.5)) \
    X(set_param_swap_interval_big, INV, "swap_interval", SETP(BIMT_TP_SWAP_INTERVAL, 4294967296.0)) \
    X(set_param_swap_interval_nan, INV, "swap_interval", SETP(BIMT_TP_SWAP_INTERVAL, NAN_)) \
    X(set_param_swap_top_k_0, INV, "swap_top_k", SETP(BIMT_TP_SWAP_TOP_K, 0)) \
    X(set_param_swap_top_k_frac, INV, "swap_top_k", SETP(BIMT_TP_SWAP_TOP_K, 2.5)) \
    X(set_param_swap_top_k_big, INV, "swap_top_k", SETP(BIMT_TP_SWAP_TOP_K, BIMT_MAX_HIDDEN + 1.0)) \
    X(set_param_eval_interval_neg, INV, "eval_interval", SETP(BIMT_TP_EVAL_INTERVAL, -1)) \
    X(set_param_eval_interval_frac, INV, "eval_interval", SETP(BIMT_TP_EVAL_INTERVAL, 0.5)) \
    X(set_param_eval_interval_inf, INV, "eval_interval", SETP(BIMT_TP_EVAL_INTERVAL, INF_)) \
    X(set_param_grad_clip_neg, INV, "grad_clip", SETP(BIMT_TP_GRAD_CLIP, -1)) \
    X(set_param_grad_clip_nan, INV, "grad_clip", SETP(BIMT_TP_GRAD_CLIP, NAN_)) \
    X(set_param_grad_clip_inf, INV, "grad_clip", SETP(BIMT_TP_GRAD_CLIP, INF_)) \
    X(set_param_easy_train_2, INV, "easy_train", SETP(BIMT_TP_EASY_TRAIN, 2)) \
    X(set_param_easy_train_neg, INV, "easy_train", SETP(BIMT_TP_EASY_TRAIN, -1)) \
    X(set_param_easy_train_frac, INV, "easy_train", SETP(BIMT_TP_EASY_TRAIN, 0.5)) \
    X(trainer_step_tr_null, INV, "tr", return bimt_trainer_step(NULL, NULL);) \
    X(trainer_step_info_struct_size_0, VER, "struct_size", bimt_step_info i; i.struct_size = 0; return bimt_trainer_step(f->tr, &i);) \
    X(trainer_run_tr_null, INV, "tr", return bimt_trainer_run(NULL, 1, NULL, NULL);) \
    X(trainer_evaluate_tr_null, INV, "tr", return bimt_trainer_evaluate(NULL, 4, f->d);) \
    X(trainer_evaluate_perf_null, INV, "perf", return bimt_trainer_evaluate(f->tr, 4, NULL);) \
    X(trainer_evaluate_trials_0, INV, "trials_per_rule", return bimt_trainer_evaluate(f->tr, 0, f->d);) \
    X(trainer_evaluate_trials_big, INV, "trials_per_rule", return bimt_trainer_evaluate(f->tr, BIMT_MAX_EVAL_TRIALS + 1, f->d);) \
    X(trainer_last_eval_tr_null, INV, "tr", return bimt_trainer_last_eval(NULL, f->d);) \
    X(trainer_last_eval_perf_null, INV, "perf", return bimt_trainer_last_eval(f->tr, NULL);) \
    X(trainer_last_eval_none_yet, BIMT_E_STATE, "evaluation", return bimt_trainer_last_eval(f->tr, f->d);) \
    X(trainer_save_tr_null, INV, "tr", return bimt_trainer_save(NULL, f->path);) \
    X(trainer_save_path_null, INV, "path", return bimt_trainer_save(f->tr, NULL);) \
    X(trainer_save_path_empty, INV, "path", return bimt_trainer_save(f->tr, "");) \
    X(trainer_save_no_folder, BIMT_E_IO, "no/such", return bimt_trainer_save(f->tr, f->missing);) \
    X(checkpoint_load_path_null, INV, "path", return bimt_checkpoint_load(NULL, &f->om, &f->ot, &f->otr);) \
    X(checkpoint_load_model_null, INV, "model", return bimt_checkpoint_load(f->garbage, NULL, &f->ot, &f->otr);) \
    X(checkpoint_load_task_null, INV, "task", return bimt_checkpoint_load(f->garbage, &f->om, NULL, &f->otr);) \
    X(checkpoint_load_tr_null, INV, "tr", return bimt_checkpoint_load(f->garbage, &f->om, &f->ot, NULL);) \
    X(checkpoint_load_missing, BIMT_E_IO, "no/such", return bimt_checkpoint_load(f->missing, &f->om, &f->ot, &f->otr);) \
    X(checkpoint_load_garbage, BIMT_E_FORMAT, "garbage", return bimt_checkpoint_load(f->garbage, &f->om, &f->ot, &f->otr);)
/* clang-format on */

CASES(BAD_DEF)
static const bad_case CASES_TABLE[] = {CASES(BAD_ROW)};

BAD_INPUTS_PROGRAM(CASES_TABLE, bad_inputs, "task, model, optim, regularizer, swap, trainer")
