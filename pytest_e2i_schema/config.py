"""Every setting of the tool, resolved in one place.

Precedence, highest first: command-line option (``--e2i-*``), pytest ini option
(``e2i_*`` in pytest.ini / setup.cfg / ``[tool.pytest.ini_options]``), ``[tool.e2i_schema]``
in the project's ``pyproject.toml``, built-in default.  The pytest plugin and the
``e2i-schema`` command both call :func:`load_settings`, so they can never disagree.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Settings", "SETTINGS_HELP", "ENGINES", "load_settings", "read_pyproject"]

ENGINES = ("embedded", "local", "docker", "dsn")
DRIFT_POLICIES = ("error", "warn", "ignore")


@dataclasses.dataclass(frozen=True)
class Settings:
    rootdir: Path
    migrations: tuple[str, ...] = ()
    contracts: str = "contracts"
    engine: str = "embedded"
    prelude: tuple[str, ...] = ()
    pg_bin: str | None = None
    dsn: str | None = None
    dsn_env: str = "E2I_DSN"
    session_settings: tuple[tuple[str, str], ...] = ()
    stand_ins: bool | None = None  # None: on for the embedded engine only
    keep_going: bool = False
    keep_server: bool = False
    docker_image: str | None = None
    data_root: str = "auto"
    clone_strategy: str = "auto"
    cache: bool = True
    snapshot: bool = True
    schemas: tuple[str, ...] = ()  # empty: every non-system schema
    source: str = "defaults"  # where the non-default values came from, for the summary

    @property
    def stand_ins_on(self) -> bool:
        return self.engine == "embedded" if self.stand_ins is None else self.stand_ins


#: key -> (kind, one-line help).  kinds: str, list, bool, table.  Also the source of the README table.
SETTINGS_HELP: dict[str, tuple[str, str]] = {
    "migrations": ("list", "migration folders, globs or files, applied in the order given"),
    "contracts": ("str", "folder holding contract files (YAML or JSON)"),
    "engine": ("str", "server to run: embedded (default), local, docker or dsn"),
    "prelude": ("list", "run before the first migration: built-in 'supabase' and/or paths to SQL files"),
    "pg_bin": ("str", "directory with initdb and postgres for the local engine"),
    "dsn": ("str", "connection string of an existing server (dsn engine); prefer dsn_env"),
    "dsn_env": ("str", "environment variable holding the dsn (default E2I_DSN)"),
    "session_settings": ("table", "GUCs set on the migration session, e.g. search_path"),
    "stand_ins": ("bool", "install SQL stand-ins for extensions the server lacks (default: embedded only)"),
    "keep_going": ("bool", "apply every migration and report every failure instead of stopping at the first"),
    "keep_server": ("bool", "leave the server running after the session and print how to reach it"),
    "docker_image": ("str", "image for the docker engine (default pgvector/pgvector:pg17)"),
    "data_root": ("str", "where server data lives: auto (RAM disk when it has room), tmpfs, disk or a path"),
    "clone_strategy": ("str", "CREATE DATABASE strategy for fresh databases: auto, wal_log or file_copy"),
    "cache": ("bool", "reuse a cached initdb cluster between runs (default true)"),
    "schemas": ("list", "schemas checked by contracts, drift and snapshots (default: every non-system schema)"),
    "snapshot": ("bool", "with --e2i-contracts, compare the catalog with its committed snapshot (default true)"),
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_GUC_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$")


def read_pyproject(start: Path) -> tuple[dict[str, Any], Path | None]:
    """The ``[tool.e2i_schema]`` table of the nearest pyproject.toml at or above ``start``."""
    for d in [start, *start.parents]:
        path = d / "pyproject.toml"
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path}: invalid TOML ({exc}); fix the file") from None
            table = data.get("tool", {}).get("e2i_schema", {})
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: [tool.e2i_schema] must be a table")
            return table, path
    return {}, None


def _coerce(key: str, value: Any, where: str) -> Any:
    kind = SETTINGS_HELP[key][0]
    if kind == "list":
        if isinstance(value, str):
            value = [v for v in re.split(r"[\n,]", value) if v.strip()]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: {key} must be a list of strings, got {value!r}")
        return tuple(v.strip() for v in value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ConfigError(f"{where}: {key} must be true or false, got {value!r}")
    if kind == "table":
        if isinstance(value, (list, tuple)):  # ini form: lines of name=value
            pairs = []
            for line in value:
                if "=" not in line:
                    raise ConfigError(f"{where}: {key} entry {line!r} is not name=value")
                k, v = line.split("=", 1)
                pairs.append((k.strip(), v.strip()))
            value = dict(pairs)
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: {key} must be a table of setting = value, got {value!r}")
        out = []
        for k, v in value.items():
            if not _GUC_NAME.match(str(k)):
                raise ConfigError(f"{where}: {key} has an invalid setting name {k!r}; use names like search_path or app.tenant")
            out.append((str(k), "true" if v is True else "false" if v is False else str(v)))
        return tuple(out)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string, got {value!r}")
    return value.strip()


def load_settings(rootdir: Path, overrides: Mapping[str, Any] | None = None, ini: Mapping[str, Any] | None = None) -> Settings:
    """Merge defaults < pyproject < ini < overrides (command line).  ``None`` means "not given"."""
    table, pyproject = read_pyproject(Path(rootdir).resolve())
    # Paths in the settings are relative to the project: the folder of the pyproject.toml found.
    rootdir = pyproject.parent if pyproject is not None else Path(rootdir).resolve()
    values: dict[str, Any] = {}
    sources: list[str] = []
    unknown = sorted(set(table) - set(SETTINGS_HELP))
    if unknown:
        raise ConfigError(
            f"{pyproject}: unknown key {unknown[0]!r} in [tool.e2i_schema]; known keys: {', '.join(SETTINGS_HELP)}"
        )
    for layer_name, layer in ((str(pyproject), table), ("ini", ini or {}), ("command line", overrides or {})):
        for key, value in layer.items():
            if value is None or key not in SETTINGS_HELP:
                continue
            if isinstance(value, (list, tuple)) and not value and SETTINGS_HELP[key][0] != "table":
                continue
            values[key] = _coerce(key, value, layer_name)
            if layer_name not in sources:
                sources.append(layer_name)
    engine = values.get("engine", "embedded")
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    strategy = values.get("clone_strategy", "auto").lower()
    if strategy not in ("auto", "wal_log", "file_copy"):
        raise ConfigError(f"unknown clone_strategy {strategy!r}; choose auto, wal_log or file_copy")
    values["clone_strategy"] = strategy
    if "dsn" in values and "engine" not in values:
        values["engine"] = "dsn"
    return Settings(rootdir=rootdir, source=", ".join(sources) or "defaults", **values)


def cache_dir() -> Path:
    """Where reusable artefacts live (initdb clusters, validated-contract markers):
    ``$XDG_CACHE_HOME/pytest-e2i-schema`` or ``~/.cache/pytest-e2i-schema``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pytest-e2i-schema"
