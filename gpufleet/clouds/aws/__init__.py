"""Amazon Web Services (pulumi-aws 7)."""

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.aws.readers import READERS


class Aws(CloudAdapter):
    name = "aws"
    readers = tuple(READERS)
    gpu_type_pattern = r"^(p|g)\d"  # P and G families
