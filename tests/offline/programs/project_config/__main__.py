import pulumi
import pulumi_aws as aws

config = pulumi.Config()
zones = aws.get_availability_zones()
pulumi.export("instanceType", config.require("instanceType"))
pulumi.export("nodeCount", config.require_int("nodeCount"))
pulumi.export("owner", config.require("owner"))
pulumi.export("zone", zones.names[0])
