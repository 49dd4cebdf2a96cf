"""Documented type spellings -> :class:`TypeSpec`, and whether a found type matches one.

Why its own module: a contract says ``string(64)``, ``enum[memory_type]``,
``array<string>`` or ``timestamp`` while the catalog says ``character varying(64)``,
``public.memory_type``, ``text[]`` and ``timestamp without time zone``.  The mapping
between the two is the heart of "does the database match the documentation", and it
must be one table that the loader (is the spelling valid?), the checker (does it match?)
and the messages (how to print it) all share.

Rules (README "Type spellings"):

* Postgres spellings are accepted as written, case-insensitively, with any amount of
  whitespace; ``int4``/``varchar``/``timestamptz``-style aliases map to the names
  ``format_type`` prints.  A built-in spelled without a modifier matches only the type
  without one (``varchar`` is unbounded ``character varying``), except ``numeric``.
* Shorthands: ``string`` (text or unbounded varchar), ``string(n)``, ``float`` (real or
  double precision), ``timestamp`` (without time zone, or either when the option
  ``timestamp_accepts_timestamptz`` is on), ``enum[name]``, ``enum[a, b, c]`` (labels in
  order), ``array<x>``.
* Other names are user or extension types (enums, domains, ``vector`` ...): the schema
  may be left out when the type lives in the default schema, ``extensions`` or
  ``pg_catalog``; spelled without a modifier they match any (``vector`` = any dimension).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

__all__ = [
    "TypeSpec",
    "TypeSpellingError",
    "describe",
    "matches",
    "parse_type",
    "short_type",
    "split_top_level",
]


class TypeSpellingError(ValueError):
    """A documented type cannot be parsed (``enum[foo``, ``array<``, empty)."""


@dataclass(frozen=True)
class TypeSpec:
    """A parsed type spelling.

    ``kind``: ``builtin`` (``name`` is the ``format_type`` spelling without modifiers),
    ``named`` (user/extension type, ``schema`` optional), ``family`` (``string``,
    ``float``, ``timestamp``), ``enum`` (by ``name`` or by ``labels``) or ``array``
    (``element``).  ``mods`` are the type modifiers (``("64",)``), None when not given.
    ``text`` is the spelling as documented (whitespace collapsed), used in messages.
    """

    kind: str
    name: str = ""
    schema: str | None = None
    mods: tuple[str, ...] | None = None
    element: "TypeSpec | None" = None
    labels: tuple[str, ...] | None = None
    text: str = ""


# alias -> format_type name (modifiers go separately)
_BUILTIN = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "serial": "integer",
    "serial4": "integer",
    "int8": "bigint",
    "bigint": "bigint",
    "bigserial": "bigint",
    "serial8": "bigint",
    "int2": "smallint",
    "smallint": "smallint",
    "smallserial": "smallint",
    "serial2": "smallint",
    "bool": "boolean",
    "boolean": "boolean",
    "float4": "real",
    "real": "real",
    "float8": "double precision",
    "double": "double precision",
    "double precision": "double precision",
    "numeric": "numeric",
    "decimal": "numeric",
    "varchar": "character varying",
    "character varying": "character varying",
    "char varying": "character varying",
    "char": "character",
    "character": "character",
    "bpchar": "bpchar",
    "timestamptz": "timestamp with time zone",
    "timestamp with time zone": "timestamp with time zone",
    "timestamp without time zone": "timestamp without time zone",
    "time": "time without time zone",
    "time without time zone": "time without time zone",
    "timetz": "time with time zone",
    "time with time zone": "time with time zone",
    "bit": "bit",
    "varbit": "bit varying",
    "bit varying": "bit varying",
    "text": "text",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "jsonb",
    "date": "date",
    "bytea": "bytea",
    "inet": "inet",
    "cidr": "cidr",
    "macaddr": "macaddr",
    "money": "money",
    "xml": "xml",
    "interval": "interval",
    "tsvector": "tsvector",
    "tsquery": "tsquery",
    "oid": "oid",
}
_INTERVAL_FIELDS = {"year", "month", "day", "hour", "minute", "second", "to"}
#: Built-ins whose bare spelling matches any modifier.
_ANY_MODS = {"numeric"}
#: Schemas an unqualified user-type name may live in (besides the default schema).
_IMPLICIT_SCHEMAS = ("pg_catalog", "extensions")

_IDENT = r'(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")'
_QNAME = re.compile(rf"^{_IDENT}(?:\s*\.\s*{_IDENT})?$")
_WORDS = re.compile(r"^[A-Za-z_][\w$]*(?:\s+[A-Za-z_][\w$]*)*$")
_MODS = re.compile(r"^\s*[+-]?\w+\s*(?:,\s*[+-]?\w+\s*)*$")


def unquoted(text: str, opening: str = "(", closing: str = ")") -> Iterator[tuple[int, str, int]]:
    """``(index, char, depth)`` for every character of ``text`` outside ``'...'`` and ``"..."``
    quotes; ``depth`` counts the brackets open after this character.  The one scanner behind
    every "at the top level" question asked of SQL-ish text here."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
            continue
        if ch in opening:
            depth += 1
        elif ch in closing:
            depth -= 1
        yield i, ch, depth


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside quotes and brackets (``()``, ``[]``, ``<>``)."""
    cuts = [i for i, ch, depth in unquoted(text, "([<", ")]>") if ch == sep and depth == 0]
    bounds = [-1, *cuts, len(text)]
    return [text[a + 1 : b] for a, b in zip(bounds, bounds[1:])]


def _unquote_ident(text: str) -> str:
    text = text.strip()
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return text[1:-1].replace('""', '"')
    return text.lower()


def _split_qualified(text: str) -> tuple[str | None, str]:
    parts = re.findall(_IDENT, text)
    if len(parts) == 2:
        return _unquote_ident(parts[0]), _unquote_ident(parts[1])
    return None, _unquote_ident(parts[0])


def _balanced(text: str) -> bool:
    depth = {"(": 0, "[": 0, "<": 0}
    close = {")": "(", "]": "[", ">": "<"}
    quote = ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in depth:
            depth[ch] += 1
        elif ch in close:
            depth[close[ch]] -= 1
            if depth[close[ch]] < 0:
                return False
    return not quote and all(v == 0 for v in depth.values())


def _enum(inner: str, text: str) -> TypeSpec:
    items = [i.strip() for i in split_top_level(inner)]
    if not items or any(not i for i in items):
        raise TypeSpellingError(f"unknown type spelling {text!r}: enum[...] needs a type name or labels")
    if len(items) == 1:
        if not _QNAME.match(items[0]):
            raise TypeSpellingError(f"unknown type spelling {text!r}: {items[0]!r} is not a type name")
        schema, name = _split_qualified(items[0])
        return TypeSpec("enum", name=name, schema=schema, text=text)
    labels = []
    for item in items:
        if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
            labels.append(item[1:-1])
        elif re.match(r"^[^\s'\"\[\]]+(?:\s+[^\s'\"\[\]]+)*$", item):
            labels.append(item)
        else:
            raise TypeSpellingError(f"unknown type spelling {text!r}: bad enum label {item!r}")
    return TypeSpec("enum", labels=tuple(labels), text=text)


def _base(body: str, text: str) -> TypeSpec:
    """A type without array decoration: ``words [ (mods) ] [words]`` or ``schema.name[(mods)]``."""
    m = re.match(r"^(?P<head>[^()]*?)\s*(?:\((?P<mods>[^()]*)\))?\s*(?P<tail>[^()]*)$", body)
    if m is None:
        raise TypeSpellingError(f"unknown type spelling {text!r}")
    head, mods_text, tail = m["head"].strip(), m["mods"], m["tail"].strip()
    if mods_text is None:
        head, tail = body.strip(), ""
    mods = None
    if mods_text is not None:
        if not _MODS.match(mods_text):
            raise TypeSpellingError(f"unknown type spelling {text!r}: bad modifier ({mods_text})")
        mods = tuple(x.strip().lower() for x in mods_text.split(","))
    if not head:
        raise TypeSpellingError(f"unknown type spelling {text!r}")
    # schema-qualified or quoted names are user types (or pg_catalog.x built-ins)
    if "." in head or '"' in head:
        if tail or not _QNAME.match(head):
            raise TypeSpellingError(f"unknown type spelling {text!r}")
        schema, name = _split_qualified(head)
        if schema == "pg_catalog" and '"' not in head and name in _BUILTIN:
            return _builtin(_BUILTIN[name], mods, text)
        return TypeSpec("named", name=name, schema=schema, mods=mods, text=text)
    if not _WORDS.match(head) or (tail and not _WORDS.match(tail)):
        raise TypeSpellingError(f"unknown type spelling {text!r}")
    words = " ".join(head.lower().split())
    tail = " ".join(tail.lower().split())
    full = f"{words} {tail}".strip()
    first = words.split()[0]
    if first == "interval" and set(full.split()[1:]) <= _INTERVAL_FIELDS:
        return _builtin(full, mods, text)
    if full == "string":
        return TypeSpec("family", name="string", text=text) if mods is None else _builtin("character varying", mods, text)
    if full == "float":
        if mods is None:
            return TypeSpec("family", name="float", text=text)
        try:
            precision = int(mods[0])
        except ValueError:
            raise TypeSpellingError(f"unknown type spelling {text!r}: float(p) needs a number") from None
        return _builtin("real" if precision <= 24 else "double precision", None, text)
    if full == "timestamp":
        return TypeSpec("family", name="timestamp", mods=mods, text=text)
    if full in _BUILTIN:
        return _builtin(_BUILTIN[full], mods, text)
    if " " in full:
        raise TypeSpellingError(f"unknown type spelling {text!r}")
    return TypeSpec("named", name=full, mods=mods, text=text)


def _builtin(name: str, mods: tuple[str, ...] | None, text: str) -> TypeSpec:
    if name == "character" and mods is None:
        mods = ("1",)  # ``char`` is character(1)
    if name == "bit" and mods is None:
        mods = ("1",)
    return TypeSpec("builtin", name=name, mods=mods, text=text)


@lru_cache(maxsize=4096)
def parse_type(text: str) -> TypeSpec:
    """Parse a documented (or ``format_type``) spelling; raises :class:`TypeSpellingError`."""
    if not isinstance(text, str):
        raise TypeSpellingError(f"unknown type spelling {text!r}: a type is a string")
    clean = " ".join(text.split())
    if not clean:
        raise TypeSpellingError("unknown type spelling '': empty")
    if not _balanced(clean):
        raise TypeSpellingError(f"unknown type spelling {clean!r}")
    low = clean.lower()
    if low.startswith("setof "):
        raise TypeSpellingError(f"unknown type spelling {clean!r}: SETOF is only for function results")
    m = re.match(r"^array\s*<(?P<inner>.*)>$", clean, re.I)
    if m:
        if not m["inner"].strip():
            raise TypeSpellingError(f"unknown type spelling {clean!r}: array<...> needs an element type")
        return TypeSpec("array", element=_reparse(m["inner"], clean), text=clean)
    m = re.match(r"^enum\s*\[(?P<inner>.*)\]$", clean, re.I)
    if m:
        return _enum(m["inner"], clean)
    m = re.match(r"^(?P<inner>.*?)\s*((?:\[\s*\d*\s*\])+)$", clean)
    if m and m["inner"]:
        return TypeSpec("array", element=_reparse(m["inner"], clean), text=clean)
    m = re.match(r"^(?P<inner>.*?)\s+array(?:\s*\[\s*\d*\s*\])?$", clean, re.I)
    if m and m["inner"]:
        return TypeSpec("array", element=_reparse(m["inner"], clean), text=clean)
    if re.search(r"[<>\[\]]", clean):
        raise TypeSpellingError(f"unknown type spelling {clean!r}")
    return _base(clean, clean)


def _reparse(inner: str, text: str) -> TypeSpec:
    try:
        element = parse_type(inner)
    except TypeSpellingError as exc:
        raise TypeSpellingError(f"unknown type spelling {text!r}: {exc}") from None
    # Postgres has no nested array types: array<array<x>> is an array of x
    return element.element if element.kind == "array" and element.element is not None else element


def describe(spec: TypeSpec) -> str:
    """The spelling as documented, for messages (``vector(1536)``, ``enum[memory_type]``)."""
    return spec.text or spec.name


_QUALIFIER = re.compile(r'(?<![\w$."])(?:"[^"]+"|[A-Za-z_][\w$]*)\.(?=[A-Za-z_"])')


def short_type(found: str, default_schema: str = "public") -> str:
    """A ``format_type`` spelling without the qualification of the default schema,
    ``extensions`` and ``pg_catalog``: ``extensions.vector(1536)`` -> ``vector(1536)``,
    ``public.memory_type[]`` -> ``memory_type[]``, ``auth.x`` stays ``auth.x``."""
    drop = {default_schema, "extensions", "pg_catalog"}

    def repl(m: re.Match) -> str:
        return "" if _unquote_ident(m[0][:-1]) in drop else m[0]

    return _QUALIFIER.sub(repl, found)


def _found_text(found: Any) -> str:
    if isinstance(found, str):
        return found
    return str(getattr(found, "type"))


def _schema_ok(spec_schema: str | None, found_schema: str | None, default_schema: str) -> bool:
    found_schema = found_schema or "pg_catalog"
    if spec_schema is not None:
        return spec_schema == found_schema
    return found_schema in (default_schema, *_IMPLICIT_SCHEMAS)


def _is_enum(fspec: TypeSpec, found: Any, catalog: Any) -> Any:
    """The catalog's Enum for a found named type, True when unknown but plausible, else None."""
    if catalog is not None:
        return catalog.get("enum", f"{fspec.schema or 'pg_catalog'}.{fspec.name}")
    kind = getattr(found, "type_kind", None)
    return True if kind in (None, "enum") else None


def _match(spec: TypeSpec, fspec: TypeSpec, found: Any, options: Any, catalog: Any, loose: bool = False) -> bool:
    """``loose``: modifiers are not compared (function argument/result types have none)."""
    default_schema = getattr(options, "default_schema", "public")
    if spec.kind == "array":
        if fspec.kind != "array":
            return False
        elem = getattr(found, "element_type", None) if not isinstance(found, str) else None
        return _match(spec.element, fspec.element, elem or fspec.element.text, options, catalog, loose)  # type: ignore[arg-type]
    if fspec.kind == "array":
        return False
    if spec.kind == "family":
        if fspec.kind != "builtin":
            return False
        if spec.name == "string":
            return fspec.mods is None and fspec.name in ("text", "character varying")
        if spec.name == "float":
            return fspec.name in ("real", "double precision")
        allowed = ["timestamp without time zone"]
        if getattr(options, "timestamp_accepts_timestamptz", False):
            allowed.append("timestamp with time zone")
        return fspec.name in allowed and (loose or fspec.mods == spec.mods)
    if spec.kind == "builtin":
        if fspec.kind != "builtin" or fspec.name != spec.name:
            return False
        return loose or (spec.mods is None and spec.name in _ANY_MODS) or spec.mods == fspec.mods
    if spec.kind == "enum":
        if fspec.kind != "named":
            return False
        enum = _is_enum(fspec, found, catalog)
        if spec.labels is not None:
            return enum is not None and enum is not True and tuple(enum.labels) == spec.labels
        return bool(enum) and spec.name == fspec.name and _schema_ok(spec.schema, fspec.schema, default_schema)
    # named: a user/extension type, or a built-in missing from the alias table
    if fspec.kind == "builtin":
        return spec.schema in (None, "pg_catalog") and spec.name == fspec.name and (loose or spec.mods in (None, fspec.mods))
    if fspec.kind != "named" or spec.name != fspec.name:
        return False
    if not _schema_ok(spec.schema, fspec.schema, default_schema):
        return False
    return loose or spec.mods is None or spec.mods == fspec.mods


def matches(
    spec: TypeSpec | str, found: Any, options: Any = None, catalog: Any = None, *, ignore_modifiers: bool = False
) -> bool:
    """Does the found type satisfy the documented one?

    ``found``: a catalog ``Column`` or ``Argument`` (anything with ``.type``) or a
    ``format_type`` string.  ``options``: the contract's options (``default_schema``,
    ``timestamp_accepts_timestamptz``); ``catalog``: needed for ``enum[...]`` (to know a
    type is an enum and read its labels).  ``ignore_modifiers``: for function arguments
    and results, whose types PostgreSQL stores without modifiers (a ``vector(1536)``
    argument is a ``vector``), so a documented modifier cannot be checked.
    """
    if isinstance(spec, str):
        spec = parse_type(spec)
    text = _found_text(found)
    try:
        fspec = parse_type(text)
    except TypeSpellingError:
        return " ".join(text.lower().split()) == " ".join(spec.text.lower().split())
    return _match(spec, fspec, found, options, catalog, ignore_modifiers)
