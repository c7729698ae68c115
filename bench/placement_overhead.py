"""Benchmark: place()'s CPU time outside HiGHS at 1,000 workloads, two trees side by side, same placements.

For each seed and objective, the random fleet of `bench/placement.py` (`random_fleet(Random(seed + n), n)`)
is placed by each tree in turn (a fresh process per tree and seed, the trees alternating), `--runs` times;
the least CPU time of `place()` outside HiGHS is reported: without its MILP solves (`highs.solve_milp`),
and without its reduced-cost LPs too (`scipy.optimize.linprog`, HiGHS inside scipy). Each line also
says whether both trees' `Placement.to_output()` (JSON, `ties_exact` included) is the same.

Usage:
  python bench/placement_overhead.py --before BEFORE_DIR [--seeds 1 2 3 4 7] [--runs 3] [--size 1000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OBJECTIVES = ("cost", "carbon", "balanced")


def measure(repo: Path, seed: int, n: int, runs: int) -> list[dict]:
    """In this process: place each objective's fleet with the tree `repo`, `runs` times."""
    sys.path[:0] = [str(repo / "bench"), str(repo)]
    from placement import random_fleet  # noqa: PLC0415 - the tree's bench/placement.py

    from gpufleet.catalog import load_catalog  # noqa: PLC0415 - from the tree measured
    from gpufleet.placement import place, solve  # noqa: PLC0415
    from gpufleet.placement import highs  # noqa: PLC0415

    assert Path(sys.modules["gpufleet"].__file__).resolve().is_relative_to(repo), "placing with another tree"
    spent = {"milp": 0.0, "lp": 0.0}

    def timed(kind: str, function):
        def call(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[kind] += time.process_time() - start
        return call

    highs.solve_milp = timed("milp", highs.solve_milp)
    solve.linprog = timed("lp", solve.linprog)
    catalog = load_catalog()
    place(random_fleet(random.Random(seed), 10), catalog)  # first-call costs (imports, HiGHS's start) not counted
    out = []
    for objective in OBJECTIVES:
        fleet = random_fleet(random.Random(seed + n), n, objective)
        best = None
        for _ in range(runs):
            spent.update(milp=0.0, lp=0.0)
            start = time.process_time()
            output = place(fleet, catalog).to_output()
            cpu = time.process_time() - start
            if best is None or cpu - spent["milp"] < best["outside_milp"]:
                best = {"objective": objective, "cpu": cpu, "outside_milp": cpu - spent["milp"],
                        "outside_highs": cpu - spent["milp"] - spent["lp"],
                        "hash": hashlib.sha256(json.dumps(output, sort_keys=True).encode()).hexdigest()[:16]}
        out.append(best)
    return out


def run(repo: Path, seed: int, n: int, runs: int) -> list[dict]:
    done = subprocess.run([sys.executable, __file__, "--worker", str(repo), "--seeds", str(seed), "--size", str(n),
                           "--runs", str(runs)], capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the tree to compare with (e.g. a `git archive` of main)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 7])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        for line in measure(args.worker.resolve(), args.seeds[0], args.size, args.runs):
            print(json.dumps(line))
        return 0
    if args.before is None:
        parser.error("--before BEFORE_DIR is required")
    print("| seed | objective | CPU s outside HiGHS MILP before → after | × | outside all HiGHS before → after | × "
          "| place() CPU s before → after | same placement |")
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    differ = 0
    for seed in args.seeds:
        before = run(args.before.resolve(), seed, args.size, args.runs)
        after = run(HERE.parent, seed, args.size, args.runs)
        for b, a in zip(before, after):
            same = b["hash"] == a["hash"]
            differ += not same
            print(f"| {seed} | {a['objective']} | {b['outside_milp']:.2f} → {a['outside_milp']:.2f} | "
                  f"{b['outside_milp'] / a['outside_milp']:.1f} | {b['outside_highs']:.2f} → {a['outside_highs']:.2f} | "
                  f"{b['outside_highs'] / a['outside_highs']:.1f} | {b['cpu']:.2f} → {a['cpu']:.2f} | "
                  f"{'yes' if same else 'NO'} |", flush=True)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
