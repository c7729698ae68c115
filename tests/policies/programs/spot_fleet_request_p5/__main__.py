"""The pulumi-aws `ec2.SpotFleetRequest` example, with GPU instances: 60 p5.48xlarge (480 H100) from one
launch specification. Found by an outside review passing prod with no violation (no reader for the type)."""

import pulumi_aws as aws

aws.ec2.SpotFleetRequest(
    "gpu",
    iam_fleet_role="arn:aws:iam::123456789012:role/spot-fleet",
    target_capacity=60,
    allocation_strategy="diversified",
    launch_specifications=[{
        "instance_type": "p5.48xlarge",
        "ami": "ami-0123456789abcdef0",
    }],
)
