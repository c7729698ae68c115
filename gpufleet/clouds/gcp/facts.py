"""GCP product facts the components and preflight need, with their sources, and what the GCP
components do not provide and why. Facts about machine families (their GPU fabric networks, MTU,
compact placement) are catalog data: gpufleet/catalog/data/machine_families.csv."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpufleet.clouds.adapter import Feature
from gpufleet.clouds.file_systems import CapacitySteps, FileSystemProduct

# Where the GCP provider takes its project from when `gcp:project` is not set, first set wins
# (pulumi-gcp 10.2.0, pulumi_gcp/config/vars.py `project`).
PROJECT_ENVIRONMENT = ("GOOGLE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")

UNSUPPORTED: dict[Feature, str] = {
    Feature.FABRIC_UNKNOWN_INTERFACE_COUNT: (
        "the catalog has no GPU NIC count or MTU for this machine family (e.g. A3 Edge); wiring fewer networks "
        "than the machine has NICs silently cuts bandwidth, so preflight refuses the fabric rather than guess"
    ),
    Feature.SPOT_MAX_PRICE: (
        "GKE Spot nodes take no price cap: Spot VMs are billed at the current Spot price and can be preempted "
        "at any time"
    ),
    Feature.DEVICE_PLUGINS: (
        "GKE installs the NVIDIA driver (gpu_driver_installation_config) and the GPU device plugin; the "
        "GPUDirect-TCPX/TCPXO NCCL plugin and RxDM daemon, or the RDMA (gIB) NCCL plugin, are Kubernetes "
        "objects: install them with your cluster tooling"
    ),
    Feature.FABRIC_IN_PODS: (
        "the node pools get every GPU NIC's network; giving pods those NICs needs GKE `Network` and "
        "`GKENetworkParamSet` objects (Kubernetes objects, not declared here)"
    ),
    Feature.INTERNET_EGRESS: (
        "nodes are private and reach Google APIs (Artifact Registry, Cloud Storage) through Private Google "
        "Access; images from other registries need a Cloud NAT added on purpose"
    ),
    Feature.ZONE_EXISTENCE_CHECK: (
        "zone letters differ per region (europe-west1 has b, c and d) and the catalog records regions only, so "
        "preflight checks a zone's form ('<region>-<letter>') and the default '<region>-a' is a convention: "
        "pass `zone`, or a reservation, to choose"
    ),
    Feature.PLACEMENT_GROUP_WITH_RESERVATION: (
        "a reservation dictates placement (machines of one reservation are densely colocated); forcing a "
        "compact placement policy as well can leave reserved capacity unusable, so reserved pools get none"
    ),
    Feature.FABRIC_SECURITY_GROUP: (
        "each GPU network of a TCPX/TCPXO machine has its own VPC firewall rule admitting traffic from within "
        "that network (RoCE networks admit it implicitly); there is no group to pass: "
        "`fabric_security_group_id` is None"
    ),
    Feature.FILE_SYSTEM_SECURITY_GROUP: (
        "Managed Lustre is reached through private services access; a VPC firewall rule admits the Lustre "
        "servers' range, there is no group: `file_system_security_group_id` is None"
    ),
    Feature.PROXIMITY_PLACEMENT_GROUPS: (
        "compact placement is a resource policy of each GKE node pool (`placement_group_name`), not of the "
        "network: `proximity_placement_group_ids` is empty"
    ),
    Feature.OBJECT_CONTAINER: "a Cloud Storage bucket has no containers: `object_container_name` is None",
    Feature.HOT_TIER_OBJECT_LINK: (
        "Managed Lustre moves data to and from Cloud Storage by import and export operations you run, not by "
        "a standing link; none is declared"
    ),
}

RESERVATION_KINDS = ("specific-reservation",)
DEFAULT_SYSTEM_NODE_SIZE = "e2-standard-4"

# Version-like defaults (docs/clouds.md, "Version-like defaults"): named here with their source, never
# literals in the declare module. No Kubernetes version is defaulted: without `kubernetes_version`, a
# cluster gets the cloud's default version for new clusters.
# Container-Optimized OS with containerd (node pool `imageType`): the image GKE's GPUDirect-TCPX/TCPXO and
# RDMA setups run on (GKE docs, "Maximize GPU network bandwidth with GPUDirect and multi-networking").
NODE_IMAGE_TYPE = "COS_CONTAINERD"
# GKE installs the NVIDIA driver (`gpuDriverInstallationConfig.gpuDriverVersion`: DEFAULT or LATEST, GKE docs
# "Run GPUs in GKE Standard node pools"): LATEST, which the newest GPU machine families need.
GPU_DRIVER_VERSION = "LATEST"
# The cluster's release channel: REGULAR, the channel GKE enrols new clusters in by default (GKE docs,
# "About release channels"); GKE upgrades the control plane and nodes within it.
RELEASE_CHANNEL = "REGULAR"
SYSTEM_NODES = (2, 3)  # min, max over the cluster's zones: two for add-on availability
RESERVATION_LABEL_KEY = "compute.googleapis.com/reservation-name"  # GKE: consume a specific reservation by name

# GKE accelerator type of each machine family's GPUs, for `guest_accelerators`. Sources:
# GoogleCloudPlatform/cluster-toolkit modules/compute/gke-node-pool/gpu_definition.tf @19416ae (A2, A3 High,
# G2), examples/gke-a3-ultragpu/gke-a3-ultragpu.yaml @20e6d1c (nvidia-h200-141gb) and examples/gke-a4/gke-a4.yaml
# @a6463fd (nvidia-b200), container-engine-accelerators gpudirect-tcpxo/nccl-test-latest-autopilot.yaml
# (node selector nvidia-h100-mega-80gb). A family not listed here gets no pool: preflight says so.
ACCELERATOR_TYPES: dict[str, str] = {
    "a2-highgpu": "nvidia-tesla-a100",
    "a2-megagpu": "nvidia-tesla-a100",
    "a2-ultragpu": "nvidia-a100-80gb",
    "a3-highgpu": "nvidia-h100-80gb",
    "a3-megagpu": "nvidia-h100-mega-80gb",
    "a3-ultragpu": "nvidia-h200-141gb",
    "a4-highgpu": "nvidia-b200",
    "g2-standard": "nvidia-l4",
}

# Cloud Storage classes the lifecycle moves objects to (Cloud Storage docs, "Storage classes").
COOL_CLASS, COLD_CLASS, ARCHIVE_CLASS = "NEARLINE", "COLDLINE", "ARCHIVE"
SOFT_DELETE_SECONDS = 30 * 24 * 3600  # deleted objects stay restorable for 30 days


@dataclass(frozen=True)
class TieredSteps(CapacitySteps):
    """Managed Lustre sizes: multiples of `step_gib` from `min_gib` up to `threshold_gib`, then multiples
    of `coarse_step_gib` up to `max_gib`."""

    min_gib: int = 0
    threshold_gib: int = 0
    coarse_step_gib: int = 0
    max_gib: int = 0

    def is_valid(self, gib: int) -> bool:
        if not self.min_gib <= gib <= self.max_gib:
            return False
        return gib % (self.step_gib if gib <= self.threshold_gib else self.coarse_step_gib) == 0

    def round_up(self, gib: float) -> int:
        size = max(self.min_gib, math.ceil(gib / self.step_gib) * self.step_gib)
        if size > self.threshold_gib:
            size = math.ceil(gib / self.coarse_step_gib) * self.coarse_step_gib
        return min(size, self.max_gib)

    def neighbours(self, gib: float) -> tuple[int, ...]:
        above = self.round_up(gib)
        step = self.step_gib if gib <= self.threshold_gib else self.coarse_step_gib
        below = math.floor(gib / step) * step
        return (below, above) if self.min_gib <= below < above else (above,)


def _tier(min_gib: int, max_gib: int, threshold_gib: int, coarse_step_gib: int) -> TieredSteps:
    return TieredSteps(first_gib=(), step_gib=min_gib, min_gib=min_gib, threshold_gib=threshold_gib,
                       coarse_step_gib=coarse_step_gib, max_gib=max_gib)


FILE_SYSTEM = FileSystemProduct(
    cloud="gcp",
    name="Google Cloud Managed Lustre",
    resource_type="gcp:lustre/instance:Instance",
    tiers={
        125: _tier(72_000, 12_240_000, 12_240_000, 72_000),
        250: _tier(36_000, 40_032_000, 6_120_000, 288_000),
        500: _tier(18_000, 20_016_000, 3_060_000, 144_000),
        1000: _tier(9_000, 10_008_000, 1_530_000, 72_000),
    },
    source="Google Cloud Managed Lustre docs, 'Performance tiers' and 'Increase the capacity of a Managed Lustre "
    "instance' (per tier in MBps per TiB: 1000 from 9,000 GiB in steps of 9,000 up to 1,530,000 GiB, then 72,000 "
    "up to 10,008,000; 500 from 18,000 by 18,000 to 3,060,000, then 144,000 to 20,016,000; 250 from 36,000 by "
    "36,000 to 6,120,000, then 288,000 to 40,032,000; 125 from 72,000 by 72,000 to 12,240,000), read 2026-11-30",
)
