"""An OKE cluster whose API endpoint gets a public IP (`is_public_ip_enabled=True`, as the pulumi-oci docs'
example sets it) in a public subnet; everything tagged, the bucket private with a lifecycle policy."""

import pulumi
import pulumi_oci as oci

config = pulumi.Config()
compartment_id = config.require("compartmentId")
tags = {"team": "ml-platform", "cost-center": "cc-1234", "environment": "prod"}

vcn = oci.core.Vcn("vcn", compartment_id=compartment_id, cidr_blocks=["10.0.0.0/16"], freeform_tags=tags)
endpoint = oci.core.Subnet("endpoint", compartment_id=compartment_id, vcn_id=vcn.id, cidr_block="10.0.0.0/28",
                           freeform_tags=tags)
cluster = oci.containerengine.Cluster(
    "oke", compartment_id=compartment_id, kubernetes_version="v1.33.1", name="gpu-oke", vcn_id=vcn.id,
    endpoint_config=oci.containerengine.ClusterEndpointConfigArgs(subnet_id=endpoint.id, is_public_ip_enabled=True),
    freeform_tags=tags)
bucket = oci.objectstorage.Bucket("datasets", compartment_id=compartment_id, name="datasets",
                                  namespace=config.require("namespace"), access_type="NoPublicAccess",
                                  freeform_tags=tags)
oci.objectstorage.ObjectLifecyclePolicy("datasets-lifecycle", bucket=bucket.name, namespace=bucket.namespace,
                                        rules=[{"name": "archive", "action": "ARCHIVE", "time_amount": "180",
                                                "time_unit": "DAYS", "is_enabled": True, "target": "objects"}])
