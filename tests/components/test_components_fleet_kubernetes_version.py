"""`gpufleet:fleet` candidates set the Kubernetes version of their clusters: passed to each cloud's real
cluster argument under the recording monitor, and to the EKS node groups' and AKS pools' own version, so a
raise rolls them (in the diff); unset, no version input at all (as before); a version the cloud does not
take is exit 2 with the field, the value and the form allowed."""

import copy
import json

import pytest

from gpufleet.config import parse_fleet
from gpufleet.errors import Problem, UserError
from gpufleet.offline import preview_json
from gpufleet.report.disruption import Disruption, disruptions
from gpufleet.report.plans import read_plan
from tests.components.test_components_program import run_program, stack_fleet

EKS, AKS = "aws:eks/cluster:Cluster", "azure-native:containerservice:ManagedCluster"
GKE = "gcp:container/cluster:Cluster"
EKS_NODE_GROUP, AKS_POOL = "aws:eks/nodeGroup:NodeGroup", "azure-native:containerservice:AgentPool"
GKE_POOL = "gcp:container/nodePool:NodePool"


def _with_versions(stack: str, versions: dict[str, str]) -> dict:
    fleet = copy.deepcopy(stack_fleet(stack))
    for candidate in fleet["candidates"]:
        if candidate["cloud"] in versions:
            candidate["kubernetes_version"] = versions[candidate["cloud"]]
    return fleet


def _versions(run, type_: str, key: str) -> list:
    return [r.inputs.get(key) for r in run.of_type(type_)]


def test_eks_and_aks_clusters_take_the_candidates_versions(recorder):
    run, errors = run_program(recorder, "prod", _with_versions("prod", {"aws": "1.33", "azure": "1.33.2"}))
    assert errors == []
    assert _versions(run, EKS, "version") == ["1.33"]
    assert _versions(run, AKS, "kubernetesVersion") == ["1.33.2"]


def test_eks_node_groups_and_aks_pools_take_the_clusters_version(recorder):
    """So an upgrade of the cluster upgrades its node groups too: every EKS node group (the GPU groups and the
    system group) its `version`, every AKS pool (the GPU agent pool and the inline system pool) its
    `orchestratorVersion`."""
    run, errors = run_program(recorder, "prod", _with_versions("prod", {"aws": "1.33", "azure": "1.33.2"}))
    assert errors == []
    assert [(r.name, r.inputs.get("version")) for r in run.of_type(EKS_NODE_GROUP)] == [
        ("prod-pretrain-system-node-group", "1.33"), ("prod-pretrain-pretrain-node-group", "1.33"),
        ("prod-pretrain-finetune-node-group", "1.33"), ("prod-pretrain-batch-embed-node-group", "1.33")]
    assert [(r.name, r.inputs.get("orchestratorVersion")) for r in run.of_type(AKS_POOL)] == [
        ("prod-chat-serving-chat-serving-agent-pool", "1.33.2")]
    assert [(p["name"], p.get("orchestratorVersion")) for r in run.of_type(AKS)
            for p in r.inputs["agentPoolProfiles"]] == [("system", "1.33.2")]


def test_without_a_version_no_cluster_sets_one(recorder):
    run, errors = run_program(recorder, "prod")
    assert errors == []
    assert [("version" in r.inputs) for r in run.of_type(EKS)] == [False]
    assert [("kubernetesVersion" in r.inputs) for r in run.of_type(AKS)] == [False]
    assert [("version" in r.inputs) for r in run.of_type(EKS_NODE_GROUP)] == [False] * 4
    assert [("orchestratorVersion" in r.inputs) for r in run.of_type(AKS_POOL)] == [False]
    assert [sorted(p) for r in run.of_type(AKS) for p in r.inputs["agentPoolProfiles"]] == [
        ["count", "enableAutoScaling", "maxCount", "minCount", "mode", "name", "osType", "tags", "type", "vmSize",
         "vnetSubnetID"]]


def test_raising_the_version_rolls_the_gpu_pools_in_the_diff(recorder, tmp_path):
    """The diff of the plans before and after raising both clouds' versions: each GPU node group is rolled
    by its own version (EKS `version`, AKS `orchestratorVersion`), with its GPUs; the CPU system groups hold
    no GPU capacity, so they are not listed."""
    plans = []
    for aws, azure in (("1.33", "1.33.2"), ("1.34", "1.34.1")):
        run, errors = run_program(recorder, "prod", _with_versions("prod", {"aws": aws, "azure": azure}))
        assert errors == []
        plans.append(tmp_path / f"{aws}.json")
        plans[-1].write_text(json.dumps(preview_json(run.run)))
    rolled = "changed: an update that recreates the nodes"
    # prod: pretrain 128 H100, finetune 64 H100, batch-embed 8 L40S (their desired sizes), chat-serving
    # 32 H100; the most GPUs first.
    assert disruptions(read_plan(plans[0]), read_plan(plans[1])) == [
        Disruption("prod-pretrain-pretrain-node-group", EKS_NODE_GROUP, "rolled", f"version {rolled}", 128),
        Disruption("prod-pretrain-finetune-node-group", EKS_NODE_GROUP, "rolled", f"version {rolled}", 64),
        Disruption("prod-chat-serving-chat-serving-agent-pool", AKS_POOL, "rolled", f"orchestratorVersion {rolled}", 32),
        Disruption("prod-pretrain-batch-embed-node-group", EKS_NODE_GROUP, "rolled", f"version {rolled}", 8)]


def test_a_gke_pool_takes_no_version_it_auto_upgrades(recorder):
    """pulumi-gcp `NodePool.version`: set with `management.autoUpgrade`, the two "will fight each other"; the
    pools auto-upgrade to their cluster's version instead."""
    run, errors = run_program(recorder, "gcp-staging", _with_versions("gcp-staging", {"gcp": "1.33"}))
    assert errors == []
    assert [("version" in r.inputs, r.inputs["management"]["autoUpgrade"]) for r in run.of_type(GKE_POOL)] == [
        (False, True)] * len(run.of_type(GKE_POOL))


def test_a_gke_cluster_takes_it_as_its_minimum_master_version(recorder):
    run, errors = run_program(recorder, "gcp-staging", _with_versions("gcp-staging", {"gcp": "1.33.5-gke.1162000"}))
    assert errors == []
    assert _versions(run, GKE, "minMasterVersion") == ["1.33.5-gke.1162000"]


def _problems(fleet: dict) -> list[Problem]:
    with pytest.raises(UserError) as error:
        parse_fleet(fleet)
    return error.value.problems


def test_a_version_the_cloud_does_not_take_is_named_with_the_form_allowed():
    assert _problems(_with_versions("prod", {"aws": "1.33.2", "azure": "latest"})) == [
        Problem("gpufleet:fleet.candidates[0].kubernetes_version", "not a Kubernetes version AWS takes", "1.33.2",
                ('a minor version, e.g. "1.33"',)),
        Problem("gpufleet:fleet.candidates[1].kubernetes_version", "not a Kubernetes version Azure takes", "latest",
                ('a minor or patch version, e.g. "1.33" or "1.33.2"',)),
    ]


def test_a_version_written_as_a_yaml_number_is_refused():
    fleet = _with_versions("prod", {"aws": "1.33"})
    fleet["candidates"][0]["kubernetes_version"] = 1.3  # `kubernetes_version: 1.30` in YAML
    [problem] = _problems(fleet)
    assert (problem.path, problem.value) == ("gpufleet:fleet.candidates[0].kubernetes_version", 1.3)


def test_one_region_cannot_have_two_versions():
    fleet = _with_versions("prod", {"aws": "1.33"})
    fleet["candidates"].append({"cloud": "aws", "regions": ["us-west-2"], "kubernetes_version": "1.32"})
    assert _problems(fleet) == [Problem(
        "gpufleet:fleet.candidates[2].kubernetes_version",
        "aws us-west-2 has another Kubernetes version in candidates[0] ('1.33'): one cluster, one version", "1.32")]


def test_oke_takes_an_exact_version_and_an_owned_site_none():
    [owned, oci] = _problems(_with_versions("hybrid", {"oci": "1.34", "owned": "1.33"}))
    assert (oci.path, oci.value, oci.suggestion) == ("gpufleet:fleet.candidates[1].kubernetes_version", "1.34",
                                                     "v1.34.2")
    assert owned == Problem("gpufleet:fleet.candidates[0].kubernetes_version",
                            "Owned sites: gpufleet declares no cluster there, so it sets no Kubernetes version", "1.33")
