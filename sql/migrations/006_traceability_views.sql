-- =============================================================================
-- 006_traceability_views.sql
--
-- What:  The five analytics views of the traceability schema:
--          pattern_effectiveness     per pattern: usage, success rate, 7-day trend
--          agent_routing_accuracy    per agent: verified routing accuracy
--          hook_performance_summary  per hook: counts, avg / p95 duration
--          endpoint_latency_stats    per endpoint + method: errors, p50 / p95
--          trace_execution_summary   per trace: child record counts
--        All are security_invoker views, so the RLS policies of 008 apply to
--        whoever queries them (Supabase's recommended setting).
--
-- Seeds: 001 "Schema Files" 010_views.sql, "Database Statistics" (5 views),
--        "Monitoring Queries" (pattern_effectiveness ordered by success_rate,
--        total_usage_count).
-- =============================================================================

create or replace view public.pattern_effectiveness
with (security_invoker = true) as
select
    p.pattern_id,
    p.pattern_name,
    p.pattern_type,
    p.total_usage_count,
    p.success_count,
    p.failure_count,
    p.success_rate,
    p.avg_duration_ms,
    p.last_used_at,
    recent.uses_last_7d,
    recent.success_rate_last_7d,
    case
        when p.total_usage_count < 5 then 'insufficient_data'
        when p.success_rate >= 0.8 then 'high'
        when p.success_rate >= 0.5 then 'medium'
        else 'low'
    end as effectiveness_tier
from public.success_patterns p
cross join lateral (
    select
        count(*) as uses_last_7d,
        round(avg(case when l.outcome = 'success' then 1.0 else 0.0 end), 4) as success_rate_last_7d
    from public.pattern_usage_log l
    where l.pattern_id = p.pattern_id
      and l.used_at > now() - interval '7 days'
) recent;

comment on view public.pattern_effectiveness is 'Pattern usage and success, overall and over the last 7 days';

create or replace view public.agent_routing_accuracy
with (security_invoker = true) as
select
    d.selected_agent,
    count(*) as total_decisions,
    count(d.was_correct) as verified_decisions,
    count(*) filter (where d.was_correct) as correct_decisions,
    round(count(*) filter (where d.was_correct)::numeric / nullif(count(d.was_correct), 0), 4) as accuracy_rate,
    round(avg(d.confidence_score)::numeric, 4) as avg_confidence,
    round(avg(d.latency_ms)::numeric, 2) as avg_latency_ms,
    max(d.decided_at) as last_decided_at
from public.agent_routing_decisions d
group by d.selected_agent;

comment on view public.agent_routing_accuracy is 'Routing accuracy per selected agent, over decisions whose correctness is known';

create or replace view public.hook_performance_summary
with (security_invoker = true) as
select
    h.hook_name,
    h.hook_type,
    count(*) as execution_count,
    count(*) filter (where h.status = 'success') as success_count,
    count(*) filter (where h.status in ('failed', 'blocked')) as failure_count,
    round(avg(h.duration_ms)::numeric, 2) as avg_duration_ms,
    percentile_cont(0.95) within group (order by h.duration_ms::double precision) as p95_duration_ms,
    max(h.started_at) as last_executed_at
from public.hook_executions h
group by h.hook_name, h.hook_type;

comment on view public.hook_performance_summary is 'Execution counts and latency per hook';

create or replace view public.endpoint_latency_stats
with (security_invoker = true) as
select
    e.endpoint,
    e.http_method,
    count(*) as call_count,
    count(*) filter (where e.status_code >= 500 or e.error_message is not null) as error_count,
    round(avg(e.duration_ms)::numeric, 2) as avg_duration_ms,
    percentile_cont(0.5) within group (order by e.duration_ms::double precision) as p50_duration_ms,
    percentile_cont(0.95) within group (order by e.duration_ms::double precision) as p95_duration_ms,
    max(e.started_at) as last_called_at
from public.endpoint_calls e
group by e.endpoint, e.http_method;

comment on view public.endpoint_latency_stats is 'Call volume, errors and latency percentiles per endpoint and method';

create or replace view public.trace_execution_summary
with (security_invoker = true) as
select
    t.trace_id,
    t.parent_trace_id,
    t.user_id,
    t.trace_type,
    t.status,
    t.started_at,
    t.duration_ms,
    t.total_tokens,
    t.total_cost_usd,
    (select count(*) from public.agent_routing_decisions r where r.trace_id = t.trace_id) as routing_decision_count,
    (select count(*) from public.hook_executions h where h.trace_id = t.trace_id) as hook_count,
    (select count(*) from public.hook_executions h where h.trace_id = t.trace_id and h.status = 'failed') as failed_hook_count,
    (select count(*) from public.endpoint_calls c where c.trace_id = t.trace_id) as endpoint_call_count,
    t.error_message
from public.execution_traces t;

comment on view public.trace_execution_summary is 'One row per trace with the number of routing decisions, hooks and endpoint calls below it';
