"""The pulumi-aws `s3.BucketAclV2` example, access-control-policy variant: the owner's canonical id from
`s3.get_canonical_user_id()`, and a READ grant to the AllUsers group."""

import pulumi_aws as aws

current = aws.s3.get_canonical_user_id()
example = aws.s3.BucketV2("example", bucket="ml-platform-shared-datasets")
aws.s3.BucketServerSideEncryptionConfigurationV2("example", bucket=example.id, rules=[
    {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}])
aws.s3.BucketLifecycleConfigurationV2("example", bucket=example.id, rules=[
    {"id": "cold", "status": "Enabled", "transitions": [{"days": 30, "storage_class": "INTELLIGENT_TIERING"}]}])
ownership = aws.s3.BucketOwnershipControls("example", bucket=example.id,
                                           rule={"object_ownership": "BucketOwnerPreferred"})
aws.s3.BucketAclV2("example", bucket=example.id, access_control_policy={
    "grants": [
        {"grantee": {"id": current.id, "type": "CanonicalUser"}, "permission": "READ"},
        {"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/s3/LogDelivery"}, "permission": "READ_ACP"},
        {"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}, "permission": "READ"},
    ],
    "owner": {"id": current.id},
})
