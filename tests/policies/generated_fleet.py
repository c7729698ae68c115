"""A generated fleet of any size: the same mix of compliant and violating resources repeated.

Each unit is 10 resources across AWS, Azure and GCP — GPU node groups with launch templates (one
over the per-group GPU limit, one on IMDSv1), a bucket with its encryption and public access block
(every third unit's left open), an open security group in every fifth unit, an AKS GPU pool, a GKE
GPU pool and an unpriced GPU type — so every kind of policy has something to judge and to report.
Used by the verdict-equality tests (small) and by bench/policies.py (10,000 resources).
"""

from __future__ import annotations

from gpufleet.offline.runner import ProgramRun

from pack_helpers import Ref, build_run, res

TAGS = {"team": "ml", "cost-center": "cc-1", "environment": "prod"}
UNIT_RESOURCES = 10


def _unit(i: int) -> list:
    template = res("aws:ec2/launchTemplate:LaunchTemplate", f"lt-{i}", {
        "instanceType": "p5.48xlarge", "metadataOptions": {"httpTokens": "required" if i % 4 else "optional"},
        "tags": TAGS})
    trainer = res("aws:eks/nodeGroup:NodeGroup", f"train-{i}", {
        "clusterName": "gpu", "launchTemplate": Ref(template, "id"), "capacityType": "SPOT" if i % 2 else "ON_DEMAND",
        "scalingConfig": {"desiredSize": 1, "minSize": 0 if i % 3 else 1, "maxSize": 2 + i % 7}, "tags": TAGS})
    inference = res("aws:eks/nodeGroup:NodeGroup", f"infer-{i}", {
        "clusterName": "gpu", "instanceTypes": ["g6e.2xlarge"],
        "scalingConfig": {"desiredSize": 1, "minSize": 0, "maxSize": 4}, "tags": TAGS})
    bucket = res("aws:s3/bucket:Bucket", f"data-{i}", {"bucket": f"gpufleet-data-{i}", "tags": TAGS})
    encryption = res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                     f"data-{i}", {"bucket": Ref(bucket), "rules": [
                         {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]})
    block = res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"data-{i}", {
        "bucket": Ref(bucket), "blockPublicAcls": bool(i % 3), "blockPublicPolicy": True,
        "ignorePublicAcls": True, "restrictPublicBuckets": True})
    group = res("aws:ec2/securityGroup:SecurityGroup", f"sg-{i}", {
        "vpcId": "vpc-1", "tags": TAGS, "ingress": [{
            "protocol": "tcp", "fromPort": 22 if i % 5 == 0 else 443, "toPort": 22 if i % 5 == 0 else 443,
            "cidrBlocks": ["0.0.0.0/0" if i % 5 == 0 else "10.0.0.0/8"]}]})
    aks = res("azure-native:containerservice:AgentPool", f"aks-{i}", {
        "vmSize": "Standard_NC24ads_A100_v4", "count": 1 + i % 3, "tags": TAGS})
    gke = res("gcp:container/nodePool:NodePool", f"gke-{i}", {
        "location": "europe-west4", "nodeCount": 1, "autoscaling": {"minNodeCount": 0, "maxNodeCount": 2},
        "nodeConfig": {"machineType": "a2-highgpu-1g", "resourceLabels": TAGS}})
    unpriced = res("aws:ec2/instance:Instance", f"odd-{i}", {
        "instanceType": "p3.2xlarge", "metadataOptions": {"httpTokens": "required"}, "tags": TAGS})
    return [template, trainer, inference, bucket, encryption, block, group, aks, gke, unpriced]


def generated_fleet(units: int, *, stack: str = "prod") -> ProgramRun:
    """`units` × 10 resources, plus the stack and one default provider per cloud (4)."""
    return build_run(*(r for i in range(units) for r in _unit(i)), stack=stack)
