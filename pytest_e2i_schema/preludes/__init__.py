"""Built-in preludes: SQL files run on a fresh database before the project's migrations.

``supabase``
    A stand-in for the Supabase platform schema (roles, grants, auth/storage/vault,
    ``auth.uid()`` and friends, extensions uuid-ossp and pgcrypto in schema
    ``extensions``).  It is not Supabase; the header of ``supabase.sql`` lists what it
    contains and what it does not.
``supabase_vector``
    ``create extension if not exists vector with schema extensions``; run after
    ``supabase`` when the migrations use pgvector (see :func:`mentions_vector`) or the user
    asks for it.

Both are plain SQL (no psql meta-commands), meant to run as a superuser in one
transaction.  They are idempotent: re-running ``supabase.sql`` on a database that already
has it (or part of it) changes nothing, and running it in many databases of one server
works (roles are created only if missing).  ``supabase.sql`` needs no extension but
uuid-ossp and pgcrypto, so it also applies on servers without extension stand-ins
(PostgreSQL < 18).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["PRELUDES_DIR", "BUILTIN_PRELUDES", "prelude_path", "mentions_vector"]

PRELUDES_DIR: Path = Path(__file__).resolve().parent

#: Built-in prelude names, in the order they must run when several are used.
BUILTIN_PRELUDES: tuple[str, ...] = ("supabase", "supabase_vector")

_VECTOR = re.compile(
    r"""create\s+extension\s+(if\s+not\s+exists\s+)?"?vector\b"""   # the extension itself
    r"""|\b(?:halfvec|sparsevec|vector)\s*\(\s*\d"""                 # column types: vector(1536)
    r"""|\bvector_(?:cosine|l2|ip|l1)_ops\b""",                      # index operator classes
    re.IGNORECASE,
)


def prelude_path(name: str) -> Path:
    """The file of a built-in prelude (``-`` and ``_`` are interchangeable in ``name``)."""
    key = name.strip().replace("-", "_")
    if key not in BUILTIN_PRELUDES:
        raise KeyError(f"no built-in prelude {name!r}; built-ins are {', '.join(BUILTIN_PRELUDES)}")
    return PRELUDES_DIR / f"{key}.sql"


def mentions_vector(sql: str) -> bool:
    """Whether migration text looks like it needs pgvector (a cheap textual check, no parsing)."""
    return _VECTOR.search(sql) is not None
