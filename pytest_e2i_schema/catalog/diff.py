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

Rendering (:meth:`CatalogDiff.lines`, :meth:`CatalogDiff.markdown`, in
:mod:`._diff_render`) is grouped into added, removed and changed, each ordered by kind and
key, one self-contained line per field change; how objects are named there, and how a
key given by a user matches a catalog key, is :mod:`._diff_names`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, NamedTuple

from ._diff_names import _key_matches, _parent, _qualify_key, display_name, object_label
from .catalog import OBJECT_TYPES, SECTIONS

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


_KIND_ALIASES = {**{section: kind for kind, section in SECTIONS.items()},
                 "materialized_view": "view", "materialized_views": "view", "procedure": "function",
                 "procedures": "function", "aggregate": "function", "aggregates": "function"}


def canonical_kind(kind: str) -> str:
    """``tables`` -> ``table``, ``materialized_view`` -> ``view``; known kinds unchanged."""
    return _KIND_ALIASES.get(kind, kind)


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
        from ._diff_render import _describe, _render_changes  # rendering builds on this module

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
        from ._diff_render import _markdown_change  # rendering builds on this module

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
