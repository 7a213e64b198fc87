"""Python bindings of libbimt (pure ctypes): grow brains in recurrent neural networks.

Quick start::

    import bimt
    task = bimt.Task()                               # Yang et al.'s 20 cognitive tasks
    model = bimt.Model(task=task, grid_side=8)       # 64 hidden neurons on an 8x8 grid
    trainer = bimt.Trainer(model, task, arm="bimt")  # L1 wiring cost + neuron swaps
    trainer.run(1000)
    print(trainer.evaluate(64))                      # fraction correct per task
    res = bimt.analyze(model, task)                  # clusters and anatomy
    trainer.save("brain.npz")                        # numpy.load() reads it too

The shared library is found through ``BIMT_LIBRARY``, a source checkout's ``build/*/lib``,
or the system (see :mod:`bimt._lib`).  Arrays are float32, row-major, time-major
(``[T, B, features]``).
"""

from . import plot, sweep
from ._errors import (BimtError, BimtIOError, ClosedError, FormatError, InvalidArgumentError,
                      NoMemoryError, NumericError, ShapeError, StateError, UnsupportedError,
                      VersionError)
from ._ffi import FWD_NOISE, MAX_EPOCHS, MAX_SCHEDULE, N_RULES
from ._lib import lib as _clib
from ._util import status_str
from ._version import __version__
from .analysis import (Analysis, Anatomy, Clustering, GraphMetrics, Wiring, analyze,
                       anatomy_metrics, cluster_task_variance, default_cluster_params,
                       graph_analyze, graph_threshold, important_neurons, lesion_clusters,
                       model_graph_metrics, normalize_task_variance, task_variance,
                       weight_distance_profile, wiring_stats)
from .model import GridWeights, Model, SwapResult
from .optim import Adam, Optimizer
from .plot import write_report
from .task import Batch, Task, performance, rule_index, rule_name, rules
from .trainer import StepInfo, Trainer, load_checkpoint


def library_version():
    """Run-time version of the loaded libbimt as a string ("MAJOR.MINOR.PATCH")."""
    return _clib.bimt_version_string().decode()


def library_version_number():
    """Run-time version as MAJOR*10000 + MINOR*100 + PATCH."""
    return int(_clib.bimt_version())


def library_path():
    """Path (or soname) of the loaded libbimt."""
    return _clib.path


__all__ = [
    "Adam", "Analysis", "Anatomy", "Batch", "BimtError", "BimtIOError", "ClosedError",
    "Clustering", "FWD_NOISE", "FormatError", "GraphMetrics", "GridWeights", "InvalidArgumentError",
    "MAX_EPOCHS", "MAX_SCHEDULE", "Model", "N_RULES", "NoMemoryError", "NumericError",
    "Optimizer", "ShapeError", "StateError", "StepInfo", "SwapResult", "Task", "Trainer",
    "UnsupportedError", "VersionError", "Wiring", "__version__", "analyze",
    "anatomy_metrics", "cluster_task_variance", "default_cluster_params", "graph_analyze",
    "graph_threshold", "important_neurons", "lesion_clusters", "model_graph_metrics", "library_path", "library_version", "library_version_number",
    "load_checkpoint", "normalize_task_variance", "performance", "plot", "rule_index",
    "rule_name", "rules", "status_str", "sweep", "task_variance", "weight_distance_profile",
    "wiring_stats", "write_report",
]
