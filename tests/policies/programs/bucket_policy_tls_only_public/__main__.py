"""A model-weights bucket shared "securely": its policy grants everyone s3:GetObject over TLS only. The
condition restricts how, not who: the bucket is public."""

import json

import pulumi_aws as aws

weights = aws.s3.BucketV2("weights", bucket="ml-platform-model-weights")
aws.s3.BucketServerSideEncryptionConfigurationV2("weights", bucket=weights.id, rules=[
    {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}])
aws.s3.BucketLifecycleConfigurationV2("weights", bucket=weights.id, rules=[
    {"id": "cold", "status": "Enabled", "transitions": [{"days": 30, "storage_class": "INTELLIGENT_TIERING"}]}])
# The document names the bucket by its ARN, built from its known name (an ARN read from `weights.arn` is
# not known at preview, and neither would the document be).
arn = "arn:aws:s3:::ml-platform-model-weights"
aws.s3.BucketPolicy("weights", bucket=weights.id, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "ReadOverTls",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"{arn}/*",
        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    }],
}))
