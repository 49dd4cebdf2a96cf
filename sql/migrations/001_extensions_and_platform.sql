-- =============================================================================
-- 001_extensions_and_platform.sql
--
-- What:  Extensions and the small set of platform objects every later migration
--        relies on:
--          * uuid-ossp, pgcrypto and pgvector, all in schema `extensions`
--            (the Supabase convention; the platform prelude already created the
--            first two, so those statements are no-ops there),
--          * update_updated_at_column(), the one shared BEFORE UPDATE trigger
--            function for every `updated_at` column (seed 002 "Auto-update
--            timestamps"; seed 004 fix #2: it keeps an explicit search_path),
--          * two domain types used by the traceability tables.
--
-- Seeds: 000 Phase 2 "Trigger Functions" (update_updated_at_column),
--        001 "Prerequisites" (uuid-ossp + pgvector), 004 issue #4 (the
--        extension is created by the first migration, before anything uses it).
--
-- Later migrations write `extensions.vector(1536)` and
-- `extensions.vector_cosine_ops` fully qualified, so they apply whatever the
-- session's search_path is.
-- =============================================================================

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists vector with schema extensions;

-- -----------------------------------------------------------------------------
-- Shared trigger function: keep updated_at honest on every UPDATE.
-- -----------------------------------------------------------------------------
create or replace function public.update_updated_at_column()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    return new;
end;
$$;

comment on function public.update_updated_at_column() is
    'Trigger function: sets NEW.updated_at to now() before every UPDATE';

-- -----------------------------------------------------------------------------
-- Domains
-- -----------------------------------------------------------------------------
-- A probability / rate in [0, 1]; NULL means "not measured yet".
create domain public.probability as double precision
    check (value >= 0 and value <= 1);

comment on domain public.probability is 'A rate or probability between 0 and 1 inclusive';

-- A duration in milliseconds; never negative.
create domain public.duration_ms as integer
    check (value >= 0);

comment on domain public.duration_ms is 'A non-negative duration in milliseconds';
