"""GPU capacity on the default AWS provider, with no region in the stack's configuration."""

import pulumi_aws as aws
import pulumi_eks as eks

aws.ec2.Instance("box", ami="ami-0123456789abcdef0", instance_type="p5.48xlarge")
eks.Cluster("gpu", instance_type="p5.48xlarge", desired_capacity=2, min_size=1, max_size=2)
