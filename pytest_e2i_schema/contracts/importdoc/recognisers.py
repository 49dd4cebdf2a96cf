"""The recogniser table: which top-level (or nested) group key selects which handler.

The first matching pattern wins, so the order of :data:`_GROUP_RECOGNISERS` matters
(``materialized_views`` before ``views``).  :data:`_OBJECT_KEYS` tells an object of a
group from a nested group whose key happens to match a pattern.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .context import _IGNORED_GROUPS, _Ctx
from .enums import _enum, _enum_group
from .functions import _function, _function_group
from .metadata import _extensions, _metadata, _totals_group
from .tables import _index_group, _policy_group, _table, _table_group, _trigger_group
from .views import _mview_group, _view, _view_group


def _ignore(ctx: _Ctx, group: Any, path: str) -> None:
    """Informational groups: version history, changelog, glossary."""


def _exact_or_suffix(*names: str, suffixes: tuple[str, ...] = ()) -> Callable[[str], bool]:
    return lambda key: key in names or (bool(suffixes) and key.endswith(suffixes))


_GROUP_RECOGNISERS: list[tuple[str, Callable[[str], bool], Callable[[_Ctx, Any, str], None]]] = [
    ("metadata", _exact_or_suffix("metadata", "schema_metadata", "meta", "_metadata"), _metadata),
    ("totals", _exact_or_suffix("totals", "statistics", "counts", "object_counts"), _totals_group),
    ("extensions", _exact_or_suffix("extensions", "required_extensions"), _extensions),
    ("informational", lambda k: k in _IGNORED_GROUPS, _ignore),
    ("enums", _exact_or_suffix("enums", "enum_definitions", "enum_types", suffixes=("_enums",)), _enum_group),
    ("materialized views", _exact_or_suffix("materialized_views", suffixes=("_materialized_views",)),
     _mview_group),
    ("views", _exact_or_suffix("views", suffixes=("_views",)), _view_group),
    ("functions", _exact_or_suffix("functions", "procedures", "rpc",
                                   suffixes=("_functions", "_procedures")), _function_group),
    ("tables", _exact_or_suffix("entities", "tables", suffixes=("_entities", "_tables")), _table_group),
    ("triggers", _exact_or_suffix("triggers", suffixes=("_triggers",)), _trigger_group),
    ("policies", _exact_or_suffix("policies", "rls_policies", suffixes=("_policies",)), _policy_group),
    ("indexes", _exact_or_suffix("indexes", suffixes=("_indexes",)), _index_group),
]


# Properties that make an entry an object of a group rather than a nested group.
_OBJECT_KEYS: dict[Any, frozenset[str]] = {
    _table: frozenset({"fields", "columns", "primary_key", "properties", "attributes", "pk"}),
    _view: frozenset({"columns", "fields", "materialized", "definition"}),
    _function: frozenset({"parameters", "arguments", "args", "params", "returns", "return_type",
                          "language"}),
    _enum: frozenset({"values", "labels", "enum"}),
}


def _recogniser(key: str) -> tuple[str, Callable[[_Ctx, Any, str], None]] | None:
    """``(label, handler)`` of the first recogniser whose pattern matches ``key``."""
    for label, match, handler in _GROUP_RECOGNISERS:
        if match(key):
            return label, handler
    return None
