"""Sustainability policies: a compliant resource, then one field changed per case, each with its exact verdict."""

import json

import pytest

from gpufleet.errors import UserError

from pack_helpers import UNKNOWN, Ref, build_run, res, verdicts

CANT = "can't run policy '{}' from policy pack 'gpufleet@v0.0.1' during preview: cannot verify "
AP_SOUTH_1 = {"aws": {"region": "ap-south-1"}}


def node_group(name="h100", instance_type="p5.48xlarge", desired=2, low=0, high=2, **inputs):
    return res("aws:eks/nodeGroup:NodeGroup", name, {
        "clusterName": "gpu", "instanceTypes": [instance_type],
        "scalingConfig": {"desiredSize": desired, "minSize": low, "maxSize": high}, **inputs})


def t4_pool(**inputs):
    return res("azure-native:containerservice:AgentPool", "pool", {"vmSize": "Standard_NC4as_T4_v3", "count": 1, **inputs})


# --- gpufleet-gpu-region-max-grid-intensity -------------------------------------------------------------
GRID = "gpufleet-gpu-region-max-grid-intensity"
CHAT_URN = "urn:pulumi:prod::policy-tests::aws:eks/nodeGroup:NodeGroup::chat"
CLEANER = "eu-north-1 (24.71 g/kWh), ca-central-1 (30.51 g/kWh)"


@pytest.mark.parametrize("run", [
    build_run(node_group()),
    build_run(t4_pool()),
    build_run(node_group(instance_type="m5.large"), provider_inputs=AP_SOUTH_1),
], ids=["aws-us-west-2", "azure-westus2", "cpu-on-a-dirty-grid"])
def test_grid_compliant(run):
    assert verdicts(run, GRID) == []


def test_grid_provider_region_on_a_dirty_grid():
    assert verdicts(build_run(node_group(), provider_inputs=AP_SOUTH_1), GRID) == [(
        GRID, "mandatory", "h100",
        "h100 puts 16 GPUs (p5.48xlarge) in aws ap-south-1, whose grid emits 746.98 gCO2e/kWh (2023), over the limit "
        f"of 300 gCO2e/kWh. Fix: place the capacity in a cleaner region (e.g. {CLEANER}, us-west-2 (119.76 g/kWh)).")]


def test_grid_resource_region_overrides_the_provider():
    assert [v[:3] for v in verdicts(build_run(node_group(region="us-east-1")), GRID)] == [(GRID, "mandatory", "h100")]


def test_grid_lower_configured_limit():
    assert verdicts(build_run(node_group()), GRID, max_grid_gco2e_per_kwh=100) == [(
        GRID, "mandatory", "h100",
        "h100 puts 16 GPUs (p5.48xlarge) in aws us-west-2, whose grid emits 119.76 gCO2e/kWh (2023), over the limit "
        f"of 100 gCO2e/kWh. Fix: place the capacity in a cleaner region (e.g. {CLEANER}).")]


def test_grid_reviewed_limit_applies_to_the_resources_reviewed():
    serving = node_group("chat", region="us-east-1", tags={"gpufleet-workload": "chat-serving"})
    batch = node_group("batch", region="us-east-1", tags={"gpufleet-workload": "batch"})
    limits = {"chat-serving": {"max_grid_gco2e_per_kwh": 400, "resources": [CHAT_URN]}}
    found = verdicts(build_run(serving, batch), GRID, workload_limits=limits)
    assert [v[:3] for v in found] == [(GRID, "mandatory", "batch")]
    dirty = node_group("chat", tags={"gpufleet-workload": "chat-serving"})
    found = verdicts(build_run(dirty, provider_inputs=AP_SOUTH_1), GRID, workload_limits=limits)
    assert "over the limit of 400 gCO2e/kWh (the reviewed limit for workload chat-serving)" in found[0][3]


def test_grid_exception_cannot_be_claimed_with_a_tag():
    # found by an outside review: any resource tagged with a reviewed workload's name got its limit
    claimer = node_group("training", region="us-east-1", tags={"gpufleet-workload": "chat-serving"})
    limits = {"chat-serving": {"max_grid_gco2e_per_kwh": 400, "resources": [CHAT_URN]}}
    assert [v[:3] for v in verdicts(build_run(claimer), GRID, workload_limits=limits)] == [
        (GRID, "mandatory", "training")]


def test_grid_exception_cannot_be_claimed_with_the_reviewed_name():
    # found by review14b: an EC2 instance named like prod's reviewed Azure agent pool got its 400 g limit
    # in us-east-1 (396 g); a name is anyone's to write, so an exception names its resources by URN
    squatter = res("aws:ec2/instance:Instance", "chat", {"instanceType": "p5.48xlarge", "region": "us-east-1"})
    limits = {"chat-serving": {"max_grid_gco2e_per_kwh": 400, "resources": [CHAT_URN]}}
    assert [v[:3] for v in verdicts(build_run(squatter), GRID, workload_limits=limits)] == [
        (GRID, "mandatory", "chat")]
    by_name = {"chat-serving": {"max_grid_gco2e_per_kwh": 400, "resources": ["chat"]}}
    found = verdicts(build_run(node_group("chat", region="us-east-1")), GRID, workload_limits=by_name)
    assert [v[:3] for v in found] == [(GRID, "mandatory", "chat"), (GRID, "advisory", None)]
    assert found[1][3] == CANT.format(GRID) + (
        "workload_limits.chat-serving: not applied to chat: a name can be given to any resource; name the "
        "reviewed resource by its URN (urn:pulumi:STACK::PROJECT::TYPE::NAME, as `--json` plans show it)")


def test_grid_exception_without_its_resources_is_a_configuration_error():
    serving = node_group("chat", region="us-east-1", tags={"gpufleet-workload": "chat-serving"})
    with pytest.raises(UserError) as caught:  # it was an advisory "not applied" note (review14c)
        verdicts(build_run(serving), GRID, workload_limits={"chat-serving": {"max_grid_gco2e_per_kwh": 400}})
    assert [(p.path.rsplit(": ", 1)[-1], p.message) for p in caught.value.problems] == [
        (f"{GRID}.workload_limits.chat-serving.resources", "required property is missing")]
    with pytest.raises(UserError) as caught:  # the old form, a bare number, is a configuration error (exit 2)
        verdicts(build_run(serving), GRID, workload_limits={"chat-serving": 400})
    assert caught.value.problems[0].message == "must be of type object"


def test_grid_intensity_unknown_to_the_catalog_is_an_advisory_note():
    run = build_run(t4_pool(), provider_inputs={"azure-native": {"location": "westus3"}})
    assert verdicts(run, GRID) == [(
        GRID, "advisory", None, CANT.format(GRID) + "pool: grid carbon intensity of azure westus3 is not in the catalog")]


def test_grid_region_outside_the_catalog_is_an_advisory_note():
    assert verdicts(build_run(node_group(region="af-south-1")), GRID) == [(
        GRID, "advisory", None,
        CANT.format(GRID) + "h100: aws af-south-1 is not in the catalog, so its grid carbon intensity is unknown")]


def test_grid_region_unknown_at_preview_is_an_advisory_note():
    run = build_run(node_group(), provider_inputs={"aws": {"region": UNKNOWN}})
    assert verdicts(run, GRID) == [(GRID, "advisory", None, CANT.format(GRID) + "h100: region not known at preview")]


# --- gpufleet-stack-monthly-carbon-budget ----------------------------------------------------------------
CARBON = "gpufleet-stack-monthly-carbon-budget"


def test_carbon_within_budget_passes():
    assert verdicts(build_run(node_group(desired=10, high=10, region="us-east-1")), CARBON) == []


def test_carbon_over_a_lower_budget():
    assert verdicts(build_run(node_group()), CARBON, monthly_tco2e=1) == [(
        CARBON, "mandatory", None,
        "estimated 1.64 tCO2e/month (operational) exceeds the carbon budget of 1 tCO2e/month (policy config "
        "monthly_tco2e). "
        "Largest: h100 1.64 t (us-west-2). Fix: move GPUs to cleaner regions, lower node counts, hours or "
        "utilisation, or raise the budget.")]


def test_carbon_budget_scope_with_embodied_counts_both_and_says_so():
    # 2 × p5.48xlarge in us-west-2, always on: 1.644 t operational + 2 × 5,700 kg × 730 h / 35,040 h = 0.2375 t
    assert verdicts(build_run(node_group()), CARBON, monthly_tco2e=1.8) == []
    assert verdicts(build_run(node_group()), CARBON, monthly_tco2e=1.8, scope="operational+embodied") == [(
        CARBON, "mandatory", None,
        "estimated 1.88 tCO2e/month (operational + embodied) exceeds the carbon budget of 1.8 tCO2e/month (policy "
        "config monthly_tco2e). Largest: h100 1.88 t (us-west-2). Fix: move GPUs to cleaner regions, lower node "
        "counts, hours or utilisation, or raise the budget.")]


def test_carbon_stack_budget_takes_precedence():
    fleet = {"environment": "prod", "owner": {"team": "ml", "cost-center": "cc"},
             "candidates": [{"cloud": "aws", "regions": ["us-west-2"]}], "budgets": {"monthly_tco2e": 1},
             "workloads": [{"name": "train", "gpu": "H100", "gpu_count": 16, "utilization_percent": 100}]}
    run = build_run(node_group(), config={"gpufleet:fleet": json.dumps(fleet)})
    found = verdicts(run, CARBON, monthly_tco2e=100)
    assert [v[:3] for v in found] == [(CARBON, "mandatory", None)]
    assert "budget of 1 tCO2e/month (gpufleet:fleet.budgets.monthly_tco2e of stack prod)" in found[0][3]


def test_carbon_lower_utilisation_tag_lowers_the_estimate():
    # 2 × p5.48xlarge in us-west-2 at 20 % GPU duty: 2 × 4,711.5 W × 730 h × 1.12 × 119.76 g = 0.92 t (1.64 t at 100 %)
    run = build_run(node_group(tags={"gpufleet-utilization-percent": "20"}))
    assert verdicts(run, CARBON, monthly_tco2e=1) == []


def test_carbon_unknown_emissions_are_an_advisory_note():
    pool = res("azure-native:containerservice:AgentPool", "pool", {"vmSize": "Standard_NC24ads_A100_v4", "count": 1})
    assert verdicts(build_run(pool), CARBON) == [(
        CARBON, "advisory", None, CANT.format(CARBON) + "emissions of pool (energy or grid intensity unknown); the "
        "known part is 0.00 of 50 tCO2e/month (operational)")]


# --- gpufleet-gpu-region-max-pue ---------------------------------------------------------------------------
PUE = "gpufleet-gpu-region-max-pue"


def test_pue_compliant():
    assert verdicts(build_run(node_group()), PUE) == []


def test_pue_over_the_limit():
    assert verdicts(build_run(node_group(), provider_inputs=AP_SOUTH_1), PUE) == [(
        PUE, "mandatory", "h100",
        "h100 puts 16 GPUs (p5.48xlarge) in aws ap-south-1, whose PUE is 1.42 (2024), over the limit of 1.4. Fix: "
        "place the capacity in a more efficient region (e.g. eu-north-1 (1.1 PUE), us-west-2 (1.12 PUE), "
        "us-east-2 (1.13 PUE)).")]


def test_pue_lower_configured_limit():
    assert [v[:3] for v in verdicts(build_run(node_group()), PUE, max_pue=1.1)] == [(PUE, "mandatory", "h100")]


# --- gpufleet-gpu-always-on-idle-waste ------------------------------------------------------------------------
IDLE = "gpufleet-gpu-always-on-idle-waste"
ODCR = res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
    "instanceType": "p5.48xlarge",
    "capacityReservationSpecification": {"capacityReservationTarget": {"capacityReservationId": "cr-1"}}})


@pytest.mark.parametrize("resources", [
    [node_group(low=0)],
    [node_group(low=2, capacityType="SPOT")],
    [node_group(low=2, capacityType="CAPACITY_BLOCK")],
    [node_group(low=0, high=2, tags={"gpufleet-hours-per-month": "200"})],
    [ODCR, res("aws:eks/nodeGroup:NodeGroup", "h100", {
        "launchTemplate": Ref(ODCR, "id"), "scalingConfig": {"desiredSize": 2, "minSize": 2, "maxSize": 2}})],
], ids=["scales-to-zero", "spot", "capacity-block", "scheduled", "capacity-reservation"])
def test_idle_compliant(resources):
    assert verdicts(build_run(*resources), IDLE) == []


def test_idle_always_on_on_demand_group():
    assert verdicts(build_run(node_group(low=2)), IDLE) == [(
        IDLE, "mandatory", "h100",
        "h100 keeps 2 nodes of p5.48xlarge (8 GPUs each) on all month (scalingConfig.minSize = 2, 730 h) on "
        "on-demand capacity without a reservation: paid whether busy or idle. Fix: let it scale to zero "
        "(scalingConfig.minSize 0) and schedule it (tag gpufleet-hours-per-month), or run it in reserved capacity.")]


def test_an_hours_tag_on_capacity_that_cannot_scale_down_is_not_a_schedule():
    # found by an outside review: `gpufleet-hours-per-month: "1"` priced always-on nodes at 1 h a month
    run = build_run(node_group(low=2, tags={"gpufleet-hours-per-month": "1"}))
    assert [v[:3] for v in verdicts(run, IDLE)] == [(IDLE, "mandatory", "h100")]


def test_idle_single_always_on_instance():
    instance = res("aws:ec2/instance:Instance", "box", {"instanceType": "g5.xlarge"})
    assert verdicts(build_run(instance), IDLE) == [(
        IDLE, "mandatory", "box",
        "box keeps 1 instance of g5.xlarge (1 GPU each) on all month (730 h) on on-demand capacity without a "
        "reservation: paid whether busy or idle. Fix: run it in reserved capacity, or as a group that can scale to "
        "zero (a gpufleet-hours-per-month tag alone does not stop an instance).")]


def test_idle_unknown_minimum_is_an_advisory_note():
    assert verdicts(build_run(node_group(low=UNKNOWN)), IDLE) == [(
        IDLE, "advisory", None, CANT.format(IDLE) + "h100: minimum node count not known")]
