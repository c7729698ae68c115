"""Owned capacity: what gpufleet does not provide on a site's existing cluster, and why."""

from __future__ import annotations

from gpufleet.clouds.adapter import Feature

UNSUPPORTED: dict[Feature, str] = {
    Feature.NETWORK: (
        "an owned site's network exists before the stack and is not gpufleet's to declare: the network outputs "
        "are None (network_id) or empty (subnets)"
    ),
    Feature.CONTROL_PLANE: (
        "an owned site's Kubernetes cluster exists: gpufleet declares objects in it through the site's provider "
        "(stack config `sites[].cluster`) and outputs neither a cluster id nor a kubeconfig (cluster_name is the site)"
    ),
    Feature.STORAGE_TIERS: (
        "an owned site's storage is the site's own: placement keeps workloads with `storage` off owned sites and "
        "preflight refuses storage tiers there"
    ),
    Feature.FABRIC: (
        "an owned site's GPU fabric is cabled, not declared: a site's `interconnect` says which fabric its nodes "
        "have (placement honours it); no placement group or fabric network is declared (outputs None)"
    ),
}
# Kubernetes label of the nodes a site's ResourceQuota and queues serve; annotations the estimator reads
# back (gpufleet.clouds.owned.readers): which site and site instance type the GPUs of a quota are.
ANNOTATION_SITE = "gpufleet.io/site"
ANNOTATION_INSTANCE_TYPE = "gpufleet.io/instance-type"
ANNOTATION_GPUS_PER_NODE = "gpufleet.io/gpus-per-node"
GPU_QUOTA = "requests.nvidia.com/gpu"
