"""No feasible placement: the binding constraints named, with what would make the fleet feasible."""

import pytest

from gpufleet.placement import PlacementError
from tests.placement.fleets import placed, placement_problems, workload

JOINT = "no feasible placement (each change below alone would make one)"


def joint_problems(workloads, **settings):
    with pytest.raises(PlacementError) as e:
        placed(workloads, **settings)
    assert e.value.heading == JOINT
    return [p.render() for p in e.value.problems]


def test_usd_budget_too_small():
    assert joint_problems([workload("train")], objective="carbon", budgets={"monthly_usd": 100_000}) == [
        "gpufleet:fleet.budgets.monthly_usd: budget monthly_usd: 100,000.00 USD < 321,433.60 USD needed for the "
        "cheapest feasible placement; raise it to at least 321,433.60 USD",
    ]


def test_carbon_budget_too_small():
    # 8 × p5.48xlarge in eu-north-1: 8 × 8.4 kW × 730 h × PUE 1.1 × 24.71 g/kWh = 1,333.391 kgCO2e a month
    assert joint_problems([workload("train")], objective="cost", budgets={"monthly_tco2e": 1}) == [
        "gpufleet:fleet.budgets.monthly_tco2e: budget monthly_tco2e: 1.000 tCO2e < 1.334 tCO2e needed for the "
        "lowest-carbon feasible placement; raise it to at least 1.334 tCO2e",
    ]


def test_each_region_quota_that_alone_would_fix_it():
    assert joint_problems([workload("train")], objective="cost", quotas=[
        {"cloud": "aws", "region": "eu-north-1", "gpus": 32}, {"cloud": "aws", "region": "us-west-2", "gpus": 32},
    ]) == [
        "gpufleet:fleet.quotas[0]: quota aws eu-north-1: 32 GPUs < 64 GPUs needed by any feasible placement; "
        "raise it to at least 64 GPUs",
        "gpufleet:fleet.quotas[1]: quota aws us-west-2: 32 GPUs < 64 GPUs needed by any feasible placement; "
        "raise it to at least 64 GPUs",
    ]


def test_gpu_quota_too_small():
    assert joint_problems([workload("a"), workload("b", gpus=8)], objective="cost", budgets={"gpu_quota": 64}) == [
        "gpufleet:fleet.budgets.gpu_quota: budget gpu_quota: 64 GPUs < 72 GPUs needed by any feasible placement; "
        "raise it to at least 72 GPUs",
    ]


def test_two_constraints_that_must_both_change():
    problems = joint_problems([workload("train")], objective="cost", budgets={"gpu_quota": 32}, quotas=[
        {"cloud": "aws", "region": "eu-north-1", "gpus": 32}, {"cloud": "aws", "region": "us-west-2", "gpus": 32},
    ])
    assert problems == [
        "gpufleet:fleet.quotas[0] and gpufleet:fleet.budgets.gpu_quota: quota aws eu-north-1 (32 GPUs) and budget "
        "gpu_quota (32 GPUs) together: no placement fits; raising them to 64 GPUs and 64 GPUs would",
        "gpufleet:fleet.quotas[1] and gpufleet:fleet.budgets.gpu_quota: quota aws us-west-2 (32 GPUs) and budget "
        "gpu_quota (32 GPUs) together: no placement fits; raising them to 64 GPUs and 64 GPUs would",
    ]


def test_no_option_names_the_filter_that_removed_the_last_ones():
    assert placement_problems(
        [workload("train", high_bandwidth_fabric=True, data_residency=["EU"])], objective="cost",
        candidates=[{"cloud": "aws", "regions": ["us-west-2", "us-east-1"]}],
    ) == [
        "gpufleet:fleet.workloads[0]: workload 'train': no candidate region offers 64 H100 with a high-bandwidth "
        "fabric within "
        "residency EU: 20 catalog offer(s), 4 in candidate regions, 2 with a high-bandwidth fabric, 0 within "
        "residency EU; feasible if you add a candidate region (aws eu-north-1) or relax residency EU "
        "(aws us-east-1, aws us-west-2); p5.4xlarge (aws): a fabric gpufleet does not attach, the catalog has no "
        "max_efa_interfaces for these sizes (e.g. p5.4xlarge, p6-b200.48xlarge); attaching fewer interfaces than "
        "the hardware has silently cuts bandwidth, so preflight refuses the fabric rather than guess the count",
    ]


def test_unknown_distance_is_not_allowed_and_said_so():
    assert placement_problems(
        [workload("train", data_locality={"cloud": "aws", "region": "us-west-2", "max_distance_km": 1500})],
        objective="cost", candidates=[{"cloud": "aws", "regions": ["us-east-1"]}, {"cloud": "azure", "regions": ["westus"]}],
    ) == [
        "gpufleet:fleet.workloads[0]: workload 'train': no candidate region offers 64 H100 within 1500 km of aws "
        "us-west-2: 31 catalog "
        "offer(s), 3 in candidate regions, 0 within 1500 km of aws us-west-2; feasible if you add a candidate region "
        "(aws us-west-1, aws us-west-2) or relax max 1500 km from aws us-west-2 (aws us-east-1, azure westus); "
        "distance to aws us-west-2 unknown (no coordinates) for azure westus: not allowed",
    ]


def test_every_workload_without_options_reported_at_once():
    assert placement_problems(
        [workload("a10", gpu="A10", gpus=1), workload("big", gpu="B300", gpus=8)], objective="carbon",
        candidates=[{"cloud": "azure", "regions": ["eastus"]}],
    ) == [
        "gpufleet:fleet.workloads[0]: workload 'a10': no option with known figures: 1 option(s) not considered for "
        "the carbon "
        "objective, carbon unknown: A10 rated power not in the catalog: azure eastus "
        "Standard_NV36ads_A10_v5",
        "gpufleet:fleet.workloads[1].gpu: workload 'big': no candidate region offers 8 B300 (no catalog region of "
        "these clouds offers it) (got 'B300')",
    ]
