"""GameLift GPU capacity as the quota, budget, grid and non-production policies see it (issue #14)."""

import pytest

from pack_helpers import build_run, res, verdicts

CANT = "can't run policy '{}' from policy pack 'gpufleet@v0.0.1' during preview: cannot verify "


def fleet():
    return res("aws:gamelift/fleet:Fleet", "render", {"ec2InstanceType": "g5.12xlarge", "buildId": "build-1"})


def group(**inputs):
    return res("aws:gamelift/gameServerGroup:GameServerGroup", "game", {
        "gameServerGroupName": "game", "instanceDefinitions": [{"instanceType": "g5.12xlarge"}], "minSize": 2,
        "maxSize": 6, "roleArn": "arn:aws:iam::123456789012:role/gamelift", "launchTemplate": {"id": "lt-1"},
        **inputs})


QUOTA, BUDGET = "gpufleet-stack-gpu-quota", "gpufleet-stack-monthly-cost-budget"


def test_the_quota_counts_a_game_server_groups_maximum_and_cannot_verify_a_managed_fleet():
    assert verdicts(build_run(group()), QUOTA, max_gpus=16) == [(
        QUOTA, "mandatory", None,
        "the stack can scale to 24 GPUs at maximum node counts, over the quota of 16 GPUs (policy config max_gpus). "
        "Largest: game 24 (6 nodes of g5.12xlarge (4 GPUs each)). Fix: lower maximum node counts, or raise the quota.")]
    assert verdicts(build_run(fleet()), QUOTA, max_gpus=16) == [(
        QUOTA, "advisory", None,
        CANT.format(QUOTA) + "render: maximum node count (not declared by aws.gamelift.Fleet) not known")]


def test_the_budget_cannot_be_verified_with_gamelift_gpus_it_cannot_bound():
    assert verdicts(build_run(fleet()), BUDGET, monthly_usd=100000) == [(
        BUDGET, "mandatory", None,
        "cannot verify the budget of $100,000.00/month (policy config monthly_usd): 1 GPU resource(s) have a node "
        "count not known at preview: render (g5.12xlarge in aws us-west-2); the estimated $0.00/month leaves them "
        "out. Fix: declare the node count (a resource that declares none, such as a GameLift fleet, cannot be "
        "bounded), or make this policy advisory for the stack.")]
    # the fixture catalog prices g5.12xlarge nowhere: a game server group's 2 instances have no lower bound
    assert verdicts(build_run(group(), fleet()), BUDGET, monthly_usd=100000) == [(
        BUDGET, "mandatory", None,
        "cannot verify the budget of $100,000.00/month (policy config monthly_usd): 1 GPU resource(s) have no price "
        "anywhere in the catalog, so no lower bound: game (g5.12xlarge in aws us-west-2); 1 GPU resource(s) have a "
        "node count not known at preview: render (g5.12xlarge in aws us-west-2); the estimated $0.00/month leaves "
        "them out. Fix: add the type's on-demand price, with its source, to the catalog (an offers.csv row in a "
        "--catalog overlay), use a type the catalog prices, declare the node count (a resource that declares none, "
        "such as a GameLift fleet, cannot be bounded), or make this policy advisory for the stack.")]


@pytest.mark.parametrize("resource, gpus", [(fleet(), "?"), (group(), "8–24")], ids=["fleet", "game-server-group"])
def test_gamelift_gpus_are_judged_for_their_grid(resource, gpus):
    name = resource.name
    assert verdicts(build_run(resource), "gpufleet-gpu-region-max-grid-intensity", max_grid_gco2e_per_kwh=100) == [(
        "gpufleet-gpu-region-max-grid-intensity", "mandatory", name,
        f"{name} puts {gpus} GPUs (g5.12xlarge) in aws us-west-2, whose grid emits 119.76 gCO2e/kWh (2023), over the "
        "limit of 100 gCO2e/kWh. Fix: place the capacity in a cleaner region (no catalog region offering g5.12xlarge "
        "meets the limit).")]


def test_a_spot_only_game_server_group_is_spot_capacity():
    assert verdicts(build_run(group(balancingStrategy="SPOT_ONLY"), stack="dev"),
                    "gpufleet-nonprod-gpu-spot-or-scale-to-zero") == []
    assert [v[2] for v in verdicts(build_run(group(balancingStrategy="SPOT_PREFERRED"), stack="dev"),
                                   "gpufleet-nonprod-gpu-spot-or-scale-to-zero")] == ["game"]
