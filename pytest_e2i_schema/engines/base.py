"""The one interface every engine implements, and what a running server looks like to the rest.

An engine knows how to bring a server up and take it down; everything after that
(creating databases, migrating, cloning) talks to the server through :class:`ServerInfo`
only, so the same code runs on an embedded cluster, Debian's binaries, a container
or a server somebody else owns.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # psycopg is imported on first connect: a server starts meanwhile (see session.prefetch)
    import psycopg

__all__ = ["ServerInfo", "Seed", "Engine"]


@dataclasses.dataclass(frozen=True)
class ServerInfo:
    """Connection facts of a running server.  ``repr`` and ``describe`` never show the password."""

    engine: str
    host: str
    port: int
    user: str
    password: str | None = dataclasses.field(default=None, repr=False)
    dbname: str = "postgres"
    version_num: int = 0
    version: str = ""
    #: True when the tool started this server (and may do anything to it);
    #: False for ``dsn`` servers, where only databases it created are touched.
    owned: bool = True
    #: Extra libpq parameters (sslmode, options, ...) carried over from a DSN.
    params: tuple[tuple[str, str], ...] = ()
    data_dir: str | None = None
    #: Directories of SQL-only stand-in extensions this server can load (PG 18+).
    standins_dir: str | None = None
    #: A database the server started with, built from the engine's :class:`Seed` (the prelude,
    #: applied once and kept in the cluster cache); ``None`` when there is none.
    seed_db: str | None = None
    #: Which stored build of the seed the server started from (the cached cluster's name and the
    #: time its control file was written): two servers with the same ``seed_id`` started with
    #: identical seed databases, so what was read from one holds for the other.
    seed_id: str | None = None

    @property
    def major(self) -> int:
        return self.version_num // 10000

    def conninfo(self, dbname: str | None = None, **extra: Any) -> str:
        from psycopg.conninfo import make_conninfo

        kw: dict[str, Any] = dict(self.params)
        kw.update(host=self.host, port=self.port, user=self.user, dbname=dbname or self.dbname)
        if self.password:
            kw["password"] = self.password
        kw.update(extra)
        return make_conninfo(**kw)

    def connect(self, dbname: str | None = None, *, autocommit: bool = False, **kw: Any) -> psycopg.Connection:
        import psycopg

        return psycopg.connect(self.conninfo(dbname), autocommit=autocommit, **kw)

    def describe(self, dbname: str | None = None) -> str:
        """Human-readable location for messages, password masked."""
        where = self.host if self.host.startswith("/") else f"{self.host}:{self.port}"
        return f"{self.engine} server {where} (user {self.user!r}, database {dbname or self.dbname!r})"


@dataclasses.dataclass(frozen=True)
class Seed:
    """A database an engine may build once and keep in its cache of initialised clusters.

    Why: every run of a Supabase-style project applies the same prelude before its migrations
    (a few hundred statements, about a sixth of building the template).  An engine that caches
    clusters (:class:`~.cluster.ClusterEngine`) builds ``dbname`` with ``build(info)`` once, on
    a server of its own, keeps the resulting cluster under ``key`` and starts later servers from
    it; :attr:`ServerInfo.seed_db` then names the database.  ``key`` must change whenever what
    ``build`` makes could (the prelude files' contents, stand-ins, settings).
    """

    key: str
    dbname: str
    build: Callable[[ServerInfo], None] = dataclasses.field(compare=False, repr=False)


class Engine(abc.ABC):
    """Starts and stops one server.  ``start`` is called once per session (per xdist worker)."""

    name: str = "?"

    @abc.abstractmethod
    def start(self) -> ServerInfo:
        """Bring a server up (or connect to one) and return how to reach it."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop what ``start`` started and remove its files.  Must be idempotent."""

    def available_extensions(self, info: ServerInfo) -> set[str]:
        with info.connect(autocommit=True) as conn:
            return {r[0] for r in conn.execute("select name from pg_available_extensions")}

    def __enter__(self) -> ServerInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
