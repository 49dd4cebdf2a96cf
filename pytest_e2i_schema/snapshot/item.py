"""The plugin's ``e2i::snapshot`` item: the migrated catalog against its committed snapshot.

Why a module of its own: the item is the only part of snapshots that needs the running
plugin (its session, template database and contract files); everything it does is
:func:`~.check.snapshot_item_check`.
"""

from __future__ import annotations

from pathlib import Path

from .check import contract_schema_version, snapshot_item_check

__all__ = ["SchemaSnapshotItem"]


def _item_base() -> type:
    from ..items import E2IItem

    return E2IItem


class SchemaSnapshotItem(_item_base()):  # type: ignore[misc]
    """``e2i::snapshot``: the migrated catalog (prelude excluded) against
    ``<contracts>/__snapshots__/catalog.pg<major>.schema``, through syrupy; the version rule
    uses the highest ``schema_version`` of the contract files.

    Made by the plugin's collection as ``SchemaSnapshotItem.from_parent(e2i, name="snapshot")``.
    """

    def runtest(self) -> None:
        from ..history import blame_for
        from ..items import E2IFailure
        from ..plugin import get_session

        state = get_session(self.config)
        tmpl = state.template()
        if not tmpl.ok:
            raise E2IFailure("not checked: the migrations failed (see e2i::migrations)")
        if hasattr(state, "catalog"):
            catalog = state.catalog(tmpl)
        else:  # pragma: no cover - sessions without a catalog cache
            from ..catalog import read_catalog

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
