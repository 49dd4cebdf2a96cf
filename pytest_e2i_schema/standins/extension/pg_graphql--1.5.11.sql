-- e2i-schema stand-in for pg_graphql 1.5 (https://github.com/supabase/pg_graphql).
--
-- NOT the real extension: there is no GraphQL engine behind it.  It exists so that schema
-- files from `supabase db pull`, which contain
--     create extension if not exists "pg_graphql" with schema "graphql";
-- apply, and so that SQL referring to the extension's objects compiles.  Like the real one
-- it lives in schema graphql (schema = graphql in the control file: the schema is created
-- when missing, and WITH SCHEMA anything-else is refused).
--   graphql.resolve(query text, variables jsonb DEFAULT '{}', "operationName" text
--       DEFAULT NULL, extensions jsonb DEFAULT NULL) RETURNS jsonb
--   graphql._internal_resolve(same arguments) RETURNS jsonb
--                     both raise feature_not_supported (0A000): no query is executed
--   graphql.comment_directive(comment_ text) RETURNS jsonb
--                     as upstream: the JSON inside @graphql(...) in a comment, or {}
--   graphql.exception(message text) RETURNS text
--                     as upstream: raises the message
--   graphql.seq_schema_version, graphql.get_schema_version() RETURNS int,
--   graphql.increment_schema_version() RETURNS event_trigger
--                     as upstream, but without the event triggers graphql_watch_ddl /
--                     graphql_watch_drop (they would run on every DDL statement of the
--                     migrations), so the version only moves when the function is called.
-- graphql_public.graphql(), the HTTP entry point PostgREST calls, is not part of the
-- extension but of the Supabase platform: the supabase prelude creates it.  Usage on schema
-- graphql and EXECUTE on resolve are granted to the Supabase API roles where they exist,
-- as Supabase's grant_pg_graphql_access event trigger does.

\echo Use "CREATE EXTENSION pg_graphql" to load this file. \quit

CREATE FUNCTION graphql._internal_resolve(
    "query" text,
    "variables" jsonb DEFAULT '{}',
    "operationName" text DEFAULT NULL,
    "extensions" jsonb DEFAULT NULL
) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'graphql._internal_resolve() is not available in the e2i-schema pg_graphql stand-in'
        USING ERRCODE = 'feature_not_supported',
              HINT = 'the stand-in only provides pg_graphql''s objects so migrations apply; test GraphQL against a real Supabase';
END
$$;

CREATE FUNCTION graphql.resolve(
    "query" text,
    "variables" jsonb DEFAULT '{}',
    "operationName" text DEFAULT NULL,
    "extensions" jsonb DEFAULT NULL
) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'graphql.resolve() is not available in the e2i-schema pg_graphql stand-in'
        USING ERRCODE = 'feature_not_supported',
              HINT = 'the stand-in only provides pg_graphql''s objects so migrations apply; test GraphQL against a real Supabase';
END
$$;

CREATE FUNCTION graphql.comment_directive(comment_ text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT coalesce(
        (pg_catalog.regexp_match(comment_, '@graphql\((.+)\)'))[1]::jsonb,
        pg_catalog.jsonb_build_object()
    )
$$;

CREATE FUNCTION graphql.exception(message text) RETURNS text
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = '22000', MESSAGE = message;
END
$$;

CREATE SEQUENCE graphql.seq_schema_version AS int CYCLE;

CREATE FUNCTION graphql.increment_schema_version() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
BEGIN
    PERFORM pg_catalog.nextval('graphql.seq_schema_version');
END
$$;

CREATE FUNCTION graphql.get_schema_version() RETURNS int
    LANGUAGE sql SECURITY DEFINER
    AS $$
    SELECT last_value FROM graphql.seq_schema_version;
$$;

DO $$
DECLARE
    api_roles text := (
        SELECT pg_catalog.string_agg(pg_catalog.quote_ident(rolname), ', ')
        FROM pg_catalog.pg_roles
        WHERE rolname IN ('postgres', 'anon', 'authenticated', 'service_role')
    );
BEGIN
    IF api_roles IS NOT NULL THEN
        EXECUTE 'GRANT USAGE ON SCHEMA graphql TO ' || api_roles;
        EXECUTE 'GRANT EXECUTE ON FUNCTION graphql.resolve(text, jsonb, text, jsonb) TO ' || api_roles;
    END IF;
END
$$;
