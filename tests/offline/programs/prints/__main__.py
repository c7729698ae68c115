"""A program that prints, as many do while they are written."""

import pulumi
import pulumi_aws as aws

print("dry run:", pulumi.runtime.is_dry_run())
bucket = aws.s3.Bucket("logs")
bucket.id.apply(lambda i: print("never at preview:", i))
