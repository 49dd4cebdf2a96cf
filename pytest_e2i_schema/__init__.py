"""pytest-e2i-schema: contract testing for PostgreSQL schemas built from SQL migrations.

The pytest plugin (:mod:`.plugin`) loads by being installed; this package re-exports what
users import in their own conftest.py and tools.  Submodules, one idea each:
``engines`` (servers), ``janitor`` (databases the tool made), ``migrations`` (finding and
applying files), ``catalog`` (the model read from a database), ``contracts`` (documented
expectations), ``snapshot`` (catalog snapshots), ``history`` (diffs per migration),
``factories`` (fixture factories), ``cli`` (the ``e2i-schema`` command).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: name -> submodule.  Imported on first use (PEP 562): the plugin is loaded by every pytest
#: run of a project that has it installed, and psycopg/pglast/jsonschema cost ~0.2 s to import.
_EXPORTS = {
    "Catalog": "catalog", "count_objects": "catalog", "read_catalog": "catalog",
    "Settings": "config", "load_settings": "config",
    "Engine": "engines", "ServerInfo": "engines", "make_engine": "engines",
    "ConfigError": "errors", "ContractError": "errors", "E2IError": "errors", "EngineError": "errors",
    "EngineUnavailable": "errors", "ExtensionUnavailable": "errors",
    "MigrationDiscoveryError": "errors", "MigrationError": "errors",
    "Janitor": "janitor",
    "Migration": "migrations", "apply_migrations": "migrations", "find_migrations": "migrations",
    "E2ISession": "session", "MigratedTemplate": "session",
}

__all__ = sorted([*_EXPORTS, "factories"])


def __getattr__(name: str) -> Any:
    if name == "factories":
        return importlib.import_module(".factories", __name__)
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from . import factories
    from .catalog import Catalog, count_objects, read_catalog
    from .config import Settings, load_settings
    from .engines import Engine, ServerInfo, make_engine
    from .errors import (ConfigError, ContractError, E2IError, EngineError, EngineUnavailable,
                         ExtensionUnavailable, MigrationDiscoveryError, MigrationError)
    from .janitor import Janitor
    from .migrations import Migration, apply_migrations, find_migrations
    from .session import E2ISession, MigratedTemplate
