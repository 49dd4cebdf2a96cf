"""Turn a :class:`~.catalog.Catalog` into plain JSON data for snapshots.

Why its own module: the JSON layout is a compatibility surface (users commit syrupy
snapshots of it), so it is spelled out here once and kept stable.  Layout:

* top level: one object per kind (``schemas``, ``extensions``, ``tables``, ``views``,
  ``enums``, ``domains``, ``functions``, ``sequences``, ``indexes``, ``triggers``,
  ``policies``), each keyed by the object's key (qualified name, function signature,
  ``schema.table.name`` for triggers/policies) in sorted order;
* every object appears exactly once: indexes, triggers and policies are *not* repeated
  under their table;
* order-carrying sequences (columns, index keys, enum labels, arguments) are lists;
  named sets (constraints) are objects keyed by name; ``options``/``config`` pairs are
  objects.

No OIDs, no server version, no query count: the output is identical for the same
migrations on any server of the same major version.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Any

from .catalog import SECTIONS

if TYPE_CHECKING:  # pragma: no cover
    from .catalog import Catalog

__all__ = ["catalog_to_dict", "object_to_dict"]

_PAIRS = {"options", "config"}
_CHILDREN = {"indexes", "triggers", "policies"}
_KEYED_BY_NAME = {"constraints"}
_SOURCE_MODES = ("hash", "text", "omit")


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...] | None:
    """The serialised fields of a model class, ``None`` for a non-dataclass type (asked once
    per type: ``dataclasses.fields`` per object was most of a 600-table snapshot's cost)."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in _CHILDREN and not f.name.startswith("_"))


def _value(name: str, value: Any) -> Any:
    if name in _PAIRS:
        return {k: v for k, v in value}
    if name in _KEYED_BY_NAME:
        return {c.name: object_to_dict(c, skip=("name",)) for c in sorted(value, key=lambda c: c.name)}
    if isinstance(value, tuple):
        return [_value("", v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if _field_names(type(value)) is not None:
        return object_to_dict(value)
    return value


def object_to_dict(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Fields of one model object as plain data (children of tables left out)."""
    names = _field_names(type(obj))
    if names is None:
        raise TypeError(f"not a catalog model object: {type(obj).__name__}")
    return {n: _value(n, getattr(obj, n)) for n in names if n not in skip}


def catalog_to_dict(catalog: Catalog, *, function_source: str = "hash") -> dict[str, Any]:
    if function_source not in _SOURCE_MODES:
        raise ValueError(f"function_source must be one of {_SOURCE_MODES}, not {function_source!r}")
    out: dict[str, Any] = {}
    for kind, objects in catalog.by_kind().items():
        skip = ("name",) if kind in ("schema", "extension") else ("schema", "name")
        if kind == "function":
            skip += ("source",)
        section: dict[str, Any] = {}
        for obj in sorted(objects, key=lambda o: o.key):
            data = object_to_dict(obj, skip=skip)
            if kind == "function":
                if function_source == "hash":
                    data["source_sha256"] = obj.source_hash
                elif function_source == "text":
                    data["source"] = obj.source
            section[obj.key] = data
        out[SECTIONS[kind]] = section
    return out


