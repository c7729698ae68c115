"""CoreWeave product facts and what gpufleet does not provide on CoreWeave, and why."""

from __future__ import annotations

from gpufleet.clouds.adapter import Feature

UNSUPPORTED: dict[Feature, str] = {
    Feature.COMPONENTS: (
        "gpufleet reads, prices and polices CoreWeave programs (CKS clusters, NodePool custom resources, AI "
        "Object Storage) and places workloads on CoreWeave instance types, but its components do not declare "
        "CoreWeave clusters yet: declare CKS with pulumi-coreweave and node pools with pulumi-kubernetes"
    ),
}
