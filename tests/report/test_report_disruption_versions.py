"""Kubernetes version changes of a cluster and what they do to GPU pools that set no version of their own:
a GKE cluster's `nodeVersion` is its default pool's version, so a change upgrades that pool (its nodes
recreated: rolled, "version changed"); a GKE cluster's `minMasterVersion` and an AKS cluster's
`kubernetesVersion` upgrade the control plane only (sources in the readers' comments), so no pool is
flagged for them. Exact flags and report lines."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from gpufleet.report.disruption import Disruption, disruptions
from gpufleet.report.plans import read_plan
from tests.report.test_report_disruption_inline import AKS_POOL, GKE_POOL, _aks, _gke_pool, _pool, _resource

GKE = "gcp:container/cluster:Cluster"
ROLLED = "an update that recreates the nodes"


def _providers() -> list[dict[str, Any]]:
    return [_resource("pulumi:providers:gcp", "gcp-default", {"project": "p", "region": "us-central1"}, "gcp-id"),
            _resource("pulumi:providers:azure-native", "azure-native-default", {"location": "eastus"}, "azure-id")]


def _gke_with_default_pool() -> dict[str, Any]:
    """A zonal cluster whose default pool is 2 a2-highgpu-1g (1 A100 each), plus an inline L4 pool; neither
    pool sets `version`."""
    return _resource(GKE, "gke", {
        "name": "gke", "location": "us-central1-a", "initialNodeCount": 2, "minMasterVersion": "1.33.5-gke.1",
        "nodeVersion": "1.33.5-gke.1", "nodeConfig": {"machineType": "a2-highgpu-1g"},
        "nodePools": [_gke_pool("l4", "g2-standard-4", 2)]}, "gke", "gcp")


def _aks_cluster() -> list[dict[str, Any]]:
    """An AKS cluster at 1.33 whose inline GPU pool sets no `orchestratorVersion`, and a separate GPU agent
    pool without one either."""
    cluster = _aks("aks", "eastus", _pool("system", "Standard_D4ds_v5", 2, mode="System"),
                   _pool("a100", "Standard_NC24ads_A100_v4", 2))
    cluster["inputs"]["kubernetesVersion"] = "1.33"
    pool = _resource(AKS_POOL, "h100", {"agentPoolName": "h100", "resourceGroupName": "rg", "resourceName": "aks",
                                        "vmSize": "Standard_NC40ads_H100_v5", "count": 1, "mode": "User"},
                     "h100", "azure-native")
    return [cluster, pool]


def _compare(tmp_path: Path, base: list[dict[str, Any]], change) -> list[Disruption]:
    head = copy.deepcopy(base)
    change({r["urn"].rsplit("::", 1)[-1]: r["inputs"] for r in head})
    for name, resources in (("base", base), ("head", head)):
        (tmp_path / f"{name}.json").write_text(json.dumps({"version": 3, "deployment": {"resources": resources}}))
    return disruptions(read_plan(tmp_path / "base.json"), read_plan(tmp_path / "head.json"))


def test_a_gke_clusters_node_version_rolls_its_default_pool_only(tmp_path):
    def upgrade(inputs):
        inputs["gke"]["minMasterVersion"] = inputs["gke"]["nodeVersion"] = "1.34.1-gke.2"

    assert _compare(tmp_path, [*_providers(), _gke_with_default_pool()], upgrade) == [
        Disruption("gke.nodePools[default-pool]", GKE_POOL, "rolled", f"version changed: {ROLLED}", 2)]


def test_a_gke_clusters_master_version_alone_rolls_no_pool(tmp_path):
    def upgrade_master(inputs):
        inputs["gke"]["minMasterVersion"] = "1.34.1-gke.2"

    assert _compare(tmp_path, [*_providers(), _gke_with_default_pool()], upgrade_master) == []


def test_an_inline_gke_pools_own_version_still_rolls_it(tmp_path):
    def upgrade_pool(inputs):
        inputs["gke"]["nodePools"][0]["version"] = "1.34.1-gke.2"

    assert _compare(tmp_path, [*_providers(), _gke_with_default_pool()], upgrade_pool) == [
        Disruption("gke.nodePools[l4]", GKE_POOL, "rolled", f"version changed: {ROLLED}", 2)]


def test_an_aks_clusters_kubernetes_version_rolls_no_pool_without_its_own_version(tmp_path):
    def upgrade_control_plane(inputs):
        inputs["aks"]["kubernetesVersion"] = "1.34"

    assert _compare(tmp_path, [*_providers(), *_aks_cluster()], upgrade_control_plane) == []


def test_aks_pools_roll_with_their_own_orchestrator_version(tmp_path):
    def upgrade_all(inputs):
        inputs["aks"]["kubernetesVersion"] = "1.34"
        inputs["aks"]["agentPoolProfiles"][1]["orchestratorVersion"] = "1.34"
        inputs["h100"]["orchestratorVersion"] = "1.34"

    assert _compare(tmp_path, [*_providers(), *_aks_cluster()], upgrade_all) == [
        Disruption("aks.agentPoolProfiles[a100]", AKS_POOL, "rolled", f"orchestratorVersion changed: {ROLLED}", 2),
        Disruption("h100", AKS_POOL, "rolled", f"orchestratorVersion changed: {ROLLED}", 1)]


def test_the_report_shows_the_default_pool_rolled(tmp_path, gpufleet_cli):
    def upgrade(inputs):
        inputs["gke"]["nodeVersion"] = "1.34.1-gke.2"

    _compare(tmp_path, [*_providers(), _gke_with_default_pool()], upgrade)
    code, out, err = gpufleet_cli("report", tmp_path / "head.json", "--base", tmp_path / "base.json", "--output", "-")
    assert (code, err) == (0, "")
    assert ("> ⚠️ **Disrupts running GPU nodes or storage** — GPU capacity 1 rolled: 2 GPUs on those nodes"
            in out.splitlines())
    assert ("| **rolled** | `gke.nodePools[default-pool]` | `gcp:container/nodePool:NodePool` | 2 | version "
            f"changed: {ROLLED} |") in out.splitlines()
