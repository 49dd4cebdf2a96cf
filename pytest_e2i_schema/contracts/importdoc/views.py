"""The view and materialized-view recognisers.

A view is documented by its columns only -- a list of names, a mapping name -> type, or
``{columns, description, materialized, indexes}``; its definition cannot be compared, so
it is reported.  Indexes can only be expressed on materialized views.
"""

from __future__ import annotations

from typing import Any

from .context import _INFO_KEYS, _Ctx, _kind_of, _named, _order, _p, _short
from .groups import _walk_group
from .indexes import UNNAMED_KEY, _add_indexes
from .sqltext import _qualify
from .type_spelling import _type_or_problem


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
    """One documented view into ``views`` (or ``materialized_views``)."""
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
