import pulumi_aws as aws

aws.ec2.DefaultSecurityGroup(
    "default",
    vpc_id="vpc-0a1b2c3d4e5f60000",
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
