"""Amazon Web Services (pulumi-aws 7): EKS, managed GPU node groups with EFA, FSx for Lustre and S3."""

from __future__ import annotations

from typing import Any, TYPE_CHECKING

from gpufleet.clouds.adapter import CloudAdapter, ReservationScope
from gpufleet.clouds.aws import facts, preflight
from gpufleet.clouds.aws import offline
from gpufleet.clouds.aws.readers import READERS
from gpufleet.clouds.offline import ProviderConfig
from gpufleet.errors import Problem

if TYPE_CHECKING:
    from gpufleet.catalog.model import InstanceType
    from gpufleet.clouds.plans import NodeGroupPlan, StoragePlan


class Aws(CloudAdapter):
    name = "aws"
    title = "AWS"
    packages = ("aws",)
    readers = tuple(READERS)
    gpu_type_pattern = facts.GPU_TYPE_PATTERN
    declare_module = "gpufleet.clouds.aws.declare"
    unsupported = facts.UNSUPPORTED
    reservation_kinds = facts.RESERVATION_KINDS
    file_system = facts.FILE_SYSTEM
    offline_answers = offline.ANSWERS
    node_image_has_gpu_driver = facts.NODE_IMAGE_HAS_GPU_DRIVER
    sdk_modules = {"aws": "pulumi_aws"}
    provider_default_tags = ("defaultTags", ("tags",), "aws:defaultTags")
    # EKS `version`: a minor version ("1.33"), the form EKS lists its versions in.
    kubernetes_version_format = (r"\d+\.\d+", 'a minor version, e.g. "1.33"')

    def default_zone(self, region: str) -> str:
        return preflight.default_zone(region)

    def zone_problem(self, path: str, region: str, zone: object) -> Problem | None:
        return preflight.zone_problem(path, region, zone)

    def node_group_problems(self, plan: NodeGroupPlan, path: str) -> list[Problem]:
        return preflight.node_group_problems(plan, path)

    def attaches_fabric(self, instance: InstanceType) -> bool:
        # what preflight refuses: EFA without the interface count
        return instance.high_bandwidth and (instance.interconnect != "EFA" or preflight.efa_interfaces_known(instance))

    def storage_problems(self, plan: StoragePlan, path: str) -> list[Problem]:
        return preflight.storage_problems(plan, path)

    def required_inputs(self, component: str, plan: Any) -> tuple[str, ...]:
        return preflight.required_inputs(component, plan)

    def reservation_scope(self, kind: str, zone: str) -> ReservationScope:
        return preflight.reservation_scope(kind, zone)

    def preview_state(self, type_: str, name: str, inputs: dict, provider: ProviderConfig, read_id: str) -> dict:
        return offline.preview_state(type_, name, inputs, provider, read_id)
