"""Rendering a catalog diff for people: text lines and a markdown PR comment.

Why apart from the diff engine: the engine decides *what* differs (a tree of
:class:`~.diff.FieldChange`); this module decides how each change reads.  Every change is
one self-contained line, its object's label first, so any line can be grepped or quoted
alone::

    table memories: column importance: type text -> memory_importance
    enum shap_analysis_type: + local_realtime (after summary)
    policy "own rows" on memories: roles {authenticated} -> {anon, authenticated}
    function hybrid_search_memories(text, vector, uuid, ...): search_path public -> (unset)

Multi-line values (function bodies, view definitions) show a short line diff; fields that
follow from a changed leading field (an index's key list after its ``definition``) are not
repeated in ``full`` diffs.  Used through :meth:`~.diff.ObjectChange.lines`,
:meth:`~.diff.CatalogDiff.lines` and :meth:`~.diff.CatalogDiff.markdown`.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any, Iterable

from ._diff_names import _ident, _short_type, display_name
from .diff import DERIVED_FIELDS, MISSING

if TYPE_CHECKING:
    from .diff import FieldChange, ObjectChange

#: Fields shown as sets (order carries no meaning).
_SET_FIELDS = frozenset({"roles"})
#: Dict fields whose entries are settings: a missing entry reads ``(unset)``.
_SETTING_FIELDS = frozenset({"config", "options"})
_MULTILINE_SHOWN = 12


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
