"""syrupy integration: the ``.schema`` snapshot extension and the test location of schema items.

Why apart from the serializer: syrupy decides *where* a snapshot lives, which files are
unused and how a failure reads; the text itself is :mod:`.serializer`'s business.  The
extension works in two places:

* in an ordinary test, ``snapshot.use_extension(E2ISchemaSnapshotExtension) == catalog``
  (or a :class:`SchemaSnapshot`), with syrupy's usual single-file layout;
* for the plugin's ``e2i::snapshot`` item (a non-Python item, see :mod:`.check`), with a
  test location of our own (:class:`SchemaSnapshotLocation`) that puts the file at
  ``<snapshot_dir>/__snapshots__/<name>.pg<major>.schema``.  Discovery claims only the file
  of the running major version, so other majors' snapshots are never reported unused nor
  deleted.

A failed comparison is shown as the structured catalog diff (object by object, field by
field), not as a text diff.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Iterator

from ..catalog.diff import CatalogDiff, diff_catalogs
from .serializer import FILE_EXTENSION, SnapshotFormatError, SnapshotMeta, _json, parse_snapshot, serialize_catalog

try:  # syrupy is a dependency, but keep the package importable without it
    from syrupy.data import SnapshotCollections
    from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
except ImportError:  # pragma: no cover
    SingleFileSnapshotExtension = object  # type: ignore[assignment,misc]
    WriteMode = None  # type: ignore[assignment]
    SnapshotCollections = None  # type: ignore[assignment]

__all__ = ["SchemaSnapshot", "SchemaSnapshotLocation", "E2ISchemaSnapshotExtension"]


@dataclasses.dataclass(frozen=True)
class SchemaSnapshot:
    """What to snapshot with :class:`E2ISchemaSnapshotExtension` in a test of your own:
    ``assert snapshot.use_extension(E2ISchemaSnapshotExtension) == SchemaSnapshot(cat, "1.2")``
    (``use_extension`` rather than ``snapshot(extension_class=...)``, so that syrupy also uses the
    extension to print the failure)."""

    catalog: Any
    schema_version: str | None = None
    server_major: int | None = None


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
