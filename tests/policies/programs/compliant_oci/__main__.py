"""A compliant OCI GPU pool: private OKE endpoint, owner tags everywhere, 2 × BM.GPU.H100.8 in London
(187.89 gCO2e/kWh), a private bucket whose objects move to Archive."""

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
    kubernetes_version="v1.33.1", freeform_tags=tags,
    node_config_details=oci.containerengine.NodePoolNodeConfigDetailsArgs(
        size=2,
        placement_configs=[oci.containerengine.NodePoolNodeConfigDetailsPlacementConfigArgs(
            availability_domain="Uocm:UK-LONDON-1-AD-1", subnet_id=subnet.id)]))
bucket = oci.objectstorage.Bucket("datasets", compartment_id=compartment_id, name="datasets",
                                  namespace=config.require("namespace"), access_type="NoPublicAccess",
                                  freeform_tags=tags)
oci.objectstorage.ObjectLifecyclePolicy("datasets-lifecycle", bucket=bucket.name, namespace=bucket.namespace,
                                        rules=[oci.objectstorage.ObjectLifecyclePolicyRuleArgs(
                                            name="archive", action="ARCHIVE", time_amount="180", time_unit="DAYS",
                                            is_enabled=True, target="objects")])
