"""gpufleet-nonprod-gpu-spot-or-scale-to-zero: non-production GPU capacity is spot or scales to zero."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet.readers.base import ONE_INSTANCE
from gpufleet_policies._capacity import capacity_block
from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import gpu_groups, stack_context, stack_plan

NAME = "gpufleet-nonprod-gpu-spot-or-scale-to-zero"

SPOT_FIX = {
    "aws:eks/nodeGroup:NodeGroup": "capacityType SPOT",
    "aws:ec2/instance:Instance": "instanceMarketOptions.marketType spot",
    "aws:autoscaling/group:Group": "a mixed instances policy with spot",
    "azure-native:containerservice:AgentPool": "scaleSetPriority Spot",
    "azure-native:compute:VirtualMachine": "priority Spot",
    "azure-native:compute:VirtualMachineScaleSet": "virtualMachineProfile.priority Spot",
    # Billed for every reserved instance whether used or not: it cannot scale to zero, only end.
    "aws:ec2/capacityReservation:CapacityReservation": "release the reservation outside production (or a "
                                                       "Capacity Block, which ends by itself)",
}
FIXED = {"aws:ec2/capacityReservation:CapacityReservation"}  # no minimum to lower


def _environment() -> str | None:
    """The stack's environment: gpufleet:fleet's `environment` when set, else the stack's name."""
    ctx = stack_context()
    return ctx.fleet.environment if ctx.fleet is not None else ctx.stack


def check(args, config, findings) -> None:
    environment = _environment()
    if environment in config["production_environments"]:
        args.not_applicable(f"{environment} is a production environment")
    plan = stack_plan(args.resources)
    for g in gpu_groups(plan, findings):
        if g.estimate.capacity_type == "spot" or capacity_block(g.view, plan.graph):
            continue
        if g.scaling is None or g.scaling.min_nodes is None:
            findings.cannot_verify(f"{g.name}: minimum node count not known")
            continue
        if g.scaling.min_nodes == 0:
            continue
        spot = SPOT_FIX.get(g.view.type, "spot capacity")
        zero = f" or {g.scaling.min_path} 0" if g.scaling.min_path != ONE_INSTANCE and g.view.type not in FIXED else ""
        bound = f" ({g.scaling.min_path} = {g.scaling.min_nodes})" if g.scaling.min_path != ONE_INSTANCE else ""
        findings.violation(
            f"{g.name} keeps {g.nodes(g.scaling.min_nodes)} running on {g.estimate.capacity_type} capacity{bound}; "
            f"non-production GPU capacity must be spot or scale to zero. Fix: {spot}{zero}.",
            g.urn,
        )


POLICY = stack_policy(
    NAME,
    "Non-production GPU capacity runs on spot, can scale to zero nodes when idle, or runs in a Capacity Block "
    "(which ends by itself); stacks whose environment is in production_environments are skipped.",
    check,
    area="cost",
    severity=Severity.MEDIUM,
    remediation="Use spot capacity, or set the minimum node count to 0 so idle GPUs are released.",
    properties={"production_environments": {
        "type": "array", "items": {"type": "string"}, "default": ["prod", "production"],
        "description": "environments (gpufleet:fleet environment, else the stack name) this policy skips"}},
)
