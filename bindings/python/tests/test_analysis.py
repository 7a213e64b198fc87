"""Analysis calls against numpy re-computations of docs/analysis.md's definitions."""

import numpy as np
import pytest

import bimt


def test_task_variance_matches_numpy_for_one_rule(task, task_model):
    tv = bimt.task_variance(task_model, task)
    assert tv.shape == (20, 16) and tv.dtype == np.float32 and np.all(tv >= 0)
    rule = bimt.rule_index("delaygo")
    b = task.sample_test(rule, copy=True)
    task_model.forward(b.x)
    h = task_model.states().astype(np.float64)
    start = b.epochs["fix1"][1]
    want = h[start:].var(axis=1).mean(axis=0)      # population variance across trials
    np.testing.assert_allclose(tv[rule], want, rtol=1e-3, atol=1e-8)


def test_task_variance_bad_input():
    t = bimt.Task(n_eachring=8)
    m = bimt.Model(grid_side=2, n_in=5, n_out=3)
    with pytest.raises(bimt.ShapeError):
        bimt.task_variance(m, t)
    with pytest.raises(TypeError):
        bimt.task_variance(t, m)


def test_important_and_normalized(rng):
    tv = rng.uniform(0, 1e-3, (20, 30))
    tv[:, :10] *= 10                               # first 10 neurons clearly important
    imp = bimt.important_neurons(tv, 1e-3)
    np.testing.assert_array_equal(imp, tv.sum(0) > 1e-3)
    ntv = bimt.normalize_task_variance(tv, 1e-3)
    want = np.where(imp, tv / np.where(imp, tv.max(0), 1), 0)
    np.testing.assert_allclose(ntv, want, rtol=1e-6, atol=1e-7)
    nsum = bimt.normalize_task_variance(tv, 1e-3, by_sum=True)
    np.testing.assert_allclose(nsum.sum(0)[imp], 1.0, rtol=1e-5)
    bad = tv.copy()
    bad[3, 4] = np.nan
    with pytest.raises(bimt.InvalidArgumentError):
        bimt.important_neurons(bad)
    with pytest.raises(bimt.InvalidArgumentError):
        bimt.normalize_task_variance(tv, -1.0)
    with pytest.raises(bimt.ShapeError):
        bimt.important_neurons(tv[0])


def test_clusters_recover_planted_groups(rng):
    n = 45
    tv = np.full((20, n), 1e-6)
    groups = np.repeat([0, 1, 2], 12)
    for j, g in enumerate(groups):
        tv[[2, 9, 15][g], j] = 0.05 * (1 + 0.05 * rng.standard_normal())
    tv[:, 36:] = 0.0                                # 9 silent neurons
    cl = bimt.cluster_task_variance(tv, seed=3)
    assert cl.n_clusters == 3 and cl.silhouette > 0.9
    np.testing.assert_array_equal(cl.labels[36:], -1)
    # same planted group <=> same label; relabelled by preferred rule (2 < 9 < 15)
    np.testing.assert_array_equal(cl.labels[:36], groups)
    with pytest.raises(bimt.InvalidArgumentError):
        bimt.cluster_task_variance(tv, k_min=1)
    with pytest.raises(TypeError):
        bimt.cluster_task_variance(tv, clusters=3)
    assert bimt.default_cluster_params()["k_max"] == 29


def _grid_model(side=4):
    m = bimt.Model(grid_side=side, n_in=2, n_out=2)
    m.set_slots(np.arange(side * side))
    return m


def test_anatomy_of_compact_blocks():
    m = _grid_model()
    rows, cols = np.divmod(np.arange(16), 4)
    labels = (rows // 2) * 2 + cols // 2             # four 2x2 blocks
    a = bimt.anatomy_metrics(m, labels, n_shuffles=200, seed=1)
    assert a.isolated_fraction == 0.0
    assert a.cluster_size == pytest.approx(np.sqrt(0.5) / 4)
    assert a.n_shuffles == 200 and a.isolated_null.shape == (200,)
    assert a.isolated_null_mean == pytest.approx(a.isolated_null.mean())
    assert a.size_null_sd == pytest.approx(a.size_null.std(ddof=1))
    le = np.sum(a.size_null <= a.cluster_size * (1 + 1e-12))
    assert a.size_p == pytest.approx((1 + le) / 201)
    assert a.size_p < 0.05 and a.size_z < 0


def test_anatomy_bad_labels():
    m = _grid_model()
    with pytest.raises(bimt.ShapeError):
        bimt.anatomy_metrics(m, np.zeros(15))
    with pytest.raises(bimt.InvalidArgumentError):
        bimt.anatomy_metrics(m, np.full(16, -2))
    with pytest.raises(ValueError):
        bimt.anatomy_metrics(m, np.zeros(16), n_shuffles=-1)


def test_wiring_stats_and_profile_match_numpy(small_model):
    m = small_model
    W = m.W_rec.astype(np.float64)
    off = ~np.eye(16, dtype=bool)
    active = (np.abs(W) > 0.1) & off
    w = bimt.wiring_stats(m, weight_threshold=0.1)
    assert w.n_active_edges == active.sum()
    assert w.wiring_length == pytest.approx((m.distances * active).sum(), rel=1e-6)
    assert w.spectral_radius == pytest.approx(np.abs(np.linalg.eigvals(W)).max(), rel=1e-6)
    dist, mean, counts = bimt.weight_distance_profile(m)
    assert len(mean) == 7 and dist[1] == pytest.approx(0.25)
    rc = m.positions()
    b = np.abs(rc[:, None] - rc[None]).sum(-1)
    for k in range(7):
        sel = (b == k) & off
        assert counts[k] == sel.sum()
        assert mean[k] == pytest.approx(np.abs(W[sel]).mean() if sel.any() else 0.0, rel=1e-6)
    tv = np.zeros((20, 16), np.float32)
    tv[0, :5] = 1.0
    assert bimt.wiring_stats(m, tv).n_active_neurons == 5
    with pytest.raises(bimt.InvalidArgumentError):
        bimt.wiring_stats(m, weight_threshold=float("nan"))
    with pytest.raises(bimt.ShapeError):
        bimt.wiring_stats(m, tv[:, :3])
    with pytest.raises(ValueError):
        bimt.weight_distance_profile(m, n_bins=0)


def test_analyze_bundles_everything(task, task_model):
    a = bimt.analyze(task_model, task, n_shuffles=10)
    assert a.tv.shape == (20, 16) and a.ntv.shape == (20, 16)
    np.testing.assert_array_equal(a.important, a.clustering.labels >= 0)
    assert a.anatomy.n_shuffles == 10
    assert a.mean_abs_w.shape == a.counts.shape == a.distance.shape
