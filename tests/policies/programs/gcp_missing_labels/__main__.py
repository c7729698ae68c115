"""Written as the provider examples are, without the owner labels the organisation requires."""

import pulumi
import pulumi_gcp as gcp

bucket = gcp.storage.Bucket(
    "checkpoints",
    location="EUROPE-WEST4",
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
    labels={"team": "ml-platform", "cost-center": "cc-4711"},
    lifecycle_rules=[{"condition": {"age": 30}, "action": {"type": "SetStorageClass", "storage_class": "COLDLINE"}}],
    opts=pulumi.ResourceOptions(protect=True),
)
gcp.compute.Disk("scratch", zone="europe-west4-a", type="pd-ssd", size=500, opts=pulumi.ResourceOptions(protect=True))
