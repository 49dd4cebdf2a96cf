"""Index descriptions: ``"idx ON t USING gin (tags)"``, ``CREATE INDEX ...``,
``["a", "b UNIQUE"]``, ``{name, columns, method, ...}`` read into the contract's
``indexes`` mapping.

The contract matches indexes by name, so a named index keeps its details under
``indexes.named``; an unnamed one only counts towards ``indexes.min_count`` (and an
unnamed UNIQUE index becomes a ``unique`` constraint where it can).  What an unnamed
index says beyond that is reported, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .context import _Ctx, _is_ignored_key, _kind_of, _p, _short
from .sqltext import _balanced, _split_top, _strip_quotes, _unparen


_METHODS = {"btree", "hash", "gin", "gist", "spgist", "brin", "ivfflat", "hnsw", "bloom", "rum"}
_CREATE_INDEX = re.compile(
    r"^\s*create\s+(?P<unique>unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?"
    r"(?P<name>[\w\"]+)?\s*on\s+(?:only\s+)?(?P<table>[\w.\"]+)\s*"
    r"(?:using\s+(?P<method>\w+)\s*)?\((?P<cols>.*)\)\s*(?P<rest>.*?);?\s*$",
    re.IGNORECASE | re.DOTALL,
)


class _Index:
    """One index description, read from a string, list or object."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.columns: list[str] = []
        self.method: str | None = None
        self.opclass: list[str] = []
        self.unique = False
        self.where: str | None = None
        self.include: list[str] = []
        self.with_: dict[str, Any] = {}
        self.table: str | None = None

    def named_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if self.method:
            spec["method"] = self.method
        if self.columns:
            spec["columns"] = self.columns
        if self.opclass:
            spec["opclass"] = self.opclass
        if self.with_:
            spec["with"] = self.with_
        if self.where:
            spec["where"] = self.where
        if self.unique:
            spec["unique"] = True
        if self.include:
            spec["include"] = self.include
        return spec


def _index_column(ix: _Index, text: str) -> None:
    """``col``, ``col DESC``, ``col UNIQUE``, ``col (ivfflat vector_cosine_ops)``,
    ``col vector_cosine_ops``, ``gin(col)``, ``lower(col)``."""
    s = " ".join(text.split())
    m = re.fullmatch(r"(.+?)\s+unique", s, re.IGNORECASE)
    if m:
        ix.unique = True
        s = m.group(1)
    m = re.fullmatch(r"(\w+)\s*\((.*)\)", s)
    if m and m.group(1).lower() in _METHODS:  # gin(tags)
        ix.method = m.group(1).lower()
        for c in _split_top(m.group(2)):
            _index_column(ix, c)
        return
    m = re.fullmatch(r"(.+?)\s+\(([^()]*)\)", s)  # col (ivfflat vector_cosine_ops)
    if m:
        words = m.group(2).replace(",", " ").split()
        if words and all(w.lower() in _METHODS or re.fullmatch(r"\w+_ops", w) for w in words):
            for w in words:
                if w.lower() in _METHODS:
                    ix.method = w.lower()
                else:
                    ix.opclass.append(w)
            s = m.group(1)
    words = s.split()
    if len(words) >= 2 and re.fullmatch(r"\w+_ops", words[-1]):
        ix.opclass.append(words.pop())
    order = []
    while len(words) >= 2 and words[-1].upper() in ("ASC", "DESC", "NULLS", "FIRST", "LAST"):
        order.insert(0, words.pop().upper())
    ix.columns.append(" ".join(words + order))


def _parse_index(raw: Any) -> _Index | None:
    """An index description, or None when it cannot be read."""
    try:
        ix = _read_index(raw)
    except (TypeError, ValueError, AttributeError):
        return None
    if ix is None or not ix.columns or not all(isinstance(c, str) and c.strip() for c in ix.columns):
        return None
    if len(ix.opclass) > len(ix.columns) or (ix.where is not None and not ix.where.strip()):
        return None
    if ix.name is not None and not ix.name.strip():
        ix.name = None
    return ix


def _read_index(raw: Any) -> _Index | None:
    ix = _Index()
    if isinstance(raw, list):
        if not raw or not all(isinstance(c, str) and c.strip() for c in raw):
            return None
        for c in raw:
            _index_column(ix, c)
        return ix
    if isinstance(raw, dict):
        ix.name = raw.get("name") if isinstance(raw.get("name"), str) else None
        cols = raw.get("columns", raw.get("column", raw.get("fields")))
        if isinstance(cols, str):
            cols = _split_top(_unparen(cols))
        if not isinstance(cols, list) or not all(isinstance(c, str) for c in cols):
            return None
        for c in cols:
            _index_column(ix, c)
        method = raw.get("method", raw.get("using", raw.get("type")))
        if isinstance(method, str) and method.lower() in _METHODS:
            ix.method = method.lower()
        elif isinstance(method, str) and method.lower() == "unique":
            ix.unique = True
        op = raw.get("opclass", raw.get("operator_class", raw.get("ops")))
        if isinstance(op, str):
            ix.opclass.append(op)
        elif isinstance(op, list):
            ix.opclass.extend(str(o) for o in op)
        if raw.get("unique") is True:
            ix.unique = True
        where = raw.get("where", raw.get("predicate", raw.get("condition")))
        if isinstance(where, str):
            ix.where = where
        if isinstance(raw.get("with"), dict):
            ix.with_ = dict(raw["with"])
        if isinstance(raw.get("include"), list):
            ix.include = list(raw["include"])
        if isinstance(raw.get("table"), str):
            ix.table = raw["table"]
        return ix
    if not isinstance(raw, str) or not raw.strip() or not _balanced(raw):
        return None
    s = " ".join(raw.split())
    m = _CREATE_INDEX.match(s)
    if m:
        return _named_index_from(ix, m)
    # "[UNIQUE] idx_name ON [table] [USING m] (a, b) [WHERE ...]"
    m = re.fullmatch(
        r"(?P<unique>unique\s+)?(?P<name>[\w\"]+)\s+on\s+(?:(?P<table>[\w.\"]+)\s*)?"
        r"(?:using\s+(?P<method>\w+)\s*)?\((?P<cols>.*?)\)\s*(?P<rest>.*)",
        s,
        re.IGNORECASE,
    )
    if m:
        return _named_index_from(ix, m)
    # "[UNIQUE] [USING m] (a, b) [WHERE ...]" / "USING gin (tags)"
    m = re.fullmatch(
        r"(?P<unique>unique\s+)?(?:(?:using\s+)?(?P<method>\w+)\s*)?\((?P<cols>.*?)\)\s*(?P<rest>.*)",
        s,
        re.IGNORECASE,
    )
    if m and (m.group("method") is None or m.group("method").lower() in _METHODS):
        ix.unique = bool(m.group("unique"))
        if m.group("method"):
            ix.method = m.group("method").lower()
        for c in _split_top(m.group("cols")):
            _index_column(ix, c)
        if not _index_rest(ix, m.group("rest")):
            return None
        return ix
    # "col [DESC] [UNIQUE]", "col (ivfflat vector_cosine_ops)", "a, b", "col WHERE ..."
    wm = re.fullmatch(r"(.*?)\s+(where\s+.*)", s, re.IGNORECASE)
    if wm:
        s = wm.group(1)
        _index_rest(ix, wm.group(2))
    if s.upper().startswith("UNIQUE "):
        ix.unique = True
        s = s[7:]
    for c in _split_top(s):
        if not c:
            return None
        _index_column(ix, c)
    if not all(re.fullmatch(r"[\w\"]+( (ASC|DESC))?( NULLS (FIRST|LAST))?|.*\(.*\).*", c) for c in ix.columns):
        return None
    return ix


def _named_index_from(ix: _Index, m: re.Match[str]) -> _Index:
    """Fill ``ix`` from a match of the ``CREATE INDEX`` or ``name ON table`` spelling
    (groups ``name``, ``table``, ``unique``, ``method``, ``cols``, ``rest``)."""
    ix.name = _strip_quotes(m.group("name")) if m.group("name") else None
    ix.table = m.group("table")
    ix.unique = bool(m.group("unique"))
    if m.group("method"):
        ix.method = m.group("method").lower()
    for c in _split_top(m.group("cols")):
        _index_column(ix, c)
    _index_rest(ix, m.group("rest"))
    return ix


def _index_rest(ix: _Index, rest: str) -> bool:
    rest = rest.strip().rstrip(";").strip()
    if not rest:
        return True
    m = re.fullmatch(
        r"(?:include\s*\((?P<inc>[^()]*)\)\s*)?(?:with\s*\((?P<with>[^()]*)\)\s*)?(?:where\s+(?P<where>.+))?",
        rest,
        re.IGNORECASE,
    )
    if not m:
        return False
    if m.group("inc"):
        ix.include = [c.strip() for c in m.group("inc").split(",")]
    if m.group("with"):
        for kv in m.group("with").split(","):
            k, _, v = kv.partition("=")
            v = v.strip()
            ix.with_[k.strip()] = int(v) if re.fullmatch(r"\d+", v) else v
    if m.group("where"):
        ix.where = m.group("where").strip()
    return True


#: Where the documented descriptions of unnamed indexes are kept (not checked).
UNNAMED_KEY = "x-unnamed"


def _unnamed_index_losses(ix: _Index) -> list[str]:
    lost = []
    if ix.method and ix.method != "btree":
        lost.append(f"method {ix.method}")
    if ix.opclass:
        lost.append("operator class " + ", ".join(ix.opclass))
    if ix.where:
        lost.append(f"WHERE {ix.where}")
    if ix.include:
        lost.append("INCLUDE " + ", ".join(ix.include))
    if ix.with_:
        lost.append("WITH " + ", ".join(f"{k}={v}" for k, v in ix.with_.items()))
    return lost


def _add_indexes(
    ctx: _Ctx,
    raw: Any,
    path: str,
    target: dict[str, Any],
    on_unique: Callable[[list[str], str], None] | None,
) -> int:
    """Read an ``indexes`` entry into ``target`` (the contract's ``indexes`` mapping).

    Returns the number of unnamed indexes counted.  ``on_unique(columns, path)``
    receives an unnamed UNIQUE index's columns (``None`` = cannot be expressed here).
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        target["min_count"] = max(target.get("min_count", 0), raw)
        return 0
    if isinstance(raw, dict):
        if set(raw) & {"count", "min_count", "exact", "named"} and not any(
            isinstance(v, (str, list)) for k, v in raw.items() if k != "named"
        ):
            for k in ("count", "min_count", "exact"):
                if k in raw:
                    target[k] = raw[k]
            if isinstance(raw.get("named"), dict):
                _add_indexes(ctx, raw["named"], _p(path, "named"), target, on_unique)
            return 0
        # mapping name -> definition
        for name, val in raw.items():
            if _is_ignored_key(name, val):
                continue
            ip = _p(path, name)
            ix = _parse_index(val)
            if ix is None and isinstance(val, str):
                ix = _parse_index("(" + val + ")") if "(" not in val else None
            if ix is None:
                ctx.problem(ip, f"cannot read index {_short(val)}")
                continue
            target.setdefault("named", {})[name] = ix.named_spec()
        return 0
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        ctx.problem(path, f"a list of indexes expected, found {_kind_of(raw)}")
        return 0
    count = 0
    for i, item in enumerate(raw):
        ip = _p(path, i)
        ix = _parse_index(item)
        if ix is None:
            ctx.problem(ip, f"cannot read index {_short(item)}; not counted")
            continue
        if ix.name:
            target.setdefault("named", {})[ix.name] = ix.named_spec()
            continue
        count += 1
        # kept verbatim for the reader (x- keys are not checked)
        target.setdefault(UNNAMED_KEY, []).append(item if isinstance(item, str) else ", ".join(item)
                                                  if isinstance(item, list) else item)
        lost = _unnamed_index_losses(ix)
        if ix.unique:
            if on_unique is not None and not lost:
                on_unique([c.split()[0] for c in ix.columns], ip)
            else:
                lost.append("UNIQUE")
        if lost:
            ctx.problem(
                ip,
                f"unnamed index {_short(item)}: {', '.join(lost)} cannot be expressed without "
                "an index name (counted in indexes.min_count only)",
            )
    return count
