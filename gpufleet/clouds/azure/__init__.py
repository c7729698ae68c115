"""Microsoft Azure (pulumi-azure-native 3): private AKS, GPU agent pools with InfiniBand placement,
Azure Managed Lustre and Blob storage."""

from __future__ import annotations

from typing import Any

from gpufleet.clouds.adapter import CloudAdapter, ReservationScope
from gpufleet.clouds.azure import facts, preflight
from gpufleet.clouds.azure import classic_readers, offline
from gpufleet.clouds.azure.readers import READERS
from gpufleet.clouds.offline import ProviderConfig
from gpufleet.errors import Problem


class Azure(CloudAdapter):
    name = "azure"
    # AKS `kubernetesVersion` (azure-native ManagedCluster): "Both patch version <major.minor.patch> (e.g.
    # 1.20.13) and <major.minor> (e.g. 1.20) are supported".
    kubernetes_version_format = (r"\d+\.\d+(\.\d+)?", 'a minor or patch version, e.g. "1.33" or "1.33.2"')
    title = "Azure"
    packages = ("azure-native", "azure")  # azure-native, and the classic (Terraform-based) provider
    readers = (*READERS, *classic_readers.READERS)
    gpu_type_pattern = r"^Standard_N"  # N-series
    declare_module = "gpufleet.clouds.azure.declare"
    unsupported = facts.UNSUPPORTED
    reservation_kinds = facts.RESERVATION_KINDS
    file_system = facts.FILE_SYSTEM
    offline_answers = offline.ANSWERS
    node_image_has_gpu_driver = facts.NODE_IMAGE_HAS_GPU_DRIVER
    scope_inputs = ("resource_group_name",)
    sdk_modules = {"azure-native": "pulumi_azure_native", "azure": "pulumi_azure"}

    def default_zone(self, region: str) -> str:
        return preflight.default_zone(region)

    def zone_problem(self, path: str, region: str, zone: object) -> Problem | None:
        return preflight.zone_problem(path, region, zone)

    def required_inputs(self, component: str, plan: Any) -> tuple[str, ...]:
        return preflight.required_inputs(component, plan)

    def reservation_scope(self, kind: str, zone: str) -> ReservationScope:
        """A capacity reservation group's zones ("1") name no region: any Azure region may hold it."""
        return ReservationScope(None, "on azure (capacity reservation group)", "reservation on azure")

    def preview_state(self, type_: str, name: str, inputs: dict, provider: ProviderConfig, read_id: str) -> dict:
        return offline.preview_state(type_, name, inputs, provider, read_id)
