"""Google Cloud (pulumi-gcp): read by the estimator, the policy pack and the report; no components yet."""

from gpufleet.clouds.adapter import CloudAdapter, Feature
from gpufleet.clouds.gcp.readers import GPU_TYPE_PATTERN, READERS


class Gcp(CloudAdapter):
    name = "gcp"
    title = "Google Cloud"
    readers = tuple(READERS)
    gpu_type_pattern = GPU_TYPE_PATTERN
    unsupported = {
        Feature.COMPONENTS: "no declare module builds GKE clusters, node pools and storage yet; the estimator, "
                            "the policy pack and the report read GCP resources written with pulumi-gcp",
    }
