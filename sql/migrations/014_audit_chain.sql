-- =============================================================================
-- 014_audit_chain.sql
--
-- What:  E2I v1.2 audit chain - an append-only, hash-chained audit log:
--          tables     audit_chain_entries, audit_chain_verification_log
--          views      v_audit_chain_integrity, v_audit_chain_summary
--          functions  append_audit_entry, verify_audit_chain,
--                     get_audit_chain_for_entity, calculate_chain_hash,
--                     audit_chain_entry_content (the canonical hashed content),
--                     trigger functions validate_audit_entry (BEFORE INSERT:
--                     validates the row, numbers it, links and hashes it) and
--                     prevent_audit_chain_mutation (no UPDATE / DELETE / TRUNCATE)
--          seed row   the genesis entry of the schema's own audit chain
--
--        Hashing (core sha256(), no pgcrypto needed):
--          payload_hash  = sha256(payload::text)
--          previous_hash = entry_hash of the previous entry of the same chain,
--                          64 zeros for the first entry
--          entry_hash    = sha256(previous_hash || canonical content), where the
--                          content is audit_chain_entry_content(row): chain_id,
--                          sequence_number, entity, action, actor, payload_hash
--                          and created_at in UTC with microseconds
--        all as lower-case hex.  verify_audit_chain() recomputes all three.
--
-- Seeds: 000 "Phase 1D: Document Audit Chain System" (2 tables, 2 views,
--        4 functions) and Phase 2 trigger function validate_audit_entry.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Tables
-- -----------------------------------------------------------------------------
create table if not exists public.audit_chain_entries (
    entry_id         uuid primary key default gen_random_uuid(),
    chain_id         uuid not null,
    sequence_number  bigint not null
        constraint audit_chain_entries_sequence_check check (sequence_number > 0),
    entity_type      varchar(100) not null,
    entity_id        varchar(200) not null,
    action           varchar(100) not null,
    actor_id         varchar(200) not null,
    actor_type       varchar(20) not null default 'agent'
        constraint audit_chain_entries_actor_type_check
        check (actor_type in ('agent', 'user', 'system', 'service')),
    payload_hash     varchar(64) not null
        constraint audit_chain_entries_payload_hash_check check (payload_hash ~ '^[0-9a-f]{64}$'),
    previous_hash    varchar(64) not null
        constraint audit_chain_entries_previous_hash_check check (previous_hash ~ '^[0-9a-f]{64}$'),
    entry_hash       varchar(64) not null
        constraint audit_chain_entries_entry_hash_check check (entry_hash ~ '^[0-9a-f]{64}$'),
    payload          jsonb not null default '{}'::jsonb,
    created_at       timestamptz not null default now(),
    constraint audit_chain_entries_chain_sequence_key unique (chain_id, sequence_number),
    constraint audit_chain_entries_entry_hash_key unique (entry_hash)
);

comment on table public.audit_chain_entries is 'Immutable audit log entries with cryptographic chaining';

create index if not exists idx_audit_chain_entries_entity on public.audit_chain_entries (entity_type, entity_id);
create index if not exists idx_audit_chain_entries_created_at on public.audit_chain_entries (created_at desc);
create index if not exists idx_audit_chain_entries_actor on public.audit_chain_entries (actor_id);

create table if not exists public.audit_chain_verification_log (
    verification_id      uuid primary key default gen_random_uuid(),
    chain_id             uuid not null,
    verified_at          timestamptz not null default now(),
    verified_by          varchar(200) not null,
    is_valid             boolean not null,
    entries_checked      integer not null default 0
        constraint audit_chain_verification_log_entries_check check (entries_checked >= 0),
    first_invalid_entry  uuid references public.audit_chain_entries (entry_id),
    error_message        text,
    constraint audit_chain_verification_log_invalid_has_reason
        check (is_valid or error_message is not null)
);

comment on table public.audit_chain_verification_log is 'Log of audit chain verification checks';

create index if not exists idx_audit_chain_verification_log_chain
    on public.audit_chain_verification_log (chain_id, verified_at desc);

-- -----------------------------------------------------------------------------
-- Hashing
-- -----------------------------------------------------------------------------
create or replace function public.calculate_chain_hash(p_payload jsonb, p_previous_hash text)
returns text
language sql
stable
parallel safe
set search_path = ''
as $$
    select pg_catalog.encode(
               pg_catalog.sha256(
                   pg_catalog.convert_to(coalesce(p_previous_hash, pg_catalog.repeat('0', 64)) || p_payload::text, 'UTF8')
               ),
               'hex');
$$;

comment on function public.calculate_chain_hash(jsonb, text) is
    'Calculate entry hash: hex sha256 of previous_hash (64 zeros when NULL) followed by the JSON text of the content';

create or replace function public.audit_chain_entry_content(p_entry public.audit_chain_entries)
returns jsonb
language sql
stable
parallel safe
set search_path = ''
as $$
    select pg_catalog.jsonb_build_object(
               'chain_id', p_entry.chain_id,
               'sequence_number', p_entry.sequence_number,
               'entity_type', p_entry.entity_type,
               'entity_id', p_entry.entity_id,
               'action', p_entry.action,
               'actor_id', p_entry.actor_id,
               'actor_type', p_entry.actor_type,
               'payload_hash', p_entry.payload_hash,
               'created_at', pg_catalog.to_char(p_entry.created_at at time zone 'UTC',
                                                'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
           );
$$;

comment on function public.audit_chain_entry_content(public.audit_chain_entries) is
    'The canonical content of an entry that entry_hash covers (independent of the session time zone)';

-- -----------------------------------------------------------------------------
-- Trigger functions
-- -----------------------------------------------------------------------------
create or replace function public.validate_audit_entry()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_prev_sequence  bigint;
    v_prev_hash      text;
begin
    if coalesce(btrim(new.entity_type), '') = '' or coalesce(btrim(new.entity_id), '') = ''
       or coalesce(btrim(new.action), '') = '' or coalesce(btrim(new.actor_id), '') = '' then
        raise exception 'audit entry needs entity_type, entity_id, action and actor_id'
            using errcode = 'check_violation';
    end if;
    if new.chain_id is null then
        raise exception 'audit entry needs a chain_id' using errcode = 'not_null_violation';
    end if;
    if new.payload is null or pg_catalog.jsonb_typeof(new.payload) <> 'object' then
        raise exception 'audit entry payload must be a JSON object' using errcode = 'check_violation';
    end if;

    -- one writer per chain at a time, so sequence numbers and links stay gapless
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('audit_chain:' || new.chain_id::text, 0));

    select e.sequence_number, e.entry_hash
      into v_prev_sequence, v_prev_hash
      from public.audit_chain_entries e
     where e.chain_id = new.chain_id
     order by e.sequence_number desc
     limit 1;

    -- whatever the caller supplied, the chain decides these
    new.sequence_number := coalesce(v_prev_sequence, 0) + 1;
    new.previous_hash   := coalesce(v_prev_hash, pg_catalog.repeat('0', 64));
    new.created_at      := coalesce(new.created_at, pg_catalog.now());
    new.payload_hash    := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(new.payload::text, 'UTF8')), 'hex');
    new.entry_hash      := public.calculate_chain_hash(public.audit_chain_entry_content(new), new.previous_hash);
    return new;
end;
$$;

comment on function public.validate_audit_entry() is
    'Trigger function: validates a new audit entry, assigns sequence_number and previous_hash, computes payload_hash and entry_hash';

create or replace function public.prevent_audit_chain_mutation()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if tg_level = 'ROW' then
        raise exception 'audit_chain_entries is append-only: % of entry % refused', tg_op, old.entry_id
            using errcode = 'insufficient_privilege',
                  hint = 'append a correcting entry with append_audit_entry() instead';
    end if;
    raise exception 'audit_chain_entries is append-only: % refused', tg_op
        using errcode = 'insufficient_privilege';
end;
$$;

comment on function public.prevent_audit_chain_mutation() is
    'Trigger function: refuses UPDATE, DELETE and TRUNCATE on audit_chain_entries';

drop trigger if exists validate_audit_entry on public.audit_chain_entries;
create trigger validate_audit_entry
    before insert on public.audit_chain_entries
    for each row execute function public.validate_audit_entry();

drop trigger if exists prevent_audit_chain_mutation on public.audit_chain_entries;
create trigger prevent_audit_chain_mutation
    before update or delete on public.audit_chain_entries
    for each row execute function public.prevent_audit_chain_mutation();

drop trigger if exists prevent_audit_chain_truncate on public.audit_chain_entries;
create trigger prevent_audit_chain_truncate
    before truncate on public.audit_chain_entries
    for each statement execute function public.prevent_audit_chain_mutation();

-- -----------------------------------------------------------------------------
-- Functions
-- -----------------------------------------------------------------------------
create or replace function public.append_audit_entry(
    p_chain_id     uuid,
    p_entity_type  varchar,
    p_entity_id    varchar,
    p_action       varchar,
    p_payload      jsonb default '{}'::jsonb,
    p_actor_id     varchar default null,
    p_actor_type   varchar default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_entry_id  uuid;
    v_uid       uuid := auth.uid();
begin
    insert into public.audit_chain_entries
           (chain_id, entity_type, entity_id, action, actor_id, actor_type, payload)
    values (coalesce(p_chain_id, pg_catalog.gen_random_uuid()),
            p_entity_type, p_entity_id, p_action,
            coalesce(p_actor_id, v_uid::text, session_user::text),
            coalesce(p_actor_type, case when v_uid is not null then 'user' else 'system' end),
            coalesce(p_payload, '{}'::jsonb))
    returning entry_id into v_entry_id;

    return v_entry_id;
end;
$$;

comment on function public.append_audit_entry(uuid, varchar, varchar, varchar, jsonb, varchar, varchar) is
    'Append entry to chain (a new chain when chain_id is NULL); the actor defaults to the caller';

create or replace function public.verify_audit_chain(p_chain_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
    r               public.audit_chain_entries;
    v_expected_seq  bigint := 1;
    v_expected_prev text := pg_catalog.repeat('0', 64);
    v_checked       integer := 0;
    v_error         text;
    v_bad_entry     uuid;
begin
    for r in
        select * from public.audit_chain_entries e
         where e.chain_id = p_chain_id
         order by e.sequence_number
    loop
        v_checked := v_checked + 1;
        if r.sequence_number <> v_expected_seq then
            v_error := pg_catalog.format('sequence gap: expected %s, found %s', v_expected_seq, r.sequence_number);
        elsif r.previous_hash <> v_expected_prev then
            v_error := pg_catalog.format('entry %s: previous_hash does not match the entry before it', r.sequence_number);
        elsif r.payload_hash <> pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(r.payload::text, 'UTF8')), 'hex') then
            v_error := pg_catalog.format('entry %s: payload_hash does not match the payload', r.sequence_number);
        elsif r.entry_hash <> public.calculate_chain_hash(public.audit_chain_entry_content(r), r.previous_hash) then
            v_error := pg_catalog.format('entry %s: entry_hash does not match the entry content', r.sequence_number);
        end if;

        if v_error is not null then
            v_bad_entry := r.entry_id;
            exit;
        end if;
        v_expected_seq  := v_expected_seq + 1;
        v_expected_prev := r.entry_hash;
    end loop;

    if v_checked = 0 then
        v_error := 'chain has no entries';
    end if;

    -- clock_timestamp(): several verifications in one transaction stay ordered
    insert into public.audit_chain_verification_log
           (chain_id, verified_at, verified_by, is_valid, entries_checked, first_invalid_entry, error_message)
    values (p_chain_id, pg_catalog.clock_timestamp(), coalesce(auth.uid()::text, session_user::text),
            v_error is null, v_checked, v_bad_entry, v_error);

    return v_error is null;
end;
$$;

comment on function public.verify_audit_chain(uuid) is
    'Verify chain integrity (sequence, links, payload and entry hashes); logs the result in audit_chain_verification_log';

create or replace function public.get_audit_chain_for_entity(
    p_entity_type  varchar,
    p_entity_id    varchar
)
returns setof public.audit_chain_entries
language sql
stable
set search_path = ''
as $$
    select e.*
      from public.audit_chain_entries e
     where e.entity_type = p_entity_type
       and e.entity_id = p_entity_id
     order by e.created_at, e.chain_id, e.sequence_number;
$$;

comment on function public.get_audit_chain_for_entity(varchar, varchar) is
    'Get audit trail of one entity, oldest first';

revoke execute on function public.append_audit_entry(uuid, varchar, varchar, varchar, jsonb, varchar, varchar) from public, anon;
revoke execute on function public.verify_audit_chain(uuid) from public, anon;
grant execute on function public.append_audit_entry(uuid, varchar, varchar, varchar, jsonb, varchar, varchar)
    to authenticated, service_role;
grant execute on function public.verify_audit_chain(uuid) to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- RLS: readable by signed-in users; written only through append_audit_entry()
-- -----------------------------------------------------------------------------
alter table public.audit_chain_entries enable row level security;
alter table public.audit_chain_verification_log enable row level security;

drop policy if exists "Authenticated users can read the audit chain" on public.audit_chain_entries;
create policy "Authenticated users can read the audit chain"
    on public.audit_chain_entries for select
    to authenticated
    using (true);

drop policy if exists "Authenticated users can read chain verifications" on public.audit_chain_verification_log;
create policy "Authenticated users can read chain verifications"
    on public.audit_chain_verification_log for select
    to authenticated
    using (true);

-- -----------------------------------------------------------------------------
-- Views
-- -----------------------------------------------------------------------------
create or replace view public.v_audit_chain_integrity
with (security_invoker = true) as
select
    c.chain_id,
    c.entity_type,
    c.entry_count,
    c.first_entry_at,
    c.last_entry_at,
    v.verified_at as last_verified_at,
    v.is_valid,
    case
        when v.verified_at is null then 'unverified'
        when not v.is_valid then 'invalid'
        when v.verified_at < c.last_entry_at then 'stale'
        else 'verified'
    end as verification_status
from (
    select e.chain_id,
           (array_agg(e.entity_type order by e.sequence_number))[1] as entity_type,
           count(*) as entry_count,
           min(e.created_at) as first_entry_at,
           max(e.created_at) as last_entry_at
      from public.audit_chain_entries e
     group by e.chain_id
) c
left join lateral (
    select l.verified_at, l.is_valid
      from public.audit_chain_verification_log l
     where l.chain_id = c.chain_id
     order by l.verified_at desc
     limit 1
) v on true;

comment on view public.v_audit_chain_integrity is
    'Real-time integrity status of audit chains (entity_type is that of the first entry)';

create or replace view public.v_audit_chain_summary
with (security_invoker = true) as
select
    i.entity_type,
    count(*) as chain_count,
    sum(i.entry_count) as total_entries,
    min(i.first_entry_at) as oldest_entry,
    max(i.last_entry_at) as newest_entry,
    count(*) filter (where i.verification_status in ('unverified', 'stale')) as unverified_count,
    count(*) filter (where i.verification_status = 'invalid') as invalid_count
from public.v_audit_chain_integrity i
group by i.entity_type;

comment on view public.v_audit_chain_summary is 'Summary statistics for audit chains';

-- -----------------------------------------------------------------------------
-- Seed row: the genesis entry of the schema's own audit chain
-- -----------------------------------------------------------------------------
select public.append_audit_entry(
           '00000000-0000-4000-8000-000000000001'::uuid,
           'schema',
           'e2i_schema',
           'schema_version_installed',
           jsonb_build_object('schema_version', '1.2', 'migration', '014_audit_chain'),
           'migrations',
           'system')
 where not exists (
     select 1 from public.audit_chain_entries
      where chain_id = '00000000-0000-4000-8000-000000000001'::uuid
 );
