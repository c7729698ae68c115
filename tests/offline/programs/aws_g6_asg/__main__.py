"""A launch template + Auto Scaling group of g6.2xlarge and a g6e.12xlarge instance (AWS docs style):
GPU types the catalog counts without a price."""

import pulumi
import pulumi_aws as aws

lt = aws.ec2.LaunchTemplate("gpu-lt",
    image_id="ami-0123456789abcdef0",
    instance_type="g6.2xlarge",
    tag_specifications=[aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type="instance", tags={"team": "ml"})])
asg = aws.autoscaling.Group("gpu-asg",
    desired_capacity=3, min_size=1, max_size=6,
    availability_zones=["us-west-2a", "us-west-2b"],
    launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=lt.id, version="$Latest"))
big = aws.ec2.Instance("llm", instance_type="g6e.12xlarge", ami="ami-0123456789abcdef0")
pulumi.export("asg", asg.name)
