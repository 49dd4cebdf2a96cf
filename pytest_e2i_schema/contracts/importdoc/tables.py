"""The table recogniser (``*_entities`` / ``*_tables`` groups) and the top-level
``*_triggers`` / ``*_policies`` / ``*_indexes`` groups that attach to documented tables.

:func:`_table` dispatches a table's documented keys to the :class:`_TableBuilder`, the
index reader and the trigger/policy/partitioning readers.  Top-level groups name their
table, so they are deferred until every table group has been read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .context import _INFO_KEYS, _Ctx, _is_ignored_key, _kind_of, _named, _p, _short
from .groups import _walk_group
from .indexes import _add_indexes, _parse_index
from .sqltext import _qualify
from .table_builder import _TableBuilder
from .table_objects import _partitions, _policy_spec, _trigger_spec
from .views import _view


def _table(ctx: _Ctx, name: str, entry: Any, path: str) -> None:
    """One documented table into ``tables``.  Its indexes are read after its columns
    (an unnamed UNIQUE index becomes a ``unique`` constraint); an entry typed ``view``
    is handed to the view recogniser."""
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


def _attach(ctx: _Ctx, entry: Any, path: str, what: str) -> str | None:
    """The contract key of the documented table an entry names (``table``/``on``,
    with or without ``public.``), or None with a problem."""
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


def _attached_group(
    ctx: _Ctx,
    group: Any,
    path: str,
    section: str,
    reader: Callable[[_Ctx, Any, str], dict[str, Any] | None],
    what: Callable[[str], str],
) -> None:
    """Triggers / policies grouped at top level: each entry names its ``table`` and is
    added to that table's ``section`` once every table is known (deferred)."""

    def later() -> None:
        def handler(c: _Ctx, name: str, entry: Any, p: str) -> None:
            key = _attach(c, entry, p, what(name))
            spec = reader(c, entry, p) if key else None
            if key and spec is not None:
                c.contract["tables"][key].setdefault(section, {})[name] = spec
        _walk_group(ctx, group, path, handler)
    ctx.deferred.append(later)


def _trigger_group(ctx: _Ctx, group: Any, path: str) -> None:
    _attached_group(ctx, group, path, "triggers", _trigger_spec, lambda name: f"trigger {name}")


def _policy_group(ctx: _Ctx, group: Any, path: str) -> None:
    _attached_group(ctx, group, path, "policies", _policy_spec, lambda name: f"policy {name!r}")


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
