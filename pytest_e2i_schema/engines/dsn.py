"""The ``dsn`` engine: a server somebody else runs (a CI service, a staging instance...).

The tool only ever creates databases with its own unique prefix on such a server and drops
only those (see :mod:`pytest_e2i_schema.janitor`); it never writes to the database named in
the DSN.  The role in the DSN needs CREATEDB.  Passwords are masked in every message.
"""

from __future__ import annotations

import os

import psycopg
from psycopg.conninfo import conninfo_to_dict

from ..errors import ConfigError, EngineError, EngineUnavailable, mask_secrets
from .base import Engine, ServerInfo

__all__ = ["DsnEngine", "resolve_dsn"]


def resolve_dsn(dsn: str | None, dsn_env: str = "E2I_DSN") -> str:
    if dsn:
        return dsn
    value = os.environ.get(dsn_env or "E2I_DSN")
    if value:
        return value
    raise ConfigError(
        f"the dsn engine needs a server: pass --e2i-dsn or set the environment variable {dsn_env!r} "
        "(name another variable with dsn_env = '...' under [tool.e2i_schema])"
    )


class DsnEngine(Engine):
    name = "dsn"

    def __init__(self, dsn: str):
        try:
            self.params = conninfo_to_dict(dsn)
        except psycopg.ProgrammingError as exc:
            raise ConfigError(f"invalid dsn {mask_secrets(dsn)!r}: {exc}; use postgresql://user:pass@host:port/db or 'host=... dbname=...'") from None
        self.info: ServerInfo | None = None

    def start(self) -> ServerInfo:
        p = dict(self.params)
        host = str(p.pop("host", "") or os.environ.get("PGHOST", "localhost"))
        port = int(p.pop("port", "") or os.environ.get("PGPORT", 5432))
        user = str(p.pop("user", "") or os.environ.get("PGUSER") or os.environ.get("USER", "postgres"))
        password = p.pop("password", None) or os.environ.get("PGPASSWORD")
        dbname = str(p.pop("dbname", "") or "postgres")
        info = ServerInfo(
            engine="dsn", host=host, port=port, user=user, password=password, dbname=dbname,
            owned=False, params=tuple(sorted((k, str(v)) for k, v in p.items())),
        )
        try:
            with info.connect(autocommit=True, connect_timeout=10) as conn:
                num = conn.info.server_version
                ver = conn.execute("show server_version").fetchone()[0]
                can = conn.execute(
                    "select rolcreatedb or rolsuper from pg_roles where rolname = current_user"
                ).fetchone()
        except psycopg.OperationalError as exc:
            raise EngineUnavailable(
                f"can't connect to {info.describe()}: {str(exc).strip()}; check the dsn, "
                "or use --e2i-engine embedded"
            ) from None
        if not (can and can[0]):
            raise EngineError(
                f"role {user!r} on {info.describe()} lacks CREATEDB; the dsn engine creates its own "
                "databases: grant it with ALTER ROLE ... CREATEDB or use another engine"
            )
        import dataclasses

        self.info = dataclasses.replace(info, version_num=num, version=ver)
        return self.info

    def stop(self) -> None:
        self.info = None  # nothing of ours runs here; the janitor dropped our databases
