"""Benchmark: two checkouts of gpufleet side by side (before/after a change), against the same floor.

Each size's variants run interleaved in fresh processes, `--repeat` times: the bare `set_mocks` floor
(bench/preview.py's FLOOR), then `preview --no-policies` and `preview` with the policy pack over gRPC
(`policies/prod.json`) of each checkout. Prints medians (wall from process start, peak RSS, CPU seconds:
the measured process's own, and, after "+", its children's, i.e. the policy pack's process), ratios to the
floor, whether both checkouts wrote byte-identical plan JSON, and the 1-minute load average before and
after the size's runs (the machine may be shared: CPU seconds say what the wall time cannot, how much work
each variant is), then each run's wall seconds.

The "before" checkout runs with `--before-python` and PYTHONPATH set to it (e.g. a `git archive` of main
with a change reverse-applied, run by main's venv); the "after" checkout is this one, with this Python.
Usage: python bench/preview_compare.py --before DIR --before-python PY [--repeat 3] [--no-policies] N ...
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import preview as bench  # bench/preview.py: the floor, the measured command, the program

AFTER = Path(__file__).resolve().parents[1]


# bench/preview.py's MEASURE, also printing the CPU seconds of the process and of its children (the pack's
# process, which gpufleet waits for when it stops it).
MEASURE = bench.MEASURE.replace("resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)", (
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, *(sum(resource.getrusage(who)[:2]) "
    "for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))"))
FLOOR = bench.FLOOR.replace("resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)", (
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 0)"))
assert MEASURE != bench.MEASURE and FLOOR != bench.FLOOR


def _measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, float, float]:
    """Wall seconds, peak MiB, own CPU seconds, children's CPU seconds."""
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if out.returncode not in (0, 1):  # 1: a mandatory policy violation, still a whole preview
        raise SystemExit(f"{' '.join(cmd[:2])} failed:\n{out.stderr[-2000:]}")
    seconds, kib, own, children = out.stdout.strip().splitlines()[-1].split()
    return float(seconds), int(kib) / 1024, float(own), float(children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", metavar="N", type=int, nargs="+")
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--before-python", required=True, help="a Python with gpufleet's dependencies")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-policies", action="store_true", help="leave out the previews with the pack")
    args = parser.parse_args()
    checkouts = {"before": (args.before.resolve(), args.before_python), "after": (AFTER, sys.executable)}
    for root, _ in checkouts.values():
        for folder in ("gpufleet", "components", "policies"):
            compileall.compile_dir(root / folder, quiet=1)
    kinds = {"preview": ["--no-policies"]} if args.no_policies else {
        "preview": ["--no-policies"], "policies": ["--policy-config"]}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in args.sizes:
            project = bench._project("aws", n, work)
            load_before = os.getloadavg()[0]  # the machine is shared: say how busy it was
            runs: dict[str, list[tuple[float, float, float, float]]] = {}
            for _ in range(args.repeat):
                runs.setdefault("floor", []).append(_measure(
                    [sys.executable, "-c", FLOOR, str(project / "__main__.py"), str(n), bench.REGION["aws"],
                     "set_mocks"], project))
                for kind, extra in kinds.items():
                    for who, (root, python) in checkouts.items():
                        env = dict(os.environ, PYTHONPATH=str(root)) if who == "before" else None
                        config = [str(root / "policies" / "prod.json")] if kind == "policies" else []
                        runs.setdefault(f"{who} {kind}", []).append(_measure(
                            [python, "-c", MEASURE, "preview", "bench", "--program", str(project),
                             "--json", str(work / f"{who}-{kind}.json"), *extra, *config], work, env))
            medians = {v: tuple(statistics.median(run[i] for run in r) for i in range(4)) for v, r in runs.items()}
            floor_s, floor_mib, floor_cpu, _ = medians["floor"]
            cells = [f"{v} {s:.2f} s ({s / floor_s:.2f}×) {m:.0f} MiB ({m / floor_mib:.2f}×) "
                     f"CPU {own:.2f}{f' + {pack:.2f}' if pack else ''} s ({(own + pack) / floor_cpu:.2f}×)"
                     for v, (s, m, own, pack) in medians.items() if v != "floor"]
            same = {k: (work / f"before-{k}.json").read_bytes() == (work / f"after-{k}.json").read_bytes()
                    for k in kinds}
            print(f"{n} pools: floor {floor_s:.2f} s {floor_mib:.0f} MiB CPU {floor_cpu:.2f} s; " + "; ".join(cells)
                  + f"; identical plan JSON: {same}; load average {load_before:.2f} → {os.getloadavg()[0]:.2f}",
                  flush=True)
            # the medians hide the spread, which at small sizes is as large as the differences measured
            print("  each run (s): " + "; ".join(f"{v} " + ", ".join(f"{run[0]:.2f}" for run in r)
                                                 for v, r in runs.items()), flush=True)


if __name__ == "__main__":
    main()
