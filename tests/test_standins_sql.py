"""The SQL-only extension stand-ins against a real PostgreSQL 18 (the embedded engine).

Expected values were computed by the real pgcrypto 1.3 and uuid-ossp 1.1 (Debian
PostgreSQL 15); the stand-ins must reproduce them exactly.  Also checked: the stand-ins are
found through the engine's extension_control_path, say what they are in \\dx, raise
feature_not_supported where the real extension would do crypto or network I/O, and the
supabase prelude runs on top of them with working RLS helpers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from pathlib import Path

import psycopg
import pytest

from pytest_e2i_schema.engines.embedded import EmbeddedEngine
from pytest_e2i_schema.preludes import prelude_path
from pytest_e2i_schema.standins import (
    COMMENT_PREFIX, EXTENSION_DIR, STANDIN_NAMES, STANDINS_DIR, control_path_setting, standin_note,
)

# (function, args, hex digest / uuid) -- outputs of the real extensions
VECTORS = [
    ('digest', ('', 'md5'), 'd41d8cd98f00b204e9800998ecf8427e'),
    ('digest', ('', 'sha1'), 'da39a3ee5e6b4b0d3255bfef95601890afd80709'),
    ('digest', ('', 'sha224'), 'd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f'),
    ('digest', ('', 'sha256'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    ('digest', ('', 'sha384'), '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b'),
    ('digest', ('', 'sha512'), 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'),
    ('digest', ('', 'SHA-1'), 'da39a3ee5e6b4b0d3255bfef95601890afd80709'),
    ('digest', ('abc', 'md5'), '900150983cd24fb0d6963f7d28e17f72'),
    ('digest', ('abc', 'sha1'), 'a9993e364706816aba3e25717850c26c9cd0d89d'),
    ('digest', ('abc', 'sha224'), '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7'),
    ('digest', ('abc', 'sha256'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
    ('digest', ('abc', 'sha384'), 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'),
    ('digest', ('abc', 'sha512'), 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'),
    ('digest', ('abc', 'SHA-1'), 'a9993e364706816aba3e25717850c26c9cd0d89d'),
    ('digest', ('x' * 64, 'md5'), 'c1bb4f81d892b2d57947682aeb252456'),
    ('digest', ('x' * 64, 'sha1'), 'bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163'),
    ('digest', ('x' * 64, 'sha224'), '08c3050e95fe11eacb9dc7824bf6a92bcf2d59c21701321fba0e62c5'),
    ('digest', ('x' * 64, 'sha256'), '7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c'),
    ('digest', ('x' * 64, 'sha384'), '06122472d006e27564bf1287c9623bbd83f33f8358a24668ab81527f114566393f79645fd25bb5713ae8aed491031cbe'),
    ('digest', ('x' * 64, 'sha512'), '791c91ff44685987a5c01d2811eede6f3a28d65e43709953c295931afc4941251e3a5dccbacabaf01dd729589b1c4d47da93f6991c414f21188fb8449a2d1064'),
    ('digest', ('x' * 64, 'SHA-1'), 'bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163'),
    ('digest', ('héllo wörld ✓ 日本', 'md5'), '6c8cb9273db580f0f1802155f11c8cfe'),
    ('digest', ('héllo wörld ✓ 日本', 'sha1'), '70c13f0bd54211d96a033676e6cf279173dc1a48'),
    ('digest', ('héllo wörld ✓ 日本', 'sha224'), '72b97da726a7ed845fec0b311e3745d55d7c66d8903d259f16bd7b45'),
    ('digest', ('héllo wörld ✓ 日本', 'sha256'), '3deac840ad210963933ffdd4161c06444129ff3b6da4b43e400857824444e596'),
    ('digest', ('héllo wörld ✓ 日本', 'sha384'), 'ddfc685666c272f1e923d33537ddfbf4f6b8d4951a2ed9d845999b1e0715592c7703618e08db49b0849be40b77cab0aa'),
    ('digest', ('héllo wörld ✓ 日本', 'sha512'), '22f5e8bd53b28cb57a6bd1aa89264a45313b00c8734372ab696c166d192dd514b5c76b92d40667d4dc866925d94741faaddbb41b1d8f1a68b85ed3346334a1eb'),
    ('digest', ('héllo wörld ✓ 日本', 'SHA-1'), '70c13f0bd54211d96a033676e6cf279173dc1a48'),
    ('hmac', ('', '', 'md5'), '74e6f7298a9c2d168935f58c001bad88'),
    ('hmac', ('', '', 'sha1'), 'fbdb1d1b18aa6c08324b7d64b71fb76370690e1d'),
    ('hmac', ('', '', 'sha256'), 'b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad'),
    ('hmac', ('', '', 'sha512'), 'b936cee86c9f87aa5d3c6f2e84cb5a4239a5fe50480a6ec66b70ab5b1f4ac6730c6c515421b327ec1d69402e53dfb49ad7381eb067b338fd7b0cb22247225d47'),
    ('hmac', ('what do ya want for nothing?', '', 'md5'), 'ae2e4b39f3b5ee2c8b585994294201ea'),
    ('hmac', ('what do ya want for nothing?', '', 'sha1'), '22e999c60f94d0f2d635ca4cf1b174e5cb514d38'),
    ('hmac', ('what do ya want for nothing?', '', 'sha256'), '76d9e7194e7dbc3aa00bbe8ffb9f6fcb5a932170f971f948bb2ab61607d2b9d6'),
    ('hmac', ('what do ya want for nothing?', '', 'sha512'), '1263ac6489324bdd55fead956dc2be547bece2b699214b63b0270143d740ad638f3cc6feedc740f8d9ac44866df12a0073d57214eb393f692b4ae17edf30d861'),
    ('hmac', ('', 'Jefe', 'md5'), '60b57da4237ed7c91b475eddf0e798d3'),
    ('hmac', ('', 'Jefe', 'sha1'), '09d9e59d72239e62a8155c583d52743de9b7231a'),
    ('hmac', ('', 'Jefe', 'sha256'), '923598ca6d64af2a5dba79dcd021a8a0fe5c5f557519adaaf0ad532d4506dd30'),
    ('hmac', ('', 'Jefe', 'sha512'), 'b9d14c51a6d4dd41604eb06c9c240f1f64f143b5cfdea37129b28bb75d1371d326fc219216171261a84e6c05707cd3be0f61e0a973a33f706d190db9acffc68f'),
    ('hmac', ('what do ya want for nothing?', 'Jefe', 'md5'), '750c783e6ab0b503eaa86e310a5db738'),
    ('hmac', ('what do ya want for nothing?', 'Jefe', 'sha1'), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79'),
    ('hmac', ('what do ya want for nothing?', 'Jefe', 'sha256'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'),
    ('hmac', ('what do ya want for nothing?', 'Jefe', 'sha512'), '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737'),
    ('hmac', ('', 'k' * 65, 'md5'), '8677d9ee402469f569a14d60b41c7f30'),
    ('hmac', ('', 'k' * 65, 'sha1'), '52b70f513f87ea4feaf119af1cdc8097107b3837'),
    ('hmac', ('', 'k' * 65, 'sha256'), '41f1c4cc3107cd5b8d92460f61032902bfdb06484eef17e861b83a5012d3b7f3'),
    ('hmac', ('', 'k' * 65, 'sha512'), '7c538716fa688f347e056b462f98acfb1f012d7f9f20ae54256d1d4764131b2d912f21f43d5310ed5a53fd56aaa653996c1441e4f2e730153c3a098b50c86f16'),
    ('hmac', ('what do ya want for nothing?', 'k' * 65, 'md5'), '24afb8ebd77a0270310faef856272385'),
    ('hmac', ('what do ya want for nothing?', 'k' * 65, 'sha1'), '21aed318ff7dd42b0867e70f001a8f37603eee35'),
    ('hmac', ('what do ya want for nothing?', 'k' * 65, 'sha256'), '58b6aa8aff9a0a75db8f453becc657e29cdde625b22acf3febfb296484223f22'),
    ('hmac', ('what do ya want for nothing?', 'k' * 65, 'sha512'), '541a087618f1ce5d7c11950a93587e302aa56b9a0d6d8bdd4e541f0ccfb7891193fc6325c0c92357b72259e97e867fa1705ba2bef0441ea6f985f4fcf1470193'),
    ('hmac', ('', 'k' * 129, 'md5'), '578deb97aa6ada264eb25d61c8748bd8'),
    ('hmac', ('', 'k' * 129, 'sha1'), 'f1df19a20bdc59d033e3c5017eba211d656acce2'),
    ('hmac', ('', 'k' * 129, 'sha256'), '6fccbbdf42a3aa30d48ac78c3370dd2e703a1f839b0342efe35a9428f01f2fc6'),
    ('hmac', ('', 'k' * 129, 'sha512'), 'fddb8a2194cbfb75ae9c862b615b44a2dcd28ffed5a6ed3f49723358398331c8e295c9ab9661cd448d8aee44b80689d0a2f4f2bc7d0014d418283f5326a7c02d'),
    ('hmac', ('what do ya want for nothing?', 'k' * 129, 'md5'), '46b4eb414a1160292de5d1ca775d07e3'),
    ('hmac', ('what do ya want for nothing?', 'k' * 129, 'sha1'), 'c7a9820616f050387ce0147ec67739aed822be3d'),
    ('hmac', ('what do ya want for nothing?', 'k' * 129, 'sha256'), '2cf9a762f73f72fcc7d11a5d6020cfaa921b1802d342d98ab1091db18f6b421f'),
    ('hmac', ('what do ya want for nothing?', 'k' * 129, 'sha512'), '458cbe24c82db49d13a995a86e979abf3882fa978bc34846cfbe76785c70e30b8f1ca7f2234b92431110f1b185af233333356085c492c6195140aac082a80b14'),
    ('v3', ('dns', ''), 'c87ee674-4ddc-3efe-a74e-dfe25da5d7b3'),
    ('v5', ('dns', ''), '4ebd0208-8328-5d69-8c44-ec50939c0967'),
    ('v3', ('dns', 'www.example.com'), '5df41881-3aed-3515-88a7-2f4a814cf09e'),
    ('v5', ('dns', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2'),
    ('v3', ('dns', 'héllo ✓'), '0a9abd39-0de6-3f67-9584-13ab2de391c7'),
    ('v5', ('dns', 'héllo ✓'), '4a45ac82-d56e-53f4-89dd-028be093a327'),
    ('v3', ('url', ''), '14cdb9b4-de01-3faa-aff5-65bc2f771745'),
    ('v5', ('url', ''), '1b4db7eb-4057-5ddf-91e0-36dec72071f5'),
    ('v3', ('url', 'www.example.com'), 'a777199a-c522-31c4-8f4b-335feec7215b'),
    ('v5', ('url', 'www.example.com'), 'b63cdfa4-3df9-568e-97ae-006c5b8fd652'),
    ('v3', ('url', 'héllo ✓'), '338af3be-2a13-3d36-afb2-42020897876a'),
    ('v5', ('url', 'héllo ✓'), '8a2f39e9-e920-5c69-bfe0-c491f82bf149'),
    ('v3', ('0f5c6f5e-6d2e-4b0a-9a61-5e3c3b0d0a11', ''), '8203fe9c-81d3-3847-8198-0c7cfe4c577c'),
    ('v5', ('0f5c6f5e-6d2e-4b0a-9a61-5e3c3b0d0a11', ''), 'fce0e1ff-916f-56ca-9d24-24ba3a50c7f1'),
    ('v3', ('0f5c6f5e-6d2e-4b0a-9a61-5e3c3b0d0a11', 'www.example.com'), '0ce36201-f8e1-3858-a5d0-229f4cc95c68'),
    ('v5', ('0f5c6f5e-6d2e-4b0a-9a61-5e3c3b0d0a11', 'www.example.com'), '69febd32-7233-586f-94de-a470bdce369b'),
    ('v3', ('0f5c6f5e-6d2e-4b0a-9a61-5e3c3b0d0a11', 'héllo ✓'), '2cd94885-2cad-3fa0-8794-fd59b21edf38'),
    ('v5', ('0f5c6f5e-6d2e-4b0a-9a61-5e3c3b0d0a11', 'héllo ✓'), '096dbb83-9f5f-5c1e-b528-341bb6953233'),
]


# --- no server needed -------------------------------------------------------------------


def test_every_standin_has_a_control_and_script_file():
    assert {p.stem for p in EXTENSION_DIR.glob("*.control")} == STANDIN_NAMES
    for name in STANDIN_NAMES:
        control = (EXTENSION_DIR / f"{name}.control").read_text()
        version = re.search(r"^default_version = '([^']+)'", control, re.M)[1]
        assert (EXTENSION_DIR / f"{name}--{version}.sql").is_file()
        assert re.search(rf"^comment = '{COMMENT_PREFIX}: ", control, re.M)
        assert standin_note(name).startswith(f"{name}: SQL stand-in")


def test_control_path_setting():
    assert control_path_setting(17) is None
    assert control_path_setting(18) == f"$system:{STANDINS_DIR}"
    assert EXTENSION_DIR == STANDINS_DIR / "extension"   # PostgreSQL appends /extension itself
    with pytest.raises(KeyError, match="no stand-in named 'postgis'"):
        standin_note("postgis")


# --- against the embedded PostgreSQL 18 -------------------------------------------------


@pytest.fixture(scope="module")
def pg18(tmp_path_factory):
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="e2i-standins-"))
    root.chmod(0o755)  # as root the server runs as another user
    engine = EmbeddedEngine(data_root=str(root), standins=True)
    try:
        yield engine.start()
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)


#: Stand-ins that, like the real extensions, only install into their own schema.
OWN_SCHEMA = {"pg_graphql": "graphql", "supabase_vault": "vault"}


def standins_only_path(c: psycopg.Connection) -> str:
    """The server's extension_control_path without ``$system``: only stand-ins are found."""
    value = c.execute("show extension_control_path").fetchone()[0]
    assert value.startswith("$system:"), value
    return value.split(":", 1)[1]


def create_standin(c: psycopg.Connection, name: str, schema: str) -> None:
    """CREATE EXTENSION that takes the stand-in even where the server has the real one
    (the embedded server ships pg_stat_statements): the real extension wins otherwise."""
    real = c.execute(
        "select exists (select from pg_available_extensions where name = %s and comment not like %s)",
        (name, COMMENT_PREFIX + "%"),
    ).fetchone()[0]
    with c.transaction():
        if real:
            c.execute("select set_config('extension_control_path', %s, true)", (standins_only_path(c),))
        c.execute(f'create extension "{name}" with schema {schema}')


@pytest.fixture(scope="module")
def conn(pg18):
    with pg18.connect(autocommit=True) as c:
        c.execute("drop database if exists e2i_standins")
        c.execute("create database e2i_standins")
    with pg18.connect("e2i_standins", autocommit=True) as c:
        for schema in ["extensions", *OWN_SCHEMA.values()]:
            c.execute(f"create schema {schema}")
        for name in sorted(STANDIN_NAMES):
            create_standin(c, name, OWN_SCHEMA.get(name, "extensions"))
        c.execute("set search_path = public, extensions")
        yield c


def test_standins_are_installed_and_labelled(conn):
    # the installed extension's own comment: pg_available_extensions describes the real
    # pg_stat_statements, which the server also has (create_standin hid it)
    rows = dict(conn.execute("select extname, obj_description(oid, 'pg_extension') from pg_extension").fetchall())
    for name in STANDIN_NAMES:
        assert rows[name].startswith(COMMENT_PREFIX), name


@pytest.mark.parametrize("fn, args, expected", VECTORS)
def test_same_results_as_the_real_extensions(conn, fn, args, expected):
    if fn == "digest":
        got = conn.execute("select encode(digest(%s::text, %s), 'hex')", args).fetchone()[0]
        assert got == conn.execute("select encode(digest(convert_to(%s, 'UTF8'), %s), 'hex')", args).fetchone()[0]
    elif fn == "hmac":
        got = conn.execute("select encode(hmac(%s::text, %s::text, %s), 'hex')", args).fetchone()[0]
    else:
        ns, name = args
        ns_sql = {"dns": "uuid_ns_dns()", "url": "uuid_ns_url()"}.get(ns, f"'{ns}'::uuid")
        got = conn.execute(f"select uuid_generate_{fn}({ns_sql}, %s)::text", (name,)).fetchone()[0]
    assert got == expected


@pytest.mark.parametrize("fn, version", [("uuid_generate_v1", 1), ("uuid_generate_v1mc", 1), ("uuid_generate_v4", 4)])
def test_generated_uuids(conn, fn, version):
    values = [uuid.UUID(r[0]) for r in conn.execute(f"select {fn}()::text from generate_series(1, 500)")]
    assert len(set(values)) == 500
    assert {(v.version, v.variant) for v in values} == {(version, uuid.RFC_4122)}


def test_gen_random_bytes(conn):
    assert [len(conn.execute("select gen_random_bytes(%s)", (n,)).fetchone()[0]) for n in (1, 14, 15, 1024)] == [1, 14, 15, 1024]
    with pytest.raises(psycopg.errors.ExternalRoutineInvocationException, match="Length not in range"):
        conn.execute("select gen_random_bytes(0)")


@pytest.mark.parametrize("sql, message", [
    ("select crypt('pw', gen_salt('bf'))", "gen_salt() is not available in the e2i-schema pgcrypto stand-in"),
    ("select crypt('pw', '$2a$06$abcdefghijklmnopqrstuu')", "crypt() is not available"),
    ("select pgp_sym_encrypt('x', 'key')", "pgp_sym_encrypt() is not available"),
    ("select http_get('https://example.com')", "http_get() makes no network calls in tests"),
    ("select net.http_post('https://example.com')", "net.http_post() makes no network calls in tests"),
])
def test_unavailable_functions_raise_feature_not_supported(conn, sql, message):
    with pytest.raises(psycopg.errors.FeatureNotSupported, match=re.escape(message)):
        conn.execute(sql)


def test_pg_net_queue_mode_records_requests(conn):
    with conn.transaction(force_rollback=True):
        conn.execute("set local e2i_schema.pg_net = 'queue'")
        rid = conn.execute("""select net.http_get('https://x.test/a', '{"q": "a b"}')""").fetchone()[0]
        assert conn.execute("select method, url from net.http_request_queue where id = %s", (rid,)).fetchone() == \
            ("GET", "https://x.test/a?q=a%20b")


def test_http_pure_helpers(conn):
    assert conn.execute("select urlencode('my special string''s & things?')").fetchone()[0] == \
        "my+special+string%27s+%26+things%3F"
    assert conn.execute("select urlencode(jsonb_build_object('name', 'Colin & James', 'rate', '50%'))").fetchone()[0] == \
        "name=Colin+%26+James&rate=50%25"


def test_wrappers_ddl_applies_but_querying_fails(conn):
    with conn.transaction(force_rollback=True):
        conn.execute("create foreign data wrapper stripe_wrapper handler stripe_fdw_handler validator stripe_fdw_validator")
        conn.execute("create server stripe_server foreign data wrapper stripe_wrapper options (api_key_id 'k')")
        conn.execute("create foreign table public.customers (id text, attrs jsonb) server stripe_server options (object 'customers')")
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="fdw_handler"):
            conn.execute("select * from public.customers")


def test_supabase_prelude_on_standins(pg18):
    with pg18.connect(autocommit=True) as c:
        c.execute("drop database if exists e2i_prelude")
        c.execute("create database e2i_prelude")
    with pg18.connect("e2i_prelude") as c:
        c.execute(prelude_path("supabase").read_text())
        c.execute(prelude_path("supabase_vector").read_text())
        c.execute("create table public.notes (id serial primary key, owner uuid references auth.users, body text)")
        c.execute("alter table public.notes enable row level security")
        c.execute("create policy mine on public.notes for select to authenticated using (owner = auth.uid())")
        a, b = uuid.uuid4(), uuid.uuid4()
        c.execute("insert into auth.users (id, email) values (%s, 'a@x.test'), (%s, 'b@x.test')", (a, b))
        c.execute("insert into public.notes (owner, body) values (%s, 'a1'), (%s, 'a2'), (%s, 'b1')", (a, a, b))
        c.execute("set role authenticated")
        c.execute("select set_config('request.jwt.claims', %s, false)", (f'{{"sub": "{a}"}}',))
        assert [r[0] for r in c.execute("select body from public.notes order by body")] == ["a1", "a2"]
        c.execute("reset role")
        kinds = dict(c.execute(
            "select e.extname, a.comment like %s from pg_extension e join pg_available_extensions a on a.name = e.extname",
            (COMMENT_PREFIX + "%",),
        ).fetchall())
        assert kinds == {"plpgsql": False, "vector": False, "pgcrypto": True, "uuid-ossp": True}
        c.rollback()


# --- pgjwt, pg_graphql, pg_stat_statements, supabase_vault ------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def expected_jwt(payload_text: str, secret: str, alg: str = "HS256") -> str:
    """A JWT as pgjwt builds it, computed independently: header {"alg":..,"typ":"JWT"}
    without spaces, the payload's JSON text as given, base64url without padding."""
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    signing = _b64url(f'{{"alg":"{alg}","typ":"JWT"}}'.encode()) + "." + _b64url(payload_text.encode())
    return signing + "." + _b64url(hmac.new(secret.encode(), signing.encode(), digest).digest())


JWT_PAYLOADS = [
    '{"sub":"1234567890","name":"John Doe","iat":1516239022}',
    json.dumps({"sub": str(uuid.UUID(int=7)), "role": "authenticated", "email": "zoë@example.test",
                "app_metadata": {"provider": "email", "providers": ["email"]}, "exp": 4102444800}),
]


def test_pgjwt_known_token(conn):
    # the example token of jwt.io / RFC 7519 style, secret "secret"
    assert conn.execute("select sign(%s::json, 'secret')", (JWT_PAYLOADS[0],)).fetchone()[0] == (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
        ".XbPfbIHMI6arZ3Y922BhjWgQzWXcXNrz0ogtVhfEd2o"
    )


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
@pytest.mark.parametrize("payload", JWT_PAYLOADS, ids=["short", "long-unicode"])
def test_pgjwt_sign_verify_round_trip(conn, payload, alg):
    secret = "super-secret-jwt-token-with-at-least-32-characters-long"
    token = conn.execute("select sign(%s::json, %s, %s)", (payload, secret, alg)).fetchone()[0]
    assert token == expected_jwt(payload, secret, alg)
    header, claims, valid = conn.execute("select header::text, payload::text, valid from verify(%s, %s, %s)",
                                         (token, secret, alg)).fetchone()
    assert (json.loads(header), claims, valid) == ({"alg": alg, "typ": "JWT"}, payload, True)
    assert conn.execute("select valid from verify(%s, 'wrong', %s)", (token, alg)).fetchone()[0] is False


def test_pgjwt_expiry_helpers_and_bad_algorithm(conn):
    expired = conn.execute("""select sign('{"exp": 1000}', 's')""").fetchone()[0]
    assert conn.execute("select valid from verify(%s, 's')", (expired,)).fetchone()[0] is False
    assert conn.execute("select url_decode(url_encode('\\xfbff00'::bytea)) = '\\xfbff00'::bytea").fetchone()[0]
    assert conn.execute("select try_cast_double('1.5'), try_cast_double('x')").fetchone() == (1.5, None)
    with pytest.raises(psycopg.Error):
        conn.execute("select sign('{}', 's', 'RS256')")


def test_pgjwt_requires_pgcrypto():
    control = (EXTENSION_DIR / "pgjwt.control").read_text()
    assert re.search(r"^requires = 'pgcrypto'", control, re.M)


GRAPHQL_SIGNATURES = {
    "resolve": ("query text, variables jsonb DEFAULT '{}'::jsonb, \"operationName\" text DEFAULT NULL::text, "
                "extensions jsonb DEFAULT NULL::jsonb", "jsonb"),
    "_internal_resolve": ("query text, variables jsonb DEFAULT '{}'::jsonb, \"operationName\" text DEFAULT NULL::text, "
                          "extensions jsonb DEFAULT NULL::jsonb", "jsonb"),
    "comment_directive": ("comment_ text", "jsonb"),
    "exception": ("message text", "text"),
    "get_schema_version": ("", "integer"),
    "increment_schema_version": ("", "event_trigger"),
}


def test_pg_graphql_objects_and_resolve_raises(conn):
    rows = conn.execute(
        "select p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid) "
        "from pg_proc p where p.pronamespace = 'graphql'::regnamespace"
    ).fetchall()
    assert {r[0]: (r[1], r[2]) for r in rows} == GRAPHQL_SIGNATURES
    assert conn.execute("select extnamespace::regnamespace::text from pg_extension where extname = 'pg_graphql'").fetchone()[0] == "graphql"
    assert conn.execute("""select graphql.comment_directive('@graphql({"totalCount": {"enabled": true}})')""").fetchone()[0] == \
        {"totalCount": {"enabled": True}}
    assert conn.execute("select graphql.comment_directive('plain comment')").fetchone()[0] == {}
    for sql in ["select graphql.resolve('{ __typename }')",
                "select graphql.resolve(query := '{ a }', \"operationName\" := 'Q')"]:
        with pytest.raises(psycopg.errors.FeatureNotSupported, match=re.escape("graphql.resolve() is not available")):
            conn.execute(sql)
    with pytest.raises(psycopg.errors.DataException, match="boom"):
        conn.execute("select graphql.exception('boom')")


def test_own_schema_standins_refuse_other_schemas(conn):
    """pg_graphql and supabase_vault, like the real ones, live in graphql / vault only."""
    for name, schema in OWN_SCHEMA.items():
        with conn.transaction(force_rollback=True):
            conn.execute(f'drop extension "{name}"')
            with pytest.raises(psycopg.Error, match=f'must be installed in schema "{schema}"'):
                conn.execute(f'create extension "{name}" with schema extensions')


_PSS_FUNCTIONS = (
    "select p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.proretset, "
    "p.provolatile, p.proisstrict, p.proparallel, coalesce(p.proacl::text, '') "
    "from pg_proc p where p.pronamespace = %s::regnamespace and p.proname like 'pg_stat_statements%%' order by 1, 2"
)
_PSS_COLUMNS = (
    "select c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), coalesce(c.relacl::text, '') "
    "from pg_attribute a join pg_class c on c.oid = a.attrelid "
    "where c.relnamespace = %s::regnamespace and c.relname like 'pg_stat_statements%%' and a.attnum > 0 order by 1, 2"
)


def test_pg_stat_statements_standin_is_empty(conn):
    assert conn.execute("select count(*) from extensions.pg_stat_statements").fetchone()[0] == 0
    dealloc, reset = conn.execute("select dealloc, stats_reset from extensions.pg_stat_statements_info").fetchone()
    assert dealloc == 0 and reset is not None
    assert conn.execute("select extensions.pg_stat_statements_reset() is not null").fetchone()[0]
    assert conn.execute("select extensions.pg_stat_statements_reset(0, 0, 0, true) is not null").fetchone()[0]
    columns = [r[2] for r in conn.execute(_PSS_COLUMNS, ("extensions",)) if r[0] == "pg_stat_statements"]
    assert columns[:5] == ["userid", "dbid", "toplevel", "queryid", "query"]
    assert {"wal_buffers_full", "parallel_workers_to_launch", "stats_since", "minmax_stats_since"} <= set(columns)
    assert len(columns) == 52  # PostgreSQL 18 (pg_stat_statements 1.12)


def test_pg_stat_statements_standin_matches_the_real_one(pg18, conn):
    """Same functions (arguments, results, volatility, strictness, privileges) and the same view
    columns and types as the pg_stat_statements the server ships, where it ships one."""
    real = conn.execute(
        "select default_version from pg_available_extensions where name = 'pg_stat_statements' and comment not like %s",
        (COMMENT_PREFIX + "%",),
    ).fetchone()
    if real is None:
        pytest.skip("this server has no real pg_stat_statements to compare with")
    assert real[0] == "1.12"
    with pg18.connect(autocommit=True) as c:
        c.execute("drop database if exists e2i_pss_real")
        c.execute("create database e2i_pss_real")
    try:
        with pg18.connect("e2i_pss_real", autocommit=True) as c:
            c.execute("create schema extensions")
            c.execute("create extension pg_stat_statements with schema extensions")
            assert not c.execute("select obj_description(oid, 'pg_extension') like %s from pg_extension "
                                 "where extname = 'pg_stat_statements'", (COMMENT_PREFIX + "%",)).fetchone()[0]
            want = (c.execute(_PSS_FUNCTIONS, ("extensions",)).fetchall(), c.execute(_PSS_COLUMNS, ("extensions",)).fetchall())
    finally:
        with pg18.connect(autocommit=True) as c:
            c.execute("drop database if exists e2i_pss_real")
    got = (conn.execute(_PSS_FUNCTIONS, ("extensions",)).fetchall(), conn.execute(_PSS_COLUMNS, ("extensions",)).fetchall())
    assert got == want


def test_supabase_vault_standin_without_prelude(conn):
    members = {r[0] for r in conn.execute(
        "select pg_describe_object(classid, objid, 0) from pg_depend "
        "where refobjid = (select oid from pg_extension where extname = 'supabase_vault') and deptype = 'e'"
    )}
    assert {"table vault.secrets", "view vault.decrypted_secrets",
            "function vault.create_secret(text,text,text,uuid)",
            "function vault.update_secret(uuid,text,text,text,uuid)"} <= members
    with conn.transaction(force_rollback=True):
        sid = conn.execute("select vault.create_secret('s3cr3t', 'api_key', 'd')").fetchone()[0]
        conn.execute("select vault.update_secret(%s, new_secret := 'other')", (sid,))
        assert conn.execute("select name, decrypted_secret from vault.decrypted_secrets where id = %s", (sid,)).fetchone() == \
            ("api_key", "other")


def _fresh_db(pg18, name: str) -> None:
    with pg18.connect(autocommit=True) as c:
        c.execute(f"drop database if exists {name}")
        c.execute(f"create database {name}")


def test_supabase_prelude_twice_then_vault_and_graphql_standins(pg18):
    """The prelude is idempotent; supabase_vault after it adds no objects (the prelude's stay);
    graphql_public.graphql() answers "not enabled" until pg_graphql exists, then calls resolve."""
    _fresh_db(pg18, "e2i_prelude2")
    with pg18.connect("e2i_prelude2") as c:
        c.execute(prelude_path("supabase").read_text())
        c.commit()
        c.execute(prelude_path("supabase").read_text())
        c.commit()
        assert c.execute("select graphql_public.graphql(query := '{ a }')").fetchone()[0] == \
            {"errors": [{"message": "pg_graphql extension is not enabled."}]}
        c.execute('create extension if not exists "supabase_vault" with schema "vault"')
        c.execute('create extension if not exists "pg_graphql" with schema "graphql"')
        c.execute('create extension if not exists "pgjwt" with schema "extensions"')
        assert c.execute(
            "select count(*) from pg_depend where deptype = 'e' "
            "and refobjid = (select oid from pg_extension where extname = 'supabase_vault')"
        ).fetchone()[0] == 0
        assert c.execute("select vault.create_secret('v')").fetchone()[0]
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="graphql.resolve"):
            c.execute("select graphql_public.graphql(query := '{ a }')")
        c.rollback()
        # and once more over the extensions: still applies
        c.execute('create extension "pg_graphql" with schema "graphql"')
        c.execute('create extension "supabase_vault" with schema "vault"')
        c.execute(prelude_path("supabase").read_text())
        c.commit()
