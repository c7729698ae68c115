"""The pulumi-aws `batch.ComputeEnvironment` example, with GPU instances: a managed EC2 environment that
scales from 0 to 19,200 vCPUs of p5.48xlarge (100 instances, 800 H100)."""

import pulumi_aws as aws

aws.batch.ComputeEnvironment(
    "training",
    name="training",
    type="MANAGED",
    service_role="arn:aws:iam::123456789012:role/aws-batch-service-role",
    compute_resources={
        "type": "EC2",
        "instance_role": "arn:aws:iam::123456789012:instance-profile/ecs-instance",
        "instance_types": ["p5.48xlarge"],
        "min_vcpus": 0,
        "max_vcpus": 19200,
        "security_group_ids": ["sg-0123456789abcdef0"],
        "subnets": ["subnet-0a1b2c3d4e5f60001"],
    },
)
