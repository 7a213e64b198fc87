"""SVG figures and the report folder written through the bindings."""

import json
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import bimt
from bimt import plot


def _svg(path):
    root = ET.parse(path).getroot()            # well-formed XML
    assert root.tag.endswith("svg")
    return root


@pytest.fixture
def analysed(task, task_model):
    a = bimt.analyze(task_model, task, n_shuffles=20)
    return task_model, a


def test_every_figure_is_written(tmp_path, analysed):
    m, a = analysed
    labels = a.clustering.labels
    files = {
        "network.svg": lambda p: plot.network(m, p, labels=labels),
        "network_plain.svg": lambda p: plot.network(m, p, weight_threshold=0.05),
        "tv.svg": lambda p: plot.task_variance(a.ntv, p, labels=labels),
        "tv_nolabels.svg": lambda p: plot.task_variance(a.ntv, p),
        "clusters.svg": lambda p: plot.clusters_grid(m, labels, p, ntv=a.ntv),
        "clusters_plain.svg": lambda p: plot.clusters_grid(m, labels, p),
        "perf.svg": lambda p: plot.performance(np.linspace(0, 1, 20), p, target=0.9),
        "importance.svg": lambda p: plot.importance_grid(m, a.tv + 1e-9, p),
        "wd.svg": lambda p: plot.weight_distance(a.mean_abs_w, m.grid_side, p,
                                                 counts=a.counts),
        "null.svg": lambda p: plot.null(a.anatomy.isolated_fraction, a.anatomy.isolated_null,
                                        p, title="Isolated <neurons> & co",
                                        xlabel="fraction"),
        "null_empty.svg": lambda p: plot.null(0.5, [], p),
    }
    for name, draw in files.items():
        path = tmp_path / name
        draw(path)
        _svg(path)
    text = (tmp_path / "null.svg").read_text()
    assert "&lt;neurons&gt; &amp; co" in text       # title escaped by the library
    assert "dmcnogo" in (tmp_path / "perf.svg").read_text()


def test_figure_errors(tmp_path, analysed):
    m, a = analysed
    perf = np.linspace(0, 1, 20)
    perf[3] = np.nan
    with pytest.raises(bimt.InvalidArgumentError):
        plot.performance(perf, tmp_path / "p.svg")
    with pytest.raises(bimt.ShapeError):
        plot.performance(np.ones(19), tmp_path / "p.svg")
    with pytest.raises(bimt.InvalidArgumentError):
        plot.importance_grid(m, a.tv, tmp_path / "i.svg", threshold=0.0)
    with pytest.raises(bimt.InvalidArgumentError):
        plot.network(m, tmp_path / "n.svg", labels=np.full(16, -3))
    with pytest.raises(bimt.BimtIOError):
        plot.weight_distance(a.mean_abs_w, m.grid_side, tmp_path / "missing" / "w.svg")
    with pytest.raises(bimt.InvalidArgumentError):
        plot.null(float("nan"), [1.0], tmp_path / "x.svg")
    assert not any(p.name.endswith(".svg") for p in tmp_path.iterdir())


def test_report_folder(tmp_path):
    task = bimt.Task(n_eachring=8, rules=["fdgo", "dm1", "dmsgo"])
    model = bimt.Model(task=task, grid_side=4)
    tr = bimt.Trainer(model, task, batch_size=8, eval_interval=5, eval_batch=8)
    tr.run(10)
    index = bimt.write_report(tmp_path / "report", model, task, tr, n_shuffles=20)
    assert os.path.isfile(index)
    folder = tmp_path / "report"
    svgs = sorted(p.name for p in folder.glob("*.svg"))
    assert len(svgs) >= 5
    for s in svgs:
        _svg(folder / s)
        assert s in (folder / "index.html").read_text()
    metrics = json.loads((folder / "metrics.json").read_text())
    assert isinstance(metrics, dict) and metrics
    # without a trainer too
    bimt.write_report(tmp_path / "r2", model, task, n_shuffles=5)
    assert (tmp_path / "r2" / "index.html").is_file()
    with pytest.raises(bimt.BimtError):
        bimt.write_report(tmp_path / "r3", model, task, k_min=1)
