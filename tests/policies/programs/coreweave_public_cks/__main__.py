"""A CKS cluster whose API server is public, a bucket policy granting '*' read, and an H100 node pool with no
owner labels (the NodePool custom resource CoreWeave's docs declare with kubectl), as the CoreWeave docs write
them."""

import json

import pulumi
import pulumi_coreweave as coreweave
import pulumi_kubernetes as k8s

vpc = coreweave.NetworkingVpc("vpc", name="gpu-vpc", zone="US-EAST-04A")
cluster = coreweave.CksCluster("cks", name="gpu-cks", zone="US-EAST-04A", vpc_id=vpc.id, version="v1.35",
                               public=True, pod_cidr_name="pod-cidr", service_cidr_name="service-cidr",
                               internal_lb_cidr_names=["internal-lb-cidr"])
bucket = coreweave.ObjectStorageBucket("datasets", name="gpu-datasets", zone="US-EAST-04A",
                                       tags={"team": "ml-platform", "cost-center": "cc-1234", "environment": "prod"})
coreweave.ObjectStorageBucketPolicy("datasets-public", bucket=bucket.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
                   "Resource": ["arn:aws:s3:::gpu-datasets/*"]}]}))
k8s.apiextensions.CustomResource(
    "h100", api_version="compute.coreweave.com/v1alpha1", kind="NodePool",
    metadata={"name": "h100"},
    spec={"computeClass": "default", "instanceType": "gd-8xh100ib-i128", "targetNodes": 2, "autoscaling": False})
