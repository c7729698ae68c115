"""An OKE cluster with no endpointConfig (the legacy public endpoint) and a bucket readable by anyone,
as the pulumi-oci docs' examples write them."""

import pulumi
import pulumi_oci as oci

config = pulumi.Config()
compartment_id = config.require("compartmentId")
tags = {"team": "ml-platform", "cost-center": "cc-1234", "environment": "prod"}

vcn = oci.core.Vcn("vcn", compartment_id=compartment_id, cidr_blocks=["10.0.0.0/16"], freeform_tags=tags)
cluster = oci.containerengine.Cluster("oke", compartment_id=compartment_id, kubernetes_version="v1.33.1",
                                      name="gpu-oke", vcn_id=vcn.id, freeform_tags=tags)
bucket = oci.objectstorage.Bucket("datasets", compartment_id=compartment_id, name="datasets",
                                  namespace=config.require("namespace"), access_type="ObjectRead",
                                  freeform_tags=tags)
