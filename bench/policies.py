"""Benchmark: the policy pack over a generated fleet of ~10,000 resources, in-process against gRPC.

The fleet is tests/policies/generated_fleet.py: units of 10 resources across AWS, Azure and GCP (GPU
node groups and launch templates, buckets with their configurations, security groups, AKS and GKE GPU
pools, an unpriced GPU instance), with the stack and its default providers. Every policy is enabled
as in prod (`policies/prod.json`). Each measurement runs in a fresh Python process, the paths
interleaved, and reports the wall and CPU seconds of one whole pass (`Analyze` per resource and
`AnalyzeStack`), imports and the fleet's construction excluded:
  in-process  gpufleet's fast path: the pack's policies in this process (`analyze_in_process`)
  gRPC        the reference: the pack started as the Pulumi CLI starts it, driven over the Analyzer
              protocol (`analyze_over_grpc`); its CPU is in the other process, so only wall is shown
The verdicts of both paths are compared and must be identical.
Usage: python bench/policies.py [--units 1001] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

ONE = textwrap.dedent('''
    import json, sys, time
    sys.path.insert(0, sys.argv[1] + "/tests/policies")
    from generated_fleet import generated_fleet
    from pack_helpers import PACK, environment_config
    from gpufleet.policy.analyzer import analyze_over_grpc
    from gpufleet.policy.inprocess import analyze_in_process, load_pack
    load_pack(PACK)
    run = generated_fleet(int(sys.argv[3]))
    analyze = analyze_in_process if sys.argv[2] == "in-process" else analyze_over_grpc
    wall, cpu = time.perf_counter(), time.process_time()
    found = analyze(PACK, run, environment_config("prod"), project=run.settings.project,
                    stack=run.settings.stack, stack_config=run.settings.config)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with open(sys.argv[4], "w") as out:
        json.dump([[v.policy, v.level, v.urn, v.message] for v in found], out)
    print(len(run.resources), wall, cpu)
''')

PATHS = ("in-process", "gRPC")


def measure(path: str, units: int, verdicts: Path) -> tuple[int, float, float]:
    out = subprocess.run([sys.executable, "-c", ONE, str(REPO), path, str(units), str(verdicts)], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


def main(units: int, repeat: int) -> None:
    runs: dict[str, list[tuple[float, float]]] = {p: [] for p in PATHS}
    with tempfile.TemporaryDirectory() as tmp:
        found = {}
        for _ in range(repeat):
            for path in PATHS:
                verdicts = Path(tmp) / f"{path}.json"
                resources, wall, cpu = measure(path, units, verdicts)
                runs[path].append((wall, cpu))
                found[path] = verdicts.read_text()
        same = found["in-process"] == found["gRPC"]
        count = len(json.loads(found["gRPC"]))
    walls = {p: statistics.median(w for w, _ in runs[p]) for p in PATHS}
    cpus = {p: statistics.median(c for _, c in runs[p]) for p in PATHS}
    print(f"{resources:,} resources, {count:,} verdicts, identical on both paths: {'yes' if same else 'NO'}; "
          f"medians of {repeat}\n")
    print("| path | wall s | CPU s (this process) | µs per resource (wall) | wall ÷ gRPC |")
    print("|---|---:|---:|---:|---:|")
    for p in PATHS:
        cpu = f"{cpus[p]:.2f}" if p == "in-process" else "(pack process)"
        print(f"| {p} | {walls[p]:.2f} | {cpu} | {walls[p] / resources * 1e6:,.0f} | {walls[p] / walls['gRPC']:.2f}× |")
    if not same:
        sys.exit("the in-process verdicts differ from the gRPC verdicts")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1001, help="units of 10 resources (default 1001: 10,014)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each path, interleaved (default 3)")
    args = parser.parse_args()
    main(args.units, args.repeat)
