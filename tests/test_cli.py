"""The ``e2i-schema`` command: same settings and machinery as the plugin, exit codes for CI."""

from __future__ import annotations

import subprocess
import sys

from .conftest import write_project


def cli(cwd, *args):
    return subprocess.run([sys.executable, "-m", "pytest_e2i_schema.cli", *args], cwd=cwd, capture_output=True, text=True)


def test_list_shows_the_apply_order(pytester):
    write_project(pytester, {
        "migrations/0002-b.sql": "select 1;", "migrations/00010-c.sql": "select 1;", "migrations/0001_a.sql": "select 1;",
    })
    out = cli(pytester.path, "list")
    assert out.returncode == 0, out.stderr
    names = [line.split()[-1] for line in out.stdout.splitlines()]
    assert names == ["migrations/0001_a.sql", "migrations/0002-b.sql", "migrations/00010-c.sql"]


def test_migrate_exit_codes(pytester):
    write_project(pytester, {"migrations/001_a.sql": "create table a (id int);"}, prelude=[])
    ok = cli(pytester.path, "migrate")
    assert ok.returncode == 0, ok.stderr
    assert "migrations: 1/1 applied" in ok.stdout
    (pytester.path / "migrations" / "002_b.sql").write_text("create table a (id int);\n")
    bad = cli(pytester.path, "migrate")
    assert bad.returncode == 1
    assert "002_b.sql:1:1: ERROR 42P07" in bad.stderr
    usage = cli(pytester.path, "migrate", "--engine", "dsn")
    assert usage.returncode == 2 and "E2I_DSN" in usage.stderr
