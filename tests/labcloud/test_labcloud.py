"""A fake cloud added as one folder (this one) is placed, declared, priced and policed by gpufleet's
generic code, with no edit anywhere else."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from gpufleet.components.fleet import declare_fleet
from gpufleet.catalog import load_catalog
from gpufleet.clouds import component_clouds, reader_for
from gpufleet.config import parse_fleet
from gpufleet.estimate import estimate_plan
from gpufleet.offline import record
from gpufleet.offline.fakecloud import LOOKUP_SPECIFIC, answer_invoke
from gpufleet.placement.lock import PlacementLock, place_with_lock
from gpufleet.policy.inprocess import analyze_in_process
from gpufleet.preview import views_from_run

PACK = Path(__file__).resolve().parents[2] / "policies"
FLEET = {
    "environment": "prod", "owner": {"team": "ml-platform", "cost-center": "cc-4012"}, "objective": "cost",
    "candidates": [{"cloud": "lab", "regions": ["lab-north", "lab-south"]}],
    "workloads": [{"name": "train", "gpu": "H100", "gpu_count": 16, "utilization_percent": 80,
                   "storage": {"object_tib": 10}}],
}


@pytest.fixture(scope="module")
def fleet():
    return parse_fleet(FLEET, load_catalog())


@pytest.fixture(scope="module")
def placed(fleet):
    return place_with_lock(fleet, load_catalog(), PlacementLock(), component_clouds(), "lab")


@pytest.fixture(scope="module")
def placement(placed):
    return placed.placement


@pytest.fixture(scope="module")
def run(fleet, placed):
    return record(lambda: declare_fleet(fleet, placed), project="gpufleet", stack="prod")


def test_placed_on_the_cheaper_lab_region(placement):
    chosen = placement.decisions["train"].chosen
    assert (chosen.cloud, chosen.region, chosen.instance_type, chosen.nodes) == ("lab", "lab-south", "lab.gpu8.h100", 2)


def test_declared_with_the_lab_provider_and_the_components(run):
    declared = [(r.type, r.name) for r in run.resources if r.type != "pulumi:pulumi:Stack"]
    assert declared == [
        ("pulumi:providers:lab", "lab-lab-south"),
        ("gpufleet:index:GpuCluster", "prod-train"),
        ("gpufleet:index:HighBandwidthNetwork", "prod-train-network"),
        ("lab:network:Network", "prod-train-network-net"),
        ("lab:network:Subnet", "prod-train-network-rack1"),
        ("lab:kubernetes:Cluster", "prod-train-k8s"),
        ("gpufleet:index:GpuNodeGroup", "prod-train-train"),
        ("lab:compute:GpuPool", "prod-train-train-pool"),
        ("gpufleet:index:StorageTiers", "prod-train-train-storage"),
        ("lab:storage:Bucket", "prod-train-train-storage-objects"),
        ("lab:storage:Lustre", "prod-train-train-storage-lustre"),
    ]
    pool = next(r for r in run.resources if r.type == "lab:compute:GpuPool")
    assert (pool.inputs["machineType"], pool.inputs["nodeCount"], pool.inputs["minNodeCount"], pool.inputs["spot"]) == (
        "lab.gpu8.h100", 2, 2, False)
    assert pool.inputs["tags"]["gpufleet-utilization-percent"] == "80"
    assert pool.provider.startswith("urn:pulumi:prod::gpufleet::pulumi:providers:lab::lab-lab-south::")
    lustre = next(r for r in run.resources if r.type == "lab:storage:Lustre")
    assert lustre.inputs["capacityTib"] == 8  # 16 GPUs x 250 MB/s at 500 MB/s/TiB, on a 4 TiB step
    assert lustre.protect and lustre.retain_on_delete


def test_priced_from_the_catalog_to_the_cent(run):
    estimate = estimate_plan(views_from_run(run), load_catalog())
    priced = {e.type: e for e in estimate.resources.values()}
    pool = priced["lab:compute:GpuPool"]
    assert (pool.cloud, pool.region, pool.nodes, pool.gpus, pool.monthly_usd) == ("lab", "lab-south", 2, 16, 24090.0)
    assert pool.monthly_usd == 2 * 16.5 * 730
    assert {priced[t].derivation["monthly_usd"] for t in ("lab:kubernetes:Cluster", "lab:storage:Bucket",
                                                             "lab:storage:Lustre")} == {
        "unknown: lab cluster management; no price in the catalog",
        "unknown: lab object storage; no price in the catalog",
        "unknown: lab Lustre capacity; no price in the catalog"}


def verdicts(run, **config):
    found = analyze_in_process(PACK, run, {"all": "disabled", **config}, project="gpufleet", stack="prod",
                               stack_config={})
    return [(v.policy, v.level, v.urn.rsplit("::", 1)[-1] if v.urn else None, v.message) for v in found]


def test_policed_by_the_pack(run):
    assert verdicts(run, **{"gpufleet-required-tags": "mandatory"}) == []
    assert verdicts(run, **{"gpufleet-node-group-max-gpus": {"enforcementLevel": "mandatory",
                                                             "max_gpus_per_node_group": 8}}) == [(
        "gpufleet-node-group-max-gpus", "mandatory", "prod-train-train-pool",
        "prod-train-train-pool can scale to 16 GPUs (nodeCount = 2 nodes of lab.gpu8.h100 (8 GPUs each)), over "
        "the limit of 8 GPUs per node group. Fix: lower nodeCount to at most 1, or split the capacity.")]


def test_an_untagged_lab_resource_is_refused():
    untagged = record(lambda: pulumi.CustomResource("lab:storage:Bucket", "loose", {"coldAfterDays": 30}),
                      project="gpufleet", stack="prod")
    assert verdicts(untagged, **{"gpufleet-required-tags": "mandatory"}) == [(
        "gpufleet-required-tags", "mandatory", "loose",
        "missing required tag(s) team, cost-center, environment (tags present: none). Fix: add team=…, "
        "cost-center=…, environment=… to its tags.")]
    assert reader_for("lab:storage:Bucket").cloud == "lab"


def test_its_lookups_are_answered_offline():
    assert answer_invoke("lab:index/getRacks:getRacks", {}, {"region": "lab-south"}) == (
        {"region": "lab-south", "racks": ["rack1", "rack2"]}, LOOKUP_SPECIFIC)
