"""Finds and loads libbimt, checks its version, and declares every C function it exports.

Search order for the shared library:

1. the environment variable ``BIMT_LIBRARY`` (a file, or a folder holding ``libbimt.so``);
2. the build trees of a source checkout: ``<repo>/build/*/lib/libbimt.so`` (``build/release``
   first, then the most recently built; sanitizer builds are skipped because they cannot be
   loaded into a normal Python);
3. the installed library, through ``ctypes.util.find_library("bimt")`` and then the dynamic
   loader's own search (``LD_LIBRARY_PATH``, ``/etc/ld.so.conf``) for the SONAME
   ``libbimt.so.<major>.<minor>`` (``libbimt.so.<major>`` from 1.0 on).

The library's major version (``bimt_version() // 10000``) must equal this package's major
version, otherwise :class:`bimt.VersionError` is raised at import time.

Every function is declared with ``argtypes`` and ``restype`` from the table :data:`FUNCTIONS`,
which mirrors include/bimt/*.h one to one (the test-suite checks it against the headers).
A symbol missing from an older library becomes a stub raising :class:`bimt.UnsupportedError`.
"""

import ctypes
import ctypes.util
import glob
import os
import sys

from . import _ffi as F
from ._errors import UnsupportedError, VersionError
from ._version import __version__

c_float = ctypes.c_float
c_double = ctypes.c_double
c_int = ctypes.c_int
c_size_t = ctypes.c_size_t
c_uint32 = ctypes.c_uint32
c_uint64 = ctypes.c_uint64
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
P = ctypes.POINTER

# name: (restype, [argtypes]) -- one entry per BIMT_API function of include/bimt/*.h.
FUNCTIONS = {
    # status.h
    "bimt_status_str": (c_char_p, [c_int]),
    "bimt_version": (c_uint32, []),
    "bimt_version_string": (c_char_p, []),
    "bimt_last_error": (c_char_p, []),
    "bimt_clear_error": (None, []),
    # task.h
    "bimt_rule_name": (c_char_p, [c_int]),
    "bimt_rule_index": (c_int, [c_char_p]),
    "bimt_loss_name": (c_char_p, [ctypes.c_int32]),
    "bimt_task_params_init": (None, [P(F.TaskParams)]),
    "bimt_task_create": (c_int, [P(F.TaskParams), P(F.TaskP)]),
    "bimt_task_free": (None, [F.TaskP]),
    "bimt_task_errmsg": (c_char_p, [F.TaskP]),
    "bimt_task_n_in": (c_size_t, [F.TaskP]),
    "bimt_task_n_out": (c_size_t, [F.TaskP]),
    "bimt_task_get_params": (c_int, [F.TaskP, P(F.TaskParams)]),
    "bimt_task_rule_enabled": (c_int, [F.TaskP, c_int]),
    "bimt_task_sample": (c_int, [F.TaskP, c_int, c_size_t, P(F.Batch)]),
    "bimt_task_sample_test": (c_int, [F.TaskP, c_int, P(F.Batch)]),
    "bimt_task_performance": (c_int, [P(F.Batch), P(c_float), F.c_enum, P(c_float),
                                      P(c_double)]),
    # model.h
    "bimt_activation_name": (c_char_p, [ctypes.c_int32]),
    "bimt_init_name": (c_char_p, [ctypes.c_int32]),
    "bimt_tensor_name": (c_char_p, [ctypes.c_int32]),
    "bimt_io_layout_name": (c_char_p, [ctypes.c_int32]),
    "bimt_model_params_init": (None, [P(F.ModelParams)]),
    "bimt_model_create": (c_int, [P(F.ModelParams), P(F.ModelP)]),
    "bimt_model_clone": (c_int, [F.ModelP, P(F.ModelP)]),
    "bimt_model_free": (None, [F.ModelP]),
    "bimt_model_errmsg": (c_char_p, [F.ModelP]),
    "bimt_model_get_params": (c_int, [F.ModelP, P(F.ModelParams)]),
    "bimt_model_n_hidden": (c_size_t, [F.ModelP]),
    "bimt_model_n_in": (c_size_t, [F.ModelP]),
    "bimt_model_n_out": (c_size_t, [F.ModelP]),
    "bimt_model_grid_side": (c_size_t, [F.ModelP]),
    "bimt_model_n_params": (c_size_t, [F.ModelP]),
    "bimt_model_params_data": (P(c_float), [F.ModelP]),
    "bimt_model_grad_data": (P(c_float), [F.ModelP]),
    "bimt_model_params_view": (P(c_float), [F.ModelP]),
    "bimt_model_tensor": (c_int, [F.ModelP, F.c_enum, P(P(c_float)), P(c_size_t),
                                  P(c_size_t), P(c_size_t)]),
    "bimt_model_slots": (P(c_uint32), [F.ModelP]),
    "bimt_model_set_slots": (c_int, [F.ModelP, P(c_uint32), c_size_t]),
    "bimt_model_distance": (c_double, [F.ModelP, c_size_t, c_size_t]),
    "bimt_model_io_distance": (c_double, [F.ModelP, c_int, c_size_t, c_size_t]),
    "bimt_model_distances": (P(c_float), [F.ModelP]),
    "bimt_model_forward": (c_int, [F.ModelP, P(c_float), c_size_t, c_size_t, c_uint32]),
    "bimt_model_states": (c_int, [F.ModelP, P(P(c_float))]),
    "bimt_model_outputs": (c_int, [F.ModelP, P(P(c_float))]),
    "bimt_model_loss": (c_int, [F.ModelP, P(c_float), P(c_float), P(c_double)]),
    "bimt_model_backward": (c_int, [F.ModelP, P(c_float)]),
    "bimt_model_zero_grad": (None, [F.ModelP]),
    "bimt_model_weights_grid_order": (c_int, [F.ModelP, P(c_float), P(c_float), P(c_float),
                                              P(c_float)]),
    # regularizer.h
    "bimt_model_connection_cost": (c_int, [F.ModelP, c_double, c_double, c_int,
                                           P(c_double)]),
    "bimt_model_distance_cost": (c_int, [F.ModelP, c_double, P(c_double)]),
    "bimt_model_connection_cost_prox": (c_int, [F.ModelP, c_double, c_double, P(c_float),
                                                c_size_t, P(c_size_t)]),
    # swap.h
    "bimt_swap_params_init": (None, [P(F.SwapParams)]),
    "bimt_model_swap": (c_int, [F.ModelP, P(F.SwapParams), P(F.SwapResult)]),
    # optim.h
    "bimt_adam_options_init": (None, [P(F.AdamOptions)]),
    "bimt_adam_create": (c_int, [c_size_t, P(F.AdamOptions), P(F.OptimizerP)]),
    "bimt_adam_step": (c_int, [F.OptimizerP, P(c_float), P(c_float)]),
    "bimt_adam_set_lr": (c_int, [F.OptimizerP, c_double]),
    "bimt_adam_set_clip": (c_int, [F.OptimizerP, c_double]),
    "bimt_adam_steps": (c_uint64, [F.OptimizerP]),
    "bimt_adam_n_params": (c_size_t, [F.OptimizerP]),
    "bimt_adam_moments": (c_int, [F.OptimizerP, P(P(c_float)), P(P(c_float))]),
    "bimt_adam_step_sizes": (c_int, [F.OptimizerP, c_size_t, P(c_float)]),
    "bimt_optimizer_free": (None, [F.OptimizerP]),
    # trainer.h
    "bimt_arm_name": (c_char_p, [ctypes.c_int32]),
    "bimt_trainer_key_name": (c_char_p, [ctypes.c_int32]),
    "bimt_trainer_params_init": (None, [P(F.TrainerParams)]),
    "bimt_trainer_create": (c_int, [F.ModelP, F.TaskP, P(F.TrainerParams), P(F.TrainerP)]),
    "bimt_trainer_free": (None, [F.TrainerP]),
    "bimt_trainer_errmsg": (c_char_p, [F.TrainerP]),
    "bimt_trainer_get_params": (c_int, [F.TrainerP, P(F.TrainerParams)]),
    "bimt_trainer_model": (F.ModelP, [F.TrainerP]),
    "bimt_trainer_task": (F.TaskP, [F.TrainerP]),
    "bimt_trainer_optimizer": (F.OptimizerP, [F.TrainerP]),
    "bimt_trainer_steps": (c_uint64, [F.TrainerP]),
    "bimt_trainer_lambda_at": (c_double, [F.TrainerP, c_uint64]),
    "bimt_trainer_set_param": (c_int, [F.TrainerP, F.c_enum, c_double]),
    "bimt_trainer_step": (c_int, [F.TrainerP, P(F.StepInfo)]),
    "bimt_trainer_run": (c_int, [F.TrainerP, c_uint64, F.ProgressFn, c_void_p]),
    "bimt_trainer_evaluate": (c_int, [F.TrainerP, c_uint32, P(c_double)]),
    "bimt_trainer_last_eval": (c_int, [F.TrainerP, P(c_double)]),
    "bimt_trainer_save": (c_int, [F.TrainerP, c_char_p]),
    "bimt_checkpoint_load": (c_int, [c_char_p, P(F.ModelP), P(F.TaskP), P(F.TrainerP)]),
    # analysis.h
    "bimt_task_variance": (c_int, [F.ModelP, F.TaskP, P(c_float)]),
    "bimt_cluster_params_init": (None, [P(F.ClusterParams)]),
    "bimt_important_neurons": (c_int, [P(c_float), c_size_t, c_size_t, c_double,
                                       P(ctypes.c_uint8), P(c_uint32)]),
    "bimt_normalize_task_variance": (c_int, [P(c_float), c_size_t, c_size_t, c_double, c_int,
                                             P(c_float)]),
    "bimt_cluster_task_variance": (c_int, [P(c_float), c_size_t, c_size_t,
                                           P(F.ClusterParams), P(ctypes.c_int32),
                                           P(c_uint32), P(c_double)]),
    "bimt_anatomy_metrics": (c_int, [F.ModelP, P(ctypes.c_int32), c_uint32, c_uint64,
                                     P(F.Anatomy), P(c_double), P(c_double)]),
    "bimt_centrality_metrics": (c_int, [F.ModelP, P(ctypes.c_uint8), c_uint32, c_uint64,
                                        P(F.Centrality), P(c_double)]),
    "bimt_wiring_stats": (c_int, [F.ModelP, P(c_float), c_double, c_double, P(F.Wiring)]),
    "bimt_weight_distance_profile": (c_int, [F.ModelP, c_size_t, P(c_double), P(c_uint64)]),
    # report.h
    "bimt_report_write": (c_int, [c_char_p, F.ModelP, F.TaskP, F.TrainerP,
                                  P(F.ClusterParams), c_uint32]),
    # plot.h
    "bimt_plot_network": (c_int, [F.ModelP, P(ctypes.c_int32), c_double, c_char_p]),
    "bimt_plot_task_variance": (c_int, [P(c_float), c_size_t, c_size_t, P(ctypes.c_int32),
                                        c_char_p]),
    "bimt_plot_clusters_grid": (c_int, [F.ModelP, P(ctypes.c_int32), P(c_float), c_size_t,
                                        c_char_p]),
    "bimt_plot_performance": (c_int, [P(c_double), c_double, c_char_p]),
    "bimt_plot_importance_grid": (c_int, [F.ModelP, P(c_float), c_size_t, c_double,
                                          c_char_p]),
    "bimt_plot_weight_distance": (c_int, [P(c_double), P(c_uint64), c_size_t, c_size_t,
                                          c_char_p]),
    "bimt_plot_null": (c_int, [c_double, P(c_double), c_size_t, c_double, c_char_p, c_char_p,
                               c_char_p]),
}

def _repo_root():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", ".."))


def _is_sanitized(path):
    """True if the ELF file at path needs the ASan runtime (cannot load into plain Python)."""
    try:
        with open(path, "rb") as f:
            return b"libasan.so" in f.read()
    except OSError:
        return False


def candidate_paths():
    """Paths tried, in order (for error messages and tests)."""
    out = []
    env = os.environ.get("BIMT_LIBRARY")
    if env:
        out.append(os.path.join(env, "libbimt.so") if os.path.isdir(env) else env)
        return out
    root = _repo_root()
    if os.path.isfile(os.path.join(root, "include", "bimt", "bimt.h")):
        found = [p for p in glob.glob(os.path.join(root, "build", "*", "lib", "libbimt.so"))]
        found += glob.glob(os.path.join(root, "build", "lib", "libbimt.so"))
        release = os.path.join(root, "build", "release", "lib", "libbimt.so")
        found.sort(key=lambda p: (p != release, -os.path.getmtime(p)))
        out += [p for p in found if not _is_sanitized(p)]
    return out


def _abi(version_number):
    """The part of a version that names its ABI: MAJOR.MINOR while MAJOR is 0, else MAJOR
    (the library's SONAME follows the same rule)."""
    major, minor = int(version_number) // 10000, int(version_number) // 100 % 100
    return (major, minor) if major == 0 else (major,)


def _open():
    errors = []
    env = os.environ.get("BIMT_LIBRARY")
    for path in candidate_paths():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append(f"{path}: {e}")
            if env:
                raise OSError(f"BIMT_LIBRARY={env}: cannot load libbimt ({e})") from None
    names = []
    found = ctypes.util.find_library("bimt")
    if found:
        names.append(found)
    major, minor = __version__.split(".")[:2]
    names.append(f"libbimt.so.{major}.{minor}" if major == "0" else f"libbimt.so.{major}")
    names.append("libbimt.so")
    for name in names:
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            errors.append(f"{name}: {e}")
    raise OSError("libbimt not found. Build it (cmake -S . -B build/release && cmake --build "
                  "build/release) or set BIMT_LIBRARY to the path of libbimt.so. Tried:\n  "
                  + "\n  ".join(errors or ["(nothing)"]))


class Library:
    """The loaded libbimt: one attribute per C function, declared from :data:`FUNCTIONS`."""

    def __init__(self, cdll, path):
        self.cdll = cdll
        self.path = path
        self.missing = []
        for name, (restype, argtypes) in FUNCTIONS.items():
            try:
                fn = getattr(cdll, name)
            except AttributeError:
                self.missing.append(name)
                setattr(self, name, _missing(name, path))
                continue
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)


def _missing(name, path):
    def stub(*_args, **_kwargs):
        raise UnsupportedError(-9, f"{name} is not exported by {path} "
                                   "(library older than these bindings?)")
    stub.__name__ = name
    return stub


def _check_struct_sizes(lib):
    """Compares each versioned params struct with the struct_size its _init function sets."""
    for cname, init_name in F.PARAMS_INIT.items():
        if init_name in lib.missing:
            continue
        cls = F.STRUCTS[cname]
        # A buffer larger than any plausible struct: the C side may be bigger than ours.
        buf = ctypes.create_string_buffer(4096)
        init = lib.cdll[init_name]  # a fresh function object, untyped: takes the raw buffer
        init.argtypes = [c_void_p]
        init.restype = None
        init(buf)
        size = ctypes.c_uint32.from_buffer(buf).value
        if size != ctypes.sizeof(cls):
            raise VersionError(-6, f"{cname}: libbimt says {size} bytes, the Python "
                                   f"bindings' layout is {ctypes.sizeof(cls)} bytes "
                                   f"({lib.path})")


def load():
    """Loads the library, checks version and layouts; returns a :class:`Library`."""
    cdll, path = _open()
    lib = Library(cdll, path)
    if "bimt_version" in lib.missing:
        raise VersionError(-6, f"{path} has no bimt_version(): not libbimt?")
    have = lib.bimt_version()
    parts = [int(x) for x in __version__.split(".")]
    want = _abi(parts[0] * 10000 + parts[1] * 100)
    if _abi(have) != want:
        raise VersionError(-6, f"{path} is libbimt {lib.bimt_version_string().decode()}, "
                               f"these bindings need version {'.'.join(map(str, want))}")
    _check_struct_sizes(lib)
    return lib


if sys.byteorder != "little":  # pragma: no cover - the .npz checkpoints assume it too
    raise ImportError("bimt: little-endian machines only")

lib = load()
