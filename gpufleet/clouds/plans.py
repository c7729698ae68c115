"""Plans: component arguments after preflight, what a cloud adapter checks and declares from.

`components/preflight.py` turns arguments into plans (or problems); each cloud adapter adds its own
refusals (`CloudAdapter.node_group_problems`, …) and its declare module builds resources from them.
Plain data, no Pulumi.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from gpufleet.catalog import InstanceType
from gpufleet.clouds.file_systems import GIB_PER_TIB, FileSystemProduct


@dataclass(frozen=True)
class ReservationPlan:
    kind: str
    id: str
    zone: str


@dataclass(frozen=True)
class NodeGroupPlan:
    cloud: str
    region: str
    workload: str
    instance: InstanceType
    gpu_count: int  # asked for
    nodes: int  # whole nodes: ceil(gpu_count / GPUs per node)
    min_nodes: int
    capacity_type: str
    reservation: ReservationPlan | None
    zone: str
    enable_fabric: bool
    spot_max_price_usd_per_hour: float | None
    root_volume_gib: int
    utilization_percent: float | None
    hours_per_month: float | None

    @property
    def gpus(self) -> int:
        """GPUs provisioned (whole nodes), at least `gpu_count`."""
        return self.nodes * self.instance.gpu_count

    @property
    def max_nodes(self) -> int:
        return self.nodes

    @property
    def fabric(self) -> str:
        """"EFA", "InfiniBand", … when the fabric is attached, else "none"."""
        return (self.instance.interconnect or "none") if self.enable_fabric else "none"

    @property
    def use_placement_group(self) -> bool:
        """Fabric nodes go in a placement group, unless a reservation dictates placement
        (terraform-aws-eks #3730: a forced placement group breaks reservations and Capacity Blocks)."""
        return self.enable_fabric and self.reservation is None


@dataclass(frozen=True)
class StoragePlan:
    cloud: str
    region: str
    zone: str
    workload: str
    gpu_count: int
    product: FileSystemProduct | None  # None: no hot tier
    hot_capacity_gib: int
    throughput_mb_s_per_tib: int
    required_mb_s: float
    object_capacity_tib: float | None
    cool_after_days: int | None
    cold_after_days: int
    archive_after_days: int

    @property
    def hot_capacity_tib(self) -> float:
        return self.hot_capacity_gib / GIB_PER_TIB

    @property
    def hot_throughput_mb_s(self) -> float:
        return self.hot_capacity_tib * self.throughput_mb_s_per_tib


@dataclass(frozen=True)
class NetworkPlan:
    cloud: str
    region: str
    zones: tuple[str, ...]
    cidr: ipaddress.IPv4Network
    instance_types: tuple[InstanceType, ...]
    enable_fabric: bool
    enable_file_system_subnet: bool

    @property
    def fabric_instance_types(self) -> tuple[InstanceType, ...]:
        return tuple(it for it in self.instance_types if it.high_bandwidth) if self.enable_fabric else ()

    @property
    def fabric(self) -> str:
        kinds = sorted({it.interconnect for it in self.fabric_instance_types if it.interconnect})
        return kinds[0] if kinds else "none"

    @property
    def bandwidth_gbps_per_node(self) -> float | None:
        """The catalog's network bandwidth of the fastest node type (fabric types when there is a fabric)."""
        types = self.fabric_instance_types or self.instance_types
        known = [it.network_gbps for it in types if it.network_gbps is not None]
        return max(known) if known else None


@dataclass(frozen=True)
class ClusterPlan:
    cloud: str
    region: str
    network: NetworkPlan
    node_groups: tuple[NodeGroupPlan, ...]
    storage: tuple[StoragePlan, ...]
