"""The BIMT training loop (``bimt_trainer_t``) and checkpoints."""

import ctypes
import dataclasses
import os

import numpy as np

from . import _ffi as F
from ._errors import make_error
from ._lib import lib
from ._util import (Handle, as_float32, check, count, enum_name, enum_table, enum_value,
                    out_struct)
from .model import Model
from .optim import Optimizer
from .task import N_RULES, Task, _rule, rule_name

ARMS = enum_table(lib.bimt_arm_name)
KEYS = {k.lower(): v for k, v in enum_table(lib.bimt_trainer_key_name).items()}  # "a" for A

_SCALAR_FIELDS = ("batch_size", "learning_rate", "beta1", "beta2", "eps", "grad_clip",
                  "lambda_", "A", "swap_interval", "swap_top_k", "eval_interval",
                  "eval_batch", "recurrent_noise", "seed", "l1_proximal", "l1_h", "l2_h",
                  "hidden_bias_nonpositive")


@dataclasses.dataclass
class StepInfo:
    """What one training step reports (``bimt_step_info``)."""
    step: int
    trials: int
    rule: int
    loss: float
    cost: float
    lambda_: float
    mean_perf: float
    min_perf: float
    trials_per_s: float
    n_swaps: int
    activity_cost: float = 0.0

    @property
    def rule_name(self):
        return rule_name(self.rule) if 0 <= self.rule < N_RULES else None

    @classmethod
    def _from_c(cls, s):
        return cls(int(s.step), int(s.trials), int(s.rule), s.loss, s.cost, s.lambda_,
                   s.mean_perf, s.min_perf, s.trials_per_s, int(s.n_swaps),
                   s.activity_cost)


def _fill_params(p, arm, kwargs):
    if arm is not None:
        p.arm = enum_value("arm", ARMS, arm)
    for k, v in kwargs.items():
        if k in ("lambda", "lam"):
            k = "lambda_"
        if k == "schedule":
            pairs = list(v or [])
            if len(pairs) > F.MAX_SCHEDULE:
                raise ValueError(f"schedule: at most {F.MAX_SCHEDULE} breakpoints")
            p.n_schedule = len(pairs)
            for i, (step, lam) in enumerate(pairs):
                p.schedule_step[i] = int(step)
                p.schedule_lambda[i] = float(lam)
        elif k == "rule_weight":
            if isinstance(v, dict):
                w = np.zeros(N_RULES)
                for r, x in v.items():
                    w[_rule(r)] = x
            else:
                w = as_float32("rule_weight", v, (N_RULES,))
                w = np.asarray(v, dtype=np.float64)
            for i in range(N_RULES):
                p.rule_weight[i] = float(w[i])
        elif k in _SCALAR_FIELDS:
            if k in ("recurrent_noise", "l1_proximal"):
                v = int(bool(v))
            setattr(p, k, v)
        else:
            raise TypeError(f"Trainer() got an unexpected keyword argument {k!r}")


def _params_dict(p):
    d = {k: getattr(p, k) for k in _SCALAR_FIELDS}
    d["lambda"] = d.pop("lambda_")
    d["arm"] = enum_name(ARMS, p.arm)
    d["schedule"] = [(int(p.schedule_step[i]), p.schedule_lambda[i])
                     for i in range(min(p.n_schedule, F.MAX_SCHEDULE))]
    d["rule_weight"] = np.array(p.rule_weight[:], dtype=np.float64)
    return d


class Trainer(Handle):
    """Trains a :class:`Model` on a :class:`Task` with BIMT (``bimt_trainer_t``).

    Keyword arguments are the fields of ``bimt_trainer_params`` (defaults from
    ``bimt_trainer_params_init``): arm ("bimt", "l1", "none"), batch_size, learning_rate,
    beta1, beta2, eps, grad_clip, lambda_ (or ``lam``), A, schedule (list of
    (step, lambda)), swap_interval, swap_top_k, eval_interval, eval_batch, rule_weight
    (array [20] or {rule: weight}), recurrent_noise, seed, l1_proximal (proximal L1 step), l1_h, l2_h (Yang's
    activity regularisers, ``bimt_model_activity_cost``), hidden_bias_nonpositive (1: b_h <= 0
    after every update).

    The trainer keeps its model and task alive; closing either closes the trainer first.
    """

    _kind = "Trainer"
    _free_fn = "bimt_trainer_free"
    _errmsg_fn = "bimt_trainer_errmsg"

    def __init__(self, model, task, arm=None, **kwargs):
        if not isinstance(model, Model) or not isinstance(task, Task):
            raise TypeError("Trainer(model, task, ...): a bimt.Model and a bimt.Task")
        p = F.TrainerParams()
        lib.bimt_trainer_params_init(ctypes.byref(p))
        _fill_params(p, arm, kwargs)
        h = F.TrainerP()
        check(lib.bimt_trainer_create(model._h, task._h, ctypes.byref(p), ctypes.byref(h)),
              what="bimt_trainer_create")
        super().__init__(h, owner=(model, task))
        self.model = model
        self.task = task

    @classmethod
    def load(cls, path):
        """Loads a checkpoint written by :meth:`save`: a Trainer with ``.model`` and
        ``.task`` (all three new)."""
        m, t, tr = F.ModelP(), F.TaskP(), F.TrainerP()
        status = lib.bimt_checkpoint_load(os.fsencode(path), ctypes.byref(m), ctypes.byref(t),
                                          ctypes.byref(tr))
        if status < 0:
            msg = (lib.bimt_last_error() or b"").decode(errors="replace") or \
                lib.bimt_status_str(status).decode()
            raise make_error(status, f"{os.fspath(path)}: {msg}")
        model = Model._wrap(m)
        task = Task._wrap(t)
        obj = cls.__new__(cls)
        Handle.__init__(obj, tr, owner=(model, task))
        obj.model = model
        obj.task = task
        return obj

    def _touch(self):
        """The trainer runs forward on its model: Python's record of it is stale."""
        self.model._fwd_shape = None

    def save(self, path):
        """Writes a checkpoint (.npz, atomically)."""
        self._check(lib.bimt_trainer_save(self._h, os.fsencode(path)), os.fspath(path))

    def get_params(self):
        """The trainer's parameters as a dict."""
        p = out_struct(F.TrainerParams)
        self._check(lib.bimt_trainer_get_params(self._h, ctypes.byref(p)))
        return _params_dict(p)

    @property
    def steps(self):
        """Steps done so far."""
        return lib.bimt_trainer_steps(self._h)

    def lambda_at(self, step):
        """lambda the schedule gives at a step."""
        return lib.bimt_trainer_lambda_at(self._h, int(step))

    @property
    def optimizer(self):
        """The trainer's Adam optimizer (borrowed: valid while the trainer lives)."""
        h = lib.bimt_trainer_optimizer(self._h)
        if not h:
            raise make_error(-8, "trainer has no optimizer")
        return Optimizer._wrap(h, owner=self, borrowed=True)

    def set_param(self, key, value):
        """Changes a knob mid-training: "learning_rate", "lambda" (clears the schedule),
        "A", "swap_interval", "swap_top_k", "eval_interval", "grad_clip"."""
        k = enum_value("trainer key", KEYS, key.lower() if isinstance(key, str) else key)
        self._check(lib.bimt_trainer_set_param(self._h, k, float(value)),
                    f"set_param({key!r}, {value!r})")

    def step(self):
        """One training step; returns a :class:`StepInfo`."""
        info = out_struct(F.StepInfo)
        self._touch()
        self._check(lib.bimt_trainer_step(self._h, ctypes.byref(info)), "step")
        return StepInfo._from_c(info)

    def run(self, n_steps, callback=None):
        """Runs n_steps steps. callback(info: StepInfo) is called after each; a truthy
        return stops the run. An exception raised by the callback stops the run and is
        re-raised here."""
        self._touch()
        if callback is None:
            self._check(lib.bimt_trainer_run(self._h, count("n_steps", n_steps), F.ProgressFn(), None),
                        "run")
            return
        raised = []

        def trampoline(info_p, _payload):
            try:
                return 1 if callback(StepInfo._from_c(info_p.contents)) else 0
            except BaseException as e:  # noqa: BLE001 - re-raised after the C call returns
                raised.append(e)
                return 1

        cb = F.ProgressFn(trampoline)
        status = lib.bimt_trainer_run(self._h, count("n_steps", n_steps), cb, None)
        if raised:
            raise raised[0]
        self._check(status, "run")

    def evaluate(self, trials_per_rule=512):
        """Fraction correct per rule on fresh trials: array [20] (-1 for disabled rules)."""
        perf = np.zeros(N_RULES, dtype=np.float64)
        self._touch()
        self._check(lib.bimt_trainer_evaluate(self._h, int(trials_per_rule),
                                              perf.ctypes.data_as(
                                                  ctypes.POINTER(ctypes.c_double))),
                    "evaluate")
        return perf

    def last_eval(self):
        """Per-rule performance of the last evaluation [20] (-1 for disabled rules);
        StateError if there was no evaluation yet."""
        perf = np.zeros(N_RULES, dtype=np.float64)
        self._check(lib.bimt_trainer_last_eval(self._h, perf.ctypes.data_as(
            ctypes.POINTER(ctypes.c_double))), "last_eval")
        return perf

    def __repr__(self):
        if self.closed:
            return "<bimt.Trainer closed>"
        return f"<bimt.Trainer arm={self.get_params()['arm']} steps={self.steps}>"


def load_checkpoint(path):
    """Loads a checkpoint: returns a :class:`Trainer` (with ``.model`` and ``.task``)."""
    return Trainer.load(path)

