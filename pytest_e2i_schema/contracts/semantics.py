"""Pass 3 of loading: what the JSON Schema cannot say about a contract.

Why a module of its own: a schema checks shapes, not meaning -- whether a type spelling
parses, a reference or signature is well formed, an object is documented twice under
two spellings, a minimum exceeds its maximum.  These checks report every problem as
``(line, path, message)`` like the schema pass, so the loader lists both together.
"""

from __future__ import annotations

from typing import Any, Iterable

from .model import Options, qualify
from .signatures import (
    _TRIGGER_FUNCTION,
    _WHOLE_IDENT,
    _WHOLE_QNAME,
    _qualified,
    parse_argument,
    parse_reference,
    parse_returns,
    parse_signature,
)
from .types import TypeSpellingError, parse_type
from .validation import Problem


def _items(data: Any, key: str) -> Iterable[tuple[str, Any]]:
    section = data.get(key) if isinstance(data, dict) else None
    return section.items() if isinstance(section, dict) else ()


def _check_type(text: Any, path: tuple, out: list[Problem]) -> None:
    if not isinstance(text, str) or text == "":  # the schema already says "must not be empty"
        return
    try:
        parse_type(text)
    except TypeSpellingError as exc:
        out.append((0, path, str(exc)))


def _check_columns(columns: Any, path: tuple, out: list[Problem]) -> None:
    if not isinstance(columns, dict):
        return
    for col, spec in columns.items():
        if isinstance(spec, str):
            _check_type(spec, path + (col,), out)
        elif isinstance(spec, dict):
            _check_type(spec.get("type"), path + (col, "type"), out)


def _canonical_type(text: str) -> str:
    """One spelling per type (``int`` and ``integer`` give the same), for duplicate detection."""
    spec = parse_type(text)
    parts = [spec.kind, spec.name, spec.schema or "", ",".join(spec.mods or ()), ",".join(spec.labels or ())]
    if spec.element is not None:
        parts.append(_canonical_type(spec.element.text))
    return "/".join(parts)


def _semantic_problems(data: Any, options: Options) -> list[Problem]:
    out: list[Problem] = []
    if not isinstance(data, dict):
        return out
    ds = options.default_schema
    if not _WHOLE_IDENT.match(ds):
        out.append((0, ("options", "default_schema"), f"{ds!r} is not a schema name"))
    for section in ("enums", "tables", "views", "materialized_views"):
        seen: dict[str, str] = {}
        for name, spec in _items(data, section):
            if not _WHOLE_QNAME.match(name):
                out.append((0, (section, name), f"{name!r} is not a name (expected name or schema.name)"))
                continue
            qn = qualify(_qualified(name), ds)
            if qn in seen:
                out.append((0, (section, name), f"{qn} is documented twice (also as {seen[qn]!r})"))
            seen[qn] = name
            if section == "enums":
                labels = spec if isinstance(spec, list) else spec.get("labels") if isinstance(spec, dict) else None
                if isinstance(labels, list):
                    dupes = sorted({str(x) for x in labels if labels.count(x) > 1})
                    if dupes:
                        out.append((0, (section, name), f"label(s) {', '.join(dupes)} listed twice"))
                continue
            if not isinstance(spec, dict):
                continue
            _check_columns(spec.get("columns"), (section, name, "columns"), out)
            if section == "tables":
                _semantic_table(spec, (section, name), ds, out)
            _semantic_indexes(spec.get("indexes"), (section, name, "indexes"), out)
    seen_fn: dict[str, str] = {}
    for name, spec in _items(data, "functions"):
        try:
            qn, args = parse_signature(name, ds)
        except (ValueError, TypeSpellingError) as exc:
            out.append((0, ("functions", name), str(exc)))
            continue
        key = qn if args is None else f"{qn}({', '.join(_canonical_type(a) for a in args)})"
        if key in seen_fn:
            shown = qn if args is None else f"{qn}({', '.join(args)})"
            out.append((0, ("functions", name), f"{shown} is documented twice (also as {seen_fn[key]!r})"))
        seen_fn[key] = name
        if not isinstance(spec, dict):
            continue
        for i, arg in enumerate(spec.get("arguments") or ()):
            if isinstance(arg, str):
                try:
                    parse_argument(arg)
                except ValueError as exc:
                    out.append((0, ("functions", name, "arguments", i), str(exc)))
            elif isinstance(arg, dict):
                _check_type(arg.get("type"), ("functions", name, "arguments", i, "type"), out)
        if isinstance(spec.get("returns"), str):
            try:
                parse_returns(spec["returns"])
            except (ValueError, TypeSpellingError) as exc:
                out.append((0, ("functions", name, "returns"), str(exc)))
    totals = data.get("totals")
    if isinstance(totals, dict):
        for key, value in totals.items():
            if isinstance(value, dict) and isinstance(value.get("min"), int) and isinstance(value.get("max"), int):
                if value["min"] > value["max"]:
                    out.append((0, ("totals", key), f"min {value['min']} is larger than max {value['max']}"))
    return out


def _semantic_table(spec: dict, path: tuple, ds: str, out: list[Problem]) -> None:
    for i, fk in enumerate(spec.get("foreign_keys") or ()):
        if not isinstance(fk, dict) or not isinstance(fk.get("references"), str):
            continue
        try:
            _, cols = parse_reference(fk["references"], ds)
        except ValueError as exc:
            out.append((0, path + ("foreign_keys", i, "references"), str(exc)))
            continue
        if cols and isinstance(fk.get("columns"), list) and len(cols) != len(fk["columns"]):
            out.append(
                (0, path + ("foreign_keys", i), f"{len(fk['columns'])} column(s) reference {len(cols)} column(s)")
            )
    for name, trg in (spec.get("triggers") or {}).items() if isinstance(spec.get("triggers"), dict) else ():
        if isinstance(trg, dict) and isinstance(trg.get("function"), str):
            if not _TRIGGER_FUNCTION.match(trg["function"].strip()):
                out.append((0, path + ("triggers", name, "function"), f"{trg['function']!r} is not a function name"))
    parts = spec.get("partitions")
    if isinstance(parts, dict) and isinstance(parts.get("key"), str) and not parts["key"].strip():
        out.append((0, path + ("partitions", "key"), "must not be empty"))


def _semantic_indexes(spec: Any, path: tuple, out: list[Problem]) -> None:
    if not isinstance(spec, dict):
        return
    lo, hi = spec.get("min_count"), spec.get("max_count")
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        out.append((0, path, f"min_count {lo} is larger than max_count {hi}"))
    for name, idx in (spec.get("named") or {}).items() if isinstance(spec.get("named"), dict) else ():
        if not isinstance(idx, dict):
            continue
        cols, ops = idx.get("columns"), idx.get("opclass")
        if isinstance(cols, list) and isinstance(ops, list) and len(ops) > len(cols):
            out.append((0, path + ("named", name, "opclass"), f"{len(ops)} operator classes for {len(cols)} column(s)"))
