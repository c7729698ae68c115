"""The pulumi-aws `autoscaling.Group` example with attribute-based instance type selection: instances
with at least 8 NVIDIA GPUs (and 192 vCPUs or more), 48 of them kept running, up to 64."""

import pulumi_aws as aws

template = aws.ec2.LaunchTemplate(
    "gpu",
    image_id="ami-0123456789abcdef0",
    metadata_options={"http_tokens": "required"},
)
aws.autoscaling.Group(
    "gpu",
    vpc_zone_identifiers=["subnet-0a1b2c3d4e5f60001"],
    min_size=48,
    max_size=64,
    desired_capacity=48,
    mixed_instances_policy={
        "launch_template": {
            "launch_template_specification": {"launch_template_id": template.id, "version": "$Latest"},
            "overrides": [{"instance_requirements": {
                "accelerator_count": {"min": 8},
                "accelerator_manufacturers": ["nvidia"],
                "accelerator_types": ["gpu"],
                "memory_mib": {"min": 1048576},
                "vcpu_count": {"min": 192},
            }}],
        },
    },
    tags=[{"key": k, "value": v, "propagate_at_launch": True}
          for k, v in {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}.items()],
)
