"""SQL-only stand-ins for extensions a test server may lack.

Real extensions always win: stand-ins are only *found* by PostgreSQL 18+ servers started
with :func:`control_path_setting`, which lists the server's own extension directory
(``$system``) first.  Each stand-in is a real extension (``CREATE EXTENSION`` works, it
shows up in ``pg_extension`` / ``\\dx``) whose ``comment`` starts with
:data:`COMMENT_PREFIX`, so a run can tell that a stand-in, not the real thing, was used.

How PostgreSQL 18 resolves ``extension_control_path`` (checked on 18.6, and in the
documentation of the GUC): the value is a list of absolute directories separated by ``:``
(``;`` on Windows).  The element written exactly ``$system`` is the server's compiled-in
extension directory (``pg_config --sharedir``/extension) and is used as is; to every other
element PostgreSQL *appends* ``/extension`` -- "all specified path elements are expected to
have a extension subdirectory which will have the .control and .sql files, this path
suffix is automatically appended at the end of each path" -- and loads the script files
from the same directory where it found the ``.control`` file.  So the directory to list is
this package's directory, :data:`STANDINS_DIR`, and the files live in
:data:`EXTENSION_DIR` = ``STANDINS_DIR/extension``.  Listing ``EXTENSION_DIR`` itself finds
nothing, and leaving ``$system`` out hides every real extension (even plpgsql).

Older servers have no such setting (the GUC is new in 18): there the stand-ins are not
available and an extension the server lacks fails its migration.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "STANDINS_DIR",
    "EXTENSION_DIR",
    "STANDIN_NAMES",
    "COMMENT_PREFIX",
    "control_path_setting",
    "standin_note",
]

#: The directory to put on ``extension_control_path`` (PostgreSQL appends ``/extension``).
STANDINS_DIR: Path = Path(__file__).resolve().parent

#: Where the ``<name>.control`` and ``<name>--<version>.sql`` files are.
EXTENSION_DIR: Path = STANDINS_DIR / "extension"

#: Every stand-in's ``comment`` (pg_available_extensions / pg_description) starts with this.
COMMENT_PREFIX = "e2i-schema stand-in"

_NOTES: dict[str, str] = {
    "uuid-ossp": "uuid-ossp: SQL stand-in (v3/v4/v5 as the real one; v1/v1mc are time-based "
                 "with a random node instead of the MAC address)",
    "pgcrypto": "pgcrypto: SQL stand-in (digest, hmac, gen_random_bytes as the real one; crypt, "
                "gen_salt, pgp_* and encrypt/decrypt raise feature_not_supported)",
    "http": "http: SQL stand-in (types and signatures of pgsql-http 1.6; requests raise, no network "
            "I/O; urlencode and http_header work)",
    "pg_net": "pg_net: SQL stand-in (schema net, no worker; net.http_* raise, or only queue with "
              "SET e2i_schema.pg_net = 'queue')",
    "wrappers": "wrappers: SQL stand-in (FDW handlers/validators exist so wrapper DDL applies; "
                "querying a foreign table raises)",
    "pgjwt": "pgjwt: SQL stand-in (sign, verify, url_encode/url_decode, algorithm_sign as pgjwt 0.2.0; "
             "HS256/384/512 over pgcrypto's hmac)",
    "pg_graphql": "pg_graphql: SQL stand-in (schema graphql with the real signatures; graphql.resolve "
                  "raises feature_not_supported, no GraphQL engine)",
    "pg_stat_statements": "pg_stat_statements: SQL stand-in (PostgreSQL 18 views and functions, "
                          "nothing is tracked: the view has no rows)",
    "supabase_vault": "supabase_vault: SQL stand-in (schema vault; creates only the Vault objects the "
                      "supabase prelude has not made; secrets are NOT encrypted)",
}

#: Names of the extensions provided here (as written in CREATE EXTENSION).
STANDIN_NAMES: frozenset[str] = frozenset(_NOTES)


def control_path_setting(server_major: int, directory: Path | None = None) -> str | None:
    """The full ``extension_control_path`` value for a server of this major version.

    ``None`` before PostgreSQL 18, which has no such setting.  The server's own directory
    comes first, so a real extension is always preferred over its stand-in.  The value is a
    single ``-c extension_control_path=<value>`` argument as is; written into
    postgresql.conf it needs single quotes.  ``directory`` replaces :data:`STANDINS_DIR`
    when the engine had to copy the stand-ins somewhere the server account can read.
    """
    if server_major < 18:
        return None
    sep = ";" if os.name == "nt" else ":"
    path = str(directory or STANDINS_DIR)
    if sep in path:
        raise ValueError(
            f"the stand-in directory {path!r} contains {sep!r}, the extension_control_path "
            f"separator; install pytest-e2i-schema under a path without it, or run with --e2i-no-stand-ins"
        )
    return f"$system{sep}{path}"


def standin_note(name: str) -> str:
    """One line for the run summary, e.g. ``"uuid-ossp: SQL stand-in (...)"``."""
    try:
        return _NOTES[name]
    except KeyError:
        raise KeyError(f"no stand-in named {name!r}; stand-ins exist for {', '.join(sorted(_NOTES))}") from None
