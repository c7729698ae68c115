"""Benchmark: placement solve time, and what the placement buys against the usual single-signal choices.

1. Solve time of `place()` for random fleets of 10, 100 and 1000 workloads whose candidates are every
   catalog region of every cloud, with a quota in each region with an offer (20 % ± half of the GPUs
   asked, at least 64) and a fleet GPU quota: wall and CPU time of the whole call (options, MILP stages,
   explanations; on a shared machine the CPU time is the steadier figure), the part spent in HiGHS,
   the number of MILP solves and the largest number of variables (integer counts of identical
   workloads per option, plus the position stage's auxiliaries). `--tie-node-limit` overrides the
   tie-break stages' branch-and-bound node limit from the placement so far (`none`: until proven; the
   fallback with a cutoff row then has none either) to measure what proving costs.
2. Quality, on the prod stack and on random fleets (seeded), total monthly USD and tCO2e of:
     gpufleet balanced / cost / carbon  the exact joint placement (`place()`), objective set per row
     cost-only per workload             SkyPilot's choice: the cheapest offer, per workload in turn
     carbon-only per workload           the Carbon Aware SDK's "best location": the region with the
                                        lowest grid intensity, per workload in turn (then its cheapest
                                        instance type there)
   The two per-workload baselines see the same options and fall over to their next choice when a
   region's or the fleet's GPU quota is used up (as SkyPilot's failover does); they know no USD or
   carbon budget ("budget breaches" counts fleets where they break one). Options whose price or
   carbon is unknown are left out for every strategy, so all totals are known and comparable.

Usage: python bench/placement.py [--sizes 10 100 1000] [--fleets 20] [--seed 7] [--tie-node-limit N|none]
                                [--stages] [--no-quality]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gpufleet.catalog import CLOUDS, load_catalog  # noqa: E402
from gpufleet.config import Fleet, parse_fleet  # noqa: E402
from gpufleet.placement import PlacementError, place  # noqa: E402
from gpufleet.placement import joint  # noqa: E402
from gpufleet.placement import highs  # noqa: E402
from gpufleet.placement.options import Option, known, order_key, workload_options  # noqa: E402
from gpufleet.stacks import load_fleet  # noqa: E402

GPUS = ["H100", "H200", "A100-80GB", "A100-40GB", "L40S", "L4", "B200", "T4"]
COUNTS = [1, 2, 4, 8, 16, 32, 64]


def random_fleet(rng: random.Random, n: int, objective: str = "balanced", quota_share: float = 0.2) -> Fleet:
    catalog = load_catalog()
    workloads = []
    for i in range(n):
        w = {"name": f"w{i:04d}", "gpu": rng.choice(GPUS), "gpu_count": rng.choice(COUNTS),
             "utilization_percent": rng.choice([30, 50, 70, 90])}
        if rng.random() < 0.3 and w["gpu_count"] >= 8 and w["gpu"] in ("H100", "H200", "A100-80GB", "B200"):
            w["high_bandwidth_fabric"] = True
        if rng.random() < 0.1:
            w["data_residency"] = ["US"]
        workloads.append(w)
    candidates = [{"cloud": c, "regions": catalog.region_names(c)} for c in CLOUDS]
    asked = sum(w["gpu_count"] for w in workloads)
    offering = sorted({(o.cloud, o.region) for o in catalog.offers if (o.cloud, o.region) in catalog.regions})
    quotas = [{"cloud": c, "region": r, "gpus": max(64, int(asked * quota_share * rng.uniform(0.5, 1.5)))}
              for c, r in offering]
    return parse_fleet({
        "environment": "bench", "owner": {"team": "bench", "cost-center": "cc-0"}, "objective": objective,
        "candidates": candidates, "quotas": quotas, "budgets": {"gpu_quota": int(asked * 1.5)},
        "workloads": workloads,
    }, catalog)


def with_objective(fleet: Fleet, objective: str) -> Fleet:
    return fleet.model_copy(update={"objective": objective})


# --- the per-workload baselines -------------------------------------------------------------------


def per_workload(fleet: Fleet, pick) -> tuple[list[Option], int]:
    """Each workload in turn takes `pick(options)`'s first option that still fits the GPU quotas."""
    catalog = load_catalog()
    quota = {(q.cloud, q.region): q.gpus for q in fleet.quotas}
    used: Counter = Counter()
    fleet_left = fleet.budgets.gpu_quota if fleet.budgets.gpu_quota is not None else float("inf")
    chosen, unplaced = [], 0
    for i in range(len(fleet.workloads)):
        for o in pick(catalog, workload_options(fleet, i, catalog, CLOUDS).allowed):
            key = (o.cloud, o.region)
            if used[key] + o.gpus <= quota.get(key, float("inf")) and o.gpus <= fleet_left:
                used[key] += o.gpus
                fleet_left -= o.gpus
                chosen.append(o)
                break
        else:
            unplaced += 1
    return chosen, unplaced


KNOWN = ("monthly_usd", "monthly_kgco2e")


def cheapest_first(_catalog, options: list[Option]) -> list[Option]:
    return sorted((o for o in options if known(o, KNOWN)), key=lambda o: order_key(o, "cost"))


def cleanest_grid_first(catalog, options: list[Option]) -> list[Option]:
    def key(o: Option):
        return (catalog.regions[(o.cloud, o.region)].grid_gco2e_per_kwh, order_key(o, "cost"))
    return sorted((o for o in options if known(o, KNOWN)), key=key)


def totals(options: list[Option]) -> tuple[float, float]:
    return sum(o.monthly_usd for o in options), sum(o.monthly_kgco2e for o in options)


# --- the measurements -----------------------------------------------------------------------------


class HighsTimer:
    """Time spent in HiGHS's MILP solves, and how many, while placing; per solve (`solves`): CPU seconds,
    branch-and-bound nodes, status (0 proven optimal, 2 proven infeasible — a tie stage with nothing
    better than the placement so far —, 4 stopped at the node limit, 5 proven but HiGHS returned another
    solution, highs.UNMATCHED) and `s` when it started from the
    placement so far (a tie stage whose start-solution solve is unproven is solved again with a cutoff row)."""

    _CODES = {highs.OPTIMAL: 0, highs.INFEASIBLE: 2, highs.NODE_LIMIT: 4, highs.UNMATCHED: 5}

    def __init__(self) -> None:
        self.seconds, self.calls, self.variables = 0.0, 0, 0
        self.solves: list[tuple[float, int, int, bool]] = []
        self._solve = highs.solve_milp

    def __enter__(self):
        def timed(c, *args, **kwargs):
            self.variables = max(self.variables, len(c))
            t0, c0 = time.perf_counter(), time.process_time()
            result = None
            try:
                result = self._solve(c, *args, **kwargs)
                return result
            finally:
                self.seconds += time.perf_counter() - t0
                self.calls += 1
                if result is not None:
                    self.solves.append((time.process_time() - c0, result.nodes, self._CODES[result.status],
                                        result.started))
        highs.solve_milp = timed
        return self

    def __exit__(self, *exc) -> None:
        highs.solve_milp = self._solve


def _solves(timer: HighsTimer) -> str:
    """`CPU s/nodes/status` of each MILP solve, in order (balanced: cheapest cost, then the stages)."""
    return " · ".join(f"{cpu:.2f}/{nodes:,}/{status}{'s' if started else ''}"
                      for cpu, nodes, status, started in timer.solves)


def _proven(p) -> str:
    """Whether the objective stage is proven; if not, its gap (the most the total may exceed the optimum)."""
    if p.objective_exact:
        return "yes"
    unit = "USD" if p.objective == "cost" else "kg"
    return "no" if p.objective_gap is None else f"no (gap {p.objective_gap:,.3f} {unit})"


def solve_times(sizes: list[int], seed: int, stages: bool = False) -> list[str]:
    per_stage = []
    rows = ["| workloads | objective | options | MILP variables | MILP solves | HiGHS s | place() s | place() CPU s "
            "| objective exact | ties exact | binding quotas |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    catalog = load_catalog()
    for n in sizes:
        for objective in ("cost", "carbon", "balanced"):
            fleet = random_fleet(random.Random(seed + n), n, objective)
            with HighsTimer() as timer:
                t0, c0 = time.perf_counter(), time.process_time()
                p = place(fleet, catalog)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            options = sum(len(workload_options(fleet, i, catalog, CLOUDS).allowed) for i in range(n))
            binding = sum(u.binding for u in p.constraints)
            rows.append(f"| {n} | {objective} | {options:,} | {timer.variables:,} | {timer.calls} | "
                        f"{timer.seconds:.2f} | {wall:.2f} | {cpu:.2f} | {_proven(p)} | {'yes' if p.ties_exact else 'no'} | "
                        f"{binding} |")
            per_stage.append(f"- {n} {objective}: {_solves(timer)}")
    if stages:
        rows += ["", "MILP solves in order (CPU s/nodes/status: 0 proven optimal, 2 proven infeasible, 4 "
                 "stopped at the node limit, 5 proven but HiGHS returned another solution; s: started from the "
                 "placement so far):", *per_stage]
    return rows


def quality(fleet: Fleet) -> dict[str, tuple[float, float, int, int]]:
    """Strategy -> (monthly USD, monthly kgCO2e, workloads left unplaced, budgets broken).

    Budgets too large to bind make placement, like the baselines, leave out options whose price or
    carbon is unknown, so every strategy's totals are known and compare like with like.
    """
    catalog = load_catalog()
    limits = fleet.budgets
    budgets = fleet.budgets.model_copy(update={"monthly_usd": fleet.budgets.monthly_usd or 1e12,
                                               "monthly_tco2e": fleet.budgets.monthly_tco2e or 1e9})
    fleet = fleet.model_copy(update={"budgets": budgets})
    out = {}
    for objective in ("balanced", "cost", "carbon"):
        p = place(with_objective(fleet, objective), catalog)
        out[f"gpufleet {objective}"] = (p.total_monthly_usd, p.total_monthly_kgco2e, 0, 0)
    for name, pick in [("cost-only per workload (SkyPilot)", cheapest_first),
                       ("carbon-only per workload (Carbon Aware SDK)", cleanest_grid_first)]:
        chosen, unplaced = per_workload(fleet, pick)
        usd, kg = totals(chosen)
        broken = (limits.monthly_usd is not None and usd > limits.monthly_usd) or (
            limits.monthly_tco2e is not None and kg > limits.monthly_tco2e * 1000)
        out[name] = (usd, kg, unplaced, int(broken))
    return out


def quality_rows(title: str, results: dict[str, tuple[float, float, int, int]], premium: float) -> list[str]:
    base_usd, base_kg, *_ = results["cost-only per workload (SkyPilot)"]
    rows = [f"**{title}** (balanced: least carbon within +{premium:g} % of the cheapest)", "",
            "| strategy | USD/month | tCO2e/month | USD vs cost-only | CO2e vs cost-only | unplaced | budget breaches |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for name, (usd, kg, unplaced, broken) in results.items():
        rows.append(f"| {name} | {usd:,.0f} | {kg / 1000:,.2f} | {(usd / base_usd - 1) * 100:+.1f} % | "
                    f"{(kg / base_kg - 1) * 100:+.1f} % | {unplaced} | {broken} |")
    return rows


def prod_fleet() -> tuple[str, Fleet]:
    if (REPO / "Pulumi.yaml").exists() and list((REPO / "stacks").glob("Pulumi.prod.y*ml")):
        return "prod stack (stacks/Pulumi.prod.yaml)", load_fleet(REPO, "prod")[1]
    fixture = REPO / "tests" / "placement" / "project"
    return "prod stack of the test fixture (tests/placement/project)", load_fleet(fixture, "prod")[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--fleets", type=int, default=20, help="random fleets for the quality table")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tie-node-limit", type=lambda v: None if v == "none" else int(v), default=joint.TIE_NODE_LIMIT,
                        help="branch-and-bound nodes per tie-break stage started from the placement so far "
                             "(none: until proven, and no limit on the fallback cutoff solve)")
    parser.add_argument("--stages", action="store_true",
                        help="also list each MILP solve's CPU seconds, nodes and status")
    parser.add_argument("--no-quality", action="store_true", help="solve times only")
    args = parser.parse_args()
    joint.TIE_NODE_LIMIT = args.tie_node_limit
    if args.tie_node_limit is None:
        joint.CUTOFF_NODE_LIMIT = None

    print("### Solve time\n")
    print("\n".join(solve_times(args.sizes, args.seed, args.stages)))
    if args.no_quality:
        return
    print("\n### Quality\n")
    title, prod = prod_fleet()
    print("\n".join(quality_rows(title, quality(prod), prod.max_cost_premium_percent)))
    summed: dict[str, list[float]] = {}
    rng = random.Random(args.seed)
    skipped = 0
    for _ in range(args.fleets):
        fleet = random_fleet(rng, 10, quota_share=0.5)
        try:
            result = quality(fleet)
        except PlacementError:
            skipped += 1
            continue
        for name, values in result.items():
            summed[name] = [a + b for a, b in zip(summed.get(name, [0.0, 0.0, 0, 0]), values)]
    print()
    title = (f"{args.fleets - skipped} random fleets of 10 workloads, summed (seed {args.seed}; "
             f"{skipped} infeasible skipped)")
    print("\n".join(quality_rows(title, {k: tuple(v) for k, v in summed.items()}, 10.0)))


if __name__ == "__main__":
    main()
