"""`place`: small fleets whose optimum can be checked by hand, and every decision explained."""

import json

from gpufleet.catalog import load_catalog
from gpufleet.footprint import capacity_footprint
from gpufleet.placement import place
from tests.placement.fleets import fleet, placed, where, workload


def kg(region, instance_type, nodes, util):
    return capacity_footprint(load_catalog(), "aws", region, instance_type, nodes, utilization=util).monthly_kgco2e


def test_quota_sends_the_second_workload_to_its_second_best_region():
    p = placed(
        [workload("light", util=50, high_bandwidth_fabric=True), workload("heavy", util=90, high_bandwidth_fabric=True)],
        objective="carbon", quotas=[{"cloud": "aws", "region": "eu-north-1", "gpus": 64}],
    )
    # Only one of the two fits in eu-north-1. By hand, the heavier user saves more carbon there:
    # (not p5.4xlarge: gpufleet does not attach its EFA, the catalog having no interface count for it)
    heavy_north = kg("eu-north-1", "p5.48xlarge", 8, 0.9) + kg("us-west-2", "p5.48xlarge", 8, 0.5)
    light_north = kg("eu-north-1", "p5.48xlarge", 8, 0.5) + kg("us-west-2", "p5.48xlarge", 8, 0.9)
    assert heavy_north < light_north
    assert where(p.decisions["heavy"]) == ("aws", "eu-north-1", "p5.48xlarge", 8)
    assert where(p.decisions["light"]) == ("aws", "us-west-2", "p5.48xlarge", 8)
    assert p.total_monthly_kgco2e == heavy_north
    assert p.total_monthly_usd == 8 * 58.8928 * 730 + 8 * 55.04 * 730
    light = p.decisions["light"]
    assert light.binding == (
        "quota aws eu-north-1: 64 of 64 GPUs used by the others; aws eu-north-1 p5.48xlarge needs 64",
        "candidate regions: excludes better aws ca-central-1 p5.48xlarge",
        "high-bandwidth fabric: excludes better aws us-west-2 p5.4xlarge (it has a fabric gpufleet does not attach)",
    )
    assert light.reason == ("carbon: best region for 64 H100 with a high-bandwidth fabric left by quota aws eu-north-1 - "
                            "grid 119.76 g/kWh PUE 1.12")
    assert [(o.region, o.instance_type) for o in light.runners_up] == [("eu-north-1", "p5.48xlarge")]
    assert light.fallbacks == ()  # eu-north-1 is full
    heavy = p.decisions["heavy"]
    assert heavy.binding == ()
    assert heavy.reason == "carbon: lowest-carbon region for 64 H100 - grid 24.71 g/kWh PUE 1.1"
    assert [(o.region, o.instance_type) for o in heavy.fallbacks] == [("us-west-2", "p5.48xlarge")]
    [quota] = p.constraints
    assert (quota.name, quota.path, quota.used, quota.limit, quota.binding) == (
        "quota aws eu-north-1", "gpufleet:fleet.quotas[0]", 64, 64, True)


def test_balanced_takes_the_least_carbon_within_the_premium():
    ten = placed([workload("train")], objective="balanced", max_cost_premium_percent=10)
    # cheapest: us-west-2 at 321,433.60; eu-north-1 costs 343,933.95 (+7.0 %) with far less carbon
    assert where(ten.decisions["train"]) == ("aws", "eu-north-1", "p5.48xlarge", 8)
    assert ten.decisions["train"].binding == ()
    [cap] = ten.constraints
    assert (cap.name, cap.used, cap.limit, cap.binding) == (
        "cost cap (cheapest + 10 %)", 8 * 58.8928 * 730, 353_576.96, False)

    five = placed([workload("train")], objective="balanced", max_cost_premium_percent=5)
    d = five.decisions["train"]
    # within +5 % (337,505.28) only us-west-2 is left; of its equally priced types the lower-carbon one
    assert where(d) == ("aws", "us-west-2", "p5.4xlarge", 64)
    assert d.binding[0] == ("cost cap (cheapest + 5 %): 337,505.28 USD; aws eu-north-1 p5.48xlarge would make "
                            "the fleet 343,933.95 USD")
    assert d.reason == ("balanced: least carbon within the cost cap for 64 H100 - grid 119.76 g/kWh PUE 1.12 - "
                        "321433.60 USD/month")
    assert five.constraints[0].binding


def test_cost_objective_ties_break_by_nodes_then_carbon():
    p = placed([workload("train")], objective="cost",
               candidates=[{"cloud": "aws", "regions": ["us-east-1", "us-east-2", "us-west-2"]}])
    d = p.decisions["train"]
    assert where(d) == ("aws", "us-west-2", "p5.48xlarge", 8)
    assert d.chosen.monthly_usd == 321_433.60
    assert d.reason == "cost: cheapest region for 64 H100 - 321433.60 USD/month"
    assert [(o.region, o.instance_type, o.monthly_usd) for o in d.runners_up] == [
        ("us-east-2", "p5.48xlarge", 321_433.60), ("us-east-1", "p5.48xlarge", 321_433.60)]


def test_residency_eu_keeps_the_workload_in_the_eu():
    p = placed([workload("train", gpus=8, data_residency=["EU"])], objective="cost",
               candidates=[{"cloud": "aws", "regions": ["us-west-2", "eu-west-2", "eu-north-1"]}])
    d = p.decisions["train"]
    assert where(d) == ("aws", "eu-north-1", "p5.48xlarge", 1)  # eu-west-2 is London: GB, not EU
    assert d.binding == ("residency EU: excludes better aws us-west-2 p5.48xlarge",)
    assert d.reason == "cost: cheapest region for 8 H100 within residency EU - 42991.74 USD/month"
    assert d.runners_up == ()


def test_data_locality_limits_the_distance_to_the_data():
    p = placed(
        [workload("train", gpus=8, data_locality={"cloud": "aws", "region": "eu-west-2", "max_distance_km": 1000})],
        objective="carbon", candidates=[{"cloud": "aws", "regions": ["eu-north-1", "eu-west-2"]}])
    d = p.decisions["train"]
    # Stockholm (24.71 g/kWh) is 1,424 km from the data in London: London (187.89 g/kWh) it is
    assert where(d) == ("aws", "eu-west-2", "p5.4xlarge", 8)
    assert d.binding == ("max 1000 km from aws eu-west-2: excludes better aws eu-north-1 p5.48xlarge",)


def test_high_bandwidth_fabric_filters_instance_types():
    p = placed([workload("fabric", gpus=2, high_bandwidth_fabric=True), workload("plain", gpus=2)],
               objective="cost", candidates=[{"cloud": "azure", "regions": ["eastus"]}])
    assert where(p.decisions["fabric"]) == ("azure", "eastus", "Standard_ND96isr_H100_v5", 1)
    assert p.decisions["fabric"].chosen.monthly_usd == 98.32 * 730
    assert where(p.decisions["plain"]) == ("azure", "eastus", "Standard_NC80adis_H100_v5", 1)
    assert p.decisions["plain"].chosen.monthly_usd == 13.96 * 730
    # the NC v5's power is unknown: its carbon, and so the fleet's, stay unknown (never 0)
    assert p.decisions["plain"].chosen.monthly_kgco2e is None
    assert (p.total_monthly_usd, p.total_monthly_kgco2e) == (98.32 * 730 + 13.96 * 730, None)


def test_unknown_carbon_is_never_taken_as_clean():
    p = placed([workload("infer", gpus=2)], objective="carbon",
               candidates=[{"cloud": "azure", "regions": ["eastus", "westus3"]}])
    d = p.decisions["infer"]
    # NC H100 v5 (unknown TDP) and westus3 (unknown grid intensity) cannot be ranked by carbon
    assert where(d) == ("azure", "eastus", "Standard_ND96isr_H100_v5", 1)
    assert d.notes == (
        "4 option(s) not considered for the carbon objective, carbon unknown: H100 (NC v5 variant) rated power "
        "not in the catalog: azure eastus Standard_NC40ads_H100_v5, azure eastus "
        "Standard_NC80adis_H100_v5, azure westus3 Standard_NC40ads_H100_v5, azure westus3 Standard_NC80adis_H100_v5",
    )
    # still listed as a runner-up, after the known ones, with its unknown carbon
    assert [(o.region, o.instance_type, o.monthly_kgco2e) for o in d.runners_up] == [
        ("westus3", "Standard_NC80adis_H100_v5", None)]


def test_unknown_price_is_never_taken_as_free():
    p = placed([workload("h200", gpu="H200", gpus=8)], objective="cost",
               candidates=[{"cloud": "aws", "regions": ["us-east-2", "us-west-2"]}])
    d = p.decisions["h200"]
    # p5e.48xlarge has no price: not the cheapest, not considered; p5en costs the same in both regions
    assert where(d) == ("aws", "us-west-2", "p5en.48xlarge", 1)
    assert d.chosen.monthly_usd == 63.296 * 730
    assert d.notes[0].startswith("2 option(s) not considered for the cost objective, price unknown: no on-demand "
                                 "price for p5e.48xlarge in us-east-2")


def test_reservation_pins_the_region_of_its_zone():
    p = placed([workload("train", capacity="reserved",
                         reservation={"kind": "capacity-block", "id": "cr-1", "zone": "us-east-1a"})],
               objective="carbon", candidates=[{"cloud": "aws", "regions": ["eu-north-1", "us-east-1"]}])
    d = p.decisions["train"]
    assert where(d)[:2] == ("aws", "us-east-1")
    assert d.binding[-1] == "reservation in aws us-east-1: excludes better aws eu-north-1 p5.48xlarge"


def test_budgets_and_gpu_quota_are_respected():
    p = placed([workload("a"), workload("b"), workload("c", gpus=8)], objective="carbon",
               budgets={"monthly_usd": 1_000_000, "gpu_quota": 136})
    # eu-north-1 for all three would cost 2 × 343,933.95 + 42,991.74 = 730,859.65: within budget
    assert {where(d)[1] for d in p.decisions.values()} == {"eu-north-1"}
    tight = placed([workload("a"), workload("b")], objective="carbon", budgets={"monthly_usd": 670_000})
    # both in eu-north-1 would be 687,867.90: one must go to the cheaper us-west-2
    assert sorted(where(d)[1] for d in tight.decisions.values()) == ["eu-north-1", "us-west-2"]
    assert tight.total_monthly_usd <= 670_000
    used = {u.name: (u.used, u.binding) for u in tight.constraints}
    assert used == {"budget monthly_usd": (343_933.952 + 321_433.60, True)}


def test_output_is_json_and_reasons_are_one_line():
    p = placed([workload("train", data_residency=["EU"]), workload("serve", gpu="L4", gpus=4, util=40)],
               objective="balanced", candidates=[{"cloud": "aws", "regions": ["us-west-2", "eu-north-1"]},
                                                {"cloud": "azure", "regions": ["eastus"]}])
    out = json.loads(json.dumps(p.to_output()))
    assert list(out) == ["objective", "objective_exact", "objective_gap", "ties_exact", "not_proven",
                         "total_monthly_usd", "total_monthly_kwh", "total_monthly_kgco2e", "constraints", "workloads"]
    assert (out["objective_exact"], out["objective_gap"], out["ties_exact"], out["not_proven"]) == (True, 0.0, True, [])
    train = out["workloads"]["train"]
    assert {k: train[k] for k in ("cloud", "region", "instance_type", "nodes", "gpus")} == {
        "cloud": "aws", "region": "eu-north-1", "instance_type": "p5.48xlarge", "nodes": 8, "gpus": 64}
    assert set(train) == {"cloud", "region", "instance_type", "nodes", "gpus", "monthly_usd", "monthly_kwh",
                          "monthly_kgco2e", "usd_per_hour", "reason", "binding", "runners_up", "fallbacks",
                          "notes"}
    for d in p.decisions.values():
        assert d.reason and "\n" not in d.reason, d.reason


def test_clouds_restrict_placement_to_what_the_program_builds():
    f = fleet([workload("plain", gpus=2)], objective="cost",
              candidates=[{"cloud": "aws", "regions": ["eu-north-1"]}, {"cloud": "azure", "regions": ["eastus"]}])
    assert where(place(f, load_catalog()).decisions["plain"]) == ("azure", "eastus", "Standard_NC80adis_H100_v5", 1)
    only_aws = place(f, load_catalog(), clouds=("aws",)).decisions["plain"]
    assert where(only_aws) == ("aws", "eu-north-1", "p5.48xlarge", 1)


def test_a_spot_workload_is_ranked_on_the_catalog_spot_price_and_says_so():
    regions = [{"cloud": "aws", "regions": ["us-east-1", "eu-south-2"]}]
    on_demand = placed([workload("embed", gpu="L40S", gpus=8)], objective="cost", candidates=regions)
    spot = placed([workload("embed", gpu="L40S", gpus=8, capacity="spot")], objective="cost", candidates=regions)
    # on demand, us-east-1 is cheapest (8 × 2.24208 USD/h); at the catalog's Spot prices (instance_prices.csv:
    # g6e.2xlarge eu-south-2 0.3315, us-east-1 1.0895 USD/h) eu-south-2 is
    assert where(on_demand.decisions["embed"]) == ("aws", "us-east-1", "g6e.2xlarge", 8)
    assert where(spot.decisions["embed"]) == ("aws", "eu-south-2", "g6e.2xlarge", 8)
    assert spot.decisions["embed"].chosen.monthly_usd == 8 * 0.3315 * 730
    assert spot.decisions["embed"].chosen.footprint.price_kind == "spot"
    assert spot.decisions["embed"].reason.endswith("1935.96 USD/month at the spot price")
    assert on_demand.decisions["embed"].reason.endswith("13093.75 USD/month")


def test_a_reason_keeps_its_punctuation():
    """It was written as a cloud tag value (commas and parentheses dropped): "within residency SE FI - … at the
    on-demand price no spot price in the catalog". Reasons are outputs, never tags."""
    p = placed([workload("nb", gpu="T4", gpus=1, capacity="spot", data_residency=["SE", "FI"])], objective="cost",
               candidates=[{"cloud": "aws", "regions": ["us-west-2", "eu-north-1"]}])
    assert p.decisions["nb"].reason == ("cost: cheapest region for 1 T4 within residency SE, FI - 407.34 USD/month at "
                                        "the on-demand price (no spot price in the catalog)")


def test_a_capacity_block_workload_is_ranked_on_the_capacity_block_price():
    block = {"kind": "capacity-block", "id": "cr-0a1b2c3d4e5f60718", "zone": "us-east-1a",
             "start_date": "2026-12-01", "end_date": "2026-12-14"}
    p = placed([workload("burst", gpus=8, capacity="reserved", reservation=block)], objective="cost",
               candidates=[{"cloud": "aws", "regions": ["us-east-1"]}])
    chosen = p.decisions["burst"].chosen
    # instance_prices.csv: p5.48xlarge us-east-1 capacity-block 39.33 USD/h (on demand 55.04)
    assert (where(p.decisions["burst"]), chosen.footprint.price_kind) == (("aws", "us-east-1", "p5.48xlarge", 1),
                                                                          "capacity-block")
    assert chosen.monthly_usd == 39.33 * 730
    assert p.decisions["burst"].reason.endswith("28710.90 USD/month at the capacity-block price")
