"""The check a schema snapshot item runs: compare, apply the schema_version rule, explain.

**schema_version rule**: the snapshot records the contract's ``schema_version``.  When the
catalog differs from the snapshot but the version is the one recorded (or older), the
failure says to bump the version, and ``--snapshot-update`` refuses to record the change
(the item keeps failing).  Once the version is bumped, ``--snapshot-update`` writes the new
snapshot.  ``schema_version=None`` (no contract declares one) turns the rule off.

**syrupy**: :func:`snapshot_item_check` lets a non-Python pytest item make a real syrupy
assertion: it builds a ``SnapshotAssertion`` on syrupy's session (``config._syrupy``) with a
test location of our own (:class:`~.extension.SchemaSnapshotLocation`), so ``--snapshot-update``,
``--snapshot-update-new-only`` and syrupy's summary (generated / updated / passed / failed)
work as for any snapshot.  Without the syrupy plugin (``-p no:syrupy``) the comparison and
``--snapshot-update`` are done here directly.

A failure message is the whole report: the catalog diff, the migrations that last touched
the changed objects (``blame``), and what to do next; for a server major version with no
snapshot yet, how the catalog compares with the snapshots of the other majors.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..catalog.diff import CatalogDiff, diff_catalogs, normalize
from ..errors import E2IError
from .extension import E2ISchemaSnapshotExtension, SchemaSnapshotLocation
from .serializer import (
    FILE_EXTENSION,
    SnapshotFormatError,
    SnapshotMeta,
    _json,
    parse_snapshot,
    serialize_catalog,
    snapshot_path,
)

__all__ = ["SnapshotMismatch", "version_rule", "snapshot_item_check", "contract_schema_version"]


class SnapshotMismatch(E2IError):
    """The migrated catalog does not match its committed snapshot; the message says why and what to do."""

    code = "E2I040"


# -- the schema_version rule ---------------------------------------------------------------


def _version_key(version: str) -> tuple[int, ...] | None:
    return tuple(int(p) for p in version.split(".")) if re.fullmatch(r"\d+(?:\.\d+)*", version) else None


def _bumped(old: str | None, new: str | None) -> bool:
    if old is None:
        return new is not None
    if new is None or new == old:
        return False
    ko, kn = _version_key(old), _version_key(new)
    return kn > ko if ko is not None and kn is not None else True


def version_rule(recorded: str | None, current: str | None, catalog_changed: bool) -> str | None:
    """Why the catalog change must not be recorded yet, or None when it may be.

    The rule is off when ``current`` is None (no contract declares a version).
    """
    if not catalog_changed or current is None or _bumped(recorded, current):
        return None
    if recorded == current:
        return (f"the catalog changed but schema_version is still {_json(current)}: bump schema_version "
                "in the contract, then run pytest --e2i-contracts --snapshot-update to record the new snapshot "
                "(--snapshot-update does not record a catalog change under an unchanged version)")
    return (f"the catalog changed and schema_version went from {_json(recorded)} to {_json(current)}, which is "
            "not a bump: raise schema_version above the recorded one, then run --snapshot-update")


# -- the check a schema item runs ------------------------------------------------------------


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(path)


def _read_text(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _blame_lines(diff: CatalogDiff, blame: Callable[[str, str], str | None] | None) -> list[str]:
    if blame is None or not diff:
        return []
    by_migration: dict[str, list[str]] = {}
    for change in diff:
        try:
            where = blame(change.kind, change.key)
        except Exception:  # noqa: BLE001 - naming a migration is a courtesy, never a failure
            where = None
        where = getattr(where, "display", where)  # a Migration or its display path
        if where:
            by_migration.setdefault(where, []).append(change.label)
    if not by_migration:
        return []
    out = ["migrations that last touched these objects:"]
    for where, labels in by_migration.items():
        out.append(f"  {where}: {', '.join(labels)}")
    return out


@dataclasses.dataclass
class _Analysis:
    """What differs between the committed snapshot and the migrated catalog, in words."""

    exists: bool
    readable: bool
    old_meta: SnapshotMeta | None
    diff: CatalogDiff | None
    refusal: str | None  # the schema_version rule forbids recording the change

    @property
    def update_allowed(self) -> bool:
        return self.refusal is None


#: The analysis of a snapshot whose text is byte-identical to the new one.
_UNCHANGED = _Analysis(True, True, None, None, None)


def _analyse(old_text: str | None, new_dict: dict, schema_version: str | None) -> _Analysis:
    if old_text is None:
        return _Analysis(False, False, None, None, None)
    try:
        old_meta, old = parse_snapshot(old_text)
    except SnapshotFormatError:
        return _Analysis(True, False, None, None, None)
    diff = diff_catalogs(old, new_dict)
    return _Analysis(True, True, old_meta, diff, version_rule(old_meta.schema_version, schema_version, bool(diff)))


def _other_majors(path: Path, major: int, name: str) -> list[Path]:
    if not path.parent.is_dir():
        return []
    pattern = re.compile(re.escape(name) + r"\.pg(\d+)\." + re.escape(FILE_EXTENSION))
    found = [p for p in path.parent.iterdir() if (m := pattern.fullmatch(p.name)) and int(m[1]) != major]
    return sorted(found)


def _failure_message(*, analysis: _Analysis, path: str, major: int, schema_version: str | None,
                     new_dict: dict, others: list[Path], root: Path | None, exception: Exception | None,
                     blame: Callable[[str, str], str | None] | None, update: bool) -> str:
    version = f", schema_version {_json(schema_version)}" if schema_version is not None else ""
    where = f"PostgreSQL {major}{version}"
    out: list[str] = []
    if exception is not None:
        out.append(f"snapshot {path}: {type(exception).__name__}: {exception}")
    if not analysis.exists:
        out.append(f"no catalog snapshot for PostgreSQL {major} yet: {path}")
        out.append("create it with: pytest --e2i-contracts --snapshot-update, then commit it")
        for other in others:
            out.append(
                f"snapshots are kept per server major version (the server deparses SQL differently); "
                f"{_display(other, root)} is for another version"
            )
            text = _read_text(other)
            if text is None:
                continue
            try:
                _, old = parse_snapshot(text)
            except SnapshotFormatError:
                continue
            diff = diff_catalogs(old, new_dict)
            if diff:
                out.append(f"for information, compared with {other.name} (some differences may be deparsing only):")
                out.extend("  " + ln for ln in diff.lines())
            else:
                out.append(f"for information: the catalog is the same as in {other.name}")
        return "\n".join(out)
    if not analysis.readable:
        out.append(f"can't read the catalog snapshot {path}; regenerate it with pytest --e2i-contracts --snapshot-update")
        return "\n".join(out)
    diff = analysis.diff
    old_meta = analysis.old_meta
    assert diff is not None and old_meta is not None
    if diff:
        out.append(f"the migrated schema ({where}) differs from the snapshot {path}: {diff.summary()}")
        out.extend("  " + ln for ln in diff.lines())
        out.extend(_blame_lines(diff, blame))
        if analysis.refusal:
            out.append(analysis.refusal)
        elif update:
            pass
        else:
            bump = ""
            if schema_version is not None and old_meta.schema_version != schema_version:
                bump = f" (schema_version bumped {_json(old_meta.schema_version)} -> {_json(schema_version)})"
            out.append(f"if the change is intended{bump}, record it with: pytest --e2i-contracts --snapshot-update")
        return "\n".join(out)
    if old_meta.schema_version != schema_version:
        out.append(
            f"schema_version changed {_json(old_meta.schema_version)} -> {_json(schema_version)} with no catalog "
            f"change; record the new version in {path} with: pytest --e2i-contracts --snapshot-update"
        )
    else:
        out.append(
            f"the snapshot {path} describes the same catalog but its text is not in canonical form "
            "(edited by hand, or written by another version of pytest-e2i-schema); rewrite it with "
            "pytest --e2i-contracts --snapshot-update"
        )
    return "\n".join(out)


def snapshot_item_check(
    item: Any,
    catalog: Any,
    *,
    schema_version: str | None,
    snapshot_dir: str | Path,
    server_major: int | None = None,
    name: str = "catalog",
    blame: Callable[[str, str], Any] | None = None,
) -> str:
    """Compare ``catalog`` with its committed snapshot through syrupy; raise
    :class:`SnapshotMismatch` (an :class:`~pytest_e2i_schema.errors.E2IError` whose message is
    the whole report) when it differs.

    ``item``: the pytest item asserting (``self`` in ``runtest``); its config supplies the
    syrupy session and options.  ``catalog``: a :class:`~.catalog.Catalog` (then
    ``server_major`` defaults to its server's) or a catalog dict.  ``schema_version``: the
    contract's version, ``None`` when no contract declares one (turns the version rule off).
    ``snapshot_dir``: the folder whose ``__snapshots__/`` holds ``<name>.pg<major>.schema``.
    ``blame(kind, key)``: optional, names the migration that last touched an object (see
    :func:`pytest_e2i_schema.history.last_touched`); failures then list them.

    Returns ``"matched"``, ``"created"`` or ``"updated"``.  Without the syrupy plugin
    (``-p no:syrupy``) the comparison and ``--snapshot-update`` are done here directly.
    """
    if server_major is None:
        version_num = getattr(catalog, "server_version_num", None)
        if not version_num:
            raise ValueError("server_major is required when catalog is a dict")
        server_major = int(version_num) // 10000
    config = item.config
    option = config.option
    update = bool(getattr(option, "update_snapshots", False))
    new_only = bool(getattr(option, "update_new_snapshots_only", False))
    dirname = getattr(option, "snapshot_dirname", None) or "__snapshots__"
    path = snapshot_path(snapshot_dir, server_major, name=name, dirname=dirname)
    root = getattr(config, "rootpath", None)
    shown = _display(path, root)

    if schema_version is not None:
        schema_version = str(schema_version)
    new_dict = normalize(catalog)
    text = serialize_catalog(new_dict, schema_version=schema_version, server_major=server_major)
    old_text = _read_text(path)
    # The common case -- the committed text is exactly what we would write -- needs no parse and
    # no diff (the text includes the schema_version, so the version rule has nothing to say).
    unchanged = old_text is not None and old_text == text
    analysis = _UNCHANGED if unchanged else _analyse(old_text, new_dict, schema_version)
    may_write = analysis.update_allowed and (update or (new_only and old_text is None))

    exception: Exception | None = None
    syrupy_session = getattr(config, "_syrupy", None)
    if syrupy_session is not None:
        from syrupy.assertion import SnapshotAssertion

        assertion = SnapshotAssertion(
            session=syrupy_session,
            extension_class=E2ISchemaSnapshotExtension,
            test_location=SchemaSnapshotLocation(item=item, path=path),
            update_snapshots=update and analysis.update_allowed,
            update_new_snapshots_only=new_only,
        )
        ok = assertion == text
        result = assertion.executions[assertion.num_executions - 1]
        exception = result.exception
        outcome = "created" if result.created else "updated" if result.updated else "matched"
    else:
        ok = old_text == text
        outcome = "matched"
        if not ok and may_write:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            ok, outcome = True, ("created" if old_text is None else "updated")
    if ok:
        return outcome
    if unchanged:  # syrupy read something else than we did: explain from the full analysis
        analysis = _analyse(old_text, new_dict, schema_version)
    raise SnapshotMismatch(_failure_message(
        analysis=analysis, path=shown, major=server_major, schema_version=schema_version, new_dict=new_dict,
        others=_other_majors(path, server_major, name), root=root, exception=exception, blame=blame,
        update=update,
    ))


def warm_up() -> None:
    """Import what :func:`snapshot_item_check` imports on first use (syrupy's assertion), ahead
    of time: the plugin calls this while the template is still being built in the background."""
    try:
        import syrupy.assertion  # noqa: F401
    except ImportError:  # pragma: no cover - the plugin works without syrupy
        pass


# -- the contract's version -----------------------------------------------------------------


def contract_schema_version(contract_files: Any) -> str | None:
    """The highest ``schema_version`` among loaded contract files (numeric dotted versions
    compare numerically and rank above other spellings); None when there are none."""
    versions = {str(v) for f in contract_files or () if (v := getattr(f, "schema_version", None)) is not None}
    if not versions:
        return None

    def rank(v: str) -> tuple[int, tuple[int, ...], str]:
        key = _version_key(v)
        return (1, key, "") if key is not None else (0, (), v)

    return max(versions, key=rank)
