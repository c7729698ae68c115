"""gpufleet-gpu-region-max-pue: GPUs run only in data centres at or below a PUE."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._regions import alternatives, region_of
from gpufleet_policies._stack import gpu_groups, gpus_shown, stack_plan

NAME = "gpufleet-gpu-region-max-pue"


def check(args, config, findings) -> None:
    limit = float(config["max_pue"])
    plan = stack_plan(args.resources)
    for g in gpu_groups(plan, findings):
        region = region_of(g, plan.catalog, findings, "PUE")
        if region is None:
            continue
        if region.pue is None:
            findings.cannot_verify(f"{g.name}: PUE of {region.cloud} {region.name} is not in the catalog")
        elif region.pue > limit and region.pue_is_industry_average:
            findings.cannot_verify(f"{g.name}: {region.cloud} publishes no PUE for {region.name}; the catalog's "
                                   f"industry-average fallback {region.pue:g} is over the limit of {limit:g}")
        elif region.pue > limit:
            better = alternatives(plan.catalog, g, lambda r: r.pue, limit, "PUE")
            findings.violation(
                f"{g.name} puts {gpus_shown(g.estimate)} GPUs ({g.estimate.instance_type}) in {region.cloud} "
                f"{region.name}, whose PUE is {region.pue:g} ({region.pue_year}), over the limit of {limit:g}. "
                f"Fix: place the capacity in a more efficient region ({better}).",
                g.urn,
            )


POLICY = stack_policy(
    NAME,
    "Regions hosting GPUs have a power usage effectiveness (PUE) at or below max_pue (gpufleet's catalog).",
    check,
    area="sustainability",
    severity=Severity.MEDIUM,
    remediation="Place GPU capacity in a region with a lower PUE.",
    properties={"max_pue": {"type": "number", "minimum": 1, "default": 1.4,
                            "description": "maximum PUE of a region hosting GPUs"}},
)
