"""The parse cache: unchanged inputs come back from disk, anything that changes is parsed again."""

from __future__ import annotations

import os
import pickle

import pytest

from pytest_e2i_schema import parsecache
from pytest_e2i_schema.contracts.loader import load_contract
from pytest_e2i_schema.errors import ContractError
from pytest_e2i_schema.migrations.statements import parse_script


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("E2I_PARSE_CACHE", raising=False)
    return tmp_path / "xdg" / "pytest-e2i-schema" / "parsed"


def entries(cache, kind):
    return sorted(cache.glob(f"{kind}/*/*.pickle"))


def test_a_result_is_computed_once_and_read_back(cache):
    calls = []

    def compute():
        calls.append(1)
        return {"value": len(calls)}

    first = parsecache.cached("unit", ("parsecache.py",), ("a", b"\x00bytes"), compute)
    second = parsecache.cached("unit", ("parsecache.py",), ("a", b"\x00bytes"), compute)
    assert first == second == {"value": 1} and calls == [1]
    third = parsecache.cached("unit", ("parsecache.py",), ("a", b"other"), compute)
    assert third == {"value": 2}  # another input, another entry
    # key parts are length-prefixed: ("ab", "c") and ("a", "bc") are different keys
    parsecache.cached("unit", (), ("ab", "c"), compute)
    assert parsecache.cached("unit", (), ("a", "bc"), compute) == {"value": 4}
    assert len(entries(cache, "unit")) == 4


def test_a_broken_entry_is_parsed_again_and_replaced(cache):
    parsecache.cached("unit", (), ("k",), lambda: "good")
    (entry,) = entries(cache, "unit")
    entry.write_bytes(b"\x80\x04truncated")
    assert parsecache.cached("unit", (), ("k",), lambda: "again") == "again"
    assert pickle.loads(entry.read_bytes()) == "again"


def test_a_changed_source_file_invalidates(cache, monkeypatch):
    parsecache.cached("unit", ("parsecache.py",), ("k",), lambda: "old code")
    parsecache._code_digest.cache_clear()
    st = os.stat(parsecache.__file__)
    try:
        os.utime(parsecache.__file__, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
        assert parsecache.cached("unit", ("parsecache.py",), ("k",), lambda: "new code") == "new code"
    finally:
        os.utime(parsecache.__file__, ns=(st.st_atime_ns, st.st_mtime_ns))
        parsecache._code_digest.cache_clear()


def test_off_switch_and_read_only_cache(cache, monkeypatch):
    monkeypatch.setenv("E2I_PARSE_CACHE", "0")
    assert parsecache.cached("unit", (), ("k",), lambda: 1) == 1
    assert not cache.exists()
    monkeypatch.setenv("E2I_PARSE_CACHE", "1")
    cache.parent.mkdir(parents=True)
    cache.parent.chmod(0o500)
    try:
        if os.access(cache.parent, os.W_OK):  # root writes anyway: nothing to prove here
            pytest.skip("running as root: a read-only directory is still writable")
        assert parsecache.cached("unit", (), ("k",), lambda: 2) == 2
    finally:
        cache.parent.chmod(0o700)


def test_contracts_come_back_equal_and_edits_are_seen(cache, tmp_path):
    path = tmp_path / "contracts" / "app.yaml"
    path.parent.mkdir()
    path.write_text("schema_version: '1'\ntables:\n  t:\n    columns:\n      id: uuid\n")
    first = load_contract(path, tmp_path)
    second = load_contract(path, tmp_path)
    assert first == second and first.data == second.data and first is not second
    assert len(entries(cache, "contract")) == 1
    path.write_text("schema_version: '1'\ntables:\n  t:\n    columns:\n      id: bigint\n")
    assert load_contract(path, tmp_path).entries[0].spec["columns"]["id"] == "bigint"
    path.write_text("schema_version: '1'\ntables:\n  t:\n    columns:\n      id: enum[x\n")
    for _ in range(2):  # a broken contract is never stored: reported every time
        with pytest.raises(ContractError, match="unknown type spelling"):
            load_contract(path, tmp_path)
    assert len(entries(cache, "contract")) == 2


def test_split_migrations_come_back_equal(cache):
    sql = "create table a (id int);\n-- note\ncreate index concurrently a_i on a (id);\ncommit;\n"
    parse_script.cache_clear()
    first = parse_script(sql, "m/001.sql")
    parse_script.cache_clear()  # the in-memory memo; the disk entry answers now
    second = parse_script(sql, "m/001.sql")
    assert first == second and first is not second
    assert [s.kind for s in second.statements] == ["CreateStmt", "IndexStmt", "TransactionStmt"]
    assert second.statements[1].no_transaction and second.statements[2].commit_point
    assert second.statements[0].node is not None  # the pglast tree is still built on demand
    assert len(entries(cache, "statements")) == 1


def test_entries_unused_for_a_month_are_pruned_when_something_new_is_stored(cache):
    import time

    parsecache.cached("unit", (), ("old",), lambda: "old")
    parsecache.cached("unit", (), ("used",), lambda: "used")
    old, used = (next(e for e in entries(cache, "unit") if pickle.loads(e.read_bytes()) == v) for v in ("old", "used"))
    month = time.time() - 31 * 86400
    for entry in (old, used):
        os.utime(entry, (month, month))
    os.utime(cache / ".pruned", (month, month))  # the last prune was long ago
    assert parsecache.cached("unit", (), ("used",), lambda: "recomputed") == "used"  # a hit marks it used
    assert used.stat().st_mtime > time.time() - 600
    parsecache.cached("unit", (), ("new",), lambda: "new")  # a miss prunes first
    assert not old.exists() and used.exists() and len(entries(cache, "unit")) == 2
    # at most once a day: a second entry gone stale right away survives until tomorrow
    os.utime(used, (month, month))
    parsecache.cached("unit", (), ("newer",), lambda: "newer")
    assert used.exists()
