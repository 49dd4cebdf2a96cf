-- e2i-schema stand-in for supabase_vault 0.3 (https://github.com/supabase/vault).
--
-- NOT ENCRYPTION.  Vault encrypts vault.secrets.secret with libsodium and decrypts it in
-- the view vault.decrypted_secrets; here the secret is stored as plain text and
-- decrypted_secret is a copy of it.  Never put a real secret into a test database.
--
-- Why it exists: `supabase db pull` writes
--     create extension if not exists "supabase_vault" with schema "vault";
-- and the supabase prelude already creates vault.secrets, vault.decrypted_secrets,
-- vault.create_secret() and vault.update_secret() (same shapes) outside any extension,
-- because migrations use them whether or not they create the extension.  So this script
-- creates each of those objects only where it is MISSING:
--   * after the supabase prelude it creates nothing: CREATE EXTENSION succeeds, the
--     extension is recorded (and reported as a stand-in), and the prelude's objects stay
--     prelude objects;
--   * without the prelude it creates them all, as members of the extension, with the same
--     definitions as the prelude.
-- Like the real extension it must live in schema vault (schema = vault in the control
-- file: created when missing).  Vault's internal C functions (vault._crypto_aead_det_*)
-- are not provided.

\echo Use "CREATE EXTENSION supabase_vault" to load this file. \quit

DO $do$
BEGIN
    IF pg_catalog.to_regclass('vault.secrets') IS NULL THEN
        CREATE TABLE vault.secrets (
            id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            name        text,
            description text NOT NULL DEFAULT '',
            secret      text NOT NULL,
            key_id      uuid,
            nonce       bytea,
            created_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
            updated_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
        );
        CREATE UNIQUE INDEX secrets_name_idx ON vault.secrets (name) WHERE name IS NOT NULL;
        COMMENT ON TABLE vault.secrets IS 'e2i-schema stand-in for Supabase Vault: secrets are stored UNENCRYPTED.';
        REVOKE ALL ON vault.secrets FROM PUBLIC;
        PERFORM pg_catalog.pg_extension_config_dump('vault.secrets', '');
    END IF;

    IF pg_catalog.to_regclass('vault.decrypted_secrets') IS NULL THEN
        CREATE VIEW vault.decrypted_secrets AS
        SELECT s.id,
               s.name,
               s.description,
               s.secret,
               s.secret AS decrypted_secret,        -- stand-in: nothing was encrypted
               s.key_id,
               s.nonce,
               s.created_at,
               s.updated_at
        FROM vault.secrets s;
        REVOKE ALL ON vault.decrypted_secrets FROM PUBLIC;
    END IF;

    IF pg_catalog.to_regprocedure('vault.create_secret(text, text, text, uuid)') IS NULL THEN
        CREATE FUNCTION vault.create_secret(
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
        REVOKE ALL ON FUNCTION vault.create_secret(text, text, text, uuid) FROM PUBLIC;
    END IF;

    IF pg_catalog.to_regprocedure('vault.update_secret(uuid, text, text, text, uuid)') IS NULL THEN
        CREATE FUNCTION vault.update_secret(
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
        REVOKE ALL ON FUNCTION vault.update_secret(uuid, text, text, text, uuid) FROM PUBLIC;
    END IF;

    -- Supabase grants these to postgres (the role migrations run as); only where it exists.
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres') THEN
        GRANT USAGE ON SCHEMA vault TO postgres;
        GRANT SELECT, DELETE ON vault.secrets, vault.decrypted_secrets TO postgres;
        GRANT EXECUTE ON FUNCTION vault.create_secret(text, text, text, uuid),
                                  vault.update_secret(uuid, text, text, text, uuid) TO postgres;
    END IF;
END
$do$;
