import pulumi
import pulumi_aws as aws

gpus = pulumi.Config().require_int("gpus")
aws.ec2.Instance("gpu", ami="ami-0123456789abcdef0", instance_type="g6.xlarge", tags={"gpus": str(gpus)})
