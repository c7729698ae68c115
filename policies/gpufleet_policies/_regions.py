"""Region facts for GPU groups from the catalog, and cleaner alternatives for messages."""

from __future__ import annotations

from typing import Callable

from gpufleet.catalog import Catalog, Region

from gpufleet_policies._stack import GpuGroup


def region_of(group: GpuGroup, catalog: Catalog, findings, figure: str) -> Region | None:
    """The catalog region of a group, or None after noting why `figure` cannot be checked."""
    e = group.estimate
    if e.region is None:
        findings.cannot_verify(f"{group.name}: region not known at preview")
        return None
    region = catalog.region(e.cloud, e.region)
    if region is None:
        findings.cannot_verify(f"{group.name}: {e.cloud} {e.region} is not in the catalog, so its {figure} is unknown")
    return region


def alternatives(catalog: Catalog, group: GpuGroup, figure: Callable[[Region], float | None],
                 limit: float, unit: str, count: int = 3) -> str:
    """Regions of the same cloud that offer the group's instance type and meet `limit`, best first."""
    e = group.estimate
    scored = []
    for offer in catalog.offered(e.instance_type, e.cloud):
        region = catalog.region(offer.cloud, offer.region)
        value = figure(region) if region else None
        if value is not None and value <= limit and offer.region != e.region:
            scored.append((value, offer.region))
    if not scored:
        return f"no catalog region offering {e.instance_type} meets the limit"
    return "e.g. " + ", ".join(f"{name} ({value:g} {unit})" for value, name in sorted(scored)[:count])
