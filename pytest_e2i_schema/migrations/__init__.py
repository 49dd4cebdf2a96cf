"""Find, split and apply a project's SQL migrations, reporting failures by file and line.

* :mod:`.discovery` - which files, in which order (numbered, timestamped, Flyway, Prisma...);
* :mod:`.statements` - split a file with PostgreSQL's own parser; transaction rules;
* :mod:`.apply` - run the files on a server, one transaction per file;
* :mod:`.ordering` - explain "does not exist" errors caused by migration order;
* :mod:`.results` - the records a run produces and how failures are rendered.
"""

from __future__ import annotations

from .apply import apply_migrations, missing_extension
from .discovery import DEFAULT_LOCATIONS, Migration, default_locations, discover, find_migrations
from .ordering import MissingObject, missing_object, ordering_hint
from .results import MigrationFailure, MigrationResult, MigrationRun
from .statements import (
    NO_TRANSACTION,
    NO_TRANSACTION_MARKER,
    Script,
    SQLParseError,
    Statement,
    line_col,
    parse_script,
    split,
)

__all__ = [
    "Migration",
    "DEFAULT_LOCATIONS",
    "discover",
    "default_locations",
    "find_migrations",
    "Statement",
    "Script",
    "SQLParseError",
    "NO_TRANSACTION",
    "NO_TRANSACTION_MARKER",
    "split",
    "parse_script",
    "line_col",
    "MissingObject",
    "missing_object",
    "ordering_hint",
    "MigrationFailure",
    "MigrationResult",
    "MigrationRun",
    "apply_migrations",
    "missing_extension",
]
