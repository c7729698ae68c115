"""Arguments of the public components, one typed interface for every cloud.

Each class is a `TypedDict` with plain annotated fields so that `components/` can later be published
as a multi-language Pulumi component package (`component_provider_host` infers the schema from these
annotations; a `Union`, `Literal` or pydantic model would not survive that). Consequences:

- Fields that preflight must check before anything is declared (cloud, region, zone, GPU, instance
  type, counts, sizes) are plain Python values, never `Output`s.
- Fields that may come from another resource (`cluster_name`, subnet ids, …) are `pulumi.Input[...]`.
- Closed choices are `str` here; preflight checks them against the `Literal` types of
  `gpufleet.config` (`CapacityType`, reservation kinds) and reports every problem at once.
- Names carry their units (`hot_capacity_tib`, `throughput_mb_s_per_tib`).

This module has no `from __future__ import annotations`: the schema analyzer reads the annotations
at runtime and needs real types, not strings.
"""

from typing import NotRequired, TypedDict

import pulumi


class ReservationArgs(TypedDict):
    """Capacity that is already reserved; the node group runs in it (capacity type "reserved")."""

    kind: str
    """"capacity-reservation" or "capacity-block" (AWS), "capacity-reservation-group" (Azure)."""
    id: str
    """AWS: the reservation or Capacity Block id (`cr-…`). Azure: the capacity reservation group's resource id."""
    zone: str
    """Availability zone the capacity is in ("us-west-2b", Azure "1"); the node group is placed there."""


class FigureArgs(TypedDict):
    """One of an owned site's own figures and where it comes from."""

    value: float
    """The figure, in the unit its field names."""
    source: str
    """Where it comes from (a meter, a utility bill, a contract)."""
    year: int
    """The year the figure is for."""


class SiteGpusArgs(TypedDict):
    """GPUs of one model an owned site makes available."""

    gpu: str
    """GPU model or family as the catalog names it ("H100")."""
    count: int
    """GPUs available: a whole number of nodes."""
    gpus_per_node: int
    """GPUs in each node."""
    interconnect: NotRequired[str]
    """The nodes' GPU fabric ("InfiniBand"); absent: unknown, no fabric."""
    node_labels: NotRequired[dict[str, str]]
    """Labels of these GPUs' nodes: the Kueue ResourceFlavor selects them."""


class SiteArgs(TypedDict):
    """An owned site (stack config `sites:`): an existing Kubernetes cluster and its own figures. The
    components declare in it through the Kubernetes provider the caller passes (`opts.providers`)."""

    name: str
    """Site name: the region of the owned cloud."""
    country: str
    """ISO 3166-1 alpha-2 country code."""
    grid_gco2e_per_kwh: FigureArgs
    """Grid carbon intensity of the site's electricity."""
    pue: FigureArgs
    """Power usage effectiveness of the site."""
    usd_per_gpu_hour: FigureArgs
    """Amortised cost of a GPU-hour at the site."""
    gpus: list[SiteGpusArgs]
    """GPUs available, by model."""
    gpu_software: NotRequired[str]
    """"none" (default), "device-plugin" (the nodes have the NVIDIA driver) or "gpu-operator"."""


class NodeGroupSpecArgs(TypedDict):
    """What one workload needs from a GPU node group; the cloud-independent half of `GpuNodeGroupArgs`."""

    workload: str
    """Workload name: node label `gpufleet.io/workload`, tag `gpufleet-workload`, part of child names."""
    gpu_count: int
    """GPUs wanted. Nodes are whole: ceil(gpu_count / GPUs per node of the instance type)."""
    gpu: NotRequired[str]
    """GPU model or family ("H100", "A100-80GB"). Needed when `instance_type` is not given."""
    instance_type: NotRequired[str]
    """Catalog instance type / VM size. Default: of the types with `gpu` offered in the region (with a fabric
    when `enable_fabric`), the one with the most GPUs per node that `gpu_count` fills at least once."""
    capacity_type: NotRequired[str]
    """"on-demand" (default), "spot" or "reserved" (then `reservation` is required)."""
    reservation: NotRequired[ReservationArgs]
    """The reservation to run in when `capacity_type` is "reserved"; it dictates the zone and placement."""
    scale_to_zero: NotRequired[bool]
    """Default false. True: the autoscaler's minimum is 0 nodes, so idle capacity is freed."""
    enable_fabric: NotRequired[bool]
    """Attach the high-bandwidth fabric (EFA / InfiniBand) and place the nodes close together. Default false:
    only when asked, because a placement group narrows the capacity the cloud can find."""
    zone: NotRequired[str]
    """Placement zone. Default: the reservation's zone, else the cloud's first zone (AWS "<region>a", Azure "1")."""
    spot_max_price_usd_per_hour: NotRequired[float]
    """Azure only: Spot price cap per node-hour; -1 (default) caps at the on-demand price. AWS refuses it."""
    root_volume_gib: NotRequired[int]
    """OS disk per node in GiB (default 200): container images of GPU frameworks are large."""
    utilization_percent: NotRequired[float]
    """Expected GPU utilization, 0–100: tag `gpufleet-utilization-percent` read by cost estimates."""
    hours_per_month: NotRequired[float]
    """Expected running hours per month, up to 730: tag `gpufleet-hours-per-month`."""


class GpuNodeGroupArgs(NodeGroupSpecArgs):
    """A GPU node group in an existing cluster (EKS managed node group / AKS agent pool / GKE node pool)."""

    cloud: str
    """A cloud the components build on (`gpufleet.clouds.component_clouds()`: "aws", "azure", "gcp")."""
    region: str
    """Cloud region of the cluster, as the catalog names it ("us-west-2", "eastus")."""
    cluster_name: pulumi.Input[str]
    """EKS cluster name / AKS managed cluster name / GKE cluster name."""
    node_subnet_id: pulumi.Input[str]
    """Subnet for the nodes; on AWS it must be in the placement zone."""
    tags: dict[str, str]
    """Tags for every taggable child; must include team, cost-center and environment."""
    cluster_security_group_id: NotRequired[pulumi.Input[str]]
    """AWS, with EFA: the EKS cluster security group, attached to every fabric interface with `fabric_security_group_id`."""
    fabric_security_group_id: NotRequired[pulumi.Input[str]]
    """AWS, with EFA: the security group that allows all traffic within itself (from `HighBandwidthNetwork`)."""
    resource_group_name: NotRequired[pulumi.Input[str]]
    """Azure: resource group of the cluster (required on Azure)."""
    proximity_placement_group_id: NotRequired[pulumi.Input[str]]
    """Azure, with InfiniBand: the proximity placement group of the placement zone (from `HighBandwidthNetwork`)."""
    fabric_network_configs: NotRequired[pulumi.Input[list[dict[str, str]]]]
    """GCP, with GPUDirect: the additional node networks of the zone and machine family (`network`,
    `subnetwork`), one per GPU NIC (from `HighBandwidthNetwork.fabric_network_configs`)."""
    compartment_id: NotRequired[pulumi.Input[str]]
    """OCI: the OCID of the compartment everything is created in (required on OCI)."""
    cluster_id: NotRequired[pulumi.Input[str]]
    """OCI: the OKE cluster's OCID (required on OCI: node pools name their cluster by id)."""
    kubernetes_version: NotRequired[pulumi.Input[str]]
    """The cluster's Kubernetes version, which the nodes run: EKS node group `version`, AKS agent pool
    `orchestratorVersion`; OCI (required): the OKE version ("v1.33.1") the pool runs and picks its node image
    by. GKE pools take none: they auto-upgrade with their cluster. Default (not OCI): the cluster's version
    when the group is created, kept until the group is upgraded."""
    cluster_kubeconfig: NotRequired[pulumi.Input[str]]
    """OCI, with the RDMA fabric: the cluster's kubeconfig (no credential), whose API endpoint and CA the
    cluster network's hosts join with as self-managed nodes."""
    site: NotRequired[SiteArgs]
    """Owned capacity: the site the cluster is (required where the cloud's regions are owned sites)."""


class HighBandwidthNetworkArgs(TypedDict):
    """The network a GPU cluster runs in, with the GPU fabric prepared for its instance types."""

    cloud: str
    """A cloud the components build on (`gpufleet.clouds.component_clouds()`: "aws", "azure", "gcp")."""
    region: str
    """Cloud region."""
    zones: list[str]
    """Placement zones of the node groups (AWS "us-west-2a", Azure "1"); at least one."""
    instance_types: list[str]
    """GPU instance types that will run here: they decide the fabric and the bandwidth outputs."""
    tags: dict[str, str]
    """Tags for every taggable child; must include team, cost-center and environment."""
    enable_fabric: NotRequired[bool]
    """Default true: prepare the fabric (AWS EFA security group, Azure proximity placement groups)."""
    enable_file_system_subnet: NotRequired[bool]
    """Default false: add what a parallel file system needs (AWS: a Lustre security group; Azure: a subnet of its own)."""
    cidr: NotRequired[str]
    """Address space of the VPC / VNet, a /8 to /18 (default "10.0.0.0/16")."""
    resource_group_name: NotRequired[pulumi.Input[str]]
    """Azure: resource group (required on Azure)."""
    compartment_id: NotRequired[pulumi.Input[str]]
    """OCI: the OCID of the compartment everything is created in (required on OCI)."""
    site: NotRequired[SiteArgs]
    """Owned capacity: the site the network is (required where the cloud's regions are owned sites)."""


class StorageSpecArgs(TypedDict):
    """Storage tiers one workload needs; the cloud-independent half of `StorageTiersArgs`."""

    workload: str
    """Workload the storage feeds: tag `gpufleet-workload`, part of child names."""
    enable_hot_tier: NotRequired[bool]
    """Default true: declare the parallel file system (FSx for Lustre / Azure Managed Lustre)."""
    hot_capacity_tib: NotRequired[float]
    """Hot tier size in TiB; must be on a capacity step of the product. 0 or absent: sized from the GPUs."""
    throughput_mb_s_per_tib: NotRequired[int]
    """Hot tier throughput tier in MB/s per TiB. Default: the highest tier when the size comes from the
    GPUs (least capacity for the throughput), else the lowest tier that gives the GPUs their throughput."""
    throughput_mb_s_per_gpu: NotRequired[float]
    """Hot tier read throughput to provide per GPU fed, in MB/s. Default 250: a gpufleet design
    assumption (about 2 GB/s per 8-GPU node), not a cloud or NVIDIA figure; set it from your data loader."""
    object_capacity_tib: NotRequired[float]
    """Expected object storage in TiB; informational (tag `gpufleet-object-tib`), object stores do not size."""
    cool_after_days: NotRequired[int]
    """Days after which objects move to the cool class (S3 Standard-IA, Azure Cool). Absent: no cool step."""
    cold_after_days: NotRequired[int]
    """Days after which objects move to the cold class (S3 Glacier Instant Retrieval, Azure Cold). Default 30."""
    archive_after_days: NotRequired[int]
    """Days after which objects move to the archive class (S3 Glacier Deep Archive, Azure Archive). Default 180."""


class StorageTiersArgs(StorageSpecArgs):
    """A hot parallel file system sized from the GPUs it feeds, and an object store with lifecycle tiers."""

    cloud: str
    """A cloud the components build on (`gpufleet.clouds.component_clouds()`: "aws", "azure", "gcp")."""
    region: str
    """Cloud region."""
    zone: str
    """Zone of the GPUs fed: the file system is placed there."""
    gpu_count: int
    """GPUs the hot tier feeds (the node group's provisioned GPUs)."""
    tags: dict[str, str]
    """Tags for every taggable child; must include team, cost-center and environment."""
    file_system_subnet_id: NotRequired[pulumi.Input[str]]
    """Subnet of the file system (AWS: a subnet in `zone`; Azure: the file-system subnet). Required with the hot tier."""
    file_system_security_group_id: NotRequired[pulumi.Input[str]]
    """AWS: the Lustre security group from `HighBandwidthNetwork` (required with the hot tier)."""
    private_endpoint_subnet_id: NotRequired[pulumi.Input[str]]
    """Azure: subnet for the storage account's private endpoint (required on Azure)."""
    resource_group_name: NotRequired[pulumi.Input[str]]
    """Azure: resource group (required on Azure)."""
    compartment_id: NotRequired[pulumi.Input[str]]
    """OCI: the OCID of the compartment everything is created in (required on OCI)."""


class GpuClusterArgs(TypedDict):
    """One cloud and region: network, private Kubernetes control plane, GPU node groups, storage tiers."""

    cloud: str
    """A cloud the components build on (`gpufleet.clouds.component_clouds()`: "aws", "azure", "gcp")."""
    region: str
    """Cloud region."""
    tags: dict[str, str]
    """Tags for every taggable child; must include team, cost-center and environment."""
    node_groups: list[NodeGroupSpecArgs]
    """One GPU node group per workload; workload names must be unique."""
    storage: NotRequired[list[StorageSpecArgs]]
    """Storage tiers, each for a workload of `node_groups` (GPUs fed = that node group's GPUs)."""
    resource_group_name: NotRequired[pulumi.Input[str]]
    """Azure: resource group for everything (required on Azure)."""
    compartment_id: NotRequired[pulumi.Input[str]]
    """OCI: the OCID of the compartment everything is created in (required on OCI)."""
    kubernetes_version: NotRequired[str]
    """Kubernetes minor version ("1.33"); OCI: an exact OKE version ("v1.34.2"). Default: the cloud's default
    for new clusters (OCI, CoreWeave: the adapter's named `DEFAULT_KUBERNETES_VERSION`). The node groups run it
    too (EKS `version`, AKS `orchestratorVersion`, OKE), so raising it upgrades them; GKE pools auto-upgrade."""
    system_node_size: NotRequired[str]
    """Instance type / VM size of the small system node group that runs cluster add-ons.
    Default: the cloud adapter's `default_system_node_size`."""
    cidr: NotRequired[str]
    """Address space of the VPC / VNet (default "10.0.0.0/16")."""
    enable_gpu_software: NotRequired[bool]
    """Default false: declare the GPU software stack (`GpuSoftwareStack`) in the cluster through a Kubernetes
    provider bound to the cluster's own kubeconfig."""
    site: NotRequired[SiteArgs]
    """Owned capacity: the site whose existing cluster this is (required where the cloud's regions are owned
    sites). Nothing is created but Kubernetes objects, through the Kubernetes provider in `opts.providers`;
    the site's `gpu_software` (not `enable_gpu_software`) decides the GPU software there."""


class GpuQueueArgs(TypedDict):
    """The capacity of one GPU node group, as a Kueue queue sees it."""

    workload: str
    """Node group's workload: names its ResourceFlavor, ClusterQueue and LocalQueue; selects its nodes by
    the `gpufleet.io/workload` label."""
    gpus: int
    """GPUs the node group provisions: the queue's `nvidia.com/gpu` quota."""
    memory_gib: float
    """The node group's memory (nodes × the catalog's memory per node): the queue's `memory` quota."""


class GpuSoftwareStackArgs(TypedDict):
    """The Kubernetes pieces a GPU job needs: GPU device plugin or operator, fabric plugin, Kueue."""

    cloud: str
    """The cloud: its adapter says whether node images carry the NVIDIA driver (`node_image_has_gpu_driver`)."""
    fabric: str
    """"EFA", "InfiniBand" or "none": which fabric plugin or operator to add."""
    queues: list[GpuQueueArgs]
    """One Kueue ClusterQueue (with its ResourceFlavor and LocalQueue) per GPU node group."""
    queue_namespace: NotRequired[str]
    """Namespace of the LocalQueues that jobs name in their `kueue.x-k8s.io/queue-name` label. Default "default"."""
    enable_queues: NotRequired[bool]
    """Default true: Kueue and the queues, so jobs wait for capacity instead of failing."""
    gpu_plugin: NotRequired[str]
    """"device-plugin" or "gpu-operator"; absent: as the cloud's adapter says (owned sites say which)."""
