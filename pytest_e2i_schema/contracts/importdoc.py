"""Import a hand-written schema *documentation JSON* into a contract dict.

Users keep documents such as ``E2I_Data_Schema_Comprehensive_v1.2.json`` (seed 000):
tables grouped under ``*_entities`` keys, ENUM groups, views with column lists,
function tables and metadata totals.  :func:`import_doc` turns one into a contract in
the format of ``contract_format.md`` (the dict the loader/checker consume), plus a
list of *problems*.  Every problem names the JSON path of the entry it is about::

    $.memory_system_entities.episodic_memories.fields.importance: unknown type 'enum[foo' (unbalanced brackets)

The rule: an entry the importer cannot understand, or whose information the contract
format cannot carry, is reported -- never silently dropped.  Purely informational
entries (``description``-like keys, ``category``, ``introduced_version``,
``source_tables``, ``version_history``, keys starting with ``_``, metadata scalars
such as ``last_updated``) are understood and intentionally not carried over except
``description``.

Recognisers
-----------
The converter is a small table of recognisers: a top-level key pattern selects a
group handler (:data:`_GROUP_RECOGNISERS`; the first match wins):

=========================================  ==========================================
key                                         handler
=========================================  ==========================================
``metadata`` / ``schema_metadata`` / ``meta`` :func:`_metadata`: version, description,
                                            ``total_*`` counts, extensions
``totals`` / ``statistics`` / ``counts``    :func:`_totals_group` (``45+``/``>= 45`` ->
                                            ``{min: 45}``)
``extensions`` / ``required_extensions``    :func:`_extensions`
``version_history`` / ``changelog`` ...     ignored (informational)
``enums`` / ``enum_definitions`` /          :func:`_enum_group`: ``name: [labels]`` or
``enum_types`` / ``*_enums``                ``name: {values|labels: [...], description}``;
                                            nested groups (``enum_definitions.core_enums``)
``materialized_views`` /                    :func:`_mview_group`
``*_materialized_views``
``views`` / ``*_views``                     :func:`_view_group`: a list of column names,
                                            a mapping name -> type, or ``{columns: ...,
                                            description, materialized}``
``functions`` / ``*_functions`` /           :func:`_function_group`: ``parameters``
``procedures`` / ``*_procedures``           (SQL argument strings, one string, a mapping,
                                            or dicts), ``returns`` (``TABLE(...)``,
                                            ``SETOF x``, ``void``, ``trigger``, a type),
                                            ``language``, ``security``/``security_definer``,
                                            ``volatility``, ``strict``, ``leakproof``,
                                            ``parallel``, ``settings``/``search_path``,
                                            ``type: procedure|trigger``
``entities`` / ``tables`` / ``*_entities``  :func:`_table_group`: ``primary_key`` (string,
/ ``*_tables``                              ``"a, b"`` or list), ``fields``/``columns``
                                            (see below), ``indexes``, ``foreign_keys``,
                                            ``unique``, ``checks``, ``triggers``, ``rls``,
                                            ``policies``, ``partitioning``,
                                            ``generated_columns``
``triggers`` / ``*_triggers``               :func:`_trigger_group`: attached to ``table``
``policies`` / ``*_policies``               :func:`_policy_group`: attached to ``table``
``indexes`` / ``*_indexes``                 :func:`_index_group`: attached to ``table``
top-level scalars                           ``schema_version``/``version``,
                                            ``description``/``purpose``/``title`` and
                                            ``total_*`` are read; other scalars are
                                            informational
anything else                               a problem ("unrecognised top-level entry")
=========================================  ==========================================

``total_<kind>`` (top level, in ``metadata``/``schema_metadata``, or a ``totals`` group)
maps to ``totals.<kind>`` for every kind the format counts (tables, partitions, views,
materialized_views, enums, domains, functions, procedures, aggregates, sequences,
indexes, triggers, policies, extensions, schemas); other kinds are problems.

Inside every group, keys starting with ``_`` (``_comment``, ``_description``,
``_note``) and string-valued ``description``/``comment``/``note`` entries are ignored;
a key that itself matches a group pattern is a nested group.

Fields: ``name: "type"`` or ``name: {type, nullable|required|optional, default,
description, references, primary_key, unique, generated, identity}``, or a list of
``"name type ..."`` strings / ``{name, type, ...}`` dicts.  A type string may carry SQL
column annotations -- ``"uuid PRIMARY KEY"``, ``"text NOT NULL"``, ``"uuid REFERENCES
cognitive_cycles(cycle_id) ON DELETE CASCADE"``, ``"timestamptz DEFAULT now()"``,
``UNIQUE``, ``CONSTRAINT n CHECK (...)``, ``GENERATED ALWAYS AS (...) STORED``,
``GENERATED ... AS IDENTITY`` -- which are split into type + nullable / default /
primary key / foreign key / unique / check / generated / identity.

Types (:func:`normalize_type`): the documentation shorthands of the spec are kept as
written (``string``, ``string(64)``, ``float``, ``timestamp``, ``vector(1536)``,
``enum[name]``, ``enum[a, b, c]``, ``array<string>``, ``text[]``), Postgres spellings are
lower-cased and whitespace-normalised (``UUID`` -> ``uuid``, ``numeric(12, 6)`` ->
``numeric(12,6)``), ``string[]`` becomes ``array<string>``, ``serial`` types become
their integer type; any other identifier is taken as an enum/domain name.  Broken
spellings (``enum[foo``, ``array<``, empty) and spellings from other languages
(``datetime``, ``int64``, ``dict``...) are problems.

Indexes: a list of index descriptions cannot be matched by name (our format names
indexes), so it becomes ``indexes: {min_count: N}``.  Details are kept where the
format can carry them: a named index (``"idx_x ON t USING gin (tags)"``, ``{name: ...}``,
a mapping name -> definition) goes to ``indexes.named``; an unnamed ``UNIQUE`` index
(``"key UNIQUE"``, ``["a", "b UNIQUE"]``) becomes a ``unique:`` column list.  What an
unnamed index says beyond a plain column list (access method other than btree,
operator class, ``WHERE``, ``INCLUDE``, uniqueness on a materialized view) is reported
as a problem; the column lists and ASC/DESC of unnamed indexes are reduced to the count
by design.

Notes that the format cannot check are kept under ``x-`` keys, which the contract
schema allows anywhere and the checker ignores: ``indexes.x-unnamed`` (the unnamed
index descriptions, verbatim), ``x-generated: true`` on a column documented as
generated without its expression, ``partitions.x-names``.

Robustness: every value is type-checked before it is emitted, so odd input gives a
problem, not an exception or an invalid contract.  Two nets stay underneath: a
recogniser that fails on an entry reports ``cannot read this entry`` for it (the rest is
still imported), and the finished contract is validated with the loader's own JSON
Schema and semantic checks; anything they would reject is left out with a problem
(:func:`_safety_net`).  Hence an imported contract always loads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "import_doc",
    "import_doc_data",
    "import_doc_to_yaml",
    "is_doc_format",
    "normalize_type",
    "TypeSpellingError",
]

# ---------------------------------------------------------------------------
# shape detection
# ---------------------------------------------------------------------------

_DOC_SUFFIXES = ("_entities", "_enums", "_views", "_functions")


def is_doc_format(data: Any) -> bool:
    """True when ``data`` (a parsed JSON document) looks like a documentation JSON.

    It has a top-level ``metadata``/``schema_metadata`` or a key ending in
    ``_entities``/``_enums``/``_views``/``_functions`` (or ``enum_definitions``), and
    no ``tables`` key (a ``tables:`` key means it is already a contract).
    """
    if not isinstance(data, dict) or "tables" in data:
        return False
    if "metadata" in data or "schema_metadata" in data:
        return True
    return any(
        isinstance(k, str) and (k.endswith(_DOC_SUFFIXES) or k == "enum_definitions")
        for k in data
    )


# ---------------------------------------------------------------------------
# JSON paths and problems
# ---------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _p(path: str, key: str | int) -> str:
    """Extend JSON path ``path`` by a key or a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


class _Ctx:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.contract: dict[str, Any] = {}
        # table key -> path of its documentation, for attaching triggers/policies/indexes
        self.table_paths: dict[str, str] = {}
        self.table_columns: dict[str, set[str]] = {}
        self.object_paths: dict[tuple[str, str], str] = {}
        self.deferred: list[Callable[[], None]] = []
        # enum names the document defines (a pre-scan), to tell types from parameter names
        self.known_types: set[str] = set()

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def section(self, name: str) -> dict[str, Any]:
        return self.contract.setdefault(name, {})


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind_of(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


# Keys that are documentation only: understood, not carried into the contract.
_INFO_KEYS = frozenset(
    {
        "category",
        "introduced_version",
        "introduced_in",
        "added_in",
        "since",
        "version",
        "source_tables",
        "source_table",
        "depends_on",
        "dependencies",
        "notes",
        "note",
        "comment",
        "comments",
        "purpose",
        "owner",
        "example",
        "examples",
        "usage",
        "tags",
        "status",
        "deprecated",
        "migration",
        "migration_file",
        "file",
        "domain",
        "business_rules",
        "relationships",
        "related_tables",
        "used_by",
        "refresh",
        "refresh_strategy",
        "rationale",
    }
)
_DESCRIPTION_KEYS = ("description", "desc", "summary", "purpose")


def _named(ctx: _Ctx, name: Any, path: str, what: str = "name") -> str | None:
    """``name`` stripped, or a problem when it is empty / not a string."""
    if isinstance(name, str) and name.strip():
        return name.strip()
    ctx.problem(path, f"an empty {what} cannot be expressed")
    return None


def _is_ignored_key(key: str, value: Any) -> bool:
    """``_comment`` & co, and plain-text notes inside a group."""
    if key.startswith("_"):
        return True
    return key in ("description", "comment", "note", "notes", "purpose") and isinstance(value, str)


# ---------------------------------------------------------------------------
# low-level SQL-ish text helpers
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# types
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# references, SQL column annotations
# ---------------------------------------------------------------------------

_FK_ACTIONS = ("cascade", "restrict", "no action", "set null", "set default")


def _reference(raw: Any) -> str | None:
    """``t(c)`` / ``t (c)`` / ``s.t(c)`` / ``t.c`` / ``s.t.c`` -> ``[s.]t(c)``; None when
    it cannot be read."""
    try:
        out = _read_reference(raw)
    except (TypeError, ValueError, AttributeError):
        return None
    if out is None or not re.fullmatch(rf"{_IDENT_RE}(?:\.{_IDENT_RE})?(?:\(\s*{_IDENT_RE}(?:\s*,\s*{_IDENT_RE})*\s*\))?", out):
        return None
    return out


def _read_reference(raw: Any) -> str | None:
    if isinstance(raw, dict):
        table = raw.get("table") or raw.get("references")
        col = raw.get("column") or raw.get("columns")
        if not isinstance(table, str):
            return None
        if raw.get("schema"):
            table = f"{raw['schema']}.{table}"
        if isinstance(col, list):
            col = ", ".join(col)
        return f"{table}({col})" if col else table
    if not isinstance(raw, str):
        return None
    s = " ".join(raw.split())
    m = re.fullmatch(r"([\w.\"]+)\s*\(([^()]*)\)", s)
    if m:
        cols = ", ".join(c.strip() for c in m.group(2).split(","))
        return f"{m.group(1)}({cols})"
    m = re.fullmatch(r"([\w\"]+(?:\.[\w\"]+)*)", s)
    if m:
        parts = s.split(".")
        if len(parts) == 1:
            return s
        return f"{'.'.join(parts[:-1])}({parts[-1]})"
    return None


def _fk_action(words: list[str]) -> str | None:
    text = " ".join(w.lower() for w in words)
    return text if text in _FK_ACTIONS else None


class _Annotations:
    """What :func:`_parse_column_text` found besides the type."""

    def __init__(self) -> None:
        self.type: str | None = None  # raw type text ('' when absent)
        self.spec: dict[str, Any] = {}  # nullable / default / generated / identity
        self.primary_key = False
        self.unique: str | None | bool = False  # True, or a constraint name
        self.fk: dict[str, Any] | None = None
        self.check: dict[str, Any] | None = None


_CLAUSE_WORDS = {"PRIMARY", "NOT", "NULL", "DEFAULT", "REFERENCES", "UNIQUE", "CHECK",
                 "GENERATED", "CONSTRAINT", "COLLATE"}


def _parse_column_text(ctx: _Ctx, path: str, text: str) -> _Annotations:
    """Split ``"uuid NOT NULL DEFAULT gen_random_uuid() REFERENCES t(c)"``."""
    ann = _Annotations()
    toks = _tokens(text)
    i = 0
    type_toks: list[str] = []
    while i < len(toks) and toks[i].upper() not in _CLAUSE_WORDS:
        type_toks.append(toks[i])
        i += 1
    ann.type = " ".join(type_toks)

    def upper(j: int) -> str:
        return toks[j].upper() if j < len(toks) else ""

    constraint_name: str | None = None
    while i < len(toks):
        word = upper(i)
        if word == "CONSTRAINT" and i + 1 < len(toks):
            constraint_name = _strip_quotes(toks[i + 1])
            i += 2
            continue
        if word == "PRIMARY" and upper(i + 1) == "KEY":
            ann.primary_key = True
            i += 2
        elif word == "NOT" and upper(i + 1) == "NULL":
            ann.spec["nullable"] = False
            i += 2
        elif word == "NULL":
            ann.spec["nullable"] = True
            i += 1
        elif word == "UNIQUE":
            ann.unique = constraint_name or True
            i += 1
        elif word == "DEFAULT" and i + 1 < len(toks):
            expr = [toks[i + 1]]
            i += 2
            while i < len(toks) and upper(i) not in _CLAUSE_WORDS:
                expr.append(toks[i])
                i += 1
            ann.spec["default"] = " ".join(expr)
        elif word == "REFERENCES" and i + 1 < len(toks):
            target = toks[i + 1]
            i += 2
            if i < len(toks) and toks[i].startswith("("):
                target += toks[i]
                i += 1
            ref = _reference(target)
            if ref is None:
                ctx.problem(path, f"cannot read reference {target!r}")
                ref = target
            fk: dict[str, Any] = {"references": ref}
            while upper(i) == "ON" and upper(i + 1) in ("DELETE", "UPDATE"):
                which = "on_delete" if upper(i + 1) == "DELETE" else "on_update"
                i += 2
                for width in (2, 1):
                    act = _fk_action(toks[i : i + width])
                    if act:
                        fk[which] = act
                        i += width
                        break
                else:
                    ctx.problem(path, f"unknown referential action {' '.join(toks[i:i + 2])!r}")
                    i += 1
            ann.fk = fk
        elif word == "CHECK" and i + 1 < len(toks):
            expr = toks[i + 1]
            i += 2
            if constraint_name:
                ann.check = {"name": constraint_name, "expression": expr}
            else:
                ctx.problem(path, f"unnamed CHECK {expr} cannot be expressed (checks are matched by name)")
        elif word == "GENERATED":
            rest = " ".join(t.upper() for t in toks[i : i + 5])
            if rest.startswith("GENERATED ALWAYS AS IDENTITY"):
                ann.spec["identity"] = "always"
                i += 4
            elif rest.startswith("GENERATED BY DEFAULT AS IDENTITY"):
                ann.spec["identity"] = "by default"
                i += 5
            elif rest.startswith("GENERATED ALWAYS AS") and i + 3 < len(toks):
                ann.spec["generated"] = toks[i + 3]
                i += 4
                if upper(i) == "STORED":
                    i += 1
            else:
                ctx.problem(path, f"cannot read {' '.join(toks[i:])!r}")
                break
            if i < len(toks) and toks[i].startswith("("):  # identity options
                i += 1
        elif word == "COLLATE" and i + 1 < len(toks):
            ctx.problem(path, f"COLLATE {toks[i + 1]} cannot be expressed")
            i += 2
        else:
            ctx.problem(path, f"unrecognised column annotation {' '.join(toks[i:])!r}")
            break
        constraint_name = None
    return ann


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------

_NULLABLE_KEYS = {"nullable": lambda v: bool(v), "required": lambda v: not v,
                  "not_null": lambda v: not v, "optional": lambda v: bool(v)}
_FIELD_INFO_KEYS = frozenset({"description", "desc", "comment", "note", "notes", "example",
                              "examples", "unit", "units", "pii", "sensitive", "source",
                              "introduced_version", "category", "format", "deprecated"})


class _TableBuilder:
    def __init__(self, ctx: _Ctx, key: str, path: str) -> None:
        self.ctx = ctx
        self.key = key
        self.path = path
        self.columns: dict[str, Any] = {}
        self.pk: list[str] | None = None
        self.pk_path: str | None = None
        self.field_pk: list[str] = []
        self.unique: list[Any] = []
        self.fks: list[dict[str, Any]] = []
        self.checks: list[Any] = []
        self.indexes: dict[str, Any] = {}
        self.index_count = 0
        self.extra: dict[str, Any] = {}

    # -- columns --------------------------------------------------------------
    def add_column(self, name: str, raw: Any, path: str) -> None:
        ctx = self.ctx
        if _named(ctx, name, path, "column name") is None:
            return
        name = name.strip()
        if name in self.columns:
            ctx.problem(path, f"column {name} documented twice; the later one is ignored")
            return
        spec: dict[str, Any] = {}
        type_text: Any = None
        if isinstance(raw, str):
            type_text = raw
            if not raw.strip():
                ctx.problem(path, "unknown type '' (empty type)")
        elif isinstance(raw, dict):
            type_text = raw.get("type", raw.get("data_type", raw.get("sql_type")))
            for k, v in raw.items():
                if str(k).startswith("_"):
                    continue
                kp = _p(path, k)
                if k in ("type", "data_type", "sql_type", "name"):
                    continue
                if k in _NULLABLE_KEYS:
                    if isinstance(v, bool):
                        spec["nullable"] = _NULLABLE_KEYS[k](v)
                    else:
                        ctx.problem(kp, f"a boolean expected, found {_short(v)}")
                elif k == "default":
                    spec["default"] = v if isinstance(v, str) else json.dumps(v)
                elif k in ("references", "foreign_key", "fk"):
                    ref = _reference(v)
                    if ref is None:
                        ctx.problem(kp, f"cannot read reference {_short(v)}")
                    else:
                        fk = {"columns": [name], "references": ref}
                        if isinstance(v, dict):
                            for act in ("on_delete", "on_update"):
                                if v.get(act):
                                    fk[act] = str(v[act]).lower()
                        self.fks.append(fk)
                elif k in ("on_delete", "on_update"):
                    pass  # applied below with the reference
                elif k in ("primary_key", "pk", "primary"):
                    if v is True:
                        self.field_pk.append(name)
                elif k == "unique":
                    if v is True:
                        self.unique.append([name])
                elif k == "generated":
                    if isinstance(v, str) and v.strip():
                        spec["generated"] = v if v.strip().startswith("(") else f"({v.strip()})"
                    else:
                        ctx.problem(kp, "a generated column needs its expression to be checked")
                elif k == "identity":
                    spec["identity"] = "always" if v is True else str(v).lower().replace("_", " ")
                elif k in ("enum", "values", "allowed_values"):
                    ctx.problem(kp, "a list of allowed values on a non-enum column cannot be expressed")
                elif k in _FIELD_INFO_KEYS:
                    if k in ("description", "desc") and isinstance(v, str):
                        spec["description"] = v
                else:
                    ctx.problem(kp, f"unrecognised field property {k!r} ignored")
            for act in ("on_delete", "on_update"):
                if act in raw and self.fks and self.fks[-1]["columns"] == [name]:
                    self.fks[-1][act] = str(raw[act]).lower()
            if type_text is None and not spec:
                ctx.problem(path, "no type")
        else:
            ctx.problem(path, f"a type string or an object expected, found {_kind_of(raw)}")
            return

        type_path = path if isinstance(raw, str) else _p(path, "type")
        if isinstance(type_text, str):
            ann = _parse_column_text(ctx, type_path, type_text)
            for k, v in ann.spec.items():
                spec.setdefault(k, v)
            if ann.primary_key:
                self.field_pk.append(name)
            if ann.unique:
                self.unique.append(
                    {"name": ann.unique, "columns": [name]} if isinstance(ann.unique, str) else [name]
                )
            if ann.fk:
                self.fks.append({"columns": [name], **ann.fk})
            if ann.check:
                self.checks.append(ann.check)
            typ = _type_or_problem(ctx, type_path, ann.type) if ann.type else None
            if ann.type and typ is None:
                # keep the column documented (its existence), without a type to check
                pass
            if typ is not None:
                spec = {"type": typ, **spec}
        elif type_text is not None:
            _type_or_problem(ctx, type_path, type_text)

        if not spec:
            self.columns[name] = {}
        elif list(spec) == ["type"]:
            self.columns[name] = spec["type"]
        else:
            self.columns[name] = spec

    def add_columns(self, raw: Any, path: str) -> None:
        ctx = self.ctx
        if isinstance(raw, dict):
            for name, val in raw.items():
                if name.startswith("_"):
                    continue
                self.add_column(name, val, _p(path, name))
        elif isinstance(raw, list):
            for i, item in enumerate(raw):
                ip = _p(path, i)
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    self.add_column(item["name"], item, ip)
                elif isinstance(item, str) and item.strip():
                    toks = _tokens(item)
                    rest = item.strip()[len(toks[0]):].strip()
                    self.add_column(_strip_quotes(toks[0]), rest, ip)
                else:
                    ctx.problem(ip, f"a column expected, found {_short(item)}")
        else:
            ctx.problem(path, f"a mapping of columns expected, found {_kind_of(raw)}")

    # -- constraints ------------------------------------------------------------
    def set_pk(self, raw: Any, path: str) -> None:
        cols = _column_list(raw)
        if cols is None:
            self.ctx.problem(path, f"a column name or list expected, found {_short(raw)}")
            return
        self.pk, self.pk_path = cols, path

    def add_unique(self, raw: Any, path: str) -> None:
        items = raw if isinstance(raw, list) else [raw]
        for i, item in enumerate(items):
            ip = _p(path, i) if isinstance(raw, list) else path
            if isinstance(item, dict) and ("columns" in item or "column" in item):
                cols = _column_list(item.get("columns", item.get("column")))
                if cols is None:
                    self.ctx.problem(ip, f"cannot read unique constraint {_short(item)}")
                    continue
                self.unique.append({"name": item["name"], "columns": cols} if item.get("name") else cols)
            else:
                cols = _column_list(item)
                if cols is None:
                    self.ctx.problem(ip, f"cannot read unique constraint {_short(item)}")
                else:
                    self.unique.append(cols)

    def add_fks(self, raw: Any, path: str) -> None:
        ctx = self.ctx
        if isinstance(raw, dict):
            for col, target in raw.items():
                kp = _p(path, col)
                if col.startswith("_"):
                    continue
                ref = _reference(target)
                if ref is None and isinstance(target, str):
                    ann = _parse_column_text(ctx, kp, target)
                    if ann.fk and not ann.type:
                        self.fks.append({"columns": _column_list(col) or [col], **ann.fk})
                        continue
                if ref is None:
                    ctx.problem(kp, f"cannot read reference {_short(target)}")
                    continue
                fk: dict[str, Any] = {"columns": _column_list(col) or [col], "references": ref}
                if isinstance(target, dict):
                    for act in ("on_delete", "on_update"):
                        if target.get(act):
                            fk[act] = str(target[act]).lower()
                self.fks.append(fk)
        elif isinstance(raw, list):
            for i, item in enumerate(raw):
                ip = _p(path, i)
                fk = _fk_item(item)
                if fk is None:
                    ctx.problem(ip, f"cannot read foreign key {_short(item)}")
                else:
                    self.fks.append(fk)
        else:
            ctx.problem(path, f"a mapping or list of foreign keys expected, found {_kind_of(raw)}")

    def add_checks(self, raw: Any, path: str) -> None:
        if isinstance(raw, dict):
            for name, expr in raw.items():
                if _is_ignored_key(name, expr) or _named(self.ctx, name, _p(path, name), "check name") is None:
                    continue
                if isinstance(expr, str) and expr.strip():
                    self.checks.append({"name": name.strip(), "expression": expr.strip()})
                else:
                    self.ctx.problem(_p(path, name), f"a CHECK expression expected, found {_short(expr)}")
        elif isinstance(raw, list):
            for i, item in enumerate(raw):
                if isinstance(item, str) and re.fullmatch(r"[\w$]+", item):
                    self.checks.append(item)
                elif isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
                    chk = {"name": item["name"].strip()}
                    if isinstance(item.get("expression"), str) and item["expression"].strip():
                        chk["expression"] = item["expression"].strip()
                    self.checks.append(chk)
                else:
                    self.ctx.problem(
                        _p(path, i),
                        f"unnamed check {_short(item)} cannot be expressed (checks are matched by name)",
                    )
        else:
            self.ctx.problem(path, f"a list of checks expected, found {_kind_of(raw)}")

    # -- result -------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "description" in self.extra:
            out["description"] = self.extra.pop("description")
        if "exact_columns" in self.extra:
            out["exact_columns"] = self.extra.pop("exact_columns")
        if self.columns:
            out["columns"] = self.columns
        pk = self.pk
        if self.field_pk:
            if pk is not None and sorted(pk) != sorted(self.field_pk):
                self.ctx.problem(
                    self.pk_path or self.path,
                    f"primary_key {pk} disagrees with the fields marked PRIMARY KEY {self.field_pk}; "
                    "primary_key is used",
                )
            elif pk is None:
                pk = self.field_pk
        if pk is not None:
            out["primary_key"] = pk
        if self.unique:
            seen: list[Any] = []
            for u in self.unique:
                if u not in seen:
                    seen.append(u)
            out["unique"] = seen
        if self.fks:
            out["foreign_keys"] = self.fks
        if self.checks:
            out["checks"] = self.checks
        idx: dict[str, Any] = dict(self.indexes)
        if self.index_count and "count" not in idx:
            # every documented index: the unnamed ones plus the named ones
            base = self.index_count + len(idx.get("named", {}))
            idx["min_count"] = max(idx.get("min_count", 0), base)
        if idx:
            out["indexes"] = _order(idx, ("count", "min_count", "exact", "named", UNNAMED_KEY))
        out.update(self.extra)
        return out


def _order(d: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {k: d[k] for k in keys if k in d}
    out.update({k: v for k, v in d.items() if k not in out})
    return out


def _column_list(raw: Any) -> list[str] | None:
    if isinstance(raw, str):
        cols = [_strip_quotes(c) for c in _split_top(_unparen(raw))]
        return cols if all(cols) else None
    if isinstance(raw, list) and raw and all(isinstance(c, str) and c.strip() for c in raw):
        return [c.strip() for c in raw]
    return None


def _fk_item(item: Any) -> dict[str, Any] | None:
    if isinstance(item, dict):
        cols = _column_list(item.get("columns", item.get("column")))
        target = item.get("references", item.get("table"))
        if isinstance(target, str) and ("ref_columns" in item or "referenced_columns" in item):
            rc = _column_list(item.get("ref_columns", item.get("referenced_columns")))
            target = {"table": target, "columns": rc}
        elif isinstance(target, str) and isinstance(item.get("ref_column"), str):
            target = {"table": target, "column": item["ref_column"]}
        ref = _reference(target)
        if cols is None or ref is None:
            return None
        fk: dict[str, Any] = {"columns": cols, "references": ref}
        for act in ("on_delete", "on_update"):
            if item.get(act):
                fk[act] = str(item[act]).lower()
        return fk
    if isinstance(item, str):
        m = re.fullmatch(r"\s*(.+?)\s*(?:->|→|REFERENCES)\s*(.+?)\s*", item, re.IGNORECASE)
        if not m:
            return None
        cols = _column_list(m.group(1))
        ctx = _Ctx()
        ann = _parse_column_text(ctx, "$", "REFERENCES " + m.group(2))
        if cols is None or ann.fk is None or ctx.problems:
            return None
        return {"columns": cols, **ann.fk}
    return None


# ---------------------------------------------------------------------------
# indexes
# ---------------------------------------------------------------------------

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
        ix.name = _strip_quotes(m.group("name")) if m.group("name") else None
        ix.table = m.group("table")
        ix.unique = bool(m.group("unique"))
        if m.group("method"):
            ix.method = m.group("method").lower()
        for c in _split_top(m.group("cols")):
            _index_column(ix, c)
        _index_rest(ix, m.group("rest"))
        return ix
    # "[UNIQUE] idx_name ON [table] [USING m] (a, b) [WHERE ...]"
    m = re.fullmatch(
        r"(?P<unique>unique\s+)?(?P<name>[\w\"]+)\s+on\s+(?:(?P<table>[\w.\"]+)\s*)?"
        r"(?:using\s+(?P<method>\w+)\s*)?\((?P<cols>.*?)\)\s*(?P<rest>.*)",
        s,
        re.IGNORECASE,
    )
    if m:
        ix.name = _strip_quotes(m.group("name"))
        ix.table = m.group("table")
        ix.unique = bool(m.group("unique"))
        if m.group("method"):
            ix.method = m.group("method").lower()
        for c in _split_top(m.group("cols")):
            _index_column(ix, c)
        _index_rest(ix, m.group("rest"))
        return ix
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
            ix = _parse_index(val if not isinstance(val, str) else val)
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


# ---------------------------------------------------------------------------
# triggers, policies, partitioning
# ---------------------------------------------------------------------------

_TRIGGER_TEXT = re.compile(
    r"^(?P<timing>before|after|instead\s+of)\s+(?P<events>.+?)"
    r"(?:\s+on\s+[\w.\"]+)?(?:\s+for\s+each\s+(?P<level>row|statement))?"
    r"(?:\s+(?:execute|exec)\s+(?:function|procedure)\s+(?P<function>[\w.\"]+)\s*(?:\(\s*\))?)?\s*;?$",
    re.IGNORECASE,
)


def _trigger_spec(ctx: _Ctx, raw: Any, path: str) -> dict[str, Any] | None:
    if isinstance(raw, dict):
        spec: dict[str, Any] = {}
        for k, v in raw.items():
            if str(k).startswith("_"):
                continue
            kp = _p(path, k)
            if k in ("timing", "when_fired", "fires"):
                t = " ".join(str(v).lower().split()) if isinstance(v, str) else None
                if t in ("before", "after", "instead of"):
                    spec["timing"] = t
                else:
                    ctx.problem(kp, f"before, after or instead of expected, found {_short(v)}")
            elif k in ("events", "event", "on_events"):
                _trigger_events(ctx, v, kp, spec)
            elif k in ("level", "for_each", "orientation"):
                lv = str(v).lower().replace("for each ", "").strip() if isinstance(v, str) else None
                if lv in ("row", "statement"):
                    spec["level"] = lv
                else:
                    ctx.problem(kp, f"row or statement expected, found {_short(v)}")
            elif k in ("function", "executes", "execute", "procedure", "function_name"):
                fn = re.sub(r"^(?:execute\s+)?(?:function|procedure)\s+", "", str(v).strip(), flags=re.I) \
                    if isinstance(v, str) else ""
                fn = re.sub(r"\s*\(\s*\)\s*;?$", "", fn)
                if _QNAME_RE.match(fn):
                    spec["function"] = fn
                else:
                    ctx.problem(kp, f"a trigger function name expected, found {_short(v)}")
            elif k == "enabled":
                if isinstance(v, bool) or v in ("enabled", "disabled", "replica", "always"):
                    spec["enabled"] = v
                else:
                    ctx.problem(kp, f"true, false, replica or always expected, found {_short(v)}")
            elif k in ("when", "condition") and isinstance(v, str) and v.strip():
                spec["when"] = v.strip()
            elif k in ("table", "on", "on_table"):
                pass
            elif k in _INFO_KEYS or k in _DESCRIPTION_KEYS:
                pass
            elif k in ("timing_events", "definition", "sql"):
                parsed = _trigger_spec(ctx, v, kp)
                if parsed:
                    spec.update(parsed)
            else:
                ctx.problem(kp, f"unrecognised trigger property {k!r} ignored")
        return spec
    if isinstance(raw, str):
        m = _TRIGGER_TEXT.match(" ".join(raw.split()))
        if m:
            spec = {"timing": " ".join(m.group("timing").lower().split())}
            _trigger_events(ctx, m.group("events"), path, spec)
            if m.group("level"):
                spec["level"] = m.group("level").lower()
            if m.group("function"):
                spec["function"] = m.group("function")
            return spec
        return {}  # a description
    ctx.problem(path, f"a trigger description expected, found {_kind_of(raw)}")
    return None


_EVENTS = ("insert", "update", "delete", "truncate")


def _trigger_events(ctx: _Ctx, raw: Any, path: str, spec: dict[str, Any]) -> None:
    """``INSERT OR UPDATE OF a, b`` / ``[insert, update]`` / ``"insert, delete"`` into
    ``spec["events"]`` (and ``spec["columns"]`` for ``UPDATE OF``)."""
    if isinstance(raw, list):
        parts = [str(e) for e in raw]
    else:
        text = " ".join(str(raw).split())
        parts = re.split(r"\s+or\s+|\s*\|\s*", text, flags=re.IGNORECASE)
        if len(parts) == 1 and not re.match(r"update\s+of\s", text, re.IGNORECASE):
            parts = text.split(",")
    events: list[str] = []
    for part in (p.strip() for p in parts):
        m = re.fullmatch(r"update\s+of\s+(.+)", part, re.IGNORECASE)
        if m:
            events.append("update")
            spec["columns"] = [c.strip() for c in m.group(1).split(",")]
        elif part.lower() in _EVENTS:
            events.append(part.lower())
        else:
            ctx.problem(path, f"unknown trigger event {part!r}")
    if events:
        spec["events"] = events


def _policy_spec(ctx: _Ctx, raw: Any, path: str) -> dict[str, Any] | None:
    if isinstance(raw, str):
        return {}
    if not isinstance(raw, dict):
        ctx.problem(path, f"a policy description expected, found {_kind_of(raw)}")
        return None
    spec: dict[str, Any] = {}
    for k, v in raw.items():
        if str(k).startswith("_"):
            continue
        kp = _p(path, k)
        if k in ("command", "cmd", "for", "operation"):
            if isinstance(v, str) and v.strip().lower() in ("all", "select", "insert", "update", "delete"):
                spec["command"] = v.strip().lower()
            else:
                ctx.problem(kp, f"all, select, insert, update or delete expected, found {_short(v)}")
        elif k in ("roles", "role", "to"):
            roles = [r.strip() for r in v.split(",")] if isinstance(v, str) else v
            if isinstance(roles, list) and roles and all(isinstance(r, str) and r.strip() for r in roles):
                spec["roles"] = [r.strip() for r in roles]
            else:
                ctx.problem(kp, f"a list of role names expected, found {_short(v)}")
        elif k in ("permissive", "restrictive"):
            if isinstance(v, bool):
                spec["permissive"] = v if k == "permissive" else not v
            elif isinstance(v, str) and v.strip().lower() in ("permissive", "restrictive"):
                spec["permissive"] = v.strip().lower() == "permissive"
            else:
                ctx.problem(kp, f"true or false expected, found {_short(v)}")
        elif k in ("using", "qual", "with_check", "check"):
            key = "using" if k in ("using", "qual") else "with_check"
            if isinstance(v, str) and v.strip():
                spec[key] = v.strip()
            else:
                ctx.problem(kp, f"an SQL expression expected, found {_short(v)}")
        elif k in ("table", "on", "name") or k in _INFO_KEYS or k in _DESCRIPTION_KEYS:
            pass
        else:
            ctx.problem(kp, f"unrecognised policy property {k!r} ignored")
    return spec


def _partitions(ctx: _Ctx, raw: Any, path: str) -> dict[str, Any] | None:
    if isinstance(raw, str):
        m = re.fullmatch(r"\s*(?:partition\s+by\s+)?(range|list|hash)\s*(\(.*\))\s*", raw, re.IGNORECASE)
        if not m:
            ctx.problem(path, f"cannot read partitioning {_short(raw)}")
            return None
        return {"strategy": m.group(1).lower(), "key": m.group(2)}
    if not isinstance(raw, dict):
        ctx.problem(path, f"a partitioning description expected, found {_kind_of(raw)}")
        return None
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if str(k).startswith("_"):
            continue
        kp = _p(path, k)
        if k in ("strategy", "type", "method", "by"):
            if isinstance(v, str) and v.strip().lower() in ("hash", "list", "range"):
                out["strategy"] = v.strip().lower()
            else:
                ctx.problem(kp, f"hash, list or range expected, found {_short(v)}")
        elif k in ("key", "column", "columns", "partition_key"):
            cols = _column_list(v)
            if cols is None:
                ctx.problem(kp, f"a partition key expected, found {_short(v)}")
            else:
                out["key"] = "(" + ", ".join(cols) + ")"
        elif k in ("count", "number", "num_partitions", "modulus"):
            if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                out["count"] = v
            else:
                ctx.problem(kp, f"a number of partitions expected, found {_short(v)}")
        elif k in ("partitions", "partition_names", "children"):
            if isinstance(v, list) and all(isinstance(x, str) for x in v):
                out.setdefault("count", len(v))
                out["x-names"] = list(v)
                ctx.problem(
                    kp,
                    f"partition names {', '.join(map(str, v))} cannot be expressed "
                    "(partitions.count only)",
                )
            elif isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                out["count"] = v
            else:
                ctx.problem(kp, f"a list of partition names expected, found {_short(v)}")
        elif k in _INFO_KEYS or k in _DESCRIPTION_KEYS:
            pass
        else:
            ctx.problem(kp, f"unrecognised partitioning property {k!r} ignored")
    return out


# ---------------------------------------------------------------------------
# group handlers
# ---------------------------------------------------------------------------


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


def _description(entry: dict[str, Any]) -> str | None:
    d = entry.get("description")
    return d if isinstance(d, str) else None


def _table(ctx: _Ctx, name: str, entry: Any, path: str) -> None:
    if not isinstance(entry, dict):
        ctx.problem(path, f"a table description (object) expected, found {_kind_of(entry)}")
        return
    kind = str(entry.get("type", entry.get("kind", ""))).lower()
    if kind in ("view", "materialized_view", "materialized view"):
        _view(ctx, name, entry, path, materialized=kind != "view")
        return
    key = _qualify(name, entry)
    tables = ctx.section("tables")
    if key in tables:
        ctx.problem(path, f"table {key} already documented at {ctx.table_paths[key]}; ignored")
        return
    tb = _TableBuilder(ctx, key, path)
    generated: list[tuple[str, str]] = []
    pending_indexes: list[tuple[Any, str]] = []
    for k, v in entry.items():
        kp = _p(path, k)
        if k.startswith("_"):
            continue
        if k in ("fields", "columns", "properties", "attributes"):
            tb.add_columns(v, kp)
        elif k in ("primary_key", "pk", "primary_keys"):
            tb.set_pk(v, kp)
        elif k in ("unique", "unique_constraints", "unique_keys"):
            tb.add_unique(v, kp)
        elif k in ("foreign_keys", "references", "fks", "relations"):
            tb.add_fks(v, kp)
        elif k in ("checks", "check_constraints", "constraints"):
            tb.add_checks(v, kp)
        elif k in ("indexes", "indices", "index"):
            pending_indexes.append((v, kp))
        elif k in ("triggers",):
            trig = _named_items(ctx, v, kp, _trigger_spec)
            if trig is not None:
                tb.extra.setdefault("triggers", {}).update(trig)
        elif k in ("policies", "rls_policies"):
            pol = _named_items(ctx, v, kp, _policy_spec)
            if pol is not None:
                tb.extra.setdefault("policies", {}).update(pol)
        elif k in ("rls", "rls_enabled", "row_level_security"):
            if isinstance(v, bool):
                tb.extra["rls"] = {"enabled": v}
            elif isinstance(v, dict):
                tb.extra["rls"] = {kk: vv for kk, vv in v.items() if kk in ("enabled", "forced")}
            else:
                ctx.problem(kp, f"a boolean expected, found {_short(v)}")
        elif k in ("partitioning", "partitions", "partition_by", "partitioned_by"):
            part = _partitions(ctx, v, kp)
            if part:
                tb.extra["partitions"] = part
        elif k == "generated_columns":
            if isinstance(v, dict):
                generated.extend((c, e) for c, e in v.items())
            elif isinstance(v, list):
                generated.extend((c, None) for c in v)  # type: ignore[misc]
            else:
                ctx.problem(kp, f"a list of column names expected, found {_kind_of(v)}")
        elif k == "exact_columns" and isinstance(v, bool):
            tb.extra["exact_columns"] = v
        elif k in ("description", "desc") and isinstance(v, str):
            tb.extra["description"] = v
        elif k == "schema" and isinstance(v, str):
            pass
        elif k in _INFO_KEYS:
            pass
        else:
            ctx.problem(kp, f"unrecognised table property {k!r} ignored")
    if not tb.columns:
        ctx.problem(path, "no fields/columns documented")
    for i, (col, expr) in enumerate(generated):
        gp = _p(_p(path, "generated_columns"), col if isinstance(expr, str) else i)
        if not isinstance(col, str):
            ctx.problem(gp, f"a column name expected, found {_short(col)}")
            continue
        spec = tb.columns.get(col)
        if col not in tb.columns:
            ctx.problem(gp, f"generated column {col} is not among the fields")
        elif isinstance(expr, str) and expr.strip():
            spec = {"type": spec} if isinstance(spec, str) else dict(spec)
            spec["generated"] = expr if expr.strip().startswith("(") else f"({expr.strip()})"
            tb.columns[col] = spec
        else:
            spec = {"type": spec} if isinstance(spec, str) else dict(spec)
            spec["x-generated"] = True
            tb.columns[col] = spec
            ctx.problem(
                gp,
                f"column {col} is documented as generated without its expression; "
                "'generated' needs the expression (not checked)",
            )
    ctx.table_columns[key] = set(tb.columns)
    for raw, kp in pending_indexes:
        tb.index_count += _add_indexes(
            ctx, raw, kp, tb.indexes, lambda cols, _p_: tb.unique.append(cols)
        )
    tables[key] = tb.build()
    ctx.table_paths[key] = path
    ctx.object_paths[("tables", key)] = path


def _named_items(
    ctx: _Ctx, raw: Any, path: str, reader: Callable[[_Ctx, Any, str], dict[str, Any] | None]
) -> dict[str, Any] | None:
    """Triggers / policies: a list of names, a list of ``{name: ...}`` objects, or a
    mapping name -> spec."""
    out: dict[str, Any] = {}
    if isinstance(raw, dict):
        for name, val in raw.items():
            if _is_ignored_key(name, val) or _named(ctx, name, _p(path, name)) is None:
                continue
            spec = reader(ctx, val, _p(path, name))
            if spec is not None:
                out[name] = spec
        return out
    if isinstance(raw, list):
        for i, item in enumerate(raw):
            ip = _p(path, i)
            if isinstance(item, str) and item.strip():
                out[item.strip()] = {}
            elif isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
                spec = reader(ctx, {k: v for k, v in item.items() if k != "name"}, ip)
                if spec is not None:
                    out[item["name"]] = spec
            else:
                ctx.problem(ip, f"a name or an object with a name expected, found {_short(item)}")
        return out
    ctx.problem(path, f"a list or mapping expected, found {_kind_of(raw)}")
    return None


def _table_group(ctx: _Ctx, group: Any, path: str) -> None:
    _walk_group(ctx, group, path, _table)


def _walk_group(ctx: _Ctx, group: Any, path: str, handler: Callable[[_Ctx, str, Any, str], None]) -> None:
    """Run ``handler(ctx, name, entry, path)`` on every entry of a group.  An entry whose
    key matches a group pattern and which has none of the properties of an object of
    this group (``core_enums: {...}`` inside ``enum_definitions``) is a nested group."""
    if not isinstance(group, dict):
        ctx.problem(path, f"a group (object) expected, found {_kind_of(group)}")
        return
    for name, entry in group.items():
        ep = _p(path, name)
        if _is_ignored_key(name, entry) or _named(ctx, name, ep) is None:
            continue
        nested = _recogniser(name) if isinstance(entry, dict) else None
        if nested is not None and not (_OBJECT_KEYS.get(handler, frozenset()) & set(entry)):
            _guarded(ctx, ep, nested[1], ctx, entry, ep)
            continue
        _guarded(ctx, ep, handler, ctx, name, entry, ep)


def _guarded(ctx: _Ctx, path: str, fn: Callable[..., None], *args: Any) -> None:
    """Run a recogniser; an unexpected failure on odd input becomes a problem naming the
    entry instead of aborting the whole import."""
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed
        ctx.problem(path, f"cannot read this entry ({type(exc).__name__}: {exc}); left out")


# -- enums -------------------------------------------------------------------


def _enum(ctx: _Ctx, name: str, entry: Any, path: str) -> None:
    labels: Any = None
    desc = None
    if isinstance(entry, list):
        labels = entry
    elif isinstance(entry, dict):
        labels = entry.get("values", entry.get("labels", entry.get("enum")))
        if labels is None and entry and all(
            isinstance(v, (list, dict)) or _is_ignored_key(k, v) for k, v in entry.items()
        ):
            # a nested group without the *_enums suffix (enum_definitions.core: {...})
            _enum_group(ctx, entry, path)
            return
        desc = _description(entry)
        for k in entry:
            if k.startswith("_"):
                continue
            if k not in ("values", "labels", "enum", "description", "schema", "type") and k not in _INFO_KEYS:
                ctx.problem(_p(path, k), f"unrecognised enum property {k!r} ignored")
    if not isinstance(labels, list):
        ctx.problem(path, f"enum labels expected (a list, or {{values: [...]}}), found {_short(entry)}")
        return
    out: list[str] = []
    for i, lab in enumerate(labels):
        if isinstance(lab, dict) and isinstance(lab.get("value", lab.get("label")), str):
            lab = lab.get("value", lab.get("label"))
        if isinstance(lab, str) and lab != "":
            out.append(lab)
        else:
            ctx.problem(_p(path, i), f"an enum label (string) expected, found {_short(lab)}")
    if not out:
        ctx.problem(path, "an enum without labels cannot be expressed")
        return
    if len(set(out)) != len(out):
        ctx.problem(path, "duplicate enum labels; each is kept once")
        out = list(dict.fromkeys(out))
    key = _qualify(name, entry if isinstance(entry, dict) else None)
    enums = ctx.section("enums")
    spec: Any = {"labels": out, "description": desc} if desc else out
    if key in enums:
        prev = enums[key] if isinstance(enums[key], list) else enums[key]["labels"]
        if prev != out:
            ctx.problem(
                path,
                f"enum {key} documented again with other labels (first at "
                f"{ctx.object_paths[('enum', key)]}); the first is kept",
            )
        return
    enums[key] = spec
    ctx.object_paths[("enum", key)] = path
    ctx.object_paths[("enums", key)] = path


def _enum_group(ctx: _Ctx, group: Any, path: str) -> None:
    _walk_group(ctx, group, path, _enum)


# -- views -------------------------------------------------------------------


def _view_columns(ctx: _Ctx, raw: Any, path: str) -> Any:
    if isinstance(raw, list):
        names: list[str] = []
        typed: dict[str, Any] = {}
        for i, item in enumerate(raw):
            ip = _p(path, i)
            if isinstance(item, str) and item.strip():
                toks = item.split(None, 1)
                if len(toks) == 2:
                    typ = _type_or_problem(ctx, ip, toks[1])
                    typed[toks[0]] = typ
                names.append(toks[0])
            elif isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
                names.append(item["name"])
                if "type" in item:
                    typed[item["name"]] = _type_or_problem(ctx, _p(ip, "type"), item["type"])
            else:
                ctx.problem(ip, f"a column name expected, found {_short(item)}")
        if typed:
            if len(typed) != len(names) or None in typed.values():
                return names  # types incomplete: compare names only (problems already noted)
            return {n: typed[n] for n in names}
        return names
    if isinstance(raw, dict):
        out: dict[str, Any] = {}
        all_typed = True
        for name, typ in raw.items():
            if name.startswith("_") or _named(ctx, name, _p(path, name), "column name") is None:
                continue
            if isinstance(typ, dict):
                typ = typ.get("type")
            t = _type_or_problem(ctx, _p(path, name), typ)
            all_typed &= t is not None
            out[name] = t
        return out if all_typed else list(out)
    ctx.problem(path, f"a list or mapping of columns expected, found {_kind_of(raw)}")
    return None


_VIEW_PROPERTIES = frozenset({"description", "desc", "definition", "sql", "query", "select", "type",
                              "kind", "schema"}) | _INFO_KEYS


def _view(ctx: _Ctx, name: str, entry: Any, path: str, materialized: bool = False) -> None:
    spec: dict[str, Any] = {}
    if isinstance(entry, list):
        cols = _view_columns(ctx, entry, path)
        if cols is not None:
            spec["columns"] = cols
    elif isinstance(entry, dict):
        visible = {k: v for k, v in entry.items() if not k.startswith("_")}
        if (
            visible
            and not ({"columns", "fields"} & set(visible))
            and all(isinstance(v, str) for v in visible.values())
            and set(visible) - _VIEW_PROPERTIES
        ):
            cols = _view_columns(ctx, entry, path)  # mapping name -> type
            if cols is not None:
                spec["columns"] = cols
        else:
            if entry.get("materialized") is True or str(entry.get("type", "")).lower() in (
                "materialized_view", "materialized view"
            ):
                materialized = True
            index_count = 0
            idx: dict[str, Any] = {}
            for k, v in entry.items():
                kp = _p(path, k)
                if k.startswith("_"):
                    continue
                if k in ("columns", "fields"):
                    cols = _view_columns(ctx, v, kp)
                    if cols is not None:
                        spec["columns"] = cols
                elif k in ("description", "desc") and isinstance(v, str):
                    spec["description"] = v
                elif k in ("materialized", "type", "kind", "schema"):
                    pass
                elif k in ("indexes", "indices"):
                    if materialized:
                        index_count += _add_indexes(ctx, v, kp, idx, None)
                    else:
                        ctx.problem(kp, "indexes on a (non-materialized) view cannot be expressed")
                elif k in ("definition", "sql", "query", "select"):
                    ctx.problem(kp, "a view definition cannot be expressed (only its columns are checked)")
                elif k in _INFO_KEYS:
                    pass
                else:
                    ctx.problem(kp, f"unrecognised view property {k!r} ignored")
            if index_count and "count" not in idx:
                base = index_count + len(idx.get("named", {}))
                idx["min_count"] = max(idx.get("min_count", 0), base)
            if idx:
                spec["indexes"] = _order(idx, ("count", "min_count", "exact", "named", UNNAMED_KEY))
    else:
        ctx.problem(path, f"a view description expected, found {_kind_of(entry)}")
        return
    if "columns" not in spec:
        ctx.problem(path, "no columns documented")
    key = _qualify(name, entry if isinstance(entry, dict) else None)
    section = ctx.section("materialized_views" if materialized else "views")
    if key in section:
        ctx.problem(path, f"{'materialized view' if materialized else 'view'} {key} documented twice; ignored")
        return
    section[key] = _order(spec, ("description", "columns", "indexes"))
    ctx.object_paths[("materialized_views" if materialized else "views", key)] = path


def _view_group(ctx: _Ctx, group: Any, path: str) -> None:
    _walk_group(ctx, group, path, _view)


def _mview_group(ctx: _Ctx, group: Any, path: str) -> None:
    _walk_group(ctx, group, path, lambda c, n, e, p: _view(c, n, e, p, materialized=True))


# -- functions -----------------------------------------------------------------

_MODES = ("IN", "OUT", "INOUT", "VARIADIC")


_ARG_KEYS = frozenset({"name", "type", "data_type", "mode", "default"})


def _arg_string(mode: str | None, name: str | None, typ: str, default: Any, has_default: bool) -> str:
    parts = [p for p in ((mode or "").upper(), name, typ) if p]
    if has_default:
        parts.append("DEFAULT " + (default if isinstance(default, str) else "NULL" if default is None
                                   else json.dumps(default)))
    return " ".join(parts)


def _loader_reads_argument(ctx: _Ctx, path: str, text: str) -> bool:
    try:
        from pytest_e2i_schema.contracts.loader import parse_argument
    except ImportError:  # pragma: no cover
        return True
    try:
        parse_argument(text)
    except (ValueError, TypeError) as exc:
        ctx.problem(path, f"cannot read argument {text!r}: {exc}")
        return False
    return True


def _is_type_word(ctx: _Ctx, word: str) -> bool:
    """Is a lone word in an argument list a type (rather than a parameter name)?  Built-in
    and shorthand types, spellings with modifiers/brackets, and the enums the document
    itself defines are types; any other bare identifier is taken as a parameter name
    (documents often list parameters by name only: ``agent, session, limit``)."""
    low = word.lower()
    if re.search(r"[(\[<]", low) or low.startswith(("enum[", "array<")):
        return True
    base = low.split(".")[-1]
    return base in _KNOWN_TYPES or base in _SERIALS or base in ctx.known_types or low in ctx.known_types


def _argument(ctx: _Ctx, raw: Any, path: str) -> str | dict[str, Any] | None:
    """One function argument: ``"[mode] [name] type [DEFAULT expr | = expr]"`` (normalised
    SQL string), ``{name, type, mode, default}``, or a bare parameter name (kept as
    ``{name: x}``: the name and the position are checked, not the type)."""
    if isinstance(raw, dict):
        mode, name, typ = raw.get("mode"), raw.get("name"), raw.get("type", raw.get("data_type"))
        for k in raw:
            if k not in _ARG_KEYS and not str(k).startswith("_") and k not in _FIELD_INFO_KEYS:
                ctx.problem(_p(path, k), f"unrecognised argument property {k!r} ignored")
        if mode is not None and not (isinstance(mode, str) and mode.strip().lower() in ("in", "out", "inout", "variadic")):
            ctx.problem(_p(path, "mode"), f"in, out, inout or variadic expected, found {_short(mode)}")
            return None
        if name is not None and not (isinstance(name, str) and re.fullmatch(_IDENT_RE, name.strip())):
            ctx.problem(_p(path, "name"), f"a parameter name expected, found {_short(name)}")
            return None
        default = raw.get("default")
        if "default" in raw and not isinstance(default, (str, int, float, bool, type(None))):
            ctx.problem(_p(path, "default"), f"a default expression expected, found {_short(default)}")
            return None
        if typ is None:
            if name is None:
                ctx.problem(path, "an argument needs a name or a type")
                return None
            out: dict[str, Any] = {"name": name.strip()}
            if mode is not None:
                out["mode"] = mode.strip().lower()
            if "default" in raw:
                out["default"] = default
            return out
        t = _type_or_problem(ctx, _p(path, "type"), typ)
        if t is None:
            return None
        text = _arg_string(mode.strip() if mode else None, name.strip() if name else None, t, default,
                           "default" in raw)
        return text if _loader_reads_argument(ctx, path, text) else None
    if not isinstance(raw, str) or not raw.strip():
        ctx.problem(path, f"an argument string expected, found {_short(raw)}")
        return None
    s = " ".join(raw.split())
    default = None
    m = re.match(r"^(.*?)\s+(?:DEFAULT\s+|=\s*)(.+)$", s, re.IGNORECASE)
    if m:
        s, default = m.group(1), m.group(2)
    toks = _tokens(s)
    mode = None
    if len(toks) > 1 and toks[0].upper() in _MODES:
        mode = toks.pop(0).upper()
    rest = " ".join(toks)
    if len(toks) == 1 or _is_multiword_type(rest):
        if not _is_type_word(ctx, rest) and re.fullmatch(_IDENT_RE, rest):
            out = {"name": rest}  # a parameter listed by name only
            if mode:
                out["mode"] = mode.lower()
            if default is not None:
                out["default"] = default
            return out
        name, type_text = None, rest
    else:
        name, type_text = toks[0], " ".join(toks[1:])
        if not re.fullmatch(_IDENT_RE, name):
            ctx.problem(path, f"cannot read argument {raw!r}: {name!r} is not a parameter name")
            return None
    try:
        typ = normalize_type(type_text)
        _loader_accepts(typ)
    except TypeSpellingError as exc:
        ctx.problem(path, f"unknown type '{type_text}' ({exc})")
        return None
    text = _arg_string(mode, name, typ, default, default is not None)
    return text if _loader_reads_argument(ctx, path, text) else None


def _is_multiword_type(text: str) -> bool:
    low = " ".join(text.lower().split())
    base = re.sub(r"\(.*?\)", "", low).strip()
    base = re.sub(r"\s+with(out)? time zone$", "", base)
    base = re.sub(r"(\[\])+$", "", base).strip()
    return " " in base and base in _KNOWN_TYPES or bool(re.fullmatch(r"(timestamp|time)\S* with(out)? time zone", low))


def _arguments(ctx: _Ctx, raw: Any, path: str) -> list[Any] | None:
    if raw is None or raw == "" or raw == [] or (isinstance(raw, str) and raw.strip().lower() in ("none", "()")):
        return []
    if isinstance(raw, str):
        raw_items = _split_top(_unparen(raw))
        items = [(it, path) for it in raw_items]
    elif isinstance(raw, list):
        items = [(it, _p(path, i)) for i, it in enumerate(raw)]
    elif isinstance(raw, dict):
        items = []
        for name, typ in raw.items():
            if isinstance(typ, dict):
                items.append(({"name": name, **typ}, _p(path, name)))
            else:
                items.append((f"{name} {typ}", _p(path, name)))
    else:
        ctx.problem(path, f"a list of arguments expected, found {_kind_of(raw)}")
        return None
    out = []
    ok = True
    for item, ip in items:
        a = _argument(ctx, item, ip)
        if a is None:
            ok = False
        else:
            out.append(a)
    return out if ok else None


def _returns(ctx: _Ctx, raw: Any, path: str) -> str | None:
    if isinstance(raw, dict):
        cols = raw.get("columns", raw.get("table"))
        if isinstance(cols, dict):
            parts = []
            for n, t in cols.items():
                tt = _type_or_problem(ctx, _p(_p(path, "columns"), n), t)
                if tt is None:
                    return None
                parts.append(f"{n} {tt}")
            ret = f"TABLE({', '.join(parts)})"
            return ("SETOF " + ret) if raw.get("setof") else ret
        if isinstance(raw.get("type"), str):
            t = _returns(ctx, raw["type"], _p(path, "type"))
            if t and raw.get("setof"):
                return "SETOF " + t
            return t
        ctx.problem(path, f"cannot read return type {_short(raw)}")
        return None
    if not isinstance(raw, str) or not raw.strip():
        ctx.problem(path, f"a return type expected, found {_short(raw)}")
        return None
    s = " ".join(raw.split())
    m = re.fullmatch(r"table\s*\((.*)\)", s, re.IGNORECASE)
    if m:
        parts = []
        for col in _split_top(m.group(1)):
            toks = col.split(None, 1)
            if len(toks) != 2:
                ctx.problem(path, f"cannot read TABLE column {col!r}")
                return None
            t = _type_or_problem(ctx, path, toks[1])
            if t is None:
                return None
            parts.append(f"{toks[0]} {t}")
        return f"TABLE({', '.join(parts)})"
    m = re.fullmatch(r"setof\s+(.+)", s, re.IGNORECASE)
    if m:
        t = _type_or_problem(ctx, path, m.group(1))
        return None if t is None else f"SETOF {t}"
    return _type_or_problem(ctx, path, s)


_VOLATILITY = {"immutable", "stable", "volatile"}


def _function(ctx: _Ctx, name: str, entry: Any, path: str) -> None:
    spec: dict[str, Any] = {}
    if isinstance(entry, str):
        entry = {"description": entry}
    if not isinstance(entry, dict):
        ctx.problem(path, f"a function description (object) expected, found {_kind_of(entry)}")
        return
    for k, v in entry.items():
        kp = _p(path, k)
        if k.startswith("_"):
            continue
        lk = k.lower()
        if lk in ("parameters", "arguments", "args", "params", "inputs"):
            args = _arguments(ctx, v, kp)
            if args is not None:
                spec["arguments"] = args
        elif lk in ("returns", "return_type", "return", "returns_type"):
            r = _returns(ctx, v, kp)
            if r is not None:
                spec["returns"] = r
        elif lk == "language":
            if isinstance(v, str) and v.strip():
                spec["language"] = v.strip().lower()
            else:
                ctx.problem(kp, f"a language name expected, found {_short(v)}")
        elif lk in ("volatility", "stability"):
            if isinstance(v, str) and v.lower() in _VOLATILITY:
                spec["volatility"] = v.lower()
            else:
                ctx.problem(kp, f"immutable, stable or volatile expected, found {_short(v)}")
        elif lk in _VOLATILITY and v is True:
            spec["volatility"] = lk
        elif lk in ("strict", "leakproof") and isinstance(v, bool):
            spec[lk] = v
        elif lk == "parallel":
            if isinstance(v, str) and v.lower().removeprefix("parallel ") in ("safe", "restricted", "unsafe"):
                spec["parallel"] = v.lower().removeprefix("parallel ")
            else:
                ctx.problem(kp, f"safe, restricted or unsafe expected, found {_short(v)}")
        elif lk in ("security_definer", "definer") and isinstance(v, bool):
            spec["security_definer"] = v
        elif lk == "security":
            if isinstance(v, str) and v.strip().upper().removeprefix("SECURITY ") in ("DEFINER", "INVOKER"):
                spec["security_definer"] = v.strip().upper().endswith("DEFINER")
            else:
                ctx.problem(kp, f"DEFINER or INVOKER expected, found {_short(v)}")
        elif lk in ("settings", "config", "set"):
            if isinstance(v, dict):
                spec.setdefault("settings", {}).update(
                    {str(a): b if isinstance(b, (str, int, float, bool)) else json.dumps(b) for a, b in v.items()}
                )
            else:
                ctx.problem(kp, f"a mapping of settings expected, found {_kind_of(v)}")
        elif lk == "search_path":
            spec.setdefault("settings", {})["search_path"] = ", ".join(v) if isinstance(v, list) else str(v)
        elif lk in ("kind", "type", "function_type"):
            t = str(v).lower()
            if t in ("procedure", "aggregate", "window"):
                spec["kind"] = t
            elif t in ("function", "trigger", "trigger_function", "trigger function", "rpc",
                       "utility", "sql", "plpgsql", "aggregate_helper"):
                if t.startswith("trigger") and "returns" not in entry and "return_type" not in entry:
                    spec["returns"] = "trigger"
            else:
                ctx.problem(kp, f"unrecognised function kind {_short(v)} ignored")
        elif lk in ("description", "desc") and isinstance(v, str):
            spec["description"] = v
        elif lk in ("schema",):
            pass
        elif lk in _INFO_KEYS or lk in ("purpose", "summary", "called_by", "trigger_on", "used_by_triggers",
                                        "tables", "affects", "side_effects"):
            pass
        else:
            ctx.problem(kp, f"unrecognised function property {k!r} ignored")
    key = _qualify(name, entry, function=True)
    try:
        from pytest_e2i_schema.contracts.loader import parse_signature
    except ImportError:  # pragma: no cover
        parse_signature = None
    if parse_signature is not None:
        try:
            parse_signature(key)
        except (ValueError, TypeError) as exc:
            ctx.problem(path, f"cannot read the function name or signature: {exc}")
            return
    section = ctx.section("functions")
    if key in section:
        ctx.problem(path, f"function {key} documented twice; ignored")
        return
    section[key] = _order(
        spec,
        ("description", "arguments", "returns", "language", "volatility", "strict",
         "security_definer", "leakproof", "parallel", "settings", "kind"),
    )
    ctx.object_paths[("functions", key)] = path


def _function_group(ctx: _Ctx, group: Any, path: str) -> None:
    if isinstance(group, list):  # [{name: ..., ...}]
        for i, item in enumerate(group):
            ip = _p(path, i)
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                _function(ctx, item["name"], {k: v for k, v in item.items() if k != "name"}, ip)
            else:
                ctx.problem(ip, f"a function object with a name expected, found {_short(item)}")
        return
    _walk_group(ctx, group, path, _function)


# -- triggers / policies / indexes grouped at top level -------------------------


def _attach(ctx: _Ctx, entry: Any, path: str, what: str) -> str | None:
    table = entry.get("table", entry.get("on", entry.get("on_table"))) if isinstance(entry, dict) else None
    if not isinstance(table, str):
        ctx.problem(path, f"{what} without a 'table' cannot be attached")
        return None
    tables = ctx.contract.get("tables", {})
    for key in (table, f"public.{table}", table.removeprefix("public.")):
        if key in tables:
            return key
    ctx.problem(path, f"{what} on table {table}, which is not documented; ignored")
    return None


def _trigger_group(ctx: _Ctx, group: Any, path: str) -> None:
    def later() -> None:
        def handler(c: _Ctx, name: str, entry: Any, p: str) -> None:
            key = _attach(c, entry, p, f"trigger {name}")
            spec = _trigger_spec(c, entry, p) if key else None
            if key and spec is not None:
                c.contract["tables"][key].setdefault("triggers", {})[name] = spec
        _walk_group(ctx, group, path, handler)
    ctx.deferred.append(later)


def _policy_group(ctx: _Ctx, group: Any, path: str) -> None:
    def later() -> None:
        def handler(c: _Ctx, name: str, entry: Any, p: str) -> None:
            key = _attach(c, entry, p, f"policy {name!r}")
            spec = _policy_spec(c, entry, p) if key else None
            if key and spec is not None:
                c.contract["tables"][key].setdefault("policies", {})[name] = spec
        _walk_group(ctx, group, path, handler)
    ctx.deferred.append(later)


def _index_group(ctx: _Ctx, group: Any, path: str) -> None:
    """``{idx_name: {table, columns, ...}}`` or ``{idx_name: "CREATE INDEX ..."}`` or
    ``{table_name: [index strings]}``."""

    def later() -> None:
        if not isinstance(group, dict):
            ctx.problem(path, f"a group (object) expected, found {_kind_of(group)}")
            return
        tables = ctx.contract.get("tables", {})
        for name, entry in group.items():
            ip = _p(path, name)
            if _is_ignored_key(name, entry):
                continue
            if isinstance(entry, list) and (name in tables or f"public.{name}" in tables):
                key = name if name in tables else f"public.{name}"
                idx = tables[key].setdefault("indexes", {})
                n = _add_indexes(ctx, entry, ip, idx, lambda cols, _: tables[key].setdefault("unique", []).append(cols))
                if n:
                    idx["min_count"] = idx.get("min_count", 0) + n
                continue
            ix = _parse_index(entry)
            if ix is None:
                ctx.problem(ip, f"cannot read index {_short(entry)}")
                continue
            if ix.table is None:
                ctx.problem(ip, f"index {name} without a 'table' cannot be attached")
                continue
            key = _attach(ctx, {"table": ix.table}, ip, f"index {name}")
            if key:
                tables[key].setdefault("indexes", {}).setdefault("named", {})[ix.name or name] = ix.named_spec()

    ctx.deferred.append(later)


# -- metadata, totals, extensions ------------------------------------------------------

_TOTAL_KINDS = {
    "tables": "tables",
    "enums": "enums",
    "enum_types": "enums",
    "types": "enums",
    "views": "views",
    "materialized_views": "materialized_views",
    "mviews": "materialized_views",
    "functions": "functions",
    "indexes": "indexes",
    "indices": "indexes",
    "triggers": "triggers",
    "policies": "policies",
    "rls_policies": "policies",
    "partitions": "partitions",
    "domains": "domains",
    "procedures": "procedures",
    "aggregates": "aggregates",
    "sequences": "sequences",
    "extensions": "extensions",
    "schemas": "schemas",
}


def _total_value(ctx: _Ctx, raw: Any, path: str) -> Any:
    if isinstance(raw, bool):
        pass
    elif isinstance(raw, int) and raw >= 0:
        return raw
    elif isinstance(raw, dict) and set(raw) <= {"min", "max"} and raw:
        return dict(raw)
    elif isinstance(raw, str):
        s = raw.strip()
        if re.fullmatch(r"\d+", s):
            return int(s)
        m = re.fullmatch(r"(\d+)\s*\+|>=\s*(\d+)|at least\s+(\d+)", s, re.IGNORECASE)
        if m:
            return {"min": int(next(g for g in m.groups() if g))}
        m = re.fullmatch(r"<=\s*(\d+)|at most\s+(\d+)", s, re.IGNORECASE)
        if m:
            return {"max": int(next(g for g in m.groups() if g))}
    ctx.problem(path, f"a count expected, found {_short(raw)}")
    return None


def _total(ctx: _Ctx, key: str, raw: Any, path: str, prefixed: bool = True) -> bool:
    """Read ``total_<kind>``; True when ``key`` is a total (read or reported)."""
    if prefixed:
        if not key.startswith("total_"):
            return False
        kind = key[len("total_"):]
    else:
        kind = key.removeprefix("total_")
    target = _TOTAL_KINDS.get(kind)
    if target is None:
        ctx.problem(path, f"count of {kind} cannot be expressed (totals support "
                    + ", ".join(sorted(set(_TOTAL_KINDS.values()))) + ")")
        return True
    val = _total_value(ctx, raw, path)
    if val is None:
        return True
    totals = ctx.section("totals")
    # A document's totals count what the document describes (seed 000's metadata, seed 001's
    # statistics table), not the whole database: check them with scope: file.
    totals.setdefault("scope", "file")
    if target in totals and totals[target] != val:
        ctx.problem(path, f"{target} total {val} disagrees with {totals[target]} given before; the first is kept")
        return True
    totals.setdefault(target, val)
    return True


def _totals_group(ctx: _Ctx, group: Any, path: str) -> None:
    if not isinstance(group, dict):
        ctx.problem(path, f"a mapping of counts expected, found {_kind_of(group)}")
        return
    for k, v in group.items():
        if not _is_ignored_key(k, v):
            _total(ctx, k, v, _p(path, k), prefixed=False)


def _extensions(ctx: _Ctx, raw: Any, path: str) -> None:
    """``[vector, uuid-ossp]``, ``[{name, version, schema}]`` or ``{vector: {version}}`` /
    ``{vector: "0.8.0"}``; collected as a mapping, written as a list when nothing but
    names is known."""
    ext: dict[str, Any] = ctx.contract.setdefault("extensions", {})
    if isinstance(raw, list):
        items = []
        for i, e in enumerate(raw):
            if isinstance(e, str) and e.strip():
                items.append((e.strip(), {}, _p(path, i)))
            elif isinstance(e, dict) and isinstance(e.get("name"), str) and e["name"].strip():
                items.append((e["name"].strip(), {k: v for k, v in e.items() if k != "name"}, _p(path, i)))
            else:
                ctx.problem(_p(path, i), f"an extension name expected, found {_short(e)}")
    elif isinstance(raw, dict):
        items = [(name, spec, _p(path, name)) for name, spec in raw.items()
                 if not _is_ignored_key(name, spec) and _named(ctx, name, _p(path, name), "extension name")]
    else:
        ctx.problem(path, f"a list of extensions expected, found {_kind_of(raw)}")
        return
    for name, spec, ip in items:
        out: dict[str, Any] = {}
        if isinstance(spec, dict):
            for k, v in spec.items():
                if str(k).startswith("_"):
                    continue
                if k == "version" and isinstance(v, (str, int, float)) and not isinstance(v, bool):
                    out["version"] = str(v)
                elif k == "schema" and isinstance(v, str) and v.strip():
                    out["schema"] = v.strip()
                elif k not in _INFO_KEYS and k not in _DESCRIPTION_KEYS:
                    ctx.problem(_p(ip, k), f"unrecognised extension property {k!r} ignored")
        elif isinstance(spec, str) and re.fullmatch(r"\d+(\.\d+)*", spec.strip()):
            out["version"] = spec.strip()
        ext[name.strip()] = out


def _finish_extensions(ctx: _Ctx) -> None:
    ext = ctx.contract.get("extensions")
    if isinstance(ext, dict) and ext and not any(ext.values()):
        ctx.contract["extensions"] = list(ext)


_VERSION_KEYS = ("schema_version", "version")
_META_INFO = frozenset({"created_date", "created", "created_at", "last_updated", "updated",
                        "updated_at", "author", "authors", "owner", "database", "platform",
                        "generated_at", "generated_by", "title", "name", "status", "notes",
                        "purpose", "source", "environment", "project", "maintainer",
                        "last_verified", "verified_at", "documentation_version", "scope",
                        "categories", "license", "comment", "changes"})


def _metadata(ctx: _Ctx, meta: Any, path: str) -> None:
    if not isinstance(meta, dict):
        ctx.problem(path, f"an object expected, found {_kind_of(meta)}")
        return
    for k, v in meta.items():
        _scalar_entry(ctx, k, v, _p(path, k), in_metadata=True)


def _scalar_entry(ctx: _Ctx, k: str, v: Any, path: str, in_metadata: bool) -> None:
    if k.startswith("_"):
        return
    if k in _VERSION_KEYS:
        if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip():
            ctx.contract.setdefault("schema_version", str(v).strip())
        else:
            ctx.problem(path, f"a version string expected, found {_short(v)}")
    elif k in ("description", "purpose", "title") and isinstance(v, str):
        ctx.contract.setdefault("description", v)
    elif _total(ctx, k, v, path):
        pass
    elif k in ("totals", "statistics", "counts", "object_counts"):
        _totals_group(ctx, v, path)
    elif k in ("extensions", "required_extensions"):
        _extensions(ctx, v, path)
    elif k in _META_INFO or k in _IGNORED_GROUPS:
        pass
    elif in_metadata and not isinstance(v, (dict, list)):
        pass  # other metadata scalars are informational
    elif in_metadata:
        ctx.problem(path, f"unrecognised metadata entry {k!r} ignored")
    else:
        ctx.problem(path, f"unrecognised top-level entry {k!r} ignored")


# -- the recogniser table -------------------------------------------------------------

_IGNORED_GROUPS = frozenset({"version_history", "changelog", "change_log", "history", "changes",
                             "references", "glossary", "conventions", "naming_conventions"})


def _ignore(ctx: _Ctx, group: Any, path: str) -> None:
    """Informational groups: version history, changelog, glossary."""


def _exact_or_suffix(*names: str, suffixes: tuple[str, ...] = ()) -> Callable[[str], bool]:
    return lambda key: key in names or (bool(suffixes) and key.endswith(suffixes))


_GROUP_RECOGNISERS: list[tuple[str, Callable[[str], bool], Callable[[_Ctx, Any, str], None]]] = [
    ("metadata", _exact_or_suffix("metadata", "schema_metadata", "meta", "_metadata"), _metadata),
    ("totals", _exact_or_suffix("totals", "statistics", "counts", "object_counts"), _totals_group),
    ("extensions", _exact_or_suffix("extensions", "required_extensions"), _extensions),
    ("informational", lambda k: k in _IGNORED_GROUPS, _ignore),
    ("enums", _exact_or_suffix("enums", "enum_definitions", "enum_types", suffixes=("_enums",)), _enum_group),
    ("materialized views", _exact_or_suffix("materialized_views", suffixes=("_materialized_views",)),
     _mview_group),
    ("views", _exact_or_suffix("views", suffixes=("_views",)), _view_group),
    ("functions", _exact_or_suffix("functions", "procedures", "rpc",
                                   suffixes=("_functions", "_procedures")), _function_group),
    ("tables", _exact_or_suffix("entities", "tables", suffixes=("_entities", "_tables")), _table_group),
    ("triggers", _exact_or_suffix("triggers", suffixes=("_triggers",)), _trigger_group),
    ("policies", _exact_or_suffix("policies", "rls_policies", suffixes=("_policies",)), _policy_group),
    ("indexes", _exact_or_suffix("indexes", suffixes=("_indexes",)), _index_group),
]


# Properties that make an entry an object of a group rather than a nested group.
_OBJECT_KEYS: dict[Any, frozenset[str]] = {
    _table: frozenset({"fields", "columns", "primary_key", "properties", "attributes", "pk"}),
    _view: frozenset({"columns", "fields", "materialized", "definition"}),
    _function: frozenset({"parameters", "arguments", "args", "params", "returns", "return_type",
                          "language"}),
    _enum: frozenset({"values", "labels", "enum"}),
}


def _recogniser(key: str) -> tuple[str, Callable[[_Ctx, Any, str], None]] | None:
    for label, match, handler in _GROUP_RECOGNISERS:
        if match(key):
            return label, handler
    return None


# ---------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------

_SECTION_ORDER = ("schema_version", "description", "options", "extensions", "enums", "tables",
                  "views", "materialized_views", "functions", "totals")


def _prescan_enum_names(data: dict[str, Any]) -> set[str]:
    """Names (lower case) of the enums defined anywhere in the document's enum groups."""
    names: set[str] = set()

    def walk(group: Any) -> None:
        if not isinstance(group, dict):
            return
        for name, entry in group.items():
            if not isinstance(name, str) or name.startswith("_"):
                continue
            if isinstance(entry, list) or (isinstance(entry, dict) and ({"values", "labels"} & set(entry))):
                names.add(name.strip().lower())
                names.add(name.strip().lower().split(".")[-1])
            elif isinstance(entry, dict):
                walk(entry)

    for key, value in data.items():
        rec = _recogniser(key) if isinstance(key, str) else None
        if rec is not None and rec[0] == "enums":
            walk(value)
    return names


def import_doc_data(data: Any) -> tuple[dict[str, Any], list[str]]:
    """Convert an already parsed documentation JSON (see :func:`import_doc`)."""
    ctx = _Ctx()
    if not isinstance(data, dict):
        ctx.problem("$", f"a JSON object expected, found {_kind_of(data)}")
        return {"schema_version": "unknown"}, ctx.problems
    ctx.known_types = _prescan_enum_names(data)
    # metadata first, so that its version wins over a stray top-level one
    ordered = sorted(data.items(), key=lambda kv: 0 if kv[0] in ("metadata", "schema_metadata") else 1)
    for key, value in ordered:
        path = _p("$", key)
        if not isinstance(key, str) or key.startswith("_"):
            continue
        rec = _recogniser(key) if isinstance(value, (dict, list)) else None
        if rec is not None:
            _guarded(ctx, path, rec[1], ctx, value, path)
        else:
            _guarded(ctx, path, _scalar_entry, ctx, key, value, path, False)
    for later in ctx.deferred:
        _guarded(ctx, "$", later)
    if "schema_version" not in ctx.contract:
        ctx.problem("$", "no schema_version/version found (metadata or top level); 'unknown' used")
        ctx.contract["schema_version"] = "unknown"
    _finish_extensions(ctx)
    for section in list(ctx.contract):
        if isinstance(ctx.contract[section], (dict, list)) and not ctx.contract[section]:
            del ctx.contract[section]
    _safety_net(ctx)
    return _order(ctx.contract, _SECTION_ORDER), ctx.problems


def _contract_path_text(cpath: tuple) -> str:
    out = ""
    for part in cpath:
        out = _p(out, part) if out else (str(part) if isinstance(part, str) else f"[{part}]")
    return out


def _safety_net(ctx: _Ctx) -> None:
    """Last line of defence: validate the result with the contract loader's own checks
    (JSON Schema + semantic checks) and leave out -- with a problem naming the
    documentation path -- whatever the recognisers let through that the loader would
    reject, so that an imported contract always loads."""
    try:
        from pytest_e2i_schema.contracts.loader import _schema_problems, _semantic_problems
        from pytest_e2i_schema.contracts.model import Options
    except ImportError:  # pragma: no cover - the loader ships with this package
        return
    for _round in range(8):
        try:
            found = list(_schema_problems(ctx.contract)) + list(_semantic_problems(ctx.contract, Options()))
        except Exception:  # pragma: no cover - the loader's internals changed
            return
        if not found:
            return
        removals: list[tuple] = []
        for _line, cpath, message in found:
            cpath = tuple(cpath)
            if len(cpath) < 2:
                target = cpath  # a top-level key
            else:
                # leave out the offending leaf; on later rounds, when leaving out leaves
                # is not enough, the whole object
                target = cpath if _round < 4 else cpath[:2]
            doc_path = ctx.object_paths.get(tuple(cpath[:2]), "$") if len(cpath) >= 2 else "$"
            ctx.problem(doc_path, f"{message} (at {_contract_path_text(cpath)} of the contract); left out")
            removals.append(target)
        for target in sorted(set(removals), key=lambda t: (len(t), [(0, x, "") if isinstance(x, int) else (1, 0, str(x)) for x in t]),
                             reverse=True):
            _remove(ctx.contract, target)
        if "schema_version" not in ctx.contract:
            ctx.contract["schema_version"] = "unknown"


def _remove(node: Any, cpath: tuple) -> None:
    for part in cpath[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    try:
        del node[cpath[-1]]
    except (KeyError, IndexError, TypeError):
        pass


def import_doc(path: Path | str) -> tuple[dict[str, Any], list[str]]:
    """Read a documentation JSON and convert it into a contract dict.

    Returns ``(contract, problems)``; each problem is ``"<json path>: <message>"``.
    A file that is not valid JSON raises :class:`ValueError` naming the file and line.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    return import_doc_data(data)


def import_doc_to_yaml(path: Path | str) -> tuple[str, list[str]]:
    """:func:`import_doc`, rendered as contract YAML (for the CLI).

    Uses the contract writer :func:`pytest_e2i_schema.contracts.generate.dump_yaml` when
    it is available (readable, minimal quoting), else ``yaml.safe_dump``.  The header
    comment names the source and lists the problems, so the file says what was not
    carried over.
    """
    p = Path(path)
    contract, problems = import_doc(p)
    header_lines = [
        f"Schema contract imported from the documentation JSON {p.name} by pytest-e2i-schema.",
        "Every property written here is compared with the migrated database (x- keys are notes only).",
    ]
    if problems:
        header_lines.append(f"Not carried over ({len(problems)}):")
        header_lines.extend(f"  {prob}" for prob in problems)
    header = "\n".join(header_lines)
    try:
        from pytest_e2i_schema.contracts.generate import dump_yaml
    except ImportError:  # pragma: no cover - generate ships with this package
        dump_yaml = None
    if dump_yaml is not None:
        return dump_yaml(contract, header=header), problems
    import yaml

    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + yaml.safe_dump(contract, sort_keys=False, allow_unicode=True, width=100), problems
