-- =============================================================================
-- 008_traceability_rls_policies.sql
--
-- What:  Row level security for the eight traceability tables: RLS enabled on
--        each, and 16 policies - one "service role full access" policy per
--        table plus one end-user policy per table:
--          execution_traces, hook_executions, endpoint_calls:
--              authenticated users see the rows of their own traces (auth.uid())
--          agent_routing_decisions:
--              authenticated users see decisions made inside their own traces
--          success_patterns:
--              anon and authenticated read public patterns (and their own)
--          pattern_usage_log:
--              authenticated users may log usage as themselves
--          agent_chaining_patterns, error_patterns:
--              authenticated users read everything
--        service_role also has BYPASSRLS on Supabase; its explicit policies keep
--        the intent visible and keep working where it does not.
--
-- Seeds: 001 "Schema Files" 012_rls_policies.sql, "Database Statistics"
--        (16 RLS policies), "RLS blocking queries"; 002 (policies need
--        Supabase auth: auth.uid(), roles anon / authenticated / service_role).
-- =============================================================================

alter table public.execution_traces enable row level security;
alter table public.agent_routing_decisions enable row level security;
alter table public.hook_executions enable row level security;
alter table public.endpoint_calls enable row level security;
alter table public.success_patterns enable row level security;
alter table public.pattern_usage_log enable row level security;
alter table public.agent_chaining_patterns enable row level security;
alter table public.error_patterns enable row level security;

-- execution_traces -------------------------------------------------------------
drop policy if exists "Service role full access to execution_traces" on public.execution_traces;
create policy "Service role full access to execution_traces"
    on public.execution_traces for all
    to service_role
    using (true) with check (true);

drop policy if exists "Users can view their own traces" on public.execution_traces;
create policy "Users can view their own traces"
    on public.execution_traces for select
    to authenticated
    using (user_id = (select auth.uid()));

-- agent_routing_decisions ------------------------------------------------------
drop policy if exists "Service role full access to agent_routing_decisions" on public.agent_routing_decisions;
create policy "Service role full access to agent_routing_decisions"
    on public.agent_routing_decisions for all
    to service_role
    using (true) with check (true);

drop policy if exists "Users can view routing decisions of their traces" on public.agent_routing_decisions;
create policy "Users can view routing decisions of their traces"
    on public.agent_routing_decisions for select
    to authenticated
    using (exists (
        select 1
          from public.execution_traces t
         where t.trace_id = agent_routing_decisions.trace_id
           and t.user_id = (select auth.uid())
    ));

-- hook_executions --------------------------------------------------------------
drop policy if exists "Service role full access to hook_executions" on public.hook_executions;
create policy "Service role full access to hook_executions"
    on public.hook_executions for all
    to service_role
    using (true) with check (true);

drop policy if exists "Users can view their own hook executions" on public.hook_executions;
create policy "Users can view their own hook executions"
    on public.hook_executions for select
    to authenticated
    using (user_id = (select auth.uid()));

-- endpoint_calls ---------------------------------------------------------------
drop policy if exists "Service role full access to endpoint_calls" on public.endpoint_calls;
create policy "Service role full access to endpoint_calls"
    on public.endpoint_calls for all
    to service_role
    using (true) with check (true);

drop policy if exists "Users can view their own endpoint calls" on public.endpoint_calls;
create policy "Users can view their own endpoint calls"
    on public.endpoint_calls for select
    to authenticated
    using (user_id = (select auth.uid()));

-- success_patterns -------------------------------------------------------------
drop policy if exists "Service role full access to success_patterns" on public.success_patterns;
create policy "Service role full access to success_patterns"
    on public.success_patterns for all
    to service_role
    using (true) with check (true);

drop policy if exists "Public patterns are readable by everyone" on public.success_patterns;
create policy "Public patterns are readable by everyone"
    on public.success_patterns for select
    to anon, authenticated
    using (is_public or created_by = (select auth.uid()));

-- pattern_usage_log ------------------------------------------------------------
drop policy if exists "Service role full access to pattern_usage_log" on public.pattern_usage_log;
create policy "Service role full access to pattern_usage_log"
    on public.pattern_usage_log for all
    to service_role
    using (true) with check (true);

drop policy if exists "Users can log their own pattern usage" on public.pattern_usage_log;
create policy "Users can log their own pattern usage"
    on public.pattern_usage_log for insert
    to authenticated
    with check (user_id = (select auth.uid()));

-- agent_chaining_patterns ------------------------------------------------------
drop policy if exists "Service role full access to agent_chaining_patterns" on public.agent_chaining_patterns;
create policy "Service role full access to agent_chaining_patterns"
    on public.agent_chaining_patterns for all
    to service_role
    using (true) with check (true);

drop policy if exists "Authenticated users can read agent chains" on public.agent_chaining_patterns;
create policy "Authenticated users can read agent chains"
    on public.agent_chaining_patterns for select
    to authenticated
    using (true);

-- error_patterns ---------------------------------------------------------------
drop policy if exists "Service role full access to error_patterns" on public.error_patterns;
create policy "Service role full access to error_patterns"
    on public.error_patterns for all
    to service_role
    using (true) with check (true);

drop policy if exists "Authenticated users can read error patterns" on public.error_patterns;
create policy "Authenticated users can read error patterns"
    on public.error_patterns for select
    to authenticated
    using (true);
