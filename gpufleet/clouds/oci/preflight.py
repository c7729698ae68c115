"""OCI preflight rules: availability domains, what the OCI components refuse, and the references they need."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TYPE_CHECKING

from gpufleet.clouds.adapter import Feature
from gpufleet.clouds.oci.facts import MIN_BOOT_VOLUME_GB, OKE_VERSIONS_OFFLINE, UNSUPPORTED
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.clouds.plans import NodeGroupPlan

_DOMAIN = re.compile(r"^AD-[1-9]$")  # "AD-1": the domain's number; its full name is the tenancy's
SCOPE = ("compartment_id",)  # every OCI resource is created in a compartment
_EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+$")  # "v1.34.2" (OKE's form) or "1.34.2"
_MINOR = re.compile(r"^v?(\d+\.\d+)$")


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


def oke_version(wanted: str) -> str:
    """An exact OKE version in OKE's form: "1.34.2" -> "v1.34.2"."""
    return f"v{wanted.lstrip('v')}"


def kubernetes_version_problem(path: str, value: object) -> Problem | None:
    """OKE takes an exact version. A minor alone would have to be resolved to its newest patch at every
    run, so a new OKE patch release would upgrade the cluster by itself: refused, with the known patch."""
    if not isinstance(value, str) or _EXACT_VERSION.match(value):
        return None  # absent (the default), or an output (the cluster's own, exact): nothing to check here
    minor = _MINOR.match(value) if isinstance(value, str) else None
    known = [v for v in OKE_VERSIONS_OFFLINE if minor and v.startswith(f"v{minor.group(1)}.")]
    return Problem(path, "OKE takes an exact version, which the cluster keeps until you change it (a minor alone would "
                         "follow OKE's newest patch and upgrade the cluster at a later run): one OKE offers, "
                         "`oci ce cluster-options get --cluster-option-id all` lists them; OCI's docs listed these on "
                         "2026-11-30", value, OKE_VERSIONS_OFFLINE, known[-1] if known else None)


def argument_problems(path: str, args: Mapping[str, Any]) -> list[Problem]:
    problem = kubernetes_version_problem(f"{path}.kubernetes_version", args.get("kubernetes_version"))
    return [problem] if problem else []
