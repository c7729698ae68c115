import pulumi
import pulumi_awsx as awsx
import pulumi_eks as eks

vpc = awsx.ec2.Vpc("vpc")
cluster = eks.Cluster("gpu", vpc_id=vpc.vpc_id, public_subnet_ids=vpc.public_subnet_ids,
                      private_subnet_ids=vpc.private_subnet_ids, instance_type="p4d.24xlarge",
                      desired_capacity=2, min_size=1, max_size=2)
pulumi.export("kubeconfig", cluster.kubeconfig)
