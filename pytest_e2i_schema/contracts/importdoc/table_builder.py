"""Building one table's contract entry: its columns, primary key, unique constraints,
foreign keys and checks.

A table's facts arrive from several places -- a column's own annotations
(``"uuid PRIMARY KEY"``), its properties (``{references: ...}``) and table-level keys
(``primary_key``, ``unique``...) -- so :class:`_TableBuilder` collects them and
:meth:`_TableBuilder.build` reconciles them into one entry (reporting disagreements).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .column_text import _parse_column_text, _reference
from .context import (
    _FIELD_INFO_KEYS,
    _Ctx,
    _is_ignored_key,
    _kind_of,
    _named,
    _order,
    _p,
    _short,
)
from .indexes import UNNAMED_KEY
from .sqltext import _column_list, _strip_quotes, _tokens
from .type_spelling import _type_or_problem


_NULLABLE_KEYS = {"nullable": lambda v: bool(v), "required": lambda v: not v,
                  "not_null": lambda v: not v, "optional": lambda v: bool(v)}


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
            # an unreadable type keeps the column documented (its existence), without a
            # type to check
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
