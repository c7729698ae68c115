"""Someone else's program: GPU instances and a bucket, with no gpufleet components."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                      filters=[{"name": "name", "values": ["Deep Learning Base OSS Nvidia Driver GPU AMI*"]}])
bucket = aws.s3.Bucket("checkpoints", tags={"team": "inference"})
for i in range(config.require_int("replicas")):
    aws.ec2.Instance(f"gpu-{i}", instance_type="p5.48xlarge", ami=ami.id,
                     metadata_options={"http_tokens": "required"}, tags={"team": "inference"})
pulumi.export("bucket", bucket.bucket)
