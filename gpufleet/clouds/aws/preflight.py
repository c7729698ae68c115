"""AWS preflight rules: zones, what the AWS components refuse, and the references they need."""

from __future__ import annotations

import re
from typing import Any, TYPE_CHECKING

from gpufleet.clouds.adapter import Feature, ReservationScope
from gpufleet.clouds.aws.facts import S3_STANDARD_IA_MIN_DAYS, UNSUPPORTED
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.catalog.model import InstanceType
    from gpufleet.clouds.plans import NodeGroupPlan, StoragePlan


def default_zone(region: str) -> str:
    return f"{region}a"


def zone_problem(path: str, region: str, zone: object) -> Problem | None:
    if isinstance(zone, str) and zone.startswith(region) and re.fullmatch(r"[a-z]", zone[len(region):]):
        return None
    return Problem(path, f"not an availability zone of {region}: a zone is the region name and one letter, "
                         f"e.g. {default_zone(region)!r}", zone)


def efa_interfaces_known(instance: InstanceType) -> bool:
    """EFA is attached one interface per device: without the count, fewer would silently cut bandwidth."""
    return instance.max_efa_interfaces is not None


def node_group_problems(plan: NodeGroupPlan, path: str) -> list[Problem]:
    problems = []
    if plan.fabric == "EFA" and not efa_interfaces_known(plan.instance):
        problems.append(Problem(f"{path}.enable_fabric", f"cannot attach EFA to {plan.instance.name}: " +
                                UNSUPPORTED[Feature.FABRIC_UNKNOWN_INTERFACE_COUNT], True, ("false",)))
    if plan.spot_max_price_usd_per_hour is not None:
        problems.append(Problem(f"{path}.spot_max_price_usd_per_hour", UNSUPPORTED[Feature.SPOT_MAX_PRICE],
                                plan.spot_max_price_usd_per_hour))
    return problems


def storage_problems(plan: StoragePlan, path: str) -> list[Problem]:
    if plan.cool_after_days is not None and plan.cool_after_days < S3_STANDARD_IA_MIN_DAYS:
        return [Problem(f"{path}.cool_after_days", "S3 Lifecycle moves objects to Standard-IA no earlier than "
                        f"{S3_STANDARD_IA_MIN_DAYS} days after creation", plan.cool_after_days,
                        (f"{S3_STANDARD_IA_MIN_DAYS} or more",))]
    return []


def required_inputs(component: str, plan: Any) -> tuple[str, ...]:
    if component == "GpuNodeGroup" and plan.fabric == "EFA":
        return ("cluster_security_group_id", "fabric_security_group_id")
    if component == "StorageTiers" and plan.product is not None:
        return ("file_system_subnet_id", "file_system_security_group_id")
    return ()


_ZONE = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$")  # "us-west-2b": the region and a letter


def reservation_scope(kind: str, zone: str) -> ReservationScope:
    """An AWS reservation (capacity reservation or Capacity Block) is in its zone's region."""
    match = _ZONE.match(zone)
    if match is None:
        return ReservationScope(None, f"in the reservation's zone {zone!r} (not an AWS availability zone name)",
                                f"reservation zone {zone}", possible=False, field="reservation.zone")
    region = match.group(1)
    return ReservationScope(region, f"in aws {region} (reservation zone {zone})", f"reservation in aws {region}",
                            field="reservation.zone")
