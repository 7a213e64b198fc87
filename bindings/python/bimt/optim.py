"""Adam over a flat float32 buffer (``bimt_optimizer_t``)."""

import ctypes

import numpy as np

from . import _ffi as F
from ._lib import lib
from ._util import Handle, as_float32, check, ptr, view, writable_out


class Optimizer(Handle):
    """Adam (with bias correction and optional element-wise clipping) for n_params values.

    ``step(model)`` updates a model's parameters from its gradients in place;
    ``step(params, grad)`` updates a writable float32 numpy array from grad.
    Optimizers obtained from :attr:`bimt.Trainer.optimizer` are borrowed: closing them only
    detaches the Python object.
    """

    _kind = "Optimizer"
    _free_fn = "bimt_optimizer_free"

    def __init__(self, n_params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        h = F.OptimizerP()
        o = F.AdamOptions()
        lib.bimt_adam_options_init(ctypes.byref(o))
        o.lr, o.beta1, o.beta2, o.eps = float(lr), float(beta1), float(beta2), float(eps)
        check(lib.bimt_adam_create(int(n_params), ctypes.byref(o), ctypes.byref(h)),
              what=f"bimt_adam_create(n_params={n_params}, lr={lr}, beta1={beta1}, "
                   f"beta2={beta2}, eps={eps})")
        super().__init__(h)

    @classmethod
    def _wrap(cls, h, owner=None, borrowed=False):
        obj = cls.__new__(cls)
        Handle.__init__(obj, h, owner, borrowed)
        return obj

    @property
    def n_params(self):
        """Length of the buffers the optimizer works on."""
        return lib.bimt_adam_n_params(self._h)

    @property
    def steps(self):
        """Number of updates made so far."""
        return lib.bimt_adam_steps(self._h)

    def set_lr(self, lr):
        """Sets the learning rate (> 0, finite)."""
        check(lib.bimt_adam_set_lr(self._h, float(lr)), what=f"set_lr({lr})")

    def set_clip(self, clip):
        """Sets element-wise gradient clipping (0 = off)."""
        check(lib.bimt_adam_set_clip(self._h, float(clip)), what=f"set_clip({clip})")

    def step(self, params, grad=None):
        """One update: ``step(model)`` or ``step(params_array, grad)``."""
        n = self.n_params
        from .model import Model
        if isinstance(params, Model):
            if grad is not None:
                raise TypeError("step(model) takes no grad (the model's gradients are used)")
            if params.n_params != n:
                raise ValueError(f"model has {params.n_params} parameters, the optimizer {n}")
            p = lib.bimt_model_params_data(params._h)
            g = lib.bimt_model_grad_data(params._h)
            check(lib.bimt_adam_step(self._h, p, g), what="bimt_adam_step")
            return
        if grad is None:
            raise TypeError("step(params, grad): grad missing")
        p = writable_out("params", params, np.float32, (n,))
        g = as_float32("grad", grad, (n,))
        check(lib.bimt_adam_step(self._h, ptr(p), ptr(g)), what="bimt_adam_step")

    def moments(self):
        """Read-only views (m, v) of the first and second moments [n_params]."""
        m = ctypes.POINTER(ctypes.c_float)()
        v = ctypes.POINTER(ctypes.c_float)()
        check(lib.bimt_adam_moments(self._h, ctypes.byref(m), ctypes.byref(v)),
              what="bimt_adam_moments")
        n = self.n_params
        return view(m, np.float32, (n,), self), view(v, np.float32, (n,), self)

    def __repr__(self):
        if self.closed:
            return "<bimt.Optimizer closed>"
        return f"<bimt.Optimizer Adam n_params={self.n_params} steps={self.steps}>"


#: The only optimizer libbimt has.
Adam = Optimizer
