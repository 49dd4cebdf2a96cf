"""The ``docker`` engine: a throwaway container through testcontainers.

Default image ``pgvector/pgvector:pg17``; any Postgres image works (``supabase/postgres:...``
included) via ``docker_image``.  testcontainers' Ryuk sidecar removes the container even when
pytest is killed.  Without a reachable Docker daemon it fails fast with a message naming the
engines that need no Docker.
"""

from __future__ import annotations

import secrets

from ..errors import EngineError, EngineUnavailable
from .base import Engine, ServerInfo

__all__ = ["DockerEngine", "DEFAULT_IMAGE", "docker_unavailable_reason"]

DEFAULT_IMAGE = "pgvector/pgvector:pg17"


def docker_unavailable_reason() -> str | None:
    """None when a Docker daemon answers, else why not (used for skips and errors)."""
    try:
        import docker
    except ImportError:
        return "the 'docker' Python package is missing (it comes with testcontainers)"
    try:
        client = docker.from_env(timeout=3)
        client.ping()
        client.close()
        return None
    except Exception as exc:  # docker raises a zoo of exception types here
        return f"no Docker daemon answered ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"


class DockerEngine(Engine):
    name = "docker"

    def __init__(self, image: str | None = None):
        self.image = image or DEFAULT_IMAGE
        self._container = None
        self.info: ServerInfo | None = None

    def start(self) -> ServerInfo:
        reason = docker_unavailable_reason()
        if reason:
            raise EngineUnavailable(
                f"the docker engine can't start {self.image!r}: {reason}; "
                "use --e2i-engine embedded (PostgreSQL 18 + pgvector, no Docker needed), "
                "--e2i-engine local (binaries on this machine) or --e2i-engine dsn"
            )
        from testcontainers.postgres import PostgresContainer

        password = secrets.token_urlsafe(16)
        container = PostgresContainer(self.image, username="postgres", password=password, dbname="postgres", driver=None)
        container.with_command("postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        try:
            container.start()
        except Exception as exc:
            raise EngineError(f"the docker engine could not start {self.image!r}: {exc}") from None
        self._container = container
        host = container.get_container_host_ip()
        port = int(container.get_exposed_port(5432))
        info = ServerInfo(engine="docker", host=host, port=port, user="postgres", password=password)
        with info.connect(autocommit=True) as conn:
            num = conn.info.server_version
            ver = conn.execute("show server_version").fetchone()[0]
        import dataclasses

        self.info = dataclasses.replace(info, version_num=num, version=ver)
        return self.info

    def stop(self) -> None:
        if self._container is not None:
            try:
                self._container.stop()
            finally:
                self._container = None
                self.info = None
