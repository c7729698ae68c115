"""A priced GPU instance beside a type gpufleet does not know (an AppStream fleet, registry example): the
money total leaves its cost out, so the preview marks it partial, as `gpufleet report` does."""

import pulumi_aws as aws

aws.ec2.Instance("box", ami="ami-0123456789abcdef0", instance_type="g6.xlarge",
                 root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(volume_size=8, volume_type="gp3"))
aws.appstream.Fleet("desktops", instance_type="stream.standard.large", compute_capacity=aws.appstream.FleetComputeCapacityArgs(
    desired_instances=1))
