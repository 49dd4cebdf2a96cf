-- e2i-schema stand-in for http 1.6 (https://github.com/pramsey/pgsql-http).
--
-- NOT the real extension: the same domains, composite types and function signatures, so
-- migrations that create the extension, use its types in tables or wrap its functions in
-- their own functions apply unchanged.  Anything that would make an HTTP request raises
-- feature_not_supported (0A000): tests never touch the network.  The pure helpers work:
-- http_header(), urlencode() (same output as the C code), text_to_bytea(), bytea_to_text().
-- The curl option functions accept and forget their settings.
--
-- Not relocatable, like the real extension: bodies refer to @extschema@.

\echo Use "CREATE EXTENSION http" to load this file. \quit

CREATE DOMAIN http_method AS text;

CREATE DOMAIN content_type AS text
    CHECK (VALUE ~ '^\S+\/\S+');

CREATE TYPE http_header AS (
    field varchar,
    value varchar
);

CREATE TYPE http_response AS (
    status       integer,
    content_type varchar,
    headers      http_header[],
    content      varchar
);

CREATE TYPE http_request AS (
    method       http_method,
    uri          varchar,
    headers      http_header[],
    content_type varchar,
    content      varchar
);

-- The one place that refuses: every request function ends up here.
CREATE FUNCTION _e2i_no_network(fn text) RETURNS @extschema@.http_response
    LANGUAGE plpgsql
    AS $$ BEGIN
    RAISE EXCEPTION 'e2i-schema stand-in: %() makes no network calls in tests', fn
        USING ERRCODE = 'feature_not_supported',
              HINT = 'the http extension here is a stand-in; run with an engine whose server has the real http extension to make requests';
END $$;

-- curl options: accepted and ignored ------------------------------------------------

CREATE FUNCTION http_set_curlopt(curlopt varchar, value varchar) RETURNS boolean
    LANGUAGE sql
    AS $$ SELECT true $$;

CREATE FUNCTION http_reset_curlopt() RETURNS boolean
    LANGUAGE sql
    AS $$ SELECT true $$;

CREATE FUNCTION http_list_curlopt() RETURNS TABLE (curlopt text, value text)
    LANGUAGE sql
    AS $$ SELECT NULL::text, NULL::text WHERE false $$;

-- helpers that work -------------------------------------------------------------------

CREATE FUNCTION http_header(field varchar, value varchar) RETURNS http_header
    LANGUAGE sql
    AS $$ SELECT $1, $2 $$;

-- Like the C code: bytes A-Z a-z 0-9 - . _ ~ pass, space becomes '+', every other byte
-- (of the UTF-8 / database-encoding form) becomes %XX; stops at a NUL byte.
CREATE FUNCTION urlencode(string bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$
    SELECT coalesce(pg_catalog.string_agg(
               CASE WHEN b = 32 THEN '+'
                    WHEN (b BETWEEN 48 AND 57) OR (b BETWEEN 65 AND 90) OR (b BETWEEN 97 AND 122)
                         OR b IN (45, 46, 95, 126) THEN pg_catalog.chr(b)
                    ELSE '%' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(b), 2, '0'))
               END, '' ORDER BY i), '')
    FROM (SELECT pg_catalog.position($1, pg_catalog.decode('00', 'hex')) AS nul) AS p,
         LATERAL pg_catalog.generate_series(
             0, CASE WHEN p.nul > 0 THEN p.nul - 1 ELSE pg_catalog.length($1) END - 1) AS i,
         LATERAL pg_catalog.get_byte($1, i) AS b
$$;

CREATE FUNCTION urlencode(string varchar) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT @extschema@.urlencode(pg_catalog.convert_to($1, pg_catalog.getdatabaseencoding())) $$;

-- key=value&... over the top-level keys in jsonb order; empty keys and nested values are
-- skipped, null becomes an empty value, numbers are normalised (1.50 -> 1.5); NULL when
-- nothing is left.
CREATE FUNCTION urlencode(data jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$
    SELECT pg_catalog.string_agg(
               @extschema@.urlencode(key::varchar) || '=' || @extschema@.urlencode(
                   CASE pg_catalog.jsonb_typeof(value)
                       WHEN 'null'   THEN ''
                       WHEN 'number' THEN pg_catalog.trim_scale((value #>> '{}')::numeric)::text
                       ELSE value #>> '{}'
                   END::varchar),
               '&' ORDER BY ord)
    FROM pg_catalog.jsonb_each($1) WITH ORDINALITY AS kv(key, value, ord)
    WHERE key <> '' AND pg_catalog.jsonb_typeof(value) NOT IN ('object', 'array')
$$;

CREATE FUNCTION text_to_bytea(data text) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT pg_catalog.convert_to($1, pg_catalog.getdatabaseencoding()) $$;

CREATE FUNCTION bytea_to_text(data bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT pg_catalog.convert_from($1, pg_catalog.getdatabaseencoding()) $$;

-- requests: all raise --------------------------------------------------------------

CREATE FUNCTION http(request @extschema@.http_request) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http') $$;

CREATE FUNCTION http_get(uri varchar) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http_get') $$;

CREATE FUNCTION http_get(uri varchar, data jsonb) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http_get') $$;

CREATE FUNCTION http_post(uri varchar, content varchar, content_type varchar) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http_post') $$;

CREATE FUNCTION http_post(uri varchar, data jsonb) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http_post') $$;

CREATE FUNCTION http_put(uri varchar, content varchar, content_type varchar) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http_put') $$;

CREATE FUNCTION http_patch(uri varchar, content varchar, content_type varchar) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http_patch') $$;

CREATE FUNCTION http_delete(uri varchar) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http_delete') $$;

CREATE FUNCTION http_delete(uri varchar, content varchar, content_type varchar) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http_delete') $$;

CREATE FUNCTION http_head(uri varchar) RETURNS http_response
    LANGUAGE sql
    AS $$ SELECT @extschema@._e2i_no_network('http_head') $$;
