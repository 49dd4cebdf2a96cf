"""Check documented functions and procedures: which overloads a signature picks,
arguments (mode, name, type, default), return type, attributes and settings.

Why a module of its own: overloads make functions the one kind matched by signature, not
name; :func:`signature_matches` and :func:`function_label` are reused by drift reporting
and the contract generator.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from ..signatures import parse_argument, parse_returns, parse_signature
from ..model import Options
from ..types import matches, short_type
from ._shared import _bool, _expr, _list, _same, _setting_value, _short_name


def _identity_args(fn: Any) -> list[Any]:
    return [a for a in fn.args if a.mode in ("in", "inout", "variadic")]


def signature_matches(fn: Any, arg_types: Sequence[str], options: Options, catalog: Any = None) -> bool:
    """Do the identity arguments of ``fn`` match the documented types, in order?"""
    args = _identity_args(fn)
    return len(args) == len(arg_types) and all(
        matches(t, a.type, options, catalog, ignore_modifiers=True) for t, a in zip(arg_types, args)
    )


def function_label(fn: Any, options: Options) -> str:
    """``verify_audit_chain(uuid)``: short name and identity argument types."""
    types = ", ".join(short_type(a.type, options.default_schema) for a in _identity_args(fn))
    return f"{_short_name(fn.qualified, options)}({types})"


def _check_function_entry(key: str, spec: dict, catalog: Any, options: Options) -> list[str]:
    qn, arg_types = parse_signature(key, options.default_schema)
    overloads = [f for f in catalog.functions if f.qualified == qn]
    chosen = overloads if arg_types is None else [
        f for f in overloads if signature_matches(f, arg_types, options, catalog)
    ]
    if not chosen:
        hint = ""
        if overloads:
            hint = " (found: " + ", ".join(function_label(f, options) for f in overloads) + ")"
        return [f"function {key}: missing from the database{hint}"]
    out: list[str] = []
    for fn in chosen:
        out.extend(_check_function(fn, spec, options, catalog))
    return out


def _arg_text(mode: str | None, name: str | None, typ: str, default: Any, options: Options) -> str:
    parts = []
    if mode and mode != "in":
        parts.append(mode.upper())
    if name:
        parts.append(name)
    parts.append(typ)
    text = " ".join(parts)
    if default is not None:
        text += f" DEFAULT {_expr(default, options)}"
    return text


def _documented_arg(arg: Any) -> dict:
    if isinstance(arg, str):
        parsed = parse_argument(arg)
        parsed["text"] = " ".join(arg.split())
        parsed["check_default"] = True
        return parsed
    out = {"mode": arg.get("mode"), "name": arg.get("name"), "type": arg.get("type"), "default": arg.get("default")}
    out["check_default"] = "default" in arg
    out["text"] = _arg_text(out["mode"], out["name"], out["type"] or "any", out["default"], Options())
    return out


def _arg_matches(doc: dict, arg: Any, options: Options, catalog: Any) -> bool:
    if (doc["mode"] or "in") != arg.mode:
        return False
    if doc["name"] is not None and doc["name"] != arg.name:
        return False
    if doc["type"] is not None and not matches(doc["type"], arg.type, options, catalog, ignore_modifiers=True):
        return False
    return not doc["check_default"] or _same(doc["default"], arg.default, options)


def _returns_match(text: str, fn: Any, options: Options, catalog: Any) -> bool:
    kind, value = parse_returns(text)
    if fn.result is None:  # procedure
        return kind == "type" and value.lower() in ("void", "none")
    table_cols = [a for a in fn.args if a.mode == "table"]
    if kind == "table":
        return len(table_cols) == len(value) and all(
            n == a.name and matches(t, a.type, options, catalog, ignore_modifiers=True)
            for (n, t), a in zip(value, table_cols)
        )
    if table_cols:
        return False
    if kind == "setof":
        return fn.returns_set and matches(value, fn.return_type, options, catalog, ignore_modifiers=True)
    return not fn.returns_set and matches(value, fn.return_type or "", options, catalog, ignore_modifiers=True)


def _norm_setting(value: Any) -> str:
    text = _setting_value(value).strip()
    if text in ('""', "''"):
        return ""
    return re.sub(r"\s*,\s*", ",", text).lower()


def _check_function(fn: Any, spec: dict, options: Options, catalog: Any) -> list[str]:
    label = f"function {function_label(fn, options)}"
    out: list[str] = []
    ds = options.default_schema
    if "arguments" in spec:
        documented = [_documented_arg(a) for a in spec["arguments"] or ()]
        found = [a for a in fn.args if a.mode != "table"]
        got = [_arg_text(a.mode, a.name, short_type(a.type, ds), a.default, options) for a in found]
        if len(documented) != len(found):
            out.append(f"{label}: arguments {_list(d['text'] for d in documented)} expected, found {_list(got)}")
        else:
            for i, (doc, arg) in enumerate(zip(documented, found)):
                if not _arg_matches(doc, arg, options, catalog):
                    out.append(f"{label}: argument {i + 1} {doc['text']} expected, found {got[i]}")
    if "returns" in spec and not _returns_match(spec["returns"], fn, options, catalog):
        got = short_type(fn.result, ds) if fn.result else "(nothing: a procedure)"
        out.append(f"{label}: returns {spec['returns']} expected, found {got}")
    for key in ("language", "volatility", "parallel", "kind"):
        if key in spec and str(spec[key]).lower() != str(getattr(fn, key)).lower():
            out.append(f"{label}: {key} {spec[key]} expected, found {getattr(fn, key)}")
    for key in ("strict", "security_definer", "leakproof"):
        if key in spec and bool(spec[key]) != bool(getattr(fn, key)):
            out.append(f"{label}: {key} {_bool(spec[key])} expected, found {_bool(getattr(fn, key))}")
    config = dict(fn.config)
    for name, want in (spec.get("settings") or {}).items():
        got = config.get(name)
        if isinstance(want, str) and want.strip().lower() == "any":
            if got is None:
                out.append(f"{label}: setting {name} expected (set), found (unset)")
            continue
        if got is None or _norm_setting(want) != _norm_setting(got):
            shown = "(unset)" if got is None else f"'{got}'"
            out.append(f"{label}: setting {name} expected '{_setting_value(want)}', found {shown}")
    return out
