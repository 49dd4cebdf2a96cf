-- pytest-e2i-schema prelude "supabase": a stand-in for the Supabase platform schema.
--
-- THIS IS NOT SUPABASE.  It recreates, on a plain PostgreSQL server, the parts of a
-- Supabase database that a project's own migrations usually depend on, so that those
-- migrations can be applied and their schema, grants and row-level security tested:
--   * the API roles (anon, authenticated, service_role, authenticator) and a few platform
--     roles, with Supabase's grants and default privileges;
--   * the schemas extensions, auth, storage, vault and realtime;
--   * auth.users and auth.uid() / auth.role() / auth.email() / auth.jwt(), reading the
--     same request.jwt.* settings PostgREST sets (a test sets them itself, see below);
--   * storage.buckets, storage.objects and storage.foldername/filename/extension;
--   * vault.secrets and vault.decrypted_secrets WITHOUT ANY ENCRYPTION (see section 6);
--   * the empty publication supabase_realtime;
--   * search_path "$user", public, extensions for the database;
--   * the extensions uuid-ossp and pgcrypto in schema extensions.  On servers without
--     them the engine puts SQL stand-ins on extension_control_path (PostgreSQL 18+);
--     vector is installed separately by the "supabase_vector" prelude.
-- There is no GoTrue, PostgREST, Storage API, Realtime or pgsodium behind any of it, and
-- only auth.users of the auth tables exists.
--
-- Acting as a signed-in user in a test:
--     set role authenticated;
--     set request.jwt.claims = '{"sub": "<user uuid>", "role": "authenticated"}';
--
-- Run once per fresh database, as a superuser.  Roles are cluster-wide, so they are
-- created only when missing: several databases on one server each get this prelude.

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
END
$$;

-- 2. Schemas and the privileges every Supabase project starts with ------------------

CREATE SCHEMA IF NOT EXISTS extensions;
CREATE SCHEMA IF NOT EXISTS auth AUTHORIZATION supabase_auth_admin;
CREATE SCHEMA IF NOT EXISTS storage AUTHORIZATION supabase_storage_admin;
CREATE SCHEMA IF NOT EXISTS vault;
CREATE SCHEMA IF NOT EXISTS realtime;

GRANT USAGE ON SCHEMA public, extensions, auth, storage, realtime
    TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA extensions TO postgres, dashboard_user;
GRANT ALL ON SCHEMA auth TO postgres, dashboard_user;
GRANT ALL ON SCHEMA storage TO postgres, dashboard_user;
GRANT USAGE ON SCHEMA vault TO postgres;

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
-- real secret into a test database.

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
