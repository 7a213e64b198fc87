# Low-level layer: Julia mirrors of libbimt's C structures and one `ccall` wrapper per public
# C function (include/bimt/*.h), with the C names and argument order. Handles are
# Ptr{Cvoid}; `T *` parameters are Ptr{T} or Ref{T}; `const char *` is Cstring; C enums are
# Cint. bindings/julia/check_ccalls.py checks every ccall and struct here against the
# headers and the built library.
#
# Arrays: C buffers are row-major, Julia arrays column-major. A C [rows][cols] buffer is a
# Julia (cols, rows) array with the same memory, e.g. a batch x[T][B][n_in] is a Julia
# Array{Float32,3} of size (n_in, B, T) indexed x[feature, trial, step].

# ----------------------------------------------------------------------------- constants
const N_RULES = 20          # BIMT_N_RULES
const MAX_EPOCHS = 6        # BIMT_MAX_EPOCHS
const MAX_SCHEDULE = 8      # BIMT_MAX_SCHEDULE
const FWD_NOISE = UInt32(1) # BIMT_FWD_NOISE
const PLOT_WEIGHT_THRESHOLD = 1e-2  # BIMT_PLOT_WEIGHT_THRESHOLD
const PLOT_MAX_EDGES = 6000         # BIMT_PLOT_MAX_EDGES

# bimt_status
const OK = Cint(0)
const E_INVALID_ARG = Cint(-1)
const E_NOMEM = Cint(-2)
const E_SHAPE = Cint(-3)
const E_IO = Cint(-4)
const E_FORMAT = Cint(-5)
const E_VERSION = Cint(-6)
const E_NUMERIC = Cint(-7)
const E_STATE = Cint(-8)
const E_UNSUPPORTED = Cint(-9)

# Enum values (C enums are passed as Cint).
const LOSS_MSE = Cint(0)
const LOSS_CROSS_ENTROPY = Cint(1)
const ACT_SOFTPLUS = Cint(0)
const ACT_RELU = Cint(1)
const ACT_TANH = Cint(2)
const INIT_DIAG = Cint(0)
const INIT_RANDORTHO = Cint(1)
const INIT_GAUSS = Cint(2)
const W_REC = Cint(0)
const W_IN = Cint(1)
const W_OUT = Cint(2)
const B_H = Cint(3)
const B_O = Cint(4)
const ARM_BIMT = Cint(0)
const ARM_L1 = Cint(1)
const ARM_NONE = Cint(2)
const TP_LEARNING_RATE = Cint(0)
const TP_LAMBDA = Cint(1)
const TP_A = Cint(2)
const TP_SWAP_INTERVAL = Cint(3)
const TP_SWAP_TOP_K = Cint(4)
const TP_EVAL_INTERVAL = Cint(5)
const TP_GRAD_CLIP = Cint(6)
const TP_EASY_TRAIN = Cint(7)

# ----------------------------------------------------------------------------- structures
# Immutable (isbits) mirrors: same fields, order and C types as the headers.

struct TaskParams
    struct_size::UInt32
    n_eachring::UInt32
    dt_ms::Cdouble
    tau_ms::Cdouble
    sigma_x::Cdouble
    rule_mask::UInt32
    loss::Cint
    input_noise::UInt32
    easy_task::UInt32
    seed::UInt64
end

struct Epoch
    name::Ptr{UInt8}    # static C string (NULL-terminated)
    start::Csize_t
    stop::Csize_t       # C name: end (a Julia keyword)
end

struct CBatch
    struct_size::UInt32
    rule::Int32
    n_steps::Csize_t
    batch_size::Csize_t
    n_in::Csize_t
    n_out::Csize_t
    go_step::Csize_t
    n_epochs::Csize_t
    epochs::NTuple{6,Epoch}
    x::Ptr{Float32}
    y::Ptr{Float32}
    mask::Ptr{Float32}
    y_loc::Ptr{Float32}
end

struct ModelParams
    struct_size::UInt32
    grid_side::UInt32
    n_in::UInt32
    n_out::UInt32
    activation::Cint
    alpha::Cdouble
    sigma_rec::Cdouble
    init::Cint
    init_scale::Cdouble
    loss::Cint
    seed::UInt64
    io_layout::UInt32
end

struct SwapParams
    struct_size::UInt32
    top_k::UInt32
    A::Cdouble
    candidates::Ptr{UInt8}
end

struct SwapExchange
    neuron::UInt32
    partner::UInt32
    delta::Cdouble
end

struct SwapResult
    struct_size::UInt32
    n_swaps::UInt32
    cost_before::Cdouble
    cost_after::Cdouble
    exchanges::Ptr{SwapExchange}
    max_exchanges::UInt32
end

struct TrainerParams
    struct_size::UInt32
    arm::Cint
    batch_size::UInt32
    learning_rate::Cdouble
    beta1::Cdouble
    beta2::Cdouble
    eps::Cdouble
    grad_clip::Cdouble
    lambda::Cdouble
    A::Cdouble
    n_schedule::UInt32
    schedule_step::NTuple{8,UInt64}
    schedule_lambda::NTuple{8,Cdouble}
    swap_interval::UInt32
    swap_top_k::UInt32
    eval_interval::UInt32
    eval_batch::UInt32
    rule_weight::NTuple{20,Cdouble}
    recurrent_noise::UInt32
    seed::UInt64
    l1_proximal::UInt32
end

struct StepInfo
    struct_size::UInt32
    step::UInt64
    trials::UInt64
    rule::Int32
    loss::Cdouble
    cost::Cdouble
    lambda::Cdouble
    mean_perf::Cdouble
    min_perf::Cdouble
    trials_per_s::Cdouble
    n_swaps::UInt32
end

struct AdamOptions
    struct_size::UInt32
    lr::Cdouble
    beta1::Cdouble
    beta2::Cdouble
    eps::Cdouble
    grad_clip::Cdouble
end

struct ClusterParams
    struct_size::UInt32
    importance_threshold::Cdouble
    k_min::UInt32
    k_max::UInt32
    n_restarts::UInt32
    max_iter::UInt32
    tol::Cdouble
    normalize_by_sum::UInt32
    seed::UInt64
end

struct Anatomy
    struct_size::UInt32
    isolated_fraction::Cdouble
    cluster_size::Cdouble
    isolated_null_mean::Cdouble
    isolated_null_sd::Cdouble
    isolated_z::Cdouble
    isolated_p::Cdouble
    size_null_mean::Cdouble
    size_null_sd::Cdouble
    size_z::Cdouble
    size_p::Cdouble
    n_shuffles::UInt32
end

struct Centrality
    struct_size::UInt32
    n_important::UInt32
    observed::Cdouble
    null_mean::Cdouble
    null_sd::Cdouble
    z::Cdouble
    p::Cdouble
    n_shuffles::UInt32
end

struct Wiring
    struct_size::UInt32
    n_active_neurons::UInt32
    n_active_edges::UInt32
    wiring_length::Cdouble
    spectral_radius::Cdouble
end

"""
    with_fields(s; kw...)

A copy of the immutable struct `s` with the named fields replaced (values converted to the
field types): `p = with_fields(p; grid_side = 8, seed = 3)`.
"""
function with_fields(s::T; kw...) where {T}
    vals = map(fieldnames(T)) do f
        haskey(kw, f) ? convert(fieldtype(T, f), kw[f]) : getfield(s, f)
    end
    for k in keys(kw)
        k in fieldnames(T) || throw(ArgumentError("$(T) has no field $(k)"))
    end
    return T(vals...)
end

# ----------------------------------------------------------------------------- status.h
bimt_status_str(status) = ccall((:bimt_status_str, libbimt), Cstring, (Cint,), status)
bimt_version() = ccall((:bimt_version, libbimt), UInt32, ())
bimt_version_string() = ccall((:bimt_version_string, libbimt), Cstring, ())
bimt_last_error() = ccall((:bimt_last_error, libbimt), Cstring, ())
bimt_clear_error() = ccall((:bimt_clear_error, libbimt), Cvoid, ())

# ----------------------------------------------------------------------------- task.h
bimt_rule_name(rule) = ccall((:bimt_rule_name, libbimt), Ptr{UInt8}, (Cint,), rule)
bimt_rule_index(name) = ccall((:bimt_rule_index, libbimt), Cint, (Cstring,), name)
bimt_loss_name(loss) = ccall((:bimt_loss_name, libbimt), Ptr{UInt8}, (Int32,), loss)
bimt_task_params_init(p) =
    ccall((:bimt_task_params_init, libbimt), Cvoid, (Ref{TaskParams},), p)
bimt_task_create(p, out) =
    ccall((:bimt_task_create, libbimt), Cint, (Ref{TaskParams}, Ref{Ptr{Cvoid}}), p, out)
bimt_task_free(task) = ccall((:bimt_task_free, libbimt), Cvoid, (Ptr{Cvoid},), task)
bimt_task_errmsg(task) = ccall((:bimt_task_errmsg, libbimt), Cstring, (Ptr{Cvoid},), task)
bimt_task_n_in(task) = ccall((:bimt_task_n_in, libbimt), Csize_t, (Ptr{Cvoid},), task)
bimt_task_n_out(task) = ccall((:bimt_task_n_out, libbimt), Csize_t, (Ptr{Cvoid},), task)
bimt_task_get_params(task, p) =
    ccall((:bimt_task_get_params, libbimt), Cint, (Ptr{Cvoid}, Ref{TaskParams}), task, p)
bimt_task_rule_enabled(task, rule) =
    ccall((:bimt_task_rule_enabled, libbimt), Cint, (Ptr{Cvoid}, Cint), task, rule)
bimt_task_sample(task, rule, batch_size, out) =
    ccall((:bimt_task_sample, libbimt), Cint, (Ptr{Cvoid}, Cint, Csize_t, Ref{CBatch}),
          task, rule, batch_size, out)
bimt_task_sample_test(task, rule, out) =
    ccall((:bimt_task_sample_test, libbimt), Cint, (Ptr{Cvoid}, Cint, Ref{CBatch}),
          task, rule, out)
bimt_task_performance(batch, outputs, loss, correct, mean) =
    ccall((:bimt_task_performance, libbimt), Cint,
          (Ref{CBatch}, Ptr{Float32}, Cint, Ptr{Float32}, Ref{Cdouble}),
          batch, outputs, loss, correct, mean)

# ----------------------------------------------------------------------------- model.h
bimt_model_params_init(p) =
    ccall((:bimt_model_params_init, libbimt), Cvoid, (Ref{ModelParams},), p)
bimt_activation_name(a) = ccall((:bimt_activation_name, libbimt), Ptr{UInt8}, (Int32,), a)
bimt_init_name(i) = ccall((:bimt_init_name, libbimt), Ptr{UInt8}, (Int32,), i)
bimt_tensor_name(t) = ccall((:bimt_tensor_name, libbimt), Ptr{UInt8}, (Int32,), t)
bimt_io_layout_name(l) = ccall((:bimt_io_layout_name, libbimt), Ptr{UInt8}, (Int32,), l)
bimt_model_create(p, out) =
    ccall((:bimt_model_create, libbimt), Cint, (Ref{ModelParams}, Ref{Ptr{Cvoid}}), p, out)
bimt_model_clone(model, out) =
    ccall((:bimt_model_clone, libbimt), Cint, (Ptr{Cvoid}, Ref{Ptr{Cvoid}}), model, out)
bimt_model_free(model) = ccall((:bimt_model_free, libbimt), Cvoid, (Ptr{Cvoid},), model)
bimt_model_errmsg(model) =
    ccall((:bimt_model_errmsg, libbimt), Cstring, (Ptr{Cvoid},), model)
bimt_model_get_params(model, p) =
    ccall((:bimt_model_get_params, libbimt), Cint, (Ptr{Cvoid}, Ref{ModelParams}), model, p)
bimt_model_n_hidden(model) =
    ccall((:bimt_model_n_hidden, libbimt), Csize_t, (Ptr{Cvoid},), model)
bimt_model_n_in(model) = ccall((:bimt_model_n_in, libbimt), Csize_t, (Ptr{Cvoid},), model)
bimt_model_n_out(model) = ccall((:bimt_model_n_out, libbimt), Csize_t, (Ptr{Cvoid},), model)
bimt_model_grid_side(model) =
    ccall((:bimt_model_grid_side, libbimt), Csize_t, (Ptr{Cvoid},), model)
bimt_model_n_params(model) =
    ccall((:bimt_model_n_params, libbimt), Csize_t, (Ptr{Cvoid},), model)
bimt_model_params_data(model) =
    ccall((:bimt_model_params_data, libbimt), Ptr{Float32}, (Ptr{Cvoid},), model)
bimt_model_grad_data(model) =
    ccall((:bimt_model_grad_data, libbimt), Ptr{Float32}, (Ptr{Cvoid},), model)
bimt_model_params_view(model) =
    ccall((:bimt_model_params_view, libbimt), Ptr{Float32}, (Ptr{Cvoid},), model)
bimt_model_tensor(model, which, data, rows, cols, offset) =
    ccall((:bimt_model_tensor, libbimt), Cint,
          (Ptr{Cvoid}, Cint, Ref{Ptr{Float32}}, Ref{Csize_t}, Ref{Csize_t}, Ref{Csize_t}),
          model, which, data, rows, cols, offset)
bimt_model_slots(model) =
    ccall((:bimt_model_slots, libbimt), Ptr{UInt32}, (Ptr{Cvoid},), model)
bimt_model_set_slots(model, slots, n) =
    ccall((:bimt_model_set_slots, libbimt), Cint, (Ptr{Cvoid}, Ptr{UInt32}, Csize_t),
          model, slots, n)
bimt_model_distance(model, i, j) =
    ccall((:bimt_model_distance, libbimt), Cdouble, (Ptr{Cvoid}, Csize_t, Csize_t),
          model, i, j)
bimt_model_io_distance(model, output, k, index) =
    ccall((:bimt_model_io_distance, libbimt), Cdouble, (Ptr{Cvoid}, Cint, Csize_t, Csize_t),
          model, output, k, index)
bimt_model_distances(model) =
    ccall((:bimt_model_distances, libbimt), Ptr{Float32}, (Ptr{Cvoid},), model)
bimt_model_forward(model, x, n_steps, batch_size, flags) =
    ccall((:bimt_model_forward, libbimt), Cint,
          (Ptr{Cvoid}, Ptr{Float32}, Csize_t, Csize_t, UInt32),
          model, x, n_steps, batch_size, flags)
bimt_model_states(model, h) =
    ccall((:bimt_model_states, libbimt), Cint, (Ptr{Cvoid}, Ref{Ptr{Float32}}), model, h)
bimt_model_outputs(model, o) =
    ccall((:bimt_model_outputs, libbimt), Cint, (Ptr{Cvoid}, Ref{Ptr{Float32}}), model, o)
bimt_model_loss(model, y, mask, loss) =
    ccall((:bimt_model_loss, libbimt), Cint,
          (Ptr{Cvoid}, Ptr{Float32}, Ptr{Float32}, Ref{Cdouble}), model, y, mask, loss)
bimt_model_backward(model, d_outputs) =
    ccall((:bimt_model_backward, libbimt), Cint, (Ptr{Cvoid}, Ptr{Float32}),
          model, d_outputs)
bimt_model_zero_grad(model) =
    ccall((:bimt_model_zero_grad, libbimt), Cvoid, (Ptr{Cvoid},), model)
bimt_model_weights_grid_order(model, dst_W, dst_in, dst_out, dst_bh) =
    ccall((:bimt_model_weights_grid_order, libbimt), Cint,
          (Ptr{Cvoid}, Ptr{Float32}, Ptr{Float32}, Ptr{Float32}, Ptr{Float32}),
          model, dst_W, dst_in, dst_out, dst_bh)

# ----------------------------------------------------------------------------- regularizer.h
bimt_model_connection_cost(model, lambda, A, add_grad, value) =
    ccall((:bimt_model_connection_cost, libbimt), Cint,
          (Ptr{Cvoid}, Cdouble, Cdouble, Cint, Ref{Cdouble}), model, lambda, A, add_grad, value)
bimt_model_distance_cost(model, A, value) =
    ccall((:bimt_model_distance_cost, libbimt), Cint, (Ptr{Cvoid}, Cdouble, Ref{Cdouble}),
          model, A, value)
bimt_model_connection_cost_prox(model, lambda, A, step, n_step, n_zero) =
    ccall((:bimt_model_connection_cost_prox, libbimt), Cint,
          (Ptr{Cvoid}, Cdouble, Cdouble, Ptr{Float32}, Csize_t, Ptr{Csize_t}),
          model, lambda, A, step, n_step, n_zero)

# ----------------------------------------------------------------------------- swap.h
bimt_swap_params_init(p) =
    ccall((:bimt_swap_params_init, libbimt), Cvoid, (Ref{SwapParams},), p)
bimt_model_swap(model, p, res) =
    ccall((:bimt_model_swap, libbimt), Cint, (Ptr{Cvoid}, Ref{SwapParams}, Ref{SwapResult}),
          model, p, res)

# ----------------------------------------------------------------------------- optim.h
bimt_adam_options_init(o) =
    ccall((:bimt_adam_options_init, libbimt), Cvoid, (Ref{AdamOptions},), o)
bimt_adam_create(n_params, options, out) =
    ccall((:bimt_adam_create, libbimt), Cint, (Csize_t, Ref{AdamOptions}, Ref{Ptr{Cvoid}}),
          n_params, options, out)
bimt_adam_step(opt, params, grad) =
    ccall((:bimt_adam_step, libbimt), Cint, (Ptr{Cvoid}, Ptr{Float32}, Ptr{Float32}),
          opt, params, grad)
bimt_adam_set_lr(opt, lr) =
    ccall((:bimt_adam_set_lr, libbimt), Cint, (Ptr{Cvoid}, Cdouble), opt, lr)
bimt_adam_set_clip(opt, clip) =
    ccall((:bimt_adam_set_clip, libbimt), Cint, (Ptr{Cvoid}, Cdouble), opt, clip)
bimt_adam_steps(opt) = ccall((:bimt_adam_steps, libbimt), UInt64, (Ptr{Cvoid},), opt)
bimt_adam_n_params(opt) = ccall((:bimt_adam_n_params, libbimt), Csize_t, (Ptr{Cvoid},), opt)
bimt_adam_moments(opt, m, v) =
    ccall((:bimt_adam_moments, libbimt), Cint,
          (Ptr{Cvoid}, Ref{Ptr{Float32}}, Ref{Ptr{Float32}}), opt, m, v)
bimt_adam_step_sizes(opt, n, out) =
    ccall((:bimt_adam_step_sizes, libbimt), Cint, (Ptr{Cvoid}, Csize_t, Ptr{Float32}), opt, n, out)
bimt_optimizer_free(opt) = ccall((:bimt_optimizer_free, libbimt), Cvoid, (Ptr{Cvoid},), opt)

# ----------------------------------------------------------------------------- trainer.h
bimt_trainer_params_init(p) =
    ccall((:bimt_trainer_params_init, libbimt), Cvoid, (Ref{TrainerParams},), p)
bimt_arm_name(arm) = ccall((:bimt_arm_name, libbimt), Ptr{UInt8}, (Int32,), arm)
bimt_trainer_key_name(key) = ccall((:bimt_trainer_key_name, libbimt), Ptr{UInt8}, (Int32,), key)
bimt_trainer_create(model, task, p, out) =
    ccall((:bimt_trainer_create, libbimt), Cint,
          (Ptr{Cvoid}, Ptr{Cvoid}, Ref{TrainerParams}, Ref{Ptr{Cvoid}}), model, task, p, out)
bimt_trainer_free(tr) = ccall((:bimt_trainer_free, libbimt), Cvoid, (Ptr{Cvoid},), tr)
bimt_trainer_errmsg(tr) = ccall((:bimt_trainer_errmsg, libbimt), Cstring, (Ptr{Cvoid},), tr)
bimt_trainer_get_params(tr, p) =
    ccall((:bimt_trainer_get_params, libbimt), Cint, (Ptr{Cvoid}, Ref{TrainerParams}), tr, p)
bimt_trainer_model(tr) = ccall((:bimt_trainer_model, libbimt), Ptr{Cvoid}, (Ptr{Cvoid},), tr)
bimt_trainer_task(tr) = ccall((:bimt_trainer_task, libbimt), Ptr{Cvoid}, (Ptr{Cvoid},), tr)
bimt_trainer_optimizer(tr) =
    ccall((:bimt_trainer_optimizer, libbimt), Ptr{Cvoid}, (Ptr{Cvoid},), tr)
bimt_trainer_steps(tr) = ccall((:bimt_trainer_steps, libbimt), UInt64, (Ptr{Cvoid},), tr)
bimt_trainer_lambda_at(tr, step) =
    ccall((:bimt_trainer_lambda_at, libbimt), Cdouble, (Ptr{Cvoid}, UInt64), tr, step)
bimt_trainer_set_param(tr, key, value) =
    ccall((:bimt_trainer_set_param, libbimt), Cint, (Ptr{Cvoid}, Cint, Cdouble),
          tr, key, value)
bimt_trainer_step(tr, info) =
    ccall((:bimt_trainer_step, libbimt), Cint, (Ptr{Cvoid}, Ref{StepInfo}), tr, info)
bimt_trainer_run(tr, n_steps, cb, payload) =
    ccall((:bimt_trainer_run, libbimt), Cint, (Ptr{Cvoid}, UInt64, Ptr{Cvoid}, Ptr{Cvoid}),
          tr, n_steps, cb, payload)
bimt_trainer_evaluate(tr, trials_per_rule, perf) =
    ccall((:bimt_trainer_evaluate, libbimt), Cint, (Ptr{Cvoid}, UInt32, Ptr{Cdouble}),
          tr, trials_per_rule, perf)
bimt_trainer_last_eval(tr, perf) =
    ccall((:bimt_trainer_last_eval, libbimt), Cint, (Ptr{Cvoid}, Ptr{Cdouble}), tr, perf)
bimt_trainer_save(tr, path) =
    ccall((:bimt_trainer_save, libbimt), Cint, (Ptr{Cvoid}, Cstring), tr, path)
bimt_checkpoint_load(path, model, task, tr) =
    ccall((:bimt_checkpoint_load, libbimt), Cint,
          (Cstring, Ref{Ptr{Cvoid}}, Ref{Ptr{Cvoid}}, Ref{Ptr{Cvoid}}), path, model, task, tr)

# ----------------------------------------------------------------------------- analysis.h
bimt_task_variance(model, task, tv) =
    ccall((:bimt_task_variance, libbimt), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Float32}),
          model, task, tv)
bimt_cluster_params_init(p) =
    ccall((:bimt_cluster_params_init, libbimt), Cvoid, (Ref{ClusterParams},), p)
bimt_important_neurons(tv, n_rules, n_hidden, threshold, important, n_important) =
    ccall((:bimt_important_neurons, libbimt), Cint,
          (Ptr{Float32}, Csize_t, Csize_t, Cdouble, Ptr{UInt8}, Ref{UInt32}),
          tv, n_rules, n_hidden, threshold, important, n_important)
bimt_normalize_task_variance(tv, n_rules, n_hidden, threshold, by_sum, ntv) =
    ccall((:bimt_normalize_task_variance, libbimt), Cint,
          (Ptr{Float32}, Csize_t, Csize_t, Cdouble, Cint, Ptr{Float32}),
          tv, n_rules, n_hidden, threshold, by_sum, ntv)
bimt_cluster_task_variance(tv, n_rules, n_hidden, p, labels, n_clusters, silhouette) =
    ccall((:bimt_cluster_task_variance, libbimt), Cint,
          (Ptr{Float32}, Csize_t, Csize_t, Ref{ClusterParams}, Ptr{Int32}, Ref{UInt32},
           Ref{Cdouble}),
          tv, n_rules, n_hidden, p, labels, n_clusters, silhouette)
bimt_anatomy_metrics(model, labels, n_shuffles, seed, out, isolated_null, size_null) =
    ccall((:bimt_anatomy_metrics, libbimt), Cint,
          (Ptr{Cvoid}, Ptr{Int32}, UInt32, UInt64, Ref{Anatomy}, Ptr{Cdouble}, Ptr{Cdouble}),
          model, labels, n_shuffles, seed, out, isolated_null, size_null)
bimt_centrality_metrics(model, important, n_shuffles, seed, out, null_samples) =
    ccall((:bimt_centrality_metrics, libbimt), Cint,
          (Ptr{Cvoid}, Ptr{UInt8}, UInt32, UInt64, Ref{Centrality}, Ptr{Cdouble}),
          model, important, n_shuffles, seed, out, null_samples)
bimt_wiring_stats(model, tv, importance_threshold, weight_threshold, out) =
    ccall((:bimt_wiring_stats, libbimt), Cint,
          (Ptr{Cvoid}, Ptr{Float32}, Cdouble, Cdouble, Ref{Wiring}),
          model, tv, importance_threshold, weight_threshold, out)
bimt_weight_distance_profile(model, n_bins, mean_abs_w, counts) =
    ccall((:bimt_weight_distance_profile, libbimt), Cint,
          (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}, Ptr{UInt64}), model, n_bins, mean_abs_w, counts)

# ----------------------------------------------------------------------------- report.h
bimt_report_write(dir, model, task, tr, cp, n_shuffles) =
    ccall((:bimt_report_write, libbimt), Cint,
          (Cstring, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ref{ClusterParams}, UInt32),
          dir, model, task, tr, cp, n_shuffles)

# ----------------------------------------------------------------------------- plot.h
bimt_plot_network(model, labels, weight_threshold, path) =
    ccall((:bimt_plot_network, libbimt), Cint, (Ptr{Cvoid}, Ptr{Int32}, Cdouble, Cstring),
          model, labels, weight_threshold, path)
bimt_plot_task_variance(ntv, n_rules, n_hidden, labels, path) =
    ccall((:bimt_plot_task_variance, libbimt), Cint,
          (Ptr{Float32}, Csize_t, Csize_t, Ptr{Int32}, Cstring),
          ntv, n_rules, n_hidden, labels, path)
bimt_plot_clusters_grid(model, labels, ntv, n_rules, path) =
    ccall((:bimt_plot_clusters_grid, libbimt), Cint,
          (Ptr{Cvoid}, Ptr{Int32}, Ptr{Float32}, Csize_t, Cstring),
          model, labels, ntv, n_rules, path)
bimt_plot_performance(perf, target, path) =
    ccall((:bimt_plot_performance, libbimt), Cint, (Ptr{Cdouble}, Cdouble, Cstring),
          perf, target, path)
bimt_plot_importance_grid(model, tv, n_rules, threshold, path) =
    ccall((:bimt_plot_importance_grid, libbimt), Cint,
          (Ptr{Cvoid}, Ptr{Float32}, Csize_t, Cdouble, Cstring),
          model, tv, n_rules, threshold, path)
bimt_plot_weight_distance(mean_abs_w, counts, n_bins, grid_side, path) =
    ccall((:bimt_plot_weight_distance, libbimt), Cint,
          (Ptr{Cdouble}, Ptr{UInt64}, Csize_t, Csize_t, Cstring),
          mean_abs_w, counts, n_bins, grid_side, path)
bimt_plot_null(observed, null_samples, n, p_value, title, xlabel, path) =
    ccall((:bimt_plot_null, libbimt), Cint,
          (Cdouble, Ptr{Cdouble}, Csize_t, Cdouble, Ptr{UInt8}, Ptr{UInt8}, Cstring),
          observed, null_samples, n, p_value, title, xlabel, path)
