-- e2i-schema stand-in for pgjwt 0.2.0 (https://github.com/michelp/pgjwt).
--
-- pgjwt is pure SQL upstream (MIT License, Copyright (c) Michel Pelletier); this file has
-- the same functions, signatures and results, written for the stand-in set:
--   url_encode(bytea) -> text          base64url without padding
--   url_decode(text) -> bytea          base64url, padding optional
--   algorithm_sign(signables text, secret text, algorithm text) -> text
--                                      HS256 / HS384 / HS512 (HMAC-SHA2); any other
--                                      algorithm raises, as upstream (pgcrypto's hmac)
--   sign(payload json, secret text, algorithm text DEFAULT 'HS256') -> text
--                                      header {"alg":"<algorithm>","typ":"JWT"}, the
--                                      payload's JSON text as written (json, not jsonb)
--   verify(token text, secret text, algorithm text DEFAULT 'HS256')
--       -> TABLE(header json, payload json, valid boolean)
--                                      valid = signature matches and now() lies in
--                                      [nbf, exp) when those claims are present
--   try_cast_double(text) -> double precision   NULL when not a number
-- The only difference: upstream calls @extschema@.hmac, i.e. it needs pgcrypto in the same
-- schema; here hmac is taken from wherever pgcrypto is installed (@extschema:pgcrypto@,
-- PostgreSQL 16+; stand-ins exist on 18+ only).  HMAC comes from pgcrypto -- the real one,
-- or the e2i-schema pgcrypto stand-in, whose hmac is exact.

\echo Use "CREATE EXTENSION pgjwt" to load this file. \quit

CREATE FUNCTION @extschema@.url_encode(data bytea) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT pg_catalog.translate(pg_catalog.encode(data, 'base64'), E'+/=\n', '-_');
$$;

CREATE FUNCTION @extschema@.url_decode(data text) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$
    WITH t AS (SELECT pg_catalog.translate(data, '-_', '+/') AS s)
    SELECT pg_catalog.decode(
        t.s || pg_catalog.repeat('=', (4 - pg_catalog.length(t.s) % 4) % 4),
        'base64')
    FROM t;
$$;

CREATE FUNCTION @extschema@.algorithm_sign(signables text, secret text, algorithm text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT @extschema@.url_encode(@extschema:pgcrypto@.hmac(
        signables, secret,
        CASE algorithm
            WHEN 'HS256' THEN 'sha256'
            WHEN 'HS384' THEN 'sha384'
            WHEN 'HS512' THEN 'sha512'
            ELSE ''                                   -- hmac raises, as upstream
        END));
$$;

CREATE FUNCTION @extschema@.sign(payload json, secret text, algorithm text DEFAULT 'HS256') RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    WITH signables AS (
        SELECT @extschema@.url_encode(pg_catalog.convert_to('{"alg":"' || algorithm || '","typ":"JWT"}', 'utf8'))
               || '.' ||
               @extschema@.url_encode(pg_catalog.convert_to(payload::text, 'utf8')) AS data
    )
    SELECT signables.data || '.' || @extschema@.algorithm_sign(signables.data, secret, algorithm)
    FROM signables;
$$;

CREATE FUNCTION @extschema@.try_cast_double(inp text) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    BEGIN
        RETURN inp::double precision;
    EXCEPTION WHEN OTHERS THEN
        RETURN NULL;
    END;
END
$$;

CREATE FUNCTION @extschema@.verify(token text, secret text, algorithm text DEFAULT 'HS256')
    RETURNS TABLE(header json, payload json, valid boolean)
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT jwt.header,
           jwt.payload,
           jwt.signature_ok AND pg_catalog.tstzrange(
               pg_catalog.to_timestamp(@extschema@.try_cast_double(jwt.payload ->> 'nbf')),
               pg_catalog.to_timestamp(@extschema@.try_cast_double(jwt.payload ->> 'exp'))
           ) @> CURRENT_TIMESTAMP AS valid
    FROM (
        SELECT pg_catalog.convert_from(@extschema@.url_decode(r[1]), 'utf8')::json AS header,
               pg_catalog.convert_from(@extschema@.url_decode(r[2]), 'utf8')::json AS payload,
               r[3] = @extschema@.algorithm_sign(r[1] || '.' || r[2], secret, algorithm) AS signature_ok
        FROM pg_catalog.regexp_split_to_array(token, '\.') AS r
    ) AS jwt;
$$;
