"""Check documented indexes -- keys with direction and NULLS order, method, operator
classes, INCLUDE, WITH, WHERE, uniqueness -- of a table or materialized view.

Why a module of its own: index keys have their own small grammar (``created_at DESC``,
``x NULLS FIRST``) that the contract generator reuses through :func:`key_text`.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from ..model import Options
from ._shared import _expr, _list, _same, _setting_value


_KEY = re.compile(r"^(?P<expr>.*?)(?:\s+(?P<dir>asc|desc))?(?:\s+nulls\s+(?P<nulls>first|last))?\s*$", re.I | re.S)


def _parse_key(text: str) -> tuple[str, bool, bool]:
    m = _KEY.match(str(text).strip())
    assert m is not None
    desc = (m["dir"] or "").lower() == "desc"
    nulls_first = (m["nulls"] or ("first" if desc else "last")).lower() == "first"
    return m["expr"], desc, nulls_first


def key_text(key: Any) -> str:
    """An index key as a contract spells it: ``created_at DESC``, ``x NULLS FIRST``."""
    text = key.expression
    if key.descending:
        text += " DESC"
        if not key.nulls_first:
            text += " NULLS LAST"
    elif key.nulls_first:
        text += " NULLS FIRST"
    return text



def _keys_match(documented: Sequence[str], keys: Sequence[Any], options: Options) -> bool:
    if len(documented) != len(keys):
        return False
    for text, key in zip(documented, keys):
        expr, desc, nulls_first = _parse_key(text)
        if desc != key.descending or nulls_first != key.nulls_first:
            return False
        if expr.strip().strip('"') != key.expression.strip('"') and not _same(expr, key.expression, options):
            return False
    return True


def _fmt_with(pairs: Iterable[tuple[str, Any]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


def _opclass_ok(documented: Any, key: Any) -> bool:
    """``None``/``"default"`` = the type's default operator class; else the name, any case."""
    if documented is None or str(documented).lower() == "default":
        return bool(key.opclass_default)
    return str(documented).lower() == (key.opclass or "").lower()


def _check_index(name: str, spec: dict, idx: Any, options: Options, out: list[str]) -> None:
    label = f"index {name}"
    if "method" in spec and str(spec["method"]).lower() != idx.method:
        out.append(f"{label}: method {spec['method']} expected, found {idx.method}")
    if "columns" in spec and not _keys_match(spec["columns"], idx.keys, options):
        out.append(f"{label}: columns {_list(spec['columns'])} expected, found {_list(key_text(k) for k in idx.keys)}")
    if "opclass" in spec:
        want = list(spec["opclass"] or ())
        if len(want) > len(idx.keys) or not all(_opclass_ok(w, k) for w, k in zip(want, idx.keys)):
            shown = _list("default" if w is None else w for w in want)
            out.append(f"{label}: opclass {shown} expected, found {_list(k.opclass for k in idx.keys)}")
    if "include" in spec and list(spec["include"] or ()) != list(idx.include):
        out.append(f"{label}: include {_list(spec['include'] or ())} expected, found {_list(idx.include)}")
    if "with" in spec:
        want_with = {str(k).lower(): _setting_value(v).lower() for k, v in (spec["with"] or {}).items()}
        found_with = {k.lower(): v.lower() for k, v in idx.options}
        if any(found_with.get(k) != v for k, v in want_with.items()):
            out.append(
                f"{label}: with {_fmt_with((k, _setting_value(v)) for k, v in (spec['with'] or {}).items())} expected, "
                f"found {_fmt_with(idx.options) if idx.options else '(none)'}"
            )
    if "where" in spec and not _same(spec["where"], idx.predicate, options):
        out.append(f"{label}: where {_expr(spec['where'], options)} expected, found {_expr(idx.predicate, options)}")
    for flag in ("unique", "primary"):
        if flag in spec and bool(spec[flag]) != bool(getattr(idx, flag)):
            want = flag if spec[flag] else f"not {flag}"
            got = flag if getattr(idx, flag) else f"not {flag}"
            out.append(f"{label}: {want} expected, found {got}")


def _check_indexes(spec: dict, indexes: Sequence[Any], options: Options, out: list[str]) -> None:
    n = len(indexes)
    if "count" in spec and spec["count"] != n:
        out.append(f"indexes: count {spec['count']} expected, found {n}")
    if "min_count" in spec and n < spec["min_count"]:
        out.append(f"indexes: at least {spec['min_count']} expected, found {n}")
    if "max_count" in spec and n > spec["max_count"]:
        out.append(f"indexes: at most {spec['max_count']} expected, found {n}")
    found = {i.name: i for i in indexes}
    named = spec.get("named") or {}
    for name, ispec in named.items():
        idx = found.get(name)
        if idx is None:
            out.append(f"index {name}: missing")
            continue
        _check_index(name, ispec or {}, idx, options, out)
    if spec.get("exact"):
        for idx in indexes:
            if idx.name not in named:
                out.append(f"index {idx.name}: not documented (indexes.exact)")
