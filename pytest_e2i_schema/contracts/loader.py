"""Read contract files: :func:`load_contract` and :func:`load_contracts`.

Why this shape: a contract is reviewed by people and edited by hand, so a malformed one
must fail with *every* problem at once, each pointing at ``file:line: path.in.doc``,
before anything is compared with a database.  Loading is therefore three passes over
one parsed document:

1. YAML/JSON syntax (:mod:`.yamllines`, which also records each key's line);
2. the JSON Schema shipped next to this module (``contract.schema.json``, the same file
   editors use through ``$schema``), all errors, rewritten into short messages
   (:mod:`.validation`; this module remembers documents that passed);
3. what a schema cannot say: type spellings parse, references and signatures are well
   formed, nothing is documented twice (:mod:`.semantics`, with the name and signature
   grammars of :mod:`.signatures`).

Files in the seed-000 *documentation* JSON format are recognised by their shape and
converted on the fly by :mod:`.importdoc`; the converted contract then goes through
passes 2 and 3 like any other.

What stays here: reading files, the problems' ``file:line`` formatting, building
:class:`Entry` objects, and the public load functions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import ContractError
from .model import ContractFile, Entry, Options, qualify
from .semantics import _semantic_problems
from .signatures import _qualified, parse_argument, parse_reference, parse_returns, parse_signature
from .validation import SCHEMA_PATH, Problem, _show, _validate, contract_schema
from .yamllines import DocumentSyntaxError, dotted, line_of, load_with_lines

# Re-exported for code and tests that import them from here (they live in the modules above).
from .signatures import _memo_argument, _memo_signature, _parse_argument, _parse_signature, _split_default  # noqa: F401

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


def is_documentation_format(data: Any) -> bool:
    """The seed-000 documentation JSON (the importer's own shape test, one rule for both)."""
    from .importdoc import is_doc_format

    return is_doc_format(data)


# -- pass 2, skipped for documents that passed before ---------------------------------------
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
    listing every problem as ``file:line: path.in.document: message`` (sorted by line).

    A file that loaded before, unchanged, with the same contract code, comes from
    :mod:`~pytest_e2i_schema.parsecache` (most of a cold run's contract loading time)."""
    from ..parsecache import cached

    path = Path(path)
    display = _display(path, rootdir)
    try:
        content = path.read_bytes()
    except OSError:
        content = None
    if content is None:  # reported by the parse, as before
        return _load_contract(path, display)
    return cached("contract", ("contracts", "errors.py"), (str(path), display, content),
                  lambda: _load_contract(path, display))


def _load_contract(path: Path, display: str) -> ContractFile:
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
