"""Contracts without a server: loading (line numbers, every error at once), type spellings,
expression normalisation, check messages against hand-built catalogs, drift policies and
the generate -> YAML -> load -> check round trip."""

from __future__ import annotations

import json
import sys
import textwrap
import types as pytypes
from pathlib import Path

import pytest

from pytest_e2i_schema.catalog import (
    Argument,
    Catalog,
    Column,
    Constraint,
    Enum,
    Extension,
    Function,
    Index,
    IndexKey,
    Policy,
    Schema,
    Table,
    Trigger,
    View,
)
from pytest_e2i_schema.contracts import (
    SCHEMA_PATH,
    ContractFile,
    Entry,
    Options,
    TypeSpellingError,
    check_entry,
    check_files,
    contract_schema,
    dump_yaml,
    generate_contract,
    is_documentation_format,
    load_contract,
    load_contracts,
    matches,
    normalize_expression,
    parse_type,
    same_expression,
    totals_counts,
    undocumented,
)
from pytest_e2i_schema.contracts.yamllines import load_with_lines
from pytest_e2i_schema.errors import ContractError


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def problems(path: Path, root: Path) -> list[str]:
    with pytest.raises(ContractError) as info:
        load_contract(path, root)
    assert info.value.code == "E2I030"
    return str(info.value).splitlines()


# ---------------------------------------------------------------------------------------------
# loader
# ---------------------------------------------------------------------------------------------
GOOD = """
    schema_version: "1.2.0"
    description: reference
    options:
      default_schema: public
      drift: {tables: warn, extensions: ignore}
    extensions: [vector, uuid-ossp]
    enums:
      memory_type: [episodic, procedural, semantic]
      public.shap_analysis_type:
        labels: [global, local]
    tables:
      episodic_memories:
        columns:
          memory_id: uuid
          content: {type: text, nullable: false}
      app.other: {}
    views:
      v_summary: {columns: [a, b]}
    materialized_views:
      mv_perf: {indexes: {min_count: 1}}
    functions:
      verify_audit_chain: {security_definer: true}
      "hybrid_search(text,  vector, integer)": {language: sql}
    totals:
      tables: 21
      enums: {min: 11}
"""


def test_load_contract_entries_lines_and_options(tmp_path):
    path = write(tmp_path, "contracts/e2i.yaml", GOOD)
    c = load_contract(path, tmp_path)
    assert isinstance(c, ContractFile)
    assert c.display == "contracts/e2i.yaml" and c.schema_version == "1.2.0" and not c.imported
    assert c.options.drift_policy("tables") == "warn"
    assert c.options.drift_policy("extensions") == "ignore"
    assert c.options.drift_policy("enums") == "error"
    assert c.options.exact_columns is True and c.options.timestamp_accepts_timestamptz is False
    got = [(e.kind, e.key, e.line, e.item_id) for e in c.entries]
    assert got == [
        ("extensions", "extensions", 6, "extensions"),
        ("enum", "public.memory_type", 8, "enum::public.memory_type"),
        ("enum", "public.shap_analysis_type", 9, "enum::public.shap_analysis_type"),
        ("table", "public.episodic_memories", 12, "table::public.episodic_memories"),
        ("table", "app.other", 16, "table::app.other"),
        ("view", "public.v_summary", 18, "view::public.v_summary"),
        ("materialized_view", "public.mv_perf", 20, "materialized_view::public.mv_perf"),
        ("function", "public.verify_audit_chain", 22, "function::public.verify_audit_chain"),
        ("function", "public.hybrid_search(text, vector, integer)", 23,
         "function::public.hybrid_search(text, vector, integer)"),
        ("totals", "totals", 24, "totals"),
    ]
    by_id = {e.item_id: e for e in c.entries}
    assert by_id["enum::public.memory_type"].spec == {"labels": ["episodic", "procedural", "semantic"]}
    assert by_id["extensions"].spec == {"vector": {}, "uuid-ossp": {}}
    assert by_id["table::app.other"].spec == {}
    assert all(e.file == "contracts/e2i.yaml" for e in c.entries)


def test_the_documented_example_message(tmp_path):
    filler = "".join(f"      col_{i}: text\n" for i in range(36))
    text = (
        'schema_version: "1"\n'
        "tables:\n"
        "  episodic_memories:\n"
        "    description: memories\n"
        "    columns:\n"
        + filler
        + '      importance: "enum[foo"\n'
    )
    path = tmp_path / "contracts" / "e2i.yaml"
    path.parent.mkdir()
    path.write_text(text)
    assert problems(path, tmp_path) == [
        "contracts/e2i.yaml:42: tables.episodic_memories.columns.importance: unknown type spelling 'enum[foo'"
    ]


def test_every_problem_is_reported_sorted_by_line(tmp_path):
    path = write(
        tmp_path,
        "contracts/bad.yaml",
        """
        schema_version: 1.2
        optoins: {}
        enums:
          memory_type:
            labels: [a, b, a]
            descripton: x
        tables:
          t:
            columns:
              a: {type: text, nulable: false}
              b: array<
              c: ""
              d: "text not null"
              e: 5
            foreign_keys:
              - {columns: [x], references: "other(y"}
            policies:
              "Users read": {command: select, roles: authenticated}
            rls: maybe
        functions:
          "f(text, enum[)": {}
          g: {returns: "TABLE(a uuid, b)", volatility: sometimes}
        totals:
          enums: {min: 11, max: 3}
        """,
    )
    assert problems(path, tmp_path) == [
        "contracts/bad.yaml:1: schema_version: expected a string, found 1.2 (quote it)",
        "contracts/bad.yaml:2: optoins: unknown key 'optoins' (did you mean 'options'?)",
        "contracts/bad.yaml:4: enums.memory_type: label(s) a listed twice",
        "contracts/bad.yaml:6: enums.memory_type.descripton: unknown key 'descripton' (did you mean 'description'?)",
        "contracts/bad.yaml:10: tables.t.columns.a.nulable: unknown key 'nulable' (did you mean 'nullable'?)",
        "contracts/bad.yaml:11: tables.t.columns.b: unknown type spelling 'array<'",
        "contracts/bad.yaml:12: tables.t.columns.c: must not be empty",
        "contracts/bad.yaml:13: tables.t.columns.d: unknown type spelling 'text not null'",
        "contracts/bad.yaml:14: tables.t.columns.e: expected a string or nothing (null) or a mapping, found 5",
        "contracts/bad.yaml:16: tables.t.foreign_keys[0].references: bad reference 'other(y': expected table(column, ...)",
        'contracts/bad.yaml:18: tables.t.policies."Users read".roles: expected a list, found \'authenticated\'',
        "contracts/bad.yaml:19: tables.t.rls: expected true or false or a mapping, found 'maybe'",
        'contracts/bad.yaml:21: functions."f(text, enum[)": unknown type spelling \'enum[\'',
        "contracts/bad.yaml:22: functions.g.returns: bad returns 'TABLE(a uuid, b)': each TABLE column is 'name type'",
        "contracts/bad.yaml:22: functions.g.volatility: expected one of immutable, stable, volatile; found 'sometimes'",
        "contracts/bad.yaml:24: totals.enums: min 11 is larger than max 3",
    ]


def test_missing_schema_version_and_not_a_mapping(tmp_path):
    path = write(tmp_path, "contracts/a.yaml", "tables: {}\n")
    assert problems(path, tmp_path) == ["contracts/a.yaml:1: missing required key 'schema_version'"]
    path = write(tmp_path, "contracts/b.yaml", "- a\n- b\n")
    assert problems(path, tmp_path) == [
        "contracts/b.yaml:1: a contract is a mapping with at least schema_version; found a list"
    ]
    path = write(tmp_path, "contracts/c.yaml", "# nothing\n")
    assert problems(path, tmp_path) == [
        "contracts/c.yaml:1: a contract is a mapping with at least schema_version; found an empty file"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "contracts/s.yaml", 'schema_version: "1"\ntables:\n  t: {columns: [a, b}\n')
    (line,) = problems(path, tmp_path)
    assert line.startswith("contracts/s.yaml:3: ")
    path = write(tmp_path, "contracts/d.yaml", 'schema_version: "1"\nenums:\n  a: [x]\n  a: [y]\n')
    assert problems(path, tmp_path) == ["contracts/d.yaml:4: duplicate key 'a' (first given on line 3)"]


def test_yaml_12_scalars_stay_strings(tmp_path):
    path = write(tmp_path, "contracts/y.yaml", 'schema_version: "1"\nenums:\n  answer: [yes, no, on, off, 2025-01-01]\n')
    (entry,) = load_contract(path, tmp_path).entries
    assert entry.spec["labels"] == ["yes", "no", "on", "off", "2025-01-01"]
    data, lines = load_with_lines("on: true\n1: x\n")
    assert data == {"on": True, "1": "x"} and lines[("1",)] == 2


def test_json_contract_lines_and_errors(tmp_path):
    doc = {"schema_version": "1", "tables": {"t": {"columns": {"a": "text", "b": {"type": "enum[foo", "nulable": 1}}}}}
    path = tmp_path / "contracts" / "c.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc, indent="\t"))  # tabs: YAML forbids them as indentation
    assert problems(path, tmp_path) == [
        "contracts/c.json:8: tables.t.columns.b.type: unknown type spelling 'enum[foo'",
        "contracts/c.json:9: tables.t.columns.b.nulable: unknown key 'nulable' (did you mean 'nullable'?)",
    ]
    path.write_text('{"schema_version": "1",\n "tables": {\n}')
    (line,) = problems(path, tmp_path)
    assert line.startswith("contracts/c.json:3: ")
    path.write_text(json.dumps({"schema_version": "1", "enums": {"e": ["a"]}}))
    assert load_contract(path, tmp_path).entries[0].item_id == "enum::public.e"


def test_load_contracts_sorted_missing_folder_and_all_errors(tmp_path):
    assert load_contracts(tmp_path / "nope", tmp_path) == []
    write(tmp_path, "contracts/b.yaml", 'schema_version: "1"\nenums: {b: [x]}\n')
    write(tmp_path, "contracts/a.yml", 'schema_version: "1"\nenums: {a: [x]}\n')
    write(tmp_path, "contracts/notes.txt", "ignored")
    files = load_contracts(tmp_path / "contracts", tmp_path)
    assert [f.display for f in files] == ["contracts/a.yml", "contracts/b.yaml"]
    write(tmp_path, "contracts/c.yaml", "tables: {}\n")
    write(tmp_path, "contracts/d.yaml", 'schema_version: "1"\nbogus: 1\n')
    with pytest.raises(ContractError) as info:
        load_contracts(tmp_path / "contracts", tmp_path)
    assert str(info.value).splitlines() == [
        "contracts/c.yaml:1: missing required key 'schema_version'",
        "contracts/d.yaml:2: bogus: unknown key 'bogus' (allowed: $schema, schema_version, description, options, "
        "extensions, enums, tables, views, materialized_views, functions, totals)",
    ]


def test_duplicates_after_qualification(tmp_path):
    path = write(
        tmp_path,
        "contracts/d.yaml",
        """
        schema_version: "1"
        tables:
          users: {}
          public.users: {}
        functions:
          f(int): {}
          public.f(integer): {}
        """,
    )
    assert problems(path, tmp_path) == [
        "contracts/d.yaml:4: tables.public.users: public.users is documented twice (also as 'users')",
        "contracts/d.yaml:7: functions.public.f(integer): public.f(integer) is documented twice (also as 'f(int)')",
    ]


def test_documentation_format_goes_through_the_importer(tmp_path, monkeypatch):
    doc = {"schema_version": "1.2", "memory_entities": {"m": {"fields": {"id": "uuid"}}}}
    assert is_documentation_format(doc)
    assert not is_documentation_format({"schema_version": "1", "tables": {}, "x_entities": {}})
    path = tmp_path / "contracts" / "doc.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc))
    # the importer's dict is validated like any contract; its remarks are kept as notes
    from pytest_e2i_schema.contracts import importdoc

    monkeypatch.setenv("E2I_PARSE_CACHE", "0")  # the importer is swapped below; file times can't see that
    fake = pytypes.ModuleType("pytest_e2i_schema.contracts.importdoc")
    fake.is_doc_format = importdoc.is_doc_format
    fake.import_doc = lambda p: ({"schema_version": "1.2", "tables": {"m": {"columns": {"id": "uuid"}}}}, ["$.x: dropped"])
    monkeypatch.setitem(sys.modules, "pytest_e2i_schema.contracts.importdoc", fake)
    c = load_contract(path, tmp_path)
    assert c.imported and c.notes == ("$.x: dropped",)
    assert [(e.item_id, e.line) for e in c.entries] == [("table::public.m", 1)]
    fake.import_doc = lambda p: ({"schema_version": "1.2", "tables": {"m": {"columns": {"id": "enum[x"}}}}, [])
    assert problems(path, tmp_path) == ["contracts/doc.json:1: tables.m.columns.id: unknown type spelling 'enum[x'"]


def test_schema_file_is_shipped_and_valid():
    from jsonschema import Draft202012Validator

    assert SCHEMA_PATH.name == "contract.schema.json" and SCHEMA_PATH.exists()
    schema = contract_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_the_spec_example_loads(tmp_path):
    path = write(
        tmp_path,
        "contracts/spec.yaml",
        """
        $schema: "https://e2i-schema.dev/contract.schema.json"
        schema_version: "1.2.0"
        description: "..."
        options:
          default_schema: public
          timestamp_accepts_timestamptz: false
          exact_columns: true
          drift: {tables: error, enums: error, views: error, materialized_views: error, functions: error, extensions: ignore}
        extensions: [vector, uuid-ossp]
        enums:
          memory_type: [episodic, procedural, semantic]
          public.shap_analysis_type:
            labels: [global, local, interaction, summary, local_realtime]
            description: "..."
        tables:
          episodic_memories:
            description: "..."
            exact_columns: true
            columns:
              memory_id: uuid
              content: {type: text, nullable: false}
              importance: {type: "enum[memory_importance]", default: "'medium'::memory_importance"}
              content_embedding: vector(1536)
              tags: array<string>
              created_at: {type: timestamptz, nullable: false, default: now()}
              id2: {type: bigint, identity: always}
              total: {type: numeric, generated: "(a + b)"}
            primary_key: [memory_id]
            unique: [[request_id], [a, b], {name: x, columns: [c]}]
            foreign_keys:
              - {columns: [cycle_id], references: "cognitive_cycles(cycle_id)", on_delete: cascade, on_update: no action}
            checks:
              - importance_range
              - {name: x, expression: "a > 0"}
            indexes:
              count: 5
              min_count: 3
              exact: false
              named:
                idx_episodic_embedding: {method: hnsw, columns: [content_embedding], opclass: [vector_cosine_ops], with: {m: 16, ef_construction: 64}}
                idx_episodic_created: {columns: ["created_at DESC"]}
                idx_partial: {columns: [status], where: "(status = 'active'::text)", unique: true}
            triggers:
              trg_episodic_updated_at: {timing: before, events: [update], level: row, function: update_updated_at_column, enabled: true}
            rls: {enabled: true, forced: false}
            policies:
              "Users read own memories": {command: select, roles: [authenticated], permissive: true, using: "(user_id = auth.uid())"}
              "Service role full access": {command: all, roles: [service_role]}
            partitions: {strategy: hash, key: "(id)", count: 4}
        views:
          v_audit_chain_summary:
            columns: [workstream, total_entries, first_entry_at]
          feature_values_latest:
            columns: {feature_id: uuid, value: jsonb, computed_at: timestamptz}
        materialized_views:
          mv_agent_performance: {columns: [a], indexes: {min_count: 1}}
        functions:
          verify_audit_chain:
            arguments: ["p_workstream text", "p_limit integer DEFAULT 10"]
            returns: "TABLE(entry_id uuid, is_valid boolean)"
            language: plpgsql
            volatility: stable
            strict: false
            security_definer: true
            settings: {search_path: "public, extensions"}
            kind: function
          "hybrid_search_memories(text, vector, integer)": {}
        totals:
          tables: 21
          enums: {min: 11}
          views: {max: 10}
          functions: {min: 30}
          indexes: {min: 45}
          triggers: 8
          policies: 16
          materialized_views: 1
        """,
    )
    c = load_contract(path, tmp_path)
    assert [e.kind for e in c.entries] == ["extensions", "enum", "enum", "table", "view", "view", "materialized_view",
                                           "function", "function", "totals"]


# ---------------------------------------------------------------------------------------------
# type spellings
# ---------------------------------------------------------------------------------------------
STRICT, LENIENT = Options(), Options(timestamp_accepts_timestamptz=True)


@pytest.mark.parametrize(
    "spec, found, ok",
    [
        ("uuid", "uuid", True),
        ("UUID", "uuid", True),
        ("text", "text", True),
        ("jsonb", "json", False),
        ("json", "json", True),
        ("bool", "boolean", True),
        ("boolean", "boolean", True),
        ("date", "date", True),
        ("bytea", "bytea", True),
        ("inet", "inet", True),
        ("string", "text", True),
        ("string", "character varying", True),
        ("string", "character varying(64)", False),
        ("string(64)", "character varying(64)", True),
        ("string(64)", "character varying(65)", False),
        ("varchar(64)", "character varying(64)", True),
        ("varchar", "character varying(64)", False),
        ("character   varying(64)", "character varying(64)", True),
        ("int", "integer", True),
        ("int4", "integer", True),
        ("integer", "bigint", False),
        ("bigint", "bigint", True),
        ("int8", "bigint", True),
        ("smallint", "smallint", True),
        ("int2", "smallint", True),
        ("float", "double precision", True),
        ("float", "real", True),
        ("float", "numeric", False),
        ("real", "real", True),
        ("float4", "real", True),
        ("real", "double precision", False),
        ("double", "double precision", True),
        ("float8", "double precision", True),
        ("double precision", "real", False),
        ("numeric", "numeric(10,4)", True),
        ("numeric", "numeric", True),
        ("numeric(10,4)", "numeric(10,4)", True),
        ("numeric(10, 4)", "numeric(10,4)", True),
        ("numeric(10,2)", "numeric(10,4)", False),
        ("decimal(10,4)", "numeric(10,4)", True),
        ("timestamptz", "timestamp with time zone", True),
        ("timestamp with time zone", "timestamp with time zone", True),
        ("timestamptz", "timestamp without time zone", False),
        ("timestamp", "timestamp without time zone", True),
        ("timestamp", "timestamp with time zone", False),
        ("timestamp without time zone", "timestamp without time zone", True),
        ("timestamptz(3)", "timestamp(3) with time zone", True),
        ("vector(1536)", "extensions.vector(1536)", True),
        ("vector(1536)", "extensions.vector(768)", False),
        ("vector", "extensions.vector(768)", True),
        ("halfvec(3)", "public.halfvec(3)", True),
        ("halfvec(3)", "extensions.vector(3)", False),
        ("extensions.vector(1536)", "extensions.vector(1536)", True),
        ("public.vector(1536)", "extensions.vector(1536)", False),
        ("array<string>", "text[]", True),
        ("array<string>", "character varying[]", True),
        ("array<string>", "text", False),
        ("text[]", "text[]", True),
        ("text[]", "uuid[]", False),
        ("array<integer>", "integer[]", True),
        ("int[]", "integer[]", True),
        ("array<uuid>", "uuid[]", True),
        ("memory_type", "public.memory_type", True),
        ("public.memory_type", "public.memory_type", True),
        ("app.memory_type", "public.memory_type", False),
        ("memory_type", "app.memory_type", False),
        ("probability", "public.probability", True),
        ("text", "public.probability", False),
        ("tsvector", "tsvector", True),
        ("char", "character(1)", True),
        ('"char"', '"char"', True),
        ("char", '"char"', False),
    ],
)
def test_type_spelling_matrix(spec, found, ok):
    assert matches(spec, found, STRICT) is ok


def test_timestamp_strictness_option():
    assert not matches("timestamp", "timestamp with time zone", STRICT)
    assert matches("timestamp", "timestamp with time zone", LENIENT)
    assert matches("timestamp", "timestamp without time zone", LENIENT)
    # explicit Postgres spellings stay exact whatever the option
    assert not matches("timestamp without time zone", "timestamp with time zone", LENIENT)
    assert not matches("timestamptz", "timestamp without time zone", LENIENT)


def _enum_catalog() -> Catalog:
    return Catalog(
        server_version_num=180000,
        enums=(Enum("public", "memory_type", ("episodic", "procedural", "semantic")),),
        domains=(),
    )


def test_enum_spellings_use_the_catalog():
    cat = _enum_catalog()
    assert matches("enum[memory_type]", "public.memory_type", STRICT, cat)
    assert matches("enum[public.memory_type]", "public.memory_type", STRICT, cat)
    assert not matches("enum[other]", "public.memory_type", STRICT, cat)
    assert not matches("enum[probability]", "public.probability", STRICT, cat)  # a domain, not an enum
    assert matches("enum[episodic, procedural, semantic]", "public.memory_type", STRICT, cat)
    assert not matches("enum[episodic, semantic, procedural]", "public.memory_type", STRICT, cat)
    assert matches("array<enum[memory_type]>", "public.memory_type[]", STRICT, cat)
    # without a catalog, a Column's type_kind tells whether the type is an enum
    col = Column("k", "public.memory_type", "memory_type", "public", "memory_type", "enum")
    dom = Column("p", "public.probability", "probability", "public", "probability", "domain")
    assert matches("enum[memory_type]", col, STRICT) and not matches("enum[probability]", dom, STRICT)


def test_function_types_ignore_modifiers_when_asked():
    assert not matches("vector(1536)", "extensions.vector", STRICT)
    assert matches("vector(1536)", "extensions.vector", STRICT, ignore_modifiers=True)
    assert matches("string(64)", "character varying", STRICT, ignore_modifiers=True)


@pytest.mark.parametrize("bad", ["enum[foo", "array<", "", "   ", "text not null", "numeric(10", "enum[]", "array<>",
                                 "a.b.c", "vector(abc def)", "setof text", "enum[a, 'b]"])
def test_unknown_spellings_raise(bad):
    with pytest.raises(TypeSpellingError, match="unknown type spelling"):
        parse_type(bad)


def test_exact_unbalanced_message():
    with pytest.raises(TypeSpellingError) as info:
        parse_type("enum[foo")
    assert str(info.value) == "unknown type spelling 'enum[foo'"


# ---------------------------------------------------------------------------------------------
# expressions
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "documented, deparsed",
    [
        ("confidence >= 0 AND confidence <= 1", "((confidence >= (0)::numeric) AND (confidence <= (1)::numeric))"),
        ("confidence between 0 and 1", "((confidence >= (0)::numeric) AND (confidence <= (1)::numeric))"),
        ("'medium'", "'medium'::public.memory_importance"),
        ("'medium'::memory_importance", "'medium'::public.memory_importance"),
        ("user_id = (select auth.uid())", "(user_id = ( SELECT auth.uid() AS uid))"),
        ("NOW()", "now()"),
        ("uuid_generate_v4()", "extensions.uuid_generate_v4()"),
        ("status in ('a', 'b')", "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))"),
        ("status = 'failed'", "((status)::text = 'failed'::text)"),
        ("x between -1 and 1", "((x >= ('-1'::integer)::double precision) AND (x <= (1)::double precision))"),
        ("nextval('t_id_seq')", "nextval('public.t_id_seq'::regclass)"),
        ("a is null or a >= b", "((a IS NULL) OR (a >= b))"),
        ("a and b and c", "((a AND b) AND c)"),
        ("'{}'", "'{}'::jsonb"),
        ("current_date", "CURRENT_DATE"),
        (0, "0"),
        (False, "false"),
        ("btrim(content) <> ''", "(btrim(content) <> ''::text)"),
        ("to_tsvector('english', content)", "to_tsvector('english'::regconfig, content)"),
    ],
)
def test_expressions_that_are_the_same(documented, deparsed):
    assert same_expression(documented, deparsed)


@pytest.mark.parametrize(
    "documented, deparsed",
    [
        ("user_id = auth.uid()", "(user_id = ( SELECT auth.uid() AS uid))"),
        ("now()", "(now())::date"),
        ("a > 0", "(a >= 0)"),
        ("'Medium'", "'medium'::public.memory_importance"),
        ("x = auth.uid()", "(x = other.uid())"),
        ("a or b", "(a AND b)"),
        (None, "now()"),
        ("now()", None),
    ],
)
def test_expressions_that_differ(documented, deparsed):
    assert not same_expression(documented, deparsed)


def test_normalized_form_and_fallback():
    assert normalize_expression("((a >= (0)::numeric))") == "a >= 0"
    # text that does not parse is compared after a textual clean-up
    assert same_expression("Foo  Bar(", "foo bar(")
    assert not same_expression("Foo Bar(", "foo baz(")


# ---------------------------------------------------------------------------------------------
# checks against a hand-built catalog
# ---------------------------------------------------------------------------------------------
def col(name, typ, *, not_null=False, default=None, kind="base", identity=None, generated=None, element=None):
    schema, _, short = typ.rpartition(".")
    return Column(
        name=name,
        type=typ,
        short_type=short if schema and not typ.endswith("]") else typ,
        type_schema=schema or "pg_catalog",
        type_name=short,
        type_kind=kind,
        element_type=element,
        not_null=not_null,
        default=default,
        identity=identity,
        generated=generated,
    )


def build_catalog(extra_tables=(), extra_functions=()) -> Catalog:
    mem_indexes = (
        Index("public", "episodic_memories", "episodic_memories_pkey", "btree",
              (IndexKey("memory_id", "uuid_ops"),), unique=True, primary=True,
              constraint="episodic_memories_pkey"),
        Index("public", "episodic_memories", "idx_episodic_embedding", "ivfflat",
              (IndexKey("content_embedding", "vector_cosine_ops", opclass_default=False),),
              options=(("lists", "100"),)),
        Index("public", "episodic_memories", "idx_episodic_created", "btree",
              (IndexKey("created_at", "timestamptz_ops", descending=True, nulls_first=True),)),
        Index("public", "episodic_memories", "idx_partial", "btree", (IndexKey("status", "text_ops"),),
              unique=True, predicate="(status = 'active'::text)"),
    )
    triggers = (
        Trigger("public", "episodic_memories", "trg_updated", "before", ("update",), "row",
                "public.update_updated_at_column"),
    )
    policies = (
        Policy("public", "episodic_memories", "Users read own memories", "SELECT", "PERMISSIVE",
               ("anon", "authenticated"), using="(user_id = ( SELECT auth.uid() AS uid))"),
        Policy("public", "episodic_memories", "Service role full access", "ALL", "PERMISSIVE", ("service_role",),
               using="true", with_check="true"),
    )
    memories = Table(
        schema="public",
        name="episodic_memories",
        kind="table",
        columns=(
            col("memory_id", "uuid", not_null=True, default="gen_random_uuid()"),
            col("content", "text", not_null=True),
            col("importance", "public.memory_importance", not_null=True, kind="enum",
                default="'medium'::public.memory_importance"),
            col("content_embedding", "jsonb"),
            col("status", "text"),
            col("created_at", "timestamp with time zone", not_null=True, default="now()"),
            col("extra_col", "integer"),
        ),
        constraints=(
            Constraint("episodic_memories_pkey", "primary_key", "PRIMARY KEY (memory_id)", ("memory_id",),
                       index="episodic_memories_pkey"),
            Constraint("episodic_memories_cycle_fkey", "foreign_key", "FOREIGN KEY ...", ("cycle_id",),
                       references="public.cognitive_cycles", referenced_columns=("cycle_id",),
                       on_update="no action", on_delete="set null"),
            Constraint("episodic_memories_content_key", "unique", "UNIQUE (content)", ("content",)),
            Constraint("importance_range", "check", "CHECK (...)", ("importance",),
                       expression="(importance <> 'trivial'::public.memory_importance)"),
        ),
        indexes=mem_indexes,
        triggers=triggers,
        policies=policies,
        rls_enabled=True,
    )
    history = Table("public", "history", "partitioned", (col("id", "bigint", not_null=True),),
                    partition_key="HASH (id)")
    parts = tuple(
        Table("public", f"history_p{i}", "partition", (col("id", "bigint", not_null=True),),
              partition_of="public.history", partition_bound=f"FOR VALUES WITH (modulus 2, remainder {i})")
        for i in range(2)
    )
    tables = (memories, history, *parts, *extra_tables)
    views = (
        View("public", "v_summary", "view",
             (col("workstream", "text"), col("total_entries", "bigint"), col("first_entry_at", "timestamp with time zone")),
             definition="SELECT ..."),
        View("public", "mv_perf", "materialized", (col("agent", "text"),), definition="SELECT ...",
             indexes=(Index("public", "mv_perf", "mv_perf_agent", "btree", (IndexKey("agent", "text_ops"),)),)),
    )
    functions = (
        Function("public", "verify_audit_chain", "function", "p_chain_id uuid", "p_chain_id uuid",
                 (Argument("p_chain_id", "in", "uuid"), Argument("entry_id", "table", "uuid"),
                  Argument("is_valid", "table", "boolean")),
                 "TABLE(entry_id uuid, is_valid boolean)", "record", True, "plpgsql", "stable", False, True,
                 False, "unsafe", config=(("search_path", "public, extensions"),)),
        Function("public", "update_updated_at_column", "function", "", "", (), "trigger", "trigger", False,
                 "plpgsql", "volatile", False, False, False, "unsafe"),
        Function("public", "f", "function", "a integer", "a integer DEFAULT 10",
                 (Argument("a", "in", "integer", "10"),), "integer", "integer", False, "sql", "immutable",
                 True, False, False, "safe"),
        Function("public", "f", "function", "a text", "a text", (Argument("a", "in", "text"),), "SETOF text",
                 "text", True, "sql", "immutable", True, False, False, "safe"),
        *extra_functions,
    )
    return Catalog(
        server_version_num=180000,
        schemas=(Schema("public"),),
        extensions=(Extension("vector", "0.8.0", "extensions"),),
        tables=tables,
        views=views,
        enums=(Enum("public", "memory_type", ("episodic", "semantic", "procedural")),
               Enum("public", "memory_importance", ("high", "medium", "low", "trivial"))),
        functions=functions,
        indexes=mem_indexes + views[1].indexes,
        triggers=triggers,
        policies=policies,
    )


def entry(kind, key, spec, name=None) -> Entry:
    return Entry(kind, key, 1, spec, "contracts/e2i.yaml", name or key)


def test_table_check_messages():
    cat = build_catalog()
    spec = {
        "columns": {
            "memory_id": {"type": "uuid", "nullable": False, "default": "gen_random_uuid()"},
            "content": {"type": "string", "nullable": True},
            "importance": {"type": "enum[memory_importance]", "default": "'high'"},
            "content_embedding": "vector(1536)",
            "status": None,
            "created_at": {"type": "timestamp", "identity": "always"},
            "missing_col": "text",
        },
        "primary_key": ["memory_id", "x"],
        "unique": [["status"], {"name": "nope", "columns": ["content"]}],
        "foreign_keys": [
            {"columns": ["cycle_id"], "references": "cognitive_cycles(cycle_id)", "on_delete": "cascade"},
            {"columns": ["other_id"], "references": "others"},
        ],
        "checks": ["importance_range", {"name": "missing_check"},
                   {"name": "importance_range", "expression": "importance <> 'low'"}],
        "indexes": {
            "count": 5,
            "min_count": 6,
            "exact": True,
            "named": {
                "idx_episodic_embedding": {"method": "hnsw", "columns": ["content_embedding"],
                                           "opclass": ["vector_cosine_ops"], "with": {"m": 16, "ef_construction": 64}},
                "idx_episodic_created": {"columns": ["created_at DESC"]},
                "idx_partial": {"columns": ["status"], "where": "status = 'inactive'", "unique": True},
                "idx_gone": {},
            },
        },
        "triggers": {"trg_updated": {"timing": "after", "events": ["update", "insert"], "level": "row",
                                     "function": "touch()", "enabled": False},
                     "trg_missing": {}},
        "rls": {"enabled": False, "forced": True},
        "policies": {
            "Users read own memories": {"command": "select", "roles": ["authenticated"], "permissive": False,
                                        "using": "(user_id = auth.uid())"},
            "Gone": {"command": "all"},
        },
    }
    assert check_entry(entry("table", "public.episodic_memories", spec), cat, Options()) == [
        "column content: nullable expected, found NOT NULL",
        "column importance: default 'high' expected, found 'medium'::memory_importance",
        "column content_embedding: type vector(1536) expected, found jsonb",
        "column created_at: type timestamp expected, found timestamp with time zone",
        "column created_at: identity always expected, found (none)",
        "column missing_col: missing (no migration creates it)",
        "column extra_col: not documented (exact_columns)",
        "primary key [memory_id, x] expected, found [memory_id]",
        "unique [status]: missing",  # a partial unique index does not make a column unique
        "unique nope: missing",
        "foreign key [cycle_id]: on_delete cascade expected, found set null",
        "foreign key [other_id]: missing",
        "check missing_check: missing",
        "check importance_range: expression importance <> 'low' expected, found (importance <> 'trivial'::memory_importance)",
        "indexes: count 5 expected, found 4",
        "indexes: at least 6 expected, found 4",
        "index idx_episodic_embedding: method hnsw expected, found ivfflat",
        "index idx_episodic_embedding: with {m: 16, ef_construction: 64} expected, found {lists: 100}",
        "index idx_partial: where status = 'inactive' expected, found (status = 'active'::text)",
        "index idx_gone: missing",
        "index episodic_memories_pkey: not documented (indexes.exact)",
        "trigger trg_updated: timing after expected, found before",
        "trigger trg_updated: events [update, insert] expected, found [update]",
        "trigger trg_updated: function touch() expected, found update_updated_at_column",
        "trigger trg_updated: disabled expected, found enabled",
        "trigger trg_missing: missing",
        "rls: disabled expected, found enabled",
        "rls: forced expected, found not forced",
        'policy "Users read own memories": roles [authenticated] expected, found [anon, authenticated]',
        'policy "Users read own memories": restrictive expected, found permissive',
        'policy "Users read own memories": using (user_id = auth.uid()) expected, found (user_id = ( SELECT auth.uid() AS uid))',
        'policy "Gone": missing',
        'policy "Service role full access": not documented (exact_policies)',
    ]


def test_table_check_passes_when_everything_documented_matches():
    cat = build_catalog()
    spec = {
        "exact_columns": False,
        "columns": {"memory_id": "uuid", "importance": {"type": "memory_importance", "default": "'medium'"},
                    "created_at": {"type": "timestamptz", "nullable": False, "default": "now()"}},
        "primary_key": "memory_id",
        "unique": [["content"], {"name": "episodic_memories_content_key", "columns": ["content"]}],
        "foreign_keys": [{"columns": ["cycle_id"], "references": "public.cognitive_cycles(cycle_id)",
                          "on_delete": "set null", "on_update": "no action"}],
        "checks": [{"expression": "importance <> 'trivial'"}],
        "indexes": {"min_count": 4, "named": {"idx_episodic_created": {"columns": ["created_at desc nulls first"]},
                                              "idx_episodic_embedding": {"opclass": ["vector_cosine_ops"],
                                                                         "with": {"lists": "100"}}}},
        "triggers": {"trg_updated": {"function": "update_updated_at_column", "enabled": True}},
        "rls": True,
        "policies": {"Users read own memories": {"using": "user_id = (select auth.uid())"},
                     "Service role full access": {"command": "ALL", "with_check": "true"}},
    }
    assert check_entry(entry("table", "public.episodic_memories", spec), cat, Options()) == []
    # a policy no longer listed is only reported when exact_policies stays on
    spec2 = {"policies": {"Users read own memories": {}}, "exact_policies": False}
    assert check_entry(entry("table", "public.episodic_memories", spec2), cat, Options()) == []


def test_missing_objects_and_partitions():
    cat = build_catalog()
    assert check_entry(entry("table", "public.foo", {}), cat) == ["table public.foo: missing from the database"]
    assert check_entry(entry("table", "public.v_summary", {}), cat) == [
        "table public.v_summary: missing from the database (it is a view)"
    ]
    assert check_entry(entry("view", "public.mv_perf", {}), cat) == [
        "view public.mv_perf: missing from the database (it is a materialized view)"
    ]
    assert check_entry(entry("enum", "public.nope", {"labels": ["a"]}), cat) == [
        "enum public.nope: missing from the database"
    ]
    parts = {"partitions": {"strategy": "hash", "key": "(id)", "count": 2}}
    assert check_entry(entry("table", "public.history", parts), cat) == []
    parts = {"partitions": {"strategy": "list", "key": "other", "count": 4}}
    assert check_entry(entry("table", "public.history", parts), cat) == [
        "partitions: strategy list expected, found hash",
        "partitions: key other expected, found (id)",
        "partitions: count 4 expected, found 2",
    ]
    assert check_entry(entry("table", "public.episodic_memories", {"partitions": {"strategy": "hash"}}), cat) == [
        "partitions: partitioned by hash expected, found not partitioned"
    ]


def test_enum_view_extension_messages():
    cat = build_catalog()
    labels = {"labels": ["episodic", "procedural", "semantic"]}
    assert check_entry(entry("enum", "public.memory_type", labels), cat) == [
        "enum memory_type: labels [episodic, procedural, semantic] expected, found [episodic, semantic, procedural]"
    ]
    view = {"columns": ["workstream", "first_entry_at", "total_entries"]}
    assert check_entry(entry("view", "public.v_summary", view), cat) == [
        "columns [workstream, first_entry_at, total_entries] expected in this order, "
        "found [workstream, total_entries, first_entry_at]"
    ]
    view = {"columns": {"workstream": "string", "total_entries": "integer", "gone": "text"}}
    assert check_entry(entry("view", "public.v_summary", view), cat) == [
        "column total_entries: type integer expected, found bigint",
        "column gone: missing (no migration creates it)",
        "column first_entry_at: not documented (exact_columns)",
    ]
    mv = {"columns": ["agent"], "indexes": {"min_count": 2, "named": {"mv_perf_agent": {"columns": ["agent"]}}}}
    assert check_entry(entry("materialized_view", "public.mv_perf", mv), cat) == [
        "indexes: at least 2 expected, found 1"
    ]
    ext = {"vector": {"version": "0.8.1", "schema": "public"}, "uuid-ossp": {}}
    assert check_entry(entry("extensions", "extensions", ext), cat) == [
        "extension vector: version 0.8.1 expected, found 0.8.0",
        "extension vector: schema public expected, found extensions",
        "extension uuid-ossp: missing from the database",
    ]


def test_function_messages():
    cat = build_catalog()
    good = {"arguments": ["p_chain_id uuid"], "returns": "TABLE(entry_id uuid, is_valid bool)", "language": "plpgsql",
            "volatility": "stable", "strict": False, "security_definer": True,
            "settings": {"search_path": "public,extensions"}, "kind": "function"}
    assert check_entry(entry("function", "public.verify_audit_chain", good), cat) == []
    bad = {"arguments": ["p_chain_id text"], "returns": "TABLE(entry_id uuid)", "language": "sql",
           "volatility": "volatile", "strict": True, "security_definer": False,
           "settings": {"search_path": "public", "work_mem": "any"}}
    assert check_entry(entry("function", "public.verify_audit_chain", bad), cat) == [
        "function verify_audit_chain(uuid): argument 1 p_chain_id text expected, found p_chain_id uuid",
        "function verify_audit_chain(uuid): returns TABLE(entry_id uuid) expected, found TABLE(entry_id uuid, is_valid boolean)",
        "function verify_audit_chain(uuid): language sql expected, found plpgsql",
        "function verify_audit_chain(uuid): volatility volatile expected, found stable",
        "function verify_audit_chain(uuid): strict true expected, found false",
        "function verify_audit_chain(uuid): security_definer false expected, found true",
        "function verify_audit_chain(uuid): setting search_path expected 'public', found 'public, extensions'",
        "function verify_audit_chain(uuid): setting work_mem expected (set), found (unset)",
    ]
    # a bare name covers every overload; each must satisfy the spec
    assert check_entry(entry("function", "public.f", {"volatility": "immutable", "strict": True}), cat) == []
    assert check_entry(entry("function", "public.f", {"returns": "integer"}), cat) == [
        "function f(text): returns integer expected, found SETOF text"
    ]
    # a signature picks one overload
    assert check_entry(entry("function", "public.f(int)", {"returns": "int4", "arguments": ["a integer DEFAULT 10"]}), cat) == []
    assert check_entry(entry("function", "public.f(text)", {"returns": "SETOF string"}), cat) == []
    assert check_entry(entry("function", "public.f(int)", {"arguments": ["a integer"]}), cat) == [
        "function f(integer): argument 1 a integer expected, found a integer DEFAULT 10"
    ]
    assert check_entry(entry("function", "public.f(uuid)", {}), cat) == [
        "function public.f(uuid): missing from the database (found: f(integer), f(text))"
    ]
    assert check_entry(entry("function", "public.nope", {}), cat) == ["function public.nope: missing from the database"]
    assert check_entry(entry("function", "public.update_updated_at_column",
                             {"settings": {"search_path": "public, extensions"}}), cat) == [
        "function update_updated_at_column(): setting search_path expected 'public, extensions', found (unset)"
    ]


def test_totals():
    cat = build_catalog()
    counts = totals_counts(cat)
    assert counts["tables"] == 2 and counts["partitions"] == 2
    assert counts["views"] == 1 and counts["materialized_views"] == 1
    assert counts["functions"] == 4 and counts["indexes"] == 5 and counts["policies"] == 2
    spec = {"tables": 2, "partitions": 3, "enums": {"min": 3}, "views": {"max": 0}, "functions": {"min": 1, "max": 9}}
    assert check_entry(entry("totals", "totals", spec), cat) == [
        "totals: partitions 3 expected, found 2",
        "totals: enums at least 3 expected, found 2",
        "totals: views at most 0 expected, found 1",
    ]
    ignoring = Options(ignore=("public.history*",))
    assert check_entry(entry("totals", "totals", {"tables": 1, "partitions": 0}), cat, ignoring) == []


# ---------------------------------------------------------------------------------------------
# drift
# ---------------------------------------------------------------------------------------------
def contract_file(entries, **options) -> ContractFile:
    return ContractFile(Path("c.yaml"), "contracts/c.yaml", "1", Options.from_dict(options), tuple(entries), {})


def test_drift_policies_and_documentation_rules():
    extra = Table("public", "scratch", "table", (col("x", "integer"),))
    cat = build_catalog(extra_tables=(extra,))
    assert undocumented([], cat) == []
    documented = [
        entry("table", "public.episodic_memories", {}),
        entry("table", "public.history", {}),  # its partitions count as documented
        entry("enum", "public.memory_type", {}),
        entry("view", "public.v_summary", {}),
        entry("function", "public.f(integer)", {}),
        entry("function", "public.update_updated_at_column", {}),
        entry("extensions", "extensions", {"vector": {}}),
    ]
    found = undocumented([contract_file(documented)], cat)
    assert [(d.kind, d.key, d.policy) for d in found] == [
        ("tables", "public.scratch", "error"),
        ("enums", "public.memory_importance", "error"),
        ("materialized_views", "public.mv_perf", "error"),
        ("functions", "public.f(a text)", "error"),
        ("functions", "public.verify_audit_chain(p_chain_id uuid)", "error"),
    ]
    assert found[3].message == "function f(text): not documented in any contract"
    # the strictest policy of all files wins; ignore drops the kind
    lax = contract_file([], drift={"tables": "ignore", "enums": "warn", "functions": "ignore",
                                   "materialized_views": "ignore"})
    laxer = contract_file(documented, drift={"default": "ignore", "tables": "warn"})
    found = undocumented([lax, laxer], cat)
    assert [(d.kind, d.key, d.policy) for d in found] == [
        ("tables", "public.scratch", "warn"),
        ("enums", "public.memory_importance", "warn"),
    ]
    # a bare function name documents every overload; ignore globs drop objects
    documented2 = documented + [entry("function", "public.f", {}), entry("function", "public.verify_audit_chain", {})]
    found = undocumented([contract_file(documented2, ignore=["public.scratch", "public.mv_*", "public.memory_*"])], cat)
    assert found == []


# ---------------------------------------------------------------------------------------------
# generate -> YAML -> load -> check
# ---------------------------------------------------------------------------------------------
def test_generated_contract_round_trips_on_a_hand_built_catalog(tmp_path):
    cat = build_catalog()
    contract = generate_contract(cat, schema_version="2", source="tests")
    assert list(contract) == ["$schema", "schema_version", "description", "options", "extensions", "enums", "tables",
                              "views", "materialized_views", "functions", "totals"]
    assert "history_p0" not in contract["tables"]
    assert contract["tables"]["history"]["partitions"] == {"strategy": "hash", "key": "(id)", "count": 2}
    assert contract["tables"]["episodic_memories"]["columns"]["importance"]["default"] == "'medium'::memory_importance"
    assert contract["functions"]["verify_audit_chain(uuid)"]["returns"] == "TABLE(entry_id uuid, is_valid boolean)"
    assert set(contract["functions"]) == {"verify_audit_chain(uuid)", "update_updated_at_column()", "f(integer)", "f(text)"}
    text = dump_yaml(contract)
    assert text.startswith("# ")
    path = tmp_path / "contracts" / "generated.yaml"
    path.parent.mkdir()
    path.write_text(text)
    loaded = load_contract(path, tmp_path)
    assert loaded.data == contract
    assert [(e.item_id, lines) for e, lines in check_files([loaded], cat) if lines] == []
    assert undocumented([loaded], cat) == []


def test_dump_yaml_quotes_only_when_needed():
    text = dump_yaml({"schema_version": "1", "enums": {"e": ["yes", "no", "1.0", "a b", "x,y", "null", "plain"]},
                      "functions": {"f(text)": {"settings": {"search_path": ""}, "returns": "SETOF text"}}},
                     header="")
    assert 'schema_version: "1"' in text
    assert 'e: ["yes", "no", "1.0", a b, "x,y", "null", plain]' in text
    assert 'f(text): {settings: {search_path: ""}, returns: SETOF text}' in text
    data, _ = load_with_lines(text)
    assert data["enums"]["e"] == ["yes", "no", "1.0", "a b", "x,y", "null", "plain"]


def test_index_operator_classes_and_key_order():
    cat = build_catalog()
    named = {
        "idx_episodic_embedding": {"opclass": ["vector_l2_ops"]},
        "idx_episodic_created": {"opclass": [None], "columns": ["created_at"]},
        "idx_partial": {"opclass": ["default"], "include": ["content"]},
    }
    assert check_entry(entry("table", "public.episodic_memories", {"indexes": {"named": named}}), cat) == [
        "index idx_episodic_embedding: opclass [vector_l2_ops] expected, found [vector_cosine_ops]",
        "index idx_episodic_created: columns [created_at] expected, found [created_at DESC]",
        "index idx_partial: include [content] expected, found []",
    ]
    named = {"idx_episodic_embedding": {"opclass": ["default"]}, "idx_episodic_created": {"columns": ["created_at ASC NULLS FIRST"]}}
    assert check_entry(entry("table", "public.episodic_memories", {"indexes": {"named": named}}), cat) == [
        "index idx_episodic_embedding: opclass [default] expected, found [vector_cosine_ops]",
        "index idx_episodic_created: columns [created_at ASC NULLS FIRST] expected, found [created_at DESC]",
    ]


def test_validated_contracts_are_remembered_by_content(tmp_path, monkeypatch):
    from pytest_e2i_schema.contracts import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "contracts" / "c.yaml"
    path.parent.mkdir()
    path.write_text('schema_version: "1"\nenums:\n  mood: [happy, sad]\n')
    calls = []
    real = loader._validate
    monkeypatch.setattr(loader, "_validate", lambda data: calls.append(1) or real(data))
    load_contract(path, tmp_path)
    load_contract(path, tmp_path)
    assert len(calls) == 1  # the second load trusted the marker
    path.write_text('schema_version: "1"\nenums:\n  mood: [happy, sad, meh]\n')
    load_contract(path, tmp_path)
    assert len(calls) == 2  # changed content is validated again
    path.write_text('schema_version: "1"\nenums:\n  mood: {labels: [a], bogus: 1}\n')
    for _ in range(2):  # invalid documents are never remembered
        with pytest.raises(ContractError, match="bogus"):
            load_contract(path, tmp_path)
    assert len(calls) == 4
