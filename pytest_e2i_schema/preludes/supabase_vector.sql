-- pytest-e2i-schema prelude "supabase_vector": pgvector in schema extensions, where
-- Supabase projects have it.  Run after the "supabase" prelude, only when the migrations
-- use vector or the user asks for it (the server must have pgvector: the embedded engine's
-- PostgreSQL does; there is no stand-in for it).
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA extensions;
