"""``pytest --e2i-contracts`` on small sample projects, in a subprocess, on every engine."""

from __future__ import annotations

import pytest

from .conftest import write_project


def run(pytester: pytest.Pytester, engine_args: list[str], *args: str):
    return pytester.runpytest_subprocess("--e2i-contracts", "-p", "no:cacheprovider", *engine_args, *args)


def test_numbered_layout_applies_in_numeric_order(pytester, engine_args):
    write_project(pytester, {
        "migrations/0002-b.sql": "create table b (id int primary key, a_id int references a(id));",
        "migrations/00010-c.sql": "alter table b add column note text;",
        "migrations/0001_a.sql": "create table a (id int primary key);",
    }, prelude=[])
    result = run(pytester, engine_args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*e2i-schema*", "engine: *PostgreSQL*", "migrations: 3/3 applied*"])


def test_supabase_layout_is_auto_detected(pytester, engine_args):
    write_project(pytester, {
        "supabase/migrations/20251119174252_init.sql": "create table workspaces (id uuid primary key default gen_random_uuid());",
        "supabase/migrations/20251119174321_rls.sql": "alter table workspaces enable row level security;",
    })
    pytester.makeini("[pytest]\ne2i_snapshot = false\n")  # ini keys work too
    (pytester.path / "pyproject.toml").unlink()
    result = run(pytester, engine_args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["migrations: 2/2 applied*"])


def test_prisma_folder_layout(pytester, engine_args):
    write_project(pytester, {
        "prisma/migrations/20250603010109_init/migration.sql": "create table users (id serial primary key);",
        "prisma/migrations/20250604000000_email/migration.sql": "alter table users add column email text not null;",
        "prisma/migrations/migration_lock.toml": 'provider = "postgresql"',
    }, migrations=["prisma/migrations"], prelude=[])
    result = run(pytester, engine_args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["migrations: 2/2 applied*"])


def test_no_migrations_is_a_clear_error(pytester, engine_args):
    write_project(pytester, {}, prelude=[])
    result = run(pytester, engine_args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no migrations found; looked in *supabase/migrations*sql/migrations*db/migrations*--e2i-migrations*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_syntax_error_names_file_line_column_and_statement(pytester, engine_args):
    write_project(pytester, {
        "migrations/001_ok.sql": "create table a (id int);",
        "migrations/002_bad.sql": "-- adds b\ncreate table b (id int);\n\ncreate tabel c (id int);\n",
    }, prelude=[])
    result = run(pytester, engine_args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*migrations/002_bad.sql:4:*", "*create tabel c*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_runtime_error_names_sqlstate_and_applied_files(pytester, engine_args):
    write_project(pytester, {
        "migrations/001_ok.sql": "create table a (id int primary key);",
        "migrations/002_dup.sql": "insert into a values (1);\ninsert into a values (1);\n",
        "migrations/003_never.sql": "create table z (id int);",
    }, prelude=[])
    result = run(pytester, engine_args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*002_dup.sql:2:1*23505*duplicate key*", "*DETAIL*Key (id)=(1) already exists*",
        "applied (1): migrations/001_ok.sql", "not attempted (1): migrations/003_never.sql",
    ])


def test_type_created_by_later_migration_is_an_ordering_problem(pytester, engine_args):
    write_project(pytester, {
        "migrations/010_realtime_shap_audit.sql": "create table shap_audit (id int, kind shap_analysis_type);",
        "migrations/020_types.sql": "create type shap_analysis_type as enum ('global', 'local');",
    }, prelude=[])
    result = run(pytester, engine_args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        '*010_realtime_shap_audit.sql:1:*type "shap_analysis_type" does not exist*',
        "*020_types.sql*",
    ])


def test_concurrent_index_runs_outside_the_transaction(pytester, engine_args):
    write_project(pytester, {
        "migrations/001_t.sql": "create table t (id int, v text);\ninsert into t select g, g::text from generate_series(1, 100) g;\n",
        "migrations/002_idx.sql": "create index concurrently t_v_idx on t (v);\n",
    }, prelude=[])
    result = run(pytester, engine_args)
    result.assert_outcomes(passed=1)


def test_keep_going_reports_every_failure(pytester, engine_args):
    write_project(pytester, {
        "migrations/001_a.sql": "create table a (id int);",
        "migrations/002_bad.sql": "select * from missing_one;",
        "migrations/003_b.sql": "create table b (id int);",
        "migrations/004_bad.sql": "alter table nope add column x int;",
        "migrations/005_c.sql": "create table c (id int);",
    }, prelude=[])
    result = run(pytester, engine_args, "--e2i-keep-going")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*002_bad.sql:1:*missing_one*", "*004_bad.sql:1:*nope*"])
    result.stdout.fnmatch_lines(["*3/5 applied*"])
    # without --e2i-keep-going the run stops at the first failure
    result = run(pytester, engine_args)
    result.stdout.no_fnmatch_line("*004_bad.sql:1*")


def test_session_settings_apply_to_the_migration_session(pytester, engine_args):
    write_project(pytester, {
        "migrations/001_schema.sql": "create schema app;",
        "migrations/002_t.sql": "create table in_app (id int);  -- lands in app: search_path from config",
        "tests/test_where.py": """
            def test_table_in_app(e2i_db):
                assert e2i_db.execute("select to_regclass('app.in_app') is not null").fetchone()[0]
        """,
    }, prelude=[], session_settings={"search_path": "app"})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *engine_args, "tests")
    result.assert_outcomes(passed=1)


def test_supabase_prelude_gives_auth_uid_and_uuid_ossp(pytester):
    write_project(pytester, {
        "supabase/migrations/20250101000000_notes.sql": """
            create extension if not exists "uuid-ossp" with schema extensions;
            create table public.notes (
                id uuid primary key default uuid_generate_v4(),
                owner uuid not null default auth.uid(),
                body text
            );
            alter table public.notes enable row level security;
            create policy "own notes" on public.notes for all to authenticated
                using (owner = auth.uid()) with check (owner = auth.uid());
            grant all on public.notes to authenticated;
        """,
        "tests/test_rls.py": """
            import json, uuid

            def test_each_user_sees_own_rows(e2i_db):
                alice, bob = uuid.uuid4(), uuid.uuid4()
                e2i_db.execute("insert into notes (owner, body) values (%s, 'a'), (%s, 'b')", [alice, bob])
                e2i_db.execute("set local role authenticated")
                e2i_db.execute("select set_config('request.jwt.claims', %s, true)", [json.dumps({"sub": str(alice)})])
                rows = e2i_db.execute("select body, owner = auth.uid() from notes").fetchall()
                assert rows == [("a", True)]
        """,
    }, prelude=["supabase"])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--e2i-contracts", "--e2i-engine", "embedded", ".")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*STAND-IN used for extension 'uuid-ossp'*"])


def test_missing_extension_names_the_server_and_other_engines(pytester):
    from .conftest import HAVE_LOCAL, PG15_BIN

    if not HAVE_LOCAL:
        pytest.skip(f"needs a server without pgvector: no PostgreSQL at {PG15_BIN}")
    write_project(pytester, {"migrations/001_v.sql": "create extension if not exists vector;"}, prelude=[])
    result = run(pytester, ["--e2i-engine=local", f"--e2i-pg-bin={PG15_BIN}"])
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        '*001_v.sql:1:1: ERROR 0A000: extension "vector" is not available*',
        '*local server*does not have extension "vector"*--e2i-engine embedded*',
    ])


def test_stand_ins_are_used_only_when_on(pytester):
    write_project(pytester, {
        "migrations/001_ext.sql": 'create extension if not exists "uuid-ossp";\ncreate extension if not exists pgcrypto;',
        "migrations/002_use.sql": "create table t (id uuid default uuid_generate_v5(uuid_ns_url(), 'x'), h bytea default digest('a', 'sha256'));",
    }, prelude=[])
    result = run(pytester, ["--e2i-engine=embedded"])
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*STAND-IN used for extension 'pgcrypto'*", "*STAND-IN used for extension 'uuid-ossp'*"])
    result = run(pytester, ["--e2i-engine=embedded", "--e2i-no-stand-ins"])
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['*extension "uuid-ossp" is not available*', "*--e2i-stand-ins*"])
    result.stdout.no_fnmatch_line("*STAND-IN used*")


def test_keep_server_leaves_it_running_and_says_where(pytester, data_root):
    import os
    import re
    import shutil
    import signal
    import time

    from .conftest import postgres_processes_under

    write_project(pytester, {"migrations/001_t.sql": "create table t (id int);"}, prelude=[])
    result = run(pytester, ["--e2i-engine=embedded", "--e2i-keep-server", f"--e2i-data-root={data_root}"])
    result.assert_outcomes(passed=1)
    m = re.search(r"server kept running: .* -- data dir (\S+)", result.stdout.str())
    assert m, result.stdout.str()
    try:
        assert postgres_processes_under(str(data_root))
    finally:
        with open(os.path.join(m.group(1), "postmaster.pid")) as fh:
            os.kill(int(fh.readline()), signal.SIGINT)
        deadline = time.monotonic() + 10
        while postgres_processes_under(str(data_root)) and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(os.path.dirname(m.group(1)), ignore_errors=True)


def test_a_server_that_cannot_start_is_reported_by_the_items(pytester, tmp_path):
    """--e2i-contracts starts the server in a background thread; its failure must still reach
    the items as the engine's own message, without a thread traceback."""
    write_project(pytester, {"migrations/001_t.sql": "create table t (id int);"}, prelude=[])
    result = pytester.runpytest_subprocess(
        "--e2i-contracts", "-p", "no:cacheprovider", "--e2i-engine=local", f"--e2i-pg-bin={tmp_path / 'nowhere'}",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["FAILED e2i::migrations - no postgres binary in pg_bin*"])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*e2i-schema-prefetch*")


def test_supabase_pulled_schema_with_platform_extensions_and_webhooks(pytester):
    """What `supabase db pull` writes: platform extensions (pg_graphql, pg_stat_statements,
    pgjwt, supabase_vault), a trigger on auth.identities and a Database Webhook.  The prelude
    gives the auth tables and supabase_functions; the server lacks pgjwt, pg_graphql and
    supabase_vault, so their stand-ins are used; it has pg_stat_statements, so that one is real."""
    write_project(pytester, {
        "supabase/migrations/20250101000000_remote_schema.sql": """
            create extension if not exists "pg_graphql" with schema "graphql";
            create extension if not exists "pg_stat_statements" with schema "extensions";
            create extension if not exists "pgjwt" with schema "extensions";
            create extension if not exists "supabase_vault" with schema "vault";

            create table public.profiles (
                id uuid primary key references auth.users (id) on delete cascade,
                email text,
                provider text
            );
            create function public.handle_new_identity() returns trigger
                language plpgsql security definer set search_path = '' as $$
            begin
                insert into public.profiles (id, email, provider) values (new.user_id, new.email, new.provider)
                on conflict (id) do update set provider = excluded.provider;
                return new;
            end $$;
            create trigger on_identity_created after insert on auth.identities
                for each row execute function public.handle_new_identity();

            create table public.orders (
                id bigint generated always as identity primary key,
                user_id uuid references auth.users (id),
                total numeric
            );
            create trigger "orders-webhook" after insert on public.orders for each row
                execute function supabase_functions.http_request(
                    'https://example.test/functions/v1/order', 'POST',
                    '{"Content-type":"application/json"}', '{}', '5000');
        """,
        "tests/test_flow.py": """
            import json, uuid

            def test_identity_trigger_webhook_and_jwt(e2i_db):
                uid = uuid.uuid4()
                e2i_db.execute("insert into auth.users (id, email) values (%s, 'a@x.test')", [uid])
                e2i_db.execute(
                    "insert into auth.identities (provider_id, user_id, identity_data, provider) values (%s, %s, %s, 'email')",
                    [str(uid), uid, json.dumps({"email": "A@x.test"})])
                assert e2i_db.execute("select email, provider from profiles where id = %s", [uid]).fetchone() == ("a@x.test", "email")
                e2i_db.execute("insert into orders (user_id, total) values (%s, 10)", [uid])
                hooks = e2i_db.execute("select hook_name, request_id from supabase_functions.hooks "
                                       "where hook_table_id = 'public.orders'::regclass").fetchall()
                assert hooks == [("orders-webhook", None)]
                token = e2i_db.execute("select extensions.sign(json_build_object('sub', %s::text), 'secret')", [str(uid)]).fetchone()[0]
                assert e2i_db.execute("select valid from extensions.verify(%s, 'secret')", [token]).fetchone()[0] is True
        """,
    }, prelude=["supabase"])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--e2i-contracts", "--e2i-engine", "embedded", ".")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines_random([
        "*STAND-IN used for extension 'pg_graphql'*",
        "*STAND-IN used for extension 'pgjwt'*",
        "*STAND-IN used for extension 'supabase_vault'*",
    ])
    result.stdout.no_fnmatch_line("*STAND-IN used for extension 'pg_stat_statements'*")


def test_heap_is_frozen_only_when_this_process_exits_after_the_run(monkeypatch):
    """gc.freeze() spares the interpreter's shutdown a full collection; a program that called
    pytest.main() (or pytester in-process) lives on, so nothing is frozen there."""
    import gc
    import sys
    import types

    from pytest_e2i_schema.plugin import SESSION_KEY, _freeze_heap_before_exit

    def config(args, with_session=True):
        stash = pytest.Stash()
        if with_session:
            stash[SESSION_KEY] = object()
        return types.SimpleNamespace(stash=stash, invocation_params=types.SimpleNamespace(args=tuple(args)))

    monkeypatch.setattr(sys, "argv", ["pytest", "--e2i-contracts"])
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    _freeze_heap_before_exit(config(["--e2i-contracts", "-x"]))  # pytest.main() with other arguments
    _freeze_heap_before_exit(config(["--e2i-contracts"], with_session=False))  # the plugin did nothing
    assert frozen == []
    _freeze_heap_before_exit(config(["--e2i-contracts"]))  # `pytest --e2i-contracts`
    assert frozen == [True]
