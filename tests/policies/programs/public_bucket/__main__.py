import json

import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("datasets", bucket="gpufleet-datasets", opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketServerSideEncryptionConfiguration(
    "datasets", bucket=bucket.id, rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
aws.s3.BucketLifecycleConfiguration(
    "datasets", bucket=bucket.id, rules=[{"id": "expire", "status": "Enabled", "filter": {}, "expiration": {"days": 365}}])
aws.s3.BucketPublicAccessBlock(
    "datasets", bucket=bucket.id, block_public_acls=False, block_public_policy=False,
    ignore_public_acls=False, restrict_public_buckets=False)
aws.s3.BucketPolicy(
    "datasets",
    bucket=bucket.id,
    policy=bucket.bucket.apply(lambda name: f"arn:aws:s3:::{name}").apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn}/*"}]})),
)
