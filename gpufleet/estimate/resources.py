"""Which resources are compute capacity, and how to read instance type, nodes and region from inputs.

Reads the wire (camelCase) input names the engine records for pulumi-aws 7, pulumi-azure-native 3 and
pulumi-gcp resources. Resources that cost money but carry no price in the catalog are "billable":
they are listed as unpriced with the reason, never counted as free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from gpufleet.estimate.views import ResourceView, get_known, known
from gpufleet.footprint import HOURS_PER_MONTH

# Tags gpufleet's components put on GPU capacity so estimates from inputs know the duty cycle.
TAG_UTILIZATION = "gpufleet-utilization-percent"
TAG_HOURS = "gpufleet-hours-per-month"


@dataclass(frozen=True)
class Capacity:
    cloud: str
    region: str | None
    instance_type: str | None
    nodes: int | None
    capacity_type: str  # "on-demand", "spot" or "reserved"
    hours: float
    utilization: float
    notes: dict[str, str] = field(default_factory=dict)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def _duty(view: ResourceView, tags: Any) -> tuple[float, float, dict[str, str]]:
    """Hours a month and GPU utilisation: from gpufleet's tags, else the stated upper bound."""
    notes = {}
    tags = tags if isinstance(tags, dict) else {}
    hours, util = HOURS_PER_MONTH, 1.0
    try:
        if known(tags.get(TAG_HOURS)):
            hours = float(tags[TAG_HOURS])
            notes["hours_per_month"] = f"{hours:g} h from tag {TAG_HOURS}"
        else:
            notes["hours_per_month"] = f"assumed always on ({HOURS_PER_MONTH:g} h): no {TAG_HOURS} tag"
        if known(tags.get(TAG_UTILIZATION)):
            util = float(tags[TAG_UTILIZATION]) / 100.0
            notes["utilization"] = f"{util:.0%} from tag {TAG_UTILIZATION}"
        else:
            notes["utilization"] = f"assumed 100% GPU duty (upper bound): no {TAG_UTILIZATION} tag"
    except ValueError:
        notes["utilization"] = "gpufleet tags unreadable; assumed always on at 100% GPU duty (upper bound)"
        hours, util = HOURS_PER_MONTH, 1.0
    if not (0.0 <= util <= 1.0 and 0.0 < hours <= HOURS_PER_MONTH):
        notes["utilization"] = "gpufleet tags out of range; assumed always on at 100% GPU duty (upper bound)"
        hours, util = HOURS_PER_MONTH, 1.0
    return hours, util, notes


def _own_or_provider(view: ResourceView, key: str) -> Any:
    """The resource's own setting if it has one (an unknown one stays unknown), else its provider's."""
    if key in view.inputs:
        return get_known(view.inputs, key)
    return get_known(view.provider_inputs, key)


def _aws_region(view: ResourceView) -> str | None:
    return _own_or_provider(view, "region")


def _azure_location(view: ResourceView, graph: dict[str, ResourceView]) -> str | None:
    loc = _own_or_provider(view, "location")
    if loc is None and view.type == "azure-native:containerservice:AgentPool":
        cluster = get_known(view.inputs, "resourceName")
        for other in graph.values():
            if other.type == "azure-native:containerservice:ManagedCluster" and \
                    get_known(other.inputs, "resourceName") == cluster and cluster is not None:
                loc = get_known(other.inputs, "location") or get_known(other.provider_inputs, "location")
                break
    # Azure accepts display names ("East US"); the catalog uses programmatic names ("eastus").
    return loc.replace(" ", "").lower() if isinstance(loc, str) else None


def _gcp_region(view: ResourceView) -> str | None:
    place = get_known(view.inputs, "zone") or get_known(view.inputs, "location") \
        or get_known(view.provider_inputs, "region")
    if not isinstance(place, str):
        return None
    parts = place.split("-")
    return "-".join(parts[:-1]) if len(parts) == 3 and len(parts[-1]) == 1 else place


def _launch_template_type(view: ResourceView, graph: dict[str, ResourceView]) -> str | None:
    lt = get_known(view.inputs, "launchTemplate") or {}
    ref = get_known(lt, "id") or get_known(lt, "name")
    for other in graph.values():
        if other.type == "aws:ec2/launchTemplate:LaunchTemplate" and ref in (other.id, get_known(other.inputs, "name")):
            return get_known(other.inputs, "instanceType")
    return None


def _aws_instance(view: ResourceView, graph: dict[str, ResourceView]) -> Capacity:
    hours, util, notes = _duty(view, get_known(view.inputs, "tags"))
    spot = get_known(view.inputs, "instanceMarketOptions", "marketType") == "spot" or \
        view.type == "aws:ec2/spotInstanceRequest:SpotInstanceRequest"
    itype = get_known(view.inputs, "instanceType") or _launch_template_type(view, graph)
    return Capacity("aws", _aws_region(view), itype, 1, "spot" if spot else "on-demand", hours, util, notes)


def _eks_node_group(view: ResourceView, graph: dict[str, ResourceView]) -> Capacity:
    hours, util, notes = _duty(view, get_known(view.inputs, "tags"))
    types = get_known(view.inputs, "instanceTypes") or []
    itype = types[0] if types and known(types[0]) else _launch_template_type(view, graph)
    if len(types) > 1:
        notes["instance_type"] = f"first of {len(types)} instance types priced"
    nodes = _int(get_known(view.inputs, "scalingConfig", "desiredSize"))
    notes["nodes"] = "desired size of the node group"
    kind = {"SPOT": "spot", "CAPACITY_BLOCK": "reserved"}.get(get_known(view.inputs, "capacityType") or "", "on-demand")
    return Capacity("aws", _aws_region(view), itype, nodes, kind, hours, util, notes)


def _asg(view: ResourceView, graph: dict[str, ResourceView]) -> Capacity:
    tags = {t.get("key"): t.get("value") for t in (get_known(view.inputs, "tags") or []) if isinstance(t, dict)}
    hours, util, notes = _duty(view, tags)
    nodes = _int(get_known(view.inputs, "desiredCapacity"))
    if nodes is None:
        nodes = _int(get_known(view.inputs, "minSize"))
        notes["nodes"] = "minimum size (no desired capacity set)"
    region = _aws_region(view)
    return Capacity("aws", region, _launch_template_type(view, graph), nodes, "on-demand", hours, util, notes)


def _azure_vm(view: ResourceView, graph: dict[str, ResourceView]) -> Capacity:
    hours, util, notes = _duty(view, get_known(view.inputs, "tags"))
    kind = "spot" if get_known(view.inputs, "priority") == "Spot" else "on-demand"
    return Capacity("azure", _azure_location(view, graph), get_known(view.inputs, "hardwareProfile", "vmSize"),
                    1, kind, hours, util, notes)


def _azure_vmss(view: ResourceView, graph: dict[str, ResourceView]) -> Capacity:
    hours, util, notes = _duty(view, get_known(view.inputs, "tags"))
    kind = "spot" if get_known(view.inputs, "virtualMachineProfile", "priority") == "Spot" else "on-demand"
    return Capacity("azure", _azure_location(view, graph), get_known(view.inputs, "sku", "name"),
                    _int(get_known(view.inputs, "sku", "capacity")), kind, hours, util, notes)


def _aks_agent_pool(view: ResourceView, graph: dict[str, ResourceView]) -> Capacity:
    hours, util, notes = _duty(view, get_known(view.inputs, "tags"))
    nodes = _int(get_known(view.inputs, "count"))
    notes["nodes"] = "count of the agent pool"
    if nodes is None and get_known(view.inputs, "enableAutoScaling"):
        nodes = _int(get_known(view.inputs, "minCount"))
        notes["nodes"] = "minimum count (autoscaling, no count set)"
    kind = "spot" if get_known(view.inputs, "scaleSetPriority") == "Spot" else "on-demand"
    if get_known(view.inputs, "capacityReservationGroupID"):
        kind = "reserved"
    return Capacity("azure", _azure_location(view, graph), get_known(view.inputs, "vmSize"), nodes, kind,
                    hours, util, notes)


def _gcp_instance(view: ResourceView, graph: dict[str, ResourceView]) -> Capacity:
    hours, util, notes = _duty(view, get_known(view.inputs, "labels"))
    spot = get_known(view.inputs, "scheduling", "provisioningModel") == "SPOT"
    return Capacity("gcp", _gcp_region(view), get_known(view.inputs, "machineType"), 1,
                    "spot" if spot else "on-demand", hours, util, notes)


def _gke_node_pool(view: ResourceView, graph: dict[str, ResourceView]) -> Capacity:
    hours, util, notes = _duty(view, get_known(view.inputs, "nodeConfig", "labels"))
    nodes = _int(get_known(view.inputs, "nodeCount"))
    if nodes is None:
        nodes = _int(get_known(view.inputs, "initialNodeCount"))
    spot = bool(get_known(view.inputs, "nodeConfig", "spot"))
    return Capacity("gcp", _gcp_region(view), get_known(view.inputs, "nodeConfig", "machineType"), nodes,
                    "spot" if spot else "on-demand", hours, util, notes)


CAPACITY_TYPES: dict[str, Callable[[ResourceView, dict[str, ResourceView]], Capacity]] = {
    "aws:ec2/instance:Instance": _aws_instance,
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": _aws_instance,
    "aws:eks/nodeGroup:NodeGroup": _eks_node_group,
    "aws:autoscaling/group:Group": _asg,
    "azure-native:compute:VirtualMachine": _azure_vm,
    "azure-native:compute:VirtualMachineScaleSet": _azure_vmss,
    "azure-native:containerservice:AgentPool": _aks_agent_pool,
    "gcp:compute/instance:Instance": _gcp_instance,
    "gcp:container/nodePool:NodePool": _gke_node_pool,
}

# Resources that are billed but have no price in the catalog (which prices GPU capacity).
BILLABLE_TYPES: dict[str, str] = {
    "aws:eks/cluster:Cluster": "EKS control plane is billed per cluster-hour; no price in the catalog",
    "aws:fsx/lustreFileSystem:LustreFileSystem": "FSx for Lustre storage/throughput; no price in the catalog",
    "aws:s3/bucket:Bucket": "S3 storage and requests; no price in the catalog",
    "aws:s3/bucketV2:BucketV2": "S3 storage and requests; no price in the catalog",
    "aws:ebs/volume:Volume": "EBS volume storage; no price in the catalog",
    "aws:efs/fileSystem:FileSystem": "EFS storage; no price in the catalog",
    "aws:ec2/natGateway:NatGateway": "NAT gateway hours and data; no price in the catalog",
    "aws:ec2/eip:Eip": "public IPv4 address hours; no price in the catalog",
    "aws:lb/loadBalancer:LoadBalancer": "load balancer hours; no price in the catalog",
    "aws:ec2/capacityReservation:CapacityReservation":
        "billed at the reserved instances' rate while unused; instances running in it are priced at their node group",
    "aws:ec2/capacityBlockReservation:CapacityBlockReservation": "Capacity Block is paid up front; no price in the catalog",
    "azure-native:containerservice:ManagedCluster": "AKS control plane tier and system pool VMs; no price in the catalog",
    "azure-native:storagecache:AmlFilesystem": "Azure Managed Lustre capacity; no price in the catalog",
    "azure-native:storage:StorageAccount": "blob storage and transactions; no price in the catalog",
    "azure-native:compute:Disk": "managed disk storage; no price in the catalog",
    "azure-native:compute:CapacityReservation":
        "billed at the reserved VMs' rate while unused; VMs running in it are priced at their agent pool",
    "azure-native:network:NatGateway": "NAT gateway hours and data; no price in the catalog",
    "azure-native:network:PublicIPAddress": "public IP address hours; no price in the catalog",
    "azure-native:network:LoadBalancer": "load balancer rules and data; no price in the catalog",
    "gcp:container/cluster:Cluster": "GKE cluster management fee; no price in the catalog",
    "gcp:storage/bucket:Bucket": "Cloud Storage; no price in the catalog",
}


def capacity_of(view: ResourceView, graph: dict[str, ResourceView]) -> Capacity | None:
    reader = CAPACITY_TYPES.get(view.type)
    return reader(view, graph) if reader else None


def billable_reason(view: ResourceView) -> str | None:
    """Why a resource costs money we cannot price, or None when it is free (or not ours to judge)."""
    if view.type == "aws:ec2/vpcEndpoint:VpcEndpoint":
        if get_known(view.inputs, "vpcEndpointType") == "Gateway":
            return None  # S3/DynamoDB gateway endpoints carry no charge
        return "interface VPC endpoint hours and data; no price in the catalog"
    return BILLABLE_TYPES.get(view.type)
