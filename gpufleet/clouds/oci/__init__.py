"""Oracle Cloud Infrastructure (pulumi-oci 5): a private enhanced OKE cluster, GPU node pools on bare-metal
GPU shapes or an RDMA cluster network of self-managed OKE nodes for the fabric, File Storage with Lustre
and Object Storage; OKE node pools, instances, instance pools and cluster networks read, priced and
policed; placement over OCI regions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TYPE_CHECKING

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.oci import facts, offline, preflight
from gpufleet.clouds.oci.readers import GPU_TYPE_PATTERN, NODE_POOL, READERS
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.clouds.plans import NodeGroupPlan


class Oci(CloudAdapter):
    name = "oci"
    # OKE takes an exact version ("v1.34.2"); a minor alone is refused with the known patch (preflight).
    kubernetes_version_format = (r"v?\d+\.\d+\.\d+", 'an exact OKE version, e.g. "v1.34.2"')
    title = "Oracle Cloud"
    packages = ("oci",)
    readers = tuple(READERS)
    gpu_type_pattern = GPU_TYPE_PATTERN
    declare_module = "gpufleet.clouds.oci.declare"
    unsupported = facts.UNSUPPORTED
    file_system = facts.FILE_SYSTEM
    offline_answers = offline.ANSWERS
    scope_inputs = preflight.SCOPE
    node_image_has_gpu_driver = True  # OKE's GPU node images carry the NVIDIA driver
    sdk_modules = {"oci": "pulumi_oci"}
    # OCI's owner metadata is free-form tags (defined tags need a tag namespace created first).
    owner_fields = (("freeform_tags", "freeformTags"),)
    owner_tags_paths = {NODE_POOL: ("freeformTags",)}

    def default_zone(self, region: str) -> str:
        return preflight.default_zone(region)

    def zone_problem(self, path: str, region: str, zone: object) -> Problem | None:
        return preflight.zone_problem(path, region, zone)

    def argument_problems(self, path: str, args: Mapping[str, Any]) -> list[Problem]:
        return preflight.argument_problems(path, args)

    def kubernetes_version_problem(self, path: str, value: object) -> Problem | None:
        """A minor alone is refused naming the OKE patch of it (preflight)."""
        return (preflight.kubernetes_version_problem(path, value) if isinstance(value, str) else None) \
            or super().kubernetes_version_problem(path, value)

    def node_group_problems(self, plan: NodeGroupPlan, path: str) -> list[Problem]:
        return preflight.node_group_problems(plan, path)

    def required_inputs(self, component: str, plan: Any) -> tuple[str, ...]:
        return preflight.required_inputs(component, plan)
