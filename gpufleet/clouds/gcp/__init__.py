"""Google Cloud (pulumi-gcp): read by the estimator, the policy pack and the report; no components yet."""

from gpufleet.clouds.adapter import CloudAdapter, Feature
from gpufleet.clouds.gcp.readers import GPU_TYPE_PATTERN, READERS


class Gcp(CloudAdapter):
    name = "gcp"
    title = "Google Cloud"
    packages = ("gcp",)
    readers = tuple(READERS)
    gpu_type_pattern = GPU_TYPE_PATTERN
    sdk_module = "pulumi_gcp"
    # GCP `tags` are network tags (a list of strings on instances); owner metadata is `labels`, on a GKE
    # cluster `resource_labels`, on a node pool its nodes' GCE labels (a pool has no labels of its own).
    owner_fields = (("labels", "labels"), ("resource_labels", "resourceLabels"))
    owner_tags_paths = {"gcp:container/nodePool:NodePool": ("nodeConfig", "resourceLabels")}
    provider_default_tags = ("defaultLabels", (), "gcp:defaultLabels")
    owner_tag_rules = "label values are lower-case letters, digits, '_' and '-'"
    unsupported = {
        Feature.COMPONENTS: "no declare module builds GKE clusters, node pools and storage yet; the estimator, "
                            "the policy pack and the report read GCP resources written with pulumi-gcp",
    }
