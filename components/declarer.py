"""The Pulumi half of a cloud adapter, as the components use it, and which clouds they build on.

A cloud's `declare` module (`CloudAdapter.declare_module`, e.g. gpufleet/clouds/aws/declare.py)
implements `Declarer`. Declaring functions create children with `parent=parent` only: the caller's
providers reach them through the parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, cast

import pulumi

from gpufleet.catalog import CLOUDS
from gpufleet.clouds import adapter, component_clouds
from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.plans import NetworkPlan, NodeGroupPlan, StoragePlan
from gpufleet.errors import Problem, unknown_name


class Declarer(Protocol):
    def provider(self, region: str) -> pulumi.ProviderResource:
        """The explicit provider of one region, named `<cloud>-<region>`."""

    def declare_scope(self, name: str, region: str, tags: Mapping[str, str],
                      opts: pulumi.ResourceOptions) -> dict[str, Any]:
        """What a cluster's parts share beyond the provider (the `scope_inputs`, e.g. a resource group)."""

    def declare_network(self, parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                        args: Mapping[str, Any]) -> dict[str, Any]: ...

    def declare_control_plane(self, parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                              network: Any) -> dict[str, Any]: ...

    def node_group_references(self, group: NodeGroupPlan, network: Any,
                              control_plane: Mapping[str, Any]) -> dict[str, Any]:
        """What a cluster passes to one of its `GpuNodeGroup`s beyond the generic arguments."""

    def storage_references(self, store: StoragePlan, network: Any) -> dict[str, Any]:
        """What a cluster passes to one of its `StorageTiers` beyond the generic arguments."""

    def declare_node_group(self, parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                           args: Mapping[str, Any]) -> dict[str, Any]: ...

    def declare_storage(self, parent: pulumi.ComponentResource, name: str, plan: StoragePlan,
                        args: Mapping[str, Any], data_opts: pulumi.ResourceOptions) -> dict[str, Any]: ...


def cloud_problem(path: str, cloud: object) -> Problem | None:
    """None when the components build on `cloud`; else why not, naming the clouds they do."""
    supported = component_clouds()
    if cloud in supported:
        return None
    if cloud in CLOUDS or adapter(cloud) is not None:
        return Problem(path, f"cloud {cloud!r} is not supported by the components yet (it is in the catalog, "
                             "but no cloud module declares its resources)", cloud, supported)
    return unknown_name(path, "cloud", cloud, supported)


def cloud_adapter(cloud: str) -> CloudAdapter:
    """The adapter of a cloud the components build on (check `cloud_problem` first)."""
    found = adapter(cloud)
    assert found is not None and found.declare_module is not None, cloud
    return found


def declarer(cloud: str) -> Declarer:
    """The declare module of a cloud the components build on (check `cloud_problem` first)."""
    return cast(Declarer, cloud_adapter(cloud).declarer())
