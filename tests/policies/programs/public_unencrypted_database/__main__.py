import pulumi_aws as aws

aws.rds.Instance(
    "features",
    engine="postgres",
    engine_version="16.3",
    instance_class="db.r6g.large",
    allocated_storage=100,
    username="ml",
    manage_master_user_password=True,
    publicly_accessible=True,
    final_snapshot_identifier="features-final",
)
