import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
import pulumi_eks as eks

vpc = awsx.ec2.Vpc("vpc")
cluster = eks.Cluster("gpu", vpc_id=vpc.vpc_id, public_subnet_ids=vpc.public_subnet_ids,
                      private_subnet_ids=vpc.private_subnet_ids, instance_type="p4d.24xlarge",
                      desired_capacity=2, min_size=1, max_size=2)
pulumi.export("kubeconfig", cluster.kubeconfig)

# Given its own aws provider, a component's children run where that provider says.
west = aws.Provider("west", region="us-west-2")
eks.ManagedNodeGroup("inference", cluster=cluster, node_role_arn="arn:aws:iam::123456789012:role/nodes",
                     instance_types=["g6e.2xlarge"],
                     scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=3, min_size=0, max_size=4),
                     opts=pulumi.ResourceOptions(providers={"aws": west}))
