"""Written as the Cloud Storage examples are: a bucket, then access for "everyone" by IAM and by ACL."""

import pulumi
import pulumi_gcp as gcp

LABELS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}

bucket = gcp.storage.Bucket(
    "datasets",
    location="EUROPE-WEST4",
    labels=LABELS,
    lifecycle_rules=[{"condition": {"age": 30}, "action": {"type": "SetStorageClass", "storage_class": "COLDLINE"}}],
    opts=pulumi.ResourceOptions(protect=True),
)
gcp.storage.BucketIAMMember("datasets-public-read", bucket=bucket.name, role="roles/storage.objectViewer",
                            member="allUsers")
gcp.storage.BucketACL("datasets-acl", bucket=bucket.name,
                      role_entities=["OWNER:project-owners-123456789", "READER:allAuthenticatedUsers"])
