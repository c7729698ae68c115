"""The report flags what rolls or replaces GPU nodes, or replaces or deletes storage, with the GPUs
affected: two plans (`pulumi stack export` shape) of one fleet on AWS, GCP and Azure, compared by
`gpufleet diff` and `gpufleet report`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from gpufleet.report.disruption import Disruption, disruptions
from gpufleet.report.plans import read_plan

PROJECT = "fleet"


def _resource(type_: str, name: str, inputs: dict[str, Any], id_: str, provider: str | None = None) -> dict[str, Any]:
    r = {"urn": f"urn:pulumi:prod::{PROJECT}::{type_}::{name}", "custom": True, "id": id_, "type": type_,
         "inputs": inputs, "outputs": {}}
    if provider:
        r["provider"] = f"urn:pulumi:prod::{PROJECT}::pulumi:providers:{provider}::{provider}-default::{provider}-id"
    return r


def _node_group(name: str, itype: str, nodes: int, subnets: list[str], **extra: Any) -> dict[str, Any]:
    return _resource("aws:eks/nodeGroup:NodeGroup", name, {
        "clusterName": "prod", "nodeGroupName": name, "nodeRoleArn": "arn:aws:iam::1:role/nodes",
        "instanceTypes": [itype], "subnetIds": subnets, "amiType": "AL2023_x86_64_NVIDIA",
        "scalingConfig": {"desiredSize": nodes, "minSize": nodes, "maxSize": nodes}, **extra}, f"prod:{name}", "aws")


def base_plan() -> dict[str, Any]:
    resources = [
        {"urn": f"urn:pulumi:prod::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-prod", "custom": False,
         "type": "pulumi:pulumi:Stack"},
        _resource("pulumi:providers:aws", "aws-default", {"region": "us-west-2"}, "aws-id"),
        _resource("pulumi:providers:gcp", "gcp-default", {"project": "p", "region": "us-central1"}, "gcp-id"),
        _resource("pulumi:providers:azure-native", "azure-native-default", {"location": "eastus"}, "azure-id"),
        _resource("aws:ec2/launchTemplate:LaunchTemplate", "train-lt", {
            "name": "train-lt", "userData": "IyEvYmluL2Jhc2gK", "tags": {"team": "research"},
            "tagSpecifications": [{"resourceType": "instance", "tags": {"team": "research"}}]}, "lt-0abc", "aws"),
        _node_group("train", "p5.48xlarge", 2, ["subnet-a"], launchTemplate={"id": "lt-0abc", "version": "1"}),
        _node_group("embed", "p5.48xlarge", 1, ["subnet-a"]),
        _node_group("serve", "g6e.2xlarge", 4, ["subnet-a"]),
        _node_group("batch", "g6e.2xlarge", 2, ["subnet-a"]),  # only scales: not a disruption
        _node_group("system", "m7i.xlarge", 2, ["subnet-a"]),  # CPU nodes: not GPU capacity
        _resource("aws:fsx/lustreFileSystem:LustreFileSystem", "scratch", {
            "deploymentType": "PERSISTENT_2", "storageCapacity": 4800, "perUnitStorageThroughput": 250,
            "subnetIds": ["subnet-a"]}, "fs-0abc", "aws"),
        _resource("aws:s3/bucket:Bucket", "datasets", {"bucket": "research-datasets"}, "research-datasets", "aws"),
        _resource("gcp:container/nodePool:NodePool", "l4-pool", {
            "cluster": "prod", "location": "us-central1-a", "nodeCount": 2,
            "nodeConfig": {"machineType": "g2-standard-4"}}, "l4-pool", "gcp"),
        _resource("azure-native:containerservice:AgentPool", "a100-pool", {
            "agentPoolName": "a100", "resourceGroupName": "rg", "resourceName": "aks", "count": 2,
            "vmSize": "Standard_NC24ads_A100_v4", "orchestratorVersion": "1.33"}, "a100", "azure-native"),
    ]
    return {"version": 3, "deployment": {"resources": resources}}


def head_plan() -> dict[str, Any]:
    plan = copy.deepcopy(base_plan())
    by_name = {r["urn"].rsplit("::", 1)[-1]: r for r in plan["deployment"]["resources"]}
    by_name["train-lt"]["inputs"]["userData"] = "IyEvYmluL2Jhc2gKZWNobyBoaQo="  # new template version
    by_name["train-lt"]["inputs"]["tags"] = {"team": "research", "note": "x"}  # the template's own tags: no version
    by_name["embed"]["inputs"]["subnetIds"] = ["subnet-b"]
    by_name["serve"]["inputs"]["instanceTypes"] = ["g6.xlarge"]
    by_name["batch"]["inputs"]["scalingConfig"] = {"desiredSize": 3, "minSize": 3, "maxSize": 3}
    by_name["system"]["inputs"]["instanceTypes"] = ["m7i.2xlarge"]
    by_name["scratch"]["inputs"]["deploymentType"] = "SCRATCH_2"
    by_name["l4-pool"]["inputs"]["nodeConfig"] = {"machineType": "a2-highgpu-1g"}
    by_name["a100-pool"]["inputs"]["vmSize"] = "Standard_NC40ads_H100_v5"
    plan["deployment"]["resources"].remove(by_name["datasets"])
    return plan


def _write(tmp_path: Path) -> tuple[Path, Path]:
    base, head = tmp_path / "base.json", tmp_path / "head.json"
    base.write_text(json.dumps(base_plan()))
    head.write_text(json.dumps(head_plan()))
    return base, head


EXPECTED = [
    Disruption("datasets", "aws:s3/bucket:Bucket", "deleted", "not in the head plan", 30, storage=True),
    Disruption("embed", "aws:eks/nodeGroup:NodeGroup", "replaced", "subnetIds changed: the provider replaces it", 8),
    Disruption("serve", "aws:eks/nodeGroup:NodeGroup", "replaced", "instance type g6e.2xlarge → g6.xlarge", 4),
    Disruption("a100-pool", "azure-native:containerservice:AgentPool", "replaced",
               "instance type Standard_NC24ads_A100_v4 → Standard_NC40ads_H100_v5", 2),
    Disruption("scratch", "aws:fsx/lustreFileSystem:LustreFileSystem", "replaced",
               "deploymentType changed: the provider replaces it", 30, storage=True),
    Disruption("train", "aws:eks/nodeGroup:NodeGroup", "rolled",
               "LaunchTemplate train-lt changed: new version (userData)", 16),
    Disruption("l4-pool", "gcp:container/nodePool:NodePool", "rolled",
               "instance type g2-standard-4 → a2-highgpu-1g; nodeConfig changed: an update that recreates the nodes", 2),
]


def test_every_roll_replacement_and_deletion_is_flagged_with_its_gpus(tmp_path):
    base, head = _write(tmp_path)
    assert disruptions(read_plan(base), read_plan(head)) == EXPECTED


def test_the_diff_shows_them_before_the_resource_changes(tmp_path, gpufleet_cli):
    base, head = _write(tmp_path)
    code, out, err = gpufleet_cli("diff", base, head)
    assert (code, err) == (0, "")
    start = out.index("Disrupts running GPU nodes or storage")
    title, table = out[start:out.index("Resources:", start)].split("\neffect ", 1)
    assert " ".join(title.split()) == ("Disrupts running GPU nodes or storage: GPU capacity 3 replaced, 2 rolled: "
                                       "32 GPUs on those nodes; storage 1 deleted, 1 replaced")
    rows = [line.split() for line in table.splitlines()[2:] if line.split()[:1] in (["deleted"], ["replaced"], ["rolled"])]
    assert rows[0][:9] == ["deleted", "datasets", "30", "in", "its", "region", "not", "in", "the"]
    assert [r[:3] for r in rows] == [
        ["deleted", "datasets", "30"], ["replaced", "embed", "8"], ["replaced", "serve", "4"],
        ["replaced", "a100-pool", "2"], ["replaced", "scratch", "30"], ["rolled", "train", "16"],
        ["rolled", "l4-pool", "2"]]


def test_the_pull_request_report_shows_them_unfolded_with_the_gpus(tmp_path, gpufleet_cli):
    base, head = _write(tmp_path)
    code, out, err = gpufleet_cli("report", head, "--base", base, "--output", "-")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    start = lines.index("> ⚠️ **Disrupts running GPU nodes or storage** — GPU capacity 3 replaced, 2 rolled: "
                        "32 GPUs on those nodes; storage 1 deleted, 1 replaced")
    assert lines[start + 1:start + 11] == [
        "",
        "| effect | resource | type | GPUs | why |",
        "| --- | --- | --- | ---: | --- |",
        "| **deleted** | `datasets` | `aws:s3/bucket:Bucket` | 30 in its region | not in the head plan |",
        "| **replaced** | `embed` | `aws:eks/nodeGroup:NodeGroup` | 8 | subnetIds changed: the provider replaces it |",
        "| **replaced** | `serve` | `aws:eks/nodeGroup:NodeGroup` | 4 | instance type g6e.2xlarge → g6.xlarge |",
        "| **replaced** | `a100-pool` | `azure-native:containerservice:AgentPool` | 2 | instance type "
        "Standard\\_NC24ads\\_A100\\_v4 → Standard\\_NC40ads\\_H100\\_v5 |",
        "| **replaced** | `scratch` | `aws:fsx/lustreFileSystem:LustreFileSystem` | 30 in its region | deploymentType "
        "changed: the provider replaces it |",
        "| **rolled** | `train` | `aws:eks/nodeGroup:NodeGroup` | 16 | LaunchTemplate train-lt changed: new version "
        "(userData) |",
        "| **rolled** | `l4-pool` | `gcp:container/nodePool:NodePool` | 2 | instance type g2-standard-4 → "
        "a2-highgpu-1g; nodeConfig changed: an update that recreates the nodes |",
    ]
    assert lines[start + 11] == ""
    # Ahead of the folded lists: a reviewer sees it without opening anything.
    assert start < lines.index("**Where**")


def test_a_plan_compared_with_itself_disrupts_nothing(tmp_path, gpufleet_cli):
    base, _ = _write(tmp_path)
    assert disruptions(read_plan(base), read_plan(base)) == []
    code, out, _ = gpufleet_cli("report", base, "--base", base, "--output", "-")
    assert code == 0 and "Disrupts running GPU nodes" not in out


def test_a_replacement_the_pulumi_preview_plans_is_flagged_even_when_no_listed_input_explains_it(tmp_path):
    """`pulumi preview --json` steps say what the provider will do: a `replace` there is a replacement."""
    base = base_plan()
    states = {r["urn"].rsplit("::", 1)[-1]: r for r in base["deployment"]["resources"]}
    steps = []
    for name, r in states.items():
        state = {k: v for k, v in r.items() if k != "outputs"}
        op = "replace" if name == "train" else "same"
        steps.append({"op": op, "urn": r["urn"], "newState": state, **({"oldState": state} if op == "replace" else {})})
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "head.json").write_text(json.dumps({"config": {}, "steps": steps}))
    assert disruptions(read_plan(tmp_path / "base.json"), read_plan(tmp_path / "head.json")) == [
        Disruption("train", "aws:eks/nodeGroup:NodeGroup", "replaced", "the Pulumi preview replaces it", 16)]


def _lustre_capacity(tmp_path: Path, gib: int) -> list[Disruption]:
    head = copy.deepcopy(base_plan())
    lustre = next(r for r in head["deployment"]["resources"] if r["urn"].endswith("::scratch"))
    lustre["inputs"]["storageCapacity"] = gib
    (tmp_path / "base.json").write_text(json.dumps(base_plan()))
    (tmp_path / "head.json").write_text(json.dumps(head))
    return disruptions(read_plan(tmp_path / "base.json"), read_plan(tmp_path / "head.json"))


def test_a_smaller_lustre_file_system_is_a_replacement_and_a_larger_one_is_not(tmp_path):
    """FSx cannot shrink a file system (Terraform AWS provider: ForceNew when storage_capacity decreases):
    fewer GPUs shrink the hot tier sized from them, and that deletes the file system's data."""
    assert _lustre_capacity(tmp_path, 2400) == [
        Disruption("scratch", "aws:fsx/lustreFileSystem:LustreFileSystem", "replaced",
                   "storageCapacity decreased (4,800 → 2,400): the provider cannot shrink it, it replaces it", 30,
                   storage=True)]
    assert _lustre_capacity(tmp_path, 7200) == []
