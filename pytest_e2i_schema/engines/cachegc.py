"""Housekeeping for the cluster cache: remember what was used, forget what is not.

Why: a cached cluster is keyed by the server binaries and, for seeded clusters, by the
prelude's contents, so every upgrade of the binaries and every edit of a prelude leaves an
old entry of 25-40 MB behind.  Without pruning, ``~/.cache/pytest-e2i-schema/clusters`` grows
with every such change for as long as the machine lives.

The rule, like a browser cache's: each start marks the entry it copied as used (its
modification time, one system call); whenever a new entry is stored, entries not used for
:data:`MAX_AGE_DAYS` are deleted, and beyond :data:`MAX_ENTRIES` the least recently used
ones.  Nothing else is touched: only directories named like our entries, never the one just
stored, and a removal that fails (permissions, a concurrent prune) is left for next time.
A run copying from an entry that another process prunes falls back to ``initdb``
(:meth:`~.cluster.ClusterEngine._finish_copy`), so pruning never fails a run.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

__all__ = ["MAX_AGE_DAYS", "MAX_ENTRIES", "mark_used", "prune"]

#: Entries not used for this long are deleted when a new entry is stored.
MAX_AGE_DAYS = 30
#: At most this many entries are kept (the most recently used).
MAX_ENTRIES = 12

#: ``<engine>-<12 hex>``, ``<engine>-seeded-<12 hex>``; also the names older versions used
#: (``<engine>-<version>-<12 hex>``, with ``-owned`` for a copy owned by the server account).
_ENTRY = re.compile(r"^[a-z0-9]+(-seeded|-[0-9][0-9.]*)?-[0-9a-f]{12}(-owned)?$")
#: Left behind by a store or removal that was interrupted: ``.init-*``, ``.seed-*``, ``.trash-*``.
_LEFTOVER = re.compile(r"^\.(init|seed|trash)-")
_STALE_S = 3600


def mark_used(entry: Path) -> None:
    """Record that *entry* was just copied (its modification time is the last use)."""
    try:
        os.utime(entry)
    except OSError:  # a read-only or foreign cache: it is only housekeeping
        pass


def prune(root: Path, *, keep: Path | None = None, max_age_days: float = MAX_AGE_DAYS,
          max_entries: int = MAX_ENTRIES, now: float | None = None) -> list[str]:
    """Delete stale entries under *root* (never *keep*); the names of those deleted."""
    now = time.time() if now is None else now
    entries: list[tuple[float, Path]] = []
    try:
        children = list(root.iterdir())
    except OSError:
        return []
    for child in children:
        if not _ENTRY.match(child.name) or (keep is not None and child.name == keep.name):
            continue
        try:
            if child.is_dir() and not child.is_symlink():
                entries.append((child.stat().st_mtime, child))
        except OSError:
            continue
    entries.sort(key=lambda e: e[0], reverse=True)  # most recently used first
    room = max(max_entries - (1 if keep is not None else 0), 0)
    doomed = [path for i, (used, path) in enumerate(entries)
              if i >= room or now - used > max_age_days * 86400]
    removed = [path.name for path in doomed if _remove(root, path)]
    _drop_leftovers(root, children, now)
    return removed


def _remove(root: Path, path: Path) -> bool:
    """Rename first (atomic: a concurrent start sees the entry or nothing), then delete."""
    trash = root / f".trash-{path.name}-{os.getpid()}"
    try:
        os.rename(path, trash)
    except OSError:
        return False
    shutil.rmtree(trash, ignore_errors=True)
    return True


def _drop_leftovers(root: Path, children: list[Path], now: float) -> None:
    """Interrupted stores and removals, and lock files of entries that no longer exist --
    once an hour old, so that nobody can still be writing or holding them."""
    for child in children:
        try:
            if now - child.lstat().st_mtime <= _STALE_S:
                continue
            if _LEFTOVER.match(child.name) and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith(".") and child.name.endswith(".lock") \
                    and not (root / child.name[1:-len(".lock")]).exists():
                child.unlink()
        except OSError:
            continue
