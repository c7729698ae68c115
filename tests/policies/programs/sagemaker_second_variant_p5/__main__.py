"""A SageMaker endpoint whose configuration has a small GPU production variant first, then 40 x
ml.p5.48xlarge, and a shadow variant of 40 x ml.p5.48xlarge (648 GPUs in all, 640 of them H100).
Found by review14b: only the first GPU variant was counted, so it passed prod."""

import pulumi_aws as aws

model = aws.sagemaker.Model(
    "m",
    execution_role_arn="arn:aws:iam::123456789012:role/sm",
    primary_container={"image": "763104351884.dkr.ecr.eu-north-1.amazonaws.com/tgi-inference:2.4"},
)
config = aws.sagemaker.EndpointConfiguration(
    "cfg",
    production_variants=[
        {"variant_name": "small", "model_name": model.name, "instance_type": "ml.g6e.2xlarge",
         "initial_instance_count": 1},
        {"variant_name": "big", "model_name": model.name, "instance_type": "ml.p5.48xlarge",
         "initial_instance_count": 40},
    ],
    shadow_production_variants=[
        {"variant_name": "shadow", "model_name": model.name, "instance_type": "ml.p5.48xlarge",
         "initial_instance_count": 40},
    ],
)
aws.sagemaker.Endpoint("e", endpoint_config_name=config.name)
