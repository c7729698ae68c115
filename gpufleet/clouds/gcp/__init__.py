"""Google Cloud (pulumi-gcp): read by the estimator and the policy pack."""

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.gcp.readers import GPU_TYPE_PATTERN, READERS


class Gcp(CloudAdapter):
    name = "gcp"
    readers = tuple(READERS)
    gpu_type_pattern = GPU_TYPE_PATTERN
