"""pytest-e2i-schema: contract testing for PostgreSQL schemas built from SQL migrations.

The pytest plugin (:mod:`.plugin`) loads by being installed; this package re-exports what
users import in their own conftest.py and tools.  Submodules, one idea each:
``engines`` (servers), ``janitor`` (databases the tool made), ``migrations`` (finding and
applying files), ``catalog`` (the model read from a database), ``contracts`` (documented
expectations), ``snapshot`` (catalog snapshots), ``history`` (diffs per migration),
``factories`` (fixture factories), ``cli`` (the ``e2i-schema`` command).
"""

from __future__ import annotations

from . import factories
from .catalog import Catalog, count_objects, read_catalog
from .config import Settings, load_settings
from .engines import Engine, ServerInfo, make_engine
from .errors import (
    ConfigError,
    ContractError,
    E2IError,
    EngineError,
    EngineUnavailable,
    ExtensionUnavailable,
    MigrationDiscoveryError,
    MigrationError,
)
from .janitor import Janitor
from .migrations import Migration, apply_migrations, find_migrations
from .session import E2ISession, MigratedTemplate

__all__ = [
    "Catalog",
    "ConfigError",
    "ContractError",
    "E2IError",
    "E2ISession",
    "Engine",
    "EngineError",
    "EngineUnavailable",
    "ExtensionUnavailable",
    "Janitor",
    "MigratedTemplate",
    "Migration",
    "MigrationDiscoveryError",
    "MigrationError",
    "ServerInfo",
    "Settings",
    "apply_migrations",
    "count_objects",
    "factories",
    "find_migrations",
    "load_settings",
    "make_engine",
    "read_catalog",
]
