"""An Elastic IP and the NAT gateway using it, both named "nat", as the AWS provider's NAT gateway example has it."""

import pulumi_aws as aws

eip = aws.ec2.Eip("nat", domain="vpc")
aws.ec2.NatGateway("nat", allocation_id=eip.id, subnet_id="subnet-0123456789abcdef0")
