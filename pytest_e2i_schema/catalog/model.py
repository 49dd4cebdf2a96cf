"""Immutable, typed model of a migrated database's catalog.

Why frozen slotted dataclasses of tuples: every later check (contracts, drift, lint,
snapshots, strategies) reads the same model, so it must be cheap to share, hashable,
comparable with ``==`` and impossible to mutate by accident.  Nothing here holds an
OID or depends on the reader's ``search_path``: names and types are spelled the way
the server prints them with ``search_path = pg_catalog`` (user objects qualified,
built-ins bare), so two reads of the same migrations compare equal on any server of
the same major version.

Names: ``schema`` and ``name`` are stored bare; ``qualified`` is ``"schema.name"``
without quoting.  Children of a table (index, trigger, policy) name it by ``schema`` +
``table``.  Each object has ``object_type`` and ``key``; ``(object_type, key)`` is
its identity, used for baseline exclusion and lookups.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "Schema",
    "Extension",
    "Column",
    "Constraint",
    "IndexKey",
    "Index",
    "Trigger",
    "Policy",
    "Table",
    "View",
    "Enum",
    "Domain",
    "Argument",
    "Function",
    "Sequence",
]

Options = tuple[tuple[str, str], ...]


def _q(schema: str, name: str) -> str:
    return f"{schema}.{name}"


class _SchemaObject:
    """Mixin for objects named ``schema.name``: ``key`` and ``qualified`` are that name."""

    __slots__ = ()
    schema: str
    name: str

    @property
    def key(self) -> str:
        return _q(self.schema, self.name)

    @property
    def qualified(self) -> str:
        return _q(self.schema, self.name)


class _OnTable:
    """Mixin for objects that belong to a table (indexes, triggers, policies)."""

    __slots__ = ()
    schema: str
    table: str

    @property
    def qualified_table(self) -> str:
        return _q(self.schema, self.table)


class _TableChild(_OnTable):
    """Mixin for objects named within their table: ``key`` is ``schema.table.name``."""

    __slots__ = ()
    name: str

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.table}.{self.name}"


@dataclass(frozen=True, slots=True)
class Schema:
    object_type: ClassVar[str] = "schema"
    name: str
    comment: str | None = None

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Extension:
    object_type: ClassVar[str] = "extension"
    name: str
    version: str
    schema: str

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Column:
    """A table/view column.  ``type`` is ``format_type`` with user types qualified
    (``public.vector(1536)``, ``public.memory_type[]``); ``short_type`` drops that
    qualification (``vector(1536)``).  ``type_kind`` is base/enum/domain/composite/
    range/multirange/pseudo/array; ``element_type`` is set for arrays."""

    name: str
    type: str
    short_type: str
    type_schema: str
    type_name: str
    type_kind: str
    element_type: str | None = None
    not_null: bool = False
    default: str | None = None
    identity: str | None = None  # 'always' | 'by default'
    generated: str | None = None  # generation expression
    generated_kind: str | None = None  # 'stored' | 'virtual' (PG 18)
    collation: str | None = None  # only when not the type's default
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Constraint:
    """A table or domain constraint.  ``kind``: primary_key/unique/foreign_key/check/exclusion.
    FK actions are spelled as in SQL (``no action``, ``cascade``, ``set null`` ...)."""

    name: str
    kind: str
    definition: str
    columns: tuple[str, ...] = ()
    expression: str | None = None  # check constraints
    references: str | None = None  # foreign keys: "schema.table"
    referenced_columns: tuple[str, ...] = ()
    on_update: str | None = None
    on_delete: str | None = None
    on_delete_set_columns: tuple[str, ...] = ()
    match: str | None = None  # simple | full | partial
    deferrable: bool = False
    initially_deferred: bool = False
    validated: bool = True
    enforced: bool = True
    no_inherit: bool = False
    inherited: bool = False
    index: str | None = None  # backing index of primary_key/unique/exclusion
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class IndexKey:
    """One key or INCLUDE column: the expression as ``pg_get_indexdef(idx, k, true)`` prints it."""

    expression: str
    opclass: str | None = None  # None for INCLUDE columns
    opclass_default: bool = True
    descending: bool = False
    nulls_first: bool = False
    collation: str | None = None


@dataclass(frozen=True, slots=True)
class Index(_SchemaObject, _OnTable):
    object_type: ClassVar[str] = "index"
    schema: str
    table: str
    name: str
    method: str
    keys: tuple[IndexKey, ...]
    include: tuple[str, ...] = ()
    unique: bool = False
    primary: bool = False
    constraint: str | None = None
    predicate: str | None = None
    options: Options = ()
    nulls_not_distinct: bool = False
    valid: bool = True
    parent: str | None = None  # "schema.index" this partition index is attached to
    definition: str = ""
    comment: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """Key expressions in key order (without INCLUDE columns)."""
        return tuple(k.expression for k in self.keys)


@dataclass(frozen=True, slots=True)
class Trigger(_TableChild):
    """A user trigger (internal ones, e.g. for foreign keys, are not read).  ``events`` in
    insert/update/delete/truncate order; ``condition`` is the WHEN expression."""

    object_type: ClassVar[str] = "trigger"
    schema: str
    table: str
    name: str
    timing: str  # before | after | instead of
    events: tuple[str, ...]
    level: str  # row | statement
    function: str  # "schema.name"
    arguments: tuple[str, ...] = ()
    update_columns: tuple[str, ...] = ()
    condition: str | None = None
    enabled: str = "enabled"  # enabled | disabled | replica | always
    constraint: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    old_table: str | None = None
    new_table: str | None = None
    inherited: bool = False  # clone of a partitioned table's trigger
    definition: str = ""
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Policy(_TableChild):
    """A row-level security policy; ``using``/``with_check`` as ``pg_get_expr`` deparses them."""

    object_type: ClassVar[str] = "policy"
    schema: str
    table: str
    name: str
    command: str  # ALL | SELECT | INSERT | UPDATE | DELETE
    permissive: str  # PERMISSIVE | RESTRICTIVE
    roles: tuple[str, ...]
    using: str | None = None
    with_check: str | None = None


@dataclass(frozen=True, slots=True)
class Table(_SchemaObject):
    """``kind``: table | partitioned | partition | foreign.  A partitioned partition has
    kind ``partitioned`` and ``partition_of`` set."""

    object_type: ClassVar[str] = "table"
    schema: str
    name: str
    kind: str
    columns: tuple[Column, ...]
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    policies: tuple[Policy, ...] = ()
    partition_key: str | None = None  # pg_get_partkeydef, e.g. "HASH (id)"
    partition_of: str | None = None
    partition_bound: str | None = None  # e.g. "FOR VALUES WITH (modulus 2, remainder 0)"
    inherits: tuple[str, ...] = ()  # classic INHERITS parents
    rls_enabled: bool = False
    rls_forced: bool = False
    unlogged: bool = False
    options: Options = ()
    comment: str | None = None

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.qualified!r} has no column {name!r}; columns: {[c.name for c in self.columns]}")

    def constraint(self, name: str) -> Constraint:
        for con in self.constraints:
            if con.name == name:
                return con
        raise KeyError(f"table {self.qualified!r} has no constraint {name!r}")

    @property
    def primary_key(self) -> Constraint | None:
        return next((c for c in self.constraints if c.kind == "primary_key"), None)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True, slots=True)
class View(_SchemaObject):
    """A view (``kind='view'``) or materialized view (``kind='materialized'``)."""

    object_type: ClassVar[str] = "view"
    schema: str
    name: str
    kind: str
    columns: tuple[Column, ...]
    definition: str
    indexes: tuple[Index, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    populated: bool = True
    options: Options = ()
    comment: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True, slots=True)
class Enum(_SchemaObject):
    object_type: ClassVar[str] = "enum"
    schema: str
    name: str
    labels: tuple[str, ...]
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Domain(_SchemaObject):
    object_type: ClassVar[str] = "domain"
    schema: str
    name: str
    base_type: str
    not_null: bool = False
    default: str | None = None
    constraints: tuple[Constraint, ...] = ()
    collation: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Argument:
    """``mode``: in | out | inout | variadic | table (a RETURNS TABLE column)."""

    name: str | None
    mode: str
    type: str
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Function:
    """A function, procedure, aggregate or window function (``kind``).  ``result`` is
    ``pg_get_function_result`` (``SETOF x``, ``TABLE(a integer)``; None for procedures);
    ``source`` is ``prosrc`` or the deparsed SQL-standard body."""

    object_type: ClassVar[str] = "function"
    schema: str
    name: str
    kind: str  # function | procedure | aggregate | window
    identity_arguments: str
    arguments: str
    args: tuple[Argument, ...]
    result: str | None
    return_type: str | None
    returns_set: bool
    language: str
    volatility: str  # immutable | stable | volatile
    strict: bool
    security_definer: bool
    leakproof: bool
    parallel: str  # safe | restricted | unsafe
    config: Options = ()
    source: str = ""
    comment: str | None = None

    @property
    def key(self) -> str:
        return self.signature

    @property
    def qualified(self) -> str:
        return _q(self.schema, self.name)

    @property
    def signature(self) -> str:
        return f"{self.schema}.{self.name}({self.identity_arguments})"

    @property
    def source_hash(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Sequence(_SchemaObject):
    """``owned_by`` is ``"schema.table.column"``; ``identity`` marks identity-column sequences."""

    object_type: ClassVar[str] = "sequence"
    schema: str
    name: str
    type: str
    start: int
    increment: int
    min_value: int
    max_value: int
    cache: int
    cycle: bool
    owned_by: str | None = None
    identity: bool = False
    comment: str | None = None
