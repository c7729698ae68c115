"""Work `place` shares: identical workloads (one kind), footprints of identical capacity, pruning at once."""

import dataclasses
import random

from gpufleet.catalog import load_catalog
from gpufleet.footprint import capacity_footprint
from gpufleet.placement.joint import _kinds
from gpufleet.placement.options import KnownOffers, offered_options, order_key
from gpufleet.placement.solve import Group, prune_dominated
from tests.placement.fleets import fleet, placed, where, workload

FABRIC = {"high_bandwidth_fabric": True}


def test_workloads_differing_only_in_their_name_are_one_kind():
    f = fleet([workload("a"), workload("b"), workload("c", util=50), workload("d", data_residency=["EU"]),
               workload("e", kind="inference"), workload("f")])
    # every field but the name tells kinds apart, also one options do not read (kind)
    assert _kinds(f) == ([0, 0, 1, 2, 3, 0], [0, 2, 3, 4])


def test_a_workload_of_a_shared_kind_gets_the_decision_it_gets_alone():
    # no shared constraint: each decision depends on the workload alone, so sharing must not change it
    workloads = [workload("a", util=60), workload("b", util=60), workload("c", util=90)]
    together = placed(workloads, objective="carbon")
    for name in ("b", "c"):
        alone = placed([w for w in workloads if w["name"] == name], objective="carbon")
        assert together.decisions[name] == alone.decisions[name]
    a, b = together.decisions["a"], together.decisions["b"]
    assert b == dataclasses.replace(a, workload="b", chosen=a.chosen.named("b"),
                                    runners_up=tuple(o.named("b") for o in a.runners_up),
                                    fallbacks=tuple(o.named("b") for o in a.fallbacks))
    assert a.runners_up and a.fallbacks  # the renamed options were there to rename


def test_identical_workloads_under_a_quota_get_their_own_decisions_and_names():
    p = placed([workload("twin-1", **FABRIC), workload("twin-2", **FABRIC)], objective="carbon",
               quotas=[{"cloud": "aws", "region": "eu-north-1", "gpus": 64}])
    first, second = p.decisions["twin-1"], p.decisions["twin-2"]
    # equal totals either way: the first by name takes the better-ranked option (the position stage)
    assert where(first) == ("aws", "eu-north-1", "p5.48xlarge", 8)
    assert where(second) == ("aws", "us-west-2", "p5.48xlarge", 8)
    assert first.binding == ()
    assert second.binding[0] == ("quota aws eu-north-1: 64 of 64 GPUs used by the others; "
                                 "aws eu-north-1 p5.48xlarge needs 64")
    for name, d in p.decisions.items():
        assert d.workload == name
        assert {o.workload for o in (d.chosen, *d.runners_up, *d.fallbacks)} == {name}


def test_option_named_is_the_option_for_another_workload():
    catalog = load_catalog()
    o = offered_options(catalog, "H100", 64, ("aws",), 730.0, 1.0, "a")[0]
    other = o.named("b")
    assert other == dataclasses.replace(o, workload="b")
    assert other.footprint is o.footprint
    # named() copies these by hand: a field added to Option must be copied there too (review8)
    assert [f.name for f in dataclasses.fields(o)] == [
        "workload", "cloud", "region", "instance_type", "nodes", "gpus", "footprint"]


def test_requests_share_the_footprints_of_the_same_capacity_and_they_are_the_ones_computed_alone():
    catalog = load_catalog()
    known = KnownOffers()
    eight = offered_options(catalog, "H100", 8, ("aws", "azure"), 730.0, 0.5, "eight", known=known)
    four = offered_options(catalog, "H100", 4, ("aws", "azure"), 730.0, 0.5, "four", known=known)
    # an 8-GPU type gives one node for both requests: the same capacity, one footprint
    same = [(a, b) for a, b in zip(eight, four) if a.nodes == b.nodes]
    assert same and all(a.footprint is b.footprint for a, b in same)
    assert any(a.nodes != b.nodes for a, b in zip(eight, four))  # 1-GPU types: 8 nodes against 4
    for o in eight + four:
        assert o.footprint == capacity_footprint(catalog, o.cloud, o.region, o.instance_type, o.nodes,
                                                 hours=730.0, utilization=0.5)


def _prune_one_by_one(options, groups, also=()):
    """The rule of `prune_dominated` applied as stated: each option against the earlier ones kept."""
    quotas = [g for g in groups if g.region is not None]
    figures = sorted({g.figure for g in groups if g.region is None} | set(also) | ({"gpus"} if quotas else set()))
    rows = lambda o: {i for i, g in enumerate(quotas) if g.applies(o)}  # noqa: E731
    kept = []
    for o in options:
        if not any(rows(d) <= rows(o) and all(getattr(d, f) <= getattr(o, f) for f in figures) for d in kept):
            kept.append(o)
    return kept


def test_pruning_all_pairs_at_once_keeps_what_the_rule_keeps_one_by_one():
    catalog = load_catalog()
    rng = random.Random(3)
    cases = 0
    for gpu, gpus, objective in [("H100", 64, "cost"), ("H100", 8, "carbon"), ("A100-80GB", 16, "balanced"),
                                 ("L4", 1, "cost"), ("H200", 16, "carbon")]:
        options = sorted(offered_options(catalog, gpu, gpus, ("aws", "azure", "gcp"), 730.0, 0.7, "w"),
                         key=lambda o: order_key(o, objective))
        options = [o for o in options if o.monthly_usd is not None and o.monthly_kgco2e is not None]
        regions = sorted({(o.cloud, o.region) for o in options})
        for _ in range(6):
            groups = [Group(f"quota {c} {r}", "q", 64, "GPUs", "gpus", (c, r)) for c, r in rng.sample(regions, 3)]
            it = rng.choice(options)  # a site-like group: one type within a region
            groups.append(Group("site", "s", 64, "GPUs", "gpus", (it.cloud, it.region), it.instance_type))
            groups += rng.sample([Group("budget gpu_quota", "b", 1, "GPUs", "gpus"),
                                  Group("budget monthly_usd", "b", 1, "USD", "monthly_usd"),
                                  Group("budget monthly_tco2e", "b", 1, "kgCO2e", "monthly_kgco2e")], rng.randint(0, 2))
            also = ("monthly_usd",) if objective == "balanced" else ()
            assert prune_dominated([options], groups, also) == [_prune_one_by_one(options, groups, also)]
            cases += 1
    assert cases == 30
