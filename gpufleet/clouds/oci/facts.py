"""Oracle Cloud product facts the components and preflight need, with their sources, and what the OCI
components do not provide and why."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpufleet.clouds.adapter import Feature
from gpufleet.clouds.file_systems import CapacitySteps, FileSystemProduct

UNSUPPORTED: dict[Feature, str] = {
    Feature.SPOT_MAX_PRICE: (
        "OCI preemptible capacity takes no price cap: preemptible instances are billed at the preemptible price "
        "and reclaimed when OCI needs the capacity"
    ),
    Feature.FABRIC_IN_PODS: (
        "an RDMA cluster network connects the hosts' RDMA NICs; giving pods those NICs needs the SR-IOV or "
        "host-network setup of OCI's GPU/RDMA guides (Kubernetes objects, not declared here)"
    ),
    Feature.INTERNET_EGRESS: (
        "nodes are private and reach Oracle services (OCI Registry, Object Storage) through a service gateway; "
        "images from other registries need a NAT gateway added on purpose"
    ),
    Feature.ZONE_EXISTENCE_CHECK: (
        "availability domain names carry a tenancy-specific prefix and regions have one or three domains; the "
        "catalog records regions only, so preflight checks the form 'AD-<n>' and the default 'AD-1' (every "
        "region has one): the domain's full name is looked up from the tenancy when declaring"
    ),
    Feature.FABRIC_SECURITY_GROUP: (
        "RDMA traffic runs on the cluster network's own RDMA fabric, outside the VCN's security rules: "
        "`fabric_security_group_id` is None"
    ),
    Feature.FILE_SYSTEM_SECURITY_GROUP: (
        "the Lustre subnet is in the VCN, whose security list admits traffic from within the VCN only; there is "
        "no group to pass: `file_system_security_group_id` is None"
    ),
    Feature.PROXIMITY_PLACEMENT_GROUPS: (
        "an RDMA cluster network places its hosts close together itself (one per fabric node group): "
        "`proximity_placement_group_ids` is empty"
    ),
    Feature.OBJECT_CONTAINER: "an Object Storage bucket has no containers: `object_container_name` is None",
    Feature.FABRIC_NETWORKS: (
        "the RDMA NICs of bare-metal GPU shapes are wired by the cluster network, not by VCN subnets: "
        "`fabric_network_configs` is empty"
    ),
    Feature.HOT_TIER_OBJECT_LINK: (
        "File Storage with Lustre links to Object Storage through a separate object storage link and sync jobs "
        "you start; none is declared"
    ),
    Feature.SCALE_TO_ZERO: (
        "an OKE node pool and an RDMA cluster network run the number of nodes they are given; scaling to zero "
        "needs the OKE Cluster Autoscaler add-on, which gpufleet does not declare"
    ),
}

MIN_BOOT_VOLUME_GB = 50  # pulumi-oci 5.5.0 NodePool node_source_details.boot_volume_size_in_gbs: "Minimum value is 50 GB"

# The small VM shape of the system node pool that runs cluster add-ons: a gpufleet choice (a current
# AMD flexible shape; OCI docs, "Compute Shapes", Standard VM shapes), sized below.
DEFAULT_SYSTEM_NODE_SIZE = "VM.Standard.E5.Flex"
SYSTEM_NODE_OCPUS, SYSTEM_NODE_MEMORY_GB = 2, 16  # gpufleet design choice for add-ons, not an OCI figure
SYSTEM_NODES = 2  # two nodes so add-ons survive a node's loss

# OKE with an RDMA cluster network: the hosts are OKE self-managed nodes, which need an enhanced
# cluster and join it with the OKE image's install script (OCI docs, "Working with Self-Managed
# Nodes": `oke-install.sh --apiserver-endpoint … --kubelet-ca-cert …`).
CLUSTER_TYPE = "ENHANCED_CLUSTER"
SELF_MANAGED_NODE_SCRIPT = "/etc/oke/oke-install.sh"

# Object Storage lifecycle actions (OCI docs, "Object Lifecycle Management": ARCHIVE, INFREQUENT_ACCESS,
# DELETE): OCI has one class between Standard and Archive, so the cool and cold steps share it.
INFREQUENT_ACCESS_ACTION, ARCHIVE_ACTION = "INFREQUENT_ACCESS", "ARCHIVE"

# The OKE Kubernetes versions OCI's docs list for the current minors ("Cluster Add-on Supported Versions",
# kube-proxy image per Kubernetes minor, read 2026-11-30): the offline preview's answer to the node-pool
# option lookup (a real preview asks OCI), and what preflight names when `kubernetes_version` is not an
# exact OKE version.
OKE_VERSIONS_OFFLINE = ("v1.31.10", "v1.32.10", "v1.33.1", "v1.34.2")

# The OKE version a cluster runs when `kubernetes_version` is not given: the newest of the list above. A
# named default, reviewed with each gpufleet release, never looked up: the newest version OKE offers
# changes without the user changing anything, and a cluster following it would be upgraded by a later
# run (docs/clouds.md, "Version-like defaults"). A real `pulumi up` fails if OKE no longer offers it for
# new clusters; set `kubernetes_version` then.
DEFAULT_KUBERNETES_VERSION = OKE_VERSIONS_OFFLINE[-1]


@dataclass(frozen=True)
class LustreSteps(CapacitySteps):
    """File Storage with Lustre sizes: from `min_size` in steps of `step_gib` up to `threshold`, then in
    steps of `coarse_step`. Sizes are in the API's unit (`capacityInGBs`)."""

    min_size: int = 0
    threshold: int = 0
    coarse_step: int = 0

    def is_valid(self, size: int) -> bool:
        if size < self.min_size:
            return False
        if size <= self.threshold:
            return (size - self.min_size) % self.step_gib == 0
        return (size - self.threshold) % self.coarse_step == 0

    def round_up(self, size: float) -> int:
        if size <= self.min_size:
            return self.min_size
        if size <= self.threshold:
            return self.min_size + math.ceil((size - self.min_size) / self.step_gib) * self.step_gib
        return self.threshold + math.ceil((size - self.threshold) / self.coarse_step) * self.coarse_step

    def neighbours(self, size: float) -> tuple[int, ...]:
        above = self.round_up(size)
        if size <= self.min_size:
            return (above,)
        step = self.step_gib if above <= self.threshold else self.coarse_step
        below = above - step
        return (below, above) if below >= self.min_size and below < size else (above,)


# OCI docs, "Increasing File System Capacity" (read 2026-11-30): at least 31.2, in steps of 10.4 up to 124.8,
# then steps of 41.6 (the docs say TiB; the API's `capacityInGBs` is a whole number, so the sizes go in as
# 31200, 41600, … — gpufleet's plan carries that API figure where other clouds carry GiB).
_STEPS = LustreSteps(first_gib=(), step_gib=10_400, min_size=31_200, threshold=124_800, coarse_step=41_600)

FILE_SYSTEM = FileSystemProduct(
    cloud="oci",
    name="OCI File Storage with Lustre",
    resource_type="oci:Lustre/fileStorageLustreFileSystem:FileStorageLustreFileSystem",
    # performance tiers MBPS_PER_TB_125 … MBPS_PER_TB_1000 (OCI CLI `oci lfs lustre-file-system create
    # --performance-tier`), the same capacity steps for every tier
    tiers={125: _STEPS, 250: _STEPS, 500: _STEPS, 1000: _STEPS},
    source="OCI docs 'Increasing File System Capacity' (minimum 31.2, steps of 10.4 up to 124.8 then 41.6) and "
    "the OCI CLI reference for `lfs lustre-file-system create` (performance tiers MBPS_PER_TB_125/250/500/1000), "
    "read 2026-11-30",
)


def performance_tier(mb_s_per_tib: int) -> str:
    """The API's performance tier name of a throughput tier: 1000 -> "MBPS_PER_TB_1000"."""
    return f"MBPS_PER_TB_{mb_s_per_tib}"
