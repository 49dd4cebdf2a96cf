"""Import a hand-written schema *documentation JSON* into a contract dict.

Users keep documents such as ``E2I_Data_Schema_Comprehensive_v1.2.json`` (seed 000):
tables grouped under ``*_entities`` keys, ENUM groups, views with column lists,
function tables and metadata totals.  :func:`import_doc` turns one into a contract in
the format of ``contract_format.md`` (the dict the loader/checker consume), plus a
list of *problems*.  Every problem names the JSON path of the entry it is about::

    $.memory_system_entities.episodic_memories.fields.importance: unknown type 'enum[foo' (unbalanced brackets)

The rule: an entry the importer cannot understand, or whose information the contract
format cannot carry, is reported -- never silently dropped.  Purely informational
entries (``description``-like keys, ``category``, ``introduced_version``,
``source_tables``, ``version_history``, keys starting with ``_``, metadata scalars
such as ``last_updated``) are understood and intentionally not carried over except
``description``.

Recognisers
-----------
The converter is a small table of recognisers: a top-level key pattern selects a
group handler (:data:`_GROUP_RECOGNISERS`; the first match wins):

=========================================  ==========================================
key                                         handler
=========================================  ==========================================
``metadata`` / ``schema_metadata`` / ``meta`` :func:`_metadata`: version, description,
                                            ``total_*`` counts, extensions
``totals`` / ``statistics`` / ``counts``    :func:`_totals_group` (``45+``/``>= 45`` ->
                                            ``{min: 45}``)
``extensions`` / ``required_extensions``    :func:`_extensions`
``version_history`` / ``changelog`` ...     ignored (informational)
``enums`` / ``enum_definitions`` /          :func:`_enum_group`: ``name: [labels]`` or
``enum_types`` / ``*_enums``                ``name: {values|labels: [...], description}``;
                                            nested groups (``enum_definitions.core_enums``)
``materialized_views`` /                    :func:`_mview_group`
``*_materialized_views``
``views`` / ``*_views``                     :func:`_view_group`: a list of column names,
                                            a mapping name -> type, or ``{columns: ...,
                                            description, materialized}``
``functions`` / ``*_functions`` /           :func:`_function_group`: ``parameters``
``procedures`` / ``*_procedures``           (SQL argument strings, one string, a mapping,
                                            or dicts), ``returns`` (``TABLE(...)``,
                                            ``SETOF x``, ``void``, ``trigger``, a type),
                                            ``language``, ``security``/``security_definer``,
                                            ``volatility``, ``strict``, ``leakproof``,
                                            ``parallel``, ``settings``/``search_path``,
                                            ``type: procedure|trigger``
``entities`` / ``tables`` / ``*_entities``  :func:`_table_group`: ``primary_key`` (string,
/ ``*_tables``                              ``"a, b"`` or list), ``fields``/``columns``
                                            (see below), ``indexes``, ``foreign_keys``,
                                            ``unique``, ``checks``, ``triggers``, ``rls``,
                                            ``policies``, ``partitioning``,
                                            ``generated_columns``
``triggers`` / ``*_triggers``               :func:`_trigger_group`: attached to ``table``
``policies`` / ``*_policies``               :func:`_policy_group`: attached to ``table``
``indexes`` / ``*_indexes``                 :func:`_index_group`: attached to ``table``
top-level scalars                           ``schema_version``/``version``,
                                            ``description``/``purpose``/``title`` and
                                            ``total_*`` are read; other scalars are
                                            informational
anything else                               a problem ("unrecognised top-level entry")
=========================================  ==========================================

``total_<kind>`` (top level, in ``metadata``/``schema_metadata``, or a ``totals`` group)
maps to ``totals.<kind>`` for every kind the format counts (tables, partitions, views,
materialized_views, enums, domains, functions, procedures, aggregates, sequences,
indexes, triggers, policies, extensions, schemas); other kinds are problems.

Inside every group, keys starting with ``_`` (``_comment``, ``_description``,
``_note``) and string-valued ``description``/``comment``/``note`` entries are ignored;
a key that itself matches a group pattern is a nested group.

Fields: ``name: "type"`` or ``name: {type, nullable|required|optional, default,
description, references, primary_key, unique, generated, identity}``, or a list of
``"name type ..."`` strings / ``{name, type, ...}`` dicts.  A type string may carry SQL
column annotations -- ``"uuid PRIMARY KEY"``, ``"text NOT NULL"``, ``"uuid REFERENCES
cognitive_cycles(cycle_id) ON DELETE CASCADE"``, ``"timestamptz DEFAULT now()"``,
``UNIQUE``, ``CONSTRAINT n CHECK (...)``, ``GENERATED ALWAYS AS (...) STORED``,
``GENERATED ... AS IDENTITY`` -- which are split into type + nullable / default /
primary key / foreign key / unique / check / generated / identity.

Types (:func:`normalize_type`): the documentation shorthands of the spec are kept as
written (``string``, ``string(64)``, ``float``, ``timestamp``, ``vector(1536)``,
``enum[name]``, ``enum[a, b, c]``, ``array<string>``, ``text[]``), Postgres spellings are
lower-cased and whitespace-normalised (``UUID`` -> ``uuid``, ``numeric(12, 6)`` ->
``numeric(12,6)``), ``string[]`` becomes ``array<string>``, ``serial`` types become
their integer type; any other identifier is taken as an enum/domain name.  Broken
spellings (``enum[foo``, ``array<``, empty) and spellings from other languages
(``datetime``, ``int64``, ``dict``...) are problems.

Indexes: a list of index descriptions cannot be matched by name (our format names
indexes), so it becomes ``indexes: {min_count: N}``.  Details are kept where the
format can carry them: a named index (``"idx_x ON t USING gin (tags)"``, ``{name: ...}``,
a mapping name -> definition) goes to ``indexes.named``; an unnamed ``UNIQUE`` index
(``"key UNIQUE"``, ``["a", "b UNIQUE"]``) becomes a ``unique:`` column list.  What an
unnamed index says beyond a plain column list (access method other than btree,
operator class, ``WHERE``, ``INCLUDE``, uniqueness on a materialized view) is reported
as a problem; the column lists and ASC/DESC of unnamed indexes are reduced to the count
by design.

Notes that the format cannot check are kept under ``x-`` keys, which the contract
schema allows anywhere and the checker ignores: ``indexes.x-unnamed`` (the unnamed
index descriptions, verbatim), ``x-generated: true`` on a column documented as
generated without its expression, ``partitions.x-names``.

Robustness: every value is type-checked before it is emitted, so odd input gives a
problem, not an exception or an invalid contract.  Two nets stay underneath: a
recogniser that fails on an entry reports ``cannot read this entry`` for it (the rest is
still imported), and the finished contract is validated with the loader's own JSON
Schema and semantic checks; anything they would reject is left out with a problem
(:func:`_safety_net`).  Hence an imported contract always loads.

Modules
-------
:mod:`.convert` the entry points; :mod:`.recognisers` the group-key table;
:mod:`.groups` walking a group (and the per-entry net); :mod:`.tables`,
:mod:`.table_builder`, :mod:`.indexes`, :mod:`.table_objects` (triggers, policies,
partitioning), :mod:`.enums`, :mod:`.views`, :mod:`.functions`, :mod:`.metadata`
(metadata, totals, extensions) the recognisers; :mod:`.type_spelling`,
:mod:`.column_text` (column annotations, references) and :mod:`.sqltext` the readers of
SQL-ish text they share; :mod:`.context` the problem collector and JSON paths;
:mod:`.safety_net` the final validation.
"""

from __future__ import annotations

from .convert import import_doc, import_doc_data, import_doc_to_yaml, is_doc_format
from .type_spelling import TypeSpellingError, normalize_type

# Private helpers the tests reach through the package (``importdoc._Ctx``); not API.
from .context import _Ctx  # noqa: F401
from .safety_net import _safety_net  # noqa: F401

__all__ = [
    "import_doc",
    "import_doc_data",
    "import_doc_to_yaml",
    "is_doc_format",
    "normalize_type",
    "TypeSpellingError",
]
