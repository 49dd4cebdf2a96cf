-- =============================================================================
-- 007_traceability_functions_triggers.sql
--
-- What:  The six traceability functions and the eight triggers that use them
--        (plus the shared update_updated_at_column() from 001):
--
--        functions                          used by
--          calculate_execution_duration()   calculate_hook_duration,
--                                           calculate_endpoint_duration
--          update_pattern_usage_stats()     update_pattern_usage_stats
--          track_agent_chain()              track_agent_chain
--          find_similar_patterns(...)       callers (cosine search on success_patterns)
--          get_trace_tree(uuid)             callers (recursive trace tree)
--          record_error_pattern(...)        callers (upsert by error_signature)
--
--        triggers (8)
--          update_execution_traces_updated_at, update_success_patterns_updated_at,
--          update_agent_chaining_patterns_updated_at, update_error_patterns_updated_at,
--          calculate_hook_duration, calculate_endpoint_duration,
--          update_pattern_usage_stats, track_agent_chain
--
-- Seeds: 001 "Schema Files" 011_functions.sql, "Database Statistics"
--        (6 functions, 8 triggers); 002 (calculate_execution_duration,
--        update_updated_at_column triggers); 004 fix #2/#3 (explicit
--        search_path on every function, DROP TRIGGER IF EXISTS before CREATE).
-- =============================================================================

-- -----------------------------------------------------------------------------
-- calculate_execution_duration(): duration_ms from started_at / completed_at
-- -----------------------------------------------------------------------------
create or replace function public.calculate_execution_duration()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if new.started_at is not null and new.completed_at is not null then
        if new.completed_at < new.started_at then
            raise exception 'completed_at % is before started_at % on %',
                new.completed_at, new.started_at, tg_table_name
                using errcode = 'check_violation';
        end if;
        new.duration_ms := round(extract(epoch from (new.completed_at - new.started_at)) * 1000)::integer;
    else
        new.duration_ms := null;
    end if;
    return new;
end;
$$;

comment on function public.calculate_execution_duration() is
    'Trigger function: sets duration_ms (milliseconds) from started_at and completed_at';

-- -----------------------------------------------------------------------------
-- update_pattern_usage_stats(): roll a usage row up into success_patterns
-- SECURITY DEFINER: users may log usage (RLS, 008) but not update patterns.
-- -----------------------------------------------------------------------------
create or replace function public.update_pattern_usage_stats()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_success integer := (new.outcome = 'success')::integer;
    v_failure integer := (new.outcome = 'failure')::integer;
begin
    update public.success_patterns p
       set total_usage_count = p.total_usage_count + 1,
           success_count     = p.success_count + v_success,
           failure_count     = p.failure_count + v_failure,
           success_rate      = (p.success_count + v_success)::double precision / (p.total_usage_count + 1),
           avg_duration_ms   = case
                                   when new.duration_ms is null then p.avg_duration_ms
                                   else (coalesce(p.avg_duration_ms, new.duration_ms) * p.total_usage_count
                                         + new.duration_ms) / (p.total_usage_count + 1)
                               end,
           last_used_at      = greatest(p.last_used_at, new.used_at)
     where p.pattern_id = new.pattern_id;
    return null;
end;
$$;

comment on function public.update_pattern_usage_stats() is
    'Trigger function: after a pattern_usage_log insert, updates the counters, success_rate, avg_duration_ms and last_used_at of the pattern';

-- -----------------------------------------------------------------------------
-- track_agent_chain(): when a trace finishes, count its agent sequence
-- -----------------------------------------------------------------------------
create or replace function public.track_agent_chain()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_sequence  text[];
    v_success   integer := (new.status = 'success')::integer;
begin
    select array_agg(d.selected_agent::text order by d.decided_at, d.decision_id)
      into v_sequence
      from public.agent_routing_decisions d
     where d.trace_id = new.trace_id;

    if coalesce(cardinality(v_sequence), 0) < 2 then
        return null;  -- a single agent is not a chain
    end if;

    insert into public.agent_chaining_patterns as c
           (chain_signature, agent_sequence, occurrence_count, success_count,
            success_rate, avg_total_duration_ms, last_seen_at)
    values (left(array_to_string(v_sequence, ' -> '), 500), v_sequence, 1, v_success,
            v_success, new.duration_ms, coalesce(new.completed_at, pg_catalog.now()))
    on conflict (chain_signature) do update
       set occurrence_count      = c.occurrence_count + 1,
           success_count         = c.success_count + excluded.success_count,
           success_rate          = (c.success_count + excluded.success_count)::double precision
                                   / (c.occurrence_count + 1),
           avg_total_duration_ms = case
                                       when excluded.avg_total_duration_ms is null then c.avg_total_duration_ms
                                       else (coalesce(c.avg_total_duration_ms, excluded.avg_total_duration_ms)
                                             * c.occurrence_count + excluded.avg_total_duration_ms)
                                            / (c.occurrence_count + 1)
                                   end,
           last_seen_at          = greatest(c.last_seen_at, excluded.last_seen_at);
    return null;
end;
$$;

comment on function public.track_agent_chain() is
    'Trigger function: when a trace leaves status running, upserts its agent sequence into agent_chaining_patterns';

-- -----------------------------------------------------------------------------
-- find_similar_patterns(): cosine similarity search over success_patterns
-- -----------------------------------------------------------------------------
create or replace function public.find_similar_patterns(
    p_query_embedding  extensions.vector(1536),
    p_match_threshold  double precision default 0.78,
    p_match_count      integer default 5,
    p_pattern_type     varchar default null
)
returns table (
    pattern_id       uuid,
    pattern_name     varchar,
    pattern_type     varchar,
    prompt_template  text,
    success_rate     double precision,
    similarity       double precision
)
language sql
stable
set search_path = public, extensions
as $$
    select p.pattern_id,
           p.pattern_name,
           p.pattern_type,
           p.prompt_template,
           p.success_rate::double precision,
           1 - (p.prompt_embedding <=> p_query_embedding) as similarity
      from public.success_patterns p
     where p.prompt_embedding is not null
       and (p_pattern_type is null or p.pattern_type = p_pattern_type)
       and 1 - (p.prompt_embedding <=> p_query_embedding) >= p_match_threshold
     order by p.prompt_embedding <=> p_query_embedding
     limit greatest(p_match_count, 0);
$$;

comment on function public.find_similar_patterns(extensions.vector, double precision, integer, varchar) is
    'Success patterns whose prompt embedding is at least p_match_threshold cosine-similar to the query, best first';

-- -----------------------------------------------------------------------------
-- get_trace_tree(): a trace and all its descendants
-- -----------------------------------------------------------------------------
create or replace function public.get_trace_tree(p_trace_id uuid)
returns table (
    trace_id         uuid,
    parent_trace_id  uuid,
    depth            integer,
    trace_type       varchar,
    status           varchar,
    started_at       timestamptz,
    duration_ms      integer
)
language sql
stable
set search_path = ''
as $$
    with recursive tree as (
        select t.trace_id, t.parent_trace_id, 0 as depth, t.trace_type, t.status, t.started_at, t.duration_ms
          from public.execution_traces t
         where t.trace_id = p_trace_id
        union all
        select c.trace_id, c.parent_trace_id, tree.depth + 1, c.trace_type, c.status, c.started_at, c.duration_ms
          from public.execution_traces c
          join tree on c.parent_trace_id = tree.trace_id
         where tree.depth < 50
    )
    select tree.trace_id, tree.parent_trace_id, tree.depth, tree.trace_type, tree.status,
           tree.started_at, tree.duration_ms
      from tree
     order by tree.depth, tree.started_at;
$$;

comment on function public.get_trace_tree(uuid) is 'The given trace and its descendants (depth-first levels, at most 50 deep)';

-- -----------------------------------------------------------------------------
-- record_error_pattern(): count an error occurrence under its signature
-- -----------------------------------------------------------------------------
create or replace function public.record_error_pattern(
    p_error_signature  varchar,
    p_error_type       varchar,
    p_error_message    text default null,
    p_source           varchar default 'agent',
    p_trace_id         uuid default null,
    p_error_embedding  extensions.vector(1536) default null
)
returns uuid
language sql
volatile
set search_path = public, extensions
as $$
    insert into public.error_patterns as e
           (error_signature, error_type, error_message_template, source, error_embedding, example_trace_ids)
    values (p_error_signature, p_error_type, p_error_message, p_source, p_error_embedding,
            case when p_trace_id is null then '{}'::uuid[] else array[p_trace_id] end)
    on conflict (error_signature) do update
       set occurrence_count  = e.occurrence_count + 1,
           last_seen_at      = now(),
           error_embedding   = coalesce(e.error_embedding, excluded.error_embedding),
           example_trace_ids = case
                                   when p_trace_id is null or p_trace_id = any (e.example_trace_ids)
                                       then e.example_trace_ids
                                   else (array[p_trace_id] || e.example_trace_ids)[1:10]
                               end,
           -- a resolved error that comes back is open again
           resolution_status = case when e.resolution_status = 'resolved' then 'open'
                                    else e.resolution_status end
    returning e.error_pattern_id;
$$;

comment on function public.record_error_pattern(varchar, varchar, text, varchar, uuid, extensions.vector) is
    'Inserts an error pattern or bumps occurrence_count / last_seen_at of the existing one; keeps up to 10 example traces';

-- -----------------------------------------------------------------------------
-- Triggers (8)
-- -----------------------------------------------------------------------------
drop trigger if exists update_execution_traces_updated_at on public.execution_traces;
create trigger update_execution_traces_updated_at
    before update on public.execution_traces
    for each row execute function public.update_updated_at_column();

drop trigger if exists update_success_patterns_updated_at on public.success_patterns;
create trigger update_success_patterns_updated_at
    before update on public.success_patterns
    for each row execute function public.update_updated_at_column();

drop trigger if exists update_agent_chaining_patterns_updated_at on public.agent_chaining_patterns;
create trigger update_agent_chaining_patterns_updated_at
    before update on public.agent_chaining_patterns
    for each row execute function public.update_updated_at_column();

drop trigger if exists update_error_patterns_updated_at on public.error_patterns;
create trigger update_error_patterns_updated_at
    before update on public.error_patterns
    for each row execute function public.update_updated_at_column();

drop trigger if exists calculate_hook_duration on public.hook_executions;
create trigger calculate_hook_duration
    before insert or update of started_at, completed_at on public.hook_executions
    for each row execute function public.calculate_execution_duration();

drop trigger if exists calculate_endpoint_duration on public.endpoint_calls;
create trigger calculate_endpoint_duration
    before insert or update of started_at, completed_at on public.endpoint_calls
    for each row execute function public.calculate_execution_duration();

drop trigger if exists update_pattern_usage_stats on public.pattern_usage_log;
create trigger update_pattern_usage_stats
    after insert on public.pattern_usage_log
    for each row execute function public.update_pattern_usage_stats();

drop trigger if exists track_agent_chain on public.execution_traces;
create trigger track_agent_chain
    after update of status on public.execution_traces
    for each row
    when (old.status = 'running' and new.status <> 'running')
    execute function public.track_agent_chain();
