"""Azure product facts the components and preflight need, with their sources, and what the Azure
components do not provide and why."""

from __future__ import annotations

from gpufleet.clouds.adapter import Feature
from gpufleet.clouds.file_systems import GIB_PER_TIB, CapacitySteps, FileSystemProduct

UNSUPPORTED: dict[Feature, str] = {
    Feature.FABRIC_IN_PODS: (
        "RDMA over InfiniBand on AKS needs the AKS InfiniBand support feature flag and a NicClusterPolicy for "
        "the NVIDIA Network Operator; `enable_gpu_software` installs the operator but declares no policy, and "
        "IB-capable sizes are placed in a proximity placement group so the fabric is there when you add one"
    ),
    Feature.HOT_TIER_OBJECT_LINK: (
        "Managed Lustre blob integration (HSM) needs role assignments for the tenant's 'HPC Cache Resource "
        "Provider' service principal, whose object id differs per tenant, and storage reachable from the file "
        "system; link the container after granting them"
    ),
    Feature.PRIVATE_DNS_ZONE: (
        "privatelink.blob.core.windows.net is usually owned by a hub network and shared across VNets; "
        "link your zone to this VNet"
    ),
    Feature.ZONELESS_REGIONS: (
        "node pools, proximity placement groups and Managed Lustre are declared zonal; the catalog does not "
        "record which Azure regions (e.g. westus) have zones"
    ),
    Feature.PLACEMENT_GROUP_WITH_RESERVATION: (
        "a reservation dictates placement; forcing a proximity placement group as well can leave the "
        "reserved VMs unusable, so reserved pools get none"
    ),
    Feature.HOST_DISK_ENCRYPTION: (
        "encryption at host needs a per-subscription feature registration; node disks keep Azure's "
        "platform-managed encryption at rest"
    ),
    Feature.FABRIC_SECURITY_GROUP: (
        "InfiniBand runs on the hosts' own network, outside the VNet, so no security group applies to it: "
        "`fabric_security_group_id` is None (the node subnet's NSG covers the VNet traffic)"
    ),
    Feature.FABRIC_NETWORKS: (
        "InfiniBand runs on the hosts' own network, outside the VNet: no VNet per GPU NIC exists, and "
        "`fabric_network_configs` is empty"
    ),
    Feature.FILE_SYSTEM_SECURITY_GROUP: (
        "Managed Lustre sits in a subnet of its own whose NSG is the network's, so there is no separate "
        "group: `file_system_security_group_id` is None"
    ),
}

RESERVATION_KINDS = ("capacity-reservation-group",)
# AKS installs the NVIDIA driver on GPU node pools (Microsoft Learn, "Use NVIDIA GPU Operator on AKS": the
# operator needs that installation skipped): the GPU software stack adds the device plugin only.
NODE_IMAGE_HAS_GPU_DRIVER = True
ZONES = ("1", "2", "3")
DEFAULT_SYSTEM_NODE_SIZE = "Standard_D4ds_v5"

# Version-like defaults (docs/clouds.md, "Version-like defaults"): named here with their source, never
# literals in the declare module. No Kubernetes version is defaulted: without `kubernetes_version`, a
# cluster gets the cloud's default version for new clusters.
# The node OS of AKS pools (AgentPool `osSKU`): Ubuntu, the node image AKS documents the NVIDIA GPU
# drivers and the ND sizes' InfiniBand drivers on (Microsoft Learn, "Use GPUs for compute-intensive
# workloads on AKS" and "Use InfiniBand on AKS", 2025).
NODE_OS_SKU = "Ubuntu"

FILE_SYSTEM = FileSystemProduct(
    cloud="azure",
    name="Azure Managed Lustre (AMLFS-Durable-Premium SKUs)",
    resource_type="azure-native:storagecache:AmlFilesystem",
    tiers={
        40: CapacitySteps(first_gib=(), step_gib=48 * GIB_PER_TIB),
        125: CapacitySteps(first_gib=(), step_gib=16 * GIB_PER_TIB),
        250: CapacitySteps(first_gib=(), step_gib=8 * GIB_PER_TIB),
        500: CapacitySteps(first_gib=(), step_gib=4 * GIB_PER_TIB),
    },
    source="Microsoft Learn, Azure Managed Lustre 'Create a file system' (SKUs AMLFS-Durable-Premium-"
    "40/125/250/500 MB/s per TiB; minimum and increment 48/16/8/4 TiB)",
)


def lustre_sku(throughput_mb_s_per_tib: int) -> str:
    return f"AMLFS-Durable-Premium-{throughput_mb_s_per_tib}"

# The managed OS disk AKS gives each node when a pool sets no `osDiskSizeGB` (and its OS disks are managed):
# "the number for vCPUs by default determines the OS disk size" — 1-7 vCPUs P10/128G, 8-15 P15/256G, 16-63
# P20/512G, 64+ P30/1024G; "only used on new clusters or node pools when Ephemeral OS disks aren't supported and
# a default OS disk size isn't specified" (MicrosoftDocs/azure-aks-docs articles/aks/concepts-storage.md @074b3dae,
# ms.date 05/02/2024, "Default OS disk sizing"; affects pools created July 2022 or later). (lowest vCPUs, GB)
AKS_DEFAULT_OS_DISK_GB: tuple[tuple[int, int], ...] = ((1, 128), (8, 256), (16, 512), (64, 1024))


def aks_default_os_disk_gb(vcpus: int | None) -> int | None:
    """The default managed OS disk size of an AKS node of `vcpus` vCPUs (None: unknown)."""
    if vcpus is None or vcpus < 1:
        return None
    return [gb for low, gb in AKS_DEFAULT_OS_DISK_GB if vcpus >= low][-1]
