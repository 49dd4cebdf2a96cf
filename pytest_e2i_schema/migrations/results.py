"""What applying migrations produced: one result per file, failures that read like compiler errors.

Why a separate module: reporters (the pytest plugin, the CLI, snapshot files) consume
these records without needing a server or psycopg, and the message format lives in
one place.  A failure renders as ``file:line:col: ERROR sqlstate: message`` followed by
indented ``statement:``, ``DETAIL:``, ``HINT:``, ``ordering:`` lines, so editors and CI
annotations can jump straight to the failing line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..errors import ExtensionUnavailable, MigrationError
from .discovery import Migration

__all__ = ["MigrationFailure", "MigrationResult", "MigrationRun"]


@dataclass(frozen=True)
class MigrationFailure:
    """Why one migration file failed, located in the file."""

    display: str
    line: int
    col: int
    #: First line of the failing statement.
    statement: str
    message: str
    sqlstate: str | None = None
    detail: str | None = None
    hint: str | None = None
    #: Server context (``PL/pgSQL function inline_code_block line 4 at PERFORM``...).
    context: str | None = None
    #: Which later statement or migration creates the missing object, if any.
    ordering_hint: str | None = None
    #: Name of the extension the server does not have, when that is the failure.
    missing_extension: str | None = None
    #: Which server lacks the extension and what to use instead.
    extension_hint: str | None = None
    #: The file's line at ``line``, when it is not the statement's first line.
    line_text: str | None = None
    #: What to change when the cause is how the tool runs the file (transactions...).
    advice: str | None = None

    def format(self) -> str:
        code = f"ERROR {self.sqlstate}" if self.sqlstate else "ERROR"
        out = [f"{self.display}:{self.line}:{self.col}: {code}: {self.message}"]
        if self.statement:
            out.append(f"  statement: {self.statement}")
        if self.line_text and not self.line_text.strip().startswith(self.statement.strip()):
            out.append(f"  line {self.line}: {self.line_text.strip()}")
        for label, value in (("DETAIL", self.detail), ("HINT", self.hint), ("CONTEXT", self.context)):
            if value:
                out.append(f"  {label}: " + value.replace("\n", "\n    "))
        if self.ordering_hint:
            out.append(f"  ordering: {self.ordering_hint}")
        if self.extension_hint:
            out.append(f"  extension: {self.extension_hint}")
        if self.advice:
            out.append(f"  fix: {self.advice}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True)
class MigrationResult:
    """Outcome of one file: timing, statements sent, and catalog counts after it."""

    migration: Migration
    ok: bool
    duration_s: float
    #: Statements sent to the server (skipped BEGIN/COMMIT not counted).
    statements: int
    failure: MigrationFailure | None = None
    counts: dict[str, int] = field(default_factory=dict)
    #: Things done differently from the file's text (skipped BEGIN/COMMIT...).
    notes: tuple[str, ...] = ()
    #: Every statement sent could only add objects (:attr:`Script.only_adds
    #: <pytest_e2i_schema.migrations.Script.only_adds>`); False when the file did not parse.
    only_adds: bool = False


@dataclass
class MigrationRun:
    """Every file's result, in order; ``not_attempted`` are files after a stopping failure."""

    results: list[MigrationResult] = field(default_factory=list)
    not_attempted: list[Migration] = field(default_factory=list)
    total_s: float = 0.0
    server_desc: str = "server"

    @property
    def applied(self) -> list[Migration]:
        return [r.migration for r in self.results if r.ok]

    @property
    def failures(self) -> list[MigrationFailure]:
        return [r.failure for r in self.results if r.failure is not None]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def report(self) -> str:
        """Human summary: failures first, then what was applied and what was not tried."""
        total = len(self.results) + len(self.not_attempted)
        failed = self.failures
        lines = [f"{len(failed)} of {total} migration file(s) failed on {self.server_desc}:" if failed
                 else f"{total} migration file(s) applied on {self.server_desc}"]
        lines.extend(f.format() for f in failed)
        lines.append(_listing("applied", self.applied))
        if self.not_attempted:
            lines.append(_listing("not attempted", self.not_attempted))
        return "\n".join(lines)

    def raise_for_failures(self) -> None:
        """Raise if any file failed.

        :class:`~pytest_e2i_schema.errors.ExtensionUnavailable` when the first failure
        is an extension the server lacks (a server problem, not a migration bug; later
        failures usually follow from it), :class:`MigrationError` otherwise.
        """
        failed = self.failures
        if not failed:
            return
        if failed[0].missing_extension:
            raise ExtensionUnavailable(self.report())
        raise MigrationError(self.report())


def _listing(label: str, migrations: Sequence[Migration]) -> str:
    if not migrations:
        return f"{label}: none"
    return f"{label} ({len(migrations)}): " + ", ".join(m.display for m in migrations)
