"""GCP readers: GKE pools priced per zone (own, inline and default pools), capacity types from spot and
reservations, Managed Lustre and Cloud Storage read as storage, GPU networks read for the report."""

import pytest

from gpufleet.clouds import reader_for
from gpufleet.estimate import estimate_plan
from gpufleet.estimate.plan import index_views
from gpufleet.readers.views import UNKNOWN, views_from_states

URN = "urn:pulumi:dev::p::"
POOL = "gcp:container/nodePool:NodePool"
CLUSTER = "gcp:container/cluster:Cluster"
MEGA = 92.93759  # catalog: a3-megagpu-8g in us-east4


def state(type_, name, inputs, deps=None):
    return {"urn": f"{URN}{type_}::{name}", "type": type_, "inputs": inputs, "propertyDependencies": deps or {}}


def estimate(*states, config=None):
    return estimate_plan(views_from_states(list(states), config=config or {}))


def pool(**inputs):
    return {"nodeConfig": {"machineType": "a3-megagpu-8g"}, **inputs}


@pytest.mark.parametrize("inputs, nodes, how", [
    (pool(location="us-east4", nodeLocations=["us-east4-a"], nodeCount=8), 8, "nodeCount per zone × 1 zone(s)"),
    (pool(location="us-east4", nodeLocations=["us-east4-a", "us-east4-b"], nodeCount=2), 4,
     "nodeCount per zone × 2 zone(s)"),
    (pool(location="us-east4-b", initialNodeCount=3), 3, "initialNodeCount per zone × 1 zone(s)"),
    (pool(location="us-east4", nodeCount=1), 3, "nodeCount per zone × 3 zone(s)"),  # GKE's regional default
    (pool(cluster="projects/p/locations/us-east4-c/clusters/gke", nodeCount=2), 2, "nodeCount per zone × 1 zone(s)"),
], ids=["one-zone", "two-zones", "zonal-pool", "regional-default-three-zones", "location-from-cluster-id"])
def test_node_pool_nodes_are_per_zone(inputs, nodes, how):
    e = estimate(state(POOL, "gpu", inputs)).resources[f"{URN}{POOL}::gpu"]
    assert (e.region, e.instance_type, e.nodes, e.gpus, e.capacity_type) == ("us-east4", "a3-megagpu-8g", nodes,
                                                                              8 * nodes, "on-demand")
    assert e.monthly_usd == pytest.approx(MEGA * 730 * nodes)
    assert e.derivation["nodes"] == how


def test_node_pool_unknown_zones_are_unpriced_not_guessed():
    plan = estimate(state(POOL, "gpu", pool(location="us-east4", nodeLocations=[UNKNOWN], nodeCount=1)))
    e = plan.resources[f"{URN}{POOL}::gpu"]
    assert (e.nodes, e.monthly_usd) == (None, None)
    assert e.derivation["nodes"] == "nodeCount is per zone, and the pool's zones are not known at preview"
    # its boot disks too (100 GB each, GKE's default): no sourced Persistent Disk price
    assert plan.unpriced == [f"{URN}{POOL}::gpu", f"{URN}{POOL}::gpu.nodeConfig.bootDisk"]


def test_node_pool_location_comes_from_its_cluster_by_dependency():
    cluster = state(CLUSTER, "gke", {"location": "europe-west4-b", "removeDefaultNodePool": True, "initialNodeCount": 1})
    gpu = state(POOL, "gpu", pool(cluster=UNKNOWN, nodeCount=2), deps={"cluster": [cluster["urn"]]})
    e = estimate(cluster, gpu).resources[gpu["urn"]]
    assert (e.region, e.nodes, e.monthly_usd) == ("europe-west4", 2, pytest.approx(118.23683 * 730 * 2))


@pytest.mark.parametrize("node_config, kind", [
    ({"spot": True}, "spot"),
    ({"preemptible": True}, "spot"),
    ({"reservationAffinity": {"consumeReservationType": "SPECIFIC_RESERVATION",
                              "key": "compute.googleapis.com/reservation-name", "values": ["h100-block"]}}, "reserved"),
    ({"reservationAffinity": {"consumeReservationType": "ANY_RESERVATION"}}, "on-demand"),
], ids=["spot", "preemptible", "specific-reservation", "any-reservation"])
def test_node_pool_capacity_type(node_config, kind):
    inputs = pool(location="us-east4-a", nodeCount=1)
    inputs["nodeConfig"].update(node_config)
    assert estimate(state(POOL, "gpu", inputs)).resources[f"{URN}{POOL}::gpu"].capacity_type == kind


def test_node_pool_duty_from_node_labels():
    # the pool can scale to zero, so the hours label is backed (a fixed pool counts all month: test_estimate)
    inputs = pool(location="us-east4-a", nodeCount=1, autoscaling={"minNodeCount": 0, "maxNodeCount": 1})
    inputs["nodeConfig"]["labels"] = {"gpufleet-utilization-percent": "62.5", "gpufleet-hours-per-month": "400"}
    e = estimate(state(POOL, "gpu", inputs)).resources[f"{URN}{POOL}::gpu"]
    assert (e.hours, e.utilization, e.monthly_usd) == (400.0, 0.625, pytest.approx(MEGA * 400))


def test_node_pool_scaling_is_total_over_zones():
    reader = reader_for(POOL)
    auto = reader.scaling(pool(location="us-east4", nodeLocations=["us-east4-a", "us-east4-b"],
                               autoscaling={"minNodeCount": 0, "maxNodeCount": 4}))
    assert (auto.min_nodes, auto.max_nodes, auto.max_path) == (0, 8, "autoscaling.maxNodeCount × 2 zones")
    total = reader.scaling(pool(location="us-east4", autoscaling={"totalMinNodeCount": 1, "totalMaxNodeCount": 6}))
    assert (total.min_nodes, total.max_nodes, total.max_path) == (1, 6, "autoscaling.totalMaxNodeCount")
    fixed = reader.scaling(pool(location="us-east4-a", nodeCount=5))
    assert (fixed.min_nodes, fixed.max_nodes, fixed.min_path) == (5, 5, "nodeCount")


def test_cluster_default_pool_and_inline_gpu_pools_are_capacity():
    cluster = state(CLUSTER, "gke", {
        "location": "us-east4", "nodeLocations": ["us-east4-a"], "initialNodeCount": 2,
        "nodeConfig": {"machineType": "a3-megagpu-8g"},
        "nodePools": [{"name": "system", "nodeCount": 3, "nodeConfig": {"machineType": "e2-standard-8"}},
                      {"name": "mega", "nodeCount": 1, "nodeConfig": {"machineType": "a3-megagpu-8g", "spot": True}}]})
    plan = estimate(cluster)
    default = plan.resources[f"{cluster['urn']}.nodePools[default-pool]"]
    assert (default.type, default.region, default.nodes, default.gpus, default.capacity_type) == (
        POOL, "us-east4", 2, 16, "on-demand")
    mega = plan.resources[f"{cluster['urn']}.nodePools[mega]"]
    assert (mega.nodes, mega.capacity_type) == (1, "spot")
    assert f"{cluster['urn']}.nodePools[system]" not in plan.resources  # a CPU pool stays part of the cluster
    # the Spot pool at the catalog's Spot price (instance_prices.csv: a3-megagpu-8g us-east4 37.391837 USD/h);
    # the cluster itself (its fee and the CPU pool, whose machine type the catalog lacks) stays unpriced
    assert plan.total("monthly_usd") == pytest.approx(MEGA * 730 * 2 + 37.391837 * 730)
    # and each pool's boot disks, the CPU pool's too (no sourced Persistent Disk price)
    assert plan.unpriced == [cluster["urn"], *(f"{cluster['urn']}.nodePools[{p}].nodeConfig.bootDisk"
                                               for p in ("default-pool", "system", "mega"))]
    assert reader_for(CLUSTER).instance_types(cluster["inputs"]) == [
        ("nodeConfig.machineType", "a3-megagpu-8g"), ("nodePools[0].nodeConfig.machineType", "e2-standard-8"),
        ("nodePools[1].nodeConfig.machineType", "a3-megagpu-8g")]


def test_cluster_without_default_pool_or_with_a_cpu_default_pool_declares_no_capacity():
    removed = state(CLUSTER, "a", {"location": "us-east4", "removeDefaultNodePool": True, "initialNodeCount": 1,
                                   "nodeConfig": {"machineType": "a3-megagpu-8g"}})
    cpu = state(CLUSTER, "b", {"location": "us-east4", "initialNodeCount": 3})  # GKE's default machine type
    plan = estimate(removed, cpu)
    assert plan.gpus == 0 and sorted(plan.resources) == [removed["urn"], cpu["urn"]]


def test_fabric_configured_counts_gpu_networks():
    reader = reader_for(POOL)
    inputs = pool(networkConfig={"additionalNodeNetworkConfigs": [{"network": f"n{i}", "subnetwork": f"s{i}"}
                                                                  for i in range(8)]},
                  placementPolicy={"type": "COMPACT"})
    view = views_from_states([state(POOL, "gpu", inputs)])[0]
    assert reader.fabric_configured(view, {}, "GPUDirect-TCPXO") == "8 additional node networks/node, compact placement"
    bare = views_from_states([state(POOL, "gpu", pool())])[0]
    assert reader.fabric_configured(bare, {}, "GPUDirect-TCPX") == "no additional node networks"
    assert reader.fabric_configured(bare, {}, "none") == "—"


def test_lustre_and_buckets_are_storage():
    lustre = views_from_states([state("gcp:lustre/instance:Instance", "hot", {
        "location": "us-east4-a", "capacityGib": "36000", "perUnitStorageThroughput": "1000"})])[0]
    read = reader_for(lustre.type).storage(lustre)
    assert (read.tier, read.provisioned, read.capacity_tib, read.details) == (
        "Google Cloud Managed Lustre", True, 36000 / 1024, ("1000 MB/s/TiB",))
    assert reader_for(lustre.type).storage_region(lustre) == "us-east4"
    bucket = views_from_states([state("gcp:storage/bucket:Bucket", "data", {
        "location": "US-EAST4", "lifecycleRules": [
            {"condition": {"age": 30}, "action": {"type": "SetStorageClass", "storageClass": "COLDLINE"}},
            {"condition": {"age": 180}, "action": {"type": "SetStorageClass", "storageClass": "ARCHIVE"}}]})])[0]
    read = reader_for(bucket.type).storage(bucket)
    assert (read.tier, read.provisioned, read.capacity_tib, read.details) == (
        "Cloud Storage", False, None, ("STANDARD", "lifecycle → COLDLINE", "lifecycle → ARCHIVE"))
    assert reader_for(bucket.type).storage_region(bucket) == "us-east4"
    assert estimate(state("gcp:lustre/instance:Instance", "hot", {})).resources[
        f"{URN}gcp:lustre/instance:Instance::hot"].derivation == {
        "monthly_usd": "unknown: managed-lustre tier not known at preview: region not known at preview",
        "monthly_kwh": "unknown: managed-lustre tier not known at preview: region not known at preview",
        "monthly_kgco2e": "unknown: managed-lustre tier not known at preview: region not known at preview"}


def test_node_pool_finds_its_cluster_by_name_or_not_at_all():
    cluster = state(CLUSTER, "gke", {"name": "gke-prod", "location": "europe-west4-a", "removeDefaultNodePool": True})
    graph = index_views(views_from_states([cluster]))
    named = views_from_states([state(POOL, "gpu", pool(cluster="gke-prod", nodeCount=1))])[0]
    assert reader_for(POOL).capacity(named, graph).region == "europe-west4"
    other = views_from_states([state(POOL, "gpu", pool(cluster="gke-other", nodeCount=1))])[0]
    assert reader_for(POOL).capacity(other, graph).region is None  # no such cluster: not guessed


def test_gcp_networking_and_identity_are_assessed_free_and_external_addresses_unpriced():
    states = [state("gcp:compute/network:Network", "vpc", {"mtu": 8244}),
              state("gcp:compute/firewall:Firewall", "fw", {"network": "vpc"}),
              state("gcp:serviceaccount/account:Account", "sa", {"accountId": "nodes"}),
              state("gcp:compute/globalAddress:GlobalAddress", "psa", {"purpose": "VPC_PEERING", "addressType": "INTERNAL"}),
              state("gcp:compute/globalAddress:GlobalAddress", "ip", {})]
    plan = estimate(*states)
    assert [(a.kind, a.reason) for a in plan.assessments.values()] == [
        ("free", ""), ("free", ""), ("free", ""), ("free", ""),
        ("unpriced", "static external IP address hours; no price in the catalog")]
