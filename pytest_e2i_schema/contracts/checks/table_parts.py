"""Check what hangs off a table besides columns and indexes: triggers, row-level
security, policies and partitions.

Why together: each is a small list of named objects (or a flag) compared the same way --
documented ones must match, undocumented ones matter only when the contract says exact.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from ..expressions import strip_outer_parens
from ..model import Options, qualify
from ..types import split_top_level
from ._shared import _expr, _list, _same, _short_name


def _check_triggers(spec: dict, triggers: Sequence[Any], exact: bool, options: Options, out: list[str]) -> None:
    found = {t.name: t for t in triggers}
    for name, tspec in spec.items():
        trg = found.get(name)
        label = f"trigger {name}"
        if trg is None:
            out.append(f"{label}: missing")
            continue
        tspec = tspec or {}
        for key in ("timing", "level"):
            if key in tspec and str(tspec[key]).lower() != getattr(trg, key):
                out.append(f"{label}: {key} {tspec[key]} expected, found {getattr(trg, key)}")
        if "events" in tspec and sorted(e.lower() for e in tspec["events"]) != sorted(trg.events):
            out.append(f"{label}: events {_list(tspec['events'])} expected, found {_list(trg.events)}")
        if "function" in tspec:
            want = qualify(re.sub(r"\s*\(\s*\)\s*$", "", tspec["function"].strip()), options.default_schema)
            if want != trg.function:
                out.append(
                    f"{label}: function {tspec['function']} expected, found {_short_name(trg.function, options)}"
                )
        if "enabled" in tspec:
            want = tspec["enabled"]
            ok = (trg.enabled in ("enabled", "always")) if want is True else (
                trg.enabled == "disabled" if want is False else trg.enabled == str(want).lower()
            )
            if not ok:
                shown = {True: "enabled", False: "disabled"}.get(want, want)
                out.append(f"{label}: {shown} expected, found {trg.enabled}")
        if "when" in tspec and not _same(tspec["when"], trg.condition, options):
            out.append(f"{label}: when {_expr(tspec['when'], options)} expected, found {_expr(trg.condition, options)}")
        if "columns" in tspec and sorted(tspec["columns"] or ()) != sorted(trg.update_columns):
            out.append(f"{label}: columns {_list(tspec['columns'] or ())} expected, found {_list(trg.update_columns)}")
        if "arguments" in tspec and [str(a) for a in tspec["arguments"] or ()] != list(trg.arguments):
            out.append(
                f"{label}: arguments {_list(tspec['arguments'] or ())} expected, found {_list(trg.arguments)}"
            )
    if exact:
        for trg in triggers:
            if trg.name not in spec:
                out.append(f"trigger {trg.name}: not documented (exact_triggers)")


def _check_rls(spec: Any, table: Any, out: list[str]) -> None:
    spec = {"enabled": spec} if isinstance(spec, bool) else dict(spec or {})
    if "enabled" in spec and bool(spec["enabled"]) != table.rls_enabled:
        want = "enabled" if spec["enabled"] else "disabled"
        got = "enabled" if table.rls_enabled else "disabled"
        out.append(f"rls: {want} expected, found {got}")
    if "forced" in spec and bool(spec["forced"]) != table.rls_forced:
        want = "forced" if spec["forced"] else "not forced"
        got = "forced" if table.rls_forced else "not forced"
        out.append(f"rls: {want} expected, found {got}")


def _check_policies(spec: dict, policies: Sequence[Any], exact: bool, options: Options, out: list[str]) -> None:
    found = {p.name: p for p in policies}
    for name, pspec in spec.items():
        pol = found.get(name)
        label = f'policy "{name}"'
        if pol is None:
            out.append(f"{label}: missing")
            continue
        pspec = pspec or {}
        if "command" in pspec and str(pspec["command"]).upper() != pol.command:
            out.append(f"{label}: command {str(pspec['command']).lower()} expected, found {pol.command.lower()}")
        if "roles" in pspec and sorted(set(pspec["roles"])) != sorted(set(pol.roles)):
            out.append(f"{label}: roles {_list(sorted(set(pspec['roles'])))} expected, found {_list(sorted(pol.roles))}")
        if "permissive" in pspec and bool(pspec["permissive"]) != (pol.permissive == "PERMISSIVE"):
            want = "permissive" if pspec["permissive"] else "restrictive"
            out.append(f"{label}: {want} expected, found {pol.permissive.lower()}")
        for key in ("using", "with_check"):
            if key in pspec and not _same(pspec[key], getattr(pol, key), options):
                out.append(
                    f"{label}: {key} {_expr(pspec[key], options)} expected, found {_expr(getattr(pol, key), options)}"
                )
    if exact:
        for pol in policies:
            if pol.name not in spec:
                out.append(f'policy "{pol.name}": not documented (exact_policies)')


def _key_parts(text: str) -> list[str]:
    return [p.strip() for p in split_top_level(strip_outer_parens(text))]


def _check_partitions(spec: dict, table: Any, catalog: Any, options: Options, out: list[str]) -> None:
    if not table.partition_key:
        out.append(f"partitions: partitioned by {spec.get('strategy', 'something')} expected, found not partitioned")
        return
    strategy, _, key = table.partition_key.partition(" ")
    if "strategy" in spec and str(spec["strategy"]).lower() != strategy.lower():
        out.append(f"partitions: strategy {spec['strategy']} expected, found {strategy.lower()}")
    if "key" in spec:
        want, got = _key_parts(spec["key"]), _key_parts(key)
        if len(want) != len(got) or not all(_same(w, g, options) for w, g in zip(want, got)):
            out.append(f"partitions: key {spec['key']} expected, found {key}")
    if "count" in spec:
        n = sum(1 for t in catalog.tables if t.partition_of == table.qualified)
        if n != spec["count"]:
            out.append(f"partitions: count {spec['count']} expected, found {n}")
