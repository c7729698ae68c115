"""Benchmark: `gpufleet preview` against two floors, bare Pulumi SDK mock runs of the same resources.

For N GPU pools — AWS: EKS managed node groups of p5.48xlarge, each with its launch template (2N+2
resources); Azure: azure-native AKS agent pools of Standard_ND96isr_H100_v5, each carrying the
~110 version aliases azure-native declares — every measurement runs in a fresh Python process and
reports wall time from process start (imports included) and peak RSS:
  floor       the bare `set_mocks` run: `pulumi.runtime.set_mocks` with trivial mocks, the program run
              with `runpy`, then the SDK's wait for outstanding work; nothing recorded. The goal is
              against this floor.
  floor (runner's route)  a bare run on the SDK route gpufleet's runner takes, as the CLI's language
              host does: trivial mocks, the program inside `run_in_stack`; nothing recorded
  preview     `gpufleet preview --no-policies`: record the whole graph, estimate, render, write JSON
  + policies  `gpufleet preview` with the policy pack over gRPC (the default), prod config
  + fast policies  the same with `--fast-policies` (the pack in-process)
The variants run interleaved, `--repeat` times each; the table shows medians and ratios to both floors, then
each run's seconds.
Usage: python bench/preview.py [--cloud aws|azure] [--repeat 3] [N ...]
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TAGS = '{"team": "bench", "cost-center": "cc-0", "environment": "bench"}'

PROGRAMS = {
    "aws": textwrap.dedent(f'''
        import pulumi
        import pulumi_aws as aws

        N = int(pulumi.Config().require("pools"))
        tags = {TAGS}
        role = aws.iam.Role("nodes", assume_role_policy="{{}}", tags=tags)
        for i in range(N):
            lt = aws.ec2.LaunchTemplate(f"lt-{{i}}", metadata_options={{"http_tokens": "required"}}, tags=tags)
            aws.eks.NodeGroup(f"gpu-{{i}}", cluster_name="bench", node_role_arn=role.arn,
                              subnet_ids=["subnet-1"], instance_types=["p5.48xlarge"],
                              launch_template={{"id": lt.id, "version": "1"}},
                              scaling_config={{"desired_size": 1, "min_size": 0, "max_size": 1}}, tags=tags)
    '''),
    "azure": textwrap.dedent(f'''
        import pulumi
        import pulumi_azure_native as azure_native

        N = int(pulumi.Config().require("pools"))
        tags = {TAGS}
        for i in range(N):
            azure_native.containerservice.AgentPool(
                f"gpu{{i}}", resource_group_name="bench", resource_name_="bench-aks", agent_pool_name=f"gpu{{i}}",
                vm_size="Standard_ND96isr_H100_v5", count=1, mode="User", tags=tags)
    '''),
}
REGION = {"aws": "aws:region: us-west-2", "azure": "azure-native:location: swedencentral"}

FLOOR = textwrap.dedent('''
    import resource, sys, time
    t0 = time.perf_counter()
    import pulumi
    from gpufleet.pulumi_private import run_to_completion

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return f"{args.name}-id", args.inputs
        def call(self, args):
            return {}, None

    key, region = sys.argv[3].split(": ")
    pulumi.runtime.set_all_config({"bench:pools": sys.argv[2], key: region})
    pulumi.runtime.set_mocks(Mocks(), project="bench", stack="bench", preview=True)
    import runpy
    if sys.argv[4] == "set_mocks":
        runpy.run_path(sys.argv[1])
        run_to_completion(pulumi.runtime.stack.wait_for_rpcs())
    else:  # the language host's route, as gpufleet's runner takes it
        from pulumi.runtime import settings
        settings.ROOT.set(None)
        run_to_completion(pulumi.runtime.run_in_stack(lambda: runpy.run_path(sys.argv[1], run_name="__main__")))
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

# variant -> its column: both floors, then gpufleet's previews
VARIANTS = {"floor": "floor", "route": "floor (runner's route)", "preview": "preview", "policies": "+ policies",
            "fast": "+ fast policies"}


def _measure(cmd: list[str], cwd: Path) -> tuple[float, float]:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    seconds, kib = out.split()
    return float(seconds), int(kib) / 1024


def _project(cloud: str, n: int, work: Path) -> Path:
    project = work / f"{cloud}{n}"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
    (project / "Pulumi.bench.yaml").write_text(f"config:\n  {REGION[cloud]}\n  bench:pools: {n}\n")
    (project / "__main__.py").write_text(PROGRAMS[cloud])
    return project


def _variant(variant: str, cloud: str, n: int, project: Path, work: Path) -> tuple[float, float]:
    if variant in ("floor", "route"):
        route = "set_mocks" if variant == "floor" else "run_in_stack"
        return _measure([sys.executable, "-c", FLOOR, str(project / "__main__.py"), str(n), REGION[cloud], route],
                        project)
    base = [sys.executable, "-c", MEASURE, "preview", "bench", "--program", str(project), "--json",
            str(project / "plan.json")]
    extra = {"preview": ["--no-policies"], "policies": [], "fast": ["--fast-policies"]}[variant]
    config = [] if variant == "preview" else ["--policy-config", str(REPO / "policies" / "prod.json")]
    return _measure(base + extra + config, work)


def bench(cloud: str, n: int, work: Path, repeat: int, variants: tuple[str, ...]) -> dict:
    project = _project(cloud, n, work)
    runs: dict[str, list[tuple[float, float]]] = {v: [] for v in variants}
    for _ in range(repeat):
        for v in variants:  # interleaved, so the machine's load falls on every variant alike
            runs[v].append(_variant(v, cloud, n, project, work))
    plan = json.loads((project / "plan.json").read_text())
    assert plan["gpufleet"]["totals"]["gpus"] == 8 * n, plan["gpufleet"]["totals"]
    medians = {v: (statistics.median(s for s, _ in r), statistics.median(m for _, m in r)) for v, r in runs.items()}
    return {"n": n, "resources": len(plan["steps"]), **medians, "runs": runs}


def main(cloud: str, sizes: list[int], repeat: int, variants: tuple[str, ...]) -> None:
    # The floor imports installed packages, compiled to bytecode at install; gpufleet's checkout is compiled
    # too, so that neither side pays for compiling source (PYTHONDONTWRITEBYTECODE would make it every run).
    for folder in ("gpufleet", "components", "policies"):
        compileall.compile_dir(REPO / folder, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [bench(cloud, n, Path(tmp), repeat, variants) for n in sizes]
    floors = [v for v in variants if v in ("floor", "route")]
    print(f"{cloud}, medians of {repeat} interleaved runs; in parentheses: ÷ "
          f"{', ÷ '.join(VARIANTS[f] for f in floors)}\n")
    head = ["pools", "resources", *(f"{VARIANTS[v]} s" for v in variants), *(f"{VARIANTS[v]} MiB" for v in variants)]
    print("| " + " | ".join(head) + " |")
    print("|" + "---:|" * len(head))
    for r in rows:
        def cell(v: str, i: int) -> str:
            ratios = ", ".join(f"{r[v][i] / r[f][i]:.2f}×" for f in floors)
            value = f"{r[v][i]:.2f}" if i == 0 else f"{r[v][i]:.0f}"
            return value if v in floors or not ratios else f"{value} ({ratios})"
        print("| " + " | ".join([str(r["n"]), str(r["resources"]), *(cell(v, 0) for v in variants),
                                 *(cell(v, 1) for v in variants)]) + " |")
    # The medians hide the spread, which at small sizes is as large as the differences measured.
    print("\nEach run, in order (s):")
    for r in rows:
        print(f"- {r['n']}: " + "; ".join(f"{VARIANTS[v]} " + ", ".join(f"{s:.2f}" for s, _ in r["runs"][v])
                                          for v in variants))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", metavar="N", type=int, nargs="*", default=[10, 100, 1000],
                        help="numbers of GPU pools to measure (default: 10 100 1000; the issue's sizes add 3000)")
    parser.add_argument("--cloud", choices=sorted(PROGRAMS), default="aws")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant, interleaved (default 3)")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS),
                        help="what to measure (default: all): " + ", ".join(f"{k} = {v}" for k, v in VARIANTS.items()))
    args = parser.parse_args()
    main(args.cloud, args.sizes, args.repeat, tuple(args.variants))
