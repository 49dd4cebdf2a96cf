-- =============================================================================
-- 004_traceability_pattern_learning.sql
--
-- What:  The pattern-learning side of the traceability schema - four tables:
--          success_patterns         learned patterns (pgvector prompt embedding)
--          pattern_usage_log        pattern usage tracking -> success_patterns,
--                                                             execution_traces
--                                   (bigint IDENTITY primary key)
--          agent_chaining_patterns  agent chain patterns (pgvector)
--          error_patterns           error tracking (pgvector)
--        Secondary indexes (incl. the ivfflat / hnsw vector indexes) are in 005.
--
-- Seeds: 001 "Schema Files" 005_success_patterns.sql .. 008_error_patterns.sql;
--        the columns named by seed 001's retention and monitoring queries
--        (success_rate, total_usage_count, last_used_at, used_at) exist as named.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- success_patterns (seed 001: 005_success_patterns.sql, requires pgvector)
-- -----------------------------------------------------------------------------
create table if not exists public.success_patterns (
    pattern_id          uuid primary key default extensions.uuid_generate_v4(),
    pattern_name        varchar(200) not null,
    pattern_type        varchar(30) not null
        constraint success_patterns_pattern_type_check
        check (pattern_type in ('prompt', 'tool_sequence', 'agent_chain', 'hook_config', 'query')),
    prompt_template     text,
    prompt_embedding    extensions.vector(1536),
    pattern_definition  jsonb not null default '{}'::jsonb,
    success_count       integer not null default 0,
    failure_count       integer not null default 0,
    total_usage_count   integer not null default 0,
    success_rate        public.probability not null default 0,
    avg_duration_ms     double precision,
    tags                text[] not null default '{}',
    is_public           boolean not null default false,
    created_by          uuid references auth.users (id) on delete set null,
    last_used_at        timestamptz,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    constraint success_patterns_usage_consistent
        check (success_count >= 0 and failure_count >= 0 and total_usage_count >= success_count + failure_count)
);

comment on table public.success_patterns is 'Patterns (prompts, tool sequences, chains) learned from successful traces';

-- -----------------------------------------------------------------------------
-- pattern_usage_log (seed 001: 006_pattern_usage_log.sql)
-- -----------------------------------------------------------------------------
create table if not exists public.pattern_usage_log (
    usage_id          bigint generated always as identity primary key,
    pattern_id        uuid not null references public.success_patterns (pattern_id) on delete cascade,
    trace_id          uuid references public.execution_traces (trace_id) on delete set null,
    user_id           uuid references auth.users (id) on delete set null,
    outcome           varchar(20) not null
        constraint pattern_usage_log_outcome_check check (outcome in ('success', 'failure', 'partial')),
    similarity_score  public.probability,
    duration_ms       public.duration_ms,
    feedback          jsonb not null default '{}'::jsonb,
    used_at           timestamptz not null default now()
);

comment on table public.pattern_usage_log is 'Every time a success pattern is applied, with its outcome';

-- -----------------------------------------------------------------------------
-- agent_chaining_patterns (seed 001: 007_agent_chaining_patterns.sql)
-- -----------------------------------------------------------------------------
create table if not exists public.agent_chaining_patterns (
    chain_id               uuid primary key default extensions.uuid_generate_v4(),
    chain_signature        varchar(500) not null,
    agent_sequence         text[] not null,
    chain_embedding        extensions.vector(1536),
    trigger_conditions     jsonb not null default '{}'::jsonb,
    occurrence_count       integer not null default 0,
    success_count          integer not null default 0,
    success_rate           public.probability,
    avg_total_duration_ms  double precision,
    last_seen_at           timestamptz,
    created_at             timestamptz not null default now(),
    updated_at             timestamptz not null default now(),
    constraint agent_chaining_patterns_sequence_not_empty check (cardinality(agent_sequence) > 0)
);

comment on table public.agent_chaining_patterns is 'Sequences of agents routed within one trace, counted across traces';

-- -----------------------------------------------------------------------------
-- error_patterns (seed 001: 008_error_patterns.sql)
-- -----------------------------------------------------------------------------
create table if not exists public.error_patterns (
    error_pattern_id        uuid primary key default extensions.uuid_generate_v4(),
    error_signature         varchar(500) not null,
    error_type              varchar(100) not null,
    error_message_template  text,
    error_embedding         extensions.vector(1536),
    source                  varchar(20) not null default 'agent'
        constraint error_patterns_source_check
        check (source in ('agent', 'hook', 'endpoint', 'tool', 'system')),
    occurrence_count        integer not null default 1
        constraint error_patterns_occurrence_positive check (occurrence_count > 0),
    first_seen_at           timestamptz not null default now(),
    last_seen_at            timestamptz not null default now(),
    resolution_status       varchar(20) not null default 'open'
        constraint error_patterns_resolution_status_check
        check (resolution_status in ('open', 'investigating', 'resolved', 'ignored')),
    resolution_notes        text,
    example_trace_ids       uuid[] not null default '{}',
    created_at              timestamptz not null default now(),
    updated_at              timestamptz not null default now()
);

comment on table public.error_patterns is 'Recurring errors grouped by signature, with resolution tracking';
