"""Contracts against real databases: the reference schema (sql/migrations + supabase prelude).

A contract generated from the migrated reference schema, written as YAML and loaded back,
must pass against that schema with no mismatch and no drift.  Then one DDL change at a
time is made in a fresh clone, and the *original* contract must report exactly the
expected lines -- nothing more, nothing less -- so each test fails if a check goes blind
or starts reporting noise.  A hand-written contract using the documentation shorthands
and loosely written expressions checks normalisation against real deparsed output.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_e2i_schema.catalog import read_catalog
from pytest_e2i_schema.contracts import (
    ContractFile,
    check_files,
    dump_yaml,
    generate_contract,
    load_contract,
    undocumented,
)


def _catalog(conn, migrated):
    return read_catalog(conn, baseline=migrated.baseline)


def _mismatches(files: list[ContractFile], catalog) -> dict[str, list[str]]:
    return {e.item_id: lines for e, lines in check_files(files, catalog) if lines}


def _drift(files, catalog) -> list[tuple[str, str, str]]:
    return [(d.kind, d.key, d.policy) for d in undocumented(files, catalog)]


@pytest.fixture
def reference(e2i_fresh_db, e2i_migrated, tmp_path):
    """(connection, [generated contract file]) for a fresh clone of the reference schema."""
    catalog = _catalog(e2i_fresh_db, e2i_migrated)
    contract = generate_contract(catalog, source="sql/migrations")
    folder = tmp_path / "contracts"
    folder.mkdir()
    path = folder / "reference.yaml"
    path.write_text(dump_yaml(contract))
    loaded = load_contract(path, tmp_path)
    assert loaded.data == contract  # the YAML reads back as the dict it was written from
    return e2i_fresh_db, [loaded]


def test_generated_contract_round_trips_on_the_reference_schema(reference, e2i_migrated):
    conn, files = reference
    catalog = _catalog(conn, e2i_migrated)
    assert _mismatches(files, catalog) == {}
    assert _drift(files, catalog) == []
    kinds = [e.kind for e in files[0].entries]
    assert kinds.count("table") == 29  # 28 tables + the partitioned one; partitions are not entries
    assert kinds.count("view") == 11 and kinds.count("materialized_view") == 1
    assert kinds.count("enum") == 19 and kinds.count("function") == 42
    assert kinds[0] == "extensions" and kinds[-1] == "totals"
    totals = files[0].data["totals"]
    assert (totals["tables"], totals["partitions"], totals["indexes"], totals["policies"]) == (29, 4, 135, 25)
    # the generated spelling is the short one
    columns = files[0].data["tables"]["episodic_memories"]["columns"]
    assert columns["content_embedding"]["type"] == "vector(1536)"
    assert columns["importance"] == {
        "type": "memory_importance",
        "nullable": False,
        "default": "'medium'::memory_importance",
    }


def test_column_type_change(reference, e2i_migrated):
    conn, files = reference
    conn.execute("alter table public.episodic_memories alter column decay_factor type double precision")
    catalog = _catalog(conn, e2i_migrated)
    assert _mismatches(files, catalog) == {
        "table::public.episodic_memories": ["column decay_factor: type real expected, found double precision"],
    }
    assert _drift(files, catalog) == []


def test_enum_label_added_before_another(reference, e2i_migrated):
    conn, files = reference
    conn.execute("alter type public.memory_type add value 'observation' before 'fact'")
    catalog = _catalog(conn, e2i_migrated)
    assert _mismatches(files, catalog) == {
        "enum::public.memory_type": [
            "enum memory_type: labels [experience, fact, procedure, context, feedback] expected, "
            "found [experience, observation, fact, procedure, context, feedback]"
        ],
    }


def test_dropped_policy(reference, e2i_migrated):
    conn, files = reference
    conn.execute('drop policy "Users can read their own episodic memories" on public.episodic_memories')
    catalog = _catalog(conn, e2i_migrated)
    assert _mismatches(files, catalog) == {
        "table::public.episodic_memories": ['policy "Users can read their own episodic memories": missing'],
        "totals": ["totals: policies 25 expected, found 24"],
    }


def test_undocumented_table_is_drift(reference, e2i_migrated):
    conn, files = reference
    conn.execute("create table public.scratch_notes (note text)")
    catalog = _catalog(conn, e2i_migrated)
    assert _mismatches(files, catalog) == {"totals": ["totals: tables 29 expected, found 30"]}
    assert _drift(files, catalog) == [("tables", "public.scratch_notes", "error")]
    drift = undocumented(files, catalog)
    assert drift[0].message == "table public.scratch_notes: not documented in any contract"


def test_view_recreated_without_its_last_column(reference, e2i_migrated):
    conn, files = reference
    definition = conn.execute("select pg_get_viewdef('public.agent_routing_accuracy'::regclass, true)").fetchone()[0]
    kept = "selected_agent, total_decisions, verified_decisions, correct_decisions, accuracy_rate, avg_confidence, avg_latency_ms"
    conn.execute("drop view public.agent_routing_accuracy")
    conn.execute(
        f"create view public.agent_routing_accuracy as select {kept} from ({definition.rstrip().rstrip(';')}) s"
    )
    catalog = _catalog(conn, e2i_migrated)
    assert _mismatches(files, catalog) == {
        "view::public.agent_routing_accuracy": ["column last_decided_at: missing (no migration creates it)"],
    }


def test_function_search_path_reset(reference, e2i_migrated):
    conn, files = reference
    conn.execute("alter function public.archive_dspy_run(integer) reset search_path")
    catalog = _catalog(conn, e2i_migrated)
    assert _mismatches(files, catalog) == {
        "function::public.archive_dspy_run(integer)": [
            "function archive_dspy_run(integer): setting search_path expected 'public, extensions', found (unset)"
        ],
    }


def test_hnsw_index_replaced_by_ivfflat(reference, e2i_migrated):
    conn, files = reference
    conn.execute("drop index public.idx_error_embedding")
    conn.execute(
        "create index idx_error_embedding on public.error_patterns"
        " using ivfflat (error_embedding extensions.vector_cosine_ops) with (lists = 100)"
    )
    catalog = _catalog(conn, e2i_migrated)
    assert _mismatches(files, catalog) == {
        "table::public.error_patterns": [
            "index idx_error_embedding: method hnsw expected, found ivfflat",
            "index idx_error_embedding: with {ef_construction: 64, m: 16} expected, found {lists: 100}",
        ],
    }


def test_dropped_table_is_missing(reference, e2i_migrated):
    conn, files = reference
    conn.execute("drop table public.investigation_hops")
    catalog = _catalog(conn, e2i_migrated)
    found = _mismatches(files, catalog)
    assert found.pop("table::public.investigation_hops") == ["table public.investigation_hops: missing from the database"]
    assert found == {"totals": ["totals: tables 29 expected, found 28", "totals: indexes 135 expected, found 131"]}


HAND_WRITTEN = """\
    schema_version: "1.2.0"
    options:
      exact_columns: false
      drift: {default: ignore}
    extensions:
      vector: {schema: extensions}
    enums:
      memory_importance: [critical, high, medium, low, trivial]
    tables:
      episodic_memories:
        columns:
          memory_id: {type: uuid, nullable: false, default: gen_random_uuid()}
          agent_name: enum[agent_name_type]
          content: {type: string, nullable: false}
          importance: {type: "enum[memory_importance]", default: "'medium'"}
          memory_type: {type: "enum[experience, fact, procedure, context, feedback]", default: "'experience'"}
          content_embedding: vector(1536)
          created_at: {type: timestamptz, default: NOW()}
          decay_factor: {type: float, default: 1.0}
          access_count: {type: int, default: 0}
          is_consolidated: {type: bool, default: false}
          context_json: {type: jsonb, default: "'{}'"}
          content_tsv: {type: tsvector, generated: "to_tsvector('english', content)"}
        primary_key: memory_id
        checks:
          - episodic_memories_access_count_check
          - {name: episodic_memories_decay_factor_check, expression: "decay_factor BETWEEN 0 AND 1"}
          - {expression: "btrim(content) <> ''"}
        indexes:
          min_count: 5
          named:
            idx_episodic_memories_embedding:
              method: ivfflat
              columns: [content_embedding]
              opclass: [vector_cosine_ops]
              with: {lists: 100}
            idx_episodic_memories_agent_created: {columns: [agent_name, created_at desc]}
        rls: true
        policies:
          Users can read their own episodic memories:
            command: SELECT
            roles: [authenticated]
            using: user_id = (select auth.uid())
            with_check: null
          Users can store their own episodic memories: {command: insert, with_check: "user_id = (SELECT auth.uid())"}
          Users can update their own episodic memories: {permissive: true}
      error_patterns:
        columns:
          error_pattern_id: {default: uuid_generate_v4()}
          error_signature: string(500)
          example_trace_ids: {type: "array<uuid>", default: "'{}'"}
          source: {type: varchar(20), default: "'agent'"}
        checks:
          - {name: error_patterns_source_check, expression: "source in ('agent', 'hook', 'endpoint', 'tool', 'system')"}
        indexes:
          named:
            idx_error_unresolved:
              columns: [occurrence_count DESC]
              where: resolution_status IN ('open', 'investigating')
            idx_error_embedding: {method: hnsw, with: {m: 16, ef_construction: 64}, opclass: [vector_cosine_ops]}
        triggers:
          update_error_patterns_updated_at: {timing: before, events: [update], level: row, function: update_updated_at_column()}
      endpoint_calls:
        foreign_keys:
          - {columns: [trace_id], references: execution_traces(trace_id), on_delete: cascade}
          - {columns: [user_id], references: auth.users(id), on_delete: set null}
        triggers:
          calculate_endpoint_duration: {events: [update, insert], columns: [completed_at, started_at], enabled: true}
      execution_traces:
        triggers:
          track_agent_chain:
            timing: after
            when: "old.status = 'running' and new.status <> 'running'"
      feature_value_history:
        partitions: {strategy: hash, key: entity_id, count: 4}
      audit_chain_entries:
        unique: [[entry_hash], [sequence_number, chain_id]]
        checks:
          - {name: audit_chain_entries_actor_type_check, expression: "actor_type in ('agent', 'user', 'system', 'service')"}
    views:
      v_audit_chain_summary:
        columns: {entity_type: string, chain_count: bigint, total_entries: numeric}
      agent_routing_accuracy:
        columns: [selected_agent, total_decisions, verified_decisions]
    materialized_views:
      mv_agent_learning_summary: {indexes: {min_count: 1}}
    functions:
      verify_audit_chain:
        arguments: [p_chain_id uuid]
        returns: bool
        language: plpgsql
        security_definer: true
        settings: {search_path: ""}
      "hybrid_search_memories(text, vector(1536), agent_name_type, int, real, real)":
        returns: "TABLE(memory_id uuid, content string, importance enum[memory_importance], text_score real, vector_score float, combined_score float4)"
        volatility: stable
        settings: {search_path: "public,extensions"}
      get_audit_chain_for_entity: {returns: SETOF audit_chain_entries}
      update_updated_at_column: {returns: trigger, settings: {search_path: any}}
      store_episodic_memory:
        arguments:
          - p_agent_name agent_name_type
          - p_session_id uuid
          - p_content text
          - p_importance memory_importance DEFAULT 'medium'
          - p_memory_type enum[memory_type] DEFAULT 'experience'
          - p_content_embedding vector(1536) DEFAULT NULL
          - p_context jsonb DEFAULT '{}'
          - {name: p_user_id, type: uuid}
    totals:
      tables: {min: 20}
      partitions: 4
      enums: 19
      views: {max: 11}
      functions: {min: 30}
"""


def test_hand_written_contract_with_shorthands_matches(e2i_fresh_db, e2i_migrated, tmp_path):
    path = tmp_path / "contracts" / "e2i.yaml"
    path.parent.mkdir()
    path.write_text(textwrap.dedent(HAND_WRITTEN))
    contract = load_contract(path, tmp_path)
    catalog = _catalog(e2i_fresh_db, e2i_migrated)
    assert _mismatches([contract], catalog) == {}
    # ... and the same contract notices changes to what it documents
    e2i_fresh_db.execute("alter table public.episodic_memories alter column importance set default 'low'")
    e2i_fresh_db.execute(
        "alter policy \"Users can read their own episodic memories\" on public.episodic_memories to anon, authenticated"
    )
    e2i_fresh_db.execute("alter function public.verify_audit_chain(uuid) security invoker")
    catalog = _catalog(e2i_fresh_db, e2i_migrated)
    assert _mismatches([contract], catalog) == {
        "table::public.episodic_memories": [
            "column importance: default 'medium' expected, found 'low'::memory_importance",
            'policy "Users can read their own episodic memories": roles [authenticated] expected, '
            "found [anon, authenticated]",
        ],
        "function::public.verify_audit_chain": [
            "function verify_audit_chain(uuid): security_definer true expected, found false"
        ],
    }


def test_timestamp_shorthand_is_strict_unless_the_option_says_otherwise(e2i_fresh_db, e2i_migrated, tmp_path):
    folder = tmp_path / "contracts"
    folder.mkdir()
    body = "tables:\n  episodic_memories:\n    columns:\n      created_at: timestamp\n"
    strict = folder / "strict.yaml"
    strict.write_text('schema_version: "1"\noptions: {exact_columns: false}\n' + body)
    lenient = folder / "lenient.yaml"
    lenient.write_text(
        'schema_version: "1"\noptions: {exact_columns: false, timestamp_accepts_timestamptz: true}\n' + body
    )
    catalog = _catalog(e2i_fresh_db, e2i_migrated)
    assert _mismatches([load_contract(strict, tmp_path)], catalog) == {
        "table::public.episodic_memories": ["column created_at: type timestamp expected, found timestamp with time zone"]
    }
    assert _mismatches([load_contract(lenient, tmp_path)], catalog) == {}


def test_repository_documentation_json_loads_through_the_importer():
    """The repository's seed-000 documentation JSON is recognised and imported on load."""
    root = Path(__file__).resolve().parents[1]
    doc = root / "contracts" / "e2i_v1_2_doc.json"
    if not doc.exists():
        pytest.skip("no documentation JSON in this checkout")
    try:
        import pytest_e2i_schema.contracts.importdoc  # noqa: F401
    except ImportError:
        pytest.skip("importer not available")
    contract = load_contract(doc, root)
    assert contract.imported and contract.display == "contracts/e2i_v1_2_doc.json"
    assert any(e.item_id == "table::public.episodic_memories" for e in contract.entries)
