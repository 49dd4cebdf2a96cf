-- e2i-schema stand-in for pg_net (https://github.com/supabase/pg_net).
--
-- NOT the real extension: no background worker, no network.  Like the real one it creates
-- schema net (whatever WITH SCHEMA says) with the same tables, types and functions.
-- net.http_get / net.http_post / net.http_delete raise feature_not_supported (0A000) by
-- default.  A test session that wants them to succeed (for example because a trigger on a
-- table calls net.http_post as a database webhook) can run
--     SET e2i_schema.pg_net = 'queue';
-- and the request is then only recorded in net.http_request_queue and its id returned;
-- nothing is ever sent and no row ever appears in net._http_response.

\echo Use "CREATE EXTENSION pg_net" to load this file. \quit

CREATE SCHEMA IF NOT EXISTS net;

CREATE DOMAIN net.http_method AS text
    CHECK (VALUE ILIKE 'get' OR VALUE ILIKE 'post' OR VALUE ILIKE 'delete');

-- Pending requests (the real background worker reads from here).
CREATE UNLOGGED TABLE net.http_request_queue (
    id                   bigserial,
    method               net.http_method NOT NULL,
    url                  text NOT NULL,
    headers              jsonb,
    body                 bytea,
    timeout_milliseconds int NOT NULL
);

-- Responses, keyed by request id.
CREATE UNLOGGED TABLE net._http_response (
    id           bigint,
    status_code  integer,
    content_type text,
    headers      jsonb,
    content      text,
    timed_out    bool,
    error_msg    text,
    created      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ON net._http_response (created);

CREATE TYPE net.request_status AS ENUM ('PENDING', 'SUCCESS', 'ERROR');

CREATE TYPE net.http_response AS (
    status_code integer,
    headers     jsonb,
    body        text
);

CREATE TYPE net.http_response_result AS (
    status   net.request_status,
    message  text,
    response net.http_response
);

-- URL helpers (C in the real extension; curl-style escaping: unreserved bytes pass,
-- everything else, space included, becomes %XX).
CREATE FUNCTION net._urlencode_string(string varchar) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT coalesce(pg_catalog.string_agg(
               CASE WHEN (b BETWEEN 48 AND 57) OR (b BETWEEN 65 AND 90) OR (b BETWEEN 97 AND 122)
                         OR b IN (45, 46, 95, 126) THEN pg_catalog.chr(b)
                    ELSE '%' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(b), 2, '0'))
               END, '' ORDER BY i), '')
    FROM (SELECT pg_catalog.convert_to($1, pg_catalog.getdatabaseencoding()) AS s) AS src,
         LATERAL pg_catalog.generate_series(0, pg_catalog.length(src.s) - 1) AS i,
         LATERAL pg_catalog.get_byte(src.s, i) AS b
$$;

CREATE FUNCTION net._encode_url_with_params_array(url text, params_array text[]) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE WHEN coalesce(pg_catalog.cardinality($2), 0) = 0 THEN $1
                ELSE $1 || CASE WHEN pg_catalog.strpos($1, '?') > 0 THEN '&' ELSE '?' END
                        || pg_catalog.array_to_string($2, '&')
           END
$$;

-- The one place that decides: raise (default) or only record the request.
CREATE FUNCTION net._e2i_enqueue(fn text, method text, url text, params jsonb, headers jsonb,
                                 body bytea, timeout_milliseconds int) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    request_id bigint;
BEGIN
    IF coalesce(pg_catalog.current_setting('e2i_schema.pg_net', true), '') <> 'queue' THEN
        RAISE EXCEPTION 'e2i-schema stand-in: net.%() makes no network calls in tests', fn
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'SET e2i_schema.pg_net = ''queue'' to only record requests in net.http_request_queue, '
                         'or run with an engine whose server has the real pg_net';
    END IF;
    INSERT INTO net.http_request_queue (method, url, headers, body, timeout_milliseconds)
    VALUES (method,
            net._encode_url_with_params_array(url,
                (SELECT pg_catalog.array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value))
                 FROM pg_catalog.jsonb_each_text(coalesce(params, '{}'::jsonb)))),
            headers, body, timeout_milliseconds)
    RETURNING id INTO request_id;
    RETURN request_id;
END
$$;

-- Public API ---------------------------------------------------------------------------

CREATE FUNCTION net.http_get(
    url                  text,
    params               jsonb DEFAULT '{}'::jsonb,
    headers              jsonb DEFAULT '{}'::jsonb,
    timeout_milliseconds int   DEFAULT 5000
) RETURNS bigint
    LANGUAGE sql
    AS $$ SELECT net._e2i_enqueue('http_get', 'GET', $1, $2, $3, NULL, $4) $$;

CREATE FUNCTION net.http_post(
    url                  text,
    body                 jsonb DEFAULT '{}'::jsonb,
    params               jsonb DEFAULT '{}'::jsonb,
    headers              jsonb DEFAULT '{"Content-Type": "application/json"}'::jsonb,
    timeout_milliseconds int   DEFAULT 5000
) RETURNS bigint
    LANGUAGE sql
    AS $$ SELECT net._e2i_enqueue('http_post', 'POST', $1, $3, $4,
                                  pg_catalog.convert_to($2::text, 'UTF8'), $5) $$;

CREATE FUNCTION net.http_delete(
    url                  text,
    params               jsonb DEFAULT '{}'::jsonb,
    headers              jsonb DEFAULT '{}'::jsonb,
    timeout_milliseconds int   DEFAULT 5000,
    body                 jsonb DEFAULT NULL
) RETURNS bigint
    LANGUAGE sql
    AS $$ SELECT net._e2i_enqueue('http_delete', 'DELETE', $1, $2, $3,
                                  pg_catalog.convert_to($5::text, 'UTF8'), $4) $$;

-- Reads net._http_response like the real one; with no worker nothing ever arrives there.
CREATE FUNCTION net._http_collect_response(request_id bigint, async bool DEFAULT true)
    RETURNS net.http_response_result
    LANGUAGE plpgsql
    AS $$
DECLARE
    rec net._http_response;
BEGIN
    IF NOT async THEN
        RAISE EXCEPTION 'e2i-schema stand-in: net.http_collect_response(async => false) would wait forever: no pg_net worker'
            USING ERRCODE = 'feature_not_supported';
    END IF;
    SELECT * INTO rec FROM net._http_response WHERE id = request_id;
    IF rec IS NULL OR rec.error_msg IS NOT NULL THEN
        RETURN ('ERROR', coalesce(rec.error_msg, 'request matching request_id not found'), NULL)::net.http_response_result;
    END IF;
    RETURN ('SUCCESS', 'ok', (rec.status_code, rec.headers, rec.content)::net.http_response)::net.http_response_result;
END
$$;

CREATE FUNCTION net.http_collect_response(request_id bigint, async bool DEFAULT true)
    RETURNS net.http_response_result
    LANGUAGE sql
    AS $$ SELECT net._http_collect_response($1, $2) $$;

-- Worker control: there is no worker.
CREATE FUNCTION net._await_response(request_id bigint) RETURNS bool
    LANGUAGE plpgsql
    AS $$ BEGIN
    RAISE EXCEPTION 'e2i-schema stand-in: no pg_net worker, request % will never complete', request_id
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION net.check_worker_is_up() RETURNS void
    LANGUAGE plpgsql
    AS $$ BEGIN
    RAISE EXCEPTION 'the pg_net background worker is not up'
        USING ERRCODE = 'feature_not_supported',
              DETAIL = 'this pg_net is an e2i-schema stand-in without a background worker';
END $$;

CREATE FUNCTION net.worker_restart() RETURNS bool
    LANGUAGE sql
    AS $$ SELECT false $$;

CREATE FUNCTION net.wake() RETURNS void
    LANGUAGE sql
    AS $$ SELECT $$;

CREATE FUNCTION net.wait_until_running() RETURNS void
    LANGUAGE plpgsql
    AS $$ BEGIN
    RAISE EXCEPTION 'e2i-schema stand-in: there is no pg_net worker to wait for'
        USING ERRCODE = 'feature_not_supported';
END $$;

GRANT USAGE ON SCHEMA net TO PUBLIC;
GRANT ALL ON ALL SEQUENCES IN SCHEMA net TO PUBLIC;
GRANT ALL ON ALL TABLES IN SCHEMA net TO PUBLIC;
