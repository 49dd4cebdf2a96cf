"""Results of parsing unchanged inputs, kept between runs -- what ``__pycache__`` is to Python.

Why: every ``pytest --e2i-contracts`` reads the same contract files and splits the same
migration files, and on the reference schema that is about 0.15 s of CPU in a process whose
other work (the server's answers, pytest's items) waits for it.  A result is stored under a
digest of everything it depends on -- the input's bytes and name, the parsing code, the Python
and pglast versions -- and read back with ``pickle`` when all of those are unchanged.  Like
Python's bytecode cache it judges code by file size and modification time.

The catalog of a cached prelude database (``session._seed_baseline``) is kept the same way:
it is the same in every run that starts from the same stored cluster.

Only successful parses are stored: a malformed file is parsed (and reported) every time.  An
unreadable, truncated or stale entry is ignored and replaced; a read-only cache directory only
costs the time it would have saved.  ``E2I_PARSE_CACHE=0`` turns the cache off.  Entries not
read for 30 days are deleted (checked at most once a day, when something new is stored).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

__all__ = ["cached"]

T = TypeVar("T")

_PACKAGE_DIR = Path(__file__).resolve().parent
#: Entries not read for this long are deleted (see :func:`_prune`).
MAX_AGE_DAYS = 30
_DAY = 86400
#: Bump when the stored shapes change in a way file times cannot see.
_FORMAT = b"e2i-parse-cache-1"


@lru_cache(maxsize=None)
def _code_digest(*parts: str) -> bytes:
    """Size and modification time of every source file under the package folders *parts* (and
    of pglast's parser, when ``"pglast"`` is among them), with the Python version."""
    h = hashlib.sha256(_FORMAT + sys.version.encode())
    for part in parts:
        if part == "pglast":
            spec = importlib.util.find_spec("pglast")
            roots = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
        else:
            roots = [_PACKAGE_DIR / part] if part else [_PACKAGE_DIR]
        for root in roots:
            files = [root] if root.is_file() else sorted(
                p for p in root.rglob("*") if p.suffix in (".py", ".json", ".so") and "__pycache__" not in p.parts
            )
            for f in files:
                st = f.stat()
                h.update(f"{f.relative_to(root.parent)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.digest()


def _enabled() -> bool:
    return os.environ.get("E2I_PARSE_CACHE", "1").lower() not in ("0", "false", "no", "off")


def cached(kind: str, code: tuple[str, ...], key: tuple[bytes | str, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or its result stored under (*kind*, the source files of *code*, *key*).

    *code*: package-relative files or folders whose source the result depends on (``""`` for
    the whole package; ``"pglast"`` adds the installed pglast).  *key*: the input itself.
    """
    if not _enabled():
        return compute()
    from .config import cache_dir

    h = hashlib.sha256(kind.encode() + b"\0" + _code_digest(*code))
    for part in key:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    digest = h.hexdigest()
    path = cache_dir() / "parsed" / kind / digest[:2] / f"{digest}.pickle"
    try:
        with open(path, "rb") as fh:
            value = pickle.load(fh)
            if time.time() - os.fstat(fh.fileno()).st_mtime > _DAY:
                os.utime(path)  # last use, for _prune (at most once a day per entry)
            return value
    except Exception:  # missing, truncated, from an incompatible version: parse again
        pass
    value = compute()
    _prune(cache_dir() / "parsed")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # read-only or full cache, an unpicklable value: it only costs time
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except Exception:
            pass
    return value


def _prune(root: Path, now: float | None = None) -> None:
    """Delete entries unused for :data:`MAX_AGE_DAYS` (and abandoned temporary files), at most
    once a day: every edit of a migration or contract leaves its old entry behind, and nothing
    else would ever remove it.  Runs only when something is about to be stored (a miss)."""
    now = time.time() if now is None else now
    marker = root / ".pruned"
    try:
        if now - marker.stat().st_mtime < _DAY:
            return
    except OSError:
        pass
    try:
        root.mkdir(parents=True, exist_ok=True)
        marker.touch()
        for entry in root.glob("*/*/*"):
            age = now - entry.lstat().st_mtime
            if (entry.suffix == ".pickle" and age > MAX_AGE_DAYS * _DAY) or (
                    entry.name.startswith(".tmp-") and age > 3600):
                entry.unlink()
    except OSError:  # a read-only or concurrently pruned cache: next time
        pass
