"""Readers of pulumi-azure-native 3 resource types: capacity (AKS agent pools, inline pools, VM scale
sets, VMs), instance types, scaling, reservations, fabric, storage and what is billable."""

from __future__ import annotations

import functools
from typing import Any

from gpufleet.catalog import load_catalog
from gpufleet.clouds.azure.facts import aks_default_os_disk_gb
from gpufleet.readers.base import (
    HOURLY,
    NOT_CONFIGURED,
    ONE,
    STORAGE,
    USAGE,
    BillLine,
    Capacity,
    Graph,
    Priced,
    ResourceReader,
    Scaling,
    Storage,
    billable_readers,
    by_name,
    count,
    declared_object_storage,
    duty,
    free_readers,
    node_disks,
    number,
    own_or_provider,
    truthy,
    whole,
)
from gpufleet.readers.views import ResourceView, get_known, known, value_at

CLOUD = "azure"
AKS_CLUSTER = "azure-native:containerservice:ManagedCluster"
AKS_POOL = "azure-native:containerservice:AgentPool"
ML_COMPUTE = "azure-native:machinelearningservices:Compute"
GIB_PER_TIB = 1024.0



def _aks_cluster(pool: ResourceView, graph: Graph) -> ResourceView | None:
    """The cluster an agent pool belongs to: the one its `resourceName` depends on (the cluster's
    name is unknown at preview when Azure names it), else the one whose `resourceName` it names."""
    for urn in pool.dependencies.get("resourceName", ()):
        other = graph.get(urn)
        if other is not None and other.type == AKS_CLUSTER:
            return other
    name = get_known(pool.inputs, "resourceName")
    if name is None:
        return None
    return by_name(graph, AKS_CLUSTER, "resourceName", name)


def _region(loc: Any) -> str | None:
    # Azure accepts display names ("East US"); the catalog uses programmatic names ("eastus").
    return loc.replace(" ", "").lower() if isinstance(loc, str) else None


def _location(view: ResourceView) -> str | None:
    return _region(own_or_provider(view, "location"))


# azure-native replaces a resource when a parameter of its resource path (its name, its resource group)
# or its `location` changes, and an AKS agent pool when its `vmSize` or `gpuInstanceProfile` does
# (pulumi-azure-native #3655, 2024: AKS cannot change them on an existing pool, Microsoft Learn "Manage
# node pools", limitations). An AKS upgrade (`orchestratorVersion`) replaces the pool's nodes by surge.
_REPLACED_BY_PATH = ("location", "resourceGroupName")


MANAGED_DISK = "azure-native:compute:Disk"
NO_DISK_PRICE = "no sourced Azure managed disk price in the catalog"


def _gb(value: Any) -> float | None:
    n = number(value)
    return n if n is not None and n > 0 else None


def _vcpus(size: Any) -> int | None:
    """The vCPUs of a VM size the catalog knows (a GPU type or a CPU host), else None."""
    if not isinstance(size, str) or not known(size):
        return None
    catalog = load_catalog()
    it = catalog.instance_type(_catalog_size(size))
    host = catalog.prices.hosts.get(size)
    return it.vcpus if it is not None else host.vcpus if host is not None else None


def aks_os_disks(pool: ResourceView, nodes: int | None, disk_type: str, size_key: str, type_key: str,
                 unset_type: str | None) -> list[ResourceView]:
    """The OS disks of an AKS pool's nodes, one part `<pool>.osDisk` (`node_disks`): none when `type_key` is
    Ephemeral (AKS, concepts-storage.md: "ephemeral OS disks are stored only on the host machine, just like a
    temporary disk"); else `size_key` GB each, or AKS's default for the VM size's vCPUs (facts). `unset_type`:
    what an unset `type_key` means (the provider's default), None when AKS decides (azure-native AgentPool
    `osDiskType`: "The default is 'Ephemeral' if the VM supports it and has a cache disk larger than the
    requested OSDiskSizeGB. Otherwise, defaults to 'Managed'")."""
    kind = get_known(pool.inputs, type_key) or unset_type
    if kind == "Ephemeral":
        return []
    gb, vm = _gb(get_known(pool.inputs, size_key)), get_known(pool.inputs, "vmSize")
    default = aks_default_os_disk_gb(vcpus := _vcpus(vm))
    size = (f"{gb:g} GB" if gb is not None else
            f"{default} GB ({size_key} unset: AKS's default for {vcpus} vCPUs)" if default is not None else
            f"AKS's default size ({size_key} unset: it follows the VM size's vCPUs, which the catalog lacks)")
    what = ("managed OS disk(s)" if kind == "Managed" else
            f"OS disk(s), managed (billed) unless AKS makes them Ephemeral ({type_key} unset: Ephemeral when the VM "
            "size's cache or temporary disk is larger than the OS disk)")
    return node_disks(pool, "osDisk", disk_type, nodes, size, what, NO_DISK_PRICE)


def vm_disks(owner: ResourceView, nodes: int | None, disk_type: str, os_path: str, data_path: str | None,
             size_key: str, sku: tuple[str, ...]) -> list[ResourceView]:
    """The managed disks each VM of `owner` gets from its own settings, one part per disk (`node_disks`): its OS
    disk at `os_path` (there is one whatever is set: the image's size and a type Azure picks when unset) and the
    data disks at `data_path`, each `size_key` GB of SKU `sku`. Not a part: an ephemeral OS disk
    (`diffDiskSettings.option` Local: on the host), a disk attached by id (`createOption` Attach: a disk
    resource of its own) or an unmanaged one (`vhdUri`: a blob of a storage account)."""
    def own(disk: Any) -> bool:
        return not (get_known(disk, "diffDiskSettings", "option") == "Local" or get_known(disk, "vhdUri")
                    or str(get_known(disk, "createOption") or "").lower() == "attach")

    def part(path: str, disk: Any, role: str, size_unset: str) -> list[ResourceView]:
        gb, kind = _gb(get_known(disk, size_key)), get_known(disk, *sku)
        size = f"{gb:g} GB" if gb is not None else f"{size_unset} ({size_key} unset)"
        what = f"{kind} managed {role} disk(s)" if isinstance(kind, str) else \
            f"managed {role} disk(s) of a type Azure picks ({'.'.join(sku)} unset)"
        return node_disks(owner, path, disk_type, nodes, size, what, NO_DISK_PRICE)

    os_disk = get_known(owner.inputs, *os_path.split("."))
    out = part(os_path, os_disk, "OS", "the image's size") if own(os_disk) else []
    data = get_known(owner.inputs, *data_path.split(".")) if data_path else None
    for i, disk in enumerate(data if isinstance(data, list) else []):
        if isinstance(disk, dict) and own(disk):
            out += part(f"{data_path}[{i}]", disk, "data", "an unknown size")
    return out


class _Compute(ResourceReader):
    cloud = CLOUD
    is_capacity = True

    def fabric_configured(self, view: ResourceView | None, graph: Graph, interconnect: str) -> str:
        return "InfiniBand on the host" if interconnect == "InfiniBand" else NOT_CONFIGURED


class VirtualMachine(_Compute):
    type = "azure-native:compute:VirtualMachine"
    replace_inputs = ("vmName", *_REPLACED_BY_PATH)

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        kind = "spot" if get_known(view.inputs, "priority") == "Spot" else "on-demand"
        return Capacity(CLOUD, _location(view), get_known(view.inputs, "hardwareProfile", "vmSize"),
                        1, kind, hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        size = value_at(inputs, "hardwareProfile", "vmSize")
        return [] if size is None else [("hardwareProfile.vmSize", size)]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        return ONE

    def reservation_targets(self, view: ResourceView, graph: Graph) -> list[Any]:
        return [value_at(view.inputs, "capacityReservation", "capacityReservationGroup", "id")]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        return vm_disks(view, 1, MANAGED_DISK, "storageProfile.osDisk", "storageProfile.dataDisks", "diskSizeGB",
                        ("managedDisk", "storageAccountType"))


class ScaleSet(_Compute):
    type = "azure-native:compute:VirtualMachineScaleSet"
    replace_inputs = ("vmScaleSetName", *_REPLACED_BY_PATH)

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        kind = "spot" if get_known(view.inputs, "virtualMachineProfile", "priority") == "Spot" else "on-demand"
        return Capacity(CLOUD, _location(view), get_known(view.inputs, "sku", "name"),
                        count(get_known(view.inputs, "sku", "capacity")), kind, hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        size = value_at(inputs, "sku", "name")
        return [] if size is None else [("sku.name", size)]

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        n = whole(value_at(inputs, "sku", "capacity"))
        return Scaling(n, n, "sku.capacity", "sku.capacity")

    def reservation_targets(self, view: ResourceView, graph: Graph) -> list[Any]:
        return [value_at(view.inputs, "virtualMachineProfile", "capacityReservation", "capacityReservationGroup", "id")]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        profile = "virtualMachineProfile.storageProfile"
        return vm_disks(view, self.capacity(view, graph).nodes, MANAGED_DISK, f"{profile}.osDisk",
                        f"{profile}.dataDisks", "diskSizeGB", ("managedDisk", "storageAccountType"))


class AgentPool(_Compute):
    type = AKS_POOL
    replace_inputs = ("agentPoolName", "gpuInstanceProfile", "resourceGroupName", "resourceName", "vmSize")
    roll_inputs = ("orchestratorVersion",)

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity:
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        nodes = count(get_known(view.inputs, "count"))
        notes["nodes"] = "count of the agent pool"
        if nodes is None and get_known(view.inputs, "enableAutoScaling"):
            nodes = count(get_known(view.inputs, "minCount"))
            notes["nodes"] = "minimum count (autoscaling, no count set)"
        kind = "spot" if get_known(view.inputs, "scaleSetPriority") == "Spot" else "on-demand"
        if get_known(view.inputs, "capacityReservationGroupID"):
            kind = "reserved"
        # An agent pool has no location of its own: it runs where its cluster is, whatever its provider says.
        cluster = _aks_cluster(view, graph)
        return Capacity(CLOUD, _location(cluster or view), get_known(view.inputs, "vmSize"), nodes, kind,
                        hours, util, notes)

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        size = value_at(inputs, "vmSize")
        return [] if size is None else [("vmSize", size)]

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """Its nodes' OS disks (`aks_os_disks`)."""
        return aks_os_disks(view, self.capacity(view, graph).nodes, MANAGED_DISK, "osDiskSizeGB", "osDiskType", None)

    def scaling(self, inputs: dict[str, Any]) -> Scaling:
        if truthy(value_at(inputs, "enableAutoScaling")):
            return Scaling(whole(value_at(inputs, "minCount")), whole(value_at(inputs, "maxCount")),
                           "minCount", "maxCount")
        n = whole(value_at(inputs, "count"))
        return Scaling(n, n, "count", "count")


@functools.cache
def _catalog_sizes() -> dict[str, str]:
    return {name.lower(): name for name, it in load_catalog().instance_types.items() if it.cloud == CLOUD}


def _catalog_size(size: Any) -> Any:
    """A VM size in the catalog's spelling: Azure takes sizes in any case (the provider's examples write
    "STANDARD_NC6"); a size the catalog lacks is kept as written."""
    return _catalog_sizes().get(size.lower(), size) if isinstance(size, str) and known(size) else size


class MachineLearningCompute(_Compute):
    """An Azure Machine Learning compute: a compute cluster (`computeType` AmlCompute: VMs of
    `properties.properties.vmSize` between `scaleSettings.minNodeCount` and `maxNodeCount`) or a compute
    instance (ComputeInstance: one VM). Azure bills the VMs they run, at the VM size's rate (SOURCES.md).
    The other compute types attach capacity declared elsewhere (an AKS cluster, a VM): priced there."""

    type = ML_COMPUTE
    _KINDS = ("AmlCompute", "ComputeInstance")
    # The compute types that attach capacity declared elsewhere (azure-native ComputeType): free here.
    _ATTACHED = ("AKS", "Kubernetes", "DataFactory", "VirtualMachine", "HDInsight", "Databricks",
                 "DataLakeAnalytics", "SynapseSpark")

    def _properties(self, inputs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """The compute type, and the properties of that type."""
        compute = get_known(inputs, "properties")
        compute = compute if isinstance(compute, dict) else {}
        props = get_known(compute, "properties")
        return get_known(compute, "computeType"), props if isinstance(props, dict) else {}

    def capacity(self, view: ResourceView, graph: Graph) -> Capacity | None:
        kind_of, props = self._properties(view.inputs)
        if kind_of not in self._KINDS:
            return None
        hours, util, notes = duty(get_known(view.inputs, "tags"))
        if kind_of == "ComputeInstance":
            nodes, notes["nodes"] = 1, "one compute instance"
        else:
            low = value_at(props, "scaleSettings", "minNodeCount")
            nodes = 0 if low is None else count(get_known(props, "scaleSettings", "minNodeCount"))
            notes["nodes"] = "minimum node count of the compute cluster (it scales to maxNodeCount while jobs run)"
        kind = "spot" if get_known(props, "vmPriority") == "LowPriority" else "on-demand"
        where = get_known(view.inputs, "properties", "computeLocation")
        region = _location(view) if where is None else _region(where)
        return Capacity(CLOUD, region, _catalog_size(get_known(props, "vmSize")), nodes, kind, hours, util, notes)

    def not_assessed(self, view: ResourceView) -> str | None:
        """A compute whose `properties.computeType` is missing or not one Azure defines may run VMs: its
        cost is unknown, never 0 (a plain dict of snake_case keys reaches the plan untranslated, as
        `compute_type`, because the SDK cannot tell which compute type it is)."""
        kind_of, _ = self._properties(view.inputs)
        if kind_of in self._KINDS or kind_of in self._ATTACHED:
            return None
        compute = get_known(view.inputs, "properties")
        written = [k for k in compute if isinstance(k, str)] if isinstance(compute, dict) else []
        shown = "missing" if kind_of is None else f"{kind_of!r}, not an Azure ML compute type"
        return (f"properties.computeType is {shown} (properties has: {', '.join(written) or 'nothing'}): whether it "
                f"runs VMs is not known; allowed: {', '.join(self._KINDS + self._ATTACHED)} (pass the SDK's "
                "AmlComputeArgs or ComputeInstanceArgs, not a plain dict)")

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        kind_of, props = self._properties(inputs)
        size = value_at(inputs, "properties", "properties", "vmSize")
        if kind_of not in self._KINDS or size is None:
            return []
        return [("properties.properties.vmSize", _catalog_size(size))]

    def scaling(self, inputs: dict[str, Any]) -> Scaling | None:
        kind_of, _ = self._properties(inputs)
        if kind_of == "ComputeInstance":
            return ONE
        if kind_of != "AmlCompute":
            return None
        low = value_at(inputs, "properties", "properties", "scaleSettings", "minNodeCount")
        high = value_at(inputs, "properties", "properties", "scaleSettings", "maxNodeCount")
        path = "properties.properties.scaleSettings."
        return Scaling(0 if low is None else whole(low), whole(high), path + "minNodeCount", path + "maxNodeCount")


class ManagedCluster(ResourceReader):
    """An AKS cluster: its control plane billed by tier, and the pools it declares inline."""

    type = AKS_CLUSTER
    cloud = CLOUD
    billable = "AKS control plane tier"
    replace_inputs = ("resourceName", *_REPLACED_BY_PATH)
    # Inline pools (`agentPoolProfiles`) are updated with the cluster: pulumi-azure-native #2774 (2023)
    # stopped replacing the cluster when a profile changes. AKS cannot change a pool's `vmSize` or
    # `gpuInstanceProfile` (Microsoft Learn, "Manage node pools", limitations; the reason pulumi-azure-native
    # #3655 replaces a separate AgentPool): the update fails, and the way through is a pool of a new name,
    # whose creation deletes the old pool and its nodes. An AKS upgrade (`orchestratorVersion`) replaces the
    # pool's nodes by surge. The cluster's own `kubernetesVersion` is not listed: through the managed-cluster
    # API it upgrades the control plane only, and a pool without an `orchestratorVersion` keeps its version
    # and its nodes (Azure/AKS #3087, 2022, an ARM/Bicep cluster upgrade; pulumi-azure-native #2094, 2022, a
    # ManagedCluster's `kubernetesVersion` raised; terraform-provider-azurerm #5541, 2020). Pools move with
    # their own `orchestratorVersion` (or `az aks upgrade`, which sets it on every pool).
    part_replace_inputs = ("gpuInstanceProfile", "vmSize")
    part_roll_inputs = ("orchestratorVersion",)
    part_replace_reason = ("AKS cannot change it on a running pool (the update fails); a pool of a new name "
                           "replaces it and its nodes")

    def bill(self, view: ResourceView, graph: Graph) -> list[BillLine]:
        tier = view.inputs.get("sku", {}).get("tier", "Free") if isinstance(view.inputs.get("sku"), dict) else "Free"
        if not isinstance(tier, str) or not known(tier):
            return [BillLine(HOURLY, "aks-control-plane", "tier not known at preview", _location(view), None,
                             "cluster")]
        # ManagedClusterSkuTier: "If not specified, the default is Free".
        return [BillLine(HOURLY, "aks-control-plane", tier, _location(view), 1.0, f"cluster ({tier} tier)")]

    def instance_types(self, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
        profiles = value_at(inputs, "agentPoolProfiles")
        return [(f"agentPoolProfiles[{i}].vmSize", size)
                for i, p in enumerate(profiles if isinstance(profiles, list) else [])
                if (size := value_at(p, "vmSize")) is not None]

    def inline_capacity(self, view: ResourceView) -> list[ResourceView]:
        """Each pool of `agentPoolProfiles` with a declared (or not yet known) size, GPU or CPU, as an agent
        pool view, `<cluster URN>.agentPoolProfiles[<name>]`, part of the cluster."""
        profiles = view.inputs.get("agentPoolProfiles")
        cluster_tags = get_known(view.inputs, "tags")
        out = []
        for i, profile in enumerate(profiles if isinstance(profiles, list) else []):
            if not isinstance(profile, dict):
                continue
            if profile.get("vmSize") is None:
                continue  # the default size, which the API chooses: not known to the plan
            name = profile.get("name")
            label = name if isinstance(name, str) and known(name) else str(i)
            tags = get_known(profile, "tags")
            inputs = dict(profile)
            inputs["tags"] = {**(cluster_tags if isinstance(cluster_tags, dict) else {}),
                              **(tags if isinstance(tags, dict) else {})}
            out.append(ResourceView(urn=f"{view.urn}.agentPoolProfiles[{label}]", type=AKS_POOL, inputs=inputs,
                                    provider_inputs=view.provider_inputs, dependencies={"resourceName": (view.urn,)},
                                    part_of=view.urn))
        return out

    def inline_capacity_in(self, view: ResourceView, graph: Graph) -> list[ResourceView]:
        """Its inline pools, each followed by its nodes' OS disks (`aks_os_disks`), all parts of the cluster."""
        out = []
        for pool in self.inline_capacity(view):
            out += [pool, *aks_os_disks(pool, AgentPool().capacity(pool, graph).nodes, MANAGED_DISK, "osDiskSizeGB",
                                        "osDiskType", None)]
        return out


def _amlfs(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    sku = get_known(v.inputs, "sku", "name") or "SKU unknown"
    return True, number(get_known(v.inputs, "storageCapacityTiB")), [str(sku)]


def _account(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    return False, None, [str(d) for p in (("sku", "name"), ("accessTier",)) if (d := get_known(v.inputs, *p))]


def _amlfs_lines(v: ResourceView, region: str | None) -> list[BillLine]:
    """Azure Managed Lustre is billed per TiB of capacity by SKU (throughput tier)."""
    sku = get_known(v.inputs, "sku", "name")
    tib = number(get_known(v.inputs, "storageCapacityTiB"))
    return [BillLine(STORAGE, "managed-lustre", sku if isinstance(sku, str) else "SKU not known at preview",
                     region, tib, f"storageCapacityTiB {tib:g}" if tib is not None else "storage capacity")]


def _account_lines(v: ResourceView, region: str | None) -> list[BillLine]:
    """Blob storage is billed on the bytes stored, by access tier and redundancy, and on transactions:
    priced on the capacity a gpufleet component declares (at the account's access tier; lifecycle
    management then moves blobs to cooler tiers, so an upper bound), otherwise usage-based."""
    tier = v.inputs.get("accessTier", "Hot")
    redundancy = get_known(v.inputs, "sku", "name")
    sku = f"{tier}-{redundancy}" if isinstance(tier, str) and known(tier) and isinstance(redundancy, str) \
        else "access tier or redundancy not known at preview"
    transactions = BillLine(USAGE, "blob-transactions", sku, region, None, "transactions and data retrieval")
    return [declared_object_storage("blob", sku, region, get_known(v.inputs, "tags"), tag_word="tag",
                                    at=f"the {sku} rate",
                                    lifecycle="lifecycle management moves blobs to cooler, cheaper tiers"),
            transactions]


def _private_endpoint(view: ResourceView, region: str | None) -> list[BillLine]:
    return [BillLine(HOURLY, "private-endpoint", "endpoint", region, 1.0, "private endpoint"),
            BillLine(USAGE, "private-endpoint-data", "GB", region, None, "data processed (in and out)")]


def _public_ip(view: ResourceView, region: str | None) -> list[BillLine]:
    sku = get_known(view.inputs, "sku", "name") or "Standard"  # API version 2023+: Standard by default
    return [BillLine(HOURLY, "public-ip", str(sku), region, 1.0, f"{sku} public IP address")]


def _nat_gateway(view: ResourceView, region: str | None) -> list[BillLine]:
    return [BillLine(HOURLY, "nat-gateway", "gateway", region, 1.0, "NAT gateway"),
            BillLine(USAGE, "nat-gateway-data", "GB", region, None, "data processed")]


def _disk(v: ResourceView) -> tuple[bool, float | None, list[str]]:
    gib = number(get_known(v.inputs, "diskSizeGB"))
    kind = get_known(v.inputs, "sku", "name")
    return True, (None if gib is None else gib / GIB_PER_TIB), [str(kind)] if kind else []


# Resources that are billed but have no price in the catalog (which prices GPU capacity).
BILLABLE: dict[str, str] = {
    "azure-native:compute:CapacityReservation":
        "billed at the reserved VMs' rate while unused; VMs running in it are priced at their agent pool",
    "azure-native:network:LoadBalancer": "load balancer rules and data; no price in the catalog",
    "azure-native:sql:Database": "Azure SQL database compute and storage; no price in the catalog",
    "azure-native:dbforpostgresql:Server": "Azure Database for PostgreSQL; no price in the catalog",
    "azure-native:cosmosdb:DatabaseAccount": "Cosmos DB throughput and storage; no price in the catalog",
    "azure-native:containerregistry:Registry": "container registry SKU and storage; no price in the catalog",
    "azure-native:network:ApplicationGateway": "application gateway hours; no price in the catalog",
    "azure-native:network:AzureFirewall": "Azure Firewall hours and data; no price in the catalog",
    "azure-native:network:VirtualNetworkGateway": "VPN/ExpressRoute gateway hours; no price in the catalog",
    "azure-native:operationalinsights:Workspace": "Log Analytics ingestion and retention; no price in the catalog",
    "azure-native:redis:Redis": "Azure Cache for Redis hours; no price in the catalog",
    "azure-native:containerinstance:ContainerGroup": "container instance vCPU and memory seconds; no price in the catalog",
    "azure-native:web:AppServicePlan": "App Service plan instance hours; no price in the catalog",
    "azure-native:network:BastionHost": "Bastion hours; no price in the catalog",
    "azure-native:keyvault:Vault": "Key Vault operations and keys; no price in the catalog",
    "azure-native:eventhub:Namespace": "Event Hubs throughput units; no price in the catalog",
    "azure-native:servicebus:Namespace": "Service Bus tier and operations; no price in the catalog",
    "azure-native:dbformysql:Server": "Azure Database for MySQL compute and storage; no price in the catalog",
    "azure-native:applicationinsights:Component": "Application Insights ingestion; no price in the catalog",
    "azure-native:compute:Snapshot": "managed disk snapshot storage; no price in the catalog",
    "azure-native:netapp:CapacityPool": "Azure NetApp Files capacity; no price in the catalog",
}

# Types that cost nothing by themselves (what runs in or through them is assessed on its own).
FREE: tuple[str, ...] = (
    "azure-native:resources:ResourceGroup", "azure-native:network:VirtualNetwork", "azure-native:network:Subnet",
    "azure-native:network:NetworkSecurityGroup", "azure-native:network:SecurityRule", "azure-native:network:RouteTable",
    "azure-native:network:Route", "azure-native:network:NetworkInterface", "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:managedidentity:UserAssignedIdentity", "azure-native:managedidentity:FederatedIdentityCredential",
    "azure-native:authorization:RoleAssignment", "azure-native:authorization:RoleDefinition",
    "azure-native:storage:BlobContainer", "azure-native:storage:ManagementPolicy",
    "azure-native:compute:ProximityPlacementGroup", "azure-native:compute:AvailabilitySet",
    "azure-native:compute:CapacityReservationGroup",
    # The blob service's settings (versioning, soft delete). "Enabling blob versioning can result in additional
    # data storage charges to your account ... Blob versions, like blob snapshots, are billed at the same rate as
    # active data" (MicrosoftDocs/azure-docs articles/storage/blobs/versioning-overview.md @012c026e, "Pricing
    # and billing"): what the settings keep is billed as the account's data, not as this resource.
    "azure-native:storage:BlobServiceProperties",
)

READERS: list[ResourceReader] = [
    VirtualMachine(),
    ScaleSet(),
    AgentPool(),
    MachineLearningCompute(),
    ManagedCluster(),
    Storage("azure-native:storagecache:AmlFilesystem", CLOUD, "Azure Managed Lustre",
            "Azure Managed Lustre capacity", _amlfs, _amlfs_lines,
            replace_inputs=("amlFilesystemName", *_REPLACED_BY_PATH)),
    Storage("azure-native:storage:StorageAccount", CLOUD, "Azure Storage",
            "blob storage and transactions", _account, _account_lines,
            replace_inputs=("accountName", *_REPLACED_BY_PATH)),
    Priced("azure-native:network:PrivateEndpoint", CLOUD, "private endpoint hours and data", _private_endpoint,
           _location),
    Priced("azure-native:network:PublicIPAddress", CLOUD, "public IP address hours", _public_ip, _location),
    Priced("azure-native:network:NatGateway", CLOUD, "NAT gateway hours and data", _nat_gateway, _location),
    Storage("azure-native:compute:Disk", CLOUD, "Azure Managed Disk", "managed disk storage; no price in the catalog", _disk,
            replace_inputs=("diskName", *_REPLACED_BY_PATH)),
    *billable_readers(CLOUD, BILLABLE),
    *free_readers(CLOUD, FREE),
]
