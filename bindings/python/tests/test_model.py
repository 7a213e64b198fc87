"""Model: parameters and views, geometry, forward/loss/backward against numpy, cost, swaps."""

import numpy as np
import pytest

import bimt
from conftest import numpy_forward, sigmoid


def test_create_defaults_and_params(small_model):
    m = small_model
    p = m.get_params()
    assert (m.grid_side, m.n_hidden, m.n_in, m.n_out) == (4, 16, 5, 3)
    assert p["activation"] == "tanh" and p["init"] == "gauss" and p["seed"] == 3
    assert m.n_params == 16 * 16 + 16 * 5 + 3 * 16 + 16 + 3
    d = bimt.Model()
    assert (d.grid_side, d.n_in, d.n_out) == (16, 85, 33)
    assert d.get_params()["activation"] == "softplus"
    assert "4x4" in repr(m)


def test_tensor_views_tile_the_flat_buffer(small_model):
    m = small_model
    flat = m.params
    assert flat.dtype == np.float32 and not flat.flags.writeable
    off = 0
    for name, shape in [("W_rec", (16, 16)), ("W_in", (16, 5)), ("W_out", (3, 16)),
                        ("b_h", (16,)), ("b_o", (3,))]:
        t = m.tensor(name)
        assert t.shape == shape and not t.flags.writeable
        assert m.tensor_offset(name) == off
        np.testing.assert_array_equal(flat[off:off + t.size], t.ravel())
        off += t.size
    assert off == m.n_params
    with pytest.raises(ValueError):
        m.W_rec[0, 0] = 1.0


def test_views_are_zero_copy_and_keep_the_model_alive():
    m = bimt.Model(grid_side=2, n_in=2, n_out=2)
    view = m.params
    writable = m.params_data()
    writable[0] = 42.0
    assert view[0] == 42.0          # same memory
    del m                           # the view holds the model
    assert view[0] == 42.0


def test_set_params_round_trip_and_conversion(small_model, rng):
    v = rng.standard_normal(small_model.n_params)   # float64: converted to float32
    small_model.set_params(v)
    np.testing.assert_array_equal(small_model.params, v.astype(np.float32))
    with pytest.raises(bimt.ShapeError):
        small_model.set_params(v[:-1])
    with pytest.raises(TypeError):
        small_model.set_params(v.astype(complex))
    with pytest.raises(TypeError):
        small_model.set_params(["a"] * small_model.n_params)


def test_geometry_distances_and_slots(small_model):
    m = small_model
    slots = m.slots
    np.testing.assert_array_equal(np.sort(slots), np.arange(16))
    rc = m.positions()
    manhattan = np.abs(rc[:, None, :] - rc[None, :, :]).sum(-1) / 4.0
    np.testing.assert_allclose(m.distances, manhattan, rtol=0, atol=1e-7)
    assert m.distance(0, 15) == pytest.approx(manhattan[0, 15])
    with pytest.raises(IndexError):
        m.distance(0, 16)
    perm = np.random.default_rng(0).permutation(16)
    m.set_slots(perm)
    np.testing.assert_array_equal(m.slots, perm)
    rc = m.positions()
    np.testing.assert_allclose(m.distances,
                               np.abs(rc[:, None] - rc[None]).sum(-1) / 4.0, atol=1e-7)
    before = m.slots.copy()
    with pytest.raises(bimt.InvalidArgumentError):
        m.set_slots(np.zeros(16))       # not a permutation
    with pytest.raises(bimt.InvalidArgumentError):
        m.set_slots(np.arange(15))      # wrong length
    with pytest.raises(TypeError):
        m.set_slots(np.arange(16) + 0.5)
    np.testing.assert_array_equal(m.slots, before)  # unchanged on failure


def test_forward_matches_numpy(small_model, rng):
    x = rng.standard_normal((7, 4, 5))
    small_model.forward(x)                      # float64 input, converted
    h_ref, o_ref = numpy_forward(small_model, x)
    np.testing.assert_allclose(small_model.states(), h_ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(small_model.outputs(), o_ref, rtol=1e-4, atol=1e-5)
    assert small_model.outputs().shape == (7, 4, 3)
    assert not small_model.outputs().flags.writeable
    # Same result from float32, int and non-contiguous inputs.
    out64 = small_model.outputs(copy=True)
    small_model.forward(x.astype(np.float32))
    np.testing.assert_array_equal(small_model.outputs(), out64)
    big = np.zeros((7, 8, 5))
    big[:, ::2] = x
    small_model.forward(big[:, ::2])
    np.testing.assert_array_equal(small_model.outputs(), out64)
    xi = np.ones((3, 2, 5), dtype=np.int64)
    small_model.forward(xi)
    np.testing.assert_allclose(small_model.outputs(), numpy_forward(small_model, xi)[1],
                               rtol=1e-4, atol=1e-5)


def test_forward_noise_changes_outputs_deterministically(rng):
    x = rng.standard_normal((5, 3, 5))
    a = bimt.Model(grid_side=3, n_in=5, n_out=2, seed=9)
    b = bimt.Model(grid_side=3, n_in=5, n_out=2, seed=9)
    a.forward(x)
    clean = a.outputs(copy=True)
    a.forward(x, noise=True)
    b.forward(x, noise=True)
    assert not np.allclose(a.outputs(), clean)
    np.testing.assert_array_equal(a.outputs(), b.outputs())


def test_forward_bad_input(small_model):
    with pytest.raises(bimt.ShapeError):
        small_model.forward(np.zeros((3, 2, 4)))      # wrong n_in
    with pytest.raises(bimt.ShapeError):
        small_model.forward(np.zeros((3, 5)))         # wrong ndim
    with pytest.raises(bimt.InvalidArgumentError):
        small_model.forward(np.zeros((0, 2, 5)))      # T = 0
    with pytest.raises(TypeError):
        small_model.forward(np.zeros((3, 2, 5), dtype=complex))
    with pytest.raises(bimt.StateError):
        small_model.outputs()                         # no successful forward


def test_mse_loss_matches_numpy(small_model, rng):
    x = rng.standard_normal((6, 4, 5))
    y = rng.uniform(0, 1, (6, 4, 3))
    mask = rng.uniform(0, 2, (6, 4, 3))
    small_model.forward(x)
    o = small_model.outputs().astype(np.float64)
    want = np.mean((mask * (y - sigmoid(o))) ** 2)
    assert small_model.loss(y, mask) == pytest.approx(want, rel=1e-5)
    with pytest.raises(bimt.ShapeError):
        small_model.loss(y[:, :3], mask[:, :3])


def test_loss_and_backward_before_forward_are_state_errors():
    m = bimt.Model(grid_side=2, n_in=2, n_out=2)
    with pytest.raises(bimt.StateError):
        m.loss(np.zeros((1, 1, 2)), np.ones((1, 1, 2)))
    with pytest.raises(bimt.StateError):
        m.backward()
    m.forward(np.zeros((2, 1, 2)))
    with pytest.raises(bimt.StateError, match="."):
        m.backward()                 # no loss yet and no d_outputs


def test_backward_matches_finite_differences(rng):
    """dL/dparams from BPTT (through the stored MSE gradient) vs central differences."""
    m = bimt.Model(grid_side=2, n_in=3, n_out=2, activation="tanh", init="gauss",
                   init_scale=1.0, seed=4)
    x = rng.standard_normal((5, 3, 3))
    y = rng.uniform(0, 1, (5, 3, 2))
    mask = np.ones_like(y)
    m.zero_grad()
    m.forward(x)
    m.loss(y, mask)
    m.backward()
    g = m.grad.astype(np.float64).copy()
    base = m.params.astype(np.float64).copy()

    def loss_at(p):
        m.set_params(p)
        m.forward(x)
        return m.loss(y, mask)

    idx = rng.choice(m.n_params, 25, replace=False)
    eps = 1e-2
    for i in idx:
        p = base.copy()
        p[i] += eps
        lp = loss_at(p)
        p[i] -= 2 * eps
        lm = loss_at(p)
        fd = (lp - lm) / (2 * eps)
        assert g[i] == pytest.approx(fd, rel=5e-2, abs=2e-4), i
    m.set_params(base)


def test_backward_with_host_gradient_equals_stored_gradient(small_model, rng):
    x = rng.standard_normal((4, 3, 5))
    y = rng.uniform(0, 1, (4, 3, 3))
    mask = rng.uniform(0, 1, (4, 3, 3))
    small_model.forward(x)
    small_model.loss(y, mask)
    small_model.zero_grad()
    small_model.backward()
    g_lib = small_model.grad.copy()
    # dL/do of the MSE loss, computed independently: L = mean((m (y - s))^2), s = sigmoid(o)
    o = small_model.outputs().astype(np.float64)
    s = sigmoid(o)
    d = -2 * mask ** 2 * (y - s) * s * (1 - s) / y.size
    small_model.zero_grad()
    small_model.backward(d)
    np.testing.assert_allclose(small_model.grad, g_lib, rtol=2e-3, atol=1e-6)
    # backward accumulates
    small_model.backward(d)
    np.testing.assert_allclose(small_model.grad, 2 * g_lib, rtol=2e-3, atol=1e-6)
    with pytest.raises(bimt.ShapeError):
        small_model.backward(d[:2])


def test_connection_cost_matches_formula(small_model):
    m = small_model
    lam, A = 0.3, 2.0
    W = m.W_rec.astype(np.float64)
    want = lam * (np.abs(m.params.astype(np.float64)).sum()
                  + A * (m.distances.astype(np.float64) * np.abs(W)).sum())
    m.zero_grad()
    got = m.connection_cost(lam, A, add_grad=True)
    assert got == pytest.approx(want, rel=1e-5)
    # subgradient: lambda * sign(p), plus lambda * A * D * sign(W) on W_rec
    g = np.sign(m.params.astype(np.float64)) * lam
    g[:W.size] += (lam * A * m.distances * np.sign(W)).ravel()
    np.testing.assert_allclose(m.grad, g, rtol=1e-5, atol=1e-7)
    assert m.distance_cost(A) == pytest.approx(
        A * (m.distances * np.abs(W)).sum(), rel=1e-5)
    before = m.grad.copy()
    for bad in [(float("nan"), 1.0), (-1.0, 1.0), (1.0, float("nan")), (1.0, -2.0)]:
        with pytest.raises(bimt.InvalidArgumentError):
            m.connection_cost(*bad, add_grad=True)
    np.testing.assert_array_equal(m.grad, before)   # nothing written on failure
    with pytest.raises(bimt.InvalidArgumentError):
        m.distance_cost(float("nan"))


def test_swap_lowers_cost_and_keeps_the_function(small_model, rng):
    m = small_model
    x = rng.standard_normal((4, 2, 5))
    m.forward(x)
    out_before = m.outputs(copy=True)
    params_before = m.params.copy()
    cost0 = m.distance_cost(1.0)
    res = m.swap(top_k=16, A=1.0)
    assert res.cost_before == pytest.approx(cost0, rel=1e-6)
    assert res.cost_after <= res.cost_before
    assert res.cost_after == pytest.approx(m.distance_cost(1.0), rel=1e-6)
    assert len(res.exchanges) == res.n_swaps
    assert all(d < 0 for _, _, d in res.exchanges)
    if res.n_swaps:
        assert res.cost_after < res.cost_before
    np.testing.assert_array_equal(m.params, params_before)   # weights never move
    m.forward(x)
    np.testing.assert_array_equal(m.outputs(), out_before)
    np.testing.assert_array_equal(np.sort(m.slots), np.arange(16))


def test_swap_candidates_and_bad_params(small_model):
    m = small_model
    slots = m.slots.copy()
    res = m.swap(top_k=16, candidates=np.zeros(16, bool))   # no partner allowed
    assert res.n_swaps == 0
    np.testing.assert_array_equal(m.slots, slots)
    with pytest.raises(bimt.InvalidArgumentError):
        m.swap(top_k=0)
    with pytest.raises(bimt.InvalidArgumentError):
        m.swap(A=float("nan"))
    with pytest.raises(bimt.ShapeError):
        m.swap(candidates=np.ones(15))
    np.testing.assert_array_equal(m.slots, slots)


def test_weights_grid_order_follows_slots(small_model):
    m = small_model
    perm = np.random.default_rng(5).permutation(16)
    m.set_slots(perm)
    g = m.weights_grid_order()
    inv = np.argsort(perm)          # neuron at each slot
    np.testing.assert_array_equal(g.W_rec, m.W_rec[np.ix_(inv, inv)])
    np.testing.assert_array_equal(g.W_in, m.W_in[inv])
    np.testing.assert_array_equal(g.W_out, m.W_out[:, inv])
    np.testing.assert_array_equal(g.b_h, m.b_h[inv])


def test_clone_is_deep_and_independent(small_model, rng):
    c = small_model.clone()
    np.testing.assert_array_equal(c.params, small_model.params)
    np.testing.assert_array_equal(c.slots, small_model.slots)
    c.params_data()[:] = 0
    assert np.any(small_model.params != 0)
    with pytest.raises(bimt.StateError):
        c.outputs()     # no forward state on a clone
    c.close()


@pytest.mark.parametrize("kw", [dict(alpha=float("nan")), dict(alpha=1.5), dict(grid_side=0),
                                dict(sigma_rec=-1.0), dict(init_scale=float("inf")),
                                dict(n_in=0)])
def test_bad_model_params(kw):
    with pytest.raises(bimt.InvalidArgumentError, match="bimt_model_create"):
        bimt.Model(**kw)


def test_bad_enum_and_keyword():
    with pytest.raises(ValueError):
        bimt.Model(activation="sigmoid")
    with pytest.raises(TypeError):
        bimt.Model(hidden=3)
    with pytest.raises(bimt.InvalidArgumentError):
        bimt.Model(init=7)


def test_closed_model_raises_everywhere():
    m = bimt.Model(grid_side=2, n_in=2, n_out=2)
    with m:
        pass
    assert m.closed
    for call in (lambda: m.n_hidden, lambda: m.params, lambda: m.forward(np.zeros((1, 1, 2))),
                 lambda: m.swap(), lambda: m.clone(), lambda: m.connection_cost(1, 1)):
        with pytest.raises(bimt.ClosedError):
            call()
    m.close()   # twice is fine
    assert "closed" in repr(m)


def test_positions_in_and_out():
    """Caller positions (seRNN's 5 x 5 x 4 grid): copied in, the property out, and every
    distance the Euclidean distance of the positions of the neurons' slots."""
    g = np.array([(r, c, z) for r in range(5) for c in range(5) for z in range(4)], float)
    m = bimt.Model(positions=g, distance="euclidean", n_in=4, n_out=2, seed=2)
    assert (m.n_hidden, m.grid_side, m.dim, m.distance_kind) == (100, 0, 3, "euclidean")
    g_copy = g.copy()
    g[0, 0] = 99.0  # the model keeps its own copy
    assert np.array_equal(m.slot_positions, g_copy)
    assert not m.slot_positions.flags.writeable
    rng = np.random.default_rng(4)
    m.set_slots(rng.permutation(100))
    p = g_copy[m.slots]
    want = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(-1))
    assert np.array_equal(np.array([[m.distance(i, j) for j in range(100)] for i in range(100)]),
                          want)
    assert np.array_equal(m.distances, want.astype(np.float32))
    assert np.array_equal(m.positions(), p)
    prm = m.get_params()
    assert prm["distance"] == "euclidean" and prm["grid_side"] == 0
    assert np.array_equal(prm["positions"], g_copy)
    assert "100 slots in 3-D" in repr(m)
    c = m.clone()
    assert np.array_equal(c.slot_positions, g_copy)
    d, mean, counts = bimt.analysis.weight_distance_profile(m)
    assert len(d) == 20 and counts.sum() == 100 * 99
    assert d[-1] == pytest.approx(np.sqrt(16 + 16 + 9))
    # the default grid: (row, col) / side, Manhattan
    q = bimt.Model(grid_side=3, n_in=2, n_out=2)
    assert q.dim == 2 and q.distance_kind == "manhattan" and q.get_params()["positions"] is None
    assert np.allclose(q.slot_positions, [(r / 3, c / 3) for r in range(3) for c in range(3)])


@pytest.mark.parametrize("pos, kw", [
    (np.zeros((3, 4)), {}),                       # dim 4
    (np.array([[0.0, np.nan]]), {}),              # NaN
    (np.zeros((2, 2)), {"io_layout": "edges"}),   # io needs the grid
    (np.zeros(5), {}),                            # not 2-D
])
def test_bad_positions(pos, kw):
    with pytest.raises((bimt.InvalidArgumentError, bimt.ShapeError)):
        bimt.Model(positions=pos, n_in=2, n_out=2, **kw)


def test_tensor_prices_against_numpy():
    """w_in_cost / w_out_cost multiply those tensors' L1 terms (no io layout: no distances)."""
    m = bimt.Model(grid_side=3, n_in=4, n_out=2, seed=5, w_in_cost=0.25, w_out_cost=3.0)
    assert m.get_params()["w_in_cost"] == 0.25 and m.get_params()["w_out_cost"] == 3.0
    W, Wi, Wo, bh, bo = (np.abs(m.tensor(t)).astype(np.float64)
                         for t in ("W_rec", "W_in", "W_out", "b_h", "b_o"))
    D = m.distances.astype(np.float64)
    want = 1e-2 * (W.sum() + 2.0 * (D * W).sum() + 0.25 * Wi.sum() + 3.0 * Wo.sum()
                   + bh.sum() + bo.sum())
    assert m.connection_cost(1e-2, 2.0) == pytest.approx(want, rel=1e-6)
    with pytest.raises(bimt.InvalidArgumentError):
        bimt.Model(grid_side=3, w_out_cost=-1.0)
