-- e2i-schema stand-in for uuid-ossp 1.1: the same functions, written in SQL and PL/pgSQL.
--
-- NOT the real extension.  What differs:
--   * uuid_generate_v1() and uuid_generate_v1mc() are both RFC 4122 version-1 UUIDs built
--     from clock_timestamp() with a random clock sequence and a random node that has the
--     multicast bit set (that is exactly what the real v1mc does; the real v1 uses the
--     host's MAC address, which SQL cannot read).
--   * uuid_generate_v3() / uuid_generate_v5() give the same values as the real extension
--     (MD5 / SHA-1 name-based UUIDs); SHA-1 is computed in PL/pgSQL because core
--     PostgreSQL has sha224..sha512 but no sha1(), so v5 is slower (fine for tests).
--   * uuid_generate_v4() is core gen_random_uuid().
--
-- The extension is relocatable like the real one, so no function here calls another
-- function of this extension (there is no reliable way to name our own schema after
-- ALTER EXTENSION ... SET SCHEMA); everything else is schema-qualified to pg_catalog.

\echo Use "CREATE EXTENSION \"uuid-ossp\"" to load this file. \quit

-- Constants --------------------------------------------------------------------------

CREATE FUNCTION uuid_nil() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid $$;

CREATE FUNCTION uuid_ns_dns() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::pg_catalog.uuid $$;

CREATE FUNCTION uuid_ns_url() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::pg_catalog.uuid $$;

CREATE FUNCTION uuid_ns_oid() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::pg_catalog.uuid $$;

CREATE FUNCTION uuid_ns_x500() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::pg_catalog.uuid $$;

-- Version 1 (time-based) -------------------------------------------------------------
--
-- 60-bit timestamp = 100 ns intervals since 1582-10-15 (122192928000000000 of them
-- before the Unix epoch).  clock_timestamp() has microsecond resolution, so a random
-- 0..9 fills the last digit; the 14-bit clock sequence and 47-bit node are random
-- (bytes of a fresh gen_random_uuid(), which come from the server's strong RNG).

CREATE FUNCTION uuid_generate_v1() RETURNS uuid
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$
DECLARE
    ts   bigint := (pg_catalog.extract('epoch', pg_catalog.clock_timestamp()) * 10000000)::bigint
                   + 122192928000000000 + pg_catalog.floor(pg_catalog.random() * 10)::bigint;
    rnd  bytea  := pg_catalog.uuid_send(pg_catalog.gen_random_uuid());
    seq  int    := ((pg_catalog.get_byte(rnd, 0) << 8) | pg_catalog.get_byte(rnd, 1)) & 16383;
BEGIN
    rnd := pg_catalog.set_byte(rnd, 10, pg_catalog.get_byte(rnd, 10) | 1);   -- multicast bit
    RETURN (  pg_catalog.lpad(pg_catalog.to_hex(ts & 4294967295), 8, '0')              -- time_low
           || pg_catalog.lpad(pg_catalog.to_hex((ts >> 32) & 65535), 4, '0')           -- time_mid
           || pg_catalog.lpad(pg_catalog.to_hex(((ts >> 48) & 4095) | 4096), 4, '0')   -- version 1
           || pg_catalog.lpad(pg_catalog.to_hex((seq >> 8) | 128), 2, '0')             -- variant 10
           || pg_catalog.lpad(pg_catalog.to_hex(seq & 255), 2, '0')
           || pg_catalog.encode(pg_catalog.substr(rnd, 11, 6), 'hex')                  -- node
           )::pg_catalog.uuid;
END
$$;

-- Same as uuid_generate_v1() above (see the header): random multicast node.
CREATE FUNCTION uuid_generate_v1mc() RETURNS uuid
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$
DECLARE
    ts   bigint := (pg_catalog.extract('epoch', pg_catalog.clock_timestamp()) * 10000000)::bigint
                   + 122192928000000000 + pg_catalog.floor(pg_catalog.random() * 10)::bigint;
    rnd  bytea  := pg_catalog.uuid_send(pg_catalog.gen_random_uuid());
    seq  int    := ((pg_catalog.get_byte(rnd, 0) << 8) | pg_catalog.get_byte(rnd, 1)) & 16383;
BEGIN
    rnd := pg_catalog.set_byte(rnd, 10, pg_catalog.get_byte(rnd, 10) | 1);   -- multicast bit
    RETURN (  pg_catalog.lpad(pg_catalog.to_hex(ts & 4294967295), 8, '0')
           || pg_catalog.lpad(pg_catalog.to_hex((ts >> 32) & 65535), 4, '0')
           || pg_catalog.lpad(pg_catalog.to_hex(((ts >> 48) & 4095) | 4096), 4, '0')
           || pg_catalog.lpad(pg_catalog.to_hex((seq >> 8) | 128), 2, '0')
           || pg_catalog.lpad(pg_catalog.to_hex(seq & 255), 2, '0')
           || pg_catalog.encode(pg_catalog.substr(rnd, 11, 6), 'hex')
           )::pg_catalog.uuid;
END
$$;

-- Version 3 (MD5, name-based) --------------------------------------------------------
-- md5(namespace bytes || name bytes), then version nibble 3 and variant bits 10.
-- The name is hashed as its bytes in the database encoding, like the C code does.

CREATE FUNCTION uuid_generate_v3(namespace uuid, name text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT pg_catalog.encode(
               pg_catalog.set_byte(
                   pg_catalog.set_byte(h, 6, (pg_catalog.get_byte(h, 6) & 15) | 48),
                   8, (pg_catalog.get_byte(h, 8) & 63) | 128),
               'hex')::pg_catalog.uuid
    FROM (SELECT pg_catalog.decode(
                     pg_catalog.md5(pg_catalog.uuid_send($1)
                                    || pg_catalog.convert_to($2, pg_catalog.getdatabaseencoding())),
                     'hex') AS h) AS s
$$;

-- Version 4 (random) -----------------------------------------------------------------

CREATE FUNCTION uuid_generate_v4() RETURNS uuid
    LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
    AS $$ SELECT pg_catalog.gen_random_uuid() $$;

-- Version 5 (SHA-1, name-based) ------------------------------------------------------
-- First 16 bytes of sha1(namespace bytes || name bytes), version nibble 5, variant 10.
-- SHA-1 (FIPS 180-4) on 32-bit words kept in bigint and masked with 4294967295.

CREATE FUNCTION uuid_generate_v5(namespace uuid, name text) RETURNS uuid
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    m   CONSTANT bigint := 4294967295;                       -- 0xFFFFFFFF
    msg bytea := pg_catalog.uuid_send(namespace)
                 || pg_catalog.convert_to(name, pg_catalog.getdatabaseencoding());
    len bigint := pg_catalog.length(msg);
    h0  bigint := 1732584193;                                -- 0x67452301
    h1  bigint := 4023233417;                                -- 0xEFCDAB89
    h2  bigint := 2562383102;                                -- 0x98BADCFE
    h3  bigint := 271733878;                                 -- 0x10325476
    h4  bigint := 3285377520;                                -- 0xC3D2E1F0
    w   bigint[];
    a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; k bigint; t bigint;
    o   int;
    h   bytea;
BEGIN
    -- padding: 0x80, zeros up to 56 mod 64, then the bit length as a 64-bit big-endian int
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
    -- the UUID takes the first 128 of the 160 digest bits
    h := pg_catalog.decode(pg_catalog.lpad(pg_catalog.to_hex(h0), 8, '0') || pg_catalog.lpad(pg_catalog.to_hex(h1), 8, '0')
                        || pg_catalog.lpad(pg_catalog.to_hex(h2), 8, '0') || pg_catalog.lpad(pg_catalog.to_hex(h3), 8, '0'), 'hex');
    h := pg_catalog.set_byte(h, 6, (pg_catalog.get_byte(h, 6) & 15) | 80);    -- version 5
    h := pg_catalog.set_byte(h, 8, (pg_catalog.get_byte(h, 8) & 63) | 128);   -- variant 10
    RETURN pg_catalog.encode(h, 'hex')::pg_catalog.uuid;
END
$$;
