"""Money, energy and carbon of capacity, storage and services: one model for the preview, placement,
report and policies.

For `nodes` instances of a type in a region, running `hours` a month at GPU `utilization` (0..1):

    GPU W        = measured H200 curve at `utilization`, scaled by the GPU's rated power (TDP / 700 W)
    CPU W        = vCPUs × (min + u × (max − min)) W/vCPU   (CCF; u = GPU utilization on GPU nodes,
                   CCF's 50 % average on CPU-only nodes)
    memory W     = memory GB × 0.392 W                        (CCF: 0.000392 kWh per GB-hour)
    platform W   = NICs, NVSwitch, fans, power-supply losses of 8-GPU HGX nodes: the measured node
                   power of the calibration type minus this model's GPU + CPU + memory for it at 100 %
    IT kWh       = nodes × (GPUs × GPU W + CPU W + memory W + platform W) × hours / 1000
    kWh          = IT kWh × PUE                               (facility energy: what the grid supplies)
    kgCO2e       = kWh × grid gCO2e/kWh / 1000                (operational)
    embodied kg  = nodes × host kgCO2e × vCPUs / host vCPUs × hours / host lifetime hours   (CCF)
    USD          = nodes × USD/h × hours, at the price of the capacity's kind (on-demand, Spot,
                   Capacity Block, reservation, negotiated), which the figures name

Storage: TB × replication × Wh per TB-hour (CCF) × hours × PUE, priced per GB-month when the catalog
has the price. A month is 730 hours (the clouds' pricing calculators' convention). Any unknown input
makes the figures that depend on it unknown (None) — never 0. See docs/estimates.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from gpufleet.catalog import Catalog
from gpufleet.catalog.model import InstanceType
from gpufleet.catalog.prices import HostType

HOURS_PER_MONTH = 730.0
GIB_TO_GB = 1.073741824
TIB_TO_TB = 1.099511627776
TIB_TO_GB = 1024 * GIB_TO_GB
# CCF's average CPU utilisation where it is not known (AVG_CPU_UTILIZATION_2020 = 50 in
# packages/aws/src/domain/AwsFootprintEstimationConstants.ts @0656d555): CPU-only nodes run at it.
CPU_NODE_UTILIZATION = 0.5
CAPACITY_TYPES = ("on-demand", "spot", "capacity-block", "reserved")


@dataclass(frozen=True)
class Price:
    """The hourly price an estimate uses, its kind ("on-demand", "spot", "capacity-block",
    "reserved", "negotiated"; None when unknown) and where it comes from."""

    kind: str | None
    usd_per_hour: float | None
    how: str


@dataclass(frozen=True, slots=True)
class Footprint:
    """Monthly money, energy and carbon of some capacity, and how each figure was derived."""

    cloud: str
    region: str
    instance_type: str
    nodes: int
    hours: float
    utilization: float
    gpus: int | Fraction | None  # a Fraction when the instance type is a partition of one GPU
    usd_per_hour: float | None
    monthly_usd: float | None
    monthly_kwh: float | None
    monthly_kgco2e: float | None  # operational: energy × grid intensity
    monthly_embodied_kgco2e: float | None = None  # manufacturing, amortised over the host's lifetime
    price_kind: str | None = None
    derivation: dict[str, str] = field(default_factory=dict)

    @property
    def priced(self) -> bool:
        return self.monthly_usd is not None


def _list_price(catalog: Catalog, cloud: str, instance_type: str, region: str) -> Price:
    if catalog.instance_type(instance_type) is not None:
        offer = catalog.offer(cloud, instance_type, region)
        if offer is None:
            return Price(None, None, f"unknown: {instance_type} has no offer in {cloud} {region} in the catalog")
        if offer.usd_per_hour is None:
            return Price(None, None, f"unknown: no on-demand price for {instance_type} in {region} "
                                     f"({offer.price_source})")
        return Price("on-demand", offer.usd_per_hour,
                     f"on-demand list price, {offer.price_source}, {offer.price_date}")
    row = catalog.prices.instance_price(cloud, instance_type, region, "on-demand")
    if row is None:
        return Price(None, None, f"unknown: no on-demand price for {instance_type} in {cloud} {region} in the catalog")
    return Price("on-demand", row.usd_per_hour, f"on-demand list price, {row.cite()}")


def node_price(catalog: Catalog, cloud: str, region: str, instance_type: str,
               capacity_type: str = "on-demand") -> Price:
    """The hourly price of one node of `capacity_type`, the kind of price used and its source.

    Spot and Capacity Block capacity is priced at its own catalog price; a negotiated price (a catalog
    overlay row of kind `negotiated`) replaces the list price of on-demand and reserved capacity. Where
    the catalog has no price of the capacity's kind, the on-demand list price stands in, and says so.
    """
    prices = catalog.prices
    if capacity_type in ("spot", "capacity-block"):
        row = prices.instance_price(cloud, instance_type, region, capacity_type)
        if row is not None:
            label = "Spot price" if capacity_type == "spot" else "Capacity Block price"
            return Price(capacity_type, row.usd_per_hour, f"{label}, {row.cite()}")
    if capacity_type == "reserved":
        row = prices.instance_price(cloud, instance_type, region, "reserved")
        if row is not None:
            return Price("reserved", row.usd_per_hour, f"reservation price, {row.cite()}")
    if capacity_type in ("on-demand", "reserved"):
        row = prices.instance_price(cloud, instance_type, region, "negotiated")
        if row is not None:
            return Price("negotiated", row.usd_per_hour, f"negotiated price, {row.cite()}")
    listed = _list_price(catalog, cloud, instance_type, region)
    if listed.usd_per_hour is None or capacity_type == "on-demand":
        return listed
    missing = {"spot": "no Spot price", "capacity-block": "no Capacity Block price",
               "reserved": "no reservation price"}[capacity_type]
    stand_in = {"spot": "shown as the upper bound", "capacity-block": "shown in its place (a Capacity Block is "
                "priced when bought: add its price as a capacity-block row in a catalog overlay)",
                "reserved": "shown in its place"}[capacity_type]
    return Price(listed.kind, listed.usd_per_hour,
                 f"{missing} for {instance_type} in {cloud} {region} in the catalog: {listed.how}, {stand_in}")


def _machine(catalog: Catalog, instance_type: str) -> tuple[int | None, float | None, HostType | None]:
    """(vCPUs, memory GiB, host type or None for a GPU type); KeyError when the catalog has neither."""
    it = catalog.instance_type(instance_type)
    if it is not None:
        return it.vcpus, it.memory_gib, None
    host = catalog.prices.hosts[instance_type]
    return host.vcpus, host.memory_gib, host


def _components(catalog: Catalog, cloud: str, instance_type: str, utilization: float
                ) -> tuple[float | None, list[str]]:
    """GPU + CPU + memory watts of one node and their derivations; None when a GPU's power is unknown."""
    vcpus, memory_gib, host = _machine(catalog, instance_type)
    parts: list[str] = []
    total = 0.0
    cpu_util = utilization
    if host is None:
        it = catalog.instance_types[instance_type]
        if it.gpu_tdp_watts is None:
            return None, [f"unknown: {it.gpu_model} rated power not in the catalog"]
        gpu_w = catalog.gpu_power.watts(utilization, it.gpu_tdp_watts)
        total += it.gpu_count * gpu_w
        parts.append(f"{it.gpu_count} × {gpu_w:.1f} W GPU ({it.gpu_model}, {it.gpu_tdp_watts:g} W rated, "
                     f"H200 curve at {utilization:.0%})")
    else:
        cpu_util = CPU_NODE_UTILIZATION
    coef = catalog.host_power.get(cloud)
    if coef is None or vcpus is None or memory_gib is None:
        # An owned site describes its GPUs, not its hosts: what is not known is left out, and said.
        why = f"no host power coefficients for {cloud}" if coef is None else "host CPUs and memory unknown"
        parts.append(f"CPU and memory not counted ({why}: a lower bound)")
        return total, parts
    cpu_w = vcpus * (coef.cpu_min_w_per_vcpu + cpu_util * (coef.cpu_max_w_per_vcpu - coef.cpu_min_w_per_vcpu))
    mem_w = memory_gib * GIB_TO_GB * coef.memory_kwh_per_gb_hour * 1000
    total += cpu_w + mem_w
    cpu_basis = f"{cpu_util:.0%} {'GPU utilisation' if host is None else 'CPU (CCF average)'}"
    parts.append(f"{cpu_w:.1f} W CPU ({vcpus} vCPU at {cpu_basis}, CCF {coef.cpu_min_w_per_vcpu}–"
                 f"{coef.cpu_max_w_per_vcpu} W/vCPU)")
    parts.append(f"{mem_w:.1f} W memory ({memory_gib:g} GiB)")
    return total, parts


def platform_watts(catalog: Catalog, cloud: str, instance_type: str) -> tuple[float | None, str]:
    """The platform draw of one node (NICs, NVSwitch, fans, power-supply losses) and its derivation."""
    p = catalog.impact.platform.get(instance_type)
    if p is None:
        if instance_type in catalog.prices.hosts:
            return 0.0, ("platform included in CPU (CCF's per-vCPU coefficients are whole-server SPECpower "
                         "measurements, fans and power supplies included)")
        return None, ("no platform term in the catalog for this type (NICs, switches, fans and power-supply "
                      "losses of GPU nodes are not counted: a lower bound)")
    base_cloud = catalog.instance_types[p.calibrated_on].cloud
    modelled, _ = _components(catalog, base_cloud, p.calibrated_on, 1.0)
    if modelled is None:
        return None, f"platform unknown: the power of {p.calibrated_on} is unknown"
    watts = p.measured_node_watts - modelled
    return watts, (f"{watts:,.1f} W platform (NICs, NVSwitch, fans, power-supply losses: "
                   f"{p.measured_node_watts:,.0f} W measured on an 8×H100 HGX node − this model's "
                   f"{modelled:,.1f} W for {p.calibrated_on} at 100 %; {p.source})")


def node_watts(catalog: Catalog, cloud: str, instance_type: str, utilization: float) -> tuple[float | None, str]:
    """IT power of one node at `utilization`, with its derivation; None when a component is unknown."""
    if catalog.instance_type(instance_type) is None and instance_type not in catalog.prices.hosts:
        return None, f"unknown: {instance_type} is not in the catalog"
    watts, parts = _components(catalog, cloud, instance_type, utilization)
    if watts is None:
        return None, parts[0]
    platform, how_platform = platform_watts(catalog, cloud, instance_type)
    if platform:
        watts += platform
        parts.append(how_platform)
    how = " + ".join(parts) + f" = {watts:.1f} W"
    if platform is None or platform == 0.0:
        how += f" ({how_platform})"
    return watts, how


def embodied(catalog: Catalog, instance_type: str, nodes: int, hours: float) -> tuple[float | None, str]:
    """Manufacturing emissions borne by `nodes` × `instance_type` over `hours` (CCF's method)."""
    e = catalog.impact.embodied.get(instance_type)
    if e is None:
        return None, f"unknown: no embodied emissions for {instance_type} in the catalog"
    vcpus, _, _ = _machine(catalog, instance_type)
    kg = nodes * e.platform_kgco2e * vcpus / e.platform_vcpus * hours / e.lifetime_hours
    return kg, (f"{nodes} × {e.platform_kgco2e:g} kgCO2e host × {vcpus}/{e.platform_vcpus} vCPUs × {hours:g} h "
                f"/ {e.lifetime_hours:g} h lifetime = {kg:,.3f} kgCO2e ({e.source})")


def _carbon(catalog: Catalog, cloud: str, region: str, it_kwh: float, how_kwh: str
            ) -> tuple[float | None, float | None, dict[str, str]]:
    """Facility kWh and operational kgCO2e of `it_kwh` in a region, with derivations."""
    how: dict[str, str] = {}
    reg = catalog.region(cloud, region)
    if reg is None or reg.pue is None:
        how["monthly_kwh"] = f"unknown: no PUE for {cloud} {region} in the catalog"
        how["monthly_kgco2e"] = "unknown: energy unknown"
        return None, None, how
    kwh = it_kwh * reg.pue
    how["monthly_kwh"] = f"{how_kwh} = {it_kwh:,.1f} kWh IT × PUE {reg.pue:g} ({reg.pue_year}, {reg.pue_source})"
    if reg.grid_gco2e_per_kwh is None:
        how["monthly_kgco2e"] = f"unknown: no grid carbon intensity for {cloud} {region} in the catalog"
        return kwh, None, how
    kg = kwh * reg.grid_gco2e_per_kwh / 1000
    how["monthly_kgco2e"] = (f"{kwh:,.1f} kWh × {reg.grid_gco2e_per_kwh:g} gCO2e/kWh ({reg.grid_year}, "
                             f"{reg.grid_source})")
    return kwh, kg, how


def gpus_derivation(nodes: int, it: InstanceType) -> str:
    """How a GPU count follows from the nodes: "2 × 8 H100", "6 × 1/6 A10 (a partition of one GPU each)"."""
    return f"{nodes} × {it.gpu_count} {it.gpu_model}" + (" (a partition of one GPU each)" if it.gpu_partition else "")


def capacity_footprint(
    catalog: Catalog,
    cloud: str,
    region: str,
    instance_type: str,
    nodes: int,
    hours: float = HOURS_PER_MONTH,
    utilization: float = 1.0,
    capacity_type: str = "on-demand",
    price: Price | None = None,
    watts: tuple[float | None, str] | None = None,
    embodied_kg: tuple[float | None, str] | None = None,
) -> Footprint:
    """Monthly footprint of `nodes` × `instance_type` in `region`; unknown inputs give None figures.

    `price`, `watts` and `embodied_kg` are `node_price(...)`, `node_watts(...)` and `embodied(...)` of
    these arguments, when the caller already has them (many footprints share them: placement's
    `KnownOffers`).
    """
    how: dict[str, str] = {}
    it = catalog.instance_type(instance_type)
    gpus = it.gpu_count * nodes if it else (0 if instance_type in catalog.prices.hosts else None)
    how["gpus"] = (gpus_derivation(nodes, it) if it else
                   "a CPU instance type" if gpus == 0 else f"{instance_type}: GPU count unknown")

    price = node_price(catalog, cloud, region, instance_type, capacity_type) if price is None else price
    monthly_usd = None if price.usd_per_hour is None else nodes * price.usd_per_hour * hours
    how["monthly_usd"] = price.how if monthly_usd is None else \
        f"{nodes} × {price.usd_per_hour:g} USD/h × {hours:g} h ({price.how})"

    watts, how_watts = node_watts(catalog, cloud, instance_type, utilization) if watts is None else watts
    monthly_kwh = monthly_kgco2e = None
    if watts is None:
        how["monthly_kwh"] = how_watts
        how["monthly_kgco2e"] = "unknown: energy unknown"
    else:
        monthly_kwh, monthly_kgco2e, carbon_how = _carbon(
            catalog, cloud, region, nodes * watts * hours / 1000, f"{nodes} × {how_watts} × {hours:g} h")
        how.update(carbon_how)
    monthly_embodied, how["monthly_embodied_kgco2e"] = \
        embodied(catalog, instance_type, nodes, hours) if embodied_kg is None else embodied_kg
    return Footprint(
        cloud=cloud,
        region=region,
        instance_type=instance_type,
        nodes=nodes,
        hours=hours,
        utilization=utilization,
        gpus=gpus,
        usd_per_hour=price.usd_per_hour,
        monthly_usd=monthly_usd,
        monthly_kwh=monthly_kwh,
        monthly_kgco2e=monthly_kgco2e,
        monthly_embodied_kgco2e=monthly_embodied,
        price_kind=price.kind,
        derivation=how,
    )


@dataclass(frozen=True)
class Charge:
    """A month of a service or storage resource: price, energy and carbon, each derived or unknown."""

    monthly_usd: float | None
    monthly_kwh: float | None
    monthly_kgco2e: float | None
    price_kind: str | None
    derivation: dict[str, str]
    usage_driven: tuple[str, ...] = ()  # charges that depend on use (requests, data), not in monthly_usd


def service_charge(catalog: Catalog, cloud: str, region: str, service: str, sku: str, quantity: float,
                   what: str, energy: str, monthly: bool = False) -> Charge:
    """`quantity` units of a service priced per unit-hour over a month (control planes: cluster-hours,
    endpoints: endpoint-AZ-hours…), or per unit-month when `monthly` (EBS provisioned IOPS). `energy` says
    why its energy is not known (managed by the cloud)."""
    row = catalog.prices.service_price(cloud, service, sku, region)
    how = {"monthly_kwh": energy, "monthly_kgco2e": "unknown: energy unknown"}
    if row is None:
        how["monthly_usd"] = f"unknown: no sourced price for {service} {sku} in {cloud} {region} in the catalog"
        return Charge(None, None, None, None, how)
    usd = quantity * row.usd_per_unit * (1.0 if monthly else HOURS_PER_MONTH)
    how["monthly_usd"] = (f"{quantity:g} {what} × {row.usd_per_unit:g} USD/{row.unit}"
                          f"{'' if monthly else f' × {HOURS_PER_MONTH:g} h'} (list price, {row.cite()})")
    return Charge(usd, None, None, "list", how)


# Storage price units the catalog uses, as (GB per unit of capacity, hours per unit of time).
STORAGE_UNITS = {"GB-month": (1.0, HOURS_PER_MONTH), "GiB-month": (GIB_TO_GB, HOURS_PER_MONTH),
                 "TiB-hour": (TIB_TO_GB, 1.0)}


def storage_charge(catalog: Catalog, cloud: str, region: str, service: str, sku: str,
                   capacity_tib: float | None, hours: float = HOURS_PER_MONTH) -> Charge:
    """Declared or provisioned storage: priced per capacity and time when the catalog has the price; energy
    from CCF's per-TB coefficient × the service's replication factor × PUE."""
    how: dict[str, str] = {}
    if capacity_tib is None:
        how = {k: "unknown: capacity not declared or not known at preview"
               for k in ("monthly_usd", "monthly_kwh", "monthly_kgco2e")}
        return Charge(None, None, None, None, how)
    gb = capacity_tib * TIB_TO_GB
    row = catalog.prices.service_price(cloud, service, sku, region)
    usd = None
    if row is None:
        how["monthly_usd"] = f"unknown: no sourced price for {service} {sku} in {cloud} {region} in the catalog"
    elif row.unit not in STORAGE_UNITS:
        how["monthly_usd"] = f"unknown: {service} {sku} is priced per {row.unit}, not per capacity and time"
    else:
        gb_per_unit, unit_hours = STORAGE_UNITS[row.unit]
        units = gb / gb_per_unit
        usd = units * row.usd_per_unit * hours / unit_hours
        amount = f"{gb:,.1f} GB" if gb_per_unit == 1.0 else f"{units:,.4g} {row.unit.split('-')[0]}"
        how["monthly_usd"] = (f"{capacity_tib:g} TiB = {amount} × {row.usd_per_unit:g} USD/{row.unit} × "
                              f"{hours:g} h / {unit_hours:g} h (list price, {row.cite()})")
    svc = catalog.impact.storage_service(cloud, service, sku)
    if svc is None:
        how["monthly_kwh"] = f"unknown: no storage medium and replication for {cloud} {service} in the catalog"
        how["monthly_kgco2e"] = "unknown: energy unknown"
        return Charge(usd, None, None, None if usd is None else "list", how)
    power = catalog.impact.storage_power[svc.medium]
    tb = capacity_tib * TIB_TO_TB
    it_kwh = tb * svc.replication_factor * power.wh_per_tb_hour * hours / 1000
    kwh, kg, carbon_how = _carbon(
        catalog, cloud, region, it_kwh,
        f"{capacity_tib:g} TiB = {tb:,.2f} TB × {svc.replication_factor:g} replicas ({svc.source}) × "
        f"{power.wh_per_tb_hour:g} Wh/TB·h {svc.medium.upper()} ({power.source}) × {hours:g} h")
    how.update(carbon_how)
    return Charge(usd, kwh, kg, None if usd is None else "list", how)


def usage_price(catalog: Catalog, cloud: str, region: str, service: str, sku: str, what: str) -> str:
    """A charge billed by use alone, in words: its unit price where the catalog has one. Never in a month's
    total: the volume is not known at preview (never 0)."""
    row = catalog.prices.service_price(cloud, service, sku, region)
    if row is None:
        return f"{what}: usage-based, unknown (no sourced price for {service} {sku} in {cloud} {region})"
    return f"{what}: usage-based, {row.usd_per_unit:g} USD/{row.unit} × a volume not known at preview ({row.cite()})"
