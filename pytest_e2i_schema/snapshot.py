"""Catalog snapshots: a review-friendly text file per server major version, checked through syrupy.

Why a text format of our own: the snapshot is committed, and the point of committing it is
that a migration PR's diff of this file shows a reviewer exactly what the migration does to
the database.  So the file has one block per object, sorted (kinds in catalog order, keys
alphabetically), no OIDs, server-deparsed (normalised) expressions, and one line per
column, constraint, enum label and setting -- changing one column changes one line.  It
holds the *review view* of the catalog (:func:`pytest_e2i_schema.catalog.diff.normalize`):
fields derivable from others (a column's ``short_type``, an index's key list that its
``definition`` spells out ...) and engine-specific ones (extension versions) are left out.
Fields equal to the model's default are omitted and restored when read back.

File layout (format 1)::

    # pytest-e2i-schema catalog snapshot ...
    format: 1
    server_major: 18
    schema_version: "1.2"

    table public.memories
      kind: table
      column id: {"type": "uuid", "not_null": true, "default": "gen_random_uuid()"}
      column importance: {"type": "public.memory_importance", "not_null": true}
      constraint memories_pkey: {"definition": "PRIMARY KEY (id)", "index": "memories_pkey"}
      rls_enabled: true

    enum public.memory_importance
      label: low
      label: high

    function public.touch()
      kind: function
      arguments: ""
      result: trigger
      language: plpgsql
      ...
      source: |3
        begin
          new.updated_at := now(); return new;
        end

Values are JSON, except strings that JSON would not parse, which are written bare
(``kind: table``).  ``|N`` starts a block of the next N lines, indented by four spaces
(multi-line strings without trailing blanks or carriage returns; others are JSON-quoted).
:func:`parse_snapshot` reads it back exactly: ``parse_snapshot(serialize_catalog(c))[1] ==
normalize(c)``.

**Server major versions: one snapshot per major** (``catalog.pg18.schema``,
``catalog.pg15.schema``).  PostgreSQL's deparser output (view definitions, CHECK and
default expressions, SQL-standard function bodies, index definitions) changes between
major versions, and rewriting one version's spelling into another's would be a
guess-and-patch game that hides real differences.  Within one major version the snapshot
is identical whatever the engine (embedded, local, docker, dsn): nothing engine-specific is
recorded.  A run on a major version without a snapshot fails (or creates it with
``--snapshot-update``) and shows, for information, how the catalog differs from the
snapshot of the other major version(s) found.

**Where**: ``<snapshot_dir>/__snapshots__/<name>.pg<major>.schema`` -- the plugin passes its
contracts folder as ``snapshot_dir`` and ``name="catalog"`` (``--snapshot-dirname`` renames
``__snapshots__``).

**schema_version rule**: the snapshot records the contract's ``schema_version``.  When the
catalog differs from the snapshot but the version is the one recorded (or older), the
failure says to bump the version, and ``--snapshot-update`` refuses to record the change
(the item keeps failing).  Once the version is bumped, ``--snapshot-update`` writes the new
snapshot.  ``schema_version=None`` (no contract declares one) turns the rule off.

**syrupy**: :func:`snapshot_item_check` lets a non-Python pytest item make a real syrupy
assertion: it builds a ``SnapshotAssertion`` on syrupy's session (``config._syrupy``) with a
test location of our own (:class:`SchemaSnapshotLocation`), so ``--snapshot-update``,
``--snapshot-update-new-only`` and syrupy's summary (generated / updated / passed / failed)
work as for any snapshot.  Our files are never reported as unused: discovery claims only the
file of the running major version, so other majors' snapshots are never deleted.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Iterator

from .catalog import model
from .catalog.catalog import OBJECT_TYPES
from .catalog.diff import DERIVED_FIELDS, SECTIONS, CatalogDiff, diff_catalogs, normalize
from .errors import E2IError

try:  # syrupy is a dependency, but keep the serializer importable without it
    from syrupy.data import SnapshotCollections
    from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
except ImportError:  # pragma: no cover
    SingleFileSnapshotExtension = object  # type: ignore[assignment,misc]
    WriteMode = None  # type: ignore[assignment]
    SnapshotCollections = None  # type: ignore[assignment]

__all__ = [
    "FORMAT_VERSION",
    "FILE_EXTENSION",
    "SnapshotMeta",
    "SchemaSnapshot",
    "SnapshotFormatError",
    "SnapshotMismatch",
    "serialize_catalog",
    "parse_snapshot",
    "snapshot_path",
    "version_rule",
    "E2ISchemaSnapshotExtension",
    "SchemaSnapshotLocation",
    "snapshot_item_check",
    "contract_schema_version",
    "SchemaSnapshotItem",
]

FORMAT_VERSION = 1
FILE_EXTENSION = "schema"
_HEADER = (
    "# pytest-e2i-schema catalog snapshot: one block per object, sorted; review its diff like code.\n"
    "# Generated -- do not edit; update with: pytest --e2i-contracts --snapshot-update"
)


class SnapshotFormatError(E2IError):
    """A snapshot file that can't be read back."""

    code = "E2I041"


class SnapshotMismatch(E2IError):
    """The migrated catalog does not match its committed snapshot; the message says why and what to do."""

    code = "E2I040"


@dataclasses.dataclass(frozen=True)
class SnapshotMeta:
    """The header of a snapshot file."""

    format: int = FORMAT_VERSION
    server_major: int | None = None
    schema_version: str | None = None


@dataclasses.dataclass(frozen=True)
class SchemaSnapshot:
    """What to snapshot with :class:`E2ISchemaSnapshotExtension` in a test of your own:
    ``assert snapshot.use_extension(E2ISchemaSnapshotExtension) == SchemaSnapshot(cat, "1.2")``
    (``use_extension`` rather than ``snapshot(extension_class=...)``, so that syrupy also uses the
    extension to print the failure)."""

    catalog: Any
    schema_version: str | None = None
    server_major: int | None = None


# -- model knowledge: which fields each record has, and their defaults -------------------

_REQUIRED = object()
_RECORD_CLASSES: dict[str, type] = {
    "schema": model.Schema,
    "extension": model.Extension,
    "table": model.Table,
    "view": model.View,
    "enum": model.Enum,
    "domain": model.Domain,
    "function": model.Function,
    "sequence": model.Sequence,
    "index": model.Index,
    "trigger": model.Trigger,
    "policy": model.Policy,
    "column": model.Column,
    "constraint": model.Constraint,
}
_CHILD_FIELDS = {"indexes", "triggers", "policies"}
_PAIR_FIELDS = {"options", "config", "constraints"}
#: Fields written as repeated lines, and the empty value they start from when read.
_REPEATED = {"columns": list, "constraints": dict, "labels": list}


def _identity(record: str) -> set[str]:
    """Fields that are part of the object's key (or line name), not of its body."""
    return {"name"} if record in ("schema", "extension", "column", "constraint") else {"schema", "name"}


#: Defaults of the file format on top of the model's: PostgreSQL's own defaults for fields
#: the model requires, so only the unusual (``security_definer: true``) is written.
_FORMAT_DEFAULTS: dict[str, dict[str, Any]] = {
    "function": {"strict": False, "security_definer": False, "leakproof": False,
                 "volatility": "volatile", "parallel": "unsafe"},
    "sequence": {"cycle": False},
}


def _plain_default(name: str, value: Any) -> Any:
    if isinstance(value, tuple):
        return {} if name in _PAIR_FIELDS else list(value)
    return value


_SPECS: dict[str, dict[str, Any]] = {}


def _spec(record: str) -> dict[str, Any]:
    """``{field: default or _REQUIRED}`` in model order, for the review view of ``record``."""
    if record not in _SPECS:
        drop = _identity(record) | _CHILD_FIELDS | set(DERIVED_FIELDS.get(record, ()))
        if record == "function":
            drop.add("source")  # written explicitly (source, or source_sha256), after the other fields
        spec: dict[str, Any] = {}
        for f in dataclasses.fields(_RECORD_CLASSES[record]):
            if f.name in drop or f.name.startswith("_"):
                continue
            if f.default is not dataclasses.MISSING:
                spec[f.name] = _plain_default(f.name, f.default)
            elif f.default_factory is not dataclasses.MISSING:  # pragma: no cover - none today
                spec[f.name] = _plain_default(f.name, f.default_factory())
            else:
                spec[f.name] = _REQUIRED
        spec.update({k: v for k, v in _FORMAT_DEFAULTS.get(record, {}).items() if k in spec})
        _SPECS[record] = spec
    return _SPECS[record]


def _is_default(value: Any, default: Any) -> bool:
    return default is not _REQUIRED and type(value) is type(default) and value == default


def _ordered(record: str, data: dict[str, Any]) -> list[str]:
    spec = _spec(record)
    return [f for f in spec if f in data] + sorted(f for f in data if f not in spec)


def _sparse(record: str, data: dict[str, Any]) -> dict[str, Any]:
    spec = _spec(record)
    skip = _identity(record)
    return {f: data[f] for f in _ordered(record, data)
            if f not in skip and not _is_default(data[f], spec.get(f, _REQUIRED))}


def _complete(record: str, data: dict[str, Any]) -> dict[str, Any]:
    """Restore omitted defaults, in model order (the inverse of :func:`_sparse`)."""
    spec = _spec(record)
    full = dict(data)
    for f, default in spec.items():
        if f not in full and default is not _REQUIRED:
            full[f] = copy.deepcopy(default)
    head = [f for f in full if f in _identity(record)]
    return {f: full[f] for f in head + [f for f in _ordered(record, full) if f not in head]}


# -- scalar encoding --------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _scalar(value: Any) -> str:
    """Strings bare when that is unambiguous (JSON would not parse them), everything else JSON."""
    if (isinstance(value, str) and value and value == value.strip() and value.isprintable()
            and not value.startswith(('"', "|", "{", "[")) and not _parses_as_json(value)):
        return value
    return _json(value)


def _parse_scalar(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _block_ok(value: Any) -> bool:
    """Multi-line strings go in a block unless a line has trailing blanks (editors and
    pre-commit hooks strip those) or a carriage return (text mode would translate it)."""
    if not isinstance(value, str) or "\n" not in value or "\r" in value:
        return False
    return all(line == line.rstrip() for line in value.split("\n"))


_BARE_NAME = re.compile(r"[A-Za-z0-9_$]+")


def _name(name: str) -> str:
    return name if _BARE_NAME.fullmatch(name) else _json(name)


def _key(key: str) -> str:
    if key and key == key.strip() and key.isprintable() and not key.startswith('"'):
        return key
    return _json(key)


# -- serialising ------------------------------------------------------------------------


def _field_lines(name: str, value: Any) -> list[str]:
    if _block_ok(value):
        parts = value.split("\n")
        return [f"  {name}: |{len(parts)}"] + [f"    {p}" if p else "" for p in parts]
    return [f"  {name}: {_scalar(value)}"]


def _object_lines(kind: str, key: str, data: dict[str, Any]) -> list[str]:
    out = [f"{kind} {_key(key)}"]
    for f, value in _sparse(kind, data).items():
        if f == "columns" and isinstance(value, list):
            for col in value:
                out.append(f"  column {_name(col['name'])}: {_json(_sparse('column', col))}")
        elif f == "constraints" and isinstance(value, dict):
            for cname in sorted(value):
                out.append(f"  constraint {_name(cname)}: {_json(_sparse('constraint', value[cname]))}")
        elif f == "labels" and kind == "enum" and isinstance(value, list):
            out.extend(f"  label: {_scalar(label)}" for label in value)
        else:
            out.extend(_field_lines(f, value))
    return out


def serialize_catalog(catalog: Any, *, schema_version: str | None, server_major: int | None) -> str:
    """The snapshot text of ``catalog`` (a :class:`~.catalog.Catalog` or its ``to_dict()`` form).

    Pure and deterministic: the same catalog gives the same bytes.  ``schema_version`` and
    ``server_major`` go into the header.
    """
    data = normalize(catalog)
    if schema_version is not None:
        schema_version = str(schema_version)
    lines = [
        _HEADER,
        f"format: {FORMAT_VERSION}",
        f"server_major: {_json(server_major)}",
        f"schema_version: {_json(schema_version)}",
    ]
    for kind in OBJECT_TYPES:
        for key in sorted(data[SECTIONS[kind]]):
            lines.append("")
            lines.extend(_object_lines(kind, key, data[SECTIONS[kind]][key]))
    return "\n".join(lines) + "\n"


# -- parsing ----------------------------------------------------------------------------


def _read_name(text: str, lineno: int) -> tuple[str, str]:
    """``name: rest`` or ``"odd name": rest`` -> (name, rest)."""
    if text.startswith('"'):
        try:
            name, end = json.JSONDecoder().raw_decode(text)
        except ValueError:
            raise SnapshotFormatError(f"line {lineno}: bad quoted name in {text[:60]!r}") from None
        rest = text[end:]
        if not rest.startswith(": "):
            raise SnapshotFormatError(f"line {lineno}: expected ': ' after the name {name!r}")
        return name, rest[2:]
    name, sep, rest = text.partition(": ")
    if not sep:
        raise SnapshotFormatError(f"line {lineno}: expected 'name: value', got {text[:60]!r}")
    return name, rest


def _record(text: str, lineno: int) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SnapshotFormatError(f"line {lineno}: bad JSON record ({exc})") from None
    if not isinstance(value, dict):
        raise SnapshotFormatError(f"line {lineno}: expected a JSON object")
    return value


def parse_snapshot(text: str) -> tuple[SnapshotMeta, dict[str, dict[str, Any]]]:
    """Read a snapshot back: its header and the catalog in the review-view dict layout.

    Raises :class:`SnapshotFormatError` (naming the line) for text it can't read.
    """
    lines = text.split("\n")
    meta: dict[str, Any] = {}
    catalog: dict[str, dict[str, Any]] = {SECTIONS[k]: {} for k in OBJECT_TYPES}
    kind: str | None = None
    data: dict[str, Any] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            word, sep, rest = line.partition(" ")
            if word in SECTIONS and sep:
                key = json.loads(rest) if rest.startswith('"') else rest
                kind = word
                data = {f: empty() for f, empty in _REPEATED.items() if f in _spec(kind)}
                if key in catalog[SECTIONS[kind]]:
                    raise SnapshotFormatError(f"line {i}: {kind} {key!r} appears twice")
                catalog[SECTIONS[kind]][key] = data
                continue
            name, sep, value = line.partition(": ")
            if kind is None and sep and name in ("format", "server_major", "schema_version"):
                meta[name] = _parse_scalar(value)
                continue
            raise SnapshotFormatError(f"line {i}: unexpected line {line[:60]!r}")
        if kind is None or not line.startswith("  ") or line.startswith("   "):
            raise SnapshotFormatError(f"line {i}: unexpected indented line {line[:60]!r}")
        body = line[2:]
        if body.startswith("column "):
            name, rest = _read_name(body[len("column "):], i)
            data.setdefault("columns", []).append({"name": name, **_complete("column", _record(rest, i))})
            continue
        if body.startswith("constraint "):
            name, rest = _read_name(body[len("constraint "):], i)
            data.setdefault("constraints", {})[name] = _complete("constraint", _record(rest, i))
            continue
        name, sep, raw = body.partition(": ")
        if not sep:
            raise SnapshotFormatError(f"line {i}: expected 'field: value', got {body[:60]!r}")
        if re.fullmatch(r"\|\d+", raw):
            count = int(raw[1:])
            block = lines[i : i + count]
            if len(block) < count and i + len(block) == len(lines):
                block += [""] * (count - len(block))  # blank last lines eaten by an end-of-file fixer
            if len(block) < count or any(b and not b.startswith("    ") for b in block):
                raise SnapshotFormatError(f"line {i}: block of {count} lines indented by 4 spaces expected")
            i += count
            value: Any = "\n".join(b[4:] for b in block)
        else:
            value = _parse_scalar(raw)
        if name == "label" and kind == "enum":
            data["labels"].append(value)
        else:
            data[name] = value
    fmt = meta.get("format")
    if fmt is None:
        raise SnapshotFormatError("not a pytest-e2i-schema snapshot: no 'format:' header line")
    if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
        raise SnapshotFormatError(
            f"snapshot format {fmt!r} is newer than this pytest-e2i-schema reads ({FORMAT_VERSION}); "
            "upgrade pytest-e2i-schema or regenerate the snapshot with --snapshot-update"
        )
    for section_kind in OBJECT_TYPES:
        section = catalog[SECTIONS[section_kind]]
        for key in list(section):
            section[key] = _complete(section_kind, section[key])
    version = meta.get("schema_version")
    major = meta.get("server_major")
    return (
        SnapshotMeta(format=fmt, server_major=major if isinstance(major, int) else None,
                     schema_version=None if version is None else str(version)),
        catalog,
    )


def snapshot_path(snapshot_dir: str | Path, server_major: int, *, name: str = "catalog",
                  dirname: str = "__snapshots__") -> Path:
    """``<snapshot_dir>/__snapshots__/<name>.pg<major>.schema``."""
    return Path(snapshot_dir) / dirname / f"{name}.pg{server_major}.{FILE_EXTENSION}"


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


# -- syrupy ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class SchemaSnapshotLocation:
    """syrupy's view of where a schema item's snapshot lives (instead of ``PyTestLocation``,
    which needs a Python test function).  ``item`` is the pytest item asserting."""

    item: Any
    path: Path

    @property
    def snapshot_name(self) -> str:
        return self.path.name[: -len(FILE_EXTENSION) - 1]

    testname = snapshot_name
    nodename = snapshot_name
    snapshot_name_parametrized = snapshot_name
    methodname = snapshot_name
    classname = None
    is_doctest = False
    is_item_parametrized = False

    @property
    def basename(self) -> str:
        return self.snapshot_name

    @property
    def filepath(self) -> str:
        return str(self.path.parent.parent / self.snapshot_name)

    @property
    def modulename(self) -> str:
        return "e2i"

    @property
    def nodeid(self) -> str:
        return str(getattr(self.item, "nodeid", "e2i::snapshot"))

    def matches_snapshot_name(self, snapshot_name: str) -> bool:
        return snapshot_name == self.snapshot_name

    def matches_snapshot_location(self, snapshot_location: str) -> bool:
        return Path(snapshot_location) == self.path

    def matches_snapshot_site(self, snapshot_location: str) -> bool:
        return Path(snapshot_location).parent == self.path.parent


def _mine(test_location: Any) -> bool:
    return isinstance(test_location, SchemaSnapshotLocation)


def _diff_texts(old_text: str, new_text: str) -> tuple[SnapshotMeta, SnapshotMeta, CatalogDiff] | None:
    try:
        old_meta, old = parse_snapshot(old_text)
        new_meta, new = parse_snapshot(new_text)
    except SnapshotFormatError:
        return None
    return old_meta, new_meta, diff_catalogs(old, new)


class E2ISchemaSnapshotExtension(SingleFileSnapshotExtension):  # type: ignore[misc,valid-type]
    """syrupy extension for ``.schema`` catalog snapshots (text, one file per snapshot).

    For schema items (:func:`snapshot_item_check`) the file is
    ``<snapshot_dir>/__snapshots__/<name>.pg<major>.schema``; in an ordinary test
    (``snapshot.use_extension(E2ISchemaSnapshotExtension) == catalog``) it is syrupy's
    usual single-file place, ``__snapshots__/<test file>/<test name>.schema``.  A failed
    comparison is shown object by object and field by field, not as a text diff.
    """

    file_extension = FILE_EXTENSION
    if WriteMode is not None:
        _write_mode = WriteMode.TEXT

    def serialize(self, data: Any, *, exclude: Any = None, include: Any = None, matcher: Any = None) -> str:
        if isinstance(data, str):
            return data
        if isinstance(data, SchemaSnapshot):
            major = data.server_major
            if major is None and hasattr(data.catalog, "server_version_num"):
                major = data.catalog.server_version_num // 10000
            return serialize_catalog(data.catalog, schema_version=data.schema_version, server_major=major)
        if hasattr(data, "to_dict") and hasattr(data, "server_version_num"):
            return serialize_catalog(data, schema_version=None, server_major=data.server_version_num // 10000)
        if isinstance(data, dict):
            return serialize_catalog(data, schema_version=None, server_major=None)
        raise TypeError(
            f"E2ISchemaSnapshotExtension snapshots a Catalog, a catalog dict or a SchemaSnapshot, not {type(data).__name__}"
        )

    # -- where: schema items get their own file, ordinary tests syrupy's layout ----------
    @classmethod
    def get_location(cls, *, test_location: Any, index: Any) -> str:
        if _mine(test_location):
            return str(test_location.path)
        return super().get_location(test_location=test_location, index=index)

    @classmethod
    def get_snapshot_name(cls, *, test_location: Any, index: Any = 0) -> str:
        if _mine(test_location):
            return test_location.snapshot_name
        return super().get_snapshot_name(test_location=test_location, index=index)

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        if _mine(test_location):
            return str(test_location.path.parent)
        return super().dirname(test_location=test_location)

    @classmethod
    def discovery_dirname(cls, *, test_location: Any) -> str:
        if _mine(test_location):
            return str(test_location.path.parent)
        return super().discovery_dirname(test_location=test_location)

    def discover_snapshots(self, *, test_location: Any, ignore_extensions: list[str] | None = None) -> Any:
        """For a schema item: only its own file, so snapshots of other server major versions are
        never reported unused (nor deleted by ``--snapshot-update``)."""
        if not _mine(test_location):
            return super().discover_snapshots(test_location=test_location, ignore_extensions=ignore_extensions)
        found = SnapshotCollections()
        if test_location.path.is_file():
            found.add(self.read_snapshot_collection(snapshot_location=str(test_location.path)))
        return found

    @classmethod
    def matches_test_location(cls, *, test_location: Any, snapshot_location: str) -> bool:
        if _mine(test_location):
            return test_location.matches_snapshot_location(snapshot_location)
        if isinstance(test_location, SchemaSnapshotLocation):  # pragma: no cover
            return False
        return super().matches_test_location(test_location=test_location, snapshot_location=snapshot_location)

    # -- how a failure reads ---------------------------------------------------------------
    def diff_lines(self, serialized_data: Any, snapshot_data: Any) -> Iterator[str]:
        """The structured catalog diff (snapshot -> received); syrupy's text diff when either
        side is not a readable snapshot or only the text differs."""
        result = _diff_texts(str(snapshot_data), str(serialized_data))
        if result is None:
            yield from super().diff_lines(serialized_data, snapshot_data)
            return
        old_meta, new_meta, diff = result
        lines = diff.lines()
        if old_meta.schema_version != new_meta.schema_version:
            lines.append(f"schema_version {_json(old_meta.schema_version)} -> {_json(new_meta.schema_version)}")
        if old_meta.server_major != new_meta.server_major:
            lines.append(f"server_major {_json(old_meta.server_major)} -> {_json(new_meta.server_major)}")
        if not lines:
            yield from super().diff_lines(serialized_data, snapshot_data)
            return
        yield from lines


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
    analysis = _analyse(old_text, new_dict, schema_version)
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
    raise SnapshotMismatch(_failure_message(
        analysis=analysis, path=shown, major=server_major, schema_version=schema_version, new_dict=new_dict,
        others=_other_majors(path, server_major, name), root=root, exception=exception, blame=blame,
        update=update,
    ))


# -- the plugin's item ----------------------------------------------------------------------


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


def _item_base() -> type:
    from .items import E2IItem

    return E2IItem


class SchemaSnapshotItem(_item_base()):  # type: ignore[misc]
    """``e2i::snapshot``: the migrated catalog (prelude excluded) against
    ``<contracts>/__snapshots__/catalog.pg<major>.schema``, through syrupy; the version rule
    uses the highest ``schema_version`` of the contract files.

    Made by the plugin's collection as ``SchemaSnapshotItem.from_parent(e2i, name="snapshot")``.
    """

    def runtest(self) -> None:
        from .history import blame_for
        from .items import E2IFailure
        from .plugin import get_session

        state = get_session(self.config)
        tmpl = state.template()
        if not tmpl.ok:
            raise E2IFailure("not checked: the migrations failed (see e2i::migrations)")
        if hasattr(state, "catalog"):
            catalog = state.catalog(tmpl)
        else:  # pragma: no cover - sessions without a catalog cache
            from .catalog import read_catalog

            catalog = read_catalog(state.shared_connection(state.work_db(tmpl)), baseline=tmpl.baseline)
        settings = state.settings
        snapshot_item_check(
            self, catalog,
            schema_version=contract_schema_version(getattr(state, "contract_files", ())),
            snapshot_dir=Path(settings.rootdir) / settings.contracts,
            blame=blame_for(state),
        )

    def reportinfo(self):
        return self.path, None, "e2i::snapshot"
