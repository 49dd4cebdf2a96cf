"""Deterministic synthetic schemas for the benchmarks: N tables over M migration files.

    python bench/generate_schema.py OUT_DIR --tables 600 --files 300 [--seed 7] [--no-vector]

Supabase-style, like the reference schema: it expects the ``supabase`` prelude (roles
``authenticated`` / ``service_role`` and ``auth.uid()``).  Per N tables it makes

* N tables (uuid primary key, an enum column, jsonb, text[], numeric, timestamps, a
  foreign key to an earlier table, a CHECK, every 4th an identity column, with a
  ``vector(16)`` column on every 3rd table when pgvector is available), comments;
* N/10 enums of 3-6 labels;
* indexes: a btree and a GIN per table, a unique index on every 2nd table, an ``hnsw``
  (every 6th table) or ``ivfflat`` (the other vector tables) index when vector is on;
* one shared plpgsql trigger function plus N/10 audit trigger functions; a BEFORE UPDATE
  trigger on every table, an AFTER INSERT audit trigger on every 10th;
* N/5 plpgsql query functions (RETURNS TABLE / scalar), N/10 views (join with the parent),
  one materialized view per 60 tables;
* row-level security on every 2nd table with two policies (owner / service role).

The same arguments always give byte-identical files (``random.Random(seed)``, no clock).
Statements are laid out in dependency order and cut into M files of nearly equal size;
when there are fewer natural units than files, the extra files carry a
``COMMENT ON SCHEMA public`` so every file does something.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["generate", "SchemaSpec"]

_WORDS = (
    "account", "agent", "brand", "campaign", "cohort", "device", "event", "experiment", "feature",
    "insight", "journey", "market", "metric", "model", "order", "patient", "payer", "product",
    "region", "segment", "signal", "survey", "task", "trial", "visit", "claim", "prescriber",
)
_LABELS = (
    "new", "active", "paused", "archived", "pending", "failed", "approved", "rejected", "draft",
    "low", "medium", "high", "critical", "open", "closed", "queued",
)


@dataclass
class SchemaSpec:
    tables: int
    files: int
    seed: int = 7
    vector: bool = True
    counts: dict[str, int] = field(default_factory=dict)


def _table_name(i: int, rng: random.Random) -> str:
    return f"{rng.choice(_WORDS)}_{i:04d}"


def _units(spec: SchemaSpec) -> list[str]:
    """SQL units (each one or a few statements) in dependency order."""
    rng = random.Random(spec.seed)
    n = spec.tables
    units: list[str] = []
    counts = dict.fromkeys(
        ("tables", "enums", "views", "matviews", "functions", "trigger_functions", "indexes", "triggers",
         "policies", "columns"), 0)

    if spec.vector:
        units.append("create extension if not exists vector with schema extensions;")
    units.append(
        "create or replace function public.bench_touch_updated_at()\n"
        "returns trigger\nlanguage plpgsql\nset search_path = ''\nas $$\n"
        "begin\n    new.updated_at := pg_catalog.now();\n    return new;\nend;\n$$;\n"
        "comment on function public.bench_touch_updated_at() is 'Sets updated_at on every update';"
    )
    counts["functions"] += 1
    units.append(
        "create table public.bench_audit_log (\n"
        "    id bigint generated always as identity primary key,\n"
        "    table_name text not null,\n    row_id uuid,\n    at timestamptz not null default now()\n);"
    )
    counts["tables"] += 1
    counts["columns"] += 4

    n_enums = max(1, n // 10)
    enums: list[tuple[str, list[str]]] = []
    for e in range(n_enums):
        labels = rng.sample(_LABELS, rng.randint(3, 6))
        name = f"{rng.choice(_WORDS)}_kind_{e:03d}"
        enums.append((name, labels))
        units.append(
            f"create type public.{name} as enum ({', '.join(repr(x) for x in labels)});\n"
            f"comment on type public.{name} is 'Kinds of {name.split('_')[0]}';"
        )
    counts["enums"] = n_enums

    n_audit_fns = max(1, n // 10)
    for f in range(n_audit_fns):
        units.append(
            f"create or replace function public.bench_audit_{f:03d}()\n"
            "returns trigger\nlanguage plpgsql\nsecurity definer\nset search_path = ''\nas $$\n"
            "begin\n"
            "    insert into public.bench_audit_log (table_name, row_id) values (tg_table_name, new.id);\n"
            "    return new;\nend;\n$$;"
        )
    counts["functions"] += n_audit_fns
    counts["trigger_functions"] = n_audit_fns + 1

    tables: list[str] = []
    for i in range(n):
        name = _table_name(i, rng)
        enum_name, labels = enums[i % n_enums]
        cols = [
            "    id uuid primary key default gen_random_uuid()",
            "    owner_id uuid not null",
            f"    name text not null constraint {name}_name_not_blank check (btrim(name) <> '')",
            f"    kind public.{enum_name} not null default '{labels[0]}'",
            "    score numeric(10,2) not null default 0",
            "    tags text[] not null default '{}'",
            "    payload jsonb not null default '{}'::jsonb",
            "    created_at timestamptz not null default now()",
            "    updated_at timestamptz not null default now()",
        ]
        if tables and rng.random() < 0.7:
            parent = tables[rng.randrange(len(tables))]
            cols.append(f"    parent_id uuid references public.{parent} (id) on delete cascade")
        if i % 4 == 0:
            cols.append("    seq bigint generated by default as identity")
        has_vector = spec.vector and i % 3 == 0
        if has_vector:
            cols.append("    embedding extensions.vector(16)")
        counts["columns"] += len(cols)
        body = ",\n".join(cols)
        stmts = [
            f"create table public.{name} (\n{body}\n);",
            f"comment on table public.{name} is 'Synthetic table {i} ({enum_name})';",
            f"comment on column public.{name}.score is 'Score between 0 and 1e8';",
            f"create index {name}_owner_created_idx on public.{name} (owner_id, created_at desc);",
            f"create index {name}_payload_idx on public.{name} using gin (payload jsonb_path_ops);",
        ]
        counts["indexes"] += 2
        if i % 2 == 0:
            stmts.append(f"create unique index {name}_owner_name_key on public.{name} (owner_id, lower(name));")
            counts["indexes"] += 1
        if has_vector:
            if i % 6 == 0:
                stmts.append(
                    f"create index {name}_embedding_idx on public.{name} "
                    "using hnsw (embedding extensions.vector_cosine_ops) with (m = 8, ef_construction = 32);"
                )
            else:
                stmts.append(
                    f"create index {name}_embedding_idx on public.{name} "
                    "using ivfflat (embedding extensions.vector_l2_ops) with (lists = 4);"
                )
            counts["indexes"] += 1
        stmts.append(
            f"create trigger {name}_touch before update on public.{name}\n"
            "    for each row execute function public.bench_touch_updated_at();"
        )
        counts["triggers"] += 1
        if i % 10 == 0:
            stmts.append(
                f"create trigger {name}_audit after insert on public.{name}\n"
                f"    for each row execute function public.bench_audit_{(i // 10) % n_audit_fns:03d}();"
            )
            counts["triggers"] += 1
        units.append("\n".join(stmts))
        if i % 2 == 0:
            units.append(
                f"alter table public.{name} enable row level security;\n"
                f"create policy \"owners read {name}\" on public.{name} for select to authenticated\n"
                "    using (owner_id = (select auth.uid()));\n"
                f"create policy \"owners write {name}\" on public.{name} for all to authenticated\n"
                "    using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));\n"
                f"create policy \"service role {name}\" on public.{name} for all to service_role\n"
                "    using (true) with check (true);"
            )
            counts["policies"] += 3
        tables.append(name)
        counts["tables"] += 1

        # functions and views over tables made so far
        if i % 5 == 4:
            t = tables[rng.randrange(len(tables))]
            fname = f"{t}_summary"
            if rng.random() < 0.5:
                units.append(
                    f"create or replace function public.{fname}(p_owner uuid, p_limit integer default 10)\n"
                    "returns table (id uuid, name text, score numeric)\nlanguage plpgsql\nstable\n"
                    "set search_path = ''\nas $$\nbegin\n"
                    f"    return query select t.id, t.name, t.score from public.{t} t\n"
                    "        where t.owner_id = p_owner order by t.score desc limit p_limit;\n"
                    "end;\n$$;"
                )
            else:
                units.append(
                    f"create or replace function public.{fname}(p_owner uuid)\n"
                    "returns numeric\nlanguage plpgsql\nstable\nset search_path = ''\nas $$\n"
                    "declare\n    total numeric;\nbegin\n"
                    f"    select coalesce(sum(t.score), 0) into total from public.{t} t where t.owner_id = p_owner;\n"
                    "    return total;\nend;\n$$;"
                )
            counts["functions"] += 1
        if i % 10 == 9:
            t = tables[-1]
            units.append(
                f"create or replace view public.v_{t} as\n"
                f"    select t.id, t.owner_id, t.name, t.kind, t.score, t.created_at\n"
                f"    from public.{t} t where t.score > 0;\n"
                f"comment on view public.v_{t} is 'Scored rows of {t}';"
            )
            counts["views"] += 1
        if i % 60 == 59:
            t = tables[-1]
            units.append(
                f"create materialized view public.mv_{t} as\n"
                f"    select t.owner_id, count(*) as n, avg(t.score) as avg_score from public.{t} t group by t.owner_id\n"
                "    with no data;\n"
                f"create unique index mv_{t}_owner_idx on public.mv_{t} (owner_id);"
            )
            counts["matviews"] += 1
            counts["indexes"] += 1
    spec.counts = counts
    return units


def generate(out_dir: str | Path, tables: int, files: int, *, seed: int = 7, vector: bool = True,
             clean: bool = True) -> SchemaSpec:
    """Write ``files`` migration files making ``tables`` tables into ``out_dir``; returns the spec
    with object counts (``spec.counts``)."""
    if tables < 1 or files < 1:
        raise ValueError("tables and files must be at least 1")
    spec = SchemaSpec(tables=tables, files=files, seed=seed, vector=vector)
    units = _units(spec)
    out = Path(out_dir)
    if clean and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(files)))
    # Cut units into `files` contiguous chunks of nearly equal size.
    chunks: list[list[str]] = [[] for _ in range(files)]
    for k, unit in enumerate(units):
        chunks[k * files // len(units)].append(unit)
    for k, chunk in enumerate(chunks):
        if not chunk:  # more files than units: a harmless, real statement
            chunk.append(f"comment on schema public is 'bench revision {k + 1}';")
        header = f"-- bench migration {k + 1}/{files} (generated: tables={tables} seed={seed} vector={vector})\n\n"
        path = out / f"{k + 1:0{width}d}_bench_{k + 1}.sql"
        path.write_text(header + "\n\n".join(chunk) + "\n", encoding="utf-8")
    return spec


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--tables", type=int, default=60)
    ap.add_argument("--files", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-vector", dest="vector", action="store_false", help="no pgvector columns/indexes")
    args = ap.parse_args(argv)
    spec = generate(args.out_dir, args.tables, args.files, seed=args.seed, vector=args.vector)
    print(json.dumps({"tables": spec.tables, "files": spec.files, "seed": spec.seed, "vector": spec.vector,
                      "objects": spec.counts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
