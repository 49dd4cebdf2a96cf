-- e2i-schema stand-in for wrappers (https://github.com/supabase/wrappers).
--
-- NOT the real extension: it exists so that migrations which set up Supabase foreign data
-- wrappers apply and their schema can be checked, e.g.
--     create foreign data wrapper stripe_wrapper handler stripe_fdw_handler validator stripe_fdw_validator;
--     create server stripe_server foreign data wrapper stripe_wrapper options (api_key_id '...');
--     create foreign table stripe.customers (id text, email text, attrs jsonb)
--         server stripe_server options (object 'customers');
-- For every wrapper it provides <name>_fdw_handler(), <name>_fdw_validator(text[], oid) and
-- <name>_fdw_meta(), plus the wrappers_fdw_stats table.
--
-- How the handler is faked: CREATE FOREIGN DATA WRAPPER ... HANDLER insists on a function
-- returning the pseudo-type fdw_handler, which SQL and PL/pgSQL functions cannot return.
-- The handlers here are LANGUAGE internal functions bound to the built-in
-- fdw_handler_in(), a core function that takes no look at its arguments and always raises
-- "cannot accept a value of type fdw_handler" (0A000).  PostgreSQL calls an FDW's handler
-- only when a foreign table is planned or IMPORT FOREIGN SCHEMA runs, so every DDL step
-- above works and exactly those operations fail, with that error.  (Creating internal
-- functions needs a superuser, hence superuser = true in the control file, as for the
-- real extension.)  The validators accept any options; the real ones check their names.

\echo Use "CREATE EXTENSION wrappers" to load this file. \quit

CREATE TABLE wrappers_fdw_stats (
    fdw_name     text NOT NULL PRIMARY KEY,
    create_times bigint NULL,
    rows_in      bigint NULL,
    rows_out     bigint NULL,
    bytes_in     bigint NULL,
    bytes_out    bigint NULL,
    metadata     jsonb NULL,
    created_at   timestamptz NOT NULL DEFAULT timezone('utc'::text, now()),
    updated_at   timestamptz NOT NULL DEFAULT timezone('utc'::text, now())
);

COMMENT ON TABLE wrappers_fdw_stats IS 'Wrappers Foreign Data Wrapper statistics';

-- Handler, validator and meta function for each wrapper Supabase ships.  The Wasm-based
-- wrappers (Paddle, Snowflake, Cal.com, Notion, ...) all use wasm_fdw_handler.
DO $do$
DECLARE
    fdw text;
BEGIN
    FOREACH fdw IN ARRAY ARRAY['airtable', 'auth0', 'big_query', 'click_house', 'cognito', 'duckdb',
                               'firebase', 'hello_world', 'iceberg', 'logflare', 'mssql', 'redis',
                               's3', 's3_vectors', 'stripe', 'wasm']
    LOOP
        EXECUTE format($f$
            CREATE FUNCTION %1$I() RETURNS fdw_handler
                LANGUAGE internal STRICT
                AS 'fdw_handler_in'
        $f$, fdw || '_fdw_handler');
        EXECUTE format($f$
            COMMENT ON FUNCTION %1$I() IS
                'e2i-schema stand-in: foreign tables of this wrapper cannot be queried (raises "cannot accept a value of type fdw_handler")'
        $f$, fdw || '_fdw_handler');

        EXECUTE format($f$
            CREATE FUNCTION %1$I(options text[], catalog oid) RETURNS void
                LANGUAGE plpgsql                -- not sql: a void SQL function returns NULL,
                AS $v$ BEGIN END $v$            -- which PostgreSQL rejects from a validator
        $f$, fdw || '_fdw_validator');

        EXECUTE format($f$
            CREATE FUNCTION %1$I() RETURNS TABLE (name text, version text, author text, website text)
                LANGUAGE sql
                AS $m$ SELECT %2$L::text, 'e2i-schema stand-in'::text, 'pytest-e2i-schema'::text,
                              'https://github.com/supabase/wrappers'::text $m$
        $f$, fdw || '_fdw_meta', fdw);
    END LOOP;
END
$do$;
