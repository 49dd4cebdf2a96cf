-- =============================================================================
-- 003_traceability_execution_traces.sql
--
-- What:  The execution side of the traceability schema - four tables:
--          execution_traces         master trace table (foundation)
--          agent_routing_decisions  agent routing logs        -> execution_traces
--          hook_executions          hook execution logs       -> execution_traces
--          endpoint_calls           endpoint call logs        -> execution_traces,
--                                                                 hook_executions
--        Only primary keys here; the secondary indexes live in 005, the
--        triggers (duration, updated_at) in 007, RLS in 008.
--
-- Seeds: 001 "Schema Files" 001_execution_traces.sql .. 004_endpoint_calls.sql
--        (same dependency order), 002 (durations computed for the row:
--        execution_traces.duration_ms is a STORED generated column, the other
--        two tables get theirs from a trigger).
-- =============================================================================

-- -----------------------------------------------------------------------------
-- execution_traces (seed 001: 001_execution_traces.sql)
-- -----------------------------------------------------------------------------
create table if not exists public.execution_traces (
    trace_id         uuid primary key default extensions.uuid_generate_v4(),
    parent_trace_id  uuid references public.execution_traces (trace_id) on delete set null,
    session_id       uuid,
    user_id          uuid references auth.users (id) on delete set null,
    trace_type       varchar(30) not null
        constraint execution_traces_trace_type_check
        check (trace_type in ('user_request', 'agent_task', 'hook', 'endpoint', 'background_job')),
    prompt           text,
    input_embedding  extensions.vector(1536),
    status           varchar(20) not null default 'running'
        constraint execution_traces_status_check
        check (status in ('running', 'success', 'failed', 'cancelled', 'timeout')),
    started_at       timestamptz not null default now(),
    completed_at     timestamptz,
    duration_ms      integer generated always as (
        (extract(epoch from (completed_at - started_at)) * 1000)::integer
    ) stored,
    total_tokens     integer not null default 0
        constraint execution_traces_total_tokens_check check (total_tokens >= 0),
    total_cost_usd   numeric(12, 6) not null default 0,
    error_message    text,
    metadata         jsonb not null default '{}'::jsonb,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint execution_traces_completed_after_start
        check (completed_at is null or completed_at >= started_at)
);

comment on table public.execution_traces is 'Master trace table: one row per traced request, task or job';
comment on column public.execution_traces.duration_ms is 'Generated from started_at/completed_at';

-- -----------------------------------------------------------------------------
-- agent_routing_decisions (seed 001: 002_agent_routing_decisions.sql)
-- -----------------------------------------------------------------------------
create table if not exists public.agent_routing_decisions (
    decision_id       uuid primary key default extensions.uuid_generate_v4(),
    trace_id          uuid not null references public.execution_traces (trace_id) on delete cascade,
    user_id           uuid references auth.users (id) on delete set null,
    query_text        text not null,
    query_embedding   extensions.vector(1536),
    selected_agent    varchar(100) not null,
    candidate_agents  jsonb not null default '[]'::jsonb,
    confidence_score  public.probability,
    routing_reason    text,
    was_correct       boolean,
    latency_ms        public.duration_ms,
    decided_at        timestamptz not null default now()
);

comment on table public.agent_routing_decisions is 'Which agent the router picked for a query, and whether that was right';

-- -----------------------------------------------------------------------------
-- hook_executions (seed 001: 003_hook_executions.sql)
-- -----------------------------------------------------------------------------
create table if not exists public.hook_executions (
    hook_execution_id  uuid primary key default extensions.uuid_generate_v4(),
    trace_id           uuid not null references public.execution_traces (trace_id) on delete cascade,
    user_id            uuid references auth.users (id) on delete set null,
    hook_name          varchar(200) not null,
    hook_type          varchar(30) not null
        constraint hook_executions_hook_type_check
        check (hook_type in ('pre_tool_use', 'post_tool_use', 'user_prompt_submit',
                             'session_start', 'stop', 'notification')),
    status             varchar(20) not null default 'running'
        constraint hook_executions_status_check
        check (status in ('running', 'success', 'failed', 'skipped', 'blocked')),
    input_payload      jsonb,
    output_payload     jsonb,
    exit_code          integer,
    started_at         timestamptz not null default now(),
    completed_at       timestamptz,
    duration_ms        public.duration_ms,
    error_message      text,
    created_at         timestamptz not null default now()
);

comment on table public.hook_executions is 'One row per hook run inside a trace';
comment on column public.hook_executions.duration_ms is 'Set by trigger calculate_hook_duration';

-- -----------------------------------------------------------------------------
-- endpoint_calls (seed 001: 004_endpoint_calls.sql)
-- -----------------------------------------------------------------------------
create table if not exists public.endpoint_calls (
    call_id            uuid primary key default extensions.uuid_generate_v4(),
    trace_id           uuid not null references public.execution_traces (trace_id) on delete cascade,
    hook_execution_id  uuid references public.hook_executions (hook_execution_id) on delete set null,
    user_id            uuid references auth.users (id) on delete set null,
    endpoint           varchar(500) not null,
    http_method        varchar(10) not null
        constraint endpoint_calls_http_method_check
        check (http_method in ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
    status_code        integer
        constraint endpoint_calls_status_code_check check (status_code between 100 and 599),
    request_body       jsonb,
    response_body      jsonb,
    started_at         timestamptz not null default now(),
    completed_at       timestamptz,
    duration_ms        public.duration_ms,
    error_message      text,
    created_at         timestamptz not null default now()
);

comment on table public.endpoint_calls is 'HTTP endpoint calls made while executing a trace (optionally from a hook)';
comment on column public.endpoint_calls.duration_ms is 'Set by trigger calculate_endpoint_duration';
