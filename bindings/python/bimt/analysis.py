"""Does function map onto anatomy? Task variance, clusters, anatomical metrics, wiring.

Every function returns numpy arrays (copies owned by Python) or dataclasses.
"""

import ctypes
import dataclasses

import numpy as np

from . import _ffi as F
from ._lib import lib
from ._util import as_array, as_float32, check, out_struct, ptr
from .model import Model
from .task import N_RULES, Task

_CLUSTER_FIELDS = ("importance_threshold", "k_min", "k_max", "n_restarts", "max_iter", "tol",
                   "normalize_by_sum", "seed")


def cluster_params(**kwargs):
    """A ``bimt_cluster_params`` with the library defaults, overridden by kwargs
    (importance_threshold, k_min, k_max, n_restarts, max_iter, tol, normalize_by_sum, seed)."""
    p = F.ClusterParams()
    lib.bimt_cluster_params_init(ctypes.byref(p))
    for k, v in kwargs.items():
        if k not in _CLUSTER_FIELDS:
            raise TypeError(f"unexpected clustering parameter {k!r}")
        if k == "normalize_by_sum":
            v = int(bool(v))
        setattr(p, k, v)
    return p


def default_cluster_params():
    """The library's default clustering parameters as a dict."""
    p = cluster_params()
    return {k: getattr(p, k) for k in _CLUSTER_FIELDS}


def _tv(tv):
    arr = as_float32("tv", tv, (None, None))
    return arr, arr.shape[0], arr.shape[1]


def task_variance(model, task):
    """Task variance TV [20, n_hidden] of every hidden neuron on each rule's test grid.

    Overwrites the model's last forward results.
    """
    if not isinstance(model, Model) or not isinstance(task, Task):
        raise TypeError("task_variance(model, task)")
    tv = np.zeros((N_RULES, model.n_hidden), dtype=np.float32)
    model._fwd_shape = None
    model._check(lib.bimt_task_variance(model._h, task._h, ptr(tv)), "task_variance")
    return tv


def important_neurons(tv, threshold=1e-3):
    """Boolean mask [n_hidden] of the neurons whose summed task variance > threshold."""
    arr, nr, nh = _tv(tv)
    imp = np.zeros(nh, dtype=np.uint8)
    count = ctypes.c_uint32()
    check(lib.bimt_important_neurons(ptr(arr), nr, nh, float(threshold), ptr(imp),
                                     ctypes.byref(count)), what="important_neurons")
    return imp.astype(bool)


def normalize_task_variance(tv, threshold=1e-3, by_sum=False):
    """Normalised task variance [n_rules, n_hidden] (unimportant neurons get 0)."""
    arr, nr, nh = _tv(tv)
    out = np.zeros((nr, nh), dtype=np.float32)
    check(lib.bimt_normalize_task_variance(ptr(arr), nr, nh, float(threshold),
                                           int(bool(by_sum)), ptr(out)),
          what="normalize_task_variance")
    return out


@dataclasses.dataclass
class Clustering:
    """Functional clusters: labels [n_hidden] (-1 = unimportant), count, silhouette."""
    labels: np.ndarray
    n_clusters: int
    silhouette: float


def cluster_task_variance(tv, **params):
    """k-means on the normalised task variance with k chosen by silhouette.

    params: see :func:`cluster_params`.
    """
    arr, nr, nh = _tv(tv)
    p = cluster_params(**params)
    labels = np.zeros(nh, dtype=np.int32)
    nc = ctypes.c_uint32()
    sil = ctypes.c_double()
    check(lib.bimt_cluster_task_variance(ptr(arr), nr, nh, ctypes.byref(p), ptr(labels),
                                         ctypes.byref(nc), ctypes.byref(sil)),
          what="cluster_task_variance")
    return Clustering(labels, int(nc.value), sil.value)


@dataclasses.dataclass
class Anatomy:
    """Anatomical metrics with their shuffled nulls (``bimt_anatomy``) and the samples."""
    isolated_fraction: float
    cluster_size: float
    isolated_null_mean: float
    isolated_null_sd: float
    isolated_z: float
    isolated_p: float
    size_null_mean: float
    size_null_sd: float
    size_z: float
    size_p: float
    n_shuffles: int
    isolated_null: np.ndarray
    size_null: np.ndarray


def anatomy_metrics(model, labels, n_shuffles=1000, seed=0):
    """Isolated fraction and cluster size of a clustering on the grid, against a null of
    labels shuffled over the clustered neurons' slots."""
    lab = as_array("labels", labels, np.int32, (model.n_hidden,))
    n = int(n_shuffles)
    if n < 0:
        raise ValueError("n_shuffles must be >= 0")
    iso = np.zeros(n, dtype=np.float64)
    size = np.zeros(n, dtype=np.float64)
    out = out_struct(F.Anatomy)
    check(lib.bimt_anatomy_metrics(model._h, ptr(lab), n, int(seed), ctypes.byref(out),
                                   ptr(iso) if n else None, ptr(size) if n else None),
          what="anatomy_metrics")
    vals = {name: getattr(out, name) for name, _ in F.Anatomy._fields_
            if name != "struct_size"}
    return Anatomy(**vals, isolated_null=iso, size_null=size)


@dataclasses.dataclass
class Wiring:
    """Wiring statistics (``bimt_wiring``)."""
    n_active_neurons: int
    n_active_edges: int
    wiring_length: float
    spectral_radius: float


def wiring_stats(model, tv=None, importance_threshold=1e-3, weight_threshold=1e-2):
    """Active neurons and edges, wiring length, spectral radius of W_rec."""
    t = None
    if tv is not None:
        t = as_float32("tv", tv, (N_RULES, model.n_hidden))
    out = out_struct(F.Wiring)
    check(lib.bimt_wiring_stats(model._h, ptr(t), float(importance_threshold),
                                float(weight_threshold), ctypes.byref(out)),
          what="wiring_stats")
    return Wiring(int(out.n_active_neurons), int(out.n_active_edges), out.wiring_length,
                  out.spectral_radius)


def weight_distance_profile(model, n_bins=None):
    """Mean |W_rec| per distance bin; returns (distance, mean_abs_w, counts), each [n_bins].
    On the grid with Manhattan distance: default 2 * grid_side - 1 bins, distance = bin /
    grid_side. Other geometries (caller positions, Euclidean): default 20 bins, distance =
    bin * (largest slot distance) / (n_bins - 1), the bins' centres."""
    side = model.grid_side
    grid = side > 0 and model.distance_kind == "manhattan"
    n = (2 * side - 1 if grid else 20) if n_bins is None else int(n_bins)
    if n <= 0:
        raise ValueError("n_bins must be positive")
    mean = np.zeros(n, dtype=np.float64)
    counts = np.zeros(n, dtype=np.uint64)
    check(lib.bimt_weight_distance_profile(model._h, n, ptr(mean), ptr(counts)),
          what="weight_distance_profile")
    if grid:
        return np.arange(n) / side, mean, counts
    pos, k = model.slot_positions, model.distance_kind
    diff = pos[:, None, :] - pos[None, :, :]
    d = np.sqrt((diff ** 2).sum(-1)) if k == "euclidean" else np.abs(diff).sum(-1)
    dmax = float(d.max()) if d.size else 0.0
    width = dmax / (n - 1) if n > 1 and dmax > 0 else 1.0
    return np.arange(n) * width, mean, counts


@dataclasses.dataclass
class Analysis:
    """Everything :func:`analyze` computes."""
    tv: np.ndarray
    important: np.ndarray
    ntv: np.ndarray
    clustering: Clustering
    anatomy: Anatomy
    wiring: Wiring
    distance: np.ndarray
    mean_abs_w: np.ndarray
    counts: np.ndarray


def analyze(model, task, n_shuffles=1000, seed=0, **cluster_kwargs):
    """The whole analysis of a trained model in one call."""
    p = cluster_params(**cluster_kwargs)
    thr = p.importance_threshold
    tv = task_variance(model, task)
    imp = important_neurons(tv, thr)
    ntv = normalize_task_variance(tv, thr, bool(p.normalize_by_sum))
    cl = cluster_task_variance(tv, **cluster_kwargs)
    anat = anatomy_metrics(model, cl.labels, n_shuffles, seed)
    wir = wiring_stats(model, tv, thr)
    dist, mean, counts = weight_distance_profile(model)
    return Analysis(tv, imp, ntv, cl, anat, wir, dist, mean, counts)


@dataclasses.dataclass
class GraphMetrics:
    """Graph metrics of a binary undirected graph (``bimt_graph_metrics``) and its modules
    (one label per node)."""
    n_nodes: int
    n_edges: int
    n_modules: int
    modularity_q: float
    clustering: float
    char_path_length: float
    small_world_sigma: float
    n_null: int
    null_clustering_mean: float
    null_char_path_mean: float
    modules: np.ndarray


def _graph_params(threshold_proportion, n_null, seed):
    p = F.GraphParams()
    lib.bimt_graph_params_init(ctypes.byref(p))
    p.threshold_proportion = float(threshold_proportion)
    p.n_null = int(n_null)
    p.seed = int(seed)
    return p


def _graph_result(out, modules):
    vals = {name: getattr(out, name) for name, _ in F.GraphMetrics._fields_
            if name != "struct_size"}
    return GraphMetrics(**vals, modules=modules)


def graph_threshold(w, nodes, threshold_proportion=0.1):
    """The binary undirected graph (uint8 [k, k]) of the weights w [n, n] on the nodes:
    S = (|w| + |w|^T) / 2, the strongest ``threshold_proportion`` of the pairs kept."""
    W = as_float32("w", w)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError("w must be a square matrix")
    nd = as_array("nodes", nodes, np.uint32, (None,))
    k = nd.size
    adj = np.zeros((k, k), dtype=np.uint8)
    check(lib.bimt_graph_threshold(ptr(W), W.shape[0], ptr(nd) if k else None, k,
                                   float(threshold_proportion), ptr(adj), None),
          what="graph_threshold")
    return adj


def graph_analyze(adj, n_null=1000, seed=0):
    """Modules (leading eigenvector, BCT modularity_und), Q, clustering, path length and
    small-worldness (against ``n_null`` seeded Erdos-Renyi graphs) of a 0/1 graph."""
    a = as_array("adj", adj, np.uint8, (None, None))
    n = a.shape[0]
    mods = np.zeros(n, dtype=np.int32)
    out = F.GraphMetrics()
    p = _graph_params(0.1, n_null, seed)
    check(lib.bimt_graph_analyze(ptr(a) if n else None, n, ctypes.byref(p),
                                 ptr(mods) if n else None, ctypes.byref(out)),
          what="graph_analyze")
    return _graph_result(out, mods)


def model_graph_metrics(model, important, threshold_proportion=0.1, n_null=1000, seed=0):
    """Graph metrics of the model's W_rec on its important neurons; ``modules`` has one
    entry per hidden neuron (-1 for neurons that are not nodes)."""
    imp = as_array("important", important, np.uint8,
                   (model.n_hidden,))
    mods = np.zeros(model.n_hidden, dtype=np.int32)
    out = F.GraphMetrics()
    p = _graph_params(threshold_proportion, n_null, seed)
    check(lib.bimt_model_graph_metrics(model._h, ptr(imp), ctypes.byref(p), ptr(mods),
                                       ctypes.byref(out)), what="model_graph_metrics")
    return _graph_result(out, mods)


def lesion_clusters(model, task, labels, n_clusters=None, trials_per_rule=256, seed=0):
    """Performance of all 20 rules with each cluster silenced, on the same trials as the
    unlesioned network: returns (baseline [20], perf [n_clusters, 20])."""
    lab = as_array("labels", labels, np.int32, (model.n_hidden,))
    nc = int(lab.max() + 1 if lab.size and n_clusters is None else (n_clusters or 0))
    p = F.LesionParams()
    lib.bimt_lesion_params_init(ctypes.byref(p))
    p.trials_per_rule = int(trials_per_rule)
    p.seed = int(seed)
    base = np.zeros(N_RULES, dtype=np.float64)
    perf = np.zeros((nc, N_RULES), dtype=np.float64)
    check(lib.bimt_lesion_clusters(model._h, task._h, ptr(lab), nc, ctypes.byref(p), ptr(base),
                                   ptr(perf) if nc else None), what="lesion_clusters")
    return base, perf
