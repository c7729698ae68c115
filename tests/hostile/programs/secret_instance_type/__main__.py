"""Two p5.48xlarge instances whose type comes from a secret config value and whose provider's region
is a secret output: priced and judged as any other, shown as [secret] everywhere."""

import pulumi
import pulumi_aws as aws

instance_type = pulumi.Config().require_secret("gpuType")
east = aws.Provider("east", region=pulumi.Output.secret("us-east-1"))
for i in range(2):
    aws.ec2.Instance(
        f"gpu-{i}",
        instance_type=instance_type,
        ami="ami-0123456789abcdef0",
        metadata_options={"http_tokens": "required"},
        tags={"team": "ml", "cost-center": "cc-1", "environment": "prod"},
        opts=pulumi.ResourceOptions(provider=east),
    )
