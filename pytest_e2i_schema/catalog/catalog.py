"""The :class:`Catalog`: everything read from one database, plus lookups.

Why a separate class from the object model: the catalog is the unit every consumer
receives, so it carries the conveniences (lookup by qualified name, grouping by kind,
identities for baseline exclusion, ``to_dict`` for snapshots) while the object classes
stay plain data.  ``server_version_num`` and ``query_count`` are informational and do
not take part in ``==``: two reads of the same migrations on servers of the same major
version compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from .model import Domain, Enum, Extension, Function, Index, Policy, Schema, Sequence, Table, Trigger, View

__all__ = ["Catalog", "OBJECT_TYPES", "SECTIONS"]

#: Object types in the order :meth:`Catalog.by_kind` and ``to_dict`` list them.
OBJECT_TYPES = (
    "schema",
    "extension",
    "table",
    "view",
    "enum",
    "domain",
    "function",
    "sequence",
    "index",
    "trigger",
    "policy",
)

#: kind -> the Catalog field (and ``to_dict()`` section) holding that kind.
SECTIONS: dict[str, str] = {
    "schema": "schemas",
    "extension": "extensions",
    "table": "tables",
    "view": "views",
    "enum": "enums",
    "domain": "domains",
    "function": "functions",
    "sequence": "sequences",
    "index": "indexes",
    "trigger": "triggers",
    "policy": "policies",
}


def qualify(name: str, default_schema: str = "public") -> str:
    """``"x"`` -> ``"public.x"``; qualified names are returned unchanged."""
    return name if "." in name.split("(", 1)[0] else f"{default_schema}.{name}"


@dataclass(frozen=True, slots=True)
class Catalog:
    """All user objects of one database, each kind sorted by key.

    Tables and views carry their indexes/triggers/policies; the same objects are also
    listed flat in ``indexes``/``triggers``/``policies`` (which additionally holds those
    whose table was excluded, e.g. a user policy on a baseline table).
    """

    server_version_num: int = field(compare=False)
    schemas: tuple[Schema, ...] = ()
    extensions: tuple[Extension, ...] = ()
    tables: tuple[Table, ...] = ()
    views: tuple[View, ...] = ()
    enums: tuple[Enum, ...] = ()
    domains: tuple[Domain, ...] = ()
    functions: tuple[Function, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    indexes: tuple[Index, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    policies: tuple[Policy, ...] = ()
    #: Statements the reader sent to build this catalog (constant in schema size).
    query_count: int = field(default=0, compare=False)
    _lookup: dict[tuple[str, str], Any] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        lookup = {(obj.object_type, obj.key): obj for obj in self}
        object.__setattr__(self, "_lookup", lookup)

    # -- iteration and grouping -------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        """Every object, kind by kind in :data:`OBJECT_TYPES` order."""
        for kind in OBJECT_TYPES:
            yield from getattr(self, SECTIONS[kind])

    def by_kind(self) -> dict[str, tuple[Any, ...]]:
        """``{object_type: objects}`` for every kind (empty kinds included)."""
        return {kind: getattr(self, SECTIONS[kind]) for kind in OBJECT_TYPES}

    def identities(self) -> frozenset[tuple[str, str]]:
        """``{(object_type, key)}`` of every object; what a baseline excludes."""
        return frozenset(self._lookup)

    def counts(self) -> dict[str, int]:
        return {kind: len(objs) for kind, objs in self.by_kind().items()}

    # -- lookups ------------------------------------------------------------------------
    def get(self, object_type: str, key: str) -> Any | None:
        """The object with this identity, or None.  ``key`` as in :attr:`key` of the object."""
        return self._lookup.get((object_type, key))

    def _one(self, object_type: str, key: str) -> Any:
        obj = self._lookup.get((object_type, key))
        if obj is None:
            known = sorted(k for t, k in self._lookup if t == object_type)
            raise KeyError(f"no {object_type} {key!r} in the catalog; known: {known[:20]}")
        return obj

    def schema(self, name: str) -> Schema:
        return self._one("schema", name)

    def extension(self, name: str) -> Extension:
        return self._one("extension", name)

    def table(self, name: str) -> Table:
        """``catalog.table("public.users")``; an unqualified name means ``public``."""
        return self._one("table", qualify(name))

    def view(self, name: str) -> View:
        return self._one("view", qualify(name))

    def enum(self, name: str) -> Enum:
        return self._one("enum", qualify(name))

    def domain(self, name: str) -> Domain:
        return self._one("domain", qualify(name))

    def sequence(self, name: str) -> Sequence:
        return self._one("sequence", qualify(name))

    def index(self, name: str) -> Index:
        return self._one("index", qualify(name))

    def trigger(self, table: str, name: str) -> Trigger:
        return self._one("trigger", f"{qualify(table)}.{name}")

    def policy(self, table: str, name: str) -> Policy:
        return self._one("policy", f"{qualify(table)}.{name}")

    def functions_named(self, name: str) -> tuple[Function, ...]:
        """Every overload of ``schema.name``."""
        qn = qualify(name)
        return tuple(f for f in self.functions if f.qualified == qn)

    def function(self, name: str) -> Function:
        """By signature (``"public.f(a integer)"``, identity-arguments spelling) or, when the
        name has one overload only, by plain name."""
        if "(" in name:
            return self._one("function", qualify(name))
        found = self.functions_named(name)
        if len(found) != 1:
            sigs = [f.signature for f in found]
            raise KeyError(f"{len(found)} functions named {qualify(name)!r}; give the signature: {sigs}")
        return found[0]

    def relation(self, name: str) -> Table | View:
        """A table or a view, whichever exists."""
        qn = qualify(name)
        obj = self.get("table", qn) or self.get("view", qn)
        if obj is None:
            raise KeyError(f"no table or view {qn!r} in the catalog")
        return obj

    def partitions_of(self, name: str) -> tuple[Table, ...]:
        qn = qualify(name)
        return tuple(t for t in self.tables if t.partition_of == qn)

    # -- serialisation ------------------------------------------------------------------
    def to_dict(self, *, function_source: str = "hash") -> dict[str, Any]:
        """Plain, sorted, OID-free JSON structure for snapshots.

        ``function_source``: ``"hash"`` (sha256 of the body, default), ``"text"`` (the
        body itself) or ``"omit"``.
        """
        from .serialize import catalog_to_dict

        return catalog_to_dict(self, function_source=function_source)
