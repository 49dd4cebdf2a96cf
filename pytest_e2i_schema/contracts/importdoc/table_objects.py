"""What hangs off a table besides its columns: triggers, row-level-security policies and
partitioning.

Each reader turns one documented description (an object, or an SQL-ish string such as
``"BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()"``) into the contract's spec,
reporting whatever it cannot express; they are shared by a table's own keys and by the
top-level ``*_triggers``/``*_policies`` groups.
"""

from __future__ import annotations

import re
from typing import Any

from .context import _DESCRIPTION_KEYS, _INFO_KEYS, _Ctx, _kind_of, _p, _short
from .sqltext import _QNAME_RE, _column_list


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
