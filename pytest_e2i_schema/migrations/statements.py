"""Split a migration file into statements, each with its place in the file.

Why split at all, when the server accepts a whole file in one query?  Because a
failure must point at the statement (and line) that failed, and because a few
statements cannot run inside the transaction that wraps every file.  The splitting
is done by PostgreSQL's own parser (through pglast), never by hand: semicolons
inside strings, dollar-quoted function bodies, ``BEGIN ATOMIC`` bodies and comments
are all handled the way the server handles them.

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

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

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
    #: The parse tree (pglast node); not compared, not shown.
    node: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Script:
    """A parsed migration file: its statements and whether it opted out of the transaction."""

    statements: tuple[Statement, ...]
    autocommit: bool
    notes: tuple[str, ...] = ()
    #: Full text of the file, to map server error positions back to lines.
    source: str = field(default="", repr=False)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of the character at *offset* (a character index, not bytes)."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


class _Lines:
    """line_col for many offsets of one text, without rescanning it each time."""

    def __init__(self, text: str):
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def __call__(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


def _line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


# --- statements that cannot run in a transaction block -------------------------------


def _defel(options: Any, name: str) -> Any:
    """Value of option *name* in a DefElem list, ``True`` when given without value, else ``None``."""
    for opt in options or ():
        if getattr(opt, "defname", None) == name:
            arg = opt.arg
            if arg is None:
                return True
            return getattr(arg, "sval", getattr(arg, "ival", getattr(arg, "boolval", arg)))
    return None


def _is_false(value: Any) -> bool:
    return value is not None and str(value).strip().lower() in {"false", "off", "0", "no", "f"}


def _reindex(n: Any) -> bool:
    multi = (
        enums.ReindexObjectType.REINDEX_OBJECT_SCHEMA,
        enums.ReindexObjectType.REINDEX_OBJECT_SYSTEM,
        enums.ReindexObjectType.REINDEX_OBJECT_DATABASE,
    )
    concurrently = _defel(n.params, "concurrently")
    return n.kind in multi or (concurrently is not None and not _is_false(concurrently))


def _create_subscription(n: Any) -> bool:
    return not (_is_false(_defel(n.options, "create_slot")) or _is_false(_defel(n.options, "connect")))


def _alter_subscription(n: Any) -> bool:
    k = enums.AlterSubscriptionType
    if n.kind == k.ALTER_SUBSCRIPTION_REFRESH:
        return True
    if n.kind in (k.ALTER_SUBSCRIPTION_SET_PUBLICATION, k.ALTER_SUBSCRIPTION_ADD_PUBLICATION,
                  k.ALTER_SUBSCRIPTION_DROP_PUBLICATION):
        return not _is_false(_defel(n.options, "refresh"))
    return False


def _detach_concurrently(n: Any) -> bool:
    return any(
        getattr(cmd, "subtype", None) == enums.AlterTableType.AT_DetachPartition
        and getattr(cmd.def_, "concurrent", False)
        for cmd in n.cmds or ()
    )


#: (node type, predicate, what it is) for every statement PostgreSQL runs only outside
#: a transaction block (its ``PreventInTransactionBlock`` calls).  ``ALTER TYPE ... ADD
#: VALUE`` is absent: it has been allowed in a transaction since PostgreSQL 12.
NO_TRANSACTION: tuple[tuple[str, Callable[[Any], bool], str], ...] = (
    ("IndexStmt", lambda n: bool(n.concurrent), "CREATE INDEX CONCURRENTLY"),
    ("DropStmt", lambda n: bool(n.concurrent), "DROP INDEX CONCURRENTLY"),
    ("ReindexStmt", _reindex, "REINDEX CONCURRENTLY / SCHEMA / SYSTEM / DATABASE"),
    ("VacuumStmt", lambda n: bool(n.is_vacuumcmd), "VACUUM (ANALYZE alone may run in a transaction)"),
    ("AlterSystemStmt", lambda n: True, "ALTER SYSTEM"),
    ("CreatedbStmt", lambda n: True, "CREATE DATABASE"),
    ("DropdbStmt", lambda n: True, "DROP DATABASE"),
    ("CreateTableSpaceStmt", lambda n: True, "CREATE TABLESPACE"),
    ("DropTableSpaceStmt", lambda n: True, "DROP TABLESPACE"),
    ("AlterDatabaseStmt", lambda n: _defel(n.options, "tablespace") is not None, "ALTER DATABASE SET TABLESPACE"),
    ("CreateSubscriptionStmt", _create_subscription, "CREATE SUBSCRIPTION (creating a slot)"),
    ("AlterSubscriptionStmt", _alter_subscription, "ALTER SUBSCRIPTION ... REFRESH"),
    ("DropSubscriptionStmt", lambda n: True, "DROP SUBSCRIPTION (may drop a slot)"),
    ("AlterTableStmt", _detach_concurrently, "ALTER TABLE ... DETACH PARTITION CONCURRENTLY"),
    ("ClusterStmt", lambda n: n.relation is None, "CLUSTER of a whole database"),
    ("DiscardStmt", lambda n: n.target == enums.DiscardMode.DISCARD_ALL, "DISCARD ALL"),
    (
        "TransactionStmt",
        lambda n: n.kind in (enums.TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED,
                             enums.TransactionStmtKind.TRANS_STMT_ROLLBACK_PREPARED),
        "COMMIT PREPARED / ROLLBACK PREPARED",
    ),
)

_NO_TX_BY_KIND: dict[str, list[Callable[[Any], bool]]] = {}
for _kind, _pred, _what in NO_TRANSACTION:
    _NO_TX_BY_KIND.setdefault(_kind, []).append(_pred)


def _needs_autocommit(node: Any) -> bool:
    return any(pred(node) for pred in _NO_TX_BY_KIND.get(type(node).__name__, ()))


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


_TWIN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _ascii_twin(sql: str) -> str:
    """*sql* with every non-ASCII character replaced by one ASCII letter.

    Why: pglast maps the parser's byte offsets to character offsets with a lookup that
    is linear in the number of non-ASCII characters, so a big file with accented
    comments takes seconds.  PostgreSQL's lexer treats every non-ASCII character as an
    identifier character, exactly like a letter, so the twin has the same tokens and
    statement boundaries, at the same character offsets, and parses fast.  (The letter
    depends on the character, so differing ``$tags$`` stay different.)
    """
    if sql.isascii():
        return sql
    return "".join(c if c < "\x80" else _TWIN_CHARS[ord(c) % len(_TWIN_CHARS)] for c in sql)


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


def _analyse(text: str, sql: str, display: str) -> tuple[list[Any], list[tuple[int, int]], list[Any]] | None:
    """Tokens, statement bounds ``(start, length)`` and parse trees of *sql*, lexed and split on *text*.

    *text* is *sql* itself or its :func:`_ascii_twin`.  With the twin, each statement's
    tree comes from parsing that piece of the original; ``None`` when a piece is not
    exactly one statement (the twin split differently, see :func:`_original_nodes`).
    Raises :class:`pglast.parser.ParseError`, and :class:`SQLParseError` for psql
    meta-commands.
    """
    tokens = list(parser.scan(text))
    _check_meta_commands(sql, display, tokens)
    if text is sql:
        raw = parser.parse_sql(sql)
        return tokens, [(rs.stmt_location or 0, rs.stmt_len) for rs in raw], [rs.stmt for rs in raw]
    bounds = [(sl.start, sl.stop - sl.start) for sl in parser.split(text, with_parser=True, only_slices=True)]
    nodes = _original_nodes(sql, bounds)
    return None if nodes is None else (tokens, bounds, nodes)


def parse_script(sql: str, display: str = "<sql>") -> Script:
    """Parse a whole migration file; raises :class:`SQLParseError` naming ``display:line:col``."""
    twin = _ascii_twin(sql)
    analysis = None
    if twin is not sql:
        try:
            analysis = _analyse(twin, sql, display)
        except parser.ParseError:
            analysis = None  # let the original text give the exact message
    if analysis is None:
        try:
            analysis = _analyse(sql, sql, display)
        except parser.ParseError as e:
            raise _parse_error(sql, display, e) from None
    tokens, bounds, nodes = analysis

    code_starts = [t.start for t in tokens if t.name not in _COMMENT_TOKENS]
    first_code = code_starts[0] if code_starts else len(sql)
    autocommit = any(
        t.name == "SQL_COMMENT" and t.start < first_code and _MARKER.match(sql[t.start:t.end + 1].strip())
        for t in tokens
    )

    statements: list[Statement] = []
    notes: list[str] = []
    locate = _Lines(sql)
    for (loc, length), node in zip(bounds, nodes):
        end = len(sql) if not length else loc + length
        # Older pglast/libpg_query versions start a statement at the preceding comments or
        # whitespace: move to its first real token so line/col and server positions agree.
        i = bisect.bisect_left(code_starts, loc)
        start = code_starts[i] if i < len(code_starts) and code_starts[i] < end else loc
        text = sql[start:end].rstrip()
        if text.endswith(";"):
            text = text[:-1].rstrip()
        line, col = locate(start)
        first_line = text.splitlines()[0].strip() if text else ""
        kind = type(node).__name__
        skip_reason = None
        commit_point = False
        if kind == "TransactionStmt" and not autocommit:
            if node.kind in _REFUSED_TX:
                what = _REFUSED_TX[node.kind]
                raise SQLParseError(
                    display, line, col, f"top-level {what} in a migration file",
                    line_text=_line_text(sql, line), statement=first_line, sqlstate=None,
                    remedy=f"each file already runs in one transaction; {what} would discard the migration. "
                           f"Remove it, or put `{NO_TRANSACTION_MARKER}` before the first statement "
                           "to manage transactions yourself",
                )
            if node.kind in _BEGIN_TX:
                skip_reason = f"{_BEGIN_TX[node.kind]} at line {line} not sent: the file already runs in a transaction"
            elif node.kind == _TX.TRANS_STMT_COMMIT:
                skip_reason = f"COMMIT at line {line}: the transaction is committed here"
                commit_point = True
        statements.append(Statement(
            text=text, offset=start, line=line, col=col, first_line=first_line, kind=kind,
            no_transaction=_needs_autocommit(node), skip_reason=skip_reason, commit_point=commit_point,
            node=node,
        ))
    for i, st in enumerate(statements):
        if st.skip_reason and not st.commit_point:
            notes.append(st.skip_reason)
        # A COMMIT matters (and deserves a note) only when statements follow it.
        elif st.commit_point and any(not later.skip_reason for later in statements[i + 1:]):
            notes.append(f"COMMIT at line {st.line}: committed there; the rest of the file runs in a new transaction")
    return Script(tuple(statements), autocommit, tuple(notes), sql)


def _original_nodes(sql: str, bounds: list[tuple[int, int]]) -> list[Any] | None:
    """Parse trees of the original text, one statement at a time (see :func:`_ascii_twin`).

    ``None`` when a piece does not parse as exactly one statement: the twin split the
    text differently (two dollar tags differing only in non-ASCII letters that map to
    the same letter), and the caller parses the whole original instead.
    """
    nodes = []
    for loc, length in bounds:
        piece = sql[loc:] if not length else sql[loc:loc + length]
        try:
            parsed = parser.parse_sql(piece)
        except parser.ParseError:
            return None
        if len(parsed) != 1:
            return None
        nodes.append(parsed[0].stmt)
    return nodes


def split(sql: str, display: str = "<sql>") -> list[Statement]:
    """The statements of *sql* in order; see :func:`parse_script` for errors."""
    return list(parse_script(sql, display).statements)
