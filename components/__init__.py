"""gpufleet's Pulumi components for GPU fleets: one typed interface, an implementation per cloud.

- `GpuNodeGroup` — whole GPU nodes for one workload, with the cloud's fabric, capacity type and taint.
- `HighBandwidthNetwork` — the private network with the fabric prepared (EFA / InfiniBand).
- `StorageTiers` — a hot parallel file system sized from the GPUs it feeds, and tiered object storage.
- `GpuCluster` — one cloud and region: network, private Kubernetes, node groups and storage.

Cloud modules live in `components.clouds` (`SUPPORTED_CLOUDS`); see docs/components.md.
"""

from components.args import (
    GpuClusterArgs,
    GpuNodeGroupArgs,
    HighBandwidthNetworkArgs,
    NodeGroupSpecArgs,
    ReservationArgs,
    StorageSpecArgs,
    StorageTiersArgs,
)
from components.cluster import GpuCluster
from components.clouds import SUPPORTED_CLOUDS
from components.gpu_node_group import GpuNodeGroup
from components.network import HighBandwidthNetwork
from components.storage import StorageTiers

COMPONENTS = (GpuNodeGroup, HighBandwidthNetwork, StorageTiers, GpuCluster)

__all__ = [
    "COMPONENTS",
    "SUPPORTED_CLOUDS",
    "GpuCluster",
    "GpuClusterArgs",
    "GpuNodeGroup",
    "GpuNodeGroupArgs",
    "HighBandwidthNetwork",
    "HighBandwidthNetworkArgs",
    "NodeGroupSpecArgs",
    "ReservationArgs",
    "StorageSpecArgs",
    "StorageTiers",
    "StorageTiersArgs",
]
