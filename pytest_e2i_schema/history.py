"""Migration history: the catalog after each migration file, and which file last touched an object.

Why: a reviewer asks "what does this migration do to the database?", and a failing check
asks "which migration made this object the way it is?".  :func:`catalog_history` applies the
migrations one by one on a fresh database and reads the catalog after each file (a fixed
dozen queries, so this stays cheap), then diffs consecutive states with the same engine as
snapshots (:mod:`pytest_e2i_schema.catalog.diff`).  :func:`last_touched` answers the second
question from that history.  Failing items (:func:`origin_note`, :func:`blame_for`) ask it of
the session's migrations, and get their answer without a replay from :mod:`.origin` (the
template's row ``xmin`` values) whenever the template recorded its transaction ids; the
replay is their fallback.

The ``e2i-schema history`` and ``diff`` commands built on this live in
:mod:`.history_cli`; their entry points (:func:`register`, ``history_main``, ``diff_main``,
``default_base``) stay importable from here.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import psycopg

from .catalog import Catalog, read_catalog
from .catalog.diff import CatalogDiff, diff_catalogs
from .config import Settings
from .errors import E2IError
from .origin import session_origins

__all__ = [
    "HistoryStep",
    "History",
    "catalog_history",
    "migrated_catalog",
    "last_touched",
    "blame_for",
    "session_history",
    "origin_note",
    "default_base",
    "register",
    "history_main",
    "diff_main",
]

_HISTORY_VERBS = {"added": "created", "removed": "dropped", "changed": "changed"}


class HistoryStep(NamedTuple):
    """One migration file and what it did to the catalog."""

    migration: Any  # migrations.Migration
    diff: CatalogDiff


class History(list):
    """``[HistoryStep(migration, diff), ...]`` in apply order, up to the first failing file
    (which is included, with the diff of whatever it left behind).

    ``run`` is the :class:`~pytest_e2i_schema.migrations.MigrationRun`; ``final`` the last
    catalog read; ``baseline`` the prelude catalog excluded from every read.
    """

    run: Any = None
    final: Catalog | None = None
    baseline: Catalog | None = None

    @property
    def ok(self) -> bool:
        return self.run is None or bool(self.run.ok)

    def blame(self, kind: str, key: str) -> str | None:
        """Display path of the migration that last touched ``(kind, key)``, or None;
        shaped for :func:`pytest_e2i_schema.snapshot.snapshot_item_check`'s ``blame``."""
        mig = last_touched(self, kind, key)
        return None if mig is None else mig.display

    def lines(self, *, only: tuple[str, str] | None = None) -> list[str]:
        """Per migration file: what it created, dropped and changed."""
        out: list[str] = []
        results = list(self.run.results) if self.run is not None else []
        for i, (mig, diff) in enumerate(self):
            result = results[i] if i < len(results) else None
            failed = result is not None and not result.ok
            if only is not None and not failed and not diff.touches(*only):
                continue
            summary = "FAILED" if failed else diff.summary(_HISTORY_VERBS) if diff else "no catalog changes"
            out.append(f"{mig.display}: {summary}")
            if failed and result.failure is not None:
                out.extend("  " + ln for ln in result.failure.format().split("\n"))
            out.extend("  " + ln for ln in diff.lines(verbs=_HISTORY_VERBS))
        if self.run is not None and self.run.not_attempted:
            out.append("not attempted: " + ", ".join(m.display for m in self.run.not_attempted))
        return out


def last_touched(history: Sequence[tuple[Any, CatalogDiff]], kind: str, key: str, *,
                 children: bool = True) -> Any | None:
    """The migration that last created, dropped or changed ``(kind, key)``, or None.

    ``key`` as in the catalog (``public.memories``, ``public.f(a integer)``,
    ``public.memories.own rows``); unqualified names mean ``public``; a function name
    without arguments matches any overload.  With ``children``, adding or changing an index,
    trigger or policy of a table counts as touching the table.
    """
    for mig, diff in reversed(list(history)):
        if diff.touches(kind, key, children=children):
            return mig
    return None


_SESSION_HISTORIES: weakref.WeakKeyDictionary[Any, History] = weakref.WeakKeyDictionary()


def session_history(session: Any) -> History:
    """The history of the session's configured migrations, built once per session on first use
    (a replay on a fresh database of the session's server); an empty :class:`History` when it
    can't be built.  Shared by :func:`blame_for` and :func:`origin_note`."""
    if session not in _SESSION_HISTORIES:
        try:
            history = catalog_history(session, session.migrations())
        except (E2IError, psycopg.Error):
            history = History()
        _SESSION_HISTORIES[session] = history
    return _SESSION_HISTORIES[session]


def blame_for(session: Any, entries: Sequence[str] | None = None,
              prelude: Sequence[str | Path] | None = None) -> Callable[[str, str], str | None]:
    """``blame(kind, key) -> migration display or None`` for failure messages
    (``snapshot_item_check(..., blame=blame_for(session))``).

    Nothing is computed before the first call, so passing runs pay nothing.  With the default
    ``entries``/``prelude`` the answers come from the session's template without a replay
    (:func:`pytest_e2i_schema.origin.session_origins`), or else from its shared
    :func:`session_history`.
    Note: migrations with an unguarded ``CREATE ROLE`` can't be replayed on the server that
    already holds the session's template; the history then stops at that file and blame
    answers None for what came later.
    """
    cache: dict[str, Any] = {}

    def source() -> Any:  # anything with .blame(kind, key)
        if "source" not in cache:
            if entries is None and prelude is None:
                cache["source"] = session_origins(session) or session_history(session)
            else:
                try:
                    cache["source"] = catalog_history(session, session.migrations(entries), prelude=prelude)
                except (E2IError, psycopg.Error):
                    cache["source"] = History()
        return cache["source"]

    return lambda kind, key: source().blame(kind, key)


def origin_note(session: Any, kind: str, key: str) -> str:
    """Where an object comes from, for contract and drift failures: ``created by FILE``,
    ``last changed by FILE`` or ``dropped by FILE`` -- ``""`` when no migration touched it (or
    the history can't be built).  ``kind`` singular or plural (contract entries and drift
    entries both work); ``key`` as :func:`last_touched` takes it.  Answered without a replay
    when the session's template recorded its transaction ids (:mod:`.origin`)."""
    origins = session_origins(session)
    if origins is not None:
        return origins.note(kind, key)
    history = session_history(session)
    for mig, diff in reversed(list(history)):
        if not diff.touches(kind, key):
            continue
        own = next((c for c in diff if c.is_object(kind, key)), None)
        verb = {"added": "created by", "removed": "dropped by"}.get(own.status if own else "", "last changed by")
        return f"{verb} {mig.display}"
    return ""


# -- building catalogs ------------------------------------------------------------------------


@dataclasses.dataclass
class _Server:
    """A server plus a janitor for the databases made here (borrowed from an E2ISession, or own)."""

    info: Any
    janitor: Any
    settings: Settings | None
    engine_hint: str = ""
    _own_janitor: bool = False

    @classmethod
    def of(cls, source: Any) -> _Server:
        if hasattr(source, "server") and hasattr(source, "settings"):  # E2ISession
            info = source.server()
            return cls(info, source.janitor, source.settings, source.engine_hint())
        from .janitor import Janitor

        return cls(source, Janitor(source), None, "", _own_janitor=True)

    def close(self) -> None:
        if self._own_janitor:
            self.janitor.drop_all()


def _prelude_paths(prelude: Sequence[str | Path] | None, settings: Settings | None,
                   rootdir: Path | None = None) -> list[Path]:
    from .session import resolve_prelude

    if prelude is None:
        if settings is None:
            return []
        prelude = settings.prelude
    root = Path(rootdir) if rootdir is not None else (settings.rootdir if settings else Path.cwd())
    return resolve_prelude([str(p) for p in prelude], root)


def _migrate(server: _Server, migrations: Sequence[Any], *, prelude: list[Path],
             session_settings: dict[str, str], keep_going: bool, schemas: Sequence[str] | None,
             exclude_schemas: Sequence[str], each: bool, label: str) -> History:
    """Fresh database, prelude, migrations (reading the catalog after each file if ``each``)."""
    from .migrations import apply_migrations
    from .session import apply_sql_file

    info = server.info
    history = History()
    # Roles are global to the server: migrations that create roles can't be applied twice on
    # one server.  On a server the tool owns, roles made by this run are dropped afterwards.
    cleanup_roles = bool(getattr(info, "owned", False))
    roles_before = _roles(server) if cleanup_roles else set()
    dbname = server.janitor.create(label)
    try:
        baseline = None
        if prelude:
            with info.connect(dbname) as conn:
                for path in prelude:
                    apply_sql_file(conn, path, display=f"prelude {path.name}")
                baseline = read_catalog(conn, schemas=schemas, exclude_schemas=exclude_schemas)
        history.baseline = baseline

        def read(conn: psycopg.Connection) -> Catalog:
            return read_catalog(conn, schemas=schemas, exclude_schemas=exclude_schemas, baseline=baseline)

        # The prelude may set database defaults (search_path): migrations get a new connection.
        with info.connect(dbname) as conn:
            state = {"prev": read(conn) if each else None}

            known = baseline.identities() if baseline is not None else frozenset()

            def prelude_schema(change: Any) -> bool:
                # A prelude schema appears in a read once the migrations put something in it.
                return change.kind == "schema" and change.status != "changed" and ("schema", change.key) in known

            def on_result(result: Any) -> None:
                if not each:
                    return
                cat = read(conn)
                diff = diff_catalogs(state["prev"], cat).filter(lambda c: not prelude_schema(c))
                history.append(HistoryStep(result.migration, diff))
                state["prev"] = cat

            history.run = apply_migrations(
                lambda: conn, list(migrations), keep_going=keep_going, settings=session_settings,
                server_desc=info.describe(), engine_hint=server.engine_hint, on_result=on_result,
            )
            history.final = state["prev"] if each else read(conn)
    finally:
        server.janitor.drop(dbname)
        if cleanup_roles:
            _drop_roles(server, _roles(server) - roles_before)
    return history


def _roles(server: _Server) -> set[str]:
    return {r[0] for r in server.janitor.admin().execute("select rolname::text from pg_roles")}


def _drop_roles(server: _Server, roles: set[str]) -> None:
    from psycopg import sql

    for role in sorted(roles):
        try:
            server.janitor.admin().execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        except psycopg.Error:
            pass  # still owns something elsewhere: leave it


def catalog_history(
    source: Any,
    migrations: Sequence[Any],
    *,
    prelude: Sequence[str | Path] | None = None,
    settings: dict[str, str] | None = None,
    keep_going: bool = False,
    schemas: Sequence[str] | None = None,
    exclude_schemas: Sequence[str] = (),
) -> History:
    """Apply ``migrations`` one by one on a fresh database and diff the catalog after each.

    ``source``: an :class:`~pytest_e2i_schema.session.E2ISession` (its server, janitor,
    prelude and session settings are used) or a :class:`~pytest_e2i_schema.engines.ServerInfo`.
    ``prelude``: built-in names or SQL files (default: the session's; none for a bare
    server); its objects are excluded from every read.  The database is dropped afterwards.
    """
    server = _Server.of(source)
    try:
        cfg = server.settings
        return _migrate(
            server, migrations, prelude=_prelude_paths(prelude, cfg),
            session_settings=dict(settings if settings is not None else (cfg.session_settings if cfg else ())),
            keep_going=keep_going, schemas=schemas, exclude_schemas=exclude_schemas, each=True, label="history",
        )
    finally:
        server.close()


def migrated_catalog(
    source: Any,
    migrations: Sequence[Any],
    *,
    prelude: Sequence[str | Path] | None = None,
    prelude_root: Path | None = None,
    settings: dict[str, str] | None = None,
    schemas: Sequence[str] | None = None,
    exclude_schemas: Sequence[str] = (),
) -> History:
    """Like :func:`catalog_history` but reads the catalog once, at the end (``.final``);
    the returned :class:`History` is empty apart from ``run``, ``final`` and ``baseline``."""
    server = _Server.of(source)
    try:
        cfg = server.settings
        return _migrate(
            server, migrations, prelude=_prelude_paths(prelude, cfg, prelude_root),
            session_settings=dict(settings if settings is not None else (cfg.session_settings if cfg else ())),
            keep_going=False, schemas=schemas, exclude_schemas=exclude_schemas, each=False, label="diff",
        )
    finally:
        server.close()


#: The command line (:mod:`.history_cli`) builds on this module, so its names are looked up
#: there on first use rather than imported here (the two modules would import each other).
