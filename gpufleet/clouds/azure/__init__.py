"""Microsoft Azure (pulumi-azure-native 3)."""

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.azure.readers import READERS


class Azure(CloudAdapter):
    name = "azure"
    readers = tuple(READERS)
    gpu_type_pattern = r"^Standard_N"  # N-series
