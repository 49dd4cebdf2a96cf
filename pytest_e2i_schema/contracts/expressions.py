"""Compare SQL expressions the way a reader would: ``same_expression(documented, found)``.

Why: the catalog holds expressions as PostgreSQL deparses them under
``search_path = pg_catalog`` -- ``((confidence >= (0)::numeric) AND ...)``,
``'medium'::public.memory_importance``, ``(user_id = ( SELECT auth.uid() AS uid))`` --
while people document ``confidence >= 0 AND ...``, ``'medium'`` and
``user_id = (select auth.uid())``.  Comparing strings would flag every one of those.

How: both sides are parsed with PostgreSQL's own parser (pglast, already a dependency)
as ``SELECT <expr>``, the trees are normalised, and the normalised trees are printed back
with pglast's deparser; equal output means the same expression.  Parsing makes
parentheses, whitespace and keyword case irrelevant for free.  The normalisation then:

* drops casts of plain operands (literals, column references, ``ARRAY[...]``, NULL):
  ``'x'::text``, ``(0)::numeric``, ``(status)::text`` -- the deparser adds them, people
  do not write them; casts of calls or larger expressions stay (``now()::date``);
* treats numeric-looking string literals as numbers (``'-1'`` = ``-1``);
* drops the ``public``/default-schema, ``pg_catalog`` and ``extensions`` qualification
  of functions, types and tables (also inside ``'public.seq'::regclass``);
* rewrites ``x IN (a, b)`` as ``x = ANY (ARRAY[a, b])`` (``NOT IN`` as ``<> ALL``) and
  ``x BETWEEN a AND b`` as ``x >= a AND x <= b``, which is how the server stores them;
* flattens nested ``AND``/``OR`` and drops ``AS uid`` aliases the deparser adds to
  ``(SELECT auth.uid())``.

Text that does not parse is compared after a plain textual clean-up (case outside
quotes, whitespace, outer parentheses, the same qualifications).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from .types import unquoted

__all__ = ["normalize_expression", "same_expression", "short_sql", "strip_outer_parens"]

_DROP_KEYS = frozenset(
    {"location", "list_start", "list_end", "rexpr_list_start", "rexpr_list_end", "stmt_location", "stmt_len"}
)
_SIMPLE = frozenset({"A_Const", "ColumnRef", "A_ArrayExpr", "ParamRef"})
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def _drop_set(default_schema: str) -> frozenset[str]:
    return frozenset({default_schema, "public", "pg_catalog", "extensions"})


def _strip_qualifier(names: tuple, drop: frozenset[str]) -> tuple:
    if len(names) == 2 and isinstance(names[0], dict) and names[0].get("sval") in drop:
        return names[1:]
    return names


def _const(d: dict) -> dict:
    val = d.get("val")
    if isinstance(val, dict) and val.get("@") == "String" and _NUMBER.match(val.get("sval", "").strip()):
        text = val["sval"].strip()
        if re.match(r"^[+-]?\d+$", text):
            return {"@": "A_Const", "isnull": False, "val": {"@": "Integer", "ival": int(text)}}
        return {"@": "A_Const", "isnull": False, "val": {"@": "Float", "fval": text.lstrip("+")}}
    return d


_BETWEEN = {"AEXPR_BETWEEN": (">=", "<=", "AND_EXPR", 0), "AEXPR_NOT_BETWEEN": ("<", ">", "OR_EXPR", 1)}


def _between(d: dict) -> dict:
    """``x BETWEEN a AND b`` -> ``x >= a AND x <= b``, as the server stores it."""
    low_op, high_op, boolop, value = _BETWEEN[d["kind"]["name"]]
    kind = {"#": "A_Expr_Kind", "name": "AEXPR_OP", "value": 0}

    def cmp(op: str, right: Any) -> dict:
        return {"@": "A_Expr", "kind": kind, "name": ({"@": "String", "sval": op},), "lexpr": d["lexpr"], "rexpr": right}

    low, high = d["rexpr"]
    return {
        "@": "BoolExpr",
        "boolop": {"#": "BoolExprType", "name": boolop, "value": value},
        "args": (cmp(low_op, low), cmp(high_op, high)),
    }


def _norm(node: Any, drop: frozenset[str]) -> Any:
    if isinstance(node, (list, tuple)):
        return tuple(_norm(x, drop) for x in node)
    if not isinstance(node, dict):
        return node
    d = {k: _norm(v, drop) for k, v in node.items() if k not in _DROP_KEYS}
    kind = d.get("@")
    if kind == "TypeCast":
        arg = d.get("arg")
        if isinstance(arg, dict) and arg.get("@") in _SIMPLE:
            names = [n.get("sval") for n in (d.get("typeName") or {}).get("names", ())]
            val = arg.get("val") if arg.get("@") == "A_Const" else None
            if names and names[-1] == "regclass" and isinstance(val, dict) and val.get("@") == "String":
                schema, _, rest = val["sval"].partition(".")
                if rest and schema in drop:
                    arg = {**arg, "val": {"@": "String", "sval": rest}}
            return arg
        return d
    if kind == "A_Const":
        return _const(d)
    if kind == "FuncCall" and "funcname" in d:
        d["funcname"] = _strip_qualifier(d["funcname"], drop)
    elif kind == "TypeName" and "names" in d:
        d["names"] = _strip_qualifier(d["names"], drop)
    elif kind == "RangeVar" and d.get("schemaname") in drop:
        d.pop("schemaname")
    elif kind == "A_Expr" and (d.get("kind") or {}).get("name") == "AEXPR_IN" and isinstance(d.get("rexpr"), tuple):
        op = (d.get("name") or ({},))[0].get("sval")
        any_all = ("AEXPR_OP_ANY", 1) if op == "=" else ("AEXPR_OP_ALL", 2)
        d["kind"] = {"#": "A_Expr_Kind", "name": any_all[0], "value": any_all[1]}
        d["rexpr"] = {"@": "A_ArrayExpr", "elements": d["rexpr"]}
    elif kind == "A_Expr" and (d.get("kind") or {}).get("name") in _BETWEEN and len(d.get("rexpr") or ()) == 2:
        return _norm(_between(d), drop)
    elif kind == "BoolExpr":
        op, flat = d.get("boolop"), []
        for arg in d.get("args") or ():
            if isinstance(arg, dict) and arg.get("@") == "BoolExpr" and arg.get("boolop") == op and op is not None:
                if (op or {}).get("name") != "NOT_EXPR":
                    flat.extend(arg.get("args") or ())
                    continue
            flat.append(arg)
        d["args"] = tuple(flat)
    elif kind == "ResTarget" and "name" in d:
        val = d.get("val") or {}
        last = None
        if val.get("@") == "FuncCall":
            last = (val.get("funcname") or ({},))[-1].get("sval")
        elif val.get("@") == "ColumnRef":
            last = (val.get("fields") or ({},))[-1].get("sval")
        if last == d["name"]:
            d.pop("name")
    return d


def warm_up() -> None:
    """Import the parser and deparser these comparisons use (see items._warm_end_of_run)."""
    try:
        from pglast import ast, parse_sql  # noqa: F401
        from pglast.stream import RawStream  # noqa: F401
    except ImportError:  # pragma: no cover - pglast is a dependency
        pass


def _parse(text: str) -> Any | None:
    try:
        from pglast import parse_sql
        from pglast.parser import ParseError
    except ImportError:  # pragma: no cover - pglast is a dependency
        return None
    try:
        stmts = parse_sql(f"SELECT {text}")
    except (ParseError, Exception):
        return None
    if len(stmts) != 1:
        return None
    stmt = stmts[0].stmt
    targets = getattr(stmt, "targetList", None) or ()
    if type(stmt).__name__ != "SelectStmt" or len(targets) != 1 or getattr(stmt, "fromClause", None):
        return None
    target = targets[0]
    if getattr(target, "name", None):
        return None
    return target.val


def _deparse(tree: dict) -> str:
    try:
        from pglast import ast
        from pglast.stream import RawStream

        node = getattr(ast, tree["@"])(tree)
        return RawStream()(node)
    except Exception:  # pragma: no cover - only for trees pglast cannot print
        return json.dumps(tree, sort_keys=True, default=str)


def strip_outer_parens(text: str) -> str:
    """``((a = b))`` -> ``a = b``; ``(a) OR (b)`` is left alone."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        last = len(text) - 1
        if any(ch == ")" and depth == 0 and i != last for i, ch, depth in unquoted(text)):
            return text
        text = text[1:-1].strip()
    return text


_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[^'\"]+")


def short_sql(text: str, default_schema: str = "public") -> str:
    """Drop ``public.``/default-schema, ``pg_catalog.`` and ``extensions.`` qualifications
    outside quotes: ``'x'::public.t`` -> ``'x'::t``.  Meant for display and for writing
    generated contracts; it never changes what :func:`same_expression` decides."""
    drop = "|".join(re.escape(s) for s in sorted(_drop_set(default_schema)))
    rx = re.compile(rf"(?<![\w$.\"])(?:{drop})\.(?=[A-Za-z_\"])")
    out = []
    for token in _TOKENS.findall(text):
        out.append(token if token[0] in "'\"" else rx.sub("", token))
    return "".join(out)


def _textual(text: str, default_schema: str) -> str:
    text = short_sql(text, default_schema)
    out = []
    for token in _TOKENS.findall(text):
        if token[0] in "'\"":
            out.append(token)
        else:
            token = re.sub(r"\s+", " ", token.lower())
            token = re.sub(r"\s*([(),=<>+*/-])\s*", r"\1", token)
            out.append(token)
    result = "".join(out).strip()
    result = re.sub(r"('(?:[^']|'')*')::[a-z_][\w\s]*(?:\[\])?", r"\1", result)
    return strip_outer_parens(result)


@lru_cache(maxsize=8192)
def _normal_tree(text: str, default_schema: str) -> tuple[str, dict | None]:
    """``(key, tree)``: the normalised parse tree of stripped ``text`` and its ``repr``, or
    ``("~" + textual clean-up, None)`` when it does not parse.  Equal keys mean equal
    normal forms, so :func:`same_expression` skips the deparser (half the cost) for them."""
    tree = _parse(text)
    if tree is None:
        return "~" + _textual(text, default_schema), None
    normal = _norm(tree(depth=None, skip_none=True), _drop_set(default_schema))
    return repr(normal), normal


@lru_cache(maxsize=8192)
def normalize_expression(text: str, default_schema: str = "public") -> str:
    """The canonical form two spellings of one expression share (see module docs)."""
    key, tree = _normal_tree(str(text).strip(), default_schema)
    return key if tree is None else _deparse(tree)


def same_expression(documented: Any, found: str | None, default_schema: str = "public") -> bool:
    """True when the documented expression and the catalog's mean the same (see module docs).

    ``documented`` may be a number or boolean (``default: 0``); ``None`` only equals ``None``.
    """
    if documented is None or found is None:
        return documented is None and found is None
    if isinstance(documented, bool):
        documented = "true" if documented else "false"
    documented, found = str(documented).strip(), str(found).strip()
    if documented == found:  # one text, one normal form: no parsing needed
        return True
    if _normal_tree(documented, default_schema)[0] == _normal_tree(found, default_schema)[0]:
        return True  # equal normalised trees print alike
    return normalize_expression(documented, default_schema) == normalize_expression(found, default_schema)
