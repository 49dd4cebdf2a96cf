-- e2i-schema stand-in for pgcrypto 1.3: the same function signatures, in SQL and PL/pgSQL.
--
-- NOT the real extension.  What works, with the same results as the real pgcrypto:
--   * digest(data, type) and hmac(data, key, type) for md5, sha1, sha224, sha256, sha384
--     and sha512 (also spelled sha-1, sha-256, ...; case-insensitive).  md5 and sha2 use
--     core functions; SHA-1 is written out in PL/pgSQL (core has no sha1()), so sha1 is
--     slower.  HMAC follows RFC 2104 (block size 64 bytes, 128 for sha384/sha512).
--   * gen_random_bytes(n), 1 <= n <= 1024: bytes of core gen_random_uuid(), which come from
--     the server's strong random source (pg_strong_random); only the 122 random bits of each
--     UUID are used, never its fixed version/variant bits.
--   * gen_random_uuid(): core pg_catalog.gen_random_uuid(); the real pgcrypto 1.3 also
--     defines it in its own schema, so schema-qualified calls keep working.
-- What does not: crypt(), gen_salt(), encrypt()/decrypt() and the pgp_* / armor functions
-- exist with the real signatures but raise feature_not_supported (0A000) when called.
--
-- The extension is relocatable like the real one.  Functions that need another function of
-- this extension look up the extension's current schema in pg_extension at call time, so
-- they keep working after ALTER EXTENSION pgcrypto SET SCHEMA.

\echo Use "CREATE EXTENSION pgcrypto" to load this file. \quit

-- digest -----------------------------------------------------------------------------

CREATE FUNCTION digest(bytea, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    alg text := pg_catalog.lower($2);
    m   CONSTANT bigint := 4294967295;                       -- 0xFFFFFFFF
    msg bytea := $1;
    len bigint := pg_catalog.length($1);
    h0  bigint := 1732584193;                                -- 0x67452301
    h1  bigint := 4023233417;                                -- 0xEFCDAB89
    h2  bigint := 2562383102;                                -- 0x98BADCFE
    h3  bigint := 271733878;                                 -- 0x10325476
    h4  bigint := 3285377520;                                -- 0xC3D2E1F0
    w   bigint[];
    a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; k bigint; t bigint;
    o   int;
BEGIN
    IF alg LIKE 'sha-%' THEN
        alg := 'sha' || pg_catalog.substr(alg, 5);
    END IF;
    CASE alg
        WHEN 'md5'    THEN RETURN pg_catalog.decode(pg_catalog.md5($1), 'hex');
        WHEN 'sha224' THEN RETURN pg_catalog.sha224($1);
        WHEN 'sha256' THEN RETURN pg_catalog.sha256($1);
        WHEN 'sha384' THEN RETURN pg_catalog.sha384($1);
        WHEN 'sha512' THEN RETURN pg_catalog.sha512($1);
        WHEN 'sha1'   THEN NULL;                             -- computed below
        ELSE
            RAISE EXCEPTION 'Cannot use "%": No such hash algorithm', $2
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'the e2i-schema pgcrypto stand-in knows md5, sha1, sha224, sha256, sha384 and sha512';
    END CASE;

    -- SHA-1 (FIPS 180-4) on 32-bit words kept in bigint and masked with 0xFFFFFFFF.
    -- Padding: 0x80, zeros up to 56 mod 64, then the bit length as a 64-bit big-endian int.
    msg := msg || pg_catalog.decode('80', 'hex')
               || pg_catalog.decode(pg_catalog.repeat('00', (((55 - len) % 64 + 64) % 64)::int), 'hex')
               || pg_catalog.int8send(len * 8);
    FOR blk IN 0 .. pg_catalog.length(msg) / 64 - 1 LOOP
        o := blk * 64;
        FOR i IN 0 .. 15 LOOP
            w[i] := (pg_catalog.get_byte(msg, o + 4 * i)::bigint << 24)
                  | (pg_catalog.get_byte(msg, o + 4 * i + 1)::bigint << 16)
                  | (pg_catalog.get_byte(msg, o + 4 * i + 2)::bigint << 8)
                  |  pg_catalog.get_byte(msg, o + 4 * i + 3)::bigint;
        END LOOP;
        FOR i IN 16 .. 79 LOOP
            t := w[i - 3] # w[i - 8] # w[i - 14] # w[i - 16];
            w[i] := ((t << 1) | (t >> 31)) & m;
        END LOOP;
        a := h0; b := h1; c := h2; d := h3; e := h4;
        FOR i IN 0 .. 79 LOOP
            IF i < 20 THEN
                f := (b & c) | ((b # m) & d);        k := 1518500249;   -- 0x5A827999
            ELSIF i < 40 THEN
                f := b # c # d;                      k := 1859775393;   -- 0x6ED9EBA1
            ELSIF i < 60 THEN
                f := (b & c) | (b & d) | (c & d);    k := 2400959708;   -- 0x8F1BBCDC
            ELSE
                f := b # c # d;                      k := 3395469782;   -- 0xCA62C1D6
            END IF;
            t := ((((a << 5) | (a >> 27)) & m) + f + e + k + w[i]) & m;
            e := d; d := c; c := ((b << 30) | (b >> 2)) & m; b := a; a := t;
        END LOOP;
        h0 := (h0 + a) & m; h1 := (h1 + b) & m; h2 := (h2 + c) & m;
        h3 := (h3 + d) & m; h4 := (h4 + e) & m;
    END LOOP;
    RETURN pg_catalog.decode(pg_catalog.lpad(pg_catalog.to_hex(h0), 8, '0') || pg_catalog.lpad(pg_catalog.to_hex(h1), 8, '0')
                          || pg_catalog.lpad(pg_catalog.to_hex(h2), 8, '0') || pg_catalog.lpad(pg_catalog.to_hex(h3), 8, '0')
                          || pg_catalog.lpad(pg_catalog.to_hex(h4), 8, '0'), 'hex');
END
$$;

-- Text is hashed as its bytes in the database encoding, like the C code does.
CREATE FUNCTION digest(text, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    r bytea;
BEGIN
    EXECUTE pg_catalog.format('SELECT %s.digest($1, $2)',
                (SELECT e.extnamespace::pg_catalog.regnamespace FROM pg_catalog.pg_extension e
                  WHERE e.extname = 'pgcrypto'))
        INTO r USING pg_catalog.convert_to($1, pg_catalog.getdatabaseencoding()), $2;
    RETURN r;
END
$$;

-- hmac (RFC 2104) --------------------------------------------------------------------

CREATE FUNCTION hmac(bytea, bytea, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    hash  text := pg_catalog.format('SELECT %s.digest($1, $2)',
                      (SELECT e.extnamespace::pg_catalog.regnamespace FROM pg_catalog.pg_extension e
                        WHERE e.extname = 'pgcrypto'));
    alg   text := pg_catalog.replace(pg_catalog.lower($3), 'sha-', 'sha');
    bs    int;
    key   bytea := $2;
    ipad  bytea;
    opad  bytea;
    ihash bytea;
    r     bytea;
BEGIN
    bs := CASE WHEN alg IN ('sha384', 'sha512') THEN 128 ELSE 64 END;
    IF pg_catalog.length(key) > bs THEN                      -- long keys are hashed first
        EXECUTE hash INTO key USING key, $3;
    END IF;
    key := key || pg_catalog.decode(pg_catalog.repeat('00', bs - pg_catalog.length(key)), 'hex');
    ipad := key;
    opad := key;
    FOR i IN 0 .. bs - 1 LOOP
        ipad := pg_catalog.set_byte(ipad, i, pg_catalog.get_byte(key, i) # 54);   -- 0x36
        opad := pg_catalog.set_byte(opad, i, pg_catalog.get_byte(key, i) # 92);   -- 0x5c
    END LOOP;
    EXECUTE hash INTO ihash USING ipad || $1, $3;
    EXECUTE hash INTO r USING opad || ihash, $3;
    RETURN r;
END
$$;

CREATE FUNCTION hmac(text, text, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    r bytea;
BEGIN
    EXECUTE pg_catalog.format('SELECT %s.hmac($1, $2, $3)',
                (SELECT e.extnamespace::pg_catalog.regnamespace FROM pg_catalog.pg_extension e
                  WHERE e.extname = 'pgcrypto'))
        INTO r USING pg_catalog.convert_to($1, pg_catalog.getdatabaseencoding()),
                     pg_catalog.convert_to($2, pg_catalog.getdatabaseencoding()), $3;
    RETURN r;
END
$$;

-- random -----------------------------------------------------------------------------

-- Each gen_random_uuid() carries 122 random bits: bytes 1-6, 8 and 10-16 (1-based) are
-- fully random; bytes 7 and 9 hold the version and variant bits and are skipped.
CREATE FUNCTION gen_random_bytes(integer) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$
DECLARE
    buf bytea := ''::bytea;
    u   bytea;
BEGIN
    IF $1 < 1 OR $1 > 1024 THEN
        RAISE EXCEPTION 'Length not in range' USING ERRCODE = 'external_routine_invocation_exception';
    END IF;
    WHILE pg_catalog.length(buf) < $1 LOOP
        u := pg_catalog.uuid_send(pg_catalog.gen_random_uuid());
        buf := buf || pg_catalog.substr(u, 1, 6) || pg_catalog.substr(u, 8, 1) || pg_catalog.substr(u, 10, 7);
    END LOOP;
    RETURN pg_catalog.substr(buf, 1, $1);
END
$$;

CREATE FUNCTION gen_random_uuid() RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL SAFE
    AS $$ SELECT pg_catalog.gen_random_uuid() $$;

-- Not available: same signatures as the real pgcrypto, but calling them raises -------

CREATE FUNCTION crypt(text, text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'crypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION gen_salt(text) RETURNS text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'gen_salt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION gen_salt(text, integer) RETURNS text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'gen_salt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION encrypt(bytea, bytea, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'encrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION decrypt(bytea, bytea, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'decrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION encrypt_iv(bytea, bytea, bytea, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'encrypt_iv() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION decrypt_iv(bytea, bytea, bytea, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'decrypt_iv() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_sym_encrypt(text, text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_sym_encrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_sym_encrypt_bytea(bytea, text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_sym_encrypt_bytea() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_sym_encrypt(text, text, text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_sym_encrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_sym_encrypt_bytea(bytea, text, text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_sym_encrypt_bytea() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_sym_decrypt(bytea, text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_sym_decrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_sym_decrypt_bytea(bytea, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_sym_decrypt_bytea() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_sym_decrypt(bytea, text, text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_sym_decrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_sym_decrypt_bytea(bytea, text, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_sym_decrypt_bytea() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_encrypt(text, bytea) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_encrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_encrypt_bytea(bytea, bytea) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_encrypt_bytea() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_encrypt(text, bytea, text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_encrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_encrypt_bytea(bytea, bytea, text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_encrypt_bytea() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_decrypt(bytea, bytea) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_decrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_decrypt_bytea(bytea, bytea) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_decrypt_bytea() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_decrypt(bytea, bytea, text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_decrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_decrypt_bytea(bytea, bytea, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_decrypt_bytea() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_decrypt(bytea, bytea, text, text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_decrypt() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_pub_decrypt_bytea(bytea, bytea, text, text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_pub_decrypt_bytea() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_key_id(bytea) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_key_id() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION armor(bytea) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'armor() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION armor(bytea, text[], text[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'armor() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION dearmor(text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'dearmor() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION pgp_armor_headers(text, OUT key text, OUT value text) RETURNS SETOF record
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'pgp_armor_headers() is not available in the e2i-schema pgcrypto stand-in; run with an engine whose server has the real pgcrypto (--e2i-engine local/docker)'
        USING ERRCODE = 'feature_not_supported';
END $$;
