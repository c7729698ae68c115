"""CoreWeave (pulumi-coreweave 1, node pools through pulumi-kubernetes): CKS node pools read, priced and
policed; placement over CoreWeave regions. No components yet (Feature.COMPONENTS)."""

from __future__ import annotations

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.coreweave import facts
from gpufleet.clouds.coreweave.readers import GPU_TYPE_PATTERN, READERS


class CoreWeave(CloudAdapter):
    name = "coreweave"
    title = "CoreWeave"
    packages = ("coreweave",)
    readers = tuple(READERS)
    gpu_type_pattern = GPU_TYPE_PATTERN
    unsupported = facts.UNSUPPORTED
    sdk_modules = {"coreweave": "pulumi_coreweave"}
