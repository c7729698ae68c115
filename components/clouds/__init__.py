"""The clouds the components can build, registered in one place.

Each cloud is a module implementing `CloudModule`: it states what it does not support and why
(`UNSUPPORTED`), adds its own refusals to preflight, and declares the resources of each component
the way that cloud needs them. Adding GCP, Oracle or CoreWeave is a new module here and one line in
`_MODULES`; the public components and their arguments do not change.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from gpufleet.catalog import CLOUDS
from gpufleet.errors import Problem, unknown_name

if TYPE_CHECKING:
    import pulumi

    from components.preflight import NetworkPlan, NodeGroupPlan, StoragePlan

_MODULES = {"aws": "components.clouds.aws", "azure": "components.clouds.azure"}
SUPPORTED_CLOUDS: tuple[str, ...] = tuple(_MODULES)


class CloudModule(Protocol):
    """What a cloud module provides. Declaring functions create children with `parent=parent` only:
    the caller's providers reach them through the parent."""

    UNSUPPORTED: dict[str, str]  # feature -> why this cloud module does not declare it
    RESERVATION_KINDS: tuple[str, ...]
    DEFAULT_SYSTEM_NODE_SIZE: str

    def default_zone(self, region: str) -> str: ...

    def zone_problem(self, path: str, region: str, zone: str) -> Problem | None: ...

    def node_group_problems(self, plan: NodeGroupPlan, path: str) -> list[Problem]: ...

    def storage_problems(self, plan: StoragePlan, path: str) -> list[Problem]: ...

    def required_inputs(self, component: str, plan: Any) -> tuple[str, ...]: ...

    def declare_network(self, parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                        args: Mapping[str, Any]) -> dict[str, Any]: ...

    def declare_control_plane(self, parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                              network: Any) -> dict[str, Any]: ...

    def declare_node_group(self, parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                           args: Mapping[str, Any]) -> dict[str, Any]: ...

    def declare_storage(self, parent: pulumi.ComponentResource, name: str, plan: StoragePlan,
                        args: Mapping[str, Any], data_opts: pulumi.ResourceOptions) -> dict[str, Any]: ...


def cloud_problem(path: str, cloud: object) -> Problem | None:
    """None when `cloud` is supported; else why not, naming the clouds that are."""
    if cloud in SUPPORTED_CLOUDS:
        return None
    if cloud in CLOUDS:
        return Problem(path, f"cloud {cloud!r} is not supported by the components yet (it is in the catalog, "
                             "but no cloud module declares its resources)", cloud, SUPPORTED_CLOUDS)
    return unknown_name(path, "cloud", cloud, SUPPORTED_CLOUDS)


def cloud_module(cloud: str) -> CloudModule:
    """The module of a supported cloud (check `cloud_problem` first)."""
    return importlib.import_module(_MODULES[cloud])  # type: ignore[return-value]
