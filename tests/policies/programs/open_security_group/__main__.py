import pulumi_aws as aws

group = aws.ec2.SecurityGroup(
    "gpu-nodes",
    description="GPU nodes",
    vpc_id="vpc-0a1b2c3d4e5f60000",
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
)
aws.ec2.SecurityGroupRule(
    "everything", type="ingress", security_group_id=group.id, protocol="-1", from_port=0, to_port=0,
    ipv6_cidr_blocks=["::/0"])
