-- =============================================================================
-- 016_realtime_shap_reporting.sql
--
-- What:  Puts the 'local_realtime' label that 011_realtime_shap_audit.sql added
--        to shap_analysis_type to use - it had to wait for a later transaction
--        (PostgreSQL: "unsafe use of new value" otherwise):
--          * shap_realtime_audit.analysis_type defaults to 'local_realtime',
--          * log_realtime_shap_request() records a real-time explanation
--            (idempotent on request_id, so client retries do not double count),
--          * v_realtime_shap_activity - daily volume / latency / cache hits of
--            real-time explanations per model version and requesting agent.
--
-- Seeds: 000 "Phase 0" (after the ENUM exists, 011 adds 'local_realtime';
--        shap_analysis_type documented with all five values).
-- =============================================================================

alter table public.shap_realtime_audit
    alter column analysis_type set default 'local_realtime';

create or replace function public.log_realtime_shap_request(
    p_request_id        uuid,
    p_model_version     varchar,
    p_entity_type       varchar,
    p_entity_id         varchar,
    p_top_features      jsonb,
    p_latency_ms        integer,
    p_requesting_agent  public.e2i_agent_name default 'explainer',
    p_analysis_type     public.shap_analysis_type default 'local_realtime',
    p_shap_values       jsonb default null,
    p_base_value        double precision default null,
    p_prediction_value  double precision default null,
    p_brand             public.brand_type default null,
    p_cache_hit         boolean default false
)
returns uuid
language plpgsql
set search_path = public, extensions
as $$
declare
    v_audit_id uuid;
begin
    if p_request_id is null then
        raise exception 'request_id must not be NULL' using errcode = 'not_null_violation';
    end if;

    insert into public.shap_realtime_audit as a
           (request_id, model_version, analysis_type, requesting_agent, entity_type, entity_id, brand,
            top_features, shap_values, base_value, prediction_value, latency_ms, cache_hit, user_id)
    values (p_request_id, p_model_version, coalesce(p_analysis_type, 'local_realtime'),
            coalesce(p_requesting_agent, 'explainer'), p_entity_type, p_entity_id, p_brand,
            coalesce(p_top_features, '[]'::jsonb), p_shap_values, p_base_value, p_prediction_value,
            p_latency_ms, coalesce(p_cache_hit, false), auth.uid())
    on conflict (request_id) do update
       set latency_ms = excluded.latency_ms,
           cache_hit  = excluded.cache_hit
    returning a.audit_id into v_audit_id;

    return v_audit_id;
end;
$$;

comment on function public.log_realtime_shap_request(uuid, varchar, varchar, varchar, jsonb, integer,
    public.e2i_agent_name, public.shap_analysis_type, jsonb, double precision, double precision,
    public.brand_type, boolean) is
    'Record one real-time SHAP explanation (analysis_type local_realtime by default); a retried request_id updates latency and cache_hit';

create or replace view public.v_realtime_shap_activity
with (security_invoker = true) as
select
    (a.requested_at at time zone 'UTC')::date as activity_date,
    a.model_version,
    a.requesting_agent,
    count(*) as request_count,
    count(distinct (a.entity_type, a.entity_id)) as entity_count,
    round(avg(case when a.cache_hit then 1.0 else 0.0 end), 4) as cache_hit_rate,
    round(avg(a.latency_ms)::numeric, 2) as avg_latency_ms,
    percentile_cont(0.95) within group (order by a.latency_ms::double precision) as p95_latency_ms
from public.shap_realtime_audit a
where a.analysis_type = 'local_realtime'
group by 1, a.model_version, a.requesting_agent;

comment on view public.v_realtime_shap_activity is
    'Daily (UTC) volume, cache hit rate and latency of real-time SHAP explanations per model and agent';
