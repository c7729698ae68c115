"""`GpuCluster`: one cloud and region — network, private Kubernetes, GPU node groups, storage tiers."""

from typing import Any, Optional

import pulumi
import pulumi_kubernetes as kubernetes

from gpufleet.components.args import GpuClusterArgs, GpuNodeGroupArgs, HighBandwidthNetworkArgs, StorageTiersArgs
from gpufleet.components.declarer import cloud_adapter, declarer
from gpufleet.components.gpu_node_group import GpuNodeGroup
from gpufleet.components.gpu_software import GpuSoftwareStack
from gpufleet.components.network import HighBandwidthNetwork
from gpufleet.components.preflight import ClusterPlan, plan_cluster, require
from gpufleet.components.storage import StorageTiers


class GpuCluster(pulumi.ComponentResource):
    """A `HighBandwidthNetwork`, a Kubernetes control plane with a private API endpoint only (EKS, or a
    private AKS cluster without local accounts) and a small system node group, one `GpuNodeGroup` per
    workload and `StorageTiers` where asked. The whole cluster passes preflight before anything is
    declared. Outputs are identifiers and a kubeconfig that holds no credential. With `enable_gpu_software`,
    a `GpuSoftwareStack` runs in the cluster."""

    cluster_name: pulumi.Output[str]
    """EKS cluster name / AKS managed cluster name."""
    cluster_id: pulumi.Output[str]
    """EKS cluster ARN / AKS resource id."""
    network_id: pulumi.Output[str]
    """VPC id / VNet id."""
    fabric: pulumi.Output[str]
    """"EFA", "InfiniBand" or "none"."""
    bandwidth_gbps_per_node: pulumi.Output[Optional[float]]
    """The catalog's network bandwidth per GPU node, in Gb/s."""
    node_groups: pulumi.Output[dict[str, Any]]
    """By workload: instance type, nodes, GPUs, zone, fabric, node group name."""
    storage: pulumi.Output[dict[str, Any]]
    """By workload: hot file system id and size, object store name, object container name (Azure)."""
    kubeconfig: pulumi.Output[str]
    """A secret kubeconfig without credentials: the client signs in with the caller's own identity
    (AWS: `aws eks get-token`; Azure: kubelogin)."""

    def __init__(self, name: str, args: GpuClusterArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        plan: ClusterPlan = require(plan_cluster(args, name), f"GpuCluster {name}: invalid arguments", name, args)
        super().__init__("gpufleet:index:GpuCluster", name, None, opts)
        caller = opts or pulumi.ResourceOptions()
        cloud = declarer(plan.cloud)
        # What every part of the cluster takes on this cloud (an Azure resource group).
        scope = {key: args[key] for key in cloud_adapter(plan.cloud).scope_inputs if args.get(key)}
        # An owned site: the network and node groups check it as a region (owned sites have no storage tiers).
        site_of = {"site": args["site"]} if args.get("site") else {}
        tags = dict(args["tags"])

        network_args: HighBandwidthNetworkArgs = {
            "cloud": plan.cloud, "region": plan.region, "zones": list(plan.network.zones),
            "instance_types": [it.name for it in plan.network.instance_types], "tags": tags,
            "enable_fabric": plan.network.enable_fabric,
            "enable_file_system_subnet": plan.network.enable_file_system_subnet,
            "cidr": str(plan.network.cidr), **scope, **site_of,
        }  # fmt: skip
        network = HighBandwidthNetwork(f"{name}-network", network_args, pulumi.ResourceOptions(parent=self))
        declared = cloud.declare_control_plane(self, name, args, network)
        specs = {spec["workload"]: spec for spec in args["node_groups"]}
        # The cluster's version reaches its node groups, so upgrading the cluster upgrades them too (a cloud's
        # references may replace it: OKE's with the exact version its control plane resolved).
        version = {"kubernetes_version": args["kubernetes_version"]} if args.get("kubernetes_version") else {}
        groups: dict[str, GpuNodeGroup] = {}
        for group in plan.node_groups:
            group_args: GpuNodeGroupArgs = {
                **specs[group.workload], "cloud": plan.cloud, "region": plan.region, "tags": tags,
                "cluster_name": declared.cluster_name, "zone": group.zone,
                "node_subnet_id": network.node_subnet_ids.apply(lambda ids, z=group.zone: ids[z]), **scope, **site_of,
                **version, **cloud.node_group_references(group, network, declared),
            }  # fmt: skip
            groups[group.workload] = GpuNodeGroup(f"{name}-{group.workload}", group_args,
                                                  pulumi.ResourceOptions(parent=self))

        storage_specs = {spec["workload"]: spec for spec in args.get("storage") or []}
        tiers: dict[str, StorageTiers] = {}
        for store in plan.storage:
            store_args: StorageTiersArgs = {
                **storage_specs[store.workload], "cloud": plan.cloud, "region": plan.region, "zone": store.zone,
                "gpu_count": store.gpu_count, "tags": tags, **scope, **cloud.storage_references(store, network),
            }  # fmt: skip
            if store.product is not None:
                store_args["file_system_subnet_id"] = network.file_system_subnet_ids.apply(
                    lambda ids, z=store.zone: ids[z])
            # The caller's protect / retain_on_delete decide for the data-bearing children too.
            data = pulumi.ResourceOptions(parent=self, protect=caller.protect, retain_on_delete=caller.retain_on_delete)
            tiers[store.workload] = StorageTiers(f"{name}-{store.workload}-storage", store_args, data)

        self.kubeconfig = pulumi.Output.secret(declared.kubeconfig)
        site = args.get("site")
        if site is not None:
            # An existing cluster: the caller's provider (through the parent) is its Kubernetes provider, and
            # the node groups hold the queues; the site says whether its nodes need the driver.
            if site.get("gpu_software", "none") != "none":
                GpuSoftwareStack(f"{name}-gpu-software", {
                    "cloud": plan.cloud, "fabric": "none", "queues": [], "enable_queues": False,
                    "gpu_plugin": site["gpu_software"],
                }, pulumi.ResourceOptions(parent=self, depends_on=list(groups.values())))
        elif args.get("enable_gpu_software"):
            # The one provider a component builds: nobody can pass one for a cluster that does not exist
            # yet (pulumi-eks does the same). It reaches only the software stack.
            kube = kubernetes.Provider(f"{name}-kubernetes", kubeconfig=self.kubeconfig,
                                       opts=pulumi.ResourceOptions(parent=self))
            GpuSoftwareStack(f"{name}-gpu-software", {
                "cloud": plan.cloud, "fabric": next((g.fabric for g in plan.node_groups if g.fabric != "none"), "none"),
                "queues": [{"workload": g.workload, "gpus": g.gpus, "memory_gib": g.nodes * g.instance.memory_gib}
                           for g in plan.node_groups],
            }, pulumi.ResourceOptions(parent=self, providers=[kube], depends_on=list(groups.values())))

        self.cluster_name = pulumi.Output.from_input(declared.cluster_name)
        self.cluster_id = pulumi.Output.from_input(declared.cluster_id)
        self.network_id = network.network_id
        self.fabric = network.fabric
        self.bandwidth_gbps_per_node = network.bandwidth_gbps_per_node
        self.node_groups = pulumi.Output.from_input({
            workload: {"instance_type": g.instance_type, "nodes": g.nodes, "gpus": g.gpus, "zone": g.zone,
                       "fabric": g.fabric, "node_group_name": g.node_group_name}
            for workload, g in groups.items()})
        self.storage = pulumi.Output.from_input({
            workload: {"hot_file_system_id": t.hot_file_system_id, "hot_capacity_tib": t.hot_capacity_tib,
                       "object_store_name": t.object_store_name, "object_container_name": t.object_container_name}
            for workload, t in tiers.items()})
        self.register_outputs({
            "cluster_name": self.cluster_name, "cluster_id": self.cluster_id, "network_id": self.network_id,
            "fabric": self.fabric, "bandwidth_gbps_per_node": self.bandwidth_gbps_per_node,
            "node_groups": self.node_groups, "storage": self.storage, "kubeconfig": self.kubeconfig,
        })
