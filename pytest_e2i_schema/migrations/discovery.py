"""Find a project's migration files and put them in the order they must be applied.

Why a module of its own: every migration tool names its files differently, and the
most common bug in a hand-rolled runner is ordering them as strings (``00010_x.sql``
before ``0002_y.sql``).  Here each file name is turned into a *numeric* version first,
so all the common layouts sort the way their own tool would sort them:

==============  ==================================================  =============
layout          example                                             version
==============  ==================================================  =============
``numbered``    ``001_init.sql``, ``0002-users.sql``, ``3.up.sql``  ``(2,)``
``timestamp``   ``20251119174252_add_rls.sql`` (Supabase, dbmate)   ``(20251119174252,)``
``flyway``      ``V1_2__add_users.sql``, ``V1.2__x.sql``            ``(1, 2)``
``folder``      ``20250603010109_init/migration.sql`` (Prisma),     ``(20250603010109,)``
                ``2023-01-01-000000_x/up.sql`` (diesel)
``plain``       ``schema.sql``, Flyway's ``R__views.sql``           none
==============  ==================================================  =============

Files without a version go after the versioned ones, by name; Flyway repeatables
(``R__``) go last, as Flyway applies them after every versioned migration.  Undo and
down files (``U1__x.sql``, ``x.down.sql``, ``down.sql``) are never applied.

Configured *entries* (folders, globs or single files) are taken in the order given;
only the files inside one entry are sorted.  That lets a project say "the Supabase
folder, then our test fixtures" without renaming anything.
"""

from __future__ import annotations

import glob as _glob
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..errors import MigrationDiscoveryError, MigrationError

__all__ = [
    "Migration",
    "DEFAULT_LOCATIONS",
    "discover",
    "default_locations",
    "find_migrations",
]

#: Where migrations live when nothing is configured, most specific first.
DEFAULT_LOCATIONS: tuple[str, ...] = ("supabase/migrations", "migrations", "sql/migrations", "db/migrations")

#: File names that stand for "the migration of the folder they are in".
_FOLDER_FILES = ("migration.sql", "up.sql")
_FOLDER_DOWN_FILES = ("down.sql",)

_FLYWAY = re.compile(r"^V(?P<ver>\d+(?:[._]\d+)*)__(?P<name>.*)$", re.I)
_FLYWAY_REPEATABLE = re.compile(r"^R__(?P<name>.*)$", re.I)
_FLYWAY_UNDO = re.compile(r"^U\d+(?:[._]\d+)*__", re.I)
_NUMBERED = re.compile(r"^(?P<ver>\d+)(?:[_\-. ]+(?P<name>.*))?$")
#: Folder names: ``20250603010109_init`` (Prisma) or ``2023-01-01-000000_init`` (diesel).
_FOLDER = re.compile(r"^(?P<ver>\d(?:[\d-]*\d)?)(?:[_\-. ]+(?P<name>.*))?$")
#: A numeric prefix this long is a date-time stamp rather than a sequence number.
_TIMESTAMP_DIGITS = 12

_GROUP_VERSIONED, _GROUP_PLAIN, _GROUP_REPEATABLE = 0, 1, 2


@dataclass(frozen=True)
class Migration:
    """One SQL file to apply.  ``version`` is the numeric sort key (empty when unversioned)."""

    path: Path
    #: The path as shown in messages: relative to the rootdir when the file is inside it.
    display: str
    version: tuple[int, ...]
    #: The version as written (``'0002'``, ``'20251119174252'``, ``'1.2'``); empty if none.
    version_label: str
    #: The description part of the name (``'add_users'``), or the file stem.
    name: str
    layout: str
    #: Sort group inside one entry: versioned, then plain, then Flyway repeatables.
    group: int = field(default=_GROUP_VERSIONED, repr=False, compare=False)

    def read_text(self) -> str:
        """The file's text; a UTF-8 byte-order mark is dropped, other encodings are an error."""
        try:
            data = self.path.read_bytes()
        except OSError as e:
            raise MigrationError(f"{self.display}: cannot read the migration file: {e.strerror or e}") from e
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise MigrationError(
                f"{self.display}: not valid UTF-8 (byte {e.start}); save the file as UTF-8"
            ) from e

    @property
    def sort_key(self) -> tuple:
        """Order inside one entry: group, numeric version (trailing zeros ignored), name."""
        return (self.group, _normalise(self.version), self.path.name.lower(), self.display)


def _normalise(version: tuple[int, ...]) -> tuple[int, ...]:
    """Flyway treats ``1.0`` and ``1`` as the same version; so do we."""
    v = list(version)
    while len(v) > 1 and v[-1] == 0:
        v.pop()
    return tuple(v)


def _display(path: Path, rootdir: Path) -> str:
    try:
        return path.resolve().relative_to(rootdir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _strip_sql(name: str) -> tuple[str, str]:
    """Split ``x.up.sql`` into (``x``, ``up``); direction is ``''`` when absent."""
    stem = name[:-4] if name.lower().endswith(".sql") else name
    low = stem.lower()
    for direction in ("up", "down"):
        if low.endswith("." + direction):
            return stem[: -len(direction) - 1], direction
    return stem, ""


def _classify(path: Path, rootdir: Path, notes: list[str] | None) -> Migration | None:
    """Turn one file into a :class:`Migration`, or ``None`` (with a note) when it is never applied."""
    display = _display(path, rootdir)

    def note(text: str) -> None:
        if notes is not None:
            notes.append(f"{display}: {text}")

    if path.name.lower() in _FOLDER_DOWN_FILES:
        note("down migration, not applied")
        return None
    if path.name.lower() in _FOLDER_FILES:
        folder = path.parent.name
        m = _FOLDER.match(folder)
        if m:
            digits = m["ver"].replace("-", "")
            return Migration(path, display, (int(digits),), m["ver"], m["name"] or folder, "folder")
        return Migration(path, display, (), "", folder, "folder", _GROUP_PLAIN)

    stem, direction = _strip_sql(path.name)
    if direction == "down":
        note("down migration, not applied")
        return None
    if _FLYWAY_UNDO.match(stem):
        note("Flyway undo migration, not applied")
        return None
    m = _FLYWAY.match(stem)
    if m:
        parts = re.split(r"[._]", m["ver"])
        return Migration(path, display, tuple(int(p) for p in parts), ".".join(parts), m["name"], "flyway")
    m = _FLYWAY_REPEATABLE.match(stem)
    if m:
        return Migration(path, display, (), "", m["name"], "flyway", _GROUP_REPEATABLE)
    m = _NUMBERED.match(stem)
    if m:
        layout = "timestamp" if len(m["ver"]) >= _TIMESTAMP_DIGITS else "numbered"
        return Migration(path, display, (int(m["ver"]),), m["ver"], m["name"] or stem, layout)
    return Migration(path, display, (), "", stem, "plain", _GROUP_PLAIN)


def _is_glob(entry: str) -> bool:
    return any(c in entry for c in "*?[")


def _folder_files(folder: Path, notes: list[str] | None, rootdir: Path) -> list[Path]:
    """The ``.sql`` files of a folder, plus ``<sub>/migration.sql`` / ``<sub>/up.sql`` of its subfolders."""
    files: list[Path] = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):  # editor lock files, macOS resource forks
            continue
        if child.is_file() and child.suffix.lower() == ".sql":
            files.append(child)
        elif child.is_dir():
            inner = [child / n for n in _FOLDER_FILES if (child / n).is_file()]
            if inner:
                files.append(inner[0])
            elif any(child.glob("*.sql")) and notes is not None:
                notes.append(
                    f"{_display(child, rootdir)}: folder ignored (no migration.sql or up.sql in it); "
                    "name its files in the configuration to apply them"
                )
    return files


def _entry_files(entry: str | Path, rootdir: Path, notes: list[str] | None) -> tuple[list[Path], bool]:
    """Files of one entry and whether they need sorting (folders and globs do, a file does not)."""
    text = str(entry)
    if _is_glob(text):
        pattern = text if Path(text).is_absolute() else str(rootdir / text)
        matches = sorted(Path(p) for p in _glob.glob(pattern, recursive=True))
        files: list[Path] = []
        for p in matches:
            if p.is_file() and p.suffix.lower() == ".sql":
                files.append(p)
            elif p.is_dir():
                inner = [p / n for n in _FOLDER_FILES if (p / n).is_file()]
                files.extend(inner[:1])
        if not files:
            raise MigrationDiscoveryError(
                f"migration glob {text!r} matches no .sql file (relative to {rootdir}); "
                "fix the pattern in `migrations = [...]` or --e2i-migrations"
            )
        return files, True
    path = Path(text)
    if not path.is_absolute():
        path = rootdir / path
    if path.is_dir():
        files = _folder_files(path, notes, rootdir)
        if not files:
            raise MigrationDiscoveryError(
                f"migration folder {text!r} contains no .sql files ({path}); "
                "add migrations or remove it from `migrations = [...]`"
            )
        return files, True
    if path.is_file():
        return [path], False
    raise MigrationDiscoveryError(
        f"migration path {text!r} does not exist (looked for {path}); "
        "fix `migrations = [...]` under [tool.e2i_schema] in pyproject.toml or --e2i-migrations"
    )


def discover(
    entries: Sequence[str | Path], rootdir: Path, *, notes: list[str] | None = None
) -> list[Migration]:
    """All migrations named by *entries*, in apply order.

    Entries keep their given order; the files of one folder or glob are sorted by
    version.  A file reached twice is applied once, at its first position.  Files
    skipped on purpose (down/undo migrations, folders without a migration file) are
    described in *notes* when a list is passed.
    """
    rootdir = Path(rootdir)
    seen: set[Path] = set()
    result: list[Migration] = []
    for entry in entries:
        files, needs_sort = _entry_files(entry, rootdir, notes)
        migrations = [m for m in (_classify(f, rootdir, notes) for f in files) if m is not None]
        if needs_sort:
            migrations.sort(key=lambda m: m.sort_key)
            _check_duplicates(migrations, entry)
        for m in migrations:
            key = m.path.resolve()
            if key in seen:
                continue
            seen.add(key)
            result.append(m)
    return result


def _check_duplicates(migrations: Sequence[Migration], entry: str | Path) -> None:
    """Two files with one version in one entry have no defined order: refuse to guess."""
    by_version: dict[tuple, Migration] = {}
    for m in migrations:
        if m.group != _GROUP_VERSIONED:
            continue
        key = _normalise(m.version)
        other = by_version.get(key)
        if other is not None:
            raise MigrationDiscoveryError(
                f"two migrations in {str(entry)!r} have version {m.version_label!r}: "
                f"{other.display} and {m.display}; renumber one of them"
            )
        by_version[key] = m


def default_locations(rootdir: Path) -> list[Path]:
    """The conventional migration folders that exist under *rootdir*, in priority order.

    The first one that holds migrations is used when nothing is configured.
    """
    rootdir = Path(rootdir)
    return [rootdir / loc for loc in DEFAULT_LOCATIONS if (rootdir / loc).is_dir()]


def find_migrations(
    configured: Sequence[str | Path] | None, rootdir: Path, *, notes: list[str] | None = None
) -> list[Migration]:
    """The configured migrations, or those of the first conventional folder that has some.

    An empty result is always an error: a schema test that applies nothing would
    pass while checking nothing.
    """
    rootdir = Path(rootdir)
    if configured:
        return discover(configured, rootdir, notes=notes)
    for folder in default_locations(rootdir):
        found = discover([folder], rootdir, notes=notes) if _has_sql(folder) else []
        if found:
            if notes is not None:
                notes.append(f"using migrations from {_display(folder, rootdir)} (default location)")
            return found
    looked = ", ".join(str(rootdir / loc) for loc in DEFAULT_LOCATIONS)
    raise MigrationDiscoveryError(
        f"no migrations found; looked in {looked}; "
        'configure them with `migrations = ["path/to/migrations"]` under [tool.e2i_schema] '
        "in pyproject.toml or with --e2i-migrations PATH"
    )


def _has_sql(folder: Path) -> bool:
    return any(folder.glob("*.sql")) or any(folder.glob("*/migration.sql")) or any(folder.glob("*/up.sql"))
