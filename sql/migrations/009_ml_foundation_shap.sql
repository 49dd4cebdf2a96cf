-- =============================================================================
-- 009_ml_foundation_shap.sql
--
-- What:  ML foundation (tier 0) explainability:
--          * agent_name_enum     - the seven tier-0 ML foundation agents,
--          * shap_analysis_type  - ('global', 'local', 'interaction', 'summary'),
--          * ml_shap_analyses    - SHAP runs computed by the feature_analyzer.
--        011_realtime_shap_audit.sql extends shap_analysis_type with
--        'local_realtime'; it fails if this migration has not run.
--
-- Seeds: 000 "Phase 0: Critical Fix" (shap_analysis_type must exist before
--        011_realtime_shap_audit.sql), Phase 2 agent_name_enum.
-- =============================================================================

create type public.agent_name_enum as enum (
    'scope_definer', 'data_preparer', 'model_selector', 'model_trainer',
    'feature_analyzer', 'model_deployer', 'observability_connector'
);
comment on type public.agent_name_enum is 'Tier 0 ML foundation agent identifiers';

create type public.shap_analysis_type as enum ('global', 'local', 'interaction', 'summary');
comment on type public.shap_analysis_type is 'SHAP explanation analysis types';

create table if not exists public.ml_shap_analyses (
    analysis_id          uuid primary key default gen_random_uuid(),
    model_version        varchar(100) not null,
    analysis_type        public.shap_analysis_type not null default 'global',
    computed_by          public.agent_name_enum not null default 'feature_analyzer',
    brand                public.brand_type,
    feature_importance   jsonb not null default '{}'::jsonb,
    interaction_values   jsonb,
    base_value           double precision,
    sample_size          integer
        constraint ml_shap_analyses_sample_size_check check (sample_size > 0),
    computation_time_ms  integer
        constraint ml_shap_analyses_computation_time_check check (computation_time_ms >= 0),
    created_at           timestamptz not null default now()
);

comment on table public.ml_shap_analyses is 'Batch SHAP analyses of a model version (feature importance, interactions)';

create index if not exists idx_ml_shap_analyses_model on public.ml_shap_analyses (model_version, created_at desc);
create index if not exists idx_ml_shap_analyses_type on public.ml_shap_analyses (analysis_type);
