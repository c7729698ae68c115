"""Only multi-language components (awsx VPC, pulumi-eks cluster and managed node group): nothing
is expanded offline, so the resource table lists the components."""

import pulumi
import pulumi_awsx as awsx
import pulumi_eks as eks

vpc = awsx.ec2.Vpc("vpc", nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.SINGLE))
cluster = eks.Cluster("gpu", vpc_id=vpc.vpc_id, private_subnet_ids=vpc.private_subnet_ids,
                      skip_default_node_group=True)
ng = eks.ManagedNodeGroup("g6e", cluster=cluster, instance_types=["g6e.12xlarge"],
    scaling_config={"desired_size": 2, "min_size": 0, "max_size": 4}, node_role_arn="arn:aws:iam::123456789012:role/node")
pulumi.export("kubeconfig", cluster.kubeconfig)
