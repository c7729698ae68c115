"""The pulumi-aws `emr.Cluster` (with a core instance fleet) and `emr.InstanceFleet` examples, with GPU
types: 40 on-demand p5.48xlarge units in the core fleet and 40 in a task fleet (640 H100). Found by
review14b: EMR was read only as instance groups, so both fleets passed prod with no violation."""

import pulumi_aws as aws

cluster = aws.emr.Cluster(
    "spark-gpu",
    release_label="emr-7.1.0",
    applications=["Spark"],
    service_role="arn:aws:iam::123456789012:role/EMR_DefaultRole",
    ec2_attributes={"subnet_ids": ["subnet-0a1b2c3d4e5f60001"],
                    "instance_profile": "arn:aws:iam::123456789012:instance-profile/EMR_EC2_DefaultRole"},
    master_instance_fleet={"instance_type_configs": [{"instance_type": "m5.xlarge"}], "target_on_demand_capacity": 1},
    core_instance_fleet={
        "instance_type_configs": [{"instance_type": "p5.48xlarge", "weighted_capacity": 1}],
        "target_on_demand_capacity": 40,
    },
)
aws.emr.InstanceFleet(
    "task",
    cluster_id=cluster.id,
    instance_type_configs=[{"instance_type": "p5.48xlarge", "weighted_capacity": 1}],
    target_on_demand_capacity=40,
)
