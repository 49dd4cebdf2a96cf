"""Catalog model: the whole catalog of a migrated database, read once, immutable and typed.

Why: contract checks, drift reports, snapshots, lint and hypothesis strategies all ask
questions about the same schema.  :func:`read_catalog` answers them all with a fixed
number of batched queries and returns a :class:`Catalog` of frozen dataclasses with no
OIDs, sorted deterministically, whose ``to_dict()`` is stable enough to snapshot.
"""

from .catalog import OBJECT_TYPES, Catalog, qualify
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
    Table,
    Trigger,
    View,
)
from .read import COUNT_KEYS, count_objects, read_catalog

__all__ = [
    "Argument",
    "COUNT_KEYS",
    "Catalog",
    "Column",
    "Constraint",
    "Domain",
    "Enum",
    "Extension",
    "Function",
    "Index",
    "IndexKey",
    "OBJECT_TYPES",
    "Policy",
    "Schema",
    "Sequence",
    "Table",
    "Trigger",
    "View",
    "count_objects",
    "qualify",
    "read_catalog",
]
