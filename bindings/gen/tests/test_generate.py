"""The binding generator: drift detection, new headers picked up, unmappable constructs refused."""

import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.dirname(HERE)
REPO = os.path.normpath(os.path.join(GEN, "..", ".."))
INCLUDE = os.path.join(REPO, "include", "bimt")
GENERATOR = os.path.join(GEN, "generate.py")

sys.path.insert(0, GEN)
import cheader  # noqa: E402
import generate  # noqa: E402


def run(*args):
    return subprocess.run([sys.executable, GENERATOR, *args], capture_output=True, text=True)


@pytest.fixture
def inc(tmp_path):
    d = tmp_path / "include"
    shutil.copytree(INCLUDE, d)
    return d


def test_committed_files_are_a_fresh_generation():
    r = run("--check")
    assert r.returncode == 0, r.stdout + r.stderr
    for rel in (generate.PY_FFI, generate.PY_LIB, generate.JL_LIB):
        with open(os.path.join(REPO, rel), encoding="utf-8") as fh:
            assert generate.BANNER in fh.read(), rel


def test_drift_fails_with_a_diff(tmp_path):
    out = tmp_path / "out"
    assert run("--out", str(out)).returncode == 0          # writes all three files
    assert run("--out", str(out), "--check").returncode == 0
    jl = out / generate.JL_LIB
    jl.write_text(jl.read_text().replace("n_eachring::UInt32", "n_eachring::UInt64"))
    r = run("--out", str(out), "--check")
    assert r.returncode == 1
    assert "-    n_eachring::UInt64" in r.stdout and "+    n_eachring::UInt32" in r.stdout
    assert "differ from a fresh generation" in r.stderr


NEW_HEADER = """\
#ifndef BIMT_SWEEPX_H
#define BIMT_SWEEPX_H
#include <stdint.h>
#include "bimt/export.h"
#include "bimt/task.h"
#define BIMT_SWEEPX_MAX (BIMT_N_RULES * 2)
#define BIMT_SWEEPX_FLAG 4u
typedef enum bimt_sweepx_stat { BIMT_SWEEPX_MEAN = 0, BIMT_SWEEPX_MEDIAN } bimt_sweepx_stat;
typedef struct bimt_sweepx bimt_sweepx_t;
typedef struct bimt_sweepx_row {
    uint32_t struct_size; /**< sizeof */
    double   lambda;      /**< a keyword in Python */
    uint64_t seeds[BIMT_SWEEPX_MAX];
    const char *label;
} bimt_sweepx_row;
BIMT_API void bimt_sweepx_row_init(bimt_sweepx_row *row);
BIMT_API int bimt_sweepx_create(const char *dir, bimt_sweepx_t **out);
BIMT_API int bimt_sweepx_add(bimt_sweepx_t *s, const bimt_sweepx_row *row, double end);
BIMT_API const char *bimt_sweepx_stat_name(int32_t stat);
BIMT_API void bimt_sweepx_free(bimt_sweepx_t *s);
#endif
"""


def test_a_new_header_is_bound_without_editing_the_generator(inc, tmp_path):
    (inc / "sweepx.h").write_text(NEW_HEADER)
    files = generate.generate(str(inc))
    ffi, lib, jl = files[generate.PY_FFI], files[generate.PY_LIB], files[generate.JL_LIB]
    assert "SWEEPX_MAX = 40" in ffi and "SWEEPX_FLAG = 4" in ffi and "SWEEPX_MEDIAN = 1" in ffi
    assert "class Sweepx_(Structure)" in ffi and "SweepxP = P(Sweepx_)" in ffi
    assert '("lambda_", c_double),  # C name: lambda' in ffi
    assert '("seeds", c_uint64 * 40)' in ffi
    assert '"bimt_sweepx_row": "bimt_sweepx_row_init"' in ffi
    assert '"bimt_sweepx_create": (c_int, [c_char_p, P(F.SweepxP)])' in lib
    assert '"bimt_sweepx_add": (c_int, [F.SweepxP, P(F.SweepxRow), c_double])' in lib
    assert "const SWEEPX_FLAG = UInt32(4)" in jl and "seeds::NTuple{40,UInt64}" in jl
    assert "bimt_sweepx_add(s, row, end_) =" in jl              # Julia keyword argument
    assert "(Ptr{Cvoid}, Ref{SweepxRow}, Cdouble)" in jl
    assert "ccall((:bimt_sweepx_stat_name, libbimt), Ptr{UInt8}, (Int32,), stat)" in jl
    # Julia evaluates PARAMS_INIT at load time: it must follow every wrapper it names.
    assert "(SweepxRow, bimt_sweepx_row_init)," in jl
    assert jl.index("const PARAMS_INIT") > max(jl.index(f"{n}(") for n in (
        "bimt_sweepx_row_init", "bimt_task_params_init", "bimt_cluster_params_init"))
    # The generated Python is valid and its layout is what ctypes computes.
    ns = {}
    exec(compile(ffi.replace("import ctypes\n", "import ctypes\n", 1), "_ffi.py", "exec"), ns)
    assert ns["STRUCTS"]["bimt_sweepx_row"]._fields_[1][0] == "lambda_"


@pytest.mark.parametrize("decl, message", [
    ("typedef struct bimt_u { long x; } bimt_u;", "unknown type 'long'"),
    ("typedef struct bimt_u { uint32_t a : 3; } bimt_u;", "bit-fields"),
    ("typedef struct bimt_u { union { int a; float b; } u; } bimt_u;", "nested structures"),
    ("typedef struct bimt_u { int (*cb)(int); } bimt_u;", "function-pointer"),
    ("typedef struct bimt_u { double m[2][3]; } bimt_u;", "one array dimension"),
    ("BIMT_API int bimt_printf(const char *fmt, ...);", "variadic"),
    ("int bimt_hidden(int x);", "without BIMT_API"),
    ("BIMT_API int bimt_f(struct bimt_nope *p);", "unknown type 'bimt_nope'"),
    ("BIMT_API int bimt_f(int);", "unnamed parameter"),
    ("#define BIMT_BAD \"text\"", "cannot evaluate"),
    ("#define BIMT_SQUARE(x) ((x) * (x))", "function-like macros"),
    ("static inline int bimt_g(int x) { return x; }\nBIMT_API int bimt_h(int x);",
     "definitions"),
    ("BIMT_API extern int bimt_counter;", "no exported variables"),
])
def test_unmappable_constructs_fail_loudly(inc, decl, message):
    (inc / "zz_new.h").write_text(f'#include <stdint.h>\n#include "bimt/export.h"\n{decl}\n')
    with pytest.raises(cheader.ParseError) as e:
        generate.generate(str(inc))
    assert "zz_new.h" in str(e.value) and message in str(e.value)
    r = run("--include", str(inc), "--check")
    assert r.returncode == 2 and "generate.py: error: zz_new.h" in r.stderr


def test_name_clash_is_refused(inc):
    (inc / "zz_new.h").write_text('#include "bimt/export.h"\n'
                                  "typedef struct bimt_task__params { int x; } bimt_task__params;\n")
    with pytest.raises(cheader.ParseError, match="both map to the binding name TaskParams"):
        generate.generate(str(inc))
    (inc / "zz_new.h").write_text('#include "bimt/export.h"\n#define BIMT_OK 3\n')
    with pytest.raises(cheader.ParseError, match="BIMT_OK: defined twice"):
        generate.generate(str(inc))


def test_every_enum_has_a_name_function():
    """The name tables exist once, in the library: a bimt_<enum>_name (bimt_status_str for
    bimt_status) per public enum, which the bindings use instead of copies."""
    hdr = cheader.CHeaders(INCLUDE)
    missing = [e for e in hdr.enums
               if e != "bimt_status" and f"{e}_name" not in hdr.functions
               and not (e == "bimt_trainer_key" and "bimt_trainer_key_name" in hdr.functions)]
    assert not missing, f"enums without a bimt_*_name() function: {missing}"
