"""Catalog snapshots: the text format (exact round trip, defaults, one line per change), the
schema_version rule, and the syrupy integration end to end on small projects (pytester).

The end-to-end tests run a schema snapshot item defined in the generated project's
conftest.py -- exactly the call the plugin's own item makes (:func:`snapshot_item_check`) --
so they cover syrupy's ``--snapshot-update``, its report and xdist without depending on the
plugin's wiring.  The tests through ``--e2i-contracts`` run once the plugin has its
``SnapshotItem``.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from pytest_e2i_schema.catalog import read_catalog
from pytest_e2i_schema.catalog.diff import normalize
from pytest_e2i_schema.snapshot import (
    E2ISchemaSnapshotExtension,
    SnapshotFormatError,
    parse_snapshot,
    serialize_catalog,
    snapshot_path,
    version_rule,
)

from .conftest import HAVE_LOCAL, PG15_BIN, write_project


def tricky_catalog() -> dict:
    return {
        "schemas": {"public": {"comment": None}, "odd schema": {"comment": "line1\nline2"}},
        "tables": {
            "public.t": {
                "kind": "table",
                "columns": [
                    {"name": "id", "type": "bigint", "not_null": True, "identity": "always"},
                    {"name": "my col: x", "type": "text", "default": "'a: b'::text", "comment": "ünïcode ✓"},
                    {"name": '"quoted"', "type": "public.mood[]", "default": "'{}'::public.mood[]"},
                ],
                "constraints": {
                    "t_pkey": {"definition": "PRIMARY KEY (id)", "index": "t_pkey"},
                    "odd: name": {"definition": "CHECK (length(\"my col: x\") > 0)"},
                },
                "rls_enabled": False,
                "options": {"fillfactor": "70"},
                "comment": "  leading and trailing  ",
            },
        },
        "views": {
            "public.v": {"kind": "view", "columns": [{"name": "id", "type": "bigint"}],
                         "definition": " SELECT id\n   FROM public.t\n\n  WHERE id > 0", "populated": True},
            "public.w": {"kind": "view", "columns": [], "definition": "SELECT 1 \nFROM x"},  # trailing blank: JSON
        },
        "enums": {"public.mood": {"labels": ["ok", "true", "", " spaced", "|pipe", "{brace", "null", "42"]}},
        "functions": {
            'public."f: x"(a integer)': {
                "kind": "function", "arguments": "a integer DEFAULT 1", "result": "integer", "language": "plpgsql",
                "volatility": "immutable", "strict": True, "security_definer": False, "leakproof": False,
                "parallel": "safe", "config": {"search_path": ""},
                "source": "\nbegin\n\treturn a + 1;\nend;\n", "comment": None,
            },
            "public.g()": {"kind": "procedure", "arguments": "", "result": None, "language": "sql",
                           "source": "select 1\r\n"},
        },
        "policies": {"public.t.own rows": {"table": "t", "command": "ALL", "permissive": "PERMISSIVE",
                                           "roles": ["anon", "authenticated"], "using": "true", "with_check": None}},
        "sequences": {"public.s": {"type": "bigint", "start": 1, "increment": 1, "min_value": 1,
                                   "max_value": 9223372036854775807, "cache": 1, "cycle": False}},
    }  # fmt: skip


def assert_within(part, whole, path="") -> None:
    """Every value of ``part`` is in ``whole`` (which may have more dict keys)."""
    if isinstance(part, dict):
        assert isinstance(whole, dict), path
        for k, v in part.items():
            assert k in whole, f"{path}.{k} missing"
            assert_within(v, whole[k], f"{path}.{k}")
    elif isinstance(part, list) and part and isinstance(part[0], dict):
        assert len(part) == len(whole), path
        for i, (a, b) in enumerate(zip(part, whole, strict=True)):
            assert_within(a, b, f"{path}[{i}]")
    else:
        assert part == whole and type(part) is type(whole), f"{path}: {part!r} != {whole!r}"


def test_round_trip_is_exact_for_awkward_values():
    cat = tricky_catalog()
    text = serialize_catalog(cat, schema_version="1.2", server_major=18)
    meta, back = parse_snapshot(text)
    assert (meta.format, meta.server_major, meta.schema_version) == (1, 18, "1.2")
    assert_within(normalize(cat), back)  # hand-written: parsing also restores the omitted defaults
    assert serialize_catalog(back, schema_version="1.2", server_major=18) == text
    assert parse_snapshot(serialize_catalog(back, schema_version="1.2", server_major=18))[1] == back
    # blocks for multi-line text; JSON where a block would not survive editors or text mode
    assert "  definition: |4\n     SELECT id\n       FROM public.t\n\n      WHERE id > 0\n" in text
    assert '  definition: "SELECT 1 \\nFROM x"' in text
    assert '  source: "select 1\\r\\n"' in text
    assert "\tretur" in text  # tabs kept inside blocks
    # strings JSON would read as something else are quoted; the rest is bare
    assert "  label: ok\n  label: \"true\"\n  label: \"\"\n  label: \" spaced\"\n  label: \"|pipe\"" in text
    assert '  comment: "  leading and trailing  "' in text and "  kind: table" in text
    assert '  column "my col: x": {"type": "text", "default": "\'a: b\'::text", "comment": "ünïcode ✓"}' in text
    assert '  constraint "odd: name": ' in text
    assert 'function "public.\\"f: x\\"(a integer)"' not in text and 'function public."f: x"(a integer)' in text


def test_defaults_are_omitted_and_restored():
    cat = tricky_catalog()
    text = serialize_catalog(cat, schema_version=None, server_major=None)
    block = text.split("\nsequence public.s\n", 1)[1]
    assert "cycle" not in block  # PostgreSQL's default
    assert "rls_enabled" not in text.split("\ntable public.t\n", 1)[1].split("\n\n")[0]
    _, back = parse_snapshot(text)
    table = back["tables"]["public.t"]
    assert table["rls_enabled"] is False and table["unlogged"] is False and table["inherits"] == []
    assert table["columns"][0]["default"] is None and table["columns"][0]["identity"] == "always"
    assert back["sequences"]["public.s"]["cycle"] is False
    assert back["functions"]["public.g()"]["strict"] is False
    assert "schema_version: null" in text


def test_one_changed_column_changes_one_line():
    a = tricky_catalog()
    b = tricky_catalog()
    b["tables"]["public.t"]["columns"][0]["type"] = "integer"
    b["enums"]["public.mood"]["labels"].insert(1, "great")
    ta = serialize_catalog(a, schema_version="1", server_major=18).split("\n")
    tb = serialize_catalog(b, schema_version="1", server_major=18).split("\n")
    changed = [ln for ln in difflib.unified_diff(ta, tb, lineterm="", n=0) if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert changed == [
        '-  column id: {"type": "bigint", "not_null": true, "identity": "always"}',
        '+  column id: {"type": "integer", "not_null": true, "identity": "always"}',
        "+  label: great",
    ]


def test_blank_lines_at_the_end_may_be_trimmed():
    """An end-of-file fixer (pre-commit) removes the blank last lines of a final block."""
    cat = {"functions": {"public.f()": {"kind": "function", "arguments": "", "result": "integer",
                                        "language": "sql", "source": "\nselect 1\n\n"}}}
    text = serialize_catalog(cat, schema_version=None, server_major=18)
    assert text.endswith("    select 1\n\n\n")
    assert parse_snapshot(text.rstrip("\n") + "\n") == parse_snapshot(text)


def test_unreadable_snapshots_name_the_line():
    good = serialize_catalog(tricky_catalog(), schema_version="1", server_major=18)
    with pytest.raises(SnapshotFormatError, match="no 'format:' header"):
        parse_snapshot("table public.t\n  kind: table\n")
    with pytest.raises(SnapshotFormatError, match="newer than this pytest-e2i-schema reads"):
        parse_snapshot(good.replace("format: 1", "format: 99"))
    with pytest.raises(SnapshotFormatError, match=r"line \d+: bad JSON record"):
        parse_snapshot(good.replace('column id: {"type"', "column id: {type"))
    with pytest.raises(SnapshotFormatError, match=r"line \d+: unexpected line"):
        parse_snapshot(good + "garbage here\n")
    with pytest.raises(SnapshotFormatError, match="appears twice"):
        parse_snapshot(good + "\nsequence public.s\n  type: bigint\n")


def test_version_rule():
    assert version_rule("1.2", "1.2", catalog_changed=False) is None
    assert "bump schema_version" in version_rule("1.2", "1.2", catalog_changed=True)
    assert version_rule("1.2", "1.3", catalog_changed=True) is None
    assert version_rule("1.9", "1.10", catalog_changed=True) is None  # numeric, not string, order
    assert "not a bump" in version_rule("1.3", "1.2", catalog_changed=True)
    assert version_rule(None, "1", catalog_changed=True) is None
    assert version_rule("1", None, catalog_changed=True) is None  # no contract: rule off
    assert version_rule("2024-a", "2024-b", catalog_changed=True) is None  # non-numeric: any change is a bump


def test_extension_failure_diff_is_structured():
    a = tricky_catalog()
    b = tricky_catalog()
    b["policies"]["public.t.own rows"]["roles"] = ["authenticated"]
    ext = E2ISchemaSnapshotExtension()
    old = ext.serialize({"tables": {}, **a})
    new = serialize_catalog(b, schema_version="2", server_major=18)
    lines = list(ext.diff_lines(new, old))
    assert lines == [
        "changed (1):",
        '  policy "own rows" on t: roles {anon, authenticated} -> {authenticated}',
        'schema_version null -> "2"',
        "server_major null -> 18",
    ]
    assert any("-" in ln for ln in ext.diff_lines("not a snapshot\n", "something else\n"))


def test_reference_schema_snapshot_is_deterministic(e2i_fresh_db, e2i_migrated, e2i_server):
    """Two reads (different connections and search paths) give byte-identical snapshots,
    and the snapshot reads back to the review view of the catalog."""
    first = read_catalog(e2i_fresh_db, baseline=e2i_migrated.baseline)
    with e2i_server.connect(e2i_fresh_db.info.dbname) as other:
        other.execute("set search_path = extensions")
        second = read_catalog(other, baseline=e2i_migrated.baseline)
    major = e2i_server.version_num // 10000
    a = serialize_catalog(first, schema_version="1.2", server_major=major)
    b = serialize_catalog(second, schema_version="1.2", server_major=major)
    assert a == b
    meta, back = parse_snapshot(a)
    assert back == normalize(first) and meta.server_major == major
    assert "oid" not in a.lower().replace("void", "")
    ext = E2ISchemaSnapshotExtension()
    assert ext.serialize(first) == serialize_catalog(first, schema_version=None, server_major=major)


def test_snapshot_path():
    assert snapshot_path("contracts", 18) == Path("contracts/__snapshots__/catalog.pg18.schema")
    assert snapshot_path("c", 15, name="public", dirname="snaps") == Path("c/snaps/public.pg15.schema")


# -- end to end through syrupy (a schema item in the project's conftest) --------------------

CONFTEST = '''
from pathlib import Path

import pytest

from pytest_e2i_schema.catalog import read_catalog
from pytest_e2i_schema.items import SchemaCollector
from pytest_e2i_schema.plugin import get_session
from pytest_e2i_schema.snapshot import SnapshotMismatch, snapshot_item_check


class SnapshotItem(pytest.Item):
    """What the plugin's e2i::snapshot item does."""

    def runtest(self):
        session = get_session(self.config)
        tmpl = session.template()
        assert tmpl.ok, tmpl.run.report()
        conn = session.shared_connection(session.work_db(tmpl))
        catalog = read_catalog(conn, baseline=tmpl.baseline)
        vfile = Path(session.settings.rootdir) / "version.txt"
        version = vfile.read_text().strip() if vfile.exists() else None
        snapshot_item_check(self, catalog, schema_version=version,
                            snapshot_dir=Path(session.settings.rootdir) / session.settings.contracts)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, SnapshotMismatch):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, "e2i::snapshot"


def pytest_collection_modifyitems(session, config, items):
    parent = SchemaCollector.from_parent(session, name="e2i", nodeid="e2i")
    items.insert(0, SnapshotItem.from_parent(parent, name="snapshot"))
'''

INIT_SQL = """
create type memory_importance as enum ('low', 'high');
create type shap_analysis_type as enum ('global', 'summary');
create table memories (id uuid primary key, owner uuid, importance text not null);
alter table memories enable row level security;
create role e2i_t_authenticated nologin;
create role e2i_t_anon nologin;
create policy "own rows" on memories for select to e2i_t_authenticated using (owner is not null);
create function hybrid_search_memories(q text, emb double precision[], who uuid, n integer)
    returns setof memories language sql stable set search_path = public
    as $$ select * from memories limit n $$;
"""

CHANGES_SQL = """
alter table memories alter column importance type memory_importance using importance::memory_importance;
alter type shap_analysis_type add value 'local_realtime' after 'summary';
alter policy "own rows" on memories to e2i_t_anon, e2i_t_authenticated;
alter function hybrid_search_memories(text, double precision[], uuid, integer) reset search_path;
"""


@pytest.fixture(autouse=True)
def _not_an_xdist_worker(monkeypatch):
    """The inner pytest runs are not xdist workers even when this suite runs under xdist
    (syrupy reads PYTEST_XDIST_WORKER to decide whether to print its report)."""
    for var in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(var, raising=False)


def project(pytester: pytest.Pytester, version: str | None = None) -> Path:
    root = write_project(pytester, {"migrations/001_init.sql": INIT_SQL, "conftest.py": CONFTEST},
                         migrations=["migrations"], prelude=[])
    if version is not None:
        (root / "version.txt").write_text(version)
    return root


def run(pytester: pytest.Pytester, *args: str):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def snap_file(root: Path) -> Path:
    found = sorted((root / "contracts" / "__snapshots__").glob("catalog.pg*.schema"))
    assert len(found) == 1, found
    return found[0]


def test_snapshot_created_checked_and_each_change_named(pytester):
    root = project(pytester)
    missing = run(pytester)
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*no catalog snapshot for PostgreSQL * yet: contracts/__snapshots__/catalog.pg*.schema",
                                  "*--snapshot-update*", "*1 snapshot failed.*"])
    created = run(pytester, "--snapshot-update")
    created.assert_outcomes(passed=1)
    created.stdout.fnmatch_lines(["*1 snapshot generated.*"])
    path = snap_file(root)
    original = path.read_text()
    assert "table public.memories\n  kind: table\n" in original
    run(pytester).stdout.fnmatch_lines(["*1 snapshot passed.*"])

    (root / "migrations" / "002_changes.sql").write_text(CHANGES_SQL)
    failed = run(pytester)
    failed.assert_outcomes(failed=1)
    failed.stdout.fnmatch_lines([
        "*the migrated schema (PostgreSQL *) differs from the snapshot contracts/__snapshots__/catalog.pg*.schema:"
        " 0 added, 0 removed, 4 changed",
        "  changed (4):",
        "    table memories: column importance: type text -> memory_importance",
        "    enum shap_analysis_type: + local_realtime (after summary)",
        "    function hybrid_search_memories(text, double precision[], uuid, ...): search_path public -> (unset)",
        '    policy "own rows" on memories: roles {e2i_t_authenticated} -> {e2i_t_anon, e2i_t_authenticated}',
        "if the change is intended, record it with: pytest --e2i-contracts --snapshot-update",
        "*1 snapshot failed.*",
    ])
    failed.stdout.no_fnmatch_line("*Traceback*")
    assert path.read_text() == original

    updated = run(pytester, "--snapshot-update")
    updated.assert_outcomes(passed=1)
    updated.stdout.fnmatch_lines(["*1 snapshot updated.*"])
    text = path.read_text()
    changed = [ln for ln in difflib.unified_diff(original.split("\n"), text.split("\n"), lineterm="", n=0)
               if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert sorted(changed) == sorted([
        '-  column importance: {"type": "text", "not_null": true}',
        '+  column importance: {"type": "public.memory_importance", "not_null": true}',
        "+  label: local_realtime",
        '-  config: {"search_path": "public"}',
        '-  roles: ["e2i_t_authenticated"]',
        '+  roles: ["e2i_t_anon", "e2i_t_authenticated"]',
    ])  # a small change changes a few lines
    again = run(pytester, "-n", "2")  # under xdist the worker's report reaches the controller
    again.assert_outcomes(passed=1)
    again.stdout.fnmatch_lines(["*1 snapshot passed.*"])


def test_schema_version_rule(pytester):
    root = project(pytester, version="1.2")
    run(pytester, "--snapshot-update").assert_outcomes(passed=1)
    path = snap_file(root)
    assert 'schema_version: "1.2"' in path.read_text()
    original = path.read_text()
    (root / "migrations" / "002_changes.sql").write_text(
        "alter type shap_analysis_type add value 'local_realtime' after 'summary';\n")

    refused = run(pytester, "--snapshot-update")  # changed catalog, same version: not recorded
    refused.assert_outcomes(failed=1)
    refused.stdout.fnmatch_lines([
        "    enum shap_analysis_type: + local_realtime (after summary)",
        '*the catalog changed but schema_version is still "1.2": bump schema_version in the contract*',
        "*1 snapshot failed.*",
    ])
    assert path.read_text() == original

    (root / "version.txt").write_text("1.3")
    bumped = run(pytester)
    bumped.assert_outcomes(failed=1)
    bumped.stdout.fnmatch_lines(['*if the change is intended (schema_version bumped "1.2" -> "1.3"), record it with*'])
    recorded = run(pytester, "--snapshot-update")
    recorded.assert_outcomes(passed=1)
    recorded.stdout.fnmatch_lines(["*1 snapshot updated.*"])
    assert 'schema_version: "1.3"' in path.read_text() and "label: local_realtime" in path.read_text()
    run(pytester).assert_outcomes(passed=1)

    (root / "version.txt").write_text("1.4")  # a bump alone must be recorded too
    run(pytester).stdout.fnmatch_lines(['*schema_version changed "1.3" -> "1.4" with no catalog change*'])
    run(pytester, "--snapshot-update").assert_outcomes(passed=1)

    (root / "version.txt").write_text("1.1")
    (root / "migrations" / "003_more.sql").write_text("alter table memories add column note text;\n")
    backwards = run(pytester, "--snapshot-update")
    backwards.assert_outcomes(failed=1)
    backwards.stdout.fnmatch_lines(["    table memories: + column note text", '*from "1.4" to "1.1", which is not a bump*'])


def test_snapshots_are_byte_identical_across_runs_and_engines(pytester):
    """Two runs give the same bytes; engines of the same major version share one snapshot;
    another major gets its own file and the other's is left alone (not unused, not deleted)."""
    root = project(pytester, version="1")
    engines = [["--e2i-engine=embedded"]]
    if HAVE_LOCAL:
        engines.append(["--e2i-engine=local", f"--e2i-pg-bin={PG15_BIN}"])
    made: set[str] = set()
    for args in engines:
        result = run(pytester, "--snapshot-update", *args)
        result.assert_outcomes(passed=1)
        new = [p for p in (root / "contracts" / "__snapshots__").glob("*.schema") if p.name not in made]
        if not new:  # same major as an engine before: it matched that engine's snapshot byte for byte
            result.stdout.fnmatch_lines(["*1 snapshot passed.*"])
            continue
        (path,) = new
        first = path.read_bytes()
        path.unlink()
        run(pytester, "--snapshot-update", *args).assert_outcomes(passed=1)
        assert path.read_bytes() == first
        made.add(path.name)
    for args in engines:  # every engine still passes against its own major's file
        result = run(pytester, *args)
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(["*1 snapshot passed.*"])
        result.stdout.no_fnmatch_line("*unused*")
    assert len(list((root / "contracts" / "__snapshots__").glob("*.schema"))) == len(made)


def test_missing_major_points_at_the_other_major(pytester):
    root = project(pytester)
    run(pytester, "--snapshot-update").assert_outcomes(passed=1)
    path = snap_file(root)
    major = int(path.name.split(".pg")[1].split(".")[0])
    other = path.with_name(f"catalog.pg{major - 3}.schema")
    path.rename(other)
    (root / "migrations" / "002_more.sql").write_text("alter table memories add column note text;\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        f"*no catalog snapshot for PostgreSQL {major} yet*",
        f"*catalog.pg{major - 3}.schema is for another version*",
        f"*compared with catalog.pg{major - 3}.schema (some differences may be deparsing only):",
        "*table memories: + column note text",
    ])
    run(pytester, "--snapshot-update").assert_outcomes(passed=1)
    assert other.exists() and path.exists()  # the other major's snapshot is never deleted


def test_works_without_the_syrupy_plugin(pytester):
    """-p no:syrupy: the item compares by itself (no --snapshot-update option then)."""
    root = project(pytester)
    result = run(pytester, "-p", "no:syrupy")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no catalog snapshot for PostgreSQL * yet*"])
    assert not (root / "contracts" / "__snapshots__").exists()
    run(pytester, "--snapshot-update").assert_outcomes(passed=1)
    run(pytester, "-p", "no:syrupy").assert_outcomes(passed=1)


def test_unreadable_snapshot_is_reported_and_regenerated(pytester):
    root = project(pytester)
    run(pytester, "--snapshot-update").assert_outcomes(passed=1)
    path = snap_file(root)
    good = path.read_text()
    path.write_text(good.replace("format: 1", "format: one"))
    run(pytester).stdout.fnmatch_lines(["*can't read the catalog snapshot contracts/__snapshots__/*"])
    path.write_text(good.replace("  kind: table\n", "  kind: \"table\"\n"))  # same catalog, other spelling
    run(pytester).stdout.fnmatch_lines(["*describes the same catalog but its text is not in canonical form*"])
    run(pytester, "--snapshot-update").assert_outcomes(passed=1)
    assert path.read_text() == good


# -- through the plugin: --e2i-contracts --------------------------------------------------

def require_wired(pytester: pytest.Pytester) -> None:
    """Skip until ``--e2i-contracts`` collects an ``e2i::snapshot`` item (however it is wired)."""
    listed = pytester.runpytest_subprocess("--e2i-contracts", "-p", "no:cacheprovider", "--collect-only", "-q")
    if not any("e2i::snapshot" in line for line in listed.stdout.lines):
        pytest.skip("snapshot item not wired yet")


def contracts_project(pytester: pytest.Pytester, version: str) -> Path:
    root = write_project(pytester, {"migrations/001_init.sql": INIT_SQL}, migrations=["migrations"], prelude=[], snapshot=True)
    (root / "contracts").mkdir(exist_ok=True)
    (root / "contracts" / "schema.yaml").write_text(f'schema_version: "{version}"\n')
    return root


def run_contracts(pytester: pytest.Pytester, *args: str):
    return pytester.runpytest_subprocess("--e2i-contracts", "-p", "no:cacheprovider", "-rA", "-k", "snapshot", *args)


def test_contracts_snapshot_item_lifecycle(pytester):
    root = contracts_project(pytester, "1.2")
    require_wired(pytester)
    run_contracts(pytester).stdout.fnmatch_lines(["*no catalog snapshot for PostgreSQL * yet*"])
    run_contracts(pytester, "--snapshot-update").stdout.fnmatch_lines(["*1 snapshot generated.*"])
    path = snap_file(root)
    assert 'schema_version: "1.2"' in path.read_text()
    run_contracts(pytester).stdout.fnmatch_lines(["PASSED e2i::snapshot*"])
    (root / "migrations" / "002_changes.sql").write_text(CHANGES_SQL)
    failed = run_contracts(pytester, "--snapshot-update")
    failed.stdout.fnmatch_lines([
        "*table memories: column importance: type text -> memory_importance",
        "*enum shap_analysis_type: + local_realtime (after summary)",
        "*search_path public -> (unset)",
        '*policy "own rows" on memories: roles {e2i_t_authenticated} -> {e2i_t_anon, e2i_t_authenticated}',
        '*schema_version is still "1.2": bump schema_version*',
        "FAILED e2i::snapshot*",
    ])
    (root / "contracts" / "schema.yaml").write_text('schema_version: "1.3"\n')
    run_contracts(pytester, "--snapshot-update").stdout.fnmatch_lines(["*1 snapshot updated.*"])
    assert 'schema_version: "1.3"' in path.read_text()
    run_contracts(pytester).stdout.fnmatch_lines(["PASSED e2i::snapshot*"])


def test_contracts_snapshot_is_deterministic(pytester):
    root = contracts_project(pytester, "1")
    require_wired(pytester)
    run_contracts(pytester, "--snapshot-update").stdout.fnmatch_lines(["*1 snapshot generated.*"])
    first = snap_file(root).read_bytes()
    shutil.rmtree(root / "contracts" / "__snapshots__")
    run_contracts(pytester, "--snapshot-update").stdout.fnmatch_lines(["*1 snapshot generated.*"])
    assert snap_file(root).read_bytes() == first
    assert json.dumps(parse_snapshot(first.decode())[1])  # readable back
