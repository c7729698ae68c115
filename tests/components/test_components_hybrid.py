"""The hybrid stack end to end: workloads placed by carbon across Oracle Cloud, CoreWeave, Azure and an owned
site, each declared with its cloud's resource types (an RDMA cluster network on OCI, CoreWeave's NodePool
custom resource on a private CKS cluster, an AKS agent pool, Kubernetes objects on the owned cluster: see
test_components_owned.py), priced from the catalog (and the site's own figures) to the cent."""

import json
import runpy
from pathlib import Path

import pytest
from components_testing import missing_owner_tags

from gpufleet.catalog import load_catalog
from gpufleet.cli import main as gpufleet
from gpufleet.config import parse_fleet
from gpufleet.offline import load_stack

ROOT = Path(__file__).resolve().parents[2]
HOURS = 730


@pytest.fixture(scope="module")
def hybrid(recorder):
    config = load_stack(ROOT, "hybrid").config
    return recorder(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"),
                    config=config, project="gpufleet", stack="hybrid")


def test_one_provider_per_cloud_and_region_the_placement_chose(hybrid):
    providers = sorted((r.type, r.name) for r in hybrid.resources if r.type.startswith("pulumi:providers:"))
    assert providers == [("pulumi:providers:azure-native", "azure-westus"),
                         ("pulumi:providers:coreweave", "coreweave-EU-SOUTH-03"),
                         ("pulumi:providers:kubernetes", "owned-dc-north"),
                         ("pulumi:providers:kubernetes", "prod-finetune-finetune-kubernetes"),
                         ("pulumi:providers:oci", "oci-uk-london-1")]


def test_pretrain_runs_on_an_oci_rdma_cluster_network_joining_a_private_oke_cluster(hybrid):
    network = hybrid.one("oci:Core/clusterNetwork:ClusterNetwork")
    assert (network.name, network.inputs["instancePools"][0]["size"]) == ("prod-pretrain-pretrain-cluster-network", 4)
    launch = hybrid.one("oci:Core/instanceConfiguration:InstanceConfiguration").inputs["instanceDetails"]["launchDetails"]
    assert (launch["shape"], launch["compartmentId"]) == ("BM.GPU.H100.8", "ocid1.compartment.oc1..aaaaaaaagpufleethybridexample")
    # the only OKE node pool is the system pool: the GPUs are in the cluster network
    assert [r.name for r in hybrid.of_type("oci:ContainerEngine/nodePool:NodePool")] == ["prod-pretrain-system"]
    cluster = hybrid.one("oci:ContainerEngine/cluster:Cluster").inputs
    assert cluster["endpointConfig"]["isPublicIpEnabled"] is False
    lustre = hybrid.one("oci:Lustre/fileStorageLustreFileSystem:FileStorageLustreFileSystem").inputs
    # 32 GPUs × 250 MB/s = 8,000 MB/s: 8 TB at 1000 MB/s per TB, below OCI's smallest size, 31,200
    assert (lustre["capacityInGbs"], lustre["performanceTier"]) == (31200, "MBPS_PER_TB_1000")
    bucket = hybrid.one("oci:ObjectStorage/bucket:Bucket").inputs
    assert bucket["accessType"] == "NoPublicAccess"


def test_finetune_runs_on_a_coreweave_node_pool_of_infiniband_h200_in_a_private_cks_cluster(hybrid):
    cks = hybrid.one("coreweave:index/cksCluster:CksCluster").inputs
    assert (cks["public"], cks["zone"], cks["version"], cks["vpcId"]) == (
        False, "EU-SOUTH-03A", "v1.35", "prod-finetune-network-vpc-id")
    pool = hybrid.one("kubernetes:compute.coreweave.com/v1alpha1:NodePool")
    assert (pool.inputs["spec"]["instanceType"], pool.inputs["spec"]["targetNodes"], pool.inputs["spec"]["autoscaling"],
            pool.inputs["spec"]["computeClass"]) == ("gd-8xh200ib-i128", 2, False, "default")
    assert pool.provider.split("::")[-2:] == ["prod-finetune-finetune-kubernetes", "prod-finetune-finetune-kubernetes-id"]
    assert pool.inputs["metadata"]["labels"]["gpufleet-utilization-percent"] == "80"
    # training storage on a cloud without a hot tier: the bucket only (no file system is asked for)
    assert [r.type for r in hybrid.resources if r.name.startswith("prod-finetune-finetune-storage-")] == [
        "coreweave:index/objectStorageBucket:ObjectStorageBucket",
        "coreweave:index/objectStorageBucketVersioning:ObjectStorageBucketVersioning",
        "coreweave:index/objectStorageBucketLifecycleConfiguration:ObjectStorageBucketLifecycleConfiguration"]
    assert hybrid.named("prod-finetune-finetune-storage-objects").inputs["tags"]["gpufleet-object-tib"] == "50"


def test_chat_serving_runs_on_an_azure_agent_pool_in_westus(hybrid):
    pool = hybrid.one("azure-native:containerservice:AgentPool")
    assert (pool.name, pool.inputs["vmSize"], pool.inputs["count"]) == (
        "prod-chat-serving-chat-serving-agent-pool", "Standard_ND96isr_H100_v5", 1)


def test_every_taggable_resource_on_every_cloud_carries_the_owner_tags(hybrid):
    assert missing_owner_tags(hybrid.resources) == []
    clouds = {r.type.split(":")[0] for r in hybrid.resources}
    assert {"oci", "coreweave", "azure-native", "kubernetes"} <= clouds


def test_hybrid_previews_with_exit_0_at_the_catalogs_prices_to_the_cent(tmp_path, capsys):
    plan_file = tmp_path / "plan.json"
    assert gpufleet(["preview", "hybrid", "--json", str(plan_file)]) == 0
    # The owned site's offer is its own figure: 8 GPUs × 1.85 USD/GPU-hour per node.
    catalog = parse_fleet(json.loads(load_stack(ROOT, "hybrid").config["gpufleet:fleet"])).catalog(load_catalog())
    hourly = {name: catalog.offer(cloud, instance, region).usd_per_hour * nodes
              for name, cloud, instance, region, nodes in (
                  ("prod-pretrain-pretrain-cluster-network", "oci", "BM.GPU.H100.8", "uk-london-1", 4),
                  ("prod-finetune-finetune-node-pool", "coreweave", "gd-8xh200ib-i128", "EU-SOUTH-03", 2),
                  ("prod-chat-serving-chat-serving-agent-pool", "azure", "Standard_ND96isr_H100_v5", "westus", 1),
                  ("prod-research-train-research-train-gpu-quota", "owned", "dc-north/8xH100", "dc-north", 4))}
    assert hourly == {"prod-pretrain-pretrain-cluster-network": 320.0, "prod-finetune-finetune-node-pool": 100.88,
                      "prod-chat-serving-chat-serving-agent-pool": 127.816,
                      "prod-research-train-research-train-gpu-quota": 59.2}
    plan = json.loads(plan_file.read_text())["gpufleet"]
    # beside the GPU capacity: the AKS control plane (Standard tier, 0.10 USD/h) and its inline system pool
    # (instance_prices.csv: 2 × Standard_D4ds_v5 in westus at 0.266 USD/h)
    assert (plan["totals"]["gpus"], plan["totals"]["monthly_usd"]) == (
        88, round(sum(hourly.values()) * HOURS + 0.10 * HOURS + 2 * 0.266 * HOURS, 2)) == (88, 444225.44)
    estimates = {urn.rsplit("::", 1)[1]: e for urn, e in plan["estimates"].items() if urn.rsplit("::", 1)[1] in hourly}
    assert {n: (e["cloud"], e["region"], e["instance_type"], e["nodes"], e["monthly_usd"]) for n, e in estimates.items()} == {
        "prod-pretrain-pretrain-cluster-network": ("oci", "uk-london-1", "BM.GPU.H100.8", 4, 233600.0),
        "prod-finetune-finetune-node-pool": ("coreweave", "EU-SOUTH-03", "gd-8xh200ib-i128", 2, 73642.4),
        "prod-chat-serving-chat-serving-agent-pool": ("azure", "westus", "Standard_ND96isr_H100_v5", 1, 93305.68),
        "prod-research-train-research-train-gpu-quota": ("owned", "dc-north", "dc-north/8xH100", 4, 43216.0)}
    assert {n: e["monthly_usd"] for n, e in estimates.items()} == {n: round(h * HOURS, 2) for n, h in hourly.items()}
    assert "Policy violations (prod): 0 mandatory" in capsys.readouterr().out


def test_without_the_oci_compartment_setting_the_preview_exits_2_naming_it(tmp_path, capsys):
    (tmp_path / "Pulumi.yaml").write_text("name: gpufleet\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "__main__.py").write_text(f"import runpy\nrunpy.run_path({str(ROOT / '__main__.py')!r}, "
                                          "run_name='__main__')\n")
    (tmp_path / "stacks").mkdir()
    stack = (ROOT / "stacks" / "Pulumi.hybrid.yaml").read_text()
    (tmp_path / "stacks" / "Pulumi.hybrid.yaml").write_text(
        "\n".join(line for line in stack.splitlines() if "ociCompartmentOcid" not in line) + "\n")
    assert gpufleet(["preview", "hybrid", "--program", str(tmp_path), "--no-policies"]) == 2
    err = capsys.readouterr().err
    assert "gpufleet:ociCompartmentOcid: required when a workload is placed on oci" in err
    assert "Traceback" not in err
