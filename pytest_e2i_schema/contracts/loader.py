"""Read contract files: :func:`load_contract` and :func:`load_contracts`.

Why this shape: a contract is reviewed by people and edited by hand, so a malformed one
must fail with *every* problem at once, each pointing at ``file:line: path.in.doc``,
before anything is compared with a database.  Loading is therefore three passes over
one parsed document:

1. YAML/JSON syntax (:mod:`.yamllines`, which also records each key's line);
2. the JSON Schema shipped next to this module (``contract.schema.json``, the same file
   editors use through ``$schema``), all errors, rewritten into short messages;
3. what a schema cannot say: type spellings parse, references and signatures are well
   formed, nothing is documented twice.

Files in the seed-000 *documentation* JSON format are recognised by their shape and
converted on the fly by :mod:`.importdoc`; the converted contract then goes through
passes 2 and 3 like any other.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ..errors import ContractError
from .model import ContractFile, Entry, Options, qualify
from .types import TypeSpellingError, parse_type, split_top_level, unquoted
from .yamllines import DocumentSyntaxError, dotted, line_of, load_with_lines

__all__ = [
    "CONTRACT_SUFFIXES",
    "SCHEMA_PATH",
    "contract_schema",
    "load_contract",
    "load_contracts",
    "is_documentation_format",
    "parse_signature",
    "parse_argument",
    "parse_returns",
    "parse_reference",
    "contract_paths",
    "entries_of",
]

CONTRACT_SUFFIXES = (".yaml", ".yml", ".json")
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


def is_documentation_format(data: Any) -> bool:
    """The seed-000 documentation JSON (the importer's own shape test, one rule for both)."""
    from .importdoc import is_doc_format

    return is_doc_format(data)


# -- small grammars shared with the checker ----------------------------------------------
_IDENT = r'(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")'
_QNAME = rf"{_IDENT}(?:\s*\.\s*{_IDENT})?"
_REFERENCE = re.compile(rf"^\s*(?P<table>{_QNAME})\s*(?:\((?P<cols>[^()]*)\))?\s*$")
_SIGNATURE = re.compile(rf"^\s*(?P<name>{_QNAME})\s*(?:\((?P<args>.*)\))?\s*$", re.S)
_IDENT_RX = re.compile(_IDENT)
_WHOLE_IDENT = re.compile(rf"^{_IDENT}$")
_WHOLE_QNAME = re.compile(rf"^{_QNAME}$")
_TRIGGER_FUNCTION = re.compile(rf"^{_QNAME}\s*(?:\(\s*\))?$")
_DEFAULT_WORD = re.compile(r"\s+default\s+", re.I)
_MODES = ("inout", "in", "out", "variadic")
#: Bound of the memo of :func:`parse_signature` and :func:`parse_argument`: the same
#: spellings come back in the loader's checks, the importer and every contract check.
_MEMO_SIZE = 4096


def _ident(text: str) -> str:
    text = text.strip()
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('""', '"')
    return text


def _qualified(text: str) -> str:
    parts = _IDENT_RX.findall(text)
    return ".".join(_ident(p) for p in parts)


def parse_reference(text: str, default_schema: str = "public") -> tuple[str, tuple[str, ...]]:
    """``"cycles(cycle_id)"`` -> ``("public.cycles", ("cycle_id",))``; columns may be left out."""
    m = _REFERENCE.match(text or "")
    if m is None:
        raise ValueError(f"bad reference {text!r}: expected table(column, ...)")
    cols = tuple(_ident(c) for c in m["cols"].split(",")) if m["cols"] is not None else ()
    if m["cols"] is not None and (not cols or any(not c for c in cols)):
        raise ValueError(f"bad reference {text!r}: empty column list")
    return qualify(_qualified(m["table"]), default_schema), cols


def parse_signature(text: str, default_schema: str = "public") -> tuple[str, tuple[str, ...] | None]:
    """``"f(text, integer)"`` -> ``("public.f", ("text", "integer"))``; a bare name gives
    ``(qualified, None)`` (= every overload).  Argument types are checked to parse."""
    if isinstance(text, str) and isinstance(default_schema, str):
        return _memo_signature(text, default_schema)
    return _parse_signature(text, default_schema)


@lru_cache(maxsize=_MEMO_SIZE)
def _memo_signature(text: str, default_schema: str) -> tuple[str, tuple[str, ...] | None]:
    return _parse_signature(text, default_schema)


def _parse_signature(text: str, default_schema: str) -> tuple[str, tuple[str, ...] | None]:
    m = _SIGNATURE.match(text or "")
    if m is None:
        raise ValueError(f"bad function name or signature {text!r}: expected name or name(type, ...)")
    name = qualify(_qualified(m["name"]), default_schema)
    if m["args"] is None:
        return name, None
    if not m["args"].strip():
        return name, ()
    types = []
    for part in split_top_level(m["args"]):
        types.append(parse_argument(part)["type"])
    return name, tuple(types)


def _split_default(text: str) -> tuple[str, str | None]:
    """``"p integer DEFAULT 10"`` -> ``("p integer", "10")`` (also ``= 10``), outside quotes/parens."""
    for i, ch, depth in unquoted(text):
        if depth or ch in "()":
            continue
        if ch == "=":
            if text[i - 1 : i] != "=" and text[i + 1 : i + 2] != "=":
                return text[:i].strip(), text[i + 1 :].strip()
        elif ch.isspace():  # ``\s+default\s+`` can only start at a blank
            m = _DEFAULT_WORD.match(text, i)
            if m:
                return text[:i].strip(), text[m.end() :].strip()
    return text.strip(), None


def parse_argument(text: str) -> dict[str, Any]:
    """``"[mode] [name] type [DEFAULT expr]"`` -> ``{"mode", "name", "type", "default"}``.

    The type is validated with :func:`~.types.parse_type`; when the whole text after the
    mode does not parse as a type, its first word is taken as the argument name.
    Each call returns a new dict (callers add keys to it).
    """
    if isinstance(text, str):
        return dict(_memo_argument(text))
    return _parse_argument(text)


@lru_cache(maxsize=_MEMO_SIZE)
def _memo_argument(text: str) -> tuple[tuple[str, Any], ...]:
    return tuple(_parse_argument(text).items())


def _parse_argument(text: Any) -> dict[str, Any]:
    body, default = _split_default(" ".join(str(text).split()))
    if default == "":
        raise ValueError(f"bad argument {text!r}: DEFAULT without an expression")
    mode = None
    first, _, rest = body.partition(" ")
    if first.lower() in _MODES and rest:
        mode, body = first.lower(), rest
    try:
        parse_type(body)
        name, typ = None, body
    except TypeSpellingError as whole:
        first, _, rest = body.partition(" ")
        if not rest or not _WHOLE_IDENT.match(first):
            raise ValueError(str(whole)) from None
        try:
            parse_type(rest)
        except TypeSpellingError as exc:
            raise ValueError(str(exc)) from None
        name, typ = _ident(first), rest
    return {"mode": mode, "name": name, "type": typ, "default": default}


def parse_returns(text: str) -> tuple[str, Any]:
    """``"TABLE(a uuid, b text)"`` -> ``("table", [(name, type), ...])``; ``"SETOF x"`` ->
    ``("setof", "x")``; otherwise ``("type", text)``.  Types are checked to parse."""
    clean = " ".join(str(text).split())
    m = re.match(r"^table\s*\((?P<cols>.*)\)$", clean, re.I | re.S)
    if m:
        cols = []
        for part in split_top_level(m["cols"]):
            arg = parse_argument(part)
            if arg["name"] is None or arg["mode"] or arg["default"] is not None:
                raise ValueError(f"bad returns {clean!r}: each TABLE column is 'name type'")
            cols.append((arg["name"], arg["type"]))
        if not cols:
            raise ValueError(f"bad returns {clean!r}: TABLE() needs columns")
        return "table", cols
    m = re.match(r"^setof\s+(?P<type>.+)$", clean, re.I)
    if m:
        parse_type(m["type"])
        return "setof", m["type"]
    parse_type(clean)
    return "type", clean


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


def _validated_before(data: Any) -> tuple[bool, Path | None]:
    """JSON-Schema validation is the costliest step of loading (~0.1 s for a 2,000-line
    contract, on every run): documents that passed are remembered by a hash of the schema
    and the document, so an unchanged contract is not validated again."""
    import hashlib

    from ..config import cache_dir

    digest = hashlib.sha256(SCHEMA_PATH.read_bytes())
    digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    marker = cache_dir() / "validated-contracts" / digest.hexdigest()
    return marker.exists(), marker


def _schema_problems(data: Any) -> list[Problem]:
    seen, marker = _validated_before(data)
    if seen:
        return []
    out = _validate(data)
    if not out and marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # a read-only cache only costs time
    return out


def _validate(data: Any) -> list[Problem]:
    out = []
    for err in _validator().iter_errors(data):
        out.extend(_explain(err))
    return out


# -- semantic checks ----------------------------------------------------------------------
def _items(data: Any, key: str) -> Iterable[tuple[str, Any]]:
    section = data.get(key) if isinstance(data, dict) else None
    return section.items() if isinstance(section, dict) else ()


def _check_type(text: Any, path: tuple, out: list[Problem]) -> None:
    if not isinstance(text, str) or text == "":  # the schema already says "must not be empty"
        return
    try:
        parse_type(text)
    except TypeSpellingError as exc:
        out.append((0, path, str(exc)))


def _check_columns(columns: Any, path: tuple, out: list[Problem]) -> None:
    if not isinstance(columns, dict):
        return
    for col, spec in columns.items():
        if isinstance(spec, str):
            _check_type(spec, path + (col,), out)
        elif isinstance(spec, dict):
            _check_type(spec.get("type"), path + (col, "type"), out)


def _canonical_type(text: str) -> str:
    """One spelling per type (``int`` and ``integer`` give the same), for duplicate detection."""
    spec = parse_type(text)
    parts = [spec.kind, spec.name, spec.schema or "", ",".join(spec.mods or ()), ",".join(spec.labels or ())]
    if spec.element is not None:
        parts.append(_canonical_type(spec.element.text))
    return "/".join(parts)


def _semantic_problems(data: Any, options: Options) -> list[Problem]:
    out: list[Problem] = []
    if not isinstance(data, dict):
        return out
    ds = options.default_schema
    if not _WHOLE_IDENT.match(ds):
        out.append((0, ("options", "default_schema"), f"{ds!r} is not a schema name"))
    for section in ("enums", "tables", "views", "materialized_views"):
        seen: dict[str, str] = {}
        for name, spec in _items(data, section):
            if not _WHOLE_QNAME.match(name):
                out.append((0, (section, name), f"{name!r} is not a name (expected name or schema.name)"))
                continue
            qn = qualify(_qualified(name), ds)
            if qn in seen:
                out.append((0, (section, name), f"{qn} is documented twice (also as {seen[qn]!r})"))
            seen[qn] = name
            if section == "enums":
                labels = spec if isinstance(spec, list) else spec.get("labels") if isinstance(spec, dict) else None
                if isinstance(labels, list):
                    dupes = sorted({str(x) for x in labels if labels.count(x) > 1})
                    if dupes:
                        out.append((0, (section, name), f"label(s) {', '.join(dupes)} listed twice"))
                continue
            if not isinstance(spec, dict):
                continue
            _check_columns(spec.get("columns"), (section, name, "columns"), out)
            if section == "tables":
                _semantic_table(spec, (section, name), ds, out)
            _semantic_indexes(spec.get("indexes"), (section, name, "indexes"), out)
    seen_fn: dict[str, str] = {}
    for name, spec in _items(data, "functions"):
        try:
            qn, args = parse_signature(name, ds)
        except (ValueError, TypeSpellingError) as exc:
            out.append((0, ("functions", name), str(exc)))
            continue
        key = qn if args is None else f"{qn}({', '.join(_canonical_type(a) for a in args)})"
        if key in seen_fn:
            shown = qn if args is None else f"{qn}({', '.join(args)})"
            out.append((0, ("functions", name), f"{shown} is documented twice (also as {seen_fn[key]!r})"))
        seen_fn[key] = name
        if not isinstance(spec, dict):
            continue
        for i, arg in enumerate(spec.get("arguments") or ()):
            if isinstance(arg, str):
                try:
                    parse_argument(arg)
                except ValueError as exc:
                    out.append((0, ("functions", name, "arguments", i), str(exc)))
            elif isinstance(arg, dict):
                _check_type(arg.get("type"), ("functions", name, "arguments", i, "type"), out)
        if isinstance(spec.get("returns"), str):
            try:
                parse_returns(spec["returns"])
            except (ValueError, TypeSpellingError) as exc:
                out.append((0, ("functions", name, "returns"), str(exc)))
    totals = data.get("totals")
    if isinstance(totals, dict):
        for key, value in totals.items():
            if isinstance(value, dict) and isinstance(value.get("min"), int) and isinstance(value.get("max"), int):
                if value["min"] > value["max"]:
                    out.append((0, ("totals", key), f"min {value['min']} is larger than max {value['max']}"))
    return out


def _semantic_table(spec: dict, path: tuple, ds: str, out: list[Problem]) -> None:
    for i, fk in enumerate(spec.get("foreign_keys") or ()):
        if not isinstance(fk, dict) or not isinstance(fk.get("references"), str):
            continue
        try:
            _, cols = parse_reference(fk["references"], ds)
        except ValueError as exc:
            out.append((0, path + ("foreign_keys", i, "references"), str(exc)))
            continue
        if cols and isinstance(fk.get("columns"), list) and len(cols) != len(fk["columns"]):
            out.append(
                (0, path + ("foreign_keys", i), f"{len(fk['columns'])} column(s) reference {len(cols)} column(s)")
            )
    for name, trg in (spec.get("triggers") or {}).items() if isinstance(spec.get("triggers"), dict) else ():
        if isinstance(trg, dict) and isinstance(trg.get("function"), str):
            if not _TRIGGER_FUNCTION.match(trg["function"].strip()):
                out.append((0, path + ("triggers", name, "function"), f"{trg['function']!r} is not a function name"))
    parts = spec.get("partitions")
    if isinstance(parts, dict) and isinstance(parts.get("key"), str) and not parts["key"].strip():
        out.append((0, path + ("partitions", "key"), "must not be empty"))


def _semantic_indexes(spec: Any, path: tuple, out: list[Problem]) -> None:
    if not isinstance(spec, dict):
        return
    lo, hi = spec.get("min_count"), spec.get("max_count")
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        out.append((0, path, f"min_count {lo} is larger than max_count {hi}"))
    for name, idx in (spec.get("named") or {}).items() if isinstance(spec.get("named"), dict) else ():
        if not isinstance(idx, dict):
            continue
        cols, ops = idx.get("columns"), idx.get("opclass")
        if isinstance(cols, list) and isinstance(ops, list) and len(ops) > len(cols):
            out.append((0, path + ("named", name, "opclass"), f"{len(ops)} operator classes for {len(cols)} column(s)"))


# -- entries --------------------------------------------------------------------------------
_SECTION_KIND = {
    "enums": "enum",
    "tables": "table",
    "views": "view",
    "materialized_views": "materialized_view",
    "functions": "function",
}


def _entries(data: dict, lines: dict, display: str, options: Options) -> tuple[Entry, ...]:
    ds = options.default_schema
    out: list[Entry] = []
    ext = data.get("extensions")
    if ext is not None:
        spec = {name: {} for name in ext} if isinstance(ext, list) else {k: (v or {}) for k, v in ext.items()}
        out.append(Entry("extensions", "extensions", line_of(lines, ("extensions",)), spec, display, "extensions"))
    for section in ("enums", "tables", "views", "materialized_views", "functions"):
        kind = _SECTION_KIND[section]
        for name, spec in (data.get(section) or {}).items():
            line = line_of(lines, (section, name))
            if kind == "function":
                qn, args = parse_signature(name, ds)
                key = qn if args is None else f"{qn}({', '.join(' '.join(a.split()) for a in args)})"
            else:
                key = qualify(_qualified(name), ds)
            if kind == "enum" and isinstance(spec, list):
                spec = {"labels": spec}
            out.append(Entry(kind, key, line, dict(spec or {}), display, name))
    if data.get("totals") is not None:
        out.append(Entry("totals", "totals", line_of(lines, ("totals",)), dict(data["totals"]), display, "totals"))
    return tuple(out)


# -- files ----------------------------------------------------------------------------------
def _display(path: Path, rootdir: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(rootdir).resolve()).as_posix()
    except ValueError:
        return str(path)


def _format(display: str, lines: dict, problems: Iterable[Problem]) -> list[str]:
    rows = []
    for line, path, message in problems:
        line = line or line_of(lines, path)
        where = dotted(path)
        rows.append((line, where, f"{display}:{line}: {message}" if not path else f"{display}:{line}: {where}: {message}"))
    rows = sorted(set(rows), key=lambda r: (r[0], r[1], r[2]))
    return [r[2] for r in rows]


def _raise(problems: list[str]) -> None:
    exc = ContractError("\n".join(problems))
    exc.problems = list(problems)  # type: ignore[attr-defined]
    raise exc


def _parse_text(path: Path, display: str) -> tuple[Any, dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _raise([f"{display}:1: cannot read the file: {exc}"])
    is_json = path.suffix.lower() == ".json"
    try:
        return load_with_lines(text, json=is_json)
    except DocumentSyntaxError as exc:
        if not is_json:
            _raise([f"{display}:{exc.line}: {exc.message}"])
        try:
            return json.loads(text), {(): 1}
        except json.JSONDecodeError as jexc:
            _raise([f"{display}:{jexc.lineno}: {jexc.msg} (column {jexc.colno})"])
    raise AssertionError("unreachable")  # pragma: no cover


def _import_doc(path: Path, display: str) -> tuple[dict, list[str]]:
    try:
        from .importdoc import import_doc
    except ImportError:
        _raise([f"{display}:1: documentation format not supported yet"])
    try:
        data, notes = import_doc(path)
    except ContractError:
        raise
    except Exception as exc:  # the importer's own failure, shown with the file name
        _raise([f"{display}:1: cannot import the documentation format: {exc}"])
    return data, list(notes or ())


def load_contract(path: Path, rootdir: Path) -> ContractFile:
    """Read and validate one contract file; raises :class:`~pytest_e2i_schema.errors.ContractError`
    listing every problem as ``file:line: path.in.document: message`` (sorted by line)."""
    path = Path(path)
    display = _display(path, rootdir)
    data, lines = _parse_text(path, display)
    notes: list[str] = []
    imported = False
    if is_documentation_format(data):
        data, notes = _import_doc(path, display)
        lines, imported = {(): 1}, True
    if not isinstance(data, dict):
        _raise([f"{display}:1: a contract is a mapping with at least schema_version; found {_show(data) if data is not None else 'an empty file'}"])
    problems = _schema_problems(data)
    options = Options()
    opts = data.get("options")
    if isinstance(opts, dict) and not any(p[1][:1] == ("options",) for p in problems):
        options = Options.from_dict(opts)
    problems += _semantic_problems(data, options)
    if problems:
        _raise(_format(display, lines, problems))
    entries = _entries(data, lines, display, options)
    return ContractFile(
        path=path,
        display=display,
        schema_version=str(data["schema_version"]),
        options=options,
        entries=entries,
        data=data,
        notes=tuple(notes),
        imported=imported,
    )


def contract_paths(folder: Path) -> list[Path]:
    """Contract files directly in ``folder`` (``*.yaml``, ``*.yml``, ``*.json``) by file name."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CONTRACT_SUFFIXES),
        key=lambda p: p.name,
    )


def load_contracts(folder: Path, rootdir: Path) -> list[ContractFile]:
    """Every contract in ``folder`` sorted by file name; a missing folder gives ``[]``.
    When several files are malformed, one :class:`ContractError` lists all their problems."""
    files, problems = [], []
    for path in contract_paths(folder):
        try:
            files.append(load_contract(path, rootdir))
        except ContractError as exc:
            problems.extend(getattr(exc, "problems", [exc.message]))
    if problems:
        _raise(problems)
    return files



def entries_of(files: Sequence[ContractFile]) -> list[Entry]:
    """All entries of ``files`` in file order."""
    return [e for f in files for e in f.entries]

