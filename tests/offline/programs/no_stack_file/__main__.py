"""Two p5.48xlarge with the region in Pulumi.yaml and no Pulumi.<stack>.yaml at all, as a fresh
`pulumi stack init` leaves a project: the project's configuration applies."""

import pulumi_aws as aws
for i in range(2):
    aws.ec2.Instance(f"h100-{i}", instance_type="p5.48xlarge", ami="ami-0123456789abcdef0")
