"""CoreWeave preflight rules: zones and what the CoreWeave components refuse."""

from __future__ import annotations

import re
from typing import Any, TYPE_CHECKING

from gpufleet.clouds.adapter import Feature
from gpufleet.clouds.coreweave.facts import UNSUPPORTED
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.clouds.plans import NodeGroupPlan


def default_zone(region: str) -> str:
    return f"{region}A"


def zone_problem(path: str, region: str, zone: object) -> Problem | None:
    if isinstance(zone, str) and re.fullmatch(re.escape(region) + "[A-Z]", zone):
        return None
    return Problem(path, f"not a zone of {region}: a zone is the region name and one capital letter, "
                         f"e.g. {default_zone(region)!r}", zone)


def node_group_problems(plan: NodeGroupPlan, path: str) -> list[Problem]:
    problems = []
    if plan.capacity_type == "spot":
        problems.append(Problem(f"{path}.capacity_type", UNSUPPORTED[Feature.SPOT_CAPACITY], "spot",
                                ("on-demand",)))
    elif plan.spot_max_price_usd_per_hour is not None:
        problems.append(Problem(f"{path}.spot_max_price_usd_per_hour", UNSUPPORTED[Feature.SPOT_MAX_PRICE],
                                plan.spot_max_price_usd_per_hour))
    return problems


def required_inputs(component: str, plan: Any) -> tuple[str, ...]:
    return ()
