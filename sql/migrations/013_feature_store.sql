-- =============================================================================
-- 013_feature_store.sql
--
-- What:  E2I v1.2 feature store:
--          ENUMs      feature_data_type, feature_status, feature_value_status
--          tables     feature_groups, feature_definitions, feature_values,
--                     feature_value_history (HASH-partitioned by entity_id into
--                     4 partitions feature_value_history_p0 .. _p3)
--          views      feature_values_latest, feature_freshness_monitor
--          functions  create_feature_definition, get_feature_values,
--                     bulk_insert_feature_values, update_feature_status,
--                     calculate_feature_freshness,
--                     validate_standard_metadata (IMMUTABLE, used by a CHECK),
--                     trigger functions notify_feature_update (pg_notify +
--                     history archive) and cascade_status_change
--          seed rows  three feature groups
--
-- Seeds: 000 "Phase 1C: Document Feature Store" (3 tables, 3 ENUMs, 2 views,
--        5 functions) and Phase 2 trigger functions notify_feature_update,
--        cascade_status_change; 003 #8 (JSONB metadata CHECK through an
--        IMMUTABLE function), #10 (hash partitioning with 4 partitions).
-- =============================================================================

create type public.feature_data_type as enum ('numeric', 'categorical', 'boolean', 'array', 'json', 'embedding');
comment on type public.feature_data_type is 'Supported data types for feature values';

create type public.feature_status as enum ('draft', 'active', 'deprecated', 'archived');
comment on type public.feature_status is 'Lifecycle of a feature definition';

create type public.feature_value_status as enum ('current', 'stale', 'expired', 'invalid');
comment on type public.feature_value_status is 'State of one materialized feature value';

-- -----------------------------------------------------------------------------
-- validate_standard_metadata(): the standard metadata object (seed 003 #8)
-- -----------------------------------------------------------------------------
create or replace function public.validate_standard_metadata(p_metadata jsonb)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
    select jsonb_typeof(p_metadata) = 'object'
       and p_metadata ? 'created_by'
       and p_metadata ? 'source'
       and coalesce(p_metadata ->> 'version', '') <> '';
$$;

comment on function public.validate_standard_metadata(jsonb) is
    'True when the JSON object has created_by, source and a non-empty version (used by CHECK constraints)';

-- -----------------------------------------------------------------------------
-- feature_groups
-- -----------------------------------------------------------------------------
create table if not exists public.feature_groups (
    group_id     uuid primary key default gen_random_uuid(),
    group_name   varchar(200) not null
        constraint feature_groups_group_name_key unique,
    description  text,
    entity_type  varchar(50) not null,
    owner        varchar(200),
    tags         text[] not null default '{}',
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);

comment on table public.feature_groups is 'Logical groupings of related features';

create index if not exists idx_feature_groups_tags on public.feature_groups using gin (tags);

drop trigger if exists update_feature_groups_updated_at on public.feature_groups;
create trigger update_feature_groups_updated_at
    before update on public.feature_groups
    for each row execute function public.update_updated_at_column();

-- -----------------------------------------------------------------------------
-- feature_definitions
-- -----------------------------------------------------------------------------
create table if not exists public.feature_definitions (
    feature_id           uuid primary key default gen_random_uuid(),
    feature_name         varchar(200) not null,
    group_id             uuid not null references public.feature_groups (group_id) on delete restrict,
    data_type            public.feature_data_type not null,
    description          text,
    computation_logic    text,
    source_tables        text[] not null default '{}',
    freshness_sla_hours  integer not null default 24
        constraint feature_definitions_freshness_sla_check check (freshness_sla_hours > 0),
    status               public.feature_status not null default 'draft',
    version              integer not null default 1
        constraint feature_definitions_version_check check (version > 0),
    metadata             jsonb
        constraint feature_definitions_metadata_check
        check (metadata is null or public.validate_standard_metadata(metadata)),
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now(),
    constraint feature_definitions_group_name_version_key unique (group_id, feature_name, version)
);

comment on table public.feature_definitions is 'Feature metadata and definitions for the feature store';

create index if not exists idx_feature_definitions_status on public.feature_definitions (status);
create index if not exists idx_feature_definitions_name on public.feature_definitions (feature_name);

drop trigger if exists update_feature_definitions_updated_at on public.feature_definitions;
create trigger update_feature_definitions_updated_at
    before update on public.feature_definitions
    for each row execute function public.update_updated_at_column();

-- -----------------------------------------------------------------------------
-- feature_values
-- -----------------------------------------------------------------------------
create table if not exists public.feature_values (
    value_id        uuid primary key default gen_random_uuid(),
    feature_id      uuid not null references public.feature_definitions (feature_id) on delete cascade,
    entity_id       varchar(200) not null,
    entity_type     varchar(50) not null,
    value           jsonb not null,
    computed_at     timestamptz not null default now(),
    valid_from      timestamptz not null default now(),
    valid_until     timestamptz,
    status          public.feature_value_status not null default 'current',
    source_version  varchar(100),
    constraint feature_values_validity_check check (valid_until is null or valid_until >= valid_from)
);

comment on table public.feature_values is 'Materialized feature values with timestamps';

create index if not exists idx_feature_values_lookup on public.feature_values (feature_id, entity_id, computed_at desc);
create index if not exists idx_feature_values_entity on public.feature_values (entity_type, entity_id);
create index if not exists idx_feature_values_status on public.feature_values (status);

-- -----------------------------------------------------------------------------
-- feature_value_history: superseded values, hash-partitioned by entity
-- -----------------------------------------------------------------------------
create table if not exists public.feature_value_history (
    history_id   uuid not null default gen_random_uuid(),
    value_id     uuid not null,
    feature_id   uuid not null references public.feature_definitions (feature_id) on delete cascade,
    entity_id    varchar(200) not null,
    entity_type  varchar(50) not null,
    value        jsonb not null,
    status       public.feature_value_status not null,
    computed_at  timestamptz not null,
    valid_from   timestamptz not null,
    valid_until  timestamptz,
    archived_at  timestamptz not null default now(),
    constraint feature_value_history_pkey primary key (history_id, entity_id)
) partition by hash (entity_id);

comment on table public.feature_value_history is
    'Feature values that stopped being current, archived by notify_feature_update; HASH partitioned on entity_id';

create table if not exists public.feature_value_history_p0
    partition of public.feature_value_history for values with (modulus 4, remainder 0);
create table if not exists public.feature_value_history_p1
    partition of public.feature_value_history for values with (modulus 4, remainder 1);
create table if not exists public.feature_value_history_p2
    partition of public.feature_value_history for values with (modulus 4, remainder 2);
create table if not exists public.feature_value_history_p3
    partition of public.feature_value_history for values with (modulus 4, remainder 3);

create index if not exists idx_feature_value_history_lookup
    on public.feature_value_history (feature_id, entity_id, archived_at desc);

-- -----------------------------------------------------------------------------
-- Trigger functions
-- -----------------------------------------------------------------------------
create or replace function public.notify_feature_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if tg_op = 'UPDATE' and old.status = 'current' and new.status <> 'current' then
        insert into public.feature_value_history
               (value_id, feature_id, entity_id, entity_type, value, status,
                computed_at, valid_from, valid_until)
        values (new.value_id, new.feature_id, new.entity_id, new.entity_type, new.value, new.status,
                new.computed_at, new.valid_from, new.valid_until);
    end if;

    perform pg_catalog.pg_notify(
        'feature_updates',
        pg_catalog.jsonb_build_object(
            'op', tg_op,
            'value_id', new.value_id,
            'feature_id', new.feature_id,
            'entity_id', new.entity_id,
            'status', new.status
        )::text
    );
    return null;
end;
$$;

comment on function public.notify_feature_update() is
    'Trigger function: NOTIFY feature_updates on every feature value change; archives values that stop being current';

create or replace function public.cascade_status_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if tg_table_name = 'feature_definitions' then
        -- a deprecated feature's values go stale, an archived feature's expire
        if new.status in ('deprecated', 'archived') then
            update public.feature_values v
               set status = case new.status
                                when 'archived' then 'expired'::public.feature_value_status
                                else 'stale'::public.feature_value_status
                            end,
                   valid_until = coalesce(v.valid_until, greatest(pg_catalog.now(), v.valid_from))
             where v.feature_id = new.feature_id
               and v.status = 'current';
        end if;
    else
        raise exception 'cascade_status_change() does not know how to cascade from table %', tg_table_name;
    end if;
    return null;
end;
$$;

comment on function public.cascade_status_change() is
    'Trigger function: cascades a status change to dependent rows (feature_definitions -> feature_values)';

drop trigger if exists notify_feature_update on public.feature_values;
create trigger notify_feature_update
    after insert or update on public.feature_values
    for each row execute function public.notify_feature_update();

drop trigger if exists cascade_feature_status_change on public.feature_definitions;
create trigger cascade_feature_status_change
    after update of status on public.feature_definitions
    for each row
    when (old.status is distinct from new.status)
    execute function public.cascade_status_change();

-- -----------------------------------------------------------------------------
-- Views
-- -----------------------------------------------------------------------------
create or replace view public.feature_values_latest
with (security_invoker = true) as
select distinct on (fv.feature_id, fv.entity_id)
    fv.feature_id,
    fd.feature_name,
    fv.entity_id,
    fv.entity_type,
    fv.value,
    fv.computed_at,
    (fv.status = 'current' and (fv.valid_until is null or fv.valid_until > now())) as is_current
from public.feature_values fv
join public.feature_definitions fd on fd.feature_id = fv.feature_id
where fv.status <> 'invalid'
order by fv.feature_id, fv.entity_id, fv.computed_at desc, fv.value_id;

comment on view public.feature_values_latest is 'Latest feature values per entity';

create or replace view public.feature_freshness_monitor
with (security_invoker = true) as
select
    fd.feature_id,
    fd.feature_name,
    fg.group_name,
    fd.freshness_sla_hours,
    max(fv.computed_at) as last_computed_at,
    round((extract(epoch from (now() - max(fv.computed_at))) / 3600.0)::numeric, 2) as hours_since_update,
    coalesce(max(fv.computed_at) < now() - make_interval(hours => fd.freshness_sla_hours), true) as is_stale,
    count(distinct fv.entity_id) as entity_count
from public.feature_definitions fd
join public.feature_groups fg on fg.group_id = fd.group_id
left join public.feature_values fv on fv.feature_id = fd.feature_id and fv.status = 'current'
where fd.status = 'active'
group by fd.feature_id, fd.feature_name, fg.group_name, fd.freshness_sla_hours;

comment on view public.feature_freshness_monitor is 'Monitors feature freshness against SLA';

-- -----------------------------------------------------------------------------
-- Functions
-- -----------------------------------------------------------------------------
create or replace function public.create_feature_definition(
    p_feature_name         varchar,
    p_group_id             uuid,
    p_data_type            public.feature_data_type,
    p_computation_logic    text default null,
    p_description          text default null,
    p_freshness_sla_hours  integer default 24
)
returns uuid
language plpgsql
set search_path = public, extensions
as $$
declare
    v_feature_id uuid;
    v_version    integer;
begin
    if not exists (select 1 from public.feature_groups g where g.group_id = p_group_id) then
        raise exception 'feature group % does not exist', p_group_id using errcode = 'foreign_key_violation';
    end if;

    -- serialize versioning of one feature name
    perform pg_advisory_xact_lock(hashtextextended(p_group_id::text || '/' || p_feature_name, 0));

    select coalesce(max(d.version), 0) + 1 into v_version
      from public.feature_definitions d
     where d.group_id = p_group_id and d.feature_name = p_feature_name;

    insert into public.feature_definitions
           (feature_name, group_id, data_type, description, computation_logic, freshness_sla_hours, version, metadata)
    values (p_feature_name, p_group_id, p_data_type, p_description, p_computation_logic,
            coalesce(p_freshness_sla_hours, 24), v_version,
            jsonb_build_object('created_by', coalesce(auth.uid()::text, current_user::text),
                               'source', 'create_feature_definition',
                               'version', v_version::text))
    returning feature_id into v_feature_id;

    return v_feature_id;
end;
$$;

comment on function public.create_feature_definition(varchar, uuid, public.feature_data_type, text, text, integer) is
    'Create new feature (status draft); a name that exists in the group gets the next version';

create or replace function public.get_feature_values(
    p_feature_id  uuid,
    p_entity_id   varchar default null
)
returns setof public.feature_values
language sql
stable
set search_path = public, extensions
as $$
    select v.*
      from public.feature_values v
     where v.feature_id = p_feature_id
       and (p_entity_id is null or v.entity_id = p_entity_id)
     order by v.entity_id, v.computed_at desc, v.value_id;
$$;

comment on function public.get_feature_values(uuid, varchar) is
    'Get feature values for entity (all entities when entity_id is NULL), newest first';

create or replace function public.bulk_insert_feature_values(p_values jsonb)
returns integer
language plpgsql
set search_path = public, extensions
as $$
declare
    v_count    integer;
    v_bad      jsonb;
begin
    if jsonb_typeof(p_values) is distinct from 'array' then
        raise exception 'feature values must be a JSON array, got %', coalesce(jsonb_typeof(p_values), 'NULL')
            using errcode = 'invalid_parameter_value';
    end if;

    select e into v_bad
      from jsonb_array_elements(p_values) as e
     where jsonb_typeof(e) <> 'object'
        or coalesce(e ->> 'feature_id', '') = ''
        or coalesce(e ->> 'entity_id', '') = ''
        or not (e ? 'value')
        or not exists (select 1 from public.feature_definitions d where d.feature_id::text = e ->> 'feature_id')
     limit 1;
    if found then
        raise exception 'invalid feature value %: needs feature_id of an existing feature, entity_id and value', v_bad
            using errcode = 'invalid_parameter_value';
    end if;

    with incoming as (
        -- the last element wins when an entity appears twice
        select distinct on (x.feature_id, x.entity_id) x.*
          from (
              select (e ->> 'feature_id')::uuid as feature_id,
                     e ->> 'entity_id' as entity_id,
                     e ->> 'entity_type' as entity_type,
                     e -> 'value' as value,
                     e ->> 'source_version' as source_version,
                     coalesce((e ->> 'computed_at')::timestamptz, now()) as computed_at,
                     (e ->> 'valid_until')::timestamptz as valid_until,
                     t.ord
                from jsonb_array_elements(p_values) with ordinality as t(e, ord)
          ) x
         order by x.feature_id, x.entity_id, x.ord desc
    ),
    superseded as (
        update public.feature_values v
           set status = 'stale',
               valid_until = coalesce(v.valid_until, greatest(now(), v.valid_from))
          from incoming i
         where v.feature_id = i.feature_id
           and v.entity_id = i.entity_id
           and v.status = 'current'
        returning v.value_id
    )
    insert into public.feature_values
           (feature_id, entity_id, entity_type, value, computed_at, valid_from, valid_until, status, source_version)
    select i.feature_id,
           i.entity_id,
           coalesce(i.entity_type, g.entity_type),
           i.value,
           i.computed_at,
           i.computed_at,
           i.valid_until,
           'current',
           i.source_version
      from incoming i
      join public.feature_definitions d on d.feature_id = i.feature_id
      join public.feature_groups g on g.group_id = d.group_id;
    get diagnostics v_count = row_count;

    return v_count;
end;
$$;

comment on function public.bulk_insert_feature_values(jsonb) is
    'Bulk insert values from a JSON array of {feature_id, entity_id, value, [entity_type, computed_at, valid_until, source_version]}; the previous current value of each entity becomes stale; returns the number inserted';

create or replace function public.update_feature_status(
    p_feature_id  uuid,
    p_status      public.feature_status
)
returns void
language plpgsql
set search_path = public, extensions
as $$
declare
    v_current public.feature_status;
begin
    select d.status into v_current
      from public.feature_definitions d
     where d.feature_id = p_feature_id
       for update;

    if not found then
        raise exception 'feature % does not exist', p_feature_id using errcode = 'no_data_found';
    end if;
    if v_current = 'archived' and p_status is distinct from 'archived' then
        raise exception 'feature % is archived and cannot become %', p_feature_id, p_status
            using errcode = 'invalid_parameter_value';
    end if;

    -- dependent feature values follow through trigger cascade_feature_status_change
    update public.feature_definitions d
       set status = p_status
     where d.feature_id = p_feature_id;
end;
$$;

comment on function public.update_feature_status(uuid, public.feature_status) is
    'Update feature status (archived is final); the values follow via cascade_status_change';

create or replace function public.calculate_feature_freshness(p_feature_id uuid)
returns jsonb
language sql
stable
set search_path = public, extensions
as $$
    select jsonb_build_object(
               'feature_id', d.feature_id,
               'feature_name', d.feature_name,
               'freshness_sla_hours', d.freshness_sla_hours,
               'last_computed_at', s.last_computed_at,
               'hours_since_update',
                   round((extract(epoch from (now() - s.last_computed_at)) / 3600.0)::numeric, 2),
               'is_stale',
                   coalesce(s.last_computed_at < now() - make_interval(hours => d.freshness_sla_hours), true),
               'current_values', s.current_values,
               'stale_values', s.stale_values,
               'expired_values', s.expired_values
           )
      from public.feature_definitions d
     cross join lateral (
         select max(v.computed_at) filter (where v.status = 'current') as last_computed_at,
                count(*) filter (where v.status = 'current') as current_values,
                count(*) filter (where v.status = 'stale') as stale_values,
                count(*) filter (where v.status = 'expired') as expired_values
           from public.feature_values v
          where v.feature_id = d.feature_id
     ) s
     where d.feature_id = p_feature_id;
$$;

comment on function public.calculate_feature_freshness(uuid) is
    'Calculate freshness of one feature against its SLA as a JSON object; NULL for an unknown feature';

-- -----------------------------------------------------------------------------
-- Seed rows
-- -----------------------------------------------------------------------------
insert into public.feature_groups (group_name, description, entity_type, owner, tags)
values
    ('hcp_engagement', 'HCP engagement signals: calls, emails, event attendance', 'hcp', 'feature_analyzer',
     array['hcp', 'engagement']),
    ('patient_journey', 'Patient journey milestones and time-to-treatment features', 'patient', 'data_preparer',
     array['patient', 'journey']),
    ('territory_performance', 'Territory-level market share and coverage features', 'territory', 'gap_analyzer',
     array['territory', 'kpi'])
on conflict (group_name) do nothing;
