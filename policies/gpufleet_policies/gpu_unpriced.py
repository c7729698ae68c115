"""gpufleet-gpu-unpriced: GPU capacity the catalog cannot price is reported, never counted as $0."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import gpu_groups, stack_plan

NAME = "gpufleet-gpu-unpriced"


def check(args, config, findings) -> None:
    for g in gpu_groups(stack_plan(args.resources), findings, unknown_type_is="group"):
        e = g.estimate
        if e.monthly_usd is not None:
            continue
        reason = e.derivation.get("monthly_usd") or "unknown: instance type not known"
        findings.violation(
            f"{g.name} ({e.instance_type or 'instance type unknown'} in {e.cloud or '?'} {e.region or '?'}) "
            "cannot be priced — "
            f"{reason.removeprefix('unknown: ')}; the stack's cost total leaves it out. Fix: use an instance "
            "type and region the catalog prices, make the type known at preview, or add the offer to the catalog.",
            g.urn,
        )


POLICY = stack_policy(
    NAME,
    "GPU capacity that cannot be priced from the catalog is reported, never treated as $0.",
    check,
    area="cost",
    severity=Severity.MEDIUM,
    remediation="Use an instance type and region with a catalog price, or add the offer to the catalog.",
)
