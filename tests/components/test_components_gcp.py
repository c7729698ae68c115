"""Google Cloud components under the recording engine: the gcp-staging stack end to end (64 H100 on
A3 Mega placed by cost), GPUDirect-RDMA networks, Spot pools, the GCP preflight rules."""

import json
import runpy
from pathlib import Path

import pytest
from components_testing import TAGS, missing_owner_tags

from gpufleet.components import GpuCluster
from gpufleet.components.preflight import plan_gpu_node_group, plan_storage_tiers
from gpufleet.catalog import load_catalog
from gpufleet.cli import main as gpufleet
from gpufleet.clouds.gcp import preflight
from gpufleet.errors import Problem
from gpufleet.offline import load_stack

ROOT = Path(__file__).resolve().parents[2]
NODE_POOL = "gcp:container/nodePool:NodePool"
NETWORK = "gcp:compute/network:Network"
GCP_CONFIG = {"gcp:project": "ml-platform-test", "gcp:region": "us-east4"}


@pytest.fixture(scope="module")
def staging(recorder):
    """The gcp-staging stack run through the program: placement, preflight, declaration."""
    config = load_stack(ROOT, "gcp-staging").config
    return recorder(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"),
                    config=config, project="gpufleet", stack="gcp-staging")


def test_staging_places_64_h100_on_a3_mega_in_us_east4_with_every_tcpxo_network(staging):
    provider = staging.one("pulumi:providers:gcp")
    assert (provider.name, provider.inputs["region"], provider.inputs["project"]) == (
        "gcp-us-east4", "us-east4", "ml-platform-staging")
    pools = {r.name: r.inputs for r in staging.of_type(NODE_POOL)}
    assert sorted(pools) == ["staging-pretrain-pretrain-node-pool", "staging-pretrain-system"]
    gpu = pools["staging-pretrain-pretrain-node-pool"]
    gpu_networks = [f"staging-pretrain-network-a3-megagpu-gpu-{i}" for i in range(8)]
    assert (gpu["location"], gpu["nodeLocations"], gpu["initialNodeCount"], gpu["autoscaling"]) == (
        "us-east4", ["us-east4-a"], 8, {"minNodeCount": 8, "maxNodeCount": 8})
    assert gpu["networkConfig"] == {"enablePrivateNodes": True, "additionalNodeNetworkConfigs": [
        {"network": n, "subnetwork": n} for n in gpu_networks]}
    assert gpu["placementPolicy"] == {"type": "COMPACT"}
    node = gpu["nodeConfig"]
    assert (node["machineType"], node["guestAccelerators"], node["imageType"], node["gvnic"], node["taints"]) == (
        "a3-megagpu-8g",
        [{"type": "nvidia-h100-mega-80gb", "count": 8, "gpuDriverInstallationConfig": {"gpuDriverVersion": "LATEST"}}],
        "COS_CONTAINERD", {"enabled": True}, [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}])
    assert node["labels"] == {"gpufleet.io/workload": "pretrain", "gpufleet.io/gpu": "H100",
                              "gpufleet.io/fabric": "gpudirect-tcpxo", "gpufleet.io/capacity": "on-demand",
                              "gpufleet-utilization-percent": "90", "gpufleet-hours-per-month": "730"}
    assert (node["workloadMetadataConfig"], node["shieldedInstanceConfig"], node["oauthScopes"]) == (
        {"mode": "GKE_METADATA"}, {"enableSecureBoot": True, "enableIntegrityMonitoring": True},
        ["https://www.googleapis.com/auth/cloud-platform"])
    assert "spot" not in node and "reservationAffinity" not in node

    networks = {r.name: r.inputs for r in staging.of_type(NETWORK)}
    assert sorted(networks) == sorted(["staging-pretrain-network-vpc", *gpu_networks])
    assert {n: (networks[n]["name"], networks[n]["mtu"]) for n in gpu_networks} == {n: (n, 8244) for n in gpu_networks}
    assert "mtu" not in networks["staging-pretrain-network-vpc"]
    subnets = {r.name: r.inputs for r in staging.of_type("gcp:compute/subnetwork:Subnetwork")}
    assert [subnets[n]["ipCidrRange"] for n in gpu_networks] == [f"10.0.{152 + 8 * i}.0/21" for i in range(8)]
    firewalls = {r.name: r.inputs for r in staging.of_type("gcp:compute/firewall:Firewall")}
    assert [firewalls[f"{n}-internal"]["sourceRanges"] for n in gpu_networks] == [[subnets[n]["ipCidrRange"]]
                                                                                  for n in gpu_networks]


def test_staging_cluster_is_private_with_dataplane_v2_and_multi_networking(staging):
    cluster = staging.one("gcp:container/cluster:Cluster").inputs
    assert cluster["privateClusterConfig"] == {"enablePrivateNodes": True, "enablePrivateEndpoint": True}
    assert (cluster["datapathProvider"], cluster["enableMultiNetworking"], cluster["networkingMode"]) == (
        "ADVANCED_DATAPATH", True, "VPC_NATIVE")
    assert (cluster["name"], cluster["location"], cluster["nodeLocations"], cluster["removeDefaultNodePool"]) == (
        "staging-pretrain", "us-east4", ["us-east4-a"], True)
    assert cluster["workloadIdentityConfig"] == {"workloadPool": "ml-platform-staging.svc.id.goog"}
    accounts = {r.name: r.inputs["accountId"] for r in staging.of_type("gcp:serviceaccount/account:Account")}
    assert accounts == {"staging-pretrain-system-nodes": "staging-pretrain-system-nodes",
                        "staging-pretrain-pretrain-nodes": "staging-pretrain-pre1e52-nodes"}  # 6–30 characters
    assert {r.inputs["role"] for r in staging.of_type("gcp:projects/iAMMember:IAMMember")} == {
        "roles/container.defaultNodeServiceAccount"}
    system = staging.named("staging-pretrain-system").inputs
    assert (system["nodeConfig"]["machineType"], system["autoscaling"]) == (
        "e2-standard-4", {"totalMinNodeCount": 2, "totalMaxNodeCount": 3})


def test_staging_storage_lustre_on_a_valid_step_and_a_bucket_with_lifecycle_both_protected(staging):
    lustre = staging.one("gcp:lustre/instance:Instance")
    # 64 GPUs × 250 MB/s = 16,000 MB/s: 15.625 TiB at 1000 MB/s/TiB, rounded up to the 9,000 GiB steps
    assert (lustre.inputs["capacityGib"], lustre.inputs["perUnitStorageThroughput"], lustre.inputs["location"],
            lustre.inputs["network"]) == ("18000", "1000", "us-east4-a", "staging-pretrain-network-vpc-id")
    assert "gkeSupportEnabled" not in lustre.inputs  # the legacy port-6988 mode; GKE mounts on 988
    bucket = staging.one("gcp:storage/bucket:Bucket")
    assert (bucket.inputs["uniformBucketLevelAccess"], bucket.inputs["publicAccessPrevention"],
            bucket.inputs["versioning"], bucket.inputs["location"]) == (True, "enforced", {"enabled": True}, "US-EAST4")
    assert bucket.inputs["lifecycleRules"] == [
        {"action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
         "condition": {"age": 30, "matchesStorageClasses": ["STANDARD"]}},
        {"action": {"type": "SetStorageClass", "storageClass": "ARCHIVE"},
         "condition": {"age": 180, "matchesStorageClasses": ["STANDARD", "COLDLINE"]}}]
    assert [(r.protect, r.retain_on_delete) for r in (lustre, bucket)] == [(True, True), (True, True)]
    access = staging.one("gcp:servicenetworking/connection:Connection").inputs
    assert access["service"] == "servicenetworking.googleapis.com"


def test_staging_labels_every_labelable_resource(staging):
    assert missing_owner_tags(staging.resources) == []
    labelled = [r for r in staging.resources if r.type in ("gcp:storage/bucket:Bucket", "gcp:lustre/instance:Instance")]
    assert all(r.inputs["labels"]["gpufleet-workload"] == "pretrain" for r in labelled)


def test_staging_previews_with_exit_0_at_the_catalogs_us_east4_price(tmp_path, capsys):
    plan_file = tmp_path / "plan.json"
    # no policies/gcp-staging.json: the fleet's environment (staging) names the policy configuration
    assert gpufleet(["preview", "gcp-staging", "--json", str(plan_file)]) == 0
    price = load_catalog().offer("gcp", "a3-megagpu-8g", "us-east4").usd_per_hour
    totals = json.loads(plan_file.read_text())["gpufleet"]["totals"]
    # beside the 8 A3 Mega nodes: the GKE cluster's management fee (service_prices.csv: 0.10 USD per cluster-hour)
    # and the bucket's declared 200 TiB at GCS Standard in us-east4 (0.023 USD per GiB-month)
    assert (totals["gpus"], totals["monthly_usd"]) == (
        64, round(8 * price * 730 + 0.10 * 730 + 200 * 1024 * 0.023, 2)) == (64, 547538.93)
    assert "Policy violations (staging): 0 mandatory" in capsys.readouterr().out


# --- GPUDirect-RDMA, reservations, Spot ------------------------------------------------------------------------
ULTRA = {"workload": "ultra", "gpu": "H200", "gpu_count": 16, "instance_type": "a3-ultragpu-8g", "enable_fabric": True,
         "capacity_type": "reserved", "reservation": {"kind": "specific-reservation", "id": "h200-block", "zone": "us-east4-b"}}
SPOT = {"workload": "embed", "gpu": "H100", "gpu_count": 2, "instance_type": "a3-highgpu-1g", "capacity_type": "spot",
        "scale_to_zero": True}


@pytest.fixture(scope="module")
def rdma(recorder):
    return recorder(lambda: GpuCluster("prod-us-east4", {"cloud": "gcp", "region": "us-east4", "tags": TAGS,
                                                         "node_groups": [ULTRA, SPOT]}), config=GCP_CONFIG)


def test_rdma_pool_gets_a_gvnic_network_and_eight_roce_subnets_in_its_zone(rdma):
    roce = rdma.named("prod-us-east4-network-a3-ultragpu-us-east4-b-rdma").inputs
    assert (roce["mtu"], roce["networkProfile"]) == (
        8896, "projects/ml-platform-test/global/networkProfiles/us-east4-b-vpc-roce")
    gvnic = "prod-us-east4-network-a3-ultragpu-us-east4-b-gvnic-0"
    assert "mtu" not in rdma.named(gvnic).inputs
    pool = rdma.named("prod-us-east4-ultra-node-pool").inputs
    rdma_subnets = [f"prod-us-east4-network-a3-ultragpu-us-east4-b-rdma-{i}" for i in range(8)]
    assert pool["networkConfig"]["additionalNodeNetworkConfigs"] == [{"network": gvnic, "subnetwork": gvnic}] + [
        {"network": "prod-us-east4-network-a3-ultragpu-us-east4-b-rdma", "subnetwork": s} for s in rdma_subnets]
    # a reservation dictates placement: no compact placement policy, the reserved machines by name
    assert "placementPolicy" not in pool and pool["nodeLocations"] == ["us-east4-b"]
    assert pool["nodeConfig"]["reservationAffinity"] == {
        "consumeReservationType": "SPECIFIC_RESERVATION", "key": "compute.googleapis.com/reservation-name",
        "values": ["h200-block"]}
    assert pool["nodeConfig"]["guestAccelerators"][0]["type"] == "nvidia-h200-141gb"


def test_spot_pool_scales_to_zero_without_fabric(rdma):
    pool = rdma.named("prod-us-east4-embed-node-pool").inputs
    assert (pool["nodeConfig"]["spot"], pool["autoscaling"], pool["initialNodeCount"], pool["nodeLocations"]) == (
        True, {"minNodeCount": 0, "maxNodeCount": 2}, 2, ["us-east4-a"])
    assert pool["networkConfig"] == {"enablePrivateNodes": True} and "placementPolicy" not in pool
    assert pool["nodeConfig"]["guestAccelerators"] == [
        {"type": "nvidia-h100-80gb", "count": 1, "gpuDriverInstallationConfig": {"gpuDriverVersion": "LATEST"}}]
    assert missing_owner_tags(rdma.resources) == []


# --- preflight -------------------------------------------------------------------------------------------------
REFS = {"cloud": "gcp", "region": "us-east4", "cluster_name": "c", "node_subnet_id": "s", "fabric_network_configs": [],
        "tags": TAGS}


def rendered(result):
    plan, problems = result
    assert plan is None
    return [p.render() for p in problems]


def test_gcp_refusals_are_listed_at_once():
    assert rendered(plan_gpu_node_group({
        **REFS, "tags": {**TAGS, "cost-center": "CC 4012"}, "workload": "w", "instance_type": "a3-megagpu-8g",
        "gpu_count": 8, "zone": "us-east4a", "capacity_type": "spot", "spot_max_price_usd_per_hour": 40.0}, "ng")) == [
        "ng.tags.cost-center: not a GCP label value: at most 63 lowercase letters, digits, '_' or '-' (got 'CC 4012')",
        "ng.zone: not a zone of us-east4: a zone is the region name, '-' and one letter, e.g. 'us-east4-a' "
        "(got 'us-east4a')",
        "ng.spot_max_price_usd_per_hour: GKE Spot nodes take no price cap: Spot VMs are billed at the current Spot "
        "price and can be preempted at any time (got 40.0)",
    ]
    # the regions the catalog in use offers the type in
    offered = tuple(sorted(o.region for o in load_catalog().offers if o.instance_type == "a3-megagpu-8g"))
    assert "us-east4" in offered and "europe-west2" not in offered
    assert rendered(plan_gpu_node_group({**REFS, "workload": "w", "instance_type": "a3-megagpu-8g", "gpu_count": 8,
                                         "region": "europe-west2", "zone": "europe-west2-a"}, "ng")) == [
        Problem("ng.region", "a3-megagpu-8g is not offered in this region", "europe-west2", offered).render()]
    assert rendered(plan_gpu_node_group({**REFS, "workload": "w", "instance_type": "a2-ultragpu-8g", "gpu_count": 8,
                                         "enable_fabric": True}, "ng")) == [
        "ng.enable_fabric: a2-ultragpu-8g has no high-bandwidth fabric (interconnect: none) (got True)"]
    without = {k: v for k, v in REFS.items() if k != "fabric_network_configs"}
    assert rendered(plan_gpu_node_group({**without, "workload": "w", "instance_type": "a3-megagpu-8g", "gpu_count": 8,
                                         "enable_fabric": True}, "ng")) == ["ng.fabric_network_configs: required on gcp"]


def test_a_family_whose_gpu_networks_are_unknown_cannot_get_its_fabric():
    plan, _ = plan_gpu_node_group({**REFS, "workload": "w", "instance_type": "a3-highgpu-8g", "gpu_count": 8,
                                   "enable_fabric": True}, "ng")
    edge = type(plan.instance)(**{**plan.instance.__dict__, "name": "a3-edgegpu-8g"})  # the catalog knows its family
    problems = preflight.node_group_problems(type(plan)(**{**plan.__dict__, "instance": edge}), "ng")
    assert [p.render() for p in problems] == [
        "ng.instance_type: a3-edgegpu-8g: no GKE accelerator type is known for its machine family, so its node pool "
        "cannot be declared (got 'a3-edgegpu-8g'); allowed: a2-highgpu, a2-megagpu, a2-ultragpu, a3-highgpu, "
        "a3-megagpu, a3-ultragpu, a4-highgpu, g2-standard",
        "ng.enable_fabric: cannot attach GPUDirect-TCPX to a3-edgegpu-8g: the catalog has no GPU NIC count or MTU for "
        "this machine family (e.g. A3 Edge); wiring fewer networks than the machine has NICs silently cuts bandwidth, "
        "so preflight refuses the fabric rather than guess (got True); allowed: false",
    ]


def test_managed_lustre_sizes_are_steps_of_the_tier():
    storage = {"cloud": "gcp", "region": "us-east4", "zone": "us-east4-a", "workload": "train", "tags": TAGS,
               "file_system_subnet_id": "vpc", "gpu_count": 64}
    assert rendered(plan_storage_tiers({**storage, "hot_capacity_tib": 10}, "st")) == [
        "st.hot_capacity_tib: not a capacity step of Google Cloud Managed Lustre (got 10.0); allowed: 125 MB/s/TiB: "
        "70.3125 TiB, 250 MB/s/TiB: 35.15625 TiB, 500 MB/s/TiB: 17.578125 TiB, 1000 MB/s/TiB: 8.789062 or "
        "17.578125 TiB"]
    plan, problems = plan_storage_tiers({**storage, "hot_capacity_tib": 36000 / 1024}, "st")
    assert problems == [] and (plan.hot_capacity_gib, plan.throughput_mb_s_per_tib) == (36000, 500)
