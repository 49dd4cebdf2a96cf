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
            cache = ", cached cluster"
        lines.append(f"engine: {info.engine}, PostgreSQL {info.version}, started in {session.start_s:.2f}s{cache}")
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
    return lines
