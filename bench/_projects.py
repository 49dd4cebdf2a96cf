"""Small pytest projects the benchmarks run in child processes.

Each is a folder with a ``pyproject.toml`` naming the migrations, and a ``conftest.py``
that records how long every test took (``pytest_runtest_protocol``: setup + call +
teardown, so a fixture's whole cost lands on the test that uses it).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_project", "ISOLATION_TESTS"]

_CONFTEST = '''\
"""Written by bench/_projects.py: per-test timings and the re-migrating fixture."""
import json
import os
import time
from pathlib import Path

import pytest

_TIMES = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    t0 = time.perf_counter()
    try:
        return (yield)
    finally:
        _TIMES[item.nodeid] = time.perf_counter() - t0


def pytest_sessionfinish(session):
    out = os.environ.get("BENCH_TIMINGS")
    if out:
        Path(out).write_text(json.dumps(_TIMES))


@pytest.fixture
def remigrated_db(e2i_session, e2i_settings):
    """What a test costs when it rebuilds its database: create, prelude, every migration."""
    from pytest_e2i_schema.migrations import apply_migrations
    from pytest_e2i_schema.session import apply_sql_file, resolve_prelude

    info = e2i_session.server()
    name = e2i_session.janitor.create("remig")
    prelude = resolve_prelude(e2i_settings.prelude, e2i_settings.rootdir)
    if prelude:
        with info.connect(name) as conn:
            for path in prelude:
                apply_sql_file(conn, path)
    with info.connect(name) as conn:  # a new session: the prelude sets database defaults
        apply_migrations(lambda: conn, e2i_session.migrations()).raise_for_failures()
    conn = info.connect(name, autocommit=True)
    try:
        yield conn
    finally:
        conn.close()
        e2i_session.janitor.drop(name)
'''

ISOLATION_TESTS = '''\
"""Written by bench/_projects.py: the same trivial test with each kind of isolation."""
import os

import pytest

N = {k: int(os.environ.get(f"BENCH_N_{k.upper()}", "0")) for k in ("plain", "tx", "fresh", "remigrate")}


@pytest.mark.parametrize("i", range(N["plain"]))
def test_plain(i):
    pass


@pytest.mark.parametrize("i", range(N["tx"]))
def test_tx(i, e2i_db):
    assert e2i_db.execute("select 1").fetchone() == (1,)


@pytest.mark.parametrize("i", range(N["fresh"]))
def test_fresh(i, e2i_fresh_db):
    assert e2i_fresh_db.execute("select 1").fetchone() == (1,)


@pytest.mark.parametrize("i", range(N["remigrate"]))
def test_remigrate(i, remigrated_db):
    assert remigrated_db.execute("select 1").fetchone() == (1,)
'''


def _toml_list(values) -> str:
    return "[" + ", ".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "]"


def write_project(path: Path, migrations: list[Path], *, prelude=("supabase",), engine: str | None = None,
                  pg_bin: str | None = None, isolation_tests: bool = False) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    lines = ["[tool.e2i_schema]", f"migrations = {_toml_list(migrations)}", f"prelude = {_toml_list(prelude)}"]
    if engine:
        lines.append(f'engine = "{engine}"')
    if pg_bin:
        lines.append(f"pg_bin = {_toml_list([pg_bin])[1:-1]}")
    (path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    (path / "conftest.py").write_text(_CONFTEST)
    if isolation_tests:
        (path / "test_iso.py").write_text(ISOLATION_TESTS)
    return path
