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

__all__ = ["Janitor"]

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
    def create(self, label: str = "db", *, template: str | None = None) -> str:
        name = self.new_name(label)
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            self.terminate(template)
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        query += self._strategy_clause()  # also for template1: FILE_COPY is faster there too
        try:
            self.admin().execute(query)
        except psycopg.Error as exc:
            raise EngineError(
                f"can't create database {name!r} on {self.info.describe()}: {exc.diag.message_primary or exc}"
            ) from None
        self.created.append(name)
        return name

    def terminate(self, name: str) -> None:
        """Close other sessions on one of our databases (needed before cloning or dropping)."""
        if name not in self.created:
            return
        self.admin().execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            [name],
        )

    def drop(self, name: str) -> None:
        if name not in self.created:
            raise EngineError(f"refusing to drop database {name!r}: this tool did not create it")
        self.terminate(name)
        force = sql.SQL(" WITH (FORCE)") if self.info.version_num >= 130000 else sql.SQL("")
        try:
            self.admin().execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)) + force)
        except psycopg.Error as exc:
            raise EngineError(f"can't drop database {name!r}: {exc.diag.message_primary or exc}") from None
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
