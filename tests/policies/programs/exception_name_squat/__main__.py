"""A p5.48xlarge in us-east-1 (396 gCO2e/kWh) named like the Azure agent pool prod's grid exception was
reviewed for (400 g/kWh): found by review14b, it passed prod while exceptions matched bare names."""

import pulumi_aws as aws

aws.ec2.Instance(
    "prod-chat-serving-chat-serving-agent-pool",
    ami="ami-0123456789abcdef0",
    instance_type="p5.48xlarge",
    metadata_options={"http_tokens": "required"},
    root_block_device={"encrypted": True},
)
