"""The schema items ``--e2i-contracts`` adds to a run.

They are ordinary pytest items (``-k``, ``--junitxml``, xdist all work), built with
``from_parent`` under one collector named ``e2i``.  A failure prints what is wrong in plain
words -- never a traceback into this package.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .errors import E2IError

__all__ = ["SchemaCollector", "MigrationsItem", "E2IFailure"]


class E2IFailure(Exception):
    """Raised by items: its message is the whole failure report."""


class SchemaCollector(pytest.Collector):
    """Parent of every schema item; its children are listed in :meth:`collect`."""

    def collect(self):
        yield MigrationsItem.from_parent(self, name="migrations")
        # contract, drift and snapshot items are added here by their modules


class E2IItem(pytest.Item):
    def session_state(self):
        from .plugin import get_session

        return get_session(self.config)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (E2IFailure, E2IError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"e2i::{self.name}"


class MigrationsItem(E2IItem):
    """Apply the prelude and every migration to a fresh database; fail with every error found."""

    def runtest(self) -> None:
        session = self.session_state()
        tmpl = session.template()
        if not tmpl.ok:
            raise E2IFailure(tmpl.run.report())

    def reportinfo(self):
        session = self.session_state()
        migs = session.settings.migrations
        return Path(session.settings.rootdir), None, f"e2i::migrations ({', '.join(migs) or 'auto-detected'})"
