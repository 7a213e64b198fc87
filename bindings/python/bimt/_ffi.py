"""ctypes mirrors of libbimt's public C types (include/bimt/*.h).

Every structure here has exactly the fields of its C counterpart, in the same order and
with the same C types, so ctypes lays it out as the C compiler does.  Opaque handles are
empty structures used only through pointers, which gives each handle its own pointer
type (passing a task where a model is expected is a ctypes.ArgumentError, not a crash).

The versioned parameter structures carry ``struct_size``; :func:`bimt._lib.load` checks
``ctypes.sizeof`` of each against the value its ``*_params_init`` function writes, and the
test-suite compares every structure's size and field offsets with a compiled C program.
"""

import ctypes
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int, c_size_t,
                    c_uint8, c_uint32, c_uint64, c_void_p)

# Constants of the public headers.
N_RULES = 20            #: BIMT_N_RULES
MAX_EPOCHS = 6          #: BIMT_MAX_EPOCHS
MAX_SCHEDULE = 8        #: BIMT_MAX_SCHEDULE
FWD_NOISE = 1           #: BIMT_FWD_NOISE

# C enums are int-sized on every ABI this library targets.
c_enum = ctypes.c_int32  # enum values travel as int32_t in the ABI


class Task_(Structure):
    """Opaque ``bimt_task_t``."""


class Model_(Structure):
    """Opaque ``bimt_model_t``."""


class Optimizer_(Structure):
    """Opaque ``bimt_optimizer_t``."""


class Trainer_(Structure):
    """Opaque ``bimt_trainer_t``."""


TaskP = POINTER(Task_)
ModelP = POINTER(Model_)
OptimizerP = POINTER(Optimizer_)
TrainerP = POINTER(Trainer_)


class TaskParams(Structure):
    """``bimt_task_params``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("n_eachring", c_uint32),
        ("dt_ms", c_double),
        ("tau_ms", c_double),
        ("sigma_x", c_double),
        ("rule_mask", c_uint32),
        ("loss", c_enum),
        ("input_noise", c_uint32),
        ("easy_task", c_uint32),
        ("seed", c_uint64),
    ]


class Epoch(Structure):
    """``bimt_epoch``."""
    _fields_ = [
        ("name", c_char_p),
        ("start", c_size_t),
        ("end", c_size_t),
    ]


class Batch(Structure):
    """``bimt_batch`` (array members are borrowed pointers)."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("rule", ctypes.c_int32),
        ("n_steps", c_size_t),
        ("batch_size", c_size_t),
        ("n_in", c_size_t),
        ("n_out", c_size_t),
        ("go_step", c_size_t),
        ("n_epochs", c_size_t),
        ("epochs", Epoch * MAX_EPOCHS),
        ("x", POINTER(ctypes.c_float)),
        ("y", POINTER(ctypes.c_float)),
        ("mask", POINTER(ctypes.c_float)),
        ("y_loc", POINTER(ctypes.c_float)),
    ]


class ModelParams(Structure):
    """``bimt_model_params``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("grid_side", c_uint32),
        ("n_in", c_uint32),
        ("n_out", c_uint32),
        ("activation", c_enum),
        ("alpha", c_double),
        ("sigma_rec", c_double),
        ("init", c_enum),
        ("init_scale", c_double),
        ("loss", c_enum),
        ("seed", c_uint64),
        ("io_layout", c_uint32),
    ]


class SwapParams(Structure):
    """``bimt_swap_params`` (``candidates`` is borrowed for the call)."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("top_k", c_uint32),
        ("A", c_double),
        ("candidates", POINTER(c_uint8)),
    ]


class SwapExchange(Structure):
    """``bimt_swap_exchange``."""
    _fields_ = [
        ("neuron", c_uint32),
        ("partner", c_uint32),
        ("delta", c_double),
    ]


class SwapResult(Structure):
    """``bimt_swap_result``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("n_swaps", c_uint32),
        ("cost_before", c_double),
        ("cost_after", c_double),
        ("exchanges", POINTER(SwapExchange)),
        ("max_exchanges", c_uint32),
    ]


class TrainerParams(Structure):
    """``bimt_trainer_params``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("arm", c_enum),
        ("batch_size", c_uint32),
        ("learning_rate", c_double),
        ("beta1", c_double),
        ("beta2", c_double),
        ("eps", c_double),
        ("grad_clip", c_double),
        ("lambda_", c_double),          # C name: lambda (a Python keyword)
        ("A", c_double),
        ("n_schedule", c_uint32),
        ("schedule_step", c_uint64 * MAX_SCHEDULE),
        ("schedule_lambda", c_double * MAX_SCHEDULE),
        ("swap_interval", c_uint32),
        ("swap_top_k", c_uint32),
        ("eval_interval", c_uint32),
        ("eval_batch", c_uint32),
        ("rule_weight", c_double * N_RULES),
        ("recurrent_noise", c_uint32),
        ("seed", c_uint64),
        ("l1_proximal", c_uint32),
    ]


class StepInfo(Structure):
    """``bimt_step_info``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("step", c_uint64),
        ("trials", c_uint64),
        ("rule", ctypes.c_int32),
        ("loss", c_double),
        ("cost", c_double),
        ("lambda_", c_double),          # C name: lambda
        ("mean_perf", c_double),
        ("min_perf", c_double),
        ("trials_per_s", c_double),
        ("n_swaps", c_uint32),
    ]


#: ``bimt_progress_fn``: int (*)(const bimt_step_info *info, void *payload)
ProgressFn = CFUNCTYPE(c_int, POINTER(StepInfo), c_void_p)


class ClusterParams(Structure):
    """``bimt_cluster_params``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("importance_threshold", c_double),
        ("k_min", c_uint32),
        ("k_max", c_uint32),
        ("n_restarts", c_uint32),
        ("max_iter", c_uint32),
        ("tol", c_double),
        ("normalize_by_sum", c_uint32),
        ("seed", c_uint64),
    ]


class Anatomy(Structure):
    """``bimt_anatomy``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("isolated_fraction", c_double),
        ("cluster_size", c_double),
        ("isolated_null_mean", c_double),
        ("isolated_null_sd", c_double),
        ("isolated_z", c_double),
        ("isolated_p", c_double),
        ("size_null_mean", c_double),
        ("size_null_sd", c_double),
        ("size_z", c_double),
        ("size_p", c_double),
        ("n_shuffles", c_uint32),
    ]


class Centrality(Structure):
    """``bimt_centrality``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("n_important", c_uint32),
        ("observed", c_double),
        ("null_mean", c_double),
        ("null_sd", c_double),
        ("z", c_double),
        ("p", c_double),
        ("n_shuffles", c_uint32),
    ]


class Wiring(Structure):
    """``bimt_wiring``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("n_active_neurons", c_uint32),
        ("n_active_edges", c_uint32),
        ("wiring_length", c_double),
        ("spectral_radius", c_double),
    ]


class AdamOptions(Structure):
    """``bimt_adam_options``."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("lr", c_double),
        ("beta1", c_double),
        ("beta2", c_double),
        ("eps", c_double),
        ("grad_clip", c_double),
    ]


#: C structure name -> ctypes class, for the layout test and the sizeof checks.
STRUCTS = {
    "bimt_task_params": TaskParams,
    "bimt_epoch": Epoch,
    "bimt_batch": Batch,
    "bimt_model_params": ModelParams,
    "bimt_swap_params": SwapParams,
    "bimt_swap_exchange": SwapExchange,
    "bimt_swap_result": SwapResult,
    "bimt_trainer_params": TrainerParams,
    "bimt_step_info": StepInfo,
    "bimt_cluster_params": ClusterParams,
    "bimt_anatomy": Anatomy,
    "bimt_centrality": Centrality,
    "bimt_wiring": Wiring,
    "bimt_adam_options": AdamOptions,
}

#: Versioned parameter structures and the C function that initialises each.
PARAMS_INIT = {
    "bimt_task_params": "bimt_task_params_init",
    "bimt_model_params": "bimt_model_params_init",
    "bimt_swap_params": "bimt_swap_params_init",
    "bimt_trainer_params": "bimt_trainer_params_init",
    "bimt_cluster_params": "bimt_cluster_params_init",
    "bimt_adam_options": "bimt_adam_options_init",
}
