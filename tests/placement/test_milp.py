"""The MILP against brute force on small random fleets, and determinism of ties."""

import itertools
import math
import random
from collections import Counter

import pytest

from gpufleet.catalog import load_catalog
from gpufleet.placement import PlacementError, place
from gpufleet.placement.options import order_key, workload_options
from gpufleet.placement.solve import Group, prune_dominated
from tests.placement.fleets import fleet, placed, where, workload

AWS = ["us-east-1", "us-west-2", "eu-north-1", "ca-central-1", "eu-west-2", "ap-south-1"]
AZURE = ["eastus", "westus", "westus3", "eastus2"]


def random_fleet(rng):
    gpu = rng.choice(["H100", "A100-80GB", "L4", "H200"])
    workloads = [
        workload(f"w{i}", gpu=gpu, gpus=rng.choice([1, 2, 8, 16, 64]), util=rng.choice([30, 60, 100]))
        for i in range(rng.choice([2, 3]))
    ]
    aws, azure = rng.sample(AWS, rng.randint(2, 4)), rng.sample(AZURE, rng.randint(0, 2))
    candidates = [{"cloud": "aws", "regions": aws}] + ([{"cloud": "azure", "regions": azure}] if azure else [])
    quotas = [{"cloud": "aws", "region": r, "gpus": rng.choice([0, 16, 64, 80, 128])}
              for r in aws if rng.random() < 0.5]
    budgets = {}
    if rng.random() < 0.4:
        budgets["monthly_usd"] = rng.choice([20_000, 100_000, 400_000, 1_500_000])
    if rng.random() < 0.3:
        budgets["gpu_quota"] = rng.choice([16, 64, 128])
    if rng.random() < 0.3:
        budgets["monthly_tco2e"] = rng.choice([2, 10, 50])
    return fleet(workloads, objective=rng.choice(["cost", "carbon", "balanced"]), candidates=candidates,
                 quotas=quotas, budgets=budgets, max_cost_premium_percent=rng.choice([0, 5, 20]))


def brute_force(f):
    """The lexicographic optimum (objective, nodes[, other figure]) over every combination, or None."""
    catalog = load_catalog()
    needs = {"cost": ["monthly_usd"], "carbon": ["monthly_kgco2e"]}.get(f.objective, ["monthly_usd", "monthly_kgco2e"])
    if f.budgets.monthly_usd:
        needs.append("monthly_usd")
    if f.budgets.monthly_tco2e:
        needs.append("monthly_kgco2e")
    choices = [[o for o in workload_options(f, i, catalog, ("aws", "azure", "gcp")).allowed
                if all(getattr(o, n) is not None for n in needs)] for i in range(len(f.workloads))]

    def feasible(combo):
        per_region = Counter()
        for o in combo:
            per_region[(o.cloud, o.region)] += o.gpus
        if any(per_region[(q.cloud, q.region)] > q.gpus for q in f.quotas):
            return False
        b = f.budgets
        return ((b.gpu_quota is None or sum(o.gpus for o in combo) <= b.gpu_quota)
                and (b.monthly_usd is None or sum(o.monthly_usd for o in combo) <= b.monthly_usd + 1e-6)
                and (b.monthly_tco2e is None or sum(o.monthly_kgco2e for o in combo) <= b.monthly_tco2e * 1000 + 1e-6))

    combos = [c for c in itertools.product(*choices) if feasible(c)]
    if not combos:
        return None
    usd = lambda c: sum(round(o.monthly_usd * 100) for o in c)  # noqa: E731
    kg = lambda c: sum(round(o.monthly_kgco2e * 1000) for o in c)  # noqa: E731
    nodes = lambda c: sum(o.nodes for o in c)  # noqa: E731
    if f.objective == "cost":
        return min((usd(c), nodes(c)) for c in combos)
    if f.objective == "balanced":
        cap = math.floor(round(min(usd(c) for c in combos) * (1 + f.max_cost_premium_percent / 100), 6))
        combos = [c for c in combos if usd(c) <= cap]
        return min((kg(c), nodes(c), usd(c)) for c in combos)
    return min((kg(c), nodes(c)) for c in combos)


def placement_key(f, p):
    chosen = [p.decisions[w.name].chosen for w in f.workloads]
    usd = sum(round(o.monthly_usd * 100) for o in chosen) if f.objective != "carbon" else None
    kg = sum(round(o.monthly_kgco2e * 1000) for o in chosen) if f.objective != "cost" else None
    nodes = sum(o.nodes for o in chosen)
    return {"cost": (usd, nodes), "carbon": (kg, nodes), "balanced": (kg, nodes, usd)}[f.objective]


def test_milp_matches_brute_force_on_random_fleets():
    rng = random.Random(2)
    outcomes = Counter()
    for _ in range(40):
        f = random_fleet(rng)
        expected = brute_force(f)
        try:
            p = place(f, load_catalog())
        except PlacementError:
            assert expected is None, f
            outcomes["infeasible"] += 1
            continue
        assert expected is not None, f
        assert placement_key(f, p) == expected, f
        outcomes[f.objective] += 1
        shared = ("quota ", "budget ", "cost cap")
        outcomes["constrained"] += any(b.startswith(shared) for d in p.decisions.values() for b in d.binding)
    # the seed covers every objective, fleets where shared constraints bind, and infeasible fleets
    assert outcomes == {"cost": 11, "carbon": 10, "balanced": 6, "infeasible": 13, "constrained": 10}


def test_same_fleet_same_placement():
    f = fleet([workload("a"), workload("b", gpus=8), workload("c", gpu="L4", gpus=4)], objective="balanced",
              quotas=[{"cloud": "aws", "region": "eu-north-1", "gpus": 64}])
    first, second = place(f, load_catalog()), place(f, load_catalog())
    assert first.to_output() == second.to_output()


@pytest.mark.parametrize("names", [["zeta", "alpha"], ["alpha", "zeta"]])
def test_interchangeable_workloads_tie_goes_to_the_first_by_name(names):
    # Identical workloads; only one fits in eu-north-1. Equal totals either way: the rule gives the
    # better-ranked option to the workload first by name, whatever the fleet's order.
    p = placed([workload(n) for n in names], objective="carbon",
               quotas=[{"cloud": "aws", "region": "eu-north-1", "gpus": 64}])
    assert where(p.decisions["alpha"])[1] == "eu-north-1"
    assert where(p.decisions["zeta"])[1] == "us-west-2"
    assert list(p.decisions) == names  # decisions keep the fleet's order


def test_fleet_order_does_not_change_the_placement():
    workloads = [workload("a", util=40), workload("b", gpus=8), workload("c", gpus=16, util=70)]
    settings = dict(objective="carbon", quotas=[{"cloud": "aws", "region": "eu-north-1", "gpus": 72}])
    forward, backward = placed(workloads, **settings), placed(workloads[::-1], **settings)
    assert {n: where(d) for n, d in forward.decisions.items()} == {n: where(d) for n, d in backward.decisions.items()}


def test_dominated_options_are_pruned_only_when_no_row_tells_them_apart():
    catalog = load_catalog()
    f = fleet([workload("train")], objective="cost",
              candidates=[{"cloud": "aws", "regions": ["us-east-1", "us-west-2", "eu-north-1"]}])
    options = sorted(workload_options(f, 0, catalog, ("aws",)).allowed, key=lambda o: order_key(o, "cost"))
    names = lambda choices: [(o.region, o.instance_type) for o in choices[0]]  # noqa: E731
    # no quota, no budget: the cheapest option adds no more to any row than any other, so it alone is kept
    assert names(prune_dominated([options], [])) == [("us-west-2", "p5.48xlarge")]
    # a quota in us-west-2: its options no longer dominate the others; us-east-1's 8 × p5.48xlarge
    # (no quota there) dominates its 64 × p5.4xlarge (same price, more nodes) and dearer eu-north-1
    quota = [Group("quota aws us-west-2", "q", 64, "GPUs", "gpus", ("aws", "us-west-2"))]
    assert names(prune_dominated([options], quota)) == [
        ("us-west-2", "p5.48xlarge"), ("us-east-1", "p5.48xlarge")]
    # a carbon budget too: the lower-carbon options survive
    carbon = quota + [Group("budget monthly_tco2e", "b", 20_000, "kgCO2e", "monthly_kgco2e")]
    assert names(prune_dominated([options], carbon)) == [
        ("us-west-2", "p5.48xlarge"), ("us-east-1", "p5.48xlarge"), ("us-west-2", "p5.4xlarge"),
        ("us-east-1", "p5.4xlarge"), ("eu-north-1", "p5.48xlarge")]
