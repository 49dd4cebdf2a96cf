"""Explain "does not exist" errors that are really migrations applied in the wrong order.

Why: the most common failure when a schema is rebuilt from scratch is a migration
that uses a type, table or function which a *later* file creates (the files worked
on the developer's database, where everything already existed).  The server only
says ``type "x" does not exist``; this module reads the server's message, then looks
through the statements that come later for the one that creates ``x``, and names it.
It also recognises objects that come from well-known extensions (``vector``,
``citext``, ``gin_trgm_ops``...).

Everything here is best effort: a file that does not parse is skipped, and an
answer of ``None`` only means "no hint", never "no problem".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from pglast import enums

from .statements import Statement

__all__ = ["MissingObject", "missing_object", "created_objects", "ordering_hint", "EXTENSION_OBJECTS"]

#: sqlstates whose message names a missing object.
_SQLSTATES = {"42704", "42P01", "42883", "3F000"}

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("type", re.compile(r'^type "(?P<name>.+)" does not exist$')),
    ("relation", re.compile(r'^relation "(?P<name>.+)" does not exist$')),
    ("schema", re.compile(r'^schema "(?P<name>.+)" does not exist$')),
    ("role", re.compile(r'^role "(?P<name>.+)" does not exist$')),
    ("operator class", re.compile(r'^operator class "(?P<name>.+)" does not exist for access method')),
    ("function", re.compile(r'^(?:function|procedure) (?P<name>[^(]+)\(.*\) does not exist$')),
    ("function", re.compile(r'^could not find a (?:function|procedure|routine) named "(?P<name>.+)"$')),
)

#: Objects created by common extensions: (kind, name) -> extension.
EXTENSION_OBJECTS: dict[tuple[str, str], str] = {
    **{("type", t): "vector" for t in ("vector", "halfvec", "sparsevec")},
    **{("operator class", f"{t}_{op}_ops"): "vector" for t in ("vector", "halfvec", "sparsevec")
       for op in ("l2", "ip", "cosine", "l1")},
    ("type", "citext"): "citext",
    ("type", "hstore"): "hstore",
    **{("type", t): "ltree" for t in ("ltree", "lquery", "ltxtquery")},
    **{("type", t): "postgis" for t in ("geometry", "geography", "box2d", "box3d")},
    ("type", "cube"): "cube",
    **{("function", f): "uuid-ossp" for f in ("uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v3",
                                              "uuid_generate_v4", "uuid_generate_v5", "uuid_nil")},
    **{("function", f): "pgcrypto" for f in ("crypt", "gen_salt", "digest", "hmac", "gen_random_bytes",
                                             "pgp_sym_encrypt", "pgp_sym_decrypt")},
    **{("function", f): "pg_trgm" for f in ("similarity", "word_similarity", "show_trgm")},
    **{("operator class", f): "pg_trgm" for f in ("gin_trgm_ops", "gist_trgm_ops")},
    ("function", "unaccent"): "unaccent",
}


@dataclass(frozen=True)
class MissingObject:
    """What the server said is missing: ``kind`` is type, relation, function, schema, role or operator class."""

    kind: str
    name: str
    schema: str | None = None

    def __str__(self) -> str:
        qualified = f"{self.schema}.{self.name}" if self.schema else self.name
        return f'{self.kind} "{qualified}"'


def missing_object(sqlstate: str | None, message: str | None) -> MissingObject | None:
    """Parse ``type "x" does not exist`` and friends; ``None`` for any other error."""
    if sqlstate not in _SQLSTATES or not message:
        return None
    for kind, pattern in _PATTERNS:
        m = pattern.match(message.strip())
        if m:
            name = m["name"].strip().removesuffix("[]")
            schema, _, base = name.rpartition(".") if "." in name and not name.startswith('"') else ("", "", name)
            return MissingObject(kind, base.strip('"'), schema.strip('"') or None)
    return None


# --- what a statement creates --------------------------------------------------------


def _names(items: Any) -> tuple[str | None, str]:
    parts = [getattr(i, "sval", None) for i in items or ()]
    parts = [p for p in parts if p is not None]
    if not parts:
        return None, ""
    return (parts[-2] if len(parts) > 1 else None), parts[-1]


def _rv(rv: Any) -> tuple[str | None, str]:
    return getattr(rv, "schemaname", None), getattr(rv, "relname", "") or ""


#: Statement kinds :func:`created_objects` can find something in.  Other statements are
#: passed over on their :attr:`~.statements.Statement.kind` alone, without building
#: their parse tree (that is most of the cost of looking through every migration).
_CREATING_KINDS = frozenset({
    "CreateEnumStmt", "CreateRangeStmt", "CreateDomainStmt", "CompositeTypeStmt", "DefineStmt", "CreateStmt",
    "CreateForeignTableStmt", "ViewStmt", "CreateTableAsStmt", "CreateSeqStmt", "SelectStmt", "CreateFunctionStmt",
    "CreateSchemaStmt", "CreateRoleStmt", "CreateExtensionStmt",
})


def created_objects(node: Any, schema: str | None = None) -> Iterator[tuple[str, str | None, str]]:
    """Yield ``(kind, schema, name)`` for each object *node* creates (nested CREATE SCHEMA included)."""
    kind = type(node).__name__
    if kind in ("CreateEnumStmt", "CreateRangeStmt"):
        s, n = _names(node.typeName)
        yield "type", s or schema, n
    elif kind == "CreateDomainStmt":
        s, n = _names(node.domainname)
        yield "type", s or schema, n
    elif kind == "CompositeTypeStmt":
        s, n = _rv(node.typevar)
        yield "type", s or schema, n
    elif kind == "DefineStmt":
        s, n = _names(node.defnames)
        if node.kind == enums.ObjectType.OBJECT_TYPE:
            yield "type", s or schema, n
        elif node.kind == enums.ObjectType.OBJECT_AGGREGATE:
            yield "function", s or schema, n
    elif kind in ("CreateStmt", "CreateForeignTableStmt", "ViewStmt", "CreateTableAsStmt", "CreateSeqStmt"):
        rv = {
            "CreateStmt": lambda: node.relation,
            "CreateForeignTableStmt": lambda: node.base.relation,
            "ViewStmt": lambda: node.view,
            "CreateTableAsStmt": lambda: node.into.rel if node.into else None,
            "CreateSeqStmt": lambda: node.sequence,
        }[kind]()
        s, n = _rv(rv)
        yield "relation", s or schema, n
        if kind != "CreateSeqStmt":  # tables and views also define a row type of that name
            yield "type", s or schema, n
    elif kind == "SelectStmt" and node.intoClause is not None:
        s, n = _rv(node.intoClause.rel)
        yield "relation", s or schema, n
    elif kind == "CreateFunctionStmt":
        s, n = _names(node.funcname)
        yield "function", s or schema, n
    elif kind == "CreateSchemaStmt":
        name = node.schemaname or getattr(node.authrole, "rolename", None)
        if name:
            yield "schema", None, name
        for elt in node.schemaElts or ():
            yield from created_objects(elt, name)
    elif kind == "CreateRoleStmt":
        yield "role", None, node.role
    elif kind == "CreateExtensionStmt":
        ext_schema = None
        for opt in node.options or ():
            if opt.defname == "schema":
                ext_schema = getattr(opt.arg, "sval", None)
        for (obj_kind, obj_name), ext in EXTENSION_OBJECTS.items():
            if ext == node.extname:
                yield obj_kind, ext_schema, obj_name


def _matches(missing: MissingObject, kind: str, schema: str | None, name: str) -> bool:
    if kind != missing.kind or name.lower() != missing.name.lower():
        return False
    return not (missing.schema and schema and schema.lower() != missing.schema.lower())


def _find(missing: MissingObject, statements: Iterable[Statement]) -> Statement | None:
    for st in statements:
        if st.kind not in _CREATING_KINDS:
            continue
        for kind, schema, name in created_objects(st.node):
            if _matches(missing, kind, schema, name):
                return st
    return None


def ordering_hint(
    missing: MissingObject,
    failing_line: int,
    rest_of_file: Iterable[Statement],
    later: Iterable[tuple[str, Sequence[Statement]]],
    earlier: Iterable[tuple[str, Sequence[Statement]]] = (),
    failed: Iterable[tuple[str, Sequence[Statement]]] = (),
) -> str | None:
    """A one-line explanation when a statement after the failure creates *missing*.

    *rest_of_file* are the statements after the failing one in the same file; *later*
    and *earlier* are ``(display, statements)`` pairs of the other migrations, in order
    (*earlier* is only searched for the extension that provides a missing object).
    *failed* are earlier migrations that failed (``keep_going``): an object they would
    have created explains the error as a consequence of theirs.
    """
    st = _find(missing, rest_of_file)
    if st is not None:
        return (f"{missing} is created later in this file, at line {st.line}; "
                f"move that statement before line {failing_line}")
    for display, statements in later:
        st = _find(missing, statements)
        if st is not None:
            return (f"{missing} is created by a later migration {display}:{st.line}; "
                    "move that migration before this one")
    for display, statements in failed:
        st = _find(missing, statements)
        if st is not None:
            return f"{missing} would have been created by {display}:{st.line}, which failed"
    ext = EXTENSION_OBJECTS.get((missing.kind, missing.name.lower()))
    if ext is None:
        return None
    for display, statements in earlier:
        for st in statements:
            if st.kind == "CreateExtensionStmt" and st.node.extname == ext:
                return (f"{missing} comes from extension \"{ext}\", created by {display}:{st.line}; "
                        "if it was created in another schema, qualify the name or add that schema to search_path")
    return (f"{missing} comes from extension \"{ext}\", which no earlier migration creates; "
            f"add CREATE EXTENSION IF NOT EXISTS \"{ext}\" before this migration (or in a prelude)")
