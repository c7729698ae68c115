import pulumi_aws as aws

aws.eks.NodeGroup(
    "a10g",
    cluster_name="gpu",
    node_role_arn="arn:aws:iam::123456789012:role/gpu-nodes",
    subnet_ids=["subnet-0a1b2c3d4e5f60001"],
    instance_types=["g5.48xlarge"],
    capacity_type="SPOT",
    scaling_config={"desired_size": 90, "min_size": 0, "max_size": 90},
)
