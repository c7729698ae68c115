"""What rolls or replaces GPU nodes declared inline (AKS `agentPoolProfiles`, GKE `nodePools`) and GPU
nodes of auto scaling groups whose launch template moves to a new version: two plans compared by
`disruptions` and by the PR report, exact flags and lines."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from gpufleet.report.disruption import Disruption, disruptions
from gpufleet.report.plans import read_plan

PROJECT = "fleet"
AKS, AKS_POOL = "azure-native:containerservice:ManagedCluster", "azure-native:containerservice:AgentPool"
GKE, GKE_POOL = "gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool"
ASG, LT = "aws:autoscaling/group:Group", "aws:ec2/launchTemplate:LaunchTemplate"


def _resource(type_: str, name: str, inputs: dict[str, Any], id_: str, provider: str | None = None) -> dict[str, Any]:
    r = {"urn": f"urn:pulumi:prod::{PROJECT}::{type_}::{name}", "custom": True, "id": id_, "type": type_,
         "inputs": inputs, "outputs": {}}
    if provider:
        r["provider"] = f"urn:pulumi:prod::{PROJECT}::pulumi:providers:{provider}::{provider}-default::{provider}-id"
    return r


def _aks(name: str, location: str, *pools: dict[str, Any]) -> dict[str, Any]:
    return _resource(AKS, name, {"resourceName": name, "resourceGroupName": "rg", "location": location,
                                 "dnsPrefix": name, "agentPoolProfiles": list(pools)}, name, "azure-native")


def _pool(name: str, size: str, count: int, **extra: Any) -> dict[str, Any]:
    return {"name": name, "vmSize": size, "count": count, "mode": "User", **extra}


def _gke(name: str, *pools: dict[str, Any]) -> dict[str, Any]:
    return _resource(GKE, name, {"name": name, "location": "us-central1-a", "removeDefaultNodePool": True,
                                 "initialNodeCount": 1, "nodePools": list(pools)}, name, "gcp")


def _gke_pool(name: str, machine: str, nodes: int, **extra: Any) -> dict[str, Any]:
    return {"name": name, "nodeCount": nodes, "nodeConfig": {"machineType": machine}, **extra}


def _template(name: str, lt_id: str) -> dict[str, Any]:
    return _resource(LT, name, {"name": name, "instanceType": "p5.48xlarge", "userData": "IyEvYmluL2Jhc2gK"},
                     lt_id, "aws")


def _asg(name: str, lt_id: str, version: str, **extra: Any) -> dict[str, Any]:
    return _resource(ASG, name, {"name": name, "minSize": 2, "maxSize": 2, "desiredCapacity": 2,
                                 "vpcZoneIdentifiers": ["subnet-a"], "launchTemplate": {"id": lt_id, "version": version},
                                 **extra}, name, "aws")


def base_plan() -> dict[str, Any]:
    resources = [
        {"urn": f"urn:pulumi:prod::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-prod", "custom": False,
         "type": "pulumi:pulumi:Stack"},
        _resource("pulumi:providers:aws", "aws-default", {"region": "us-west-2"}, "aws-id"),
        _resource("pulumi:providers:gcp", "gcp-default", {"project": "p", "region": "us-central1"}, "gcp-id"),
        _resource("pulumi:providers:azure-native", "azure-native-default", {"location": "eastus"}, "azure-id"),
        _aks("aks", "eastus", _pool("system", "Standard_D4ds_v5", 2, mode="System"),
             _pool("a100", "Standard_NC24ads_A100_v4", 2, orchestratorVersion="1.33"),
             _pool("h100", "Standard_NC40ads_H100_v5", 1, orchestratorVersion="1.33")),
        _aks("aks-west", "eastus", _pool("a100", "Standard_NC24ads_A100_v4", 3)),
        _gke("gke", _gke_pool("a100", "a2-highgpu-1g", 1), _gke_pool("l4", "g2-standard-4", 2)),
        _gke("gke-scaled", _gke_pool("l4", "g2-standard-4", 2, version="1.33.5-gke.1")),
        _template("latest-lt", "lt-1"), _asg("follows-latest", "lt-1", "$Latest"),
        _template("refresh-lt", "lt-2"), _asg("refreshed", "lt-2", "3", instanceRefresh={"strategy": "Rolling"}),
        _template("pinned-lt", "lt-3"), _asg("pinned", "lt-3", "1"),
    ]
    return {"version": 3, "deployment": {"resources": resources}}


def head_plan() -> dict[str, Any]:
    plan = copy.deepcopy(base_plan())
    by_name = {r["urn"].rsplit("::", 1)[-1]: r for r in plan["deployment"]["resources"]}
    aks = by_name["aks"]["inputs"]["agentPoolProfiles"]
    aks[0]["vmSize"] = "Standard_D8ds_v5"  # the CPU system pool: no GPU nodes disrupted
    aks[1]["vmSize"] = "Standard_NC48ads_A100_v4"  # AKS cannot resize a running pool
    aks[2]["orchestratorVersion"] = "1.34"  # a surge upgrade
    by_name["aks-west"]["inputs"]["location"] = "westus"  # the cluster, and its pool, replaced
    by_name["gke"]["inputs"]["nodePools"][0]["nodeConfig"]["machineType"] = "a2-highgpu-2g"
    gke_scaled = by_name["gke-scaled"]["inputs"]["nodePools"][0]
    gke_scaled["nodeCount"], gke_scaled["version"] = 3, "1.34.1-gke.2"  # scaling is no disruption; an upgrade is
    for template in ("latest-lt", "refresh-lt", "pinned-lt"):
        by_name[template]["inputs"]["userData"] = "IyEvYmluL2Jhc2gKZWNobyBoaQo="  # a new version of each
    by_name["refreshed"]["inputs"]["launchTemplate"]["version"] = "4"
    by_name["pinned"]["inputs"]["launchTemplate"]["version"] = "2"
    return plan


def _write(tmp_path: Path) -> tuple[Path, Path]:
    base, head = tmp_path / "base.json", tmp_path / "head.json"
    base.write_text(json.dumps(base_plan()))
    head.write_text(json.dumps(head_plan()))
    return base, head


MIXED = ("running instances keep their configuration, instances launched from now on (scaling, replacements) take "
         "the new one")
AKS_RESIZE = "AKS cannot change it on a running pool (the update fails); a pool of a new name replaces it and its nodes"
GKE_INLINE = "an inline pool cannot change in place: the provider replaces the cluster and every pool in it"
EXPECTED = [
    Disruption("aks-west.agentPoolProfiles[a100]", AKS_POOL, "replaced", "ManagedCluster aks-west replaced (location "
               "changed)", 3),
    Disruption("aks.agentPoolProfiles[a100]", AKS_POOL, "replaced",
               f"instance type Standard_NC24ads_A100_v4 → Standard_NC48ads_A100_v4; {AKS_RESIZE}", 2),
    Disruption("gke.nodePools[l4]", GKE_POOL, "replaced", "Cluster gke replaced (gke.nodePools[a100] changed)", 2),
    Disruption("gke.nodePools[a100]", GKE_POOL, "replaced", f"instance type a2-highgpu-1g → a2-highgpu-2g; {GKE_INLINE}",
               1),
    Disruption("refreshed", ASG, "rolled", "launchTemplate changed: its instanceRefresh replaces the running instances",
               16),
    Disruption("gke-scaled.nodePools[l4]", GKE_POOL, "rolled", "version changed: an update that recreates the nodes", 2),
    Disruption("aks.agentPoolProfiles[h100]", AKS_POOL, "rolled",
               "orchestratorVersion changed: an update that recreates the nodes", 1),
    Disruption("follows-latest", ASG, "mixed", "LaunchTemplate latest-lt changed: new version (userData); the group "
               f"follows it without an instance refresh: {MIXED}", 16),
    Disruption("pinned", ASG, "mixed", f"launchTemplate changed: no instanceRefresh: {MIXED}", 16),
]


def test_inline_pools_and_auto_scaling_groups_are_flagged_with_their_gpus(tmp_path):
    """Not flagged: the CPU system pool's resize, gke-scaled's node count, and the new version of
    refresh-lt and pinned-lt, which their groups name by number (they move when their own input does)."""
    base, head = _write(tmp_path)
    assert disruptions(read_plan(base), read_plan(head)) == EXPECTED


def test_the_pull_request_report_shows_them_with_the_gpus(tmp_path, gpufleet_cli):
    base, head = _write(tmp_path)
    code, out, err = gpufleet_cli("report", head, "--base", base, "--output", "-")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    start = lines.index("> ⚠️ **Disrupts running GPU nodes or storage** — GPU capacity 4 replaced, 3 rolled, 2 mixed: "
                        "59 GPUs on those nodes")
    assert lines[start + 4:start + 14] == [
        "| **replaced** | `aks-west.agentPoolProfiles[a100]` | `azure-native:containerservice:AgentPool` | 3 | "
        "ManagedCluster aks-west replaced (location changed) |",
        "| **replaced** | `aks.agentPoolProfiles[a100]` | `azure-native:containerservice:AgentPool` | 2 | instance type "
        "Standard\\_NC24ads\\_A100\\_v4 → Standard\\_NC48ads\\_A100\\_v4; " + AKS_RESIZE + " |",
        "| **replaced** | `gke.nodePools[l4]` | `gcp:container/nodePool:NodePool` | 2 | Cluster gke replaced "
        "(gke.nodePools\\[a100\\] changed) |",
        "| **replaced** | `gke.nodePools[a100]` | `gcp:container/nodePool:NodePool` | 1 | instance type a2-highgpu-1g → "
        f"a2-highgpu-2g; {GKE_INLINE} |",
        "| **rolled** | `refreshed` | `aws:autoscaling/group:Group` | 16 | launchTemplate changed: its instanceRefresh "
        "replaces the running instances |",
        "| **rolled** | `gke-scaled.nodePools[l4]` | `gcp:container/nodePool:NodePool` | 2 | version changed: an update "
        "that recreates the nodes |",
        "| **rolled** | `aks.agentPoolProfiles[h100]` | `azure-native:containerservice:AgentPool` | 1 | "
        "orchestratorVersion changed: an update that recreates the nodes |",
        "| **mixed** | `follows-latest` | `aws:autoscaling/group:Group` | 16 | LaunchTemplate latest-lt changed: new "
        f"version (userData); the group follows it without an instance refresh: {MIXED} |",
        f"| **mixed** | `pinned` | `aws:autoscaling/group:Group` | 16 | launchTemplate changed: no instanceRefresh: {MIXED} |",
        "",
    ]


def test_a_plan_compared_with_itself_disrupts_nothing(tmp_path):
    base, _ = _write(tmp_path)
    assert disruptions(read_plan(base), read_plan(base)) == []


def test_a_cluster_the_pulumi_preview_replaces_replaces_every_gpu_pool_declared_in_it(tmp_path):
    base = base_plan()
    steps = []
    for r in base["deployment"]["resources"]:
        state = {k: v for k, v in r.items() if k != "outputs"}
        op = "replace" if r["urn"].endswith("::aks") else "same"
        steps.append({"op": op, "urn": r["urn"], "newState": state, **({"oldState": state} if op == "replace" else {})})
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "head.json").write_text(json.dumps({"config": {}, "steps": steps}))
    why = "ManagedCluster aks replaced (the Pulumi preview replaces it)"
    assert disruptions(read_plan(tmp_path / "base.json"), read_plan(tmp_path / "head.json")) == [
        Disruption("aks.agentPoolProfiles[a100]", AKS_POOL, "replaced", why, 2),
        Disruption("aks.agentPoolProfiles[h100]", AKS_POOL, "replaced", why, 1)]


def test_a_group_on_the_default_version_follows_a_template_that_makes_each_new_version_its_default(tmp_path):
    def plans(update_default: bool) -> list[Disruption]:
        template = _template("default-lt", "lt-9")
        template["inputs"]["updateDefaultVersion"] = update_default
        group = _asg("on-default", "lt-9", "$Default")
        del group["inputs"]["launchTemplate"]["version"]  # none named: "$Default"
        base = {"version": 3, "deployment": {"resources": [
            _resource("pulumi:providers:aws", "aws-default", {"region": "us-west-2"}, "aws-id"), template, group]}}
        head = copy.deepcopy(base)
        head["deployment"]["resources"][1]["inputs"]["userData"] = "ZWNobyBuZXcK"
        (tmp_path / "base.json").write_text(json.dumps(base))
        (tmp_path / "head.json").write_text(json.dumps(head))
        return disruptions(read_plan(tmp_path / "base.json"), read_plan(tmp_path / "head.json"))

    assert plans(True) == [Disruption("on-default", ASG, "mixed", "LaunchTemplate default-lt changed: new version "
                                      f"(userData); the group follows it without an instance refresh: {MIXED}", 16)]
    assert plans(False) == []


def test_an_instance_refresh_trigger_rolls_the_group_when_its_property_changes(tmp_path):
    """pulumi-aws `instance_refresh.triggers`: Terraform names ("tag", "desired_capacity") of more properties
    that start a refresh; without the trigger, a tag change reaches no running instance."""
    def plans(triggers: list[str]) -> list[Disruption]:
        group = _asg("tagged", "lt-1", "1", instanceRefresh={"strategy": "Rolling", "triggers": triggers},
                     tags=[{"key": "team", "value": "ml", "propagateAtLaunch": True}])
        base = {"version": 3, "deployment": {"resources": [
            _resource("pulumi:providers:aws", "aws-default", {"region": "us-west-2"}, "aws-id"),
            _template("lt", "lt-1"), group]}}
        head = copy.deepcopy(base)
        head["deployment"]["resources"][2]["inputs"]["tags"][0]["value"] = "research"
        (tmp_path / "base.json").write_text(json.dumps(base))
        (tmp_path / "head.json").write_text(json.dumps(head))
        return disruptions(read_plan(tmp_path / "base.json"), read_plan(tmp_path / "head.json"))

    assert plans(["tag"]) == [Disruption("tagged", ASG, "rolled",
                                         "tags changed: its instanceRefresh replaces the running instances", 16)]
    assert plans(["desired_capacity"]) == []


def test_node_disks_go_with_their_nodes_and_are_never_a_storage_disruption(tmp_path):
    """The pools' OS and boot disks are parts of the plans (listed unpriced), and replaced with their clusters'
    pools; they hold no data of their own, so the pools' rows say it and no storage row is added."""
    from gpufleet.clouds import with_inline_capacity
    from gpufleet.readers.views import views_from_states

    base, head = _write(tmp_path)
    plan = read_plan(base)
    parts = {v.name for v in with_inline_capacity(views_from_states(plan.states, config=plan.config))
             if v.name.endswith(("osDisk", "bootDisk"))}
    assert {"aks-west.agentPoolProfiles[a100].osDisk", "aks.agentPoolProfiles[a100].osDisk",
            "gke.nodePools[l4].nodeConfig.bootDisk", "gke.nodePools[a100].nodeConfig.bootDisk"} <= parts
    assert [d for d in disruptions(plan, read_plan(head)) if d.storage] == []
