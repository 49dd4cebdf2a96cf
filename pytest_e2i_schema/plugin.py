"""pytest entry point: options, hooks and the default fixtures -- the work lives elsewhere.

Loaded through the ``pytest11`` entry point, so installing the package is enough.  Fixtures
are available in every run; ``--e2i-contracts`` additionally adds the schema items.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from . import factories
from .config import ENGINES, SETTINGS_HELP, Settings, load_settings
from .errors import E2IError

if TYPE_CHECKING:  # the session pulls in psycopg, pglast...: imported when first needed
    from .session import E2ISession

SESSION_KEY = pytest.StashKey["E2ISession"]()
SETTINGS_KEY = pytest.StashKey[Settings]()

# option dest -> settings key, for options that map 1:1 onto a setting
_OPTION_KEYS = {
    "e2i_migrations": "migrations",
    "e2i_contracts_dir": "contracts",
    "e2i_engine": "engine",
    "e2i_prelude": "prelude",
    "e2i_pg_bin": "pg_bin",
    "e2i_dsn": "dsn",
    "e2i_dsn_env": "dsn_env",
    "e2i_session_settings": "session_settings",
    "e2i_stand_ins": "stand_ins",
    "e2i_keep_going": "keep_going",
    "e2i_keep_server": "keep_server",
    "e2i_docker_image": "docker_image",
    "e2i_data_root": "data_root",
    "e2i_clone_strategy": "clone_strategy",
    "e2i_cache": "cache",
    "e2i_snapshot": "snapshot",
    "e2i_schemas": "schemas",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("e2i-schema", "PostgreSQL schema contracts (pytest-e2i-schema)")
    group.addoption("--e2i-contracts", action="store_true", dest="e2i_contracts",
                    help="apply the migrations and check the schema (contracts, drift, snapshots)")
    group.addoption("--e2i-migrations", action="append", dest="e2i_migrations", metavar="PATH",
                    help="migration folder, glob or file (repeatable, applied in the order given)")
    group.addoption("--e2i-contracts-dir", dest="e2i_contracts_dir", metavar="DIR",
                    help="folder with contract files (default: contracts)")
    group.addoption("--e2i-engine", dest="e2i_engine", choices=ENGINES,
                    help="server to run: embedded (default), local, docker or dsn")
    group.addoption("--e2i-prelude", action="append", dest="e2i_prelude", metavar="NAME|PATH",
                    help="run before the migrations: 'supabase', 'supabase_vector' or a SQL file (repeatable)")
    group.addoption("--e2i-pg-bin", dest="e2i_pg_bin", metavar="DIR",
                    help="directory with initdb and postgres for --e2i-engine local")
    group.addoption("--e2i-dsn", dest="e2i_dsn", metavar="DSN",
                    help="existing server to use (implies --e2i-engine dsn); only databases the tool creates are touched")
    group.addoption("--e2i-dsn-env", dest="e2i_dsn_env", metavar="VAR",
                    help="environment variable holding the dsn (default E2I_DSN)")
    group.addoption("--e2i-setting", action="append", dest="e2i_session_settings", metavar="NAME=VALUE",
                    help="GUC for the migration session, e.g. search_path=public,extensions (repeatable)")
    group.addoption("--e2i-stand-ins", action="store_const", const=True, dest="e2i_stand_ins",
                    help="install SQL stand-ins for extensions the server lacks")
    group.addoption("--e2i-no-stand-ins", action="store_const", const=False, dest="e2i_stand_ins",
                    help="never install stand-ins (an extension the server lacks fails the migration)")
    group.addoption("--e2i-keep-going", action="store_const", const=True, dest="e2i_keep_going",
                    help="apply every migration and report every failure")
    group.addoption("--e2i-keep-server", action="store_const", const=True, dest="e2i_keep_server",
                    help="leave the server and its databases running after the session")
    group.addoption("--e2i-docker-image", dest="e2i_docker_image", metavar="IMAGE",
                    help="image for --e2i-engine docker (default pgvector/pgvector:pg17)")
    group.addoption("--e2i-data-root", dest="e2i_data_root", metavar="auto|tmpfs|disk|PATH",
                    help="where server data lives (default auto: RAM disk when it has room)")
    group.addoption("--e2i-clone-strategy", dest="e2i_clone_strategy", choices=("auto", "wal_log", "file_copy"),
                    help="CREATE DATABASE strategy for fresh databases")
    group.addoption("--e2i-no-cache", action="store_const", const=False, dest="e2i_cache",
                    help="do not reuse a cached initdb cluster")
    group.addoption("--e2i-schema", action="append", dest="e2i_schemas", metavar="NAME",
                    help="schema in scope for contracts, drift and snapshots (repeatable; default: all non-system)")
    group.addoption("--e2i-no-snapshot", action="store_const", const=False, dest="e2i_snapshot",
                    help="skip the catalog snapshot item (e2i::snapshot)")
    for key, (kind, help_text) in SETTINGS_HELP.items():
        ini_type = {"list": "linelist", "bool": "bool", "table": "linelist"}.get(kind, "string")
        parser.addini(f"e2i_{key}", help_text, type=ini_type, default=None)


def _ini_values(config: pytest.Config) -> dict:
    out = {}
    for key in SETTINGS_HELP:
        try:
            value = config.getini(f"e2i_{key}")
        except ValueError:
            continue
        if value not in (None, [], ""):
            out[key] = value
    return out


def get_settings(config: pytest.Config) -> Settings:
    if SETTINGS_KEY not in config.stash:
        overrides = {key: config.getoption(dest) for dest, key in _OPTION_KEYS.items()}
        # Start from where pytest was invoked, not config.rootpath: pytest derives rootpath from
        # any existing path on the command line (--e2i-pg-bin DIR included) when no ini file is found.
        start = Path(config.inipath).parent if config.inipath else Path(config.invocation_params.dir)
        config.stash[SETTINGS_KEY] = load_settings(start, overrides, _ini_values(config))
    return config.stash[SETTINGS_KEY]


def get_session(config: pytest.Config) -> E2ISession:
    from .session import E2ISession

    if SESSION_KEY not in config.stash:
        config.stash[SESSION_KEY] = E2ISession(get_settings(config))
    return config.stash[SESSION_KEY]


def pytest_configure(config: pytest.Config) -> None:
    try:
        get_settings(config)
    except E2IError as exc:
        raise pytest.UsageError(str(exc)) from None
    if _builds_schema(config):
        # The schema items need the migrated template: start building it now, in the
        # background, so the server starts and the migrations run while pytest collects and
        # the contracts load (see E2ISession.prefetch).
        get_session(config).prefetch()


def _builds_schema(config: pytest.Config) -> bool:
    """``--e2i-contracts`` in a process that runs items: not an xdist controller, not ``--help``
    or ``--version`` (pytest configures plugins for those too)."""
    option = config.option
    if not getattr(option, "e2i_contracts", False) or getattr(option, "help", False) or getattr(option, "version", False):
        return False
    return not _xdist_controller(config)


def _xdist_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput") and (config.getoption("dist", "no") or "no") != "no"


def _schema_only(config: pytest.Config) -> bool:
    """``--e2i-contracts`` without explicit paths runs only the schema items (the main job)."""
    return bool(config.getoption("e2i_contracts")) and config.args_source != pytest.Config.ArgsSource.ARGS


def pytest_ignore_collect(collection_path: Path, config: pytest.Config):
    if _schema_only(config) and collection_path != Path(config.rootpath):
        return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    if not config.getoption("e2i_contracts"):
        return
    from .items import collect_schema_items

    try:
        schema_items = collect_schema_items(session, get_session(config))
    except E2IError as exc:
        raise pytest.UsageError(str(exc)) from None
    items[:0] = schema_items
    if _schema_only(config) and _exits_after_run(config):
        # Only the schema items run from here, on what was just built and loaded: freeze it, so
        # pytest's and the interpreter's final collections walk only what the items make.
        _freeze_heap()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """The last test has run and session fixtures are torn down: stop the server while pytest
    prints its summaries (ours reads only what the session kept)."""
    state = session.config.stash.get(SESSION_KEY, None)
    if state is not None:
        state.close_in_background()


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if SESSION_KEY not in config.stash:
        return
    from .report import summary_lines

    lines = summary_lines(config.stash[SESSION_KEY])
    if lines:
        terminalreporter.section("e2i-schema")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        if session.settings.keep_server and session.info is not None:
            print(f"\ne2i-schema: server kept running: {session.info.describe()} -- data dir {session.info.data_dir}")
        session.close()


def _exits_after_run(config: pytest.Config) -> bool:
    """A process started as ``pytest``/``python -m pytest`` with these arguments: it ends with
    this run.  Not another program's ``pytest.main()`` or pytester's in-process runs."""
    return tuple(config.invocation_params.args) == tuple(sys.argv[1:])


def _freeze_heap() -> None:
    """Move every object the garbage collector tracks to its permanent generation.

    Why: a run that applied migrations holds psycopg, pglast, hypothesis, the catalog model and
    every contract; each full collection then walks all of it -- pytest runs two at the end
    (its unraisable-exception check) and the interpreter one at shutdown, about 50 ms each.
    Frozen objects are skipped by those walks.  The cost: garbage that already exists when this
    runs is never collected (memory only; a process that ends with the run doesn't miss it)."""
    import gc

    gc.collect(1)  # the young garbage (collection, contract loading) is freed first
    gc.freeze()


@pytest.hookimpl(trylast=True, specname="pytest_unconfigure")
def _freeze_heap_before_exit(config: pytest.Config) -> None:
    """Spare the interpreter's shutdown a walk over the whole heap (see :func:`_freeze_heap`)."""
    if SESSION_KEY in config.stash and _exits_after_run(config):
        _freeze_heap()


# -- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def e2i_settings(pytestconfig: pytest.Config) -> Settings:
    """The resolved settings (command line > ini > [tool.e2i_schema] > defaults)."""
    return get_settings(pytestconfig)


@pytest.fixture(scope="session")
def e2i_session(pytestconfig: pytest.Config) -> E2ISession:
    """The session state: one server per session (per xdist worker), templates built once."""
    return get_session(pytestconfig)


@pytest.fixture(scope="session")
def e2i_server(e2i_session: E2ISession):
    """Connection facts of the running server (:class:`ServerInfo`): ``.connect(dbname)``,
    ``.conninfo(dbname)``, ``.version_num``, ``.engine``."""
    try:
        return e2i_session.server()
    except E2IError as exc:
        pytest.fail(str(exc), pytrace=False)


#: The template database with the prelude and all migrations applied (built once per session).
e2i_migrated = factories.migrated_template()
#: A connection in a transaction rolled back after each test.
e2i_db = factories.transaction_db("e2i_migrated")
#: A new database cloned from the template, dropped after the test (autocommit connection).
e2i_fresh_db = factories.fresh_db("e2i_migrated")
#: ``e2i_migrate_to(version)``: a fresh database migrated up to a version, ``.apply_next()`` for the rest.
e2i_migrate_to = factories.migrate_to()
