"""The function / procedure recogniser: parameters, return type and attributes.

Parameters come as SQL argument strings, one comma-separated string, a mapping name ->
type, or ``{name, type, mode, default}`` objects; documents also list parameters by name
alone, so a lone word is told apart from a type (:func:`_is_type_word`).  Arguments,
signatures and return types are cross-checked with the loader's own parsers, so an
imported function always loads.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .context import _FIELD_INFO_KEYS, _INFO_KEYS, _Ctx, _kind_of, _order, _p, _short
from .groups import _walk_group
from .sqltext import _IDENT_RE, _qualify, _split_top, _tokens, _unparen
from .type_spelling import (
    _KNOWN_TYPES,
    _SERIALS,
    TypeSpellingError,
    _loader_accepts,
    _type_or_problem,
    normalize_type,
)


_MODES = ("IN", "OUT", "INOUT", "VARIADIC")


_ARG_KEYS = frozenset({"name", "type", "data_type", "mode", "default"})


def _arg_string(mode: str | None, name: str | None, typ: str, default: Any, has_default: bool) -> str:
    parts = [p for p in ((mode or "").upper(), name, typ) if p]
    if has_default:
        parts.append("DEFAULT " + (default if isinstance(default, str) else "NULL" if default is None
                                   else json.dumps(default)))
    return " ".join(parts)


def _loader_reads_argument(ctx: _Ctx, path: str, text: str) -> bool:
    try:
        from pytest_e2i_schema.contracts.signatures import parse_argument
    except ImportError:  # pragma: no cover
        return True
    try:
        parse_argument(text)
    except (ValueError, TypeError) as exc:
        ctx.problem(path, f"cannot read argument {text!r}: {exc}")
        return False
    return True


def _is_type_word(ctx: _Ctx, word: str) -> bool:
    """Is a lone word in an argument list a type (rather than a parameter name)?  Built-in
    and shorthand types, spellings with modifiers/brackets, and the enums the document
    itself defines are types; any other bare identifier is taken as a parameter name
    (documents often list parameters by name only: ``agent, session, limit``)."""
    low = word.lower()
    if re.search(r"[(\[<]", low) or low.startswith(("enum[", "array<")):
        return True
    base = low.split(".")[-1]
    return base in _KNOWN_TYPES or base in _SERIALS or base in ctx.known_types or low in ctx.known_types


def _argument(ctx: _Ctx, raw: Any, path: str) -> str | dict[str, Any] | None:
    """One function argument: ``"[mode] [name] type [DEFAULT expr | = expr]"`` (normalised
    SQL string), ``{name, type, mode, default}``, or a bare parameter name (kept as
    ``{name: x}``: the name and the position are checked, not the type)."""
    if isinstance(raw, dict):
        mode, name, typ = raw.get("mode"), raw.get("name"), raw.get("type", raw.get("data_type"))
        for k in raw:
            if k not in _ARG_KEYS and not str(k).startswith("_") and k not in _FIELD_INFO_KEYS:
                ctx.problem(_p(path, k), f"unrecognised argument property {k!r} ignored")
        if mode is not None and not (isinstance(mode, str) and mode.strip().lower() in ("in", "out", "inout", "variadic")):
            ctx.problem(_p(path, "mode"), f"in, out, inout or variadic expected, found {_short(mode)}")
            return None
        if name is not None and not (isinstance(name, str) and re.fullmatch(_IDENT_RE, name.strip())):
            ctx.problem(_p(path, "name"), f"a parameter name expected, found {_short(name)}")
            return None
        default = raw.get("default")
        if "default" in raw and not isinstance(default, (str, int, float, bool, type(None))):
            ctx.problem(_p(path, "default"), f"a default expression expected, found {_short(default)}")
            return None
        if typ is None:
            if name is None:
                ctx.problem(path, "an argument needs a name or a type")
                return None
            out: dict[str, Any] = {"name": name.strip()}
            if mode is not None:
                out["mode"] = mode.strip().lower()
            if "default" in raw:
                out["default"] = default
            return out
        t = _type_or_problem(ctx, _p(path, "type"), typ)
        if t is None:
            return None
        text = _arg_string(mode.strip() if mode else None, name.strip() if name else None, t, default,
                           "default" in raw)
        return text if _loader_reads_argument(ctx, path, text) else None
    if not isinstance(raw, str) or not raw.strip():
        ctx.problem(path, f"an argument string expected, found {_short(raw)}")
        return None
    s = " ".join(raw.split())
    default = None
    m = re.match(r"^(.*?)\s+(?:DEFAULT\s+|=\s*)(.+)$", s, re.IGNORECASE)
    if m:
        s, default = m.group(1), m.group(2)
    toks = _tokens(s)
    mode = None
    if len(toks) > 1 and toks[0].upper() in _MODES:
        mode = toks.pop(0).upper()
    rest = " ".join(toks)
    if len(toks) == 1 or _is_multiword_type(rest):
        if not _is_type_word(ctx, rest) and re.fullmatch(_IDENT_RE, rest):
            out = {"name": rest}  # a parameter listed by name only
            if mode:
                out["mode"] = mode.lower()
            if default is not None:
                out["default"] = default
            return out
        name, type_text = None, rest
    else:
        name, type_text = toks[0], " ".join(toks[1:])
        if not re.fullmatch(_IDENT_RE, name):
            ctx.problem(path, f"cannot read argument {raw!r}: {name!r} is not a parameter name")
            return None
    try:
        typ = normalize_type(type_text)
        _loader_accepts(typ)
    except TypeSpellingError as exc:
        ctx.problem(path, f"unknown type '{type_text}' ({exc})")
        return None
    text = _arg_string(mode, name, typ, default, default is not None)
    return text if _loader_reads_argument(ctx, path, text) else None


def _is_multiword_type(text: str) -> bool:
    low = " ".join(text.lower().split())
    base = re.sub(r"\(.*?\)", "", low).strip()
    base = re.sub(r"\s+with(out)? time zone$", "", base)
    base = re.sub(r"(\[\])+$", "", base).strip()
    return " " in base and base in _KNOWN_TYPES or bool(re.fullmatch(r"(timestamp|time)\S* with(out)? time zone", low))


def _arguments(ctx: _Ctx, raw: Any, path: str) -> list[Any] | None:
    if raw is None or raw == "" or raw == [] or (isinstance(raw, str) and raw.strip().lower() in ("none", "()")):
        return []
    if isinstance(raw, str):
        raw_items = _split_top(_unparen(raw))
        items = [(it, path) for it in raw_items]
    elif isinstance(raw, list):
        items = [(it, _p(path, i)) for i, it in enumerate(raw)]
    elif isinstance(raw, dict):
        items = []
        for name, typ in raw.items():
            if isinstance(typ, dict):
                items.append(({"name": name, **typ}, _p(path, name)))
            else:
                items.append((f"{name} {typ}", _p(path, name)))
    else:
        ctx.problem(path, f"a list of arguments expected, found {_kind_of(raw)}")
        return None
    out = []
    ok = True
    for item, ip in items:
        a = _argument(ctx, item, ip)
        if a is None:
            ok = False
        else:
            out.append(a)
    return out if ok else None


def _returns(ctx: _Ctx, raw: Any, path: str) -> str | None:
    if isinstance(raw, dict):
        cols = raw.get("columns", raw.get("table"))
        if isinstance(cols, dict):
            parts = []
            for n, t in cols.items():
                tt = _type_or_problem(ctx, _p(_p(path, "columns"), n), t)
                if tt is None:
                    return None
                parts.append(f"{n} {tt}")
            ret = f"TABLE({', '.join(parts)})"
            return ("SETOF " + ret) if raw.get("setof") else ret
        if isinstance(raw.get("type"), str):
            t = _returns(ctx, raw["type"], _p(path, "type"))
            if t and raw.get("setof"):
                return "SETOF " + t
            return t
        ctx.problem(path, f"cannot read return type {_short(raw)}")
        return None
    if not isinstance(raw, str) or not raw.strip():
        ctx.problem(path, f"a return type expected, found {_short(raw)}")
        return None
    s = " ".join(raw.split())
    m = re.fullmatch(r"table\s*\((.*)\)", s, re.IGNORECASE)
    if m:
        parts = []
        for col in _split_top(m.group(1)):
            toks = col.split(None, 1)
            if len(toks) != 2:
                ctx.problem(path, f"cannot read TABLE column {col!r}")
                return None
            t = _type_or_problem(ctx, path, toks[1])
            if t is None:
                return None
            parts.append(f"{toks[0]} {t}")
        return f"TABLE({', '.join(parts)})"
    m = re.fullmatch(r"setof\s+(.+)", s, re.IGNORECASE)
    if m:
        t = _type_or_problem(ctx, path, m.group(1))
        return None if t is None else f"SETOF {t}"
    return _type_or_problem(ctx, path, s)


_VOLATILITY = {"immutable", "stable", "volatile"}


def _function(ctx: _Ctx, name: str, entry: Any, path: str) -> None:
    """One documented function into ``functions``, keyed by its (optional) signature."""
    spec: dict[str, Any] = {}
    if isinstance(entry, str):
        entry = {"description": entry}
    if not isinstance(entry, dict):
        ctx.problem(path, f"a function description (object) expected, found {_kind_of(entry)}")
        return
    for k, v in entry.items():
        kp = _p(path, k)
        if k.startswith("_"):
            continue
        lk = k.lower()
        if lk in ("parameters", "arguments", "args", "params", "inputs"):
            args = _arguments(ctx, v, kp)
            if args is not None:
                spec["arguments"] = args
        elif lk in ("returns", "return_type", "return", "returns_type"):
            r = _returns(ctx, v, kp)
            if r is not None:
                spec["returns"] = r
        elif lk == "language":
            if isinstance(v, str) and v.strip():
                spec["language"] = v.strip().lower()
            else:
                ctx.problem(kp, f"a language name expected, found {_short(v)}")
        elif lk in ("volatility", "stability"):
            if isinstance(v, str) and v.lower() in _VOLATILITY:
                spec["volatility"] = v.lower()
            else:
                ctx.problem(kp, f"immutable, stable or volatile expected, found {_short(v)}")
        elif lk in _VOLATILITY and v is True:
            spec["volatility"] = lk
        elif lk in ("strict", "leakproof") and isinstance(v, bool):
            spec[lk] = v
        elif lk == "parallel":
            if isinstance(v, str) and v.lower().removeprefix("parallel ") in ("safe", "restricted", "unsafe"):
                spec["parallel"] = v.lower().removeprefix("parallel ")
            else:
                ctx.problem(kp, f"safe, restricted or unsafe expected, found {_short(v)}")
        elif lk in ("security_definer", "definer") and isinstance(v, bool):
            spec["security_definer"] = v
        elif lk == "security":
            if isinstance(v, str) and v.strip().upper().removeprefix("SECURITY ") in ("DEFINER", "INVOKER"):
                spec["security_definer"] = v.strip().upper().endswith("DEFINER")
            else:
                ctx.problem(kp, f"DEFINER or INVOKER expected, found {_short(v)}")
        elif lk in ("settings", "config", "set"):
            if isinstance(v, dict):
                spec.setdefault("settings", {}).update(
                    {str(a): b if isinstance(b, (str, int, float, bool)) else json.dumps(b) for a, b in v.items()}
                )
            else:
                ctx.problem(kp, f"a mapping of settings expected, found {_kind_of(v)}")
        elif lk == "search_path":
            spec.setdefault("settings", {})["search_path"] = ", ".join(v) if isinstance(v, list) else str(v)
        elif lk in ("kind", "type", "function_type"):
            t = str(v).lower()
            if t in ("procedure", "aggregate", "window"):
                spec["kind"] = t
            elif t in ("function", "trigger", "trigger_function", "trigger function", "rpc",
                       "utility", "sql", "plpgsql", "aggregate_helper"):
                if t.startswith("trigger") and "returns" not in entry and "return_type" not in entry:
                    spec["returns"] = "trigger"
            else:
                ctx.problem(kp, f"unrecognised function kind {_short(v)} ignored")
        elif lk in ("description", "desc") and isinstance(v, str):
            spec["description"] = v
        elif lk in ("schema",):
            pass
        elif lk in _INFO_KEYS or lk in ("purpose", "summary", "called_by", "trigger_on", "used_by_triggers",
                                        "tables", "affects", "side_effects"):
            pass
        else:
            ctx.problem(kp, f"unrecognised function property {k!r} ignored")
    key = _qualify(name, entry, function=True)
    try:
        from pytest_e2i_schema.contracts.signatures import parse_signature
    except ImportError:  # pragma: no cover
        parse_signature = None
    if parse_signature is not None:
        try:
            parse_signature(key)
        except (ValueError, TypeError) as exc:
            ctx.problem(path, f"cannot read the function name or signature: {exc}")
            return
    section = ctx.section("functions")
    if key in section:
        ctx.problem(path, f"function {key} documented twice; ignored")
        return
    section[key] = _order(
        spec,
        ("description", "arguments", "returns", "language", "volatility", "strict",
         "security_definer", "leakproof", "parallel", "settings", "kind"),
    )
    ctx.object_paths[("functions", key)] = path


def _function_group(ctx: _Ctx, group: Any, path: str) -> None:
    if isinstance(group, list):  # [{name: ..., ...}]
        for i, item in enumerate(group):
            ip = _p(path, i)
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                _function(ctx, item["name"], {k: v for k, v in item.items() if k != "name"}, ip)
            else:
                ctx.problem(ip, f"a function object with a name expected, found {_short(item)}")
        return
    _walk_group(ctx, group, path, _function)
