-- pytest-e2i-schema prelude "supabase": a stand-in for the Supabase platform schema.
--
-- THIS IS NOT SUPABASE.  It recreates, on a plain PostgreSQL server, the parts of a
-- Supabase database that a project's own migrations usually depend on, so that those
-- migrations can be applied and their schema, grants and row-level security tested:
--   * the API roles (anon, authenticated, service_role, authenticator) and a few platform
--     roles, with Supabase's grants and default privileges;
--   * the schemas extensions, auth, storage, vault, realtime, graphql, graphql_public and
--     supabase_functions;
--   * auth.users, auth.identities, auth.sessions, auth.refresh_tokens and auth.uid() /
--     auth.role() / auth.email() / auth.jwt(), reading the same request.jwt.* settings
--     PostgREST sets (a test sets them itself, see below);
--   * storage.buckets, storage.objects and storage.foldername/filename/extension;
--   * vault.secrets and vault.decrypted_secrets WITHOUT ANY ENCRYPTION (see section 6);
--   * the empty publication supabase_realtime;
--   * supabase_functions.hooks and the Database Webhooks trigger function
--     supabase_functions.http_request(), which records the call and sends NOTHING (section 8);
--   * graphql_public.graphql(), which answers "pg_graphql extension is not enabled" until
--     the pg_graphql extension (or its e2i-schema stand-in) provides graphql.resolve();
--   * search_path "$user", public, extensions for the database;
--   * the extensions uuid-ossp and pgcrypto in schema extensions.  On servers without
--     them the engine puts SQL stand-ins on extension_control_path (PostgreSQL 18+);
--     vector is installed separately by the "supabase_vector" prelude.
-- There is no GoTrue, PostgREST, Storage API, Realtime, pg_graphql or pgsodium behind any of
-- it, and of the auth tables only users, identities, sessions and refresh_tokens exist.
--
-- Acting as a signed-in user in a test:
--     set role authenticated;
--     set request.jwt.claims = '{"sub": "<user uuid>", "role": "authenticated"}';
--
-- Run as a superuser.  Every statement is idempotent (IF NOT EXISTS, OR REPLACE, guarded
-- DO blocks), so the prelude can run again on a database that has it, or that already has
-- some of these objects; roles are cluster-wide and created only when missing.  It needs
-- no extension besides uuid-ossp and pgcrypto (section 3).

-- 1. Roles -----------------------------------------------------------------------------

DO $$
DECLARE
    api_role text;
BEGIN
    -- "postgres" is the role migrations run as on Supabase; it is only created here (as a
    -- NOLOGIN grantee) on clusters initialised under another superuser name.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres') THEN
        CREATE ROLE postgres NOLOGIN CREATEROLE CREATEDB BYPASSRLS;
    END IF;
    -- A superuser on Supabase; here only a grantee/owner name, deliberately without LOGIN
    -- or SUPERUSER because roles outlive the test database (think of --e2i-engine dsn).
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'supabase_admin') THEN
        CREATE ROLE supabase_admin NOLOGIN CREATEROLE CREATEDB BYPASSRLS;
    END IF;

    -- The API roles PostgREST switches to, per request, from authenticator.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN BYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator LOGIN NOINHERIT;
    END IF;
    FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        IF NOT pg_catalog.pg_has_role('authenticator', api_role, 'MEMBER') THEN
            EXECUTE format('GRANT %I TO authenticator', api_role);
        END IF;
    END LOOP;

    -- Platform roles that projects' migrations grant to or own objects by (auth hooks,
    -- storage policies, ...).  NOLOGIN here: tests reach them with SET ROLE.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'supabase_auth_admin') THEN
        CREATE ROLE supabase_auth_admin NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'supabase_storage_admin') THEN
        CREATE ROLE supabase_storage_admin NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'dashboard_user') THEN
        CREATE ROLE dashboard_user NOLOGIN;
    END IF;
    -- Owns supabase_functions (Database Webhooks); LOGIN CREATEROLE on Supabase.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'supabase_functions_admin') THEN
        CREATE ROLE supabase_functions_admin NOLOGIN NOINHERIT;
    END IF;
END
$$;

-- 2. Schemas and the privileges every Supabase project starts with ------------------

CREATE SCHEMA IF NOT EXISTS extensions;
CREATE SCHEMA IF NOT EXISTS auth AUTHORIZATION supabase_auth_admin;
CREATE SCHEMA IF NOT EXISTS storage AUTHORIZATION supabase_storage_admin;
CREATE SCHEMA IF NOT EXISTS vault;
CREATE SCHEMA IF NOT EXISTS realtime;
-- graphql is where pg_graphql installs itself ("create extension pg_graphql with schema
-- graphql" in pulled schemas needs it to exist); graphql_public holds the API entry point.
CREATE SCHEMA IF NOT EXISTS graphql AUTHORIZATION supabase_admin;
CREATE SCHEMA IF NOT EXISTS graphql_public AUTHORIZATION supabase_admin;
CREATE SCHEMA IF NOT EXISTS supabase_functions AUTHORIZATION supabase_admin;

GRANT USAGE ON SCHEMA public, extensions, auth, storage, realtime
    TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA extensions TO postgres, dashboard_user;
GRANT ALL ON SCHEMA auth TO postgres, dashboard_user;
GRANT ALL ON SCHEMA storage TO postgres, dashboard_user;
GRANT USAGE ON SCHEMA vault TO postgres;
GRANT USAGE ON SCHEMA graphql_public, supabase_functions TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA supabase_functions TO supabase_functions_admin;

-- Whatever the project creates in public is reachable by the API roles (RLS decides what
-- they see), as on Supabase.  Default privileges belong to the role that creates the
-- objects: set them for the role running this prelude, which normally also runs the
-- migrations, and for postgres, the role migrations run as on Supabase.
DO $$
DECLARE
    creator text;
BEGIN
    FOREACH creator IN ARRAY ARRAY(SELECT DISTINCT r FROM unnest(ARRAY[current_user::text, 'postgres']) AS r)
    LOOP
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
                       'GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role', creator);
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
                       'GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role', creator);
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
                       'GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role', creator);
    END LOOP;
END
$$;

-- search_path: new sessions of this database get Supabase's, and so does this session, in
-- case the migrations run on the same connection.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public, extensions', current_database());
END
$$;
SELECT pg_catalog.set_config('search_path', '"$user", public, extensions', false);

-- 3. Extensions --------------------------------------------------------------------------
-- gen_random_uuid() is core PostgreSQL (13+); pgcrypto and uuid-ossp come from the server,
-- or from the e2i-schema SQL stand-ins where the server lacks them.

CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;

-- 4. auth ----------------------------------------------------------------------------------
-- auth.users with the columns, defaults and constraints GoTrue's migrations leave behind.

CREATE TABLE IF NOT EXISTS auth.users (
    instance_id                 uuid,
    id                          uuid NOT NULL,
    aud                         varchar(255),
    role                        varchar(255),
    email                       varchar(255),
    encrypted_password          varchar(255),
    email_confirmed_at          timestamptz,
    invited_at                  timestamptz,
    confirmation_token          varchar(255),
    confirmation_sent_at        timestamptz,
    recovery_token              varchar(255),
    recovery_sent_at            timestamptz,
    email_change_token_new      varchar(255),
    email_change                varchar(255),
    email_change_sent_at        timestamptz,
    last_sign_in_at             timestamptz,
    raw_app_meta_data           jsonb,
    raw_user_meta_data          jsonb,
    is_super_admin              boolean,
    created_at                  timestamptz,
    updated_at                  timestamptz,
    phone                       text DEFAULT NULL::varchar,
    phone_confirmed_at          timestamptz,
    phone_change                text DEFAULT ''::varchar,
    phone_change_token          varchar(255) DEFAULT ''::varchar,
    phone_change_sent_at        timestamptz,
    confirmed_at                timestamptz GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED,
    email_change_token_current  varchar(255) DEFAULT ''::varchar,
    email_change_confirm_status smallint DEFAULT 0,
    banned_until                timestamptz,
    reauthentication_token      varchar(255) DEFAULT ''::varchar,
    reauthentication_sent_at    timestamptz,
    is_sso_user                 boolean NOT NULL DEFAULT false,
    deleted_at                  timestamptz,
    is_anonymous                boolean NOT NULL DEFAULT false,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_phone_key UNIQUE (phone),
    CONSTRAINT users_email_change_confirm_status_check
        CHECK (email_change_confirm_status >= 0 AND email_change_confirm_status <= 2)
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_partial_key ON auth.users (email) WHERE is_sso_user = false;
CREATE INDEX IF NOT EXISTS users_instance_id_idx ON auth.users (instance_id);
CREATE INDEX IF NOT EXISTS users_instance_id_email_idx ON auth.users (instance_id, lower(email::text));
CREATE INDEX IF NOT EXISTS users_is_anonymous_idx ON auth.users (is_anonymous);
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.users OWNER TO supabase_auth_admin;
GRANT ALL ON auth.users TO postgres, dashboard_user;
COMMENT ON TABLE auth.users IS 'Auth: Stores user login data within a secure schema.';
COMMENT ON COLUMN auth.users.is_sso_user IS 'Auth: Set this column to true when the account comes from SSO. These accounts can have duplicate emails.';

-- auth.identities, auth.sessions and auth.refresh_tokens as GoTrue's migrations leave them
-- (columns, keys, foreign keys and indexes; the MFA, SSO, OAuth and one-time-token tables
-- and the newest sessions columns are left out).  RLS is on, as for every auth table.
DO $$
BEGIN
    IF pg_catalog.to_regtype('auth.aal_level') IS NULL THEN
        CREATE TYPE auth.aal_level AS ENUM ('aal1', 'aal2', 'aal3');
        ALTER TYPE auth.aal_level OWNER TO supabase_auth_admin;
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS auth.identities (
    provider_id     text NOT NULL,
    user_id         uuid NOT NULL,
    identity_data   jsonb NOT NULL,
    provider        text NOT NULL,
    last_sign_in_at timestamptz,
    created_at      timestamptz,
    updated_at      timestamptz,
    email           text GENERATED ALWAYS AS (lower(identity_data ->> 'email')) STORED,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    CONSTRAINT identities_pkey PRIMARY KEY (id),
    CONSTRAINT identities_provider_id_provider_unique UNIQUE (provider_id, provider),
    CONSTRAINT identities_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS identities_email_idx ON auth.identities (email text_pattern_ops);
CREATE INDEX IF NOT EXISTS identities_user_id_idx ON auth.identities (user_id);
COMMENT ON TABLE auth.identities IS 'Auth: Stores identities associated to a user.';
COMMENT ON COLUMN auth.identities.email IS 'Auth: Email is a generated column that references the optional email property in the identity_data';

CREATE TABLE IF NOT EXISTS auth.sessions (
    id           uuid NOT NULL,
    user_id      uuid NOT NULL,
    created_at   timestamptz,
    updated_at   timestamptz,
    factor_id    uuid,
    aal          auth.aal_level,
    not_after    timestamptz,
    refreshed_at timestamp,
    user_agent   text,
    ip           inet,
    tag          text,
    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON auth.sessions (user_id);
CREATE INDEX IF NOT EXISTS user_id_created_at_idx ON auth.sessions (user_id, created_at);
CREATE INDEX IF NOT EXISTS sessions_not_after_idx ON auth.sessions (not_after DESC);
COMMENT ON TABLE auth.sessions IS 'Auth: Stores session data associated to a user.';
COMMENT ON COLUMN auth.sessions.not_after IS 'Auth: Not after is a nullable column that contains a timestamp after which the session should be regarded as expired.';

CREATE SEQUENCE IF NOT EXISTS auth.refresh_tokens_id_seq;
CREATE TABLE IF NOT EXISTS auth.refresh_tokens (
    instance_id uuid,
    id          bigint NOT NULL DEFAULT nextval('auth.refresh_tokens_id_seq'::regclass),
    token       varchar(255),
    user_id     varchar(255),                  -- text, no foreign key: as in GoTrue
    revoked     boolean,
    created_at  timestamptz,
    updated_at  timestamptz,
    parent      varchar(255),
    session_id  uuid,
    CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT refresh_tokens_token_unique UNIQUE (token),
    CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES auth.sessions (id) ON DELETE CASCADE
);
ALTER SEQUENCE auth.refresh_tokens_id_seq OWNED BY auth.refresh_tokens.id;
CREATE INDEX IF NOT EXISTS refresh_tokens_instance_id_idx ON auth.refresh_tokens (instance_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_instance_id_user_id_idx ON auth.refresh_tokens (instance_id, user_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_parent_idx ON auth.refresh_tokens (parent);
CREATE INDEX IF NOT EXISTS refresh_tokens_session_id_revoked_idx ON auth.refresh_tokens (session_id, revoked);
CREATE INDEX IF NOT EXISTS refresh_tokens_updated_at_idx ON auth.refresh_tokens (updated_at DESC);
COMMENT ON TABLE auth.refresh_tokens IS 'Auth: Store of tokens used to refresh JWT tokens once they expire.';

ALTER TABLE auth.identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.identities OWNER TO supabase_auth_admin;
ALTER TABLE auth.sessions OWNER TO supabase_auth_admin;
ALTER TABLE auth.refresh_tokens OWNER TO supabase_auth_admin;
GRANT ALL ON auth.identities, auth.sessions, auth.refresh_tokens TO postgres, dashboard_user;
GRANT ALL ON SEQUENCE auth.refresh_tokens_id_seq TO postgres, dashboard_user;

-- The request helpers, as GoTrue defines them: PostgREST puts the JWT claims into
-- request.jwt.claims (JSON); older PostgREST versions used one request.jwt.claim.<name>
-- setting per claim, which is read first.
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;
COMMENT ON FUNCTION auth.uid() IS 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

CREATE OR REPLACE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;
COMMENT ON FUNCTION auth.role() IS 'Deprecated. Use auth.jwt() -> ''role'' instead.';

CREATE OR REPLACE FUNCTION auth.email() RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;
COMMENT ON FUNCTION auth.email() IS 'Deprecated. Use auth.jwt() -> ''email'' instead.';

CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

ALTER FUNCTION auth.uid() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.role() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.jwt() OWNER TO supabase_auth_admin;
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt()
    TO postgres, anon, authenticated, service_role, dashboard_user;

-- 5. storage ---------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS storage.buckets (
    id                 text NOT NULL,
    name               text NOT NULL,
    owner              uuid,
    created_at         timestamptz DEFAULT now(),
    updated_at         timestamptz DEFAULT now(),
    public             boolean DEFAULT false,
    avif_autodetection boolean DEFAULT false,
    file_size_limit    bigint,
    allowed_mime_types text[],
    owner_id           text,
    CONSTRAINT buckets_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets (name);
COMMENT ON COLUMN storage.buckets.owner IS 'Field is deprecated, use owner_id instead';

CREATE TABLE IF NOT EXISTS storage.objects (
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    bucket_id        text,
    name             text,
    owner            uuid,
    created_at       timestamptz DEFAULT now(),
    updated_at       timestamptz DEFAULT now(),
    last_accessed_at timestamptz DEFAULT now(),
    metadata         jsonb,
    path_tokens      text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
    version          text,
    owner_id         text,
    user_metadata    jsonb,
    CONSTRAINT objects_pkey PRIMARY KEY (id),
    CONSTRAINT "objects_bucketId_fkey" FOREIGN KEY (bucket_id) REFERENCES storage.buckets (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS bucketid_objname ON storage.objects (bucket_id, name);
CREATE INDEX IF NOT EXISTS name_prefix_search ON storage.objects (name text_pattern_ops);
COMMENT ON COLUMN storage.objects.owner IS 'Field is deprecated, use owner_id instead';

ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.buckets OWNER TO supabase_storage_admin;
ALTER TABLE storage.objects OWNER TO supabase_storage_admin;
GRANT ALL ON storage.buckets, storage.objects TO postgres, anon, authenticated, service_role;

-- Path helpers used in storage policies, e.g.
--   (storage.foldername(name))[1] = auth.uid()::text
-- 'a/b/c.png': foldername -> {a,b}, filename -> 'c.png', extension -> 'png'.
CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
    _parts text[];
BEGIN
    SELECT string_to_array(name, '/') INTO _parts;
    RETURN _parts[1 : array_length(_parts, 1) - 1];
END
$$;

CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
    _parts text[];
BEGIN
    SELECT string_to_array(name, '/') INTO _parts;
    RETURN _parts[array_length(_parts, 1)];
END
$$;

CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
    _parts    text[];
    _filename text;
BEGIN
    SELECT string_to_array(name, '/') INTO _parts;
    SELECT _parts[array_length(_parts, 1)] INTO _filename;
    RETURN reverse(split_part(reverse(_filename), '.', 1));
END
$$;

ALTER FUNCTION storage.foldername(text) OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.filename(text) OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.extension(text) OWNER TO supabase_storage_admin;
GRANT EXECUTE ON FUNCTION storage.foldername(text), storage.filename(text), storage.extension(text)
    TO postgres, anon, authenticated, service_role;

-- 6. vault ----------------------------------------------------------------------------
-- NOT ENCRYPTION.  Supabase Vault stores secrets encrypted with pgsodium and decrypts
-- them in the view vault.decrypted_secrets.  Here the secret is stored as plain text and
-- decrypted_secret is simply a copy of it: the tables, view and functions have Vault's
-- shape so that migrations and tests using them work, and nothing more.  Never put a
-- real secret into a test database.  These objects belong to no extension; a later
-- "create extension supabase_vault" gets the e2i-schema stand-in (PostgreSQL 18+), which
-- then creates nothing and keeps them.

CREATE TABLE IF NOT EXISTS vault.secrets (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text,
    description text NOT NULL DEFAULT '',
    secret      text NOT NULL,
    key_id      uuid,
    nonce       bytea,
    created_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX IF NOT EXISTS secrets_name_idx ON vault.secrets (name) WHERE name IS NOT NULL;
COMMENT ON TABLE vault.secrets IS 'e2i-schema stand-in for Supabase Vault: secrets are stored UNENCRYPTED.';

CREATE OR REPLACE VIEW vault.decrypted_secrets AS
SELECT s.id,
       s.name,
       s.description,
       s.secret,
       s.secret AS decrypted_secret,        -- stand-in: no decryption, nothing was encrypted
       s.key_id,
       s.nonce,
       s.created_at,
       s.updated_at
FROM vault.secrets s;

CREATE OR REPLACE FUNCTION vault.create_secret(
    new_secret      text,
    new_name        text DEFAULT NULL,
    new_description text DEFAULT '',
    new_key_id      uuid DEFAULT NULL       -- unused, as in Vault 0.3
) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path = ''
    AS $$
DECLARE
    rec record;
BEGIN
    INSERT INTO vault.secrets (secret, name, description)
    VALUES (new_secret, new_name, new_description)
    RETURNING * INTO rec;
    RETURN rec.id;
END
$$;

CREATE OR REPLACE FUNCTION vault.update_secret(
    secret_id       uuid,
    new_secret      text DEFAULT NULL,
    new_name        text DEFAULT NULL,
    new_description text DEFAULT NULL,
    new_key_id      uuid DEFAULT NULL       -- unused, as in Vault 0.3
) RETURNS void
    LANGUAGE plpgsql
    SET search_path = ''
    AS $$
BEGIN
    UPDATE vault.secrets s
    SET secret      = coalesce(new_secret, s.secret),
        name        = coalesce(new_name, s.name),
        description = coalesce(new_description, s.description),
        updated_at  = now()
    WHERE s.id = secret_id;
END
$$;

REVOKE ALL ON vault.secrets, vault.decrypted_secrets FROM PUBLIC;
REVOKE ALL ON FUNCTION vault.create_secret(text, text, text, uuid),
                       vault.update_secret(uuid, text, text, text, uuid) FROM PUBLIC;
GRANT SELECT, DELETE ON vault.secrets, vault.decrypted_secrets TO postgres;
GRANT EXECUTE ON FUNCTION vault.create_secret(text, text, text, uuid),
                          vault.update_secret(uuid, text, text, text, uuid) TO postgres;

-- 7. realtime ---------------------------------------------------------------------------
-- Only the (empty) publication that "alter publication supabase_realtime add table ..."
-- expects; the warning about wal_level on servers without logical decoding is muted.

DO $$
DECLARE
    previous text := current_setting('client_min_messages');
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_publication WHERE pubname = 'supabase_realtime') THEN
        PERFORM set_config('client_min_messages', 'error', true);
        CREATE PUBLICATION supabase_realtime;
        PERFORM set_config('client_min_messages', previous, true);
    END IF;
END
$$;

-- 8. supabase_functions: Database Webhooks ---------------------------------------------
-- A Database Webhook is a trigger
--     create trigger "notify" after insert on public.orders for each row
--     execute function supabase_functions.http_request('https://...', 'POST',
--         '{"Content-Type":"application/json"}', '{}', '1000');
-- On Supabase http_request() sends the request through pg_net and records it in
-- supabase_functions.hooks.  NO REQUEST IS SENT HERE, and pg_net is not needed: the
-- function checks its arguments as Supabase's does (url, method GET or POST, headers and
-- params JSON, timeout integer; bad ones raise the same errors), then only records the call
-- in supabase_functions.hooks (hook_table_id = the table, hook_name = the trigger name,
-- request_id NULL), so a test can assert that a webhook fired:
--     select hook_name from supabase_functions.hooks where hook_table_id = 'public.orders'::regclass;
-- Like the real function it returns NEW.

CREATE TABLE IF NOT EXISTS supabase_functions.migrations (
    version     text PRIMARY KEY,
    inserted_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO supabase_functions.migrations (version)
VALUES ('initial'), ('20210809183423_update_grants')
ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS supabase_functions.hooks (
    id            bigserial PRIMARY KEY,
    hook_table_id integer NOT NULL,
    hook_name     text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    request_id    bigint
);
CREATE INDEX IF NOT EXISTS supabase_functions_hooks_request_id_idx ON supabase_functions.hooks USING btree (request_id);
CREATE INDEX IF NOT EXISTS supabase_functions_hooks_h_table_id_h_name_idx ON supabase_functions.hooks USING btree (hook_table_id, hook_name);
COMMENT ON TABLE supabase_functions.hooks IS 'Supabase Functions Hooks: Audit trail for triggered hooks.';

CREATE OR REPLACE FUNCTION supabase_functions.http_request() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = supabase_functions
    AS $$
DECLARE
    url        text := TG_ARGV[0]::text;
    method     text := TG_ARGV[1]::text;
    headers    jsonb DEFAULT '{}'::jsonb;
    params     jsonb DEFAULT '{}'::jsonb;
    timeout_ms integer DEFAULT 1000;
    payload    jsonb;
BEGIN
    IF url IS NULL OR url = 'null' THEN
        RAISE EXCEPTION 'url argument is missing';
    END IF;
    IF method IS NULL OR method = 'null' THEN
        RAISE EXCEPTION 'method argument is missing';
    END IF;
    IF TG_ARGV[2] IS NULL OR TG_ARGV[2] = 'null' THEN
        headers := '{"Content-Type": "application/json"}'::jsonb;
    ELSE
        headers := TG_ARGV[2]::jsonb;
    END IF;
    IF TG_ARGV[3] IS NOT NULL AND TG_ARGV[3] <> 'null' THEN
        params := TG_ARGV[3]::jsonb;
    END IF;
    IF TG_ARGV[4] IS NOT NULL AND TG_ARGV[4] <> 'null' THEN
        timeout_ms := TG_ARGV[4]::integer;
    END IF;
    CASE method
        WHEN 'GET' THEN
            NULL;
        WHEN 'POST' THEN
            -- built as Supabase builds it, so a row that cannot be turned into JSON fails here too
            payload := jsonb_build_object('old_record', OLD, 'record', NEW, 'type', TG_OP,
                                          'table', TG_TABLE_NAME, 'schema', TG_TABLE_SCHEMA);
        ELSE
            RAISE EXCEPTION 'method argument % is invalid', method;
    END CASE;

    -- e2i-schema: no pg_net call, so no request id.
    INSERT INTO supabase_functions.hooks (hook_table_id, hook_name, request_id)
    VALUES (TG_RELID, TG_NAME, NULL);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION supabase_functions.http_request() IS
    'e2i-schema stand-in for Supabase Database Webhooks: records the call in supabase_functions.hooks, sends no request.';

ALTER TABLE supabase_functions.migrations OWNER TO supabase_functions_admin;
ALTER TABLE supabase_functions.hooks OWNER TO supabase_functions_admin;
ALTER FUNCTION supabase_functions.http_request() OWNER TO supabase_functions_admin;
GRANT ALL ON supabase_functions.migrations, supabase_functions.hooks TO postgres, anon, authenticated, service_role;
GRANT ALL ON SEQUENCE supabase_functions.hooks_id_seq TO postgres, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION supabase_functions.http_request() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION supabase_functions.http_request() TO postgres, anon, authenticated, service_role;

-- 9. graphql_public ------------------------------------------------------------------------
-- PostgREST's GraphQL endpoint calls graphql_public.graphql().  On Supabase it is a
-- placeholder answering "pg_graphql extension is not enabled." until pg_graphql is created,
-- when an event trigger replaces it with a call of graphql.resolve().  Here one function
-- does both: it calls graphql.resolve() when it exists (the real pg_graphql, or the
-- e2i-schema stand-in, whose resolve() raises feature_not_supported) and answers with the
-- placeholder error otherwise.

CREATE OR REPLACE FUNCTION graphql_public.graphql(
    "operationName" text DEFAULT NULL,
    query           text DEFAULT NULL,
    variables       jsonb DEFAULT NULL,
    extensions      jsonb DEFAULT NULL
) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
DECLARE
    result jsonb;
BEGIN
    -- pg_proc, not to_regprocedure(): the caller (anon, ...) may have no USAGE on graphql
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'graphql' AND p.proname = 'resolve') THEN
        RETURN jsonb_build_object('errors', jsonb_build_array(
            jsonb_build_object('message', 'pg_graphql extension is not enabled.')));
    END IF;
    EXECUTE 'SELECT graphql.resolve(query := $1, variables := $2, "operationName" := $3, extensions := $4)'
        INTO result
        USING query, coalesce(variables, '{}'), "operationName", extensions;
    RETURN result;
END
$$;
ALTER FUNCTION graphql_public.graphql(text, text, jsonb, jsonb) OWNER TO supabase_admin;
GRANT EXECUTE ON FUNCTION graphql_public.graphql(text, text, jsonb, jsonb)
    TO postgres, anon, authenticated, service_role;
