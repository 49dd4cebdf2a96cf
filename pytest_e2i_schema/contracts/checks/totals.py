"""Count the objects of a catalog for ``totals:`` and compare with the documented counts
(exact, ``min`` or ``max``).

Why a module of its own: the counts are also what the run summary and the contract
generator print, so :data:`TOTAL_KEYS` and :func:`totals_counts` define them once.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Sequence

from ..model import Options


#: Keys of ``totals:`` in the order they are reported.
TOTAL_KEYS = (
    "schemas",
    "extensions",
    "tables",
    "partitions",
    "views",
    "materialized_views",
    "enums",
    "domains",
    "functions",
    "procedures",
    "aggregates",
    "sequences",
    "indexes",
    "triggers",
    "policies",
)


def _ignored(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def totals_counts(catalog: Any, ignore: Sequence[str] = ()) -> dict[str, int]:
    """Object counts for ``totals:``, like the run summary counts them: ``tables`` without
    partitions (``partitions`` counts those), ``functions`` with window functions,
    ``indexes`` with those backing constraints and those of partitions.  Objects whose
    qualified name (or whose table's) matches an ``ignore`` glob are left out."""

    def keep(obj: Any, *names: str) -> bool:
        return not any(_ignored(n, ignore) for n in names)

    tables = [t for t in catalog.tables if keep(t, t.qualified)]
    views = [v for v in catalog.views if keep(v, v.qualified)]
    funcs = [f for f in catalog.functions if keep(f, f.qualified, f.signature)]
    return {
        "schemas": sum(1 for s in catalog.schemas if keep(s, s.name)),
        "extensions": sum(1 for e in catalog.extensions if keep(e, e.name)),
        "tables": sum(1 for t in tables if t.partition_of is None),
        "partitions": sum(1 for t in tables if t.partition_of is not None),
        "views": sum(1 for v in views if v.kind == "view"),
        "materialized_views": sum(1 for v in views if v.kind != "view"),
        "enums": sum(1 for e in catalog.enums if keep(e, e.qualified)),
        "domains": sum(1 for d in catalog.domains if keep(d, d.qualified)),
        "functions": sum(1 for f in funcs if f.kind in ("function", "window")),
        "procedures": sum(1 for f in funcs if f.kind == "procedure"),
        "aggregates": sum(1 for f in funcs if f.kind == "aggregate"),
        "sequences": sum(1 for s in catalog.sequences if keep(s, s.qualified)),
        "indexes": sum(1 for i in catalog.indexes if keep(i, i.qualified, i.qualified_table)),
        "triggers": sum(1 for t in catalog.triggers if keep(t, t.qualified_table, f"{t.qualified_table}.{t.name}")),
        "policies": sum(1 for p in catalog.policies if keep(p, p.qualified_table, f"{p.qualified_table}.{p.name}")),
    }


def _check_totals(spec: dict, catalog: Any, options: Options) -> list[str]:
    counts = totals_counts(catalog, options.ignore)
    out = []
    for key in spec:
        want, n = spec[key], counts.get(key, 0)
        if isinstance(want, dict):
            if "min" in want and n < want["min"]:
                out.append(f"totals: {key} at least {want['min']} expected, found {n}")
            if "max" in want and n > want["max"]:
                out.append(f"totals: {key} at most {want['max']} expected, found {n}")
        elif n != want:
            out.append(f"totals: {key} {want} expected, found {n}")
    return out
