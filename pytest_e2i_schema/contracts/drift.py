"""Objects the database has but no contract mentions: :func:`undocumented`.

Why separate from the per-entry checks: drift is a property of *all* contract files
together (an object documented in any file is documented), so it cannot be decided
entry by entry.  A documented object that is absent is the other direction and is
reported by :func:`~.checks.check_entry` (``table public.foo: missing from the database``).

Rules:

* only when at least one contract file exists (no contracts, no drift);
* kinds: tables, enums, views, materialized views, functions (trigger functions
  too), extensions;
* partitions never appear on their own: they follow their parent table;
* a function is documented when a contract names it (all overloads) or gives a
  signature matching it;
* the policy per kind comes from the files' ``options.drift``; when files disagree the
  strictest wins (error > warn > ignore); ``ignore`` drops the object from the result,
  as does a match with any file's ``options.ignore`` globs.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Sequence

from .checks import function_label, signature_matches
from .signatures import parse_signature
from .model import DRIFT_KINDS, DRIFT_POLICIES, ContractFile, Options

__all__ = ["DriftEntry", "undocumented", "drift_policy"]

_LABEL = {
    "tables": "table",
    "enums": "enum",
    "views": "view",
    "materialized_views": "materialized view",
    "functions": "function",
    "extensions": "extension",
}


@dataclass(frozen=True)
class DriftEntry:
    """One undocumented object: ``kind`` (plural, e.g. ``tables``), ``key`` (qualified name,
    function signature, extension name), ``policy`` (``error`` or ``warn``), and
    ``label`` (how messages name it, e.g. ``verify_audit_chain(uuid)``)."""

    kind: str
    key: str
    policy: str
    label: str = ""

    @property
    def message(self) -> str:
        return f"{_LABEL[self.kind]} {self.label or self.key}: not documented in any contract"


def drift_policy(files: Sequence[ContractFile], kind: str) -> str:
    """The strictest policy any file gives ``kind``."""
    policies = [f.options.drift_policy(kind) for f in files] or ["error"]
    return min(policies, key=DRIFT_POLICIES.index)


def _documented(files: Sequence[ContractFile]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {k: set() for k in DRIFT_KINDS}
    plural = {"table": "tables", "enum": "enums", "view": "views", "materialized_view": "materialized_views"}
    for f in files:
        for e in f.entries:
            if e.kind in plural:
                out[plural[e.kind]].add(e.key)
            elif e.kind == "extensions":
                out["extensions"].update(e.spec)
    return out


def _function_documented(fn: Any, files: Sequence[ContractFile], catalog: Any) -> bool:
    for f in files:
        for e in f.entries:
            if e.kind != "function":
                continue
            qn, args = parse_signature(e.key, f.options.default_schema)
            if qn == fn.qualified and (args is None or signature_matches(fn, args, f.options, catalog)):
                return True
    return False


def undocumented(files: Sequence[ContractFile], catalog: Any) -> list[DriftEntry]:
    """Undocumented objects of ``catalog``, kind by kind, sorted by key (see module docs)."""
    if not files:
        return []
    documented = _documented(files)
    ignore = [p for f in files for p in f.options.ignore]
    policies = {kind: drift_policy(files, kind) for kind in DRIFT_KINDS}
    label_options = files[0].options if files else Options()

    def skip(*names: str) -> bool:
        return any(fnmatch.fnmatchcase(n, p) for n in names for p in ignore)

    found: list[tuple[str, str, str]] = []
    for t in catalog.tables:
        if t.partition_of is None and t.qualified not in documented["tables"] and not skip(t.qualified):
            found.append(("tables", t.qualified, ""))
    for e in catalog.enums:
        if e.qualified not in documented["enums"] and not skip(e.qualified):
            found.append(("enums", e.qualified, ""))
    for v in catalog.views:
        kind = "views" if v.kind == "view" else "materialized_views"
        if v.qualified not in documented[kind] and not skip(v.qualified):
            found.append((kind, v.qualified, ""))
    for fn in catalog.functions:
        if skip(fn.qualified, fn.signature) or _function_documented(fn, files, catalog):
            continue
        found.append(("functions", fn.signature, function_label(fn, label_options)))
    for ext in catalog.extensions:
        if ext.name not in documented["extensions"] and not skip(ext.name):
            found.append(("extensions", ext.name, ""))
    order = {k: i for i, k in enumerate(DRIFT_KINDS)}
    return [
        DriftEntry(kind, key, policies[kind], label)
        for kind, key, label in sorted(found, key=lambda r: (order[r[0]], r[1]))
        if policies[kind] != "ignore"
    ]
