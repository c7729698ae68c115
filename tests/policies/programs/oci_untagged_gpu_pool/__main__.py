"""A private OKE cluster with a GPU node pool (2 × BM.GPU.H100.8) that carries no owner tags."""

import pulumi
import pulumi_oci as oci

config = pulumi.Config()
compartment_id = config.require("compartmentId")
tags = {"team": "ml-platform", "cost-center": "cc-1234", "environment": "prod"}

vcn = oci.core.Vcn("vcn", compartment_id=compartment_id, cidr_blocks=["10.0.0.0/16"], freeform_tags=tags)
subnet = oci.core.Subnet("nodes", compartment_id=compartment_id, vcn_id=vcn.id, cidr_block="10.0.1.0/24",
                         prohibit_public_ip_on_vnic=True, freeform_tags=tags)
cluster = oci.containerengine.Cluster(
    "oke", compartment_id=compartment_id, kubernetes_version="v1.33.1", name="gpu-oke", vcn_id=vcn.id,
    endpoint_config=oci.containerengine.ClusterEndpointConfigArgs(subnet_id=subnet.id, is_public_ip_enabled=False),
    freeform_tags=tags)
pool = oci.containerengine.NodePool(
    "h100", cluster_id=cluster.id, compartment_id=compartment_id, name="h100", node_shape="BM.GPU.H100.8",
    kubernetes_version="v1.33.1",
    node_config_details=oci.containerengine.NodePoolNodeConfigDetailsArgs(
        size=2,
        placement_configs=[oci.containerengine.NodePoolNodeConfigDetailsPlacementConfigArgs(
            availability_domain="Uocm:UK-LONDON-1-AD-1", subnet_id=subnet.id)]))
