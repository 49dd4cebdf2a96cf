"""The ``local`` engine: initdb + postgres from binaries already on this machine.

Lets users test on the same major version as production (e.g. Debian's PostgreSQL 15 at
``/usr/lib/postgresql/15/bin``).  Binaries are looked up in this order: ``--e2i-pg-bin`` /
``pg_bin``; ``pg_config --bindir`` of the ``pg_config`` on PATH; ``postgres`` on PATH;
Debian/Ubuntu's ``/usr/lib/postgresql/<newest>/bin``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import EngineUnavailable
from .cluster import ClusterEngine

__all__ = ["LocalEngine", "find_local_bindir"]


def find_local_bindir(pg_bin: str | None = None) -> Path:
    looked: list[str] = []
    if pg_bin:
        path = Path(pg_bin).expanduser()
        if (path / "postgres").exists():
            return path
        raise EngineUnavailable(f"no postgres binary in pg_bin {str(path)!r}; point --e2i-pg-bin at the directory holding initdb and postgres")
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        cand = Path(out.stdout.strip())
        looked.append(f"pg_config --bindir ({cand})")
        if out.returncode == 0 and (cand / "postgres").exists():
            return cand
    on_path = shutil.which("postgres")
    looked.append("postgres on PATH")
    if on_path:
        return Path(on_path).resolve().parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    looked.append("/usr/lib/postgresql/*/bin")
    if debian:
        return debian[-1].parent
    raise EngineUnavailable(
        f"the local engine found no PostgreSQL server binaries (looked at: {', '.join(looked)}); "
        "install PostgreSQL, pass --e2i-pg-bin DIR, or use --e2i-engine embedded"
    )


class LocalEngine(ClusterEngine):
    def __init__(self, pg_bin: str | None = None, **kw):
        super().__init__(find_local_bindir(pg_bin), name="local", **kw)
