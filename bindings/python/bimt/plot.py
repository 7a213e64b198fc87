"""The seed paper's figures as SVG files written by libbimt, and the report folder.

These calls draw with the C library (no matplotlib needed); each writes one standalone SVG
atomically. The folder of ``path`` must exist. For matplotlib figures see
``bindings/python/examples/grow_brain.py``.
"""

import ctypes
import os

import numpy as np

from ._lib import lib
from ._util import as_array, as_float32, check, ptr
from .analysis import cluster_params
from .task import N_RULES


def _path(path):
    return os.fsencode(path)


def _labels(model_n, labels, required):
    if labels is None:
        if required:
            raise TypeError("labels are required")
        return None
    return as_array("labels", labels, np.int32, (model_n,))


def network(model, path, labels=None, weight_threshold=0.0):
    """Figure 1a: the hidden network on its grid (dots coloured by cluster)."""
    lab = _labels(model.n_hidden, labels, False)
    check(lib.bimt_plot_network(model._h, ptr(lab), float(weight_threshold), _path(path)),
          what=f"plot_network({os.fspath(path)})")


def task_variance(ntv, path, labels=None):
    """Figure 1b: normalised task variance [n_rules, n_hidden] as a heat map."""
    arr = as_float32("ntv", ntv, (None, None))
    lab = _labels(arr.shape[1], labels, False)
    check(lib.bimt_plot_task_variance(ptr(arr), arr.shape[0], arr.shape[1], ptr(lab),
                                      _path(path)),
          what=f"plot_task_variance({os.fspath(path)})")


def clusters_grid(model, labels, path, ntv=None):
    """Figure 1c: the grid coloured by functional cluster."""
    lab = _labels(model.n_hidden, labels, True)
    arr = None
    n_rules = 0
    if ntv is not None:
        arr = as_float32("ntv", ntv, (None, model.n_hidden))
        n_rules = arr.shape[0]
    check(lib.bimt_plot_clusters_grid(model._h, ptr(lab), ptr(arr), n_rules, _path(path)),
          what=f"plot_clusters_grid({os.fspath(path)})")


def performance(perf, path, target=0.9):
    """Figure 1d: per-task performance bars (perf [20], negative = not evaluated)."""
    arr = as_array("perf", perf, np.float64, (N_RULES,))
    check(lib.bimt_plot_performance(ptr(arr), float(target), _path(path)),
          what=f"plot_performance({os.fspath(path)})")


def importance_grid(model, tv, path, threshold=1e-3):
    """Figure 1e: neuron importance (summed raw task variance) on the grid."""
    arr = as_float32("tv", tv, (None, model.n_hidden))
    check(lib.bimt_plot_importance_grid(model._h, ptr(arr), arr.shape[0], float(threshold),
                                        _path(path)),
          what=f"plot_importance_grid({os.fspath(path)})")


def weight_distance(mean_abs_w, grid_side, path, counts=None):
    """Figure 1f: mean |W_rec| versus distance."""
    m = as_array("mean_abs_w", mean_abs_w, np.float64, (None,))
    c = None if counts is None else as_array("counts", counts, np.uint64, (m.size,))
    check(lib.bimt_plot_weight_distance(ptr(m), ptr(c), m.size, int(grid_side), _path(path)),
          what=f"plot_weight_distance({os.fspath(path)})")


def null(observed, null_samples, path, p_value=-1.0, title=None, xlabel=None):
    """Figure 2b: a metric against its shuffled null (histogram + observed line)."""
    s = as_array("null_samples", null_samples, np.float64, (None,))
    check(lib.bimt_plot_null(float(observed), ptr(s) if s.size else None, s.size,
                             float(p_value), None if title is None else title.encode(),
                             None if xlabel is None else xlabel.encode(), _path(path)),
          what=f"plot_null({os.fspath(path)})")


def write_report(folder, model, task, trainer=None, n_shuffles=1000, **cluster_kwargs):
    """Runs the full analysis and writes the report folder (SVG figures, metrics.json,
    index.html). Returns the path of index.html."""
    p = cluster_params(**cluster_kwargs)
    model._fwd_shape = None
    tr = None if trainer is None else trainer._h
    model._check(lib.bimt_report_write(_path(folder), model._h, task._h, tr, ctypes.byref(p),
                                       int(n_shuffles)), f"report {os.fspath(folder)}")
    return os.path.join(os.fspath(folder), "index.html")
