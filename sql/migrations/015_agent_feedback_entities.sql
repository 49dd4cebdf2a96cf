-- =============================================================================
-- 015_agent_feedback_entities.sql
--
-- What:  The remaining E2I v1.2 entities:
--          ENUM       learning_signal_type
--          tables     investigation_hops (multi-hop reasoning steps),
--                     learning_signals (feedback for the feedback learner, RLS)
--          views      v_causal_validation_chain (causal estimates with their
--                     validation history and expert approval; tables of 002)
--          matview    mv_agent_learning_summary, kept fresh by a statement-level
--                     trigger that runs REFRESH MATERIALIZED VIEW CONCURRENTLY
--          functions  get_learning_signals, store_investigation_hop,
--                     calculate_cognitive_metrics, and the trigger function
--                     refresh_agent_learning_summary (SECURITY DEFINER)
--
-- Seeds: 000 "Phase 2: Document Remaining Entities" (2 tables,
--        learning_signal_type, v_causal_validation_chain, the 3 "other"
--        functions); 003 #6 (auto-refresh trigger for a materialized view).
-- =============================================================================

create type public.learning_signal_type as enum (
    'positive_feedback', 'negative_feedback', 'implicit_accept', 'implicit_reject',
    'outcome_success', 'outcome_failure'
);
comment on type public.learning_signal_type is 'Types of learning signals for feedback collection';

-- -----------------------------------------------------------------------------
-- investigation_hops
-- -----------------------------------------------------------------------------
create table if not exists public.investigation_hops (
    hop_id            uuid primary key default gen_random_uuid(),
    investigation_id  uuid not null,
    hop_number        integer not null
        constraint investigation_hops_hop_number_check check (hop_number > 0),
    source_entity     varchar(200) not null,
    target_entity     varchar(200) not null,
    relationship      varchar(100) not null,
    evidence          jsonb not null default '{}'::jsonb,
    confidence        real
        constraint investigation_hops_confidence_check check (confidence between 0 and 1),
    created_at        timestamptz not null default now(),
    constraint investigation_hops_investigation_hop_key unique (investigation_id, hop_number)
);

comment on table public.investigation_hops is 'Tracks investigation steps in multi-hop reasoning';

create index if not exists idx_investigation_hops_source on public.investigation_hops (source_entity);
create index if not exists idx_investigation_hops_target on public.investigation_hops (target_entity);

-- -----------------------------------------------------------------------------
-- learning_signals
-- -----------------------------------------------------------------------------
create table if not exists public.learning_signals (
    signal_id     uuid primary key default gen_random_uuid(),
    source_type   varchar(50) not null
        constraint learning_signals_source_type_check
        check (source_type in ('cognitive_cycle', 'episodic_memory', 'dspy_run', 'feature', 'user_feedback')),
    source_id     uuid,
    signal_type   public.learning_signal_type not null,
    signal_value  real not null default 0
        constraint learning_signals_signal_value_check check (signal_value between -1 and 1),
    context_json  jsonb not null default '{}'::jsonb,
    agent_name    public.agent_name_type,
    user_id       uuid references auth.users (id) on delete set null,
    processed     boolean not null default false,
    created_at    timestamptz not null default now()
);

comment on table public.learning_signals is 'Captures learning signals from user feedback and outcomes';

create index if not exists idx_learning_signals_agent_type on public.learning_signals (agent_name, signal_type);
create index if not exists idx_learning_signals_processed on public.learning_signals (processed, created_at);
create index if not exists idx_learning_signals_source on public.learning_signals (source_type, source_id);

alter table public.learning_signals enable row level security;

drop policy if exists "Users can submit their own learning signals" on public.learning_signals;
create policy "Users can submit their own learning signals"
    on public.learning_signals for insert
    to authenticated
    with check (user_id = (select auth.uid()));

drop policy if exists "Users can view their own learning signals" on public.learning_signals;
create policy "Users can view their own learning signals"
    on public.learning_signals for select
    to authenticated
    using (user_id = (select auth.uid()));

-- -----------------------------------------------------------------------------
-- mv_agent_learning_summary (+ auto refresh)
-- -----------------------------------------------------------------------------
create materialized view if not exists public.mv_agent_learning_summary as
select
    s.agent_name,
    s.signal_type,
    count(*) as signal_count,
    avg(s.signal_value)::real as avg_signal_value,
    count(*) filter (where not s.processed) as unprocessed_count,
    max(s.created_at) as last_signal_at
from public.learning_signals s
where s.agent_name is not null
group by s.agent_name, s.signal_type
with data;

comment on materialized view public.mv_agent_learning_summary is
    'Learning signals per agent and signal type; refreshed by trigger refresh_agent_learning_summary';

-- REFRESH ... CONCURRENTLY needs a unique index on the materialized view
create unique index if not exists idx_mv_agent_learning_summary_key
    on public.mv_agent_learning_summary (agent_name, signal_type);

-- materialized views bypass RLS: keep this one away from anonymous API users
revoke select on public.mv_agent_learning_summary from anon;

create or replace function public.refresh_agent_learning_summary()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    refresh materialized view concurrently public.mv_agent_learning_summary;
    return null;
end;
$$;

comment on function public.refresh_agent_learning_summary() is
    'Trigger function: refreshes mv_agent_learning_summary (concurrently) after learning_signals change';

drop trigger if exists refresh_agent_learning_summary on public.learning_signals;
create trigger refresh_agent_learning_summary
    after insert or update or delete on public.learning_signals
    for each statement execute function public.refresh_agent_learning_summary();

-- -----------------------------------------------------------------------------
-- v_causal_validation_chain
-- -----------------------------------------------------------------------------
create or replace view public.v_causal_validation_chain
with (security_invoker = true) as
select
    v.estimate_id,
    v.estimate_source,
    v.brand,
    v.treatment_variable,
    v.outcome_variable,
    v.validation_count,
    v.latest_gate,
    coalesce(r.approval_status, 'pending') as approval_status
from (
    select
        cv.estimate_id,
        cv.estimate_source,
        cv.brand,
        cv.treatment_variable,
        cv.outcome_variable,
        count(*) as validation_count,
        (array_agg(cv.gate_decision order by cv.created_at desc)
            filter (where cv.gate_decision is not null))[1] as latest_gate
    from public.causal_validations cv
    group by cv.estimate_id, cv.estimate_source, cv.brand, cv.treatment_variable, cv.outcome_variable
) v
left join lateral (
    select er.approval_status
      from public.expert_reviews er
     where er.estimate_id = v.estimate_id
     order by coalesce(er.reviewed_at, er.created_at) desc
     limit 1
) r on true;

comment on view public.v_causal_validation_chain is 'Links causal estimates to their validation history';

-- -----------------------------------------------------------------------------
-- Functions
-- -----------------------------------------------------------------------------
create or replace function public.get_learning_signals(
    p_agent_name  public.agent_name_type default null,
    p_limit       integer default 100
)
returns setof public.learning_signals
language sql
stable
set search_path = public, extensions
as $$
    select s.*
      from public.learning_signals s
     where not s.processed
       and (p_agent_name is null or s.agent_name = p_agent_name)
     order by s.created_at, s.signal_id
     limit greatest(p_limit, 0);
$$;

comment on function public.get_learning_signals(public.agent_name_type, integer) is
    'Retrieve unprocessed learning signals, oldest first';

create or replace function public.store_investigation_hop(
    p_investigation_id  uuid,
    p_source_entity     varchar,
    p_target_entity     varchar,
    p_relationship      varchar,
    p_evidence          jsonb default '{}'::jsonb,
    p_confidence        real default null
)
returns uuid
language plpgsql
set search_path = public, extensions
as $$
declare
    v_hop_id uuid;
begin
    if p_investigation_id is null then
        raise exception 'investigation_id must not be NULL' using errcode = 'not_null_violation';
    end if;

    -- hops of one investigation are numbered 1, 2, 3, ... without gaps
    perform pg_advisory_xact_lock(hashtextextended('investigation:' || p_investigation_id::text, 0));

    insert into public.investigation_hops
           (investigation_id, hop_number, source_entity, target_entity, relationship, evidence, confidence)
    select p_investigation_id,
           coalesce(max(h.hop_number), 0) + 1,
           p_source_entity, p_target_entity, p_relationship,
           coalesce(p_evidence, '{}'::jsonb), p_confidence
      from public.investigation_hops h
     where h.investigation_id = p_investigation_id
    returning hop_id into v_hop_id;

    return v_hop_id;
end;
$$;

comment on function public.store_investigation_hop(uuid, varchar, varchar, varchar, jsonb, real) is
    'Store investigation step as the next hop of the investigation';

create or replace function public.calculate_cognitive_metrics(
    p_agent_name  public.agent_name_type,
    p_days        integer default 7
)
returns jsonb
language sql
stable
set search_path = public, extensions
as $$
    with cycles as (
        select c.*
          from public.cognitive_cycles c
         where c.agent_name = p_agent_name
           and c.created_at >= now() - make_interval(days => greatest(p_days, 0))
    ),
    phases as (
        select coalesce(jsonb_object_agg(x.phase, x.n), '{}'::jsonb) as distribution
          from (select c.phase::text as phase, count(*) as n from cycles c group by c.phase) x
    ),
    signals as (
        select count(*) as signal_count,
               avg(s.signal_value) as avg_signal_value
          from public.learning_signals s
         where s.agent_name = p_agent_name
           and s.created_at >= now() - make_interval(days => greatest(p_days, 0))
    )
    select jsonb_build_object(
               'agent_name', p_agent_name,
               'window_days', greatest(p_days, 0),
               'cycle_count', (select count(*) from cycles),
               'session_count', (select count(distinct c.session_id) from cycles c),
               'avg_duration_ms', (select round(avg(c.duration_ms)::numeric, 2) from cycles c),
               'total_tokens', (select coalesce(sum(c.token_count), 0) from cycles c),
               'phase_distribution', (select distribution from phases),
               'learning_signal_count', (select signal_count from signals),
               'avg_signal_value', (select round(avg_signal_value::numeric, 4) from signals)
           );
$$;

comment on function public.calculate_cognitive_metrics(public.agent_name_type, integer) is
    'Calculate agent cognitive metrics over the last p_days days as a JSON object';
