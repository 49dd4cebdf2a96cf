"""Rows of :mod:`.queries` -> model objects.

Why separate from the reader: decoding catalog codes (``'a'`` -> ``'always'``, trigger
type bits, index option bits, ``key=value`` option arrays) is pure and easy to get
subtly wrong, so it lives in small functions that take a ``dict_row`` and return a
frozen object, with no connection in sight.
"""

from __future__ import annotations

import re
from typing import Any

from .model import (
    Argument,
    Column,
    Constraint,
    Domain,
    Enum,
    Extension,
    Function,
    Index,
    IndexKey,
    Policy,
    Schema,
    Sequence,
    Trigger,
)

__all__ = [
    "parse_options",
    "normalize_sql",
    "schema",
    "extension",
    "column",
    "constraint",
    "enum_or_domain",
    "function",
    "trigger",
    "index",
    "policy",
    "sequence",
]

Row = dict[str, Any]

_CONTYPE = {"p": "primary_key", "u": "unique", "f": "foreign_key", "c": "check", "x": "exclusion"}
_FK_ACTION = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
_MATCH = {"s": "simple", "f": "full", "p": "partial"}
_TYPTYPE = {"b": "base", "c": "composite", "d": "domain", "e": "enum", "p": "pseudo", "r": "range", "m": "multirange"}
_IDENTITY = {"a": "always", "d": "by default"}
_GENERATED = {"s": "stored", "v": "virtual"}
_PROKIND = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}
_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
_PARALLEL = {"s": "safe", "r": "restricted", "u": "unsafe"}
_ARGMODE = {"i": "in", "o": "out", "b": "inout", "v": "variadic", "t": "table"}
_ENABLED = {"O": "enabled", "D": "disabled", "R": "replica", "A": "always"}
_POLCMD = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}

# pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h)
_TG_ROW, _TG_BEFORE, _TG_INSTEAD = 1, 2, 64
_TG_EVENTS = ((4, "insert"), (16, "update"), (8, "delete"), (32, "truncate"))
# pg_index.indoption bits
_IDX_DESC, _IDX_NULLS_FIRST = 1, 2


def parse_options(items: list[str] | None) -> tuple[tuple[str, str], ...]:
    """``['lists=100', 'fillfactor=70']`` -> ``(('fillfactor', '70'), ('lists', '100'))``."""
    pairs = []
    for item in items or ():
        name, _, value = item.partition("=")
        pairs.append((name, value))
    return tuple(sorted(pairs))


def normalize_sql(text: str | None) -> str | None:
    """Deparsed SQL without trailing blanks per line, outer whitespace or final ``;``."""
    if text is None:
        return None
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(lines).rstrip(";").rstrip()


def schema(row: Row) -> Schema:
    return Schema(name=row["name"], comment=row["comment"])


def extension(row: Row) -> Extension:
    return Extension(name=row["name"], version=row["version"], schema=row["schema"])


def column(row: Row) -> Column:
    typ, prefix = row["type"], row["named_schema"] + "."
    short = typ[len(prefix) :] if row["named_schema"] != "pg_catalog" and typ.startswith(prefix) else typ
    generated = _GENERATED.get(row["generated"] or "")
    return Column(
        name=row["name"],
        type=typ,
        short_type=short,
        type_schema=row["type_schema"],
        type_name=row["type_name"],
        type_kind="array" if row["is_array"] else _TYPTYPE.get(row["typtype"], row["typtype"]),
        element_type=row["element_type"],
        not_null=row["not_null"],
        default=None if generated else row["expr"],
        identity=_IDENTITY.get(row["identity"] or ""),
        generated=row["expr"] if generated else None,
        generated_kind=generated,
        collation=row["collation"],
        comment=row["comment"],
    )


def constraint(row: Row) -> Constraint:
    fk = row["contype"] == "f"
    return Constraint(
        name=row["name"],
        kind=_CONTYPE[row["contype"]],
        definition=row["definition"],
        columns=tuple(row["columns"] or ()),
        expression=row["expression"],
        references=row["references"] if fk else None,
        referenced_columns=tuple(row["referenced_columns"] or ()) if fk else (),
        on_update=_FK_ACTION.get(row["on_update"]) if fk else None,
        on_delete=_FK_ACTION.get(row["on_delete"]) if fk else None,
        on_delete_set_columns=tuple(row["on_delete_set_columns"] or ()) if fk else (),
        match=_MATCH.get(row["match"]) if fk else None,
        deferrable=row["deferrable"],
        initially_deferred=row["initially_deferred"],
        validated=row["validated"],
        enforced=row["enforced"],
        no_inherit=row["no_inherit"] and row["contype"] == "c",
        inherited=row["inherited"],
        index=row["index"],
        comment=row["comment"],
    )


def enum_or_domain(row: Row, constraints: tuple[Constraint, ...] = ()) -> Enum | Domain:
    if row["typtype"] == "e":
        return Enum(schema=row["schema"], name=row["name"], labels=tuple(row["labels"]), comment=row["comment"])
    return Domain(
        schema=row["schema"],
        name=row["name"],
        base_type=row["base_type"],
        not_null=row["not_null"],
        default=row["default"],
        constraints=constraints,
        collation=row["collation"],
        comment=row["comment"],
    )


def function(row: Row) -> Function:
    kind = _PROKIND[row["prokind"]]
    args = tuple(
        Argument(name=a["name"], mode=_ARGMODE.get(a["mode"], a["mode"]), type=a["type"], default=a["default"])
        for a in row["args"] or ()
    )
    return Function(
        schema=row["schema"],
        name=row["name"],
        kind=kind,
        identity_arguments=row["identity_arguments"],
        arguments=row["arguments"],
        args=args,
        result=row["result"],
        return_type=None if kind == "procedure" else row["return_type"],
        returns_set=row["returns_set"],
        language=row["language"],
        volatility=_VOLATILITY[row["volatility"]],
        strict=row["strict"],
        security_definer=row["security_definer"],
        leakproof=row["leakproof"],
        parallel=_PARALLEL[row["parallel"]],
        config=parse_options(row["config"]),
        source=row["source"] or "",
        comment=row["comment"],
    )


_FOR_EACH = re.compile(r" FOR EACH (?:ROW|STATEMENT) ")


def trigger_condition(definition: str) -> str | None:
    """The WHEN expression of ``pg_get_triggerdef`` output (without its outer parentheses)."""
    m = _FOR_EACH.search(definition)
    if m is None or not definition.startswith("WHEN (", m.end()):
        return None
    start = m.end() + len("WHEN (")
    end = definition.rfind(") EXECUTE FUNCTION ")
    if end < start:
        end = definition.rfind(") EXECUTE PROCEDURE ")
    return definition[start:end] if end >= start else None


def _trigger_args(raw: bytes | None, nargs: int) -> tuple[str, ...]:
    if not nargs or raw is None:
        return ()
    parts = bytes(raw).split(b"\x00")
    return tuple(p.decode("utf-8", "replace") for p in parts[:nargs])


def trigger(row: Row) -> Trigger:
    tgtype = row["tgtype"]
    timing = "instead of" if tgtype & _TG_INSTEAD else "before" if tgtype & _TG_BEFORE else "after"
    return Trigger(
        schema=row["schema"],
        table=row["table"],
        name=row["name"],
        timing=timing,
        events=tuple(name for bit, name in _TG_EVENTS if tgtype & bit),
        level="row" if tgtype & _TG_ROW else "statement",
        function=row["function"],
        arguments=_trigger_args(row["args"], row["nargs"]),
        update_columns=tuple(row["update_columns"] or ()),
        condition=trigger_condition(row["definition"]) if row["has_condition"] else None,
        enabled=_ENABLED.get(row["enabled"], row["enabled"]),
        constraint=row["is_constraint"],
        deferrable=row["deferrable"],
        initially_deferred=row["initially_deferred"],
        old_table=row["old_table"],
        new_table=row["new_table"],
        inherited=row["inherited"],
        definition=row["definition"],
        comment=row["comment"],
    )


def index(row: Row) -> Index:
    keys, include = [], []
    for k, key in enumerate(row["keys"] or (), start=1):
        if k > row["nkeys"]:
            include.append(key["expression"])
            continue
        option = key["option"] or 0
        keys.append(
            IndexKey(
                expression=key["expression"],
                opclass=key["opclass"],
                opclass_default=bool(key["opclass_default"]),
                descending=bool(option & _IDX_DESC),
                nulls_first=bool(option & _IDX_NULLS_FIRST),
                collation=key["collation"],
            )
        )
    return Index(
        schema=row["schema"],
        table=row["table"],
        name=row["name"],
        method=row["method"],
        keys=tuple(keys),
        include=tuple(include),
        unique=row["is_unique"],
        primary=row["is_primary"],
        constraint=row["constraint"],
        predicate=row["predicate"],
        options=parse_options(row["options"]),
        nulls_not_distinct=row["nulls_not_distinct"],
        valid=row["valid"],
        parent=row["parent"],
        definition=row["definition"],
        comment=row["comment"],
    )


def policy(row: Row) -> Policy:
    return Policy(
        schema=row["schema"],
        table=row["table"],
        name=row["name"],
        command=_POLCMD[row["command"]],
        permissive="PERMISSIVE" if row["permissive"] else "RESTRICTIVE",
        roles=tuple(sorted(row["roles"] or ())),
        using=row["using"],
        with_check=row["with_check"],
    )


def sequence(row: Row) -> Sequence:
    return Sequence(
        schema=row["schema"],
        name=row["name"],
        type=row["type"],
        start=row["start"],
        increment=row["increment"],
        min_value=row["min_value"],
        max_value=row["max_value"],
        cache=row["cache"],
        cycle=row["cycle"],
        owned_by=row["owned_by"],
        identity=row["owner_deptype"] == "i",
        comment=row["comment"],
    )
