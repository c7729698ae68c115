"""The pulumi-aws `ec2.Instance` example in a loop, as an inference fleet is often written: 80 g6e.12xlarge
(4 x L40S each, 320 GPUs) with IMDSv2 and encrypted root volumes, always on in us-west-2."""

import pulumi_aws as aws

ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[{"name": "name", "values": ["Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.7 (Ubuntu 22.04) *"]}],
)
for i in range(80):
    aws.ec2.Instance(
        f"inference-{i}",
        ami=ami.id,
        instance_type="g6e.12xlarge",
        subnet_id="subnet-0a1b2c3d4e5f60001",
        metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 2},
        root_block_device={"volume_size": 200, "encrypted": True},
    )
