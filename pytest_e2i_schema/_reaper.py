"""A tiny watchdog process that outlives nothing but the pytest process that started it.

Why: atexit handlers and fixture finalizers do not run when pytest is killed with SIGKILL,
crashes in C, or its terminal goes away; a postmaster started by it would then run forever
with its data directory on /dev/shm.  The engine starts this reaper with a pipe on its stdin
and writes nothing to it.  When the pipe closes -- because the engine stopped the server
itself, or because the parent died in any way at all -- the reaper makes sure the postmaster
is gone and removes the working directory.

Usage (internal): ``python -m pytest_e2i_schema._reaper PID WORKDIR``
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    # a zombie child of a dead parent is reaped by init quickly; treat /proc state Z as dead
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def stop_postmaster(pid: int, timeout: float = 10.0, *, immediate: bool = False) -> None:
    """Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL of the whole process group.

    ``immediate`` starts at SIGQUIT: no shutdown checkpoint, for a data directory that is
    deleted right after (its contents no longer matter, only that every process is gone).
    """
    steps = ((signal.SIGINT, timeout), (signal.SIGQUIT, 3.0), (signal.SIGKILL, 3.0))
    for sig, wait in steps[1:] if immediate else steps:
        if not _alive(pid):
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.002)
    if sig == signal.SIGKILL:  # last resort: children of the postmaster share its group
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def main(argv: list[str]) -> int:
    pid, workdir = int(argv[0]), argv[1]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for pytest; we clean up after it
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        sys.stdin.buffer.read()  # blocks until the parent closes the pipe or dies
    except Exception:
        pass
    stop_postmaster(pid, immediate=True)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
