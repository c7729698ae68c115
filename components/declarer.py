"""The Pulumi half of a cloud adapter, as the components use it, and which clouds they build on.

A cloud's `declare` module (`CloudAdapter.declare_module`, e.g. gpufleet/clouds/aws/declare.py)
implements `Declarer`. Declaring functions create children with `parent=parent` only: the caller's
providers reach them through the parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, cast

import pulumi

from gpufleet.catalog import CLOUDS
from gpufleet.clouds import adapter, component_clouds
from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.plans import NetworkPlan, NodeGroupPlan, StoragePlan
from gpufleet.errors import Problem, unknown_name


# What a cloud's declare module returns: the same names on every cloud (documented in
# docs/components.md). Values are plain or `pulumi.Input`s; what a cloud cannot provide is None (or
# empty) and listed in its adapter's `unsupported` under the feature of `OUTPUT_FEATURES`.


@dataclass(frozen=True)
class NetworkOutputs:
    network_id: Any
    node_subnet_ids: Any  # by placement zone
    control_plane_subnet_ids: Any
    file_system_subnet_ids: Any  # by zone; empty without a file-system subnet
    fabric_security_group_id: Any  # None: no fabric, or Feature.FABRIC_SECURITY_GROUP
    file_system_security_group_id: Any  # None: no file-system subnet, or Feature.FILE_SYSTEM_SECURITY_GROUP
    proximity_placement_group_ids: Any  # by zone; empty: no fabric, or Feature.PROXIMITY_PLACEMENT_GROUPS
    # by "<zone>:<machine family>": the networks of every GPU NIC; empty (the default): Feature.FABRIC_NETWORKS
    fabric_network_configs: Any = field(default_factory=dict)


@dataclass(frozen=True)
class ControlPlaneOutputs:
    cluster_name: Any
    cluster_id: Any
    cluster_security_group_id: Any  # what fabric interfaces need besides the fabric group; None if nothing
    kubeconfig: Any  # a kubeconfig that holds no credential (the client signs in with its own identity)


@dataclass(frozen=True)
class NodeGroupOutputs:
    node_group_name: Any
    placement_group_name: Any  # None: no fabric, or a reservation dictates placement
    fabric_interfaces_per_node: int


@dataclass(frozen=True)
class StorageOutputs:
    object_store_name: Any
    object_store_id: Any
    object_container_name: Any  # None: Feature.OBJECT_CONTAINER
    hot_file_system_id: Any  # None without a hot tier


def as_dict(outputs: Any) -> dict[str, Any]:
    """A dataclass's fields by name (not `dataclasses.asdict`, which deep-copies `Output`s)."""
    return {f.name: getattr(outputs, f.name) for f in fields(outputs)}


class Declarer(Protocol):
    def provider(self, region: str) -> pulumi.ProviderResource:
        """The explicit provider of one region, named `<cloud>-<region>`."""

    def declare_scope(self, name: str, region: str, tags: Mapping[str, str],
                      opts: pulumi.ResourceOptions) -> dict[str, Any]:
        """What a cluster's parts share beyond the provider (the `scope_inputs`, e.g. a resource group)."""

    def declare_network(self, parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                        args: Mapping[str, Any]) -> NetworkOutputs: ...

    def declare_control_plane(self, parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                              network: Any) -> ControlPlaneOutputs: ...

    def node_group_references(self, group: NodeGroupPlan, network: Any,
                              control_plane: ControlPlaneOutputs) -> dict[str, Any]:
        """What a cluster passes to one of its `GpuNodeGroup`s beyond the generic arguments."""

    def storage_references(self, store: StoragePlan, network: Any) -> dict[str, Any]:
        """What a cluster passes to one of its `StorageTiers` beyond the generic arguments."""

    def declare_node_group(self, parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                           args: Mapping[str, Any]) -> NodeGroupOutputs: ...

    def declare_storage(self, parent: pulumi.ComponentResource, name: str, plan: StoragePlan,
                        args: Mapping[str, Any], data_opts: pulumi.ResourceOptions) -> StorageOutputs: ...


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
