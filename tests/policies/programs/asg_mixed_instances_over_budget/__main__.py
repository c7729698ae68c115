import pulumi_aws as aws

template = aws.ec2.LaunchTemplate(
    "gpu",
    image_id="ami-0123456789abcdef0",
    metadata_options={"http_tokens": "required"},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 500, "encrypted": "true"}}],
    tag_specifications=[{"resource_type": "instance",
                         "tags": {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}}],
)
aws.autoscaling.Group(
    "gpu",
    vpc_zone_identifiers=["subnet-0a1b2c3d4e5f60001"],
    min_size=0,
    max_size=40,
    desired_capacity=40,
    mixed_instances_policy={
        "instances_distribution": {"on_demand_base_capacity": 0, "on_demand_percentage_above_base_capacity": 100},
        "launch_template": {
            "launch_template_specification": {"launch_template_id": template.id, "version": "$Latest"},
            "overrides": [{"instance_type": "p5.48xlarge"}, {"instance_type": "p4d.24xlarge"}],
        },
    },
    tags=[{"key": k, "value": v, "propagate_at_launch": True}
          for k, v in {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}.items()],
)
