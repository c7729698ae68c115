"""gpufleet-gpu-capacity-reservation-expected: large on-demand GPU groups run in reserved capacity."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._capacity import reservation
from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import gpu_groups, stack_plan

NAME = "gpufleet-gpu-capacity-reservation-expected"


def check(args, config, findings) -> None:
    limit = int(config["max_gpus_without_reservation"])
    plan = stack_plan(args.resources)
    for g in gpu_groups(plan, findings):
        if g.estimate.capacity_type == "spot":
            continue
        if g.estimate.gpus is None:
            findings.cannot_verify(f"{g.name}: GPU count not known")
            continue
        if g.estimate.gpus <= limit or reservation(g.view, g.estimate, plan.graph):
            continue
        findings.violation(
            f"{g.name} runs {g.estimate.gpus} GPUs ({g.nodes(g.estimate.nodes)}) on on-demand capacity "
            f"without a capacity reservation; above {limit} GPUs capacity should be reserved. Fix: AWS: "
            "capacityType CAPACITY_BLOCK, or a launch template capacityReservationSpecification targeting an "
            "On-Demand Capacity Reservation; Azure: capacityReservationGroupID on the agent pool "
            "(capacityReservation on VMs and scale sets).",
            g.urn,
        )


POLICY = stack_policy(
    NAME,
    "GPU groups running more than max_gpus_without_reservation on-demand GPUs use a capacity reservation.",
    check,
    area="cost",
    severity=Severity.MEDIUM,
    remediation="Run the group in an On-Demand Capacity Reservation, a Capacity Block, or an Azure capacity "
                "reservation group.",
    properties={"max_gpus_without_reservation": {
        "type": "integer", "minimum": 0, "default": 64,
        "description": "GPUs a group may run on-demand without a reservation"}},
)
