"""Calls a lookup the offline preview has no written answer for, in its plain or its Output form."""

import pulumi
import pulumi_aws as aws

if pulumi.Config().get_bool("outputForm"):
    cluster = aws.eks.get_cluster_output(name="existing")
    pulumi.export("endpoint", cluster.endpoint)
else:
    cluster = aws.eks.get_cluster(name="existing")
    pulumi.export("endpoint", cluster.endpoint)
