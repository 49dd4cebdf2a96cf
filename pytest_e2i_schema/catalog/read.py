"""Read a database's whole catalog in one go: :func:`read_catalog` and :func:`count_objects`.

Why this shape: the catalog is read once per migrated database and then shared by
every check, so the read must be fast and its cost independent of schema size.  It
sends a fixed set of statements (``SET LOCAL search_path`` plus one query per object
kind, see :mod:`.queries`) in a single pipeline inside a transaction that is always
rolled back, so the caller's session (search path, open transaction) is left as it was.

``search_path = pg_catalog`` during the read makes every deparsed type and expression
schema-qualified (``public.memory_type``, ``nextval('public.t_id_seq'::regclass)``)
and therefore independent of who reads.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import replace
from typing import Any, Iterable, Sequence

import psycopg
from psycopg.rows import dict_row

from ..errors import EngineError
from . import build
from .catalog import Catalog
from .model import Table, View
from .queries import COUNT_NEW_OBJECTS, COUNT_OBJECTS, MIN_SERVER_VERSION, catalog_queries

__all__ = ["read_catalog", "count_objects", "FileCounts", "COUNT_KEYS"]

_SET_PATH = "set local search_path = pg_catalog"


def _params(schemas: Iterable[str] | None, exclude_schemas: Iterable[str], include_ext: bool) -> dict[str, Any]:
    if isinstance(schemas, str) or isinstance(exclude_schemas, str):
        raise TypeError("schemas / exclude_schemas take a list of schema names, not a string")
    return {
        "schemas": None if schemas is None else sorted(schemas),
        "exclude": sorted(exclude_schemas),
        "ext": bool(include_ext),
    }


def _check_version(conn: psycopg.Connection) -> int:
    version = conn.info.server_version
    if version < MIN_SERVER_VERSION:
        raise EngineError(
            f"the catalog reader needs PostgreSQL 14 or newer, server is {version // 10000}; use a newer server"
        )
    return version


#: Queries sent on the second connection when :func:`read_catalog` gets one: about half of the
#: server time of a read (indexes and columns are the two slowest, ``pg_get_indexdef`` and
#: ``format_type`` for every row).
_SECOND_CONNECTION = frozenset({"indexes", "columns", "policies", "schemas", "extensions"})


def _fetch_split(conn: psycopg.Connection, other: psycopg.Connection, queries: dict[str, str],
                 params: dict[str, Any]) -> dict[str, list[dict]]:
    """:func:`_fetch` with part of the queries on *other*, in a thread: the server runs the two
    halves on two backends at once.  Only for a database nothing writes to meanwhile (a
    migrated template): the two transactions see the same catalog."""
    import threading

    second = {k: q for k, q in queries.items() if k in _SECOND_CONNECTION}
    first = {k: q for k, q in queries.items() if k not in _SECOND_CONNECTION}
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["rows"] = _fetch(other, second, params)
        except BaseException as exc:  # re-raised below, in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=run, name="e2i-schema-catalog-read")
    thread.start()
    try:
        rows = _fetch(conn, first, params)
    finally:
        thread.join()
    if "error" in result:
        raise result["error"]
    rows.update(result["rows"])
    return {k: rows[k] for k in queries}


def _fetch(conn: psycopg.Connection, queries: dict[str, str], params: dict[str, Any]) -> dict[str, list[dict]]:
    """Run all queries in one pipeline (one round trip) when libpq supports it."""
    pipeline = conn.pipeline() if psycopg.Pipeline.is_supported() else contextlib.nullcontext()
    cursors = {}
    with conn.transaction(force_rollback=True):
        with pipeline:
            conn.execute(_SET_PATH)
            for kind, sql in queries.items():
                cur = conn.cursor(row_factory=dict_row)
                cur.execute(sql, params)
                cursors[kind] = cur
        rows = {kind: cur.fetchall() for kind, cur in cursors.items()}
    for cur in cursors.values():
        cur.close()
    return rows


def _by_key(objects: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(sorted(objects, key=lambda o: o.key))


def _build(rows: dict[str, list[dict]]) -> dict[str, list[Any]]:
    """Flat, unattached objects per kind, plus relation rows/columns/constraints for assembly."""
    columns: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows["columns"]:
        columns[(r["schema"], r["relation"])].append(r)
    rel_cons: dict[tuple[str, str], list] = defaultdict(list)
    dom_cons: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows["constraints"]:
        (dom_cons if r["on_domain"] else rel_cons)[(r["schema"], r["parent"])].append(build.constraint(r))

    def cols(schema: str, name: str) -> tuple:
        return tuple(build.column(r) for r in sorted(columns[(schema, name)], key=lambda r: r["position"]))

    def cons(bucket: dict, schema: str, name: str) -> tuple:
        return tuple(sorted(bucket[(schema, name)], key=lambda c: c.name))

    tables, views = [], []
    for r in rows["relations"]:
        s, n, relkind = r["schema"], r["name"], r["relkind"]
        if relkind in ("v", "m"):
            views.append(
                View(
                    schema=s,
                    name=n,
                    kind="view" if relkind == "v" else "materialized",
                    columns=cols(s, n),
                    definition=build.normalize_sql(r["definition"]) or "",
                    populated=r["populated"],
                    options=build.parse_options(r["options"]),
                    comment=r["comment"],
                )
            )
            continue
        kind = {"p": "partitioned", "f": "foreign"}.get(relkind, "partition" if r["is_partition"] else "table")
        parents = tuple(r["parents"] or ())
        tables.append(
            Table(
                schema=s,
                name=n,
                kind=kind,
                columns=cols(s, n),
                constraints=cons(rel_cons, s, n),
                partition_key=r["partition_key"],
                partition_of=parents[0] if r["is_partition"] and parents else None,
                partition_bound=r["partition_bound"],
                inherits=() if r["is_partition"] else parents,
                rls_enabled=r["rls_enabled"],
                rls_forced=r["rls_forced"],
                unlogged=r["unlogged"],
                options=build.parse_options(r["options"]),
                comment=r["comment"],
            )
        )
    types = [build.enum_or_domain(r, cons(dom_cons, r["schema"], r["name"])) for r in rows["types"]]
    return {
        "schemas": [build.schema(r) for r in rows["schemas"]],
        "extensions": [build.extension(r) for r in rows["extensions"]],
        "tables": tables,
        "views": views,
        "enums": [t for t in types if t.object_type == "enum"],
        "domains": [t for t in types if t.object_type == "domain"],
        "functions": [build.function(r) for r in rows["functions"]],
        "sequences": [build.sequence(r) for r in rows["sequences"]],
        "indexes": [build.index(r) for r in rows["indexes"]],
        "triggers": [build.trigger(r) for r in rows["triggers"]],
        "policies": [build.policy(r) for r in rows["policies"]],
    }


def _exclude_baseline(objs: dict[str, list[Any]], baseline: Catalog) -> dict[str, list[Any]]:
    """Drop objects whose identity is in ``baseline``; drop baseline schemas left empty."""
    known = baseline.identities()
    out = {
        kind: [o for o in items if (o.object_type, o.key) not in known]
        for kind, items in objs.items()
        if kind != "schemas"
    }
    used = {o.schema for items in out.values() for o in items}
    out["schemas"] = [s for s in objs["schemas"] if ("schema", s.name) not in known or s.name in used]
    return out


def _attach(objs: dict[str, list[Any]]) -> dict[str, tuple[Any, ...]]:
    """Sort everything and hang indexes/triggers/policies on their table or view."""
    flat = {kind: _by_key(items) for kind, items in objs.items()}
    children: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for kind in ("indexes", "triggers", "policies"):
        for child in flat[kind]:
            children[(child.schema, child.table)][kind].append(child)

    def with_children(rel: Table | View) -> Table | View:
        mine = children.get((rel.schema, rel.name))
        if not mine:
            return rel
        extra: dict[str, tuple] = {"indexes": tuple(mine["indexes"]), "triggers": tuple(mine["triggers"])}
        if isinstance(rel, Table):
            extra["policies"] = tuple(mine["policies"])
        return replace(rel, **extra)

    flat["tables"] = tuple(with_children(t) for t in flat["tables"])
    flat["views"] = tuple(with_children(v) for v in flat["views"])
    return flat


def read_catalog(
    conn: psycopg.Connection,
    *,
    schemas: Sequence[str] | None = None,
    exclude_schemas: Sequence[str] = (),
    include_extension_objects: bool = False,
    baseline: Catalog | None = None,
    second_connection: psycopg.Connection | None = None,
) -> Catalog:
    """Read every user object of the database ``conn`` is connected to.

    Scope: all schemas except ``pg_catalog``, ``information_schema``, ``pg_toast`` and
    temporary schemas; narrowed by ``schemas`` (only these) and ``exclude_schemas``.
    Objects that belong to an extension are left out unless ``include_extension_objects``.
    ``baseline`` (a catalog read earlier, e.g. right after a platform prelude) removes
    every object whose identity it contains, and schemas holding nothing else.

    The statement count is constant in schema size; it is stored in
    ``Catalog.query_count`` and in ``read_catalog.last_query_count``.

    ``second_connection`` (to the same database, which nothing may change meanwhile) runs
    about half of the queries at the same time as ``conn`` runs the rest: the read then takes
    about half as long.  Both connections are left as they were.
    """
    version = _check_version(conn)
    params = _params(schemas, exclude_schemas, include_extension_objects)
    queries = catalog_queries(version)
    if second_connection is None:
        rows = _fetch(conn, queries, params)
    else:
        rows = _fetch_split(conn, second_connection, queries, params)
    objs = _build(rows)
    if baseline is not None:
        objs = _exclude_baseline(objs, baseline)
    flat = _attach(objs)
    query_count = len(queries) + (1 if second_connection is None else 2)  # + SET LOCAL search_path
    read_catalog.last_query_count = query_count  # type: ignore[attr-defined]
    return Catalog(server_version_num=version, query_count=query_count, **flat)


read_catalog.last_query_count = 0  # type: ignore[attr-defined]

#: Names of the counters :func:`count_objects` returns, in order.
COUNT_KEYS = (
    "tables",
    "partitions",
    "views",
    "matviews",
    "enums",
    "domains",
    "functions",
    "procedures",
    "aggregates",
    "triggers",
    "indexes",
    "policies",
    "sequences",
)


def count_objects(
    conn: psycopg.Connection,
    *,
    schemas: Sequence[str] | None = None,
    exclude_schemas: Sequence[str] = (),
    include_extension_objects: bool = False,
) -> dict[str, int]:
    """User-object counts in ONE query, same scope rules as :func:`read_catalog`.

    ``tables`` excludes partitions (counted in ``partitions``); ``functions`` includes
    window functions; ``indexes`` includes those backing constraints.
    """
    params = _params(schemas, exclude_schemas, include_extension_objects)
    row = _count_row(conn, COUNT_OBJECTS, params, hash_joins=True)
    return {key: int(row[key]) for key in COUNT_KEYS}


def _count_row(conn: psycopg.Connection, query: str, params: dict[str, Any], *, hash_joins: bool) -> dict:
    # Without a SET LOCAL on an autocommit connection, the one read-only statement is its own
    # transaction: no BEGIN / ROLLBACK round trips (a quarter of an incremental count).
    own_tx = hash_joins or not conn.autocommit
    tx = conn.transaction(force_rollback=True) if own_tx else contextlib.nullcontext()
    with tx, conn.cursor(row_factory=dict_row) as cur:
        if hash_joins:
            # During a migration run the catalogs' statistics are stale (nothing analyses them),
            # and the planner's nested loops over "a few" rows became 3x slower than hash joins
            # at 600 tables; this runs after every migration file.
            cur.execute("set local enable_nestloop = off")
        row = cur.execute(query, params).fetchone()
    assert row is not None
    return row


class FileCounts:
    """:func:`count_objects` after every migration file, at the cost of what each file added.

    Why: a full count reads every user object; after each of 300 files of a 600-table schema
    that was the one cost of a run growing with files x objects.  When a file can only have
    added objects (:attr:`~pytest_e2i_schema.migrations.Script.only_adds`: CREATE, COMMENT,
    GRANT, ALTER TABLE ... ADD, no code run), the counts after it are the counts before plus
    the objects whose oid is above the watermark taken by the previous count -- oids come from
    one counter, so every object made since is above it.  Any other file, or a file that
    failed, gets a full count.  Same scope rules as :func:`count_objects`.
    """

    def __init__(self, **scope: Any):
        self.params = _params(scope.get("schemas"), scope.get("exclude_schemas", ()),
                              scope.get("include_extension_objects", False))
        self.counts: dict[str, int] | None = None
        self.watermark: int | None = None
        #: how many counts were full / incremental (for tests and the bench)
        self.full, self.incremental = 0, 0

    def count(self, conn: psycopg.Connection, *, only_added: bool = False) -> dict[str, int]:
        """The counts now; *only_added*: nothing was dropped or re-kinded since the last call."""
        if only_added and self.counts is not None and self.watermark is not None:
            row = _count_row(conn, COUNT_NEW_OBJECTS, {**self.params, "after": self.watermark}, hash_joins=False)
            self.counts = {key: self.counts[key] + int(row[key]) for key in COUNT_KEYS}
            self.incremental += 1
        else:
            row = _count_row(conn, COUNT_OBJECTS, self.params, hash_joins=True)
            self.counts = {key: int(row[key]) for key in COUNT_KEYS}
            self.full += 1
        if row["watermark"] is not None:
            self.watermark = max(int(row["watermark"]), self.watermark or 0)
        return dict(self.counts)
