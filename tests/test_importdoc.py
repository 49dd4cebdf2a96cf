"""The documentation-JSON importer (seed 000's ``E2I_Data_Schema_Comprehensive_v1.2.json``).

Pure tests first (no database): a realistic fragment of the seed-000 shape converts to
the exact contract expected; every problem is reported with its JSON path; the
reference documentation ``contracts/e2i_v1_2_doc.json`` imports with a known, explained
problem list.  The last test checks the imported reference contract against the
migrated reference schema.
"""

from __future__ import annotations

import dataclasses

import copy
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import strategies as st

from pytest_e2i_schema.contracts.importdoc import (
    TypeSpellingError,
    import_doc,
    import_doc_data,
    import_doc_to_yaml,
    is_doc_format,
    normalize_type,
)

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DOC = ROOT / "contracts" / "e2i_v1_2_doc.json"
CONTRACT_SCHEMA = ROOT / "pytest_e2i_schema" / "contracts" / "contract.schema.json"


# ---------------------------------------------------------------------------
# a realistic fragment of the seed-000 shape
# ---------------------------------------------------------------------------

FRAGMENT = {
    "schema_metadata": {
        "schema_version": "1.2",
        "last_updated": "2025-12-20",
        "total_tables": 2,
        "total_enums": 5,
        "total_views": 3,
        "total_materialized_views": 1,
        "total_functions": 4,
        "total_indexes": "45+",
        "total_triggers": 8,
        "total_policies": 16,
    },
    "version_history": {"1.2": {"date": "2025-12-20", "changes": ["Added Memory System category"]}},
    "memory_system_entities": {
        "_comment": "V1.2 NEW: Memory system (Phase 1A)",
        "_note": "types are shorthands",
        "episodic_memories": {
            "description": "Stores episodic memories for agent learning and context retrieval",
            "primary_key": "memory_id",
            "category": "memory_system",
            "introduced_version": "1.2",
            "fields": {
                "memory_id": "uuid PRIMARY KEY",
                "agent_name": "enum[agent_name_type]",
                "content": "text NOT NULL",
                "content_embedding": "vector(1536)",
                "importance": {
                    "type": "enum[memory_importance]",
                    "required": True,
                    "default": "'medium'",
                    "description": "how much to keep it",
                },
                "phase": "enum[perception, attention, encoding]",
                "cycle_id": "uuid REFERENCES cognitive_cycles(cycle_id) ON DELETE CASCADE",
                "tags": "array<string>",
                "keywords": "TEXT[]",
                "labels": "string[]",
                "payload_hash": "string(64) UNIQUE",
                "decay_factor": "REAL",
                "score": "float",
                "access_count": "integer NOT NULL DEFAULT 0",
                "created_at": "timestamp with time zone DEFAULT now()",
                "accessed_at": "timestamp",
                "ratio": "NUMERIC(5, 2)",
            },
            "indexes": [
                "created_at DESC",
                "(agent_name, created_at)",
                ["agent_name", "phase"],
                "content_embedding (ivfflat vector_cosine_ops)",
                "gin(tags)",
                "idx_episodic_memories_hash ON (payload_hash)",
                "CREATE INDEX idx_episodic_memories_recent ON episodic_memories USING btree "
                "(created_at DESC) WHERE is_recent",
            ],
        },
        "cognitive_cycles": {
            "description": "Tracks cognitive processing cycles",
            "primary_key": ["cycle_id"],
            "columns": {
                "cycle_id": "UUID",
                "session_id": {"type": "uuid", "nullable": True},
                "phase": "enum[cognitive_phase]",
            },
            "indexes": ["session_id"],
        },
    },
    "memory_enums": {
        "_comment": "V1.2 NEW: Memory system ENUMs",
        "memory_type": ["episodic", "procedural", "semantic"],
        "memory_importance": {
            "values": ["critical", "high", "medium", "low", "trivial"],
            "description": "Importance levels for memory prioritization",
        },
    },
    "enum_definitions": {
        "_comment": "V1.1 ENUM reference",
        "core_enums": {"brand_type": ["Remibrutinib", "Fabhalta", "Kisqali"]},
        "ml_enums": {"shap_analysis_type": ["global", "local", "interaction", "summary", "local_realtime"]},
    },
    "feature_store_views": {
        "_comment": "views in all three forms",
        "feature_freshness_monitor": ["feature_id", "feature_name", "is_stale"],
        "feature_values_latest": {"feature_id": "UUID", "value": "jsonb", "computed_at": "timestamptz"},
        "v_audit_chain_summary": {
            "description": "Summary statistics for audit chains",
            "source_tables": ["audit_chain_entries"],
            "columns": ["entity_type", "chain_count", "total_entries"],
        },
        "mv_agent_learning_summary": {
            "materialized": True,
            "columns": ["agent_name", "signal_type", "signal_count"],
            "indexes": [["agent_name", "signal_type"]],
        },
    },
    "memory_system_functions": {
        "_comment": "V1.2 NEW",
        "hybrid_search_memories": {
            "description": "Hybrid search",
            "parameters": [
                "p_query_text TEXT",
                "p_query_embedding VECTOR(1536)",
                "p_limit INTEGER DEFAULT 10",
                "p_text_weight DOUBLE PRECISION DEFAULT 0.3",
            ],
            "returns": "TABLE(memory_id UUID, combined_score REAL)",
            "language": "SQL",
            "volatility": "STABLE",
        },
        "verify_audit_chain": {
            "parameters": "p_chain_id uuid, p_limit int",
            "returns": "SETOF audit_chain_entries",
            "language": "plpgsql",
            "security": "DEFINER",
        },
        "update_updated_at_column": {
            "type": "trigger",
            "parameters": [],
            "returns": "trigger",
            "language": "plpgsql",
        },
        "update_memory_statistics": {
            "parameters": ["p_stat_date DATE DEFAULT CURRENT_DATE"],
            "returns": "void",
            "language": "plpgsql",
        },
    },
}

EXPECTED_EPISODIC = {
    "description": "Stores episodic memories for agent learning and context retrieval",
    "columns": {
        "memory_id": "uuid",
        "agent_name": "enum[agent_name_type]",
        "content": {"type": "text", "nullable": False},
        "content_embedding": "vector(1536)",
        "importance": {
            "type": "enum[memory_importance]",
            "nullable": False,
            "default": "'medium'",
            "description": "how much to keep it",
        },
        "phase": "enum[perception, attention, encoding]",
        "cycle_id": "uuid",
        "tags": "array<string>",
        "keywords": "text[]",
        "labels": "array<string>",
        "payload_hash": "string(64)",
        "decay_factor": "real",
        "score": "float",
        "access_count": {"type": "integer", "nullable": False, "default": "0"},
        "created_at": {"type": "timestamp with time zone", "default": "now()"},
        "accessed_at": "timestamp",
        "ratio": "numeric(5,2)",
    },
    "primary_key": ["memory_id"],
    "unique": [["payload_hash"]],
    "foreign_keys": [
        {"columns": ["cycle_id"], "references": "cognitive_cycles(cycle_id)", "on_delete": "cascade"}
    ],
    "indexes": {
        # 5 unnamed + 2 named: every documented index
        "min_count": 7,
        "named": {
            "idx_episodic_memories_hash": {"columns": ["payload_hash"]},
            "idx_episodic_memories_recent": {
                "method": "btree",
                "columns": ["created_at DESC"],
                "where": "is_recent",
            },
        },
        # the unnamed ones, kept verbatim for the reader (x- keys are not checked)
        "x-unnamed": [
            "created_at DESC",
            "(agent_name, created_at)",
            "agent_name, phase",
            "content_embedding (ivfflat vector_cosine_ops)",
            "gin(tags)",
        ],
    },
}


def test_fragment_converts_to_the_expected_contract():
    contract, problems = import_doc_data(copy.deepcopy(FRAGMENT))

    assert contract["schema_version"] == "1.2"
    assert list(contract) == ["schema_version", "enums", "tables", "views", "materialized_views",
                              "functions", "totals"]
    assert contract["tables"]["episodic_memories"] == EXPECTED_EPISODIC
    assert contract["tables"]["cognitive_cycles"] == {
        "description": "Tracks cognitive processing cycles",
        "columns": {
            "cycle_id": "uuid",
            "session_id": {"type": "uuid", "nullable": True},
            "phase": "enum[cognitive_phase]",
        },
        "primary_key": ["cycle_id"],
        "indexes": {"min_count": 1, "x-unnamed": ["session_id"]},
    }
    # ENUM groups in both forms, nested groups under enum_definitions; labels keep their case
    assert contract["enums"] == {
        "memory_type": ["episodic", "procedural", "semantic"],
        "memory_importance": {
            "labels": ["critical", "high", "medium", "low", "trivial"],
            "description": "Importance levels for memory prioritization",
        },
        "brand_type": ["Remibrutinib", "Fabhalta", "Kisqali"],
        "shap_analysis_type": ["global", "local", "interaction", "summary", "local_realtime"],
    }
    # views: list of names, mapping name -> type, {columns, description}
    assert contract["views"] == {
        "feature_freshness_monitor": {"columns": ["feature_id", "feature_name", "is_stale"]},
        "feature_values_latest": {"columns": {"feature_id": "uuid", "value": "jsonb", "computed_at": "timestamptz"}},
        "v_audit_chain_summary": {
            "description": "Summary statistics for audit chains",
            "columns": ["entity_type", "chain_count", "total_entries"],
        },
    }
    assert contract["materialized_views"] == {
        "mv_agent_learning_summary": {
            "columns": ["agent_name", "signal_type", "signal_count"],
            "indexes": {"min_count": 1, "x-unnamed": ["agent_name, signal_type"]},
        }
    }
    assert contract["functions"] == {
        "hybrid_search_memories": {
            "description": "Hybrid search",
            "arguments": [
                "p_query_text text",
                "p_query_embedding vector(1536)",
                "p_limit integer DEFAULT 10",
                "p_text_weight double precision DEFAULT 0.3",
            ],
            "returns": "TABLE(memory_id uuid, combined_score real)",
            "language": "sql",
            "volatility": "stable",
        },
        "verify_audit_chain": {
            "arguments": ["p_chain_id uuid", "p_limit int"],
            "returns": "SETOF audit_chain_entries",
            "language": "plpgsql",
            "security_definer": True,
        },
        "update_updated_at_column": {"arguments": [], "returns": "trigger", "language": "plpgsql"},
        "update_memory_statistics": {
            "arguments": ["p_stat_date date DEFAULT CURRENT_DATE"],
            "returns": "void",
            "language": "plpgsql",
        },
    }
    assert contract["totals"] == {
        "scope": "file",
        "tables": 2,
        "enums": 5,
        "views": 3,
        "materialized_views": 1,
        "functions": 4,
        "indexes": {"min": 45},
        "triggers": 8,
        "policies": 16,
    }
    # only what the format cannot carry is reported: method/opclass of unnamed indexes
    assert problems == [
        "$.memory_system_entities.episodic_memories.indexes[3]: unnamed index "
        "'content_embedding (ivfflat vector_cosine_ops)': method ivfflat, operator class "
        "vector_cosine_ops cannot be expressed without an index name (counted in indexes.min_count only)",
        "$.memory_system_entities.episodic_memories.indexes[4]: unnamed index 'gin(tags)': "
        "method gin cannot be expressed without an index name (counted in indexes.min_count only)",
    ]


def test_function_parameters_in_every_form():
    doc = {
        "version": "1",
        "memory_enums": {"memory_importance": ["high", "low"]},
        "x_functions": {
            # a single SQL argument string; a lone type (built-in or documented enum) is an unnamed argument
            "f": {"parameters": "p_a text, OUT total bigint, VARIADIC vals text[], p_limit int = 5, "
                                "double precision, memory_importance"},
            # names only, as in seed 000's tables ("agent, session, content, importance")
            "store_episodic_memory": {"parameters": ["agent", "session", "content", "importance"], "returns": "uuid"},
            # a mapping name -> type, and objects
            "g": {"parameters": {"p_x": "INTEGER", "p_y": {"type": "TEXT", "default": "'a'"}}},
            "h": {"arguments": [{"name": "a", "type": "INT", "mode": "OUT"}, {"name": "b"}, {"type": "uuid"}],
                  "returns": {"columns": {"id": "UUID", "score": "REAL"}}, "security_definer": True,
                  "settings": {"search_path": ""}, "strict": True, "parallel": "SAFE"},
            "p": {"type": "procedure", "parameters": "none"},
        },
    }
    contract, problems = import_doc_data(doc)
    assert problems == []
    fns = contract["functions"]
    assert fns["f"] == {"arguments": ["p_a text", "OUT total bigint", "VARIADIC vals text[]", "p_limit int DEFAULT 5",
                                      "double precision", "memory_importance"]}
    assert fns["store_episodic_memory"] == {
        "arguments": [{"name": "agent"}, {"name": "session"}, {"name": "content"}, {"name": "importance"}],
        "returns": "uuid",
    }
    assert fns["g"] == {"arguments": ["p_x integer", "p_y text DEFAULT 'a'"]}
    assert fns["h"] == {
        "arguments": ["OUT a int", {"name": "b"}, "uuid"],
        "returns": "TABLE(id uuid, score real)",
        "strict": True,
        "security_definer": True,
        "parallel": "safe",
        "settings": {"search_path": ""},
    }
    assert fns["p"] == {"arguments": [], "kind": "procedure"}


def test_metadata_under_metadata_key_and_top_level_totals():
    doc = {
        "metadata": {"version": "2.0.1", "description": "Traceability schema", "total_tables": 8},
        "total_views": 5,
        "statistics": {"indexes": "45+", "rls_policies": 16, "triggers": ">= 8"},
        "extensions": ["vector", "uuid-ossp"],
        "core_tables": {"t": {"fields": {"id": "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"}}},
    }
    contract, problems = import_doc_data(doc)
    assert problems == []
    assert contract["schema_version"] == "2.0.1"
    assert contract["description"] == "Traceability schema"
    assert contract["extensions"] == ["vector", "uuid-ossp"]
    assert contract["totals"] == {"scope": "file", "tables": 8, "views": 5, "indexes": {"min": 45}, "policies": 16,
                                  "triggers": {"min": 8}}
    assert contract["tables"]["t"] == {
        "columns": {"id": {"type": "bigint", "identity": "always"}},
        "primary_key": ["id"],
    }


def test_field_annotations_are_split():
    doc = {
        "version": "1",
        "x_entities": {
            "t": {
                "fields": {
                    "a": "uuid NOT NULL REFERENCES public.other (id) ON DELETE SET NULL ON UPDATE CASCADE",
                    "b": "DEFAULT now()",
                    "c": "text CONSTRAINT c_not_blank CHECK (btrim(c) <> '')",
                    "d": "numeric GENERATED ALWAYS AS (a + b) STORED",
                    "e": "text NULL",
                    "f": {"type": "uuid", "references": "auth.users.id", "on_delete": "CASCADE"},
                    "g": {"type": "integer", "optional": False, "primary_key": True},
                    "h": "string CONSTRAINT t_h_key UNIQUE",
                },
                "foreign_keys": {"e": "other.code"},
            }
        },
    }
    contract, problems = import_doc_data(doc)
    assert problems == []
    assert contract["tables"]["t"] == {
        "columns": {
            "a": {"type": "uuid", "nullable": False},
            "b": {"default": "now()"},
            "c": "text",
            "d": {"type": "numeric", "generated": "(a + b)"},
            "e": {"type": "text", "nullable": True},
            "f": "uuid",
            "g": {"type": "integer", "nullable": False},
            "h": "string",
        },
        "primary_key": ["g"],
        "unique": [{"name": "t_h_key", "columns": ["h"]}],
        "foreign_keys": [
            {"columns": ["a"], "references": "public.other(id)", "on_delete": "set null", "on_update": "cascade"},
            {"columns": ["f"], "references": "auth.users(id)", "on_delete": "cascade"},
            {"columns": ["e"], "references": "other(code)"},
        ],
        "checks": [{"name": "c_not_blank", "expression": "(btrim(c) <> '')"}],
    }


def test_columns_as_lists_and_unique_indexes():
    doc = {
        "schema_version": "1",
        "a_tables": {
            "t": {
                "columns": ["id uuid PRIMARY KEY", {"name": "k", "type": "text"}, "v jsonb"],
                "indexes": ["k UNIQUE", ["v", "k UNIQUE"], "USING gin (v jsonb_path_ops)"],
            }
        },
    }
    contract, problems = import_doc_data(doc)
    assert contract["tables"]["t"] == {
        "columns": {"id": "uuid", "k": "text", "v": "jsonb"},
        "primary_key": ["id"],
        "unique": [["k"], ["v", "k"]],
        "indexes": {"min_count": 3, "x-unnamed": ["k UNIQUE", "v, k UNIQUE", "USING gin (v jsonb_path_ops)"]},
    }
    assert problems == [
        "$.a_tables.t.indexes[2]: unnamed index 'USING gin (v jsonb_path_ops)': method gin, "
        "operator class jsonb_path_ops cannot be expressed without an index name "
        "(counted in indexes.min_count only)"
    ]


def test_named_indexes_triggers_policies_partitions():
    doc = {
        "schema_version": "3",
        "core_entities": {
            "events": {
                "fields": {"id": "uuid", "entity_id": "text", "user_id": "uuid", "updated_at": "timestamptz"},
                "indexes": {
                    "idx_events_user": "(user_id)",
                    "idx_events_entity": {"columns": ["entity_id"], "method": "hash"},
                },
                "triggers": {
                    "trg_events_updated_at": "BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()",
                    "trg_notify": {"timing": "AFTER", "events": "INSERT OR UPDATE", "function": "notify()"},
                },
                "rls_enabled": True,
                "policies": [
                    {"name": "Users read own", "command": "SELECT", "roles": ["authenticated"],
                     "using": "(user_id = auth.uid())"},
                    "Service role full access",
                ],
                "partitioning": "HASH (entity_id)",
            }
        },
    }
    contract, problems = import_doc_data(doc)
    assert problems == []
    t = contract["tables"]["events"]
    assert t["indexes"] == {
        "named": {
            "idx_events_user": {"columns": ["user_id"]},
            "idx_events_entity": {"method": "hash", "columns": ["entity_id"]},
        }
    }
    assert t["triggers"] == {
        "trg_events_updated_at": {"timing": "before", "events": ["update"], "level": "row",
                                  "function": "update_updated_at_column"},
        "trg_notify": {"timing": "after", "events": ["insert", "update"], "function": "notify"},
    }
    assert t["rls"] == {"enabled": True}
    assert t["policies"] == {
        "Users read own": {"command": "select", "roles": ["authenticated"], "using": "(user_id = auth.uid())"},
        "Service role full access": {},
    }
    assert t["partitions"] == {"strategy": "hash", "key": "(entity_id)"}


def test_top_level_trigger_and_policy_groups_attach_to_tables():
    doc = {
        "schema_version": "1",
        "x_entities": {"t": {"fields": {"id": "uuid"}}},
        "rls_policies": {"p1": {"table": "t", "command": "ALL", "roles": "service_role"},
                         "p2": {"table": "missing", "command": "select"}},
        "audit_triggers": {"trg": {"table": "public.t", "timing": "before", "events": ["insert"]}},
        "performance_indexes": {"idx_t_id": "CREATE UNIQUE INDEX idx_t_id ON t (id)"},
    }
    contract, problems = import_doc_data(doc)
    t = contract["tables"]["t"]
    assert t["policies"] == {"p1": {"command": "all", "roles": ["service_role"]}}
    assert t["triggers"] == {"trg": {"timing": "before", "events": ["insert"]}}
    assert t["indexes"] == {"named": {"idx_t_id": {"columns": ["id"], "unique": True}}}
    assert problems == ["$.rls_policies.p2: policy 'p2' on table missing, which is not documented; ignored"]


# ---------------------------------------------------------------------------
# problems, each with its JSON path
# ---------------------------------------------------------------------------

BAD = {
    "schema_metadata": {"total_tables": "~50", "total_columns": 300},
    "random_stuff": {"a": 1},
    "memory_system_entities": {
        "_comment": "ignored",
        "description": "a group description is ignored too",
        "episodic_memories": {
            "primary_key": "memory_id",
            "fields": {
                "memory_id": "uuid",
                "importance": "enum[foo",
                "tags": "array<",
                "blank": "",
                "when": "datetime",
                "n": "integer(11)",
                "num": 42,
                "coll": 'text COLLATE "C"',
                "chk": "text CHECK (length(chk) > 0)",
                "obj": {"type": "text", "pii": True, "weird": 1},
                "ann": "text FROBNICATE",
                "ann2": "text NOT NUL",
            },
            "generated_columns": ["memory_id", "nope"],
            "indexes": ["memory_id", {"oops": 1}, "content_embedding (hnsw vector_l2_ops) WHERE x IS NOT NULL"],
            "frobnicate": True,
        },
        "dup": {"fields": {"id": "uuid"}},
        "pk_conflict": {"primary_key": "a", "fields": {"a": "uuid", "b": "uuid PRIMARY KEY"}},
        "empty": {"description": "no fields"},
    },
    "other_entities": {"dup": {"fields": {"id": "uuid"}}},
    "agent_system_enums": {
        "agent_name_enum": "(duplicate of agent_name_type - verify if distinct)",
        "e2i_agent_name": ["a", 7],
        "memory_type": ["x", "y"],
    },
    "more_enums": {"memory_type": ["y", "x"]},
    "some_views": {
        "v_bad": 3,
        "v_idx": {"columns": ["a"], "indexes": ["a"], "definition": "select 1"},
        "mv": {"materialized": True, "columns": {"a": "int", "b": "enum[x"}, "indexes": [["a UNIQUE"]]},
    },
    "some_functions": {
        "f_bad_arg": {"parameters": ["p_x datetime"], "returns": "void"},
        "f_bad_ret": {"parameters": [], "returns": "TABLE(a)"},
        "f_bad_vol": {"returns": "int", "volatility": "sometimes", "security": "maybe", "cost": 10},
        "f_not_obj": 5,
    },
    "partitioned_tables": {
        "p": {"fields": {"id": "uuid"}, "partitioning": {"strategy": "hash", "key": "id",
                                                        "partitions": ["p_0", "p_1"], "shard": 2}}
    },
}

BAD_PROBLEMS = [
    "$.schema_metadata.total_tables: a count expected, found '~50'",
    "$.schema_metadata.total_columns: count of columns cannot be expressed (totals support aggregates, "
    "domains, enums, extensions, functions, indexes, materialized_views, partitions, policies, procedures, "
    "schemas, sequences, tables, triggers, views)",
    "$.random_stuff: unrecognised top-level entry 'random_stuff' ignored",
    "$.memory_system_entities.episodic_memories.fields.importance: unknown type 'enum[foo' (unbalanced brackets)",
    "$.memory_system_entities.episodic_memories.fields.tags: unknown type 'array<' (unbalanced brackets)",
    "$.memory_system_entities.episodic_memories.fields.blank: unknown type '' (empty type)",
    "$.memory_system_entities.episodic_memories.fields.when: unknown type 'datetime' "
    "(not a PostgreSQL type; did you mean 'timestamp'?)",
    "$.memory_system_entities.episodic_memories.fields.n: unknown type 'integer(11)' (integer takes no modifier)",
    "$.memory_system_entities.episodic_memories.fields.num: a type string or an object expected, found a number",
    '$.memory_system_entities.episodic_memories.fields.coll: COLLATE "C" cannot be expressed',
    "$.memory_system_entities.episodic_memories.fields.chk: unnamed CHECK (length(chk) > 0) cannot be "
    "expressed (checks are matched by name)",
    "$.memory_system_entities.episodic_memories.fields.obj.weird: unrecognised field property 'weird' ignored",
    # words after the type that are no column annotation make the type unreadable
    "$.memory_system_entities.episodic_memories.fields.ann: unknown type 'text FROBNICATE' (not a type spelling)",
    "$.memory_system_entities.episodic_memories.fields.ann2: unrecognised column annotation 'NOT NUL'",
    "$.memory_system_entities.episodic_memories.frobnicate: unrecognised table property 'frobnicate' ignored",
    "$.memory_system_entities.episodic_memories.generated_columns[0]: column memory_id is documented as "
    "generated without its expression; 'generated' needs the expression (not checked)",
    "$.memory_system_entities.episodic_memories.generated_columns[1]: generated column nope is not among the fields",
    '$.memory_system_entities.episodic_memories.indexes[1]: cannot read index {"oops": 1}; not counted',
    "$.memory_system_entities.episodic_memories.indexes[2]: unnamed index 'content_embedding (hnsw "
    "vector_l2_ops) WHERE x IS NOT NULL': method hnsw, operator class vector_l2_ops, WHERE x IS NOT NULL "
    "cannot be expressed without an index name (counted in indexes.min_count only)",
    "$.memory_system_entities.pk_conflict.primary_key: primary_key ['a'] disagrees with the fields marked "
    "PRIMARY KEY ['b']; primary_key is used",
    "$.memory_system_entities.empty: no fields/columns documented",
    "$.other_entities.dup: table dup already documented at $.memory_system_entities.dup; ignored",
    "$.agent_system_enums.agent_name_enum: enum labels expected (a list, or {values: [...]}), found "
    "'(duplicate of agent_name_type - verify if distinct)'",
    "$.agent_system_enums.e2i_agent_name[1]: an enum label (string) expected, found 7",
    "$.more_enums.memory_type: enum memory_type documented again with other labels (first at "
    "$.agent_system_enums.memory_type); the first is kept",
    "$.some_views.v_bad: a view description expected, found a number",
    "$.some_views.v_idx.indexes: indexes on a (non-materialized) view cannot be expressed",
    "$.some_views.v_idx.definition: a view definition cannot be expressed (only its columns are checked)",
    "$.some_views.mv.columns.b: unknown type 'enum[x' (unbalanced brackets)",
    "$.some_views.mv.indexes[0]: unnamed index [\"a UNIQUE\"]: UNIQUE cannot be expressed without an index "
    "name (counted in indexes.min_count only)",
    "$.some_functions.f_bad_arg.parameters[0]: unknown type 'datetime' (not a PostgreSQL type; did you mean "
    "'timestamp'?)",
    "$.some_functions.f_bad_ret.returns: cannot read TABLE column 'a'",
    "$.some_functions.f_bad_vol.volatility: immutable, stable or volatile expected, found 'sometimes'",
    "$.some_functions.f_bad_vol.security: DEFINER or INVOKER expected, found 'maybe'",
    "$.some_functions.f_bad_vol.cost: unrecognised function property 'cost' ignored",
    "$.some_functions.f_not_obj: a function description (object) expected, found a number",
    "$.partitioned_tables.p.partitioning.partitions: partition names p_0, p_1 cannot be expressed "
    "(partitions.count only)",
    "$.partitioned_tables.p.partitioning.shard: unrecognised partitioning property 'shard' ignored",
    "$: no schema_version/version found (metadata or top level); 'unknown' used",
]


def test_every_problem_is_reported_with_its_json_path():
    contract, problems = import_doc_data(copy.deepcopy(BAD))
    assert problems == BAD_PROBLEMS
    # what could be read is still imported: the column exists even when its type is unknown
    em = contract["tables"]["episodic_memories"]
    assert em["columns"]["importance"] == {}
    assert em["columns"]["obj"] == "text"
    assert em["columns"]["coll"] == "text"
    assert em["indexes"] == {
        "min_count": 2,
        "x-unnamed": ["memory_id", "content_embedding (hnsw vector_l2_ops) WHERE x IS NOT NULL"],
    }
    assert em["columns"]["memory_id"] == {"type": "uuid", "x-generated": True}
    assert contract["schema_version"] == "unknown"
    assert contract["enums"]["e2i_agent_name"] == ["a"]
    assert contract["enums"]["memory_type"] == ["x", "y"]
    assert "agent_name_enum" not in contract["enums"]
    assert contract["materialized_views"]["mv"] == {
        "columns": ["a", "b"],
        "indexes": {"min_count": 1, "x-unnamed": ["a UNIQUE"]},
    }
    assert contract["functions"]["f_bad_vol"] == {"returns": "int"}
    assert "arguments" not in contract["functions"]["f_bad_arg"]
    assert contract["tables"]["p"]["partitions"] == {
        "strategy": "hash", "key": "(id)", "count": 2, "x-names": ["p_0", "p_1"]
    }


def test_bad_json_names_file_and_line(tmp_path):
    bad = tmp_path / "doc.json"
    bad.write_text('{\n  "schema_version": "1",\n  "x_entities": {,}\n}\n')
    with pytest.raises(ValueError, match=r"doc\.json:3:\d+: not valid JSON"):
        import_doc(bad)


def test_not_an_object():
    assert import_doc_data([1, 2]) == ({"schema_version": "unknown"}, ["$: a JSON object expected, found a list"])


# ---------------------------------------------------------------------------
# types, shape detection, YAML
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("uuid", "uuid"),
        ("UUID", "uuid"),
        ("string", "string"),
        ("String (64)", "string(64)"),
        ("REAL", "real"),
        ("float", "float"),
        ("timestamp", "timestamp"),
        ("TIMESTAMP WITH TIME ZONE", "timestamp with time zone"),
        ("timestamp(3) without time zone", "timestamp(3) without time zone"),
        ("text[]", "text[]"),
        ("string[]", "array<string>"),
        ("array<TEXT>", "array<text>"),
        ("vector(1536)", "vector(1536)"),
        ("enum[memory_type]", "enum[memory_type]"),
        ("enum[a,b , c]", "enum[a, b, c]"),
        ("enum['in progress', 'done']", "enum[in progress, done]"),
        ("ENUM('x','y')", "enum[x, y]"),
        ("numeric(12, 6)", "numeric(12,6)"),
        ("double precision", "double precision"),
        ("bigserial", "bigint"),
        ("extensions.vector(3)", "extensions.vector(3)"),
        ("agent_name_type", "agent_name_type"),
    ],
)
def test_normalize_type(raw, expected):
    assert normalize_type(raw) == expected


@pytest.mark.parametrize("raw", ["enum[foo", "array<", "", "   ", "enum[]", "datetime", "int64", "dict",
                                 "integer(11)", "foo bar", "date with time zone", None, 3])
def test_normalize_type_rejects(raw):
    with pytest.raises(TypeSpellingError):
        normalize_type(raw)


def test_is_doc_format():
    assert is_doc_format({"metadata": {}})
    assert is_doc_format({"schema_metadata": {}})
    assert is_doc_format({"memory_system_entities": {}})
    assert is_doc_format({"x_enums": {}})
    assert is_doc_format({"x_views": {}})
    assert is_doc_format({"x_functions": {}})
    assert not is_doc_format({"schema_version": "1", "tables": {}})
    assert not is_doc_format({"metadata": {}, "tables": {}})
    assert not is_doc_format({"schema_version": "1", "enums": {}})
    assert not is_doc_format([])
    assert is_doc_format(json.loads(REFERENCE_DOC.read_text()))


def test_import_doc_to_yaml_round_trips(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(FRAGMENT))
    text, problems = import_doc_to_yaml(path)
    contract, problems2 = import_doc(path)
    assert problems == problems2
    assert yaml.safe_load(text) == contract
    assert text.index("schema_version") < text.index("tables:")
    # the header says where it came from and what was not carried over
    assert text.startswith("# Schema contract imported from the documentation JSON doc.json")
    assert f"# Not carried over ({len(problems)}):" in text
    assert "#   $.memory_system_entities.episodic_memories.indexes[4]: unnamed index 'gin(tags)'" in text
    # and the contract loader reads the YAML back to the same contract
    from pytest_e2i_schema.contracts.loader import load_contract

    out = tmp_path / "contract.yaml"
    out.write_text(text)
    loaded = load_contract(out, tmp_path)
    assert not loaded.imported and loaded.data == contract


def test_extensions_in_every_form():
    names_only, problems = import_doc_data({"schema_version": "1", "extensions": ["vector", {"name": "uuid-ossp"}]})
    assert problems == [] and names_only["extensions"] == ["vector", "uuid-ossp"]
    detailed, problems = import_doc_data({
        "metadata": {"version": "1", "required_extensions": {"vector": "0.8.0", "pgcrypto": {"schema": "extensions"}}},
    })
    assert problems == []
    assert detailed["extensions"] == {"vector": {"version": "0.8.0"}, "pgcrypto": {"schema": "extensions"}}


def test_comments_and_descriptions_are_not_problems():
    doc = {
        "_comment": "top", "_description": "top", "_note": "top", "version": "1",
        "x_entities": {"_comment": "c", "_description": "d", "_note": "n", "description": "group text",
                       "t": {"_note": "n", "fields": {"id": "uuid", "_comment": "c"}, "description": "table"}},
        "x_enums": {"_note": "n", "e": {"values": ["a"], "description": "d", "_comment": "c"}},
        "x_views": {"note": "group note", "v": {"columns": ["a"], "_comment": "c"}},
        "x_functions": {"comment": "group comment", "f": {"returns": "void", "_note": "n"}},
    }
    contract, problems = import_doc_data(doc)
    assert problems == []
    assert contract["tables"] == {"t": {"description": "table", "columns": {"id": "uuid"}}}
    assert contract["enums"] == {"e": {"labels": ["a"], "description": "d"}}


def test_an_unexpected_failure_is_reported_not_raised(monkeypatch):
    import pytest_e2i_schema.contracts.importdoc.enums as enums

    def boom(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(enums, "_enum", boom)
    contract, problems = import_doc_data({"version": "1", "x_enums": {"e": ["a"]}, "x_views": {"v": ["a"]}})
    assert problems == ["$.x_enums.e: cannot read this entry (RuntimeError: boom); left out"]
    assert contract["views"] == {"v": {"columns": ["a"]}}


def test_safety_net_leaves_out_what_the_loader_would_reject():
    """The recognisers validate what they emit; should one let something through, the
    loader's own checks catch it and the item is left out with a problem."""
    from pytest_e2i_schema.contracts import importdoc

    ctx = importdoc._Ctx()
    ctx.contract = {"schema_version": "1", "functions": {"f": {"language": "", "returns": "void"}},
                    "totals": {"tables": -1}}
    ctx.object_paths[("functions", "f")] = "$.x_functions.f"
    importdoc._safety_net(ctx)
    assert ctx.contract == {"schema_version": "1", "functions": {"f": {"returns": "void"}}, "totals": {}}
    assert ctx.problems == [
        "$.x_functions.f: must not be empty (at functions.f.language of the contract); left out",
        "$: must be at least 0, found -1 (at totals.tables of the contract); left out",
    ]


_words = st.sampled_from([
    "uuid", "text", "enum[a, b]", "enum[x", "string(64)", "NOT NULL", "DEFAULT now()", "PRIMARY KEY",
    "REFERENCES t(c)", "array<string>", "(a, b)", "gin(tags)", "x DESC", "UNIQUE", "TABLE(a int)", "SETOF t",
    "p_a int DEFAULT 1", "", " ", "[", ")", ",", "'", "a", "b", "ON", "idx_a", "USING", "hnsw", "BEFORE UPDATE",
    "45+", "definer", "stable", "x.y.z", "ON DELETE CASCADE", "CHECK (x>0)", "timestamp with time zone",
])
_keys = st.sampled_from([
    "fields", "columns", "primary_key", "indexes", "foreign_keys", "unique", "checks", "triggers", "policies",
    "rls", "partitioning", "generated_columns", "description", "values", "labels", "parameters", "returns",
    "language", "security", "volatility", "materialized", "type", "name", "table", "_comment", "total_tables",
    "version", "a", "b", "t", "memory_enums", "x_entities", "x_views", "x_functions", "metadata", "x_triggers",
    "x_policies", "x_indexes", "enum_definitions", "core_enums", "schema", "events", "timing", "command",
])
_leaf = st.one_of(st.lists(_words, max_size=4).map(" ".join), st.text(max_size=8), st.integers(-2, 50),
                  st.booleans(), st.none())
_tree = st.recursive(
    _leaf, lambda ch: st.one_of(st.lists(ch, max_size=4), st.dictionaries(_keys, ch, max_size=5)), max_leaves=30
)


def test_any_input_imports_into_a_contract_the_loader_accepts():
    """Property: whatever the document holds, the importer does not raise and its output
    passes the loader's JSON Schema and semantic checks without the safety net firing
    (every oddity is caught, with its path, by the recognisers themselves)."""
    from hypothesis import HealthCheck, given, settings

    from pytest_e2i_schema.contracts.loader import _schema_problems, _semantic_problems
    from pytest_e2i_schema.contracts.model import Options

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.dictionaries(_keys, _tree, max_size=6))
    def check(doc):
        contract, problems = import_doc_data(doc)
        assert _schema_problems(contract) == [] and _semantic_problems(contract, Options()) == []
        assert not [p for p in problems if "of the contract); left out" in p or "cannot read this entry" in p]
        assert all(p.startswith("$") for p in problems)

    check()


# ---------------------------------------------------------------------------
# the reference documentation JSON
# ---------------------------------------------------------------------------

# What the reference doc says that the contract format cannot carry (each explained):
REFERENCE_PROBLEMS = [
    # the doc lists generated columns by name only; `generated:` needs the expression
    "$.causal_validation_entities.causal_validations.generated_columns[0]: column delta_percent is documented "
    "as generated without its expression; 'generated' needs the expression (not checked)",
    "$.memory_system_entities.episodic_memories.generated_columns[0]: column content_tsv is documented as "
    "generated without its expression; 'generated' needs the expression (not checked)",
    # unnamed indexes: access method / operator class need the index name in our format
    "$.memory_system_entities.episodic_memories.indexes[4]: unnamed index 'content_embedding (ivfflat "
    "vector_cosine_ops)': method ivfflat, operator class vector_cosine_ops cannot be expressed without an "
    "index name (counted in indexes.min_count only)",
    "$.memory_system_entities.episodic_memories.indexes[5]: unnamed index 'content_tsv (gin)': method gin "
    "cannot be expressed without an index name (counted in indexes.min_count only)",
    "$.memory_system_entities.semantic_memory_cache.indexes[2]: unnamed index 'embedding (hnsw "
    "vector_cosine_ops)': method hnsw, operator class vector_cosine_ops cannot be expressed without an index "
    "name (counted in indexes.min_count only)",
    "$.feature_store_entities.feature_groups.indexes[1]: unnamed index 'tags (gin)': method gin cannot be "
    "expressed without an index name (counted in indexes.min_count only)",
    # partition names: only their number is expressible
    "$.feature_store_entities.feature_value_history.partitioning.partitions: partition names "
    "feature_value_history_p0, feature_value_history_p1, feature_value_history_p2, feature_value_history_p3 "
    "cannot be expressed (partitions.count only)",
    # a materialized view has no `unique:`; its unique index is unnamed in the doc
    '$.feedback_system_views.mv_agent_learning_summary.indexes[0]: unnamed index ["agent_name", "signal_type '
    'UNIQUE"]: UNIQUE cannot be expressed without an index name (counted in indexes.min_count only)',
]


def test_reference_doc_imports_with_the_known_problems():
    contract, problems = import_doc(REFERENCE_DOC)
    assert problems == REFERENCE_PROBLEMS
    assert contract["schema_version"] == "1.2"
    assert contract["description"].startswith("Comprehensive Data Schema for E2I Causal Analytics")
    assert len(contract["tables"]) == 21
    assert len(contract["enums"]) == 19
    assert len(contract["views"]) == 6
    assert len(contract["materialized_views"]) == 1
    assert len(contract["functions"]) == 36
    assert contract["totals"] == {
        "scope": "file",
        "tables": 21, "partitions": 4, "views": 6, "materialized_views": 1, "enums": 19, "functions": 36
    }
    # the inline enum list of cognitive_cycles.phase and feature_values.status are kept as lists
    assert contract["tables"]["cognitive_cycles"]["columns"]["phase"] == (
        "enum[perception, attention, encoding, retrieval, decision, action]"
    )
    assert contract["tables"]["feature_values"]["columns"]["status"] == "enum[current, stale, expired, invalid]"
    assert contract["tables"]["procedural_memories"]["unique"] == [["agent_name", "procedure_name"]]
    assert contract["tables"]["expert_reviews"]["foreign_keys"] == [
        {"columns": ["reviewer_id"], "references": "auth.users(id)"}
    ]
    assert contract["tables"]["feature_value_history"]["partitions"] == {
        "strategy": "hash", "key": "(entity_id)", "count": 4, "x-names": [f"feature_value_history_p{i}" for i in range(4)]
    }
    assert contract["functions"]["append_audit_entry"]["security_definer"] is True
    assert contract["functions"]["update_updated_at_column"]["returns"] == "trigger"


def test_reference_doc_validates_against_the_contract_json_schema():
    if not CONTRACT_SCHEMA.exists():
        pytest.skip(f"{CONTRACT_SCHEMA.relative_to(ROOT)} does not exist (yet): nothing to validate against")
    import jsonschema

    schema = json.loads(CONTRACT_SCHEMA.read_text())
    contract, _ = import_doc(REFERENCE_DOC)
    jsonschema.validate(contract, schema)
    fragment, _ = import_doc_data(copy.deepcopy(FRAGMENT))
    jsonschema.validate(fragment, schema)


# ---------------------------------------------------------------------------
# against the migrated reference schema
# ---------------------------------------------------------------------------


# The reference doc documents the E2I objects only: its ``_comment`` puts the traceability
# schema of migrations 003-008 out of scope.  Those objects are therefore undocumented
# (drift), and its totals hold for the E2I scope, not for the whole database.
TRACEABILITY = {
    "tables": {"agent_chaining_patterns", "agent_routing_decisions", "endpoint_calls", "error_patterns",
               "execution_traces", "hook_executions", "pattern_usage_log", "success_patterns"},
    "views": {"agent_routing_accuracy", "endpoint_latency_stats", "hook_performance_summary",
              "pattern_effectiveness", "trace_execution_summary"},
    "functions": {"calculate_execution_duration", "find_similar_patterns", "get_trace_tree",
                  "record_error_pattern", "track_agent_chain", "update_pattern_usage_stats"},
}


def test_reference_doc_contract_passes_against_the_reference_schema(e2i_fresh_db, e2i_migrated):
    """Every entry the importer makes from ``contracts/e2i_v1_2_doc.json`` holds on the
    schema ``sql/migrations`` build (through the real loader and checker); the totals hold
    in the doc's declared scope (the E2I objects, without the traceability schema)."""
    from pytest_e2i_schema.catalog import read_catalog
    from pytest_e2i_schema.contracts.checks import check_entry
    from pytest_e2i_schema.contracts.drift import undocumented
    from pytest_e2i_schema.contracts.loader import load_contract
    from pytest_e2i_schema.contracts.model import Options

    contract_file = load_contract(REFERENCE_DOC, ROOT)
    assert contract_file.imported
    assert list(contract_file.notes) == REFERENCE_PROBLEMS
    kinds = [e.kind for e in contract_file.entries]
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "table": 21, "enum": 19, "view": 6, "materialized_view": 1, "function": 36, "totals": 1
    }
    cat = read_catalog(e2i_fresh_db, baseline=e2i_migrated.baseline)
    failures = {
        entry.item_id: mismatches
        for entry in contract_file.entries
        if (mismatches := check_entry(entry, cat, contract_file.options, contract_file.entries))
    }
    # the doc's totals count what the doc documents (scope: file), so they hold
    assert failures == {}
    totals = next(e for e in contract_file.entries if e.kind == "totals")
    assert totals.spec["scope"] == "file"
    # counted over the whole database they would not: it has the traceability schema too
    whole = dataclasses.replace(totals, spec={k: v for k, v in totals.spec.items() if k != "scope"})
    assert check_entry(whole, cat, contract_file.options) == [
        "totals: tables 21 expected, found 29",
        "totals: views 6 expected, found 11",
        "totals: functions 36 expected, found 42",
    ]

    drift = undocumented([contract_file], cat)
    found = {kind: {e.key.split("(")[0].removeprefix("public.") for e in drift if e.kind == kind}
             for kind in ("tables", "views", "functions")}
    assert found == TRACEABILITY
    assert {e.key for e in drift if e.kind not in TRACEABILITY} == {"vector"}  # extensions are not documented

    in_scope = Options(ignore=tuple(f"public.{n}" for names in TRACEABILITY.values() for n in sorted(names)))
    assert check_entry(whole, cat, in_scope) == []
