"""The pulumi-aws `ec2.Fleet` example, with GPU instances: a maintained fleet of 80 p5.48xlarge from a
launch template (640 H100)."""

import pulumi_aws as aws

template = aws.ec2.LaunchTemplate(
    "gpu",
    image_id="ami-0123456789abcdef0",
    instance_type="p5.48xlarge",
    metadata_options={"http_tokens": "required"},
)
aws.ec2.Fleet(
    "gpu",
    type="maintain",
    launch_template_configs=[{
        "launch_template_specification": {"launch_template_id": template.id, "version": template.latest_version},
    }],
    target_capacity_specification={"default_target_capacity_type": "on-demand", "total_target_capacity": 80},
)
