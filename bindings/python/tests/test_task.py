"""Tasks: rules, parameters, batches (views and copies), performance."""

import numpy as np
import pytest

import bimt


def test_rule_names_round_trip():
    names = bimt.rules()
    assert len(names) == bimt.N_RULES == 20
    assert names[0] == "fdgo" and names[-1] == "dmcnogo"
    for i, n in enumerate(names):
        assert bimt.rule_index(n) == i and bimt.rule_name(i) == n
    with pytest.raises(ValueError):
        bimt.rule_name(20)
    with pytest.raises(ValueError):
        bimt.rule_index("FDGO")   # case-sensitive
    with pytest.raises(TypeError):
        bimt.rule_index(3)


def test_sizes_and_params(task):
    assert task.n_in == 1 + 2 * 8 + 20 and task.n_out == 1 + 8
    p = task.get_params()
    assert p["n_eachring"] == 8 and p["seed"] == 5 and p["loss"] == "mse"
    assert task.enabled_rules == list(range(20))
    d = bimt.Task()
    assert (d.n_in, d.n_out) == (85, 33)


def test_rule_subsets():
    t = bimt.Task(rules=["dm1", 0, "dmcnogo"], loss="cross_entropy")
    assert t.enabled_rules == [0, 6, 19]
    assert t.rule_enabled("dm1") and not t.rule_enabled(1)
    assert t.get_params()["rule_mask"] == (1 << 0) | (1 << 6) | (1 << 19)
    assert t.loss == "cross_entropy"
    with pytest.raises(ValueError):
        bimt.Task(rules=[])
    with pytest.raises(ValueError):
        bimt.Task(rules=[25])
    with pytest.raises(ValueError):
        bimt.Task(rules=["nope"])
    with pytest.raises(TypeError):
        bimt.Task(rules=[0], rule_mask=1)


def test_sample_shapes_epochs_and_views(task):
    b = task.sample("dm1", 6)
    T = b.n_steps
    assert b.x.shape == (T, 6, task.n_in) and b.y.shape == (T, 6, task.n_out)
    assert b.mask.shape == (T, 6, task.n_out) and b.y_loc.shape == (T, 6)
    assert b.x.dtype == np.float32 and not b.x.flags.writeable
    assert b.rule == 6 and b.rule_name == "dm1"
    assert 0 < b.go_step < T
    starts = [s for s, _ in b.epochs.values()]
    assert starts == sorted(starts) and "fix1" in b.epochs
    assert max(e for _, e in b.epochs.values()) <= T
    # the rule input of dm1 is on throughout, the other rule inputs off (up to input noise)
    rule_units = b.x[:, :, 1 + 2 * 8:]
    assert abs(rule_units[:, :, 6].mean() - 1.0) < 0.02
    assert abs(np.delete(rule_units, 6, axis=2).mean()) < 0.02
    # the response target is set from the go step on for every trial
    assert np.all(b.y_loc[b.go_step:] >= 0) and np.all(b.y_loc[:b.go_step] == -1)


def test_batch_views_are_invalidated_by_the_next_sample(task):
    b1 = task.sample(0, 4)
    keep = b1.copy()
    assert b1.valid
    task.sample(1, 4)
    assert not b1.valid
    with pytest.raises(bimt.StateError, match="invalidated"):
        b1.x
    assert keep.x.shape[1] == 4 and keep.x.flags.writeable   # copies survive
    b3 = task.sample(2, 4, copy=True)
    task.sample(3, 4)
    assert b3.valid and b3.y.shape[1] == 4


def test_sampling_is_seeded():
    a = bimt.Task(n_eachring=8, seed=11).sample(5, 8, copy=True)
    b = bimt.Task(n_eachring=8, seed=11).sample(5, 8, copy=True)
    c = bimt.Task(n_eachring=8, seed=12).sample(5, 8, copy=True)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)


def test_sample_test_grid_is_deterministic_and_noise_free(task):
    a = task.sample_test("fdgo", copy=True)
    b = task.sample_test(0)
    assert a.batch_size in (40, 100, 500, 80)
    np.testing.assert_array_equal(a.x, b.x)
    # noise-free: fixation input is exactly 0 or 1
    assert set(np.unique(a.x[:, :, 0])) <= {0.0, 1.0}


def test_sample_bad_input_leaves_the_stream(task):
    ref = bimt.Task(n_eachring=8, seed=5)
    for bad in [(20, 4), (-1, 4), (0, 0), (0, 70000)]:
        with pytest.raises(bimt.InvalidArgumentError) as e:
            task.sample(*bad)
        assert e.value.message
    with pytest.raises(ValueError):
        task.sample("nope", 4)
    np.testing.assert_array_equal(task.sample(3, 5).x, ref.sample(3, 5).x)


@pytest.mark.parametrize("kw", [dict(n_eachring=2), dict(dt_ms=float("nan")),
                                dict(dt_ms=200.0), dict(tau_ms=-1.0),
                                dict(sigma_x=float("nan")), dict(rule_mask=1 << 20),
                                dict(loss=5)])
def test_bad_task_params(kw):
    with pytest.raises(bimt.InvalidArgumentError, match="bimt_task_create"):
        bimt.Task(**kw)


def _perfect_outputs(b):
    """Pre-nonlinearity outputs whose sigmoid equals the MSE targets exactly."""
    y = np.clip(b.y.astype(np.float64), 1e-4, 1 - 1e-4)
    return np.log(y / (1 - y))


def test_performance_against_constructed_outputs(task):
    b = task.sample("fdgo", 16)
    correct, mean = task.performance(b, _perfect_outputs(b))
    assert mean == 1.0 and correct.shape == (16,) and np.all(correct == 1)
    wrong = _perfect_outputs(b)
    wrong[-1, :, 0] = 5.0           # keep fixating at the last step: every response is missed
    correct, mean = bimt.performance(b, wrong, "mse")
    assert mean == 0.0 and np.all(correct == 0)
    with pytest.raises(bimt.ShapeError):
        task.performance(b, wrong[:, :3])


def test_performance_of_host_made_batch():
    T, B, n_out = 3, 4, 9
    y_loc = np.full((T, B), -1.0)
    y_loc[-1, :2] = 0.0             # trials 0, 1 must respond towards direction 0
    out = np.full((T, B, n_out), -5.0)
    out[-1, 2:, 0] = 5.0            # trials 2, 3 fixate (correct)
    out[-1, 0, 1] = 5.0             # trial 0 points at unit 1 = direction 0 (correct)
    out[-1, 1, 1 + 4] = 5.0         # trial 1 points at direction pi (wrong)
    b = bimt.Batch.from_arrays(y_loc, n_out=n_out)
    correct, mean = bimt.performance(b, out)
    np.testing.assert_array_equal(correct, [1, 0, 1, 1])
    assert mean == 0.75
    with pytest.raises(ValueError):
        bimt.performance(bimt.Batch.from_arrays(y_loc), out)    # n_out unknown
    with pytest.raises(ValueError):
        bimt.performance(b, out, loss="hinge")


def test_closed_task(task):
    b = task.sample(0, 2)
    task.close()
    assert task.closed and "closed" in repr(task)
    with pytest.raises(bimt.ClosedError):
        task.sample(0, 2)
    with pytest.raises(bimt.StateError):
        b.x
