"""The entry points: recognise a documentation JSON, convert it, render it as YAML.

:func:`import_doc_data` runs the recognisers over the document's top-level keys
(metadata first, so its version wins), then the deferred work, then the safety net.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .context import _Ctx, _kind_of, _order, _p
from .groups import _guarded
from .metadata import _finish_extensions, _scalar_entry
from .recognisers import _recogniser
from .safety_net import _safety_net


_DOC_SUFFIXES = ("_entities", "_enums", "_views", "_functions")


def is_doc_format(data: Any) -> bool:
    """True when ``data`` (a parsed JSON document) looks like a documentation JSON.

    It has a top-level ``metadata``/``schema_metadata`` or a key ending in
    ``_entities``/``_enums``/``_views``/``_functions`` (or ``enum_definitions``), and
    no ``tables`` key (a ``tables:`` key means it is already a contract).
    """
    if not isinstance(data, dict) or "tables" in data:
        return False
    if "metadata" in data or "schema_metadata" in data:
        return True
    return any(
        isinstance(k, str) and (k.endswith(_DOC_SUFFIXES) or k == "enum_definitions")
        for k in data
    )


_SECTION_ORDER = ("schema_version", "description", "options", "extensions", "enums", "tables",
                  "views", "materialized_views", "functions", "totals")


def _prescan_enum_names(data: dict[str, Any]) -> set[str]:
    """Names (lower case) of the enums defined anywhere in the document's enum groups."""
    names: set[str] = set()

    def walk(group: Any) -> None:
        if not isinstance(group, dict):
            return
        for name, entry in group.items():
            if not isinstance(name, str) or name.startswith("_"):
                continue
            if isinstance(entry, list) or (isinstance(entry, dict) and ({"values", "labels"} & set(entry))):
                names.add(name.strip().lower())
                names.add(name.strip().lower().split(".")[-1])
            elif isinstance(entry, dict):
                walk(entry)

    for key, value in data.items():
        rec = _recogniser(key) if isinstance(key, str) else None
        if rec is not None and rec[0] == "enums":
            walk(value)
    return names


def import_doc_data(data: Any) -> tuple[dict[str, Any], list[str]]:
    """Convert an already parsed documentation JSON (see :func:`import_doc`)."""
    ctx = _Ctx()
    if not isinstance(data, dict):
        ctx.problem("$", f"a JSON object expected, found {_kind_of(data)}")
        return {"schema_version": "unknown"}, ctx.problems
    ctx.known_types = _prescan_enum_names(data)
    # metadata first, so that its version wins over a stray top-level one
    ordered = sorted(data.items(), key=lambda kv: 0 if kv[0] in ("metadata", "schema_metadata") else 1)
    for key, value in ordered:
        path = _p("$", key)
        if not isinstance(key, str) or key.startswith("_"):
            continue
        rec = _recogniser(key) if isinstance(value, (dict, list)) else None
        if rec is not None:
            _guarded(ctx, path, rec[1], ctx, value, path)
        else:
            _guarded(ctx, path, _scalar_entry, ctx, key, value, path, False)
    for later in ctx.deferred:
        _guarded(ctx, "$", later)
    if "schema_version" not in ctx.contract:
        ctx.problem("$", "no schema_version/version found (metadata or top level); 'unknown' used")
        ctx.contract["schema_version"] = "unknown"
    _finish_extensions(ctx)
    for section in list(ctx.contract):
        if isinstance(ctx.contract[section], (dict, list)) and not ctx.contract[section]:
            del ctx.contract[section]
    _safety_net(ctx)
    return _order(ctx.contract, _SECTION_ORDER), ctx.problems


def import_doc(path: Path | str) -> tuple[dict[str, Any], list[str]]:
    """Read a documentation JSON and convert it into a contract dict.

    Returns ``(contract, problems)``; each problem is ``"<json path>: <message>"``.
    A file that is not valid JSON raises :class:`ValueError` naming the file and line.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    return import_doc_data(data)


def import_doc_to_yaml(path: Path | str) -> tuple[str, list[str]]:
    """:func:`import_doc`, rendered as contract YAML (for the CLI).

    Uses the contract writer :func:`pytest_e2i_schema.contracts.generate.dump_yaml` when
    it is available (readable, minimal quoting), else ``yaml.safe_dump``.  The header
    comment names the source and lists the problems, so the file says what was not
    carried over.
    """
    p = Path(path)
    contract, problems = import_doc(p)
    header_lines = [
        f"Schema contract imported from the documentation JSON {p.name} by pytest-e2i-schema.",
        "Every property written here is compared with the migrated database (x- keys are notes only).",
    ]
    if problems:
        header_lines.append(f"Not carried over ({len(problems)}):")
        header_lines.extend(f"  {prob}" for prob in problems)
    header = "\n".join(header_lines)
    try:
        from pytest_e2i_schema.contracts.generate import dump_yaml
    except ImportError:  # pragma: no cover - generate ships with this package
        dump_yaml = None
    if dump_yaml is not None:
        return dump_yaml(contract, header=header), problems
    import yaml

    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + yaml.safe_dump(contract, sort_keys=False, allow_unicode=True, width=100), problems
