"""AWS product facts the components and preflight need, with their sources, and what the AWS
components do not provide and why."""

from __future__ import annotations

from gpufleet.clouds.adapter import Feature
from gpufleet.clouds.file_systems import CapacitySteps, FileSystemProduct

GPU_TYPE_PATTERN = r"^(p|g)\d"  # the P and G families: GPU types the catalog may not know yet

UNSUPPORTED: dict[Feature, str] = {
    Feature.FABRIC_UNKNOWN_INTERFACE_COUNT: (
        "the catalog has no max_efa_interfaces for these sizes (e.g. p5.4xlarge, p6-b200.48xlarge); attaching fewer "
        "interfaces than the hardware has silently cuts bandwidth, so preflight refuses the fabric rather "
        "than guess the count"
    ),
    Feature.SPOT_MAX_PRICE: (
        "EKS managed node groups take no Spot price cap (their launch template may not set Spot market "
        "options); AWS caps Spot at the On-Demand price"
    ),
    Feature.INTERNET_EGRESS: (
        "nodes are private and reach AWS through VPC endpoints; images from registries other than ECR need an "
        "ECR pull-through cache or a NAT gateway added on purpose"
    ),
    Feature.ARM64_GPU_HOSTS: (
        "UltraServers need the arm64 NVIDIA AMI and UltraServer capacity; the catalog has no offer for them, "
        "so preflight refuses them"
    ),
    Feature.ZONE_EXISTENCE_CHECK: (
        "zone letters map to different physical zones in each account and not every letter exists in every "
        "region; the default '<region>a' is a convention: pass `zone`, or a reservation, to choose"
    ),
    Feature.PROXIMITY_PLACEMENT_GROUPS: (
        "EC2 cluster placement groups belong to each node group (its `placement_group_name`), not to the "
        "network, so the network's `proximity_placement_group_ids` is empty"
    ),
    Feature.FABRIC_NETWORKS: (
        "EFA interfaces attach in the node group's own subnet: no network per GPU NIC exists, and "
        "`fabric_network_configs` is empty"
    ),
    Feature.OBJECT_CONTAINER: (
        "an S3 bucket holds objects directly, with no container inside it: `object_store_name` is the bucket "
        "and `object_container_name` is None"
    ),
}

RESERVATION_KINDS = ("capacity-reservation", "capacity-block")
# The EKS-optimized AL2023 NVIDIA AMI carries the NVIDIA driver, not the device plugins (EKS user guide,
# "Install Kubernetes device plugin for GPUs"): the GPU software stack adds the device plugin only.
NODE_IMAGE_HAS_GPU_DRIVER = True
DEFAULT_SYSTEM_NODE_SIZE = "m7i.xlarge"

# Version-like defaults (docs/clouds.md, "Version-like defaults"): named here with their source, never
# literals in the declare module. No Kubernetes version is defaulted: without `kubernetes_version`, a
# cluster gets the cloud's default version for new clusters.
# EKS managed node group AMI types (EKS API reference, Nodegroup `amiType`): Amazon Linux 2023, as EKS
# stopped publishing Amazon Linux 2 AMIs on 2025-11-26 (EKS user guide, "Amazon Linux 2 AMI deprecation");
# the NVIDIA variant carries the NVIDIA driver (NODE_IMAGE_HAS_GPU_DRIVER above).
GPU_AMI_TYPE = "AL2023_x86_64_NVIDIA"
SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD"
ROOT_DEVICE = "/dev/xvda"  # the root device name of the AL2023 EKS AMIs (their block device mapping)
# The root volume of each node of an EKS managed node group without a launch template, when `diskSize` is
# not set: "The default disk size is 20 GiB for Linux and Bottlerocket. The default disk size is 50 GiB for
# Windows." (EKS API reference, CreateNodegroup `diskSize`, as the AWS SDK for Kotlin reference reproduces it,
# read 2026-11-30; pulumi-aws 7.51.1 `eks.NodeGroup.disk_size`: "Defaults to `50` for Windows, `20` all other
# node groups"). Windows node groups are those of a `WINDOWS_*` `amiType` (EKS API reference, Nodegroup
# `amiType`). Its volume type is not documented by AWS (the launch template EKS creates "with default values").
EKS_DEFAULT_DISK_GIB, EKS_WINDOWS_DEFAULT_DISK_GIB = 20, 50
# The Lustre version of FSx for Lustre file systems: 2.15, the newest, valid for every deployment type
# (pulumi-aws 7.51.1 `LustreFileSystem.file_system_type_version`: 2.10, 2.12 or 2.15).
LUSTRE_VERSION = "2.15"
S3_STANDARD_IA_MIN_DAYS = 30  # S3 user guide, "Transitioning objects using Amazon S3 Lifecycle"

_FSX_PERSISTENT_2_SSD = CapacitySteps(first_gib=(1200, 2400), step_gib=2400)

FILE_SYSTEM = FileSystemProduct(
    cloud="aws",
    name="Amazon FSx for Lustre, PERSISTENT_2 deployment, SSD storage",
    resource_type="aws:fsx/lustreFileSystem:LustreFileSystem",
    tiers={tier: _FSX_PERSISTENT_2_SSD for tier in (125, 250, 500, 1000)},
    source="AWS FSx API CreateFileSystem StorageCapacity (PERSISTENT_2 SSD: 1.2 TiB, 2.4 TiB, then "
    "increments of 2.4 TiB) and PerUnitStorageThroughput (PERSISTENT_2 SSD: 125, 250, 500, 1000 "
    "MB/s/TiB), as documented on pulumi-aws 7.51.1 fsx.LustreFileSystem",
)
