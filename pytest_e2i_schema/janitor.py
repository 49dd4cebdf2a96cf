"""Create, clone and drop databases -- only the ones this tool made.

Every database gets a name with a per-process prefix (``e2i_<pid>_<random>_<label>``), is
remembered in :attr:`Janitor.created`, and only remembered names are ever dropped.  That is
what makes the ``dsn`` engine safe on a server that also holds real data: a database the
tool did not create can't be dropped by it, whatever its name.

Cloning uses ``CREATE DATABASE ... TEMPLATE`` with the strategy the server version offers
(PostgreSQL 15+ has ``STRATEGY FILE_COPY`` and ``WAL_LOG``); connections to the template
are closed first because PostgreSQL refuses to copy a database that is in use.
"""

from __future__ import annotations

import os
import secrets
import threading

import psycopg
from psycopg import sql

from .engines.base import ServerInfo
from .errors import EngineError

__all__ = ["Janitor", "ClonePool"]

_MAX_IDENT = 63


class Janitor:
    def __init__(self, info: ServerInfo, *, clone_strategy: str = "auto", prefix: str | None = None):
        self.info = info
        self.prefix = prefix or f"e2i_{os.getpid()}_{secrets.token_hex(3)}"
        self.clone_strategy = clone_strategy
        self.created: list[str] = []
        self._counter = 0
        self._lock = threading.Lock()
        self._admin: psycopg.Connection | None = None

    # -- names ------------------------------------------------------------------------------
    def new_name(self, label: str = "db") -> str:
        with self._lock:
            self._counter += 1
            n = self._counter
        clean = "".join(c if c.isalnum() else "_" for c in label.lower()).strip("_") or "db"
        name = f"{self.prefix}_{n}_{clean}"
        return name[:_MAX_IDENT]

    # -- admin connection -------------------------------------------------------------------
    def admin(self) -> psycopg.Connection:
        """One autocommit connection to the maintenance database, reused for every DDL."""
        if self._admin is None or self._admin.closed:
            try:
                self._admin = self.info.connect(autocommit=True)
            except psycopg.OperationalError as exc:
                raise EngineError(f"can't connect to {self.info.describe()}: {str(exc).strip()}") from None
        return self._admin

    def _strategy_clause(self) -> sql.Composable:
        """``auto`` picks FILE_COPY on 15+: with fsync off its checkpoint is cheap, and copying
        files beats WAL-logging every block of the template (measured in bench/)."""
        if self.info.version_num < 150000:
            return sql.SQL("")
        strategy = "FILE_COPY" if self.clone_strategy == "auto" else self.clone_strategy.upper()
        return sql.SQL(" STRATEGY ") + sql.SQL(strategy)

    # -- lifecycle --------------------------------------------------------------------------
    def create(self, label: str = "db", *, template: str | None = None,
               conn: psycopg.Connection | None = None) -> str:
        """A new database (a clone of *template*, else of template1); *conn*: an autocommit
        connection to run the DDL on instead of the shared admin one (another thread's)."""
        conn = conn or self.admin()
        name = self.new_name(label)
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            self.terminate(template, conn=conn)
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        query += self._strategy_clause()  # also for template1: FILE_COPY is faster there too
        try:
            conn.execute(query)
        except psycopg.Error as exc:
            raise EngineError(
                f"can't create database {name!r} on {self.info.describe()}: {exc.diag.message_primary or exc}"
            ) from None
        with self._lock:
            self.created.append(name)
        return name

    def adopt(self, existing: str, label: str = "db") -> str:
        """Take charge of a database that came with a server the tool started (an engine's seed
        database, see :class:`~pytest_e2i_schema.engines.Seed`): give it one of our names, so it
        is cloned, cleaned up and reported like the databases this janitor creates."""
        conn = self.admin()
        name = self.new_name(label)
        try:
            conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(existing), sql.Identifier(name)))
        except psycopg.Error as exc:
            raise EngineError(f"can't take over database {existing!r} on {self.info.describe()}: "
                              f"{exc.diag.message_primary or exc}") from None
        with self._lock:
            self.created.append(name)
        return name

    def terminate(self, name: str, *, conn: psycopg.Connection | None = None) -> None:
        """Close other sessions on one of our databases (needed before cloning or dropping)."""
        if name not in self.created:
            return
        (conn or self.admin()).execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            [name],
        )

    def drop(self, name: str, *, conn: psycopg.Connection | None = None) -> None:
        if name not in self.created:
            raise EngineError(f"refusing to drop database {name!r}: this tool did not create it")
        conn = conn or self.admin()
        self.terminate(name, conn=conn)
        force = sql.SQL(" WITH (FORCE)") if self.info.version_num >= 130000 else sql.SQL("")
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)) + force)
        except psycopg.Error as exc:
            raise EngineError(f"can't drop database {name!r}: {exc.diag.message_primary or exc}") from None
        with self._lock:
            self.created.remove(name)

    def forget_all(self) -> None:
        """Close the admin connection without dropping anything: for a server the tool owns and
        is about to stop and delete, where dropping each database first is wasted time."""
        self.created.clear()
        if self._admin is not None:
            self._admin.close()
            self._admin = None

    def drop_all(self) -> None:
        errors = []
        for name in reversed(list(self.created)):
            try:
                self.drop(name)
            except EngineError as exc:
                errors.append(str(exc))
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if errors:
            raise EngineError("; ".join(errors))


class ClonePool:
    """Fresh clones of one template, made ahead of time and dropped behind the test's back.

    Why: ``e2i_fresh_db`` costs a ``CREATE DATABASE ... TEMPLATE`` (about 18 ms for the
    reference schema), a connection and a ``DROP DATABASE`` per test, all server-bound.  Worker
    threads, each with its own admin connection, take them off the test's path: makers keep the
    next :attr:`AHEAD` clones -- already connected -- ready while the current test runs, and a
    dropper drops used ones.  A test waits only for what the makers have not finished yet
    (bench/RESULTS.md: about 28 -> 17 ms per test on the reference schema).  Every name still goes
    through the :class:`Janitor`, so only databases this tool made are ever dropped; a drop
    that failed in the background is reported by :meth:`close`.
    """

    #: Clones kept ready (each made by its own thread).  Making and dropping clones is CPU-bound
    #: (the kernel copies the template's files); on a 2-core machine, with tests that take no
    #: time, one thread gave a clone per CREATE DATABASE (25 ms per test on the reference
    #: schema), two 18.5 ms, three 17 ms (bench, mean per test).  Each costs one template's
    #: size on the data root while it waits.
    AHEAD = 3

    def __init__(self, janitor: Janitor, template: str, *, autocommit: bool = True, label: str = "fresh"):
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        self.janitor, self.template, self.autocommit, self.label = janitor, template, autocommit, label
        self._maker = ThreadPoolExecutor(self.AHEAD, thread_name_prefix="e2i-clone-make")
        self._dropper = ThreadPoolExecutor(1, thread_name_prefix="e2i-clone-drop")
        self._conns: dict[str, psycopg.Connection] = {}  # per worker thread
        self._errors: list[str] = []
        self._ahead = deque(self._maker.submit(self._make) for _ in range(self.AHEAD))

    def _admin(self) -> psycopg.Connection:
        key = threading.current_thread().name
        conn = self._conns.get(key)
        if conn is None or conn.closed:
            conn = self._conns[key] = self.janitor.info.connect(autocommit=True)
        return conn

    def _make(self) -> tuple[str, psycopg.Connection]:
        name = self.janitor.create(self.label, template=self.template, conn=self._admin())
        return name, self.janitor.info.connect(name, autocommit=self.autocommit)

    def _drop(self, name: str) -> None:
        try:
            self.janitor.drop(name, conn=self._admin())
        except EngineError as exc:
            self._errors.append(str(exc))

    def take(self) -> tuple[str, psycopg.Connection]:
        """The next clone and an open connection to it; starts making the one after."""
        future = self._ahead.popleft()
        self._ahead.append(self._maker.submit(self._make))
        return future.result()  # errors of the maker surface here, in the test

    def give_back(self, name: str, conn: psycopg.Connection) -> None:
        """Close the test's connection and drop the clone in the background."""
        conn.close()
        self._dropper.submit(self._drop, name)

    def close(self) -> None:
        """Drop the clones made ahead and wait for every drop; raise what went wrong."""
        while self._ahead:
            try:
                name, conn = self._ahead.popleft().result()
            except Exception:  # noqa: BLE001 - nothing was made, nothing to drop
                continue
            self.give_back(name, conn)
        self._maker.shutdown(wait=True)
        self._dropper.shutdown(wait=True)
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()
        if self._errors:
            raise EngineError("; ".join(self._errors))

