"""A pytest plugin for the benchmark: when a cold run reaches each phase, and the CPU spent by then.

Loaded with ``-p _phases`` (bench/ on PYTHONPATH); ``BENCH_T0`` is the wall-clock time the
benchmark started the process, ``BENCH_PHASES`` the JSON file written at exit.  Marks are wall
seconds since ``BENCH_T0`` and this process's CPU seconds (all threads), so the table in
RESULTS.md shows where the time goes and how much of it the process was busy.
"""

from __future__ import annotations

import atexit
import json
import os
import time

import pytest

_T0 = float(os.environ.get("BENCH_T0", time.time()))
_MARKS: list[tuple[str, float, float]] = []
_SESSION: dict[str, float] = {}


def _mark(name: str) -> None:
    _MARKS.append((name, time.time() - _T0, time.process_time()))


_mark("plugins loaded")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    _mark("configure (server start begins)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session):
    _mark("collection starts")


def pytest_collection_finish(session):
    _mark("items collected (template ready)")


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    try:
        return (yield)
    finally:
        _mark("items ran")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    from pytest_e2i_schema.plugin import SESSION_KEY

    state = session.config.stash.get(SESSION_KEY, None)
    if state is not None:
        _SESSION["server_start_s"] = state.start_s
        _SESSION["template_build_s"] = sum(t.build_s for t in state.templates.values())


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    _mark("summaries printed (pytest, hypothesis, e2i-schema)")


@pytest.hookimpl(trylast=True, specname="pytest_unconfigure")
def pytest_unconfigure_last(config):
    _mark("server stopped")


def _write() -> None:
    _mark("exit")
    out = os.environ.get("BENCH_PHASES")
    if out:
        with open(out, "w") as fh:
            json.dump({"marks": _MARKS, "session": _SESSION}, fh)


atexit.register(_write)
