"""Compare one documented item with the catalog: :func:`check_entry` -> mismatch lines.

Why pure functions over the immutable catalog: every contract entry becomes its own
pytest item, checked against a catalog read once; no database access here keeps the
checks fast, deterministic and unit-testable with hand-built catalogs.

The rule is "every documented property is checked, nothing undocumented is" -- except
where the contract asks for exactness (``exact_columns``, ``indexes.exact``,
``exact_policies``, ``exact_triggers``, view column order, enum labels).  Each mismatch
is one line saying what was expected and what was found, with types and expressions
printed the short way (``vector(1536)``, ``memory_type``) so they read like the contract.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Iterable, Sequence

from .expressions import same_expression, short_sql, strip_outer_parens
from .loader import parse_argument, parse_reference, parse_returns, parse_signature
from .model import ContractFile, Entry, Options, qualify
from .types import describe, matches, parse_type, short_type, split_top_level

__all__ = [
    "TOTAL_KEYS",
    "check_entry",
    "check_files",
    "function_label",
    "key_text",
    "signature_matches",
    "totals_counts",
]

#: Keys of ``totals:`` in the order they are reported.
TOTAL_KEYS = (
    "schemas",
    "extensions",
    "tables",
    "partitions",
    "views",
    "materialized_views",
    "enums",
    "domains",
    "functions",
    "procedures",
    "aggregates",
    "sequences",
    "indexes",
    "triggers",
    "policies",
)


def _list(items: Iterable[Any]) -> str:
    return "[" + ", ".join(str(i) for i in items) + "]"


def _short_name(qualified: str, options: Options) -> str:
    prefix = options.default_schema + "."
    return qualified[len(prefix) :] if qualified.startswith(prefix) else qualified


def _expr(text: Any, options: Options) -> str:
    if text is None:
        return "(none)"
    if isinstance(text, bool):
        return "true" if text else "false"
    return short_sql(str(text), options.default_schema)


def _same(doc: Any, found: str | None, options: Options) -> bool:
    return same_expression(doc, found, options.default_schema)


# -- entry point ------------------------------------------------------------------------------
def check_entry(entry: Entry, catalog: Any, options: Options | None = None, siblings: Sequence[Entry] = ()) -> list[str]:
    """One line per mismatch between ``entry`` and ``catalog``; ``[]`` when all documented
    properties match.  ``options``: the options of the entry's contract file; ``siblings``:
    the entries of that file (``totals`` with ``scope: file`` counts only what they document)."""
    options = options or Options()
    spec = entry.spec or {}
    if entry.kind == "table":
        return _check_table(entry.key, spec, catalog, options)
    if entry.kind in ("view", "materialized_view"):
        return _check_view(entry.key, entry.kind, spec, catalog, options)
    if entry.kind == "enum":
        return _check_enum(entry.key, spec, catalog, options)
    if entry.kind == "function":
        return _check_function_entry(entry.key, spec, catalog, options)
    if entry.kind == "extensions":
        return _check_extensions(spec, catalog)
    if entry.kind == "totals":
        if spec.get("scope") == "file":
            catalog = scoped_catalog(catalog, siblings, options)
        return _check_totals({k: v for k, v in spec.items() if k != "scope"}, catalog, options)
    raise ValueError(f"unknown contract entry kind {entry.kind!r}")


def check_files(files: Sequence[ContractFile], catalog: Any) -> list[tuple[Entry, list[str]]]:
    """``(entry, mismatches)`` for every entry of ``files``, in file order."""
    return [(e, check_entry(e, catalog, f.options, f.entries)) for f in files for e in f.entries]


def scoped_catalog(catalog: Any, entries: Sequence[Entry], options: Options) -> Any:
    """The part of ``catalog`` that ``entries`` document: their tables (with partitions,
    indexes, triggers, policies), views, enums, functions and extensions."""
    import dataclasses

    keys = {e.kind: set() for e in entries}
    for e in entries:
        keys[e.kind].add(e.key)
    tables = keys.get("table", set())
    views = keys.get("view", set()) | keys.get("materialized_view", set())
    funcs = keys.get("function", set())
    exts = set()
    for e in entries:
        if e.kind == "extensions":
            exts |= set(e.spec or {})
    kept_tables = tuple(t for t in catalog.tables if t.qualified in tables or t.partition_of in tables)
    owners = {t.qualified for t in kept_tables} | views

    signatures = [parse_signature(k, options.default_schema) for k in funcs]

    def fn_kept(fn: Any) -> bool:
        return any(fn.qualified == qn and (types is None or signature_matches(fn, types, options, catalog))
                   for qn, types in signatures)

    return dataclasses.replace(
        catalog,
        tables=kept_tables,
        views=tuple(v for v in catalog.views if v.qualified in views),
        enums=tuple(x for x in catalog.enums if x.qualified in keys.get("enum", set())),
        functions=tuple(f for f in catalog.functions if fn_kept(f)),
        extensions=tuple(x for x in catalog.extensions if x.name in exts),
        indexes=tuple(i for i in catalog.indexes if _owner(i) in owners),
        triggers=tuple(t for t in catalog.triggers if _owner(t) in owners),
        policies=tuple(p for p in catalog.policies if _owner(p) in owners),
        domains=(), sequences=(), schemas=(),
    )


def _owner(obj: Any) -> str:
    return f"{obj.schema}.{obj.table}"


# -- tables -------------------------------------------------------------------------------------
def _missing_relation(label: str, key: str, catalog: Any) -> str:
    hint = ""
    table, view = catalog.get("table", key), catalog.get("view", key)
    if label != "table" and table is not None:
        hint = " (it is a table)"
    elif view is not None:
        kind = "materialized view" if view.kind == "materialized" else "view"
        if kind != label:
            hint = f" (it is a {kind})"
    return f"{label} {key}: missing from the database{hint}"


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


def _bool(value: Any) -> str:
    return "true" if value else "false"


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


# -- indexes ------------------------------------------------------------------------------------
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


def _setting_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


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


# -- triggers, RLS, policies, partitions ------------------------------------------------------------
def _check_triggers(spec: dict, triggers: Sequence[Any], exact: bool, options: Options, out: list[str]) -> None:
    found = {t.name: t for t in triggers}
    for name, tspec in spec.items():
        trg = found.get(name)
        label = f"trigger {name}"
        if trg is None:
            out.append(f"{label}: missing")
            continue
        tspec = tspec or {}
        for key in ("timing", "level"):
            if key in tspec and str(tspec[key]).lower() != getattr(trg, key):
                out.append(f"{label}: {key} {tspec[key]} expected, found {getattr(trg, key)}")
        if "events" in tspec and sorted(e.lower() for e in tspec["events"]) != sorted(trg.events):
            out.append(f"{label}: events {_list(tspec['events'])} expected, found {_list(trg.events)}")
        if "function" in tspec:
            want = qualify(re.sub(r"\s*\(\s*\)\s*$", "", tspec["function"].strip()), options.default_schema)
            if want != trg.function:
                out.append(
                    f"{label}: function {tspec['function']} expected, found {_short_name(trg.function, options)}"
                )
        if "enabled" in tspec:
            want = tspec["enabled"]
            ok = (trg.enabled in ("enabled", "always")) if want is True else (
                trg.enabled == "disabled" if want is False else trg.enabled == str(want).lower()
            )
            if not ok:
                shown = {True: "enabled", False: "disabled"}.get(want, want)
                out.append(f"{label}: {shown} expected, found {trg.enabled}")
        if "when" in tspec and not _same(tspec["when"], trg.condition, options):
            out.append(f"{label}: when {_expr(tspec['when'], options)} expected, found {_expr(trg.condition, options)}")
        if "columns" in tspec and sorted(tspec["columns"] or ()) != sorted(trg.update_columns):
            out.append(f"{label}: columns {_list(tspec['columns'] or ())} expected, found {_list(trg.update_columns)}")
        if "arguments" in tspec and [str(a) for a in tspec["arguments"] or ()] != list(trg.arguments):
            out.append(
                f"{label}: arguments {_list(tspec['arguments'] or ())} expected, found {_list(trg.arguments)}"
            )
    if exact:
        for trg in triggers:
            if trg.name not in spec:
                out.append(f"trigger {trg.name}: not documented (exact_triggers)")


def _check_rls(spec: Any, table: Any, out: list[str]) -> None:
    spec = {"enabled": spec} if isinstance(spec, bool) else dict(spec or {})
    if "enabled" in spec and bool(spec["enabled"]) != table.rls_enabled:
        want = "enabled" if spec["enabled"] else "disabled"
        got = "enabled" if table.rls_enabled else "disabled"
        out.append(f"rls: {want} expected, found {got}")
    if "forced" in spec and bool(spec["forced"]) != table.rls_forced:
        want = "forced" if spec["forced"] else "not forced"
        got = "forced" if table.rls_forced else "not forced"
        out.append(f"rls: {want} expected, found {got}")


def _check_policies(spec: dict, policies: Sequence[Any], exact: bool, options: Options, out: list[str]) -> None:
    found = {p.name: p for p in policies}
    for name, pspec in spec.items():
        pol = found.get(name)
        label = f'policy "{name}"'
        if pol is None:
            out.append(f"{label}: missing")
            continue
        pspec = pspec or {}
        if "command" in pspec and str(pspec["command"]).upper() != pol.command:
            out.append(f"{label}: command {str(pspec['command']).lower()} expected, found {pol.command.lower()}")
        if "roles" in pspec and sorted(set(pspec["roles"])) != sorted(set(pol.roles)):
            out.append(f"{label}: roles {_list(sorted(set(pspec['roles'])))} expected, found {_list(sorted(pol.roles))}")
        if "permissive" in pspec and bool(pspec["permissive"]) != (pol.permissive == "PERMISSIVE"):
            want = "permissive" if pspec["permissive"] else "restrictive"
            out.append(f"{label}: {want} expected, found {pol.permissive.lower()}")
        for key in ("using", "with_check"):
            if key in pspec and not _same(pspec[key], getattr(pol, key), options):
                out.append(
                    f"{label}: {key} {_expr(pspec[key], options)} expected, found {_expr(getattr(pol, key), options)}"
                )
    if exact:
        for pol in policies:
            if pol.name not in spec:
                out.append(f'policy "{pol.name}": not documented (exact_policies)')


def _key_parts(text: str) -> list[str]:
    return [p.strip() for p in split_top_level(strip_outer_parens(text))]


def _check_partitions(spec: dict, table: Any, catalog: Any, options: Options, out: list[str]) -> None:
    if not table.partition_key:
        out.append(f"partitions: partitioned by {spec.get('strategy', 'something')} expected, found not partitioned")
        return
    strategy, _, key = table.partition_key.partition(" ")
    if "strategy" in spec and str(spec["strategy"]).lower() != strategy.lower():
        out.append(f"partitions: strategy {spec['strategy']} expected, found {strategy.lower()}")
    if "key" in spec:
        want, got = _key_parts(spec["key"]), _key_parts(key)
        if len(want) != len(got) or not all(_same(w, g, options) for w, g in zip(want, got)):
            out.append(f"partitions: key {spec['key']} expected, found {key}")
    if "count" in spec:
        n = sum(1 for t in catalog.tables if t.partition_of == table.qualified)
        if n != spec["count"]:
            out.append(f"partitions: count {spec['count']} expected, found {n}")


# -- views, enums, extensions ---------------------------------------------------------------------
def _check_view(key: str, kind: str, spec: dict, catalog: Any, options: Options) -> list[str]:
    label = "view" if kind == "view" else "materialized view"
    view = catalog.get("view", key)
    if view is None or (view.kind == "view") != (kind == "view"):
        return [_missing_relation(label, key, catalog)]
    out: list[str] = []
    if "columns" in spec:
        cols = spec["columns"] or []
        documented = {c: None for c in cols} if isinstance(cols, list) else dict(cols)
        exact = spec.get("exact_columns", options.exact_columns)
        _check_columns(documented, view.columns, exact, options, catalog, out)
        names = list(documented)
        present = [c for c in view.column_names if c in documented]
        if sorted(present) == sorted(names) and present != names:
            out.append(f"columns {_list(names)} expected in this order, found {_list(present)}")
    if "indexes" in spec:
        _check_indexes(spec["indexes"] or {}, view.indexes, options, out)
    return out


def _check_enum(key: str, spec: dict, catalog: Any, options: Options) -> list[str]:
    enum = catalog.get("enum", key)
    if enum is None:
        return [f"enum {key}: missing from the database"]
    labels = spec.get("labels")
    if labels is not None and [str(x) for x in labels] != list(enum.labels):
        return [f"enum {_short_name(key, options)}: labels {_list(labels)} expected, found {_list(enum.labels)}"]
    return []


def _check_extensions(spec: dict, catalog: Any) -> list[str]:
    out = []
    for name, espec in spec.items():
        ext = catalog.get("extension", name)
        if ext is None:
            out.append(f"extension {name}: missing from the database")
            continue
        espec = espec or {}
        if "version" in espec and str(espec["version"]) != ext.version:
            out.append(f"extension {name}: version {espec['version']} expected, found {ext.version}")
        if "schema" in espec and espec["schema"] != ext.schema:
            out.append(f"extension {name}: schema {espec['schema']} expected, found {ext.schema}")
    return out


# -- functions --------------------------------------------------------------------------------------
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


# -- totals -----------------------------------------------------------------------------------------
def _ignored(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def totals_counts(catalog: Any, ignore: Sequence[str] = ()) -> dict[str, int]:
    """Object counts for ``totals:``, like the run summary counts them: ``tables`` without
    partitions (``partitions`` counts those), ``functions`` with window functions,
    ``indexes`` with those backing constraints and those of partitions.  Objects whose
    qualified name (or whose table's) matches an ``ignore`` glob are left out."""

    def keep(obj: Any, *names: str) -> bool:
        return not any(_ignored(n, ignore) for n in names)

    tables = [t for t in catalog.tables if keep(t, t.qualified)]
    views = [v for v in catalog.views if keep(v, v.qualified)]
    funcs = [f for f in catalog.functions if keep(f, f.qualified, f.signature)]
    return {
        "schemas": sum(1 for s in catalog.schemas if keep(s, s.name)),
        "extensions": sum(1 for e in catalog.extensions if keep(e, e.name)),
        "tables": sum(1 for t in tables if t.partition_of is None),
        "partitions": sum(1 for t in tables if t.partition_of is not None),
        "views": sum(1 for v in views if v.kind == "view"),
        "materialized_views": sum(1 for v in views if v.kind != "view"),
        "enums": sum(1 for e in catalog.enums if keep(e, e.qualified)),
        "domains": sum(1 for d in catalog.domains if keep(d, d.qualified)),
        "functions": sum(1 for f in funcs if f.kind in ("function", "window")),
        "procedures": sum(1 for f in funcs if f.kind == "procedure"),
        "aggregates": sum(1 for f in funcs if f.kind == "aggregate"),
        "sequences": sum(1 for s in catalog.sequences if keep(s, s.qualified)),
        "indexes": sum(1 for i in catalog.indexes if keep(i, i.qualified, i.qualified_table)),
        "triggers": sum(1 for t in catalog.triggers if keep(t, t.qualified_table, f"{t.qualified_table}.{t.name}")),
        "policies": sum(1 for p in catalog.policies if keep(p, p.qualified_table, f"{p.qualified_table}.{p.name}")),
    }


def _check_totals(spec: dict, catalog: Any, options: Options) -> list[str]:
    counts = totals_counts(catalog, options.ignore)
    out = []
    for key in spec:
        want, n = spec[key], counts.get(key, 0)
        if isinstance(want, dict):
            if "min" in want and n < want["min"]:
                out.append(f"totals: {key} at least {want['min']} expected, found {n}")
            if "max" in want and n > want["max"]:
                out.append(f"totals: {key} at most {want['max']} expected, found {n}")
        elif n != want:
            out.append(f"totals: {key} {want} expected, found {n}")
    return out
