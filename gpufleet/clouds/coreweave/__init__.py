"""CoreWeave (pulumi-coreweave 1, node pools through pulumi-kubernetes): a CKS cluster whose API server is
not public in its VPC, GPU node pools as CoreWeave's NodePool custom resource (InfiniBand instance types for
the fabric), AI Object Storage with versioning and a lifecycle configuration; CKS node pools read, priced
and policed; placement over CoreWeave regions."""

from __future__ import annotations

from typing import Any, TYPE_CHECKING

from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.coreweave import facts, preflight
from gpufleet.clouds.coreweave.readers import GPU_TYPE_PATTERN, NODE_POOL, READERS
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.clouds.plans import NodeGroupPlan


class CoreWeave(CloudAdapter):
    name = "coreweave"
    # CKS `version`: a minor version with a "v" ("v1.35", pulumi-coreweave 1.0.3); "1.35" is written so too.
    kubernetes_version_format = (r"v?\d+\.\d+", 'a minor version, e.g. "v1.35"')
    title = "CoreWeave"
    packages = ("coreweave",)
    readers = tuple(READERS)
    gpu_type_pattern = GPU_TYPE_PATTERN
    declare_module = "gpufleet.clouds.coreweave.declare"
    unsupported = facts.UNSUPPORTED
    sdk_modules = {"coreweave": "pulumi_coreweave"}
    # The NodePool custom resource is the billed GPU capacity; its labels are where gpufleet puts the owner tags.
    owner_tags_paths = {NODE_POOL: ("metadata", "labels")}

    def default_zone(self, region: str) -> str:
        return preflight.default_zone(region)

    def zone_problem(self, path: str, region: str, zone: object) -> Problem | None:
        return preflight.zone_problem(path, region, zone)

    def node_group_problems(self, plan: NodeGroupPlan, path: str) -> list[Problem]:
        return preflight.node_group_problems(plan, path)

    def required_inputs(self, component: str, plan: Any) -> tuple[str, ...]:
        return preflight.required_inputs(component, plan)
