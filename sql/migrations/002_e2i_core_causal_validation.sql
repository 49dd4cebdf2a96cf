-- =============================================================================
-- 002_e2i_core_causal_validation.sql
--
-- What:  The E2I v1.1 baseline that v1.2 builds on:
--          * core ENUMs  agent_name_type (the 18-agent, 6-tier architecture)
--            and brand_type,
--          * the four v1.1 validation ENUMs (refutation_test_type,
--            validation_status, gate_decision, expert_review_type),
--          * causal_validations  - DoWhy refutation results per causal estimate
--            (delta_percent is a STORED generated column),
--          * expert_reviews      - domain-expert approval of DAGs / estimates,
--            with RLS: authenticated users read, reviewers manage their own.
--
-- Seeds: 000 "Remaining View" v_causal_validation_chain needs these two tables
--        (the view itself arrives in 015); agent_name_type is the type every
--        v1.2 table of seed 000 uses for its agent_name column.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Core ENUMs
-- -----------------------------------------------------------------------------
create type public.agent_name_type as enum (
    -- tier 0: ML foundation
    'scope_definer', 'data_preparer', 'model_selector', 'model_trainer',
    'feature_analyzer', 'model_deployer', 'observability_connector',
    -- tier 1: coordination
    'orchestrator',
    -- tier 2: causal analytics
    'causal_impact', 'gap_analyzer', 'heterogeneous_optimizer',
    -- tier 3: monitoring
    'drift_monitor', 'experiment_designer', 'health_score',
    -- tier 4: ML predictions
    'prediction_synthesizer', 'resource_optimizer',
    -- tier 5: self improvement
    'explainer', 'feedback_learner'
);
comment on type public.agent_name_type is 'All 18 E2I agents across tiers 0-5';

create type public.brand_type as enum ('Remibrutinib', 'Fabhalta', 'Kisqali', 'competitor', 'other');
comment on type public.brand_type is 'Pharmaceutical brands analyzed by E2I';

-- -----------------------------------------------------------------------------
-- Validation ENUMs (v1.1)
-- -----------------------------------------------------------------------------
create type public.refutation_test_type as enum (
    'placebo_treatment', 'random_common_cause', 'data_subset', 'bootstrap', 'sensitivity_e_value'
);
comment on type public.refutation_test_type is 'DoWhy refutation tests run against a causal estimate';

create type public.validation_status as enum ('passed', 'failed', 'warning', 'skipped');
comment on type public.validation_status is 'Outcome of one refutation test';

create type public.gate_decision as enum ('proceed', 'review', 'block');
comment on type public.gate_decision is 'Whether a causal estimate may be used downstream';

create type public.expert_review_type as enum (
    'dag_approval', 'methodology_review', 'quarterly_audit', 'ad_hoc_validation'
);
comment on type public.expert_review_type is 'Kinds of domain-expert review';

-- -----------------------------------------------------------------------------
-- causal_validations
-- -----------------------------------------------------------------------------
create table if not exists public.causal_validations (
    validation_id       uuid primary key default gen_random_uuid(),
    estimate_id         uuid not null,
    estimate_source     varchar(30) not null
        constraint causal_validations_estimate_source_check
        check (estimate_source in ('causal_paths', 'ml_experiments', 'treatment_effects')),
    brand               public.brand_type,
    treatment_variable  varchar(100) not null,
    outcome_variable    varchar(100) not null,
    test_type           public.refutation_test_type not null,
    status              public.validation_status not null,
    original_effect     numeric(12, 6),
    refuted_effect      numeric(12, 6),
    p_value             numeric(6, 5)
        constraint causal_validations_p_value_check check (p_value between 0 and 1),
    delta_percent       numeric(10, 4) generated always as (
        case
            when original_effect is null or refuted_effect is null or original_effect = 0 then null
            else round((refuted_effect - original_effect) / abs(original_effect) * 100, 4)
        end
    ) stored,
    confidence_score    numeric(4, 3)
        constraint causal_validations_confidence_check check (confidence_score between 0 and 1),
    gate_decision       public.gate_decision,
    test_config         jsonb not null default '{}'::jsonb,
    details_json        jsonb not null default '{}'::jsonb,
    validated_by        public.agent_name_type not null default 'causal_impact',
    created_at          timestamptz not null default now()
);

comment on table public.causal_validations is 'DoWhy refutation test results for validating causal estimates';
comment on column public.causal_validations.delta_percent is
    'Generated: relative change of the refuted effect against the original, in percent';

create index if not exists idx_causal_validations_estimate
    on public.causal_validations (estimate_id, estimate_source);
create index if not exists idx_causal_validations_gate
    on public.causal_validations (estimate_id, gate_decision);
create index if not exists idx_causal_validations_test_type
    on public.causal_validations (test_type);
create index if not exists idx_causal_validations_created_at
    on public.causal_validations (created_at desc);
create index if not exists idx_causal_validations_brand
    on public.causal_validations (brand);

-- -----------------------------------------------------------------------------
-- expert_reviews
-- -----------------------------------------------------------------------------
create table if not exists public.expert_reviews (
    review_id           uuid primary key default gen_random_uuid(),
    review_type         public.expert_review_type not null,
    estimate_id         uuid,
    dag_version_hash    varchar(64)
        constraint expert_reviews_dag_hash_check check (dag_version_hash ~ '^[0-9a-f]{64}$'),
    reviewer_id         uuid references auth.users (id) on delete set null,
    reviewer_name       varchar(200),
    reviewer_role       varchar(100),
    brand               public.brand_type,
    approval_status     varchar(20) not null default 'pending'
        constraint expert_reviews_approval_status_check
        check (approval_status in ('pending', 'approved', 'rejected', 'expired')),
    concerns_raised     text[] not null default '{}',
    review_notes        text,
    reviewed_at         timestamptz,
    valid_until         date,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    constraint expert_reviews_reviewed_when_decided
        check (approval_status = 'pending' or reviewed_at is not null)
);

comment on table public.expert_reviews is 'Domain expert validation of causal DAGs and methodology';

create index if not exists idx_expert_reviews_estimate on public.expert_reviews (estimate_id);
create index if not exists idx_expert_reviews_dag_status on public.expert_reviews (dag_version_hash, approval_status);
create index if not exists idx_expert_reviews_reviewer on public.expert_reviews (reviewer_id);
create index if not exists idx_expert_reviews_valid_until on public.expert_reviews (valid_until);

drop trigger if exists update_expert_reviews_updated_at on public.expert_reviews;
create trigger update_expert_reviews_updated_at
    before update on public.expert_reviews
    for each row execute function public.update_updated_at_column();

alter table public.expert_reviews enable row level security;

drop policy if exists "Authenticated users can read expert reviews" on public.expert_reviews;
create policy "Authenticated users can read expert reviews"
    on public.expert_reviews for select
    to authenticated
    using (true);

drop policy if exists "Reviewers manage their own reviews" on public.expert_reviews;
create policy "Reviewers manage their own reviews"
    on public.expert_reviews for all
    to authenticated
    using (reviewer_id = (select auth.uid()))
    with check (reviewer_id = (select auth.uid()));
