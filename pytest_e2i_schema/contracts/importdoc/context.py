"""The conversion context: where problems are collected and how they name their place.

The importer's rule is that nothing is silently dropped, and every problem names the
JSON path of the entry it is about (``$.x_entities.t.fields.c: ...``).  :func:`_p` builds
those paths, :class:`_Ctx` carries the problems beside the contract being built, and the
small helpers here phrase what was found.  The vocabulary of *informational* keys --
understood, but intentionally not carried over -- is shared by every recogniser, so it is
defined once, here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _p(path: str, key: str | int) -> str:
    """Extend JSON path ``path`` by a key or a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


class _Ctx:
    """One conversion: the contract being built, the problems found, and what later
    steps need to know (where each object was documented, work deferred until every
    table is known, the enum names the document defines)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.contract: dict[str, Any] = {}
        # table key -> path of its documentation, for attaching triggers/policies/indexes
        self.table_paths: dict[str, str] = {}
        self.object_paths: dict[tuple[str, str], str] = {}
        self.deferred: list[Callable[[], None]] = []
        # enum names the document defines (a pre-scan), to tell types from parameter names
        self.known_types: set[str] = set()

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def section(self, name: str) -> dict[str, Any]:
        return self.contract.setdefault(name, {})


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind_of(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


# Keys that are documentation only: understood, not carried into the contract.
_INFO_KEYS = frozenset(
    {
        "category",
        "introduced_version",
        "introduced_in",
        "added_in",
        "since",
        "version",
        "source_tables",
        "source_table",
        "depends_on",
        "dependencies",
        "notes",
        "note",
        "comment",
        "comments",
        "purpose",
        "owner",
        "example",
        "examples",
        "usage",
        "tags",
        "status",
        "deprecated",
        "migration",
        "migration_file",
        "file",
        "domain",
        "business_rules",
        "relationships",
        "related_tables",
        "used_by",
        "refresh",
        "refresh_strategy",
        "rationale",
    }
)
_DESCRIPTION_KEYS = ("description", "desc", "summary", "purpose")
# Properties of a field (column or argument) that are documentation only.
_FIELD_INFO_KEYS = frozenset({"description", "desc", "comment", "note", "notes", "example",
                              "examples", "unit", "units", "pii", "sensitive", "source",
                              "introduced_version", "category", "format", "deprecated"})
# Top-level groups that are documentation only (version history, glossary...).
_IGNORED_GROUPS = frozenset({"version_history", "changelog", "change_log", "history", "changes",
                             "references", "glossary", "conventions", "naming_conventions"})


def _named(ctx: _Ctx, name: Any, path: str, what: str = "name") -> str | None:
    """``name`` stripped, or a problem when it is empty / not a string."""
    if isinstance(name, str) and name.strip():
        return name.strip()
    ctx.problem(path, f"an empty {what} cannot be expressed")
    return None


def _is_ignored_key(key: str, value: Any) -> bool:
    """``_comment`` & co, and plain-text notes inside a group."""
    if key.startswith("_"):
        return True
    return key in ("description", "comment", "note", "notes", "purpose") and isinstance(value, str)


def _order(d: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``d`` with ``keys`` first, in that order, so the written contract reads the same
    way whatever order the document used."""
    out = {k: d[k] for k in keys if k in d}
    out.update({k: v for k, v in d.items() if k not in out})
    return out
