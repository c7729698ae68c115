"""GpuSoftwareStack under the recording engine: exact Helm releases (pinned, sourced), queues, provider."""

import shutil

import pulumi
import pulumi_kubernetes as kubernetes
from catalog_fixture import FIXTURE_CATALOG
from components_testing import TAGS

from gpufleet.components import GpuCluster, GpuSoftwareStack
from gpufleet.catalog.charts import load_charts
from gpufleet.catalog.load import DATA_ENV

RELEASE = "kubernetes:helm.sh/v3:Release"
CUSTOM = "kubernetes:kueue.x-k8s.io/v1beta1:"
KUBECONFIG = '{"apiVersion": "v1", "kind": "Config"}'


def _stack(**args):
    def program():
        kube = kubernetes.Provider("kube", kubeconfig=KUBECONFIG)
        GpuSoftwareStack("gpu", {"cloud": "aws", "fabric": "EFA",
                                 "queues": [{"workload": "train", "gpus": 32, "memory_gib": 8192}], **args},
                         pulumi.ResourceOptions(providers=[kube]))
    return program


def test_aws_with_efa_gets_device_plugin_efa_plugin_kueue_and_one_queue_per_node_group(recorder):
    run = recorder(_stack())
    component = run.one("gpufleet:index:GpuSoftwareStack")
    assert run.children(component) == [
        (RELEASE, "gpu-aws-efa-k8s-device-plugin"), (RELEASE, "gpu-kueue"), (RELEASE, "gpu-nvidia-device-plugin"),
        (f"{CUSTOM}ClusterQueue", "gpu-train-cluster-queue"), (f"{CUSTOM}LocalQueue", "gpu-train-local-queue"),
        (f"{CUSTOM}ResourceFlavor", "gpu-train-flavor"),
    ]
    releases = {r.name: r.inputs for r in run.of_type(RELEASE)}
    assert {name: (i["name"], i["chart"], i["version"], (i.get("repositoryOpts") or {}).get("repo"), i["namespace"],
                   i["createNamespace"], i.get("values") or {}) for name, i in releases.items()} == {
        "gpu-nvidia-device-plugin": ("nvidia-device-plugin", "nvidia-device-plugin", "0.17.4",
                                     "https://nvidia.github.io/k8s-device-plugin", "nvidia-device-plugin", True,
                                     {"gfd": {"enabled": True}}),
        "gpu-aws-efa-k8s-device-plugin": (
            "aws-efa-k8s-device-plugin", "aws-efa-k8s-device-plugin", "v0.5.20", "https://aws.github.io/eks-charts",
            "kube-system", True, {"nodeSelector": {"vpc.amazonaws.com/efa.present": "true"},
                                  "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}),
        "gpu-kueue": ("kueue", "oci://registry.k8s.io/kueue/charts/kueue", "0.14.4", None, "kueue-system", True, {}),
    }
    kube = run.named("kube")
    assert all(r.provider.startswith(kube.urn) for r in run.resources if r.type.startswith("kubernetes:"))

    cluster_queue = run.named("gpu-train-cluster-queue")
    assert cluster_queue.inputs["spec"] == {"namespaceSelector": {}, "resourceGroups": [{
        "coveredResources": ["nvidia.com/gpu", "memory"],
        "flavors": [{"name": "train", "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 32},
                                                    {"name": "memory", "nominalQuota": "8192Gi"}]}]}]}
    assert run.named("gpu-train-flavor").inputs["spec"] == {
        "nodeLabels": {"gpufleet.io/workload": "train"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}
    local = run.named("gpu-train-local-queue").inputs
    assert (local["metadata"], local["spec"]) == ({"name": "train", "namespace": "default"}, {"clusterQueue": "train"})
    kueue = run.named("gpu-kueue").urn
    assert all(kueue in run.named(n).dependencies
               for n in ("gpu-train-flavor", "gpu-train-cluster-queue", "gpu-train-local-queue"))


def test_infiniband_gets_the_network_operator_and_no_queues_when_disabled(recorder):
    run = recorder(_stack(fabric="InfiniBand", enable_queues=False))
    component = run.one("gpufleet:index:GpuSoftwareStack")
    assert run.children(component) == [(RELEASE, "gpu-network-operator"), (RELEASE, "gpu-nvidia-device-plugin")]
    operator = run.named("gpu-network-operator").inputs
    assert (operator["chart"], operator["version"], operator["repositoryOpts"]["repo"]) == (
        "network-operator", "v25.7.0", "https://helm.ngc.nvidia.com/nvidia")


def test_a_cloud_whose_node_image_lacks_the_driver_gets_the_gpu_operator(recorder, monkeypatch):
    from gpufleet.clouds import adapter

    monkeypatch.setattr(adapter("aws"), "node_image_has_gpu_driver", False)
    run = recorder(_stack(fabric="none"))
    component = run.one("gpufleet:index:GpuSoftwareStack")
    assert [name for _, name in run.children(component) if _ == RELEASE] == ["gpu-gpu-operator", "gpu-kueue"]
    assert run.named("gpu-gpu-operator").inputs["version"] == load_charts()["gpu-operator"].version


def test_every_pinned_chart_has_a_version_and_a_source():
    charts = load_charts()
    assert sorted(charts) == ["aws-efa-k8s-device-plugin", "gpu-operator", "kueue", "network-operator",
                              "nvidia-device-plugin"]
    assert all(c.version and c.source and c.checked for c in charts.values())


def test_chart_versions_come_from_the_catalog_data_in_use_not_the_shipped_folder(tmp_path, monkeypatch, recorder):
    """The tests run on the fixture catalog (GPUFLEET_CATALOG_DATA): its charts file is the one read."""
    data = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, data)
    charts = data / "gpu_software_charts.csv"
    charts.write_text(charts.read_text().replace(",network-operator,https://helm.ngc.nvidia.com/nvidia,v25.7.0,",
                                                 ",network-operator,https://helm.ngc.nvidia.com/nvidia,v99.0.0,"))
    monkeypatch.setenv(DATA_ENV, str(data))
    assert load_charts()["network-operator"].version == "v99.0.0"
    run = recorder(_stack(fabric="InfiniBand", enable_queues=False))
    assert run.named("gpu-network-operator").inputs["version"] == "v99.0.0"
    monkeypatch.setenv(DATA_ENV, str(FIXTURE_CATALOG))
    assert load_charts()["network-operator"].version == "v25.7.0"


def test_gpu_cluster_opt_in_declares_the_stack_with_a_provider_bound_to_its_own_kubeconfig(recorder):
    def program():
        GpuCluster("prod-us-west-2", {
            "cloud": "aws", "region": "us-west-2", "tags": TAGS, "enable_gpu_software": True,
            "node_groups": [{"workload": "train", "gpu": "H100", "gpu_count": 16, "enable_fabric": True}]})

    run = recorder(program)
    cluster = run.one("gpufleet:index:GpuCluster")
    provider = run.one("pulumi:providers:kubernetes")
    assert (provider.name, provider.parent) == ("prod-us-west-2-kubernetes", cluster.urn)
    stack = run.one("gpufleet:index:GpuSoftwareStack")
    assert (stack.name, stack.parent) == ("prod-us-west-2-gpu-software", cluster.urn)
    assert run.named("prod-us-west-2-gpu-software-train-cluster-queue").inputs["spec"]["resourceGroups"][0]["flavors"][0][
        "resources"] == [{"name": "nvidia.com/gpu", "nominalQuota": 16}, {"name": "memory", "nominalQuota": "4096Gi"}]
    assert [name for _, name in run.children(stack) if _ == RELEASE] == [
        "prod-us-west-2-gpu-software-aws-efa-k8s-device-plugin", "prod-us-west-2-gpu-software-kueue",
        "prod-us-west-2-gpu-software-nvidia-device-plugin"]


def test_gpu_cluster_without_the_opt_in_has_no_kubernetes_resources(recorder):
    run = recorder(lambda: GpuCluster("prod-us-west-2", {
        "cloud": "aws", "region": "us-west-2", "tags": TAGS,
        "node_groups": [{"workload": "train", "gpu": "H100", "gpu_count": 16}]}))
    assert [r.type for r in run.resources if "kubernetes" in r.type] == []


def _fleet(**extra):
    from gpufleet.config import parse_fleet

    return parse_fleet({
        "environment": "dev", "owner": {"team": "ml", "cost-center": "cc-1"}, "objective": "cost",
        "candidates": [{"cloud": "aws", "regions": ["us-west-2"]}],
        "workloads": [{"name": "train", "gpu": "H100", "gpu_count": 16, "utilization_percent": 80}], **extra})


def test_a_fleet_opts_in_for_every_cluster():
    from gpufleet.components.fleet import fleet_clusters
    from gpufleet.catalog import load_catalog
    from gpufleet.clouds import component_clouds
    from gpufleet.placement.lock import PlacementLock, place_with_lock

    for fleet, expected in ((_fleet(), None), (_fleet(enable_gpu_software=True), True)):
        placed = place_with_lock(fleet, load_catalog(), PlacementLock(), component_clouds(), "dev")
        assert [(c.name, c.args.get("enable_gpu_software")) for c in fleet_clusters(fleet, placed)] == [
            ("dev-train", expected)]


def test_on_gke_the_cloud_runs_the_device_plugin_so_only_kueue_is_installed(recorder):
    run = recorder(_stack(cloud="gcp", fabric="GPUDirect-TCPXO"))
    component = run.one("gpufleet:index:GpuSoftwareStack")
    assert [name for kind, name in run.children(component) if kind == RELEASE] == ["gpu-kueue"]
