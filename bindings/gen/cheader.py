"""Parser of libbimt's public C headers (include/bimt/*.h), shared by the binding generator
(bindings/gen/generate.py), the Julia ccall checker (bindings/julia/check_ccalls.py) and the
tests of both bindings.

It understands exactly the declaration style of this project and refuses anything else with a
:class:`ParseError` naming the file and the declaration, so a new header that uses a construct
the bindings cannot mirror fails the generation loudly instead of producing wrong bindings:

* ``#define BIMT_NAME <number or integer expression of earlier constants>`` -- a constant
  (``1u`` is unsigned, ``1e-2`` a double); header guards (no value) and the export macros of
  export.h (``BIMT_API``, ``BIMT_DEPRECATED``) are skipped; any other macro is an error;
* ``typedef enum [tag] { A = 0, B, ... } name;`` -- an enum (values: integers or expressions
  of earlier constants);
* ``typedef struct tag name;`` -- an opaque handle type;
* ``typedef struct [tag] { fields } name;`` -- a structure; fields ``T a, *b, c[N];`` with
  ``T`` a fixed-width scalar, ``char``, ``void``, an enum, a handle, a structure or a function
  pointer typedef (no bit-fields, unions, nested structures or multi-dimensional arrays);
* ``typedef R (*name)(params);`` -- a function pointer type;
* ``typedef <scalar> name;`` -- an alias of a scalar type;
* ``BIMT_API [BIMT_DEPRECATED("...")] R name(params);`` -- a public function (``T a[N]``
  parameters are pointers, ``...`` is refused).

Every type a declaration uses must be known (built-in scalar or declared in the headers).
No third-party dependency: the standard library only (runs under any python3 >= 3.6).
"""

import ast
import glob
import os
import re

#: C scalar types the bindings can mirror (fixed-width integers, size_t, float, double,
#: char, void, bool; plain int/unsigned because some signatures use them).
SCALARS = ("void", "char", "bool", "int", "unsigned", "int8_t", "uint8_t", "int16_t",
           "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t", "size_t", "float",
           "double")

#: Macros of export.h that are part of the declaration syntax, not constants.
SYNTAX_MACROS = {"BIMT_API", "BIMT_DEPRECATED"}


class ParseError(Exception):
    """A header construct the parser (hence the generated bindings) cannot map."""


class CType:
    """A C type: base name, pointer depth, const on the pointee, array length (fields),
    and the declarator's name (fields and parameters; None when unnamed)."""

    def __init__(self, base, nptr=0, const=False, array=None, name=None):
        self.base, self.nptr, self.const, self.array, self.name = base, nptr, const, array, name

    def __repr__(self):
        s = ("const " if self.const else "") + self.base + "*" * self.nptr
        return s + (f"[{self.array}]" if self.array is not None else "")

    def __eq__(self, other):
        return isinstance(other, CType) and repr(self) == repr(other)

    def __hash__(self):
        return hash(repr(self))


class Constant:
    """``#define`` constant: value (int or float) and kind 'int', 'uint', 'uint64' or
    'double'."""

    def __init__(self, name, value, kind, file):
        self.name, self.value, self.kind, self.file = name, value, kind, file


class Enum:
    """``typedef enum``: members [(name, value)] in declaration order."""

    def __init__(self, name, members, file):
        self.name, self.members, self.file = name, members, file


def strip_c_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def split_top(s, sep=","):
    """Splits s at top-level separators (outside (), {}, [] and strings)."""
    out, depth, cur, i, quote = [], 0, [], 0, None
    while i < len(s):
        ch = s[i]
        if quote:
            cur.append(ch)
            if ch == "\\" and i + 1 < len(s):
                cur.append(s[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            cur.append(ch)
        elif ch in "({[":
            depth += 1
            cur.append(ch)
        elif ch in ")}]":
            depth -= 1
            cur.append(ch)
        elif ch == sep and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur).strip())
    if out[-1] == "":
        out.pop()
    return out


_NUM = re.compile(r"(0[xX][0-9a-fA-F]+|\d+\.\d*(?:[eE][-+]?\d+)?|\d*\.\d+(?:[eE][-+]?\d+)?|"
                  r"\d+[eE][-+]?\d+|\d+)([uUlLfF]*)$")


def _eval_int_expr(expr, known, where):
    """Value of an integer expression of literals and known constants (+ - * / % << >> | & ~
    and parentheses); ParseError otherwise."""
    py = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", expr)
    try:
        tree = ast.parse(py.strip(), mode="eval")
    except SyntaxError:
        raise ParseError(f"{where}: cannot evaluate {expr!r}") from None
    ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.FloorDiv: lambda a, b: a // b,
           ast.Div: lambda a, b: int(a / b), ast.Mod: lambda a, b: a % b,
           ast.LShift: lambda a, b: a << b, ast.RShift: lambda a, b: a >> b,
           ast.BitOr: lambda a, b: a | b, ast.BitAnd: lambda a, b: a & b,
           ast.BitXor: lambda a, b: a ^ b}

    def ev(n):
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return n.value
        if isinstance(n, ast.Name) and n.id in known:
            v = known[n.id]
            if isinstance(v, int):
                return v
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd, ast.Invert)):
            v = ev(n.operand)
            return -v if isinstance(n.op, ast.USub) else (~v if isinstance(n.op, ast.Invert)
                                                         else v)
        if isinstance(n, ast.BinOp) and type(n.op) in ops:
            return ops[type(n.op)](ev(n.left), ev(n.right))
        raise ParseError(f"{where}: cannot evaluate {expr!r} (integer literals and earlier "
                         "constants only)")

    return ev(tree.body)


class CHeaders:
    """Constants, enums, handles, structures, function pointers and BIMT_API prototypes of a
    folder of headers (``*.h``, sorted so that a header comes after those it includes)."""

    def __init__(self, include_dir):
        paths = sorted(glob.glob(os.path.join(include_dir, "*.h")))
        if not paths:
            raise ParseError(f"no headers in {include_dir}")
        self.include_dir = include_dir
        self.constants = {}     # name -> Constant (declaration order)
        self.enums = {}         # typedef name -> Enum
        self.opaque = {}        # handle typedef name -> file
        self.fnptrs = {}        # typedef name -> (ret CType, [param CType], file)
        self.aliases = {}       # typedef name -> scalar CType
        self.structs = {}       # typedef name -> [(field, CType)]
        self.struct_files = {}  # typedef name -> file
        self.functions = {}     # name -> (ret CType, [param CType], file)
        raw = {}
        for p in paths:
            with open(p, encoding="utf-8") as fh:
                raw[os.path.basename(p)] = fh.read().replace("\\\n", " ")
        self.files = self._file_order(raw)
        for f in self.files:
            self._parse_file(f, raw[f])
        if not self.functions:
            raise ParseError(f"no BIMT_API prototypes found in {include_dir}")
        self._check_types()

    # -------------------------------------------------------------------- file order
    @staticmethod
    def _file_order(raw):
        deps = {f: [d for d in re.findall(r'#\s*include\s+"bimt/(\w+\.h)"', t) if d in raw]
                for f, t in raw.items()}
        order, state = [], {}

        def visit(f, stack):
            if state.get(f) == "done":
                return
            if state.get(f) == "active":
                raise ParseError(f"include cycle: {' -> '.join(stack + [f])}")
            state[f] = "active"
            for d in sorted(deps[f]):
                visit(d, stack + [f])
            state[f] = "done"
            order.append(f)

        # The umbrella header's include order first (the order of the manual), then the rest.
        umbrella = [d for d in re.findall(r'#\s*include\s+"bimt/(\w+\.h)"', raw.get("bimt.h", ""))
                    if d in raw]
        for f in umbrella + sorted(raw):
            visit(f, [])
        return order

    @property
    def macros(self):
        """{name: value} of the integer constants (array sizes)."""
        return {n: c.value for n, c in self.constants.items() if c.kind != "double"}

    def _known_values(self):
        vals = {n: c.value for n, c in self.constants.items()}
        for e in self.enums.values():
            vals.update(e.members)
        return vals

    # -------------------------------------------------------------------- one header
    def _parse_file(self, fname, raw):
        text = strip_c_comments(raw)
        body = []
        for line in text.split("\n"):
            s = line.strip()
            if s.startswith("#"):
                self._directive(fname, s)
                body.append("")
            else:
                body.append(line)
        text = "\n".join(body)
        n_extern = len(re.findall(r'extern\s+"C"\s*\{', text))
        text = re.sub(r'extern\s+"C"\s*\{', " ", text)
        for stmt in self._statements(fname, text, n_extern):
            self._statement(fname, stmt)

    def _directive(self, fname, line):
        m = re.match(r"#\s*define\s+(\w+)(\(?)\s*(.*)$", line)
        if not m:
            return  # include, if/ifdef/ifndef/elif/else/endif, pragma, undef
        name, fnlike, value = m.group(1), m.group(2), m.group(3).strip()
        where = f"{fname}: #define {name}"
        if name in SYNTAX_MACROS:
            return
        if not value and not fnlike:
            if re.fullmatch(r"BIMT_\w+_H", name):
                return  # header guard
            raise ParseError(f"{where}: a macro without a value is neither a header guard "
                             "nor a constant")
        if fnlike:
            raise ParseError(f"{where}: function-like macros cannot be bound (make it a "
                             "BIMT_API function)")
        if not name.startswith("BIMT_"):
            raise ParseError(f"{where}: public constants are named BIMT_*")
        if name in self.constants or name in self._known_values():
            raise ParseError(f"{where}: defined twice")
        v = value
        while v.startswith("(") and v.endswith(")") and split_top(v[1:-1]) == [v[1:-1]]:
            v = v[1:-1].strip()
        num = _NUM.match(v)
        if num:
            digits, suffix = num.group(1), num.group(2).lower()
            if re.search(r"[.eE]", digits) and not digits.lower().startswith("0x"):
                if "l" in suffix:
                    raise ParseError(f"{where}: long double constants cannot be bound")
                kind, val = "double", float(digits)
            else:
                if "f" in suffix:
                    raise ParseError(f"{where}: cannot read {value!r}")
                val = int(digits, 0)
                kind = ("uint64" if "ll" in suffix and "u" in suffix else
                        "uint" if "u" in suffix else "int")
        else:
            val = _eval_int_expr(v, self._known_values(), where)
            kind = "uint" if re.search(r"\d[uU]", v) else "int"
        self.constants[name] = Constant(name, val, kind, fname)

    @staticmethod
    def _statements(fname, text, n_extern):
        """Top-level statements (split at ';' outside braces/parentheses), normalised."""
        out, cur, depth = [], [], 0
        for ch in text:
            if ch in "{(":
                depth += 1
            elif ch in "})":
                if depth == 0:
                    if ch == "}" and n_extern > 0:   # end of extern "C" {
                        n_extern -= 1
                        continue
                    raise ParseError(f"{fname}: unbalanced {ch!r}")
                depth -= 1
            if ch == ";" and depth == 0:
                out.append(" ".join("".join(cur).split()))
                cur = []
            else:
                cur.append(ch)
        rest = " ".join("".join(cur).split())
        if rest:
            raise ParseError(f"{fname}: declaration without ';' at the end: {rest[:80]!r}")
        return [s for s in out if s]

    def _statement(self, fname, s):
        short = s if len(s) < 100 else s[:97] + "..."
        where = f"{fname}: {short!r}"
        m = re.fullmatch(r"typedef enum (?:\w+ )?\{(.*)\} (\w+)", s)
        if m:
            self._enum(fname, m.group(2), m.group(1))
            return
        m = re.fullmatch(r"typedef struct (\w+) (\w+)", s)
        if m:
            self._new_type(m.group(2), where)
            self.opaque[m.group(2)] = fname
            return
        m = re.fullmatch(r"typedef struct (?:\w+ )?\{(.*)\} (\w+)", s)
        if m:
            name = m.group(2)
            if "{" in m.group(1) or "(" in m.group(1):
                raise ParseError(f"{where}: nested structures, unions and function-pointer "
                                 "fields cannot be bound (declare a typedef)")
            self._new_type(name, where)
            self.structs[name] = self._fields(m.group(1), name, fname)
            self.struct_files[name] = fname
            return
        m = re.fullmatch(r"typedef (.+?) ?\( ?\* ?(\w+) ?\) ?\((.*)\)", s)
        if m:
            self._new_type(m.group(2), where)
            ret = self._type_of(m.group(1), where)
            self.fnptrs[m.group(2)] = (ret, self._params(m.group(3), where), fname)
            return
        m = re.fullmatch(r"typedef ([\w ]+?) (\w+)", s)
        if m and m.group(1) in SCALARS:
            self._new_type(m.group(2), where)
            self.aliases[m.group(2)] = CType(m.group(1))
            return
        if "{" in s and not s.startswith("typedef"):
            raise ParseError(f"{where}: definitions (function bodies, initialisers) in a public "
                             "header cannot be bound")
        if s.startswith("BIMT_API "):
            self._prototype(fname, s, where)
            return
        if re.search(r"\w+ ?\(", s) and "typedef" not in s and "=" not in s:
            raise ParseError(f"{where}: a function declared without BIMT_API (public headers "
                             "declare only exported functions)")
        raise ParseError(f"{where}: construct not understood by bindings/gen/cheader.py "
                         "(see its docstring for the supported declarations)")

    def _new_type(self, name, where):
        if (name in self.enums or name in self.opaque or name in self.structs
                or name in self.fnptrs or name in self.aliases or name in SCALARS):
            raise ParseError(f"{where}: type {name} declared twice")

    def _enum(self, fname, name, body):
        where = f"{fname}: enum {name}"
        self._new_type(name, where)
        known = self._known_values()
        members, nxt = [], 0
        for item in split_top(body):
            m = re.fullmatch(r"(\w+)\s*(?:=\s*(.+))?", item.strip())
            if not m:
                raise ParseError(f"{where}: cannot parse enumerator {item!r}")
            val = nxt if m.group(2) is None else _eval_int_expr(m.group(2), known,
                                                                  f"{where}.{m.group(1)}")
            if m.group(1) in known:
                raise ParseError(f"{where}: {m.group(1)} defined twice")
            members.append((m.group(1), val))
            known[m.group(1)] = val
            nxt = val + 1
        if not members:
            raise ParseError(f"{where}: empty enum")
        self.enums[name] = Enum(name, members, fname)

    def _array_len(self, expr, where):
        expr = expr.strip()
        if re.fullmatch(r"\d+", expr):
            n = int(expr)
        else:
            n = _eval_int_expr(expr, self.macros, where)
        if n <= 0:
            raise ParseError(f"{where}: array size {expr!r} is not positive")
        return n

    def _fields(self, body, sname, fname):
        fields = []
        for decl in body.split(";"):
            decl = " ".join(decl.split())
            if not decl:
                continue
            where = f"{fname}: struct {sname}: field {decl!r}"
            if ":" in decl or re.search(r"\b(union|enum|struct)\b", decl):
                raise ParseError(f"{where}: bit-fields, unions and inline struct/enum types "
                                 "cannot be bound")
            # "type a, *b, c[N]": the type is what precedes the first declarator.
            m = re.match(r"((?:const\s+)?\w+(?:\s+const)?)\s*(.*)$", decl)
            if not m:
                raise ParseError(f"{where}: cannot parse")
            base_decl, rest = m.group(1), m.group(2)
            const = base_decl.startswith("const ") or base_decl.endswith(" const")
            base = base_decl.replace("const", "").split()[-1]
            for d in rest.split(","):
                d = d.strip()
                dm = re.fullmatch(r"(\**)\s*(?:const\s+)?(\w+)\s*(?:\[\s*([^\]\[]+)\s*\])?", d)
                if not dm:
                    raise ParseError(f"{where}: cannot parse declarator {d!r} (one "
                                     "array dimension at most, no function pointers)")
                arr = None
                if dm.group(3):
                    arr = self._array_len(dm.group(3), f"{where}: {dm.group(2)}")
                if any(f == dm.group(2) for f, _ in fields):
                    raise ParseError(f"{where}: field {dm.group(2)} twice")
                fields.append((dm.group(2), CType(base, len(dm.group(1)), const, arr,
                                                  dm.group(2))))
        if not fields:
            raise ParseError(f"{fname}: struct {sname} has no fields")
        return fields

    def _type_of(self, s, where):
        """A type without a declarator name (return types)."""
        s = re.sub(r"BIMT_DEPRECATED\s*\((?:[^()\"]|\"[^\"]*\")*\)", " ", s)
        toks = " ".join(s.replace("*", " * ").split()).split()
        const = "const" in toks
        toks = [t for t in toks if t not in ("const", "struct", "enum")]
        words = [t for t in toks if t != "*"]
        if words == ["unsigned", "int"]:
            words = ["unsigned"]
        if len(words) != 1:
            raise ParseError(f"{where}: cannot parse type {s.strip()!r}")
        return CType(words[0], toks.count("*"), const)

    def _param(self, p, where):
        p = " ".join(p.replace("*", " * ").split())
        if p == "...":
            raise ParseError(f"{where}: variadic functions cannot be bound")
        arr = re.search(r"\[\s*([^\]]*)\s*\]\s*$", p)
        extra = 0
        if arr:
            p = p[:arr.start()].strip()
            extra = 1
        toks = p.split()
        const = "const" in toks
        toks = [t for t in toks if t not in ("const", "struct", "enum", "restrict", "volatile")]
        nptr = toks.count("*") + extra
        words = [t for t in toks if t != "*"]
        name = None
        if len(words) >= 2 and not (words == ["unsigned", "int"]):
            name = words[-1]
            words = words[:-1]
        if words == ["unsigned", "int"]:
            words = ["unsigned"]
        if len(words) != 1 or "[" in p or "(" in p:
            raise ParseError(f"{where}: cannot parse parameter {p!r}")
        return CType(words[0], nptr, const, name=name)

    def _params(self, params_s, where):
        ps = " ".join(params_s.split())
        if not ps or ps == "void":
            return []
        return [self._param(p, where) for p in split_top(ps, ",")]

    def _prototype(self, fname, s, where):
        m = re.fullmatch(r"BIMT_API (.*?)\b(\w+) ?\((.*)\)", s)
        if not m or "(" in m.group(1).replace("BIMT_DEPRECATED(", ""):
            raise ParseError(f"{where}: cannot parse the prototype (no exported variables; "
                             "functions returning function pointers need a typedef)")
        name = m.group(2)
        if not name.startswith("bimt_"):
            raise ParseError(f"{where}: public functions are named bimt_*")
        if name in self.functions:
            raise ParseError(f"{where}: {name} declared twice")
        ret = self._type_of(m.group(1), where)
        self.functions[name] = (ret, self._params(m.group(3), f"{fname}: {name}"), fname)

    # -------------------------------------------------------------------- validation
    def kind(self, base):
        """'scalar', 'enum', 'opaque', 'struct', 'fnptr' or None (unknown)."""
        if base in SCALARS:
            return "scalar"
        if base in self.aliases:
            return "scalar"
        for k, table in (("enum", self.enums), ("opaque", self.opaque),
                         ("struct", self.structs), ("fnptr", self.fnptrs)):
            if base in table:
                return k
        return None

    def resolve(self, ct):
        """ct with a scalar alias replaced by its scalar type."""
        if ct.base in self.aliases:
            return CType(self.aliases[ct.base].base, ct.nptr, ct.const, ct.array, ct.name)
        return ct

    def _check_types(self):
        def need(ct, where, field=False, ret=False):
            k = self.kind(ct.base)
            if k is None:
                raise ParseError(f"{where}: unknown type {ct.base!r} (not a fixed-width scalar "
                                 "nor declared in include/bimt)")
            if k == "opaque" and ct.nptr == 0:
                raise ParseError(f"{where}: handle type {ct.base} used by value")
            if ct.base == "void" and ct.nptr == 0 and not ret:
                raise ParseError(f"{where}: void value")
            if k == "fnptr" and ct.nptr > 0:
                raise ParseError(f"{where}: pointer to a function pointer cannot be bound")
            if not (field or ret) and ct.name is None:
                raise ParseError(f"{where}: unnamed parameter ({ct!r}); name every parameter")

        for name, (ret, params, f) in self.functions.items():
            need(ret, f"{f}: {name}: return type", ret=True)
            for i, p in enumerate(params):
                need(p, f"{f}: {name}: parameter {i + 1}")
        for name, (ret, params, f) in self.fnptrs.items():
            need(ret, f"{f}: {name}: return type", ret=True)
            for i, p in enumerate(params):
                k = self.kind(p.base)
                if k is None:
                    raise ParseError(f"{f}: {name}: parameter {i + 1}: unknown type {p.base!r}")
        for sname, fields in self.structs.items():
            for fn, ct in fields:
                need(ct, f"{self.struct_files[sname]}: {sname}.{fn}", field=True)
                if ct.base == sname and ct.nptr == 0:
                    raise ParseError(f"{sname}.{fn}: a structure cannot contain itself")

    # -------------------------------------------------------------------- helpers
    def type_order(self):
        """Structures and function pointer types in an order where each comes after the
        types it uses (header order otherwise); ParseError on a cycle."""
        items = []
        for f in self.files:
            items += [("struct", n) for n, sf in self.struct_files.items() if sf == f]
            items += [("fnptr", n) for n, v in self.fnptrs.items() if v[2] == f]

        def uses(item):
            kind, n = item
            cts = ([ct for _, ct in self.structs[n]] if kind == "struct"
                   else [self.fnptrs[n][0]] + self.fnptrs[n][1])
            return [c.base for c in cts if c.base != n and self.kind(c.base) in
                    ("struct", "fnptr")]

        out, state = [], {}
        by_name = {n: (k, n) for k, n in items}

        def visit(item, stack):
            if state.get(item[1]) == "done":
                return
            if state.get(item[1]) == "active":
                raise ParseError(f"type cycle: {' -> '.join(stack + [item[1]])}")
            state[item[1]] = "active"
            for d in uses(item):
                visit(by_name[d], stack + [item[1]])
            state[item[1]] = "done"
            out.append(item)

        for it in items:
            visit(it, [])
        return out

    def params_init(self):
        """{struct: init function} for the structures with a ``<struct>_init(struct *)``."""
        out = {}
        for s in self.structs:
            fn = self.functions.get(s + "_init")
            if fn and len(fn[1]) == 1 and fn[1][0].base == s and fn[1][0].nptr == 1:
                out[s] = s + "_init"
        return out
