"""CoreWeave product facts the components and preflight need, with their sources, and what the CoreWeave
components do not provide and why."""

from __future__ import annotations

from gpufleet.clouds.adapter import Feature

UNSUPPORTED: dict[Feature, str] = {
    Feature.SPOT_CAPACITY: (
        "a CKS Node Pool's computeClass has one value, `default`, for on-demand and reserved instances "
        "(docs.coreweave.com, Node Pool reference): CoreWeave node pools take no Spot capacity"
    ),
    Feature.SPOT_MAX_PRICE: "CoreWeave node pools take no Spot capacity, so no Spot price cap either",
    Feature.INTERNET_EGRESS: (
        "the VPC keeps CoreWeave's default egress (nodes pull images from the internet); blocking it "
        "(`egress.disable_public_access`) needs a registry mirror inside CoreWeave first"
    ),
    Feature.ZONE_EXISTENCE_CHECK: (
        "the catalog records regions only; preflight checks a zone's form (the region and one letter, "
        "'US-EAST-04A') and the default '<region>A' is a convention: pass `zone` to choose"
    ),
    Feature.FABRIC_IN_PODS: (
        "InfiniBand instance types come with the fabric attached to the hosts; pods reach it through CoreWeave's "
        "own device plugins, which CKS runs (not declared here)"
    ),
    Feature.FABRIC_SECURITY_GROUP: (
        "InfiniBand runs on the hosts' own fabric, outside the VPC: `fabric_security_group_id` is None"
    ),
    Feature.FILE_SYSTEM_SECURITY_GROUP: "there is no hot-tier file system on CoreWeave: `file_system_security_group_id` is None",
    Feature.PROXIMITY_PLACEMENT_GROUPS: (
        "CoreWeave places InfiniBand instance types on its fabric itself: `proximity_placement_group_ids` is empty"
    ),
    Feature.OBJECT_CONTAINER: "an AI Object Storage bucket has no containers: `object_container_name` is None",
    Feature.FABRIC_NETWORKS: "InfiniBand is not wired through VPC networks: `fabric_network_configs` is empty",
    Feature.OBJECT_STORAGE_CLASSES: (
        "AI Object Storage has no colder storage class to move objects to (it prices data by how recently it was "
        "read): the bucket's lifecycle configuration aborts incomplete uploads, and `cold_after_days` and "
        "`archive_after_days` move nothing"
    ),
}

# The Kubernetes minor a CKS cluster runs when `kubernetes_version` is not given: the minor-version form
# pulumi-coreweave 1.0.3 documents for CksCluster.version ("e.g. 'v1.35'"). A named default, reviewed
# with each pulumi-coreweave upgrade; a real preview fails if CKS no longer offers it.
DEFAULT_KUBERNETES_VERSION = "v1.35"
NODE_POOL_API_VERSION, NODE_POOL_KIND = "compute.coreweave.com/v1alpha1", "NodePool"
COMPUTE_CLASS = "default"  # docs.coreweave.com Node Pool reference: the only computeClass
ABORT_INCOMPLETE_UPLOADS_DAYS = 7  # gpufleet's choice: half-finished multipart uploads are deleted after a week
