"""A certificate's validation, a Batch queue and job definition, a DB subnet group, a SageMaker model and a
Cloud SQL database and user: no charge of their own (what they configure is assessed on its own)."""

import json

import pulumi_aws as aws
import pulumi_gcp as gcp

cert = aws.acm.Certificate("cert", domain_name="api.example.com", validation_method="DNS")
aws.acm.CertificateValidation("cert", certificate_arn=cert.arn, validation_record_fqdns=["_x.api.example.com"])
aws.batch.JobQueue("queue", name="gpu", state="ENABLED", priority=1, compute_environment_orders=[
    aws.batch.JobQueueComputeEnvironmentOrderArgs(order=1, compute_environment="arn:aws:batch:us-east-1:1:ce/gpu")])
aws.batch.JobDefinition("train", name="train", type="container",
                        container_properties=json.dumps({"image": "nvcr.io/nvidia/pytorch:24.05-py3"}))
aws.rds.SubnetGroup("db", subnet_ids=["subnet-1", "subnet-2"])
aws.sagemaker.Model("llm", execution_role_arn="arn:aws:iam::1:role/sm",
                    primary_container=aws.sagemaker.ModelPrimaryContainerArgs(image="1.dkr.ecr.us-east-1.amazonaws.com/llm"))
gcp.sql.Database("db", instance="main")
gcp.sql.User("user", instance="main", password="not-a-real-one")
