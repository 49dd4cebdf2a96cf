-- e2i-schema stand-in for pg_stat_statements 1.12, the version of PostgreSQL 18.
--
-- NOT the real extension: nothing is tracked (the real one needs shared_preload_libraries
-- and a C module).  It exists because `supabase db pull` writes
--     create extension if not exists pg_stat_statements with schema extensions;
-- into nearly every schema file.  The objects have the real names, column names and types,
-- defaults and privileges (contrib/pg_stat_statements, 1.4 + updates up to 1.12):
--   pg_stat_statements(showtext boolean, OUT userid oid, ...) RETURNS SETOF record
--                                         returns no rows
--   pg_stat_statements_info(OUT dealloc bigint, OUT stats_reset timestamptz) RETURNS record
--                                         one row: 0, the time the server started
--   pg_stat_statements_reset(userid oid DEFAULT 0, dbid oid DEFAULT 0, queryid bigint
--       DEFAULT 0, minmax_only boolean DEFAULT false) RETURNS timestamptz
--                                         does nothing, returns now(); not granted to PUBLIC
--   views pg_stat_statements (empty) and pg_stat_statements_info, SELECT granted to PUBLIC.
-- Stand-ins exist on PostgreSQL 18+ only (extension_control_path), so this is the column
-- set of 18; 1.12 added wal_buffers_full, parallel_workers_to_launch and
-- parallel_workers_launched to the one of 17 (1.11).

\echo Use "CREATE EXTENSION pg_stat_statements" to load this file. \quit

CREATE FUNCTION pg_stat_statements(IN showtext boolean,
    OUT userid oid,
    OUT dbid oid,
    OUT toplevel bool,
    OUT queryid bigint,
    OUT query text,
    OUT plans int8,
    OUT total_plan_time float8,
    OUT min_plan_time float8,
    OUT max_plan_time float8,
    OUT mean_plan_time float8,
    OUT stddev_plan_time float8,
    OUT calls int8,
    OUT total_exec_time float8,
    OUT min_exec_time float8,
    OUT max_exec_time float8,
    OUT mean_exec_time float8,
    OUT stddev_exec_time float8,
    OUT rows int8,
    OUT shared_blks_hit int8,
    OUT shared_blks_read int8,
    OUT shared_blks_dirtied int8,
    OUT shared_blks_written int8,
    OUT local_blks_hit int8,
    OUT local_blks_read int8,
    OUT local_blks_dirtied int8,
    OUT local_blks_written int8,
    OUT temp_blks_read int8,
    OUT temp_blks_written int8,
    OUT shared_blk_read_time float8,
    OUT shared_blk_write_time float8,
    OUT local_blk_read_time float8,
    OUT local_blk_write_time float8,
    OUT temp_blk_read_time float8,
    OUT temp_blk_write_time float8,
    OUT wal_records int8,
    OUT wal_fpi int8,
    OUT wal_bytes numeric,
    OUT wal_buffers_full int8,
    OUT jit_functions int8,
    OUT jit_generation_time float8,
    OUT jit_inlining_count int8,
    OUT jit_inlining_time float8,
    OUT jit_optimization_count int8,
    OUT jit_optimization_time float8,
    OUT jit_emission_count int8,
    OUT jit_emission_time float8,
    OUT jit_deform_count int8,
    OUT jit_deform_time float8,
    OUT parallel_workers_to_launch int8,
    OUT parallel_workers_launched int8,
    OUT stats_since timestamp with time zone,
    OUT minmax_stats_since timestamp with time zone
)
RETURNS SETOF record
LANGUAGE sql STRICT VOLATILE PARALLEL SAFE
AS $$
    SELECT
        NULL::oid,
        NULL::oid,
        NULL::bool,
        NULL::bigint,
        NULL::text,
        NULL::int8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::int8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::int8,
        NULL::int8,
        NULL::int8,
        NULL::int8,
        NULL::int8,
        NULL::int8,
        NULL::int8,
        NULL::int8,
        NULL::int8,
        NULL::int8,
        NULL::int8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::float8,
        NULL::int8,
        NULL::int8,
        NULL::numeric,
        NULL::int8,
        NULL::int8,
        NULL::float8,
        NULL::int8,
        NULL::float8,
        NULL::int8,
        NULL::float8,
        NULL::int8,
        NULL::float8,
        NULL::int8,
        NULL::float8,
        NULL::int8,
        NULL::int8,
        NULL::timestamp with time zone,
        NULL::timestamp with time zone
    WHERE false
$$;

CREATE VIEW pg_stat_statements AS
  SELECT * FROM pg_stat_statements(true);

GRANT SELECT ON pg_stat_statements TO PUBLIC;

CREATE FUNCTION pg_stat_statements_info(
    OUT dealloc bigint,
    OUT stats_reset timestamp with time zone
)
RETURNS record
LANGUAGE sql STRICT VOLATILE PARALLEL SAFE
AS $$
    SELECT 0::bigint, pg_catalog.pg_postmaster_start_time()
$$;

CREATE VIEW pg_stat_statements_info AS
  SELECT * FROM pg_stat_statements_info();

GRANT SELECT ON pg_stat_statements_info TO PUBLIC;

CREATE FUNCTION pg_stat_statements_reset(IN userid Oid DEFAULT 0,
    IN dbid Oid DEFAULT 0,
    IN queryid bigint DEFAULT 0,
    IN minmax_only boolean DEFAULT false
)
RETURNS timestamp with time zone
LANGUAGE sql STRICT PARALLEL SAFE
AS $$
    SELECT pg_catalog.now()
$$;

-- Don't want this to be available to non-superusers.
REVOKE ALL ON FUNCTION pg_stat_statements_reset(Oid, Oid, bigint, boolean) FROM PUBLIC;
