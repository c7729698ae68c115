"""An On-Demand Capacity Reservation of 4 p5.48xlarge (AWS docs style) and an EKS node group whose launch
template targets it, running 3 nodes: one reserved instance stays unused and is billed."""

import pulumi
import pulumi_aws as aws

reservation = aws.ec2.CapacityReservation("h100-odcr",
    instance_type="p5.48xlarge",
    instance_platform="Linux/UNIX",
    availability_zone="us-west-2a",
    instance_count=4,
    instance_match_criteria="targeted",
    end_date_type="limited",
    end_date="2027-01-31T00:00:00Z")
lt = aws.ec2.LaunchTemplate("h100-lt",
    instance_type="p5.48xlarge",
    capacity_reservation_specification=aws.ec2.LaunchTemplateCapacityReservationSpecificationArgs(
        capacity_reservation_target=aws.ec2.LaunchTemplateCapacityReservationSpecificationCapacityReservationTargetArgs(
            capacity_reservation_id=reservation.id)))
nodes = aws.eks.NodeGroup("h100",
    cluster_name="gpu",
    node_role_arn="arn:aws:iam::123456789012:role/nodes",
    subnet_ids=["subnet-0123"],
    launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=lt.id, version="$Latest"),
    scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=3, min_size=0, max_size=6))
pulumi.export("reservation", reservation.id)
