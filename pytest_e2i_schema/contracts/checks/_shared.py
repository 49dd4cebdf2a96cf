"""Helpers the checks of several kinds share: how lists, names, expressions and flags are
printed in mismatch lines, and how expressions compare.

Why a module of its own: a mismatch reads the same whether it comes from a table, an
index, a view or a function -- one place decides how ``vector(1536)``, ``true`` or a
missing relation is spelled.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..expressions import same_expression, short_sql
from ..model import Options


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


def _bool(value: Any) -> str:
    return "true" if value else "false"


def _setting_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)
