"""Migration discovery, ordering, statement splitting and failure rendering, without a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_e2i_schema.errors import MigrationDiscoveryError, MigrationError
from pytest_e2i_schema.migrations import (
    DEFAULT_LOCATIONS,
    MigrationFailure,
    MigrationResult,
    MigrationRun,
    SQLParseError,
    default_locations,
    discover,
    find_migrations,
    missing_extension,
    missing_object,
    ordering_hint,
    parse_script,
    split,
)


def touch(root: Path, *names: str, text: str = "select 1;\n") -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def names(migrations) -> list[str]:
    return [m.display for m in migrations]


# --- discovery ------------------------------------------------------------------------


def test_numbered_files_sort_numerically_not_as_strings(tmp_path):
    touch(tmp_path, "m/00010-c.sql", "m/0002-b.sql", "m/0001_a.sql", "m/3.sql")
    found = discover(["m"], tmp_path)
    assert names(found) == ["m/0001_a.sql", "m/0002-b.sql", "m/3.sql", "m/00010-c.sql"]
    assert [m.version for m in found] == [(1,), (2,), (3,), (10,)]
    assert [m.version_label for m in found] == ["0001", "0002", "3", "00010"]
    assert found[1].name == "b" and found[1].layout == "numbered"
    assert found[0].path == tmp_path / "m/0001_a.sql"


def test_supabase_timestamps(tmp_path):
    touch(tmp_path, "supabase/migrations/20251119174321_rls.sql", "supabase/migrations/20251119174252_init.sql")
    found = discover(["supabase/migrations"], tmp_path)
    assert [m.name for m in found] == ["init", "rls"]
    assert found[0].layout == "timestamp" and found[0].version_label == "20251119174252"


def test_flyway_versions_repeatables_and_undo(tmp_path):
    touch(tmp_path, "db/V1_10__late.sql", "db/V1_2__early.sql", "db/V1.5__mid.sql", "db/V2__two.sql",
          "db/R__views.sql", "db/R__a_functions.sql", "db/U2__undo_two.sql")
    notes: list[str] = []
    found = discover(["db"], tmp_path, notes=notes)
    assert names(found) == ["db/V1_2__early.sql", "db/V1.5__mid.sql", "db/V1_10__late.sql", "db/V2__two.sql",
                            "db/R__a_functions.sql", "db/R__views.sql"]
    assert found[0].version == (1, 2) and found[0].version_label == "1.2" and found[0].layout == "flyway"
    assert found[0].name == "early"
    assert any("U2__undo_two.sql" in n and "undo" in n for n in notes)


def test_unversioned_files_go_after_versioned_ones_by_name(tmp_path):
    touch(tmp_path, "m/zz_seed.sql", "m/002_b.sql", "m/schema.sql", "m/001_a.sql", "m/readme.md", "m/notes.txt")
    found = discover(["m"], tmp_path)
    assert names(found) == ["m/001_a.sql", "m/002_b.sql", "m/schema.sql", "m/zz_seed.sql"]
    assert found[-1].layout == "plain" and found[-1].version == ()


def test_prisma_folders_and_lock_file(tmp_path):
    touch(tmp_path, "prisma/migrations/20250604000000_email/migration.sql",
          "prisma/migrations/20250603010109_init/migration.sql")
    (tmp_path / "prisma/migrations/migration_lock.toml").write_text('provider = "postgresql"\n')
    found = discover(["prisma/migrations"], tmp_path)
    assert names(found) == ["prisma/migrations/20250603010109_init/migration.sql",
                            "prisma/migrations/20250604000000_email/migration.sql"]
    assert found[0].layout == "folder" and found[0].name == "init" and found[0].version == (20250603010109,)


def test_up_sql_folders_and_up_down_files(tmp_path):
    touch(tmp_path, "diesel/2023-01-02-000000_posts/up.sql", "diesel/2023-01-02-000000_posts/down.sql",
          "diesel/2023-01-01-000000_users/up.sql", "diesel/2023-01-01-000000_users/down.sql")
    found = discover(["diesel"], tmp_path)
    assert [m.name for m in found] == ["users", "posts"]
    assert found[0].version == (20230101000000,) and found[0].version_label == "2023-01-01-000000"

    touch(tmp_path, "gm/2_b.up.sql", "gm/2_b.down.sql", "gm/1_a.up.sql", "gm/1_a.down.sql", "gm/10_c.up.sql")
    notes: list[str] = []
    found = discover(["gm"], tmp_path, notes=notes)
    assert names(found) == ["gm/1_a.up.sql", "gm/2_b.up.sql", "gm/10_c.up.sql"]
    assert found[0].name == "a"
    assert sum("down migration" in n for n in notes) == 2


def test_entries_keep_their_order_and_files_apply_once(tmp_path):
    touch(tmp_path, "base/001_a.sql", "base/002_b.sql", "fixtures/seed.sql", "extra/001_x.sql")
    found = discover(["fixtures/seed.sql", "base", "base/001_a.sql", "extra"], tmp_path)
    assert names(found) == ["fixtures/seed.sql", "base/001_a.sql", "base/002_b.sql", "extra/001_x.sql"]


def test_explicit_files_are_applied_in_the_given_order(tmp_path):
    touch(tmp_path, "m/002_b.sql", "m/001_a.sql")
    assert names(discover(["m/002_b.sql", "m/001_a.sql"], tmp_path)) == ["m/002_b.sql", "m/001_a.sql"]


def test_absolute_paths_and_display_outside_rootdir(tmp_path):
    touch(tmp_path, "outside/001_a.sql")
    root = tmp_path / "project"
    root.mkdir()
    found = discover([tmp_path / "outside"], root)
    assert found[0].display == (tmp_path / "outside/001_a.sql").as_posix()


def test_glob_with_double_star(tmp_path):
    touch(tmp_path, "services/b/sql/002_b.sql", "services/a/sql/001_a.sql", "services/a/sql/notes.txt")
    found = discover(["services/**/*.sql"], tmp_path)
    assert names(found) == ["services/a/sql/001_a.sql", "services/b/sql/002_b.sql"]


def test_duplicate_version_error_names_both_files(tmp_path):
    touch(tmp_path, "m/002_b.sql", "m/2_other.sql", "m/001_a.sql")
    with pytest.raises(MigrationDiscoveryError) as exc:
        discover(["m"], tmp_path)
    assert "m/002_b.sql" in str(exc.value) and "m/2_other.sql" in str(exc.value)
    assert "renumber" in str(exc.value)


def test_same_version_in_different_entries_is_allowed(tmp_path):
    touch(tmp_path, "a/001_x.sql", "b/001_y.sql")
    assert names(discover(["a", "b"], tmp_path)) == ["a/001_x.sql", "b/001_y.sql"]


def test_missing_folder_and_empty_glob_are_errors_naming_them(tmp_path):
    with pytest.raises(MigrationDiscoveryError, match="'db/nope'.*does not exist"):
        discover(["db/nope"], tmp_path)
    with pytest.raises(MigrationDiscoveryError, match=r"'sql/\*\*/\*.sql' matches no .sql file"):
        discover(["sql/**/*.sql"], tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(MigrationDiscoveryError, match="'empty' contains no .sql files"):
        discover(["empty"], tmp_path)


def test_default_locations_first_with_migrations_wins(tmp_path):
    (tmp_path / "supabase/migrations").mkdir(parents=True)  # exists but empty: skipped
    touch(tmp_path, "db/migrations/001_db.sql", "sql/migrations/001_sql.sql")
    assert default_locations(tmp_path) == [tmp_path / "supabase/migrations", tmp_path / "sql/migrations",
                                           tmp_path / "db/migrations"]
    notes: list[str] = []
    found = find_migrations(None, tmp_path, notes=notes)
    assert names(found) == ["sql/migrations/001_sql.sql"]
    assert any("sql/migrations" in n and "default" in n for n in notes)
    assert names(find_migrations(["db/migrations"], tmp_path)) == ["db/migrations/001_db.sql"]


def test_no_migrations_error_lists_every_place_and_how_to_configure(tmp_path):
    with pytest.raises(MigrationDiscoveryError) as exc:
        find_migrations(None, tmp_path)
    message = str(exc.value)
    for loc in DEFAULT_LOCATIONS:
        assert str(tmp_path / loc) in message
    assert "[tool.e2i_schema]" in message and "migrations = " in message and "--e2i-migrations" in message


def test_read_text_drops_bom_and_rejects_other_encodings(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m/001_a.sql").write_bytes(b"\xef\xbb\xbfselect 1;")
    (tmp_path / "m/002_b.sql").write_bytes("select 'é';".encode("latin-1"))
    a, b = discover(["m"], tmp_path)
    assert a.read_text() == "select 1;"
    with pytest.raises(MigrationError, match="m/002_b.sql: not valid UTF-8"):
        b.read_text()


# --- statements -----------------------------------------------------------------------


def test_statement_positions_skip_comments_and_count_multiline_strings():
    sql = (
        "-- header\n"
        "/* block\n   comment */\n"
        "CREATE TABLE t (\n"
        "  a text DEFAULT 'x;\ny'\n"
        ");  -- trailing; comment\n"
        "   INSERT INTO t VALUES ('z');"
    )
    first, second = split(sql)
    assert (first.line, first.col, first.kind) == (4, 1, "CreateStmt")
    assert first.first_line == "CREATE TABLE t ("
    assert first.text.startswith("CREATE TABLE") and first.text.endswith(")")
    assert (second.line, second.col, second.kind) == (8, 4, "InsertStmt")
    assert second.text == "INSERT INTO t VALUES ('z')"
    assert sql[second.offset:].startswith("INSERT")


def test_dollar_quoted_bodies_with_semicolons_are_one_statement():
    sql = """
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  NEW.updated_at := now();  -- ; inside
  RETURN NEW;
END;
$body$;
DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
SELECT 3;
"""
    stmts = split(sql)
    assert [s.kind for s in stmts] == ["CreateFunctionStmt", "DoStmt", "CreateFunctionStmt", "SelectStmt"]
    assert [s.line for s in stmts] == [2, 8, 9, 10]
    assert "RETURN NEW;" in stmts[0].text


def test_non_ascii_text_before_a_statement_keeps_columns_in_characters():
    sql = "-- ünïcødé €€€\nSELECT 'żółć'; SELECT '日本語';\n  SELECT 3;"
    a, b, c = split(sql)
    assert (a.line, a.col) == (2, 1)
    assert (b.line, b.col) == (2, 16)
    assert b.text == "SELECT '日本語'"
    assert (c.line, c.col) == (3, 3)
    assert sql[c.offset:c.offset + 8] == "SELECT 3"


def test_non_ascii_identifiers_dollar_tags_and_errors():
    # 'é' and 'ĝ' are 52 code points apart: any shortcut that maps non-ASCII letters to
    # ASCII ones is likely to merge the two tags and end the string early.
    a, b = split("SELECT $é$ a $ĝ$ b $é$;\nCREATE TABLE \"ünï\" (\"naïve\" int);")
    assert a.kind == "SelectStmt" and a.node.targetList[0].val.val.sval == " a $ĝ$ b "
    assert (b.line, b.node.relation.relname, b.node.tableElts[0].colname) == (2, "ünï", "naïve")
    with pytest.raises(SQLParseError) as exc:
        split("SELECT 'é';\nSELECT ü FROMM t;", "x.sql")
    assert str(exc.value).splitlines()[0] == 'x.sql:2:16: syntax error at or near "t"'


@pytest.mark.parametrize("sql, expected", [
    ("CREATE INDEX CONCURRENTLY i ON t (a)", True),
    ("CREATE INDEX i ON t (a)", False),
    ("DROP INDEX CONCURRENTLY i", True),
    ("DROP INDEX i", False),
    ("REINDEX TABLE CONCURRENTLY t", True),
    ("REINDEX TABLE t", False),
    ("REINDEX SCHEMA public", True),
    ("VACUUM t", True),
    ("VACUUM (ANALYZE) t", True),
    ("ANALYZE t", False),
    ("ALTER SYSTEM SET work_mem = '8MB'", True),
    ("CREATE DATABASE x", True),
    ("DROP DATABASE x", True),
    ("CREATE TABLESPACE ts LOCATION '/x'", True),
    ("ALTER DATABASE d SET TABLESPACE ts", True),
    ("ALTER DATABASE d SET search_path = app", False),
    ("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p", True),
    ("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = false)", False),
    ("ALTER SUBSCRIPTION s REFRESH PUBLICATION", True),
    ("ALTER SUBSCRIPTION s SET PUBLICATION p WITH (refresh = false)", False),
    ("DROP SUBSCRIPTION s", True),
    ("ALTER TABLE t DETACH PARTITION p CONCURRENTLY", True),
    ("ALTER TABLE t DETACH PARTITION p", False),
    ("ALTER TYPE e ADD VALUE 'x'", False),
    ("DISCARD ALL", True),
    ("DISCARD PLANS", False),
    ("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a) WHERE a > 0", True),
    ("DROP INDEX CONCURRENTLY IF EXISTS i CASCADE", True),
    ("DROP TABLE t", False),
    ("REINDEX (CONCURRENTLY) INDEX i", True),
    ("REINDEX (CONCURRENTLY true) TABLE t", True),
    ("REINDEX (CONCURRENTLY 1) TABLE t", True),
    ("REINDEX (CONCURRENTLY false) TABLE t", False),
    ("REINDEX (CONCURRENTLY off) TABLE t", False),
    ("REINDEX (CONCURRENTLY 0) TABLE t", False),
    ("REINDEX (VERBOSE) INDEX i", False),
    ("REINDEX (VERBOSE) SCHEMA public", True),
    ("REINDEX SYSTEM", True),
    ("REINDEX DATABASE d", True),
    ("VACUUM", True),
    ("VACUUM (ANALYZE, VERBOSE)", True),
    ("ANALYZE", False),
    ("ALTER SYSTEM RESET ALL", True),
    ("DROP TABLESPACE ts", True),
    ("ALTER DATABASE d WITH CONNECTION LIMIT 3", False),
    ("ALTER DATABASE d RENAME TO e", False),
    ("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (create_slot = false)", False),
    ("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = 0)", False),
    ("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = 'off', create_slot = true)", False),
    ("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect, slot_name = NONE)", True),
    ("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (create_slot = 1)", True),
    ("ALTER SUBSCRIPTION s REFRESH PUBLICATION WITH (copy_data = false)", True),
    ("ALTER SUBSCRIPTION s SET PUBLICATION p", True),
    ("ALTER SUBSCRIPTION s ADD PUBLICATION p", True),
    ("ALTER SUBSCRIPTION s ADD PUBLICATION p WITH (refresh = 0)", False),
    ("ALTER SUBSCRIPTION s DROP PUBLICATION p", True),
    ("ALTER SUBSCRIPTION s DROP PUBLICATION p WITH (refresh = false)", False),
    ("ALTER SUBSCRIPTION s ENABLE", False),
    ("ALTER SUBSCRIPTION s SET (slot_name = NONE)", False),
    ("ALTER TABLE ONLY t DETACH PARTITION app.p CONCURRENTLY", True),
    ("ALTER TABLE t DETACH PARTITION p FINALIZE", False),
    ("ALTER TABLE t ADD COLUMN a int", False),
    ("CLUSTER", True),
    ("CLUSTER VERBOSE", True),
    ("CLUSTER t USING i", False),
    ("COMMIT PREPARED 'x'", True),
    ("ROLLBACK PREPARED 'x'", True),
    ("SAVEPOINT s", False),
    ("CREATE TABLE t (id int)", False),
])
def test_no_transaction_statements_are_detected_from_the_tree(sql, expected):
    (st,) = split(sql)
    assert st.no_transaction is expected


def test_positions_and_kinds_in_a_file_with_multibyte_characters():
    sql = ("-- migración: «ünïcødé» 日本語 🐘\n"
           "CREATE TABLE \"größe\" (\"naïve\" text DEFAULT 'ça;va');  /* 🐘 */ "
           "CREATE INDEX CONCURRENTLY ï ON t (é);\n"
           "/* ö /* nested 🐘 */ */ -- é\r\n"
           "   COMMENT ON TABLE t IS '€€€';;\n"
           "\tDO $ü$ BEGIN RAISE NOTICE '🐘;'; END $ü$")
    stmts = split(sql)
    assert [(s.kind, s.line, s.col, s.no_transaction) for s in stmts] == [
        ("CreateStmt", 2, 1, False), ("IndexStmt", 2, 63, True), ("CommentStmt", 4, 4, False), ("DoStmt", 5, 2, False)]
    assert [s.text for s in stmts] == [
        "CREATE TABLE \"größe\" (\"naïve\" text DEFAULT 'ça;va')", "CREATE INDEX CONCURRENTLY ï ON t (é)",
        "COMMENT ON TABLE t IS '€€€'", "DO $ü$ BEGIN RAISE NOTICE '🐘;'; END $ü$"]
    assert all(sql[s.offset:].startswith(s.text) for s in stmts)
    assert stmts[1].first_line == "CREATE INDEX CONCURRENTLY ï ON t (é)"


def test_transaction_control_and_errors_in_a_file_with_multibyte_characters():
    script = parse_script("-- ü\nBEGIN;\nCREATE TABLE ä (ö int);\nCOMMIT;\nSELECT '日本語';\n")
    assert [(s.first_line, s.skip_reason is not None, s.commit_point) for s in script.statements] == [
        ("BEGIN", True, False), ("CREATE TABLE ä (ö int)", False, False), ("COMMIT", True, True),
        ("SELECT '日本語'", False, False)]
    assert script.notes[0] == "BEGIN at line 2 not sent: the file already runs in a transaction"
    with pytest.raises(SQLParseError) as exc:
        split("SELECT '🐘'; ROLLBACK;\n", "m/x.sql")
    assert str(exc.value).startswith("m/x.sql:1:13: top-level ROLLBACK")
    with pytest.raises(SQLParseError) as exc:
        split("-- é\nSELECT 'ü';\n  \\i other.sql\n", "m/y.sql")
    assert str(exc.value).splitlines()[0] == "m/y.sql:3:3: psql meta-command '\\i' is not SQL"
    with pytest.raises(SQLParseError) as exc:
        split("SELECT 'é'; SELECT 'oops;\n", "m/z.sql")
    assert (exc.value.line, exc.value.col) == (1, 20) and "unterminated quoted string" in str(exc.value)


def test_backslash_inside_non_ascii_dollar_quotes_is_not_a_meta_command():
    (st,) = split("SELECT $é$ $ĝ$ \\i $ĝ$ $é$;")
    assert st.kind == "SelectStmt" and st.node.targetList[0].val.val.sval == " $ĝ$ \\i $ĝ$ "


def test_statement_boundaries_around_comments_and_empty_statements():
    sql = "SELECT 1;;\n-- z\n/* a /* b */ c */SELECT 2 -- tail\n;\n  (SELECT 3) UNION (SELECT 4)"
    stmts = split(sql)
    assert [(s.text, s.line, s.col) for s in stmts] == [
        ("SELECT 1", 1, 1), ("SELECT 2 -- tail", 3, 18), ("(SELECT 3) UNION (SELECT 4)", 5, 3)]


def test_node_is_the_statements_parse_tree():
    from pglast import parser

    sql = ("-- é\nCREATE TABLE \"ünï\" (id int);\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
           "/* x */ CREATE SCHEMA app CREATE TABLE audit (id int);\nSELECT $$ ; $$")
    stmts = split(sql)
    expected = [raw.stmt for raw in parser.parse_sql(sql)]
    assert [type(s.node) for s in stmts] == [type(n) for n in expected]
    assert [s.node for s in stmts] == expected  # pglast compares all fields except locations
    # Locations in the tree count from the start of the statement's text.
    rel = stmts[1].node.relation
    assert sql[stmts[1].offset + rel.location:].startswith("t (a)")
    assert stmts[0].node.relation.relname == "ünï"


def test_statements_compare_and_hash_by_value_not_by_tree():
    a = split("CREATE TABLE t (id int);\nSELECT 1;")
    b = split("CREATE TABLE t (id int);\nSELECT 1;")
    assert a == b and hash(a[0]) == hash(b[0])
    assert a[0].node is not None and a[0] == b[0] and hash(a[0]) == hash(b[0])
    assert a[0].node is a[0].node  # built once
    assert "node" not in repr(a[0]) and a[0] != a[1]
    assert len({*a, *b}) == 2


def test_opt_out_marker_before_first_statement():
    script = parse_script("-- a migration\n-- e2i: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n")
    assert script.autocommit
    assert not parse_script("SELECT 1;\n-- e2i: no-transaction\nSELECT 2;").autocommit
    assert not parse_script("SELECT '-- e2i: no-transaction';").autocommit
    assert parse_script("--E2I:  No-Transaction\nSELECT 1;").autocommit
    assert parse_script("/* a /* nested */ */\r\n-- e2i: no-transaction\r\nSELECT 1;").autocommit
    assert parse_script("-- ünïcødé\n-- e2i: no-transaction\nVACUUM;").autocommit
    assert parse_script("-- e2i: no-transaction\n").autocommit
    assert not parse_script("/* -- e2i: no-transaction */ SELECT 1;").autocommit
    assert not parse_script("SELECT 1 -- e2i: no-transaction\n;").autocommit


def test_begin_is_absorbed_and_commit_becomes_a_commit_point():
    script = parse_script("BEGIN;\nCREATE TABLE a (id int);\nSAVEPOINT s;\nCOMMIT;\n"
                          "START TRANSACTION;\nCREATE TABLE b (id int);\nEND;\n")
    got = [(s.first_line, s.skip_reason is not None, s.commit_point) for s in script.statements]
    assert got == [("BEGIN", True, False), ("CREATE TABLE a (id int)", False, False), ("SAVEPOINT s", False, False),
                   ("COMMIT", True, True), ("START TRANSACTION", True, False),
                   ("CREATE TABLE b (id int)", False, False), ("END", True, True)]
    assert script.notes == (
        "BEGIN at line 1 not sent: the file already runs in a transaction",
        "COMMIT at line 4: committed there; the rest of the file runs in a new transaction",
        "START TRANSACTION at line 5 not sent: the file already runs in a transaction",
    )


def test_begin_commit_are_kept_in_no_transaction_files():
    script = parse_script("-- e2i: no-transaction\nBEGIN;\nSELECT 1;\nROLLBACK;\n")
    assert all(s.skip_reason is None for s in script.statements) and not script.notes


@pytest.mark.parametrize("stmt", ["ROLLBACK", "ABORT", "PREPARE TRANSACTION 'x'"])
def test_top_level_rollback_is_refused(stmt):
    with pytest.raises(SQLParseError) as exc:
        split(f"CREATE TABLE a (id int);\n{stmt};\n", "m/003_x.sql")
    assert str(exc.value).startswith("m/003_x.sql:2:1: top-level")
    assert "-- e2i: no-transaction" in str(exc.value)


def test_psql_meta_command_is_rejected_with_file_and_line():
    sql = "CREATE TABLE a (id int);\n\\set ON_ERROR_STOP on\nSELECT $$ \\i is fine in a string $$;"
    with pytest.raises(MigrationError) as exc:
        split(sql, "sql/migrations/004_psql.sql")
    message = str(exc.value)
    assert message.startswith("sql/migrations/004_psql.sql:2:1: psql meta-command '\\set' is not SQL")
    assert "plain SQL" in message and "prelude" in message
    assert split("SELECT E'\\\\i not a command';")  # backslashes in strings are fine


def test_syntax_error_reports_line_col_and_the_line():
    sql = "-- é comment\nCREATE TABLE a (id int);\nCREATE TABLE b (\n  id int,,\n  x text\n);\n"
    with pytest.raises(SQLParseError) as exc:
        split(sql, "m/005_bad.sql")
    e = exc.value
    assert (e.line, e.col) == (4, 10)
    assert e.statement == "CREATE TABLE b ("
    assert str(e).splitlines()[0] == 'm/005_bad.sql:4:10: syntax error at or near ","'
    assert "line 4: id int,," in str(e)
    assert isinstance(e, MigrationError)


def test_unterminated_string_is_a_located_error():
    with pytest.raises(SQLParseError) as exc:
        split("SELECT 1;\nSELECT 'oops;\n", "x.sql")
    assert (exc.value.line, exc.value.col) == (2, 8)
    assert "unterminated quoted string" in str(exc.value)


def test_empty_and_comment_only_files_have_no_statements():
    assert split("") == []
    assert split("-- nothing here\n/* at all */\n") == []


# --- failures, ordering, extensions ----------------------------------------------------


@pytest.mark.parametrize("sqlstate, message, expected", [
    ("42704", 'type "shap_analysis_type" does not exist', ("type", "shap_analysis_type", None)),
    ("42704", 'type "app.kind[]" does not exist', ("type", "kind", "app")),
    ("42P01", 'relation "public.users" does not exist', ("relation", "users", "public")),
    ("42883", "function touch_updated_at(integer, text) does not exist", ("function", "touch_updated_at", None)),
    ("42883", "procedure app.p() does not exist", ("function", "p", "app")),
    ("42883", 'could not find a function named "f"', ("function", "f", None)),
    ("3F000", 'schema "app" does not exist', ("schema", "app", None)),
    ("42704", 'operator class "gin_trgm_ops" does not exist for access method "gin"',
     ("operator class", "gin_trgm_ops", None)),
    ("42703", 'column "x" does not exist', None),
    ("42883", "operator does not exist: integer + text", None),
])
def test_missing_object_parses_server_messages(sqlstate, message, expected):
    got = missing_object(sqlstate, message)
    assert (got and (got.kind, got.name, got.schema)) == expected


def test_ordering_hint_names_the_later_file_and_line():
    later = split("CREATE TABLE other (id int);\n\nCREATE TYPE public.Shap_Kind AS ENUM ('a');\n")
    rest = split("SELECT 1;")
    missing = missing_object("42704", 'type "shap_kind" does not exist')
    hint = ordering_hint(missing, 14, rest, [("m/012_x.sql", split("SELECT 1;")), ("m/013_types.sql", later)])
    assert hint == ('type "shap_kind" is created by a later migration m/013_types.sql:3; '
                    "move that migration before this one")


def test_ordering_hint_same_file_schema_and_extension():
    rest = split("SELECT 1;\nCREATE SCHEMA app CREATE TABLE audit (id int);\n")
    missing = missing_object("42P01", 'relation "app.audit" does not exist')
    assert ordering_hint(missing, 3, rest, []) == (
        'relation "app.audit" is created later in this file, at line 2; move that statement before line 3')
    other_schema = missing_object("42P01", 'relation "other.audit" does not exist')
    assert ordering_hint(other_schema, 3, rest, []) is None

    vec = missing_object("42704", 'type "vector" does not exist')
    assert "later migration m/9.sql:1" in ordering_hint(vec, 1, [], [("m/9.sql", split("CREATE EXTENSION vector;"))])
    hint = ordering_hint(vec, 1, [], [])
    assert 'extension "vector", which no earlier migration creates' in hint
    hint = ordering_hint(vec, 1, [], [], [("m/1.sql", split("CREATE EXTENSION vector SCHEMA extensions;"))])
    assert "created by m/1.sql:1" in hint and "search_path" in hint


@pytest.mark.parametrize("creating, error", [
    ("CREATE TYPE app.mood AS ENUM ('a')", 'type "app.mood" does not exist'),
    ("CREATE TYPE r AS RANGE (subtype = int4)", 'type "r" does not exist'),
    ("CREATE DOMAIN d AS int", 'type "d" does not exist'),
    ("CREATE TYPE c AS (a int)", 'type "c" does not exist'),
    ("CREATE TYPE b (INPUT = b_in, OUTPUT = b_out)", 'type "b" does not exist'),
    ("CREATE AGGREGATE agg (int) (SFUNC = int4pl, STYPE = int)", "function agg(integer) does not exist"),
    ("CREATE TABLE t (id int)", 'relation "t" does not exist'),
    ("CREATE TABLE t (id int)", 'type "t" does not exist'),
    ("CREATE FOREIGN TABLE ft (id int) SERVER s", 'relation "ft" does not exist'),
    ("CREATE VIEW v AS SELECT 1", 'relation "v" does not exist'),
    ("CREATE TABLE ct AS SELECT 1", 'relation "ct" does not exist'),
    ("CREATE SEQUENCE seq", 'relation "seq" does not exist'),
    ("SELECT 1 INTO si", 'relation "si" does not exist'),
    ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "function f() does not exist"),
    ("CREATE SCHEMA app", 'schema "app" does not exist'),
    ("CREATE SCHEMA app CREATE TABLE audit (id int)", 'relation "app.audit" does not exist'),
    ("CREATE ROLE reader", 'role "reader" does not exist'),
    ("CREATE EXTENSION citext", 'type "citext" does not exist'),
])
def test_ordering_hint_finds_every_kind_of_creating_statement(creating, error):
    sqlstate = {"type": "42704", "relation": "42P01", "function": "42883", "schema": "3F000", "role": "42704"}
    missing = missing_object(sqlstate[error.split()[0]], error)
    later = split(f"CREATE INDEX i ON x (a);\nCOMMENT ON TABLE x IS 'y';\n{creating};\n")
    assert ordering_hint(missing, 1, [], [("m/2.sql", later)]) == (
        f"{missing} is created by a later migration m/2.sql:3; move that migration before this one")


def test_ordering_hint_blames_an_earlier_failed_migration():
    missing = missing_object("42704", 'type "public.brand_type" does not exist')
    failed = [("m/002_core.sql", split("SELECT 1;\nCREATE TYPE brand_type AS ENUM ('a');"))]
    assert ordering_hint(missing, 5, [], [], [], failed) == (
        'type "public.brand_type" would have been created by m/002_core.sql:2, which failed')


def test_missing_extension_messages_of_old_and_new_servers():
    assert missing_extension("0A000", 'extension "vector" is not available') == "vector"
    assert missing_extension(
        "58P01", 'could not open extension control file "/usr/share/postgresql/13/extension/pg_cron.control": '
                 "No such file or directory") == "pg_cron"
    assert missing_extension("42704", 'type "vector" does not exist') is None


def make_result(tmp_path, name, failure=None):
    from pytest_e2i_schema.migrations import Migration

    m = Migration(tmp_path / name, f"sql/migrations/{name}", (1,), "1", name, "numbered")
    return MigrationResult(m, failure is None, 0.01, 3, failure)


def test_failure_format_and_run_report(tmp_path):
    failure = MigrationFailure(
        display="sql/migrations/011_realtime_shap_audit.sql", line=14, col=5,
        statement="CREATE TABLE shap_audit (", message='type "shap_analysis_type" does not exist',
        sqlstate="42704", hint="Create the type first.", line_text="    kind shap_analysis_type NOT NULL,",
        ordering_hint='type "shap_analysis_type" is created by a later migration sql/migrations/013_x.sql:3; '
                      "move that migration before this one",
    )
    assert failure.format().splitlines() == [
        'sql/migrations/011_realtime_shap_audit.sql:14:5: ERROR 42704: type "shap_analysis_type" does not exist',
        "  statement: CREATE TABLE shap_audit (",
        "  line 14: kind shap_analysis_type NOT NULL,",
        "  HINT: Create the type first.",
        '  ordering: type "shap_analysis_type" is created by a later migration sql/migrations/013_x.sql:3; '
        "move that migration before this one",
    ]
    run = MigrationRun(results=[make_result(tmp_path, "010_a.sql"), make_result(tmp_path, "011_b.sql", failure)],
                       not_attempted=[make_result(tmp_path, "012_c.sql").migration], server_desc="embedded server")
    assert not run.ok and run.failures == [failure]
    assert [m.display for m in run.applied] == ["sql/migrations/010_a.sql"]
    with pytest.raises(MigrationError) as exc:
        run.raise_for_failures()
    text = str(exc.value)
    assert text.startswith("1 of 3 migration file(s) failed on embedded server:")
    assert "applied (1): sql/migrations/010_a.sql" in text
    assert "not attempted (1): sql/migrations/012_c.sql" in text
    assert failure.format() in text


def test_extension_failure_raises_extension_unavailable(tmp_path):
    from pytest_e2i_schema.errors import ExtensionUnavailable

    failure = MigrationFailure("m/1.sql", 1, 1, "CREATE EXTENSION vector", 'extension "vector" is not available',
                               "0A000", missing_extension="vector",
                               extension_hint='local server lacks "vector"; use --e2i-engine embedded')
    run = MigrationRun(results=[make_result(tmp_path, "1.sql", failure)])
    with pytest.raises(ExtensionUnavailable, match="use --e2i-engine embedded"):
        run.raise_for_failures()
    MigrationRun(results=[make_result(tmp_path, "1.sql")]).raise_for_failures()  # no failure: no error
