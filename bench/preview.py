"""Benchmark: `gpufleet preview` against the floor — a bare Pulumi SDK mock run of the same resources.

For N GPU node groups (EKS managed node groups of p5.48xlarge, each with its launch template), each
measurement runs in a fresh Python process and reports wall time and peak RSS (ru_maxrss):
  floor       pulumi.runtime.set_mocks + the same resource registrations, nothing recorded
  preview     gpufleet preview (record the graph, estimate, render), policies off
  + policies  gpufleet preview with the policy pack over gRPC (the default main job), prod config
Prints a Markdown table with the ratios to the floor. Usage: python bench/preview.py [N ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROGRAM = textwrap.dedent('''
    import pulumi
    import pulumi_aws as aws

    N = int(pulumi.Config().require("nodeGroups"))
    tags = {"team": "bench", "cost-center": "cc-0", "environment": "bench"}
    role = aws.iam.Role("nodes", assume_role_policy="{}", tags=tags)
    for i in range(N):
        lt = aws.ec2.LaunchTemplate(f"lt-{i}", metadata_options={"http_tokens": "required"}, tags=tags)
        aws.eks.NodeGroup(f"gpu-{i}", cluster_name="bench", node_role_arn=role.arn,
                          subnet_ids=["subnet-1"], instance_types=["p5.48xlarge"],
                          launch_template={"id": lt.id, "version": "1"},
                          scaling_config={"desired_size": 1, "min_size": 0, "max_size": 1}, tags=tags)
''')

FLOOR = textwrap.dedent('''
    import resource, sys, time
    t0 = time.perf_counter()
    import pulumi
    from pulumi.runtime import mocks, settings

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return f"{args.name}-id", args.inputs
        def call(self, args):
            return {}, None

    pulumi.runtime.set_all_config({"bench:nodeGroups": sys.argv[2], "aws:region": "us-west-2"})
    pulumi.runtime.set_mocks(Mocks(), project="bench", stack="bench", preview=True)
    import runpy
    runpy.run_path(sys.argv[1])
    from gpufleet.pulumi_private import run_to_completion
    run_to_completion(pulumi.runtime.stack.wait_for_rpcs())
    print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
''')

MEASURE = textwrap.dedent('''
    import resource, sys, time
    t0 = time.perf_counter()
    from gpufleet.cli import main
    code = main(sys.argv[1:])
    assert code in (0, 1), code
    print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
''')


def _measure(cmd: list[str], cwd: Path) -> tuple[float, float]:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    seconds, kib = out.split()
    return float(seconds), int(kib) / 1024


def bench(n: int, work: Path) -> dict:
    project = work / f"n{n}"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
    (project / "Pulumi.bench.yaml").write_text(f"config:\n  aws:region: us-west-2\n  bench:nodeGroups: {n}\n")
    (project / "__main__.py").write_text(PROGRAM)
    floor = _measure([sys.executable, "-c", FLOOR, str(project / "__main__.py"), str(n)], project)
    base = [sys.executable, "-c", MEASURE, "preview", "bench", "--program", str(project), "--json", str(project / "plan.json")]
    preview = _measure(base + ["--no-policies"], work)
    policies = _measure(base + ["--policy-config", str(REPO / "policies" / "prod.json")], work)
    plan = json.loads((project / "plan.json").read_text())
    assert plan["gpufleet"]["totals"]["gpus"] == 8 * n
    return {"n": n, "resources": len(plan["steps"]), "floor": floor, "preview": preview, "policies": policies}


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [bench(n, Path(tmp)) for n in sizes]
    print("| node groups | resources | floor s | preview s | ratio | + policies s | ratio "
          "| floor MiB | preview MiB | + policies MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        (fs, fm), (ps, pm), (qs, qm) = r["floor"], r["preview"], r["policies"]
        print(f"| {r['n']} | {r['resources']} | {fs:.2f} | {ps:.2f} | {ps / fs:.2f}× | {qs:.2f} | {qs / fs:.2f}× "
              f"| {fm:.0f} | {pm:.0f} | {qm:.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", metavar="N", type=int, nargs="*", default=[10, 100, 1000],
                        help="numbers of GPU node groups to measure (default: 10 100 1000)")
    main(parser.parse_args().sizes)
