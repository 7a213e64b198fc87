"""Shared fixtures of the Python binding tests.

The package is imported from bindings/python (PYTHONPATH set by CTest, or this file's
parent when pytest runs by hand); the library comes from BIMT_LIBRARY or the build tree.
"""

import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

import bimt  # noqa: E402


def include_dirs():
    """Folders holding bimt/*.h and the generated bimt/version.h."""
    env = os.environ.get("BIMT_INCLUDE_DIRS")
    if env:
        return [d for d in env.split(os.pathsep) if d]
    dirs = [os.path.join(REPO, "include")]
    lib = bimt.library_path()
    if os.path.isfile(lib):
        dirs.append(os.path.join(os.path.dirname(os.path.dirname(lib)), "include"))
    return dirs


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softplus(x):
    return np.logaddexp(0.0, x)


PHI = {"softplus": softplus, "relu": lambda u: np.maximum(u, 0.0), "tanh": np.tanh}


def numpy_forward(model, x):
    """Independent float64 re-implementation of model.h's dynamics (no noise)."""
    p = model.get_params()
    phi = PHI[p["activation"]]
    a = p["alpha"]
    W = model.W_rec.astype(np.float64)
    Wi = model.W_in.astype(np.float64)
    Wo = model.W_out.astype(np.float64)
    bh = model.b_h.astype(np.float64)
    bo = model.b_o.astype(np.float64)
    T, B, _ = x.shape
    h = np.zeros((B, W.shape[0]))
    hs, os_ = [], []
    for t in range(T):
        h = (1 - a) * h + a * phi(h @ W.T + x[t].astype(np.float64) @ Wi.T + bh)
        hs.append(h)
        os_.append(h @ Wo.T + bo)
    return np.array(hs), np.array(os_)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def small_model():
    """A 4x4 grid (16 neurons), 5 inputs, 3 outputs, tanh, random-Gaussian W_rec."""
    m = bimt.Model(grid_side=4, n_in=5, n_out=3, activation="tanh", init="gauss",
                   init_scale=1.0, seed=3)
    yield m
    m.close()


@pytest.fixture
def task():
    t = bimt.Task(n_eachring=8, seed=5)
    yield t
    t.close()


@pytest.fixture
def task_model(task):
    m = bimt.Model(task=task, grid_side=4, seed=2)
    yield m
    m.close()
