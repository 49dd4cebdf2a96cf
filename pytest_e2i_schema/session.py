"""The state of one pytest session (one xdist worker): a server, a janitor, migrated templates.

Fixtures, schema items and the summary all go through one :class:`E2ISession` kept in
``config.stash``, so a run starts at most one server and migrates each history once, however
many tests and items ask for it.  Everything is lazy: a test run that never touches a
database never starts a server.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Settings
from .engines import Engine, Seed, ServerInfo, make_engine
from .errors import ConfigError, E2IError, MigrationError

if TYPE_CHECKING:  # imported when first used, so that the server can start during the import
    import psycopg

    from .janitor import Janitor

__all__ = ["E2ISession", "MigratedTemplate", "resolve_prelude", "apply_sql_file"]

#: The database an engine's cached cluster holds the prelude in (see E2ISession._prelude_seed).
SEED_DATABASE = "e2i_prelude"

#: sys.setswitchinterval while the template is built in the background (see E2ISession.prefetch).
_BUILD_SWITCH_INTERVAL = 5e-5


def resolve_prelude(entries: Sequence[str], rootdir: Path) -> list[Path]:
    """Built-in names map to files shipped in :mod:`pytest_e2i_schema.preludes`; others are paths."""
    from .preludes import BUILTIN_PRELUDES, prelude_path

    out: list[Path] = []
    for entry in entries:
        if entry.strip().replace("-", "_") in BUILTIN_PRELUDES:
            out.append(prelude_path(entry))
            continue
        path = (rootdir / entry).resolve()
        if not path.is_file():
            raise ConfigError(
                f"prelude {entry!r} is neither a built-in ({', '.join(BUILTIN_PRELUDES)}) nor a file "
                f"(looked for {path}); fix prelude = [...] under [tool.e2i_schema] or --e2i-prelude"
            )
        out.append(path)
    return out


def apply_sql_file(conn: psycopg.Connection, path: Path, display: str | None = None) -> None:
    """Run a prelude file in one transaction; errors name the file like migration errors do."""
    from .migrations import Migration, apply_migrations

    mig = Migration(path=path, display=display or str(path), version=(), version_label="prelude", name=path.stem, layout="plain")
    run = apply_migrations(lambda: conn, [mig])
    if not run.ok:
        raise MigrationError("prelude failed:\n" + "\n".join(f.format() for f in run.failures))


@dataclasses.dataclass
class MigratedTemplate:
    """A database with the prelude and migrations applied; never connected to after building,
    so it can serve as a template for clones."""

    dbname: str
    run: object  # migrations.MigrationRun
    migrations: list
    prelude: list[Path]
    baseline: object | None  # catalog.Catalog read after the prelude, for exclusion
    build_s: float
    standins_used: list[tuple[str, str]]
    baseline_counts: dict[str, int] = dataclasses.field(default_factory=dict)  # the prelude's own objects
    #: Transaction ids that bound each migration file: file ``i`` (``run.results[i]``) ran in
    #: transactions ``xid_bounds[i] <= xid < xid_bounds[i + 1]``; the ``xmin`` of a catalog row
    #: says which file last wrote it (see :mod:`pytest_e2i_schema.origin`).  Empty when unknown.
    xid_bounds: tuple[int, ...] = ()

    def object_counts(self) -> dict[str, int]:
        """Objects the migrations made: counts after the last file minus the prelude's."""
        results = [r for r in self.run.results if r.counts]
        if not results:
            return {}
        return {k: v - self.baseline_counts.get(k, 0) for k, v in results[-1].counts.items()}

    @property
    def ok(self) -> bool:
        return bool(self.run.ok)


class E2ISession:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.engine: Engine | None = None
        self.info: ServerInfo | None = None
        self.janitor: Janitor | None = None
        self.templates: dict[tuple, MigratedTemplate] = {}
        self.start_s = 0.0
        self._work_dbs: dict[str, str] = {}
        self._pools: dict[tuple[str, bool], object] = {}
        self._connections: dict[str, psycopg.Connection] = {}
        self._catalogs: dict[str, object] = {}
        #: (kind, key, status) of every contract/drift item run, for the summary table
        self.outcomes: list[tuple[str, str, str]] = []
        self.contract_files: list = []
        self._prefetch_thread: threading.Thread | None = None
        self._prefetch_error: BaseException | None = None
        self._cancelled = False
        self._closing: threading.Thread | None = None
        self._close_error: BaseException | None = None
        self._seed_files: tuple[Path, ...] = ()
        self._seed_taken = False

    # -- background start -------------------------------------------------------------------
    def prefetch(self) -> None:
        """Start the server, build the default template and read its catalog in a background thread.

        Why: most of that time is spent waiting -- for ``cp`` and ``postgres`` to start, for the
        server to run each statement -- while the main thread has its own work to do (importing
        modules, loading and validating contracts).  Overlapping the two is what brings a
        ``pytest --e2i-contracts`` run close to the time of the bare steps.  Every other method
        waits for the thread first, so callers never see a half-built session; an error raised in
        the thread is raised again by the first call that waits.
        """
        if self._prefetch_thread is not None or self.info is not None:
            return

        def work() -> None:
            try:
                self.server()  # before anything imports psycopg and pglast (finding migrations does)
                self._template(with_catalog=True)
            except BaseException as exc:  # handed to the main thread by _sync()
                self._prefetch_error = exc
            finally:
                sys.setswitchinterval(interval)

        # The build is a conversation -- a statement, a wait, the next one -- and after each wait
        # this thread needs the interpreter lock back.  While the main thread runs Python (loading
        # the contracts), it would wait up to the switch interval (5 ms) every time: measured, a
        # 0.33 s build took 6 s next to a busy thread, 0.41 s with 50 us.  Restored at the end.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(_BUILD_SWITCH_INTERVAL)
        self._prefetch_thread = threading.Thread(target=work, name="e2i-schema-prefetch", daemon=True)
        try:
            self._prefetch_thread.start()
        except BaseException:
            sys.setswitchinterval(interval)
            raise
        _import_build_modules()

    def building_in_background(self) -> bool:
        """True while :meth:`prefetch`'s thread builds the template (this thread may do other work)."""
        return self._prefetch_thread is not None and self._prefetch_thread.is_alive()

    def _sync(self) -> None:
        """Wait for :meth:`prefetch`'s thread (unless called from it); re-raise its error once."""
        thread = self._prefetch_thread
        if thread is None or thread is threading.current_thread():
            return
        thread.join()
        self._prefetch_thread = None
        if self._prefetch_error is not None:
            error, self._prefetch_error = self._prefetch_error, None
            raise error

    def _stop_prefetch(self) -> None:
        """On close (also after Ctrl-C): let the thread stop at the next file, or stop its server
        under it when a statement takes longer; its error, if any, no longer matters."""
        thread = self._prefetch_thread
        if thread is None or thread is threading.current_thread():
            return
        self._cancelled = True
        thread.join(timeout=1.0)
        if thread.is_alive() and self.engine is not None:
            self.engine.stop()  # the thread's query fails; the reaper covers a server started meanwhile
            thread.join(timeout=10.0)
        self._prefetch_thread = None
        self._prefetch_error = None
        self._cancelled = False

    def _check_cancelled(self, _result: object = None) -> None:
        if self._cancelled:
            raise E2IError("the session was closed while the migrations were being applied")

    # -- server -----------------------------------------------------------------------------
    def _check_open(self) -> None:
        """After :meth:`close_in_background` only what was built and read is left (the summary
        reads templates and catalogs); anything that needs the server is an error."""
        if self._closing is not None:
            raise E2IError("the e2i-schema session is closing: the server is being stopped after the last test")

    def server(self) -> ServerInfo:
        self._sync()
        self._check_open()
        if self.info is None:
            t0 = time.perf_counter()
            self.engine = make_engine(self.settings)
            if hasattr(self.engine, "seed"):
                self.engine.seed = self._prelude_seed()
            self.info = self.engine.start()
            from .janitor import Janitor

            self.janitor = Janitor(self.info, clone_strategy=self.settings.clone_strategy)
            self.start_s = time.perf_counter() - t0
        return self.info

    def _prelude_seed(self) -> Seed | None:
        """The session's prelude as an engine :class:`Seed`: applied once into a cached cluster,
        so that later runs start with it instead of applying it again (about 50 ms of the
        reference schema's build).  None without a prelude or with the cache off."""
        if not self.settings.prelude or not self.settings.cache:
            return None
        files = resolve_prelude(self.settings.prelude, self.settings.rootdir)
        digest = hashlib.sha256(b"e2i-seed-1\0")
        for path in files:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        if self.settings.stand_ins_on:  # CREATE EXTENSION in the prelude may install a stand-in
            from .standins import EXTENSION_DIR

            for f in sorted(EXTENSION_DIR.iterdir()):
                digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")

        def build(info: ServerInfo) -> None:
            with info.connect(autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{SEED_DATABASE}"')
            with info.connect(SEED_DATABASE) as conn:
                for path in files:
                    apply_sql_file(conn, path, display=f"prelude {path.name}")

        self._seed_files = tuple(files)
        return Seed(key=digest.hexdigest(), dbname=SEED_DATABASE, build=build)

    def _take_seed(self, info: ServerInfo, prelude_files: list[Path]) -> str | None:
        """The server's seed database when it holds exactly *prelude_files* and is still unused
        (the first template with the session's prelude takes it over)."""
        if info.seed_db and not self._seed_taken and tuple(prelude_files) == self._seed_files:
            self._seed_taken = True
            return info.seed_db
        return None

    def engine_hint(self) -> str:
        others = {
            "embedded": "PostgreSQL 18 + pgvector, no Docker",
            "local": "binaries on this machine, e.g. --e2i-pg-bin /usr/lib/postgresql/15/bin",
            "docker": "testcontainers, default image pgvector/pgvector:pg17",
        }
        hint = "; ".join(f"--e2i-engine {k} ({v})" for k, v in others.items() if k != self.settings.engine)
        if not self.settings.stand_ins_on and (self.info is None or self.info.major >= 18):
            from .standins import STANDIN_NAMES

            hint += f"; or --e2i-stand-ins for SQL stand-ins of {', '.join(sorted(STANDIN_NAMES))}"
        return hint

    # -- templates --------------------------------------------------------------------------
    def migrations(self, entries: Sequence[str] | None = None) -> list:
        from .migrations import find_migrations

        return find_migrations(list(entries) if entries else list(self.settings.migrations) or None, self.settings.rootdir)

    def template(
        self, entries: Sequence[str] | None = None, prelude: Sequence[str] | None = None,
        *, upto: str | None = None, keep_going: bool | None = None,
    ) -> MigratedTemplate:
        """Build (once) a database with the prelude and the migrations applied."""
        self._sync()
        return self._template(entries, prelude, upto=upto, keep_going=keep_going)

    def _template(self, entries: Sequence[str] | None = None, prelude: Sequence[str] | None = None, *,
                  upto: str | None = None, keep_going: bool | None = None,
                  with_catalog: bool = False) -> MigratedTemplate:
        prelude = tuple(self.settings.prelude if prelude is None else prelude)
        keep_going = self.settings.keep_going if keep_going is None else keep_going
        key = (tuple(entries or ()), prelude, upto, keep_going)
        if key not in self.templates:
            migrations = self.migrations(entries)
            if upto is not None:
                migrations = select_upto(migrations, upto)
            self.templates[key] = self._build(migrations, prelude, keep_going, label="tmpl", with_catalog=with_catalog)
        return self.templates[key]

    def _build(self, migrations: list, prelude: Sequence[str], keep_going: bool, label: str,
               with_catalog: bool = False) -> MigratedTemplate:
        """``with_catalog``: also read the catalog for :meth:`catalog`, on the connection that
        migrated (its caches are warm: a new connection reads the catalog about 30% slower)."""
        info = self.server()  # first: the imports below run while the server starts (prefetch)
        from .catalog import read_catalog
        from .catalog.read import FileCounts
        from .migrations import apply_migrations

        t0 = time.perf_counter()
        prelude_files = resolve_prelude(prelude, self.settings.rootdir)
        seeded = self._take_seed(info, prelude_files)
        dbname = self.janitor.adopt(seeded, label) if seeded else self.janitor.create(label)
        baseline = None
        baseline_counts: dict[str, int] = {}
        # The prelude sets database-level defaults (search_path): migrations get a new connection.
        if prelude_files:
            with info.connect(dbname) as conn:
                for path in prelude_files if not seeded else ():  # a seed database has it already
                    apply_sql_file(conn, path, display=f"prelude {path.name}")
                baseline = _seed_baseline(info, conn) if seeded else read_catalog(conn)
        with info.connect(dbname) as conn:
            xids = [_next_xid(conn)]
            file_counts = FileCounts()  # counts after each file, incremental where a file only adds
            if prelude_files:
                baseline_counts = file_counts.count(conn)

            def counter(c: psycopg.Connection, result) -> dict[str, int]:
                xids.append(_next_xid(c))
                return file_counts.count(c, only_added=result.ok and result.only_adds)

            run = apply_migrations(
                lambda: conn, migrations, keep_going=keep_going,
                settings=dict(self.settings.session_settings),
                server_desc=info.describe(dbname), engine_hint=self.engine_hint(), counter=counter,
                on_result=self._check_cancelled,
            )
            standins = _standins_used(conn)
            if with_catalog and run.ok:
                with info.connect(dbname) as second:  # half the queries on each: half the time
                    self._catalogs[dbname] = self._read_catalog(conn, baseline, second)
        return MigratedTemplate(
            dbname=dbname, run=run, migrations=migrations, prelude=prelude_files, baseline=baseline,
            build_s=time.perf_counter() - t0, standins_used=standins, baseline_counts=baseline_counts,
            xid_bounds=tuple(xids) if len(xids) == len(run.results) + 1 else (),
        )

    def catalog(self, template: MigratedTemplate | None = None):
        """The template's catalog, read once (a handful of batched queries), prelude objects excluded."""
        self._sync()
        template = template or self.template()
        if template.dbname not in self._catalogs:
            with self.server().connect(template.dbname) as conn:
                self._catalogs[template.dbname] = self._read_catalog(conn, template.baseline)
        return self._catalogs[template.dbname]

    def _read_catalog(self, conn: psycopg.Connection, baseline: object | None,
                      second: psycopg.Connection | None = None):
        """The catalog in the session's scope (``schemas`` setting), the prelude's objects excluded."""
        from .catalog import read_catalog

        return read_catalog(conn, schemas=list(self.settings.schemas) or None, baseline=baseline,
                            second_connection=second)

    def clone(self, template: MigratedTemplate, label: str = "test") -> str:
        self._sync()
        self._check_open()
        return self.janitor.create(label, template=template.dbname)

    def fresh_db(self, template: MigratedTemplate, *, autocommit: bool = True):
        """``(dbname, connection)``: a new clone of *template* for one test, made ahead of time by
        a :class:`~pytest_e2i_schema.janitor.ClonePool`; hand it back with :meth:`release_fresh_db`."""
        self._sync()
        self._check_open()
        key = (template.dbname, autocommit)
        pool = self._pools.get(key)
        if pool is None:
            from .janitor import ClonePool

            pool = self._pools[key] = ClonePool(self.janitor, template.dbname, autocommit=autocommit)
        return pool.take()

    def release_fresh_db(self, template: MigratedTemplate, dbname: str, conn, *, autocommit: bool = True) -> None:
        """Close the connection; the clone is dropped in the background."""
        self._pools[(template.dbname, autocommit)].give_back(dbname, conn)

    def work_db(self, template: MigratedTemplate) -> str:
        """One clone per template for transaction-isolated tests (``e2i_db``): tests roll back,
        so they can share it, and the template itself stays connection-free for cloning."""
        if template.dbname not in self._work_dbs:
            self._work_dbs[template.dbname] = self.clone(template, "work")
        return self._work_dbs[template.dbname]

    def shared_connection(self, dbname: str) -> psycopg.Connection:
        """One reusable connection per database: connecting costs milliseconds, rollback microseconds."""
        self._sync()
        self._check_open()
        conn = self._connections.get(dbname)
        if conn is None or conn.closed or conn.broken:
            conn = self._connections[dbname] = self.server().connect(dbname)
        return conn

    def close_in_background(self) -> None:
        """Start :meth:`close`'s slow part -- closing connections and pools, stopping the server,
        deleting its directory -- in a thread, and keep what the run summary reads (server facts,
        templates, outcomes).  Called once the last test has run: pytest then prints its
        summaries, which take about as long as stopping the server.  Anything that needs the
        server afterwards gets an error; :meth:`close` waits for the thread."""
        if self._closing is not None:
            return
        self._closing = threading.Thread(target=self._release_quietly, name="e2i-schema-close")
        self._closing.start()

    def _release_quietly(self) -> None:
        try:
            self._release()
        except BaseException as exc:  # handed to close()
            self._close_error = exc

    def _release(self) -> None:
        errors: list[str] = []
        self._stop_prefetch()
        for conn in self._connections.values():
            conn.close()
        self._connections.clear()
        for pool in self._pools.values():
            try:
                pool.close()
            except E2IError as exc:
                errors.append(str(exc))
        self._pools.clear()
        if self.janitor is not None and not self.settings.keep_server:
            try:
                if self.info is not None and self.info.owned:
                    self.janitor.forget_all()  # the whole server and its data dir go next
                else:
                    self.janitor.drop_all()
            except E2IError as exc:
                errors.append(str(exc))
        if self.engine is not None:
            self.engine.stop()
        if errors:
            raise E2IError("; ".join(errors))

    def close(self) -> None:
        closing, self._closing = self._closing, None
        try:
            if closing is not None:
                closing.join()
                if self._close_error is not None:
                    error, self._close_error = self._close_error, None
                    raise error
            else:
                self._release()
        finally:
            self.engine = self.info = self.janitor = None
            self.templates.clear()
            self._work_dbs.clear()
            self._catalogs.clear()
            self._seed_taken = False


def _import_build_modules() -> None:
    """Import what the background build needs (psycopg, pglast, the migration and catalog code)
    in the thread that starts it, right after the thread starts ``cp`` and ``postgres``.

    Why here: the build waits on those imports before its first statement, and two threads
    importing at once share one interpreter lock -- the build's imports then take twice as
    long.  Importing them first, while the server boots and before pytest loads the contracts,
    lets the build start sending statements as soon as the server accepts connections."""
    import psycopg  # noqa: F401

    from . import catalog, migrations  # noqa: F401


def select_upto(migrations: list, version: str) -> list:
    """Migrations up to and including ``version`` (matched against version label or file name)."""
    for i, mig in enumerate(migrations):
        if version in (mig.version_label, mig.path.name, mig.display, mig.path.stem) or mig.version_label.lstrip("0") == version.lstrip("0"):
            return migrations[: i + 1]
    known = ", ".join(m.version_label for m in migrations) or "none"
    raise ConfigError(f"no migration with version {version!r}; known versions: {known}")


def _seed_baseline(info: ServerInfo, conn: psycopg.Connection):
    """The catalog of a seed database just taken over, read once per stored seed build.

    Why: it is the same in every run that starts from the same cached cluster (``seed_id``)
    and reading it was an eighth of the reference schema's build.  Kept with the parse cache
    (``E2I_PARSE_CACHE=0`` turns both off), keyed by the catalog-reading code too."""
    from .catalog import read_catalog

    if not info.seed_id:
        return read_catalog(conn)
    from .parsecache import cached

    return cached("seed-baseline", ("catalog",), (info.seed_id, str(info.version_num)), lambda: read_catalog(conn))


def _next_xid(conn: psycopg.Connection) -> int:
    """The transaction id the server assigns next (no transaction of our own is left open)."""
    row = conn.execute("select pg_snapshot_xmax(pg_current_snapshot())::text::bigint", prepare=False).fetchone()
    if not conn.autocommit:
        conn.rollback()
    return int(row[0])


def _standins_used(conn: psycopg.Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        "select e.extname, coalesce(a.comment, '') from pg_extension e "
        "left join pg_available_extensions a on a.name = e.extname "
        "where a.comment like 'e2i-schema stand-in%' order by 1"
    ).fetchall()
    conn.rollback()
    return [(r[0], r[1]) for r in rows]
