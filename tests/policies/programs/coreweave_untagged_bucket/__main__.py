"""A private CKS cluster and an AI Object Storage bucket declared as the pulumi-coreweave docs' example does:
the bucket carries no owner tags (its lifecycle configuration is there)."""

import pulumi_coreweave as coreweave

vpc = coreweave.NetworkingVpc("vpc", name="gpu-vpc", zone="US-EAST-04A")
cluster = coreweave.CksCluster("cks", name="gpu-cks", zone="US-EAST-04A", vpc_id=vpc.id, version="v1.35",
                               public=False, pod_cidr_name="pod-cidr", service_cidr_name="service-cidr",
                               internal_lb_cidr_names=["internal-lb-cidr"])
bucket = coreweave.ObjectStorageBucket("datasets", name="gpu-datasets", zone="US-EAST-04A")
coreweave.ObjectStorageBucketLifecycleConfiguration("datasets-lifecycle", bucket=bucket.name, rules=[
    {"id": "expire-old-versions", "status": "Enabled", "noncurrent_version_expiration": {"noncurrent_days": 30}}])
