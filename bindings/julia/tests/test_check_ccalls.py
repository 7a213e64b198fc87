"""The Julia FFI checker passes on the real sources and fails on broken copies of them."""

import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
JULIA = os.path.dirname(HERE)
REPO = os.path.normpath(os.path.join(JULIA, "..", ".."))
CHECKER = os.path.join(JULIA, "check_ccalls.py")
INCLUDE = os.path.join(REPO, "include", "bimt")

sys.path.insert(0, JULIA)
sys.path.insert(0, os.path.join(REPO, "bindings", "gen"))
import cheader  # noqa: E402  (the header parser shared with the generator)
import check_ccalls  # noqa: E402


def library():
    lib = check_ccalls.find_library(None)
    if lib is None or not os.path.isfile(lib):
        pytest.fail("libbimt.so not found: set BIMT_LIBRARY (CTest does)")
    return lib


def run(src):
    return subprocess.run([sys.executable, CHECKER, "--src", str(src), "--include", INCLUDE,
                           "--lib", library(), "-v"], capture_output=True, text=True)


@pytest.fixture
def src_copy(tmp_path):
    dst = tmp_path / "src"
    shutil.copytree(os.path.join(JULIA, "src"), dst)
    return dst


def edit(path, old, new, count=1):
    text = path.read_text()
    assert text.count(old) >= 1, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count))


def test_real_sources_pass():
    r = run(os.path.join(JULIA, "src"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "all ccalls match" in r.stdout
    m = re.search(r"(\d+) ccalls in \d+ files, (\d+) C functions", r.stdout)
    assert m and int(m.group(1)) >= int(m.group(2)) >= 80


def test_wrong_argument_type_fails(src_copy):
    # uint32_t batch_size passed as Cint
    edit(src_copy / "libbimt.jl", "(Ptr{Cvoid}, Cint, UInt32, Ref{CBatch})",
         "(Ptr{Cvoid}, Cint, Cint, Ref{CBatch})")
    r = run(src_copy)
    assert r.returncode == 1
    assert "bimt_task_sample" in r.stderr and "argument 3" in r.stderr


def test_wrong_return_type_fails(src_copy):
    edit(src_copy / "libbimt.jl", "ccall((:bimt_version, libbimt), UInt32, ())",
         "ccall((:bimt_version, libbimt), UInt64, ())")
    r = run(src_copy)
    assert r.returncode == 1 and "bimt_version" in r.stderr and "return type" in r.stderr


def test_missing_argument_fails(src_copy):
    edit(src_copy / "libbimt.jl",
         "ccall((:bimt_model_distance_cost, libbimt), Cint, (Ptr{Cvoid}, Cdouble, Ptr{Cdouble}),\n"
         "          model, A, value)",
         "ccall((:bimt_model_distance_cost, libbimt), Cint, (Ptr{Cvoid}, Ptr{Cdouble}),\n"
         "          model, value)")
    r = run(src_copy)
    assert r.returncode == 1 and "bimt_model_distance_cost" in r.stderr
    assert "2 argument types for 3 parameters" in r.stderr


def test_wrong_pointer_element_fails(src_copy):
    edit(src_copy / "libbimt.jl", "(Ptr{Cvoid}, Ptr{Float32}, Cdouble, Cdouble, Ref{Wiring})",
         "(Ptr{Cvoid}, Ptr{Float64}, Cdouble, Cdouble, Ref{Wiring})")
    r = run(src_copy)
    assert r.returncode == 1 and "bimt_wiring_stats" in r.stderr


def test_wrong_symbol_name_fails(src_copy):
    edit(src_copy / "libbimt.jl", "ccall((:bimt_model_n_params, libbimt)",
         "ccall((:bimt_model_nparams, libbimt)")
    r = run(src_copy)
    assert r.returncode == 1
    assert "bimt_model_nparams: no such BIMT_API function" in r.stderr
    assert "bimt_model_n_params (model.h): no ccall" in r.stderr   # coverage lost too


def test_symbol_missing_from_library_fails(tmp_path, src_copy):
    # A header declaring one more function than the library exports.
    inc = tmp_path / "include"
    shutil.copytree(INCLUDE, inc)
    edit(inc / "status.h", "BIMT_API uint32_t bimt_version(void);",
         "BIMT_API uint32_t bimt_version(void);\nBIMT_API int bimt_not_built(int x);")
    with open(src_copy / "libbimt.jl", "a") as f:
        f.write("\nbimt_not_built(x) = ccall((:bimt_not_built, libbimt), Cint, (Cint,), x)\n")
    r = subprocess.run([sys.executable, CHECKER, "--src", str(src_copy), "--include", str(inc),
                        "--lib", library()], capture_output=True, text=True)
    assert r.returncode == 1 and "bimt_not_built: not exported by" in r.stderr


def test_struct_field_mismatch_fails(src_copy):
    edit(src_copy / "libbimt.jl", "    n_eachring::UInt32\n", "    n_eachring::UInt64\n")
    r = run(src_copy)
    assert r.returncode == 1 and "TaskParams.n_eachring" in r.stderr


def test_struct_missing_field_fails(src_copy):
    edit(src_copy / "libbimt.jl", "    activity_cost::Cdouble\nend", "end")  # bimt_step_info
    r = run(src_copy)
    assert r.returncode == 1 and "StepInfo has 11 fields" in r.stderr


def test_at_ccall_syntax_is_checked(src_copy):
    with open(src_copy / "extra.jl", "w") as f:
        f.write("good(m) = @ccall libbimt.bimt_model_n_hidden(m::Ptr{Cvoid})::UInt32\n"
                "bad(m) = @ccall libbimt.bimt_model_n_out(m::Ptr{Cvoid})::Cint\n")
    r = run(src_copy)
    assert r.returncode == 1
    assert "extra.jl:2" in r.stderr and "bimt_model_n_out" in r.stderr
    assert "extra.jl:1" not in r.stderr


def test_parser_handles_the_header_style():
    hdr = cheader.CHeaders(INCLUDE)
    ret, params, _ = hdr.functions["bimt_trainer_evaluate"]
    assert repr(params[2]) == "double*"              # double perf[BIMT_N_RULES]
    ret, params, _ = hdr.functions["bimt_model_tensor"]
    assert [repr(p) for p in params] == ["const bimt_model_t*", "int32_t",
                                         "const float**", "uint32_t*", "uint32_t*", "size_t*"]
    fields = dict(hdr.structs["bimt_trainer_params"])
    assert fields["rule_weight"].array == 20 and fields["schedule_step"].array == 8
    assert "bimt_progress_fn" in hdr.fnptrs and "bimt_model_t" in hdr.opaque
    assert cheader.split_top("a, f(b, c), {d, e},") == ["a", "f(b, c)", "{d, e}"]
