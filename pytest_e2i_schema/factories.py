"""Fixture factories, bound by fixture name, so users can compose their own fixtures.

The plugin's default fixtures are built from these.  A project with two migration histories,
or a test that needs a different prelude, writes in its conftest.py::

    from pytest_e2i_schema import factories

    analytics_template = factories.migrated_template(migrations=["db/analytics"], prelude=[])
    analytics_db = factories.transaction_db("analytics_template")
    analytics_fresh = factories.fresh_db("analytics_template")
"""

from __future__ import annotations

from collections.abc import Sequence

from typing import TYPE_CHECKING

import pytest

from .errors import E2IError

if TYPE_CHECKING:  # imported lazily: the plugin loads in every pytest run
    from .session import E2ISession, MigratedTemplate

__all__ = ["migrated_template", "transaction_db", "fresh_db", "migrate_to", "PartialMigration"]


def _fail_if_broken(tmpl: MigratedTemplate) -> MigratedTemplate:
    if not tmpl.ok:
        pytest.fail("migrations failed; tests that need the migrated database can't run:\n" + tmpl.run.report(), pytrace=False)
    return tmpl


def migrated_template(
    *, migrations: Sequence[str] | None = None, prelude: Sequence[str] | None = None,
    session_fixture: str = "e2i_session",
):
    """A session fixture: a template database with ``prelude`` and ``migrations`` applied once."""

    @pytest.fixture(scope="session")
    def _template(request: pytest.FixtureRequest) -> MigratedTemplate:
        session: E2ISession = request.getfixturevalue(session_fixture)
        try:
            return _fail_if_broken(session.template(migrations, prelude))
        except E2IError as exc:
            pytest.fail(str(exc), pytrace=False)

    return _template


def transaction_db(template_fixture: str = "e2i_migrated", *, session_fixture: str = "e2i_session"):
    """A function fixture: a connection inside a transaction that is rolled back at teardown.

    Every test sees the migrated schema and none sees another's writes; rollback costs well
    under a millisecond.  ``conn.transaction()`` inside the test gives savepoints for nested
    isolation.  Committing is not possible here: use ``fresh_db`` for that.
    """

    @pytest.fixture
    def _db(request: pytest.FixtureRequest):
        session: E2ISession = request.getfixturevalue(session_fixture)
        tmpl: MigratedTemplate = request.getfixturevalue(template_fixture)
        conn = session.shared_connection(session.work_db(tmpl))
        try:
            yield conn
        finally:
            conn.rollback()

    return _db


def fresh_db(template_fixture: str = "e2i_migrated", *, session_fixture: str = "e2i_session", autocommit: bool = True):
    """A function fixture: a brand-new database cloned from the template, dropped afterwards.

    For tests that commit, open several connections (``e2i_server.connect(conn.info.dbname)``)
    or run DDL.
    """

    @pytest.fixture
    def _fresh(request: pytest.FixtureRequest):
        session: E2ISession = request.getfixturevalue(session_fixture)
        tmpl: MigratedTemplate = request.getfixturevalue(template_fixture)
        # made ahead and dropped in the background (janitor.ClonePool): ~3x less per test
        name, conn = session.fresh_db(tmpl, autocommit=autocommit)
        try:
            yield conn
        finally:
            session.release_fresh_db(tmpl, name, conn, autocommit=autocommit)

    return _fresh


class PartialMigration:
    """A fresh database migrated up to a version; apply the rest step by step.

    ``conn`` is an autocommit connection for inspecting and seeding data between steps.
    """

    def __init__(self, session: E2ISession, dbname: str, applied: list, pending: list):
        self.session = session
        self.dbname = dbname
        self.applied = list(applied)
        self.pending = list(pending)
        self.conn = session.server().connect(dbname, autocommit=True)

    def apply_next(self, count: int = 1):
        """Apply the next ``count`` migrations; raises MigrationError naming the failing statement."""
        from .migrations import apply_migrations

        if count > len(self.pending):
            raise ValueError(f"only {len(self.pending)} migration(s) pending, asked for {count}")
        batch, self.pending = self.pending[:count], self.pending[count:]
        with self.session.server().connect(self.dbname) as conn:
            run = apply_migrations(
                lambda: conn, batch, settings=dict(self.session.settings.session_settings),
                server_desc=self.session.server().describe(self.dbname),
            )
        self.applied += list(run.applied)
        run.raise_for_failures()
        return run

    def apply_all(self):
        return self.apply_next(len(self.pending)) if self.pending else None

    def close(self) -> None:
        self.conn.close()


def migrate_to(*, session_fixture: str = "e2i_session", migrations: Sequence[str] | None = None, prelude: Sequence[str] | None = None):
    """A function fixture returning ``f(version) -> PartialMigration``."""

    @pytest.fixture
    def _migrate_to(request: pytest.FixtureRequest):
        session: E2ISession = request.getfixturevalue(session_fixture)
        made: list[PartialMigration] = []

        def factory(version: str) -> PartialMigration:
            tmpl = session.template(migrations, prelude, upto=version)
            _fail_if_broken(tmpl)
            allm = session.migrations(migrations)
            name = session.clone(tmpl, "upto")
            pm = PartialMigration(session, name, tmpl.migrations, allm[len(tmpl.migrations):])
            made.append(pm)
            return pm

        yield factory
        for pm in made:
            pm.close()
            session.janitor.drop(pm.dbname)

    return _migrate_to
