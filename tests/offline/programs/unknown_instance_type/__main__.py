"""GPU capacity whose instance type (and size) only another stack or a new resource knows: a preview cannot
count its GPUs, so it must say "unknown", never "No GPU capacity" and 0 GPUs."""

import pulumi
import pulumi_aws as aws

sizing = pulumi.StackReference("acme/sizing/prod")
itype, desired = sizing.get_output("gpu_instance_type"), sizing.get_output("desired_nodes")
ng = aws.eks.NodeGroup("gpu", cluster_name="existing", node_role_arn="arn:aws:iam::123456789012:role/nodes",
                       subnet_ids=["subnet-0123456789abcdef0"], instance_types=[itype],
                       scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=desired, min_size=0, max_size=8))
queue = aws.sqs.Queue("jobs")  # the instance type is decided from a new resource's id
dyn = aws.ec2.Instance("dyn", ami="ami-0123456789abcdef0", instance_type=queue.id.apply(lambda _: "p5.48xlarge"))
lt = aws.ec2.LaunchTemplate("lt", image_id="ami-0123456789abcdef0", instance_type=itype)
asg = aws.autoscaling.Group("asg", min_size=1, max_size=4, desired_capacity=desired, availability_zones=["us-east-1a"],
                            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=lt.id, version="$Latest"))
