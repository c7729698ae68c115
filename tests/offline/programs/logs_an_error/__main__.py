"""A program that reports its own problems with `pulumi.log` instead of raising: `pulumi preview` shows them
under "Diagnostics" and still exits 0 (pulumi/pulumi#5085), so the offline preview must show them too."""

import pulumi
import pulumi_aws as aws

gpu = aws.ec2.Instance("gpu", ami="ami-0123456789abcdef0", instance_type="g6.xlarge")
pulumi.log.info("sizing for 1 GPU")
pulumi.log.warn("no gpufleet-hours-per-month tag: assuming always on")
pulumi.log.error("quota request \x1b[31mnot approved\x1b[0m for g6 in eu-north-1", resource=gpu)
