"""Measure candidate fast paths of the cold run: ``python bench/fastpaths.py [--reps 7]``.

Runs cold ``pytest --e2i-contracts`` on the reference schema with each patch of
``bench/_fastpath_plugin.py`` on its own and all together, interleaved, and prints the
median wall time and the gain over the unpatched run.  An experiment, not part of
``run.py``: the patches stand in for proposed package changes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH_DIR, REPO, median, pytest_cmd, run_proc  # noqa: E402

PATCHES = ("count_once", "owned_cache", "fast_poll", "validate_cache", "parse_cache", "early_server")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--project", default=str(REPO), help="folder to run the cold run in (default: the repository)")
    ap.add_argument("--variants", help="comma-separated subset of: none, all, " + ", ".join(PATCHES))
    ap.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH_DIR), env.get("PYTHONPATH")]))
    env["BENCH_PREPARE_WORKAROUND"] = "1"  # read by the conftest of projects made by bench/_projects.py
    variants = {"none": "", **{p: p for p in PATCHES}, "all": ",".join(PATCHES)}
    if args.variants:
        variants = {k: v for k, v in variants.items() if k in args.variants.split(",")}
    cmd = pytest_cmd("-p", "_fastpath_plugin", "--e2i-contracts", *args.pytest_args)
    times: dict[str, list[float]] = {v: [] for v in variants}
    cpu: dict[str, list[float]] = {v: [] for v in variants}
    for rep in range(args.reps + 1):  # the first round warms caches and is dropped
        for name, patches in variants.items():
            p = run_proc(cmd, cwd=Path(args.project), env=dict(env, E2I_FASTPATHS=patches))
            if p.rc not in (0, 1):  # 1: some schema item failed, the run itself completed
                print(p.out[-3000:], file=sys.stderr)
                raise SystemExit(f"variant {name} failed (exit {p.rc})")
            if rep:
                times[name].append(p.wall_s)
                cpu[name].append(p.cpu_s)
    base, base_cpu = median(times["none"]), median(cpu["none"])
    print(f"load average now {os.getloadavg()[0]:.1f}; wall time is only meaningful on an idle machine, CPU time "
          "(user + system of pytest, its server and every other child) much less disturbed by other work")
    print(f"{'variant':<15} {'wall s':>7} {'gain ms':>8} {'CPU s':>7} {'gain ms':>8}")
    for name in variants:
        m, c = median(times[name]), median(cpu[name])
        print(f"{name:<15} {m:7.3f} {1000 * (base - m):8.0f} {c:7.3f} {1000 * (base_cpu - c):8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
