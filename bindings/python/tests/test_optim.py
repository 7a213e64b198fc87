"""Optimizer: Adam against a numpy re-implementation, clipping, views, errors."""

import numpy as np
import pytest

import bimt


def numpy_adam(p, grads, lr, b1, b2, eps, clip=0.0):
    p = p.astype(np.float64).copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        g = g.astype(np.float64)
        if clip > 0:
            g = np.clip(g, -clip, clip)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p -= lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return p, m, v


def test_adam_matches_numpy(rng):
    n = 50
    opt = bimt.Optimizer(n, lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6)
    assert opt.n_params == n and opt.steps == 0
    p = rng.standard_normal(n).astype(np.float32)
    p0 = p.copy()
    grads = [rng.standard_normal(n) for _ in range(5)]
    for g in grads:
        opt.step(p, g)          # float64 grad converted
    assert opt.steps == 5
    want, m, v = numpy_adam(p0, grads, 0.01, 0.8, 0.99, 1e-6)
    np.testing.assert_allclose(p, want, rtol=1e-5, atol=1e-6)
    om, ov = opt.moments()
    assert not om.flags.writeable
    np.testing.assert_allclose(om, m, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ov, v, rtol=1e-5, atol=1e-9)


def test_clip_and_lr(rng):
    n = 10
    opt = bimt.Adam(n, lr=0.1)
    opt.set_clip(0.5)
    opt.set_lr(0.05)
    p = np.zeros(n, np.float32)
    grads = [rng.standard_normal(n) * 3 for _ in range(3)]
    for g in grads:
        opt.step(p, g)
    want, _, _ = numpy_adam(np.zeros(n), grads, 0.05, 0.9, 0.999, 1e-8, clip=0.5)
    np.testing.assert_allclose(p, want, rtol=1e-5, atol=1e-6)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(bimt.InvalidArgumentError):
            opt.set_lr(bad)
    for bad in (-1.0, float("nan")):
        with pytest.raises(bimt.InvalidArgumentError):
            opt.set_clip(bad)


def test_step_on_a_model_updates_its_parameters(small_model, rng):
    m = small_model
    opt = bimt.Optimizer(m.n_params, lr=0.01)
    g = rng.standard_normal(m.n_params).astype(np.float32)
    m.grad_data()[:] = g
    before = m.params.copy()
    opt.step(m)
    want, _, _ = numpy_adam(before, [g], 0.01, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(m.params, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(m.grad, g)     # gradients not modified
    other = bimt.Optimizer(3)
    with pytest.raises(ValueError):
        other.step(m)


def test_step_input_checks(rng):
    opt = bimt.Optimizer(4)
    p = np.zeros(4, np.float32)
    with pytest.raises(TypeError):
        opt.step(np.zeros(4), np.zeros(4))           # float64 params cannot be updated in place
    with pytest.raises(ValueError):
        opt.step(np.zeros(8, np.float32)[::2], np.zeros(4))   # not contiguous
    ro = np.zeros(4, np.float32)
    ro.setflags(write=False)
    with pytest.raises(ValueError):
        opt.step(ro, np.zeros(4))
    with pytest.raises(bimt.ShapeError):
        opt.step(p, np.zeros(5))
    with pytest.raises(bimt.ShapeError):
        opt.step(np.zeros(5, np.float32), np.zeros(5))
    with pytest.raises(TypeError):
        opt.step(p)
    assert opt.steps == 0


@pytest.mark.parametrize("kw", [dict(lr=0.0), dict(lr=float("nan")), dict(beta1=1.0),
                                dict(beta2=-0.1), dict(eps=0.0)])
def test_bad_adam_params(kw):
    with pytest.raises(bimt.InvalidArgumentError):
        bimt.Optimizer(4, **kw)


def test_closed_optimizer():
    opt = bimt.Optimizer(4)
    opt.close()
    with pytest.raises(bimt.ClosedError):
        opt.step(np.zeros(4, np.float32), np.zeros(4))
    assert "closed" in repr(opt)
