"""Origins without a replay (:mod:`pytest_e2i_schema.origin`): the template's row ``xmin``
values say which file last wrote an object, the statements say which file created or dropped it."""

from __future__ import annotations

import textwrap
import weakref
from pathlib import Path

import pytest

from pytest_e2i_schema import history, origin
from pytest_e2i_schema.origin import read_origins

MIGRATIONS = {
    "001_init.sql": """
        create table a (id int primary key);
        create table b (id int);
        create table gone (id int);
        create table old_name (id int);
        create table guarded (id int);
        alter table guarded enable row level security;
        create policy own on guarded using (id > 0);
        create type mood as enum ('ok');
        create function f(x int) returns int language sql as 'select x';
    """,
    "002_change.sql": """
        alter table a add column note text;
        create index b_id on b (id);
        alter type mood add value 'great';
        create or replace function f(x int) returns int language sql as 'select x + 1';
        create function f(x int, y int) returns int language sql as 'select x + y';
        drop table gone;
        alter table old_name rename to new_name;
        do $$ begin execute 'create table dyn (id int)'; end $$;
    """,
    "003_late.sql": """
        create table c (id int);
        drop policy own on guarded;
    """,
}


@pytest.fixture(scope="module")
def small(e2i_session, tmp_path_factory):
    """:class:`~pytest_e2i_schema.origin.Origins` of a template built from MIGRATIONS, and the files."""
    folder = tmp_path_factory.mktemp("origin") / "m"
    folder.mkdir()
    for name, sql in MIGRATIONS.items():
        (folder / name).write_text(textwrap.dedent(sql).lstrip())
    tmpl = e2i_session.template(entries=[str(folder)], prelude=[])
    assert tmpl.ok, tmpl.run.report()
    assert len(tmpl.xid_bounds) == 4
    with e2i_session.server().connect(tmpl.dbname) as conn:
        found = read_origins(conn, tmpl.migrations, tmpl.xid_bounds)
    return found, {Path(m.display).name: m.display for m in tmpl.migrations}


@pytest.mark.parametrize(("kind", "key", "expected"), [
    ("table", "public.a", "last changed by 002_change.sql"),  # ALTER TABLE ADD COLUMN
    ("tables", "b", "last changed by 002_change.sql"),  # CREATE INDEX on it
    ("index", "public.b_id", "created by 002_change.sql"),
    ("index", "public.a_pkey", "created by 001_init.sql"),  # made with its table
    ("enum", "mood", "last changed by 002_change.sql"),  # ALTER TYPE ADD VALUE
    ("function", "public.f(integer)", "last changed by 002_change.sql"),  # CREATE OR REPLACE
    ("function", "public.f(integer, integer)", "created by 002_change.sql"),  # a new overload
    ("functions", "f", "created by 002_change.sql"),  # the newest overload
    ("table", "gone", "dropped by 002_change.sql"),
    ("table", "old_name", "dropped by 002_change.sql"),  # renamed away
    ("table", "new_name", "created by 002_change.sql"),
    ("table", "dyn", "last changed by 002_change.sql"),  # created in a DO block: no CREATE statement
    ("table", "c", "created by 003_late.sql"),
    ("table", "guarded", "last changed by 003_late.sql"),  # DROP POLICY leaves no row behind
    ("policy", "public.guarded.own", "dropped by 003_late.sql"),
    ("table", "nowhere", ""),
    ("schema", "public", ""),  # not made by a migration
    ("totals", "totals", ""),
])
def test_notes_for_a_small_project(small, kind, key, expected):
    found, display = small
    verb, _, file = expected.rpartition(" ")
    assert found.note(kind, key) == (f"{verb} {display[file]}" if expected else "")
    assert found.blame(kind, key) == (display[file] if expected else None)


def test_answers_without_replaying(e2i_session, e2i_migrated, monkeypatch):
    """On the session's template: no history is replayed and no database is created."""
    def no_replay(*args, **kwargs):
        raise AssertionError("replayed the migrations")

    made: list[str] = []
    create = e2i_session.janitor.create
    monkeypatch.setattr(e2i_session.janitor, "create", lambda *a, **kw: made.append(create(*a, **kw)) or made[-1])
    monkeypatch.setattr(history, "catalog_history", no_replay)
    monkeypatch.setattr(history, "_SESSION_HISTORIES", weakref.WeakKeyDictionary())
    monkeypatch.setattr(origin, "_SESSION_ORIGINS", weakref.WeakKeyDictionary())

    assert history.origin_note(e2i_session, "tables", "public.episodic_memories") == (
        "created by sql/migrations/010_memory_system.sql")
    assert history.origin_note(e2i_session, "enum", "shap_analysis_type") == (
        "last changed by sql/migrations/011_realtime_shap_audit.sql")
    blame = history.blame_for(e2i_session)
    assert blame("function", "hybrid_search_memories") == "sql/migrations/010_memory_system.sql"
    assert blame("table", "no_such_table") is None
    assert made == []


def test_same_answers_as_the_replay(e2i_session, e2i_migrated):
    """Every object of the reference schema: the xmin answer is the replayed history's."""
    found = origin.session_origins(e2i_session)
    assert found is not None
    replayed = history.session_history(e2i_session)
    assert replayed.ok and len(replayed) == len(found.migrations)
    catalog = e2i_session.catalog(e2i_migrated)
    objects = [(kind, obj.key) for kind, objs in catalog.by_kind().items() for obj in objs]
    assert len(objects) > 200

    def replay_note(kind: str, key: str) -> str:
        for mig, diff in reversed(replayed):
            if diff.touches(kind, key):
                own = next((c.status for c in diff if c.is_object(kind, key)), "")
                verb = {"added": "created by", "removed": "dropped by"}.get(own, "last changed by")
                return f"{verb} {mig.display}"
        return ""

    assert [(k, key, found.note(k, key)) for k, key in objects] == [(k, key, replay_note(k, key)) for k, key in objects]


def test_falls_back_to_the_replay_without_transaction_ids(e2i_session, e2i_migrated, monkeypatch):
    class NoBounds:  # a session whose template did not record transaction ids
        settings = e2i_session.settings

        def template(self):
            import dataclasses

            return dataclasses.replace(e2i_migrated, xid_bounds=())

        def __getattr__(self, name):
            return getattr(e2i_session, name)

    session = NoBounds()
    assert origin.session_origins(session) is None
    replays: list[int] = []
    real = history.catalog_history
    monkeypatch.setattr(history, "catalog_history", lambda *a, **kw: replays.append(1) or real(*a, **kw))
    assert history.origin_note(session, "tables", "public.episodic_memories") == (
        "created by sql/migrations/010_memory_system.sql")
    assert replays == [1]
