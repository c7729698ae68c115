import pulumi_aws as aws

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
cluster = aws.eks.Cluster(
    "gpu",
    role_arn="arn:aws:iam::123456789012:role/eks-cluster",
    vpc_config={"subnet_ids": SUBNETS, "endpoint_public_access": False, "endpoint_private_access": True},
)
aws.eks.NodeGroup(
    "h100",
    cluster_name=cluster.name,
    node_role_arn="arn:aws:iam::123456789012:role/gpu-nodes",
    subnet_ids=SUBNETS,
    instance_types=["p5.48xlarge"],
    scaling_config={"desired_size": 2, "min_size": 0, "max_size": 2},
)
