"""Catalog snapshots: a review-friendly text file per server major version, checked through syrupy.

Why: the snapshot is committed so that a migration PR's diff of this file shows a reviewer
exactly what the migration does to the database.  The package keeps each concern apart:

* :mod:`.serializer` -- the text format: :func:`serialize_catalog` / :func:`parse_snapshot`,
  pure and sorted, with its format version (:data:`FORMAT_VERSION`);
* :mod:`.extension` -- the syrupy extension (:class:`E2ISchemaSnapshotExtension`) and the
  test location that lets a non-Python item own a snapshot file;
* :mod:`.check` -- :func:`snapshot_item_check`, the comparison and failure report a schema
  item runs, and the schema_version rule (:func:`version_rule`);
* :mod:`.item` -- the plugin's ``e2i::snapshot`` item (:class:`SchemaSnapshotItem`).

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
"""

from __future__ import annotations

from .check import SnapshotMismatch, contract_schema_version, snapshot_item_check, version_rule
from .extension import E2ISchemaSnapshotExtension, SchemaSnapshot, SchemaSnapshotLocation
from .item import SchemaSnapshotItem
from .serializer import (
    FILE_EXTENSION,
    FORMAT_VERSION,
    SnapshotFormatError,
    SnapshotMeta,
    parse_snapshot,
    serialize_catalog,
    snapshot_path,
)

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
