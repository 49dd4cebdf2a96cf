"""Split a migration file into statements, each with its place in the file.

Why split at all, when the server accepts a whole file in one query?  Because a
failure must point at the statement (and line) that failed, and because a few
statements cannot run inside the transaction that wraps every file.  The splitting
is done by PostgreSQL's own parser (through pglast), never by hand: semicolons
inside strings, dollar-quoted function bodies, ``BEGIN ATOMIC`` bodies and comments
are all handled the way the server handles them.

The file is parsed once into libpg_query's JSON tree (plain dicts): deciding what a
statement is and whether it may run in a transaction only needs a few fields of its
top node, and building pglast's Python objects for every node of every file cost
several times more than the whole parse.  The pglast tree of a statement
(:attr:`Statement.node`) is built only when asked for, which happens when a migration
fails and its error is explained.

Transactions
------------
Each migration file runs in one transaction: it is applied completely or not at all.

* Statements that PostgreSQL refuses inside a transaction block (``CREATE INDEX
  CONCURRENTLY``, ``VACUUM``, ``ALTER SYSTEM``...; see :data:`NO_TRANSACTION`) are
  detected from the syntax tree.  The runner commits what the file did so far, runs
  that statement on its own, and opens a new transaction for the rest of the file.
  Such a file is therefore not atomic.
* Explicit top-level transaction control in a file is honoured where it matters and
  otherwise absorbed: ``BEGIN`` / ``START TRANSACTION`` are not sent (the file is already
  in a transaction; a note says so); ``COMMIT`` / ``END`` commit the work so far, and
  the rest of the file runs in a new transaction, exactly where the author drew the
  line (this is what lets ``ALTER TYPE ... ADD VALUE; COMMIT;`` be followed by a use of
  the new value, as under ``psql -f``).  ``SAVEPOINT``, ``RELEASE`` and ``ROLLBACK TO``
  run as written.  A top-level ``ROLLBACK`` / ``ABORT`` or ``PREPARE TRANSACTION`` is an
  error: it would throw the migration away, which a schema migration never means.
* Opt-out: a comment line ``-- e2i: no-transaction`` anywhere before the first
  statement makes the whole file run statement by statement in autocommit mode, like
  ``psql -f`` would run it.  In such a file ``BEGIN``/``COMMIT``/``ROLLBACK`` are sent
  to the server as written.

psql meta-commands (``\\i``, ``\\set``, ``\\connect``...) are not SQL and are rejected
with the file and line: the tool applies plain SQL only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property, lru_cache
from typing import Any, Callable, Mapping, Sequence

from pglast import enums, parser

from ..errors import MigrationError

__all__ = [
    "Statement",
    "Script",
    "SQLParseError",
    "NO_TRANSACTION",
    "NO_TRANSACTION_MARKER",
    "split",
    "parse_script",
    "line_col",
]

#: The comment that makes a whole file run in autocommit mode.
NO_TRANSACTION_MARKER = "-- e2i: no-transaction"
_MARKER = re.compile(r"^--\s*e2i\s*:\s*no[-_ ]transaction\s*$", re.I)

_COMMENT_TOKENS = frozenset({"SQL_COMMENT", "C_COMMENT"})
_BACKSLASH_TOKEN = "ASCII_92"


class SQLParseError(MigrationError):
    """A migration file is not plain SQL the parser accepts; knows where in the file.

    A :class:`~pytest_e2i_schema.errors.MigrationError`, with the position kept as
    attributes so the runner can report it like a server error.
    """

    def __init__(
        self,
        display: str,
        line: int,
        col: int,
        reason: str,
        *,
        line_text: str = "",
        statement: str = "",
        sqlstate: str | None = "42601",
        remedy: str = "",
    ):
        self.display, self.line, self.col, self.reason = display, line, col, reason
        self.line_text, self.statement, self.sqlstate, self.remedy = line_text, statement, sqlstate, remedy
        parts = [f"{display}:{line}:{col}: {reason}"]
        if line_text.strip():
            parts.append(f"  line {line}: {line_text.strip()}")
        if remedy:
            parts.append(f"  {remedy}")
        super().__init__("\n".join(parts))


@dataclass(frozen=True)
class Statement:
    """One top-level statement; ``offset``/``line``/``col`` locate its first token in the file."""

    text: str
    offset: int
    line: int
    col: int
    #: First line of the statement, trimmed: what messages quote.
    first_line: str
    #: Parse-tree node name: ``'CreateStmt'``, ``'IndexStmt'``...
    kind: str
    #: PostgreSQL refuses to run it inside a transaction block.
    no_transaction: bool = False
    #: Why the runner does not send it (explicit ``BEGIN``/``COMMIT``); ``None`` to run it.
    skip_reason: str | None = None
    #: An explicit top-level ``COMMIT``/``END``: the runner commits here and goes on in a
    #: new transaction.
    commit_point: bool = False
    #: It can add objects but not drop or re-kind one (see ``_ONLY_ADDING_KINDS``).
    only_adds: bool = False

    @cached_property
    def node(self) -> Any:
        """The parse tree (pglast node) of :attr:`text`; not compared, not shown.

        Built on first use from the statement's own text: only failure explanations need
        it, and building it for every statement was most of the cost of parsing a file.
        Its ``location`` fields count characters from the start of :attr:`text`; add
        :attr:`offset` for a position in the file.
        """
        return parser.parse_sql(self.text)[0].stmt


@dataclass(frozen=True)
class Script:
    """A parsed migration file: its statements and whether it opted out of the transaction."""

    statements: tuple[Statement, ...]
    autocommit: bool
    notes: tuple[str, ...] = ()
    #: Full text of the file, to map server error positions back to lines.
    source: str = field(default="", repr=False)

    @property
    def only_adds(self) -> bool:
        """Every statement it sends can only add objects: its per-file counts can be taken
        incrementally (see :class:`~pytest_e2i_schema.catalog.read.FileCounts`)."""
        return all(st.only_adds for st in self.statements if not st.skip_reason)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of the character at *offset* (a character index, not bytes)."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def _line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


# --- statements that cannot run in a transaction block -------------------------------


def _fields(node: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """Fields of a JSON tree node ``{"TypeName": {fields}}``; empty for ``None``."""
    return next(iter(node.values()), {}) if node else {}


def _enum(fields: Mapping[str, Any], name: str, enum: type[IntEnum]) -> Any:
    """Enum field *name* as a member of *enum*; its zero member when absent (a default)."""
    value = fields.get(name)
    return enum(0) if value is None else enum[value]


def _defel(options: Any, name: str) -> Any:
    """Value of option *name* in a DefElem list, ``True`` when given without value, else ``None``."""
    for opt in options or ():
        elem = opt.get("DefElem", {})
        if elem.get("defname") == name:
            arg = elem.get("arg")
            if arg is None:
                return True
            # The JSON tree omits zero and false values, hence the defaults.
            kind, value = next(iter(arg.items()))
            default = {"String": ("sval", ""), "Integer": ("ival", 0), "Boolean": ("boolval", False)}.get(kind)
            return arg if default is None else value.get(*default)
    return None


def _is_false(value: Any) -> bool:
    return value is not None and str(value).strip().lower() in {"false", "off", "0", "no", "f"}


def _reindex(n: Mapping[str, Any]) -> bool:
    multi = (
        enums.ReindexObjectType.REINDEX_OBJECT_SCHEMA,
        enums.ReindexObjectType.REINDEX_OBJECT_SYSTEM,
        enums.ReindexObjectType.REINDEX_OBJECT_DATABASE,
    )
    concurrently = _defel(n.get("params"), "concurrently")
    return _enum(n, "kind", enums.ReindexObjectType) in multi or (
        concurrently is not None and not _is_false(concurrently))


def _create_subscription(n: Mapping[str, Any]) -> bool:
    options = n.get("options")
    return not (_is_false(_defel(options, "create_slot")) or _is_false(_defel(options, "connect")))


def _alter_subscription(n: Mapping[str, Any]) -> bool:
    k = enums.AlterSubscriptionType
    kind = _enum(n, "kind", k)
    if kind == k.ALTER_SUBSCRIPTION_REFRESH:
        return True
    if kind in (k.ALTER_SUBSCRIPTION_SET_PUBLICATION, k.ALTER_SUBSCRIPTION_ADD_PUBLICATION,
                k.ALTER_SUBSCRIPTION_DROP_PUBLICATION):
        return not _is_false(_defel(n.get("options"), "refresh"))
    return False


def _detach_concurrently(n: Mapping[str, Any]) -> bool:
    return any(
        _enum(cmd, "subtype", enums.AlterTableType) == enums.AlterTableType.AT_DetachPartition
        and bool(_fields(cmd.get("def")).get("concurrent"))
        for cmd in map(_fields, n.get("cmds", ()))
    )


def _transaction_kind(n: Mapping[str, Any]) -> Any:
    return _enum(n, "kind", enums.TransactionStmtKind)


#: (node type, predicate, what it is) for every statement PostgreSQL runs only outside
#: a transaction block (its ``PreventInTransactionBlock`` calls).  ``ALTER TYPE ... ADD
#: VALUE`` is absent: it has been allowed in a transaction since PostgreSQL 12.  A
#: predicate receives the fields of the node in libpg_query's JSON tree (a dict, where
#: false, zero and empty fields are absent), not a pglast node: see the module docstring.
NO_TRANSACTION: tuple[tuple[str, Callable[[Mapping[str, Any]], bool], str], ...] = (
    ("IndexStmt", lambda n: bool(n.get("concurrent")), "CREATE INDEX CONCURRENTLY"),
    ("DropStmt", lambda n: bool(n.get("concurrent")), "DROP INDEX CONCURRENTLY"),
    ("ReindexStmt", _reindex, "REINDEX CONCURRENTLY / SCHEMA / SYSTEM / DATABASE"),
    ("VacuumStmt", lambda n: bool(n.get("is_vacuumcmd")), "VACUUM (ANALYZE alone may run in a transaction)"),
    ("AlterSystemStmt", lambda n: True, "ALTER SYSTEM"),
    ("CreatedbStmt", lambda n: True, "CREATE DATABASE"),
    ("DropdbStmt", lambda n: True, "DROP DATABASE"),
    ("CreateTableSpaceStmt", lambda n: True, "CREATE TABLESPACE"),
    ("DropTableSpaceStmt", lambda n: True, "DROP TABLESPACE"),
    ("AlterDatabaseStmt", lambda n: _defel(n.get("options"), "tablespace") is not None,
     "ALTER DATABASE SET TABLESPACE"),
    ("CreateSubscriptionStmt", _create_subscription, "CREATE SUBSCRIPTION (creating a slot)"),
    ("AlterSubscriptionStmt", _alter_subscription, "ALTER SUBSCRIPTION ... REFRESH"),
    ("DropSubscriptionStmt", lambda n: True, "DROP SUBSCRIPTION (may drop a slot)"),
    ("AlterTableStmt", _detach_concurrently, "ALTER TABLE ... DETACH PARTITION CONCURRENTLY"),
    ("ClusterStmt", lambda n: n.get("relation") is None, "CLUSTER of a whole database"),
    ("DiscardStmt", lambda n: _enum(n, "target", enums.DiscardMode) == enums.DiscardMode.DISCARD_ALL,
     "DISCARD ALL"),
    (
        "TransactionStmt",
        lambda n: _transaction_kind(n) in (enums.TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED,
                                           enums.TransactionStmtKind.TRANS_STMT_ROLLBACK_PREPARED),
        "COMMIT PREPARED / ROLLBACK PREPARED",
    ),
)

_NO_TX_BY_KIND: dict[str, list[Callable[[Mapping[str, Any]], bool]]] = {}
for _kind, _pred, _what in NO_TRANSACTION:
    _NO_TX_BY_KIND.setdefault(_kind, []).append(_pred)


def _needs_autocommit(kind: str, fields: Mapping[str, Any]) -> bool:
    """Whether a ``kind`` node with these JSON-tree *fields* cannot run in a transaction block."""
    return any(pred(fields) for pred in _NO_TX_BY_KIND.get(kind, ()))


# --- statements that only add objects -------------------------------------------------

#: Statement kinds that can create objects but never drop one or turn one into another kind
#: (table <-> partition, function <-> procedure): after a file of only these, the objects it
#: added are the only change to the per-file counts (see catalog.read.FileCounts).  Anything
#: that runs code (DO, SELECT, DML firing triggers, CREATE EXTENSION's script) is left out.
_ONLY_ADDING_KINDS = frozenset({
    "CreateStmt", "IndexStmt", "ViewStmt", "CreateTableAsStmt", "CreateFunctionStmt", "CreateTrigStmt",
    "CreatePolicyStmt", "CreateEnumStmt", "CreateDomainStmt", "CreateSeqStmt", "CreateSchemaStmt",
    "CompositeTypeStmt", "CreateRangeStmt", "CommentStmt", "GrantStmt", "GrantRoleStmt",
    "AlterDefaultPrivilegesStmt", "CreateRoleStmt", "VariableSetStmt", "TransactionStmt",
})

#: ALTER TABLE actions of that kind: new columns and constraints (their indexes and sequences are
#: new objects), defaults, NOT NULL, row security, owner, options, trigger switches.  Not ALTER
#: COLUMN TYPE (it rebuilds indexes under new oids), not DROP anything, not ATTACH/DETACH.
_ONLY_ADDING_ALTER_TABLE = frozenset({
    enums.AlterTableType.AT_AddColumn, enums.AlterTableType.AT_AddConstraint,
    enums.AlterTableType.AT_ColumnDefault, enums.AlterTableType.AT_SetNotNull,
    enums.AlterTableType.AT_DropNotNull, enums.AlterTableType.AT_EnableRowSecurity,
    enums.AlterTableType.AT_DisableRowSecurity, enums.AlterTableType.AT_ForceRowSecurity,
    enums.AlterTableType.AT_NoForceRowSecurity, enums.AlterTableType.AT_ChangeOwner,
    enums.AlterTableType.AT_SetRelOptions, enums.AlterTableType.AT_ResetRelOptions,
    enums.AlterTableType.AT_EnableTrig, enums.AlterTableType.AT_DisableTrig,
    enums.AlterTableType.AT_EnableAlwaysTrig, enums.AlterTableType.AT_EnableReplicaTrig,
    enums.AlterTableType.AT_SetStatistics, enums.AlterTableType.AT_SetStorage,
    enums.AlterTableType.AT_AddIdentity, enums.AlterTableType.AT_ReplicaIdentity,
})


def _only_adds(kind: str, fields: Mapping[str, Any]) -> bool:
    if kind == "AlterTableStmt":
        return all(_enum(cmd, "subtype", enums.AlterTableType) in _ONLY_ADDING_ALTER_TABLE
                   for cmd in map(_fields, fields.get("cmds", ())))
    return kind in _ONLY_ADDING_KINDS


# --- explicit transaction control ----------------------------------------------------

_TX = enums.TransactionStmtKind
_BEGIN_TX = {_TX.TRANS_STMT_BEGIN: "BEGIN", _TX.TRANS_STMT_START: "START TRANSACTION"}
_REFUSED_TX = {_TX.TRANS_STMT_ROLLBACK: "ROLLBACK", _TX.TRANS_STMT_PREPARE: "PREPARE TRANSACTION"}


# --- parsing -------------------------------------------------------------------------


def _first_code_line(text: str) -> str:
    """First line of *text* after leading comments, trimmed."""
    try:
        code = [t.start for t in parser.scan(text) if t.name not in _COMMENT_TOKENS]
    except parser.ParseError:
        code = []
    rest = text[code[0]:] if code else text
    return rest.strip().splitlines()[0].strip() if rest.strip() else ""


_SPACE = frozenset(" \t\n\r\f\v")
_EOL = re.compile(r"[\n\r]")
_C_COMMENT_MARK = re.compile(r"/\*|\*/")


def _skip_comments(sql: str, pos: int, comments: list[str] | None = None) -> int:
    """Index of the first character at or after *pos* that is not whitespace or a comment.

    Only used on text the parser accepted, between statements, where nothing else can
    stand but ``;``: whitespace, ``--`` comments (appended to *comments*) and nested
    ``/* */`` comments, as PostgreSQL's lexer reads them.
    """
    n = len(sql)
    while pos < n:
        if sql[pos] in _SPACE:
            pos += 1
        elif sql.startswith("--", pos):
            m = _EOL.search(sql, pos)
            eol = m.start() if m else n
            if comments is not None:
                comments.append(sql[pos:eol])
            pos = eol
        elif sql.startswith("/*", pos):
            depth, pos = 1, pos + 2
            while depth:
                m = _C_COMMENT_MARK.search(sql, pos)
                if m is None:
                    return n
                depth += 1 if m[0] == "/*" else -1
                pos = m.end()
        else:
            break
    return pos


def _char_bounds(sql: str, raw: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """``(start, end)`` character offsets of the statements in libpg_query's JSON tree.

    The tree counts UTF-8 bytes; statement bounds fall between characters, so decoding
    the bytes between consecutive bounds keeps the count in characters, in one pass.
    An end of ``len(sql)`` means the statement runs to the end of the file.
    """
    bounds = []
    for rs in raw:
        loc = rs.get("stmt_location", 0)
        length = rs.get("stmt_len", 0)  # 0: up to the end of the file
        bounds.append((loc, loc + length if length else None))
    if sql.isascii():
        return [(loc, len(sql) if end is None else end) for loc, end in bounds]
    data = sql.encode("utf-8")
    chars = done = 0  # `done` bytes of data are `chars` characters

    def char_offset(byte: int) -> int:
        nonlocal chars, done
        if byte < done:  # bounds come in order; start over if they ever do not
            chars = done = 0
        chars += len(data[done:byte].decode("utf-8"))
        done = byte
        return chars

    return [(char_offset(loc), len(sql) if end is None else char_offset(end)) for loc, end in bounds]


def _parse_error(sql: str, display: str, exc: parser.ParseError) -> SQLParseError:
    reason = exc.args[0] if exc.args else str(exc)
    index = exc.args[1] if len(exc.args) > 1 and exc.args[1] is not None else 0
    line, col = line_col(sql, index)
    statement = ""
    try:  # the scanner splits even text the grammar rejects: find the enclosing statement
        for sl in parser.split(sql, with_parser=False, only_slices=True):
            if sl.start <= index <= sl.stop:
                statement = _first_code_line(sql[sl])
                break
    except parser.ParseError:
        pass
    return SQLParseError(display, line, col, f"syntax error: {reason}" if not reason.startswith("syntax") else reason,
                         line_text=_line_text(sql, line), statement=statement)


def _check_meta_commands(sql: str, display: str, tokens: Sequence[Any]) -> None:
    """psql's backslash commands lex as a lone ``\\`` token outside strings and comments."""
    for tok in tokens:
        if tok.name == _BACKSLASH_TOKEN:
            line, col = line_col(sql, tok.start)
            text = _line_text(sql, line)
            command = text[col - 1:].split()[0] if text[col - 1:].split() else "\\"
            raise SQLParseError(
                display, line, col, f"psql meta-command '{command}' is not SQL",
                line_text=text, sqlstate=None,
                remedy="this tool applies plain SQL: remove the meta-command "
                       "(inline the file instead of \\i, use literal values instead of \\set), "
                       "or move such setup into a prelude",
            )


def _rejected(sql: str, display: str, exc: parser.ParseError) -> SQLParseError:
    """The error for a file the parser rejected with *exc*.

    A psql meta-command is named rather than the syntax error it causes (the grammar
    has no backslash, so a file that parses has none), and a scanner error such as an
    unterminated string is reported as the scanner words it.
    """
    try:
        tokens = parser.scan(sql)
    except parser.ParseError as e:
        return _parse_error(sql, display, e)
    _check_meta_commands(sql, display, tokens)
    return _parse_error(sql, display, exc)


@lru_cache(maxsize=4096)
def parse_script(sql: str, display: str = "<sql>") -> Script:
    """Parse a whole migration file; raises :class:`SQLParseError` naming ``display:line:col``.

    Memoised (a :class:`Script` is immutable): the runner, its ordering hints and the origin
    notes of failing items ask for the same files again; and kept between runs by
    :mod:`~pytest_e2i_schema.parsecache` (splitting the reference schema's files is about
    30 ms of every cold run).
    """
    from ..parsecache import cached

    return cached("statements", ("migrations/statements.py", "errors.py", "pglast"), (display, sql),
                  lambda: _parse_script(sql, display))


def _parse_script(sql: str, display: str) -> Script:
    try:
        raw = json.loads(parser.parse_sql_json(sql)).get("stmts", [])
    except parser.ParseError as e:
        raise _rejected(sql, display, e) from None

    header: list[str] = []
    _skip_comments(sql, 0, header)  # the comments before the first statement
    autocommit = any(_MARKER.match(c.strip()) for c in header)

    statements: list[Statement] = []
    notes: list[str] = []
    line, counted = 1, 0  # line number at offset `counted`
    for rs, (loc, end) in zip(raw, _char_bounds(sql, raw)):
        kind, fields = next(iter(rs["stmt"].items()))
        # Older pglast/libpg_query versions start a statement at the preceding comments or
        # whitespace: move to its first real token so line/col and server positions agree.
        start = _skip_comments(sql, loc)
        if start >= end:
            start = loc
        text = sql[start:end].rstrip()
        if text.endswith(";"):
            text = text[:-1].rstrip()
        line += sql.count("\n", counted, start) if start >= counted else -sql.count("\n", start, counted)
        counted = start
        col = start - sql.rfind("\n", 0, start)
        first_line = text.splitlines()[0].strip() if text else ""
        skip_reason = None
        commit_point = False
        if kind == "TransactionStmt" and not autocommit:
            tx = _transaction_kind(fields)
            if tx in _REFUSED_TX:
                what = _REFUSED_TX[tx]
                raise SQLParseError(
                    display, line, col, f"top-level {what} in a migration file",
                    line_text=_line_text(sql, line), statement=first_line, sqlstate=None,
                    remedy=f"each file already runs in one transaction; {what} would discard the migration. "
                           f"Remove it, or put `{NO_TRANSACTION_MARKER}` before the first statement "
                           "to manage transactions yourself",
                )
            if tx in _BEGIN_TX:
                skip_reason = f"{_BEGIN_TX[tx]} at line {line} not sent: the file already runs in a transaction"
            elif tx == _TX.TRANS_STMT_COMMIT:
                skip_reason = f"COMMIT at line {line}: the transaction is committed here"
                commit_point = True
        statements.append(Statement(
            text=text, offset=start, line=line, col=col, first_line=first_line, kind=kind,
            no_transaction=_needs_autocommit(kind, fields), skip_reason=skip_reason, commit_point=commit_point,
            only_adds=_only_adds(kind, fields),
        ))
    for i, st in enumerate(statements):
        if st.skip_reason and not st.commit_point:
            notes.append(st.skip_reason)
        # A COMMIT matters (and deserves a note) only when statements follow it.
        elif st.commit_point and any(not later.skip_reason for later in statements[i + 1:]):
            notes.append(f"COMMIT at line {st.line}: committed there; the rest of the file runs in a new transaction")
    return Script(tuple(statements), autocommit, tuple(notes), sql)


def split(sql: str, display: str = "<sql>") -> list[Statement]:
    """The statements of *sql* in order; see :func:`parse_script` for errors."""
    return list(parse_script(sql, display).statements)
