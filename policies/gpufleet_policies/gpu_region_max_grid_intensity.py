"""gpufleet-gpu-region-max-grid-intensity: GPUs run only on grids at or below a carbon intensity."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._regions import alternatives, region_of
from gpufleet_policies._stack import gpu_groups, gpus_shown, stack_plan

NAME = "gpufleet-gpu-region-max-grid-intensity"
URN_PREFIX = "urn:pulumi:"


def exceptions(config, findings) -> dict[str, tuple[str, float]]:
    """Reviewed exceptions by the URN of the resource they were reviewed for -> (workload, limit).

    An exception names its resources by URN: a tag such as `gpufleet-workload`, and a resource's bare
    name too, is written by whoever writes the program, so a limit bound to one would be anyone's to
    claim (an EC2 instance named like the reviewed Azure pool got its limit). A URN carries the stack,
    project, type and parents, and only one resource of a stack has it."""
    out: dict[str, tuple[str, float]] = {}
    for workload, entry in dict(config["workload_limits"]).items():
        limit = entry.get("max_grid_gco2e_per_kwh") if isinstance(entry, dict) else None
        resources = entry.get("resources") if isinstance(entry, dict) else None
        if not isinstance(limit, (int, float)) or isinstance(limit, bool) or not isinstance(resources, list) \
                or not resources or not all(isinstance(r, str) for r in resources):
            findings.cannot_verify(f"workload_limits.{workload}: not applied: an exception is "
                                   "{max_grid_gco2e_per_kwh: N, resources: [URNs reviewed]}")
            continue
        if names := [r for r in resources if not r.startswith(URN_PREFIX)]:
            findings.cannot_verify(f"workload_limits.{workload}: not applied to {', '.join(names)}: a name can be "
                                   "given to any resource; name the reviewed resource by its URN "
                                   "(urn:pulumi:STACK::PROJECT::TYPE::NAME, as `--json` plans show it)")
            resources = [r for r in resources if r.startswith(URN_PREFIX)]
        out.update({r: (workload, float(limit)) for r in resources})
    return out


def _exception(g, reviewed: dict[str, tuple[str, float]]) -> tuple[str, float] | None:
    return next((reviewed[k] for k in (g.view.urn, g.urn) if k in reviewed), None)


def check(args, config, findings) -> None:
    default = float(config["max_grid_gco2e_per_kwh"])
    reviewed = exceptions(config, findings)
    plan = stack_plan(args.resources)
    for g in gpu_groups(plan, findings):
        exception = _exception(g, reviewed)
        limit = exception[1] if exception else default
        whose = f" (the reviewed limit for workload {exception[0]})" if exception else ""
        region = region_of(g, plan.catalog, findings, "grid carbon intensity")
        if region is None:
            continue
        intensity = region.grid_gco2e_per_kwh
        if intensity is None:
            findings.cannot_verify(f"{g.name}: grid carbon intensity of {region.cloud} {region.name} is not in the catalog")
        elif intensity > limit:
            better = alternatives(plan.catalog, g, lambda r: r.grid_gco2e_per_kwh, limit, "g/kWh")
            findings.violation(
                f"{g.name} puts {gpus_shown(g.estimate)} GPUs ({g.estimate.instance_type}) in {region.cloud} "
                f"{region.name}, whose grid emits {intensity:g} gCO2e/kWh ({region.grid_year}), over the limit "
                f"of {limit:g} gCO2e/kWh{whose}. Fix: place the capacity in a cleaner region ({better}).",
                g.urn,
            )


POLICY = stack_policy(
    NAME,
    "Regions hosting GPUs have an annual grid carbon intensity at or below max_grid_gco2e_per_kwh "
    "(gpufleet's catalog), or a reviewed limit bound to the resources it was reviewed for (workload_limits).",
    check,
    area="sustainability",
    severity=Severity.HIGH,
    remediation="Place GPU capacity in a region with a cleaner grid (see `gpufleet regions`).",
    properties={
        "max_grid_gco2e_per_kwh": {
            "type": "number", "exclusiveMinimum": 0, "default": 300,
            "description": "maximum location-based grid intensity of a region hosting GPUs, gCO2e/kWh"},
        "workload_limits": {
            "type": "object", "default": {},
            "additionalProperties": {
                "type": "object", "required": ["max_grid_gco2e_per_kwh", "resources"],
                "properties": {
                    "max_grid_gco2e_per_kwh": {"type": "number", "exclusiveMinimum": 0},
                    "resources": {"type": "array", "minItems": 1, "items": {"type": "string"}}}},
            "description": "reviewed exceptions by workload: a higher limit for exactly the resources (by URN) "
                           "that were reviewed, never for whatever carries a tag or a name"},
    },
)
