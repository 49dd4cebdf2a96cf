"""No postgres process or data directory may outlive a pytest run: after success, failure or Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from .conftest import postgres_processes_under, write_project

PROJECT = {
    "migrations/001_t.sql": "create table t (id int);",
    "tests/test_t.py": """
        import os, time

        def test_ok(e2i_db):
            e2i_db.execute("insert into t values (1)")

        def test_fails(e2i_fresh_db):
            assert False, "deliberate"

        def test_slow(e2i_db):
            if os.environ.get("E2I_TEST_SLOW"):
                print("SLOW-TEST-STARTED", flush=True)
                time.sleep(60)
    """,
}


def _pytest_as_from_a_terminal(*args: str) -> list[str]:
    """``python -m pytest ARGS`` with Ctrl-C handled as in a terminal.

    Why not the plain command: a process started in the background by a non-interactive shell
    (``cmd &`` in a CI script) inherits SIGINT *ignored*, and so does everything it starts --
    this test process and the pytest under test, which then never sees the Ctrl-C sent to it.
    The wrapper restores the default action before exec'ing pytest, as a terminal session has it.
    """
    restore = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
               "os.execv(sys.executable, [sys.executable, '-m', 'pytest', *sys.argv[1:]])")
    return [sys.executable, "-c", restore, *args]


def _leftovers(root) -> tuple[list[str], list[str]]:
    return postgres_processes_under(str(root)), [p.name for p in root.iterdir()]


def test_nothing_left_after_a_run_with_failures(pytester, engine_args, data_root):
    write_project(pytester, PROJECT, prelude=[])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *engine_args, "--e2i-data-root", str(data_root))
    result.assert_outcomes(passed=2, failed=1)
    assert _leftovers(data_root) == ([], [])


def test_nothing_left_after_ctrl_c(pytester, data_root):
    write_project(pytester, PROJECT, prelude=[])
    env = dict(os.environ, E2I_TEST_SLOW="1")
    proc = subprocess.Popen(
        _pytest_as_from_a_terminal("-p", "no:cacheprovider", "-s", "--e2i-data-root", str(data_root), "-k", "slow"),
        cwd=pytester.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    for line in proc.stdout:
        if "SLOW-TEST-STARTED" in line:
            break
    assert postgres_processes_under(str(data_root)), "the server should be running during the test"
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=60)[0]
    assert "KeyboardInterrupt" in out
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_leftovers(data_root)):
        time.sleep(0.1)
    assert _leftovers(data_root) == ([], [])


def test_ctrl_c_while_the_background_build_runs_a_long_migration(pytester, data_root):
    """``--e2i-contracts`` migrates in a background thread while pytest collects; Ctrl-C during a
    long statement must still end the run promptly and leave nothing behind."""
    write_project(pytester, {
        "migrations/001_t.sql": "create table t (id int);",
        "migrations/002_slow.sql": "select pg_sleep(60);",
    }, prelude=[])
    proc = subprocess.Popen(
        _pytest_as_from_a_terminal("-p", "no:cacheprovider", "--e2i-contracts", "--e2i-data-root", str(data_root)),
        cwd=pytester.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not postgres_processes_under(str(data_root)):
        time.sleep(0.05)
    assert postgres_processes_under(str(data_root)), "the server should start in the background"
    time.sleep(1.5)  # well inside the 60 s statement
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=60)[0]
    assert time.monotonic() - started < 20, f"Ctrl-C waited for the slow migration:\n{out}"
    assert "KeyboardInterrupt" in out
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_leftovers(data_root)):
        time.sleep(0.1)
    assert _leftovers(data_root) == ([], [])
