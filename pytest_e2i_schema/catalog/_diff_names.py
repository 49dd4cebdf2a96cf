"""How catalog objects are named in reports, and how a key given by a user matches a catalog key.

Why apart from the diff engine: both the engine (:attr:`~.diff.ObjectChange.label`,
:meth:`~.diff.CatalogDiff.touches`) and the rendering (:mod:`._diff_render`) need these
names, and they are plain string work on catalog keys (``public.memories``,
``public.f(a integer)``, ``public.memories.own rows``) with no knowledge of diffs.

Names in ``public`` are shown unqualified; other schemas are kept; odd names are quoted.
Function signatures are shown by argument types only, at most three of them.
"""

from __future__ import annotations

import re
from typing import Any

_SIMPLE_IDENT = re.compile(r"[a-z_][a-z0-9_$]*")
_QUALIFIER = re.compile(r'^(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\.(?=\S)')


def _ident(name: str) -> str:
    return name if _SIMPLE_IDENT.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def display_name(qualified: str) -> str:
    """``public.memories`` -> ``memories``; ``auth.users`` stays; odd names are quoted."""
    schema, dot, name = qualified.partition(".")
    if not dot:
        return _ident(qualified)
    return _ident(name) if schema == "public" else f"{_ident(schema)}.{_ident(name)}"


def _short_type(t: Any) -> Any:
    """``public.memory_type[]`` -> ``memory_type[]``: field values drop only ``public.``
    (signatures drop every schema, see :func:`_arg_type`)."""
    if not isinstance(t, str):
        return t
    return t[len("public."):] if t.startswith("public.") else t


def _split_args(text: str) -> list[str]:
    parts, depth, quote, cur = [], 0, False, []
    for ch in text:
        if ch == '"':
            quote = not quote
        elif not quote and ch in "([":
            depth += 1
        elif not quote and ch in ")]":
            depth -= 1
        elif not quote and depth == 0 and ch == ",":
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


_ARG_MODES = ("IN ", "OUT ", "INOUT ", "VARIADIC ")
_TYPE_STARTS = re.compile(r"^(double precision|character varying|bit varying|timestamp|time|interval|character|bit)\b")


def _arg_type(arg: str) -> str:
    for mode in _ARG_MODES:
        if arg.startswith(mode):
            arg = arg[len(mode):]
            break
    if not _TYPE_STARTS.match(arg):
        if arg.startswith('"'):
            end = arg.find('"', 1)
            while end != -1 and arg[end + 1 : end + 2] == '"':
                end = arg.find('"', end + 2)
            rest = arg[end + 1 :].strip() if end != -1 else ""
        else:
            head, _, rest = arg.partition(" ")
            rest = rest.strip()
        if rest:
            arg = rest
    return _QUALIFIER.sub("", arg)


def _function_label(key: str) -> str:
    name, paren, args = key.partition("(")
    if not paren:
        return display_name(key)
    types = [_arg_type(a) for a in _split_args(args[:-1] if args.endswith(")") else args)]
    shown = types if len(types) <= 3 else types[:3] + ["..."]
    return f"{display_name(name)}({', '.join(shown)})"


def _child_name(key: str, data: dict[str, Any]) -> tuple[str, str, str]:
    """(schema, table, name) of a trigger/policy key ``schema.table.name``."""
    schema, _, rest = key.partition(".")
    table = data.get("table")
    if isinstance(table, str) and rest.startswith(table + "."):
        return schema, table, rest[len(table) + 1 :]
    table, _, name = rest.partition(".")
    return schema, table, name


def _parent(kind: str, key: str, data: dict[str, Any]) -> str | None:
    if kind == "index":
        table = data.get("table")
        return f"{key.partition('.')[0]}.{table}" if table else None
    if kind in ("trigger", "policy"):
        schema, table, _ = _child_name(key, data)
        return f"{schema}.{table}"
    return None


def object_label(kind: str, key: str, data: dict[str, Any] | None = None) -> str:
    """How an object is named in reports: kind word + display name (+ ``on table``)."""
    data = data or {}
    if kind == "function":
        word = data.get("kind") if data.get("kind") in ("procedure", "aggregate") else "function"
        return f"{word} {_function_label(key)}"
    if kind in ("trigger", "policy"):
        schema, table, name = _child_name(key, data)
        return f"{kind} {_ident(name)} on {display_name(f'{schema}.{table}')}"
    if kind == "index":
        schema = key.partition(".")[0]
        table = data.get("table")
        on = f" on {display_name(f'{schema}.{table}')}" if table else ""
        return f"index {display_name(key)}{on}"
    if kind == "view" and data.get("kind") == "materialized":
        return f"materialized view {display_name(key)}"
    if kind in ("schema", "extension"):
        return f"{kind} {_ident(key)}"
    return f"{kind} {display_name(key)}"


def _signature_types(key: str) -> tuple[str, tuple[str, ...]] | None:
    name, paren, args = key.partition("(")
    if not paren or not args.endswith(")"):
        return None
    return name, tuple(_arg_type(a).lower() for a in _split_args(args[:-1]))


def _qualify_key(kind: str, key: str) -> str:
    if kind in ("schema", "extension"):
        return key
    head = key.split("(", 1)[0]
    return key if "." in head else f"public.{key}"


def _key_matches(kind: str, actual: str, wanted: str) -> bool:
    if actual == wanted:
        return True
    if kind != "function":
        return False
    if "(" not in wanted:
        return actual.startswith(wanted + "(")
    a, w = _signature_types(actual), _signature_types(wanted)
    return a is not None and a == w
