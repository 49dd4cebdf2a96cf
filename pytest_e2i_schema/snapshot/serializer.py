"""The snapshot text format: a pure, sorted serializer and its exact parser (no syrupy here).

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

The format has a version (:data:`FORMAT_VERSION`, written as ``format:``): bump it whenever
the text changes, so that an older pytest-e2i-schema refuses a file it would misread
(:class:`SnapshotFormatError`) instead of reporting a bogus difference.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from ..catalog import model
from ..catalog.catalog import OBJECT_TYPES
from ..catalog.diff import DERIVED_FIELDS, SECTIONS, normalize
from ..errors import E2IError

__all__ = [
    "FORMAT_VERSION",
    "FILE_EXTENSION",
    "SnapshotMeta",
    "SnapshotFormatError",
    "serialize_catalog",
    "parse_snapshot",
    "snapshot_path",
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


@dataclasses.dataclass(frozen=True)
class SnapshotMeta:
    """The header of a snapshot file."""

    format: int = FORMAT_VERSION
    server_major: int | None = None
    schema_version: str | None = None


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
