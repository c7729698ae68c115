"""OCI preflight rules: availability domains, what the OCI components refuse, and the references they need."""

from __future__ import annotations

import re
from typing import Any

from gpufleet.clouds.adapter import Feature
from gpufleet.clouds.oci.facts import MIN_BOOT_VOLUME_GB, UNSUPPORTED
from gpufleet.clouds.plans import NodeGroupPlan
from gpufleet.errors import Problem

_DOMAIN = re.compile(r"^AD-[1-9]$")  # "AD-1": the domain's number; its full name is the tenancy's
SCOPE = ("compartment_id",)  # every OCI resource is created in a compartment


def default_zone(region: str) -> str:
    return "AD-1"


def zone_problem(path: str, region: str, zone: object) -> Problem | None:
    if isinstance(zone, str) and _DOMAIN.match(zone):
        return None
    return Problem(path, f"not an availability domain of {region}: name it by its number, 'AD-1' to 'AD-3' "
                         "(the tenancy-specific full name is looked up)", zone, ("AD-1", "AD-2", "AD-3"))


def node_group_problems(plan: NodeGroupPlan, path: str) -> list[Problem]:
    problems = []
    if plan.spot_max_price_usd_per_hour is not None:
        problems.append(Problem(f"{path}.spot_max_price_usd_per_hour", UNSUPPORTED[Feature.SPOT_MAX_PRICE],
                                plan.spot_max_price_usd_per_hour))
    if plan.min_nodes < plan.nodes:
        problems.append(Problem(f"{path}.scale_to_zero", UNSUPPORTED[Feature.SCALE_TO_ZERO], True, ("false",)))
    if plan.root_volume_gib < MIN_BOOT_VOLUME_GB:
        problems.append(Problem(f"{path}.root_volume_gib", f"OCI boot volumes are at least {MIN_BOOT_VOLUME_GB} GB",
                                plan.root_volume_gib))
    return problems


def required_inputs(component: str, plan: Any) -> tuple[str, ...]:
    if component == "GpuNodeGroup":
        # An OKE node pool names its cluster by OCID; with the fabric, self-managed hosts join the cluster
        # through its kubeconfig (API endpoint and CA).
        return (*SCOPE, "cluster_id", "kubernetes_version", *(("cluster_kubeconfig",) if plan.fabric != "none" else ()))
    if component == "StorageTiers" and plan.product is not None:
        return (*SCOPE, "file_system_subnet_id")
    return SCOPE
