import pulumi_aws as aws

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
cluster = aws.eks.Cluster(
    "gpu",
    role_arn="arn:aws:iam::123456789012:role/eks-cluster",
    vpc_config={"subnet_ids": SUBNETS, "endpoint_public_access": False, "endpoint_private_access": True},
)
template = aws.ec2.LaunchTemplate(
    "l40s",
    metadata_options={"http_tokens": "optional"},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 200, "encrypted": "true"}}],
)
aws.eks.NodeGroup(
    "l40s",
    cluster_name=cluster.name,
    node_role_arn="arn:aws:iam::123456789012:role/gpu-nodes",
    subnet_ids=SUBNETS,
    instance_types=["g6e.2xlarge"],
    launch_template={"id": template.id, "version": "$Latest"},
    scaling_config={"desired_size": 1, "min_size": 0, "max_size": 2},
)
