#!/usr/bin/env python3
"""Checks the Julia bindings' ccalls against libbimt's C headers and shared library.

Julia cannot be installed on every machine that builds libbimt, so this script stands in for
"does the Julia module's FFI match the C API". The low-level layer src/libbimt.jl is
generated from the headers (bindings/gen/generate.py); this independent check also covers
hand-written ccalls, the symbols the built library exports and edits made to the generated
file. It parses

* every ``ccall((:symbol, lib), Ret, (ArgTypes...,), args...)`` and
  ``@ccall lib.symbol(arg::T, ...)::Ret`` in the Julia sources,
* every ``BIMT_API`` prototype and every ``typedef struct {...}`` of include/bimt/*.h, through
  the header parser shared with the binding generator (bindings/gen/cheader.py),
* every ``struct Name ... end`` of the Julia sources that mirrors a C structure,

and fails (exit status 1, one line per problem) when

* a ccall names a symbol that is not a public prototype or not exported by libbimt.so,
* a ccall's return type or an argument type does not map to the C prototype's type, or the
  number of argument types differs from the prototype (or from the values passed),
* a public C function has no ccall at all (the low-level layer must cover the whole API),
* a Julia mirror struct's fields differ from the C structure's (names aside: order, count
  and types).

Type mapping (C -> Julia): int/enums -> Cint (Int32); unsigned, uint32_t -> UInt32 (Cuint);
int32_t -> Int32; uint64_t -> UInt64; uint8_t -> UInt8; size_t -> Csize_t (UInt); double ->
Cdouble (Float64); float -> Cfloat (Float32); void -> Cvoid (Nothing); ``const char *`` ->
Cstring or Ptr{UInt8}/Ptr{Cchar}; other ``char *`` -> Ptr{UInt8}/Ptr{Cchar}; ``T *`` ->
Ptr{T'} or Ref{T'} (arguments only); opaque handles and function pointers -> Ptr{Cvoid};
structures -> the Julia mirror the generator names (bindings/gen/generate.py); arrays ``T a[N]`` -> Ptr{T'} as
parameters and NTuple{N,T'} as struct fields.

Usage: check_ccalls.py [--src DIR] [--include DIR] [--lib PATH] [-v]
Exit status: 0 all checks passed, 1 mismatches found, 2 usage or parse error.
"""

import argparse
import ctypes
import glob
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "bindings", "gen"))
from cheader import CHeaders, ParseError, split_top  # noqa: E402,F401  (the shared parser)
from generate import Names  # noqa: E402  (the binding names of the C declarations)

C_SCALARS = {
    "int": "Int32", "unsigned": "UInt32", "uint32_t": "UInt32", "int32_t": "Int32",
    "uint64_t": "UInt64", "int64_t": "Int64", "uint8_t": "UInt8", "int8_t": "Int8",
    "size_t": "Csize_t", "double": "Float64", "float": "Float32", "void": "Cvoid",
    "uint16_t": "UInt16", "int16_t": "Int16", "bool": "Bool",
}

JULIA_ALIASES = {
    "Cint": "Int32", "Cuint": "UInt32", "Cfloat": "Float32", "Cdouble": "Float64",
    "Clonglong": "Int64", "Culonglong": "UInt64", "Cshort": "Int16", "Cushort": "UInt16",
    "Cuchar": "UInt8", "Cchar": "Int8", "Nothing": "Cvoid", "UInt": "Csize_t",
    "Cssize_t": "Int", "Cptrdiff_t": "Int",
}


def struct_names(hdr):
    """C structure (typedef name) -> name of its Julia mirror (the generator's names)."""
    names = Names(hdr)
    return {s: names.jl[s] for s in hdr.structs}


# ------------------------------------------------------------------------------- Julia side
def strip_julia_comments(text):
    text = re.sub(r"#=.*?=#", " ", text, flags=re.S)
    out = []
    for line in text.split("\n"):
        # Drop "# ..." outside strings (the sources keep '#' out of string literals in ccalls).
        q = None
        cut = len(line)
        for i, ch in enumerate(line):
            if q:
                if ch == q and line[i - 1] != "\\":
                    q = None
            elif ch == '"':
                q = ch
            elif ch == "#":
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def balanced(text, start):
    """Index just past the parenthesis group opening at text[start] == '('."""
    depth, i, q = 0, start, None
    while i < len(text):
        ch = text[i]
        if q:
            if ch == "\\":
                i += 1
            elif ch == q:
                q = None
        elif ch == '"':
            q = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ParseError(f"unbalanced parentheses at offset {start}")


class CCall:
    def __init__(self, symbol, ret, args, n_values, where):
        self.symbol, self.ret, self.args, self.n_values, self.where = (symbol, ret, args,
                                                                       n_values, where)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def parse_julia_ccalls(path):
    with open(path, encoding="utf-8") as fh:
        text = strip_julia_comments(fh.read())
    calls = []
    rel = os.path.basename(path)
    for m in re.finditer(r"(?<![\w@.])ccall\s*\(", text):
        open_at = m.end() - 1
        end = balanced(text, open_at)
        parts = split_top(text[open_at + 1:end - 1])
        where = f"{rel}:{line_of(text, m.start())}"
        if len(parts) < 3:
            raise ParseError(f"{where}: ccall with fewer than 3 arguments")
        target = parts[0].strip()
        tm = re.fullmatch(r"\(\s*:(\w+)\s*,\s*[\w.]+\s*\)", target)
        if not tm:
            raise ParseError(f"{where}: ccall target {target!r} is not (:symbol, lib)")
        argt = parts[2].strip()
        if not (argt.startswith("(") and argt.endswith(")")):
            raise ParseError(f"{where}: argument types {argt!r} are not a tuple")
        types = [t for t in split_top(argt[1:-1]) if t]
        calls.append(CCall(tm.group(1), parts[1].strip(), types, len(parts) - 3, where))
    for m in re.finditer(r"@ccall\s+[\w.]*?\.?(\w+)\s*\(", text):
        open_at = m.end() - 1
        end = balanced(text, open_at)
        where = f"{rel}:{line_of(text, m.start())}"
        args = [a for a in split_top(text[open_at + 1:end - 1]) if a]
        types = []
        for a in args:
            if "::" not in a:
                raise ParseError(f"{where}: @ccall argument {a!r} has no ::Type")
            types.append(a.rsplit("::", 1)[1].strip())
        rm = re.match(r"\s*::\s*([\w{}., ]+?)(?=\s*(?:$|\n|\)|;|,|\bend\b))", text[end:])
        if not rm:
            raise ParseError(f"{where}: @ccall without ::ReturnType")
        calls.append(CCall(m.group(1), rm.group(1).strip(), types, len(types), where))
    return calls


def parse_julia_structs(path):
    """{name: [(field, type)]} of the `struct`/`mutable struct` blocks of a Julia file."""
    with open(path, encoding="utf-8") as fh:
        text = strip_julia_comments(fh.read())
    out = {}
    for m in re.finditer(r"^\s*(mutable\s+)?struct\s+(\w+)[^\n]*\n(.*?)^\s*end\b", text,
                         flags=re.S | re.M):
        fields = []
        for line in m.group(3).split("\n"):
            fm = re.fullmatch(r"\s*(\w+)\s*::\s*(.+?)\s*", line)
            if fm:
                fields.append((fm.group(1), fm.group(2)))
        out[m.group(2)] = (bool(m.group(1)), fields, os.path.basename(path))
    return out


def norm_julia(t, arg=False):
    t = re.sub(r"\s+", "", t)
    t = re.sub(r"^Base\.|(?<=[{,])Base\.", "", t)
    for a, b in JULIA_ALIASES.items():
        t = re.sub(rf"\b{a}\b", b, t)
    if arg:
        t = re.sub(r"\bRef\{", "Ptr{", t)
    return t


# ------------------------------------------------------------------------------- mapping
def julia_options(hdr, ct, context):
    """Accepted normalised Julia spellings of a C type. context: 'ret', 'arg' or 'field'."""
    ct = hdr.resolve(ct)
    base, nptr = ct.base, ct.nptr
    STRUCT_NAMES = struct_names(hdr)
    if base in hdr.fnptrs and nptr == 0:
        return {"Ptr{Cvoid}"}
    if base in hdr.enums:
        inner = {"Int32"}
    elif base in hdr.opaque:
        inner = {"Cvoid"}
    elif base in hdr.structs:
        if base not in STRUCT_NAMES:
            raise ParseError(f"no Julia mirror name for C struct {base}")
        inner = {STRUCT_NAMES[base]}
    elif base == "char":
        inner = {"UInt8", "Int8"}
    elif base in C_SCALARS:
        inner = {C_SCALARS[base]}
    else:
        raise ParseError(f"unknown C type {ct!r}")
    opts = set(inner)
    for _ in range(nptr):
        opts = {f"Ptr{{{o}}}" for o in opts}
    if base == "char" and nptr == 1 and ct.const and context != "field":
        opts.add("Cstring")
    if base == "char" and nptr == 1 and context == "field":
        opts.add("Cstring")
    if ct.array is not None:
        opts = {f"NTuple{{{ct.array},{o}}}" for o in opts}
    return opts


def find_library(explicit=None):
    if explicit:
        return explicit
    env = os.environ.get("BIMT_LIBRARY")
    if env:
        return os.path.join(env, "libbimt.so") if os.path.isdir(env) else env
    found = sorted(glob.glob(os.path.join(REPO, "build", "*", "lib", "libbimt.so")),
                   key=lambda p: -os.path.getmtime(p))
    return found[0] if found else None


def exported_symbols(lib):
    """Dynamic symbols defined by lib (nm -D; ctypes as a fallback)."""
    nm = shutil.which("nm")
    if nm:
        out = subprocess.run([nm, "-D", "--defined-only", lib], capture_output=True,
                             text=True, check=True).stdout
        return {line.split()[-1] for line in out.splitlines() if line.split()}
    cdll = ctypes.CDLL(lib)
    return _SymbolProbe(cdll)


class _SymbolProbe:
    def __init__(self, cdll):
        self.cdll = cdll

    def __contains__(self, name):
        return hasattr(self.cdll, name)


def check(src_dir, include_dir, lib, verbose=False):
    """Returns a list of problem strings (empty = all good)."""
    hdr = CHeaders(include_dir)
    files = sorted(glob.glob(os.path.join(src_dir, "**", "*.jl"), recursive=True))
    if not files:
        raise ParseError(f"no Julia sources in {src_dir}")
    calls, jstructs = [], {}
    for f in files:
        calls += parse_julia_ccalls(f)
        jstructs.update(parse_julia_structs(f))
    problems = []
    STRUCT_NAMES = struct_names(hdr)
    symbols = exported_symbols(lib) if lib else None
    if lib is None:
        problems.append("libbimt.so not found (give --lib or set BIMT_LIBRARY)")
    covered = set()
    for c in calls:
        covered.add(c.symbol)
        if c.symbol not in hdr.functions:
            problems.append(f"{c.where}: {c.symbol}: no such BIMT_API function in the headers")
            continue
        if symbols is not None and c.symbol not in symbols:
            problems.append(f"{c.where}: {c.symbol}: not exported by {lib}")
        ret, params, hfile = hdr.functions[c.symbol]
        sig = f"{c.symbol} ({hfile}: {ret!r}({', '.join(map(repr, params))}))"
        if norm_julia(c.ret) not in julia_options(hdr, ret, "ret"):
            problems.append(f"{c.where}: {sig}: return type {c.ret} should be one of "
                            f"{sorted(julia_options(hdr, ret, 'ret'))}")
        if len(c.args) != len(params):
            problems.append(f"{c.where}: {sig}: {len(c.args)} argument types for "
                            f"{len(params)} parameters")
        else:
            for i, (jt, ct) in enumerate(zip(c.args, params)):
                opts = julia_options(hdr, ct, "arg")
                if norm_julia(jt, arg=True) not in opts:
                    problems.append(f"{c.where}: {sig}: argument {i + 1} is {jt}, C has "
                                    f"{ct!r} (expected one of {sorted(opts)})")
        if c.n_values != len(c.args):
            problems.append(f"{c.where}: {c.symbol}: {c.n_values} values passed for "
                            f"{len(c.args)} argument types")
    for name in sorted(set(hdr.functions) - covered):
        problems.append(f"{name} ({hdr.functions[name][2]}): no ccall in the Julia sources")
    for cname, fields in sorted(hdr.structs.items()):
        jname = STRUCT_NAMES.get(cname)
        if jname is None:
            problems.append(f"C struct {cname} has no Julia mirror name")
            continue
        if jname not in jstructs:
            problems.append(f"C struct {cname}: Julia mirror struct {jname} not defined")
            continue
        mutable, jfields, jfile = jstructs[jname]
        if mutable:
            problems.append(f"{jfile}: {jname} must be an immutable struct (C layout)")
        if len(jfields) != len(fields):
            problems.append(f"{jfile}: {jname} has {len(jfields)} fields, {cname} has "
                            f"{len(fields)}")
            continue
        for (jn, jt), (cn, ct) in zip(jfields, fields):
            opts = julia_options(hdr, ct, "field")
            if norm_julia(jt) not in opts:
                problems.append(f"{jfile}: {jname}.{jn}::{jt} does not match {cname}.{cn} "
                                f"({ct!r}; expected one of {sorted(opts)})")
    if verbose:
        print(f"check_ccalls: {len(calls)} ccalls in {len(files)} files, "
              f"{len(hdr.functions)} C functions, {len(hdr.structs)} structs, lib {lib}")
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=os.path.join(HERE, "src"), help="Julia source folder")
    ap.add_argument("--include", default=os.path.join(REPO, "include", "bimt"),
                    help="folder of the public C headers")
    ap.add_argument("--lib", default=None, help="path of libbimt.so")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    try:
        problems = check(a.src, a.include, find_library(a.lib), a.verbose)
    except (ParseError, OSError, subprocess.CalledProcessError) as e:
        print(f"check_ccalls: error: {e}", file=sys.stderr)
        return 2
    for p in problems:
        print(f"check_ccalls: MISMATCH {p}", file=sys.stderr)
    if problems:
        print(f"check_ccalls: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check_ccalls: all ccalls match the C API")
    return 0


if __name__ == "__main__":
    sys.exit(main())
