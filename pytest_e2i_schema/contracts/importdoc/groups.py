"""Walking a group of documented objects, and the net under every recogniser.

A group (``memory_entities``, ``enum_definitions``...) maps names to objects; an entry
may itself be a nested group.  :func:`_walk_group` tells the two apart and
:func:`_guarded` makes sure one odd entry is reported instead of aborting the import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .context import _Ctx, _is_ignored_key, _kind_of, _named, _p


def _walk_group(ctx: _Ctx, group: Any, path: str, handler: Callable[[_Ctx, str, Any, str], None]) -> None:
    """Run ``handler(ctx, name, entry, path)`` on every entry of a group.  An entry whose
    key matches a group pattern and which has none of the properties of an object of
    this group (``core_enums: {...}`` inside ``enum_definitions``) is a nested group."""
    # The recogniser table names every handler, and the handlers walk their groups with
    # this function: imported here, when it runs, to keep the import graph acyclic.
    from .recognisers import _OBJECT_KEYS, _recogniser

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
