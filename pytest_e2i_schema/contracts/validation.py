"""Pass 2 of loading: the contract's JSON Schema, its errors rewritten into short messages.

Why a module of its own: jsonschema reports nested ``oneOf``/``anyOf`` failures and
``additionalProperties`` in terms nobody editing a contract by hand wants to read;
turning them into ``expected a mapping, found 'x'`` or ``unknown key 'colums' (did you
mean 'columns'?)`` is one idea, independent of where the document came from.  The
cache of documents that already passed lives with the loader, which decides when to
validate.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

SCHEMA_PATH = Path(__file__).with_name("contract.schema.json")

Problem = tuple[int, tuple, str]  # (line, path, message)


@lru_cache(maxsize=1)
def contract_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the contract format."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(contract_schema())


# -- schema errors -> short messages ------------------------------------------------------
_TYPE_NAMES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
               "object": "a mapping", "array": "a list", "null": "nothing (null)"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_types(schema: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        schema = _resolve(schema["$ref"])
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return [_TYPE_NAMES.get(t, t) for t in types]
    if "enum" in schema:
        return ["one of " + ", ".join(str(v) for v in schema["enum"] if v is not None)]
    if "oneOf" in schema or "anyOf" in schema:
        return [t for s in schema.get("oneOf", schema.get("anyOf", [])) for t in _schema_types(s)]
    return ["something else"]


def _resolve(ref: str) -> dict[str, Any]:
    node: Any = contract_schema()
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _root_type_failure(errors: list[Any]) -> bool:
    return any(e.validator in ("type", "enum", "const") and not e.relative_path for e in errors)


def _explain(err: Any) -> Iterator[Problem]:
    path = tuple(err.absolute_path)
    validator = err.validator
    if validator == "anyOf" and all(set(sub) == {"required"} for sub in err.validator_value):
        names = " or ".join(repr(sub["required"][0]) for sub in err.validator_value)
        yield 0, path, f"needs {names}"
        return
    if validator in ("oneOf", "anyOf") and err.context:
        branches: dict[Any, list[Any]] = {}
        for sub in err.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        viable = [errs for errs in branches.values() if not _root_type_failure(errs)]
        if len(viable) == 1:
            for sub in viable[0]:
                yield from _explain(sub)
            return
        if not viable:
            wanted = []
            for sub_schema in err.validator_value:
                for t in _schema_types(sub_schema):
                    if t not in wanted:
                        wanted.append(t)
            yield 0, path, f"expected {' or '.join(wanted)}, found {_show(err.instance)}"
            return
        from jsonschema.exceptions import best_match

        best = best_match(err.context)
        yield from _explain(best)
        return
    if validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list((err.schema.get("properties") or {}).keys())
        patterns = list((err.schema.get("patternProperties") or {}).keys())
        for key in err.instance:
            if key in allowed or any(re.search(p, key) for p in patterns):
                continue
            hint = difflib.get_close_matches(key, allowed, n=1)
            if hint:
                msg = f"unknown key {key!r} (did you mean {hint[0]!r}?)"
            else:
                msg = f"unknown key {key!r} (allowed: {', '.join(allowed)})"
            yield 0, path + (key,), msg
        return
    if validator == "required":
        missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
        for key in missing:
            yield 0, path, f"missing required key {key!r}"
        return
    if validator == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        msg = f"expected {' or '.join(_TYPE_NAMES.get(t, t) for t in wanted)}, found {_show(err.instance)}"
        if "string" in wanted and isinstance(err.instance, (int, float)) and not isinstance(err.instance, bool):
            msg += " (quote it)"
        yield 0, path, msg
        return
    if validator == "enum":
        options = ", ".join(str(v) for v in err.validator_value if v is not None)
        yield 0, path, f"expected one of {options}; found {_show(err.instance)}"
        return
    if validator in ("minLength", "minItems", "minProperties"):
        yield 0, path, "must not be empty"
        return
    if validator == "minimum":
        yield 0, path, f"must be at least {err.validator_value}, found {_show(err.instance)}"
        return
    yield 0, path, err.message


def _validate(data: Any) -> list[Problem]:
    out = []
    for err in _validator().iter_errors(data):
        out.extend(_explain(err))
    return out
