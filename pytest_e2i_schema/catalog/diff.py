"""One diff engine over the catalog model: what was added, removed and changed, field by field.

Why here and why hand-written: snapshots (a committed text file parsed back to a dict),
``e2i-schema diff`` (two live catalogs), migration history (consecutive catalogs), drift
and lint all ask the same question -- "what is different, in words a reviewer can act
on?".  The comparison works on the plain ``Catalog.to_dict()`` form, so a catalog read
from a server and one parsed from a snapshot go through exactly the same code.  It is a
small recursive comparison that knows the model (columns are matched by name, enum labels
keep their order, policy roles are a set), not a text diff.

The *review view* (:func:`normalize`, the default for :func:`diff_catalogs`) drops fields
that are derivable from others or depend on the engine rather than on the migrations:

* column ``short_type``/``type_schema``/``type_name``/``type_kind``/``element_type``
  (all spelled out by ``type``);
* constraint, index and trigger fields that their server-deparsed ``definition``
  already states (columns, actions, key expressions, WHEN conditions ...);
* function ``identity_arguments`` (part of the key), ``args``, ``return_type`` and
  ``returns_set`` (stated by ``arguments`` and ``result``);
* extension ``version``: it belongs to the server's packages, not to the migrations,
  and differs between engines of the same PostgreSQL major version.

``diff_catalogs(a, b, full=True)`` compares everything instead.

Rendering (:meth:`CatalogDiff.lines`, :meth:`CatalogDiff.markdown`) is grouped into added,
removed and changed, each ordered by kind (schemas, extensions, tables, ... policies) and
key, one self-contained line per field change::

    table memories: column importance: type text -> memory_importance
    enum shap_analysis_type: + local_realtime (after summary)
    policy "own rows" on memories: roles {authenticated} -> {anon, authenticated}
    function hybrid_search_memories(text, vector, uuid, ...): search_path public -> (unset)

Names in ``public`` are shown unqualified; other schemas are kept.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from .catalog import OBJECT_TYPES

__all__ = [
    "MISSING",
    "SECTIONS",
    "DERIVED_FIELDS",
    "FieldChange",
    "ObjectChange",
    "CatalogDiff",
    "diff_catalogs",
    "normalize",
    "object_label",
    "display_name",
    "canonical_kind",
]

#: kind -> section name of ``Catalog.to_dict()``.
SECTIONS: dict[str, str] = {
    "schema": "schemas",
    "extension": "extensions",
    "table": "tables",
    "view": "views",
    "enum": "enums",
    "domain": "domains",
    "function": "functions",
    "sequence": "sequences",
    "index": "indexes",
    "trigger": "triggers",
    "policy": "policies",
}
_KIND_OF_SECTION = {v: k for k, v in SECTIONS.items()}
_KIND_ORDER = {k: i for i, k in enumerate(OBJECT_TYPES)}

#: Fields left out of the review view (see the module docstring), per record type.
DERIVED_FIELDS: dict[str, tuple[str, ...]] = {
    "column": ("short_type", "type_schema", "type_name", "type_kind", "element_type"),
    "constraint": (
        "kind", "columns", "expression", "references", "referenced_columns", "on_update", "on_delete",
        "on_delete_set_columns", "match", "deferrable", "initially_deferred", "validated", "enforced",
        "no_inherit",
    ),
    "index": ("method", "keys", "include", "unique", "predicate", "options", "nulls_not_distinct"),
    "trigger": (
        "timing", "events", "level", "function", "arguments", "update_columns", "condition", "constraint",
        "deferrable", "initially_deferred", "old_table", "new_table",
    ),
    "function": ("identity_arguments", "args", "return_type", "returns_set"),
    "extension": ("version",),
}  # fmt: skip

#: List fields whose elements are records matched by their ``name``.
_NAMED_LISTS = frozenset({"columns"})
#: Fields shown as sets (order carries no meaning).
_SET_FIELDS = frozenset({"roles"})
#: Dict fields whose entries are settings: a missing entry reads ``(unset)``.
_SETTING_FIELDS = frozenset({"config", "options"})
_MULTILINE_SHOWN = 12


class _Missing:
    """Marks a field or entry that does not exist on one side of a change."""

    _instance = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FieldChange(NamedTuple):
    """One difference inside an object: ``path`` of field names (and record names), old, new.

    ``old``/``new`` is :data:`MISSING` when the field or entry exists on one side only,
    e.g. ``(("columns", "importance"), MISSING, {...})`` for an added column.
    """

    path: tuple[str, ...]
    old: Any
    new: Any


@dataclass(frozen=True)
class ObjectChange:
    """An added, removed or changed object.  ``old``/``new`` are its dicts (None when absent)."""

    status: str  # added | removed | changed
    kind: str
    key: str
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    changes: tuple[FieldChange, ...] = ()

    @property
    def data(self) -> dict[str, Any]:
        """The object's fields on the side where it exists (the new side when changed)."""
        return self.new if self.new is not None else (self.old or {})

    @property
    def label(self) -> str:
        """``table memories``, ``policy "own rows" on memories``, ``function f(text, ...)``."""
        return object_label(self.kind, self.key, self.data)

    @property
    def parent(self) -> str | None:
        """``schema.table`` of the table or view an index, trigger or policy belongs to."""
        return _parent(self.kind, self.key, self.data)

    def is_object(self, kind: str, key: str) -> bool:
        """Whether this is the change of that object (``kind``/``key`` as :meth:`CatalogDiff.touches`
        takes them)."""
        kind = canonical_kind(kind)
        return self.kind == kind and _key_matches(kind, self.key, _qualify_key(kind, key))

    def lines(self) -> list[str]:
        """This change rendered as self-contained lines (continuation lines are indented)."""
        if self.status == "added":
            detail = _describe(self.kind, self.new or {})
            return [self.label + (f" {detail}" if detail else "")]
        if self.status == "removed":
            return [self.label]
        out: list[str] = []
        for text in _render_changes(self.kind, self.old or {}, self.new or {}, self.changes):
            first, *rest = text.split("\n")
            out.append(f"{self.label}: {first}")
            out.extend(rest)
        return out


_VERBS = {"added": "added", "removed": "removed", "changed": "changed"}


@dataclass(frozen=True)
class CatalogDiff:
    """Added, removed and changed objects, each ordered by kind then key."""

    added: tuple[ObjectChange, ...] = ()
    removed: tuple[ObjectChange, ...] = ()
    changed: tuple[ObjectChange, ...] = ()
    _index: dict[tuple[str, str], ObjectChange] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(c.kind, c.key): c for c in self})

    # -- inspection --------------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def __bool__(self) -> bool:
        return not self.is_empty

    def __iter__(self) -> Iterator[ObjectChange]:
        yield from self.added
        yield from self.removed
        yield from self.changed

    def __len__(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    def filter(self, keep: Callable[[ObjectChange], bool]) -> CatalogDiff:
        """A diff holding only the changes ``keep`` accepts."""
        return CatalogDiff(tuple(c for c in self.added if keep(c)), tuple(c for c in self.removed if keep(c)),
                           tuple(c for c in self.changed if keep(c)))

    def get(self, kind: str, key: str) -> ObjectChange | None:
        return self._index.get((kind, key))

    def summary(self, verbs: dict[str, str] | None = None) -> str:
        """``2 added, 0 removed, 1 changed`` (or ``no differences``)."""
        if self.is_empty:
            return "no differences"
        v = {**_VERBS, **(verbs or {})}
        return f"{len(self.added)} {v['added']}, {len(self.removed)} {v['removed']}, {len(self.changed)} {v['changed']}"

    def touches(self, kind: str, key: str, *, children: bool = True) -> bool:
        """Whether this diff adds, removes or changes that object.

        ``kind`` singular or plural (``table``/``tables``; ``materialized_view`` means
        ``view``).  ``key`` may be unqualified (``public`` is assumed); for functions a bare
        name matches every overload and a signature may list argument types only
        (``public.f(text, integer)``).  With ``children``, a change to an index, trigger or
        policy of a table/view counts as touching the table/view.
        """
        kind = canonical_kind(kind)
        want = _qualify_key(kind, key)
        for change in self:
            if change.is_object(kind, key):
                return True
            if children and kind in ("table", "view") and change.parent == want:
                return True
        return False

    # -- rendering ---------------------------------------------------------------------
    def lines(self, *, verbs: dict[str, str] | None = None, indent: str = "  ") -> list[str]:
        """Human report: ``added (n):`` / ``removed (n):`` / ``changed (n):`` sections, one
        line per object or field change.  ``verbs`` renames the sections (``history``
        says created/dropped)."""
        v = {**_VERBS, **(verbs or {})}
        out: list[str] = []
        for status, items in (("added", self.added), ("removed", self.removed), ("changed", self.changed)):
            if not items:
                continue
            out.append(f"{v[status]} ({len(items)}):")
            for change in items:
                out.extend(f"{indent}{line}" for line in change.lines())
        return out

    def text(self, **kw: Any) -> str:
        return "\n".join(self.lines(**kw)) if self else "no differences"

    def markdown(self, title: str = "Database schema changes", *, verbs: dict[str, str] | None = None) -> str:
        """A PR comment: a heading with the counts, then bullet lists per section; multi-line
        changes (function bodies, view definitions) as ``diff`` code blocks."""
        v = {**_VERBS, **(verbs or {})}
        if self.is_empty:
            return f"### {title}\n\nNo differences.\n"
        out = [f"### {title}", "", f"{self.summary(verbs)}.", ""]
        for status, items in (("added", self.added), ("removed", self.removed), ("changed", self.changed)):
            if not items:
                continue
            out.append(f"**{v[status].capitalize()}** ({len(items)})")
            out.append("")
            for change in items:
                out.extend(_markdown_change(change))
            out.append("")
        return "\n".join(out).rstrip("\n") + "\n"


# -- building a diff -------------------------------------------------------------------


def normalize(catalog: Any, *, full: bool = False) -> dict[str, dict[str, Any]]:
    """The dict form of ``catalog`` (a :class:`Catalog` or its ``to_dict()`` form) as
    :func:`diff_catalogs` compares it: every section present and, unless ``full``, the
    review view (derived and engine-specific fields dropped, see the module docstring).

    Catalogs are converted with ``function_source="text"`` so bodies can be compared line by
    line.  Idempotent.
    """
    if hasattr(catalog, "to_dict") and not isinstance(catalog, dict):
        catalog = catalog.to_dict(function_source="text")
    unknown = set(catalog) - set(SECTIONS.values())
    if unknown:
        raise ValueError(f"not a catalog dict: unknown section(s) {sorted(unknown)}; expected {list(SECTIONS.values())}")
    out: dict[str, dict[str, Any]] = {}
    for kind in OBJECT_TYPES:
        section = SECTIONS[kind]
        objs = catalog.get(section) or {}
        out[section] = {key: _normalize_object(kind, data, full) for key, data in sorted(objs.items())}
    return out


def _drop(data: dict[str, Any], record: str, full: bool) -> dict[str, Any]:
    if full:
        return dict(data)
    drop = DERIVED_FIELDS.get(record, ())
    return {k: v for k, v in data.items() if k not in drop}


def _normalize_object(kind: str, data: dict[str, Any], full: bool) -> dict[str, Any]:
    out = _drop(data, kind, full)
    if isinstance(out.get("columns"), list):
        out["columns"] = [_drop(c, "column", full) for c in out["columns"]]
    if isinstance(out.get("constraints"), dict):
        out["constraints"] = {n: _drop(c, "constraint", full) for n, c in sorted(out["constraints"].items())}
    if kind == "function" and "source" in out:
        out.pop("source_sha256", None)
    return out


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def diff_catalogs(old: Any, new: Any, *, full: bool = False) -> CatalogDiff:
    """Differences from ``old`` to ``new``: each a :class:`~.catalog.Catalog` or a dict in the
    ``Catalog.to_dict()`` layout (e.g. parsed from a snapshot).  ``full`` compares every
    field instead of the review view."""
    a, b = normalize(old, full=full), normalize(new, full=full)
    added: list[ObjectChange] = []
    removed: list[ObjectChange] = []
    changed: list[ObjectChange] = []
    for kind in OBJECT_TYPES:
        section = SECTIONS[kind]
        olds, news = a[section], b[section]
        for key in sorted(set(olds) | set(news)):
            if key not in olds:
                added.append(ObjectChange("added", kind, key, None, news[key]))
            elif key not in news:
                removed.append(ObjectChange("removed", kind, key, olds[key], None))
            else:
                o, n = olds[key], news[key]
                if kind == "function":
                    o, n = _comparable_sources(o, n)
                changes = tuple(_diff_value((), o, n))
                if changes:
                    changed.append(ObjectChange("changed", kind, key, olds[key], news[key], changes))
    return CatalogDiff(tuple(added), tuple(removed), tuple(changed))


def _comparable_sources(o: dict[str, Any], n: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A body on one side and only its hash on the other: compare hashes."""
    if ("source" in o) == ("source" in n):
        return o, n

    def hashed(d: dict[str, Any]) -> dict[str, Any]:
        if "source" not in d:
            return d
        d = dict(d)
        d["source_sha256"] = _sha(d.pop("source"))
        return d

    return hashed(o), hashed(n)


def _named(items: Any) -> dict[str, Any] | None:
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        return None
    names = [i["name"] for i in items]
    return {i["name"]: i for i in items} if len(set(names)) == len(names) else None


def _diff_value(path: tuple[str, ...], a: Any, b: Any) -> Iterator[FieldChange]:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            x, y = a.get(k, MISSING), b.get(k, MISSING)
            if x is MISSING or y is MISSING:
                yield FieldChange(path + (k,), x, y)
            else:
                yield from _diff_value(path + (k,), x, y)
        return
    if path and path[-1] in _NAMED_LISTS:
        na, nb = _named(a), _named(b)
        if na is not None and nb is not None:
            for name in list(na) + [n for n in nb if n not in na]:
                if name not in nb:
                    yield FieldChange(path + (name,), na[name], MISSING)
                elif name not in na:
                    yield FieldChange(path + (name,), MISSING, nb[name])
                else:
                    for fc in _diff_value((), {k: v for k, v in na[name].items() if k != "name"},
                                          {k: v for k, v in nb[name].items() if k != "name"}):
                        yield FieldChange(path + (name,) + fc.path, fc.old, fc.new)
            common_a = [n for n in na if n in nb]
            common_b = [n for n in nb if n in na]
            if common_a != common_b:
                yield FieldChange(path + ("(order)",), common_a, common_b)
            return
    if a != b or type(a) is not type(b):
        yield FieldChange(path, a, b)


# -- names and labels --------------------------------------------------------------------

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


_KIND_ALIASES = {**{section: kind for kind, section in SECTIONS.items()},
                 "materialized_view": "view", "materialized_views": "view", "procedure": "function",
                 "procedures": "function", "aggregate": "function", "aggregates": "function"}


def canonical_kind(kind: str) -> str:
    """``tables`` -> ``table``, ``materialized_view`` -> ``view``; known kinds unchanged."""
    return _KIND_ALIASES.get(kind, kind)


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


# -- rendering ----------------------------------------------------------------------------


def _fmt(value: Any, *, setting: bool = False, as_set: bool = False) -> str:
    if value is MISSING:
        return "(unset)" if setting else "(none)"
    if value is None:
        return "(unset)" if setting else "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if as_set:
            return "{" + ", ".join(sorted(_fmt(v) for v in value)) + "}"
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return value if value else '""'
    return str(value)


def _describe_column(name: str, col: dict[str, Any]) -> str:
    parts = [_ident(name), _fmt(_short_type(col.get("type")))]
    if col.get("identity"):
        parts.append(f"generated {col['identity']} as identity")
    if col.get("generated"):
        parts.append(f"generated always as ({col['generated']}) {col.get('generated_kind') or 'stored'}")
    if col.get("not_null"):
        parts.append("not null")
    if col.get("default") is not None:
        parts.append(f"default {col['default']}")
    if col.get("collation"):
        parts.append(f"collate {col['collation']}")
    return " ".join(parts)


def _describe(kind: str, data: dict[str, Any]) -> str:
    """Short detail for an added object, after its label."""
    if kind == "table":
        names = [c.get("name", "?") for c in data.get("columns") or []]
        what = "columns: " + ", ".join(_ident(n) for n in names) if len(names) <= 8 else f"{len(names)} columns"
        extra = f", partition of {display_name(data['partition_of'])}" if data.get("partition_of") else ""
        return f"({what}{extra})"
    if kind == "view":
        return f"({len(data.get('columns') or [])} columns)"
    if kind == "enum":
        return "(" + ", ".join(data.get("labels") or []) + ")"
    if kind == "domain":
        return f"({_fmt(_short_type(data.get('base_type')))})"
    if kind == "extension":
        bits = [data["version"]] if data.get("version") else []
        if data.get("schema"):
            bits.append(f"schema {data['schema']}")
        return f"({', '.join(bits)})" if bits else ""
    if kind == "function":
        bits = [b for b in (data.get("result") and f"returns {_short_type(data['result'])}",
                            data.get("language") and f"language {data['language']}") if b]
        return f"({', '.join(bits)})" if bits else ""
    if kind == "policy":
        roles = data.get("roles")
        return f"(for {data.get('command', 'ALL')} to {_fmt(roles or [], as_set=True)})" if roles is not None else ""
    defn = data.get("definition")
    if kind == "trigger" and isinstance(defn, str):
        return f"({_TRIGGER_HEAD.sub('', defn)})"
    if kind == "index" and isinstance(defn, str):
        return f"({'unique ' if defn.startswith('CREATE UNIQUE') else ''}{_index_tail(defn)})"
    return ""


_TRIGGER_HEAD = re.compile(r'^CREATE (?:CONSTRAINT )?TRIGGER (?:"(?:[^"]|"")+"|\S+) ')


def _text_diff(old: Any, new: Any) -> list[str]:
    a = old.split("\n") if isinstance(old, str) else []
    b = new.split("\n") if isinstance(new, str) else []
    lines = [ln for ln in difflib.ndiff(a, b) if ln[:1] in "+-"]
    plus = sum(1 for ln in lines if ln[0] == "+")
    minus = len(lines) - plus
    head = f"changed (+{plus} -{minus} lines)"
    shown = [f"      {ln[0]} {ln[2:]}".rstrip() for ln in lines[:_MULTILINE_SHOWN]]
    if len(lines) > _MULTILINE_SHOWN:
        shown.append(f"      ... {len(lines) - _MULTILINE_SHOWN} more changed line(s)")
    return [head, *shown]


def _is_multiline(*values: Any) -> bool:
    return any(isinstance(v, str) and "\n" in v for v in values)


def _enum_label_changes(old: list[str], new: list[str]) -> list[str]:
    out = []
    for label in old:
        if label not in new:
            out.append(f"- {label}")
    for i, label in enumerate(new):
        if label in old:
            continue
        where = f"after {new[i - 1]}" if i > 0 else (f"before {new[1]}" if len(new) > 1 else "first")
        out.append(f"+ {label} ({where})")
    common_old = [x for x in old if x in new]
    common_new = [x for x in new if x in old]
    if common_old != common_new:
        out.append(f"labels reordered: {', '.join(common_old)} -> {', '.join(common_new)}")
    return out


def _index_tail(defn: Any) -> Any:
    if isinstance(defn, str) and " USING " in defn:
        return defn[defn.index(" USING ") + 1 :]
    return defn


def _render_field(kind: str, path: tuple[str, ...], old: Any, new: Any) -> list[str]:
    """Phrases (without the object label) for one field change."""
    name = path[-1]
    # records inside the object ----------------------------------------------------------
    if path[0] == "columns" and len(path) >= 2:
        col = path[1]
        if col == "(order)":
            return [f"column order {', '.join(old)} -> {', '.join(new)}"]
        if len(path) == 2:
            if old is MISSING:
                return [f"+ column {_describe_column(col, new)}"]
            if new is MISSING:
                return [f"- column {_ident(col)}"]
        sub = path[2:]
        prefix = f"column {_ident(col)}: "
        return [prefix + p for p in _render_field("column", sub, old, new)]
    if path[0] == "constraints" and len(path) >= 2:
        con = path[1]
        if len(path) == 2:
            defn = (new if old is MISSING else old) or {}
            sign = "+" if old is MISSING else "-"
            text = f" {defn.get('definition')}" if isinstance(defn, dict) and defn.get("definition") else ""
            return [f"{sign} constraint {_ident(con)}{text}"]
        return [f"constraint {_ident(con)}: " + p for p in _render_field("constraint", path[2:], old, new)]
    # kind-specific fields -------------------------------------------------------------
    if kind == "enum" and path == ("labels",) and isinstance(old, list) and isinstance(new, list):
        return _enum_label_changes(old, new)
    if path[0] in _SETTING_FIELDS and len(path) == 2:
        word = "" if kind == "function" and path[0] == "config" else "option "
        return [f"{word}{name} {_fmt(old, setting=True)} -> {_fmt(new, setting=True)}"]
    if name in _SET_FIELDS and isinstance(old, list) and isinstance(new, list):
        return [f"{name} {_fmt(old, as_set=True)} -> {_fmt(new, as_set=True)}"]
    if name in ("type", "base_type", "result", "return_type", "element_type"):
        return [f"{name} {_fmt(_short_type(old))} -> {_fmt(_short_type(new))}"]
    if name == "source_sha256":
        return [f"source changed (sha256 {str(old)[:12]} -> {str(new)[:12]})"]
    if _is_multiline(old, new):
        head, *rest = _text_diff(old, new)
        return ["\n".join([f"{name} {head}:", *rest])]
    if kind == "index" and name == "definition":
        o, n = _index_tail(old), _index_tail(new)
        if (isinstance(old, str) and isinstance(new, str)
                and old[: len(old) - len(o)] == new[: len(new) - len(n)]):
            return [f"definition {o} -> {n}"]
    label = " ".join(path)
    return [f"{label} {_fmt(old)} -> {_fmt(new)}"]


def _render_changes(kind: str, old: dict[str, Any], new: dict[str, Any],
                    changes: Iterable[FieldChange]) -> list[str]:
    out: list[str] = []
    for fc in _suppress_derived(kind, list(changes)):
        out.extend(_render_field(kind, fc.path, fc.old, fc.new))
    return out


#: kind -> ((record group, leading field), implied fields): when the leading field changed,
#: changes of the implied fields next to it follow from it and are not shown (``full`` diffs).
_LEADS: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    "index": {("", "definition"): DERIVED_FIELDS["index"]},
    "trigger": {("", "definition"): DERIVED_FIELDS["trigger"]},
    "function": {("", "arguments"): ("identity_arguments", "args"), ("", "result"): ("return_type", "returns_set")},
}
_RECORD_LEADS = {("columns", "type"): DERIVED_FIELDS["column"],
                 ("constraints", "definition"): DERIVED_FIELDS["constraint"]}


def _suppress_derived(kind: str, changes: list[FieldChange]) -> list[FieldChange]:
    leads = {**_RECORD_LEADS, **_LEADS.get(kind, {})}

    def group(fc: FieldChange) -> tuple[tuple[str, ...], str]:
        parent = fc.path[:-1]
        return parent, (parent[0] if parent else "")

    leading = {(group(fc)[0], leads[(group(fc)[1], fc.path[-1])])
               for fc in changes if (group(fc)[1], fc.path[-1]) in leads}
    if not leading:
        return changes
    return [fc for fc in changes
            if not any(parent == fc.path[:-1] and fc.path[-1] in implied for parent, implied in leading)]


def _code(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _markdown_change(change: ObjectChange) -> list[str]:
    label = _code(change.label)
    if change.status == "added":
        detail = _describe(change.kind, change.new or {})
        return [f"- {label}" + (f" {_code(detail)}" if detail else "")]
    if change.status == "removed":
        return [f"- {label}"]
    out: list[str] = []
    for text in _render_changes(change.kind, change.old or {}, change.new or {}, change.changes):
        first, *rest = text.split("\n")
        out.append(f"- {label}: {_code(first)}")
        if rest:
            out.append("")
            out.append("  ```diff")
            out.extend(f"  {ln.strip()}" for ln in rest)
            out.append("  ```")
    return out
