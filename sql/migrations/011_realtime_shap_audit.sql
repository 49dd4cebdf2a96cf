-- =============================================================================
-- 011_realtime_shap_audit.sql
--
-- What:  Real-time (per request) SHAP explanations and their audit trail:
--          * shap_analysis_type gains the label 'local_realtime'
--            (the type comes from 009; without it this statement fails),
--          * e2i_agent_name - the tier 1-5 agents plus tool_composer, i.e. the
--            agents that can request an explanation at query time,
--          * shap_realtime_audit - one row per real-time explanation request.
--
--        PostgreSQL does not let a transaction use an enum label it added, so
--        nothing in this file uses 'local_realtime': the column has no default
--        here; 016_realtime_shap_reporting.sql sets it and uses the label.
--
-- Seeds: 000 "Phase 0: Critical Fix" (ALTER TYPE ... ADD VALUE IF NOT EXISTS
--        'local_realtime'; migration name 011_realtime_shap_audit.sql),
--        Phase 2 e2i_agent_name.
-- =============================================================================

alter type public.shap_analysis_type add value if not exists 'local_realtime';

create type public.e2i_agent_name as enum (
    'orchestrator', 'causal_impact', 'gap_analyzer', 'heterogeneous_optimizer',
    'drift_monitor', 'experiment_designer', 'health_score',
    'prediction_synthesizer', 'resource_optimizer', 'explainer', 'feedback_learner',
    'tool_composer'
);
comment on type public.e2i_agent_name is 'Tier 1-5 agents plus tool_composer: the agents that serve queries at run time';

create table if not exists public.shap_realtime_audit (
    audit_id          uuid primary key default gen_random_uuid(),
    request_id        uuid not null
        constraint shap_realtime_audit_request_id_key unique,
    model_version     varchar(100) not null,
    analysis_type     public.shap_analysis_type not null,
    requesting_agent  public.e2i_agent_name not null default 'explainer',
    entity_type       varchar(50) not null,
    entity_id         varchar(200) not null,
    brand             public.brand_type,
    top_features      jsonb not null default '[]'::jsonb
        constraint shap_realtime_audit_top_features_is_array check (jsonb_typeof(top_features) = 'array'),
    shap_values       jsonb,
    base_value        double precision,
    prediction_value  double precision,
    latency_ms        integer
        constraint shap_realtime_audit_latency_check check (latency_ms >= 0),
    cache_hit         boolean not null default false,
    user_id           uuid references auth.users (id) on delete set null,
    requested_at      timestamptz not null default now()
);

comment on table public.shap_realtime_audit is 'Audit trail of real-time SHAP explanations served to agents';

create index if not exists idx_shap_realtime_audit_entity
    on public.shap_realtime_audit (entity_type, entity_id, requested_at desc);
create index if not exists idx_shap_realtime_audit_agent on public.shap_realtime_audit (requesting_agent);
create index if not exists idx_shap_realtime_audit_model on public.shap_realtime_audit (model_version);
