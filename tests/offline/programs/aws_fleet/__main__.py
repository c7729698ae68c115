"""An explicit provider in us-west-2 for a component and an invoke, the default provider (eu-north-1) for the rest."""

import warnings

import pulumi
import pulumi_aws as aws

config = pulumi.Config()


class GpuNode(pulumi.ComponentResource):
    def __init__(self, name: str, instance_type: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gpufleet:test:GpuNode", name, None, opts)
        self.group = aws.ec2.SecurityGroup(
            f"{name}-sg", description="gpu node", opts=pulumi.ResourceOptions(parent=self)
        )
        self.instance = aws.ec2.Instance(
            f"{name}-vm",
            ami="ami-0123456789abcdef0",
            instance_type=instance_type,
            vpc_security_group_ids=[self.group.id],
            user_data=config.require_secret("dbPassword").apply(lambda password: f"DB_PASSWORD={password}"),
            root_block_device={"volume_size": 2048},
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.register_outputs({"instanceId": self.instance.id})


west = aws.Provider("us-west-2", region="us-west-2")
node = GpuNode("trainer", config.require("instanceType"), opts=pulumi.ResourceOptions(providers={"aws": west}))
bucket = aws.s3.Bucket(
    "checkpoints",
    bucket="gpufleet-checkpoints",
    tags=config.require_object("tags"),
    opts=pulumi.ResourceOptions(depends_on=[node], retain_on_delete=True),
)

zones = aws.get_availability_zones(opts=pulumi.InvokeOptions(provider=west))
assume_role = aws.iam.get_policy_document(
    statements=[{"actions": ["sts:AssumeRole"], "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]}]
)
# The bucket's domain name is computed by the provider: unknown in a preview.
role = aws.iam.Role("node-role", assume_role_policy=assume_role.json, tags={"bucket": bucket.bucket_domain_name})

pulumi.log.warn("p5.48xlarge capacity is scarce in us-west-2")
warnings.warn("tags will be required", FutureWarning)

pulumi.export("zones", zones.names)
pulumi.export("roleArn", role.arn)
pulumi.export("instanceArn", node.instance.arn)
pulumi.export("bucketName", bucket.bucket)
pulumi.export("dbPassword", config.require_secret("dbPassword"))
