"""Metadata, totals and extensions, and the top-level scalars of a document.

``schema_version``/``version`` and ``description`` become the contract's own; every
``total_<kind>`` (top level, in ``metadata``, or a ``totals`` group) becomes
``totals.<kind>`` -- checked with ``scope: file``, since a document counts what it
describes; ``extensions`` lists become the contract's ``extensions``.
"""

from __future__ import annotations

import re
from typing import Any

from .context import (
    _DESCRIPTION_KEYS,
    _IGNORED_GROUPS,
    _INFO_KEYS,
    _Ctx,
    _is_ignored_key,
    _kind_of,
    _named,
    _p,
    _short,
)


_TOTAL_KINDS = {
    "tables": "tables",
    "enums": "enums",
    "enum_types": "enums",
    "types": "enums",
    "views": "views",
    "materialized_views": "materialized_views",
    "mviews": "materialized_views",
    "functions": "functions",
    "indexes": "indexes",
    "indices": "indexes",
    "triggers": "triggers",
    "policies": "policies",
    "rls_policies": "policies",
    "partitions": "partitions",
    "domains": "domains",
    "procedures": "procedures",
    "aggregates": "aggregates",
    "sequences": "sequences",
    "extensions": "extensions",
    "schemas": "schemas",
}


def _total_value(ctx: _Ctx, raw: Any, path: str) -> Any:
    if isinstance(raw, bool):
        pass
    elif isinstance(raw, int) and raw >= 0:
        return raw
    elif isinstance(raw, dict) and set(raw) <= {"min", "max"} and raw:
        return dict(raw)
    elif isinstance(raw, str):
        s = raw.strip()
        if re.fullmatch(r"\d+", s):
            return int(s)
        m = re.fullmatch(r"(\d+)\s*\+|>=\s*(\d+)|at least\s+(\d+)", s, re.IGNORECASE)
        if m:
            return {"min": int(next(g for g in m.groups() if g))}
        m = re.fullmatch(r"<=\s*(\d+)|at most\s+(\d+)", s, re.IGNORECASE)
        if m:
            return {"max": int(next(g for g in m.groups() if g))}
    ctx.problem(path, f"a count expected, found {_short(raw)}")
    return None


def _total(ctx: _Ctx, key: str, raw: Any, path: str, prefixed: bool = True) -> bool:
    """Read ``total_<kind>``; True when ``key`` is a total (read or reported)."""
    if prefixed:
        if not key.startswith("total_"):
            return False
        kind = key[len("total_"):]
    else:
        kind = key.removeprefix("total_")
    target = _TOTAL_KINDS.get(kind)
    if target is None:
        ctx.problem(path, f"count of {kind} cannot be expressed (totals support "
                    + ", ".join(sorted(set(_TOTAL_KINDS.values()))) + ")")
        return True
    val = _total_value(ctx, raw, path)
    if val is None:
        return True
    totals = ctx.section("totals")
    # A document's totals count what the document describes (seed 000's metadata, seed 001's
    # statistics table), not the whole database: check them with scope: file.
    totals.setdefault("scope", "file")
    if target in totals and totals[target] != val:
        ctx.problem(path, f"{target} total {val} disagrees with {totals[target]} given before; the first is kept")
        return True
    totals.setdefault(target, val)
    return True


def _totals_group(ctx: _Ctx, group: Any, path: str) -> None:
    if not isinstance(group, dict):
        ctx.problem(path, f"a mapping of counts expected, found {_kind_of(group)}")
        return
    for k, v in group.items():
        if not _is_ignored_key(k, v):
            _total(ctx, k, v, _p(path, k), prefixed=False)


def _extensions(ctx: _Ctx, raw: Any, path: str) -> None:
    """``[vector, uuid-ossp]``, ``[{name, version, schema}]`` or ``{vector: {version}}`` /
    ``{vector: "0.8.0"}``; collected as a mapping, written as a list when nothing but
    names is known."""
    ext: dict[str, Any] = ctx.contract.setdefault("extensions", {})
    if isinstance(raw, list):
        items = []
        for i, e in enumerate(raw):
            if isinstance(e, str) and e.strip():
                items.append((e.strip(), {}, _p(path, i)))
            elif isinstance(e, dict) and isinstance(e.get("name"), str) and e["name"].strip():
                items.append((e["name"].strip(), {k: v for k, v in e.items() if k != "name"}, _p(path, i)))
            else:
                ctx.problem(_p(path, i), f"an extension name expected, found {_short(e)}")
    elif isinstance(raw, dict):
        items = [(name, spec, _p(path, name)) for name, spec in raw.items()
                 if not _is_ignored_key(name, spec) and _named(ctx, name, _p(path, name), "extension name")]
    else:
        ctx.problem(path, f"a list of extensions expected, found {_kind_of(raw)}")
        return
    for name, spec, ip in items:
        out: dict[str, Any] = {}
        if isinstance(spec, dict):
            for k, v in spec.items():
                if str(k).startswith("_"):
                    continue
                if k == "version" and isinstance(v, (str, int, float)) and not isinstance(v, bool):
                    out["version"] = str(v)
                elif k == "schema" and isinstance(v, str) and v.strip():
                    out["schema"] = v.strip()
                elif k not in _INFO_KEYS and k not in _DESCRIPTION_KEYS:
                    ctx.problem(_p(ip, k), f"unrecognised extension property {k!r} ignored")
        elif isinstance(spec, str) and re.fullmatch(r"\d+(\.\d+)*", spec.strip()):
            out["version"] = spec.strip()
        ext[name.strip()] = out


def _finish_extensions(ctx: _Ctx) -> None:
    ext = ctx.contract.get("extensions")
    if isinstance(ext, dict) and ext and not any(ext.values()):
        ctx.contract["extensions"] = list(ext)


_VERSION_KEYS = ("schema_version", "version")
_META_INFO = frozenset({"created_date", "created", "created_at", "last_updated", "updated",
                        "updated_at", "author", "authors", "owner", "database", "platform",
                        "generated_at", "generated_by", "title", "name", "status", "notes",
                        "purpose", "source", "environment", "project", "maintainer",
                        "last_verified", "verified_at", "documentation_version", "scope",
                        "categories", "license", "comment", "changes"})


def _metadata(ctx: _Ctx, meta: Any, path: str) -> None:
    if not isinstance(meta, dict):
        ctx.problem(path, f"an object expected, found {_kind_of(meta)}")
        return
    for k, v in meta.items():
        _scalar_entry(ctx, k, v, _p(path, k), in_metadata=True)


def _scalar_entry(ctx: _Ctx, k: str, v: Any, path: str, in_metadata: bool) -> None:
    if k.startswith("_"):
        return
    if k in _VERSION_KEYS:
        if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip():
            ctx.contract.setdefault("schema_version", str(v).strip())
        else:
            ctx.problem(path, f"a version string expected, found {_short(v)}")
    elif k in ("description", "purpose", "title") and isinstance(v, str):
        ctx.contract.setdefault("description", v)
    elif _total(ctx, k, v, path):
        pass
    elif k in ("totals", "statistics", "counts", "object_counts"):
        _totals_group(ctx, v, path)
    elif k in ("extensions", "required_extensions"):
        _extensions(ctx, v, path)
    elif k in _META_INFO or k in _IGNORED_GROUPS:
        pass
    elif in_metadata and not isinstance(v, (dict, list)):
        pass  # other metadata scalars are informational
    elif in_metadata:
        ctx.problem(path, f"unrecognised metadata entry {k!r} ignored")
    else:
        ctx.problem(path, f"unrecognised top-level entry {k!r} ignored")
