"""The same migrations give a byte-identical snapshot on two engines of the same major version.

Here the two are ``embedded`` (a cluster the tool starts) and ``dsn`` (a server somebody else
runs: an embedded PostgreSQL 18 this test starts with TCP and a password).
"""

from __future__ import annotations

import dataclasses

import pytest

from pytest_e2i_schema.engines.embedded import EmbeddedEngine

from .conftest import write_project


@pytest.fixture
def other_server(data_root):
    engine = EmbeddedEngine(data_root=str(data_root), listen_tcp=True, standins=False)
    info = engine.start()
    with info.connect(autocommit=True) as conn:
        conn.execute("alter role postgres password 'other-pw'")
    yield dataclasses.replace(info, password="other-pw")
    engine.stop()


def test_embedded_and_dsn_snapshots_are_byte_identical(pytester, other_server, monkeypatch):
    for var in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(var, raising=False)
    root = write_project(pytester, {
        "migrations/001_init.sql": """
            create type mood as enum ('happy', 'sad');
            create table notes (id bigint generated always as identity primary key, body text not null,
                                mood mood default 'happy', created_at timestamptz default now());
            create index notes_created_idx on notes (created_at desc) where body <> '';
            create view v_notes as select id, upper(body) as shout from notes;
            alter table notes enable row level security;
            create policy p on notes for select using (body is not null);
        """,
        "contracts/schema.yaml": 'schema_version: "1"\noptions: {drift: {default: ignore}}\n',
    }, prelude=[], snapshot=True)
    snap = root / "contracts/__snapshots__/catalog.pg18.schema"
    first = pytester.runpytest_subprocess("--e2i-contracts", "-p", "no:cacheprovider", "--e2i-engine=embedded", "--snapshot-update")
    first.assert_outcomes(passed=2)
    made = snap.read_bytes()
    dsn = f"postgresql://postgres:other-pw@127.0.0.1:{other_server.port}/postgres"
    second = pytester.runpytest_subprocess("--e2i-contracts", "-p", "no:cacheprovider", f"--e2i-dsn={dsn}")
    second.assert_outcomes(passed=2)
    second.stdout.fnmatch_lines(["*engine: dsn, PostgreSQL 18*"])
    assert "other-pw" not in second.stdout.str()
    assert snap.read_bytes() == made
