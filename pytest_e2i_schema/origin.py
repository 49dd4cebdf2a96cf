"""Which migration file created, last changed or dropped an object -- without replaying them.

Why: a failing contract, drift or snapshot item names the migration behind each object.
Replaying every file on a fresh database and reading the catalog after each
(:func:`pytest_e2i_schema.history.catalog_history`) answers that, but costs about as much as
the run itself again on a large project.  The session's template already holds the answer:

* **last touched** -- every catalog row's ``xmin`` is the transaction that last wrote it, and
  the template records which transactions each file ran in
  (:attr:`~pytest_e2i_schema.session.MigratedTemplate.xid_bounds`).  ONE query per session
  reads, for every object, the newest ``xmin`` over the rows that make it up (a table: its
  ``pg_class`` row, columns, defaults, constraints, comments, and those of its indexes,
  triggers and policies), and a bisection maps it to the file;
* **created or changed, dropped** -- a deleted row leaves no ``xmin`` behind, so creation and
  drops are found statically, in the parsed statements: "created by F" when F is the first
  file (since the last drop) with a CREATE of that name, "dropped by F" for an object the
  database does not have and F the last file with a DROP of it.  Parts of a table dropped
  later (``DROP POLICY/TRIGGER ... ON t``, ``ALTER TABLE t DROP CONSTRAINT``, ``DROP INDEX``
  of an index created on ``t``) count as changing ``t``.

Limitations: a write that leaves the catalog model as it was still counts as a change
(``GRANT``/``REVOKE``, ``ALTER ... OWNER``, ``CREATE OR REPLACE`` with an identical body, the
first trigger -- including a foreign key's internal ones -- on a table); parts removed by
``CASCADE`` or in a ``DO`` block, and dropped comments, are not seen; overloads of a function
with as many arguments share their creation file (statements are matched on name and argument
count, not types).
"""

from __future__ import annotations

import bisect
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterator, NamedTuple

import psycopg
from pglast import enums
from pglast.parser import ParseError

from .catalog._diff_names import _key_matches, _qualify_key, _split_args
from .catalog.diff import canonical_kind
from .catalog.queries import _fmt  # the reader's scope rules (schemas, extension members)
from .errors import E2IError
from .migrations.ordering import _CREATING_KINDS, created_objects

__all__ = ["Origins", "session_origins", "read_origins"]

# -- the catalog side: newest xmin per object -------------------------------------------------

#: After the reader's scope CTEs (``xm``, ``ns``): ``(kind, schema, name, tbl, args, x)`` per
#: catalog row, then the newest transaction id per object.  ``x`` is the row's 32-bit
#: ``xmin``; it is widened to the 64-bit id (what ``xid_bounds`` hold) as the newest id below
#: the next one, ``n``, with those low 32 bits -- exact for rows written in the last 2^32
#: transactions, which the migrations' rows are.  Ids below 3 are bootstrap/frozen ones.
_SQL = """
, rel as materialized (
    select c.oid, ns.nspname as schema, c.relname::text as name,
           case when c.relkind in ('v', 'm') then 'view' when c.relkind = 'S' then 'sequence' else 'table' end as kind,
           (select oc.relname::text from pg_depend d join pg_class oc on oc.oid = d.refobjid  -- a sequence's table
            where c.relkind = 'S' and d.classid = 'pg_class'::regclass and d.objid = c.oid
              and d.refclassid = 'pg_class'::regclass and d.refobjsubid > 0 and d.deptype in ('a', 'i')
            limit 1) as owner
    from pg_class c join ns on ns.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'f', 'v', 'm', 'S') and {rel_not_ext}
),
typ as materialized (
    select t.oid, ns.nspname as schema, t.typname::text as name,
           case t.typtype when 'e' then 'enum' else 'domain' end as kind
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype in ('e', 'd') and {type_not_ext}
),
fn as materialized (
    select p.oid, ns.nspname as schema, p.proname::text as name, pg_get_function_identity_arguments(p.oid) as args
    from pg_proc p join ns on ns.oid = p.pronamespace
    where {proc_not_ext}
),
child as materialized (  -- indexes, triggers, policies: counted for themselves and for their relation
    select 'index' as kind, ic.relname::text as name, i.indrelid as parent, x
    from pg_index i join pg_class ic on ic.oid = i.indexrelid,
         lateral (values (ic.xmin), (i.xmin)) v(x)
    union all
    select 'index', ic.relname::text, i.indrelid, d.xmin
    from pg_index i join pg_class ic on ic.oid = i.indexrelid
    join pg_description d on d.objoid = ic.oid and d.classoid = 'pg_class'::regclass
    union all
    select 'trigger', tg.tgname::text, tg.tgrelid, tg.xmin from pg_trigger tg where not tg.tgisinternal
    union all
    select 'trigger', tg.tgname::text, tg.tgrelid, d.xmin
    from pg_trigger tg join pg_description d on d.objoid = tg.oid and d.classoid = 'pg_trigger'::regclass
    where not tg.tgisinternal
    union all
    select 'policy', pol.polname::text, pol.polrelid, pol.xmin from pg_policy pol
),
part(kind, schema, name, tbl, args, x) as (
    select r.kind, r.schema, r.name, null::text, null::text, c.xmin from rel r join pg_class c on c.oid = r.oid
    union all select r.kind, r.schema, r.name, null, null, a.xmin
      from rel r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0  -- dropped columns too
    union all select r.kind, r.schema, r.name, null, null, d.xmin from rel r join pg_attrdef d on d.adrelid = r.oid
    union all select r.kind, r.schema, r.name, null, null, k.xmin from rel r join pg_constraint k on k.conrelid = r.oid
    union all select r.kind, r.schema, r.name, null, null, d.xmin
      from rel r join pg_constraint k on k.conrelid = r.oid
      join pg_description d on d.objoid = k.oid and d.classoid = 'pg_constraint'::regclass
    union all select r.kind, r.schema, r.name, null, null, w.xmin from rel r join pg_rewrite w on w.ev_class = r.oid
    union all select r.kind, r.schema, r.name, null, null, h.xmin from rel r join pg_inherits h on h.inhrelid = r.oid
    union all select r.kind, r.schema, r.name, null, null, s.xmin from rel r join pg_sequence s on s.seqrelid = r.oid
    union all select r.kind, r.schema, r.name, null, null, d.xmin
      from rel r join pg_description d on d.objoid = r.oid and d.classoid = 'pg_class'::regclass
    union all select ch.kind, r.schema, ch.name, r.name, null, ch.x from child ch join rel r on r.oid = ch.parent
    union all select r.kind, r.schema, r.name, null, null, ch.x
      from child ch join rel r on r.oid = ch.parent and r.kind in ('table', 'view')
    union all select t.kind, t.schema, t.name, null, null, pt.xmin from typ t join pg_type pt on pt.oid = t.oid
    union all select t.kind, t.schema, t.name, null, null, e.xmin from typ t join pg_enum e on e.enumtypid = t.oid
    union all select t.kind, t.schema, t.name, null, null, k.xmin from typ t join pg_constraint k on k.contypid = t.oid
    union all select t.kind, t.schema, t.name, null, null, d.xmin
      from typ t join pg_description d on d.objoid = t.oid and d.classoid = 'pg_type'::regclass
    union all select 'function', f.schema, f.name, null, f.args, p.xmin from fn f join pg_proc p on p.oid = f.oid
    union all select 'function', f.schema, f.name, null, f.args, d.xmin
      from fn f join pg_description d on d.objoid = f.oid and d.classoid = 'pg_proc'::regclass
    union all select 'schema', null, ns.nspname, null, null, n.xmin from ns join pg_namespace n on n.oid = ns.oid
    union all select 'schema', null, ns.nspname, null, null, d.xmin
      from ns join pg_description d on d.objoid = ns.oid and d.classoid = 'pg_namespace'::regclass
    union all select 'extension', null, e.extname::text, null, null, e.xmin
      from pg_extension e join ns on ns.oid = e.extnamespace
),
now as (select pg_snapshot_xmax(pg_current_snapshot())::text::bigint as n)
select p.kind, p.schema, p.name, coalesce(p.tbl, r.owner), p.args,
       max(case when p.x::text::bigint >= 3 then now.n - mod(now.n - p.x::text::bigint, 4294967296) end) as xid
from part p cross join now
left join rel r on p.kind = 'sequence' and r.schema = p.schema and r.name = p.name
group by 1, 2, 3, 4, 5
"""


class _Row(NamedTuple):
    """One object: ``table`` is the table of an index, trigger or policy, or the one owning a
    sequence; ``xid`` the newest transaction that wrote one of its rows (None: bootstrap)."""

    kind: str
    schema: str | None
    name: str
    table: str | None
    key: str
    xid: int | None


def _key(kind: str, schema: str | None, name: str, table: str | None, args: str | None) -> str:
    if kind in ("schema", "extension"):
        return name
    if kind in ("trigger", "policy"):  # named within their table
        return f"{schema}.{table}.{name}"
    return f"{schema}.{name}({args})" if kind == "function" else f"{schema}.{name}"


def _read_rows(conn: psycopg.Connection, schemas: list[str] | None) -> list[_Row]:
    params = {"schemas": schemas, "exclude": [], "ext": False}
    with conn.transaction(force_rollback=True):
        conn.execute("set local search_path = pg_catalog")  # argument types qualified, as the reader prints them
        rows = conn.execute(_fmt(_SQL, conn.info.server_version), params).fetchall()
    return [_Row(k, s, n, t, _key(k, s, n, t, a), x) for k, s, n, t, a, x in rows]


# -- the statement side: who creates and drops what -------------------------------------------

#: Catalog kinds as the statements name them (tables, views and sequences share one namespace).
_STATIC_KIND = {"table": "relation", "view": "relation", "sequence": "relation", "enum": "type",
                "domain": "type", "function": "function", "schema": "schema", "extension": "extension",
                "index": "index", "trigger": "trigger", "policy": "policy"}

_DROP_KINDS = {
    **dict.fromkeys(("OBJECT_TABLE", "OBJECT_FOREIGN_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE"),
                    "relation"),
    **dict.fromkeys(("OBJECT_TYPE", "OBJECT_DOMAIN"), "type"),
    **dict.fromkeys(("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE", "OBJECT_AGGREGATE"), "function"),
    "OBJECT_INDEX": "index", "OBJECT_TRIGGER": "trigger", "OBJECT_POLICY": "policy",
    "OBJECT_SCHEMA": "schema", "OBJECT_EXTENSION": "extension",
}
_INDEXED_CONSTRAINTS = {enums.ConstrType.CONSTR_PRIMARY, enums.ConstrType.CONSTR_UNIQUE,
                        enums.ConstrType.CONSTR_EXCLUSION}
_RENAMED = {"OBJECT_TABLE", "OBJECT_FOREIGN_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE", "OBJECT_INDEX"}
_PARSED_KINDS = _CREATING_KINDS | {"IndexStmt", "CreateTrigStmt", "CreatePolicyStmt", "DropStmt", "AlterTableStmt",
                                   "RenameStmt"}


class _Name(NamedTuple):
    """An object as statements name it: ``kind`` as :data:`_STATIC_KIND` (or ``constraint``),
    ``schema`` None when unqualified, ``table`` for the parts of a table (index, trigger,
    policy, constraint), ``arity`` the input arguments of a function (None: not known)."""

    kind: str
    schema: str | None
    name: str
    table: str | None = None
    arity: int | None = None

    def named_by(self, other: _Name) -> bool:
        """Whether a statement's ``other`` is this object (unknown parts match anything)."""
        pairs = ((other.schema, self.schema), (other.table, self.table), (other.arity, self.arity))
        return other.kind == self.kind and other.name == self.name and all(None in p or p[0] == p[1] for p in pairs)


def _strings(items: Any) -> list[str]:
    return [i.sval for i in items or () if getattr(i, "sval", None) is not None]


def _split(parts: list[str]) -> tuple[str | None, str]:
    return (parts[-2] if len(parts) > 1 else None), (parts[-1] if parts else "")


_NOT_INPUT = {enums.FunctionParameterMode.FUNC_PARAM_OUT, enums.FunctionParameterMode.FUNC_PARAM_TABLE}


def _events(node: Any) -> Iterator[tuple[str, _Name]]:
    """``(create | drop, name)`` for what one statement creates or drops (best effort: what
    it names, not what cascades)."""
    kind = type(node).__name__
    if kind in ("IndexStmt", "CreateTrigStmt", "CreatePolicyStmt"):
        obj, attr = {"IndexStmt": ("index", "idxname"), "CreateTrigStmt": ("trigger", "trigname"),
                     "CreatePolicyStmt": ("policy", "policy_name")}[kind]
        rv = node.table if kind == "CreatePolicyStmt" else node.relation
        if getattr(node, attr):
            yield "create", _Name(obj, rv.schemaname, getattr(node, attr), rv.relname)
    elif kind == "CreateFunctionStmt":  # procedures count OUT arguments in their signature
        arity = sum(1 for a in node.parameters or () if node.is_procedure or a.mode not in _NOT_INPUT)
        yield "create", _Name("function", *_split(_strings(node.funcname)), arity=arity)
    elif kind == "CreateExtensionStmt":
        yield "create", _Name("extension", None, node.extname)
    elif kind == "DropStmt":
        obj = _DROP_KINDS.get(node.removeType.name)
        for item in (node.objects or ()) if obj else ():
            if obj in ("trigger", "policy"):  # (schema, table, name)
                *table, name = _strings(item)
                schema, tbl = _split(table)
                yield "drop", _Name(obj, schema, name, tbl)
            elif getattr(item, "sval", None) is not None:  # schemas, extensions
                yield "drop", _Name(obj, None, item.sval)
            elif hasattr(item, "objname"):  # functions
                arity = None if item.args_unspecified else len(item.objargs or ())
                yield "drop", _Name(obj, *_split(_strings(item.objname)), arity=arity)
            else:  # relations, types
                yield "drop", _Name(obj, *_split(_strings(getattr(item, "names", item))))
    elif kind == "AlterTableStmt":
        rv = node.relation
        for cmd in node.cmds or ():
            if cmd.subtype == enums.AlterTableType.AT_DropConstraint:
                yield "drop", _Name("constraint", rv.schemaname, cmd.name, rv.relname)
            elif (cmd.subtype == enums.AlterTableType.AT_AddConstraint and cmd.def_.conname
                  and cmd.def_.contype in _INDEXED_CONSTRAINTS):
                yield "create", _Name("index", rv.schemaname, cmd.def_.conname, rv.relname)
    elif kind == "RenameStmt":
        if node.renameType.name in _RENAMED and node.relation is not None:
            obj = "index" if node.renameType.name == "OBJECT_INDEX" else "relation"
            yield "drop", _Name(obj, node.relation.schemaname, node.relation.relname)
            yield "create", _Name(obj, node.relation.schemaname, node.newname)
    else:
        for obj, schema, name in created_objects(node):
            yield "create", _Name(obj, schema, name)


@dataclass
class _Statements:
    """The migration files' statements, parsed on demand: a file only when its text mentions a
    name asked about, a statement's parse tree only when the statement does (parsing is most
    of the cost on a large project)."""

    migrations: list
    _texts: dict[int, tuple[str, str]] = field(default_factory=dict)  # text, lowercased
    _files: dict[int, list[tuple[str, Any]]] = field(default_factory=dict)

    def _statements(self, i: int, needle: str) -> list[tuple[str, Any]]:
        from .migrations.statements import parse_script

        if i not in self._texts:
            try:
                text = self.migrations[i].read_text()
            except E2IError:
                text = ""
            self._texts[i] = (text, text.lower())
        if needle not in self._texts[i][1]:
            return []
        if i not in self._files:
            try:
                script = parse_script(self._texts[i][0], self.migrations[i].display)
                self._files[i] = [(st.text.lower(), st) for st in script.statements if st.kind in _PARSED_KINDS]
            except E2IError:
                self._files[i] = []
        return self._files[i]

    def events(self, i: int, name: str) -> Iterator[tuple[str, _Name]]:
        """What file ``i`` creates and drops, from the statements that mention ``name``, in order."""
        needle = name.lower()
        for text, st in self._statements(i, needle):
            if needle in text:
                try:
                    node = st.node
                except ParseError:  # parsed with its file, but not alone: it names nothing
                    continue
                yield from _events(node)

    def creator(self, obj: _Name, upto: int) -> int | None:
        """The first file up to ``upto`` that creates ``obj`` since it was last dropped."""
        found = None
        for i in range(upto + 1):
            for verb, named in self.events(i, obj.name):
                if not obj.named_by(named):
                    continue
                if verb == "drop":
                    found = None
                elif found is None:
                    found = i
        return found

    def dropper(self, obj: _Name) -> int | None:
        """The last file that drops ``obj``."""
        for i in reversed(range(len(self.migrations))):
            if any(verb == "drop" and obj.named_by(named) for verb, named in self.events(i, obj.name)):
                return i
        return None

    def part_dropper(self, schema: str, table: str) -> int | None:
        """The last file that drops a part of ``table`` -- a trigger, policy, constraint, or an
        index created on it -- which leaves no row (no ``xmin``) behind."""
        last, indexes = None, set()
        for i in range(len(self.migrations)):
            for verb, named in self.events(i, table):
                if named.table == table and named.schema in (None, schema):
                    if verb == "drop":
                        last = i
                    elif named.kind == "index":
                        indexes.add(named.name)
        dropped = (self.dropper(_Name("index", schema, name)) for name in indexes)
        return max((i for i in (last, *dropped) if i is not None), default=None)


# -- answers ----------------------------------------------------------------------------------


@dataclass
class Origins:
    """Origin answers for one migrated template: ``rows`` from :func:`read_origins`, the files
    in apply order and the transaction-id bounds of each (``xid_bounds``, one more than files)."""

    rows: list[_Row]
    migrations: list
    xid_bounds: tuple[int, ...]
    statements: _Statements = field(init=False)

    def __post_init__(self) -> None:
        self.statements = _Statements(list(self.migrations))

    def _file(self, xid: int | None) -> int | None:
        if xid is None:
            return None
        i = bisect.bisect_right(self.xid_bounds, xid) - 1
        return i if 0 <= i < len(self.migrations) else None

    def find(self, kind: str, key: str) -> tuple[str, Any] | None:
        """``(verb, migration)``: verb ``created by``, ``last changed by`` or ``dropped by``;
        None when no migration is known to have touched the object.  ``kind`` singular or
        plural; ``key`` as :meth:`~pytest_e2i_schema.catalog.diff.CatalogDiff.touches` takes
        it (unqualified means ``public``, a bare function name matches every overload); a
        table's indexes, triggers and policies count as the table."""
        kind = canonical_kind(kind)
        if kind not in _STATIC_KIND:  # totals, roles...
            return None
        want = _qualify_key(kind, key)
        rows = [r for r in self.rows if r.kind == kind and _key_matches(kind, r.key, want)]
        if not rows:  # not in the database: dropped by a migration, or never made by one
            i = self.statements.dropper(_name_of(kind, want))
            return None if i is None else ("dropped by", self.migrations[i])
        answers = [a for a in map(self._last_touch, rows) if a is not None]
        if not answers:
            return None
        last, created = max(answers)  # the newest file; of several overloads, one it created
        return ("created by" if created else "last changed by"), self.migrations[last]

    def _last_touch(self, row: _Row) -> tuple[int, bool] | None:
        """The file that last touched an object of the database, and whether it created it."""
        last = self._file(row.xid)
        if row.kind in ("table", "view"):
            parts = self.statements.part_dropper(row.schema, row.name)
            last = max((i for i in (last, parts) if i is not None), default=None)
        if last is None:
            return None
        creator = self.statements.creator(_name_of(row.kind, row.key), last)
        if creator is None and row.kind in ("index", "sequence") and row.table is not None:
            # made along with its table: a primary key's index, a serial column's sequence
            creator = self.statements.creator(_Name("relation", row.schema, row.table), last)
        return last, creator == last

    def note(self, kind: str, key: str) -> str:
        """``created by FILE``, ``last changed by FILE``, ``dropped by FILE`` or ``""``."""
        found = self.find(kind, key)
        return "" if found is None else f"{found[0]} {found[1].display}"

    def blame(self, kind: str, key: str) -> str | None:
        """Display path of the file that last touched the object (created, changed or dropped it)."""
        found = self.find(kind, key)
        return None if found is None else found[1].display


def _name_of(kind: str, key: str) -> _Name:
    """A catalog key (qualified) as statements name the object."""
    if kind in ("schema", "extension"):
        return _Name(kind, None, key)
    head, paren, args = key.partition("(")
    schema, _, rest = head.partition(".")
    if kind in ("trigger", "policy"):  # schema.table.name
        table, _, name = rest.partition(".")
        return _Name(kind, schema, name, table)
    arity = len(_split_args(args[:-1])) if paren else None
    return _Name(_STATIC_KIND[kind], schema, rest, arity=arity)


def read_origins(conn: psycopg.Connection, migrations: list, xid_bounds: tuple[int, ...],
                 schemas: list[str] | None = None) -> Origins:
    """:class:`Origins` of a database migrated with ``migrations`` in the transactions
    ``xid_bounds`` delimit (one catalog query on ``conn``)."""
    return Origins(_read_rows(conn, schemas), list(migrations), tuple(xid_bounds))


_SESSION_ORIGINS: weakref.WeakKeyDictionary[Any, Origins | None] = weakref.WeakKeyDictionary()


def session_origins(session: Any) -> Origins | None:
    """:class:`Origins` of the session's default template, read once per session; None when
    it can't answer (no recorded transaction bounds, failed migrations, no server): callers
    then replay the migrations instead (:func:`pytest_e2i_schema.history.session_history`)."""
    if session not in _SESSION_ORIGINS:
        _SESSION_ORIGINS[session] = _build(session)
    return _SESSION_ORIGINS[session]


def _build(session: Any) -> Origins | None:
    if not hasattr(session, "template"):
        return None
    try:
        template = session.template()
        bounds = tuple(getattr(template, "xid_bounds", ()) or ())
        migrations = [r.migration for r in template.run.results]
        if not template.ok or len(bounds) != len(migrations) + 1:
            return None
        # The template must have no connections when it is cloned: this one is closed at once.
        with session.server().connect(template.dbname) as conn:
            return read_origins(conn, migrations, bounds, list(session.settings.schemas) or None)
    except (E2IError, psycopg.Error):
        return None
