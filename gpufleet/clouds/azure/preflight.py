"""Azure preflight rules: zones and the references the Azure components need."""

from __future__ import annotations

from typing import Any

from gpufleet.clouds.azure.facts import ZONES
from gpufleet.errors import Problem


def default_zone(region: str) -> str:
    return ZONES[0]


def zone_problem(path: str, region: str, zone: object) -> Problem | None:
    if zone in ZONES:
        return None
    return Problem(path, "not an Azure availability zone", zone, ZONES)


def required_inputs(component: str, plan: Any) -> tuple[str, ...]:
    needs = ("resource_group_name",)
    if component == "GpuNodeGroup" and plan.use_placement_group:
        needs += ("proximity_placement_group_id",)
    if component == "StorageTiers":
        needs += ("private_endpoint_subnet_id",) + (("file_system_subnet_id",) if plan.product else ())
    return needs
