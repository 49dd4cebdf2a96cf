"""Schema contracts: documented expectations about a migrated database, checked against its catalog.

Why: migrations say *how* a schema is built; a contract says *what* it must contain
(tables and their columns, keys, indexes, RLS policies, enums, functions, totals) in
a form people can review.  ``pytest --e2i-contracts`` loads every contract file,
turns each documented item into a test, and reports objects no contract mentions.

Modules: :mod:`.loader` (files -> validated :class:`ContractFile`, with :mod:`.signatures`,
:mod:`.validation` (JSON Schema) and :mod:`.semantics` (checks the schema can't express)), :mod:`.types`
(type spellings), :mod:`.expressions` (SQL expression comparison), :mod:`.checks`
(entry vs catalog), :mod:`.drift` (undocumented objects), :mod:`.generate`
(catalog -> contract), :mod:`.importdoc` (the seed-000 documentation format).
"""

from .checks import TOTAL_KEYS, check_entry, check_files, totals_counts
from .drift import DriftEntry, undocumented
from .expressions import normalize_expression, same_expression
from .generate import dump_yaml, generate_contract
from .loader import SCHEMA_PATH, contract_schema, is_documentation_format, load_contract, load_contracts
from .model import ContractFile, Entry, Options
from .types import TypeSpec, TypeSpellingError, describe, matches, parse_type

__all__ = [
    "SCHEMA_PATH",
    "TOTAL_KEYS",
    "ContractFile",
    "DriftEntry",
    "Entry",
    "Options",
    "TypeSpec",
    "TypeSpellingError",
    "check_entry",
    "check_files",
    "contract_schema",
    "describe",
    "dump_yaml",
    "generate_contract",
    "is_documentation_format",
    "load_contract",
    "load_contracts",
    "matches",
    "normalize_expression",
    "parse_type",
    "same_expression",
    "totals_counts",
    "undocumented",
]
