"""Resources handed to multi-language components as references (pulumi-eks, pulumi-aws-apigateway):
the engine rehydrates them; offline, this once waited forever."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_aws_apigateway as apigateway
import pulumi_eks as eks

role = aws.iam.Role("fn-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}))
fn = aws.lambda_.Function("handler", role=role.arn, runtime="python3.12", handler="index.handler",
                          code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c): return {}")}))
api = apigateway.RestAPI("api", routes=[apigateway.RouteArgs(path="/hello", method=apigateway.Method.GET, event_handler=fn)])

cluster = eks.Cluster("gpu", skip_default_node_group=True)
nodes = eks.ManagedNodeGroup("gpu-nodes", cluster=cluster, node_role_arn=role.arn, instance_types=["p5.48xlarge"],
                             scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=2, min_size=0, max_size=2))

pulumi.export("url", api.url)
pulumi.export("kubeconfig", cluster.kubeconfig)
