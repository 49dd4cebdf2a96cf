"""The fixtures users get: e2i_server, e2i_migrated, e2i_db, e2i_fresh_db, e2i_migrate_to, factories."""

from __future__ import annotations

from .conftest import write_project

MIGRATIONS = {
    "migrations/001_accounts.sql": "create table accounts (id serial primary key, name text not null);",
    "migrations/002_balance.sql": "alter table accounts add column balance int not null default 0;",
    "migrations/003_split_name.sql": """
        alter table accounts add column first text, add column last text;
        update accounts set first = split_part(name, ' ', 1), last = split_part(name, ' ', 2);
        alter table accounts drop column name;
    """,
}


def test_transaction_db_isolates_tests_and_offers_savepoints(pytester, engine_args):
    write_project(pytester, {**MIGRATIONS, "tests/test_iso.py": """
        import psycopg, pytest

        @pytest.mark.parametrize("n", range(3))
        def test_each_test_starts_clean(e2i_db, n):
            assert e2i_db.execute("select count(*) from accounts").fetchone()[0] == 0
            e2i_db.execute("insert into accounts (first) values ('x')")

        def test_savepoint(e2i_db):
            e2i_db.execute("insert into accounts (first) values ('kept')")
            with pytest.raises(psycopg.errors.NotNullViolation):
                with e2i_db.transaction():
                    e2i_db.execute("insert into accounts (balance) values (null)")
            assert e2i_db.execute("select first from accounts").fetchall() == [("kept",)]

        def test_template_is_not_the_work_db(e2i_db, e2i_migrated):
            assert e2i_db.info.dbname != e2i_migrated.dbname
    """}, prelude=[])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *engine_args)
    result.assert_outcomes(passed=5)


def test_fresh_db_commits_and_is_dropped(pytester, engine_args):
    write_project(pytester, {**MIGRATIONS, "tests/test_fresh.py": """
        NAMES = []

        def test_commit_visible_to_second_connection(e2i_fresh_db, e2i_server):
            e2i_fresh_db.execute("insert into accounts (first) values ('a')")
            with e2i_server.connect(e2i_fresh_db.info.dbname) as other:
                assert other.execute("select count(*) from accounts").fetchone()[0] == 1
            e2i_fresh_db.execute("create table scratch (x int)")  # DDL is fine here
            NAMES.append(e2i_fresh_db.info.dbname)

        def test_previous_fresh_db_is_gone(e2i_fresh_db, e2i_server):
            import time

            assert NAMES and e2i_fresh_db.info.dbname != NAMES[0]
            assert e2i_fresh_db.execute("select count(*) from accounts").fetchone()[0] == 0
            # used clones are dropped in the background, right after their test
            deadline = time.monotonic() + 10
            with e2i_server.connect(autocommit=True) as admin:
                while admin.execute("select count(*) from pg_database where datname = %s", NAMES).fetchone()[0]:
                    assert time.monotonic() < deadline, "the previous test's clone was not dropped"
                    time.sleep(0.01)
    """}, prelude=[])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *engine_args)
    result.assert_outcomes(passed=2)


def test_migrate_to_tests_a_data_migration(pytester, engine_args):
    write_project(pytester, {**MIGRATIONS, "tests/test_upgrade.py": """
        import pytest
        from pytest_e2i_schema.errors import ConfigError

        def test_split_name_keeps_data(e2i_migrate_to):
            db = e2i_migrate_to("002")
            assert [m.version_label for m in db.pending] == ["003"]
            db.conn.execute("insert into accounts (name, balance) values ('Ada Lovelace', 10)")
            db.apply_next()
            assert db.conn.execute("select first, last, balance from accounts").fetchall() == [("Ada", "Lovelace", 10)]
            assert db.pending == []

        def test_unknown_version(e2i_migrate_to):
            with pytest.raises(ConfigError, match="known versions: 001, 002, 003"):
                e2i_migrate_to("999")
    """}, prelude=[])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *engine_args)
    result.assert_outcomes(passed=2)


def test_factories_compose_a_second_history(pytester, engine_args):
    write_project(pytester, {
        **MIGRATIONS,
        "analytics/001_events.sql": "create table events (id bigint generated always as identity, kind text);",
        "tests/conftest.py": """
            from pytest_e2i_schema import factories
            analytics_template = factories.migrated_template(migrations=["analytics"], prelude=[])
            analytics_db = factories.transaction_db("analytics_template")
        """,
        "tests/test_two.py": """
            def test_both(analytics_db, e2i_db):
                assert analytics_db.execute("select to_regclass('events') is not null").fetchone()[0]
                assert analytics_db.execute("select to_regclass('accounts') is null").fetchone()[0]
                assert e2i_db.execute("select to_regclass('events') is null").fetchone()[0]
        """,
    }, prelude=[])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *engine_args)
    result.assert_outcomes(passed=1)


def test_broken_migrations_fail_dependent_tests_cleanly(pytester):
    write_project(pytester, {
        "migrations/001_bad.sql": "create table x (id int;",
        "tests/test_x.py": "def test_needs_db(e2i_db):\n    pass\n\ndef test_plain():\n    pass\n",
    }, prelude=[])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*001_bad.sql:1:*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_xdist_workers_get_their_own_servers(pytester):
    write_project(pytester, {**MIGRATIONS, "tests/test_par.py": """
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_par(e2i_db, e2i_server, n):
            e2i_db.execute("insert into accounts (first) values ('x')")
            assert e2i_db.execute("select count(*) from accounts").fetchone()[0] == 1
    """}, prelude=[])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=4)


def test_fresh_dbs_are_made_ahead_and_dropped_behind(pytester):
    """e2i_fresh_db's clones come from a pool that makes the next one while a test runs: every
    test still gets its own untouched database, and none is left when the session ends."""
    write_project(pytester, {**MIGRATIONS, "tests/test_many.py": """
        import pytest

        @pytest.mark.parametrize("i", range(5))
        def test_each_gets_its_own(e2i_fresh_db, i):
            assert e2i_fresh_db.execute("select count(*) from accounts").fetchone()[0] == 0
            e2i_fresh_db.execute("insert into accounts (first) values ('x')")

        def test_none_left_but_the_current(e2i_fresh_db, e2i_server, e2i_session):
            import time

            from pytest_e2i_schema.janitor import ClonePool

            deadline = time.monotonic() + 10
            with e2i_server.connect(autocommit=True) as admin:
                while True:
                    names = {r[0] for r in admin.execute("select datname from pg_database")}
                    fresh = {n for n in names if n.startswith(e2i_session.janitor.prefix) and n.endswith("_fresh")}
                    # this test's clone and the ones made ahead for the next tests
                    if len(fresh) <= 1 + ClonePool.AHEAD or time.monotonic() > deadline:
                        break
                    time.sleep(0.01)
            assert e2i_fresh_db.info.dbname in fresh and len(fresh) <= 1 + ClonePool.AHEAD
    """}, prelude=[])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
