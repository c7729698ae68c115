"""The lab, declared: a network with a subnet per rack, a private Kubernetes cluster, GPU pools,
Lustre and a bucket, with the lab provider (`pulumi:providers:lab`). Implements `Declarer`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from gpufleet.components.declarer import ControlPlaneOutputs, NetworkOutputs, NodeGroupOutputs, StorageOutputs
from gpufleet.components.tags import TAG_HOURS, TAG_UTILIZATION, number, workload_tags
from gpufleet.clouds.plans import NetworkPlan, NodeGroupPlan, StoragePlan


class _Lab(pulumi.CustomResource):
    def __init__(self, type_: str, name: str, props: dict[str, Any], parent: pulumi.Resource) -> None:
        super().__init__(f"lab:{type_}", name, props, pulumi.ResourceOptions(parent=parent))


def provider(region: str) -> pulumi.ProviderResource:
    return pulumi.ProviderResource("lab", f"lab-{region}", {"region": region})


def declare_scope(name: str, region: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions) -> dict[str, Any]:
    return {}


def node_group_references(group: NodeGroupPlan, network: Any, control_plane: ControlPlaneOutputs) -> dict[str, Any]:
    return {}


def storage_references(store: StoragePlan, network: Any) -> dict[str, Any]:
    return {}


def declare_network(parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                    args: Mapping[str, Any]) -> NetworkOutputs:
    network = _Lab("network:Network", f"{name}-net", {"cidr": str(plan.cidr), "tags": dict(args["tags"])}, parent)
    subnets = {zone: _Lab("network:Subnet", f"{name}-{zone}", {"networkId": network.id, "rack": zone}, parent).id
               for zone in plan.zones}
    return NetworkOutputs(network_id=network.id, node_subnet_ids=subnets, control_plane_subnet_ids=list(subnets.values()),
                          file_system_subnet_ids=subnets if plan.enable_file_system_subnet else {},
                          fabric_security_group_id=None, file_system_security_group_id=None,
                          proximity_placement_group_ids={})


def declare_control_plane(parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                          network: Any) -> ControlPlaneOutputs:
    cluster = _Lab("kubernetes:Cluster", f"{name}-k8s", {"name": name, "privateEndpoint": True,
                                                         "tags": dict(args["tags"])}, parent)
    kubeconfig = cluster.id.apply(lambda cid: f"apiVersion: v1\nkind: Config\nclusters: [{{name: {cid}}}]\n")
    return ControlPlaneOutputs(cluster_name=name, cluster_id=cluster.id, cluster_security_group_id=None,
                               kubeconfig=kubeconfig)


def declare_node_group(parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                       args: Mapping[str, Any]) -> NodeGroupOutputs:
    tags = workload_tags(args["tags"], plan.workload)
    if plan.utilization_percent is not None:
        tags[TAG_UTILIZATION] = number(plan.utilization_percent)
    if plan.hours_per_month is not None:
        tags[TAG_HOURS] = number(plan.hours_per_month)
    _Lab("compute:GpuPool", f"{name}-pool", {
        "clusterName": args["cluster_name"], "subnetId": args["node_subnet_id"], "machineType": plan.instance.name,
        "nodeCount": plan.nodes, "minNodeCount": plan.min_nodes, "spot": plan.capacity_type == "spot",
        "tags": tags}, parent)
    return NodeGroupOutputs(node_group_name=f"{name}-pool", placement_group_name=None, fabric_interfaces_per_node=0)


def declare_storage(parent: pulumi.ComponentResource, name: str, plan: StoragePlan, args: Mapping[str, Any],
                    data_opts: pulumi.ResourceOptions) -> StorageOutputs:
    tags = workload_tags(args["tags"], plan.workload)
    bucket = pulumi.CustomResource("lab:storage:Bucket", f"{name}-objects", {
        "coldAfterDays": plan.cold_after_days, "tags": tags}, data_opts)
    lustre = None
    if plan.product is not None:
        lustre = pulumi.CustomResource("lab:storage:Lustre", f"{name}-lustre", {
            "capacityTib": plan.hot_capacity_tib, "subnetId": args["file_system_subnet_id"], "tags": tags}, data_opts)
    return StorageOutputs(object_store_name=f"{name}-objects", object_store_id=bucket.id, object_container_name=None,
                          hot_file_system_id=lustre.id if lustre else None)
