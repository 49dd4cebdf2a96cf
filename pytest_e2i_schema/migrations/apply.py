"""Apply migration files to a server, one transaction per file, and say exactly what failed.

Why statement by statement: sending a whole file as one query is faster to write but
the server then reports an error against "the query", not the file.  Here every
statement is sent on its own (in the file's transaction, ``prepare=False``), so a
failure carries the file, the line and column (down to the server's error position
inside the statement, or the PL/pgSQL line inside a ``DO`` block), the statement,
and the server's DETAIL / HINT / CONTEXT.  On top of that, "does not exist" errors are
checked against the *later* migrations, because most of them are ordering mistakes.

Session rules, chosen to behave like ``psql -f`` run once per file:

* one connection for the whole run (fast; the caller's, never closed here), in
  autocommit mode with an explicit
  transaction per file (see :mod:`.statements` for statements that cannot run in a
  transaction and for the ``-- e2i: no-transaction`` opt-out);
* ``settings`` are applied as session settings before the first file;
* after each file the session is reset (``DISCARD ALL``) and ``settings`` re-applied,
  so a ``SET search_path = ''`` or ``SET ROLE`` in one file does not leak into the next;
* by default the run stops at the first failing file; with ``keep_going`` the failing
  file is rolled back and the next files are still tried, on the same database.  A file
  split by a non-transactional statement keeps the parts committed before the failure.

A lost connection is not a migration failure: it raises
:class:`~pytest_e2i_schema.errors.EngineError` naming the server.
"""

from __future__ import annotations

import inspect
import re
import time
from dataclasses import replace
from typing import Callable, Iterator, Mapping, Sequence

import psycopg
from pglast import parser
from psycopg import pq

from ..errors import ConfigError, E2IError, EngineError
from .discovery import Migration
from .ordering import missing_object, ordering_hint
from .results import MigrationFailure, MigrationResult, MigrationRun
from .statements import Script, SQLParseError, Statement, line_col, parse_script

__all__ = ["apply_migrations", "missing_extension"]

_SETTING_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*$")
_PLPGSQL_LINE = re.compile(r"PL/pgSQL function inline_code_block line (\d+)")
_EXT_NOT_AVAILABLE = re.compile(r'^extension "(?P<name>[^"]+)" is not available')
_EXT_CONTROL_FILE = re.compile(r'could not open extension control file "[^"]*/(?P<name>[^"/]+)\.control"')
_DOLLAR_DELIM = re.compile(r"^\$[^$]*\$")

#: Errors caused by running a file in one transaction, and what to change.
_ADVICE = {
    "55P04": "each file runs in one transaction: put COMMIT; after the ALTER TYPE ... ADD VALUE "
             "(the file goes on in a new transaction), or start the file with `-- e2i: no-transaction`",
    "25001": "this statement cannot run in a transaction block: start the file with "
             "`-- e2i: no-transaction` to run it statement by statement",
}


def missing_extension(sqlstate: str | None, message: str | None) -> str | None:
    """Name of the extension a ``CREATE EXTENSION`` failure says the server lacks.

    PostgreSQL 15+ answers ``0A000 extension "x" is not available``; older servers
    ``58P01 could not open extension control file ".../x.control"``.
    """
    if not message:
        return None
    m = _EXT_NOT_AVAILABLE.match(message) if sqlstate == "0A000" else None
    m = m or (_EXT_CONTROL_FILE.search(message) if sqlstate == "58P01" else None)
    return m["name"] if m else None


def _check_settings(settings: Mapping[str, str] | None) -> list[tuple[str, str]]:
    items = [(str(k), str(v)) for k, v in (settings or {}).items()]
    for name, _ in items:
        if not _SETTING_NAME.match(name):
            raise ConfigError(
                f"setting name {name!r} is not a valid configuration parameter; "
                "use names like search_path or app.tenant"
            )
    return items


def _apply_settings(conn: psycopg.Connection, settings: list[tuple[str, str]], server_desc: str) -> None:
    for name, value in settings:
        try:
            conn.execute("SELECT set_config(%s, %s, false)", (name, value), prepare=False)
        except psycopg.Error as e:
            if conn.broken or conn.closed:
                raise EngineError(f"lost the connection to {server_desc} while applying settings: {e}") from e
            raise ConfigError(
                f"setting {name}={value!r} was rejected by {server_desc}: "
                f"{e.diag.message_primary or e}; fix the migration settings"
            ) from e


def _segments(statements: Sequence[Statement]) -> Iterator[tuple[bool, list[Statement]]]:
    """Group runnable statements: ``(True, [one])`` for non-transactional ones, else ``(False, run)``.

    A run ends at a statement that cannot be in a transaction and at an explicit COMMIT.
    """
    run: list[Statement] = []
    for st in statements:
        if st.commit_point and run:
            yield False, run
            run = []
        if st.skip_reason:
            continue
        if st.no_transaction:
            if run:
                yield False, run
                run = []
            yield True, [st]
        else:
            run.append(st)
    if run:
        yield False, run


def _execute(conn: psycopg.Connection, st: Statement) -> None:
    conn.execute(st.text, prepare=False)  # type: ignore[arg-type]  # file text, not a literal


def _run_batch(conn: psycopg.Connection, group: Sequence[Statement]) -> bool:
    """Run a transactional group of statements in one round trip; False when it failed (and was
    rolled back), so the caller runs it again statement by statement to locate the failure.

    Why: one query per statement costs a round trip and psycopg's per-query work each time --
    about 15% of applying the reference schema.  The group goes as one simple-protocol query
    (no parameters, so the server splits it itself, exactly where our parser did).  A
    statement is followed by a newline before the semicolon, so a trailing ``-- comment``
    can't swallow it.  Deterministic failures repeat in the statement-by-statement rerun,
    which then reports file, line, statement and the server's message as before; the batch's
    own effects were rolled back, so nothing runs twice that stays.
    """
    if len(group) < 2:
        return False
    try:
        with conn.transaction():
            conn.execute("\n;\n".join(st.text for st in group), prepare=False)  # type: ignore[arg-type]
    except psycopg.Error:
        if conn.broken or conn.closed:
            raise
        return False
    return True


def _do_body_line(st: Statement, source: str, plpgsql_line: int) -> tuple[int, int] | None:
    """File line/col of line *plpgsql_line* of a ``DO`` block's body."""
    try:
        tokens = [t for t in parser.scan(st.text) if t.name == "SCONST"]
    except parser.ParseError:
        return None
    if not tokens:
        return None
    body = max(tokens, key=lambda t: t.end - t.start)
    raw = st.text[body.start:body.end + 1]
    m = _DOLLAR_DELIM.match(raw)
    delim = len(m[0]) if m else (2 if raw[:1] in "eE" else 1)
    start_line, _ = line_col(source, st.offset + body.start + delim)
    line = start_line + plpgsql_line - 1
    text = source.splitlines()[line - 1] if line <= len(source.splitlines()) else ""
    return line, len(text) - len(text.lstrip()) + 1


class _Runner:
    """State of one run: the connection, parsed files (reused for ordering hints), options."""

    def __init__(self, conn: psycopg.Connection, migrations: Sequence[Migration], server_desc: str,
                 engine_hint: str):
        self.conn = conn
        self.migrations = migrations
        self.server_desc = server_desc
        self.engine_hint = engine_hint
        self._parsed: dict[int, Script | None] = {}
        #: Files that failed so far (``keep_going``), to explain follow-up failures.
        self.failed: list[int] = []

    def script(self, index: int) -> Script | None:
        """Parsed file *index*, or ``None`` when it cannot be read or parsed."""
        if index not in self._parsed:
            try:
                m = self.migrations[index]
                self._parsed[index] = parse_script(m.read_text(), m.display)
            except E2IError:
                self._parsed[index] = None
        return self._parsed[index]

    def apply_one(self, index: int) -> MigrationResult:
        m = self.migrations[index]
        start = time.perf_counter()
        try:
            script = parse_script(m.read_text(), m.display)
        except SQLParseError as e:
            failure = MigrationFailure(
                display=m.display, line=e.line, col=e.col, statement=e.statement or e.line_text.strip(),
                message=e.reason, sqlstate=e.sqlstate, hint=e.remedy or None, line_text=e.line_text,
            )
            return MigrationResult(m, False, time.perf_counter() - start, 0, failure)
        except E2IError as e:
            failure = MigrationFailure(m.display, 1, 1, "", e.message.removeprefix(f"{m.display}: "))
            return MigrationResult(m, False, time.perf_counter() - start, 0, failure)
        self._parsed[index] = script

        conn = self.conn
        executed = 0
        current: Statement | None = None
        batch: Sequence[Statement] | None = None
        committing = False
        failure = None
        try:
            if script.autocommit:
                for st in script.statements:
                    current = st
                    _execute(conn, st)
                    executed += 1
                if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
                    failure = MigrationFailure(
                        m.display, current.line if current else 1, current.col if current else 1,
                        current.first_line if current else "",
                        "the file leaves a transaction open (BEGIN without COMMIT); it was rolled back",
                        hint="end the file's transaction with COMMIT",
                    )
            else:
                for alone, group in _segments(script.statements):
                    if alone:
                        current = group[0]
                        _execute(conn, current)
                        executed += 1
                        continue
                    current, batch = group[0], group
                    if _run_batch(conn, group):
                        executed += len(group)
                        continue
                    batch = None
                    with conn.transaction():  # again one by one, to say which statement failed
                        for st in group:
                            current = st
                            _execute(conn, st)
                            executed += 1
                        committing = True  # deferred constraints are checked by the COMMIT
                    committing = False
        except psycopg.Error as e:
            if conn.broken or conn.closed:
                where = f"{m.display}:{current.line}" if current else m.display
                if batch:  # sent together: the server does not say which one was running
                    where = f"{m.display}:{batch[0].line}-{batch[-1].line} (statements sent together)"
                raise EngineError(
                    f"lost the connection to {self.server_desc} while applying {where}: {e}; "
                    "the server stopped or crashed, see its log"
                ) from e
            if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                conn.execute("ROLLBACK")
            failure = self.failure(index, script, current, e, committing)
        duration = time.perf_counter() - start
        return MigrationResult(m, failure is None, duration, executed, failure, notes=script.notes,
                               only_adds=script.only_adds)

    def failure(self, index: int, script: Script, st: Statement | None, e: psycopg.Error,
                committing: bool = False) -> MigrationFailure:
        m = self.migrations[index]
        d = e.diag
        message = d.message_primary or str(e).strip()
        sqlstate = d.sqlstate
        if st is None:  # cannot happen: errors come from executing a statement
            return MigrationFailure(m.display, 1, 1, "", message, sqlstate)
        line, col = st.line, st.col
        try:
            pos = int(d.statement_position) if d.statement_position else 0
        except ValueError:
            pos = 0
        plpgsql = _PLPGSQL_LINE.search(d.context or "")
        if pos:
            line, col = line_col(script.source, st.offset + pos - 1)
        elif plpgsql and st.kind == "DoStmt":
            line, col = _do_body_line(st, script.source, int(plpgsql[1])) or (line, col)
        lines = script.source.splitlines()
        line_text = lines[line - 1] if 0 < line <= len(lines) else None

        hint_order = None
        missing = missing_object(sqlstate, message)
        if missing is not None:
            k = script.statements.index(st)
            later = [(self.migrations[j].display, s.statements) for j in range(index + 1, len(self.migrations))
                     if (s := self.script(j)) is not None]
            earlier = [(self.migrations[j].display, s.statements) for j in range(index)
                       if (s := self.script(j)) is not None]
            earlier.append((m.display, script.statements[:k]))
            failed = [(self.migrations[j].display, s.statements) for j in self.failed
                      if (s := self.script(j)) is not None]
            hint_order = ordering_hint(missing, line, script.statements[k + 1:], later, earlier, failed)

        ext = missing_extension(sqlstate, message)
        ext_hint = None
        if ext:
            ext_hint = f'{self.server_desc} does not have extension "{ext}"'
            if self.engine_hint:
                ext_hint += f"; {self.engine_hint}"
        statement = st.first_line
        if committing:
            statement = f"COMMIT of the file's transaction (last statement: {st.first_line})"
        return MigrationFailure(
            display=m.display, line=line, col=col, statement=statement, message=message,
            sqlstate=sqlstate, detail=d.message_detail, hint=d.message_hint, context=d.context,
            ordering_hint=hint_order, missing_extension=ext, extension_hint=ext_hint, line_text=line_text,
            advice=_ADVICE.get(sqlstate or ""),
        )


def _open(connect: Callable[[], psycopg.Connection], server_desc: str) -> tuple[psycopg.Connection, bool]:
    """The connection in autocommit mode, and its former autocommit flag (restored at the end).

    A transaction the caller left open is committed first: it is setup meant to come
    before the migrations (a failed one is rolled back).
    """
    try:
        conn = connect()
    except psycopg.OperationalError as e:
        raise EngineError(f"cannot connect to {server_desc} to apply migrations: {e}") from e
    status = conn.info.transaction_status
    if status == pq.TransactionStatus.INTRANS:
        conn.commit()
    elif status != pq.TransactionStatus.IDLE:
        conn.rollback()
    was_autocommit = conn.autocommit
    conn.autocommit = True
    return conn, was_autocommit


def _no_auto_prepare(conn: psycopg.Connection) -> int | None:
    """Turn psycopg's automatic prepared statements off for the run: ``DISCARD ALL`` after each
    file drops them on the server while the client still believes they exist (a query run
    by *counter* on every file would fail on the 6th with 'prepared statement does not exist')."""
    threshold = conn.prepare_threshold
    conn.prepare_threshold = None
    return threshold


def _counter_call(counter: Callable[..., dict[str, int]]) -> Callable[[psycopg.Connection, MigrationResult], dict[str, int]]:
    """``counter(conn)``, or ``counter(conn, result=...)`` for a counter that takes the file's
    result (to count only what an adding-only file added, see catalog.read.FileCounts)."""
    try:
        takes_result = "result" in inspect.signature(counter).parameters
    except (TypeError, ValueError):
        takes_result = False
    if takes_result:
        return lambda conn, result: counter(conn, result=result)
    return lambda conn, result: counter(conn)


def apply_migrations(
    connect: Callable[[], psycopg.Connection],
    migrations: Sequence[Migration],
    *,
    keep_going: bool = False,
    settings: Mapping[str, str] | None = None,
    server_desc: str = "server",
    engine_hint: str = "",
    counter: Callable[..., dict[str, int]] | None = None,
    on_result: Callable[[MigrationResult], None] | None = None,
) -> MigrationRun:
    """Apply *migrations* in order on one connection from *connect*; never raises for SQL errors.

    *connect* is called once.  The connection stays the caller's: it is not closed
    (use ``with psycopg.connect(...) as conn: apply_migrations(lambda: conn, ...)``),
    its autocommit flag is restored, and its session is left reset, with *settings*.
    Returns a :class:`MigrationRun`; call its ``raise_for_failures()`` to turn failures
    into an exception.  *counter* is called after each file (in a clean session) and
    its result stored in ``MigrationResult.counts`` (a counter with a ``result`` parameter also
    gets the file's :class:`MigrationResult`); *on_result* sees each result as
    soon as it exists (progress reporting).  Raises
    :class:`~pytest_e2i_schema.errors.ConfigError` for bad *settings* and
    :class:`~pytest_e2i_schema.errors.EngineError` when the server cannot be reached.
    """
    items = _check_settings(settings)
    count = _counter_call(counter) if counter is not None else None
    started = time.perf_counter()
    run = MigrationRun(server_desc=server_desc)
    conn, was_autocommit = _open(connect, server_desc)
    threshold = _no_auto_prepare(conn)
    runner = _Runner(conn, migrations, server_desc, engine_hint)
    try:
        _apply_settings(conn, items, server_desc)
        for index, migration in enumerate(migrations):
            result = runner.apply_one(index)
            if not result.ok:
                runner.failed.append(index)
            try:
                conn.execute("DISCARD ALL", prepare=False)
                _apply_settings(conn, items, server_desc)
                if counter is not None:
                    result = replace(result, counts=dict(count(conn, result)))
            except psycopg.OperationalError as e:
                if not conn.broken:
                    raise
                raise EngineError(
                    f"lost the connection to {server_desc} after applying {migration.display}: {e}"
                ) from e
            run.results.append(result)
            if on_result is not None:
                on_result(result)
            if not result.ok and not keep_going:
                run.not_attempted = list(migrations[index + 1:])
                break
    finally:
        run.total_s = time.perf_counter() - started
        if not conn.closed and not conn.broken:
            if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                conn.rollback()
            conn.autocommit = was_autocommit
            conn.prepare_threshold = threshold
    return run
