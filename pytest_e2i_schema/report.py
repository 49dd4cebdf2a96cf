"""The run summary printed at the end of a pytest session (and by ``e2i-schema migrate``).

It says what really happened: which server, which version, how many files applied and how
long they took, and every extension stand-in that was used -- so nobody mistakes a stand-in
for the real extension.
"""

from __future__ import annotations

from .session import E2ISession

__all__ = ["summary_lines"]


def summary_lines(session: E2ISession) -> list[str]:
    if session.info is None and not session.templates:
        return []
    lines: list[str] = []
    info = session.info
    if info is not None:
        cache = ""
        if getattr(session.engine, "used_cache", False):
            cache = ", cached cluster" + (" with the prelude applied" if info.seed_db else "")
        lines.append(f"engine: {info.engine}, PostgreSQL {info.version}, started in {session.start_s:.2f}s{cache}")
        if getattr(session.engine, "seed_note", ""):
            lines.append(f"  note: {session.engine.seed_note}")
    for tmpl in session.templates.values():
        run = tmpl.run
        results = list(run.results)
        ok = sum(1 for r in results if r.ok)
        lines.append(
            f"migrations: {ok}/{len(tmpl.migrations)} applied in {sum(r.duration_s for r in results):.2f}s"
            + (f" (prelude: {', '.join(p.name for p in tmpl.prelude)})" if tmpl.prelude else "")
        )
        for r in sorted(results, key=lambda r: -r.duration_s)[:3]:
            if r.duration_s >= 0.05:
                lines.append(f"  slowest: {r.migration.display} {r.duration_s:.2f}s")
        for f in run.failures:
            lines.append(f"  FAILED: {f.display}:{f.line}")
        counts = ", ".join(f"{k} {v}" for k, v in tmpl.object_counts().items() if v)
        if counts:
            lines.append(f"  objects made by the migrations: {counts}")
        for name, comment in tmpl.standins_used:
            lines.append(f"  STAND-IN used for extension {name!r}: {comment} -- not the real extension")
    lines += contract_table(session)
    return lines


_KINDS = [  # (label, contract entry kind, drift kind, catalog count key)
    ("tables", "table", "tables", "tables"),
    ("enums", "enum", "enums", "enums"),
    ("views", "view", "views", "views"),
    ("materialized views", "materialized_view", "materialized_views", "materialized_views"),
    ("functions", "function", "functions", "functions"),
    ("extensions", "extensions", "extensions", "extensions"),
]


def contract_table(session: E2ISession) -> list[str]:
    """The gap table people used to write by hand: per kind, documented / found / missing /
    undocumented / mismatched, from the contract and drift items that ran."""
    if not session.contract_files or not session.outcomes:
        return []
    from .contracts import totals_counts

    found_counts: dict[str, int] = {}
    try:
        found_counts = totals_counts(session.catalog())
    except Exception:  # no catalog (migrations failed): show what ran
        pass
    keys: dict[str, set] = {}
    for f in session.contract_files:
        for e in f.entries:
            keys.setdefault(e.kind, set()).update(e.spec or {} if e.kind == "extensions" else [e.key])
    documented = {kind: len(v) for kind, v in keys.items()}
    status: dict[tuple[str, str], int] = {}
    for kind, _key, st in session.outcomes:
        status[(kind, st)] = status.get((kind, st), 0) + 1
    rows = [("kind", "documented", "found", "missing", "undocumented", "mismatched")]
    for label, entry_kind, drift_kind, count_key in _KINDS:
        row = (
            label, documented.get(entry_kind, 0), found_counts.get(count_key, "?"),
            status.get((entry_kind, "missing"), 0), status.get((drift_kind, "undocumented"), 0),
            status.get((entry_kind, "mismatched"), 0),
        )
        if any(row[1:]) and row[1:] != (0, 0, 0, 0, 0):
            rows.append(row)
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    out = ["contracts: " + ", ".join(f.display for f in session.contract_files)]
    for r in rows:
        out.append("  " + "  ".join(str(v).rjust(w) if i else str(v).ljust(w) for i, (v, w) in enumerate(zip(r, widths))))
    for f in session.contract_files:
        for note in getattr(f, "notes", ()):
            out.append(f"  note: {f.display}: {note}")
    return out
