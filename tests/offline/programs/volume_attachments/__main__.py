"""The registry's aws.ec2.VolumeAttachment example, on a GPU instance, with an Elastic IP associated: the
attachments cost nothing themselves (the volume and the address are billed), so the plan is complete."""

import pulumi_aws as aws

# its root volume declared (else it is the AMI's: billed, its size and type unknown, and the plan incomplete)
box = aws.ec2.Instance("box", ami="ami-0123456789abcdef0", instance_type="g6.xlarge", availability_zone="us-east-1a",
                       root_block_device={"volume_size": 8, "volume_type": "gp3"})
data = aws.ebs.Volume("data", availability_zone="us-east-1a", size=100, type="gp3")
aws.ec2.VolumeAttachment("data", device_name="/dev/sdh", volume_id=data.id, instance_id=box.id)
ip = aws.ec2.Eip("ip", domain="vpc")
aws.ec2.EipAssociation("ip", instance_id=box.id, allocation_id=ip.allocation_id)
