# High-level layer: handle types with finalizers, owner references and `close`, plus the
# array-level calls. Ownership (Julia LibGit2 style): each mutable struct holds its C
# pointer; `close(x)` frees it (children first) and sets the pointer to C_NULL; a finalizer
# calls `close` if the user did not. A Trainer keeps its Model and TaskSuite alive (`owner`),
# a borrowed Optimizer its Trainer. Calls on a closed object throw a BimtError (E_STATE).
#
# Arrays follow the convention of libbimt.jl: the C [rows][cols] buffer is the Julia
# (cols, rows) array. Results are copies owned by Julia unless a function says "view".

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

"""
    BimtError(status, message)

A failed libbimt call: `status` is the negative `bimt_status` code, `message` the handle's
error message (or the status description).
"""
struct BimtError <: Exception
    status::Int
    message::String
end

Base.showerror(io::IO, e::BimtError) =
    print(io, "BimtError ", e.status, " (", unsafe_string(bimt_status_str(e.status)), "): ",
          e.message)

function check(status::Integer, msg::Function = () -> "", what::AbstractString = "")
    status >= 0 && return Int(status)
    m = msg()
    isempty(m) && (m = _str(bimt_last_error()))  # the thread-local message of the failed call
    isempty(m) && (m = unsafe_string(bimt_status_str(status)))
    throw(BimtError(Int(status), isempty(what) ? m : string(what, ": ", m)))
end

_str(p::Cstring) = (q = convert(Ptr{UInt8}, p); q == C_NULL ? "" : unsafe_string(q))

abstract type Handle end

mutable struct TaskSuite <: Handle
    ptr::Ptr{Cvoid}
    owner::Any
    borrowed::Bool
    children::Vector{WeakRef}
end

mutable struct Model <: Handle
    ptr::Ptr{Cvoid}
    owner::Any
    borrowed::Bool
    children::Vector{WeakRef}
    fwd::Union{Nothing,Tuple{Int,Int}}   # (T, B) of the last forward made from Julia
end

mutable struct Optimizer <: Handle
    ptr::Ptr{Cvoid}
    owner::Any
    borrowed::Bool
    children::Vector{WeakRef}
end

mutable struct Trainer <: Handle
    ptr::Ptr{Cvoid}
    owner::Any                     # (model, task): kept alive while the trainer lives
    borrowed::Bool
    children::Vector{WeakRef}
    model::Model
    task::TaskSuite
end

const _FREE = Dict{DataType,Function}(TaskSuite => bimt_task_free, Model => bimt_model_free,
                                      Optimizer => bimt_optimizer_free,
                                      Trainer => bimt_trainer_free)

function _register(x::Handle)
    x.borrowed || finalizer(close, x)
    own = x.owner
    for o in (own isa Tuple ? own : (own,))
        o isa Handle && push!(o.children, WeakRef(x))
    end
    return x
end

"""
    close(x)

Frees the C handle of a TaskSuite, Model, Optimizer or Trainer (closing its live children
first). Safe to call twice; later calls on `x` throw a BimtError.
"""
function Base.close(x::Handle)
    for w in x.children
        c = w.value
        c === nothing || close(c)
    end
    empty!(x.children)
    p = x.ptr
    x.ptr = C_NULL
    if p != C_NULL && !x.borrowed
        _FREE[typeof(x)](p)
    end
    return nothing
end

Base.isopen(x::Handle) = x.ptr != C_NULL

function handle(x::Handle)
    x.ptr == C_NULL && throw(BimtError(Int(E_STATE), "$(typeof(x)) is closed"))
    return x.ptr
end

_errmsg(x::TaskSuite) = () -> x.ptr == C_NULL ? "" : _str(bimt_task_errmsg(x.ptr))
_errmsg(x::Model) = () -> x.ptr == C_NULL ? "" : _str(bimt_model_errmsg(x.ptr))
_errmsg(x::Trainer) = () -> x.ptr == C_NULL ? "" : _str(bimt_trainer_errmsg(x.ptr))
_errmsg(::Optimizer) = () -> ""

function _enum(kind, table, v)
    v isa Integer && return Cint(v)
    s = Symbol(lowercase(string(v)))
    haskey(table, s) || throw(ArgumentError("unknown $(kind) $(v); one of $(keys(table))"))
    return table[s]
end

# {name => value} of a C enum from the library's bimt_*_name() function (values 0, 1, ...
# up to the first without a name), so the name tables exist once, in libbimt.
function _enum_table(name_fn)
    table = Dict{Symbol,Cint}()
    while true
        p = name_fn(Int32(length(table)))
        p == C_NULL && return table
        table[Symbol(unsafe_string(p))] = Cint(length(table))
    end
end
const LOSSES = merge(_enum_table(bimt_loss_name),
                     Dict(:lsq => LOSS_MSE, :ce => LOSS_CROSS_ENTROPY))
const ACTIVATIONS = _enum_table(bimt_activation_name)
const INITS = _enum_table(bimt_init_name)
const DISTANCES = _enum_table(bimt_distance_name)
const ARMS = _enum_table(bimt_arm_name)
_lowercase_keys(table) = Dict(Symbol(lowercase(string(k))) => v for (k, v) in table)
const TENSORS = _lowercase_keys(_enum_table(bimt_tensor_name))     # :w_rec, ..., :b_o
const KEYS = _lowercase_keys(_enum_table(bimt_trainer_key_name))   # :learning_rate, ..., :a

_f32(a::Array{Float32}) = a
_f32(a::AbstractArray{<:Real}) = Array{Float32}(a)

function _size(name, a::AbstractArray, want)
    size(a) == want || throw(DimensionMismatch("$(name): size $(size(a)), expected $(want)"))
    return a
end

# ----------------------------------------------------------------------------- rules
"Name of rule `r` (0-based index as in C)."
function rule_name(r::Integer)
    p = bimt_rule_name(r)
    p == C_NULL && throw(ArgumentError("rule index $(r) outside 0:$(N_RULES - 1)"))
    return unsafe_string(p)
end

"0-based index of a rule name."
function rule_index(name::AbstractString)
    r = bimt_rule_index(name)
    r < 0 && throw(ArgumentError("unknown rule $(name)"))
    return Int(r)
end

"The 20 rule names in canonical order."
rule_names() = [rule_name(r) for r in 0:N_RULES-1]

_rule(r::Integer) = Int(r)
_rule(r::AbstractString) = rule_index(r)
_rule(r::Symbol) = rule_index(string(r))

"""
    _out(T)

A zeroed `Ref{T}` for an output struct of the C API, its `struct_size` set to `sizeof(T)`:
the library writes an output struct only up to the caller's struct_size.
"""
function _out(::Type{T}) where {T}
    r = Ref{T}()
    GC.@preserve r begin
        p = Ptr{UInt8}(Base.unsafe_convert(Ptr{T}, r))
        for i in 1:sizeof(T)
            unsafe_store!(p, 0x00, i)
        end
        unsafe_store!(Ptr{UInt32}(p), UInt32(sizeof(T)))
    end
    return r
end

# ----------------------------------------------------------------------------- tasks
"""
    TaskSuite(; rules = nothing, n_eachring, dt_ms, tau_ms, sigma_x, loss, input_noise,
              easy_task, seed)

Yang et al.'s cognitive tasks (`bimt_task_t`). `rules`: names or 0-based indices of the
enabled rules (nothing = all 20); `loss`: `:mse` or `:cross_entropy`. (Named TaskSuite
because `Task` is Julia's coroutine type.)
"""
function TaskSuite(; rules = nothing, kw...)
    r = Ref{TaskParams}()
    bimt_task_params_init(r)
    p = r[]
    kwd = Dict{Symbol,Any}(kw)
    if rules !== nothing
        mask = UInt32(0)
        for x in rules
            i = _rule(x)
            0 <= i < N_RULES || throw(ArgumentError("rule index $(i) outside 0:19"))
            mask |= UInt32(1) << i
        end
        mask == 0 && throw(ArgumentError("rules is empty (use nothing for all 20)"))
        kwd[:rule_mask] = mask
    end
    haskey(kwd, :loss) && (kwd[:loss] = _enum("loss", LOSSES, kwd[:loss]))
    for k in (:input_noise, :easy_task)
        haskey(kwd, k) && kwd[k] isa Bool && (kwd[k] = UInt32(kwd[k]))
    end
    p = with_fields(p; kwd...)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(bimt_task_create(Ref(p), out), () -> "", "bimt_task_create($(p))")
    return _register(TaskSuite(out[], nothing, false, WeakRef[]))
end

n_in(t::TaskSuite) = Int(bimt_task_n_in(handle(t)))
n_out(t::TaskSuite) = Int(bimt_task_n_out(handle(t)))

function get_params(t::TaskSuite)
    r = _out(TaskParams)
    check(bimt_task_get_params(handle(t), r), _errmsg(t))
    return r[]
end

rule_enabled(t::TaskSuite, rule) = bimt_task_rule_enabled(handle(t), _rule(rule)) == 1

"""
    Batch

Trials of one rule (copies): `x` (n_in, B, T), `y` and `mask` (n_out, B, T), `y_loc` (B, T)
(-1 = fixate, else the target direction); `epochs` maps names to 1-based step ranges.
"""
struct Batch
    rule::Int
    go_step::Int
    epochs::Vector{Pair{String,UnitRange{Int}}}
    x::Array{Float32,3}
    y::Array{Float32,3}
    mask::Array{Float32,3}
    y_loc::Matrix{Float32}
end

function _batch(cb::CBatch)
    T, B, ni, no = Int(cb.n_steps), Int(cb.batch_size), Int(cb.n_in), Int(cb.n_out)
    epochs = Pair{String,UnitRange{Int}}[]
    for i in 1:min(Int(cb.n_epochs), MAX_EPOCHS)
        e = cb.epochs[i]
        name = e.name == C_NULL ? "epoch$(i)" : unsafe_string(e.name)
        push!(epochs, name => (Int(e.start) + 1):Int(e.stop))
    end
    x = copy(unsafe_wrap(Array, cb.x, (ni, B, T)))
    y = copy(unsafe_wrap(Array, cb.y, (no, B, T)))
    mask = copy(unsafe_wrap(Array, cb.mask, (no, B, T)))
    y_loc = copy(unsafe_wrap(Array, cb.y_loc, (B, T)))
    return Batch(Int(cb.rule), Int(cb.go_step), epochs, x, y, mask, y_loc)
end

"A random-mode training batch of `batch_size` trials of one rule (with input noise)."
function sample(t::TaskSuite, rule, batch_size::Integer)
    r = _out(CBatch)
    check(bimt_task_sample(handle(t), _rule(rule), batch_size, r), _errmsg(t), "sample")
    return _batch(r[])
end

"The deterministic test-mode condition grid of a rule (noise off)."
function sample_test(t::TaskSuite, rule)
    r = _out(CBatch)
    check(bimt_task_sample_test(handle(t), _rule(rule), r), _errmsg(t), "sample_test")
    return _batch(r[])
end

"""
    performance(batch, outputs; loss = :mse) -> (correct::Vector{Float32}, mean::Float64)

Yang et al.'s per-trial performance (last step) of pre-nonlinearity `outputs` (n_out, B, T).
"""
function performance(b::Batch, outputs::AbstractArray{<:Real,3}; loss = :mse)
    no, B, T = size(b.y)
    o = _f32(_size("outputs", outputs, (no, B, T)))
    correct = zeros(Float32, B)
    mean = Ref{Cdouble}(0)
    noname = Ptr{UInt8}(C_NULL)
    epochs = ntuple(_ -> Epoch(noname, 0, 0), MAX_EPOCHS)
    GC.@preserve b o begin
        cb = CBatch(sizeof(CBatch), b.rule, T, B, size(b.x, 1), no, b.go_step, 0, epochs, pointer(b.x),
                    pointer(b.y), pointer(b.mask), pointer(b.y_loc))
        check(bimt_task_performance(Ref(cb), o, _enum("loss", LOSSES, loss), correct, mean),
              () -> "", "bimt_task_performance")
    end
    return correct, mean[]
end

performance(t::TaskSuite, b::Batch, outputs) =
    performance(b, outputs; loss = get_params(t).loss)

# ----------------------------------------------------------------------------- models
"""
    Model(; task = nothing, positions = nothing, grid_side, n_in, n_out, activation, alpha,
          sigma_rec, init, init_scale, loss, seed, io_layout, distance, neighbours)

A leaky RNN with grid_side^2 hidden neurons on a grid (`bimt_model_t`). `task` sets n_in,
n_out and loss from a TaskSuite. activation: `:softplus`, `:relu`, `:tanh`; init: `:diag`,
`:randortho`, `:gauss`; loss: `:mse`, `:cross_entropy`; distance: `:manhattan`,
`:euclidean`. `positions`, a (dim, n_slots) matrix (dim 1 to 3; column s = slot s, the C
[n_slots][dim] layout), places the slots there instead of the grid (copied; io_layout must
then be 0, none).
"""
function Model(; task::Union{Nothing,TaskSuite} = nothing,
               positions::Union{Nothing,AbstractMatrix{<:Real}} = nothing, kw...)
    r = Ref{ModelParams}()
    bimt_model_params_init(r)
    p = r[]
    if task !== nothing
        p = with_fields(p; n_in = n_in(task), n_out = n_out(task),
                        loss = get_params(task).loss)
    end
    kwd = Dict{Symbol,Any}(kw)
    haskey(kwd, :activation) && (kwd[:activation] = _enum("activation", ACTIVATIONS,
                                                          kwd[:activation]))
    haskey(kwd, :init) && (kwd[:init] = _enum("init", INITS, kwd[:init]))
    haskey(kwd, :loss) && (kwd[:loss] = _enum("loss", LOSSES, kwd[:loss]))
    haskey(kwd, :distance) && (kwd[:distance] = UInt32(_enum("distance", DISTANCES,
                                                             kwd[:distance])))
    pos = positions === nothing ? nothing : Matrix{Float64}(positions)
    p = with_fields(p; kwd...)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve pos begin
        if pos !== nothing
            p = with_fields(p; positions = pointer(pos), dim = size(pos, 1),
                            n_slots = size(pos, 2))
        end
        check(bimt_model_create(Ref(p), out), () -> "", "bimt_model_create($(p))")
    end
    return _register(Model(out[], nothing, false, WeakRef[], nothing))
end

_model(p::Ptr{Cvoid}, owner = nothing) = _register(Model(p, owner, false, WeakRef[], nothing))

"A deep copy of a model (no forward state)."
function Base.copy(m::Model)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(bimt_model_clone(handle(m), out), _errmsg(m), "clone")
    return _model(out[])
end

function get_params(m::Model)
    r = _out(ModelParams)
    check(bimt_model_get_params(handle(m), r), _errmsg(m))
    return r[]
end

n_hidden(m::Model) = Int(bimt_model_n_hidden(handle(m)))
n_in(m::Model) = Int(bimt_model_n_in(handle(m)))
n_out(m::Model) = Int(bimt_model_n_out(handle(m)))
"Grid side n (0 when the slots are caller positions)."
grid_side(m::Model) = Int(bimt_model_grid_side(handle(m)))
"Coordinates per slot position (2 on the grid)."
dim(m::Model) = Int(bimt_model_dim(handle(m)))
"The distance between slot positions: `:manhattan` or `:euclidean`."
distance_kind(m::Model) = Symbol(unsafe_string(bimt_distance_name(bimt_model_distance_kind(handle(m)))))
"""
    slot_positions(m) -> Matrix{Float64}

The slots' positions (a copy), (dim, n_hidden): column s is slot s-1 (neuron k sits at
column `slots(m)[k] + 1`); the grid's are (row, col) / grid_side.
"""
slot_positions(m::Model) =
    GC.@preserve m copy(unsafe_wrap(Array, bimt_model_positions(handle(m)), (dim(m), n_hidden(m))))
n_params(m::Model) = Int(bimt_model_n_params(handle(m)))

"A copy of the flat parameter buffer (W_rec, W_in, W_out, b_h, b_o)."
params(m::Model) = copy(unsafe_wrap(Array, bimt_model_params_view(handle(m)), n_params(m)))
"A copy of the flat gradient buffer."
grads(m::Model) = copy(unsafe_wrap(Array, bimt_model_grad_data(handle(m)), n_params(m)))

"""
    params_data(m), grad_data(m)

Zero-copy writable views of the flat parameter and gradient buffers (for a host optimizer).
Valid only while `m` is open: keep `m` referenced while using them.
"""
params_data(m::Model) = unsafe_wrap(Array, bimt_model_params_data(handle(m)), n_params(m))
grad_data(m::Model) = unsafe_wrap(Array, bimt_model_grad_data(handle(m)), n_params(m))

"Copies `v` (n_params values) into the parameters."
function set_params!(m::Model, v::AbstractVector{<:Real})
    _size("params", v, (n_params(m),))
    GC.@preserve m copyto!(params_data(m), Float32.(v))
    return m
end

"""
    tensor(m, which) -> Array{Float32}

A copy of one tensor (`:W_rec`, `:W_in`, `:W_out`, `:b_h`, `:b_o`) in the Julia convention:
W_rec is (n_hidden, n_hidden) with `W[j, i]` = weight from j to i; W_in is (n_in, n_hidden);
W_out is (n_hidden, n_out); biases are vectors.
"""
function tensor(m::Model, which)
    k = _enum("tensor", TENSORS, which)
    data, rows, cols, off = Ref{Ptr{Float32}}(C_NULL), Ref{UInt32}(0), Ref{UInt32}(0),
                            Ref{Csize_t}(0)
    check(bimt_model_tensor(handle(m), k, data, rows, cols, off), _errmsg(m), "tensor")
    shape = k >= B_H ? (Int(rows[]),) : (Int(cols[]), Int(rows[]))
    return GC.@preserve m copy(unsafe_wrap(Array, data[], shape))
end

zero_grad!(m::Model) = (bimt_model_zero_grad(handle(m)); m)

"Grid slots (0-based, row * grid_side + col) of the neurons (a copy)."
slots(m::Model) = GC.@preserve m copy(unsafe_wrap(Array, bimt_model_slots(handle(m)),
                                                  n_hidden(m)))

function set_slots!(m::Model, s::AbstractVector{<:Integer})
    v = UInt32.(s)
    check(bimt_model_set_slots(handle(m), v, length(v)), _errmsg(m), "set_slots")
    return m
end

"Distance between neurons i and j (1-based indices)."
function distance(m::Model, i::Integer, j::Integer)
    d = bimt_model_distance(handle(m), i - 1, j - 1)
    d < 0 && throw(BoundsError(m, (i, j)))
    return d
end

"The distance matrix (n_hidden, n_hidden), a copy (symmetric)."
distances(m::Model) = GC.@preserve m copy(unsafe_wrap(Array, bimt_model_distances(handle(m)),
                                                      (n_hidden(m), n_hidden(m))))

"""
    forward!(m, x; noise = false)

Runs the network on `x` (n_in, B, T); results via `states`, `outputs`, `loss!`, `backward!`.
"""
function forward!(m::Model, x::AbstractArray{<:Real,3}; noise::Bool = false)
    ni, B, T = size(x)
    ni == n_in(m) || throw(DimensionMismatch("x has $(ni) features, model n_in $(n_in(m))"))
    xx = _f32(x)
    m.fwd = nothing
    check(bimt_model_forward(handle(m), xx, T, B, noise ? FWD_NOISE : UInt32(0)),
          _errmsg(m), "forward")
    m.fwd = (T, B)
    return m
end

function _fwd(m::Model)
    handle(m)
    m.fwd === nothing && throw(BimtError(Int(E_STATE), "no forward! since the model was " *
                                                       "created or used by a trainer"))
    return m.fwd
end

"Hidden states (n_hidden, B, T) of the last forward (a copy)."
function states(m::Model)
    T, B = _fwd(m)
    h = Ref{Ptr{Float32}}(C_NULL)
    check(bimt_model_states(handle(m), h), _errmsg(m), "states")
    return GC.@preserve m copy(unsafe_wrap(Array, h[], (n_hidden(m), B, T)))
end

"Pre-nonlinearity outputs (n_out, B, T) of the last forward (a copy)."
function outputs(m::Model)
    T, B = _fwd(m)
    o = Ref{Ptr{Float32}}(C_NULL)
    check(bimt_model_outputs(handle(m), o), _errmsg(m), "outputs")
    return GC.@preserve m copy(unsafe_wrap(Array, o[], (n_out(m), B, T)))
end

"Loss of the last forward against `y` and `mask` (n_out, B, T); stores dL/do."
function loss!(m::Model, y::AbstractArray{<:Real,3}, mask::AbstractArray{<:Real,3})
    T, B = _fwd(m)
    yy = _f32(_size("y", y, (n_out(m), B, T)))
    mm = _f32(_size("mask", mask, (n_out(m), B, T)))
    out = Ref{Cdouble}(0)
    check(bimt_model_loss(handle(m), yy, mm, out), _errmsg(m), "loss")
    return out[]
end

"BPTT of the last forward (adds into the gradients); `d_outputs` (n_out, B, T) or nothing."
function backward!(m::Model, d_outputs = nothing)
    if d_outputs === nothing
        check(bimt_model_backward(handle(m), Ptr{Float32}(C_NULL)), _errmsg(m), "backward")
    else
        T, B = _fwd(m)
        d = _f32(_size("d_outputs", d_outputs, (n_out(m), B, T)))
        check(bimt_model_backward(handle(m), d), _errmsg(m), "backward")
    end
    return m
end

"lambda * L_cc; with `add_grad = true` also adds its subgradient."
function connection_cost!(m::Model, lambda::Real, A::Real; add_grad::Bool = false)
    v = Ref{Cdouble}(0)
    check(bimt_model_connection_cost(handle(m), lambda, A, UInt32(add_grad), v), _errmsg(m),
          "connection_cost")
    return v[]
end

"A * sum D .* |W_rec|."
function distance_cost(m::Model, A::Real)
    v = Ref{Cdouble}(0)
    check(bimt_model_distance_cost(handle(m), A, v), _errmsg(m), "distance_cost")
    return v[]
end

"Outcome of a swap pass: exchanges are (neuron, partner, delta), neurons 1-based."
struct SwapOutcome
    n_swaps::Int
    cost_before::Float64
    cost_after::Float64
    exchanges::Vector{Tuple{Int,Int,Float64}}
end

"One swap pass; `candidates`: optional Bool vector of allowed partners."
function swap!(m::Model; top_k = nothing, A = nothing, candidates = nothing)
    r = Ref{SwapParams}()
    bimt_swap_params_init(r)
    p = r[]
    top_k === nothing || (p = with_fields(p; top_k = top_k))
    A === nothing || (p = with_fields(p; A = A))
    cand = candidates === nothing ? UInt8[] : UInt8.(collect(candidates) .!= 0)
    candidates === nothing || _size("candidates", cand, (n_hidden(m),))
    cap = max(1, min(Int(p.top_k), n_hidden(m)))
    ex = Vector{SwapExchange}(undef, cap)
    candidates === nothing || (p = with_fields(p; candidates = pointer(cand)))
    res = Ref(SwapResult(sizeof(SwapResult), 0, 0, 0, pointer(ex), cap))
    GC.@preserve cand ex check(bimt_model_swap(handle(m), Ref(p), res), _errmsg(m), "swap")
    n = min(Int(res[].n_swaps), cap)
    exch = [(Int(ex[i].neuron) + 1, Int(ex[i].partner) + 1, ex[i].delta) for i in 1:n]
    return SwapOutcome(Int(res[].n_swaps), res[].cost_before, res[].cost_after, exch)
end

"Copies of the weights in grid order (Julia convention, see `tensor`)."
function weights_grid_order(m::Model)
    n, ni, no = n_hidden(m), n_in(m), n_out(m)
    W, Wi, Wo, bh = zeros(Float32, n, n), zeros(Float32, ni, n), zeros(Float32, n, no),
                    zeros(Float32, n)
    check(bimt_model_weights_grid_order(handle(m), W, Wi, Wo, bh), _errmsg(m))
    return (W_rec = W, W_in = Wi, W_out = Wo, b_h = bh)
end

# ----------------------------------------------------------------------------- optimizer
"Adam over `n_params` values (`bimt_optimizer_t`)."
function Optimizer(n_params::Integer; lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    o = Ref{AdamOptions}()
    bimt_adam_options_init(o)
    o[] = with_fields(o[]; lr = Float64(lr), beta1 = Float64(beta1), beta2 = Float64(beta2),
                      eps = Float64(eps))
    check(bimt_adam_create(n_params, o, out), () -> "",
          "bimt_adam_create(n_params=$(n_params), lr=$(lr))")
    return _register(Optimizer(out[], nothing, false, WeakRef[]))
end

n_params(o::Optimizer) = Int(bimt_adam_n_params(handle(o)))
n_steps(o::Optimizer) = Int(bimt_adam_steps(handle(o)))
set_lr!(o::Optimizer, lr::Real) = (check(bimt_adam_set_lr(handle(o), lr), () -> "", "set_lr"); o)
set_clip!(o::Optimizer, c::Real) =
    (check(bimt_adam_set_clip(handle(o), c), () -> "", "set_clip"); o)

"One Adam update of a model (from its gradients) or of `params` (Vector{Float32}) from `grad`."
function step!(o::Optimizer, m::Model)
    n_params(m) == n_params(o) || throw(DimensionMismatch("model and optimizer sizes"))
    GC.@preserve m check(bimt_adam_step(handle(o), bimt_model_params_data(handle(m)),
                                        bimt_model_grad_data(handle(m))), () -> "", "step")
    return o
end

function step!(o::Optimizer, params::Vector{Float32}, grad::AbstractVector{<:Real})
    _size("params", params, (n_params(o),))
    g = _f32(_size("grad", grad, (n_params(o),)))
    check(bimt_adam_step(handle(o), params, g), () -> "", "step")
    return o
end

"Copies of Adam's moments (m, v)."
function moments(o::Optimizer)
    m, v = Ref{Ptr{Float32}}(C_NULL), Ref{Ptr{Float32}}(C_NULL)
    check(bimt_adam_moments(handle(o), m, v), () -> "", "moments")
    n = n_params(o)
    return GC.@preserve o (copy(unsafe_wrap(Array, m[], n)), copy(unsafe_wrap(Array, v[], n)))
end

# ----------------------------------------------------------------------------- trainer
"""
    Trainer(model, task; arm = :bimt, batch_size, learning_rate, beta1, beta2, eps,
            grad_clip, lambda, A, schedule, swap_interval, swap_top_k, eval_interval,
            eval_batch, rule_weight, recurrent_noise, seed)

BIMT training of `model` on `task` (both kept alive by the trainer). `schedule` is a vector
of (step, lambda) pairs; `rule_weight` a vector of 20 weights.
"""
function Trainer(model::Model, task::TaskSuite; arm = :bimt, schedule = nothing,
                 rule_weight = nothing, kw...)
    r = Ref{TrainerParams}()
    bimt_trainer_params_init(r)
    p = with_fields(r[]; arm = _enum("arm", ARMS, arm))
    if schedule !== nothing
        length(schedule) <= MAX_SCHEDULE || throw(ArgumentError("schedule too long"))
        steps = ntuple(i -> i <= length(schedule) ? UInt64(schedule[i][1]) : UInt64(0), 8)
        lams = ntuple(i -> i <= length(schedule) ? Float64(schedule[i][2]) : 0.0, 8)
        p = with_fields(p; n_schedule = length(schedule), schedule_step = steps,
                        schedule_lambda = lams)
    end
    if rule_weight !== nothing
        length(rule_weight) == N_RULES || throw(DimensionMismatch("rule_weight needs 20"))
        p = with_fields(p; rule_weight = ntuple(i -> Float64(rule_weight[i]), N_RULES))
    end
    kwd = Dict{Symbol,Any}(kw)
    haskey(kwd, :recurrent_noise) && kwd[:recurrent_noise] isa Bool &&
        (kwd[:recurrent_noise] = UInt32(kwd[:recurrent_noise]))
    p = with_fields(p; kwd...)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(bimt_trainer_create(handle(model), handle(task), Ref(p), out), () -> "",
          "bimt_trainer_create")
    return _register(Trainer(out[], (model, task), false, WeakRef[], model, task))
end

function get_params(tr::Trainer)
    r = _out(TrainerParams)
    check(bimt_trainer_get_params(handle(tr), r), _errmsg(tr))
    return r[]
end

n_steps(tr::Trainer) = Int(bimt_trainer_steps(handle(tr)))
lambda_at(tr::Trainer, step::Integer) = bimt_trainer_lambda_at(handle(tr), step)

"The trainer's Adam optimizer (borrowed: valid while the trainer is open)."
function Optimizer(tr::Trainer)
    p = bimt_trainer_optimizer(handle(tr))
    p == C_NULL && throw(BimtError(Int(E_STATE), "trainer has no optimizer"))
    return _register(Optimizer(p, tr, true, WeakRef[]))
end

"Changes a knob: :learning_rate, :lambda, :A, :swap_interval, :swap_top_k, :eval_interval, :grad_clip, :easy_train (0 or 1)."
function set_param!(tr::Trainer, key, value::Real)
    check(bimt_trainer_set_param(handle(tr), _enum("key", KEYS, key), value), _errmsg(tr),
          "set_param($(key))")
    return tr
end

"One training step; returns the StepInfo."
function step!(tr::Trainer)
    info = _out(StepInfo)
    tr.model.fwd = nothing
    check(bimt_trainer_step(handle(tr), info), _errmsg(tr), "step")
    return info[]
end

mutable struct _RunState
    f::Any
    err::Any
end

function _progress_trampoline(info::Ptr{StepInfo}, payload::Ptr{Cvoid})::Cint
    st = unsafe_pointer_to_objref(payload)::_RunState
    try
        return st.f(unsafe_load(info)) === true ? Cint(1) : Cint(0)
    catch e
        st.err = e
        return Cint(1)
    end
end

"""
    run!(tr, n; callback = nothing)

Runs `n` steps; `callback(info::StepInfo)` after each, returning `true` stops the run.
An exception thrown by the callback stops the run and is rethrown.
"""
function run!(tr::Trainer, n::Integer; callback = nothing)
    tr.model.fwd = nothing
    if callback === nothing
        check(bimt_trainer_run(handle(tr), n, C_NULL, C_NULL), _errmsg(tr), "run")
        return tr
    end
    st = _RunState(callback, nothing)
    cb = @cfunction(_progress_trampoline, Cint, (Ptr{StepInfo}, Ptr{Cvoid}))
    status = GC.@preserve st bimt_trainer_run(handle(tr), n, cb, pointer_from_objref(st))
    st.err === nothing || throw(st.err)
    check(status, _errmsg(tr), "run")
    return tr
end

"Fraction correct per rule (20 values, -1 for disabled rules) on fresh trials."
function evaluate(tr::Trainer, trials_per_rule::Integer = 512)
    perf = zeros(Float64, N_RULES)
    tr.model.fwd = nothing
    check(bimt_trainer_evaluate(handle(tr), trials_per_rule, perf), _errmsg(tr), "evaluate")
    return perf
end

function last_eval(tr::Trainer)
    perf = zeros(Float64, N_RULES)
    check(bimt_trainer_last_eval(handle(tr), perf), _errmsg(tr), "last_eval")
    return perf
end

"Writes a checkpoint (.npz, atomically)."
save(tr::Trainer, path::AbstractString) =
    (check(bimt_trainer_save(handle(tr), path), _errmsg(tr), path); nothing)

"Loads a checkpoint: a Trainer whose `model` and `task` fields are new handles too."
function load_checkpoint(path::AbstractString)
    m, t, tr = Ref{Ptr{Cvoid}}(C_NULL), Ref{Ptr{Cvoid}}(C_NULL), Ref{Ptr{Cvoid}}(C_NULL)
    status = bimt_checkpoint_load(path, m, t, tr)
    status < 0 && check(status, () -> "", path)  # message from bimt_last_error()
    model = _model(m[])
    task = _register(TaskSuite(t[], nothing, false, WeakRef[]))
    return _register(Trainer(tr[], (model, task), false, WeakRef[], model, task))
end

# ----------------------------------------------------------------------------- analysis
"""
    task_variance(model, task) -> Matrix{Float32} (n_hidden, 20)

Task variance of every hidden neuron (rows) on each rule's test grid (columns).
"""
function task_variance(m::Model, t::TaskSuite)
    tv = zeros(Float32, n_hidden(m), N_RULES)
    m.fwd = nothing
    check(bimt_task_variance(handle(m), handle(t), tv), _errmsg(m), "task_variance")
    return tv
end

"Bool vector of the neurons whose summed task variance exceeds `threshold`."
function important_neurons(tv::AbstractMatrix{<:Real}; threshold = 1e-3)
    t = _f32(tv)
    imp = zeros(UInt8, size(t, 1))
    count = Ref{UInt32}(0)
    check(bimt_important_neurons(t, size(t, 2), size(t, 1), threshold, imp, count),
          () -> "", "important_neurons")
    return imp .!= 0
end

"Normalised task variance (n_hidden, n_rules); unimportant neurons get 0."
function normalize_task_variance(tv::AbstractMatrix{<:Real}; threshold = 1e-3,
                                 by_sum::Bool = false)
    t = _f32(tv)
    out = zeros(Float32, size(t))
    check(bimt_normalize_task_variance(t, size(t, 2), size(t, 1), threshold, UInt32(by_sum),
                                       out), () -> "", "normalize_task_variance")
    return out
end

function _cluster_params(; kw...)
    r = Ref{ClusterParams}()
    bimt_cluster_params_init(r)
    kwd = Dict{Symbol,Any}(kw)
    haskey(kwd, :normalize_by_sum) && kwd[:normalize_by_sum] isa Bool &&
        (kwd[:normalize_by_sum] = UInt32(kwd[:normalize_by_sum]))
    return with_fields(r[]; kwd...)
end

"""
    cluster_task_variance(tv; kw...) -> (labels, n_clusters, silhouette)

k-means clusters of the important neurons (labels 0-based, -1 = unimportant). Keywords are
the fields of ClusterParams (importance_threshold, k_min, k_max, n_restarts, ...).
"""
function cluster_task_variance(tv::AbstractMatrix{<:Real}; kw...)
    t = _f32(tv)
    p = _cluster_params(; kw...)
    labels = zeros(Int32, size(t, 1))
    nc, sil = Ref{UInt32}(0), Ref{Cdouble}(0)
    check(bimt_cluster_task_variance(t, size(t, 2), size(t, 1), Ref(p), labels, nc, sil),
          () -> "", "cluster_task_variance")
    return (labels = labels, n_clusters = Int(nc[]), silhouette = sil[])
end

"Anatomical metrics of `labels` against a shuffled null: (anatomy, isolated_null, size_null)."
function anatomy_metrics(m::Model, labels::AbstractVector{<:Integer}; n_shuffles = 1000,
                         seed = 0)
    lab = Int32.(_size("labels", labels, (n_hidden(m),)))
    iso, siz = zeros(Float64, n_shuffles), zeros(Float64, n_shuffles)
    out = _out(Anatomy)
    check(bimt_anatomy_metrics(handle(m), lab, n_shuffles, seed, out, iso, siz), () -> "",
          "anatomy_metrics")
    return (anatomy = out[], isolated_null = iso, size_null = siz)
end

"Active neurons and edges, wiring length and spectral radius (a Wiring)."
function wiring_stats(m::Model; tv = nothing, importance_threshold = 1e-3,
                      weight_threshold = 1e-2)
    out = _out(Wiring)
    t = tv === nothing ? Float32[] : _f32(_size("tv", tv, (n_hidden(m), N_RULES)))
    GC.@preserve t begin
        tp = tv === nothing ? Ptr{Float32}(C_NULL) : pointer(t)
        check(bimt_wiring_stats(handle(m), tp, importance_threshold, weight_threshold, out),
              () -> "", "wiring_stats")
    end
    return out[]
end

"Mean |W_rec| per distance bin: (distance, mean_abs_w, counts)."
function weight_distance_profile(m::Model; n_bins = grid_side(m) > 0 ? 2 * grid_side(m) - 1 : 20)
    mean, counts = zeros(Float64, n_bins), zeros(UInt64, n_bins)
    check(bimt_weight_distance_profile(handle(m), n_bins, mean, counts), () -> "",
          "weight_distance_profile")
    if grid_side(m) > 0 && distance_kind(m) == :manhattan
        return (distance = collect(0:n_bins-1) ./ grid_side(m), mean_abs_w = mean,
                counts = counts)
    end
    # other geometries: bin b is centred on b * (largest distance) / (n_bins - 1)
    P, e = slot_positions(m), distance_kind(m) == :euclidean
    n = size(P, 2)
    dmax = maximum((e ? sqrt(sum(abs2, P[:, i] .- P[:, j])) : sum(abs, P[:, i] .- P[:, j]))
                   for i in 1:n, j in 1:n; init = 0.0)
    w = n_bins > 1 && dmax > 0 ? dmax / (n_bins - 1) : 1.0
    return (distance = collect(0:n_bins-1) .* w, mean_abs_w = mean, counts = counts)
end

# ----------------------------------------------------------------------------- report, plots
"Runs the full analysis and writes the report folder; returns the path of index.html."
function write_report(dir::AbstractString, m::Model, t::TaskSuite;
                      trainer::Union{Nothing,Trainer} = nothing, n_shuffles = 1000, kw...)
    p = _cluster_params(; kw...)
    m.fwd = nothing
    trp = trainer === nothing ? C_NULL : handle(trainer)
    check(bimt_report_write(dir, handle(m), handle(t), trp, Ref(p), n_shuffles), _errmsg(m),
          "report $(dir)")
    return joinpath(dir, "index.html")
end

_labels_ptr(l) = l === nothing ? Int32[] : Int32.(l)
_ptr_or_null(a, keep::Bool) = keep ? pointer(a) : typeof(pointer(a))(C_NULL)

"Figure 1a: the network on its grid (SVG at `path`)."
function plot_network(m::Model, path::AbstractString; labels = nothing,
                      weight_threshold = 0.0)
    lab = _labels_ptr(labels)
    labels === nothing || _size("labels", lab, (n_hidden(m),))
    GC.@preserve lab check(bimt_plot_network(handle(m), _ptr_or_null(lab, labels !== nothing),
                                             weight_threshold, path), () -> "", path)
    return path
end

"Figure 1b: normalised task variance (n_hidden, n_rules) as a heat map."
function plot_task_variance(ntv::AbstractMatrix{<:Real}, path::AbstractString;
                            labels = nothing)
    t = _f32(ntv)
    lab = _labels_ptr(labels)
    labels === nothing || _size("labels", lab, (size(t, 1),))
    GC.@preserve lab check(bimt_plot_task_variance(t, size(t, 2), size(t, 1),
                                                   _ptr_or_null(lab, labels !== nothing), path),
                           () -> "", path)
    return path
end

"Figure 1c: the grid coloured by cluster; `ntv` (n_hidden, n_rules) optional."
function plot_clusters_grid(m::Model, labels::AbstractVector{<:Integer}, path::AbstractString;
                            ntv = nothing)
    lab = Int32.(_size("labels", labels, (n_hidden(m),)))
    t = ntv === nothing ? Float32[] : _f32(ntv)
    nr = ntv === nothing ? 0 : size(t, 2)
    GC.@preserve t check(bimt_plot_clusters_grid(handle(m), lab,
                                                 _ptr_or_null(t, ntv !== nothing), nr, path),
                         () -> "", path)
    return path
end

"Figure 1d: per-task performance (20 values, negative = not evaluated)."
function plot_performance(perf::AbstractVector{<:Real}, path::AbstractString; target = 0.9)
    p = Float64.(_size("perf", perf, (N_RULES,)))
    check(bimt_plot_performance(p, target, path), () -> "", path)
    return path
end

"Figure 1e: neuron importance on the grid from the raw task variance (n_hidden, n_rules)."
function plot_importance_grid(m::Model, tv::AbstractMatrix{<:Real}, path::AbstractString;
                              threshold = 1e-3)
    t = _f32(_size("tv", tv, (n_hidden(m), size(tv, 2))))
    check(bimt_plot_importance_grid(handle(m), t, size(t, 2), threshold, path), () -> "", path)
    return path
end

"Figure 1f: mean |W_rec| versus distance."
function plot_weight_distance(mean_abs_w::AbstractVector{<:Real}, grid_side::Integer,
                              path::AbstractString; counts = nothing)
    w = Float64.(mean_abs_w)
    c = counts === nothing ? UInt64[] : UInt64.(_size("counts", counts, (length(w),)))
    GC.@preserve c check(bimt_plot_weight_distance(w, _ptr_or_null(c, counts !== nothing),
                                                   length(w), grid_side, path), () -> "", path)
    return path
end

"Figure 2b: a metric against its shuffled null."
function plot_null(observed::Real, null_samples::AbstractVector{<:Real}, path::AbstractString;
                   p_value = -1.0, title = nothing, xlabel = nothing)
    s = Float64.(null_samples)
    ts = title === nothing ? "" : String(title)
    xs = xlabel === nothing ? "" : String(xlabel)
    tt = title === nothing ? Ptr{UInt8}(C_NULL) : pointer(ts)
    xl = xlabel === nothing ? Ptr{UInt8}(C_NULL) : pointer(xs)
    GC.@preserve s ts xs check(bimt_plot_null(observed, s, length(s), p_value, tt, xl,
                                                     path), () -> "", path)
    return path
end
