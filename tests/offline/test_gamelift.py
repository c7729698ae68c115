"""GameLift GPU capacity under the recording monitor (issue #14): a managed fleet's GPUs per instance are
known, its instance count is not declared (unknown, never 0); a FleetIQ game server group counts from its
sizes. Neither is priced: GameLift's own rates and FleetIQ's charge are not in the catalog."""

from pathlib import Path

from gpufleet.preview import preview

PROGRAM = Path(__file__).resolve().parent / "programs" / "aws_gamelift"
FLEET = "urn:pulumi:dev::aws-gamelift::aws:gamelift/fleet:Fleet::render-fleet"
GROUP = "urn:pulumi:dev::aws-gamelift::aws:gamelift/gameServerGroup:GameServerGroup::game-servers"


def _shown(e: dict) -> tuple:
    return (e["region"], e["instance_type"], e["nodes"], e["capacity_type"], e["gpus"], e["monthly_usd"],
            e["derivation"]["nodes"], e["derivation"]["gpus"], e["derivation"]["monthly_usd"])


def test_gamelift_fleets_are_gpu_capacity_with_an_unknown_count_or_their_sizes():
    plan = preview(PROGRAM, "dev", policy_pack=None).to_json()["gpufleet"]
    assert _shown(plan["estimates"][FLEET]) == (
        "us-west-2", "g5.2xlarge", None, "on-demand", None, None,
        "unknown: aws.gamelift.Fleet declares no instance count (GameLift sets and scales it outside the resource)",
        "unknown: 1 A10G per node × a node count not known at preview",
        "unknown: node count not known at preview")
    assert _shown(plan["estimates"][GROUP]) == (
        "us-west-2", "g5.12xlarge", 2, "on-demand", 8, None,
        "minimum size (a game server group declares no desired count)", "2 × 4 A10G",
        "unknown: GameLift FleetIQ adds its own charge to the EC2 price of g5.12xlarge, which the catalog does not "
        "have; GPUs, energy and carbon are those of the hardware")
    assert plan["totals"]["gpus"] == 8 and plan["totals"]["monthly_usd"] is None
    assert plan["unpriced"] == [FLEET, GROUP]
