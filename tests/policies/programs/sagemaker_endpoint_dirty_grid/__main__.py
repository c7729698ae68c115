"""The pulumi-aws `sagemaker.Endpoint` example: a model, an endpoint configuration with one production
variant of 2 x ml.p4d.24xlarge (16 A100), and the endpoint, in us-east-1 (396 gCO2e/kWh)."""

import pulumi_aws as aws

model = aws.sagemaker.Model(
    "llm",
    execution_role_arn="arn:aws:iam::123456789012:role/sagemaker-execution",
    primary_container={"image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/tgi-inference:2.4"},
)
config = aws.sagemaker.EndpointConfiguration(
    "llm",
    production_variants=[{
        "variant_name": "primary",
        "model_name": model.name,
        "instance_type": "ml.p4d.24xlarge",
        "initial_instance_count": 2,
    }],
)
aws.sagemaker.Endpoint("llm", endpoint_config_name=config.name)
