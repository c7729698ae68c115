"""Pulumi's auto-tagging pattern (docs: "Automatically tagging resources", register_resource_transform):
a stack transform merges the owner tags into every taggable resource registered after it. No tags in
the resources' own arguments, no provider default tags."""

import pulumi
import pulumi_aws as aws

AUTO_TAGS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": pulumi.get_stack()}
# The resource types of this program that take `tags` (the guide generates this list from the provider schema).
TAGGABLE_TYPES = {
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:s3/bucket:Bucket",
}


def auto_tag(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ not in TAGGABLE_TYPES:
        return None
    args.props["tags"] = {**(args.props.get("tags") or {}), **AUTO_TAGS}
    return pulumi.ResourceTransformResult(props=args.props, opts=args.opts)


pulumi.runtime.register_resource_transform(auto_tag)

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
cluster = aws.eks.Cluster(
    "gpu",
    role_arn="arn:aws:iam::123456789012:role/eks-cluster",
    vpc_config={"subnet_ids": SUBNETS, "endpoint_public_access": False, "endpoint_private_access": True},
)
inference_lt = aws.ec2.LaunchTemplate(
    "inference",
    metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 2},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 200, "encrypted": "true"}}],
)
aws.eks.NodeGroup(
    "inference",
    cluster_name=cluster.name,
    node_role_arn="arn:aws:iam::123456789012:role/gpu-nodes",
    subnet_ids=SUBNETS,
    instance_types=["g6e.2xlarge"],
    launch_template={"id": inference_lt.id, "version": "$Latest"},
    scaling_config={"desired_size": 1, "min_size": 0, "max_size": 4},
)
pulumi.export("cluster", cluster.name)
