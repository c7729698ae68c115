"""Money, energy and carbon of GPU capacity: one model for the preview, placement and policies.

For `nodes` instances of a type in a region, running `hours` a month at GPU `utilization` (0..1):

    GPU watts   = measured H200 curve at `utilization`, scaled by the GPU's rated power (TDP / 700 W)
    host watts  = vCPUs × (min + utilization × (max − min)) W/vCPU  +  memory GB × kWh/GB·h × 1000
    IT kWh      = nodes × (GPUs × GPU watts + host watts) × hours / 1000
    kWh         = IT kWh × PUE                     (facility energy: what the grid supplies)
    kgCO2e      = kWh × grid gCO2e/kWh / 1000
    USD         = nodes × on-demand USD/h × hours

A month is 730 hours (the clouds' pricing calculators' convention). Any unknown input makes the
figures that depend on it unknown (None) — never 0. See docs/estimates.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gpufleet.catalog import Catalog

HOURS_PER_MONTH = 730.0
GIB_TO_GB = 1.073741824


@dataclass(frozen=True)
class Footprint:
    """Monthly money, energy and carbon of some capacity, and how each figure was derived."""

    cloud: str
    region: str
    instance_type: str
    nodes: int
    hours: float
    utilization: float
    gpus: int | None
    usd_per_hour: float | None
    monthly_usd: float | None
    monthly_kwh: float | None
    monthly_kgco2e: float | None
    derivation: dict[str, str] = field(default_factory=dict)

    @property
    def priced(self) -> bool:
        return self.monthly_usd is not None


def node_watts(catalog: Catalog, cloud: str, instance_type: str, utilization: float) -> tuple[float | None, str]:
    """IT power of one node at `utilization`, with its derivation; None when the GPU's TDP is unknown."""
    it = catalog.instance_type(instance_type)
    if it is None:
        return None, f"{instance_type} is not in the catalog: power unknown"
    if it.gpu_tdp_watts is None:
        return None, f"{it.gpu_model} rated power unknown (catalog): power unknown"
    curve = catalog.gpu_power
    gpu_w = curve.watts(utilization, it.gpu_tdp_watts)
    host = catalog.host_power[cloud]
    cpu_w = it.vcpus * (host.cpu_min_w_per_vcpu + utilization * (host.cpu_max_w_per_vcpu - host.cpu_min_w_per_vcpu))
    mem_w = it.memory_gib * GIB_TO_GB * host.memory_kwh_per_gb_hour * 1000
    total = it.gpu_count * gpu_w + cpu_w + mem_w
    how = (
        f"{it.gpu_count} × {gpu_w:.1f} W GPU ({it.gpu_model}, {it.gpu_tdp_watts:g} W rated, H200 curve at "
        f"{utilization:.0%}) + {cpu_w:.1f} W CPU ({it.vcpus} vCPU, CCF {host.cpu_min_w_per_vcpu}–"
        f"{host.cpu_max_w_per_vcpu} W/vCPU) + {mem_w:.1f} W memory ({it.memory_gib:g} GiB) = {total:.1f} W"
    )
    return total, how


def capacity_footprint(
    catalog: Catalog,
    cloud: str,
    region: str,
    instance_type: str,
    nodes: int,
    hours: float = HOURS_PER_MONTH,
    utilization: float = 1.0,
) -> Footprint:
    """Monthly footprint of `nodes` × `instance_type` in `region`; unknown inputs give None figures."""
    how: dict[str, str] = {}
    it = catalog.instance_type(instance_type)
    gpus = it.gpu_count * nodes if it else None
    how["gpus"] = f"{nodes} × {it.gpu_count} {it.gpu_model}" if it else f"{instance_type}: GPU count unknown"

    offer = catalog.offer(cloud, instance_type, region)
    rate = offer.usd_per_hour if offer else None
    monthly_usd = None if rate is None else nodes * rate * hours
    if offer is None:
        how["monthly_usd"] = f"unknown: {instance_type} has no offer in {cloud} {region} in the catalog"
    elif rate is None:
        how["monthly_usd"] = f"unknown: no on-demand price for {instance_type} in {region} ({offer.price_source})"
    else:
        how["monthly_usd"] = (
            f"{nodes} × {rate:g} USD/h × {hours:g} h (on-demand list price, {offer.price_source}, "
            f"{offer.price_date})"
        )

    watts, how_watts = node_watts(catalog, cloud, instance_type, utilization)
    reg = catalog.region(cloud, region)
    monthly_kwh = monthly_kgco2e = None
    if watts is None:
        how["monthly_kwh"] = how_watts
    elif reg is None or reg.pue is None:
        how["monthly_kwh"] = f"unknown: no PUE for {cloud} {region} in the catalog"
    else:
        it_kwh = nodes * watts * hours / 1000
        monthly_kwh = it_kwh * reg.pue
        how["monthly_kwh"] = (
            f"{nodes} × {how_watts} × {hours:g} h = {it_kwh:,.1f} kWh IT × PUE {reg.pue:g} "
            f"({reg.pue_year}, {reg.pue_source})"
        )
    if monthly_kwh is not None:
        if reg is None or reg.grid_gco2e_per_kwh is None:
            how["monthly_kgco2e"] = f"unknown: no grid carbon intensity for {cloud} {region} in the catalog"
        else:
            monthly_kgco2e = monthly_kwh * reg.grid_gco2e_per_kwh / 1000
            how["monthly_kgco2e"] = (
                f"{monthly_kwh:,.1f} kWh × {reg.grid_gco2e_per_kwh:g} gCO2e/kWh ({reg.grid_year}, "
                f"{reg.grid_source})"
            )
    else:
        how.setdefault("monthly_kgco2e", "unknown: energy unknown")
    return Footprint(
        cloud=cloud,
        region=region,
        instance_type=instance_type,
        nodes=nodes,
        hours=hours,
        utilization=utilization,
        gpus=gpus,
        usd_per_hour=rate,
        monthly_usd=monthly_usd,
        monthly_kwh=monthly_kwh,
        monthly_kgco2e=monthly_kgco2e,
        derivation=how,
    )
