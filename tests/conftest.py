"""Shared helpers for the project's own tests.

Plugin behaviour is tested the way pytest tests plugins: ``pytester`` writes a small project
(pyproject.toml + migration files) and runs pytest on it in a subprocess, against real servers.
Tests marked with the ``engine`` fixture run once per available engine: ``embedded`` always,
``local`` when Debian's PostgreSQL 15 (or E2I_TEST_PG_BIN) is present.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

PG15_BIN = Path(os.environ.get("E2I_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
HAVE_LOCAL = (PG15_BIN / "postgres").exists()

ENGINES = [
    pytest.param(["--e2i-engine=embedded"], id="embedded"),
    pytest.param(
        ["--e2i-engine=local", f"--e2i-pg-bin={PG15_BIN}"], id="local",
        marks=pytest.mark.skipif(not HAVE_LOCAL, reason=f"no PostgreSQL binaries at {PG15_BIN}"),
    ),
]


@pytest.fixture(params=ENGINES)
def engine_args(request) -> list[str]:
    """Command-line flags selecting one engine; tests using it run on every engine."""
    return list(request.param)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r} = {toml_value(v)}".replace("'", '"') for k, v in value.items()) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_project(pytester: pytest.Pytester, files: dict[str, str], **config) -> Path:
    """Write ``files`` (path -> SQL/text, dedented) and a pyproject.toml with [tool.e2i_schema] = config."""
    root = Path(pytester.path)
    config.setdefault("snapshot", False)  # snapshot tests turn it on; elsewhere it would need a committed file
    lines = ["[tool.e2i_schema]"] + [f"{k} = {toml_value(v)}" for k, v in config.items()]
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def postgres_processes_under(prefix: str) -> list[str]:
    """Command lines of running postgres processes whose data dir starts with ``prefix``."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "postgres" in cmd and prefix in cmd:
            out.append(f"{pid}: {cmd}")
    return out


@pytest.fixture
def data_root():
    """A world-traversable scratch dir for server data (as root, postgres runs as another user
    and pytest's own tmp_path is private)."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="e2i-test-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)
