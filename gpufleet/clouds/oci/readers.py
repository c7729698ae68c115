"""Readers of pulumi-oci resource types: OKE node pools, instances, instance pools and RDMA cluster
networks (through their instance configuration) as capacity; Object Storage and File Storage as storage.

An OKE node pool runs `nodeConfigDetails.size` nodes (or `quantityPerSubnet` × subnets on the older
form); a cluster network runs the sum of its instance pools' `size`, each of the shape its instance
configuration launches. The region is the provider's (OCI resources carry no region input).
"""

from __future__ import annotations

from typing import Any

from gpufleet.files import plain_number
from gpufleet.readers.base import (
    ONE,
    free_readers,
    Capacity,
    Graph,
    ResourceReader,
    Scaling,
    Storage,
    billable_readers,
    by_id,
    count,
    duty,
    node_disks,
    number,
    whole,
)
from gpufleet.readers.views import ResourceView, get_known, value_at

CLOUD = "oci"
GPU_TYPE_PATTERN = r"^(BM|VM)\.GPU"
NODE_POOL = "oci:ContainerEngine/nodePool:NodePool"
INSTANCE = "oci:Core/instance:Instance"
INSTANCE_POOL = "oci:Core/instancePool:InstancePool"
CLUSTER_NETWORK = "oci:Core/clusterNetwork:ClusterNetwork"
INSTANCE_CONFIGURATION = "oci:Core/instanceConfiguration:InstanceConfiguration"
GIB_PER_TIB = 1024.0


def _region(view: ResourceView) -> str | None:
    region = get_known(view.provider_inputs, "region")
    return region if isinstance(region, str) else None


def _configuration(view: ResourceView, graph: Graph, key: str, inputs: Any) -> ResourceView | None:
    """The instance configuration a pool launches, found by the dependency of `key` (a new configuration's id
    is unknown at preview) or by its id."""
    for urn in view.dependencies.get(key, ()):
        other = graph.get(urn)
        if other is not None and other.type == INSTANCE_CONFIGURATION:
            return other
    return by_id(graph, INSTANCE_CONFIGURATION, value_at(inputs, key))


def _configuration_shape(view: ResourceView, graph: Graph, key: str, inputs: Any) -> Any:
    """The shape an instance configuration launches."""
    config = _configuration(view, graph, key, inputs)
    return None if config is None else get_known(config.inputs, "instanceDetails", "launchDetails", "shape")


BOOT_VOLUME = "oci:Core/bootVolume:BootVolume"
_LAUNCHED_FROM = "instanceConfiguration.instanceDetails.launchDetails.sourceDetails"  # a pool's, through its configuration


def _boot_volumes(owner: ResourceView, nodes: int | None, path: str, source: Any) -> list[ResourceView]:
    """The boot volume each node gets (one part, `node_disks`), `bootVolumeSizeInGbs` GB of `source` (the
    instance's source details; pulumi-oci types the size as a string), the image's size when unset; none when it
    boots from a boot volume of its own (`sourceType` bootVolume: a resource of its own)."""
    if get_known(source, "sourceType") == "bootVolume":
        return []
    gb = get_known(source, "bootVolumeSizeInGbs")
    gb = plain_number(gb) if isinstance(gb, str) else number(gb)
    size = f"{gb:g} GB" if gb is not None and gb > 0 else f"the image's size ({path}.bootVolumeSizeInGbs unset)"
    return node_disks(owner, f"{path}.bootVolume", BOOT_VOLUME, nodes, size, "boot volume(s)",
                      "no sourced Block Volume price in the catalog")


class NodePool(ResourceReader):
    type, cloud, is_capacity = NODE_POOL, CLOUD, True

    def _nodes(self, inputs: dict[str, Any]) -> int | None:
        size = count(value_at(inputs, "nodeConfigDetails", "size"))
        if size is not None:
            return size
        per_subnet, subnets = count(value_at(inputs, "quantityPerSubnet")), value_at(inputs, "subnetIds")
        return per_subnet * len(subnets) if per_subnet is not None and isinstance(subnets, list) else None

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, utilization, notes = duty(get_known(view.inputs, "freeformTags"))
        return Capacity(CLOUD, _region(view), get_known(view.inputs, "nodeShape"), self._nodes(view.inputs),
                        "on-demand", hours, utilization, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("nodeShape", value_at(inputs, "nodeShape"))]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = self._nodes(inputs)
        return Scaling(n, n, "nodeConfigDetails.size", "nodeConfigDetails.size")

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        return _boot_volumes(view, self._nodes(view.inputs), "nodeSourceDetails",
                             get_known(view.inputs, "nodeSourceDetails"))


class Instance(ResourceReader):
    type, cloud, is_capacity = INSTANCE, CLOUD, True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, utilization, notes = duty(get_known(view.inputs, "freeformTags"))
        preemptible = value_at(view.inputs, "preemptibleInstanceConfig") is not None
        return Capacity(CLOUD, _region(view), get_known(view.inputs, "shape"), 1,
                        "spot" if preemptible else "on-demand", hours, utilization, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("shape", value_at(inputs, "shape"))]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        return _boot_volumes(view, 1, "sourceDetails", get_known(view.inputs, "sourceDetails"))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return ONE


class InstancePool(ResourceReader):
    type, cloud, is_capacity = INSTANCE_POOL, CLOUD, True

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, utilization, notes = duty(get_known(view.inputs, "freeformTags"))
        shape = _configuration_shape(view, graph, "instanceConfigurationId", view.inputs)
        return Capacity(CLOUD, _region(view), shape, count(value_at(view.inputs, "size")), "on-demand",
                        hours, utilization, notes)

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = whole(value_at(inputs, "size"))
        return Scaling(n, n, "size", "size")

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        config = _configuration(view, graph, "instanceConfigurationId", view.inputs)
        return [] if config is None else _boot_volumes(
            view, count(value_at(view.inputs, "size")), _LAUNCHED_FROM,
            get_known(config.inputs, "instanceDetails", "launchDetails", "sourceDetails"))


class ClusterNetwork(ResourceReader):
    """An RDMA cluster network: its instance pools are its capacity (one shape per network here: OCI
    requires the pools of a cluster network to launch the same shape)."""

    type, cloud, is_capacity = CLUSTER_NETWORK, CLOUD, True

    def _size(self, inputs: dict[str, Any]) -> int | None:
        pools = value_at(inputs, "instancePools")
        if not isinstance(pools, list):
            return None
        sizes = [count(value_at(p, "size")) if isinstance(p, dict) else None for p in pools]
        return None if None in sizes else sum(sizes)  # type: ignore[arg-type]

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, utilization, notes = duty(get_known(view.inputs, "freeformTags"))
        pools = value_at(view.inputs, "instancePools")
        shape = None
        if isinstance(pools, list) and pools and isinstance(pools[0], dict):
            shape = _configuration_shape(view, graph, "instancePools", pools[0])
        return Capacity(CLOUD, _region(view), shape, self._size(view.inputs), "on-demand", hours, utilization,
                        notes)

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = self._size(inputs)
        return Scaling(n, n, "instancePools[*].size", "instancePools[*].size")

    def fabric_configured(self, view, graph, interconnect: str) -> str:
        return "RDMA cluster network" if view is not None else "—"

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        pools = value_at(view.inputs, "instancePools")
        if not (isinstance(pools, list) and pools and isinstance(pools[0], dict)):
            return []
        config = _configuration(view, graph, "instancePools", pools[0])
        return [] if config is None else _boot_volumes(
            view, self._size(view.inputs), _LAUNCHED_FROM,
            get_known(config.inputs, "instanceDetails", "launchDetails", "sourceDetails"))


def _lustre(view: ResourceView) -> tuple[bool, float | None, list[str]]:
    gb = count(get_known(view.inputs, "capacityInGbs"))
    tier = get_known(view.inputs, "performanceTier")
    return True, (gb / GIB_PER_TIB if gb is not None else None), [f"performance tier {tier}"] if tier else []


def _bucket(view: ResourceView) -> tuple[bool, float | None, list[str]]:
    tier = get_known(view.inputs, "storageTier") or "Standard"
    return False, None, [f"storage tier {tier}"]


READERS: list[ResourceReader] = [
    NodePool(), Instance(), InstancePool(), ClusterNetwork(),
    Storage("oci:Lustre/fileStorageLustreFileSystem:FileStorageLustreFileSystem", CLOUD, "parallel file system",
            "File Storage with Lustre: priced per GB-month of capacity (not in the catalog)", _lustre),
    Storage("oci:ObjectStorage/bucket:Bucket", CLOUD, "object storage",
            "Object Storage: per GB-month stored and per request (usage, not in the catalog)", _bucket),
    # Networks and their parts cost nothing by themselves on OCI (OCI price list: no charge for VCNs).
    *free_readers(CLOUD, ["oci:Core/vcn:Vcn", "oci:Core/subnet:Subnet", "oci:Core/internetGateway:InternetGateway",
                          "oci:Core/routeTable:RouteTable", "oci:Core/securityList:SecurityList",
                          "oci:Core/serviceGateway:ServiceGateway",
                          "oci:Core/networkSecurityGroup:NetworkSecurityGroup",
                          "oci:Core/instanceConfiguration:InstanceConfiguration",
                          # a bucket's rules: a settings document, billed through the bucket
                          "oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy"]),
    *billable_readers(CLOUD, {
        "oci:ContainerEngine/cluster:Cluster": "OKE cluster: the enhanced-cluster fee per hour (not in the catalog)",
        "oci:FileStorage/fileSystem:FileSystem": "File Storage: per GB-month stored (usage, not in the catalog)",
        "oci:Core/natGateway:NatGateway": "NAT gateway: data processed (usage, not in the catalog)",
        BOOT_VOLUME: "Block Volume storage and performance units (boot volume); no price in the catalog",
    }),
]
