"""The pulumi-aws `autoscaling.Group` example with a (legacy) launch configuration, of p5.48xlarge, up to
80 instances (640 H100). Found by review14b: the group's type was "not known at preview" (it looked only
for a launch template), so it passed prod with no violation."""

import pulumi_aws as aws

config = aws.ec2.LaunchConfiguration(
    "gpu",
    image_id="ami-0123456789abcdef0",
    instance_type="p5.48xlarge",
    metadata_options={"http_tokens": "required"},
    root_block_device={"encrypted": True},
)
aws.autoscaling.Group(
    "gpu",
    min_size=0,
    max_size=80,
    launch_configuration=config.name,
    vpc_zone_identifiers=["subnet-0a1b2c3d4e5f60001"],
)
