"""Shared machinery of the Python classes: handle lifetime, status checks, array conversion.

Ownership rules (the C API's, made safe for Python):

* an object created by a constructor owns its C handle and frees it in :meth:`Handle.close`
  (also called by ``with`` blocks and, as a last resort, by the garbage collector);
* a child keeps its parents alive (``self._owner``): a Trainer references its Model and Task,
  a borrowed Optimizer its Trainer, a zero-copy array its handle object;
* closing a parent first closes its live children (a Trainer is freed before its Model);
* any call on a closed object raises :class:`bimt.ClosedError`.

Zero-copy views are numpy arrays over library memory, read-only unless stated otherwise.
They stay valid until the handle is closed (and, for per-call results such as batches or
forward states, until the next call that recomputes them). Copy them (``arr.copy()``) to
keep the values longer.
"""

import ctypes
import weakref

import numpy as np

from ._errors import ClosedError, InvalidArgumentError, ShapeError, make_error
from ._lib import lib

_CTYPE_OF = {
    np.dtype(np.float32): ctypes.c_float,
    np.dtype(np.float64): ctypes.c_double,
    np.dtype(np.uint8): ctypes.c_uint8,
    np.dtype(np.int32): ctypes.c_int32,
    np.dtype(np.uint32): ctypes.c_uint32,
    np.dtype(np.uint64): ctypes.c_uint64,
}


def status_str(status):
    """Description of a status code (``bimt_status_str``)."""
    return lib.bimt_status_str(int(status)).decode()


def enum_table(name_fn):
    """{name: value} of a C enum, read from the library's bimt_*_name() function (values are
    0, 1, ... up to the first that has no name)."""
    table = {}
    while True:
        name = name_fn(len(table))
        if not name:
            return table
        table[name.decode()] = len(table)


def check(status, errmsg=None, what=""):
    """Raises the exception of a negative status; returns the status otherwise."""
    if status >= 0:
        return status
    msg = errmsg() if errmsg is not None else ""
    if not msg:
        msg = lib.bimt_last_error() or b""  # the thread-local message of the failed call
    if isinstance(msg, bytes):
        msg = msg.decode(errors="replace")
    if not msg:
        msg = status_str(status)
    if what:
        msg = f"{what}: {msg}"
    raise make_error(status, msg)


class Handle:
    """Base of every class that wraps a C handle."""

    _kind = "handle"
    _free_fn = None      # name of the C free function, or None
    _errmsg_fn = None    # name of the C errmsg function, or None

    def __init__(self, ptr, owner=None, borrowed=False):
        self._ptr = ptr
        self._owner = owner          # strong references that must outlive this object
        self._borrowed = borrowed    # True: the C handle belongs to someone else
        self._children = weakref.WeakSet()
        if isinstance(owner, Handle):
            owner._adopt(self)
        elif isinstance(owner, tuple):
            for o in owner:
                if isinstance(o, Handle):
                    o._adopt(self)

    def _adopt(self, child):
        self._children.add(child)

    @property
    def closed(self):
        """True once :meth:`close` ran (or a parent was closed)."""
        return not self._ptr

    @property
    def _h(self):
        """The live C handle; raises ClosedError after close()."""
        if not self._ptr:
            raise ClosedError(f"this {self._kind}")
        return self._ptr

    def _errmsg(self):
        if not self._ptr or self._errmsg_fn is None:
            return ""
        return getattr(lib, self._errmsg_fn)(self._ptr) or b""

    def _check(self, status, what=""):
        return check(status, self._errmsg, what)

    def close(self):
        """Frees the C handle (children first). Safe to call twice."""
        for child in list(self._children):
            child.close()
        ptr, self._ptr = self._ptr, None
        if ptr and not self._borrowed and self._free_fn is not None:
            getattr(lib, self._free_fn)(ptr)

    def __enter__(self):
        self._h  # noqa: B018 - raises if already closed
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing sane to do
            pass


def as_float32(name, value, shape=None):
    """Converts value to a C-contiguous float32 array (copying only if needed).

    shape: expected shape, None entries are free. Raises TypeError for non-numeric input and
    ShapeError for a wrong number of dimensions or sizes.
    """
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    check_shape(name, arr, shape)
    return arr


def as_array(name, value, dtype, shape=None):
    """Like as_float32 for another dtype; integer targets refuse non-integral values."""
    arr = np.asarray(value)
    dt = np.dtype(dtype)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected numbers, got dtype {arr.dtype}")
    if dt.kind in "iu" and arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise TypeError(f"{name}: expected integers")
    if dt.kind in "iu" and arr.size:
        info = np.iinfo(dt)
        if arr.min() < info.min or arr.max() > info.max:
            raise ValueError(f"{name}: values outside the range of {dt}")
    arr = np.ascontiguousarray(arr, dtype=dt)
    check_shape(name, arr, shape)
    return arr


def check_shape(name, arr, shape):
    if shape is None:
        return
    if arr.ndim != len(shape) or any(w is not None and w != s
                                     for w, s in zip(shape, arr.shape)):
        want = "(" + ", ".join("?" if w is None else str(w) for w in shape) + ")"
        raise ShapeError(-3, f"{name}: expected shape {want}, got {arr.shape}")


def ptr(arr, ctype=None):
    """ctypes pointer to the data of a C-contiguous numpy array (None -> NULL)."""
    if arr is None:
        return None
    if ctype is None:
        ctype = _CTYPE_OF[arr.dtype]
    return arr.ctypes.data_as(ctypes.POINTER(ctype))


def writable_out(name, arr, dtype, shape):
    """Checks a caller-supplied output array: exact dtype, C-contiguous, writable, shape."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"{name}: expected a numpy array")
    if arr.dtype != np.dtype(dtype):
        raise TypeError(f"{name}: expected dtype {np.dtype(dtype)}, got {arr.dtype} "
                        "(updated in place, so it cannot be converted)")
    if not arr.flags.c_contiguous or not arr.flags.writeable:
        raise ValueError(f"{name}: must be C-contiguous and writable")
    check_shape(name, arr, shape)
    return arr


def view(cptr, dtype, shape, owner, writable=False):
    """Zero-copy numpy view of library memory at cptr; keeps owner alive.

    Returns an empty array for a zero-sized shape, raises StateError for a NULL pointer.
    """
    dt = np.dtype(dtype)
    count = int(np.prod(shape, dtype=np.int64)) if len(shape) else 1
    if count == 0:
        return np.zeros(shape, dtype=dt)
    addr = ctypes.cast(cptr, ctypes.c_void_p).value
    if not addr:
        raise make_error(-8, "the library returned no data (NULL view)")
    buf = (_CTYPE_OF[dt] * count).from_address(addr)
    buf._bimt_owner = owner   # the view's base chain holds the owner object
    arr = np.frombuffer(buf, dtype=dt).reshape(shape)
    if not writable:
        arr.setflags(write=False)
    return arr


def enum_value(kind, table, value):
    """Maps a name (case-insensitive) or an int to an enum value of table {name: int}."""
    if isinstance(value, str):
        key = value.lower()
        if key not in table:
            raise ValueError(f"unknown {kind} {value!r}; expected one of "
                             f"{sorted(table)}")
        return table[key]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{kind}: expected a name or an int, got {type(value).__name__}")
    return int(value)


def out_struct(cls):
    """A zeroed ctypes struct for the library to write into, its struct_size set to the size
    these bindings know (output structs are written up to the caller's struct_size)."""
    s = cls()
    s.struct_size = ctypes.sizeof(cls)
    return s


def count(name, value):
    """A count for the C API (uint32_t: neurons, trials, steps, ...): an int in 0..2**32 - 1,
    else InvalidArgumentError (ctypes would wrap larger values silently)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    v = int(value)
    if not 0 <= v <= 0xFFFFFFFF:
        raise InvalidArgumentError(-1, f"{name} must be in 0..4294967295 (got {v})")
    return v


def enum_name(table, value):
    """Inverse of enum_value for display (unknown values are returned as int)."""
    for k, v in table.items():
        if v == value:
            return k
    return int(value)
