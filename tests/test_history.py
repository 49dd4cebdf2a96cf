"""Migration history (the catalog after each file), last_touched, and the ``history`` / ``diff``
commands -- ``diff --base`` on a throw-away git repository with two commits."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_e2i_schema.history import History, catalog_history, last_touched
from pytest_e2i_schema.history_cli import default_base
from pytest_e2i_schema.migrations import find_migrations

from .conftest import write_project

MIGRATIONS = {
    "001_a.sql": """
        create table a (id int primary key);
        create type mood as enum ('ok');
    """,
    "002_b.sql": """
        alter table a add column note text;
        create table b (id int);
    """,
    "003_c.sql": """
        alter type mood add value 'great' after 'ok';
        drop table b;
        create index a_note on a (note);
    """,
}


def write_migrations(folder: Path, files: dict[str, str]) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (folder / name).write_text(textwrap.dedent(sql).lstrip())
    return find_migrations([str(folder)], folder.parent)


def test_history_says_what_each_migration_did(e2i_session, tmp_path):
    migrations = write_migrations(tmp_path / "m", MIGRATIONS)
    history = catalog_history(e2i_session, migrations, prelude=[])
    assert isinstance(history, History) and history.ok and len(history) == 3
    (m1, d1), (m2, d2), (m3, d3) = history
    assert [m.path.name for m in (m1, m2, m3)] == ["001_a.sql", "002_b.sql", "003_c.sql"]
    assert {(c.kind, c.key) for c in d1.added} == {("table", "public.a"), ("enum", "public.mood"), ("index", "public.a_pkey")}
    assert not d1.removed and not d1.changed
    assert d2.lines() == ["added (1):", "  table b (columns: id)", "changed (1):", "  table a: + column note text"]
    assert d3.lines() == [
        "added (1):", "  index a_note on a (USING btree (note))",
        "removed (1):", "  table b",
        "changed (1):", "  enum mood: + great (after ok)",
    ]  # fmt: skip
    assert last_touched(history, "table", "a") is m3  # its new index counts
    assert last_touched(history, "table", "a", children=False) is m2
    assert last_touched(history, "table", "public.b") is m3  # dropped there
    assert last_touched(history, "enum", "mood") is m3
    assert last_touched(history, "table", "nowhere") is None
    assert history.blame("table", "public.b") == m3.display
    assert history.final is not None and history.final.get("table", "public.a") is not None
    text = "\n".join(history.lines())
    assert f"{m3.display}: 1 created, 1 dropped, 1 changed" in text
    assert "  dropped (1):\n    table b" in text
    only = history.lines(only=("enum", "mood"))
    assert [ln for ln in only if not ln.startswith(" ")] == [f"{m1.display}: 3 created, 0 dropped, 0 changed",
                                                             f"{m3.display}: 1 created, 1 dropped, 1 changed"]


def test_history_excludes_the_prelude_and_can_be_replayed(e2i_session, tmp_path):
    migrations = write_migrations(tmp_path / "m", {
        "001_profiles.sql": """
            create role e2i_hist_role nologin;
            create table profiles (id uuid primary key references auth.users (id), owner uuid default auth.uid());
            alter table profiles enable row level security;
            create policy own on profiles for select to e2i_hist_role using (id = auth.uid());
        """,
    })
    for _ in range(2):  # the role made by the migration is dropped afterwards: a second replay works
        history = catalog_history(e2i_session, migrations, prelude=["supabase"])
        assert history.ok, history.run.report()
        ((_, diff),) = history
        assert {(c.kind, c.key) for c in diff.added} == {
            ("table", "public.profiles"), ("index", "public.profiles_pkey"), ("policy", "public.profiles.own"),
        }  # no auth.users, no schema auth, no "schema public created"
    assert history.baseline is not None and history.baseline.get("table", "auth.users") is not None


def test_history_stops_at_a_failing_migration(e2i_session, tmp_path):
    migrations = write_migrations(tmp_path / "m", {
        "001_ok.sql": "create table a (id int);",
        "002_bad.sql": "create table b (id int);\ncreate table a (id int);",
        "003_never.sql": "create table c (id int);",
    })
    history = catalog_history(e2i_session, migrations, prelude=[])
    assert not history.ok and len(history) == 2
    assert history[1].diff.is_empty  # the failing file was rolled back
    text = "\n".join(history.lines())
    assert "002_bad.sql: FAILED" in text and "ERROR 42P07" in text and "not attempted: " in text


# -- commands -----------------------------------------------------------------------------


def e2i(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The history/diff commands (``python -m pytest_e2i_schema.history``: works before and after
    ``e2i-schema`` wires them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    return subprocess.run([sys.executable, "-m", "pytest_e2i_schema.history_cli", *args], cwd=cwd,
                          capture_output=True, text=True, env=env)


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(["git", "-c", "user.name=e2i", "-c", "user.email=e2i@example.com",
                          "-c", "commit.gpgsign=false", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_history_command(pytester):
    root = write_project(pytester, {f"migrations/{k}": v for k, v in MIGRATIONS.items()},
                         migrations=["migrations"], prelude=[])
    out = e2i(root, "history")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == ["migrations/001_a.sql: 3 created, 0 dropped, 0 changed", "  created (3):"]
    assert "  changed (1):\n    enum mood: + great (after ok)" in out.stdout
    one = e2i(root, "history", "--object", "table b")
    assert one.returncode == 0, one.stderr
    assert one.stdout.strip().endswith("last touched by: migrations/003_c.sql")
    assert "001_a.sql" not in one.stdout
    (root / "migrations" / "004_bad.sql").write_text("select nope;\n")
    bad = e2i(root, "history")
    assert bad.returncode == 1 and "004_bad.sql: FAILED" in bad.stdout
    assert e2i(root, "history", "--object", "gizmo x").returncode == 2


@pytest.fixture
def repo(pytester) -> Path:
    """A git repository: main has 001; branch feature adds 002 and changes nothing else."""
    root = write_project(pytester, {
        "migrations/001_init.sql": """
            create type mood as enum ('ok', 'meh');
            create role e2i_diff_reader nologin;
            create table memories (id int primary key, importance text);
            alter table memories enable row level security;
            create policy "own rows" on memories for select to e2i_diff_reader using (id > 0);
        """,
    }, migrations=["migrations"], prelude=[])
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    git(root, "checkout", "-qb", "feature")
    (root / "migrations" / "002_more.sql").write_text(
        "alter type mood add value 'great' after 'ok';\n"
        "alter table memories add column note text;\n"
        "create index memories_note on memories (note);\n"
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "two")
    return root


EXPECTED = [
    "added (1):",
    "  index memories_note on memories (USING btree (note))",
    "changed (2):",
    "  table memories: + column note text",
    "  enum mood: + great (after ok)",
]


def test_diff_base_on_a_git_repository(repo):
    out = e2i(repo, "diff", "--base", "HEAD~1")
    assert out.returncode == 1, out.stderr
    first, *lines = out.stdout.splitlines()
    assert first.startswith("HEAD~1 (") and first.endswith(") -> working tree: 1 added, 0 removed, 2 changed")
    assert lines == EXPECTED

    default = e2i(repo, "diff")  # merge base with main
    assert default.returncode == 1, default.stderr
    assert default.stdout.splitlines()[0].startswith("merge base with main (")
    assert default.stdout.splitlines()[1:] == EXPECTED
    assert default_base(repo) == git(repo, "rev-parse", "main")

    same = e2i(repo, "diff", "--base", "HEAD")
    assert same.returncode == 0, same.stderr
    assert same.stdout.strip().endswith("-> working tree: no differences")

    md = e2i(repo, "diff", "--base", "main", "--format", "markdown")
    assert md.returncode == 1
    assert md.stdout.startswith("### Schema diff: main (")
    assert "- `table memories`: `+ column note text`" in md.stdout
    assert "- `enum mood`: `+ great (after ok)`" in md.stdout

    (repo / "migrations" / "003_wip.sql").write_text("alter table memories drop column importance;\n")
    wip = e2i(repo, "diff", "--base", "HEAD")  # uncommitted files count: it is the working tree
    assert wip.returncode == 1 and "  table memories: - column importance" in wip.stdout

    (repo / "migrations" / "003_wip.sql").write_text("create tabel x;\n")
    broken = e2i(repo, "diff", "--base", "HEAD")
    assert broken.returncode == 2 and "the migrations of working tree fail" in broken.stderr
    assert e2i(repo, "diff", "--base", "no-such-ref").returncode == 2


def test_diff_base_when_ref_has_no_migrations(repo):
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-rq", "--cached", ".")
    (repo / "README").write_text("x")
    git(repo, "add", "README")
    git(repo, "commit", "-qm", "empty")
    git(repo, "checkout", "-qf", "feature")
    out = e2i(repo, "diff", "--base", "empty")
    assert out.returncode == 1, out.stderr
    assert "table memories (columns: id, importance, note)" in out.stdout


def test_diff_two_folders_and_two_dsns(repo, e2i_server, e2i_fresh_db):
    old = repo / "old"
    old.mkdir()
    (old / "001_init.sql").write_text((repo / "migrations" / "001_init.sql").read_text())
    out = e2i(repo, "diff", "old", "migrations")
    assert out.returncode == 1, out.stderr
    assert out.stdout.splitlines()[1:] == EXPECTED
    assert e2i(repo, "diff", "migrations", "migrations").returncode == 0

    dsn = e2i_server.conninfo(e2i_fresh_db.info.dbname)
    same = e2i(repo, "diff", dsn, dsn)
    assert same.returncode == 0, same.stderr
    e2i_fresh_db.execute("create table e2i_diff_extra (id int)")
    other = e2i(repo, "diff", e2i_server.conninfo(e2i_fresh_db.info.dbname), dsn, "--schema", "public")
    assert other.returncode == 0  # same database: nothing differs
    assert e2i(repo, "diff", "a-b-c", "d").returncode == 2  # neither a folder nor a DSN
    assert e2i(repo, "diff", "old").returncode == 2


def test_diff_folder_against_a_dsn_is_read_only(repo, e2i_session):
    """A database migrated by other means, compared with the migrations folder; the DSN side
    is only read."""
    from pytest_e2i_schema.migrations import apply_migrations

    info = e2i_session.server()
    name = e2i_session.janitor.create("dsnside")
    try:
        with info.connect(name) as conn:
            run = apply_migrations(lambda: conn, find_migrations(["migrations"], repo))
            assert run.ok, run.report()
        dsn = info.conninfo(name)
        out = e2i(repo, "diff", "migrations", dsn)
        assert out.returncode == 0, out.stdout + out.stderr
        with info.connect(name, autocommit=True) as conn:
            conn.execute("alter table memories add column extra int")
        out = e2i(repo, "diff", "migrations", dsn, "--format", "markdown")
        assert out.returncode == 1, out.stderr
        assert "`table memories`: `+ column extra integer`" in out.stdout
        with info.connect(name) as conn:
            n = conn.execute("select count(*) from information_schema.columns where table_name = 'memories'").fetchone()
            assert n[0] == 4  # nothing written by the diff
    finally:
        e2i_session.janitor.drop(name)
        with info.connect(autocommit=True) as conn:
            conn.execute("drop role if exists e2i_diff_reader")


def test_blame_for_names_the_reference_migrations(e2i_session, e2i_migrated):
    """Replayed on the server that already holds the session's template (as a failing schema
    item would): the reference schema's objects are traced to their files."""
    from pytest_e2i_schema.history import blame_for

    blame = blame_for(e2i_session)
    assert blame("enum", "shap_analysis_type") == "sql/migrations/011_realtime_shap_audit.sql"
    assert blame("function", "hybrid_search_memories") == "sql/migrations/010_memory_system.sql"
    assert blame("table", "no_such_table") is None


def test_origin_note_for_contract_and_drift_entries(e2i_session, e2i_migrated):
    """Contract entries say ``table``/``function`` with argument types only; drift entries say
    ``tables``/``functions``: both find the migration."""
    from pytest_e2i_schema.history import origin_note

    assert origin_note(e2i_session, "enum", "public.shap_analysis_type") == (
        "last changed by sql/migrations/011_realtime_shap_audit.sql")
    assert origin_note(e2i_session, "tables", "public.episodic_memories") == (
        "created by sql/migrations/010_memory_system.sql")
    assert origin_note(e2i_session, "materialized_view", "mv_agent_learning_summary") == (
        "created by sql/migrations/015_agent_feedback_entities.sql")
    fn = e2i_session.catalog(e2i_migrated).functions_named("public.hybrid_search_memories")[0]
    types = ", ".join(a.type for a in fn.args if a.mode in ("in", "inout", "variadic"))
    assert origin_note(e2i_session, "function", f"public.hybrid_search_memories({types})") == (
        "created by sql/migrations/010_memory_system.sql")
    assert origin_note(e2i_session, "functions", "hybrid_search_memories").endswith("010_memory_system.sql")
    assert origin_note(e2i_session, "table", "public.no_such_thing") == ""
    assert origin_note(e2i_session, "extensions", "extensions") == ""
