-- =============================================================================
-- 010_memory_system.sql
--
-- What:  E2I v1.2 memory system (tri-memory architecture):
--          ENUMs      cognitive_phase, memory_importance, memory_type, procedure_type
--          tables     episodic_memories (pgvector + generated tsvector, RLS),
--                     procedural_memories, semantic_memory_cache,
--                     cognitive_cycles, memory_statistics
--          functions  store_episodic_memory, store_procedural_memory,
--                     search_episodic_memories, search_semantic_memories,
--                     get_related_memories, consolidate_memories,
--                     prune_memories, update_memory_statistics,
--                     hybrid_search_memories (full text + vector)
--
-- Seeds: 000 "Phase 1A: Document Memory System" (5 tables, 4 ENUMs, 8
--        functions, with the listed fields); 004 issue #8 (hybrid_search_memories
--        with text / vector weights, over the table that exists - here
--        episodic_memories).
-- =============================================================================

-- -----------------------------------------------------------------------------
-- ENUMs
-- -----------------------------------------------------------------------------
create type public.cognitive_phase as enum ('perception', 'attention', 'encoding', 'retrieval', 'decision', 'action');
comment on type public.cognitive_phase is 'Phases of one cognitive processing cycle';

create type public.memory_importance as enum ('critical', 'high', 'medium', 'low', 'trivial');
comment on type public.memory_importance is 'Importance levels for memory prioritization (most important first)';

create type public.memory_type as enum ('experience', 'fact', 'procedure', 'context', 'feedback');
comment on type public.memory_type is 'Kinds of content stored as episodic memory';

create type public.procedure_type as enum ('tool_sequence', 'query_pattern', 'analysis_workflow', 'error_recovery');
comment on type public.procedure_type is 'Types of procedural memory patterns';

-- -----------------------------------------------------------------------------
-- episodic_memories
-- -----------------------------------------------------------------------------
create table if not exists public.episodic_memories (
    memory_id          uuid primary key default gen_random_uuid(),
    agent_name         public.agent_name_type not null,
    session_id         uuid,
    user_id            uuid references auth.users (id) on delete cascade,
    content            text not null
        constraint episodic_memories_content_not_blank check (btrim(content) <> ''),
    content_embedding  extensions.vector(1536),
    content_tsv        tsvector generated always as (to_tsvector('english', content)) stored,
    importance         public.memory_importance not null default 'medium',
    memory_type        public.memory_type not null default 'experience',
    context_json       jsonb not null default '{}'::jsonb,
    created_at         timestamptz not null default now(),
    accessed_at        timestamptz,
    access_count       integer not null default 0
        constraint episodic_memories_access_count_check check (access_count >= 0),
    decay_factor       real not null default 1.0
        constraint episodic_memories_decay_factor_check check (decay_factor between 0 and 1),
    is_consolidated    boolean not null default false
);

comment on table public.episodic_memories is 'Stores episodic memories for agent learning and context retrieval';
comment on column public.episodic_memories.content_tsv is 'Generated: English full-text vector of content (hybrid search)';

create index if not exists idx_episodic_memories_agent_created on public.episodic_memories (agent_name, created_at desc);
create index if not exists idx_episodic_memories_session on public.episodic_memories (session_id);
create index if not exists idx_episodic_memories_user on public.episodic_memories (user_id);
create index if not exists idx_episodic_memories_importance on public.episodic_memories (importance);
create index if not exists idx_episodic_memories_embedding on public.episodic_memories
    using ivfflat (content_embedding extensions.vector_cosine_ops) with (lists = 100);
create index if not exists idx_episodic_memories_tsv on public.episodic_memories using gin (content_tsv);

alter table public.episodic_memories enable row level security;

drop policy if exists "Users can read their own episodic memories" on public.episodic_memories;
create policy "Users can read their own episodic memories"
    on public.episodic_memories for select
    to authenticated
    using (user_id = (select auth.uid()));

drop policy if exists "Users can store their own episodic memories" on public.episodic_memories;
create policy "Users can store their own episodic memories"
    on public.episodic_memories for insert
    to authenticated
    with check (user_id = (select auth.uid()));

drop policy if exists "Users can update their own episodic memories" on public.episodic_memories;
create policy "Users can update their own episodic memories"
    on public.episodic_memories for update
    to authenticated
    using (user_id = (select auth.uid()))
    with check (user_id = (select auth.uid()));

-- -----------------------------------------------------------------------------
-- procedural_memories
-- -----------------------------------------------------------------------------
create table if not exists public.procedural_memories (
    procedure_id         uuid primary key default gen_random_uuid(),
    procedure_name       varchar(200) not null,
    procedure_type       public.procedure_type not null,
    agent_name           public.agent_name_type not null,
    steps_json           jsonb not null default '[]'::jsonb
        constraint procedural_memories_steps_is_array check (jsonb_typeof(steps_json) = 'array'),
    success_rate         real not null default 0
        constraint procedural_memories_success_rate_check check (success_rate between 0 and 1),
    execution_count      integer not null default 0
        constraint procedural_memories_execution_count_check check (execution_count >= 0),
    avg_duration_ms      integer,
    preconditions_json   jsonb not null default '{}'::jsonb,
    postconditions_json  jsonb not null default '{}'::jsonb,
    created_at           timestamptz not null default now(),
    last_executed_at     timestamptz,
    constraint procedural_memories_agent_name_key unique (agent_name, procedure_name)
);

comment on table public.procedural_memories is 'Stores successful action sequences and procedures for agent reuse';

create index if not exists idx_procedural_memories_type on public.procedural_memories (procedure_type);
create index if not exists idx_procedural_memories_success_rate on public.procedural_memories (success_rate desc);

-- -----------------------------------------------------------------------------
-- semantic_memory_cache
-- -----------------------------------------------------------------------------
create table if not exists public.semantic_memory_cache (
    cache_id     uuid primary key default gen_random_uuid(),
    key          varchar(500) not null
        constraint semantic_memory_cache_key_key unique,
    value_json   jsonb not null,
    embedding    extensions.vector(1536),
    source       varchar(100),
    ttl_seconds  integer not null default 3600
        constraint semantic_memory_cache_ttl_check check (ttl_seconds > 0),
    created_at   timestamptz not null default now(),
    expires_at   timestamptz,
    hit_count    integer not null default 0
        constraint semantic_memory_cache_hit_count_check check (hit_count >= 0)
);

comment on table public.semantic_memory_cache is 'Cached semantic knowledge for fast retrieval';

create index if not exists idx_semantic_memory_cache_expires on public.semantic_memory_cache (expires_at);
create index if not exists idx_semantic_memory_cache_embedding on public.semantic_memory_cache
    using hnsw (embedding extensions.vector_cosine_ops) with (m = 16, ef_construction = 64);

-- -----------------------------------------------------------------------------
-- cognitive_cycles
-- -----------------------------------------------------------------------------
create table if not exists public.cognitive_cycles (
    cycle_id           uuid primary key default gen_random_uuid(),
    session_id         uuid not null,
    agent_name         public.agent_name_type not null,
    phase              public.cognitive_phase not null,
    input_context      jsonb not null default '{}'::jsonb,
    processing_result  jsonb,
    duration_ms        integer
        constraint cognitive_cycles_duration_check check (duration_ms >= 0),
    token_count        integer
        constraint cognitive_cycles_token_count_check check (token_count >= 0),
    created_at         timestamptz not null default now()
);

comment on table public.cognitive_cycles is 'Tracks cognitive processing cycles for agent introspection';

create index if not exists idx_cognitive_cycles_session on public.cognitive_cycles (session_id, created_at);
create index if not exists idx_cognitive_cycles_agent_phase on public.cognitive_cycles (agent_name, phase);
create index if not exists idx_cognitive_cycles_created_at on public.cognitive_cycles (created_at desc);

-- -----------------------------------------------------------------------------
-- memory_statistics
-- -----------------------------------------------------------------------------
create table if not exists public.memory_statistics (
    stat_id               uuid primary key default gen_random_uuid(),
    agent_name            public.agent_name_type not null,
    stat_date             date not null default current_date,
    episodic_count        integer not null default 0,
    procedural_count      integer not null default 0,
    semantic_cache_count  integer not null default 0,
    avg_retrieval_ms      real,
    cache_hit_rate        real
        constraint memory_statistics_cache_hit_rate_check check (cache_hit_rate between 0 and 1),
    consolidation_count   integer not null default 0,
    pruned_count          integer not null default 0,
    constraint memory_statistics_agent_name_stat_date_key unique (agent_name, stat_date)
);

comment on table public.memory_statistics is 'Aggregated statistics for memory system monitoring';

create index if not exists idx_memory_statistics_stat_date on public.memory_statistics (stat_date desc);

-- -----------------------------------------------------------------------------
-- Functions
-- -----------------------------------------------------------------------------
create or replace function public.store_episodic_memory(
    p_agent_name         public.agent_name_type,
    p_session_id         uuid,
    p_content            text,
    p_importance         public.memory_importance default 'medium',
    p_memory_type        public.memory_type default 'experience',
    p_content_embedding  extensions.vector(1536) default null,
    p_context            jsonb default '{}'::jsonb,
    p_user_id            uuid default null
)
returns uuid
language sql
volatile
set search_path = public, extensions
as $$
    -- a blank content is refused by CHECK episodic_memories_content_not_blank
    insert into public.episodic_memories
           (agent_name, session_id, user_id, content, content_embedding, importance, memory_type, context_json)
    values (p_agent_name, p_session_id, coalesce(p_user_id, auth.uid()), p_content, p_content_embedding,
            coalesce(p_importance, 'medium'), coalesce(p_memory_type, 'experience'),
            coalesce(p_context, '{}'::jsonb))
    returning memory_id;
$$;

comment on function public.store_episodic_memory(public.agent_name_type, uuid, text, public.memory_importance,
                                                  public.memory_type, extensions.vector, jsonb, uuid) is
    'Store new episodic memory; user_id defaults to the caller (auth.uid())';

create or replace function public.store_procedural_memory(
    p_agent_name       public.agent_name_type,
    p_procedure_name   varchar,
    p_steps            jsonb,
    p_preconditions    jsonb default '{}'::jsonb,
    p_procedure_type   public.procedure_type default 'tool_sequence',
    p_postconditions   jsonb default '{}'::jsonb
)
returns uuid
language plpgsql
set search_path = public, extensions
as $$
declare
    v_procedure_id uuid;
begin
    if jsonb_typeof(p_steps) is distinct from 'array' or jsonb_array_length(p_steps) = 0 then
        raise exception 'procedure steps must be a non-empty JSON array, got %', coalesce(p_steps::text, 'NULL')
            using errcode = 'invalid_parameter_value';
    end if;

    insert into public.procedural_memories as pm
           (procedure_name, procedure_type, agent_name, steps_json, preconditions_json, postconditions_json)
    values (p_procedure_name, p_procedure_type, p_agent_name, p_steps,
            coalesce(p_preconditions, '{}'::jsonb), coalesce(p_postconditions, '{}'::jsonb))
    on conflict (agent_name, procedure_name) do update
       set procedure_type      = excluded.procedure_type,
           steps_json          = excluded.steps_json,
           preconditions_json  = excluded.preconditions_json,
           postconditions_json = excluded.postconditions_json
    returning pm.procedure_id into v_procedure_id;

    return v_procedure_id;
end;
$$;

comment on function public.store_procedural_memory(public.agent_name_type, varchar, jsonb, jsonb,
                                                    public.procedure_type, jsonb) is
    'Store a new procedure, or replace the steps of the agent''s procedure with the same name';

create or replace function public.search_episodic_memories(
    p_query_embedding  extensions.vector(1536),
    p_agent_name       public.agent_name_type default null,
    p_limit            integer default 10
)
returns setof public.episodic_memories
language sql
volatile
set search_path = public, extensions
as $$
    -- Retrieval reinforces a memory: the hits get accessed_at / access_count bumped.
    with hits as (
        select m.memory_id, m.content_embedding <=> p_query_embedding as distance
          from public.episodic_memories m
         where m.content_embedding is not null
           and (p_agent_name is null or m.agent_name = p_agent_name)
         order by m.content_embedding <=> p_query_embedding
         limit greatest(p_limit, 0)
    ),
    touched as (
        update public.episodic_memories m
           set accessed_at  = now(),
               access_count = m.access_count + 1
          from hits h
         where m.memory_id = h.memory_id
        returning m.*, h.distance
    )
    select t.memory_id, t.agent_name, t.session_id, t.user_id, t.content, t.content_embedding,
           t.content_tsv, t.importance, t.memory_type, t.context_json, t.created_at,
           t.accessed_at, t.access_count, t.decay_factor, t.is_consolidated
      from touched t
     order by t.distance, t.memory_id;
$$;

comment on function public.search_episodic_memories(extensions.vector, public.agent_name_type, integer) is
    'Semantic (cosine) search over episodic memories, nearest first; marks the hits as accessed';

create or replace function public.search_semantic_memories(
    p_query_embedding  extensions.vector(1536),
    p_limit            integer default 10
)
returns setof public.semantic_memory_cache
language sql
volatile
set search_path = public, extensions
as $$
    with hits as (
        select c.cache_id, c.embedding <=> p_query_embedding as distance
          from public.semantic_memory_cache c
         where c.embedding is not null
           and (c.expires_at is null or c.expires_at > now())
         order by c.embedding <=> p_query_embedding
         limit greatest(p_limit, 0)
    ),
    touched as (
        update public.semantic_memory_cache c
           set hit_count = c.hit_count + 1
          from hits h
         where c.cache_id = h.cache_id
        returning c.*, h.distance
    )
    select t.cache_id, t.key, t.value_json, t.embedding, t.source, t.ttl_seconds,
           t.created_at, t.expires_at, t.hit_count
      from touched t
     order by t.distance, t.cache_id;
$$;

comment on function public.search_semantic_memories(extensions.vector, integer) is
    'Semantic search over unexpired cache entries, nearest first; counts a hit on each result';

create or replace function public.get_related_memories(
    p_memory_id  uuid,
    p_limit      integer default 5
)
returns setof public.episodic_memories
language sql
stable
set search_path = public, extensions
as $$
    select m.*
      from public.episodic_memories src
      join public.episodic_memories m
        on m.memory_id <> src.memory_id
       and m.content_embedding is not null
     where src.memory_id = p_memory_id
       and src.content_embedding is not null
     order by m.content_embedding <=> src.content_embedding, m.memory_id
     limit greatest(p_limit, 0);
$$;

comment on function public.get_related_memories(uuid, integer) is
    'The episodic memories most similar (cosine) to the given one, excluding itself';

create or replace function public.consolidate_memories(
    p_agent_name      public.agent_name_type,
    p_threshold_days  integer default 7
)
returns integer
language plpgsql
set search_path = public, extensions
as $$
declare
    v_count integer;
begin
    if p_threshold_days is null or p_threshold_days < 0 then
        raise exception 'threshold_days must be >= 0, got %', p_threshold_days using errcode = 'invalid_parameter_value';
    end if;

    -- Older memories are consolidated once; less important ones decay faster.
    update public.episodic_memories m
       set is_consolidated = true,
           decay_factor = round((m.decay_factor * case m.importance
                                     when 'critical' then 1.0
                                     when 'high'     then 0.9
                                     when 'medium'   then 0.75
                                     when 'low'      then 0.5
                                     else 0.25
                                 end)::numeric, 4)::real
     where m.agent_name = p_agent_name
       and not m.is_consolidated
       and m.created_at < now() - make_interval(days => p_threshold_days);
    get diagnostics v_count = row_count;

    insert into public.memory_statistics as s (agent_name, stat_date, consolidation_count)
    values (p_agent_name, current_date, v_count)
    on conflict (agent_name, stat_date) do update
       set consolidation_count = s.consolidation_count + excluded.consolidation_count;

    return v_count;
end;
$$;

comment on function public.consolidate_memories(public.agent_name_type, integer) is
    'Consolidate the agent''s unconsolidated memories older than threshold_days and decay them by importance; returns the count';

create or replace function public.prune_memories(
    p_agent_name  public.agent_name_type,
    p_max_count   integer default 10000
)
returns integer
language plpgsql
set search_path = public, extensions
as $$
declare
    v_pruned integer;
begin
    if p_max_count is null or p_max_count < 0 then
        raise exception 'max_count must be >= 0, got %', p_max_count using errcode = 'invalid_parameter_value';
    end if;

    -- Keep the p_max_count best memories (importance, then decay, then recency);
    -- critical memories are never pruned.
    with ranked as (
        select m.memory_id,
               m.importance,
               row_number() over (
                   order by m.importance, m.decay_factor desc,
                            coalesce(m.accessed_at, m.created_at) desc, m.memory_id
               ) as rn
          from public.episodic_memories m
         where m.agent_name = p_agent_name
    )
    delete from public.episodic_memories m
     using ranked r
     where m.memory_id = r.memory_id
       and r.rn > p_max_count
       and r.importance <> 'critical';
    get diagnostics v_pruned = row_count;

    insert into public.memory_statistics as s (agent_name, stat_date, pruned_count)
    values (p_agent_name, current_date, v_pruned)
    on conflict (agent_name, stat_date) do update
       set pruned_count = s.pruned_count + excluded.pruned_count;

    return v_pruned;
end;
$$;

comment on function public.prune_memories(public.agent_name_type, integer) is
    'Delete the agent''s lowest-value episodic memories beyond max_count (never critical ones); returns the number pruned';

create or replace function public.update_memory_statistics(
    p_stat_date  date default current_date
)
returns void
language plpgsql
set search_path = public, extensions
as $$
declare
    v_cache_count  integer;
    v_hit_rate     real;
begin
    select count(*),
           (count(*) filter (where c.hit_count > 0))::real / nullif(count(*), 0)
      into v_cache_count, v_hit_rate
      from public.semantic_memory_cache c
     where c.created_at < p_stat_date + 1
       and (c.expires_at is null or c.expires_at >= p_stat_date);

    insert into public.memory_statistics as s
           (agent_name, stat_date, episodic_count, procedural_count, semantic_cache_count,
            avg_retrieval_ms, cache_hit_rate)
    select a.agent_name,
           p_stat_date,
           (select count(*) from public.episodic_memories e
             where e.agent_name = a.agent_name and e.created_at < p_stat_date + 1),
           (select count(*) from public.procedural_memories p
             where p.agent_name = a.agent_name and p.created_at < p_stat_date + 1),
           v_cache_count,
           (select avg(c.duration_ms)::real from public.cognitive_cycles c
             where c.agent_name = a.agent_name and c.phase = 'retrieval'
               and c.created_at >= p_stat_date and c.created_at < p_stat_date + 1),
           v_hit_rate
      from unnest(enum_range(null::public.agent_name_type)) as a(agent_name)
     where exists (select 1 from public.episodic_memories e where e.agent_name = a.agent_name)
        or exists (select 1 from public.procedural_memories p where p.agent_name = a.agent_name)
        or exists (select 1 from public.cognitive_cycles c where c.agent_name = a.agent_name)
    on conflict (agent_name, stat_date) do update
       set episodic_count       = excluded.episodic_count,
           procedural_count     = excluded.procedural_count,
           semantic_cache_count = excluded.semantic_cache_count,
           avg_retrieval_ms     = excluded.avg_retrieval_ms,
           cache_hit_rate       = excluded.cache_hit_rate;
end;
$$;

comment on function public.update_memory_statistics(date) is
    'Recompute the per-agent memory counts of stat_date (consolidation / pruning counts are kept)';

create or replace function public.hybrid_search_memories(
    p_query_text       text,
    p_query_embedding  extensions.vector(1536),
    p_agent_name       public.agent_name_type default null,
    p_limit            integer default 20,
    p_text_weight      real default 0.3,
    p_vector_weight    real default 0.7
)
returns table (
    memory_id       uuid,
    content         text,
    importance      public.memory_importance,
    text_score      real,
    vector_score    real,
    combined_score  real
)
language sql
stable
set search_path = public, extensions
as $$
    with q as (
        select case when coalesce(btrim(p_query_text), '') <> ''
                    then websearch_to_tsquery('english', p_query_text) end as tsq
    ),
    candidates as (
        select m.memory_id,
               m.content,
               m.importance,
               case when q.tsq is not null and numnode(q.tsq) > 0
                    then ts_rank_cd(m.content_tsv, q.tsq) else 0 end::real as text_score,
               case when m.content_embedding is null or p_query_embedding is null then 0
                    else 1 - (m.content_embedding <=> p_query_embedding)
               end::real as vector_score
          from public.episodic_memories m
         cross join q
         where (p_agent_name is null or m.agent_name = p_agent_name)
           and ((q.tsq is not null and numnode(q.tsq) > 0 and m.content_tsv @@ q.tsq)
                or (p_query_embedding is not null and m.content_embedding is not null))
    )
    select c.memory_id,
           c.content,
           c.importance,
           c.text_score,
           c.vector_score,
           (coalesce(p_text_weight, 0) * c.text_score + coalesce(p_vector_weight, 0) * c.vector_score)::real
      from candidates c
     order by 6 desc, c.memory_id
     limit greatest(p_limit, 0);
$$;

comment on function public.hybrid_search_memories(text, extensions.vector, public.agent_name_type, integer, real, real) is
    'Hybrid search over episodic memories: weighted sum of full-text rank (ts_rank_cd) and cosine similarity';
