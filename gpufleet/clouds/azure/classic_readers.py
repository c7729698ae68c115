"""Readers of the classic `azure` provider (pulumi-azure 6, Terraform-based): AKS clusters and their
default pool, node pools, virtual machines and scale sets. Same cloud, prices and catalog as
azure-native; other input names (`size`, `vmSize`, `nodeCount`, `defaultNodePool`)."""

from __future__ import annotations

import re
from typing import Any

from gpufleet.clouds.azure.readers import aks_os_disks, vm_disks
from gpufleet.readers.base import (
    ONE,
    Capacity,
    Graph,
    ResourceReader,
    Scaling,
    billable_readers,
    count,
    duty,
    free_readers,
    truthy,
    whole,
)
from gpufleet.readers.views import ResourceView, get_known, known, value_at

CLOUD = "azure"
CLUSTER = "azure:containerservice/kubernetesCluster:KubernetesCluster"
NODE_POOL = "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool"
_GPU_SIZE = re.compile(r"^Standard_N", re.IGNORECASE)  # N-series: Azure's GPU sizes
MANAGED_DISK = "azure:compute/managedDisk:ManagedDisk"
# pulumi-azure 6.40.1 `KubernetesClusterNodePool.os_disk_type` (and `default_node_pool.os_disk_type`): "Possible
# values are `Ephemeral` and `Managed`. Defaults to `Managed`."
POOL_OS_DISK_DEFAULT = "Managed"


def _location(view: ResourceView | None) -> str | None:
    if view is None:
        return None
    loc = get_known(view.inputs, "location") or get_known(view.provider_inputs, "location")
    return loc.replace(" ", "").lower() if isinstance(loc, str) else None


def _kind(inputs: dict[str, Any]) -> str:
    return "spot" if get_known(inputs, "priority") == "Spot" else "on-demand"


class _Compute(ResourceReader):
    cloud = CLOUD
    is_capacity = True


class VirtualMachine(_Compute):
    """`LinuxVirtualMachine`, `WindowsVirtualMachine` (`size`, `osDisk`; data disks are ManagedDisk resources)
    and the older `VirtualMachine` (`vmSize`, `storageOsDisk`, `storageDataDisks`)."""

    def __init__(self, type_: str, size_key: str) -> None:
        self.type, self.size_key = type_, size_key

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        if self.size_key == "vmSize":
            return vm_disks(view, 1, MANAGED_DISK, "storageOsDisk", "storageDataDisks", "diskSizeGb",
                            ("managedDiskType",))
        return vm_disks(view, 1, MANAGED_DISK, "osDisk", None, "diskSizeGb", ("storageAccountType",))

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        return Capacity(CLOUD, _location(view), get_known(view.inputs, self.size_key), 1, _kind(view.inputs),
                        hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        size = value_at(inputs, self.size_key)
        return [] if size is None else [(self.size_key, size)]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return ONE


class ScaleSet(_Compute):
    """`LinuxVirtualMachineScaleSet`, `WindowsVirtualMachineScaleSet` (`sku`), `OrchestratedVirtualMachineScaleSet`
    (`skuName`): `instances` machines."""

    def __init__(self, type_: str, size_key: str) -> None:
        self.type, self.size_key = type_, size_key

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        return Capacity(CLOUD, _location(view), get_known(view.inputs, self.size_key),
                        count(get_known(view.inputs, "instances")), _kind(view.inputs), hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        size = value_at(inputs, self.size_key)
        return [] if size is None else [(self.size_key, size)]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        return vm_disks(view, self.capacity(view, graph).nodes, MANAGED_DISK, "osDisk", "dataDisks", "diskSizeGb",
                        ("storageAccountType",))

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = whole(value_at(inputs, "instances"))
        return Scaling(n, n, "instances", "instances")


def _cluster_of(pool: ResourceView, graph: Graph) -> ResourceView | None:
    """The cluster a node pool belongs to: the one its `kubernetesClusterId` depends on."""
    for urn in pool.dependencies.get("kubernetesClusterId", ()):
        other = graph.get(urn)
        if other is not None and other.type == CLUSTER:
            return other
    return None


def pool_os_disks(pool: ResourceView, nodes: int | None) -> list[ResourceView]:
    return aks_os_disks(pool, nodes, MANAGED_DISK, "osDiskSizeGb", "osDiskType", POOL_OS_DISK_DEFAULT)


class NodePool(_Compute):
    """A node pool (`KubernetesClusterNodePool`, or a cluster's `defaultNodePool` read as one)."""

    type = NODE_POOL

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        nodes = count(get_known(view.inputs, "nodeCount"))
        notes["nodes"] = "node count of the pool"
        if nodes is None and truthy(get_known(view.inputs, "autoScalingEnabled")):
            nodes = count(get_known(view.inputs, "minCount"))
            notes["nodes"] = "minimum count (autoscaling, no node count set)"
        # A pool runs where its cluster is.
        cluster = _cluster_of(view, graph) if view.part_of is None else graph.get(view.part_of)
        return Capacity(CLOUD, _location(cluster) or _location(view), get_known(view.inputs, "vmSize"), nodes,
                        _kind(view.inputs), hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        size = value_at(inputs, "vmSize")
        return [] if size is None else [("vmSize", size)]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """Its nodes' OS disks (`aks_os_disks`)."""
        return pool_os_disks(view, self.capacity(view, graph).nodes)

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        if truthy(value_at(inputs, "autoScalingEnabled")):
            return Scaling(whole(value_at(inputs, "minCount")), whole(value_at(inputs, "maxCount")), "minCount", "maxCount")
        n = whole(value_at(inputs, "nodeCount"))
        return Scaling(n, n, "nodeCount", "nodeCount")


class KubernetesCluster(ResourceReader):
    """A classic AKS cluster: billed (control plane tier, system pool), and its `defaultNodePool`
    when that is a GPU (or not yet known) size, as a node pool view part of the cluster."""

    type = CLUSTER
    cloud = CLOUD
    billable = "AKS control plane tier and system pool VMs; no price in the catalog"

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        size = value_at(inputs, "defaultNodePool", "vmSize")
        return [] if size is None else [("defaultNodePool.vmSize", size)]

    def _default_pool(self, view: ResourceView) -> ResourceView | None:
        pool = view.inputs.get("defaultNodePool")
        if not isinstance(pool, dict):
            return None
        tags = get_known(view.inputs, "tags")
        inputs = {**pool, "tags": {**(tags if isinstance(tags, dict) else {}), **(get_known(pool, "tags") or {})}}
        return ResourceView(urn=f"{view.urn}.defaultNodePool", type=NODE_POOL, inputs=inputs,
                            provider_inputs=view.provider_inputs, part_of=view.urn)

    def inline_capacity(self, view: ResourceView) -> list[ResourceView]:
        pool = self._default_pool(view)
        size = pool.inputs.get("vmSize") if pool is not None else None
        if size is None or (known(size) and not (isinstance(size, str) and _GPU_SIZE.match(size))):
            return []  # a CPU system pool stays part of the cluster's unpriced item
        return [pool]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """Its default pool when a GPU size, and that pool's OS disks whatever its size (a CPU pool's VMs are in
        the cluster's unpriced item, its disks are not), parts of the cluster."""
        pool = self._default_pool(view)
        if pool is None:
            return []
        return [*self.inline_capacity(view), *pool_os_disks(pool, NodePool().capacity(pool, graph).nodes)]


BILLABLE: dict[str, str] = {
    "azure:network/natGateway:NatGateway": "NAT gateway hours and data; no price in the catalog",
    "azure:network/publicIp:PublicIp": "public IP address hours; no price in the catalog",
    "azure:lb/loadBalancer:LoadBalancer": "load balancer rules and data; no price in the catalog",
    "azure:storage/account:Account": "blob storage and transactions; no price in the catalog",
    "azure:compute/managedDisk:ManagedDisk": "managed disk storage; no price in the catalog",
    "azure:containerservice/registry:Registry": "container registry SKU and storage; no price in the catalog",
    "azure:containerservice/group:Group": "container instance vCPU and memory seconds; no price in the catalog",
    "azure:mssql/database:Database": "Azure SQL database compute and storage; no price in the catalog",
    "azure:postgresql/flexibleServer:FlexibleServer": "Azure Database for PostgreSQL; no price in the catalog",
    "azure:cosmosdb/account:Account": "Cosmos DB throughput and storage; no price in the catalog",
    "azure:redis/cache:Cache": "Azure Cache for Redis hours; no price in the catalog",
    "azure:keyvault/keyVault:KeyVault": "Key Vault operations and keys; no price in the catalog",
    "azure:operationalinsights/analyticsWorkspace:AnalyticsWorkspace": "Log Analytics ingestion and retention; no price in the catalog",
    "azure:network/firewall:Firewall": "Azure Firewall hours and data; no price in the catalog",
    "azure:network/applicationGateway:ApplicationGateway": "application gateway hours; no price in the catalog",
    "azure:appservice/servicePlan:ServicePlan": "App Service plan instance hours; no price in the catalog",
}

FREE: tuple[str, ...] = (
    "azure:core/resourceGroup:ResourceGroup", "azure:network/virtualNetwork:VirtualNetwork",
    "azure:network/subnet:Subnet", "azure:network/networkSecurityGroup:NetworkSecurityGroup",
    "azure:network/networkSecurityRule:NetworkSecurityRule", "azure:network/networkInterface:NetworkInterface",
    "azure:network/subnetNetworkSecurityGroupAssociation:SubnetNetworkSecurityGroupAssociation",
    "azure:network/routeTable:RouteTable", "azure:authorization/assignment:Assignment",
    "azure:authorization/userAssignedIdentity:UserAssignedIdentity", "azure:storage/container:Container",
    "azure:proximity/placementGroup:PlacementGroup", "azure:compute/availabilitySet:AvailabilitySet",
)

READERS: list[ResourceReader] = [
    KubernetesCluster(),
    NodePool(),
    VirtualMachine("azure:compute/linuxVirtualMachine:LinuxVirtualMachine", "size"),
    VirtualMachine("azure:compute/windowsVirtualMachine:WindowsVirtualMachine", "size"),
    VirtualMachine("azure:compute/virtualMachine:VirtualMachine", "vmSize"),
    ScaleSet("azure:compute/linuxVirtualMachineScaleSet:LinuxVirtualMachineScaleSet", "sku"),
    ScaleSet("azure:compute/windowsVirtualMachineScaleSet:WindowsVirtualMachineScaleSet", "sku"),
    ScaleSet("azure:compute/orchestratedVirtualMachineScaleSet:OrchestratedVirtualMachineScaleSet", "skuName"),
    *billable_readers(CLOUD, BILLABLE),
    *free_readers(CLOUD, FREE),
]
