"""Results of a sweep written by ``bimt_sweep`` (docs/sweeps.md), and the aggregation helpers
of include/bimt/sweep.h.

Quick start::

    import bimt.sweep
    runs = bimt.sweep.load("sweep_out")            # one dict per configuration
    ok = [r for r in runs if r["status"] == "ok"]
    print(runs.frontier["bimt"]["neurons"])        # ids on BIMT's Pareto front (Fig. 1g)
    for g in runs.summary:                         # per (arm, lambda) over seeds
        print(g["arm"], g["lambda"], g["perf_mean"]["mean"], g["perf_mean"]["ci95_lo"])

Each record holds ``id``, ``arm``, ``lambda``, ``A``, ``seed``, ``steps``, ``group``,
``status`` (``ok``/``failed``/``pending``), ``error``, ``elapsed_s``, ``grow_brain_args``,
``settings``, ``report`` and ``metrics`` (``None`` unless ok; with ``anatomy_by_k`` when the
run's metrics.json has it), and ``dir``: the run's own folder when it finished.
"""

import ctypes
import json
import os

import numpy as np

from . import _ffi as F
from ._lib import lib
from ._util import check


class Records(list):
    """The run records of a sweep (a list of dicts) with the sweep-level results.

    Attributes: ``path`` (the sweep folder), ``frontier`` (arm -> {"neurons": [ids],
    "wiring": [ids]}), ``summary`` (list of per-group dicts), ``raw`` (all of sweep.json).
    """

    def __init__(self, runs, raw, path):
        super().__init__(runs)
        self.raw = raw
        self.path = path
        self.frontier = raw.get("frontier", {})
        self.summary = raw.get("summary", [])

    def by_id(self, run_id):
        """The record with this id (KeyError if none)."""
        for r in self:
            if r["id"] == run_id:
                return r
        raise KeyError(run_id)


def load(path):
    """Reads ``path/sweep.json`` and returns its run records (:class:`Records`).

    Raises FileNotFoundError when there is no sweep.json and ValueError when it is not a
    bimt-sweep file of format version 1.
    """
    path = os.fspath(path)
    with open(os.path.join(path, "sweep.json"), encoding="utf-8") as f:
        raw = json.load(f)
    if raw.get("format") != "bimt-sweep" or raw.get("format_version") != 1:
        raise ValueError(f"{path}/sweep.json is not a bimt-sweep file (format version 1)")
    runs = []
    for r in raw["runs"]:
        r = dict(r)
        d = os.path.join(path, "runs", r["id"])
        r["dir"] = d if r["status"] == "ok" else None
        runs.append(r)
    return Records(runs, raw, path)


def pareto_front(cost, error):
    """Boolean mask of the points on the Pareto front of (cost, error), both minimised
    (bimt_sweep_pareto_front(): non-finite points are on no front, equal points all on it)."""
    c = np.ascontiguousarray(cost, dtype=np.float64)
    e = np.ascontiguousarray(error, dtype=np.float64)
    if c.shape != e.shape or c.ndim != 1:
        raise ValueError("cost and error must be 1-D arrays of the same length")
    on = np.zeros(c.shape, dtype=np.uint8)
    n = ctypes.c_size_t(0)
    dp = ctypes.POINTER(ctypes.c_double)
    check(lib.bimt_sweep_pareto_front(c.ctypes.data_as(dp), e.ctypes.data_as(dp), c.size,
                                      on.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8)),
                                      ctypes.byref(n)), what="pareto_front")
    return on.astype(bool)


def t_quantile(p, df):
    """Quantile of Student's t with integer df (NaN when p or df is out of range)."""
    return float(lib.bimt_sweep_t_quantile(float(p), int(df)))


def mean_ci(values, level=0.95):
    """(mean, lo, hi, n) of the finite values with a Student t interval
    (bimt_sweep_mean_ci(); lo and hi are NaN for fewer than two values)."""
    x = np.ascontiguousarray(values, dtype=np.float64).ravel()
    out = F.SweepCi()
    check(lib.bimt_sweep_mean_ci(x.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), x.size,
                                 float(level), ctypes.byref(out)), what="mean_ci")
    return out.mean, out.lo, out.hi, int(out.n)


def read_metrics(path):
    """The sweep's numbers of one run from its metrics.json (bimt_sweep_read_metrics()) as a
    dict; NaN where the file holds null."""
    m = F.SweepMetrics()
    lib.bimt_sweep_metrics_init(ctypes.byref(m))
    err = ctypes.create_string_buffer(512)
    check(lib.bimt_sweep_read_metrics(os.fsencode(path), ctypes.byref(m), err, len(err)),
          lambda: err.value)
    out = {k: getattr(m, k) for k in ("perf_mean", "perf_min", "n_tasks_at_target",
                                      "n_important", "n_active_neurons", "wiring_length",
                                      "n_clusters", "isolated_p", "cluster_size_p", "A",
                                      "seed", "steps", "graph_modularity_q",
                                      "graph_clustering", "graph_char_path_length",
                                      "graph_small_world_sigma")}
    out["lambda"] = m.lambda_
    out["arm"] = ("bimt", "l1", "none")[m.arm]
    out["anatomy_by_k"] = [{"k": e.k, "isolated_fraction": e.isolated_fraction,
                            "isolated_p": e.isolated_p, "cluster_size": e.cluster_size,
                            "cluster_size_p": e.cluster_size_p}
                           for e in m.by_k[:m.n_by_k]]
    return out


__all__ = ["Records", "load", "mean_ci", "pareto_front", "read_metrics", "t_quantile"]
