"""`HighBandwidthNetwork`: the private network a GPU cluster runs in, with its fabric prepared."""

from typing import Optional

import pulumi

from gpufleet.components.args import HighBandwidthNetworkArgs
from gpufleet.components.declarer import as_dict, declarer
from gpufleet.components.preflight import plan_network, require


class HighBandwidthNetwork(pulumi.ComponentResource):
    """AWS: VPC, private subnets in the placement zones (and a second zone for EKS), an EFA security group
    that allows all traffic within itself and nothing else, VPC endpoints for what private nodes need,
    and a Lustre security group. Azure: VNet, node subnet with an NSG, a Managed Lustre subnet, and a
    proximity placement group per zone for InfiniBand sizes. GCP: VPC with a node subnet (pods and
    services ranges), private services access for Managed Lustre, and the GPU fabric's networks: one
    VPC per GPU NIC at the MTU the machine family needs (GPUDirect-TCPX/TCPXO), or a zonal RoCE VPC with
    a subnet per GPU NIC plus extra gVNIC networks (GPUDirect-RDMA). Outputs say which fabric the
    instance types get and their bandwidth per node, from the catalog."""

    network_id: pulumi.Output[str]
    """VPC id / VNet id."""
    node_subnet_ids: pulumi.Output[dict[str, str]]
    """Node subnet by placement zone."""
    control_plane_subnet_ids: pulumi.Output[list[str]]
    """Subnets for the Kubernetes control plane's interfaces."""
    file_system_subnet_ids: pulumi.Output[dict[str, str]]
    """Subnet for the parallel file system by zone (empty unless `enable_file_system_subnet`)."""
    fabric_security_group_id: pulumi.Output[Optional[str]]
    """AWS: the EFA security group (self-referencing rules only); Azure: none."""
    file_system_security_group_id: pulumi.Output[Optional[str]]
    """AWS: security group of FSx for Lustre (ports 988, 1018–1023 from the VPC); Azure: none."""
    proximity_placement_group_ids: pulumi.Output[dict[str, str]]
    """Azure: proximity placement group by zone, for InfiniBand sizes; AWS, GCP: empty (node groups own
    their cluster placement groups / compact placement policies)."""
    fabric_network_configs: pulumi.Output[dict[str, list[dict[str, str]]]]
    """GCP, with GPUDirect: by "<zone>:<machine family>", the networks of every GPU NIC (and extra gVNIC) a
    node needs, as GKE additional node networks (`network`, `subnetwork`); AWS, Azure: empty."""
    fabric: pulumi.Output[str]
    """"EFA", "InfiniBand" or "none", from the catalog's interconnect of the instance types."""
    bandwidth_gbps_per_node: pulumi.Output[Optional[float]]
    """The catalog's network bandwidth per node (of the fabric types when there is a fabric), in Gb/s."""

    def __init__(self, name: str, args: HighBandwidthNetworkArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        plan = require(plan_network(args, name), f"HighBandwidthNetwork {name}: invalid arguments", name, args)
        super().__init__("gpufleet:index:HighBandwidthNetwork", name, None, opts)
        declared = as_dict(declarer(plan.cloud).declare_network(self, name, plan, args))
        for key, value in declared.items():
            setattr(self, key, pulumi.Output.from_input(value))
        self.fabric = pulumi.Output.from_input(plan.fabric)
        self.bandwidth_gbps_per_node = pulumi.Output.from_input(plan.bandwidth_gbps_per_node)
        self.register_outputs({key: getattr(self, key) for key in (*declared, "fabric", "bandwidth_gbps_per_node")})
