"""``apply_migrations`` against a real server: locations, transactions, hints, session rules.

Each test writes a few migration files to ``tmp_path`` and applies them to a fresh database
(``e2i_fresh_db``); object names start with ``mig_`` so they never meet the project's own.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import psycopg
import pytest

from pytest_e2i_schema.errors import EngineError, ExtensionUnavailable, MigrationError
from pytest_e2i_schema.migrations import MigrationRun, apply_migrations, discover


@pytest.fixture
def apply(e2i_server, e2i_fresh_db, tmp_path: Path):
    """``apply({"001_a.sql": sql, ...}, **options)`` -> MigrationRun on the fresh database."""

    def run(files: dict[str, str], **options) -> MigrationRun:
        for name, text in files.items():
            path = tmp_path / "m" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"))
        migrations = discover(["m"], tmp_path)
        with psycopg.connect(e2i_server.conninfo(e2i_fresh_db.info.dbname)) as conn:
            return apply_migrations(lambda: conn, migrations, **options)

    return run


def exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


def test_all_files_apply_with_statement_counts_and_counter(apply, e2i_fresh_db):
    seen = []
    run = apply({
        "001_a.sql": "create table mig_a (id int primary key);\ninsert into mig_a values (1);",
        "002_b.sql": "-- format() with %s must reach the server unchanged\n"
                     "create table mig_b as select format('%s-%%', 1) as v;",
    }, counter=lambda conn: {"tables": conn.execute(
        "select count(*) from pg_class where relname like 'mig\\_%'").fetchone()[0]},
        on_result=seen.append)
    assert run.ok and not run.failures and not run.not_attempted
    assert [r.statements for r in run.results] == [2, 1]
    assert [r.counts for r in run.results] == [{"tables": 2}, {"tables": 3}]  # mig_a, its pkey, mig_b
    assert seen == run.results
    assert run.total_s >= sum(r.duration_s for r in run.results) > 0
    assert e2i_fresh_db.execute("select v from mig_b").fetchone()[0] == "1-%"
    run.raise_for_failures()


def test_syntax_error_names_file_line_col_and_statement(apply):
    run = apply({
        "001_ok.sql": "create table mig_ok (id int);",
        "002_bad.sql": "-- comment\ncreate table mig_bad (\n  id int,,\n  x text\n);\n",
        "003_never.sql": "create table mig_never (id int);",
    })
    (failure,) = run.failures
    assert failure.format().splitlines()[:3] == [
        'm/002_bad.sql:3:10: ERROR 42601: syntax error at or near ","',
        "  statement: create table mig_bad (",
        "  line 3: id int,,",
    ]
    assert [m.display for m in run.applied] == ["m/001_ok.sql"]
    assert [m.display for m in run.not_attempted] == ["m/003_never.sql"]


def test_runtime_error_points_at_the_failing_statement_and_rolls_back_the_file(apply, e2i_fresh_db):
    run = apply({"001_x.sql": """
        create table mig_x (id int);

        insert into mig_x values (1);
        -- the next statement fails without a position
        select 1 / 0;
    """})
    (failure,) = run.failures
    assert (failure.line, failure.col, failure.sqlstate) == (5, 1, "22012")
    assert failure.format().startswith("m/001_x.sql:5:1: ERROR 22012: division by zero\n  statement: select 1 / 0")
    assert not exists(e2i_fresh_db, "mig_x")  # the whole file was rolled back
    with pytest.raises(MigrationError, match="m/001_x.sql:5:1"):
        run.raise_for_failures()


def test_error_position_inside_a_statement_is_the_exact_line_and_column(apply):
    run = apply({"011_realtime_shap_audit.sql": """
        create table mig_audit (
            id bigint primary key,
            created_at timestamptz not null default now(),
            kind mig_shap_kind not null
        );
    """})
    failure = run.failures[0]
    assert (failure.line, failure.col) == (4, 10)
    assert failure.format().splitlines()[:3] == [
        'm/011_realtime_shap_audit.sql:4:10: ERROR 42704: type "mig_shap_kind" does not exist',
        "  statement: create table mig_audit (",
        "  line 4: kind mig_shap_kind not null",
    ]


def test_ordering_hint_names_the_later_migration(apply):
    run = apply({
        "011_audit.sql": "\n\ncreate table mig_audit (\n  kind mig_shap_kind\n);",
        "012_other.sql": "create table mig_other (id int);",
        "013_types.sql": "-- types\n\ncreate type mig_shap_kind as enum ('a', 'b');",
    }, keep_going=True)
    (failure,) = run.failures
    assert failure.ordering_hint == ('type "mig_shap_kind" is created by a later migration '
                                     "m/013_types.sql:3; move that migration before this one")
    assert "  ordering: type \"mig_shap_kind\" is created by a later migration" in failure.format()


def test_error_inside_a_do_block_points_at_the_plpgsql_line(apply):
    run = apply({"001_do.sql": """
        create table mig_do (id int);
        DO $$
        BEGIN
          PERFORM 1;
          RAISE EXCEPTION 'mig_do is not ready: %', 42 USING HINT = 'seed it first';
        END
        $$;
    """})
    failure = run.failures[0]
    assert (failure.line, failure.col) == (5, 3)
    assert failure.message == "mig_do is not ready: 42" and failure.hint == "seed it first"
    assert "PL/pgSQL function inline_code_block line 4" in failure.context


def test_concurrent_index_runs_outside_the_transaction(apply, e2i_fresh_db):
    run = apply({"001_idx.sql": """
        create table mig_big (id int, email text);
        create index concurrently mig_big_email on mig_big (email);
        insert into mig_big values (1, 'a@example.com');
        drop index concurrently mig_big_email;
        create index concurrently mig_big_email2 on mig_big (email);
    """})
    assert run.ok, run.report()
    assert run.results[0].statements == 5
    valid = e2i_fresh_db.execute(
        "select indisvalid from pg_index where indexrelid = 'mig_big_email2'::regclass").fetchone()[0]
    assert valid


def test_keep_going_collects_every_failure_and_applies_the_rest(apply, e2i_fresh_db):
    files = {
        "001_a.sql": "create table mig_a (id int);",
        "002_bad.sql": "create table mig_bad (x nosuch_type);",
        "003_c.sql": "create table mig_c (id int);",
        "004_bad.sql": "insert into mig_missing values (1);",
        "005_e.sql": "create table mig_e (id int);",
    }
    run = apply(files, keep_going=True)
    assert [f.display for f in run.failures] == ["m/002_bad.sql", "m/004_bad.sql"]
    assert [m.name for m in run.applied] == ["a", "c", "e"] and not run.not_attempted
    assert all(exists(e2i_fresh_db, t) for t in ("mig_a", "mig_c", "mig_e"))
    with pytest.raises(MigrationError) as exc:
        run.raise_for_failures()
    assert str(exc.value).startswith("2 of 5 migration file(s) failed")
    assert "m/002_bad.sql:1:25" in str(exc.value) and "m/004_bad.sql:1:13" in str(exc.value)


def test_default_stops_at_the_first_failure(apply, e2i_fresh_db):
    run = apply({
        "001_bad.sql": "create table mig_bad (x nosuch_type);",
        "002_b.sql": "create table mig_b (id int);",
    })
    assert len(run.results) == 1 and [m.name for m in run.not_attempted] == ["b"]
    assert not exists(e2i_fresh_db, "mig_b")


def test_settings_are_applied_to_every_file_and_sessions_do_not_leak(apply, e2i_fresh_db):
    run = apply({
        "001_schema.sql": "create schema mig_app;\n"
                          "select set_config('search_path', '', false);  -- would break later files if it leaked",
        "002_table.sql": "create table mig_t as select current_setting('app.tenant') as tenant;",
        "003_role.sql": "set role none;\nset statement_timeout = 1;",
        "004_slow.sql": "select pg_sleep(0.01);",
    }, settings={"search_path": "mig_app, public", "app.tenant": "acme"})
    assert run.ok, run.report()
    row = e2i_fresh_db.execute("select tenant from mig_app.mig_t").fetchone()
    assert row == ("acme",)


def test_bad_setting_names_are_rejected():
    from pytest_e2i_schema.errors import ConfigError

    with pytest.raises(ConfigError, match="'search path; drop'"):
        apply_migrations(lambda: None, [], settings={"search path; drop": "x"})


def test_explicit_begin_commit_draw_the_transaction_boundaries(apply, e2i_fresh_db):
    run = apply({
        "001_tx.sql": "BEGIN;\ncreate table mig_tx (id int);\nCOMMIT;\n",
        "002_tx.sql": "BEGIN;\ncreate table mig_tx2 (id int);\nCOMMIT;\nBEGIN;\ncreate table mig_tx3 (id int);\n"
                      "insert into mig_nope values (1);\nCOMMIT;\n",
        "003_plain.sql": "create table mig_plain (id int);\ninsert into mig_nope values (1);\n",
    }, keep_going=True)
    first, second, third = run.results
    assert first.ok and first.statements == 1
    assert first.notes == ("BEGIN at line 1 not sent: the file already runs in a transaction",)
    assert not second.ok and second.failure.line == 6
    # like psql: the first block was committed, the failing block rolled back
    assert exists(e2i_fresh_db, "mig_tx2") and not exists(e2i_fresh_db, "mig_tx3")
    # without explicit blocks the whole file is one transaction
    assert not third.ok and not exists(e2i_fresh_db, "mig_plain")


def test_new_enum_value_needs_a_commit_before_use(apply, e2i_fresh_db):
    run = apply({
        "001_enum.sql": "create type mig_state as enum ('new');\ncreate table mig_job (s mig_state);",
        "002_add.sql": "alter type mig_state add value 'done';\nCOMMIT;\ninsert into mig_job values ('done');",
        "003_add.sql": "alter type mig_state add value 'late';\ninsert into mig_job values ('late');",
    }, keep_going=True)
    assert [r.ok for r in run.results] == [True, True, False]
    failure = run.failures[0]
    assert failure.sqlstate == "55P04" and (failure.line, failure.col) == (2, 29)
    assert "  fix: each file runs in one transaction: put COMMIT; after the ALTER TYPE" in failure.format()


def test_follow_up_failures_name_the_failed_migration(apply):
    run = apply({
        "001_types.sql": "create type mig_kind as enum ('a');\nselect 1 / 0;",
        "002_use.sql": "create table mig_u (k mig_kind);",
    }, keep_going=True)
    assert run.failures[1].ordering_hint == (
        'type "mig_kind" would have been created by m/001_types.sql:1, which failed')


def test_no_transaction_files_keep_their_own_transactions(apply, e2i_fresh_db):
    run = apply({
        "001_auto.sql": """
            -- e2i: no-transaction
            create table mig_auto (id int);
            BEGIN;
            insert into mig_auto values (1);
            ROLLBACK;
            insert into mig_auto values (2);
        """,
        "002_open.sql": "-- e2i: no-transaction\nBEGIN;\ncreate table mig_open (id int);\n",
    }, keep_going=True)
    assert run.results[0].ok
    assert e2i_fresh_db.execute("select array_agg(id) from mig_auto").fetchone()[0] == [2]
    failure = run.results[1].failure
    assert "leaves a transaction open" in failure.message
    assert not exists(e2i_fresh_db, "mig_open")


def test_deferred_constraint_failing_at_commit_is_reported(apply):
    run = apply({"001_defer.sql": """
        create table mig_p (id int primary key);
        create table mig_c (p int references mig_p deferrable initially deferred);
        insert into mig_c values (7);
    """})
    failure = run.failures[0]
    assert failure.sqlstate == "23503" and failure.statement.startswith("COMMIT of the file")


def test_missing_extension_says_which_server_and_what_to_use(apply):
    run = apply({"001_ext.sql": "create extension if not exists e2i_no_such_ext;"},
                server_desc="local server /tmp/x (PostgreSQL 15)", engine_hint="use --e2i-engine embedded")
    failure = run.failures[0]
    assert failure.sqlstate == "0A000" and failure.missing_extension == "e2i_no_such_ext"
    assert ('  extension: local server /tmp/x (PostgreSQL 15) does not have extension "e2i_no_such_ext"; '
            "use --e2i-engine embedded") in failure.format()
    with pytest.raises(ExtensionUnavailable, match="e2i_no_such_ext"):
        run.raise_for_failures()


def test_lost_connection_is_an_engine_error(apply):
    # the file's statements go to the server in one query: the message names their lines
    with pytest.raises(EngineError, match=r"lost the connection to my server while applying m/001_kill.sql:1-2 "):
        apply({"001_kill.sql": "create table mig_k (id int);\nselect pg_terminate_backend(pg_backend_pid());"},
              server_desc="my server")


def test_callers_connection_stays_open_with_its_autocommit_flag(e2i_server, e2i_fresh_db, tmp_path):
    (tmp_path / "001_a.sql").write_text("create table mig_a (id int);")
    migrations = discover(["001_a.sql"], tmp_path)
    with psycopg.connect(e2i_server.conninfo(e2i_fresh_db.info.dbname)) as conn:
        conn.execute("create table mig_setup (id int)")  # left uncommitted: committed first
        run = apply_migrations(lambda: conn, migrations)
        assert run.ok and not conn.closed and conn.autocommit is False
        assert exists(conn, "mig_setup") and exists(conn, "mig_a")


def test_many_files_with_a_counter_do_not_trip_over_discarded_prepared_statements(e2i_server, e2i_fresh_db, tmp_path):
    """DISCARD ALL after each file drops server-side prepared statements; the counter's query
    is repeated per file and psycopg would auto-prepare it from the 5th call on."""
    from pytest_e2i_schema.catalog import count_objects
    from pytest_e2i_schema.migrations import apply_migrations, discover

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(1, 13):
        (folder / f"{i:03d}_t.sql").write_text(f"create table many_{i} (id int);\n")
    migrations = discover([folder], tmp_path)
    with e2i_server.connect(e2i_fresh_db.info.dbname) as conn:
        run = apply_migrations(lambda: conn, migrations, counter=count_objects)
    assert run.ok, run.report()
    tables = [r.counts["tables"] for r in run.results]
    assert tables == [tables[0] + i for i in range(12)]


def test_statements_ending_in_comments_run_together_unchanged(apply, e2i_fresh_db):
    """A file's statements go to the server as one query; a statement whose text ends in a
    ``--`` comment (the last one has no semicolon at all) must not swallow the next one."""
    run = apply({"001_c.sql": """
        create table cmt (id int, note text) -- the table
        ;
        insert into cmt values (1, 'a; -- not a comment'); -- trailing note
        insert into cmt values (2, $$b;$$) -- no newline before EOF"""})
    assert run.ok, run.report()
    assert run.results[0].statements == 3
    rows = e2i_fresh_db.execute("select id, note from cmt order by id").fetchall()
    assert rows == [(1, "a; -- not a comment"), (2, "b;")]


def test_a_failure_after_successful_statements_reruns_nothing_that_stays(apply, e2i_fresh_db):
    """The group is retried statement by statement to locate the failure; both attempts roll back."""
    run = apply({"001_f.sql": """
        create sequence once_seq;
        create table once (id int default nextval('once_seq'));
        insert into once default values;
        select * from no_such_table;
        """})
    assert not run.ok
    failure = run.failures[0]
    assert (failure.line, failure.statement) == (4, "select * from no_such_table")
    assert e2i_fresh_db.execute("select to_regclass('once'), to_regclass('once_seq')").fetchone() == (None, None)


def test_counts_after_adding_only_files_are_taken_incrementally_and_exactly(apply):
    """FileCounts counts only the objects a CREATE/COMMENT/GRANT/ALTER ... ADD file made (oids
    above the previous watermark); any other file, or a failed one, gets a full count.  After
    every file both must agree with a full count_objects."""
    from pytest_e2i_schema.catalog import count_objects
    from pytest_e2i_schema.catalog.read import FileCounts

    counts = FileCounts()
    checked = []

    def counter(conn, result):
        if counts.counts is None:
            counts.count(conn)  # the state before the first file
        adds = result.ok and result.only_adds  # what the runner saw in the file it parsed
        got = counts.count(conn, only_added=adds)
        checked.append((result.migration.path.name, adds, got == count_objects(conn)))
        return got

    run = apply({
        "001_types.sql": """
            create schema s;
            create type s.mood as enum ('a', 'b');
            create domain s.pos as int check (value > 0);
            create table s.t (id serial primary key, m s.mood);
            create index on s.t (m);
            comment on table s.t is 'x';
        """,
        "002_partitions.sql": """
            create table s.p (id int, k int) partition by list (k);
            create table s.p1 partition of s.p for values in (1);
            create index on s.p (id);
        """,
        "003_alter.sql": """
            alter table s.t add column u int unique, add constraint t_chk check (id > 0), enable row level security;
            create policy pol on s.t using (true);
            create function s.f() returns trigger language plpgsql as $$begin return new; end$$;
            create trigger trg before insert on s.t for each row execute function s.f();
            create trigger trg2 after insert on s.p for each row execute function s.f();
        """,
        "004_more.sql": """
            create view s.v as select id from s.t;
            create materialized view s.mv as select id from s.t;
            create or replace function s.f() returns trigger language plpgsql as $$begin return old; end$$;
            grant select on s.v to public;
            create sequence s.sq;
            create procedure s.pr() language sql as 'select 1';
        """,
        "005_drops.sql": "drop view s.v; drop table s.p1;",
        "006_attach.sql": "create table s.p2 (id int, k int); alter table s.p attach partition s.p2 for values in (2);",
        "007_after.sql": "create table s.later (id int);",
        "008_fails.sql": "create table s.bad (id int);\nselect 1 / 0;",
        "009_again.sql": "create index on s.later (id);",
        # extension members are not the schema's: the file that makes them is counted in full,
        # the next one (only adding) must not count them or the extension's objects again
        "010_ext.sql": "create extension citext with schema s;",
        "011_uses_ext.sql": "create table s.e (x s.citext); create index on s.e (x);\n"
                            "create function s.h(t s.citext) returns text language sql as 'select t::text';",
    }, counter=counter, keep_going=True)
    assert [r.ok for r in run.results] == [True] * 7 + [False, True, True, True], run.report()
    assert [(name, adds) for name, adds, _ in checked] == [
        ("001_types.sql", True), ("002_partitions.sql", True), ("003_alter.sql", True), ("004_more.sql", True),
        ("005_drops.sql", False), ("006_attach.sql", False), ("007_after.sql", True), ("008_fails.sql", False),
        ("009_again.sql", True), ("010_ext.sql", False), ("011_uses_ext.sql", True),
    ]
    assert all(same for _, _, same in checked), checked
    assert counts.incremental == 7 and counts.full == 5  # the first count + 005, 006, 008, 010
