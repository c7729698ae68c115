"""A program requiring a setting the stack may lack, as the Pulumi docs' `Config.require` examples do."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
nodes = config.require_int("nodes")
instance_type = config.require("instanceType")
for i in range(nodes):
    aws.ec2.Instance(f"node-{i}", ami="ami-0123456789abcdef0", instance_type=instance_type)
