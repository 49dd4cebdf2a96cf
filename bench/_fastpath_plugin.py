"""Candidate fast paths for the cold run, applied by monkeypatching (bench/fastpaths.py).

Loaded with ``-p _fastpath_plugin``; ``E2I_FASTPATHS`` lists the patches to apply
(comma-separated).  These are experiments against the package's internals as they are
today: each patch is the smallest stand-in for a change proposed in bench/RESULTS.md, so
its gain can be measured before anyone edits the package.  They will rot as the package
changes; that is fine for an experiment.

count_once   count objects once after the last migration instead of after every file
             (only the last counts reach the summary)
owned_cache  keep a copy of the cached initdb cluster owned by the server account and
             copy it with ``cp -a`` (no per-file chown walk in Python)
fast_poll    poll for server start-up every 2 ms instead of 20 ms
validate_cache  skip jsonschema validation of a contract document that validated before
             (marker file per content hash)
parse_cache  keep each migration file's parsed statements on disk, keyed by content hash
early_server start the server in a thread at ``pytest_configure``, overlapping contract loading
"""

from __future__ import annotations

import os

_PATCHES = {p.strip() for p in os.environ.get("E2I_FASTPATHS", "").split(",") if p.strip()}


def _count_once() -> None:
    import dataclasses

    import pytest_e2i_schema.migrations as migrations

    original = migrations.apply_migrations

    def apply_migrations(connect, migs, *, counter=None, **kw):
        run = original(connect, migs, counter=None, **kw)
        if counter is not None and run.results:
            conn = connect()
            run.results[-1] = dataclasses.replace(run.results[-1], counts=dict(counter(conn)))
        return run

    migrations.apply_migrations = apply_migrations


def _owned_cache() -> None:
    import subprocess

    from pytest_e2i_schema.engines import cluster

    original = cluster.ClusterEngine._init_datadir

    def _init_datadir(self, bindir, version, datadir):
        cached = self.cache_dir / "clusters" / self._cache_key(bindir, version)
        if not (self.use_cache and (cached / "PG_VERSION").exists()) or self._user is None:
            return original(self, bindir, version, datadir)
        owned = cached.with_name(cached.name + "-owned")
        if not (owned / "PG_VERSION").exists():
            subprocess.run(["cp", "-a", str(cached), str(owned)], check=True)
            subprocess.run(["chown", "-R", f"{self._user.pw_uid}:{self._user.pw_gid}", str(owned)], check=True)
        subprocess.run(["cp", "-a", str(owned), str(datadir)], check=True)
        self.used_cache = True

    cluster.ClusterEngine._init_datadir = _init_datadir


def _fast_poll() -> None:
    import time as _time
    import types

    from pytest_e2i_schema.engines import cluster

    shim = types.SimpleNamespace(**{k: getattr(_time, k) for k in dir(_time) if not k.startswith("_")})
    shim.sleep = lambda s: _time.sleep(min(s, 0.002))
    cluster.time = shim


_CACHE = None


def _cache_dir():
    global _CACHE
    if _CACHE is None:
        from pathlib import Path

        _CACHE = Path.home() / ".cache" / "pytest-e2i-schema-fastpath"
        _CACHE.mkdir(parents=True, exist_ok=True)
    return _CACHE


def _validate_cache() -> None:
    """Remember contract documents that validated (by content hash): skip jsonschema next time."""
    import hashlib
    import json

    from pytest_e2i_schema.contracts import loader

    original = loader._schema_problems

    def _schema_problems(data):
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
        marker = _cache_dir() / f"valid-{digest}"
        if marker.exists():
            return []
        problems = original(data)
        if not problems:
            marker.touch()
        return problems

    loader._schema_problems = _schema_problems


def _parse_cache() -> None:
    """Keep parsed migration files (pglast split + analysis) on disk, keyed by content hash."""
    import hashlib
    import pickle

    from pytest_e2i_schema.migrations import apply

    original = apply.parse_script

    def parse_script(text, display, *a, **kw):
        digest = hashlib.sha256(f"{display}\0{text}".encode()).hexdigest()
        path = _cache_dir() / f"script-{digest}.pickle"
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, pickle.PickleError, EOFError, AttributeError):
            pass
        script = original(text, display, *a, **kw)
        try:
            path.write_bytes(pickle.dumps(script))
        except (pickle.PickleError, TypeError, AttributeError):
            pass
        return script

    apply.parse_script = parse_script


def _early_server() -> None:
    """Start the server in a thread as soon as pytest is configured (overlaps contract loading)."""
    import threading

    from pytest_e2i_schema import session as S

    original = S.E2ISession.server

    def server(self):
        th = getattr(self, "_bench_thread", None)
        if th is not None and threading.current_thread() is not th:
            th.join()
        return original(self)

    S.E2ISession.server = server
    S.E2ISession._bench_original_server = original


def pytest_configure(config):
    if "early_server" not in _PATCHES or not config.getoption("e2i_contracts", False):
        return
    import threading

    from pytest_e2i_schema.plugin import get_session

    state = get_session(config)
    th = threading.Thread(target=state._bench_original_server, args=(state,), daemon=True)
    state._bench_thread = th
    th.start()


for _name, _fn in (("count_once", _count_once), ("owned_cache", _owned_cache), ("fast_poll", _fast_poll),
                   ("validate_cache", _validate_cache), ("parse_cache", _parse_cache), ("early_server", _early_server)):
    if _name in _PATCHES:
        _fn()
