"""Owned-site preflight rules: a site has no zones; capacity there is the site's own, without storage tiers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpufleet.clouds.owned.facts import UNSUPPORTED
from gpufleet.clouds.adapter import Feature
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.clouds.plans import NodeGroupPlan, StoragePlan


def default_zone(region: str) -> str:
    """A site is one place: its zone is the site."""
    return region


def zone_problem(path: str, region: str, zone: object) -> Problem | None:
    if zone == region:
        return None
    return Problem(path, "an owned site has no zones: the zone is the site", zone, (region,))


def node_group_problems(plan: NodeGroupPlan, path: str) -> list[Problem]:
    if plan.capacity_type == "reserved":
        return [Problem(f"{path}.capacity_type", "an owned site's GPUs are the site's: nothing to reserve",
                        plan.capacity_type, ("on-demand", "spot"))]
    return []


def storage_problems(plan: StoragePlan, path: str) -> list[Problem]:
    return [Problem(path, f"no storage tiers on an owned site: {UNSUPPORTED[Feature.STORAGE_TIERS]}")]
