"""How contracts spell names, references, function signatures, arguments and returns.

Why a module of its own: the same spellings are read by the loader's semantic checks,
the entry builder, the documentation importer and every function/table check, so the
small grammars and their parsers live in one place that imports nothing else from the
loader (no cycles), with memos because the same texts come back again and again.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .model import qualify
from .types import TypeSpellingError, parse_type, split_top_level, unquoted


# -- small grammars shared with the checker ----------------------------------------------
_IDENT = r'(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")'
_QNAME = rf"{_IDENT}(?:\s*\.\s*{_IDENT})?"
_REFERENCE = re.compile(rf"^\s*(?P<table>{_QNAME})\s*(?:\((?P<cols>[^()]*)\))?\s*$")
_SIGNATURE = re.compile(rf"^\s*(?P<name>{_QNAME})\s*(?:\((?P<args>.*)\))?\s*$", re.S)
_IDENT_RX = re.compile(_IDENT)
_WHOLE_IDENT = re.compile(rf"^{_IDENT}$")
_WHOLE_QNAME = re.compile(rf"^{_QNAME}$")
_TRIGGER_FUNCTION = re.compile(rf"^{_QNAME}\s*(?:\(\s*\))?$")
_DEFAULT_WORD = re.compile(r"\s+default\s+", re.I)
_MODES = ("inout", "in", "out", "variadic")
#: Bound of the memo of :func:`parse_signature` and :func:`parse_argument`: the same
#: spellings come back in the loader's checks, the importer and every contract check.
_MEMO_SIZE = 4096


def _ident(text: str) -> str:
    text = text.strip()
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('""', '"')
    return text


def _qualified(text: str) -> str:
    parts = _IDENT_RX.findall(text)
    return ".".join(_ident(p) for p in parts)


def parse_reference(text: str, default_schema: str = "public") -> tuple[str, tuple[str, ...]]:
    """``"cycles(cycle_id)"`` -> ``("public.cycles", ("cycle_id",))``; columns may be left out."""
    m = _REFERENCE.match(text or "")
    if m is None:
        raise ValueError(f"bad reference {text!r}: expected table(column, ...)")
    cols = tuple(_ident(c) for c in m["cols"].split(",")) if m["cols"] is not None else ()
    if m["cols"] is not None and (not cols or any(not c for c in cols)):
        raise ValueError(f"bad reference {text!r}: empty column list")
    return qualify(_qualified(m["table"]), default_schema), cols


def parse_signature(text: str, default_schema: str = "public") -> tuple[str, tuple[str, ...] | None]:
    """``"f(text, integer)"`` -> ``("public.f", ("text", "integer"))``; a bare name gives
    ``(qualified, None)`` (= every overload).  Argument types are checked to parse."""
    if isinstance(text, str) and isinstance(default_schema, str):
        return _memo_signature(text, default_schema)
    return _parse_signature(text, default_schema)


@lru_cache(maxsize=_MEMO_SIZE)
def _memo_signature(text: str, default_schema: str) -> tuple[str, tuple[str, ...] | None]:
    return _parse_signature(text, default_schema)


def _parse_signature(text: str, default_schema: str) -> tuple[str, tuple[str, ...] | None]:
    m = _SIGNATURE.match(text or "")
    if m is None:
        raise ValueError(f"bad function name or signature {text!r}: expected name or name(type, ...)")
    name = qualify(_qualified(m["name"]), default_schema)
    if m["args"] is None:
        return name, None
    if not m["args"].strip():
        return name, ()
    types = []
    for part in split_top_level(m["args"]):
        types.append(parse_argument(part)["type"])
    return name, tuple(types)


def _split_default(text: str) -> tuple[str, str | None]:
    """``"p integer DEFAULT 10"`` -> ``("p integer", "10")`` (also ``= 10``), outside quotes/parens."""
    for i, ch, depth in unquoted(text):
        if depth or ch in "()":
            continue
        if ch == "=":
            if text[i - 1 : i] != "=" and text[i + 1 : i + 2] != "=":
                return text[:i].strip(), text[i + 1 :].strip()
        elif ch.isspace():  # ``\s+default\s+`` can only start at a blank
            m = _DEFAULT_WORD.match(text, i)
            if m:
                return text[:i].strip(), text[m.end() :].strip()
    return text.strip(), None


def parse_argument(text: str) -> dict[str, Any]:
    """``"[mode] [name] type [DEFAULT expr]"`` -> ``{"mode", "name", "type", "default"}``.

    The type is validated with :func:`~.types.parse_type`; when the whole text after the
    mode does not parse as a type, its first word is taken as the argument name.
    Each call returns a new dict (callers add keys to it).
    """
    if isinstance(text, str):
        return dict(_memo_argument(text))
    return _parse_argument(text)


@lru_cache(maxsize=_MEMO_SIZE)
def _memo_argument(text: str) -> tuple[tuple[str, Any], ...]:
    return tuple(_parse_argument(text).items())


def _parse_argument(text: Any) -> dict[str, Any]:
    body, default = _split_default(" ".join(str(text).split()))
    if default == "":
        raise ValueError(f"bad argument {text!r}: DEFAULT without an expression")
    mode = None
    first, _, rest = body.partition(" ")
    if first.lower() in _MODES and rest:
        mode, body = first.lower(), rest
    try:
        parse_type(body)
        name, typ = None, body
    except TypeSpellingError as whole:
        first, _, rest = body.partition(" ")
        if not rest or not _WHOLE_IDENT.match(first):
            raise ValueError(str(whole)) from None
        try:
            parse_type(rest)
        except TypeSpellingError as exc:
            raise ValueError(str(exc)) from None
        name, typ = _ident(first), rest
    return {"mode": mode, "name": name, "type": typ, "default": default}


def parse_returns(text: str) -> tuple[str, Any]:
    """``"TABLE(a uuid, b text)"`` -> ``("table", [(name, type), ...])``; ``"SETOF x"`` ->
    ``("setof", "x")``; otherwise ``("type", text)``.  Types are checked to parse."""
    clean = " ".join(str(text).split())
    m = re.match(r"^table\s*\((?P<cols>.*)\)$", clean, re.I | re.S)
    if m:
        cols = []
        for part in split_top_level(m["cols"]):
            arg = parse_argument(part)
            if arg["name"] is None or arg["mode"] or arg["default"] is not None:
                raise ValueError(f"bad returns {clean!r}: each TABLE column is 'name type'")
            cols.append((arg["name"], arg["type"]))
        if not cols:
            raise ValueError(f"bad returns {clean!r}: TABLE() needs columns")
        return "table", cols
    m = re.match(r"^setof\s+(?P<type>.+)$", clean, re.I)
    if m:
        parse_type(m["type"])
        return "setof", m["type"]
    parse_type(clean)
    return "type", clean
