"""Cost policies: a compliant resource, then one field changed per case, each with its exact verdict.

Runs through the in-process fast path with only the policy under test enabled (mandatory); the
gRPC path gives the same verdicts (test_pack_grpc.py).
"""

import json

import pytest

from pack_helpers import UNKNOWN, Ref, build_run, res, verdicts

CANT = "can't run policy '{}' from policy pack 'gpufleet@v0.0.1' during preview: cannot verify "
FLEET = {"environment": "prod", "owner": {"team": "ml", "cost-center": "cc"},
         "candidates": [{"cloud": "aws", "regions": ["us-west-2"]}],
         "workloads": [{"name": "train", "gpu": "H100", "gpu_count": 16, "utilization_percent": 100}]}


def node_group(name="h100", instance_type="p5.48xlarge", desired=2, low=0, high=2, **inputs):
    return res("aws:eks/nodeGroup:NodeGroup", name, {
        "clusterName": "gpu", "instanceTypes": [instance_type],
        "scalingConfig": {"desiredSize": desired, "minSize": low, "maxSize": high}, **inputs})


def fleet_config(**changes):
    return {"gpufleet:fleet": json.dumps({**FLEET, **changes})}


# --- gpufleet-stack-monthly-cost-budget ------------------------------------------------------------
BUDGET = "gpufleet-stack-monthly-cost-budget"
FIX = "Fix: lower node counts or hours, use spot or scale to zero, choose cheaper regions, or raise the budget."


def test_cost_budget_compliant_stack_passes():
    assert verdicts(build_run(node_group()), BUDGET) == []


def test_cost_budget_more_nodes_than_the_default_budget_allows():
    assert verdicts(build_run(node_group(desired=20, high=20)), BUDGET) == [(
        BUDGET, "mandatory", None,
        # the node group's own disks (no launch template: EKS's, volume type undocumented) have no price
        "estimated $803,584.00/month for 160 GPUs exceeds the budget of $500,000.00/month (policy config "
        f"monthly_usd) by $303,584.00; 1 more resource(s) have no price and are not counted. Largest: h100 "
        f"$803,584.00. {FIX}")]


def test_cost_budget_lower_configured_budget_and_unpriced_resources_named():
    run = build_run(node_group(), res("aws:s3/bucket:Bucket", "data"))
    assert verdicts(run, BUDGET, monthly_usd=50000) == [(
        BUDGET, "mandatory", None,
        "estimated $80,358.40/month for 16 GPUs exceeds the budget of $50,000.00/month (policy config "
        "monthly_usd) by $30,358.40; 2 more resource(s) have no price and are not counted. Largest: h100 "
        f"$80,358.40. {FIX}")]


def test_cost_budget_stack_budget_takes_precedence_over_a_lower_policy_budget():
    run = build_run(node_group(), config=fleet_config(budgets={"monthly_usd": 100000}))
    assert verdicts(run, BUDGET, monthly_usd=50000) == []


def test_cost_budget_stack_budget_takes_precedence_over_a_higher_policy_budget():
    run = build_run(node_group(), config=fleet_config(budgets={"monthly_usd": 60000}))
    assert verdicts(run, BUDGET) == [(
        BUDGET, "mandatory", None,
        "estimated $80,358.40/month for 16 GPUs exceeds the budget of $60,000.00/month (gpufleet:fleet.budgets."
        f"monthly_usd of stack prod) by $20,358.40; 1 more resource(s) have no price and are not counted. Largest: "
        f"h100 $80,358.40. {FIX}")]


def test_cost_budget_gpus_without_a_price_here_count_at_their_cheapest_catalog_price():
    pool = res("azure-native:containerservice:AgentPool", "pool", {"vmSize": "Standard_ND96isr_H100_v5", "count": 50})
    run = build_run(pool, provider_inputs={"azure-native": {"location": "swedencentral"}})
    assert verdicts(run, BUDGET) == [(
        BUDGET, "mandatory", None,
        "estimated $0.00/month for 400 GPUs plus at least $3,588,680.00 for 1 GPU resource(s) the catalog does not "
        "price where they are (their type's cheapest catalog price) exceeds the budget of $500,000.00/month (policy "
        # the pool's OS disks (50 × AKS's default 1,024 GB for 96 vCPUs) have no sourced price
        f"config monthly_usd) by $3,088,680.00; 1 more resource(s) have no price and are not counted. {FIX}")]


def test_cost_budget_a_type_priced_nowhere_counts_at_its_gpu_models_cheapest_price_per_gpu():
    # g5.48xlarge (8 × A10G) has no offer in the catalog; the A10G's cheapest is g5.xlarge at $1.006/h per GPU
    run = build_run(node_group("a10g", "g5.48xlarge", desired=90, high=90))
    assert verdicts(run, BUDGET) == [(
        BUDGET, "mandatory", None,
        "estimated $0.00/month for 720 GPUs plus at least $528,753.60 for 1 GPU resource(s) the catalog does not "
        "price where they are (their type's cheapest catalog price; for a type priced nowhere, its GPU model's "
        "cheapest price per GPU) exceeds the budget of $500,000.00/month (policy config monthly_usd) by "
        f"$28,753.60; 1 more resource(s) have no price and are not counted. {FIX}")]


def test_cost_budget_gpus_priced_nowhere_under_the_budget_cannot_be_verified_and_that_is_a_violation():
    # 10 × g5.48xlarge: at the A10G's cheapest price per GPU about $58,751 — a guess, not a bound
    run = build_run(node_group("a10g", "g5.48xlarge", desired=10, high=10), node_group())
    assert verdicts(run, BUDGET) == [(
        BUDGET, "mandatory", None,
        "cannot verify the budget of $500,000.00/month (policy config monthly_usd): 1 GPU resource(s) have no price "
        "anywhere in the catalog, so no lower bound: a10g (g5.48xlarge in aws us-west-2); the estimated "
        "$80,358.40/month leaves them out. Fix: add the type's on-demand price, with its source, to the catalog (an "
        "offers.csv row in a --catalog overlay), use a type the catalog prices, or make this policy advisory for "
        "the stack.")]
    # a type priced elsewhere has a lower bound: under the budget, nothing to report
    pool = res("azure-native:containerservice:AgentPool", "pool", {"vmSize": "Standard_ND96isr_H100_v5", "count": 1})
    assert verdicts(build_run(pool, provider_inputs={"azure-native": {"location": "swedencentral"}}), BUDGET) == []


def test_cost_budget_gpus_of_a_node_count_not_known_at_preview_cannot_be_verified():
    run = build_run(node_group("a10g", "g5.48xlarge", desired=UNKNOWN, high=UNKNOWN))
    assert [v[:2] for v in verdicts(run, BUDGET)] == [(BUDGET, "mandatory")]
    assert "cannot verify the budget" in verdicts(run, BUDGET)[0][3]


def test_cost_budget_integer_budgets_arrive_as_floats_and_still_compare():
    assert verdicts(build_run(node_group()), BUDGET, monthly_usd=80358) != []
    assert verdicts(build_run(node_group()), BUDGET, monthly_usd=80359) == []


# --- gpufleet-stack-gpu-quota ------------------------------------------------------------------------
QUOTA = "gpufleet-stack-gpu-quota"


def test_quota_compliant_stack_passes():
    assert verdicts(build_run(node_group()), QUOTA) == []


def test_quota_counts_maximum_node_counts_against_the_default_quota():
    assert verdicts(build_run(node_group(high=80)), QUOTA) == [(
        QUOTA, "mandatory", None,
        "the stack can scale to 640 GPUs at maximum node counts, over the quota of 512 GPUs (policy config "
        "max_gpus). Largest: h100 640 (80 nodes of p5.48xlarge (8 GPUs each)). Fix: lower maximum node counts, "
        "or raise the quota.")]


def test_quota_stack_gpu_quota_takes_precedence():
    run = build_run(node_group(), config=fleet_config(budgets={"gpu_quota": 8}))
    assert [v[:3] for v in verdicts(run, QUOTA)] == [(QUOTA, "mandatory", None)]
    assert "over the quota of 8 GPUs (gpufleet:fleet.budgets.gpu_quota of stack prod)" in verdicts(run, QUOTA)[0][3]


def test_quota_region_quota_of_the_stack():
    run = build_run(node_group(), config=fleet_config(quotas=[{"cloud": "aws", "region": "us-west-2", "gpus": 8}]))
    assert verdicts(run, QUOTA) == [(
        QUOTA, "mandatory", None,
        "aws us-west-2: 16 GPUs at maximum node counts (h100), over the region quota of 8 (stack gpufleet:fleet."
        "quotas). Fix: lower maximum node counts there, place capacity in another candidate region, or record "
        "the larger quota.")]


def test_quota_unknown_maximum_is_an_advisory_note_not_a_pass():
    group = res("aws:eks/nodeGroup:NodeGroup", "h100", {
        "instanceTypes": ["p5.48xlarge"], "scalingConfig": {"desiredSize": 2, "minSize": 0, "maxSize": UNKNOWN}})
    assert verdicts(build_run(group), QUOTA) == [(
        QUOTA, "advisory", None, CANT.format(QUOTA) + "h100: maximum node count (scalingConfig.maxSize) not known")]


# --- gpufleet-node-group-max-gpus --------------------------------------------------------------------
NODE_GROUP = "gpufleet-node-group-max-gpus"


def test_node_group_within_limit_passes():
    assert verdicts(build_run(node_group()), NODE_GROUP) == []


def test_node_group_maximum_size_over_the_limit():
    assert verdicts(build_run(node_group(high=20)), NODE_GROUP) == [(
        NODE_GROUP, "mandatory", "h100",
        "h100 can scale to 160 GPUs (scalingConfig.maxSize = 20 nodes of p5.48xlarge (8 GPUs each)), over the "
        "limit of 128 GPUs per node group. Fix: lower scalingConfig.maxSize to at most 16, or split the capacity.")]


def test_node_group_single_instance_over_a_lower_limit():
    instance = res("aws:ec2/instance:Instance", "box", {"instanceType": "p5.48xlarge"})
    assert verdicts(build_run(instance), NODE_GROUP, max_gpus_per_node_group=4) == [(
        NODE_GROUP, "mandatory", "box",
        "box has 8 GPUs (1 instance of p5.48xlarge (8 GPUs each)), over the limit of 4 GPUs per node group. "
        "Fix: use an instance type with at most 4 GPUs.")]


def test_node_group_instance_type_from_its_launch_template():
    template = res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"instanceType": "p5.48xlarge"})
    group = res("aws:eks/nodeGroup:NodeGroup", "h100", {
        "launchTemplate": Ref(template, "id"), "scalingConfig": {"desiredSize": 1, "minSize": 0, "maxSize": 3}})
    assert [v[:3] for v in verdicts(build_run(template, group), NODE_GROUP, max_gpus_per_node_group=16)] == [
        (NODE_GROUP, "mandatory", "h100")]


# --- gpufleet-gpu-instance-types-allowed ---------------------------------------------------------------
ALLOWED = "gpufleet-gpu-instance-types-allowed"
ALLOWED_FIX = "Fix: use an allowed type, or add it to allowed_instance_types in the environment's policy config."


@pytest.mark.parametrize("instance_type", ["p5.48xlarge", "p2.xlarge"], ids=["catalog-type", "other-gpu-type"])
def test_allowed_every_gpu_type_by_default(instance_type):
    assert verdicts(build_run(node_group(instance_type=instance_type)), ALLOWED) == []


def test_allowed_shell_patterns():
    run = build_run(node_group(instance_type="g5.12xlarge"), node_group("big"))
    assert [v[:3] for v in verdicts(run, ALLOWED, allowed_instance_types=["g5.*", "g6.xlarge"])] == [
        (ALLOWED, "mandatory", "big")]


def test_allowed_type_not_in_the_environment_list():
    assert verdicts(build_run(node_group()), ALLOWED, allowed_instance_types=["g5.xlarge"]) == [(
        ALLOWED, "mandatory", "h100",
        f"instanceTypes[0] = 'p5.48xlarge' (8 × H100) is not a GPU instance type allowed here; allowed: g5.xlarge. "
        f"{ALLOWED_FIX}")]


def test_allowed_gpu_family_type_outside_the_catalog_is_flagged_cpu_types_never():
    template = res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"instanceType": "m5.large"})
    found = verdicts(build_run(node_group(instance_type="p2.xlarge"), template), ALLOWED,
                     allowed_instance_types=["p5.48xlarge"])
    assert found == [(ALLOWED, "mandatory", "h100",
                      "instanceTypes[0] = 'p2.xlarge' (a GPU type not in the catalog) is not a GPU instance type "
                      f"allowed here; allowed: p5.48xlarge. {ALLOWED_FIX}")]


def test_allowed_azure_agent_pool_vm_size():
    pool = res("azure-native:containerservice:AgentPool", "pool", {"vmSize": "Standard_ND96isr_H100_v5", "count": 1})
    assert [v[:3] for v in verdicts(build_run(pool), ALLOWED, allowed_instance_types=["Standard_NC4as_T4_v3"])] == [
        (ALLOWED, "mandatory", "pool")]


def test_allowed_unknown_type_is_an_advisory_note():
    assert verdicts(build_run(node_group(instance_type=UNKNOWN)), ALLOWED) == [(
        ALLOWED, "advisory", "h100", CANT.format(ALLOWED) + "instanceTypes[0]: instance type not known at preview")]


# --- gpufleet-nonprod-gpu-spot-or-scale-to-zero --------------------------------------------------------
NONPROD = "gpufleet-nonprod-gpu-spot-or-scale-to-zero"


@pytest.mark.parametrize("group", [node_group(low=0), node_group(low=2, capacityType="SPOT"),
                                   node_group(instance_type="m5.large", low=3)], ids=["scales-to-zero", "spot", "cpu"])
def test_nonprod_compliant(group):
    assert verdicts(build_run(group, stack="dev"), NONPROD) == []


def test_nonprod_capacity_block_ends_by_itself():
    assert verdicts(build_run(node_group(low=2, capacityType="CAPACITY_BLOCK"), stack="staging"), NONPROD) == []


@pytest.mark.parametrize("stack, config", [("prod", {}), ("ci-7", fleet_config(environment="prod"))],
                         ids=["prod-stack", "prod-fleet"])
def test_nonprod_skips_production_environments(stack, config):
    assert verdicts(build_run(node_group(low=2), stack=stack, config=config), NONPROD) == []


def test_nonprod_on_demand_minimum_above_zero():
    assert verdicts(build_run(node_group(low=2), stack="dev"), NONPROD) == [(
        NONPROD, "mandatory", "h100",
        "h100 keeps 2 nodes of p5.48xlarge (8 GPUs each) running on on-demand capacity (scalingConfig.minSize = 2); "
        "non-production GPU capacity must be spot or scale to zero. Fix: capacityType SPOT or scalingConfig.minSize 0.")]


def test_nonprod_azure_pool_with_a_fixed_count():
    pool = res("azure-native:containerservice:AgentPool", "pool", {"vmSize": "Standard_NC4as_T4_v3", "count": 1})
    assert verdicts(build_run(pool, stack="dev"), NONPROD) == [(
        NONPROD, "mandatory", "pool",
        "pool keeps 1 node of Standard_NC4as_T4_v3 (1 GPU each) running on on-demand capacity (count = 1); "
        "non-production GPU capacity must be spot or scale to zero. Fix: scaleSetPriority Spot or count 0.")]


def test_nonprod_single_on_demand_instance():
    instance = res("aws:ec2/instance:Instance", "box", {"instanceType": "g5.xlarge"})
    assert verdicts(build_run(instance, stack="dev"), NONPROD) == [(
        NONPROD, "mandatory", "box",
        "box keeps 1 instance of g5.xlarge (1 GPU each) running on on-demand capacity; non-production GPU capacity "
        "must be spot or scale to zero. Fix: instanceMarketOptions.marketType spot.")]


# --- gpufleet-gpu-unpriced -----------------------------------------------------------------------------
UNPRICED = "gpufleet-gpu-unpriced"
UNPRICED_FIX = ("the stack's cost total leaves it out. Fix: use an instance type and region the catalog prices, "
                "make the type known at preview, or add the offer to the catalog.")


def test_unpriced_priced_gpus_cpu_groups_and_buckets_pass():
    run = build_run(node_group(), node_group("cpu", instance_type="m5.large"), res("aws:s3/bucket:Bucket", "b"))
    assert verdicts(run, UNPRICED) == []


def test_unpriced_gpu_type_outside_the_catalog():
    assert verdicts(build_run(node_group(instance_type="p2.xlarge")), UNPRICED) == [(
        UNPRICED, "mandatory", "h100",
        "h100 (p2.xlarge in aws us-west-2) cannot be priced — p2.xlarge is not in the catalog (GPU types: "
        f"instance_types.csv, CPU hosts: host_types.csv); {UNPRICED_FIX}")]


def test_unpriced_catalog_type_in_a_region_without_an_offer():
    run = build_run(node_group(), provider_inputs={"aws": {"region": "eu-south-2"}})
    assert verdicts(run, UNPRICED) == [(
        UNPRICED, "mandatory", "h100",
        "h100 (p5.48xlarge in aws eu-south-2) cannot be priced — p5.48xlarge has no offer in aws eu-south-2 in the "
        f"catalog; {UNPRICED_FIX}")]


def test_unpriced_instance_type_unknown_at_preview_is_never_zero():
    assert verdicts(build_run(node_group(instance_type=UNKNOWN)), UNPRICED) == [(
        UNPRICED, "mandatory", "h100",
        f"h100 (instance type unknown in aws us-west-2) cannot be priced — instance type not known at preview; "
        f"{UNPRICED_FIX}")]


# --- gpufleet-gpu-capacity-reservation-expected ----------------------------------------------------------
RESERVATION = "gpufleet-gpu-capacity-reservation-expected"


def test_reservation_small_group_passes():
    assert verdicts(build_run(node_group()), RESERVATION) == []


def test_reservation_large_on_demand_group():
    assert verdicts(build_run(node_group(desired=10, high=10)), RESERVATION) == [(
        RESERVATION, "mandatory", "h100",
        "h100 runs 80 GPUs (10 nodes of p5.48xlarge (8 GPUs each)) on on-demand capacity without a capacity "
        "reservation; above 64 GPUs capacity should be reserved. Fix: AWS: capacityType CAPACITY_BLOCK, or a launch "
        "template capacityReservationSpecification targeting an On-Demand Capacity Reservation; Azure: "
        "capacityReservationGroupID on the agent pool (capacityReservation on VMs and scale sets).")]


def test_reservation_threshold_is_configurable():
    assert [v[:3] for v in verdicts(build_run(node_group()), RESERVATION, max_gpus_without_reservation=8)] == [
        (RESERVATION, "mandatory", "h100")]


def capacity_reservation_template():
    return res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
        "instanceType": "p5.48xlarge",
        "capacityReservationSpecification": {"capacityReservationTarget": {"capacityReservationId": "cr-1"}}})


@pytest.mark.parametrize("resources", [
    [node_group(desired=10, high=10, capacityType="CAPACITY_BLOCK")],
    [node_group(desired=10, high=10, capacityType="SPOT")],
    [capacity_reservation_template(), res("aws:eks/nodeGroup:NodeGroup", "h100", {
        "launchTemplate": Ref(capacity_reservation_template(), "id"),
        "scalingConfig": {"desiredSize": 10, "minSize": 0, "maxSize": 10}})],
    [res("azure-native:containerservice:AgentPool", "pool", {
        "vmSize": "Standard_ND96isr_H100_v5", "count": 10, "capacityReservationGroupID": "/subscriptions/s/crg"})],
], ids=["capacity-block", "spot", "launch-template-odcr", "azure-reservation-group"])
def test_reservation_reserved_or_spot_groups_pass(resources):
    assert verdicts(build_run(*resources), RESERVATION) == []
