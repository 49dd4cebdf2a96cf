"""Low-level helpers for the SQL-ish text documents are written in.

Documentation strings mix SQL fragments (``"uuid REFERENCES t(c) ON DELETE CASCADE"``,
``"idx ON t USING gin (tags)"``, ``"(a, b)"``) with prose; these helpers split and
tokenise such text while respecting brackets and quotes, and spell identifiers the way
the contract keys them.  They know nothing about contracts or problems.
"""

from __future__ import annotations

import re
from typing import Any


_OPEN = {"(": ")", "[": "]", "<": ">"}
_CLOSE = {v: k for k, v in _OPEN.items()}


def _balanced(text: str) -> bool:
    stack: list[str] = []
    quote: str | None = None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in ("'", '"'):
            quote = ch
        elif ch in _OPEN:
            stack.append(ch)
        elif ch in _CLOSE:
            if not stack or stack.pop() != _CLOSE[ch]:
                return False
    return not stack and quote is None


def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside brackets and quotes; parts are stripped."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    cur: list[str] = []
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in ("'", '"'):
            quote = ch
        elif ch in "([<":
            depth += 1
        elif ch in ")]>" and depth:
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


def _tokens(text: str) -> list[str]:
    """Whitespace-separated tokens; brackets and quotes keep their content in one
    token (``enum[a, b]``, ``now()``, ``'a b'::text``).  A token that starts with
    ``(`` stays separate from the word before it (``t (c)`` -> ``t``, ``(c)``)."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    quote: str | None = None
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in ("'", '"'):
            quote = ch
            cur.append(ch)
        elif ch in "([":
            depth += 1
            cur.append(ch)
        elif ch in ")]":
            depth = max(0, depth - 1)
            cur.append(ch)
        elif ch.isspace() and depth == 0:
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


def _strip_quotes(s: str) -> str:
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in ("'", '"'):
        return s[1:-1]
    return s


def _unparen(s: str) -> str:
    s = s.strip()
    while s.startswith("(") and s.endswith(")") and _balanced(s[1:-1]):
        s = s[1:-1].strip()
    return s


def _column_list(raw: Any) -> list[str] | None:
    if isinstance(raw, str):
        cols = [_strip_quotes(c) for c in _split_top(_unparen(raw))]
        return cols if all(cols) else None
    if isinstance(raw, list) and raw and all(isinstance(c, str) and c.strip() for c in raw):
        return [c.strip() for c in raw]
    return None


_IDENT_RE = r'(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")'
_QNAME_RE = re.compile(rf"^{_IDENT_RE}(?:\.{_IDENT_RE})?$")


def _quote_ident(name: str) -> str:
    return name if re.fullmatch(_IDENT_RE, name) else '"' + name.replace('"', '""') + '"'


def _qualify(name: str, entry: dict[str, Any] | None, function: bool = False) -> str:
    """The contract key of an object: ``schema.name`` when the entry names its
    ``schema``; a name that is no SQL identifier is double-quoted.  For functions, a
    signature ``f(text, integer)`` is kept."""
    name = name.strip()
    head, paren, rest = name.partition("(") if function else (name, "", "")
    head = head.strip()
    qname = head if _QNAME_RE.match(head) else _quote_ident(head)
    schema = entry.get("schema") if isinstance(entry, dict) else None
    if isinstance(schema, str) and schema.strip() and not _QNAME_RE.match(head) or (
        isinstance(schema, str) and schema.strip() and "." not in head
    ):
        qname = f"{_quote_ident(schema.strip())}.{qname}"
    return qname + paren + rest
