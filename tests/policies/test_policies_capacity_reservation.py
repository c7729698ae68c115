"""On-Demand Capacity Reservations (`aws.ec2.CapacityReservation`) as the cost, quota and grid policies see
them: reserved-but-unused GPUs, billed at the On-Demand rate all month; what runs in them counted once."""

import pytest

from pack_helpers import Ref, build_run, res, verdicts

RATE = 55.04  # the fixture catalog's on-demand p5.48xlarge price in us-west-2
BUDGET = "gpufleet-stack-monthly-cost-budget"
QUOTA = "gpufleet-stack-gpu-quota"
NONPROD = "gpufleet-nonprod-gpu-spot-or-scale-to-zero"
GRID = "gpufleet-gpu-region-max-grid-intensity"
BUDGET_FIX = "Fix: lower node counts or hours, use spot or scale to zero, choose cheaper regions, or raise the budget."


def odcr(count=4, **inputs):
    return res("aws:ec2/capacityReservation:CapacityReservation", "odcr", {
        "instanceType": "p5.48xlarge", "instanceCount": count, "availabilityZone": "us-west-2a",
        "instancePlatform": "Linux/UNIX", **inputs})


def running_in(reservation, desired=3, low=0, high=6, instance_type="p5.48xlarge", **inputs):
    """A launch template targeting `reservation` and a node group launching from it."""
    lt = res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"instanceType": instance_type,
             "capacityReservationSpecification": {"capacityReservationTarget": {"capacityReservationId": Ref(reservation)}}})
    return [lt, res("aws:eks/nodeGroup:NodeGroup", "h100", {
        "clusterName": "gpu", "launchTemplate": Ref(lt, "id"),
        "scalingConfig": {"desiredSize": desired, "minSize": low, "maxSize": high}, **inputs})]


def usd(x):
    return f"${x:,.2f}"


def test_an_unused_reservation_counts_against_the_budget_at_the_on_demand_rate_all_month():
    cost = 4 * RATE * 730
    assert verdicts(build_run(odcr()), BUDGET, monthly_usd=100000) == [(
        BUDGET, "mandatory", None,
        f"estimated {usd(cost)}/month for 32 GPUs exceeds the budget of $100,000.00/month (policy config monthly_usd) "
        f"by {usd(cost - 100000)}. Largest: odcr {usd(cost)}. {BUDGET_FIX}")]


def test_an_hours_tag_does_not_lower_what_a_reservation_bills():
    run = build_run(odcr(tags={"gpufleet-hours-per-month": "1"}))
    assert [v[3].split(" for ")[0] for v in verdicts(run, BUDGET, monthly_usd=100000)] == [
        f"estimated {usd(4 * RATE * 730)}/month"]


def test_instances_running_in_the_reservation_are_counted_once():
    # 3 of 4 reserved instances used: 4 × the rate in all, the node group's 3 and the unused 1.
    run = build_run(odcr(), *running_in(odcr()))
    assert verdicts(run, BUDGET, monthly_usd=100000) == [(
        BUDGET, "mandatory", None,
        f"estimated {usd(4 * RATE * 730)}/month for 32 GPUs exceeds the budget of $100,000.00/month (policy config "
        # the nodes' root volumes (the launch template maps none: the AMI's) have no price
        f"monthly_usd) by {usd(4 * RATE * 730 - 100000)}; 1 more resource(s) have no price and are not counted. "
        f"Largest: h100 {usd(3 * RATE * 730)}, odcr "
        f"{usd(RATE * 730)}. {BUDGET_FIX}")]


def test_capacity_of_another_type_does_not_run_in_the_reservation():
    run = build_run(odcr(), *running_in(odcr(), instance_type="p4d.24xlarge"))
    assert "odcr $160,716.80" in verdicts(run, BUDGET, monthly_usd=100000)[0][3]


@pytest.mark.parametrize("high, gpus", [(6, 48), (2, 32)], ids=["group-max-above", "group-max-below"])
def test_the_quota_counts_the_larger_of_the_reservation_and_what_runs_in_it(high, gpus):
    # At its maximum the node group runs max(high, 4) instances: the reservation adds what it leaves unused.
    run = build_run(odcr(), *running_in(odcr(), desired=min(2, high), high=high))
    found = verdicts(run, QUOTA, max_gpus=16)
    assert [v[3].split(" at maximum")[0] for v in found] == [f"the stack can scale to {gpus} GPUs"]


def test_an_unused_reservation_alone_is_over_a_quota():
    assert verdicts(build_run(odcr()), QUOTA, max_gpus=16) == [(
        QUOTA, "mandatory", None,
        "the stack can scale to 32 GPUs at maximum node counts, over the quota of 16 GPUs (policy config max_gpus). "
        "Largest: odcr 32 (4 nodes of p5.48xlarge (8 GPUs each)). Fix: lower maximum node counts, or raise the quota.")]


def test_a_reservation_outside_production_is_paid_whether_used_or_not():
    assert verdicts(build_run(odcr(), stack="dev"), NONPROD) == [(
        NONPROD, "mandatory", "odcr",
        "odcr keeps 4 nodes of p5.48xlarge (8 GPUs each) running on reserved capacity (instanceCount = 4); "
        "non-production GPU capacity must be spot or scale to zero. Fix: release the reservation outside production "
        "(or a Capacity Block, which ends by itself).")]


def test_reserved_gpus_are_judged_for_their_grid():
    assert verdicts(build_run(odcr()), GRID, max_grid_gco2e_per_kwh=100) == [(
        GRID, "mandatory", "odcr",
        "odcr puts 32 GPUs (p5.48xlarge) in aws us-west-2, whose grid emits 119.76 gCO2e/kWh (2023), over the limit "
        "of 100 gCO2e/kWh. Fix: place the capacity in a cleaner region (e.g. eu-north-1 (24.71 g/kWh), ca-central-1 "
        "(30.51 g/kWh)).")]


@pytest.mark.parametrize("policy", ["gpufleet-gpu-unpriced", "gpufleet-gpu-always-on-idle-waste",
                                    "gpufleet-gpu-capacity-reservation-expected"])
def test_a_reservation_is_priced_and_is_reserved_capacity(policy):
    assert verdicts(build_run(odcr(count=10)), policy) == []
