"""Parse YAML (and JSON) into plain data *plus* the line of every key and list item.

Why: a contract error is only actionable when it names ``file:line``.  PyYAML's
``safe_load`` throws positions away, and ``json`` never had them, so this module
composes the YAML node tree (which keeps ``start_mark``) and builds the Python values
itself, recording ``path -> line`` on the way.  JSON is read by the same code (JSON is,
for practical purposes, a subset of YAML 1.2), so both formats report lines alike.

Two deliberate departures from ``yaml.safe_load``:

* YAML 1.2 booleans and no timestamps: ``yes``/``no``/``on``/``off`` and
  ``2025-01-01`` stay strings (a column called ``on`` or an enum label ``no`` must
  not turn into ``True``);
* mapping keys are always the key's text (``1: x`` gives the key ``"1"``), and a key
  given twice in one mapping is an error instead of silently keeping the last value.

Speed: composing a YAML node tree costs about 1 s for a 1.7 MB generated JSON contract,
so ``.json`` text is first read by a small JSON reader (:func:`_load_json`) that records
the same lines.  It gives up -- and the YAML path decides, values, lines and error
messages alike -- on anything where YAML could read the text differently: numbers with
an exponent (YAML 1.1 keeps ``1e5`` a string), characters YAML refuses or counts as line
breaks, surrogate ``\\u`` escapes, raw tabs in strings, a key whose ``:`` is on another
line or far away (YAML's simple-key limits), duplicate keys, any syntax error.
"""

from __future__ import annotations

import re
from json.decoder import scanstring as _scanstring
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

__all__ = ["DocumentSyntaxError", "DocPath", "load_with_lines", "line_of", "dotted"]

#: A location inside a document: keys (str) and list indexes (int) from the root.
DocPath = tuple[Any, ...]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class DocumentSyntaxError(ValueError):
    """The text is not well-formed YAML/JSON; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


#: libyaml's parser when PyYAML was built with it (about 10x faster), else the pure-Python one.
_BASE = getattr(yaml, "CSafeLoader", None) if getattr(yaml, "__with_libyaml__", False) else None


class _Loader(_BASE or yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader with YAML 1.2 core-schema booleans and no implicit timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


_STR_TAG = "tag:yaml.org,2002:str"


class _Builder:
    def __init__(self, loader: _Loader):
        self.loader = loader
        self.lines: dict[DocPath, int] = {(): 1}

    def build(self, node: Any, path: DocPath) -> Any:
        if isinstance(node, ScalarNode):
            if node.tag == _STR_TAG:  # what ``construct_yaml_str`` returns, minus its bookkeeping
                return node.value
            return self.loader.construct_object(node, deep=True)
        lines, build = self.lines, self.build
        if isinstance(node, MappingNode):
            self.loader.flatten_mapping(node)  # resolves ``<<`` merge keys (and retags ``=`` keys as str)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise DocumentSyntaxError(key_node.start_mark.line + 1, "a mapping key must be a plain value")
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                sub = path + (key,)
                if key in out:
                    first = lines.get(sub, line)
                    raise DocumentSyntaxError(line, f"duplicate key {key!r} (first given on line {first})")
                lines[sub] = line
                out[key] = build(value_node, sub)
            return out
        if isinstance(node, SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                sub = path + (i,)
                lines[sub] = item.start_mark.line + 1
                items.append(build(item, sub))
            return items
        return self.loader.construct_object(node, deep=True)


# -- the JSON fast path -------------------------------------------------------------------------
class _NotPlainJSON(Exception):
    """The text is not JSON the fast reader can vouch for; the YAML path reads it."""


#: Characters outside what YAML reads as printable, plus line breaks other than LF
#: (CR, NEL, LS, PS: YAML counts lines by them) and U+FEFF.  Any of them: YAML path.
_YAML_SPECIAL = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
#: ``\uD800``-``\uDFFF`` escapes: libyaml refuses surrogate escapes that JSON pairs up.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_WS = re.compile(r"[ \t\n]*")
#: A key without escapes, its ``:`` close by on the same line, and the blanks after it:
#: the common case in one match.  Other keys go through ``scanstring`` and explicit checks.
_PLAIN_KEY = re.compile(r'"([^"\\\x00-\x1f]{0,200})"[ \t]{0,20}:[ \t\n]*')
#: What follows a member: ``,`` or the closing bracket, with the blanks around it.
_AFTER = re.compile(r"[ \t\n]*([,}\]])[ \t\n]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE])?")
#: libyaml forgets a possible simple key after 1024 characters (``:`` far from its key);
#: 250 characters stay below that even if the count were in UTF-8 bytes.
_MAX_KEY_SPAN = 250
_WORDS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}


def _load_json(text: str) -> tuple[Any, dict[DocPath, int]] | None:
    """``(data, lines)`` exactly as the YAML path gives them for this JSON text, or None
    when the text is not plain JSON or YAML might read it differently (module docs)."""
    if _YAML_SPECIAL.search(text) or _SURROGATE_ESCAPE.search(text):
        return None
    lines: dict[DocPath, int] = {(): 1}
    count, ws, after, plain_key, scanstring = text.count, _WS.match, _AFTER.match, _PLAIN_KEY.match, _scanstring
    at, line = 0, 1  # a position and its line: positions only grow, so each newline is counted once

    def value(pos: int, path: DocPath) -> tuple[Any, int]:
        """The value starting at ``pos`` and the position after it."""
        ch = text[pos]
        if ch == '"':
            return scanstring(text, pos + 1, True)
        if ch == "{":
            return mapping(pos, path)
        if ch == "[":
            return sequence(pos, path)
        if ch in _WORDS:
            word, constant = _WORDS[ch]
            if not text.startswith(word, pos):
                raise _NotPlainJSON
            return constant, pos + len(word)
        m = _NUMBER.match(text, pos)
        if m is None or m[2]:  # an exponent: YAML 1.1 may keep it a string
            raise _NotPlainJSON
        return (float(m[0]) if m[1] else int(m[0])), m.end()

    def odd_key(pos: int) -> tuple[str, int]:
        """A key with escapes or odd spacing at ``pos``, and where its value starts."""
        if text[pos] != '"':
            raise _NotPlainJSON
        key, colon = scanstring(text, pos + 1, True)
        colon = ws(text, colon).end()
        if text[colon] != ":" or colon - pos > _MAX_KEY_SPAN or count("\n", pos, colon):
            raise _NotPlainJSON
        return key, ws(text, colon + 1).end()

    def mapping(pos: int, path: DocPath) -> tuple[dict[str, Any], int]:
        nonlocal at, line
        out: dict[str, Any] = {}
        pos = ws(text, pos + 1).end()
        if text[pos] == "}":
            return out, pos + 1
        while True:
            line += count("\n", at, pos)
            at = pos
            m = plain_key(text, pos)
            key, pos = (m[1], m.end()) if m is not None else odd_key(pos)
            if key in out:
                raise _NotPlainJSON  # the YAML path names both lines
            sub = path + (key,)
            lines[sub] = line
            if text[pos] == '"':
                out[key], pos = scanstring(text, pos + 1, True)
            else:
                out[key], pos = value(pos, sub)
            m = after(text, pos)
            if m is None or m[1] == "]":
                raise _NotPlainJSON
            if m[1] == "}":
                return out, m.end()
            pos = m.end()

    def sequence(pos: int, path: DocPath) -> tuple[list[Any], int]:
        nonlocal at, line
        out: list[Any] = []
        pos = ws(text, pos + 1).end()
        if text[pos] == "]":
            return out, pos + 1
        while True:
            line += count("\n", at, pos)
            at = pos
            sub = path + (len(out),)
            lines[sub] = line
            if text[pos] == '"':
                item, pos = scanstring(text, pos + 1, True)
            else:
                item, pos = value(pos, sub)
            out.append(item)
            m = after(text, pos)
            if m is None or m[1] == "}":
                raise _NotPlainJSON
            if m[1] == "]":
                return out, m.end()
            pos = m.end()

    try:
        data, end = value(ws(text).end(), ())
    except (_NotPlainJSON, ValueError, IndexError, RecursionError):  # ValueError: JSONDecodeError
        return None
    if ws(text, end).end() != len(text):
        return None
    return data, lines


def load_with_lines(text: str, *, json: bool = False) -> tuple[Any, dict[DocPath, int]]:
    """``(data, lines)``: the document as plain dicts/lists/scalars, and the 1-based line
    of every mapping key and sequence item, keyed by its path (the root is line 1).

    ``json=True``: plain JSON is read by :func:`_load_json` (same result, several times
    faster); other text first has its tabs turned into spaces: YAML forbids tab
    indentation, and in valid JSON a raw tab can only be whitespace between tokens
    (inside strings it must be escaped), so the replacement never changes a value.

    Raises :class:`DocumentSyntaxError` for malformed text.
    """
    if json:
        fast = _load_json(text)
        if fast is not None:
            return fast
        text = text.replace("\t", " ")
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = exc.problem or str(exc)
            if exc.context:
                problem = f"{problem} ({exc.context})"
            raise DocumentSyntaxError(line, problem) from None
        except yaml.YAMLError as exc:
            raise DocumentSyntaxError(1, str(exc)) from None
        if node is None:
            return None, {(): 1}
        builder = _Builder(loader)
        try:
            data = builder.build(node, ())
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise DocumentSyntaxError(mark.line + 1 if mark else 1, exc.problem or str(exc)) from None
        return data, builder.lines
    finally:
        loader.dispose()


def line_of(lines: dict[DocPath, int], path: DocPath) -> int:
    """Line of ``path``, or of its nearest ancestor that has one."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), 1)


def dotted(path: DocPath) -> str:
    """``("tables", "t", "foreign_keys", 0, "columns")`` -> ``tables.t.foreign_keys[0].columns``.

    Keys with blanks or quotes (policy names) are double-quoted; dots in keys are kept
    as they are (``tables.public.users``) because that reads best for qualified names.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = str(part)
        if not text or re.search(r"[\s\"'\[\]]", text):
            text = '"' + text.replace('"', '\\"') + '"'
        out += ("." if out else "") + text
    return out or "(document)"

