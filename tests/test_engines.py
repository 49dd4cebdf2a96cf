"""Engines against real servers: start, reach, stop, leave nothing behind."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_e2i_schema.config import load_settings
from pytest_e2i_schema.engines import make_engine
from pytest_e2i_schema.engines.docker import DockerEngine, docker_unavailable_reason
from pytest_e2i_schema.engines.dsn import DsnEngine
from pytest_e2i_schema.engines.embedded import EmbeddedEngine
from pytest_e2i_schema.engines.local import LocalEngine, find_local_bindir
from pytest_e2i_schema.errors import ConfigError, EngineError, EngineUnavailable
from pytest_e2i_schema.janitor import Janitor

from .conftest import HAVE_LOCAL, PG15_BIN, postgres_processes_under


@pytest.mark.parametrize("which", ["embedded", pytest.param("local", marks=pytest.mark.skipif(not HAVE_LOCAL, reason="no PG15"))])
def test_cluster_engine_starts_tuned_and_stops_clean(which, data_root):
    engine = EmbeddedEngine(data_root=str(data_root)) if which == "embedded" else LocalEngine(pg_bin=str(PG15_BIN), data_root=str(data_root))
    info = engine.start()
    workdir = engine.workdir
    assert str(workdir).startswith(str(data_root))
    with info.connect(autocommit=True) as conn:
        settings = dict(conn.execute(
            "select name, setting from pg_settings where name in ('fsync','synchronous_commit','full_page_writes')"
        ).fetchall())
        assert settings == {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        assert conn.info.server_version == info.version_num
    assert info.major == (18 if which == "embedded" else 15)
    assert postgres_processes_under(str(workdir))
    engine.stop()
    assert not workdir.exists()
    assert not postgres_processes_under(str(workdir))
    engine.stop()  # idempotent


def test_embedded_has_pgvector(data_root):
    engine = EmbeddedEngine(data_root=str(data_root))
    with engine as info, info.connect(autocommit=True) as conn:
        conn.execute("create extension vector")
        assert conn.execute("select '[1,2,3]'::vector <=> '[1,2,3]'::vector").fetchone()[0] == 0


def test_second_start_uses_cached_cluster(tmp_path, data_root):
    cache = tmp_path / "cache"
    first = EmbeddedEngine(data_root=str(data_root), cache_dir=cache)
    with first:
        pass
    assert not first.used_cache
    second = EmbeddedEngine(data_root=str(data_root), cache_dir=cache)
    with second as info, info.connect() as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    assert second.used_cache
    third = EmbeddedEngine(data_root=str(data_root), cache_dir=cache, use_cache=False)
    with third:
        pass
    assert not third.used_cache


def test_reaper_stops_server_when_owner_is_killed(data_root):
    script = (
        "import sys, time\n"
        "from pytest_e2i_schema.engines.embedded import EmbeddedEngine\n"
        f"e = EmbeddedEngine(data_root={str(data_root)!r}); e.start()\n"
        "print(e.workdir, flush=True); time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workdir = proc.stdout.readline().strip()
    assert workdir and postgres_processes_under(workdir)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (postgres_processes_under(workdir) or Path(workdir).exists()):
        time.sleep(0.1)
    assert not postgres_processes_under(workdir)
    assert not Path(workdir).exists()


def test_local_engine_without_binaries_says_where_it_looked(tmp_path):
    with pytest.raises(EngineUnavailable, match="no postgres binary in pg_bin .*--e2i-pg-bin"):
        find_local_bindir(str(tmp_path))


def test_docker_engine_skips_or_runs():
    reason = docker_unavailable_reason()
    if reason:
        with pytest.raises(EngineUnavailable) as exc:
            DockerEngine().start()
        assert "no Docker daemon" in str(exc.value) and "--e2i-engine embedded" in str(exc.value)
        pytest.skip(f"docker engine live test: {reason}")
    with DockerEngine() as info, info.connect() as conn:  # pragma: no cover - needs a daemon
        conn.execute("create extension if not exists vector")


@pytest.fixture
def password_server(data_root):
    """A server of our own with TCP and a password, standing in for 'somebody else's server'."""
    engine = EmbeddedEngine(data_root=str(data_root), listen_tcp=True)
    info = engine.start()
    with info.connect(autocommit=True) as conn:
        conn.execute("alter role postgres password 's3cret-pw'")
        conn.execute("create role app login password 'app-pw' createdb")
        conn.execute("create database precious owner app")
    # require passwords over TCP from now on
    hba = Path(info.data_dir) / "pg_hba.conf"
    hba.write_text("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
    with info.connect(autocommit=True) as conn:
        conn.execute("select pg_reload_conf()")
    yield dataclasses.replace(info, password="s3cret-pw")
    engine.stop()


def test_dsn_engine_touches_only_its_own_databases(password_server):
    dsn = f"postgresql://app:app-pw@127.0.0.1:{password_server.port}/precious"
    engine = DsnEngine(dsn)
    info = engine.start()
    assert not info.owned and info.dbname == "precious"
    assert "app-pw" not in repr(info) and "app-pw" not in info.describe()
    janitor = Janitor(info)
    with info.connect(autocommit=True) as conn:
        before = {r[0] for r in conn.execute("select datname from pg_database")}
    made = janitor.create("x")
    clone = janitor.create("y", template=made)
    with info.connect(autocommit=True) as conn:
        during = {r[0] for r in conn.execute("select datname from pg_database")}
    assert during - before == {made, clone}
    with pytest.raises(EngineError, match="refusing to drop database 'precious'"):
        janitor.drop("precious")
    janitor.drop_all()
    engine.stop()
    with password_server.connect(autocommit=True) as conn:
        after = {r[0] for r in conn.execute("select datname from pg_database")}
    assert after == before and "precious" in after


def test_clone_pool_on_a_dsn_server_drops_every_clone_it_made(password_server):
    """The fresh-database pool makes clones ahead and drops them in the background; on a server
    the tool does not own, closing it must leave exactly the databases that were there."""
    from pytest_e2i_schema.janitor import ClonePool

    info = DsnEngine(f"postgresql://app:app-pw@127.0.0.1:{password_server.port}/precious").start()
    janitor = Janitor(info)
    with info.connect(autocommit=True) as conn:
        before = {r[0] for r in conn.execute("select datname from pg_database")}
    template = janitor.create("tmpl")
    with info.connect(template, autocommit=True) as conn:
        conn.execute("create table t (id int)")
    pool = ClonePool(janitor, template)
    names = []
    for _ in range(4):
        name, conn = pool.take()
        assert conn.execute("select count(*) from t").fetchone()[0] == 0  # untouched clone
        conn.execute("insert into t values (1)")
        names.append(name)
        pool.give_back(name, conn)
    assert len(set(names)) == 4 and template not in names
    pool.close()
    janitor.drop_all()
    with info.connect(autocommit=True) as conn:
        after = {r[0] for r in conn.execute("select datname from pg_database")}
    assert after == before


def test_dsn_errors_mask_the_password(password_server):
    dsn = f"postgresql://app:wrong-pw-123@127.0.0.1:{password_server.port}/precious"
    with pytest.raises(EngineUnavailable) as exc:
        DsnEngine(dsn).start()
    assert "wrong-pw-123" not in str(exc.value)
    assert "127.0.0.1" in str(exc.value)


def test_dsn_role_without_createdb_is_refused(password_server):
    with password_server.connect(autocommit=True) as conn:
        conn.execute("create role reader login password 'r-pw'")
    with pytest.raises(EngineError, match="lacks CREATEDB"):
        DsnEngine(f"postgresql://reader:r-pw@127.0.0.1:{password_server.port}/postgres").start()


def test_make_engine_dsn_needs_a_dsn(tmp_path, monkeypatch):
    monkeypatch.delenv("E2I_DSN", raising=False)
    settings = load_settings(tmp_path, {"engine": "dsn"})
    with pytest.raises(ConfigError, match="E2I_DSN"):
        make_engine(settings)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the server as another account")
def test_private_stand_ins_are_copied_where_the_server_account_can_read(tmp_path, data_root, monkeypatch):
    import shutil

    import pytest_e2i_schema.standins as standins

    private = tmp_path / "private" / "standins"  # pytest's tmp_path is 0700: unreachable for 'nobody'
    shutil.copytree(standins.STANDINS_DIR / "extension", private / "extension")
    (private / "extension" / "zz_probe.control").write_text("comment = 'probe'\ndefault_version = '1.0'\n")
    (private / "extension" / "zz_probe--1.0.sql").write_text("create function zz_probe() returns int language sql as 'select 42';\n")
    monkeypatch.setattr(standins, "STANDINS_DIR", private)
    engine = EmbeddedEngine(data_root=str(data_root))
    with engine as info, info.connect(autocommit=True) as conn:
        assert not info.standins_dir.startswith(str(tmp_path))
        conn.execute("create extension zz_probe")
        assert conn.execute("select zz_probe()").fetchone() == (42,)


def test_session_closed_in_background_keeps_its_summary_and_leaves_nothing(tmp_path, data_root):
    """After the last test the server stops while pytest prints its summaries: the summary
    still has what it reads, nothing can use the server meanwhile, close() waits for the stop."""
    from pytest_e2i_schema.errors import E2IError
    from pytest_e2i_schema.report import summary_lines
    from pytest_e2i_schema.session import E2ISession

    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "001_t.sql").write_text("create table t (id int);\n")
    settings = load_settings(tmp_path, {"data_root": str(data_root), "migrations": ["migrations"]}, {})
    session = E2ISession(settings)
    info = session.server()
    template, catalog = session.template(), session.catalog()
    assert [t.name for t in catalog.tables] == ["t"]
    workdir = Path(info.host)
    assert postgres_processes_under(str(workdir))
    session.close_in_background()
    session.close_in_background()  # once is enough
    lines = summary_lines(session)
    assert lines[0].startswith(f"engine: embedded, PostgreSQL {info.version}")
    assert lines[1].startswith("migrations: 1/1 applied")
    assert session.template() is template and session.catalog() is catalog  # what was read stays
    with pytest.raises(E2IError, match="closing"):
        session.server()
    with pytest.raises(E2IError, match="closing"):
        session.work_db(template)
    session.close()
    assert session.info is None and not workdir.exists()
    assert not postgres_processes_under(str(workdir))


def test_cluster_cache_is_keyed_by_the_binaries_without_running_them(tmp_path):
    """No ``postgres --version`` on the hot path: the cache entry changes when the binary does."""
    from pytest_e2i_schema.engines.cluster import ClusterEngine

    bindir = tmp_path / "bin"
    bindir.mkdir()
    binary = bindir / "postgres"
    binary.write_text("#!/bin/sh\nexit 1\n")
    engine = ClusterEngine(bindir, name="fake", cache_dir=tmp_path / "cache")
    first = engine._cache_key()
    assert engine._cache_key() == first
    binary.write_text("#!/bin/sh\nexit 2\n")  # an upgrade in place: new size or modification time
    os.utime(binary, ns=(0, 1))
    assert engine._cache_key() != first


def test_the_prelude_is_applied_once_into_the_cluster_cache(tmp_path, data_root, monkeypatch):
    """The prelude is an engine seed: built into a cached cluster once; later servers start with
    it.  The template, its catalog and its database settings are what applying it gives."""
    from pytest_e2i_schema.errors import MigrationError
    from pytest_e2i_schema.session import E2ISession

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    (project / "migrations").mkdir(parents=True)
    (project / "migrations" / "001_t.sql").write_text("create table t (id int);\n")
    prelude = project / "pre.sql"
    prelude.write_text(
        "create schema pre;\ncreate table pre.platform (id int);\n"
        "do $$ begin execute format('alter database %I set search_path = pre, public', current_database()); end $$;\n"
    )

    def run(**overrides):
        settings = load_settings(project, {"data_root": str(data_root), "migrations": ["migrations"],
                                           "prelude": ["pre.sql"], **overrides}, {})
        session = E2ISession(settings)
        try:
            info = session.server()
            template = session.template()
            catalog = session.catalog()
            with info.connect(template.dbname) as conn:
                path = conn.execute("show search_path").fetchone()[0]
            return (info.seed_db, catalog, path, template.object_counts(), session.engine.seed_note,
                    template.baseline, info.seed_id)
        finally:
            session.close()

    seeded = run()
    baselines = tmp_path / "xdg" / "pytest-e2i-schema" / "parsed" / "seed-baseline"
    assert len(list(baselines.rglob("*.pickle"))) == 1  # the seed database's catalog, read once
    again = run()
    plain = run(cache=False)
    assert seeded[0] == again[0] == "e2i_prelude" and plain[0] is None
    assert [t.key for t in seeded[1].tables] == ["pre.t"]  # search_path from the prelude; pre.platform excluded
    assert seeded[1:4] == again[1:4] == plain[1:4]
    assert seeded[2] == "pre, public"  # database settings made by the prelude are there
    # the stored baseline is what reading the prelude's objects gives
    assert seeded[5] == again[5] == plain[5] and [t.key for t in seeded[5].tables] == ["pre.platform"]
    assert seeded[6] == again[6] is not None and plain[6] is None
    clusters = tmp_path / "xdg" / "pytest-e2i-schema" / "clusters"
    assert len(list(clusters.glob("embedded-seeded-*"))) == 1
    # each start marks what it used: the seeded cluster, and the plain one the next seed needs
    entries = [p for p in clusters.iterdir() if not p.name.startswith(".")]
    assert len(entries) == 2
    for entry in entries:
        os.utime(entry, (1, 1))
    run()
    assert all(entry.stat().st_mtime > time.time() - 600 for entry in entries)
    # a rebuilt cluster is another stored build: its baseline is read again, not trusted
    shutil.rmtree(next(clusters.glob("embedded-seeded-*")))
    rebuilt = run()
    assert rebuilt[6] != seeded[6] and rebuilt[5] == seeded[5]
    assert len(list(baselines.rglob("*.pickle"))) == 2
    prelude.write_text(prelude.read_text() + "create table pre.more (id int);\n")
    assert run()[0] == "e2i_prelude"
    assert len(list(clusters.glob("embedded-seeded-*"))) == 2  # new content, new entry
    prelude.write_text("create table broken (\n")
    settings = load_settings(project, {"data_root": str(data_root), "migrations": ["migrations"],
                                       "prelude": ["pre.sql"]}, {})
    session = E2ISession(settings)
    try:
        assert session.server().seed_db is None
        assert "not cached" in session.engine.seed_note
        with pytest.raises(MigrationError, match="prelude failed"):  # reported as without a cache
            session.template()
    finally:
        session.close()
