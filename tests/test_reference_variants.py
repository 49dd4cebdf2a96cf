"""Broken variants of the reference schema: each produces exactly the expected failing items.

The project's own ``sql/migrations`` and ``contracts/`` are copied into a pytester project;
one extra migration (or one edit) breaks the schema in one way; ``pytest --e2i-contracts``
must fail precisely the items documenting what broke, with an expected-vs-found line.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCHEMA = "contracts/schema.yaml"
DOC = "contracts/e2i_v1_2_doc.json"
TRACE = "contracts/traceability.yaml"


@pytest.fixture
def reference(pytester: pytest.Pytester) -> Path:
    root = Path(pytester.path)
    shutil.copytree(REPO / "sql", root / "sql")
    shutil.copytree(REPO / "contracts", root / "contracts", ignore=shutil.ignore_patterns("__snapshots__"))
    (root / "pyproject.toml").write_text(
        '[tool.e2i_schema]\nmigrations = ["sql/migrations"]\ncontracts = "contracts"\nprelude = ["supabase"]\nsnapshot = false\n'
    )
    return root


def failing(pytester: pytest.Pytester) -> tuple[set[str], str]:
    result = pytester.runpytest_subprocess("--e2i-contracts", "-p", "no:cacheprovider", "-rf", "--e2i-engine=embedded")
    out = result.stdout.str()
    ids = set(re.findall(r"^FAILED (\S+)", out, flags=re.M)) - {"e2i::snapshot"}
    return ids, out


def test_reference_passes_as_committed(reference, pytester):
    ids, out = failing(pytester)
    assert ids == set(), out


def add_migration(root: Path, sql: str) -> None:
    (root / "sql/migrations/999_break.sql").write_text(sql)


def test_column_type_changed(reference, pytester):
    add_migration(reference, "alter table public.episodic_memories alter column importance drop default, "
                             "alter column importance type text using importance::text;\n")
    ids, out = failing(pytester)
    assert ids == {f"{SCHEMA}::table::public.episodic_memories", f"{DOC}::table::public.episodic_memories"}, out
    assert "column importance: type memory_importance expected, found text" in out
    assert "column importance: type enum[memory_importance] expected, found text" in out


def test_enum_labels_reordered(reference, pytester):
    path = reference / "sql/migrations/010_memory_system.sql"
    text = path.read_text()
    old = "('perception', 'attention', 'encoding'"
    assert old in text
    path.write_text(text.replace(old, "('attention', 'perception', 'encoding'"))
    ids, out = failing(pytester)
    # the doc also writes cognitive_cycles.phase as an inline label list: it fails too
    assert ids == {f"{SCHEMA}::enum::public.cognitive_phase", f"{DOC}::enum::public.cognitive_phase",
                   f"{DOC}::table::public.cognitive_cycles"}, out
    assert "labels [perception, attention, encoding, retrieval, decision, action] expected, " \
           "found [attention, perception, encoding, retrieval, decision, action]" in out


def test_policy_removed(reference, pytester):
    add_migration(reference, 'drop policy "Users can read their own episodic memories" on public.episodic_memories;\n')
    ids, out = failing(pytester)
    assert ids == {f"{SCHEMA}::table::public.episodic_memories", f"{SCHEMA}::totals"}, out
    assert 'policy "Users can read their own episodic memories": missing' in out
    assert "totals: policies 25 expected, found 24" in out
    assert "last changed by sql/migrations/999_break.sql" in out


def test_undocumented_table_added(reference, pytester):
    add_migration(reference, "create table public.investigation_scratch (id bigint primary key, note text);\n")
    ids, out = failing(pytester)
    assert ids == {"undocumented::tables::public.investigation_scratch", f"{SCHEMA}::totals"}, out
    assert "table public.investigation_scratch: not documented in any contract" in out
    assert "totals: tables 29 expected, found 30" in out


def test_view_column_dropped(reference, pytester):
    add_migration(reference, """
        drop view public.hook_performance_summary;
        create view public.hook_performance_summary with (security_invoker = true) as
        select h.hook_name, h.hook_type, count(*) as execution_count
        from public.hook_executions h group by h.hook_name, h.hook_type;
    """)
    ids, out = failing(pytester)
    assert ids == {f"{SCHEMA}::view::public.hook_performance_summary", f"{TRACE}::view::public.hook_performance_summary"}, out
    assert "success_count" in out and "missing" in out


def test_function_lost_search_path(reference, pytester):
    add_migration(reference, "alter function public.verify_audit_chain(uuid) reset search_path;\n")
    ids, out = failing(pytester)
    assert ids == {f"{SCHEMA}::function::public.verify_audit_chain(uuid)"}, out
    assert "function verify_audit_chain(uuid): setting search_path expected '', found (unset)" in out


def test_index_method_changed(reference, pytester):
    add_migration(reference, """
        drop index public.idx_traces_input_embedding;
        create index idx_traces_input_embedding on public.execution_traces
            using ivfflat (input_embedding extensions.vector_cosine_ops) with (lists = 100);
    """)
    ids, out = failing(pytester)
    assert ids == {f"{SCHEMA}::table::public.execution_traces", f"{TRACE}::table::public.execution_traces"}, out
    assert "index idx_traces_input_embedding: method hnsw expected, found ivfflat" in out


def test_traceability_statistics_are_scoped_to_the_file(reference, pytester):
    add_migration(reference, "drop index public.idx_traces_status;\n")
    ids, out = failing(pytester)
    assert f"{TRACE}::totals" in ids and f"{SCHEMA}::totals" in ids, out
    assert "totals: indexes at least 45 expected, found 44" in out
