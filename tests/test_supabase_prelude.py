"""The "supabase" prelude on every engine: idempotent, and complete without extension stand-ins.

PostgreSQL 15 (the ``local`` engine) has no extension_control_path, so no stand-ins: the
prelude must only need uuid-ossp and pgcrypto.  It runs twice here (built-in name, then the
same file as a path prelude) to check that every statement is idempotent.
"""

from __future__ import annotations

from pytest_e2i_schema.preludes import prelude_path

from .conftest import write_project


def test_prelude_twice_auth_tables_webhooks_graphql_public(pytester, engine_args):
    write_project(pytester, {
        "supabase/migrations/20250101000000_app.sql": """
            create table public.profiles (
                id uuid primary key references auth.users (id) on delete cascade,
                provider text
            );
            create function public.on_identity() returns trigger
                language plpgsql security definer set search_path = '' as $$
            begin
                insert into public.profiles (id, provider) values (new.user_id, new.provider);
                return new;
            end $$;
            create trigger on_identity after insert on auth.identities
                for each row execute function public.on_identity();
            create table public.session_log (
                session_id uuid references auth.sessions (id) on delete cascade,
                seen_at timestamptz default now()
            );
            create table public.events (id serial primary key, kind text);
            create trigger "events-hook" after insert or update on public.events for each row
                execute function supabase_functions.http_request('https://example.test/hook', 'POST', '{}', '{}', '1000');
            grant usage on schema graphql_public to anon;
        """,
        "tests/test_prelude.py": """
            import uuid

            import psycopg
            import pytest

            def test_auth_tables(e2i_db):
                uid, sid = uuid.uuid4(), uuid.uuid4()
                e2i_db.execute("insert into auth.users (id, email) values (%s, 'u@x.test')", [uid])
                e2i_db.execute("insert into auth.identities (provider_id, user_id, identity_data, provider) "
                               "values ('g-1', %s, '{\\"email\\": \\"U@X.test\\"}', 'google')", [uid])
                assert e2i_db.execute("select email from auth.identities").fetchone() == ("u@x.test",)
                assert e2i_db.execute("select provider from profiles where id = %s", [uid]).fetchone() == ("google",)
                e2i_db.execute("insert into auth.sessions (id, user_id, aal) values (%s, %s, 'aal1')", [sid, uid])
                e2i_db.execute("insert into session_log (session_id) values (%s)", [sid])
                e2i_db.execute("insert into auth.refresh_tokens (token, user_id, session_id) values ('t1', %s, %s)", [str(uid), sid])
                e2i_db.execute("delete from auth.users where id = %s", [uid])
                counts = e2i_db.execute("select (select count(*) from auth.identities), (select count(*) from auth.sessions), "
                                        "(select count(*) from auth.refresh_tokens), (select count(*) from session_log)").fetchone()
                assert counts == (0, 0, 0, 0)

            def test_webhook_is_recorded_not_sent(e2i_db):
                e2i_db.execute("insert into events (kind) values ('a'), ('b')")
                e2i_db.execute("update events set kind = 'c' where kind = 'a'")
                rows = e2i_db.execute("select hook_table_id::regclass::text, hook_name, request_id from supabase_functions.hooks").fetchall()
                assert rows == [("events", "events-hook", None)] * 3

            def test_webhook_arguments_are_checked(e2i_db):
                e2i_db.execute("create table t (id int)")
                e2i_db.execute("create trigger h after insert on t for each row execute function supabase_functions.http_request('u', 'PUT')")
                with pytest.raises(psycopg.errors.RaiseException, match="method argument PUT is invalid"):
                    e2i_db.execute("insert into t values (1)")

            def test_graphql_public_placeholder(e2i_db):
                e2i_db.execute("set local role anon")
                assert e2i_db.execute("select graphql_public.graphql(query := '{ a }')").fetchone()[0] == \\
                    {"errors": [{"message": "pg_graphql extension is not enabled."}]}
        """,
    }, prelude=["supabase", str(prelude_path("supabase"))])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--e2i-contracts", *engine_args, ".")
    result.assert_outcomes(passed=5)
    for name in ("pgjwt", "pg_graphql", "pg_stat_statements", "supabase_vault", "pg_net", "http"):
        result.stdout.no_fnmatch_line(f"*STAND-IN used for extension '{name}'*")  # the prelude needs none of them
