"""Library loading, version check, declarations against the headers, structure layouts."""

import ctypes
import os
import shutil
import subprocess
import sys

import pytest

import bimt
from bimt import _ffi as F
from bimt import _lib, _loader
from conftest import REPO, include_dirs

sys.path.insert(0, os.path.join(REPO, "bindings", "gen"))
import cheader  # noqa: E402  (the header parser shared with the generator)


def _headers():
    return cheader, cheader.CHeaders(os.path.join(REPO, "include", "bimt"))


def test_version_matches_package_and_header():
    assert bimt.library_version() == bimt.__version__
    major, minor, patch = (int(x) for x in bimt.__version__.split("."))
    assert bimt.library_version_number() == major * 10000 + minor * 100 + patch
    with open(os.path.join(REPO, "CMakeLists.txt")) as f:
        assert f"VERSION {bimt.__version__}" in f.read()


def test_every_function_is_present_and_declared():
    assert _lib.lib.missing == [], "symbols missing from libbimt.so"
    _, hdr = _headers()
    assert set(hdr.functions) == set(_lib.FUNCTIONS), (
        "ctypes table and headers differ: "
        f"{sorted(set(hdr.functions) ^ set(_lib.FUNCTIONS))}")


def _ctype_for(hdr, ct, ret=False):
    """The ctypes type the bindings must use for a parsed C type."""
    handles = {"bimt_task_t": F.Task_, "bimt_model_t": F.Model_,
               "bimt_optimizer_t": F.Optimizer_, "bimt_trainer_t": F.Trainer_,
               "bimt_sweep_t": F.Sweep_}
    scalars = {"int": ctypes.c_int, "uint32_t": ctypes.c_uint32, "int32_t": ctypes.c_int32,
               "uint64_t": ctypes.c_uint64, "uint8_t": ctypes.c_uint8,
               "size_t": ctypes.c_size_t, "double": ctypes.c_double,
               "float": ctypes.c_float}
    if ct.base in hdr.fnptrs:
        return F.ProgressFn
    if ct.base == "void":
        return None if ct.nptr == 0 else (ctypes.c_void_p if ct.nptr == 1 else None)
    if ct.base == "char" and ct.nptr == 1:
        return ctypes.c_char_p
    if ct.base in hdr.enums:
        base = ctypes.c_int
    elif ct.base in handles:
        base = handles[ct.base]
    elif ct.base in hdr.structs:
        base = F.STRUCTS[ct.base]
    else:
        base = scalars[ct.base]
    for _ in range(ct.nptr):
        base = ctypes.POINTER(base)
    return base


def test_ctypes_signatures_match_headers():
    _, hdr = _headers()
    bad = []
    for name, (ret, params, _file) in hdr.functions.items():
        restype, argtypes = _lib.FUNCTIONS[name]
        if restype is not _ctype_for(hdr, ret, ret=True):
            bad.append(f"{name}: restype {restype} vs C {ret!r}")
        want = [_ctype_for(hdr, p) for p in params]
        if len(want) != len(argtypes) or any(a is not w for a, w in zip(argtypes, want)):
            bad.append(f"{name}: argtypes {argtypes} vs C {params}")
    assert not bad, "\n".join(bad)


def test_params_struct_sizes_match_init_functions():
    for cname, init in F.PARAMS_INIT.items():
        cls = F.STRUCTS[cname]
        p = cls()
        getattr(_lib.lib, init)(ctypes.byref(p))
        assert p.struct_size == ctypes.sizeof(cls), cname


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_struct_layouts_match_compiled_c(tmp_path):
    """sizeof and every field offset of each mirrored struct, as the C compiler sees them."""
    _, hdr = _headers()
    lines = ["#include <stddef.h>", "#include <stdio.h>", "#include <bimt/bimt.h>",
             "#include <bimt/plot.h>", "int main(void) {"]
    for cname, fields in sorted(hdr.structs.items()):
        lines.append(f'printf("{cname} %zu\\n", sizeof({cname}));')
        for fname, _ in fields:
            lines.append(f'printf("{cname}.{fname} %zu\\n", offsetof({cname}, {fname}));')
    lines += ["return 0;", "}"]
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "layout"
    cmd = ["cc", "-std=c11", "-o", str(exe), str(src)]
    for d in include_dirs():
        cmd += ["-I", d]
    subprocess.run(cmd, check=True)
    out = dict(line.rsplit(" ", 1) for line in
               subprocess.run([str(exe)], capture_output=True, text=True,
                              check=True).stdout.splitlines())
    assert set(hdr.structs) == set(F.STRUCTS)
    for cname, fields in hdr.structs.items():
        cls = F.STRUCTS[cname]
        assert int(out[cname]) == ctypes.sizeof(cls), cname
        assert len(cls._fields_) == len(fields), cname
        for (pyname, _t), (cfield, _ct) in zip(cls._fields_, fields):
            assert pyname.rstrip("_") == cfield or (cfield == "end" and pyname == "end"), \
                (cname, pyname, cfield)
            assert getattr(cls, pyname).offset == int(out[f"{cname}.{cfield}"]), \
                (cname, cfield)


def test_status_strings_and_exception_classes():
    assert bimt.status_str(0)
    assert bimt.status_str(12345)  # unknown codes still give a string
    from bimt._errors import error_class, make_error
    pairs = {-1: bimt.InvalidArgumentError, -2: bimt.NoMemoryError, -3: bimt.ShapeError,
             -4: bimt.BimtIOError, -5: bimt.FormatError, -6: bimt.VersionError,
             -7: bimt.NumericError, -8: bimt.StateError, -9: bimt.UnsupportedError}
    for code, cls in pairs.items():
        assert error_class(code) is cls
        e = make_error(code, "msg")
        assert isinstance(e, bimt.BimtError) and e.status == code and "msg" in str(e)
        assert bimt.status_str(code) != bimt.status_str(0)
    assert isinstance(make_error(-1, "x"), ValueError)
    assert isinstance(make_error(-4, "x"), OSError)


def _run_python(code, env_extra):
    env = dict(os.environ)
    env.update(env_extra)
    env["PYTHONPATH"] = os.path.join(REPO, "bindings", "python")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env)


def test_bad_library_path_is_a_clear_error(tmp_path):
    r = _run_python("import bimt", {"BIMT_LIBRARY": str(tmp_path / "nope.so")})
    assert r.returncode != 0
    assert "BIMT_LIBRARY" in r.stderr and "cannot load libbimt" in r.stderr


def test_library_folder_in_env_is_accepted():
    lib = bimt.library_path()
    if not os.path.isfile(lib):
        pytest.skip("library loaded by soname")
    r = _run_python("import bimt; print(bimt.library_path())",
                    {"BIMT_LIBRARY": os.path.dirname(lib)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("libbimt.so")


def test_wrong_major_version_is_refused(tmp_path, monkeypatch):
    """A library reporting another major version is rejected by load()."""
    real = _loader.Library

    class Fake(real):
        def __init__(self, cdll, path, functions):
            super().__init__(cdll, path, functions)
            self.bimt_version = lambda: 10000 * 7 + 1
            self.bimt_version_string = lambda: b"7.0.1"

    monkeypatch.setattr(_loader, "Library", Fake)
    with pytest.raises(bimt.VersionError, match="need version"):
        _loader.load(_lib.FUNCTIONS)


def test_missing_symbol_becomes_unsupported_stub():
    stub = _loader._missing("bimt_future_call", "libbimt.so")
    with pytest.raises(bimt.UnsupportedError, match="bimt_future_call"):
        stub()


def test_struct_size_mismatch_is_detected(monkeypatch):
    class Short(ctypes.Structure):
        _fields_ = [("struct_size", ctypes.c_uint32)]

    monkeypatch.setitem(F.STRUCTS, "bimt_task_params", Short)
    with pytest.raises(bimt.VersionError, match="bimt_task_params"):
        _loader._check_struct_sizes(_lib.lib)


def test_sanitized_libraries_are_skipped_in_the_build_search(tmp_path):
    f = tmp_path / "libbimt.so"
    f.write_bytes(b"\x7fELF....libasan.so.8....")
    assert _loader._is_sanitized(str(f))
    g = tmp_path / "plain.so"
    g.write_bytes(b"\x7fELF....libm.so.6....")
    assert not _loader._is_sanitized(str(g))
