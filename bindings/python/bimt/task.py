"""The 20 cognitive tasks (``bimt_task_t``), their batches and Yang et al.'s performance."""

import ctypes

import numpy as np

from . import _ffi as F
from ._errors import StateError
from ._lib import lib
from ._util import (Handle, as_float32, check, count, enum_name, enum_table, enum_value,
                    out_struct, ptr, view)

N_RULES = F.N_RULES

#: Loss names accepted wherever a loss is asked for.
LOSSES = dict(enum_table(lib.bimt_loss_name), lsq=0, ce=1)  # names of the library, + aliases


def rule_name(rule):
    """Name of a rule index (``bimt_rule_name``); ValueError if out of range."""
    name = lib.bimt_rule_name(int(rule))
    if name is None:
        raise ValueError(f"rule index {rule} outside [0, {N_RULES})")
    return name.decode()


def rule_index(name):
    """Index of a rule name (``bimt_rule_index``); ValueError if unknown."""
    if not isinstance(name, str):
        raise TypeError("rule name must be a str")
    r = lib.bimt_rule_index(name.encode())
    if r < 0:
        raise ValueError(f"unknown rule {name!r}; known: {', '.join(rules())}")
    return r


def rules():
    """The 20 rule names in canonical order."""
    return [rule_name(r) for r in range(N_RULES)]


def _rule(rule):
    """Rule given as a name or an index -> index (validated)."""
    if isinstance(rule, str):
        return rule_index(rule)
    if isinstance(rule, (bool, np.bool_)) or not isinstance(rule, (int, np.integer)):
        raise TypeError(f"rule must be a name or an int, got {type(rule).__name__}")
    return int(rule)


def loss_value(loss):
    """Loss given as a name or an int -> bimt_loss value."""
    return enum_value("loss", LOSSES, loss)


class Batch:
    """A batch of trials of one rule: time-major arrays ``x[T, B, n_in]``, ``y``/``mask``
    ``[T, B, n_out]`` and ``y_loc[T, B]``, plus the epoch boundaries.

    A batch returned by :meth:`Task.sample` without ``copy=True`` holds zero-copy read-only
    views of the task's memory: they are valid only until the next sample call on the same
    task (the attributes then raise :class:`bimt.StateError`; arrays taken out earlier must
    not be used). :meth:`copy` makes an independent batch.
    """

    def __init__(self, rule, go_step, epochs, x, y, mask, y_loc, task=None, generation=None):
        self.rule = rule
        self.go_step = go_step
        self.epochs = epochs
        self._arrays = (x, y, mask, y_loc)
        self._task = task
        self._generation = generation
        n_steps, batch_size = np.shape(y_loc)
        self.n_steps = n_steps
        self.batch_size = batch_size
        self.n_in = 0 if x is None else np.shape(x)[2]
        self.n_out = 0 if y is None else np.shape(y)[2]
        self._c = None

    @classmethod
    def from_arrays(cls, y_loc, x=None, y=None, mask=None, n_out=None, go_step=0):
        """A host-made batch (rule -1) for :func:`performance`; only y_loc is required."""
        y_loc = as_float32("y_loc", y_loc, (None, None))
        t, b = y_loc.shape
        x = None if x is None else as_float32("x", x, (t, b, None))
        y = None if y is None else as_float32("y", y, (t, b, None))
        mask = None if mask is None else as_float32("mask", mask, (t, b, None))
        out = cls(-1, go_step, {}, x, y, mask, y_loc)
        if n_out is not None:
            out.n_out = int(n_out)
        return out

    def _live(self):
        if self._task is not None and self._task._generation != self._generation:
            raise StateError(-8, "this batch's views were invalidated by a later sample call "
                                 "on its task (use copy=True or Batch.copy())")
        if self._task is not None:
            self._task._h  # noqa: B018 - raises if the task was closed
        return self._arrays

    @property
    def valid(self):
        """False once a later sample call (or closing the task) invalidated the views."""
        try:
            self._live()
            return True
        except StateError:
            return False

    x = property(lambda self: self._live()[0], doc="inputs [T, B, n_in]")
    y = property(lambda self: self._live()[1], doc="targets [T, B, n_out]")
    mask = property(lambda self: self._live()[2], doc="cost mask [T, B, n_out]")
    y_loc = property(lambda self: self._live()[3], doc="target direction [T, B], -1 = fixate")

    @property
    def rule_name(self):
        return None if self.rule < 0 else rule_name(self.rule)

    def copy(self):
        """An independent batch owning copies of the arrays."""
        arrs = [None if a is None else np.array(a) for a in self._live()]
        out = Batch(self.rule, self.go_step, dict(self.epochs), *arrs)
        out.n_out = self.n_out
        return out

    def _as_c(self):
        """A bimt_batch pointing at this batch's arrays (which must stay alive)."""
        x, y, mask, y_loc = self._live()
        b = F.Batch()
        b.rule = self.rule
        b.n_steps = self.n_steps
        b.batch_size = self.batch_size
        b.n_in = self.n_in
        b.n_out = self.n_out
        b.go_step = self.go_step
        b.n_epochs = 0
        b.x = ptr(x)
        b.y = ptr(y)
        b.mask = ptr(mask)
        b.y_loc = ptr(y_loc)
        return b

    def __repr__(self):
        name = self.rule_name or "host"
        return (f"<bimt.Batch {name} T={self.n_steps} B={self.batch_size} n_in={self.n_in} "
                f"n_out={self.n_out} go_step={self.go_step}>")


def performance(batch, outputs, loss="mse"):
    """Yang et al.'s per-trial performance (last step only) of pre-nonlinearity outputs.

    Returns (correct, mean): a float32 array [B] of 1/0 per trial and the fraction correct.
    ``outputs`` must have shape [T, B, n_out] of the batch (converted to float32).
    """
    if batch.n_out < 2:
        raise ValueError("batch.n_out must be at least 2 (give n_out to Batch.from_arrays)")
    outs = as_float32("outputs", outputs, (batch.n_steps, batch.batch_size, batch.n_out))
    keep = batch._live()  # noqa: F841 - keeps the arrays alive during the call
    c = batch._as_c()
    correct = np.zeros(batch.batch_size, dtype=np.float32)
    mean = ctypes.c_double()
    check(lib.bimt_task_performance(ctypes.byref(c), ptr(outs), loss_value(loss),
                                    ptr(correct), ctypes.byref(mean)),
          what="bimt_task_performance")
    return correct, mean.value


_TASK_FIELDS = ("n_eachring", "dt_ms", "tau_ms", "sigma_x", "rule_mask", "loss",
                "input_noise", "easy_task", "seed")


def _epochs(cb):
    out = {}
    for i in range(min(cb.n_epochs, F.MAX_EPOCHS)):
        e = cb.epochs[i]
        out[e.name.decode() if e.name else f"epoch{i}"] = (int(e.start), int(e.end))
    return out


class Task(Handle):
    """A suite of Yang et al.'s cognitive tasks (``bimt_task_t``).

    Keyword arguments are the fields of ``bimt_task_params`` (defaults from
    ``bimt_task_params_init``): n_eachring, dt_ms, tau_ms, sigma_x, loss ("mse" or
    "cross_entropy"), input_noise, easy_task, seed, and either ``rules`` (names or indices of
    the enabled rules; None = all 20) or ``rule_mask`` (bit r enables rule r).
    """

    _kind = "Task"
    _free_fn = "bimt_task_free"
    _errmsg_fn = "bimt_task_errmsg"

    def __init__(self, rules=None, **kwargs):
        p = F.TaskParams()
        lib.bimt_task_params_init(ctypes.byref(p))
        if rules is not None:
            if "rule_mask" in kwargs:
                raise TypeError("give either rules or rule_mask")
            if isinstance(rules, (str, int)):
                rules = [rules]
            mask = 0
            for r in rules:
                i = _rule(r)
                if not 0 <= i < N_RULES:
                    raise ValueError(f"rule index {r} outside [0, {N_RULES})")
                mask |= 1 << i
            if mask == 0:
                raise ValueError("rules is empty (use rules=None for all 20)")
            kwargs["rule_mask"] = mask
        for k, v in kwargs.items():
            if k not in _TASK_FIELDS:
                raise TypeError(f"Task() got an unexpected keyword argument {k!r}")
            if k == "loss":
                v = loss_value(v)
            elif k in ("input_noise", "easy_task"):
                v = int(bool(v))
            setattr(p, k, v)
        h = F.TaskP()
        check(lib.bimt_task_create(ctypes.byref(p), ctypes.byref(h)),
              what=f"bimt_task_create({self._describe(p)})")
        super().__init__(h)
        self._generation = 0

    @classmethod
    def _wrap(cls, h, owner=None, borrowed=False):
        obj = cls.__new__(cls)
        Handle.__init__(obj, h, owner, borrowed)
        obj._generation = 0
        return obj

    @staticmethod
    def _describe(p):
        return ", ".join(f"{k}={getattr(p, k)!r}" for k in _TASK_FIELDS)

    @property
    def n_in(self):
        """Input size: 1 + 2 n_eachring + 20."""
        return lib.bimt_task_n_in(self._h)

    @property
    def n_out(self):
        """Output size: 1 + n_eachring."""
        return lib.bimt_task_n_out(self._h)

    def get_params(self):
        """The creation parameters as a dict (loss as a name)."""
        p = out_struct(F.TaskParams)
        self._check(lib.bimt_task_get_params(self._h, ctypes.byref(p)))
        d = {k: getattr(p, k) for k in _TASK_FIELDS}
        d["loss"] = enum_name(LOSSES, d["loss"])
        return d

    @property
    def loss(self):
        """The task's loss name ("mse" or "cross_entropy")."""
        return self.get_params()["loss"]

    def rule_enabled(self, rule):
        """True if rule (name or index) is enabled by the rule mask."""
        return bool(lib.bimt_task_rule_enabled(self._h, _rule(rule)))

    @property
    def enabled_rules(self):
        """Indices of the enabled rules."""
        return [r for r in range(N_RULES) if self.rule_enabled(r)]

    def _batch(self, cb, copy):
        self._generation += 1
        t, b, ni, no = cb.n_steps, cb.batch_size, cb.n_in, cb.n_out
        x = view(cb.x, np.float32, (t, b, ni), self)
        y = view(cb.y, np.float32, (t, b, no), self)
        mask = view(cb.mask, np.float32, (t, b, no), self)
        y_loc = view(cb.y_loc, np.float32, (t, b), self)
        out = Batch(cb.rule, int(cb.go_step), _epochs(cb), x, y, mask, y_loc, self,
                    self._generation)
        return out.copy() if copy else out

    def sample(self, rule, batch_size, copy=False):
        """A random-mode training batch of one rule (name or index) with input noise.

        copy=False gives zero-copy views valid until the next sample call on this task.
        """
        cb = out_struct(F.Batch)
        self._check(lib.bimt_task_sample(self._h, _rule(rule), count("batch_size", batch_size),
                                         ctypes.byref(cb)))
        return self._batch(cb, copy)

    def sample_test(self, rule, copy=False):
        """The deterministic test-mode condition grid of a rule (noise off)."""
        cb = out_struct(F.Batch)
        self._check(lib.bimt_task_sample_test(self._h, _rule(rule), ctypes.byref(cb)))
        return self._batch(cb, copy)

    def performance(self, batch, outputs):
        """:func:`performance` with this task's loss."""
        return performance(batch, outputs, self.loss)

    def close(self):
        self._generation = getattr(self, "_generation", 0) + 1
        super().close()

    def __repr__(self):
        if self.closed:
            return "<bimt.Task closed>"
        return (f"<bimt.Task n_in={self.n_in} n_out={self.n_out} "
                f"rules={len(self.enabled_rules)}>")
