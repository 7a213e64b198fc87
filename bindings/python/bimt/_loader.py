"""Finds and loads libbimt, checks its version, and declares every C function it exports.

Search order for the shared library:

1. the environment variable ``BIMT_LIBRARY`` (a file, or a folder holding ``libbimt.so``);
2. the build trees of a source checkout: ``<repo>/build/*/lib/libbimt.so`` (``build/release``
   first, then the most recently built; sanitizer builds are skipped because they cannot be
   loaded into a normal Python);
3. the installed library, through ``ctypes.util.find_library("bimt")`` and then the dynamic
   loader's own search (``LD_LIBRARY_PATH``, ``/etc/ld.so.conf``) for the SONAME
   ``libbimt.so.<major>.<minor>`` (``libbimt.so.<major>`` from 1.0 on).

The library's major version (``bimt_version() // 10000``) must equal this package's major
version, otherwise :class:`bimt.VersionError` is raised at import time.

Every function is declared with ``argtypes`` and ``restype`` from the table ``FUNCTIONS`` of
bimt._lib, which bindings/gen/generate.py writes from include/bimt/*.h (this module is
hand-written; bimt._lib calls :func:`load` with the table). A symbol missing from an older
library becomes a stub raising :class:`bimt.UnsupportedError`.
"""

import ctypes
import ctypes.util
import glob
import os
import sys

from . import _ffi as F
from ._errors import UnsupportedError, VersionError
from ._version import __version__

def _repo_root():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", ".."))


def _is_sanitized(path):
    """True if the ELF file at path needs the ASan runtime (cannot load into plain Python)."""
    try:
        with open(path, "rb") as f:
            return b"libasan.so" in f.read()
    except OSError:
        return False


def candidate_paths():
    """Paths tried, in order (for error messages and tests)."""
    out = []
    env = os.environ.get("BIMT_LIBRARY")
    if env:
        out.append(os.path.join(env, "libbimt.so") if os.path.isdir(env) else env)
        return out
    root = _repo_root()
    if os.path.isfile(os.path.join(root, "include", "bimt", "bimt.h")):
        found = [p for p in glob.glob(os.path.join(root, "build", "*", "lib", "libbimt.so"))]
        found += glob.glob(os.path.join(root, "build", "lib", "libbimt.so"))
        release = os.path.join(root, "build", "release", "lib", "libbimt.so")
        found.sort(key=lambda p: (p != release, -os.path.getmtime(p)))
        out += [p for p in found if not _is_sanitized(p)]
    return out


def _abi(version_number):
    """The part of a version that names its ABI: MAJOR.MINOR while MAJOR is 0, else MAJOR
    (the library's SONAME follows the same rule)."""
    major, minor = int(version_number) // 10000, int(version_number) // 100 % 100
    return (major, minor) if major == 0 else (major,)


def _open():
    errors = []
    env = os.environ.get("BIMT_LIBRARY")
    for path in candidate_paths():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append(f"{path}: {e}")
            if env:
                raise OSError(f"BIMT_LIBRARY={env}: cannot load libbimt ({e})") from None
    names = []
    found = ctypes.util.find_library("bimt")
    if found:
        names.append(found)
    major, minor = __version__.split(".")[:2]
    names.append(f"libbimt.so.{major}.{minor}" if major == "0" else f"libbimt.so.{major}")
    names.append("libbimt.so")
    for name in names:
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            errors.append(f"{name}: {e}")
    raise OSError("libbimt not found. Build it (cmake -S . -B build/release && cmake --build "
                  "build/release) or set BIMT_LIBRARY to the path of libbimt.so. Tried:\n  "
                  + "\n  ".join(errors or ["(nothing)"]))


class Library:
    """The loaded libbimt: one attribute per C function, declared from ``functions``
    ({name: (restype, [argtypes])}, bimt._lib.FUNCTIONS)."""

    def __init__(self, cdll, path, functions):
        self.cdll = cdll
        self.path = path
        self.missing = []
        for name, (restype, argtypes) in functions.items():
            try:
                fn = getattr(cdll, name)
            except AttributeError:
                self.missing.append(name)
                setattr(self, name, _missing(name, path))
                continue
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)


def _missing(name, path):
    def stub(*_args, **_kwargs):
        raise UnsupportedError(-9, f"{name} is not exported by {path} "
                                   "(library older than these bindings?)")
    stub.__name__ = name
    return stub


def _check_struct_sizes(lib):
    """Compares each versioned params struct with the struct_size its _init function sets."""
    for cname, init_name in F.PARAMS_INIT.items():
        if init_name in lib.missing:
            continue
        cls = F.STRUCTS[cname]
        # A buffer larger than any plausible struct: the C side may be bigger than ours.
        buf = ctypes.create_string_buffer(4096)
        init = lib.cdll[init_name]  # a fresh function object, untyped: takes the raw buffer
        init.argtypes = [ctypes.c_void_p]
        init.restype = None
        init(buf)
        size = ctypes.c_uint32.from_buffer(buf).value
        if size != ctypes.sizeof(cls):
            raise VersionError(-6, f"{cname}: libbimt says {size} bytes, the Python "
                                   f"bindings' layout is {ctypes.sizeof(cls)} bytes "
                                   f"({lib.path})")


def load(functions):
    """Loads the library, declares ``functions`` ({name: (restype, [argtypes])}), checks
    version and layouts; returns a :class:`Library`."""
    cdll, path = _open()
    lib = Library(cdll, path, functions)
    if "bimt_version" in lib.missing:
        raise VersionError(-6, f"{path} has no bimt_version(): not libbimt?")
    have = lib.bimt_version()
    parts = [int(x) for x in __version__.split(".")]
    want = _abi(parts[0] * 10000 + parts[1] * 100)
    if _abi(have) != want:
        raise VersionError(-6, f"{path} is libbimt {lib.bimt_version_string().decode()}, "
                               f"these bindings need version {'.'.join(map(str, want))}")
    _check_struct_sizes(lib)
    return lib


if sys.byteorder != "little":  # pragma: no cover - the .npz checkpoints assume it too
    raise ImportError("bimt: little-endian machines only")
