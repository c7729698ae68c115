"""Issue #16 gaps 6-8 end to end (`gpufleet.preview.preview`, no policies): multi-language components
said to be unexpanded and estimated from their inputs, GPU capacity wherever the type is known
(classic azure, no region), Kubernetes GPU requests as demand, every resource assessed."""

import json
from pathlib import Path

from gpufleet.preview import preview

PROGRAMS = Path(__file__).resolve().parent / "programs"


def run(name: str) -> dict:
    return preview(PROGRAMS / name, "dev", policy_pack=None).to_json()["gpufleet"]


def test_multi_language_components_are_estimated_from_their_inputs_and_said_unexpanded() -> None:
    plan = run("multi_language")
    prefix = "urn:pulumi:dev::multi-language::"
    cluster = plan["estimates"][prefix + "eks:index:Cluster::gpu"]
    # 2 × p4d.24xlarge (8 A100 each) in the stack's project-level aws:region, read from eks.Cluster's inputs
    assert (cluster["region"], cluster["instance_type"], cluster["nodes"], cluster["gpus"]) == ("us-east-1", "p4d.24xlarge", 2, 16)
    assert cluster["monthly_usd"] == round(2 * 21.957642 * 730, 2)  # the catalog's us-east-1 on-demand price
    assert plan["estimates"][prefix + "awsx:ec2:Vpc::vpc"]["derivation"] == {"monthly_usd": (
        "unknown: 3 NAT gateways (OnePerAz, the default): hours and data; no price in the catalog; "
        "its other children are not expanded offline"),
        "monthly_kwh": "unknown: no energy model for this resource type"}
    # a component given its own aws provider: priced where that provider is
    pool = plan["estimates"][prefix + "eks:index:ManagedNodeGroup::inference"]
    assert (pool["region"], pool["instance_type"], pool["nodes"], pool["gpus"]) == ("us-west-2", "g6e.2xlarge", 3, 3)
    assert (plan["assessment"]["complete"], sorted(plan["assessment"]["not_expanded"])) == (
        False, [prefix + "awsx:ec2:Vpc::vpc", prefix + "eks:index:Cluster::gpu", prefix + "eks:index:ManagedNodeGroup::inference"])


def test_gpus_on_classic_azure_and_without_a_region_are_counted() -> None:
    plan = run("classic_azure")
    by_name = {urn.rsplit("::", 1)[1]: e for urn, e in plan["estimates"].items()}
    assert {name: (e["region"], e["instance_type"], e["nodes"], e["gpus"]) for name, e in by_name.items()} == {
        "aks": (None, None, None, None),  # control plane: unpriced
        "aks.defaultNodePool": ("eastus", "Standard_ND96asr_v4", 2, 16),
        "inference": ("eastus", "Standard_NC24ads_A100_v4", 3, 3),  # where its cluster is
        "workstation": ("eastus", "Standard_NC24ads_A100_v4", 1, 1),
        "trainer": (None, "p5.48xlarge", 1, 8),  # no region: no price, still 8 GPUs
        "trainer.rootBlockDevice": (None, None, None, 0),  # its root volume, the AMI's: unpriced
        # the pools' and the VM's managed OS disks: no sourced managed disk price, unpriced
        "aks.defaultNodePool.osDisk": (None, None, None, None), "inference.osDisk": (None, None, None, None),
        "workstation.osDisk": (None, None, None, None),
    }
    assert plan["totals"]["gpus"] == 28
    assert by_name["trainer"]["derivation"]["monthly_usd"] == "unknown: region not known at preview"


def test_kubernetes_gpu_requests_are_demand_not_capacity() -> None:
    plan = run("k8s_gpu")
    prefix = "urn:pulumi:dev::k8s-gpu::kubernetes:"
    assert plan["gpu_requests"] == {
        prefix + "apps/v1:Deployment::serve": {"gpus_per_pod": 1, "pods": 2, "gpus": 2, "pods_are": "replicas"},
        prefix + "batch/v1:Job::train": {"gpus_per_pod": 8, "pods": 4, "gpus": 32, "pods_are": "parallel pods"},
        prefix + "apps/v1:DaemonSet::probe": {"gpus_per_pod": 1, "pods": None, "gpus": None,
                                              "pods_are": "one pod per matching node"},
    }
    assert plan["totals"]["gpus"] == 0  # requests run on capacity declared elsewhere
    assert plan["unpriced"] == [prefix + "core/v1:Service::serve"]  # a LoadBalancer service


LOOKUPS = PROGRAMS / "lookups"


def test_lookups_of_any_provider_and_stack_references_answer_and_are_marked(tmp_path) -> None:
    from gpufleet.cli import main

    out = tmp_path / "plan.json"
    assert main(["preview", "dev", "--program", str(LOOKUPS), "--no-policies", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["gpufleet"]["lookups"] == {
        "aws:eks/getCluster:getCluster": "placeholders shaped by the SDK's result type",
        "aws:route53/getZone:getZone": "plausible offline answer",
        "azure:core/getClientConfig:getClientConfig": "plausible offline answer",
        "pulumi:pulumi:StackReference acme/network/prod": "outputs unknown at preview: pass --stack-reference NAME=FILE",
    }
    record = next(s["newState"]["inputs"] for s in doc["steps"] if s["newState"]["type"] == "aws:route53/record:Record")
    assert record["records"] == ["endpoint-looked-up-offline"]
    assert (record["zoneId"][0], len(record["zoneId"])) == ("Z", 21)  # a hosted zone id, from the lookup


def test_a_stack_reference_is_unknown_unless_its_outputs_are_given_and_failures_name_the_line(capsys) -> None:
    from gpufleet.cli import main

    # Unknown outputs: the apply that would fail does not run, as in `pulumi preview`.
    assert main(["preview", "broken", "--program", str(LOOKUPS), "--no-policies"]) == 0
    capsys.readouterr()
    given = ["--stack-reference", f"acme/network/prod={LOOKUPS / 'network-prod.json'}"]
    assert main(["preview", "broken", "--program", str(LOOKUPS), "--no-policies", *given]) == 3
    assert capsys.readouterr().err == (
        "error: the Pulumi program failed: __main__.py:16: IndexError: list index out of range\n")


def test_a_stack_reference_option_without_a_file_is_a_usage_error(capsys) -> None:
    from gpufleet.cli import main

    assert main(["preview", "dev", "--program", str(LOOKUPS), "--no-policies", "--stack-reference", "acme/network/prod"]) == 2
    assert "--stack-reference" in capsys.readouterr().err


def test_stack_references_read_stack_output_and_stack_export_files(tmp_path) -> None:
    from gpufleet.offline.project import read_stack_reference

    export = tmp_path / "export.json"
    export.write_text(json.dumps({"version": 3, "deployment": {"resources": [
        {"type": "pulumi:providers:aws", "urn": "p"},
        {"type": "pulumi:pulumi:Stack", "urn": "s", "outputs": {"vpcId": "vpc-9"}}]}}))
    assert read_stack_reference(f"acme/net/prod={export}") == ("acme/net/prod", {"vpcId": "vpc-9"})
    assert read_stack_reference(f"acme/net/prod={LOOKUPS / 'network-prod.json'}") == (
        "acme/net/prod", {"vpcId": "vpc-0abc", "privateSubnetIds": ["subnet-1", "subnet-2"]})
