"""gpufleet's Pulumi components for GPU fleets: one typed interface, an implementation per cloud.

- `GpuNodeGroup` — whole GPU nodes for one workload, with the cloud's fabric, capacity type and taint.
- `HighBandwidthNetwork` — the private network with the fabric prepared (EFA / InfiniBand).
- `StorageTiers` — a hot parallel file system sized from the GPUs it feeds, and tiered object storage.
- `GpuCluster` — one cloud and region: network, private Kubernetes, node groups and storage.
- `GpuSoftwareStack` — in a cluster: GPU device plugin or operator, fabric plugin, Kueue queues.

What each cloud declares lives in its adapter (`gpufleet/clouds/<cloud>/declare.py`, the clouds the
components build on are `gpufleet.clouds.component_clouds()`); see docs/components.md and docs/clouds.md.
"""

from gpufleet.components.args import (
    GpuClusterArgs,
    GpuNodeGroupArgs,
    GpuQueueArgs,
    GpuSoftwareStackArgs,
    HighBandwidthNetworkArgs,
    NodeGroupSpecArgs,
    ReservationArgs,
    StorageSpecArgs,
    StorageTiersArgs,
)
from gpufleet.components.cluster import GpuCluster
from gpufleet.components.gpu_node_group import GpuNodeGroup
from gpufleet.components.gpu_software import GpuSoftwareStack
from gpufleet.components.network import HighBandwidthNetwork
from gpufleet.components.storage import StorageTiers

COMPONENTS = (GpuNodeGroup, HighBandwidthNetwork, StorageTiers, GpuCluster, GpuSoftwareStack)

__all__ = [
    "COMPONENTS",
    "GpuCluster",
    "GpuClusterArgs",
    "GpuNodeGroup",
    "GpuNodeGroupArgs",
    "GpuQueueArgs",
    "GpuSoftwareStack",
    "GpuSoftwareStackArgs",
    "HighBandwidthNetwork",
    "HighBandwidthNetworkArgs",
    "NodeGroupSpecArgs",
    "ReservationArgs",
    "StorageSpecArgs",
    "StorageTiers",
    "StorageTiersArgs",
]
