"""Google Cloud (pulumi-gcp): read by the estimator and the policy pack."""

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.gcp.readers import READERS


class Gcp(CloudAdapter):
    name = "gcp"
    readers = tuple(READERS)
    gpu_type_pattern = r"^(a\d|g\d)-"  # accelerator-optimised (A*) and G2/G4 machine types
