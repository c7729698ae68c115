"""examples/: another team's program using the components from Python, run through the offline preview."""

from __future__ import annotations

from pathlib import Path

from gpufleet.estimate import estimate_plan
from gpufleet.offline import load_stack, run_program
from gpufleet.preview import views_from_run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "team-inference"


def _node_group(workload: str) -> list[tuple[str, str, str]]:
    name = f"inference-{workload}"
    return [
        ("gpufleet:index:GpuNodeGroup", name, "inference"),
        ("aws:iam/role:Role", f"{name}-node-role", name),
        *(("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{name}-node-role-{p}", name)
          for p in ("worker", "cni", "ecr-pull")),
        ("aws:ec2/launchTemplate:LaunchTemplate", f"{name}-launch-template", name),
        ("aws:eks/nodeGroup:NodeGroup", f"{name}-node-group", name),
    ]


def test_the_inference_teams_stack_declares_exactly_its_cluster():
    run = run_program(load_stack(EXAMPLE, "dev"))
    network = "inference-network"
    objects = "inference-serving-storage-objects"
    assert [(r.type, r.name, (r.parent or "").rsplit("::", 1)[-1] or None) for r in run.resources] == [
        ("pulumi:pulumi:Stack", "team-inference-dev", None),
        ("pulumi:providers:aws", "aws-us-east-2", "team-inference-dev"),
        ("gpufleet:index:GpuCluster", "inference", "team-inference-dev"),
        ("gpufleet:index:HighBandwidthNetwork", network, "inference"),
        ("aws:ec2/vpc:Vpc", f"{network}-vpc", network),
        ("aws:ec2/subnet:Subnet", f"{network}-private-us-east-2a", network),
        ("aws:ec2/subnet:Subnet", f"{network}-private-us-east-2b", network),
        ("aws:ec2/securityGroup:SecurityGroup", f"{network}-endpoints-sg", network),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", f"{network}-endpoints-sg-https", network),
        *(("aws:ec2/vpcEndpoint:VpcEndpoint", f"{network}-endpoint-{service}", network)
          for service in ("s3", "ec2", "ecr-api", "ecr-dkr", "sts", "eks", "eks-auth", "logs", "elasticloadbalancing")),
        ("aws:iam/role:Role", "inference-cluster-role", "inference"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "inference-cluster-role-policy", "inference"),
        ("aws:eks/cluster:Cluster", "inference-eks", "inference"),
        ("aws:iam/role:Role", "inference-system-node-role", "inference"),
        *(("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"inference-system-node-role-{p}", "inference")
          for p in ("worker", "cni", "ecr-pull")),
        ("aws:ec2/launchTemplate:LaunchTemplate", "inference-system-launch-template", "inference"),
        ("aws:eks/nodeGroup:NodeGroup", "inference-system-node-group", "inference"),
        *_node_group("serving"),
        *_node_group("batch"),
        ("gpufleet:index:StorageTiers", "inference-serving-storage", "inference"),
        ("aws:s3/bucket:Bucket", objects, "inference-serving-storage"),
        *((f"aws:s3/{t}:{t[0].upper()}{t[1:]}", f"{objects}-{suffix}", "inference-serving-storage") for t, suffix in (
            ("bucketPublicAccessBlock", "public-access-block"), ("bucketOwnershipControls", "ownership"),
            ("bucketServerSideEncryptionConfiguration", "encryption"), ("bucketVersioning", "versioning"),
            ("bucketLifecycleConfiguration", "lifecycle"))),
    ]
    # The explicit provider the team built reaches every child: nothing uses a default provider.
    provider = next(r for r in run.resources if r.type == "pulumi:providers:aws")
    assert {r.provider.rsplit("::", 1)[0] for r in run.resources if r.custom and r.provider} == {provider.urn}
    assert run.outputs["cluster_name"] == "inference"


def test_the_inference_teams_stack_is_estimated_from_its_node_groups():
    run = run_program(load_stack(EXAMPLE, "dev"))
    estimate = estimate_plan(views_from_run(run)).to_json()
    # the EKS control plane (1 × 0.10 USD/h × 730 h = 73.00) and the bucket's declared 2 TiB (energy and carbon:
    # its S3 price in us-east-2 is not sourced) are in the totals beside the node groups; so are the gp3 root
    # volumes their launch templates give each node (energy and carbon only: no us-east-2 EBS price is sourced):
    # 2 × 50 + 4 × 200 + 8 × 200 = 2,500 GiB = 2.684 TB × 2 replicas × 1.2 Wh/TB·h × 730 h × PUE 1.13 = 5.314 kWh,
    # × 396.25 g/kWh = 2.106 kg (each volume counted all month, whatever its nodes' hours)
    assert estimate["totals"] == {"gpus": 12, "gpus_unknown_size": 0, "monthly_usd": 2289.16, "monthly_kwh": 565.65, "monthly_kgco2e": 224.139,
                                  "monthly_embodied_kgco2e": 7.285}
    disks = {urn.rsplit("::", 1)[-1]: (e["monthly_usd"], e["monthly_kwh"]) for urn, e in estimate["estimates"].items()
             if urn.endswith(".launchTemplate.blockDeviceMappings[0]")}
    assert disks == {"inference-system-node-group.launchTemplate.blockDeviceMappings[0]": (None, 0.213),
                     "inference-serving-node-group.launchTemplate.blockDeviceMappings[0]": (None, 1.701),
                     "inference-batch-node-group.launchTemplate.blockDeviceMappings[0]": (None, 3.401)}
    gpu_groups = {urn.rsplit("::", 1)[-1]: (e["region"], e["instance_type"], e["nodes"], e["capacity_type"],
                                            e["hours_per_month"], e["gpus"], e["monthly_usd"])
                  for urn, e in estimate["estimates"].items() if e["gpus"]}
    assert gpu_groups == {
        "inference-serving-node-group": ("us-east-2", "g6.xlarge", 4, "on-demand", 300.0, 4, 965.76),  # 4 × 0.8048 × 300
        # at the catalog's Spot price: the highest of us-east-2's zone prices, 0.9959 USD/h (on demand: 2.24208)
        "inference-batch-node-group": ("us-east-2", "g6e.2xlarge", 8, "spot", 120.0, 8, 956.06),  # 8 × 0.9959 × 120
    }
    system = next(e for urn, e in estimate["estimates"].items() if urn.endswith("::inference-system-node-group"))
    assert (system["instance_type"], system["nodes"], system["gpus"], system["price_kind"], system["monthly_usd"]) == (
        "m7i.xlarge", 2, 0, "on-demand", 294.34)  # 2 × 0.2016 USD/h × 730 h: CPU system nodes are priced too


def test_the_python_snippet_of_docs_teams_runs(tmp_path):
    text = (EXAMPLE.parents[1] / "docs" / "teams.md").read_text()
    [snippet] = [block.split("```", 1)[0] for block in text.split("```python\n")[1:]]
    (tmp_path / "Pulumi.yaml").write_text("name: snippet\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(snippet)
    run = run_program(load_stack(tmp_path, "dev"))
    estimate = estimate_plan(views_from_run(run)).to_json()
    assert [r.name for r in run.resources if r.type == "gpufleet:index:GpuNodeGroup"] == ["inference-serving"]
    assert estimate["totals"]["gpus"] == 4
