"""Check the kinds of entry that are not tables or functions: views and materialized
views, enums, extensions.

Why together: each is short -- a view reuses the table column and index checks, an enum
compares its labels, an extension its version and schema.
"""

from __future__ import annotations

from typing import Any

from ..model import Options
from ._shared import _list, _missing_relation, _short_name
from .indexes import _check_indexes
from .tables import _check_columns


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
