-- =============================================================================
-- 005_traceability_indexes.sql
--
-- What:  Performance indexes for the eight traceability tables: 37 secondary
--        indexes, which with the 8 primary keys make the 45 indexes of seed
--        001's statistics table.  They include
--          * 2 ivfflat indexes (vector_cosine_ops, lists = 100):
--              idx_pattern_embedding, idx_routing_embedding (names from seed 001),
--          * 3 hnsw indexes (m = 16, ef_construction = 64):
--              idx_traces_input_embedding, idx_error_embedding (vector_cosine_ops),
--              idx_chain_embedding (vector_l2_ops),
--          * 3 GIN indexes (jsonb_path_ops, text[]), 3 unique indexes that the
--            upserts of 007 rely on, and 3 partial indexes.
--
-- Seeds: 001 "Schema Files" 009_indexes.sql; "Database Statistics" (45
--        indexes); "Index Maintenance" (REINDEX idx_pattern_embedding /
--        idx_routing_embedding).
-- =============================================================================

-- execution_traces (7 + pkey = 8)
create index if not exists idx_traces_parent on public.execution_traces (parent_trace_id);
create index if not exists idx_traces_session on public.execution_traces (session_id);
create index if not exists idx_traces_user_started on public.execution_traces (user_id, started_at desc);
create index if not exists idx_traces_status on public.execution_traces (status);
create index if not exists idx_traces_started_at on public.execution_traces (started_at desc);
create index if not exists idx_traces_metadata_gin on public.execution_traces using gin (metadata jsonb_path_ops);
create index if not exists idx_traces_input_embedding on public.execution_traces
    using hnsw (input_embedding extensions.vector_cosine_ops) with (m = 16, ef_construction = 64);

-- agent_routing_decisions (5 + pkey = 6)
create index if not exists idx_routing_trace on public.agent_routing_decisions (trace_id);
create index if not exists idx_routing_selected_agent on public.agent_routing_decisions (selected_agent, decided_at desc);
create index if not exists idx_routing_decided_at on public.agent_routing_decisions (decided_at desc);
create index if not exists idx_routing_embedding on public.agent_routing_decisions
    using ivfflat (query_embedding extensions.vector_cosine_ops) with (lists = 100);
create index if not exists idx_routing_unverified on public.agent_routing_decisions (decided_at)
    where was_correct is null;

-- hook_executions (4 + pkey = 5)
create index if not exists idx_hooks_trace on public.hook_executions (trace_id);
create index if not exists idx_hooks_name_started on public.hook_executions (hook_name, started_at desc);
create index if not exists idx_hooks_type on public.hook_executions (hook_type);
create index if not exists idx_hooks_failed on public.hook_executions (started_at desc)
    where status = 'failed';

-- endpoint_calls (4 + pkey = 5)
create index if not exists idx_endpoint_calls_trace on public.endpoint_calls (trace_id);
create index if not exists idx_endpoint_calls_hook on public.endpoint_calls (hook_execution_id);
create index if not exists idx_endpoint_calls_endpoint_method on public.endpoint_calls (endpoint, http_method);
create index if not exists idx_endpoint_calls_started_at on public.endpoint_calls (started_at desc);

-- success_patterns (6 + pkey = 7)
create index if not exists idx_pattern_embedding on public.success_patterns
    using ivfflat (prompt_embedding extensions.vector_cosine_ops) with (lists = 100);
create index if not exists idx_patterns_type on public.success_patterns (pattern_type);
create index if not exists idx_patterns_success_rate on public.success_patterns (success_rate desc, total_usage_count desc);
create index if not exists idx_patterns_last_used on public.success_patterns (last_used_at);
create index if not exists idx_patterns_tags on public.success_patterns using gin (tags);
create unique index if not exists idx_patterns_type_name on public.success_patterns (pattern_type, pattern_name);

-- pattern_usage_log (3 + pkey = 4)
create index if not exists idx_usage_pattern_used on public.pattern_usage_log (pattern_id, used_at desc);
create index if not exists idx_usage_trace on public.pattern_usage_log (trace_id);
create index if not exists idx_usage_used_at on public.pattern_usage_log (used_at);

-- agent_chaining_patterns (4 + pkey = 5)
create unique index if not exists idx_chain_signature on public.agent_chaining_patterns (chain_signature);
create index if not exists idx_chain_embedding on public.agent_chaining_patterns
    using hnsw (chain_embedding extensions.vector_l2_ops) with (m = 16, ef_construction = 64);
create index if not exists idx_chain_success_rate on public.agent_chaining_patterns (success_rate desc nulls last);
create index if not exists idx_chain_agent_sequence on public.agent_chaining_patterns using gin (agent_sequence);

-- error_patterns (4 + pkey = 5)
create unique index if not exists idx_error_signature on public.error_patterns (error_signature);
create index if not exists idx_error_embedding on public.error_patterns
    using hnsw (error_embedding extensions.vector_cosine_ops) with (m = 16, ef_construction = 64);
create index if not exists idx_error_last_seen on public.error_patterns (last_seen_at desc);
create index if not exists idx_error_unresolved on public.error_patterns (occurrence_count desc)
    where resolution_status in ('open', 'investigating');
