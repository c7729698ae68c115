import pulumi
import pulumi_aws as aws

aws.ebs.Volume("scratch", availability_zone="us-west-2a", size=2048, type="gp3", encrypted=False,
               opts=pulumi.ResourceOptions(protect=True))
aws.efs.FileSystem("shared", performance_mode="generalPurpose", opts=pulumi.ResourceOptions(protect=True))
