"""Oracle Cloud Infrastructure (pulumi-oci 5): OKE node pools, bare-metal GPU shapes and RDMA cluster
networks read, priced and policed; placement over OCI regions. No components yet (Feature.COMPONENTS)."""

from __future__ import annotations

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.oci import facts
from gpufleet.clouds.oci.readers import GPU_TYPE_PATTERN, NODE_POOL, READERS


class Oci(CloudAdapter):
    name = "oci"
    title = "Oracle Cloud"
    packages = ("oci",)
    readers = tuple(READERS)
    gpu_type_pattern = GPU_TYPE_PATTERN
    unsupported = facts.UNSUPPORTED
    sdk_modules = {"oci": "pulumi_oci"}
    # OCI's owner metadata is free-form tags (defined tags need a tag namespace created first).
    owner_fields = (("freeform_tags", "freeformTags"),)
    owner_tags_paths = {NODE_POOL: ("freeformTags",)}
