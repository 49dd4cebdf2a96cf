"""Write plain data as readable YAML: :func:`emit`.

Why not ``yaml.safe_dump``: a generated contract is meant to be read and edited by
people, and PyYAML either puts everything in one style or quotes SQL like
``'''medium''::memory_importance'``.  This small emitter keeps the key order it is
given, writes sections in block style, puts short leaf mappings and lists on one line
(``{type: uuid, nullable: false}``), quotes a string only when it would otherwise read
back as something else (for YAML 1.1 and 1.2 readers alike), and then uses double
quotes, which need no doubling of SQL's single quotes.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import yaml
from yaml.nodes import ScalarNode

__all__ = ["emit", "scalar"]

WIDTH = 110
_STR_TAG = "tag:yaml.org,2002:str"
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_CHARS = set(",[]{}")


@lru_cache(maxsize=8192)
def _resolves_to_str(text: str) -> bool:
    from .yamllines import _Loader

    for loader_cls in (yaml.SafeLoader, _Loader):
        loader = loader_cls("")
        try:
            if loader.resolve(ScalarNode, text, (True, False)) != _STR_TAG:
                return False
        finally:
            loader.dispose()
    return True


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or any(ch in text for ch in "\n\r\t"):
        return False
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(ch in _FLOW_CHARS for ch in text):
        return False
    if not text.isprintable():
        return False
    return _resolves_to_str(text)


def scalar(value: Any, flow: bool = False) -> str:
    """One scalar as YAML text (plain when that reads back unchanged, else double-quoted)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _plain_ok(text, flow):
        return text
    return json.dumps(text, ensure_ascii=False)


def _is_leaf(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _flowable(value: Any, depth: int = 0) -> bool:
    """Small enough in structure to sit on one line: scalars, and lists/mappings of those
    (one more level of lists allowed inside mappings)."""
    if _is_leaf(value):
        return not (isinstance(value, str) and "\n" in value)
    if depth > 1:
        return False
    items = value.values() if isinstance(value, dict) else value
    return all(_flowable(v, depth + 1) for v in items)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k, True)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value, True)


def _literal_ok(text: str) -> bool:
    lines = text.split("\n")
    return (
        len(lines) > 1
        and not text.endswith("\n")
        and not lines[0].startswith(" ")
        and all(line == line.rstrip() and line.isprintable() for line in lines)
        and all(line.strip() for line in lines)
    )


def _emit(value: Any, indent: int, out: list[str], prefix: str) -> None:
    """Append ``prefix`` + value; ``prefix`` is ``"key:"`` or ``"-"`` already indented."""
    pad = " " * indent
    if isinstance(value, str) and "\n" in value and _literal_ok(value):
        out.append(f"{prefix} |-")
        out.extend(f"{pad}  {line}" for line in value.split("\n"))
        return
    if _is_leaf(value):
        out.append(f"{prefix} {scalar(value)}")
        return
    if not value:
        out.append(f"{prefix} {'{}' if isinstance(value, dict) else '[]'}")
        return
    if _flowable(value):
        text = _flow(value)
        if len(prefix) + 1 + len(text) <= WIDTH:
            out.append(f"{prefix} {text}")
            return
    out.append(prefix)
    _block(value, indent + 2, out)


def _block(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            _emit(item, indent, out, f"{pad}{scalar(key)}:")
        return
    for item in value:
        fits = _flowable(item) and len(pad) + 2 + len(_flow(item)) <= WIDTH
        if isinstance(item, dict) and item and not fits:
            first = True
            for key, sub in item.items():
                lead = f"{pad}- " if first else f"{pad}  "
                _emit(sub, indent + 2, out, f"{lead}{scalar(key)}:")
                first = False
            continue
        _emit(item, indent, out, f"{pad}-")


def emit(data: dict[str, Any], header: str = "", blank_between: bool = True) -> str:
    """YAML text of a mapping; top-level keys separated by a blank line when their value
    spans several lines; ``header`` lines become ``#`` comments on top."""
    out: list[str] = [f"# {line}".rstrip() for line in header.splitlines()] if header else []
    for key, value in data.items():
        chunk: list[str] = []
        _emit(value, 0, chunk, f"{scalar(key)}:")
        if blank_between and out and (len(chunk) > 1 or (out and out[-1].startswith(" "))):
            out.append("")
        out.extend(chunk)
    return "\n".join(out) + "\n"


