"""Clusters that start with the prelude already applied: the engine's :class:`~.base.Seed`.

Why a cluster of its own: applying a Supabase prelude is a few hundred statements, about a
sixth of building the reference schema's template, and identical in every run.  A
:class:`~.cluster.ClusterEngine` with a ``seed`` builds the seed database once on a server of
its own configuration, shuts it down cleanly and keeps that data directory in the cluster
cache next to the plain ``initdb`` one, keyed by the plain entry, the seed's key and the
server settings.  Later starts copy it instead; :attr:`~.base.ServerInfo.seed_db` names the
database and :attr:`~.base.ServerInfo.seed_id` the stored build (what was read from one copy
holds for every copy of the same build).

A seed that fails to build is not cached: the caller applies the prelude the ordinary way,
which reports the error as it would without a cache (``seed_note`` says why).

These are methods of :class:`~.cluster.ClusterEngine` (a mixin): they use its copying,
locking and server start-up.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from .._reaper import stop_postmaster
from . import cachegc

__all__ = ["SeededClusters"]


class SeededClusters:
    """The seeded-cluster half of :class:`~.cluster.ClusterEngine` (see the module docstring)."""

    def _seeded_cache(self) -> Path | None:
        if self.seed is None or not self.use_cache:
            return None
        ident = f"{self._cache_key()}|{self.seed.key}|{sorted(self.settings.items())}"
        return self.cache_dir / "clusters" / f"{self.name}-seeded-{hashlib.sha1(ident.encode()).hexdigest()[:12]}"

    def _init_seeded_datadir(self, datadir: Path) -> str | None:
        """Copy the cluster that already holds the seed database (built first when missing);
        its name, or None to go on without it (no seed, no cache, or building it failed)."""
        cached = self._seeded_cache()
        if cached is None:
            return None
        if not (cached / "PG_VERSION").exists():
            self._build_seeded_cache(cached)
        try:
            stamp = (cached / "global" / "pg_control").stat().st_mtime_ns
        except OSError:
            stamp = None
        if stamp is not None and self._finish_copy(self._start_copy(cached, datadir), cached, datadir):
            os.chmod(datadir, 0o700)
            self.used_cache = True
            self._seed_id = f"{cached.name}-{stamp}"
            cachegc.mark_used(cached)
            cachegc.mark_used(cached.parent / self._cache_key())  # needed again for the next seed
            return self.seed.dbname
        shutil.rmtree(datadir, ignore_errors=True)
        return None

    def _build_seeded_cache(self, dest: Path) -> None:
        """Start a server of our own configuration, let the seed build its database, shut it
        down cleanly and keep its data directory as *dest*.  Once per seed key; a failure only
        leaves the cache without the entry (the caller then builds the seed the slow way, which
        reports the error as it would without a cache)."""
        from .cluster import _Lock  # cluster imports this module

        helper = copy.copy(self)  # same binaries, settings, data root and cache; no seed
        helper.seed, helper.info, helper.workdir, helper.keep_server = None, None, None, False
        helper._proc = helper._reaper = None
        try:
            with _Lock(dest.parent / f".{dest.name}.lock"):
                if (dest / "PG_VERSION").exists():
                    return  # another worker built it meanwhile
                info = helper.start()
                self.seed.build(info)
                helper._stop_into(dest)
        except Exception as exc:  # the seed fails the same way without the cache: reported then
            self.seed_note = f"the seed database was not cached ({str(exc).splitlines()[0][:200]})"
        finally:
            helper.stop()

    def _stop_into(self, dest: Path) -> None:
        """Shut the server down cleanly (checkpoint) and keep a copy of its data directory as *dest*."""
        from .cluster import _drop_preallocated_wal  # cluster imports this module

        datadir = Path(self.info.data_dir)
        stop_postmaster(self._proc.pid, immediate=False)
        self._proc.wait(timeout=30)
        self._proc = None
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".seed-", dir=dest.parent))
        try:
            self._copy_tree(tmp / "c", src=datadir)
            _drop_preallocated_wal(self.bindir, tmp / "c")
            try:
                os.rename(tmp / "c", dest)
                cachegc.prune(dest.parent, keep=dest)
            except OSError:
                pass  # another worker won the race; its copy is equivalent
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
