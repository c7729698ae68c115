"""gpufleet-gpu-region-max-grid-intensity: GPUs run only on grids at or below a carbon intensity."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._regions import alternatives, region_of
from gpufleet_policies._stack import gpu_groups, stack_plan, tags_of

WORKLOAD_TAG = "gpufleet-workload"  # set by gpufleet's components on every resource of a workload

NAME = "gpufleet-gpu-region-max-grid-intensity"


def check(args, config, findings) -> None:
    default = float(config["max_grid_gco2e_per_kwh"])
    exceptions = {k: float(v) for k, v in dict(config["workload_limits"]).items()}
    plan = stack_plan(args.resources)
    for g in gpu_groups(plan, findings):
        workload = tags_of(g.view).get(WORKLOAD_TAG)
        limit = exceptions.get(workload, default)
        whose = f" (the limit for workload {workload})" if workload in exceptions else ""
        region = region_of(g, plan.catalog, findings, "grid carbon intensity")
        if region is None:
            continue
        intensity = region.grid_gco2e_per_kwh
        if intensity is None:
            findings.cannot_verify(f"{g.name}: grid carbon intensity of {region.cloud} {region.name} is not in the catalog")
        elif intensity > limit:
            better = alternatives(plan.catalog, g, lambda r: r.grid_gco2e_per_kwh, limit, "g/kWh")
            findings.violation(
                f"{g.name} puts {g.estimate.gpus or '?'} GPUs ({g.estimate.instance_type}) in {region.cloud} "
                f"{region.name}, whose grid emits {intensity:g} gCO2e/kWh ({region.grid_year}), over the limit "
                f"of {limit:g} gCO2e/kWh{whose}. Fix: place the capacity in a cleaner region ({better}).",
                g.urn,
            )


POLICY = stack_policy(
    NAME,
    "Regions hosting GPUs have an annual grid carbon intensity at or below max_grid_gco2e_per_kwh "
    "(gpufleet's catalog), or a reviewed per-workload limit (workload_limits).",
    check,
    area="sustainability",
    severity=Severity.HIGH,
    remediation="Place GPU capacity in a region with a cleaner grid (see `gpufleet regions`).",
    properties={
        "max_grid_gco2e_per_kwh": {
            "type": "number", "exclusiveMinimum": 0, "default": 300,
            "description": "maximum location-based grid intensity of a region hosting GPUs, gCO2e/kWh"},
        "workload_limits": {
            "type": "object", "additionalProperties": {"type": "number", "exclusiveMinimum": 0}, "default": {},
            "description": "reviewed exceptions: a higher limit for GPUs tagged gpufleet-workload=<name>"},
    },
)
