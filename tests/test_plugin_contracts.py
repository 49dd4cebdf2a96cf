"""Contracts through ``pytest --e2i-contracts``: items, ids, failures, drift, -k, junitxml, xdist, CLI."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

from .conftest import write_project

MIGRATIONS = {
    "migrations/001_types.sql": "create type mood as enum ('happy', 'sad');",
    "migrations/002_notes.sql": """
        create table notes (
            id bigint generated always as identity primary key,
            body text not null,
            mood mood default 'happy',
            tags text[]
        );
        create index notes_body_idx on notes (body);
        create function note_count() returns bigint language sql stable as 'select count(*) from notes';
    """,
}

CONTRACT = """
schema_version: "1"
enums:
  mood: [happy, sad]
tables:
  notes:
    columns:
      id: {type: bigint, identity: always}
      body: {type: string, nullable: false}
      mood: enum[mood]
      tags: array<string>
    primary_key: [id]
    indexes: {count: 2, named: {notes_body_idx: {method: btree, columns: [body]}}}
functions:
  note_count: {returns: bigint, volatility: stable, language: sql}
totals: {tables: 1, enums: 1, functions: 1}
"""


def run(pytester, *args):
    return pytester.runpytest_subprocess("--e2i-contracts", "-p", "no:cacheprovider", "-rf", *args)


def test_each_documented_object_is_an_item(pytester, engine_args):
    write_project(pytester, {**MIGRATIONS, "contracts/app.yaml": CONTRACT}, prelude=[])
    result = run(pytester, *engine_args, "-v")
    result.assert_outcomes(passed=5)  # migrations + 4 entries
    result.stdout.fnmatch_lines([
        "*e2i::migrations PASSED*",
        "*contracts/app.yaml::enum::public.mood PASSED*",
        "*contracts/app.yaml::table::public.notes PASSED*",
        "*contracts/app.yaml::function::public.note_count PASSED*",
        "*contracts/app.yaml::totals PASSED*",
    ])


def test_mismatches_are_listed_expected_vs_found(pytester, engine_args):
    broken = CONTRACT.replace("body: {type: string, nullable: false}", "body: {type: string(64), nullable: false}")
    broken = broken.replace("mood: [happy, sad]", "mood: [sad, happy]")
    write_project(pytester, {**MIGRATIONS, "contracts/app.yaml": broken}, prelude=[])
    result = run(pytester, *engine_args)
    out = result.stdout.str()
    assert "contracts/app.yaml:3: enum public.mood: 1 mismatch(es) with the database" in out
    assert "  enum mood: labels [sad, happy] expected, found [happy, sad]\n  created by migrations/001_types.sql" in out
    assert "contracts/app.yaml:5: table public.notes: 1 mismatch(es)" in out
    assert "  column body: type string(64) expected, found text\n" in out
    result.stdout.no_fnmatch_line("*Traceback*")
    assert result.ret == 1


def test_drift_is_reported_per_object_with_its_policy(pytester):
    files = {**MIGRATIONS, "migrations/003_more.sql": "create table hops (id int); create view v_hops as select id from hops;",
             "contracts/app.yaml": CONTRACT.replace("totals: {tables: 1, enums: 1, functions: 1}", "")}
    write_project(pytester, files, prelude=[])
    result = run(pytester)
    result.stdout.fnmatch_lines(["FAILED undocumented::tables::public.hops*", "FAILED undocumented::views::public.v_hops*"])
    result.stdout.fnmatch_lines(["*table public.hops: not documented in any contract*"])
    result.stdout.fnmatch_lines(["*kind*documented*found*missing*undocumented*mismatched*", "*tables*1*2*0*1*0*"])
    # a warn policy turns the failure into a warning
    (pytester.path / "contracts/app.yaml").write_text(
        CONTRACT.replace("totals: {tables: 1, enums: 1, functions: 1}", "") + "options: {drift: {tables: warn, views: ignore}}\n"
    )
    result = run(pytester)
    result.assert_outcomes(passed=5, warnings=1)  # migrations, 3 entries, the warned drift
    result.stdout.fnmatch_lines(["*e2i-schema drift: table public.hops: not documented*"])
    result.stdout.no_fnmatch_line("*v_hops*")


def test_missing_object_fails_its_item(pytester):
    write_project(pytester, {**MIGRATIONS, "contracts/app.yaml": CONTRACT + "views:\n  v_gone: {columns: [a]}\n"}, prelude=[])
    result = run(pytester)
    result.stdout.fnmatch_lines(["*view public.v_gone: missing from the database*", "*no migration creates it*",
                                 "FAILED contracts/app.yaml::view::public.v_gone*"])


def test_malformed_contract_names_file_line_and_path_and_nothing_else_runs(pytester):
    bad = CONTRACT.replace("tags: array<string>", "tags: enum[foo")
    write_project(pytester, {**MIGRATIONS, "contracts/app.yaml": bad, "contracts/other.yaml": CONTRACT}, prelude=[])
    result = run(pytester)
    assert "contracts/app.yaml:10: tables.notes.columns.tags: unknown type spelling 'enum[foo'" in result.stdout.str()
    result.stdout.no_fnmatch_line("*other.yaml::table*")
    result.stdout.no_fnmatch_line("*undocumented::*")


def test_k_junitxml_and_xdist_work_on_contract_items(pytester):
    write_project(pytester, {**MIGRATIONS, "contracts/app.yaml": CONTRACT}, prelude=[])
    result = run(pytester, "-k", "notes", "--junitxml=report.xml")
    result.assert_outcomes(passed=1)
    cases = [(tc.get("classname"), tc.get("name")) for tc in ET.parse(pytester.path / "report.xml").iter("testcase")]
    assert cases == [("contracts.app.yaml.table", "public.notes")]
    result = run(pytester, "-n", "2")
    result.assert_outcomes(passed=5)


def test_contract_init_round_trip(pytester, engine_args):
    write_project(pytester, MIGRATIONS, prelude=[])
    engine = [a.replace("--e2i-", "--") for a in engine_args]
    out = subprocess.run([sys.executable, "-m", "pytest_e2i_schema.cli", "contract", "init", *engine],
                         cwd=pytester.path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = (pytester.path / "contracts/schema.yaml").read_text()
    assert "notes_body_idx" in text and "mood: [happy, sad]" in text
    result = run(pytester, *engine_args)
    assert result.ret == 0, result.stdout.str()
    again = subprocess.run([sys.executable, "-m", "pytest_e2i_schema.cli", "contract", "init", *engine],
                           cwd=pytester.path, capture_output=True, text=True)
    assert again.returncode == 2 and "--force" in again.stderr


def test_import_doc_cli(pytester):
    doc = '{"metadata": {"version": "1.0", "total_tables": 1}, "core_entities": {"notes": {"primary_key": "id", ' \
          '"fields": {"id": "bigint", "body": "text NOT NULL", "mood": "enum[mood]", "tags": "array<string>", "weird": "enum[x"}}}}'
    write_project(pytester, {"doc.json": doc})
    out = subprocess.run([sys.executable, "-m", "pytest_e2i_schema.cli", "contract", "import-doc", "doc.json", "-o", "contracts/doc.yaml"],
                         cwd=pytester.path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "$.core_entities.notes.fields.weird" in out.stderr
    text = (pytester.path / "contracts/doc.yaml").read_text()
    assert "notes:" in text and "body: {type: text, nullable: false}" in text


def test_schemas_setting_limits_scope(pytester):
    files = {**MIGRATIONS, "migrations/003_other.sql": "create schema other; create table other.stuff (id int);",
             "contracts/app.yaml": CONTRACT}
    write_project(pytester, files, prelude=[])
    result = run(pytester)
    result.stdout.fnmatch_lines(["FAILED undocumented::tables::other.stuff*"])
    write_project(pytester, files, prelude=[], schemas=["public"])
    result = run(pytester)
    result.assert_outcomes(passed=5)


def test_the_main_job_freezes_its_heap_before_the_items_and_a_mixed_run_does_not(pytester):
    """gc.freeze after collection in `pytest --e2i-contracts` (only schema items run): pytest's
    end-of-run collections then walk only what the items make.  With test paths, user tests run
    with the collector as they would without the plugin."""
    files = {**MIGRATIONS, "contracts/app.yaml": CONTRACT,
             "conftest.py": "import gc\n\ndef pytest_runtestloop(session):\n"
                            "    print('FROZEN', gc.get_freeze_count() > 0)\n",
             "tests/test_user.py": "import gc\n\ndef test_user():\n    assert gc.get_freeze_count() == 0\n"}
    write_project(pytester, files, prelude=[])
    result = run(pytester, "-s")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["FROZEN True"])
    result = run(pytester, "-s", "tests", ".")
    result.assert_outcomes(passed=6)  # the schema items and the user's test
    result.stdout.fnmatch_lines(["FROZEN False"])
