"""bimt.sweep: load() of a real bimt_sweep folder, and the aggregation helpers against
direct computations."""

import math
import os
import subprocess

import numpy as np
import pytest

import bimt
import bimt.sweep
from conftest import REPO


def sweep_program():
    env = os.environ.get("BIMT_SWEEP_PROGRAM")
    if env:
        return env
    lib = bimt.library_path()
    if os.path.isfile(lib):  # <build>/lib/libbimt.so -> <build>/examples/bimt_sweep
        cand = os.path.join(os.path.dirname(os.path.dirname(lib)), "examples", "bimt_sweep")
        if os.access(cand, os.X_OK):
            return cand
    pytest.skip("bimt_sweep not found (set BIMT_SWEEP_PROGRAM)")


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    spec = d / "small.spec"
    spec.write_text("arm = bimt, none\nlambda = 1e-3\nseed = 1, 2\ngrid = 3\nsteps = 20\n"
                    "shuffles = 5\neval_trials = 16\nfinal_eval_trials = 16\n")
    out = d / "out"
    p = subprocess.run([sweep_program(), "--spec", str(spec), "--out", str(out), "--jobs", "2",
                        "--quiet"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return out


def test_load_records(sweep_dir):
    runs = bimt.sweep.load(sweep_dir)
    assert isinstance(runs, list) and len(runs) == 4
    assert sorted(r["id"] for r in runs) == ["bimt_seed1", "bimt_seed2", "none_seed1",
                                             "none_seed2"]
    for r in runs:
        assert r["status"] == "ok" and r["error"] is None
        assert r["grow_brain_args"] == ["--config", f"runs/{r['id']}/grow_brain.conf"]
        assert os.path.isfile(os.path.join(r["dir"], "metrics.json"))
        direct = bimt.sweep.read_metrics(os.path.join(r["dir"], "metrics.json"))
        for k, v in r["metrics"].items():
            if k == "anatomy_by_k":
                assert len(v) == len(direct[k]) and v[0]["k"] == direct[k][0]["k"]
            elif isinstance(v, float) and math.isnan(direct[k]):
                assert v is None
            else:
                assert v == direct[k] or (v is None and math.isnan(direct[k])), k
    assert runs.by_id("none_seed1")["lambda"] == 0
    assert set(runs.frontier) == {"bimt", "l1", "none"}
    assert runs.frontier["bimt"]["neurons"] and runs.frontier["l1"]["neurons"] == []
    assert {g["arm"] for g in runs.summary} == {"bimt", "none"}
    with pytest.raises(FileNotFoundError):
        bimt.sweep.load(sweep_dir / "runs")


def test_front_and_statistics():
    rng = np.random.default_rng(3)
    c = rng.integers(0, 6, 50).astype(float)
    e = rng.integers(0, 5, 50) / 10.0
    c[3] = np.nan
    on = bimt.sweep.pareto_front(c, e)
    for i in range(50):
        fin = np.isfinite(c) & np.isfinite(e)
        dom = fin & (c <= c[i]) & (e <= e[i]) & ((c < c[i]) | (e < e[i]))
        assert on[i] == (bool(fin[i]) and not dom.any())
    assert abs(bimt.sweep.t_quantile(0.975, 4) - 2.776445105) < 1e-8
    x = np.array([0.91, 0.87, 0.95, 0.89, 0.93])
    m, lo, hi, n = bimt.sweep.mean_ci(x)
    half = 2.776445105 * x.std(ddof=1) / math.sqrt(5)
    assert n == 5 and abs(m - x.mean()) < 1e-15 and abs(hi - m - half) < 1e-9
    with pytest.raises(bimt.BimtIOError):
        bimt.sweep.read_metrics(os.path.join(REPO, "no-such-metrics.json"))
