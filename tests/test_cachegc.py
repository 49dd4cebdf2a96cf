"""The cluster cache forgets entries nobody uses, and only those: LRU by last start, age limit."""

from __future__ import annotations

import os
import time

from pytest_e2i_schema.engines import cachegc

DAY = 86400


def _entry(root, name, age_days, now):
    path = root / name
    (path / "base").mkdir(parents=True)
    (path / "PG_VERSION").write_text("18\n")
    os.utime(path, (now - age_days * DAY, now - age_days * DAY))
    return path


def test_prune_keeps_recent_entries_and_drops_old_and_excess_ones(tmp_path):
    now = time.time()
    fresh = _entry(tmp_path, "embedded-aaaaaaaaaaaa", 1, now)
    seeded = _entry(tmp_path, "embedded-seeded-bbbbbbbbbbbb", 2, now)
    old = _entry(tmp_path, "local-cccccccccccc", 45, now)
    legacy = _entry(tmp_path, "embedded-18.6-dddddddddddd-owned", 40, now)
    new = _entry(tmp_path, "embedded-eeeeeeeeeeee", 0, now)
    removed = cachegc.prune(tmp_path, keep=new, now=now)
    assert sorted(removed) == ["embedded-18.6-dddddddddddd-owned", "local-cccccccccccc"]
    assert fresh.exists() and seeded.exists() and new.exists()
    assert not old.exists() and not legacy.exists()
    assert not any(p.name.startswith(".trash-") for p in tmp_path.iterdir())

    # beyond max_entries the least recently used go, the one just stored never does
    extra = [_entry(tmp_path, f"embedded-{i:012x}", 3 + i, now) for i in range(4)]
    removed = cachegc.prune(tmp_path, keep=new, max_entries=3, now=now)
    assert fresh.exists() and seeded.exists() and new.exists()  # used 0-2 days ago
    assert sorted(removed) == sorted(p.name for p in extra)


def test_prune_leaves_foreign_files_and_recent_work_alone(tmp_path):
    now = time.time()
    mine = tmp_path / "notes"  # not named like an entry
    mine.mkdir()
    os.utime(mine, (now - 90 * DAY, now - 90 * DAY))
    link_target = tmp_path.parent / f"{tmp_path.name}-target"
    link_target.mkdir()
    (tmp_path / "embedded-ffffffffffff").symlink_to(link_target)
    recent_store = tmp_path / ".init-x1"  # a store in progress in another process
    recent_store.mkdir()
    stale_store = tmp_path / ".seed-x2"  # one interrupted long ago
    stale_store.mkdir()
    os.utime(stale_store, (now - 2 * DAY, now - 2 * DAY))
    held_lock = tmp_path / ".embedded-seeded-111111111111.lock"  # a seed being built right now
    held_lock.touch()
    orphan_lock = tmp_path / ".embedded-seeded-222222222222.lock"
    orphan_lock.touch()
    os.utime(orphan_lock, (now - 2 * DAY, now - 2 * DAY))
    cachegc.prune(tmp_path, now=now, max_age_days=30)
    assert mine.exists() and link_target.exists() and (tmp_path / "embedded-ffffffffffff").is_symlink()
    assert recent_store.exists() and held_lock.exists()
    assert not stale_store.exists() and not orphan_lock.exists()


def test_mark_used_moves_an_entry_to_the_front(tmp_path):
    now = time.time()
    a = _entry(tmp_path, "embedded-aaaaaaaaaaaa", 50, now)
    b = _entry(tmp_path, "embedded-bbbbbbbbbbbb", 1, now)
    cachegc.mark_used(a)
    assert cachegc.prune(tmp_path, now=time.time(), max_entries=1) == ["embedded-bbbbbbbbbbbb"]
    assert a.exists() and not b.exists()
    cachegc.mark_used(tmp_path / "missing")  # no error: housekeeping only
