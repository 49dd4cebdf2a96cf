"""The SQL that reads the catalog: one statement per object kind, over every schema at once.

Why one module of plain SQL: the reader's speed and determinism both come from here.
Each query covers *all* objects of its kind in scope (never one query per object), so
the number of round trips stays constant as a schema grows.  Every query starts with
the same ``ns`` CTE, so the scope rules (system schemas, temp schemas, ``schemas=``,
``exclude_schemas=``, extension membership) are written once.

Server-version differences live in :func:`version_fragments` and nowhere else.  The
queries are meant to run with ``search_path = pg_catalog`` so that ``format_type``,
``pg_get_expr`` and friends print user objects schema-qualified, independent of the
caller's search path.  No query returns an OID to the model.
"""

from __future__ import annotations

__all__ = ["MIN_SERVER_VERSION", "version_fragments", "catalog_queries", "COUNT_OBJECTS", "COUNT_NEW_OBJECTS"]

#: ``pg_get_function_sqlbody`` / ``prosqlbody`` appeared in PostgreSQL 14.
MIN_SERVER_VERSION = 140000

#: Scope CTEs.  Parameters: ``schemas`` (text[] or NULL = all), ``exclude`` (text[]),
#: ``ext`` (bool, include objects that belong to an extension).
#:
#: ``xm`` lists extension members once, from the extensions' side of ``pg_depend`` (its
#: ``refobjid`` index: cost grows with the members, not with the database).  Testing
#: membership per object with ``not exists (... pg_depend ...)`` made the planner scan all
#: of ``pg_depend`` once per object kind, which dominated every read and count.
_NS = """
with xm as materialized (
    select d.classid, d.objid
    from pg_extension e
    join pg_depend d on d.refclassid = 'pg_extension'::regclass and d.refobjid = e.oid and d.deptype = 'e'
    where not %(ext)s
),
ns as (
    select n.oid, n.nspname::text as nspname
    from pg_namespace n
    where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
      and n.nspname !~ '^pg_(toast_)?temp_'
      and (%(schemas)s::text[] is null or n.nspname = any(%(schemas)s::text[]))
      and not n.nspname = any(%(exclude)s::text[])
      and {not_ext_ns}
)
"""


def _not_ext(catalog: str, oid: str) -> str:
    """Predicate: the object is not a member of an extension (``xm`` is empty when ``ext``)."""
    return f"{oid} not in (select xm.objid from xm where xm.classid = '{catalog}'::regclass)"


def version_fragments(version: int) -> dict[str, str]:
    """SQL fragments that differ by server version -- the only place versions are checked."""
    return {
        # PG 18: NOT ENFORCED check / foreign key constraints.
        "conenforced": "con.conenforced" if version >= 180000 else "true",
        # PG 15: ON DELETE SET NULL (col, ...), UNIQUE NULLS NOT DISTINCT.
        "confdelsetcols": (
            "array(select a.attname::text from unnest(con.confdelsetcols) with ordinality k(n, i)"
            " join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i)"
            if version >= 150000
            else "'{}'::text[]"
        ),
        "nullsnotdistinct": "i.indnullsnotdistinct" if version >= 150000 else "false",
    }


def _fmt(sql: str, version: int) -> str:
    frag = version_fragments(version)
    head = _NS.format(not_ext_ns=_not_ext("pg_namespace", "n.oid"))
    return head + sql.format(
        rel_not_ext=_not_ext("pg_class", "c.oid"),
        type_not_ext=_not_ext("pg_type", "t.oid"),
        proc_not_ext=_not_ext("pg_proc", "p.oid"),
        **frag,
    )


def _comment(oid: str, catalog: str, subid: str = "0") -> str:
    """The comment on an object, as ``obj_description`` / ``col_description`` return it.

    Why not those functions: they are SQL functions the executor runs one call at a time,
    and at 600 tables that was a third of the columns and indexes reads (6,690 columns).
    The same lookup as a scalar subquery uses ``pg_description``'s unique index directly.
    """
    return (f"(select d.description from pg_description d where d.objoid = {oid}"
            f" and d.classoid = '{catalog}'::regclass and d.objsubid = {subid})")


_SCHEMAS = """
select ns.nspname as name, """ + _comment("ns.oid", "pg_namespace") + """ as comment from ns
"""

_RELATIONS = """
select ns.nspname as schema, c.relname::text as name, c.relkind::text as relkind,
       c.relispartition as is_partition, c.relpersistence = 'u' as unlogged,
       c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced,
       c.reloptions::text[] as options, c.relispopulated as populated,
       """ + _comment("c.oid", "pg_class") + """ as comment,
       case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partition_key,
       case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end as partition_bound,
       array(select pn.nspname || '.' || pc.relname
             from pg_inherits inh join pg_class pc on pc.oid = inh.inhparent
             join pg_namespace pn on pn.oid = pc.relnamespace
             where inh.inhrelid = c.oid order by inh.inhseqno) as parents,
       case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid, true) end as definition
from pg_class c join ns on ns.oid = c.relnamespace
where c.relkind in ('r', 'p', 'f', 'v', 'm') and {rel_not_ext}
"""

_COLUMNS = """
select ns.nspname as schema, c.relname::text as relation, a.attnum as position,
       a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type,
       tn.nspname::text as type_schema, t.typname::text as type_name, t.typtype::text as typtype,
       (t.typcategory = 'A' and t.typelem <> 0) as is_array,
       case when t.typcategory = 'A' and t.typelem <> 0 then format_type(t.typelem, null) end as element_type,
       quote_ident(coalesce(en.nspname, tn.nspname)) as named_schema,
       a.attnotnull as not_null, a.attidentity::text as identity, a.attgenerated::text as generated,
       pg_get_expr(ad.adbin, ad.adrelid) as expr,
       case when a.attcollation <> t.typcollation then cn.nspname || '.' || co.collname end as collation,
       """ + _comment("c.oid", "pg_class", "a.attnum") + """ as comment
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join ns on ns.oid = c.relnamespace
join pg_type t on t.oid = a.atttypid
join pg_namespace tn on tn.oid = t.typnamespace
left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
left join pg_namespace en on en.oid = et.typnamespace
left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
left join pg_collation co on co.oid = a.attcollation
left join pg_namespace cn on cn.oid = co.collnamespace
where c.relkind in ('r', 'p', 'f', 'v', 'm') and a.attnum > 0 and not a.attisdropped and {rel_not_ext}
"""

_TYPES = """
select ns.nspname as schema, t.typname::text as name, t.typtype::text as typtype,
       array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid
             order by e.enumsortorder) as labels,
       case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end as base_type,
       t.typnotnull as not_null, pg_get_expr(t.typdefaultbin, 0) as default,
       case when t.typtype = 'd' and t.typcollation <> bt.typcollation
            then cn.nspname || '.' || co.collname end as collation,
       """ + _comment("t.oid", "pg_type") + """ as comment
from pg_type t join ns on ns.oid = t.typnamespace
left join pg_type bt on bt.oid = t.typbasetype
left join pg_collation co on co.oid = t.typcollation
left join pg_namespace cn on cn.oid = co.collnamespace
where t.typtype in ('e', 'd') and {type_not_ext}
"""

_CONSTRAINTS = """
select ns.nspname as schema, coalesce(c.relname, t.typname)::text as parent,
       (con.contypid <> 0) as on_domain, con.conname::text as name, con.contype::text as contype,
       pg_get_constraintdef(con.oid, true) as definition,
       case when con.contype = 'c' then pg_get_expr(con.conbin, con.conrelid) end as expression,
       array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i) as columns,
       fn.nspname || '.' || fc.relname as references,
       array(select a.attname::text from unnest(con.confkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)
         as referenced_columns,
       con.confupdtype::text as on_update, con.confdeltype::text as on_delete,
       con.confmatchtype::text as match, {confdelsetcols} as on_delete_set_columns,
       con.condeferrable as deferrable, con.condeferred as initially_deferred,
       con.convalidated as validated, {conenforced} as enforced, con.connoinherit as no_inherit,
       (not con.conislocal or con.conparentid <> 0) as inherited,
       case when con.contype in ('p', 'u', 'x') then ic.relname::text end as index,
       """ + _comment("con.oid", "pg_constraint") + """ as comment
from pg_constraint con
join ns on ns.oid = con.connamespace
left join pg_class c on c.oid = con.conrelid
left join pg_type t on t.oid = con.contypid
left join pg_class fc on fc.oid = con.confrelid
left join pg_namespace fn on fn.oid = fc.relnamespace
left join pg_class ic on ic.oid = con.conindid
where con.contype in ('p', 'u', 'f', 'c', 'x')
  and (con.conrelid = 0 or {rel_not_ext})
  and (con.contypid = 0 or {type_not_ext})
"""

_FUNCTIONS = """
select ns.nspname as schema, p.proname::text as name, p.prokind::text as prokind,
       pg_get_function_identity_arguments(p.oid) as identity_arguments,
       pg_get_function_arguments(p.oid) as arguments,
       pg_get_function_result(p.oid) as result,
       format_type(p.prorettype, null) as return_type, p.proretset as returns_set,
       l.lanname::text as language, p.provolatile::text as volatility, p.proisstrict as strict,
       p.prosecdef as security_definer, p.proleakproof as leakproof, p.proparallel::text as parallel,
       p.proconfig as config,
       case when p.prosqlbody is not null then pg_get_function_sqlbody(p.oid) else p.prosrc end as source,
       (select json_agg(json_build_object(
                  'name', nullif(p.proargnames[a.n], ''),
                  'mode', coalesce(p.proargmodes[a.n]::text, 'i'),
                  'type', format_type(a.t, null),
                  'default', pg_get_function_arg_default(p.oid, a.n::int)) order by a.n)
        from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality a(t, n)) as args,
       """ + _comment("p.oid", "pg_proc") + """ as comment
from pg_proc p join ns on ns.oid = p.pronamespace join pg_language l on l.oid = p.prolang
where {proc_not_ext}
"""

_TRIGGERS = """
select ns.nspname as schema, c.relname::text as table, tg.tgname::text as name,
       tg.tgtype::int as tgtype, tg.tgenabled::text as enabled,
       pn.nspname || '.' || p.proname as function, tg.tgnargs::int as nargs, tg.tgargs as args,
       array(select a.attname::text from unnest(tg.tgattr::int2[]) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = tg.tgrelid and a.attnum = k.n order by k.i)
         as update_columns,
       tg.tgqual is not null as has_condition, tg.tgconstraint <> 0 as is_constraint,
       tg.tgdeferrable as deferrable, tg.tginitdeferred as initially_deferred,
       tg.tgparentid <> 0 as inherited, tg.tgoldtable::text as old_table, tg.tgnewtable::text as new_table,
       pg_get_triggerdef(tg.oid, true) as definition, """ + _comment("tg.oid", "pg_trigger") + """ as comment
from pg_trigger tg
join pg_class c on c.oid = tg.tgrelid
join ns on ns.oid = c.relnamespace
join pg_proc p on p.oid = tg.tgfoid
join pg_namespace pn on pn.oid = p.pronamespace
where not tg.tgisinternal and {rel_not_ext}
"""

_INDEXES = """
select ns.nspname as schema, c.relname::text as table, ic.relname::text as name, am.amname::text as method,
       i.indisunique as is_unique, i.indisprimary as is_primary, i.indisvalid as valid,
       {nullsnotdistinct} as nulls_not_distinct, i.indnkeyatts::int as nkeys,
       con.conname::text as constraint, pg_get_expr(i.indpred, i.indrelid) as predicate,
       ic.reloptions::text[] as options, pg_get_indexdef(i.indexrelid) as definition,
       (select pn.nspname || '.' || pc.relname from pg_inherits inh
        join pg_class pc on pc.oid = inh.inhparent join pg_namespace pn on pn.oid = pc.relnamespace
        where inh.inhrelid = ic.oid) as parent,
       (select json_agg(json_build_object(
                  'expression', pg_get_indexdef(i.indexrelid, k.n, true),
                  'opclass', oc.opcname, 'opclass_default', oc.opcdefault,
                  'option', i.indoption[k.n - 1],
                  'collation', case when ia.attcollation <> 0 and ia.attcollation <> it.typcollation
                                    then ocn.nspname || '.' || ico.collname end) order by k.n)
        from generate_series(1, i.indnatts::int) k(n)
        join pg_attribute ia on ia.attrelid = i.indexrelid and ia.attnum = k.n
        join pg_type it on it.oid = ia.atttypid
        left join pg_opclass oc on k.n <= i.indnkeyatts and oc.oid = i.indclass[k.n - 1]
        left join pg_collation ico on ico.oid = ia.attcollation
        left join pg_namespace ocn on ocn.oid = ico.collnamespace) as keys,
       """ + _comment("ic.oid", "pg_class") + """ as comment
from pg_index i
join pg_class ic on ic.oid = i.indexrelid
join pg_class c on c.oid = i.indrelid
join ns on ns.oid = c.relnamespace
join pg_am am on am.oid = ic.relam
left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid
     and con.contype in ('p', 'u', 'x')
where c.relkind in ('r', 'p', 'm', 'f') and {rel_not_ext}
"""

_POLICIES = """
select ns.nspname as schema, c.relname::text as table, pol.polname::text as name,
       pol.polcmd::text as command, pol.polpermissive as permissive,
       array(select case when r = 0 then 'public' else (select rolname::text from pg_roles where oid = r) end
             from unnest(pol.polroles) r) as roles,
       pg_get_expr(pol.polqual, pol.polrelid) as using,
       pg_get_expr(pol.polwithcheck, pol.polrelid) as with_check
from pg_policy pol join pg_class c on c.oid = pol.polrelid join ns on ns.oid = c.relnamespace
where {rel_not_ext}
"""

_EXTENSIONS = """
select e.extname::text as name, e.extversion as version, ns.nspname as schema
from pg_extension e join ns on ns.oid = e.extnamespace
"""

_SEQUENCES = """
select ns.nspname as schema, c.relname::text as name, format_type(s.seqtypid, null) as type,
       s.seqstart as start, s.seqincrement as increment, s.seqmin as min_value, s.seqmax as max_value,
       s.seqcache as cache, s.seqcycle as cycle, d.deptype::text as owner_deptype,
       tn.nspname || '.' || tc.relname || '.' || a.attname as owned_by,
       """ + _comment("c.oid", "pg_class") + """ as comment
from pg_sequence s
join pg_class c on c.oid = s.seqrelid
join ns on ns.oid = c.relnamespace
left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = c.oid
     and d.refclassid = 'pg_class'::regclass and d.refobjsubid > 0 and d.deptype in ('a', 'i')
left join pg_class tc on tc.oid = d.refobjid
left join pg_namespace tn on tn.oid = tc.relnamespace
left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
where {rel_not_ext}
"""

_ALL = {
    "schemas": _SCHEMAS,
    "relations": _RELATIONS,
    "columns": _COLUMNS,
    "types": _TYPES,
    "constraints": _CONSTRAINTS,
    "functions": _FUNCTIONS,
    "triggers": _TRIGGERS,
    "indexes": _INDEXES,
    "policies": _POLICIES,
    "extensions": _EXTENSIONS,
    "sequences": _SEQUENCES,
}


def catalog_queries(version: int) -> dict[str, str]:
    """``{kind: sql}`` for this server version, all sharing the ``ns`` scope CTE."""
    return {kind: _fmt(sql, version) for kind, sql in _ALL.items()}


#: The highest oid of the counted catalogs: every object made later has a higher one (oids come
#: from one counter, which does not wrap around in a test cluster's lifetime).
_WATERMARK = """
  greatest((select max(oid) from pg_class), (select max(oid) from pg_type), (select max(oid) from pg_proc),
           (select max(oid) from pg_trigger), (select max(oid) from pg_policy))::bigint as watermark
"""


def _totals(oid_from: str, *, member_check: bool) -> str:
    """The counters of relations (from the ``rel`` CTE), types and routines, one row each:
    objects whose oid passes ``oid_from`` (``"{oid} >= 16384"``), extension members left out
    when *member_check*.  Shared by :data:`COUNT_OBJECTS` and :data:`COUNT_NEW_OBJECTS`."""
    type_ext = " and {type_not_ext}" if member_check else ""
    proc_ext = " and {proc_not_ext}" if member_check else ""
    return """
from (select
        count(*) filter (where relkind in ('r', 'p', 'f') and not relispartition) as tables,
        count(*) filter (where relkind in ('r', 'p', 'f') and relispartition) as partitions,
        count(*) filter (where relkind = 'v') as views,
        count(*) filter (where relkind = 'm') as matviews,
        count(*) filter (where relkind = 'S') as sequences
      from rel) r,
     (select count(*) filter (where t.typtype = 'e') as enums,
             count(*) filter (where t.typtype = 'd') as domains
      from pg_type t join ns on ns.oid = t.typnamespace
      where """ + oid_from.replace("{oid}", "t.oid") + " and t.typtype in ('e', 'd')" + type_ext + """) t,
     (select count(*) filter (where p.prokind in ('f', 'w')) as functions,
             count(*) filter (where p.prokind = 'p') as procedures,
             count(*) filter (where p.prokind = 'a') as aggregates
      from pg_proc p join ns on ns.oid = p.pronamespace
      where """ + oid_from.replace("{oid}", "p.oid") + proc_ext + """) p
"""


_COUNT = """
, rel as materialized (
    select c.oid, c.relkind, c.relispartition
    from pg_class c join ns on ns.oid = c.relnamespace
    where c.oid >= 16384 and c.relkind in ('r', 'p', 'f', 'v', 'm', 'S') and {rel_not_ext}
)
select r.*, t.*, p.*, """ + _WATERMARK + """,
  (select count(*) from pg_trigger tg join rel on rel.oid = tg.tgrelid
    where tg.oid >= 16384 and not tg.tgisinternal) as triggers,
  (select count(*) from pg_index i join rel on rel.oid = i.indrelid
    where i.indexrelid >= 16384 and rel.relkind in ('r', 'p', 'm', 'f')) as indexes,
  (select count(*) from pg_policy pol join rel on rel.oid = pol.polrelid where pol.oid >= 16384) as policies
""" + _totals("{oid} >= 16384", member_check=True)

#: The objects made since a watermark (``after``), with the scope rules of ``_COUNT``: each
#: catalog is read by its oid index from ``after`` on, so the cost follows the new objects,
#: not the database.  Triggers, indexes and policies are checked against their relation
#: directly (a new index on an old table counts; an old table may belong to an extension).
#: The new objects themselves are not checked for extension membership: only ``CREATE`` /
#: ``ALTER EXTENSION`` make members, and a file with those never gets an incremental count.
_COUNT_NEW = """
, rel as materialized (
    select c.oid, c.relkind, c.relispartition
    from pg_class c join ns on ns.oid = c.relnamespace
    where c.oid > %(after)s and c.relkind in ('r', 'p', 'f', 'v', 'm', 'S')
),
new_children as materialized (
    select 'trigger' as what, tgrelid as relid from pg_trigger where oid > %(after)s and not tgisinternal
    union all select 'index', indrelid from pg_index where indexrelid > %(after)s
    union all select 'policy', polrelid from pg_policy where oid > %(after)s
),
children as (
    select n.what from new_children n, lateral (
        select from pg_class c join ns on ns.oid = c.relnamespace
        where c.oid = n.relid and {rel_not_ext}
          and c.relkind = any(case when n.what = 'index' then '{{r,p,m,f}}'::"char"[]
                                   else '{{r,p,f,v,m,S}}'::"char"[] end)
        limit 1) in_scope
)
select r.*, t.*, p.*,
  (select count(*) from children where what = 'trigger') as triggers,
  (select count(*) from children where what = 'index') as indexes,
  (select count(*) from children where what = 'policy') as policies,
""" + _WATERMARK + _totals("{oid} > %(after)s", member_check=False)

#: One statement counting user objects with the same scope rules as :func:`catalog_queries`,
#: and the oid watermark :data:`COUNT_NEW_OBJECTS` counts from next.  ``oid >= 16384``
#: (FirstNormalObjectId: everything made after initdb, so every object in scope) lets each
#: catalog be read by its oid index instead of scanning the thousands of built-in functions and
#: types: it runs after every migration file.
COUNT_OBJECTS = _fmt(_COUNT, MIN_SERVER_VERSION)

#: :data:`COUNT_OBJECTS` for the objects made after the watermark ``after`` (see ``FileCounts``).
COUNT_NEW_OBJECTS = _fmt(_COUNT_NEW, MIN_SERVER_VERSION)
