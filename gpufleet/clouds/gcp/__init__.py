"""Google Cloud (pulumi-gcp 10): private GKE with Dataplane V2 and multi-networking, GPU node pools
with the GPUDirect networks their machine family needs, Managed Lustre and Cloud Storage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TYPE_CHECKING

from gpufleet.clouds.adapter import CloudAdapter, ReservationScope
from gpufleet.clouds.gcp import facts, preflight
from gpufleet.clouds.gcp.labels import label_problems
from gpufleet.clouds.gcp.offline import ANSWERS
from gpufleet.clouds.gcp.readers import GPU_TYPE_PATTERN, READERS
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.catalog.model import InstanceType
    from gpufleet.clouds.plans import NodeGroupPlan


class Gcp(CloudAdapter):
    name = "gcp"
    # GKE `minMasterVersion`: the version forms GKE documents ("1.X", "1.X.Y", "1.X.Y-gke.N"), not its moving
    # aliases ("latest", "-"): a version that follows GKE's default would change without the stack changing.
    kubernetes_version_format = (r"\d+\.\d+(\.\d+(-gke\.\d+)?)?",
                                 'a version GKE offers, e.g. "1.33", "1.33.5" or "1.33.5-gke.1162000"')
    title = "Google Cloud"
    packages = ("gcp",)
    readers = tuple(READERS)
    gpu_type_pattern = GPU_TYPE_PATTERN
    sdk_modules = {"gcp": "pulumi_gcp"}
    # GCP `tags` are network tags (a list of strings on instances); owner metadata is `labels`, on a GKE
    # cluster `resource_labels`, on a node pool its nodes' GCE labels (a pool has no labels of its own).
    owner_fields = (("labels", "labels"), ("resource_labels", "resourceLabels"))
    owner_tags_paths = {"gcp:container/nodePool:NodePool": ("nodeConfig", "resourceLabels")}
    provider_default_tags = ("defaultLabels", (), "gcp:defaultLabels")
    owner_tag_rules = "label values are lower-case letters, digits, '_' and '-'"
    declare_module = "gpufleet.clouds.gcp.declare"
    unsupported = facts.UNSUPPORTED
    reservation_kinds = facts.RESERVATION_KINDS
    file_system = facts.FILE_SYSTEM
    offline_answers = ANSWERS
    node_image_has_gpu_driver = True  # GKE installs the driver (node pools' gpu_driver_installation_config)
    runs_gpu_device_plugin = True  # and runs the GPU device plugin (facts.UNSUPPORTED[Feature.DEVICE_PLUGINS])

    def default_zone(self, region: str) -> str:
        return preflight.default_zone(region)

    def zone_problem(self, path: str, region: str, zone: object) -> Problem | None:
        return preflight.zone_problem(path, region, zone)

    def tag_problems(self, path: str, tags: Mapping[str, object]) -> list[Problem]:
        return label_problems(path, tags)

    def node_group_problems(self, plan: NodeGroupPlan, path: str) -> list[Problem]:
        return preflight.node_group_problems(plan, path)

    def type_refusal(self, instance: InstanceType) -> str | None:
        return preflight.type_refusal(instance)

    def attaches_fabric(self, instance: InstanceType) -> bool:
        return instance.high_bandwidth and preflight.fabric_wiring(preflight.machine_family(instance))

    def required_inputs(self, component: str, plan: Any) -> tuple[str, ...]:
        return preflight.required_inputs(component, plan)

    def stack_config(self, path: str, environ: Mapping[str, str]) -> tuple[dict[str, str], list[Problem]]:
        # The cluster's workload pool and service accounts are named by the project: a stack gpufleet
        # writes records the one its provider would use, so the preview shows it and a later destroy
        # (the reaper, another shell) acts on the same project.
        project = next((environ[v].strip() for v in facts.PROJECT_ENVIRONMENT if environ.get(v, "").strip()), None)
        if project is not None:
            return {"gcp:project": project}, []
        return {}, [Problem(path, "placed on GCP, the stack needs the project to deploy into (its `gcp:project`): "
                                  f"set {' or '.join(facts.PROJECT_ENVIRONMENT)}, as for the GCP provider")]

    def reservation_scope(self, kind: str, zone: str) -> ReservationScope:
        return preflight.reservation_scope(kind, zone)
