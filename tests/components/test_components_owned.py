"""Owned capacity declared: on a site's existing cluster, exactly Kubernetes objects through the site's
provider — namespace, GPU quota, Kueue flavor and queues (and the device plugin the site asks for) — and
priced from the site's figures by the estimator the preview and the policy pack use."""

import json
import runpy
from pathlib import Path

import pulumi
import pytest
from components_testing import missing_owner_tags

from gpufleet.catalog import load_catalog
from gpufleet.config import parse_fleet
from gpufleet.estimate import estimate_plan
from gpufleet.offline import load_stack
from gpufleet.preview import views_from_run

ROOT = Path(__file__).resolve().parents[2]
OWNER = {"cost-center": "cc-4012", "environment": "prod", "project": "foundation-models", "team": "ml-platform"}
LABELS = {**OWNER, "gpufleet.io/workload": "research-train"}


def hybrid_config(**site_changes) -> dict[str, str]:
    config = dict(load_stack(ROOT, "hybrid").config)
    if site_changes:
        fleet = json.loads(config["gpufleet:fleet"])
        fleet["sites"][0].update(site_changes)
        config["gpufleet:fleet"] = json.dumps(fleet)
    return config


def run_hybrid(recorder, config, secret_keys=frozenset()):
    errors = []

    def program():
        try:
            runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        except pulumi.RunError as error:
            errors.append(error)

    return recorder(program, config=config, project="gpufleet", stack="hybrid", secret_keys=secret_keys), errors


@pytest.fixture(scope="module")
def hybrid(recorder):
    run, errors = run_hybrid(recorder, hybrid_config())
    assert errors == []
    return run


def test_the_owned_workload_is_exactly_kubernetes_objects_through_the_sites_provider(hybrid):
    provider = hybrid.named("owned-dc-north")
    assert (provider.type, provider.inputs) == ("pulumi:providers:kubernetes",
                                                {"context": "dc-north-admin", "version": "4.34.2"})
    on_site = [(r.type, r.name) for r in hybrid.resources if r.provider and r.provider.split("::")[-2] == "owned-dc-north"]
    assert on_site == [
        ("kubernetes:core/v1:Namespace", "prod-research-train-research-train-namespace"),
        ("kubernetes:core/v1:ResourceQuota", "prod-research-train-research-train-gpu-quota"),
        ("kubernetes:kueue.x-k8s.io/v1beta1:ResourceFlavor", "prod-research-train-research-train-flavor"),
        ("kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue", "prod-research-train-research-train-cluster-queue"),
        ("kubernetes:kueue.x-k8s.io/v1beta1:LocalQueue", "prod-research-train-research-train-local-queue"),
        ("kubernetes:helm.sh/v3:Release", "prod-research-train-gpu-software-nvidia-device-plugin"),
    ]
    # Nothing else in the site's cluster: no network, control plane or storage resource.
    assert sorted((r.type, r.name) for r in hybrid.resources if r.name.startswith("prod-research-train")
                  and not r.custom) == [
        ("gpufleet:index:GpuCluster", "prod-research-train"),
        ("gpufleet:index:GpuNodeGroup", "prod-research-train-research-train"),
        ("gpufleet:index:GpuSoftwareStack", "prod-research-train-gpu-software"),
        ("gpufleet:index:HighBandwidthNetwork", "prod-research-train-network")]
    assert sorted(on_site) == sorted((r.type, r.name) for r in hybrid.resources
                                     if r.custom and r.name.startswith("prod-research-train"))


def test_namespace_quota_and_queues_are_sized_to_the_workloads_gpus(hybrid):
    assert hybrid.named("prod-research-train-research-train-namespace").inputs == {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod-research-train", "labels": LABELS}}
    assert hybrid.named("prod-research-train-research-train-gpu-quota").inputs == {
        "apiVersion": "v1", "kind": "ResourceQuota",
        "metadata": {"name": "gpus", "namespace": "prod-research-train",
                     "labels": {**LABELS, "gpufleet-utilization-percent": "85", "gpufleet-hours-per-month": "730"},
                     "annotations": {"gpufleet.io/site": "dc-north", "gpufleet.io/instance-type": "dc-north/8xH100",
                                     "gpufleet.io/gpus-per-node": "8"}},
        "spec": {"hard": {"requests.nvidia.com/gpu": "32"}}}
    flavor = hybrid.named("prod-research-train-research-train-flavor")
    assert flavor.inputs == {
        "apiVersion": "kueue.x-k8s.io/v1beta1", "kind": "ResourceFlavor",
        "metadata": {"name": "prod-research-train", "labels": LABELS},
        "spec": {"nodeLabels": {"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"},
                 "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}}
    queue = hybrid.named("prod-research-train-research-train-cluster-queue")
    assert queue.inputs == {
        "apiVersion": "kueue.x-k8s.io/v1beta1", "kind": "ClusterQueue",
        "metadata": {"name": "prod-research-train", "labels": LABELS},
        "spec": {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "prod-research-train"}},
                 "resourceGroups": [{"coveredResources": ["nvidia.com/gpu"], "flavors": [
                     {"name": "prod-research-train", "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 32}]}]}]}}
    assert flavor.urn in queue.dependencies
    assert hybrid.named("prod-research-train-research-train-local-queue").inputs == {
        "apiVersion": "kueue.x-k8s.io/v1beta1", "kind": "LocalQueue",
        "metadata": {"name": "research-train", "namespace": "prod-research-train", "labels": LABELS},
        "spec": {"clusterQueue": "prod-research-train"}}
    assert missing_owner_tags(hybrid.resources) == []


def test_outputs_are_none_where_the_site_provides_nothing(hybrid):
    outputs = hybrid.run.outputs["clusters"]["prod-research-train"]
    assert (outputs["cluster_name"], outputs["cluster_id"], outputs["network_id"], outputs["fabric"],
            outputs["storage"]) == ("dc-north", None, None, "InfiniBand", {})  # the fabric the site's nodes have
    assert outputs["node_groups"]["research-train"] == {
        "instance_type": "dc-north/8xH100", "nodes": 4, "gpus": 32, "zone": "dc-north", "fabric": "InfiniBand",
        "node_group_name": "prod-research-train"}


def test_the_estimate_prices_the_quota_from_the_sites_figures_to_the_cent(hybrid):
    fleet = parse_fleet(json.loads(hybrid_config()["gpufleet:fleet"]))
    estimate = estimate_plan(views_from_run(hybrid.run), fleet.catalog(load_catalog()))
    quota = next(e for e in estimate.resources.values() if e.type == "kubernetes:core/v1:ResourceQuota")
    placed = hybrid.run.outputs["placement"]["workloads"]["research-train"]
    assert (quota.cloud, quota.region, quota.instance_type, quota.nodes, quota.gpus, quota.monthly_usd) == (
        "owned", "dc-north", "dc-north/8xH100", 4, 32, 43_216.0)  # 32 GPUs × 1.85 USD × 730 h
    assert (round(quota.monthly_kwh, 3), round(quota.monthly_kgco2e, 3)) == (
        placed["monthly_kwh"], placed["monthly_kgco2e"])
    # Without the stack's sites the same quota is not priced: never a made-up price.
    plain = estimate_plan(views_from_run(hybrid.run))
    unpriced = next(e for e in plain.resources.values() if e.type == "kubernetes:core/v1:ResourceQuota")
    assert unpriced.monthly_usd is None


def test_a_kubeconfig_comes_only_from_a_secret_config_value(recorder):
    cluster = {"kubeconfig_secret": "gpufleet:dcNorthKubeconfig"}
    config = {**hybrid_config(cluster=cluster), "gpufleet:dcNorthKubeconfig": "apiVersion: v1\nkind: Config\n"}
    run, errors = run_hybrid(recorder, config, secret_keys=frozenset({"gpufleet:dcNorthKubeconfig"}))
    assert errors == []
    kubeconfig = run.named("owned-dc-north").inputs["kubeconfig"]
    assert kubeconfig == {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                          "value": "apiVersion: v1\nkind: Config\n"}

    _, errors = run_hybrid(recorder, config)  # the same value in plain text
    assert [p.render() for p in errors[0].problems] == [
        "gpufleet:fleet.sites[0].cluster.kubeconfig_secret: is a plain config value: a kubeconfig holds "
        "credentials; set it with `pulumi config set --secret gpufleet:dcNorthKubeconfig < kubeconfig` "
        "(got 'gpufleet:dcNorthKubeconfig')"]
    _, errors = run_hybrid(recorder, hybrid_config(cluster=cluster))
    assert [p.render() for p in errors[0].problems] == [
        "gpufleet:fleet.sites[0].cluster.kubeconfig_secret: not set in the stack's config (set it with "
        "`pulumi config set --secret gpufleet:dcNorthKubeconfig < kubeconfig`) (got 'gpufleet:dcNorthKubeconfig')"]
