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
"""

from __future__ import annotations

import re
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


class _Builder:
    def __init__(self, loader: _Loader):
        self.loader = loader
        self.lines: dict[DocPath, int] = {(): 1}

    def build(self, node: Any, path: DocPath) -> Any:
        if isinstance(node, MappingNode):
            self.loader.flatten_mapping(node)  # resolves ``<<`` merge keys
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise DocumentSyntaxError(key_node.start_mark.line + 1, "a mapping key must be a plain value")
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in out:
                    first = self.lines.get(path + (key,), line)
                    raise DocumentSyntaxError(line, f"duplicate key {key!r} (first given on line {first})")
                self.lines[path + (key,)] = line
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                self.lines[path + (i,)] = item.start_mark.line + 1
                items.append(self.build(item, path + (i,)))
            return items
        return self.loader.construct_object(node, deep=True)


def load_with_lines(text: str, *, json: bool = False) -> tuple[Any, dict[DocPath, int]]:
    """``(data, lines)``: the document as plain dicts/lists/scalars, and the 1-based line
    of every mapping key and sequence item, keyed by its path (the root is line 1).

    ``json=True`` first turns tabs into spaces: YAML forbids tab indentation, and in
    valid JSON a raw tab can only be whitespace between tokens (inside strings it must
    be escaped), so the replacement never changes a value.

    Raises :class:`DocumentSyntaxError` for malformed text.
    """
    if json:
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

