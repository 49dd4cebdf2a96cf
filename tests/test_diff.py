"""The catalog diff engine: hand-written catalog dicts (every rendering rule) and real catalogs
read before and after DDL (the same engine must give the same words for both)."""

from __future__ import annotations

import copy
import uuid

import pytest

from pytest_e2i_schema.catalog import read_catalog
from pytest_e2i_schema.catalog.diff import MISSING, CatalogDiff, FieldChange, diff_catalogs, normalize


def col(name, type_, **kw):
    base = {"name": name, "type": type_, "short_type": type_.removeprefix("public."), "type_schema": "pg_catalog",
            "type_name": type_, "type_kind": "base", "element_type": None, "not_null": False, "default": None,
            "identity": None, "generated": None, "generated_kind": None, "collation": None, "comment": None}
    base.update(kw)
    return base


def base_catalog() -> dict:
    return {
        "schemas": {"public": {"comment": None}},
        "extensions": {"vector": {"version": "0.8.0", "schema": "extensions"}},
        "tables": {
            "public.memories": {
                "kind": "table",
                "columns": [col("id", "uuid", not_null=True), col("owner", "uuid"), col("importance", "text")],
                "constraints": {"memories_pkey": {"kind": "primary_key", "definition": "PRIMARY KEY (id)",
                                                  "columns": ["id"], "index": "memories_pkey"}},
                "rls_enabled": True, "options": {}, "comment": None,
            },
        },
        "enums": {"public.shap_analysis_type": {"labels": ["global", "local", "summary"], "comment": None}},
        "functions": {
            "public.hybrid_search_memories(p_query text, p_embedding extensions.vector, p_user uuid, p_limit integer)": {
                "kind": "function", "identity_arguments": "p_query text, p_embedding extensions.vector, p_user uuid, p_limit integer",
                "arguments": "p_query text, p_embedding extensions.vector, p_user uuid, p_limit integer",
                "result": "SETOF public.memories", "language": "sql", "volatility": "stable",
                "config": {"search_path": "public"}, "source": "select *\nfrom memories\nlimit p_limit",
            },
        },
        "indexes": {"public.memories_pkey": {"table": "memories", "definition":
                                              "CREATE UNIQUE INDEX memories_pkey ON public.memories USING btree (id)"}},
        "policies": {"public.memories.own rows": {"table": "memories", "command": "SELECT", "permissive": "PERMISSIVE",
                                                  "roles": ["authenticated"], "using": "(owner = auth.uid())",
                                                  "with_check": None}},
    }  # fmt: skip


FN = "public.hybrid_search_memories(p_query text, p_embedding extensions.vector, p_user uuid, p_limit integer)"


def test_identical_catalogs_have_no_diff():
    d = diff_catalogs(base_catalog(), base_catalog())
    assert d.is_empty and not d and len(d) == 0
    assert d.lines() == [] and d.summary() == "no differences" and d.text() == "no differences"
    assert "No differences." in d.markdown()


def test_the_four_changes_of_the_issue_read_as_one_line_each():
    old, new = base_catalog(), base_catalog()
    new["tables"]["public.memories"]["columns"][2] = col("importance", "public.memory_importance", type_kind="enum",
                                                         type_schema="public", type_name="memory_importance")
    new["enums"]["public.shap_analysis_type"]["labels"] = ["global", "local", "summary", "local_realtime"]
    new["policies"]["public.memories.own rows"]["roles"] = ["anon", "authenticated"]
    new["functions"][FN]["config"] = {}
    d = diff_catalogs(old, new)
    assert d.summary() == "0 added, 0 removed, 4 changed"
    assert d.lines() == [
        "changed (4):",
        "  table memories: column importance: type text -> memory_importance",
        "  enum shap_analysis_type: + local_realtime (after summary)",
        "  function hybrid_search_memories(text, vector, uuid, ...): search_path public -> (unset)",
        '  policy "own rows" on memories: roles {authenticated} -> {anon, authenticated}',
    ]
    change = d.get("table", "public.memories")
    assert change.changes == (FieldChange(("columns", "importance", "type"), "text", "public.memory_importance"),)
    assert d.get("function", FN).changes == (FieldChange(("config", "search_path"), "public", MISSING),)


def test_added_removed_changed_grouped_and_ordered_by_kind():
    old, new = base_catalog(), base_catalog()
    new["tables"]["public.audit_log"] = {"kind": "table", "columns": [col("id", "bigint"), col("at", "timestamp with time zone")]}
    new["enums"]["public.mood"] = {"labels": ["ok", "great"]}
    del new["policies"]["public.memories.own rows"]
    new["schemas"]["auth"] = {"comment": None}
    new["tables"]["public.memories"]["rls_enabled"] = False
    d = diff_catalogs(old, new)
    assert [c.key for c in d.added] == ["auth", "public.audit_log", "public.mood"]  # schema, table, enum order
    assert d.lines() == [
        "added (3):",
        "  schema auth",
        "  table audit_log (columns: id, at)",
        "  enum mood (ok, great)",
        "removed (1):",
        '  policy "own rows" on memories',
        "changed (1):",
        "  table memories: rls_enabled true -> false",
    ]
    assert d.lines(verbs={"added": "created", "removed": "dropped"})[0] == "created (3):"
    assert d.summary() == "3 added, 1 removed, 1 changed"


def test_columns_matched_by_name_added_removed_reordered():
    old, new = base_catalog(), base_catalog()
    cols = new["tables"]["public.memories"]["columns"]
    cols.append(col("note", "text", not_null=True, default="''::text"))
    del cols[1]  # owner
    d = diff_catalogs(old, new)
    assert d.get("table", "public.memories").lines() == [
        "table memories: - column owner",
        "table memories: + column note text not null default ''::text",
    ]
    new = base_catalog()
    cols = new["tables"]["public.memories"]["columns"]
    cols[1], cols[2] = cols[2], cols[1]
    assert diff_catalogs(old, new).get("table", "public.memories").lines() == [
        "table memories: column order id, owner, importance -> id, importance, owner"
    ]


def test_enum_labels_positions_removals_and_reorder():
    def labels(old, new):
        a, b = base_catalog(), base_catalog()
        a["enums"]["public.shap_analysis_type"]["labels"] = old
        b["enums"]["public.shap_analysis_type"]["labels"] = new
        return [ln.split(": ", 1)[1] for ln in diff_catalogs(a, b).get("enum", "public.shap_analysis_type").lines()]

    assert labels(["a", "b"], ["x", "a", "b"]) == ["+ x (before a)"]
    assert labels(["a", "b"], ["a", "x", "b"]) == ["+ x (after a)"]
    assert labels(["a", "b"], ["a"]) == ["- b"]
    assert labels(["a", "b"], ["b", "a"]) == ["labels reordered: a, b -> b, a"]


def test_constraints_settings_and_multiline_source():
    old, new = base_catalog(), base_catalog()
    t = new["tables"]["public.memories"]
    t["constraints"]["memories_owner_check"] = {"kind": "check", "definition": "CHECK (owner IS NOT NULL)"}
    t["constraints"]["memories_pkey"] = {**t["constraints"]["memories_pkey"], "definition": "PRIMARY KEY (id, owner)",
                                         "columns": ["id", "owner"]}
    t["options"] = {"fillfactor": "70"}
    new["functions"][FN]["config"] = {"search_path": ""}
    new["functions"][FN]["source"] = "select *\nfrom memories\nwhere owner = p_user\nlimit p_limit"
    d = diff_catalogs(old, new)
    assert d.get("table", "public.memories").lines() == [
        "table memories: constraint memories_pkey: definition PRIMARY KEY (id) -> PRIMARY KEY (id, owner)",
        "table memories: + constraint memories_owner_check CHECK (owner IS NOT NULL)",
        "table memories: option fillfactor (unset) -> 70",
    ]
    fn = d.get("function", FN).lines()
    assert fn[0] == 'function hybrid_search_memories(text, vector, uuid, ...): search_path public -> ""'
    assert fn[1] == "function hybrid_search_memories(text, vector, uuid, ...): source changed (+1 -0 lines):"
    assert fn[2].strip() == "+ where owner = p_user"
    md = d.markdown("Schema diff")
    assert md.startswith("### Schema diff\n\n0 added, 0 removed, 2 changed.")
    assert "```diff" in md and "  + where owner = p_user" in md
    assert "- `table memories`: `option fillfactor (unset) -> 70`" in md


def test_review_view_drops_derived_and_engine_fields_full_keeps_them():
    old, new = base_catalog(), base_catalog()
    new["extensions"]["vector"]["version"] = "0.8.6"  # another engine's package, same migrations
    new["tables"]["public.memories"]["constraints"]["memories_pkey"]["columns"] = ["id", "x"]
    assert diff_catalogs(old, new).is_empty
    full = diff_catalogs(old, new, full=True)
    assert {c.kind for c in full.changed} == {"extension", "table"}
    assert "version" not in normalize(new)["extensions"]["vector"]
    assert "version" in normalize(new, full=True)["extensions"]["vector"]
    assert normalize(normalize(new)) == normalize(new)
    # full diffs still print only the leading field of a column type change
    new = base_catalog()
    new["tables"]["public.memories"]["columns"][2] = col("importance", "public.memory_importance", type_kind="enum")
    assert diff_catalogs(old, new, full=True).get("table", "public.memories").lines() == [
        "table memories: column importance: type text -> memory_importance"
    ]


def test_source_compared_by_hash_when_one_side_has_only_the_hash():
    import hashlib

    old, new = base_catalog(), base_catalog()
    src = new["functions"][FN].pop("source")
    new["functions"][FN]["source_sha256"] = hashlib.sha256(src.encode()).hexdigest()
    assert diff_catalogs(old, new).is_empty
    new["functions"][FN]["source_sha256"] = "0" * 64
    (line,) = diff_catalogs(old, new).get("function", FN).lines()
    assert "source changed (sha256" in line


def test_touches_children_and_unqualified_names():
    old, new = base_catalog(), base_catalog()
    new["indexes"]["public.memories_owner"] = {"table": "memories", "definition": "CREATE INDEX memories_owner ON public.memories USING btree (owner)"}
    d = diff_catalogs(old, new)
    assert d.touches("index", "memories_owner")
    assert d.touches("table", "memories") and not d.touches("table", "memories", children=False)
    new = base_catalog()
    new["functions"][FN]["volatility"] = "volatile"
    d = diff_catalogs(old, new)
    assert d.touches("function", "hybrid_search_memories") and d.touches("function", FN)
    assert not d.touches("function", "public.other")
    assert isinstance(d.filter(lambda c: c.kind != "function"), CatalogDiff)
    assert d.filter(lambda c: c.kind != "function").is_empty


def test_not_a_catalog_is_refused():
    with pytest.raises(ValueError, match="unknown section"):
        diff_catalogs({"tables": {}}, {"tablez": {}})


# -- real catalogs ------------------------------------------------------------------------


def test_real_catalog_changes_read_like_the_issue(e2i_fresh_db, e2i_migrated):
    """The same four kinds of change, made with DDL on a migrated database and read back."""
    conn = e2i_fresh_db
    u = uuid.uuid4().hex[:6]
    t, e, f, r1, r2 = f"mem_{u}", f"shap_{u}", f"search_{u}", f"e2i_auth_{u}", f"e2i_anon_{u}"
    conn.execute(f"create role {r1} nologin; create role {r2} nologin")
    try:
        conn.execute(f"""
            create type {e} as enum ('global', 'summary');
            create type imp_{u} as enum ('low', 'high');
            create table {t} (id uuid primary key, owner uuid, importance text);
            alter table {t} enable row level security;
            create policy "own rows" on {t} for select to {r1} using (owner is not null);
            create function {f}(q text, emb double precision[], who uuid, n integer) returns integer
                language sql stable set search_path = public return n;
        """)
        before = read_catalog(conn, baseline=e2i_migrated.baseline)
        conn.execute(f"""
            alter table {t} alter column importance type imp_{u} using importance::imp_{u};
            alter type {e} add value 'local_realtime' after 'summary';
            alter policy "own rows" on {t} to {r2}, {r1};
            alter function {f}(text, double precision[], uuid, integer) reset search_path;
        """)
        after = read_catalog(conn, baseline=e2i_migrated.baseline)
        d = diff_catalogs(before, after)
        assert d.lines() == [
            "changed (4):",
            f"  table {t}: column importance: type text -> imp_{u}",
            f"  enum {e}: + local_realtime (after summary)",
            f"  function {f}(text, double precision[], uuid, ...): search_path public -> (unset)",
            f'  policy "own rows" on {t}: roles {{{r1}}} -> {{{", ".join(sorted([r1, r2]))}}}',
        ]
        # Catalog objects and their dict form go through the same engine.
        assert diff_catalogs(before.to_dict(function_source="text"), after.to_dict(function_source="text")) == d
        assert diff_catalogs(after, after).is_empty
        conn.execute(f"drop table {t}; drop type imp_{u}")
        dropped = diff_catalogs(after, read_catalog(conn, baseline=e2i_migrated.baseline))
        assert {(c.kind, c.key) for c in dropped.removed} == {
            ("table", f"public.{t}"), ("enum", f"public.imp_{u}"), ("index", f"public.{t}_pkey"),
            ("policy", f"public.{t}.own rows"),
        }  # fmt: skip
    finally:
        conn.execute(f"drop table if exists {t}; drop function if exists {f}; drop type if exists {e}; "
                     f"drop type if exists imp_{u}; drop role {r1}; drop role {r2}")


def test_reference_catalog_against_itself_and_a_copy(e2i_fresh_db, e2i_migrated):
    cat = read_catalog(e2i_fresh_db, baseline=e2i_migrated.baseline)
    assert diff_catalogs(cat, copy.deepcopy(cat.to_dict())).is_empty
    empty = diff_catalogs({}, cat)
    assert len(empty.added) == sum(len(v) for v in normalize(cat).values()) and not empty.changed
