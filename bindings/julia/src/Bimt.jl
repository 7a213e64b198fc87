__precompile__(false)  # BIMT_LIBRARY is read at load time

"""
    Bimt

Julia bindings of libbimt (`ccall`, no compiled glue): train recurrent networks whose hidden
neurons sit on a grid on Yang et al.'s 20 cognitive tasks with brain-inspired modular
training, then measure whether functional modules became anatomical ones.

The shared library is taken from the environment variable `BIMT_LIBRARY` (a path to
`libbimt.so`) when the module is loaded, otherwise from the dynamic loader's search path
(`libbimt`). Precompilation is disabled so that the variable is read at every load.

Array convention: C buffers are row-major, Julia arrays column-major, so a C `[rows][cols]`
buffer is the Julia `(cols, rows)` array over the same memory. A batch `x[T][B][n_in]` is
a `(n_in, B, T)` Julia array indexed `x[feature, trial, step]`; `W_rec[i][j]` (from neuron
j to neuron i) is `W[j, i]` in Julia. Pass Julia arrays of those shapes to the calls.

Low-level wrappers with the C names (`Bimt.bimt_model_create`, ...) cover the whole C API
(see `libbimt.jl`); the high-level types are [`TaskSuite`](@ref),
[`Model`](@ref), [`Optimizer`](@ref) and [`Trainer`](@ref).
"""
module Bimt

using Libdl

const libbimt = let p = get(ENV, "BIMT_LIBRARY", "")
    isempty(p) ? "libbimt" : (isdir(p) ? joinpath(p, "libbimt.so") : p)
end

"Major version of libbimt these bindings are written for."
const BINDINGS_MAJOR = 0

include("libbimt.jl")
include("types.jl")

function __init__()
    handle = Libdl.dlopen(libbimt; throw_error = false)
    handle === nothing && error("Bimt: cannot load $(libbimt); build libbimt and set " *
                                "BIMT_LIBRARY to the path of libbimt.so")
    v = bimt_version()
    if Int(v) ÷ 10000 != BINDINGS_MAJOR
        error("Bimt: $(libbimt) is libbimt $(unsafe_string(bimt_version_string())), " *
              "these bindings need major version $(BINDINGS_MAJOR)")
    end
    check_struct_sizes()
    return nothing
end

"""
    check_struct_sizes()

Compares `sizeof` of each versioned parameter mirror with the `struct_size` the C
`*_init` function writes; throws on a mismatch (bindings and library disagree).
"""
function check_struct_sizes()
    for (T, init) in PARAMS_INIT  # generated in libbimt.jl from the headers
        buf = zeros(UInt8, 4096)
        sz = GC.@preserve buf begin
            init(Ptr{T}(pointer(buf)))
            unsafe_load(Ptr{UInt32}(pointer(buf)))
        end
        sz == sizeof(T) ||
            error("Bimt: $(T) is $(sizeof(T)) bytes here, libbimt says $(sz)")
    end
    return true
end

"Run-time version of the loaded libbimt, as a VersionNumber."
library_version() = VersionNumber(unsafe_string(bimt_version_string()))

export TaskSuite, Model, Optimizer, Trainer, BimtError, Batch, SwapOutcome, StepInfo,
       rule_name, rule_index, rule_names, rule_enabled, sample, sample_test, performance,
       forward!, states, outputs, loss!, backward!, zero_grad!, connection_cost!,
       distance_cost, swap!, slots, set_slots!, distance, distances, params, grads,
       params_data, grad_data, set_params!, tensor, weights_grid_order, n_hidden, n_in,
       n_out, grid_side, dim, distance_kind, slot_positions, n_params, step!, run!, evaluate, last_eval, save, load_checkpoint,
       set_param!, lambda_at, n_steps, moments, set_lr!, set_clip!, get_params,
       task_variance, important_neurons, normalize_task_variance, cluster_task_variance,
       anatomy_metrics, wiring_stats, weight_distance_profile, write_report, plot_network,
       plot_task_variance, plot_clusters_grid, plot_performance, plot_importance_grid,
       plot_weight_distance, plot_null, library_version, with_fields

end # module
