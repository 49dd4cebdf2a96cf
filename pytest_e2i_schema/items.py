"""The schema items ``--e2i-contracts`` adds to a run.

They are ordinary pytest items (``-k``, ``--junitxml``, xdist all work), built with
``from_parent``:

* ``e2i::migrations`` -- apply the prelude and every migration to a fresh database;
* ``contracts/<file>::<kind>::<name>`` -- one item per documented object, checking every
  documented property against the catalog (read once per session);
* ``undocumented::<kind>::<name>`` -- drift: objects no contract mentions.

A failure prints what is wrong in plain words, one mismatch per line, expected vs found --
never a traceback into this package.  Contract files are validated before any item is
made: a malformed file yields one failing item naming file, line and path, and no other
contract or drift item runs half-validated.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import pytest

from .errors import ContractError, E2IError

__all__ = ["collect_schema_items", "E2IFailure", "MigrationsItem", "ContractItem", "DriftItem"]


class E2IFailure(Exception):
    """Raised by items: its message is the whole failure report."""


class E2IItem(pytest.Item):
    def state(self):
        from .plugin import get_session

        return get_session(self.config)

    def template_or_fail(self):
        state = self.state()
        tmpl = state.template()
        if not tmpl.ok:
            raise E2IFailure("not checked: the migrations failed (see e2i::migrations)")
        return tmpl

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (E2IFailure, E2IError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


class SchemaCollector(pytest.Collector):
    """Parent of the items that are not tied to a contract file (``e2i::...``)."""

    def collect(self):
        return []


class MigrationsItem(E2IItem):
    """Apply the prelude and every migration to a fresh database; fail with every error found."""

    def runtest(self) -> None:
        tmpl = self.state().template()
        if not tmpl.ok:
            raise E2IFailure(tmpl.run.report())

    def reportinfo(self):
        migs = self.state().settings.migrations
        return self.path, None, f"e2i::migrations ({', '.join(migs) or 'auto-detected'})"


class ContractFileNode(pytest.File):
    """A contract file as a collector: its items are made by :func:`collect_schema_items`."""

    def collect(self):
        return []


class ContractErrorItem(E2IItem):
    """A malformed contract file: fails with every problem, file:line: path: message."""

    def __init__(self, *, error: ContractError, **kw):
        super().__init__(**kw)
        self.error = error

    def runtest(self) -> None:
        raise E2IFailure(str(self.error))

    def reportinfo(self):
        return self.path, 0, f"{self.nodeid} (invalid contract)"


class ContractItem(E2IItem):
    """One documented object: every documented property checked, every mismatch reported."""

    def __init__(self, *, entry, contract, **kw):
        super().__init__(**kw)
        self.entry = entry
        self.contract = contract

    def runtest(self) -> None:
        from .contracts import check_entry

        state = self.state()
        tmpl = self.template_or_fail()
        catalog = state.catalog(tmpl)
        if self.entry.kind == "extensions" and tmpl.baseline is not None:
            # extensions the prelude installed (pgcrypto, uuid-ossp) are the platform's, but
            # documenting them is natural: the extension check sees them.
            merged = {e.key: e for e in (*tmpl.baseline.extensions, *catalog.extensions)}
            catalog = dataclasses.replace(catalog, extensions=tuple(merged[k] for k in sorted(merged)))
        mismatches = check_entry(self.entry, catalog, self.contract.options, self.contract.entries)
        status = "ok"
        if mismatches:
            status = "missing" if any("missing from the database" in m for m in mismatches) else "mismatched"
        state.outcomes.append((self.entry.kind, self.entry.key, status))
        if mismatches:
            what = self.entry.item_id.replace("::", " ", 1)
            lines = [f"{self.entry.location}: {what}: {len(mismatches)} mismatch(es) with the database"]
            lines += [f"  {m}" for m in mismatches]
            origin = _origin(state, self.entry)
            if origin:
                lines.append(f"  {origin}")
            elif status == "missing":
                lines.append("  no migration creates it")
            raise E2IFailure("\n".join(lines))

    def reportinfo(self):
        # not the node id's suffix: pytest would print the dots of "public.x" as "::"
        return self.path, self.entry.line - 1, f"{self.entry.kind} {self.entry.key}"


class DriftItem(E2IItem):
    """An object in the database that no contract documents."""

    def __init__(self, *, drift, **kw):
        super().__init__(**kw)
        self.drift = drift

    def runtest(self) -> None:
        state = self.state()
        state.outcomes.append((self.drift.kind, self.drift.key, "undocumented"))
        message = self.drift.message
        origin = _origin(state, self.drift)
        if origin:
            message += f" ({origin})"
        if self.drift.policy == "warn":
            warnings.warn(pytest.PytestWarning(f"e2i-schema drift: {message}"))
            return
        raise E2IFailure(f"{message}; document it in a contract or set options.drift.{self.drift.kind}: warn/ignore")

    def reportinfo(self):
        return self.path, None, f"undocumented {self.drift.kind} {self.drift.key}"


class _DriftUnavailable(E2IItem):
    def runtest(self) -> None:
        raise E2IFailure("drift not computed: the migrations failed (see e2i::migrations)")


def _origin(state, obj) -> str:
    """Which migration created or last changed the object, when the history knows it."""
    from .history import origin_note

    try:
        return origin_note(state, obj.kind, obj.key)
    except E2IError:
        return ""


def collect_schema_items(session: pytest.Session, state) -> list[pytest.Item]:
    from .contracts.loader import contract_paths, load_contract

    settings = state.settings
    e2i = SchemaCollector.from_parent(session, name="e2i", nodeid="e2i")
    items: list[pytest.Item] = [MigrationsItem.from_parent(e2i, name="migrations")]
    folder = Path(settings.rootdir) / settings.contracts
    files, broken = [], []
    for path in contract_paths(folder):
        try:
            files.append(load_contract(path, settings.rootdir))
        except ContractError as exc:
            broken.append((path, exc))
    state.contract_files = files
    if broken:  # nothing runs half-validated
        for path, exc in broken:
            node = ContractFileNode.from_parent(session, path=path)
            items.append(ContractErrorItem.from_parent(node, name="validate", error=exc))
        return items
    for f in files:
        node = ContractFileNode.from_parent(session, path=f.path)
        items += [ContractItem.from_parent(node, name=e.item_id, entry=e, contract=f) for e in f.entries]
    # Made before the drift items, which wait for the migrated template: with --e2i-contracts the
    # template is built in a background thread, and these imports run while it waits on the server.
    snapshot = _snapshot_item(e2i) if settings.snapshot else []
    if files:
        items += _drift_items(session, state, files)
    return items + snapshot


def _snapshot_item(parent) -> list[pytest.Item]:
    from .snapshot import SchemaSnapshotItem
    from .snapshot.check import warm_up

    warm_up()
    return [SchemaSnapshotItem.from_parent(parent, name="snapshot")]


def _warm_end_of_run(config: pytest.Config) -> None:
    """Import now what the rest of the run imports anyway, while this thread would only wait for
    the template: pglast's deparser (expression comparisons in the contract checks) and, when
    hypothesis' pytest plugin is active, the ``hypothesis`` package, which that plugin imports in
    its terminal summary whether or not a test used it (about 0.1 s after the last test
    otherwise).  The build thread keeps getting the interpreter lock promptly meanwhile (see
    E2ISession.prefetch)."""
    from .contracts import expressions

    expressions.warm_up()
    if config.pluginmanager.has_plugin("hypothesispytest"):
        try:
            import hypothesis  # noqa: F401
        except ImportError:  # pragma: no cover - the plugin comes with the package
            pass


def _drift_items(session: pytest.Session, state, files) -> list[pytest.Item]:
    from .contracts import undocumented

    parent = SchemaCollector.from_parent(session, name="undocumented", nodeid="undocumented")
    if state.building_in_background():
        _warm_end_of_run(session.config)
    try:
        tmpl = state.template()
    except E2IError:
        tmpl = None
    if tmpl is None or not tmpl.ok:
        return [_DriftUnavailable.from_parent(parent, name="all")]
    drift = undocumented(files, state.catalog(tmpl))
    return [DriftItem.from_parent(parent, name=f"{d.kind}::{d.key}", drift=d) for d in drift]
