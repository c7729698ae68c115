"""Which resources are compute capacity, and how to read instance type, nodes and region from inputs.

Reads the wire (camelCase) input names the engine records for pulumi-aws 7, pulumi-azure-native 3 and
pulumi-gcp resources. Resources that cost money but carry no price in the catalog are "billable":
they are listed as unpriced with the reason, never counted as free.
"""

from __future__ import annotations

import math
import re
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
    """A count: a finite, non-negative number (anything else is unknown, never priced)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
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


AKS_CLUSTER = "azure-native:containerservice:ManagedCluster"
AKS_POOL = "azure-native:containerservice:AgentPool"


def _aks_cluster(pool: ResourceView, graph: dict[str, ResourceView]) -> ResourceView | None:
    """The cluster an agent pool belongs to: the one its `resourceName` depends on (the cluster's
    name is unknown at preview when Azure names it), else the one whose `resourceName` it names."""
    for urn in pool.dependencies.get("resourceName", ()):
        other = graph.get(urn)
        if other is not None and other.type == AKS_CLUSTER:
            return other
    name = get_known(pool.inputs, "resourceName")
    if name is None:
        return None
    return next((other for other in graph.values()
                 if other.type == AKS_CLUSTER and get_known(other.inputs, "resourceName") == name), None)


def _azure_location(view: ResourceView, graph: dict[str, ResourceView]) -> str | None:
    # An agent pool has no location of its own: it runs where its cluster is, whatever its provider says.
    cluster = _aks_cluster(view, graph) if view.type == AKS_POOL else None
    loc = _own_or_provider(cluster or view, "location")
    # Azure accepts display names ("East US"); the catalog uses programmatic names ("eastus").
    return loc.replace(" ", "").lower() if isinstance(loc, str) else None


def _gcp_region(view: ResourceView) -> str | None:
    place = get_known(view.inputs, "zone") or get_known(view.inputs, "location") \
        or get_known(view.provider_inputs, "region")
    if not isinstance(place, str):
        return None
    parts = place.split("-")
    return "-".join(parts[:-1]) if len(parts) == 3 and len(parts[-1]) == 1 else place


LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def launch_template(view: ResourceView, graph: dict[str, ResourceView]) -> ResourceView | None:
    """The launch template a resource uses (directly or through a mixed instances policy): the one its
    input depends on (a new template's id is unknown at preview), else the one its id or name names.
    An unknown reference matches nothing: never a guess."""
    for key in ("launchTemplate", "mixedInstancesPolicy"):
        for urn in view.dependencies.get(key, ()):
            other = graph.get(urn)
            if other is not None and other.type == LAUNCH_TEMPLATE:
                return other
    ref = get_known(view.inputs, "launchTemplate")
    if not isinstance(ref, dict):
        ref = get_known(view.inputs, "mixedInstancesPolicy", "launchTemplate", "launchTemplateSpecification")
    if not isinstance(ref, dict):
        return None
    ids = {get_known(ref, "id"), get_known(ref, "launchTemplateId")} - {None}
    names = {get_known(ref, "name"), get_known(ref, "launchTemplateName")} - {None}
    for other in graph.values():
        if other.type == LAUNCH_TEMPLATE and (
                (other.id is not None and other.id in ids) or get_known(other.inputs, "name") in names):
            return other
    return None


def _launch_template_type(view: ResourceView, graph: dict[str, ResourceView]) -> str | None:
    lt = launch_template(view, graph)
    return get_known(lt.inputs, "instanceType") if lt is not None else None


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
    mixed = view.inputs.get("mixedInstancesPolicy")
    if mixed is None:
        return Capacity("aws", region, _launch_template_type(view, graph), nodes, "on-demand", hours, util, notes)
    # A mixed instances policy: its overrides' types (the first is priced, as the highest priority),
    # else its launch template's; spot when nothing runs on demand.
    overrides = get_known(mixed, "launchTemplate", "overrides")
    types = [o.get("instanceType") for o in (overrides if isinstance(overrides, list) else [])
             if isinstance(o, dict) and o.get("instanceType") is not None]
    if types:
        itype = types[0] if known(types[0]) else None
        if len(types) > 1:
            notes["instance_type"] = f"first of {len(types)} override instance types priced"
    else:
        itype = _launch_template_type(view, graph)
    dist = get_known(mixed, "instancesDistribution") or {}
    base, above = dist.get("onDemandBaseCapacity"), dist.get("onDemandPercentageAboveBaseCapacity")
    spot = (base is None or _int(base) == 0) and above is not None and _int(above) == 0
    return Capacity("aws", region, itype, nodes, "spot" if spot else "on-demand", hours, util, notes)


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
    "aws:rds/instance:Instance": "RDS instance hours and storage; no price in the catalog",
    "aws:rds/cluster:Cluster": "RDS/Aurora cluster storage and I/O; no price in the catalog",
    "aws:rds/clusterInstance:ClusterInstance": "Aurora instance hours; no price in the catalog",
    "aws:sagemaker/endpoint:Endpoint": "SageMaker endpoint instance hours (ml.* types); no price in the catalog",
    "aws:sagemaker/notebookInstance:NotebookInstance": "SageMaker notebook instance hours; no price in the catalog",
    "aws:elasticache/cluster:Cluster": "ElastiCache node hours; no price in the catalog",
    "aws:elasticache/replicationGroup:ReplicationGroup": "ElastiCache node hours; no price in the catalog",
    "aws:dynamodb/table:Table": "DynamoDB capacity and storage; no price in the catalog",
    "aws:opensearch/domain:Domain": "OpenSearch instance hours and storage; no price in the catalog",
    "aws:alb/loadBalancer:LoadBalancer": "load balancer hours; no price in the catalog",
    "aws:fsx/ontapFileSystem:OntapFileSystem": "FSx for ONTAP storage/throughput; no price in the catalog",
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": "FSx for OpenZFS storage/throughput; no price in the catalog",
    "aws:fsx/windowsFileSystem:WindowsFileSystem": "FSx for Windows storage/throughput; no price in the catalog",
    "aws:ebs/snapshot:Snapshot": "EBS snapshot storage; no price in the catalog",
    "aws:ecr/repository:Repository": "ECR image storage; no price in the catalog",
    "aws:kms/key:Key": "KMS key-months and requests; no price in the catalog",
    "aws:cloudwatch/logGroup:LogGroup": "CloudWatch Logs ingestion and storage; no price in the catalog",
    "azure-native:sql:Database": "Azure SQL database compute and storage; no price in the catalog",
    "azure-native:dbforpostgresql:Server": "Azure Database for PostgreSQL; no price in the catalog",
    "azure-native:documentdb:DatabaseAccount": "Cosmos DB throughput and storage; no price in the catalog",
    "azure-native:machinelearningservices:Compute": "Azure ML compute hours; no price in the catalog",
    "azure-native:containerregistry:Registry": "container registry SKU and storage; no price in the catalog",
    "azure-native:network:ApplicationGateway": "application gateway hours; no price in the catalog",
    "azure-native:network:AzureFirewall": "Azure Firewall hours and data; no price in the catalog",
    "azure-native:network:VirtualNetworkGateway": "VPN/ExpressRoute gateway hours; no price in the catalog",
    "azure-native:operationalinsights:Workspace": "Log Analytics ingestion and retention; no price in the catalog",
    "azure-native:cache:Redis": "Azure Cache for Redis hours; no price in the catalog",
    "azure-native:compute:Snapshot": "managed disk snapshot storage; no price in the catalog",
    "azure-native:netapp:CapacityPool": "Azure NetApp Files capacity; no price in the catalog",
}


# Azure N-series VM sizes are the GPU sizes; other inline AKS pools (system pools) stay part of the
# cluster's unpriced item.
_AZURE_GPU_SIZE = re.compile(r"^Standard_N", re.IGNORECASE)


def inline_capacity(view: ResourceView) -> list[ResourceView]:
    """Capacity a resource declares inline, as views of the resource type that would declare it
    separately: each GPU (or not yet known) pool of an AKS cluster's agentPoolProfiles becomes an
    agent pool view, `<cluster URN>.agentPoolProfiles[<name>]`, part of the cluster."""
    if view.type != AKS_CLUSTER:
        return []
    profiles = view.inputs.get("agentPoolProfiles")
    cluster_tags = get_known(view.inputs, "tags")
    out = []
    for i, profile in enumerate(profiles if isinstance(profiles, list) else []):
        if not isinstance(profile, dict):
            continue
        size = profile.get("vmSize")
        if size is None or (known(size) and not (isinstance(size, str) and _AZURE_GPU_SIZE.match(size))):
            continue  # the default size (a CPU size) or a CPU size
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


def with_inline_capacity(views: list[ResourceView]) -> list[ResourceView]:
    """`views` with the capacity they declare inline after each (once: present parts are kept)."""
    present = {v.urn for v in views}
    out = []
    for v in views:
        out.append(v)
        out.extend(part for part in inline_capacity(v) if part.urn not in present)
    return out


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
