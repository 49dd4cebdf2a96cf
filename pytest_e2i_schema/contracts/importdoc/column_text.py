"""SQL column text: ``"uuid NOT NULL DEFAULT gen_random_uuid() REFERENCES t(c)"`` split
into the type and its annotations, and references (``t(c)``, ``s.t.c``, ``{table,
column}``) read into the contract's ``[schema.]table(column)`` spelling.

Documents write a column's constraints into its type string as often as into separate
keys; reading them here lets the table builder treat both alike.
"""

from __future__ import annotations

import re
from typing import Any

from .context import _Ctx
from .sqltext import _IDENT_RE, _strip_quotes, _tokens


_FK_ACTIONS = ("cascade", "restrict", "no action", "set null", "set default")


def _reference(raw: Any) -> str | None:
    """``t(c)`` / ``t (c)`` / ``s.t(c)`` / ``t.c`` / ``s.t.c`` -> ``[s.]t(c)``; None when
    it cannot be read."""
    try:
        out = _read_reference(raw)
    except (TypeError, ValueError, AttributeError):
        return None
    if out is None or not re.fullmatch(rf"{_IDENT_RE}(?:\.{_IDENT_RE})?(?:\(\s*{_IDENT_RE}(?:\s*,\s*{_IDENT_RE})*\s*\))?", out):
        return None
    return out


def _read_reference(raw: Any) -> str | None:
    if isinstance(raw, dict):
        table = raw.get("table") or raw.get("references")
        col = raw.get("column") or raw.get("columns")
        if not isinstance(table, str):
            return None
        if raw.get("schema"):
            table = f"{raw['schema']}.{table}"
        if isinstance(col, list):
            col = ", ".join(col)
        return f"{table}({col})" if col else table
    if not isinstance(raw, str):
        return None
    s = " ".join(raw.split())
    m = re.fullmatch(r"([\w.\"]+)\s*\(([^()]*)\)", s)
    if m:
        cols = ", ".join(c.strip() for c in m.group(2).split(","))
        return f"{m.group(1)}({cols})"
    m = re.fullmatch(r"([\w\"]+(?:\.[\w\"]+)*)", s)
    if m:
        parts = s.split(".")
        if len(parts) == 1:
            return s
        return f"{'.'.join(parts[:-1])}({parts[-1]})"
    return None


def _fk_action(words: list[str]) -> str | None:
    text = " ".join(w.lower() for w in words)
    return text if text in _FK_ACTIONS else None


class _Annotations:
    """What :func:`_parse_column_text` found besides the type."""

    def __init__(self) -> None:
        self.type: str | None = None  # raw type text ('' when absent)
        self.spec: dict[str, Any] = {}  # nullable / default / generated / identity
        self.primary_key = False
        self.unique: str | None | bool = False  # True, or a constraint name
        self.fk: dict[str, Any] | None = None
        self.check: dict[str, Any] | None = None


_CLAUSE_WORDS = {"PRIMARY", "NOT", "NULL", "DEFAULT", "REFERENCES", "UNIQUE", "CHECK",
                 "GENERATED", "CONSTRAINT", "COLLATE"}


def _parse_column_text(ctx: _Ctx, path: str, text: str) -> _Annotations:
    """Split ``"uuid NOT NULL DEFAULT gen_random_uuid() REFERENCES t(c)"``."""
    ann = _Annotations()
    toks = _tokens(text)
    i = 0
    type_toks: list[str] = []
    while i < len(toks) and toks[i].upper() not in _CLAUSE_WORDS:
        type_toks.append(toks[i])
        i += 1
    ann.type = " ".join(type_toks)

    def upper(j: int) -> str:
        return toks[j].upper() if j < len(toks) else ""

    constraint_name: str | None = None
    while i < len(toks):
        word = upper(i)
        if word == "CONSTRAINT" and i + 1 < len(toks):
            constraint_name = _strip_quotes(toks[i + 1])
            i += 2
            continue
        if word == "PRIMARY" and upper(i + 1) == "KEY":
            ann.primary_key = True
            i += 2
        elif word == "NOT" and upper(i + 1) == "NULL":
            ann.spec["nullable"] = False
            i += 2
        elif word == "NULL":
            ann.spec["nullable"] = True
            i += 1
        elif word == "UNIQUE":
            ann.unique = constraint_name or True
            i += 1
        elif word == "DEFAULT" and i + 1 < len(toks):
            expr = [toks[i + 1]]
            i += 2
            while i < len(toks) and upper(i) not in _CLAUSE_WORDS:
                expr.append(toks[i])
                i += 1
            ann.spec["default"] = " ".join(expr)
        elif word == "REFERENCES" and i + 1 < len(toks):
            target = toks[i + 1]
            i += 2
            if i < len(toks) and toks[i].startswith("("):
                target += toks[i]
                i += 1
            ref = _reference(target)
            if ref is None:
                ctx.problem(path, f"cannot read reference {target!r}")
                ref = target
            fk: dict[str, Any] = {"references": ref}
            while upper(i) == "ON" and upper(i + 1) in ("DELETE", "UPDATE"):
                which = "on_delete" if upper(i + 1) == "DELETE" else "on_update"
                i += 2
                for width in (2, 1):
                    act = _fk_action(toks[i : i + width])
                    if act:
                        fk[which] = act
                        i += width
                        break
                else:
                    ctx.problem(path, f"unknown referential action {' '.join(toks[i:i + 2])!r}")
                    i += 1
            ann.fk = fk
        elif word == "CHECK" and i + 1 < len(toks):
            expr = toks[i + 1]
            i += 2
            if constraint_name:
                ann.check = {"name": constraint_name, "expression": expr}
            else:
                ctx.problem(path, f"unnamed CHECK {expr} cannot be expressed (checks are matched by name)")
        elif word == "GENERATED":
            rest = " ".join(t.upper() for t in toks[i : i + 5])
            if rest.startswith("GENERATED ALWAYS AS IDENTITY"):
                ann.spec["identity"] = "always"
                i += 4
            elif rest.startswith("GENERATED BY DEFAULT AS IDENTITY"):
                ann.spec["identity"] = "by default"
                i += 5
            elif rest.startswith("GENERATED ALWAYS AS") and i + 3 < len(toks):
                ann.spec["generated"] = toks[i + 3]
                i += 4
                if upper(i) == "STORED":
                    i += 1
            else:
                ctx.problem(path, f"cannot read {' '.join(toks[i:])!r}")
                break
            if i < len(toks) and toks[i].startswith("("):  # identity options
                i += 1
        elif word == "COLLATE" and i + 1 < len(toks):
            ctx.problem(path, f"COLLATE {toks[i + 1]} cannot be expressed")
            i += 2
        else:
            ctx.problem(path, f"unrecognised column annotation {' '.join(toks[i:])!r}")
            break
        constraint_name = None
    return ann
