"""gpufleet-gpu-always-on-idle-waste: always-on GPU capacity without a reservation is idle waste."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet.footprint import HOURS_PER_MONTH
from gpufleet.readers.base import ONE_INSTANCE, TAG_HOURS

from gpufleet_policies._capacity import reservation
from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import gpu_groups, stack_plan

NAME = "gpufleet-gpu-always-on-idle-waste"


def check(args, config, findings) -> None:
    plan = stack_plan(args.resources)
    for g in gpu_groups(plan, findings):
        e = g.estimate
        if e.capacity_type == "spot" or (e.hours or 0) < HOURS_PER_MONTH:
            continue
        if g.scaling is None or g.scaling.min_nodes is None:
            findings.cannot_verify(f"{g.name}: minimum node count not known")
            continue
        if g.scaling.min_nodes == 0 or reservation(g.view, e, plan.graph):
            continue
        single = g.scaling.min_path == ONE_INSTANCE
        # A TAG_HOURS tag is a claim: it counts only for nodes the resource can really scale away.
        fix = (f"run it in reserved capacity, or as a group that can scale to zero (a {TAG_HOURS} tag alone "
               "does not stop an instance)") if single else (
            f"let it scale to zero ({g.scaling.min_path} 0) and schedule it (tag {TAG_HOURS}), or run it in "
            "reserved capacity")
        bound = "" if single else f"{g.scaling.min_path} = {g.scaling.min_nodes}, "
        findings.violation(
            f"{g.name} keeps {g.nodes(g.scaling.min_nodes)} on all month ({bound}{HOURS_PER_MONTH:g} h) on "
            f"on-demand capacity without a reservation: paid whether busy or idle. Fix: {fix}.",
            g.urn,
        )


POLICY = stack_policy(
    NAME,
    "Always-on on-demand GPU capacity (minimum nodes above zero, all month) without a reservation is "
    "flagged as idle waste.",
    check,
    area="sustainability",
    severity=Severity.MEDIUM,
    remediation="Let the group scale to zero, schedule it with the gpufleet-hours-per-month tag, or run it in "
                "reserved capacity.",
)
