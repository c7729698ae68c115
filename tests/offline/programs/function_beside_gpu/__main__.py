"""A GPU box beside a Lambda function: the function's energy is unknown, so the kWh total is partial."""

import pulumi
import pulumi_aws as aws

aws.ec2.Instance("gpu", ami="ami-0123456789abcdef0", instance_type="p5.48xlarge")
aws.lambda_.Function("fn", role="arn:aws:iam::123456789012:role/fn", runtime="python3.12", handler="index.handler",
                     code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c): return {}")}))
