"""The baseline for the introspection benchmark: read a catalog one query per object.

This is how hand-written schema checks and many tools read a database: list the objects,
then ask about each one (its columns, constraints, indexes, triggers, policies, labels,
definition).  It reads about the same facts as :func:`pytest_e2i_schema.catalog.read_catalog`
(same scope: user schemas, no extension members) so the two can be timed against each other;
it returns plain dicts and counts its statements.
"""

from __future__ import annotations

import psycopg

__all__ = ["read_naive"]

_SCOPE = """
    n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname !~ '^pg_(toast_)?temp_'
    and not exists (select from pg_depend d where d.classid = {cat}::regclass and d.objid = {oid} and d.deptype = 'e')
"""


class _Counter:
    def __init__(self, conn: psycopg.Connection):
        self.conn, self.n = conn, 0

    def all(self, sql: str, params=None) -> list[tuple]:
        self.n += 1
        return self.conn.execute(sql, params).fetchall()


def read_naive(conn: psycopg.Connection) -> tuple[dict, int]:
    """``(catalog as dicts, number of statements sent)``; runs in a rolled-back transaction."""
    q = _Counter(conn)
    out: dict = {"tables": {}, "views": {}, "enums": {}, "domains": {}, "functions": {}, "sequences": {}}
    with conn.transaction(force_rollback=True):
        conn.execute("set local search_path = pg_catalog")
        q.n += 1
        out["schemas"] = q.all(f"select n.nspname from pg_namespace n where {_SCOPE.format(cat=repr('pg_namespace'), oid='n.oid')}")
        out["extensions"] = q.all("select extname, extversion from pg_extension")
        rels = q.all(
            "select c.oid, n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            f"where c.relkind in ('r', 'p', 'f', 'v', 'm') and {_SCOPE.format(cat=repr('pg_class'), oid='c.oid')} "
            "order by 2, 3"
        )
        for oid, schema, name, relkind in rels:
            rel: dict = {}
            rel["columns"] = q.all(
                "select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, col_description(a.attrelid, a.attnum) "
                "from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum "
                "where a.attrelid = %s and a.attnum > 0 and not a.attisdropped order by a.attnum", [oid])
            rel["comment"] = q.all("select obj_description(%s, 'pg_class')", [oid])[0][0]
            if relkind in ("v", "m"):
                rel["definition"] = q.all("select pg_get_viewdef(%s, true)", [oid])[0][0]
            else:
                rel["constraints"] = q.all(
                    "select conname, contype, pg_get_constraintdef(oid, true) from pg_constraint "
                    "where conrelid = %s order by conname", [oid])
                rel["triggers"] = q.all(
                    "select tgname, pg_get_triggerdef(oid, true) from pg_trigger "
                    "where tgrelid = %s and not tgisinternal order by tgname", [oid])
                rel["policies"] = q.all(
                    "select polname, polcmd, polpermissive, polroles::regrole[]::text[], "
                    "pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid) "
                    "from pg_policy where polrelid = %s order by polname", [oid])
                rel["rls"] = q.all("select relrowsecurity, relforcerowsecurity from pg_class where oid = %s", [oid])[0]
            if relkind != "v":
                rel["indexes"] = q.all(
                    "select ic.relname, am.amname, i.indisunique, i.indisprimary, pg_get_indexdef(i.indexrelid) "
                    "from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_am am on am.oid = ic.relam "
                    "where i.indrelid = %s order by ic.relname", [oid])
            (out["views"] if relkind in ("v", "m") else out["tables"])[f"{schema}.{name}"] = rel
        types = q.all(
            "select t.oid, n.nspname, t.typname, t.typtype from pg_type t join pg_namespace n on n.oid = t.typnamespace "
            f"where t.typtype in ('e', 'd') and {_SCOPE.format(cat=repr('pg_type'), oid='t.oid')} order by 2, 3")
        for oid, schema, name, typtype in types:
            if typtype == "e":
                out["enums"][f"{schema}.{name}"] = [r[0] for r in q.all(
                    "select enumlabel from pg_enum where enumtypid = %s order by enumsortorder", [oid])]
            else:
                out["domains"][f"{schema}.{name}"] = q.all(
                    "select format_type(t.typbasetype, t.typtypmod), t.typnotnull, "
                    "array(select pg_get_constraintdef(c.oid) from pg_constraint c where c.contypid = t.oid) "
                    "from pg_type t where t.oid = %s", [oid])
        funcs = q.all(
            "select p.oid, n.nspname, p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
            f"where {_SCOPE.format(cat=repr('pg_proc'), oid='p.oid')} order by 2, 3")
        for oid, schema, name in funcs:
            out["functions"][f"{schema}.{name}.{oid}"] = q.all(
                "select pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid), l.lanname, "
                "p.provolatile, p.proisstrict, p.prosecdef, p.proconfig, p.prosrc, obj_description(p.oid, 'pg_proc') "
                "from pg_proc p join pg_language l on l.oid = p.prolang where p.oid = %s", [oid])[0]
        seqs = q.all(
            "select c.oid, n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            f"where c.relkind = 'S' and {_SCOPE.format(cat=repr('pg_class'), oid='c.oid')}")
        for oid, schema, name in seqs:
            out["sequences"][f"{schema}.{name}"] = q.all(
                "select format_type(seqtypid, null), seqstart, seqincrement, seqmin, seqmax, seqcache, seqcycle "
                "from pg_sequence where seqrelid = %s", [oid])[0]
    return out, q.n
