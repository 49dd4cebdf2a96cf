"""Type spellings: a documented type (``UUID``, ``string(64)``, ``enum[a, b]``,
``text[]``, ``int64``...) into the contract's spelling, or a reason it cannot be.

Documentation shorthands of the contract format are kept as written, Postgres spellings
are normalised, and spellings from other languages are refused with a suggestion.  What
this module emits is cross-checked with the loader's own type parser
(:func:`_loader_accepts`), so the importer never writes a spelling the loader rejects.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from .context import _Ctx, _kind_of
from .sqltext import _OPEN, _balanced, _split_top, _strip_quotes


class TypeSpellingError(ValueError):
    """A type spelling the contract format cannot express."""


# Base type names (lower case) the spec or Postgres knows; value = accepts modifiers.
_KNOWN_TYPES: dict[str, bool] = {
    **dict.fromkeys(
        (
            "uuid text jsonb json boolean bool date bytea inet cidr macaddr macaddr8 "
            "integer int int4 bigint int8 smallint int2 real float4 float8 double "
            "tsvector tsquery money xml oid regclass regtype name citext ltree hstore "
            "point line lseg box path polygon circle int4range int8range numrange "
            "tsrange tstzrange daterange record void trigger event_trigger anyelement "
            "anyarray jsonpath pg_lsn txid_snapshot uuid4"
        ).split(),
        False,
    ),
    "double precision": False,
    "float": True,
    "string": True,
    "varchar": True,
    "character varying": True,
    "char": True,
    "character": True,
    "bpchar": True,
    "nchar": True,
    "numeric": True,
    "decimal": True,
    "vector": True,
    "halfvec": True,
    "sparsevec": True,
    "bit": True,
    "bit varying": True,
    "varbit": True,
    "timestamp": True,
    "timestamptz": True,
    "time": True,
    "timetz": True,
    "interval": True,
}
_KNOWN_TYPES.pop("uuid4")
_SERIALS = {"serial": "integer", "serial4": "integer", "bigserial": "bigint",
            "serial8": "bigint", "smallserial": "smallint", "serial2": "smallint"}
# Spellings from other languages/databases: a problem, with a suggestion.
_FOREIGN_TYPES = {
    "datetime": "timestamp",
    "datetime2": "timestamp",
    "str": "string",
    "int32": "integer",
    "int64": "bigint",
    "long": "bigint",
    "number": "numeric",
    "float32": "real",
    "float64": "double precision",
    "dict": "jsonb",
    "object": "jsonb",
    "map": "jsonb",
    "list": "array<...>",
    "array": "array<...>",
    "uuid4": "uuid",
    "tinyint": "smallint",
    "mediumint": "integer",
    "longtext": "text",
    "mediumtext": "text",
    "tinytext": "text",
    "clob": "text",
    "blob": "bytea",
    "varchar2": "varchar",
    "nvarchar": "varchar",
    "enum": "enum[name]",
}
# Shorthands that are not Postgres spellings: arrays of them are written array<...>.
_SHORTHAND_ONLY = {"string", "float", "double"}

_NAME = r"(?:[A-Za-z_][A-Za-z0-9_$]*|\"[^\"]+\")"
_SCALAR = re.compile(
    rf"^(?P<base>{_NAME}(?:\.{_NAME})?(?:\s+[A-Za-z_]+)*?)\s*"
    r"(?:\((?P<mods>[^()]*)\))?"
    r"(?P<tz>\s+with(?:out)?\s+time\s+zone)?$",
    re.IGNORECASE,
)


def _enum_labels(inner: str) -> list[str]:
    labels = [_strip_quotes(x) for x in _split_top(inner)]
    if not labels or any(not lab for lab in labels):
        raise TypeSpellingError("empty enum label")
    return labels


def _enum_label_text(label: str) -> str:
    """A label as written inside ``enum[...]``: quoted when it holds ``,``/brackets/quotes."""
    if re.search(r"[,\[\]'\"<>()]", label) or label != label.strip():
        return '"' + label + '"' if "'" in label else "'" + label + "'"
    return label


def normalize_type(raw: Any) -> str:
    """The contract spelling of a documented type, or :class:`TypeSpellingError`."""
    if not isinstance(raw, str):
        raise TypeSpellingError(f"a type string expected, found {_kind_of(raw)}")
    return _normalize_type(raw)


@lru_cache(maxsize=4096)  # a document repeats a few dozen spellings hundreds of times
def _normalize_type(raw: str) -> str:
    s = " ".join(raw.split())
    if not s:
        raise TypeSpellingError("empty type")
    if not _balanced(s):
        raise TypeSpellingError("unbalanced brackets")

    # enum[name] / enum[a, b, c]  (also enum(a, b) and enum<name>)
    m = re.match(r"^enum\s*([\[(<])(.*)([\])>])$", s, re.IGNORECASE | re.DOTALL)
    if m:
        if _OPEN[m.group(1)] != m.group(3):
            raise TypeSpellingError("unbalanced brackets")
        labels = _enum_labels(m.group(2))
        return "enum[" + ", ".join(_enum_label_text(lab) for lab in labels) + "]"

    # array<elem>
    m = re.match(r"^array\s*<(.*)>$", s, re.IGNORECASE | re.DOTALL)
    if m:
        inner = m.group(1).strip()
        if not inner:
            raise TypeSpellingError("array element type missing")
        return f"array<{normalize_type(inner)}>"

    # elem[] / elem[][] / elem ARRAY
    m = re.match(r"^(.*?)\s*((?:\[\d*\])+)$", s) or re.match(r"^(.*?)\s+(array)$", s, re.IGNORECASE)
    if m:
        if not m.group(1).strip():
            raise TypeSpellingError("array element type missing")
        elem = normalize_type(m.group(1))
        dims = m.group(2).count("[") or 1
        base = elem.split("(")[0]
        if dims == 1 and (base in _SHORTHAND_ONLY or elem.startswith(("enum[", "array<"))):
            return f"array<{elem}>"
        return elem + "[]" * dims

    m = _SCALAR.match(s)
    if not m:
        raise TypeSpellingError("not a type spelling")
    base = " ".join(m.group("base").split())
    if not base.startswith('"'):
        base = base.lower()
    mods = m.group("mods")
    tz = m.group("tz")
    last = base.split(".")[-1]
    known = _KNOWN_TYPES.get(last)

    if tz is not None:
        if last not in ("timestamp", "time"):
            raise TypeSpellingError("'with time zone' only applies to timestamp and time")
        tz = " " + " ".join(tz.lower().split())
    else:
        tz = ""
    if last in _SERIALS:
        if mods is not None:
            raise TypeSpellingError(f"{last} takes no modifier")
        return _SERIALS[last]
    if " " in base and known is None:
        raise TypeSpellingError("not a type spelling")
    if known is None and last in _FOREIGN_TYPES:
        raise TypeSpellingError(f"not a PostgreSQL type; did you mean '{_FOREIGN_TYPES[last]}'?")
    out = base
    if mods is not None:
        parts = [x.strip() for x in mods.split(",")]
        if known is False:
            raise TypeSpellingError(f"{last} takes no modifier")
        if known is True:
            if not all(re.fullmatch(r"-?\d+", x) for x in parts):
                raise TypeSpellingError("type modifiers must be integers")
        elif not all(parts):
            raise TypeSpellingError("empty type modifier")
        out += "(" + ",".join(parts) + ")"
    return out + tz


def _loader_accepts(spelling: str) -> None:
    """Cross-check with the contract loader's own type parser when it is available, so
    that the importer never emits a spelling the loader would reject."""
    try:
        from pytest_e2i_schema.contracts.types import TypeSpellingError as _LoaderError
        from pytest_e2i_schema.contracts.types import parse_type
    except ImportError:  # pragma: no cover - the types module ships with this package
        return
    try:
        parse_type(spelling)
    except _LoaderError as exc:
        raise TypeSpellingError(str(exc)) from None


def _type_or_problem(ctx: _Ctx, path: str, raw: Any) -> str | None:
    try:
        out = normalize_type(raw)
        _loader_accepts(out)
        return out
    except TypeSpellingError as exc:
        shown = raw if isinstance(raw, str) else json.dumps(raw)
        ctx.problem(path, f"unknown type '{shown}' ({exc})")
        return None
