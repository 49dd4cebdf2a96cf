"""The enum recogniser: ``name: [labels]`` or ``name: {values|labels: [...],
description}``, in ``enums`` / ``enum_definitions`` / ``*_enums`` groups, nested or not.
"""

from __future__ import annotations

from typing import Any

from .context import _INFO_KEYS, _Ctx, _is_ignored_key, _p, _short
from .groups import _walk_group
from .sqltext import _qualify


def _description(entry: dict[str, Any]) -> str | None:
    d = entry.get("description")
    return d if isinstance(d, str) else None


def _enum(ctx: _Ctx, name: str, entry: Any, path: str) -> None:
    """One documented enum into ``enums``; the first of two differing definitions wins."""
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
