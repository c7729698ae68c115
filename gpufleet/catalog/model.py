"""Typed rows of the catalog and the query API over them."""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, get_args

from gpufleet.catalog.impact import Impact
from gpufleet.catalog.prices import Prices
from gpufleet.errors import Problem, UserError, unknown_name

Cloud = Literal["aws", "azure", "gcp", "oci", "coreweave"]
CLOUDS: tuple[str, ...] = get_args(Cloud)


@dataclass(frozen=True)
class Region:
    cloud: str
    name: str
    location: str
    country: str  # ISO 3166-1 alpha-2
    latitude: float | None
    longitude: float | None
    grid_gco2e_per_kwh: float | None  # location-based annual average; None = unknown
    grid_source: str
    grid_year: str
    cfe_percent: float | None
    pue: float | None
    pue_source: str
    pue_year: str
    notes: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.cloud, self.name)

    @property
    def pue_is_industry_average(self) -> bool:
        """True when the PUE stands in for a provider that publishes none (data/SOURCES.md: an industry-average
        FALLBACK), so it describes no data centre of this region."""
        return "FALLBACK" in self.pue_source and self.pue_source.startswith("Uptime")

    def distance_km(self, other: "Region") -> float | None:
        """Great-circle distance; None when either region's coordinates are unknown."""
        if None in (self.latitude, self.longitude, other.latitude, other.longitude):
            return None
        lat1, lon1, lat2, lon2 = map(
            math.radians, (self.latitude, self.longitude, other.latitude, other.longitude)
        )
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
            (lon2 - lon1) / 2
        ) ** 2
        return 2 * 6371.0 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class InstanceType:
    cloud: str
    name: str
    gpu_model: str  # as the source names it, e.g. "A100-80GB", "H100 (NC v5 variant)"
    # GPUs per instance; a Fraction below 1 for a VM given a partition of one GPU (Azure's NV A10 v5 sizes
    # from 1/6 of an A10, AWS gr6f half an L4): counted as that share of a GPU, never rounded to 0 or 1
    gpu_count: int | Fraction
    gpu_memory_gib: float | None  # per GPU
    vcpus: int | None  # None: unknown (an owned site describes its GPUs, not its hosts)
    memory_gib: float | None
    network_gbps: float | None
    interconnect: str | None  # "EFA", "InfiniBand", "GPUDirect-TCPX", ..., "none"; None = unknown
    gpu_tdp_watts: float | None
    max_efa_interfaces: int | None
    spec_source: str
    tdp_source: str
    tdp_date: str = ""  # of the document the rated power comes from; "undated" when it has none
    efa_source: str = ""
    notes: str = ""

    @property
    def gpu_family(self) -> str:
        """"H100 (NC v5 variant)" -> "H100", "A100-80GB" -> "A100", "RTX PRO 6000 (Blackwell)" -> "RTX PRO 6000"."""
        return self.gpu_model.split(" (")[0].split("-")[0]

    @property
    def gpu_partition(self) -> bool:
        """True when the instance gets a share of one GPU, not whole GPUs."""
        return self.gpu_count < 1

    @property
    def high_bandwidth(self) -> bool:
        """True when the instance has a GPU fabric (EFA, InfiniBand, GPUDirect)."""
        return self.interconnect not in (None, "none")


def partition_problem(path: str, it: InstanceType) -> Problem:
    """A workload pinned to a VM that gets a share of one GPU: it asks for whole GPUs."""
    return Problem(path, f"{it.name} is a partition of one GPU ({it.gpu_count} of an {it.gpu_model}); a workload "
                         "needs whole GPUs: pin a type with whole GPUs, or leave the choice to placement", it.name)


@dataclass(frozen=True)
class MachineFamily:
    """What a cloud's machine family needs from the network for its GPU fabric, and where it may be
    placed close together. A family is the part of a machine type's name before its size
    ("a3-megagpu" of "a3-megagpu-8g"). None is unknown, never 0."""

    cloud: str
    name: str
    fabric: str  # as InstanceType.interconnect: "GPUDirect-TCPXO", "GPUDirect-RDMA (RoCE)", "none"
    fabric_networks: int | None  # networks (VPCs or RDMA subnets), one per GPU NIC, beyond the primary
    fabric_network_mtu: int | None  # bytes, what those networks need
    fabric_network_profile: str | None  # zonal network profile suffix the fabric network needs ("vpc-roce")
    extra_host_networks: int | None  # further non-GPU NICs the fabric setup attaches (gVNIC)
    compact_placement: bool | None  # the cloud can place its nodes close together (compact placement)
    fabric_source: str
    placement_source: str
    retrieved: str
    notes: str = ""

    def matches(self, instance_type: str) -> bool:
        return instance_type.startswith(f"{self.name}-")


@dataclass(frozen=True)
class Offer:
    """An instance type offered in a region, with its on-demand Linux list price there."""

    cloud: str
    instance_type: str
    region: str
    usd_per_hour: float | None
    price_source: str
    price_date: str  # from the row: the source's date, or what is known of an undated snapshot
    list_complete: str
    notes: str = ""


@dataclass(frozen=True)
class PowerCurve:
    """Measured GPU power against duty cycle, to be scaled by a GPU's rated power."""

    gpu: str
    limit_watts: float
    points: tuple[tuple[float, float], ...]  # (duty 0..1, watts), sorted by duty
    source: str

    def watts(self, utilization: float, rated_watts: float) -> float:
        """Power of a GPU of `rated_watts` at `utilization`, by linear interpolation of the curve."""
        if not 0.0 <= utilization <= 1.0:
            raise ValueError(f"utilization must be within 0..1, got {utilization}")
        duties = [d for d, _ in self.points]
        i = bisect.bisect_left(duties, utilization)
        if duties[i] == utilization:
            w = self.points[i][1]
        else:
            (d0, w0), (d1, w1) = self.points[i - 1], self.points[i]
            w = w0 + (w1 - w0) * (utilization - d0) / (d1 - d0)
        return w * rated_watts / self.limit_watts


@dataclass(frozen=True)
class HostPower:
    cloud: str
    cpu_min_w_per_vcpu: float
    cpu_max_w_per_vcpu: float
    memory_kwh_per_gb_hour: float
    source: str


@dataclass
class Catalog:
    regions: dict[tuple[str, str], Region]
    instance_types: dict[str, InstanceType]
    offers: list[Offer]
    gpu_power: PowerCurve
    host_power: dict[str, HostPower]
    machine_families: dict[tuple[str, str], MachineFamily] = field(default_factory=dict)
    # Computes `version`, the fingerprint of the data read (gpufleet.catalog.overlay), when it is first read:
    # only placement, its lock and the tasks use it, and hashing every row is ~12 ms of every preview.
    fingerprint: Callable[[], str] = field(default=lambda: "unversioned", repr=False, compare=False)
    data_description: str = "shipped data"  # and any overlay over it, for output
    prices: Prices = field(default_factory=Prices)
    impact: Impact = field(default_factory=Impact)
    site_rows: tuple[str, ...] = ()  # the owned sites added to the data (gpufleet.catalog.sites), each as JSON
    _offers_by_key: dict[tuple[str, str, str], Offer] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._offers_by_key = {(o.cloud, o.instance_type, o.region): o for o in self.offers}

    @functools.cached_property
    def version(self) -> str:
        """12 hex digits that change with the data: equal data, equal version."""
        return self.fingerprint()

    # --- names -------------------------------------------------------------------------------
    def region_names(self, cloud: str | None = None) -> list[str]:
        return sorted(n for c, n in self.regions if cloud in (None, c))

    def clouds_of_region(self, name: object) -> list[str]:
        """The clouds with a region of this name (region names are the clouds' own, so mostly one or none)."""
        return sorted(c for c, n in self.regions if n == name)

    def gpu_models(self) -> list[str]:
        """Every name a GPU may be asked for by: exact models and their families."""
        names = {it.gpu_model for it in self.instance_types.values()}
        names |= {it.gpu_family for it in self.instance_types.values()}
        return sorted(names)

    # --- lookups -----------------------------------------------------------------------------
    def region(self, cloud: str, name: str) -> Region | None:
        return self.regions.get((cloud, name))

    def instance_type(self, name: str) -> InstanceType | None:
        return self.instance_types.get(name)

    def machine_family(self, instance: InstanceType) -> MachineFamily | None:
        """The family an instance type belongs to, None when the catalog has no row for it."""
        found = [f for (cloud, _), f in self.machine_families.items() if cloud == instance.cloud
                 and f.matches(instance.name)]
        return max(found, key=lambda f: len(f.name)) if found else None

    def offer(self, cloud: str, instance_type: str, region: str) -> Offer | None:
        return self._offers_by_key.get((cloud, instance_type, region))

    def offered(self, instance_type: str, cloud: str | None = None) -> list[Offer]:
        return [
            o
            for o in self.offers
            if o.instance_type == instance_type and cloud in (None, o.cloud)
        ]

    def instance_types_for_gpu(self, gpu: str, clouds: tuple[str, ...] | None = None) -> list[InstanceType]:
        """Instance types whose GPU is `gpu` (exact model, or family: "H100" matches all H100s), of `clouds`
        (None: every cloud, owned sites' included). Partitions of a GPU are left out: a workload asks for
        whole GPUs, and several partitions are not one GPU."""
        wanted = gpu.lower()
        return sorted(
            (
                it
                for it in self.instance_types.values()
                if (clouds is None or it.cloud in clouds) and not it.gpu_partition
                and wanted in (it.gpu_model.lower(), it.gpu_family.lower())
            ),
            key=lambda it: (it.cloud, it.name),
        )

    # --- checks with "did you mean" ----------------------------------------------------------
    def check_region(self, path: str, cloud: str, name: object) -> Problem | None:
        if isinstance(name, str) and (cloud, name) in self.regions:
            return None
        # A region of another cloud is a region under the wrong cloud, not a misspelling of one of this cloud's.
        if others := self.clouds_of_region(name):
            return Problem(path, f"is a region of {' and '.join(others)}, not of {cloud}", name,
                           tuple(self.region_names(cloud)))
        return unknown_name(path, f"{cloud} region", name, self.region_names(cloud))

    def check_gpu(self, path: str, gpu: object) -> Problem | None:
        if isinstance(gpu, str) and gpu.lower() in {m.lower() for m in self.gpu_models()}:
            return None
        return unknown_name(path, "GPU model", gpu, self.gpu_models())

    def check_instance_type(self, path: str, cloud: str, name: object) -> Problem | None:
        if isinstance(name, str) and (it := self.instance_types.get(name)) and it.cloud == cloud:
            return None
        known = [n for n, it in self.instance_types.items() if it.cloud == cloud]
        return unknown_name(path, f"{cloud} GPU instance type", name, known)

    def require_region(self, cloud: str, name: str, path: str = "region") -> Region:
        problem = self.check_region(path, cloud, name)
        if problem:
            raise UserError([problem])
        return self.regions[(cloud, name)]
