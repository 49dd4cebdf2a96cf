"""Compare one documented item with the catalog: :func:`check_entry` -> mismatch lines.

Why pure functions over the immutable catalog: every contract entry becomes its own
pytest item, checked against a catalog read once; no database access here keeps the
checks fast, deterministic and unit-testable with hand-built catalogs.

The rule is "every documented property is checked, nothing undocumented is" -- except
where the contract asks for exactness (``exact_columns``, ``indexes.exact``,
``exact_policies``, ``exact_triggers``, view column order, enum labels).  Each mismatch
is one line saying what was expected and what was found, with types and expressions
printed the short way (``vector(1536)``, ``memory_type``) so they read like the contract.

This module is the entry point; each kind is checked in its own module -- ``tables``,
``indexes``, ``table_parts`` (triggers, RLS, policies, partitions), ``objects`` (views,
enums, extensions), ``functions``, ``totals`` -- with the printing helpers they share in
``_shared``.  The public names are re-exported here.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..signatures import parse_signature
from ..model import ContractFile, Entry, Options
from .functions import _check_function_entry, signature_matches
from .objects import _check_enum, _check_extensions, _check_view
from .tables import _check_table
from .totals import _check_totals

# The public names of the checks live in their kind's module; re-exported here.
from .functions import function_label  # noqa: F401
from .indexes import key_text  # noqa: F401
from .totals import TOTAL_KEYS, totals_counts  # noqa: F401

__all__ = [
    "TOTAL_KEYS",
    "check_entry",
    "check_files",
    "function_label",
    "key_text",
    "signature_matches",
    "totals_counts",
]


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
