"""`GpuNodeGroup`: GPU nodes for one workload in an existing cluster, configured right for its cloud."""

from typing import Optional

import pulumi

from gpufleet.components.args import GpuNodeGroupArgs
from gpufleet.components.declarer import declarer
from gpufleet.components.preflight import plan_gpu_node_group, require


class GpuNodeGroup(pulumi.ComponentResource):
    """Whole GPU nodes of one catalog instance type for one workload: an EKS managed node group with a
    launch template (every EFA interface, IMDSv2, encrypted root, cluster placement group unless a
    reservation dictates placement), or an AKS agent pool (proximity placement group for InfiniBand
    sizes, Spot eviction and price cap, capacity reservation group). GPU labels and a NoSchedule taint
    keep other pods off; the autoscaler may go to 0 nodes when `scale_to_zero`."""

    instance_type: pulumi.Output[str]
    """Catalog instance type / VM size of the nodes."""
    nodes: pulumi.Output[int]
    """Nodes needed for the GPUs asked for: the desired size and the autoscaler's maximum."""
    min_nodes: pulumi.Output[int]
    """The autoscaler's minimum: 0 with `scale_to_zero`, else `nodes`."""
    gpus: pulumi.Output[int]
    """GPUs provisioned: `nodes` × GPUs per node."""
    zone: pulumi.Output[str]
    """Placement zone of the nodes."""
    fabric: pulumi.Output[str]
    """"EFA", "InfiniBand" or "none"."""
    fabric_interfaces_per_node: pulumi.Output[int]
    """AWS: EFA interfaces in the launch template (every one the instance type has); Azure: 0."""
    node_group_name: pulumi.Output[str]
    """EKS node group name / AKS agent pool name."""
    placement_group_name: pulumi.Output[Optional[str]]
    """AWS cluster placement group name / Azure proximity placement group id; none when a reservation
    dictates placement or there is no fabric."""

    def __init__(self, name: str, args: GpuNodeGroupArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        plan = require(plan_gpu_node_group(args, name), f"GpuNodeGroup {name}: invalid arguments", name, args)
        super().__init__("gpufleet:index:GpuNodeGroup", name, None, opts)
        declared = declarer(plan.cloud).declare_node_group(self, name, plan, args)
        self.instance_type = pulumi.Output.from_input(plan.instance.name)
        self.nodes = pulumi.Output.from_input(plan.nodes)
        self.min_nodes = pulumi.Output.from_input(plan.min_nodes)
        self.gpus = pulumi.Output.from_input(plan.gpus)
        self.zone = pulumi.Output.from_input(plan.zone)
        self.fabric = pulumi.Output.from_input(plan.fabric)
        self.fabric_interfaces_per_node = pulumi.Output.from_input(declared.fabric_interfaces_per_node)
        self.node_group_name = pulumi.Output.from_input(declared.node_group_name)
        self.placement_group_name = pulumi.Output.from_input(declared.placement_group_name)
        self.register_outputs({
            "instance_type": self.instance_type, "nodes": self.nodes, "min_nodes": self.min_nodes, "gpus": self.gpus,
            "zone": self.zone, "fabric": self.fabric, "fabric_interfaces_per_node": self.fabric_interfaces_per_node,
            "node_group_name": self.node_group_name, "placement_group_name": self.placement_group_name,
        })
