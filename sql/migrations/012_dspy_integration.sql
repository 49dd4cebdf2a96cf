-- =============================================================================
-- 012_dspy_integration.sql
--
-- What:  E2I v1.2 DSPy integration (prompt optimization for the feedback
--        learner):
--          ENUMs      dspy_optimization_phase, optimization_status
--          tables     dspy_prompt_templates, dspy_optimization_runs,
--                     dspy_evaluation_results, dspy_training_examples
--          functions  create_dspy_optimization_run, update_dspy_optimization_status,
--                     store_dspy_evaluation_result, get_dspy_prompt_template,
--                     get_dspy_training_examples, archive_dspy_run
--
-- Seeds: 000 "Phase 1B: Document DSPy Integration" (4 tables, 2 ENUMs,
--        6 functions, with the listed fields; archived_at added so that
--        archive_dspy_run has something to set).
-- =============================================================================

create type public.dspy_optimization_phase as enum (
    'initialization', 'sampling', 'evaluation', 'optimization', 'validation', 'deployment'
);
comment on type public.dspy_optimization_phase is 'Phases of a DSPy optimization run';

create type public.optimization_status as enum ('pending', 'running', 'completed', 'failed', 'cancelled');
comment on type public.optimization_status is 'Status tracking for optimization runs';

-- -----------------------------------------------------------------------------
-- dspy_prompt_templates
-- -----------------------------------------------------------------------------
create table if not exists public.dspy_prompt_templates (
    template_id        uuid primary key default gen_random_uuid(),
    agent_name         public.agent_name_type not null,
    module_name        varchar(200) not null,
    template_version   integer not null default 1
        constraint dspy_prompt_templates_version_check check (template_version > 0),
    template_content   text not null,
    variables          jsonb not null default '[]'::jsonb,
    is_active          boolean not null default false,
    performance_score  real,
    usage_count        integer not null default 0,
    created_at         timestamptz not null default now(),
    activated_at       timestamptz,
    constraint dspy_prompt_templates_module_version_key unique (agent_name, module_name, template_version),
    constraint dspy_prompt_templates_active_has_time check (not is_active or activated_at is not null)
);

comment on table public.dspy_prompt_templates is 'Stores versioned prompt templates for DSPy modules';

create index if not exists idx_dspy_prompt_templates_active on public.dspy_prompt_templates (agent_name, module_name, is_active);

-- -----------------------------------------------------------------------------
-- dspy_optimization_runs
-- -----------------------------------------------------------------------------
create table if not exists public.dspy_optimization_runs (
    run_id             uuid primary key default gen_random_uuid(),
    agent_name         public.agent_name_type not null,
    optimization_type  varchar(50) not null default 'MIPROv2',
    phase              public.dspy_optimization_phase not null default 'initialization',
    status             public.optimization_status not null default 'pending',
    config_json        jsonb not null default '{}'::jsonb,
    metrics_json       jsonb not null default '{}'::jsonb,
    best_prompt_id     uuid references public.dspy_prompt_templates (template_id) on delete set null,
    improvement_pct    real,
    started_at         timestamptz not null default now(),
    completed_at       timestamptz,
    error_message      text,
    archived_at        timestamptz,
    constraint dspy_optimization_runs_completed_after_start
        check (completed_at is null or completed_at >= started_at)
);

comment on table public.dspy_optimization_runs is 'Tracks DSPy prompt optimization runs for feedback learner';

create index if not exists idx_dspy_optimization_runs_agent on public.dspy_optimization_runs (agent_name, started_at desc);
create index if not exists idx_dspy_optimization_runs_status on public.dspy_optimization_runs (status);

-- -----------------------------------------------------------------------------
-- dspy_evaluation_results
-- -----------------------------------------------------------------------------
create table if not exists public.dspy_evaluation_results (
    result_id           uuid primary key default gen_random_uuid(),
    run_id              uuid not null references public.dspy_optimization_runs (run_id) on delete cascade,
    iteration           integer not null
        constraint dspy_evaluation_results_iteration_check check (iteration >= 0),
    prompt_template_id  uuid references public.dspy_prompt_templates (template_id) on delete set null,
    evaluation_metrics  jsonb not null default '{}'::jsonb,
    sample_outputs      jsonb not null default '[]'::jsonb,
    score               real,
    created_at          timestamptz not null default now(),
    constraint dspy_evaluation_results_run_iteration_key unique (run_id, iteration)
);

comment on table public.dspy_evaluation_results is 'Stores evaluation results for DSPy optimization iterations';

create index if not exists idx_dspy_evaluation_results_score on public.dspy_evaluation_results (run_id, score desc);

-- -----------------------------------------------------------------------------
-- dspy_training_examples
-- -----------------------------------------------------------------------------
create table if not exists public.dspy_training_examples (
    example_id     uuid primary key default gen_random_uuid(),
    agent_name     public.agent_name_type not null,
    module_name    varchar(200) not null,
    input_json     jsonb not null,
    output_json    jsonb not null,
    quality_score  real
        constraint dspy_training_examples_quality_check check (quality_score between 0 and 1),
    source         varchar(30) not null default 'production'
        constraint dspy_training_examples_source_check
        check (source in ('production', 'synthetic', 'human_annotated', 'feedback')),
    is_validated   boolean not null default false,
    created_at     timestamptz not null default now()
);

comment on table public.dspy_training_examples is 'Training examples for DSPy few-shot learning';

create index if not exists idx_dspy_training_examples_module
    on public.dspy_training_examples (agent_name, module_name, quality_score desc);

-- -----------------------------------------------------------------------------
-- Functions
-- -----------------------------------------------------------------------------
create or replace function public.create_dspy_optimization_run(
    p_agent_name         public.agent_name_type,
    p_config             jsonb default '{}'::jsonb,
    p_optimization_type  varchar default 'MIPROv2'
)
returns uuid
language plpgsql
set search_path = public, extensions
as $$
declare
    v_run_id uuid;
begin
    if jsonb_typeof(coalesce(p_config, '{}'::jsonb)) <> 'object' then
        raise exception 'optimization config must be a JSON object, got %', p_config
            using errcode = 'invalid_parameter_value';
    end if;

    insert into public.dspy_optimization_runs (agent_name, optimization_type, config_json)
    values (p_agent_name, coalesce(p_optimization_type, 'MIPROv2'), coalesce(p_config, '{}'::jsonb))
    returning run_id into v_run_id;

    return v_run_id;
end;
$$;

comment on function public.create_dspy_optimization_run(public.agent_name_type, jsonb, varchar) is
    'Create new optimization run (status pending, phase initialization)';

create or replace function public.update_dspy_optimization_status(
    p_run_id   uuid,
    p_status   public.optimization_status,
    p_metrics  jsonb default null
)
returns void
language plpgsql
set search_path = public, extensions
as $$
declare
    v_current public.optimization_status;
begin
    select r.status into v_current
      from public.dspy_optimization_runs r
     where r.run_id = p_run_id
       for update;

    if not found then
        raise exception 'dspy optimization run % does not exist', p_run_id using errcode = 'no_data_found';
    end if;
    if v_current in ('completed', 'failed', 'cancelled') and p_status is distinct from v_current then
        raise exception 'dspy optimization run % is already %', p_run_id, v_current
            using errcode = 'invalid_parameter_value';
    end if;

    update public.dspy_optimization_runs r
       set status       = p_status,
           metrics_json = r.metrics_json || coalesce(p_metrics, '{}'::jsonb),
           phase        = case when p_status = 'completed' then 'deployment'::public.dspy_optimization_phase
                               when p_status = 'running' and r.phase = 'initialization'
                                   then 'sampling'::public.dspy_optimization_phase
                               else r.phase end,
           completed_at = case when p_status in ('completed', 'failed', 'cancelled')
                               then coalesce(r.completed_at, now()) else null end,
           error_message = case when p_status = 'failed'
                                then coalesce(p_metrics ->> 'error', r.error_message) else r.error_message end
     where r.run_id = p_run_id;
end;
$$;

comment on function public.update_dspy_optimization_status(uuid, public.optimization_status, jsonb) is
    'Update run status; merges metrics, stamps completed_at on terminal states, refuses to reopen finished runs';

create or replace function public.store_dspy_evaluation_result(
    p_run_id              uuid,
    p_iteration           integer,
    p_metrics             jsonb,
    p_score               real,
    p_prompt_template_id  uuid default null,
    p_sample_outputs      jsonb default '[]'::jsonb
)
returns uuid
language plpgsql
set search_path = public, extensions
as $$
declare
    v_result_id uuid;
    v_best      real;
begin
    insert into public.dspy_evaluation_results
           (run_id, iteration, prompt_template_id, evaluation_metrics, sample_outputs, score)
    values (p_run_id, p_iteration, p_prompt_template_id, coalesce(p_metrics, '{}'::jsonb),
            coalesce(p_sample_outputs, '[]'::jsonb), p_score)
    returning result_id into v_result_id;

    -- the run is now evaluating; remember the best template seen so far
    select max(e.score) into v_best
      from public.dspy_evaluation_results e
     where e.run_id = p_run_id;

    update public.dspy_optimization_runs r
       set phase          = case when r.phase in ('initialization', 'sampling')
                                 then 'evaluation'::public.dspy_optimization_phase else r.phase end,
           best_prompt_id = case when p_prompt_template_id is not null and p_score is not null and p_score >= v_best
                                 then p_prompt_template_id else r.best_prompt_id end
     where r.run_id = p_run_id;

    return v_result_id;
end;
$$;

comment on function public.store_dspy_evaluation_result(uuid, integer, jsonb, real, uuid, jsonb) is
    'Store evaluation iteration; moves the run to the evaluation phase and tracks its best prompt template';

create or replace function public.get_dspy_prompt_template(
    p_agent_name   public.agent_name_type,
    p_module_name  varchar
)
returns public.dspy_prompt_templates
language sql
stable
set search_path = public, extensions
as $$
    select t.*
      from public.dspy_prompt_templates t
     where t.agent_name = p_agent_name
       and t.module_name = p_module_name
     order by t.is_active desc, t.template_version desc
     limit 1;
$$;

comment on function public.get_dspy_prompt_template(public.agent_name_type, varchar) is
    'Get active template of an agent module (the latest version when none is active); NULL when there is none';

create or replace function public.get_dspy_training_examples(
    p_agent_name   public.agent_name_type,
    p_module_name  varchar,
    p_limit        integer default 50
)
returns setof public.dspy_training_examples
language sql
stable
set search_path = public, extensions
as $$
    select x.*
      from public.dspy_training_examples x
     where x.agent_name = p_agent_name
       and x.module_name = p_module_name
     order by x.is_validated desc, x.quality_score desc nulls last, x.created_at desc
     limit greatest(p_limit, 0);
$$;

comment on function public.get_dspy_training_examples(public.agent_name_type, varchar, integer) is
    'Get training examples of an agent module: validated first, then by quality';

create or replace function public.archive_dspy_run(
    p_older_than_days  integer default 90
)
returns integer
language plpgsql
set search_path = public, extensions
as $$
declare
    v_count integer;
begin
    if p_older_than_days is null or p_older_than_days < 0 then
        raise exception 'older_than_days must be >= 0, got %', p_older_than_days
            using errcode = 'invalid_parameter_value';
    end if;

    update public.dspy_optimization_runs r
       set archived_at = now()
     where r.archived_at is null
       and r.status in ('completed', 'failed', 'cancelled')
       and r.completed_at < now() - make_interval(days => p_older_than_days);
    get diagnostics v_count = row_count;
    return v_count;
end;
$$;

comment on function public.archive_dspy_run(integer) is
    'Archive finished runs completed more than older_than_days ago; returns the number archived';
