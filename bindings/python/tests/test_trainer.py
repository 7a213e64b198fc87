"""Trainer: steps, runs with callbacks, knobs, evaluation, checkpoints (numpy round trip)."""

import gc
import json
import os

import numpy as np
import pytest

import bimt


def make(seed=1, **kw):
    task = bimt.Task(n_eachring=8, seed=seed)
    model = bimt.Model(task=task, grid_side=4, seed=seed)
    kw.setdefault("batch_size", 8)
    kw.setdefault("eval_interval", 0)
    return bimt.Trainer(model, task, **kw)


def test_step_reports_and_counts():
    tr = make(swap_interval=2)
    info = tr.step()
    assert isinstance(info, bimt.StepInfo)
    assert info.step == 1 and info.trials == 8 and 0 <= info.rule < 20
    assert info.rule_name == bimt.rule_name(info.rule)
    assert np.isfinite(info.loss) and info.loss > 0 and info.cost > 0
    assert info.lambda_ == pytest.approx(1e-4) and info.mean_perf == -1.0
    info2 = tr.step()
    assert info2.step == 2 and tr.steps == 2 and info2.trials == 16
    assert "steps=2" in repr(tr)


def test_params_round_trip_and_keywords():
    tr = make(arm="l1", learning_rate=2e-3, lam=3e-4, A=0.5, swap_top_k=7,
              schedule=[(0, 1e-5), (10, 2e-5)], rule_weight={"dm1": 3.0, 0: 1.0},
              recurrent_noise=False, seed=9)
    p = tr.get_params()
    assert p["arm"] == "l1" and p["learning_rate"] == 2e-3 and p["A"] == 0.5
    assert p["schedule"] == [(0, 1e-5), (10, 2e-5)] and p["recurrent_noise"] == 0
    w = np.zeros(20)
    w[6], w[0] = 3.0, 1.0
    np.testing.assert_array_equal(p["rule_weight"], w)
    assert tr.lambda_at(5) == pytest.approx(1e-5) and tr.lambda_at(10) == pytest.approx(2e-5)
    assert make(arm="none").lambda_at(100) == 0.0
    with pytest.raises(TypeError):
        make(swap_every=3)
    with pytest.raises(ValueError):
        make(arm="sometimes")


@pytest.mark.parametrize("kw", [dict(batch_size=0), dict(learning_rate=float("nan")),
                                dict(lam=-1.0), dict(beta1=1.5), dict(rule_weight=[0] * 20),
                                dict(schedule=[(10, 1e-4), (5, 1e-4)]),
                                dict(hidden_bias_nonpositive=2)])
def test_bad_trainer_params(kw):
    with pytest.raises(bimt.InvalidArgumentError):
        make(**kw)


def test_hidden_bias_nonpositive_keeps_every_bias_at_or_below_zero():
    free, capped = make(seed=3), make(seed=3, hidden_bias_nonpositive=1)
    assert capped.get_params()["hidden_bias_nonpositive"] == 1
    free.run(20)
    capped.run(20)
    assert (free.model.b_h > 0).any()  # otherwise the check below could not fail
    assert (capped.model.b_h <= 0).all()


def test_size_mismatch_is_a_shape_error():
    task = bimt.Task(n_eachring=8)
    model = bimt.Model(grid_side=3, n_in=5, n_out=2)
    with pytest.raises(bimt.ShapeError):
        bimt.Trainer(model, task)
    with pytest.raises(TypeError):
        bimt.Trainer(task, model)


def test_set_param_and_errors():
    tr = make()
    tr.set_param("learning_rate", 5e-4)
    tr.set_param("lambda", 2e-4)
    tr.set_param("A", 3.0)
    tr.set_param("swap_interval", 5)
    p = tr.get_params()
    assert p["learning_rate"] == 5e-4 and p["lambda"] == 2e-4 and p["A"] == 3.0
    assert p["swap_interval"] == 5 and tr.lambda_at(0) == pytest.approx(2e-4)
    with pytest.raises(bimt.InvalidArgumentError):
        tr.set_param("learning_rate", float("nan"))
    with pytest.raises(bimt.InvalidArgumentError) as e:
        tr.set_param("lambda", -1.0)
    assert e.value.message      # the trainer's errmsg travels with the exception
    with pytest.raises(ValueError):
        tr.set_param("momentum", 0.9)
    assert tr.get_params()["lambda"] == 2e-4     # unchanged after the failures
    tr.set_param("easy_train", 1)                # the curriculum knob reaches the C key
    with pytest.raises(bimt.InvalidArgumentError):
        tr.set_param("easy_train", 0.5)


def test_run_with_callback_and_early_stop():
    tr = make()
    seen = []
    tr.run(5, lambda info: seen.append(info.step))
    assert seen == [1, 2, 3, 4, 5]
    tr.run(10, lambda info: info.step >= 7)      # truthy return stops after step 7
    assert tr.steps == 7
    tr.run(3)
    assert tr.steps == 10


def test_callback_exception_stops_and_propagates():
    tr = make()

    def boom(info):
        if info.step == 2:
            raise KeyError("from callback")

    with pytest.raises(KeyError, match="from callback"):
        tr.run(10, boom)
    assert tr.steps == 2


def test_training_lowers_the_loss():
    tr = make(seed=3, batch_size=32, learning_rate=1e-2)
    losses = []
    tr.run(120, lambda i: losses.append(i.loss))
    assert np.mean(losses[-20:]) < 0.7 * np.mean(losses[:20])


def test_evaluate_and_last_eval():
    task = bimt.Task(n_eachring=8, rules=["fdgo", "dm1"])
    model = bimt.Model(task=task, grid_side=4)
    tr = bimt.Trainer(model, task, batch_size=8, eval_interval=0)
    with pytest.raises(bimt.StateError):
        tr.last_eval()              # no evaluation yet
    perf = tr.evaluate(16)
    assert perf.shape == (20,)
    enabled = np.zeros(20, bool)
    enabled[[0, 6]] = True
    assert np.all((perf[enabled] >= 0) & (perf[enabled] <= 1))
    assert np.all(perf[~enabled] == -1)
    np.testing.assert_array_equal(tr.last_eval(), perf)
    with pytest.raises(bimt.InvalidArgumentError):
        tr.evaluate(0)


def test_borrowed_optimizer():
    tr = make()
    tr.step()
    opt = tr.optimizer
    assert opt.n_params == tr.model.n_params and opt.steps == 1
    m, v = opt.moments()
    assert m.shape == (tr.model.n_params,) and np.any(v > 0)
    opt.close()                  # detaches only
    assert tr.optimizer.steps == 1
    tr.close()
    assert opt.closed


def test_trainer_keeps_model_and_task_alive():
    tr = make()
    model_ref = tr.model
    del model_ref
    gc.collect()
    tr.step()
    assert tr.model.n_hidden == 16


def test_closing_the_model_closes_the_trainer_first():
    tr = make()
    tr.model.close()
    assert tr.closed
    with pytest.raises(bimt.ClosedError):
        tr.step()
    t2 = make()
    t2.task.close()
    assert t2.closed


def test_trainer_forward_invalidates_python_forward_record():
    tr = make()
    x = np.zeros((3, 2, tr.model.n_in))
    tr.model.forward(x)
    tr.step()
    with pytest.raises(bimt.StateError):
        tr.model.outputs()


def test_checkpoint_numpy_round_trip(tmp_path):
    tr = make(seed=4, swap_interval=3)
    tr.run(7)
    path = tmp_path / "brain.npz"
    tr.save(path)
    with np.load(path) as z:
        np.testing.assert_array_equal(z["model.params"], tr.model.params)
        np.testing.assert_array_equal(z["model.slots"], tr.model.slots)
        assert int(z["trainer.step"]) == 7
        assert int(z["model.grid_side"]) == 4
        m, v = tr.optimizer.moments()
        np.testing.assert_array_equal(z["adam.m"], m)
        np.testing.assert_array_equal(z["adam.v"], v)
        meta = json.loads(bytes(z["metadata"]).decode() if z["metadata"].dtype.kind in "uS"
                          else str(z["metadata"]))
        assert meta["step"] == 7
    loaded = bimt.load_checkpoint(path)
    assert loaded.steps == 7
    pa, pb = loaded.get_params(), tr.get_params()
    np.testing.assert_array_equal(pa.pop("rule_weight"), pb.pop("rule_weight"))
    assert pa == pb
    np.testing.assert_array_equal(loaded.model.params, tr.model.params)
    np.testing.assert_array_equal(loaded.model.slots, tr.model.slots)
    assert loaded.task.get_params() == tr.task.get_params()
    assert loaded.model.get_params() == tr.model.get_params()
    # Bit-identical resume: the next steps agree exactly.
    for _ in range(3):
        a, b = tr.step(), loaded.step()
        assert (a.rule, a.loss, a.cost) == (b.rule, b.loss, b.cost)
    np.testing.assert_array_equal(loaded.model.params, tr.model.params)


def test_checkpoint_errors(tmp_path):
    with pytest.raises(bimt.BimtIOError):
        bimt.load_checkpoint(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all" * 10)
    with pytest.raises(bimt.FormatError) as e:
        bimt.load_checkpoint(junk)
    assert "junk.npz" in str(e.value)
    tr = make()
    good = tmp_path / "good.npz"
    tr.save(good)
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF                  # corrupt one byte: CRC check
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises((bimt.FormatError, bimt.VersionError)):
        bimt.load_checkpoint(bad)
    with pytest.raises(bimt.BimtIOError):
        tr.save(tmp_path / "no" / "such" / "dir" / "x.npz")
    assert os.path.exists(good)


def test_closed_trainer():
    tr = make()
    with tr:
        tr.step()
    with pytest.raises(bimt.ClosedError):
        tr.save("x.npz")
    assert "closed" in repr(tr)


def test_checkpoint_edited_with_numpy_loads_back(tmp_path):
    """numpy -> libbimt: an archive rewritten by numpy.savez with scaled weights loads."""
    tr = make(seed=6)
    tr.run(3)
    a = tmp_path / "a.npz"
    tr.save(a)
    with np.load(a) as z:
        members = {k: z[k] for k in z.files}
    members["model.params"] = members["model.params"] * np.float32(0.5)
    b = tmp_path / "b.npz"
    np.savez(b, **members)
    loaded = bimt.load_checkpoint(b)
    np.testing.assert_array_equal(loaded.model.params, tr.model.params * np.float32(0.5))
    assert loaded.steps == 3
    members["model.params"] = members["model.params"][:-1]      # wrong length
    np.savez(b, **members)
    with pytest.raises((bimt.FormatError, bimt.ShapeError)):
        bimt.load_checkpoint(b)


def test_trainer_borrowed_handles_are_its_model_and_task():
    import ctypes
    from bimt._lib import lib
    tr = make()
    m = lib.bimt_trainer_model(tr._h)
    t = lib.bimt_trainer_task(tr._h)
    assert ctypes.cast(m, ctypes.c_void_p).value == ctypes.cast(tr.model._h,
                                                                ctypes.c_void_p).value
    assert ctypes.cast(t, ctypes.c_void_p).value == ctypes.cast(tr.task._h,
                                                                ctypes.c_void_p).value
    assert not lib.bimt_trainer_model(None) and lib.bimt_trainer_steps(None) == 0
