"""Write a complete contract from a catalog: :func:`generate_contract` and :func:`dump_yaml`.

Why: nobody should type a contract for an existing schema by hand.  The generated one
documents *everything* the catalog holds (columns with exact types, keys, checks, every
index with ``exact: true``, triggers, RLS and policies, enums, views, functions by
signature, extensions, exact totals), so it passes against the database it came from --
:func:`~.checks.check_entry` returns nothing for each entry and drift is empty; that
round trip is what the tests assert.  People then delete what they do not want to pin
down and loosen the rest (``min:``, shorthands).

Spellings are the short ones the checker prints: types without the default-schema /
``extensions`` qualification (``vector(1536)``, ``memory_type``), expressions on one
line without ``public.``.  A spelling that would not match back (a user type called
``string``, say) falls back to the qualified form.
"""

from __future__ import annotations

import re
from typing import Any

from .checks import TOTAL_KEYS, function_label, key_text, totals_counts
from .expressions import short_sql
from .model import Options
from .types import matches, short_type
from .yamlout import emit

__all__ = ["SCHEMA_URL", "generate_contract", "dump_yaml"]

SCHEMA_URL = "https://e2i-schema.dev/contract.schema.json"

_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[^'\"]+")


def _one_line(text: str | None, ds: str) -> str | None:
    """Whitespace outside quotes collapsed, qualifications dropped (see :func:`short_sql`)."""
    if text is None:
        return None
    parts = []
    for token in _TOKENS.findall(short_sql(text, ds)):
        if token[0] not in "'\"":
            token = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", re.sub(r"\s+", " ", token)))
        parts.append(token)
    return "".join(parts).strip()


def _type(found: Any, options: Options, catalog: Any) -> str:
    short = short_type(found if isinstance(found, str) else found.type, options.default_schema)
    try:
        if matches(short, found, options, catalog):
            return short
    except ValueError:
        pass
    return found if isinstance(found, str) else found.type


def _name(qualified: str, ds: str) -> str:
    prefix = ds + "."
    return qualified[len(prefix) :] if qualified.startswith(prefix) else qualified


def _default(text: str) -> Any:
    """``"0"`` -> ``0``, ``"false"`` -> ``False``: literal defaults read best as YAML scalars."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+\.\d+", text) and repr(float(text)) == text:
        return float(text)
    return text


def _column(col: Any, options: Options, catalog: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": _type(col, options, catalog), "nullable": not col.not_null}
    if col.default is not None:
        out["default"] = _default(_one_line(col.default, options.default_schema) or "")
    if col.identity:
        out["identity"] = col.identity
    if col.generated:
        out["generated"] = _one_line(col.generated, options.default_schema)
    if col.comment:
        out["description"] = col.comment
    return out


def _with_value(value: str) -> Any:
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def _index(idx: Any, ds: str) -> dict[str, Any]:
    out: dict[str, Any] = {"method": idx.method, "columns": [key_text(k) for k in idx.keys]}
    if any(not k.opclass_default for k in idx.keys):
        out["opclass"] = [k.opclass for k in idx.keys]
    if idx.include:
        out["include"] = list(idx.include)
    if idx.options:
        out["with"] = {k: _with_value(v) for k, v in idx.options}
    if idx.predicate:
        out["where"] = _one_line(idx.predicate, ds)
    if idx.unique:
        out["unique"] = True
    if idx.primary:
        out["primary"] = True
    return out


def _indexes(indexes: Any, ds: str) -> dict[str, Any]:
    return {"exact": True, "named": {i.name: _index(i, ds) for i in indexes}}


def _trigger(trg: Any, ds: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "timing": trg.timing,
        "events": list(trg.events),
        "level": trg.level,
        "function": _name(trg.function, ds),
        "enabled": {"enabled": True, "disabled": False}.get(trg.enabled, trg.enabled),
    }
    if trg.condition:
        out["when"] = _one_line(trg.condition, ds)
    if trg.update_columns:
        out["columns"] = list(trg.update_columns)
    if trg.arguments:
        out["arguments"] = list(trg.arguments)
    return out


def _policy(pol: Any, ds: str) -> dict[str, Any]:
    return {
        "command": pol.command.lower(),
        "roles": list(pol.roles),
        "permissive": pol.permissive == "PERMISSIVE",
        "using": _one_line(pol.using, ds),
        "with_check": _one_line(pol.with_check, ds),
    }


def _table(t: Any, catalog: Any, options: Options) -> dict[str, Any]:
    ds = options.default_schema
    out: dict[str, Any] = {}
    if t.comment:
        out["description"] = t.comment
    out["columns"] = {c.name: _column(c, options, catalog) for c in t.columns}
    if t.primary_key is not None:
        out["primary_key"] = list(t.primary_key.columns)
    uniques = [c for c in t.constraints if c.kind == "unique"]
    if uniques:
        out["unique"] = [{"name": c.name, "columns": list(c.columns)} for c in uniques]
    fks = [c for c in t.constraints if c.kind == "foreign_key"]
    if fks:
        out["foreign_keys"] = []
        for c in fks:
            fk: dict[str, Any] = {
                "name": c.name,
                "columns": list(c.columns),
                "references": f"{_name(c.references or '', ds)}({', '.join(c.referenced_columns)})",
                "on_delete": c.on_delete,
                "on_update": c.on_update,
            }
            if c.deferrable:
                fk["deferrable"] = True
                fk["initially_deferred"] = bool(c.initially_deferred)
            out["foreign_keys"].append(fk)
    checks = [c for c in t.constraints if c.kind == "check"]
    if checks:
        out["checks"] = [{"name": c.name, "expression": _one_line(c.expression, ds)} for c in checks]
    out["indexes"] = _indexes(t.indexes, ds)
    if t.triggers:
        out["triggers"] = {trg.name: _trigger(trg, ds) for trg in t.triggers}
        out["exact_triggers"] = True
    out["rls"] = {"enabled": t.rls_enabled, "forced": t.rls_forced}
    if t.policies:
        out["policies"] = {p.name: _policy(p, ds) for p in t.policies}
    if t.partition_key:
        strategy, _, key = t.partition_key.partition(" ")
        count = sum(1 for p in catalog.tables if p.partition_of == t.qualified)
        out["partitions"] = {"strategy": strategy.lower(), "key": key, "count": count}
    return out


def _view(v: Any, catalog: Any, options: Options) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if v.comment:
        out["description"] = v.comment
    out["columns"] = {c.name: _type(c, options, catalog) for c in v.columns}
    if v.kind != "view":
        out["indexes"] = _indexes(v.indexes, options.default_schema)
    return out


def _arg(arg: Any, options: Options, catalog: Any) -> str:
    parts = [] if arg.mode == "in" else [arg.mode.upper()]
    if arg.name:
        parts.append(arg.name)
    parts.append(_type(arg.type, options, catalog))
    text = " ".join(parts)
    if arg.default is not None:
        text += f" DEFAULT {_one_line(arg.default, options.default_schema)}"
    return text


def _function(fn: Any, catalog: Any, options: Options) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if fn.comment:
        out["description"] = fn.comment
    out["arguments"] = [_arg(a, options, catalog) for a in fn.args if a.mode != "table"]
    if fn.result is not None:
        out["returns"] = short_type(fn.result, options.default_schema)
    out["language"] = fn.language
    out["volatility"] = fn.volatility
    out["strict"] = fn.strict
    out["security_definer"] = fn.security_definer
    if fn.leakproof:
        out["leakproof"] = True
    if fn.parallel != "unsafe":
        out["parallel"] = fn.parallel
    if fn.config:
        out["settings"] = {k: "" if v in ('""', "''") else v for k, v in fn.config}
    if fn.kind != "function":
        out["kind"] = fn.kind
    return out


def generate_contract(
    catalog: Any, *, schema_version: str = "1", source: str = "", default_schema: str = "public"
) -> dict[str, Any]:
    """A contract (plain dict, spec key order) documenting everything in ``catalog``."""
    options = Options(default_schema=default_schema)
    ds = default_schema
    out: dict[str, Any] = {"$schema": SCHEMA_URL, "schema_version": str(schema_version)}
    if source:
        out["description"] = f"Generated by pytest-e2i-schema from {source}"
    out["options"] = {"default_schema": ds, "exact_columns": True}
    out["extensions"] = {e.name: {"version": e.version, "schema": e.schema} for e in catalog.extensions}
    out["enums"] = {_name(e.qualified, ds): list(e.labels) for e in catalog.enums}
    out["tables"] = {
        _name(t.qualified, ds): _table(t, catalog, options) for t in catalog.tables if t.partition_of is None
    }
    out["views"] = {_name(v.qualified, ds): _view(v, catalog, options) for v in catalog.views if v.kind == "view"}
    out["materialized_views"] = {
        _name(v.qualified, ds): _view(v, catalog, options) for v in catalog.views if v.kind != "view"
    }
    out["functions"] = {function_label(f, options): _function(f, catalog, options) for f in catalog.functions}
    counts = totals_counts(catalog)
    out["totals"] = {k: counts[k] for k in TOTAL_KEYS}
    return out


def dump_yaml(contract: dict[str, Any], *, header: str | None = None) -> str:
    """The contract as readable YAML (keys in the order given, block style for sections,
    one-line leaf specs, minimal quoting), with a comment header."""
    if header is None:
        header = (
            "Schema contract for pytest-e2i-schema (`pytest --e2i-contracts` checks it).\n"
            "Every property written here is compared with the migrated database; delete what you\n"
            "do not want pinned down.  Format: README, section \"Contract files\"."
        )
    return emit(contract, header=header)
