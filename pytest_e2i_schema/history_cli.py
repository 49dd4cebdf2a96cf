"""The ``e2i-schema history`` and ``diff`` commands (added to ``e2i-schema`` by :func:`register`).

Why apart from :mod:`.history`: that module builds catalogs and histories; this one turns
command-line arguments into sides to compare (git refs, folders, DSNs), runs them and prints
the result.

``e2i-schema history``
    per migration file, what it created, dropped and changed; ``--object "table memories"``
    lists only the files that touched that object.  Exit 1 when a migration fails.
``e2i-schema diff [--base REF]``
    applies the migrations of git ``REF`` (default: the merge base of HEAD with the default
    branch, ``origin/HEAD``, then ``main``/``master``) and those of the working tree to two
    fresh databases of one server and prints the catalog diff.  REF's files come from
    ``git archive`` into a temporary folder; REF's own ``pyproject.toml`` settings
    (migrations, prelude) apply to REF's side.
``e2i-schema diff A B``
    A and B are each a migration folder (or file/glob) or a DSN (``postgresql://...`` or
    ``host=... dbname=...``); a DSN is only read, in a read-only transaction.
    ``--format markdown`` prints a PR comment.  Exit 1 when there is a difference, 0 when
    none, 2 on errors (including a migration that fails on either side).

Prelude objects are excluded from every side: each migrated side has its own prelude
baseline, and a DSN side is read with the baseline of a migrated side (or of a database
holding only the configured prelude), so ``diff migrations/ $PROD_DSN`` doesn't report
Supabase's ``auth`` schema as added.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

from .catalog import Catalog, read_catalog
from .catalog.diff import diff_catalogs
from .config import ENGINES, Settings, load_settings
from .errors import ConfigError, E2IError, MigrationDiscoveryError, MigrationError, mask_secrets
from .history import History, _migrate, _prelude_paths, _Server, catalog_history, last_touched

__all__ = ["default_base", "register", "history_main", "diff_main", "main"]


# -- git --------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str, check: bool = True) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise ConfigError("git is not installed; --base needs git (or compare two folders: e2i-schema diff A B)") from None
    if check and proc.returncode != 0:
        raise ConfigError(f"git {' '.join(args)} failed in {cwd}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout.strip() if proc.returncode == 0 else ""


def default_base(repo: Path) -> str:
    """The merge base of HEAD with the default branch: ``origin/HEAD``, else ``origin/main``,
    ``origin/master``, ``main``, ``master`` -- the first that exists (a commit id)."""
    return _default_base(repo)[0]


def _default_base(repo: Path) -> tuple[str, str]:
    candidates = []
    remote_head = _git(repo, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD", check=False)
    if remote_head:
        candidates.append(remote_head)
    candidates += ["origin/main", "origin/master", "main", "master"]
    for ref in candidates:
        if _git(repo, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False):
            base = _git(repo, "merge-base", "HEAD", ref, check=False)
            if base:
                return base, ref
    raise ConfigError(
        f"can't find the default branch of the git repository at {repo} (tried {', '.join(candidates)}); "
        "pass --base REF"
    )


def _export_ref(repo_top: Path, ref: str, rel: str, dest: Path) -> None:
    """Extract ``rel`` (a folder of the repository, '' for all) as of ``ref`` into ``dest``."""
    cmd = ["git", "archive", "--format=tar", ref]
    if rel:
        cmd += ["--", rel]
    proc = subprocess.Popen(cmd, cwd=repo_top, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # pragma: no cover - Python < 3.11.4
                tar.extractall(dest)
    except tarfile.ReadError:
        pass  # nothing archived; the error is reported below
    finally:
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        code = proc.wait()
    if code != 0:
        if "did not match any files" in stderr:
            return  # the folder did not exist at REF: no migrations there
        raise ConfigError(f"git archive {ref} failed in {repo_top}: {stderr.strip()}")


# -- command line -----------------------------------------------------------------------------


def _common(sp: argparse.ArgumentParser) -> None:
    """The same settings flags as ``e2i-schema migrate``."""
    sp.add_argument("--migrations", action="append", metavar="PATH", help="migration folder, glob or file (repeatable)")
    sp.add_argument("--engine", choices=ENGINES, help="server to run (default: settings, else embedded)")
    sp.add_argument("--prelude", action="append", metavar="NAME|PATH", help="prelude (repeatable)")
    sp.add_argument("--pg-bin", metavar="DIR", help="binaries for --engine local")
    sp.add_argument("--dsn", help="server to create the work databases on (--engine dsn)")
    sp.add_argument("--schema", action="append", dest="schemas", metavar="NAME",
                    help="compare only these schemas (repeatable)")


def register(subparsers: Any) -> None:
    """Add the ``history`` and ``diff`` subcommands to ``e2i-schema``'s subparsers; each sets
    ``handler`` (call ``args.handler(args)``, it returns the exit code)."""
    sp = subparsers.add_parser(
        "history", help="per migration file: what it created, dropped and changed",
        description="Apply the migrations one by one on a fresh database and print what each file "
                    "created, dropped and changed in the catalog.",
    )
    _common(sp)
    sp.add_argument("--object", metavar="'KIND NAME'",
                    help="only files that touched this object, e.g. 'table memories' or 'function public.f'")
    sp.add_argument("--keep-going", action="store_const", const=True, help="go on after a failing file")
    sp.set_defaults(handler=history_main)

    sp = subparsers.add_parser(
        "diff", help="catalog diff between git REF and the working tree, two folders or two DSNs",
        description="Print what differs between two migrated catalogs. Without A and B: the migrations of "
                    "--base REF (default: merge base with the default branch) against the working tree. "
                    "Exit 1 when there is a difference, 0 when none.",
    )
    sp.add_argument("sides", nargs="*", metavar="A B", help="two migration folders/files/globs or DSNs (old, new)")
    sp.add_argument("--base", metavar="REF", help="git ref to compare the working tree with")
    sp.add_argument("--format", choices=("text", "markdown"), default="text", help="output format")
    sp.add_argument("--full", action="store_true", help="compare every field, not only the review view")
    _common(sp)
    sp.set_defaults(handler=diff_main)


def _load(args: argparse.Namespace, rootdir: Path | None = None) -> Settings:
    overrides = {
        "migrations": getattr(args, "migrations", None), "engine": getattr(args, "engine", None),
        "prelude": getattr(args, "prelude", None), "pg_bin": getattr(args, "pg_bin", None),
        "dsn": getattr(args, "dsn", None), "keep_going": getattr(args, "keep_going", None),
    }
    return load_settings(Path(rootdir or getattr(args, "rootdir", None) or "."), overrides)


def _error(exc: BaseException) -> int:
    print(f"e2i-schema: error: {mask_secrets(exc)}", file=sys.stderr)
    return 2


def _parse_object(text: str) -> tuple[str, str]:
    from .catalog.diff import SECTIONS

    kind, _, key = text.strip().partition(" ")
    aliases = {"materialized": "view", "procedure": "function", "aggregate": "function"}
    kind = aliases.get(kind, kind)
    if kind not in SECTIONS or not key.strip():
        raise ConfigError(f"--object {text!r}: expected 'KIND NAME' with KIND one of {', '.join(SECTIONS)}")
    key = key.strip()
    if kind in ("trigger", "policy") and " on " in key:  # 'policy "own rows" on memories'
        name, _, table = key.partition(" on ")
        key = f"{table.strip()}.{name.strip().strip(chr(34))}"
        if "." not in table.strip():
            key = f"public.{key}"
    return kind, key.strip('"')


def history_main(args: argparse.Namespace) -> int:
    """``e2i-schema history``: exit 0 when every file applied, 1 when one failed, 2 on errors."""
    from .session import E2ISession

    try:
        only = _parse_object(args.object) if getattr(args, "object", None) else None
        settings = _load(args)
        session = E2ISession(settings)
        try:
            migrations = session.migrations()
            history = catalog_history(session, migrations, keep_going=settings.keep_going,
                                      schemas=getattr(args, "schemas", None))
        finally:
            session.close()
    except E2IError as exc:
        return _error(exc)
    except KeyboardInterrupt:
        print("e2i-schema: interrupted", file=sys.stderr)
        return 130
    for line in history.lines(only=only):
        print(line)
    if only is not None:
        mig = last_touched(history, *only)
        print(f"last touched by: {mig.display}" if mig is not None else f"{only[0]} {only[1]}: not touched by any migration")
    return 0 if history.ok else 1


_DSN = re.compile(r"^(postgres(ql)?://|\S+=\S)")


def _is_dsn(text: str) -> bool:
    return bool(_DSN.match(text)) and not Path(text).exists()


@dataclasses.dataclass
class _Side:
    label: str
    dsn: str | None = None
    settings: Settings | None = None
    migrations: list | None = None


def _read_dsn(dsn: str, *, schemas: Sequence[str] | None, baseline: Catalog | None) -> Catalog:
    try:
        with psycopg.connect(dsn, autocommit=False, connect_timeout=10) as conn:
            conn.read_only = True
            return read_catalog(conn, schemas=schemas, baseline=baseline)
    except psycopg.Error as exc:
        raise ConfigError(f"can't read the catalog of {mask_secrets(dsn)}: {str(exc).strip()}") from None


def _find(settings: Settings, entries: Sequence[str] | None = None, *, allow_empty: bool = False) -> list:
    from .migrations import find_migrations

    try:
        return find_migrations(list(entries) if entries else list(settings.migrations) or None, settings.rootdir)
    except MigrationDiscoveryError:
        if allow_empty:
            return []
        raise


def _build(server: _Server, side: _Side, *, schemas: Sequence[str] | None) -> History:
    assert side.settings is not None and side.migrations is not None
    hist = _migrate(
        server, side.migrations, prelude=_prelude_paths(None, side.settings),
        session_settings=dict(side.settings.session_settings), keep_going=False, schemas=schemas,
        exclude_schemas=(), each=False, label="diff",
    )
    if not hist.ok:
        raise MigrationError(f"the migrations of {side.label} fail, so there is nothing to compare:\n{hist.run.report()}")
    return hist


def _prelude_baseline(server: _Server, settings: Settings, *, schemas: Sequence[str] | None) -> Catalog | None:
    prelude = _prelude_paths(None, settings)
    if not prelude:
        return None
    hist = _migrate(server, [], prelude=prelude, session_settings={}, keep_going=False, schemas=schemas,
                    exclude_schemas=(), each=False, label="prelude")
    return hist.baseline


def _compare(sides: list[_Side], settings: Settings, *, schemas: Sequence[str] | None) -> tuple[Catalog, Catalog]:
    """Catalogs of the two sides; migrated sides share one server (started only if needed)."""
    from .session import E2ISession

    catalogs: list[Catalog | None] = [None, None]
    baseline: Catalog | None = None
    session = None
    try:
        if any(s.dsn is None for s in sides):
            session = E2ISession(settings)
            server = _Server.of(session)
            for i, side in enumerate(sides):
                if side.dsn is None:
                    hist = _build(server, side, schemas=schemas)
                    catalogs[i] = hist.final
                    baseline = baseline or hist.baseline
            if baseline is None and any(s.dsn for s in sides):
                baseline = _prelude_baseline(server, settings, schemas=schemas)
        for i, side in enumerate(sides):
            if side.dsn is not None:
                catalogs[i] = _read_dsn(side.dsn, schemas=schemas, baseline=baseline)
    finally:
        if session is not None:
            session.close()
    assert catalogs[0] is not None and catalogs[1] is not None
    return catalogs[0], catalogs[1]


def _folder_side(text: str, settings: Settings) -> _Side:
    entry = str(Path(text).expanduser().resolve()) if not any(c in text for c in "*?[") else str(Path.cwd() / text)
    return _Side(label=text, settings=settings, migrations=_find(settings, [entry]))


def diff_main(args: argparse.Namespace) -> int:
    """``e2i-schema diff``: exit 1 when the catalogs differ, 0 when not, 2 on errors."""
    tmp: str | None = None
    try:
        sides_args = list(getattr(args, "sides", None) or [])
        if sides_args and len(sides_args) != 2:
            raise ConfigError(f"diff takes two sides (A B) or none (with --base), got {len(sides_args)}")
        if sides_args and getattr(args, "base", None):
            raise ConfigError("give either --base REF or two sides A B, not both")
        settings = _load(args)
        schemas = getattr(args, "schemas", None)
        if sides_args:
            sides = [
                _Side(label=mask_secrets(s), dsn=s) if _is_dsn(s) else _folder_side(s, settings)
                for s in sides_args
            ]
            title = f"Schema diff: {sides[0].label} → {sides[1].label}"
        else:
            root = settings.rootdir
            top = Path(_git(root, "rev-parse", "--show-toplevel"))
            ref, branch = (args.base, None) if args.base else _default_base(top)
            short = _git(top, "rev-parse", "--short", f"{ref}^{{commit}}")
            rel = os.path.relpath(root.resolve(), top.resolve())
            rel = "" if rel == "." else Path(rel).as_posix()
            tmp = tempfile.mkdtemp(prefix="e2i-base-")
            _export_ref(top, ref, rel, Path(tmp))
            ref_root = Path(tmp) / rel if rel else Path(tmp)
            ref_root.mkdir(parents=True, exist_ok=True)
            ref_settings = _load(args, ref_root)
            if branch is not None:
                ref_label = f"merge base with {branch} ({short})"
            else:
                ref_label = ref if short.startswith(ref) else f"{ref} ({short})"
            sides = [
                _Side(label=ref_label, settings=ref_settings, migrations=_find(ref_settings, allow_empty=True)),
                _Side(label="working tree", settings=settings, migrations=_find(settings)),
            ]
            title = f"Schema diff: {ref_label} → working tree"
        old, new = _compare(sides, settings, schemas=schemas)
    except E2IError as exc:
        return _error(exc)
    except KeyboardInterrupt:
        print("e2i-schema: interrupted", file=sys.stderr)
        return 130
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    diff = diff_catalogs(old, new, full=bool(getattr(args, "full", False)))
    if getattr(args, "format", "text") == "markdown":
        print(diff.markdown(title), end="")
    else:
        print(f"{sides[0].label} -> {sides[1].label}: {diff.summary()}")
        for line in diff.lines():
            print(line)
    return 1 if diff else 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m pytest_e2i_schema.history diff ...``) until cli.py wires
    :func:`register`."""
    parser = argparse.ArgumentParser(prog="e2i-schema")
    parser.add_argument("--rootdir", default=".", help="project directory (where pyproject.toml is)")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
