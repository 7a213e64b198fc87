"""The grid RNN (``bimt_model_t``): forward/backward, connection cost, swaps, weights."""

import collections
import ctypes
import dataclasses

import numpy as np

from . import _ffi as F
from ._errors import StateError
from ._lib import lib
from ._util import (Handle, as_array, as_float32, check, count, enum_name, enum_table, enum_value,
                    out_struct, ptr, view)
from .task import LOSSES

ACTIVATIONS = enum_table(lib.bimt_activation_name)
INITS = enum_table(lib.bimt_init_name)
IO_LAYOUTS = enum_table(lib.bimt_io_layout_name)
DISTANCES = enum_table(lib.bimt_distance_name)
TENSORS = {k.lower(): v for k, v in enum_table(lib.bimt_tensor_name).items()}  # w_rec ...

_MODEL_FIELDS = ("grid_side", "n_in", "n_out", "activation", "alpha", "sigma_rec", "init",
                 "init_scale", "loss", "seed", "io_layout", "distance", "neighbours",
                 "w_in_cost", "w_out_cost")

GridWeights = collections.namedtuple("GridWeights", "W_rec W_in W_out b_h")
GridWeights.__doc__ = "Weights in grid order (copies): W_rec[s, t], W_in[s, :], W_out[:, s], b_h[s]."


@dataclasses.dataclass
class SwapResult:
    """Outcome of one swap pass."""
    n_swaps: int
    cost_before: float
    cost_after: float
    #: (neuron, partner, delta) of each exchange made, in order
    exchanges: list


class Model(Handle):
    """A leaky RNN whose n x n hidden neurons sit on a grid (``bimt_model_t``).

    Keyword arguments are the fields of ``bimt_model_params`` (defaults from
    ``bimt_model_params_init``): grid_side, n_in, n_out, activation ("softplus", "relu",
    "tanh"), alpha, sigma_rec, init ("diag", "randortho", "gauss"), init_scale, loss ("mse",
    "cross_entropy"), seed, io_layout ("none", "edges": inputs and outputs on the grid's
    left and right edges, so W_in and W_out pay a wiring distance), distance ("manhattan",
    "euclidean"), neighbours (k of the anatomical neighbourhood, 0 = default), w_in_cost and
    w_out_cost (the price of W_in and W_out in the connection cost, default 1), and
    ``positions``: an array [n_slots, dim] (dim 1 to 3) of slot positions instead of the grid
    (copied; the model then has n_slots hidden neurons and io_layout must be "none").
    ``Model(task=t)`` takes n_in, n_out and loss from a Task.

    Arrays: ``params``/``grad`` are zero-copy read-only views of the flat buffers (layout:
    W_rec, W_in, W_out, b_h, b_o); ``W_rec`` ... ``b_o`` are read-only views of each tensor;
    :meth:`params_data` / :meth:`grad_data` give writable views for a host optimizer.
    """

    _kind = "Model"
    _free_fn = "bimt_model_free"
    _errmsg_fn = "bimt_model_errmsg"

    def __init__(self, task=None, positions=None, **kwargs):
        p = F.ModelParams()
        lib.bimt_model_params_init(ctypes.byref(p))
        pos = None
        if positions is not None:
            # [n_slots, dim], C order; the library checks sizes and values
            pos = as_array("positions", positions, np.float64, (None, None))
            p.positions = pos.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
            p.n_slots = pos.shape[0]
            p.dim = pos.shape[1]
        if task is not None:
            p.n_in = task.n_in
            p.n_out = task.n_out
            p.loss = LOSSES[task.loss]
        for k, v in kwargs.items():
            if k not in _MODEL_FIELDS:
                raise TypeError(f"Model() got an unexpected keyword argument {k!r}")
            if k == "activation":
                v = enum_value("activation", ACTIVATIONS, v)
            elif k == "init":
                v = enum_value("init", INITS, v)
            elif k == "loss":
                v = enum_value("loss", LOSSES, v)
            elif k == "io_layout":
                v = enum_value("io_layout", IO_LAYOUTS, v)
            elif k == "distance":
                v = enum_value("distance", DISTANCES, v)
            setattr(p, k, v)
        h = F.ModelP()
        desc = ", ".join(f"{k}={getattr(p, k)!r}" for k in _MODEL_FIELDS)
        if pos is not None:
            desc += f", positions=<{pos.shape[0]} x {pos.shape[1]}>"
        check(lib.bimt_model_create(ctypes.byref(p), ctypes.byref(h)),
              what=f"bimt_model_create({desc})")
        super().__init__(h)
        self._fwd_shape = None

    @classmethod
    def _wrap(cls, h, owner=None, borrowed=False):
        obj = cls.__new__(cls)
        Handle.__init__(obj, h, owner, borrowed)
        obj._fwd_shape = None
        return obj

    def clone(self):
        """A deep copy (parameters, gradients, positions, noise stream; no forward state)."""
        h = F.ModelP()
        self._check(lib.bimt_model_clone(self._h, ctypes.byref(h)), "clone")
        return Model._wrap(h)

    # ---------------------------------------------------------------- sizes and params
    def get_params(self):
        """The creation parameters as a dict (enums as names)."""
        p = out_struct(F.ModelParams)
        self._check(lib.bimt_model_get_params(self._h, ctypes.byref(p)))
        d = {k: getattr(p, k) for k in _MODEL_FIELDS}
        d["activation"] = enum_name(ACTIVATIONS, d["activation"])
        d["init"] = enum_name(INITS, d["init"])
        d["loss"] = enum_name(LOSSES, d["loss"])
        d["io_layout"] = enum_name(IO_LAYOUTS, d["io_layout"])
        d["distance"] = enum_name(DISTANCES, d["distance"])
        d["positions"] = self.slot_positions.copy() if p.positions else None
        return d

    n_hidden = property(lambda self: lib.bimt_model_n_hidden(self._h), doc="grid_side**2")
    n_in = property(lambda self: lib.bimt_model_n_in(self._h), doc="input size")
    n_out = property(lambda self: lib.bimt_model_n_out(self._h), doc="output size")
    grid_side = property(lambda self: lib.bimt_model_grid_side(self._h),
                         doc="grid side n (0 with caller positions)")
    dim = property(lambda self: lib.bimt_model_dim(self._h),
                   doc="coordinates per slot position (2 on the grid)")
    distance_kind = property(lambda self: enum_name(DISTANCES,
                                                    lib.bimt_model_distance_kind(self._h)),
                             doc='"manhattan" or "euclidean"')

    @property
    def slot_positions(self):
        """Read-only view [n_hidden, dim] (float64) of the slots' positions, by slot (neuron k
        sits at ``slot_positions[slots[k]]``); the grid's are (row, col) / grid_side."""
        return view(lib.bimt_model_positions(self._h), np.float64, (self.n_hidden, self.dim),
                    self)
    n_params = property(lambda self: lib.bimt_model_n_params(self._h),
                        doc="length of the flat parameter buffer")

    @property
    def params(self):
        """Read-only zero-copy view of the flat parameter buffer [n_params]."""
        return view(lib.bimt_model_params_view(self._h), np.float32, (self.n_params,), self)

    @property
    def grad(self):
        """Read-only zero-copy view of the flat gradient buffer [n_params]."""
        return view(lib.bimt_model_grad_data(self._h), np.float32, (self.n_params,), self)

    def params_data(self):
        """Writable zero-copy view of the parameters (call forward again after writing)."""
        return view(lib.bimt_model_params_data(self._h), np.float32, (self.n_params,), self,
                    writable=True)

    def grad_data(self):
        """Writable zero-copy view of the gradients."""
        return view(lib.bimt_model_grad_data(self._h), np.float32, (self.n_params,), self,
                    writable=True)

    def set_params(self, values):
        """Copies values (any real array of n_params elements) into the parameters."""
        v = as_float32("values", values, (self.n_params,))
        self.params_data()[:] = v

    def tensor(self, which):
        """Read-only view of one tensor: "W_rec" [n_h, n_h], "W_in" [n_h, n_in],
        "W_out" [n_out, n_h], "b_h" [n_h], "b_o" [n_out] (name or bimt_tensor value)."""
        key = enum_value("tensor", TENSORS, which.lower() if isinstance(which, str) else which)
        data = ctypes.POINTER(ctypes.c_float)()
        rows, cols, off = ctypes.c_uint32(), ctypes.c_uint32(), ctypes.c_size_t()
        self._check(lib.bimt_model_tensor(self._h, key, ctypes.byref(data), ctypes.byref(rows),
                                          ctypes.byref(cols), ctypes.byref(off)))
        shape = (rows.value,) if key >= 3 else (rows.value, cols.value)
        return view(data, np.float32, shape, self)

    def tensor_offset(self, which):
        """Element offset of a tensor in the flat buffer."""
        key = enum_value("tensor", TENSORS, which.lower() if isinstance(which, str) else which)
        off = ctypes.c_size_t()
        self._check(lib.bimt_model_tensor(self._h, key, None, None, None, ctypes.byref(off)))
        return off.value

    W_rec = property(lambda self: self.tensor("w_rec"), doc="W_rec[i, j]: from j to i")
    W_in = property(lambda self: self.tensor("w_in"), doc="W_in [n_hidden, n_in]")
    W_out = property(lambda self: self.tensor("w_out"), doc="W_out [n_out, n_hidden]")
    b_h = property(lambda self: self.tensor("b_h"), doc="hidden bias [n_hidden]")
    b_o = property(lambda self: self.tensor("b_o"), doc="output bias [n_out]")

    def zero_grad(self):
        """Sets every gradient element to 0."""
        lib.bimt_model_zero_grad(self._h)

    # ---------------------------------------------------------------- geometry
    @property
    def slots(self):
        """Read-only view [n_hidden] (uint32): slot (row * grid_side + col) of each neuron."""
        return view(lib.bimt_model_slots(self._h), np.uint32, (self.n_hidden,), self)

    def set_slots(self, slots):
        """Places the neurons; slots must be a permutation of 0..n_hidden-1."""
        s = as_array("slots", slots, np.uint32, (None,))
        self._check(lib.bimt_model_set_slots(self._h, ptr(s), s.size))

    def set_silenced(self, silenced=None):
        """Silences hidden neurons (a lesion): their outputs are held at zero in every
        forward pass; ``None`` (or an all-False mask) silences none. ``silenced`` is a
        boolean mask of length n_hidden."""
        if silenced is None:
            self._check(lib.bimt_model_set_silenced(self._h, None, 0))
            return
        m = as_array("silenced", silenced, np.uint8,
                     (self.n_hidden,))
        self._check(lib.bimt_model_set_silenced(self._h, ptr(m), m.size))

    n_silenced = property(lambda self: lib.bimt_model_n_silenced(self._h),
                          doc="number of silenced hidden neurons")

    def positions(self):
        """Position of each neuron (a copy): on the grid (row, col) as an int array
        [n_hidden, 2]; with caller positions their float64 coordinates [n_hidden, dim]."""
        s = self.slots.astype(np.int64)
        n = self.grid_side
        if n == 0:
            return self.slot_positions[s].copy()
        return np.stack([s // n, s % n], axis=1)

    def distance(self, i, j):
        """Distance between neurons i and j: the model's distance between the positions of
        their slots ((|dr| + |dc|) / grid_side on the default grid)."""
        d = lib.bimt_model_distance(self._h, int(i), int(j))
        if d < 0:
            raise IndexError(f"neuron index out of range: ({i}, {j}) with n_hidden "
                             f"{self.n_hidden}")
        return d

    @property
    def distances(self):
        """Read-only view of the distance matrix [n_hidden, n_hidden] (float32)."""
        n = self.n_hidden
        return view(lib.bimt_model_distances(self._h), np.float32, (n, n), self)

    # ---------------------------------------------------------------- forward/backward
    def forward(self, x, noise=False):
        """Runs the network on x [T, B, n_in] (converted to float32 C order).

        noise=True adds recurrent noise from the model's stream. Results: :meth:`states`,
        :meth:`outputs`, then :meth:`loss` and :meth:`backward`.
        """
        x = as_float32("x", x, (None, None, self.n_in))
        t, b = x.shape[0], x.shape[1]
        flags = F.FWD_NOISE if noise else 0
        self._fwd_shape = None
        self._check(lib.bimt_model_forward(self._h, ptr(x), count("n_steps", t),
                                           count("batch_size", b), flags), "forward")
        self._fwd_shape = (t, b)

    def _shape(self):
        self._h  # noqa: B018
        if self._fwd_shape is None:
            raise StateError(-8, "no forward from Python since the model was created or last "
                                 "used by a trainer or an analysis call")
        return self._fwd_shape

    def states(self, copy=False):
        """Hidden states [T, B, n_hidden] of the last forward (view valid until the next)."""
        t, b = self._shape()
        h = ctypes.POINTER(ctypes.c_float)()
        self._check(lib.bimt_model_states(self._h, ctypes.byref(h)))
        v = view(h, np.float32, (t, b, self.n_hidden), self)
        return v.copy() if copy else v

    def outputs(self, copy=False):
        """Pre-nonlinearity outputs [T, B, n_out] of the last forward."""
        t, b = self._shape()
        o = ctypes.POINTER(ctypes.c_float)()
        self._check(lib.bimt_model_outputs(self._h, ctypes.byref(o)))
        v = view(o, np.float32, (t, b, self.n_out), self)
        return v.copy() if copy else v

    def loss(self, y, mask):
        """Loss of the last forward against y and mask [T, B, n_out]; stores dL/do."""
        t, b = self._shape()
        y = as_float32("y", y, (t, b, self.n_out))
        mask = as_float32("mask", mask, (t, b, self.n_out))
        out = ctypes.c_double()
        self._check(lib.bimt_model_loss(self._h, ptr(y), ptr(mask), ctypes.byref(out)), "loss")
        return out.value

    def backward(self, d_outputs=None):
        """BPTT of the last forward; adds into the gradients. d_outputs: None (use the
        gradient stored by :meth:`loss`) or dL/do [T, B, n_out]."""
        if d_outputs is None:
            self._h  # noqa: B018
            self._check(lib.bimt_model_backward(self._h, None), "backward")
            return
        t, b = self._shape()
        d = as_float32("d_outputs", d_outputs, (t, b, self.n_out))
        self._check(lib.bimt_model_backward(self._h, ptr(d)), "backward")

    # ---------------------------------------------------------------- cost and swaps
    def connection_cost(self, lam, A, add_grad=False):
        """lambda * L_cc (seed eq. 2); add_grad=True also adds its subgradient."""
        out = ctypes.c_double()
        self._check(lib.bimt_model_connection_cost(self._h, float(lam), float(A),
                                                   int(bool(add_grad)), ctypes.byref(out)),
                    "connection_cost")
        return out.value

    def activity_cost(self, l1_h, l2_h=0.0):
        """Yang's l1_h * mean|r| + l2_h * 1/2 sum r^2 on the last forward's rates; the next
        backward adds its gradient (zero coefficients remove it)."""
        out = ctypes.c_double()
        self._check(lib.bimt_model_activity_cost(self._h, float(l1_h), float(l2_h),
                                                 ctypes.byref(out)), "activity_cost")
        return out.value

    def distance_cost(self, A):
        """A * sum_ij D_ij |W_rec[i, j]| (the part swaps lower)."""
        out = ctypes.c_double()
        self._check(lib.bimt_model_distance_cost(self._h, float(A), ctypes.byref(out)),
                    "distance_cost")
        return out.value

    def swap(self, top_k=None, A=None, candidates=None):
        """One swap pass; returns a :class:`SwapResult`. candidates: optional bool mask
        [n_hidden] of allowed partners. Defaults from ``bimt_swap_params_init``."""
        p = F.SwapParams()
        lib.bimt_swap_params_init(ctypes.byref(p))
        if top_k is not None:
            p.top_k = int(top_k)
        if A is not None:
            p.A = float(A)
        cand = None
        if candidates is not None:
            cand = as_array("candidates", np.asarray(candidates) != 0, np.uint8,
                            (self.n_hidden,))
            p.candidates = ptr(cand)
        cap = max(1, min(int(p.top_k), self.n_hidden))
        ex = (F.SwapExchange * cap)()
        res = out_struct(F.SwapResult)
        res.exchanges = ctypes.cast(ex, ctypes.POINTER(F.SwapExchange))
        res.max_exchanges = cap
        self._check(lib.bimt_model_swap(self._h, ctypes.byref(p), ctypes.byref(res)), "swap")
        n = min(res.n_swaps, cap)
        exch = [(int(ex[i].neuron), int(ex[i].partner), float(ex[i].delta)) for i in range(n)]
        return SwapResult(int(res.n_swaps), res.cost_before, res.cost_after, exch)

    def weights_grid_order(self):
        """Copies of the weights in grid order (:class:`GridWeights`)."""
        n, ni, no = self.n_hidden, self.n_in, self.n_out
        W = np.empty((n, n), np.float32)
        Wi = np.empty((n, ni), np.float32)
        Wo = np.empty((no, n), np.float32)
        bh = np.empty((n,), np.float32)
        self._check(lib.bimt_model_weights_grid_order(self._h, ptr(W), ptr(Wi), ptr(Wo),
                                                      ptr(bh)))
        return GridWeights(W, Wi, Wo, bh)

    def __repr__(self):
        if self.closed:
            return "<bimt.Model closed>"
        if self.grid_side == 0:
            return (f"<bimt.Model {self.n_hidden} slots in {self.dim}-D ({self.distance_kind}) "
                    f"n_in={self.n_in} n_out={self.n_out}>")
        return (f"<bimt.Model grid {self.grid_side}x{self.grid_side} n_in={self.n_in} "
                f"n_out={self.n_out}>")
