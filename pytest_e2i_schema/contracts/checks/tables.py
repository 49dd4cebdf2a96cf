"""Check a documented table: columns, primary key, unique sets, foreign keys and checks,
then hand its indexes, triggers, RLS, policies and partitions to their own modules.

Why here: a table entry is the largest contract kind; this module is what a table *is*
(its columns and constraints), the objects hanging off it live next door.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..signatures import parse_reference
from ..model import Options
from ..types import describe, matches, parse_type, short_type
from ._shared import _bool, _expr, _list, _missing_relation, _same, _short_name
from .indexes import _check_indexes
from .table_parts import _check_partitions, _check_policies, _check_rls, _check_triggers


def _check_table(key: str, spec: dict, catalog: Any, options: Options) -> list[str]:
    table = catalog.get("table", key)
    if table is None:
        return [_missing_relation("table", key, catalog)]
    out: list[str] = []
    if "columns" in spec:
        exact = spec.get("exact_columns", options.exact_columns)
        _check_columns(spec["columns"] or {}, table.columns, exact, options, catalog, out)
    if "primary_key" in spec:
        _check_primary_key(spec["primary_key"], table, out)
    for item in spec.get("unique") or ():
        _check_unique(item, table, out)
    for fk in spec.get("foreign_keys") or ():
        _check_foreign_key(fk, table, options, out)
    for chk in spec.get("checks") or ():
        _check_check(chk, table, options, out)
    if "indexes" in spec:
        _check_indexes(spec["indexes"] or {}, table.indexes, options, out)
    if "triggers" in spec:
        _check_triggers(spec["triggers"] or {}, table.triggers, spec.get("exact_triggers", False), options, out)
    if "rls" in spec:
        _check_rls(spec["rls"], table, out)
    if "policies" in spec:
        _check_policies(spec["policies"] or {}, table.policies, spec.get("exact_policies", True), options, out)
    if "partitions" in spec:
        _check_partitions(spec["partitions"] or {}, table, catalog, options, out)
    return out


def _column_spec(spec: Any) -> dict:
    if spec is None:
        return {}
    if isinstance(spec, str):
        return {"type": spec}
    return dict(spec)


def _check_columns(
    documented: dict, found_columns: Sequence[Any], exact: bool, options: Options, catalog: Any, out: list[str]
) -> None:
    found = {c.name: c for c in found_columns}
    for name, raw in documented.items():
        col = found.get(name)
        if col is None:
            out.append(f"column {name}: missing (no migration creates it)")
            continue
        cspec = _column_spec(raw)
        if cspec.get("type") is not None and not matches(cspec["type"], col, options, catalog):
            out.append(
                f"column {name}: type {describe(parse_type(cspec['type']))} expected, "
                f"found {short_type(col.type, options.default_schema)}"
            )
        if "nullable" in cspec and cspec["nullable"] == bool(getattr(col, "not_null", False)):
            want = "nullable" if cspec["nullable"] else "NOT NULL"
            got = "NOT NULL" if col.not_null else "nullable"
            out.append(f"column {name}: {want} expected, found {got}")
        if "default" in cspec and not _same(cspec["default"], getattr(col, "default", None), options):
            out.append(
                f"column {name}: default {_expr(cspec['default'], options)} expected, "
                f"found {_expr(col.default, options)}"
            )
        if "identity" in cspec and cspec["identity"] != getattr(col, "identity", None):
            out.append(
                f"column {name}: identity {cspec['identity'] or '(none)'} expected, found {col.identity or '(none)'}"
            )
        if "generated" in cspec and not _same(cspec["generated"], getattr(col, "generated", None), options):
            out.append(
                f"column {name}: generated {_expr(cspec['generated'], options)} expected, "
                f"found {_expr(col.generated, options)}"
            )
    if exact:
        for col in found_columns:
            if col.name not in documented:
                out.append(f"column {col.name}: not documented (exact_columns)")


def _check_primary_key(spec: Any, table: Any, out: list[str]) -> None:
    want = [spec] if isinstance(spec, str) else list(spec or ())
    pk = table.primary_key
    if pk is None:
        out.append(f"primary key {_list(want)} expected, found (none)")
    elif list(pk.columns) != want:
        out.append(f"primary key {_list(want)} expected, found {_list(pk.columns)}")


def _unique_sets(table: Any) -> list[tuple[str, tuple[str, ...]]]:
    out = [(c.name, tuple(c.columns)) for c in table.constraints if c.kind == "unique"]
    names = {n for n, _ in out}
    columns = set(table.column_names)
    for idx in table.indexes:
        if idx.unique and not idx.primary and idx.name not in names and idx.predicate is None:
            if all(e in columns for e in idx.columns):
                out.append((idx.name, tuple(idx.columns)))
    return out


def _check_unique(spec: Any, table: Any, out: list[str]) -> None:
    name = spec.get("name") if isinstance(spec, dict) else None
    cols = list(spec.get("columns") or ()) if isinstance(spec, dict) else list(spec)
    found = _unique_sets(table)
    if name:
        hit = next((c for n, c in found if n == name), None)
        if hit is None:
            out.append(f"unique {name}: missing")
        elif sorted(hit) != sorted(cols):
            out.append(f"unique {name}: columns {_list(cols)} expected, found {_list(hit)}")
        return
    if not any(sorted(c) == sorted(cols) for _, c in found):
        out.append(f"unique {_list(cols)}: missing")


def _check_foreign_key(spec: dict, table: Any, options: Options, out: list[str]) -> None:
    cols = list(spec.get("columns") or ())
    name = spec.get("name")
    label = f"foreign key {name}" if name else f"foreign key {_list(cols)}"
    fks = [c for c in table.constraints if c.kind == "foreign_key"]
    if name:
        fk = next((c for c in fks if c.name == name), None)
    else:
        fk = next((c for c in fks if list(c.columns) == cols), None) or next(
            (c for c in fks if sorted(c.columns) == sorted(cols)), None
        )
    if fk is None:
        out.append(f"{label}: missing")
        return
    if name and list(fk.columns) != cols:
        out.append(f"{label}: columns {_list(cols)} expected, found {_list(fk.columns)}")
    ref_table, ref_cols = parse_reference(spec["references"], options.default_schema)
    if ref_table != fk.references or (ref_cols and list(ref_cols) != list(fk.referenced_columns)):
        want = f"{_short_name(ref_table, options)}({', '.join(ref_cols)})" if ref_cols else _short_name(ref_table, options)
        got = f"{_short_name(fk.references or '', options)}({', '.join(fk.referenced_columns)})"
        out.append(f"{label}: references {want} expected, found {got}")
    for key in ("on_delete", "on_update"):
        if key in spec and spec[key] != getattr(fk, key):
            out.append(f"{label}: {key} {spec[key]} expected, found {getattr(fk, key)}")
    for key in ("deferrable", "initially_deferred"):
        if key in spec and bool(spec[key]) != bool(getattr(fk, key)):
            out.append(f"{label}: {key} {_bool(spec[key])} expected, found {_bool(getattr(fk, key))}")


def _check_check(spec: Any, table: Any, options: Options, out: list[str]) -> None:
    name = spec if isinstance(spec, str) else spec.get("name")
    expression = None if isinstance(spec, str) else spec.get("expression")
    checks = [c for c in table.constraints if c.kind == "check"]
    if name:
        chk = next((c for c in checks if c.name == name), None)
        if chk is None:
            out.append(f"check {name}: missing")
        elif expression is not None and not _same(expression, chk.expression, options):
            out.append(
                f"check {name}: expression {_expr(expression, options)} expected, found {_expr(chk.expression, options)}"
            )
        return
    if not any(_same(expression, c.expression, options) for c in checks):
        out.append(f"check {_expr(expression, options)}: missing")
