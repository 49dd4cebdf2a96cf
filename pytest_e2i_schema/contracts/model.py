"""What a loaded contract is: :class:`ContractFile`, its :class:`Options` and :class:`Entry` items.

Why separate from the loader: checks, drift and the plugin only need these small frozen
records, not the parsing machinery.  An :class:`Entry` is one documented thing (a table,
an enum, a function, the extension list, the totals) -- the unit that becomes one pytest
item and is checked by :func:`~.checks.check_entry` on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DRIFT_KINDS", "DRIFT_POLICIES", "ENTRY_KINDS", "ContractFile", "Entry", "Options", "qualify"]

#: Kinds of :class:`Entry`, in the order they appear in a contract.
ENTRY_KINDS = ("extensions", "enum", "table", "view", "materialized_view", "function", "totals")

#: Kinds of object that drift (undocumented objects) is reported for.
DRIFT_KINDS = ("tables", "enums", "views", "materialized_views", "functions", "extensions")

#: Drift policies from the most to the least strict.
DRIFT_POLICIES = ("error", "warn", "ignore")


def qualify(name: str, default_schema: str) -> str:
    """``memory_type`` -> ``public.memory_type``; ``x.y`` unchanged.  Only the part before
    a ``(`` counts, so function signatures qualify too: ``f(a.b)`` -> ``public.f(a.b)``."""
    head = name.split("(", 1)[0]
    return name if "." in head else f"{default_schema}.{name}"


@dataclass(frozen=True)
class Options:
    """The ``options:`` block of one contract file (every key optional).

    ``exact_columns`` defaults to true: documenting a table's columns means documenting
    all of them (a table can opt out with its own ``exact_columns: false``).  ``drift``
    holds ``(kind, policy)`` pairs; kinds not listed use ``drift_default`` (``error``).
    ``ignore`` holds glob patterns of qualified names (``public.tmp_*``) left out of
    drift and totals.
    """

    default_schema: str = "public"
    timestamp_accepts_timestamptz: bool = False
    exact_columns: bool = True
    drift: tuple[tuple[str, str], ...] = ()
    drift_default: str = "error"
    ignore: tuple[str, ...] = ()

    def drift_policy(self, kind: str) -> str:
        """Policy for undocumented objects of ``kind`` (plural: ``tables``, ``functions`` ...)."""
        return dict(self.drift).get(kind, self.drift_default)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Options":
        data = data or {}
        drift = dict(data.get("drift") or {})
        default = drift.pop("default", "error")
        return cls(
            default_schema=data.get("default_schema", "public"),
            timestamp_accepts_timestamptz=bool(data.get("timestamp_accepts_timestamptz", False)),
            exact_columns=bool(data.get("exact_columns", True)),
            drift=tuple(sorted(drift.items())),
            drift_default=default,
            ignore=tuple(data.get("ignore") or ()),
        )


@dataclass(frozen=True)
class Entry:
    """One documented item.

    ``kind``: one of :data:`ENTRY_KINDS`.  ``key``: the qualified name
    (``public.episodic_memories``), for functions the qualified name or signature
    (``public.f(text, integer)``), and the kind itself for ``extensions``/``totals``.
    ``spec``: the documented properties as a dict (short forms already expanded:
    an enum's label list becomes ``{"labels": [...]}``, the extension list a mapping).
    ``line``: 1-based line of the item in ``file`` (the display path).
    """

    kind: str
    key: str
    line: int
    spec: dict[str, Any] = field(hash=False)
    file: str = ""
    name: str = ""  # the key as written in the contract

    @property
    def item_id(self) -> str:
        """``table::public.episodic_memories``, ``function::public.f``, ``extensions``, ``totals``."""
        return self.kind if self.kind in ("extensions", "totals") else f"{self.kind}::{self.key}"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class ContractFile:
    """A loaded, validated contract file.

    ``display`` is the path relative to the rootdir (what messages print); ``data`` the
    raw document (for a documentation-format file: the contract the importer made);
    ``notes`` the importer's remarks about what it could not carry over (empty for
    YAML/JSON contracts).
    """

    path: Path
    display: str
    schema_version: str
    options: Options
    entries: tuple[Entry, ...]
    data: dict[str, Any] = field(compare=False, repr=False)
    notes: tuple[str, ...] = ()
    imported: bool = False  # True when read from the seed-000 documentation format
