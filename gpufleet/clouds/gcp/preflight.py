"""GCP preflight rules: zones, what the GCP components refuse (a fabric the catalog cannot wire, a
machine family GKE has no accelerator type for), and the references they need."""

from __future__ import annotations

import re
from typing import Any, TYPE_CHECKING

from gpufleet.catalog import MachineFamily, load_catalog
from gpufleet.clouds.adapter import Feature, ReservationScope
from gpufleet.clouds.gcp.facts import ACCELERATOR_TYPES, UNSUPPORTED
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.catalog.model import InstanceType
    from gpufleet.clouds.plans import NodeGroupPlan

_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")  # "us-east4-a": the region, '-' and a letter


def default_zone(region: str) -> str:
    return f"{region}-a"


def zone_problem(path: str, region: str, zone: object) -> Problem | None:
    match = _ZONE.match(zone) if isinstance(zone, str) else None
    if match is not None and match.group(1) == region:
        return None
    return Problem(path, f"not a zone of {region}: a zone is the region name, '-' and one letter, "
                         f"e.g. {default_zone(region)!r}", zone)


def machine_family(instance: InstanceType) -> MachineFamily | None:
    return load_catalog().machine_family(instance)


def fabric_wiring(family: MachineFamily | None) -> bool:
    """True when the catalog knows every figure the fabric networks need."""
    return family is not None and family.fabric_networks is not None and (
        family.fabric_networks == 0 or family.fabric_network_mtu is not None)


def type_refusal(instance: InstanceType) -> str | None:
    """Why a GKE node pool of `instance` cannot be declared: its GPUs are attached by accelerator type."""
    family = machine_family(instance)
    if family is None or family.name not in ACCELERATOR_TYPES:
        return "no GKE accelerator type is known for its machine family, so its node pool cannot be declared"
    return None


def node_group_problems(plan: NodeGroupPlan, path: str) -> list[Problem]:
    problems = []
    family = machine_family(plan.instance)
    refusal = type_refusal(plan.instance)
    if refusal is not None:
        known = tuple(sorted(ACCELERATOR_TYPES))
        problems.append(Problem(f"{path}.instance_type", f"{plan.instance.name}: {refusal}", plan.instance.name, known))
    if plan.fabric != "none" and not fabric_wiring(family):
        problems.append(Problem(f"{path}.enable_fabric", f"cannot attach {plan.fabric} to {plan.instance.name}: " +
                                UNSUPPORTED[Feature.FABRIC_UNKNOWN_INTERFACE_COUNT], True, ("false",)))
    if plan.spot_max_price_usd_per_hour is not None:
        problems.append(Problem(f"{path}.spot_max_price_usd_per_hour", UNSUPPORTED[Feature.SPOT_MAX_PRICE],
                                plan.spot_max_price_usd_per_hour))
    return problems


def required_inputs(component: str, plan: Any) -> tuple[str, ...]:
    if component == "GpuNodeGroup" and plan.fabric != "none":
        return ("fabric_network_configs",)
    if component == "StorageTiers" and plan.product is not None:
        return ("file_system_subnet_id",)
    return ()


def reservation_scope(kind: str, zone: str) -> ReservationScope:
    """A GCE reservation is in its zone's region."""
    match = _ZONE.match(zone)
    if match is None:
        return ReservationScope(None, f"in the reservation's zone {zone!r} (not a GCP zone name)",
                                f"reservation zone {zone}", possible=False, field="reservation.zone")
    region = match.group(1)
    return ReservationScope(region, f"in gcp {region} (reservation zone {zone})", f"reservation in gcp {region}",
                            field="reservation.zone")
