"""Exceptions: one class per negative ``bimt_status`` code.

Every exception carries ``status`` (the C code) and ``message`` (the handle's ``errmsg`` when
the failing call had a handle, otherwise the status description).  Each class also derives
from the closest built-in exception, so ``except ValueError`` catches bad arguments and
``except OSError`` catches file errors.
"""


class BimtError(Exception):
    """Base class of every error raised by libbimt's bindings."""

    status = None

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self):
        return f"{self.message} [status {self.status}]"


class InvalidArgumentError(BimtError, ValueError):
    """BIMT_E_INVALID_ARG (-1): NULL, value out of range, NaN."""


class NoMemoryError(BimtError, MemoryError):
    """BIMT_E_NOMEM (-2): an allocation failed."""


class ShapeError(BimtError, ValueError):
    """BIMT_E_SHAPE (-3): sizes disagree with the handle."""


class BimtIOError(BimtError, OSError):
    """BIMT_E_IO (-4): open, read, write or rename failed."""

    def __init__(self, status, message):
        BimtError.__init__(self, status, message)

    def __str__(self):
        return BimtError.__str__(self)


class FormatError(BimtError, ValueError):
    """BIMT_E_FORMAT (-5): corrupt, truncated or foreign file."""


class VersionError(BimtError, ImportError):
    """BIMT_E_VERSION (-6): file, struct or library from an incompatible version."""


class NumericError(BimtError, ArithmeticError):
    """BIMT_E_NUMERIC (-7): NaN or Inf met; the state was rolled back."""


class StateError(BimtError, RuntimeError):
    """BIMT_E_STATE (-8): call not valid now (e.g. backward before forward)."""


class ClosedError(StateError):
    """The Python object was closed (or its parent was): its C handle is gone."""

    def __init__(self, what):
        super().__init__(-8, f"{what} is closed")


class UnsupportedError(BimtError, NotImplementedError):
    """BIMT_E_UNSUPPORTED (-9): feature not available in this build."""


_BY_STATUS = {
    -1: InvalidArgumentError,
    -2: NoMemoryError,
    -3: ShapeError,
    -4: BimtIOError,
    -5: FormatError,
    -6: VersionError,
    -7: NumericError,
    -8: StateError,
    -9: UnsupportedError,
}


def error_class(status):
    """The exception class of a status code (BimtError for unknown codes)."""
    return _BY_STATUS.get(int(status), BimtError)


def make_error(status, message):
    """An exception instance for a negative status code."""
    return error_class(status)(int(status), message)
