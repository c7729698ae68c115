"""The program (`__main__.py`) and its stacks: parsed, placed, and declared with the components."""

import copy
import json
import runpy
from pathlib import Path

import pulumi
import pytest
from components_testing import missing_owner_tags, taggable
from pulumi.provider.experimental.component import ComponentProvider

from gpufleet.components import COMPONENTS
from gpufleet.components.fleet import fleet_clusters
from gpufleet.catalog import load_catalog
from gpufleet.clouds import adapter
from gpufleet.clouds.adapter import Feature
from gpufleet.config import parse_fleet
from gpufleet.offline import load_stack
from gpufleet.placement.lock import PlacementLock, place_with_lock

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("dev", "staging", "prod")


def stack_fleet(stack: str) -> dict:
    """The stack's `gpufleet:fleet` exactly as the Pulumi CLI hands it to the program."""
    return json.loads(load_stack(ROOT, stack).config["gpufleet:fleet"])


def run_program(recorder, stack: str, fleet: dict | None = None):
    """The program on the stack's configuration (its fleet and placement lock), the fleet replaced if given."""
    config = dict(load_stack(ROOT, stack).config)
    if fleet is not None:
        config["gpufleet:fleet"] = json.dumps(fleet)
    errors = []

    def program():
        try:
            runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        except pulumi.RunError as error:
            errors.append(error)

    return recorder(program, config=config, project="gpufleet", stack=stack), errors


@pytest.mark.parametrize("stack", STACKS)
def test_stacks_parse(stack):
    fleet = parse_fleet(stack_fleet(stack))
    assert fleet.environment == stack and fleet.owner_tags["team"] == "ml-platform"


def test_prod_places_a_multi_cloud_fleet():
    fleet = parse_fleet(stack_fleet("prod"))
    placed = place_with_lock(fleet, load_catalog(), PlacementLock(), ("aws", "azure"), "prod")
    planned = fleet_clusters(fleet, placed)
    assert [(c.name, c.cloud, [g["workload"] for g in c.args["node_groups"]]) for c in planned] == [
        ("prod-pretrain", "aws", ["pretrain", "finetune", "batch-embed"]),
        ("prod-chat-serving", "azure", ["chat-serving"]),
    ]
    pretrain, finetune = planned[0].args["node_groups"][:2]
    assert (pretrain["instance_type"], pretrain["enable_fabric"], pretrain["capacity_type"], pretrain["reservation"]) == (
        "p5.48xlarge", True, "reserved", {"kind": "capacity-block", "id": "cr-0f1e2d3c4b5a69788", "zone": "eu-north-1b"})
    assert (finetune["capacity_type"], finetune["scale_to_zero"], finetune["hours_per_month"]) == ("on-demand", True, 400)
    assert placed.placement.decisions["finetune"].reason.startswith("balanced: lowest-carbon region for 64 H100")
    assert placed.unlocked == ["pretrain", "finetune", "chat-serving", "batch-embed"]
    assert [(s["workload"], s["enable_hot_tier"]) for c in planned for s in c.args["storage"]] == [
        ("pretrain", True), ("finetune", True), ("chat-serving", True)]


@pytest.fixture(scope="module")
def prod(recorder):
    run, errors = run_program(recorder, "prod")
    assert errors == []
    return run


def test_prod_aws_private_eks_efa_placement_group_fsx_and_s3_lifecycle(prod):
    eks = prod.named("prod-pretrain-eks").inputs["vpcConfig"]
    assert (eks["endpointPrivateAccess"], eks["endpointPublicAccess"]) == (True, False)
    for workload in ("pretrain", "finetune"):  # every EFA interface of p5.48xlarge, IMDSv2 only
        template = prod.named(f"prod-pretrain-{workload}-launch-template").inputs
        assert len(template["networkInterfaces"]) == 32 and template["metadataOptions"]["httpTokens"] == "required"
    # On demand: a cluster placement group; in the Capacity Block: none forced (terraform-aws-eks #3730).
    assert [r.name for r in prod.of_type("aws:ec2/placementGroup:PlacementGroup")] == [
        "prod-pretrain-finetune-placement-group"]
    assert prod.named("prod-pretrain-finetune-launch-template").inputs["placement"] == {
        "groupName": "prod-pretrain-finetune-placement-group"}
    assert "placement" not in prod.named("prod-pretrain-pretrain-launch-template").inputs
    group = prod.named("prod-pretrain-pretrain-node-group").inputs
    assert (group["instanceTypes"], group["capacityType"], group["scalingConfig"]["desiredSize"], group["subnetIds"]) == (
        ["p5.48xlarge"], "CAPACITY_BLOCK", 16, ["prod-pretrain-network-private-eu-north-1b-id"])
    lustre = {r.name: (r.inputs["storageCapacity"], r.inputs["perUnitStorageThroughput"])
              for r in prod.of_type("aws:fsx/lustreFileSystem:LustreFileSystem")}
    # 128 GPUs x 250 MB/s -> 31.25 TiB at 1000 MB/s/TiB -> 14 x 2.4 TiB; 64 GPUs -> 7 x 2.4 TiB
    assert lustre == {"prod-pretrain-pretrain-storage-lustre": (33600, 1000),
                      "prod-pretrain-finetune-storage-lustre": (16800, 1000)}
    assert [t["storageClass"] for t in prod.named("prod-pretrain-pretrain-storage-objects-lifecycle")
            .inputs["rules"][0]["transitions"]] == ["GLACIER_IR", "DEEP_ARCHIVE"]
    spot = prod.named("prod-pretrain-batch-embed-node-group").inputs
    assert (spot["capacityType"], spot["scalingConfig"]["minSize"]) == ("SPOT", 0)


def test_prod_azure_private_aks_nd_h100_v5_in_a_ppg_managed_lustre_and_lifecycle(prod):
    aks = prod.one("azure-native:containerservice:ManagedCluster").inputs
    assert aks["apiServerAccessProfile"]["enablePrivateCluster"] is True
    pool = prod.one("azure-native:containerservice:AgentPool").inputs
    assert (pool["vmSize"], pool["count"], pool["proximityPlacementGroupID"]) == (
        "Standard_ND96isr_H100_v5", 4, "prod-chat-serving-network-ppg-1-id")
    lustre = prod.one("azure-native:storagecache:AmlFilesystem").inputs
    assert (lustre["sku"]["name"], lustre["storageCapacityTiB"]) == ("AMLFS-Durable-Premium-500", 16)
    actions = prod.one("azure-native:storage:ManagementPolicy").inputs["policy"]["rules"][0]["definition"]["actions"]
    assert set(actions["baseBlob"]) == {"tierToCold", "tierToArchive"}


def test_prod_providers_tags_and_data_protection(prod):
    providers = sorted(r.name for r in prod.resources if r.type.startswith("pulumi:providers:"))
    assert providers == ["aws-eu-north-1", "azure-eastus"]
    custom = [r for r in prod.resources if not r.type.startswith(("pulumi:", "gpufleet:"))]
    assert all(r.provider.split("::")[-2] in providers for r in custom)  # never a default provider
    assert missing_owner_tags(prod.resources) == []
    owners = {r.urn for r in prod.resources if r.type in ("gpufleet:index:GpuNodeGroup", "gpufleet:index:StorageTiers")}
    owned = [r for r in prod.resources if r.parent in owners and taggable(r.type)]
    # Identity tags only: no placement reason or figure that a catalog refresh would change.
    assert len(owned) == 20 and all("gpufleet-workload" in r.inputs["tags"] for r in owned)
    assert {key for r in prod.resources for key in (r.inputs.get("tags") or {})} == {
        "team", "cost-center", "environment", "project", "Name", "kubernetes.io/role/internal-elb", "gpufleet-workload",
        "gpufleet-utilization-percent", "gpufleet-hours-per-month", "gpufleet-object-tib"}
    data_types = {"aws:s3/bucket:Bucket", "aws:fsx/lustreFileSystem:LustreFileSystem",
                  "azure-native:storage:StorageAccount", "azure-native:storagecache:AmlFilesystem"}
    data = [r for r in prod.resources if r.type in data_types]
    assert len(data) == 6 and all(r.protect and r.retain_on_delete for r in data)


def test_outputs_have_the_same_names_on_every_cloud_and_none_where_the_adapter_says_why(prod):
    storage = {cluster: outputs["storage"] for cluster, outputs in prod.run.outputs["clusters"].items()}
    assert {cluster: {w: set(s) for w, s in tiers.items()} for cluster, tiers in storage.items()} == {
        "prod-chat-serving": {"chat-serving": {"hot_capacity_tib", "hot_file_system_id", "object_container_name",
                                         "object_store_name"}},
        "prod-pretrain": {w: {"hot_capacity_tib", "hot_file_system_id", "object_container_name", "object_store_name"}
                            for w in ("finetune", "pretrain")}}
    container = prod.one("azure-native:storage:BlobContainer")
    assert storage["prod-chat-serving"]["chat-serving"]["object_container_name"] == container.name
    assert container.inputs["containerName"] == "data"
    assert [s["object_container_name"] for s in storage["prod-pretrain"].values()] == [None, None]
    assert Feature.OBJECT_CONTAINER in adapter("aws").unsupported
    assert Feature.OBJECT_CONTAINER not in adapter("azure").unsupported


def test_staging_capacity_block_gets_every_efa_interface_and_no_forced_placement_group(recorder):
    run, errors = run_program(recorder, "staging")
    assert errors == [] and run.of_type("aws:ec2/placementGroup:PlacementGroup") == []
    template = run.named("staging-finetune-finetune-launch-template").inputs
    assert len(template["networkInterfaces"]) == 32
    assert template["instanceMarketOptions"] == {"marketType": "capacity-block"}
    assert run.named("staging-finetune-finetune-node-group").inputs["subnetIds"] == [
        "staging-finetune-network-private-us-west-2b-id"]


def test_dev_is_two_spot_t4_nodes_that_scale_to_zero(recorder):
    run, errors = run_program(recorder, "dev")
    groups = [r.inputs for r in run.of_type("aws:eks/nodeGroup:NodeGroup") if r.inputs["labels"].get("gpufleet.io/gpu")]
    assert errors == [] and [(g["instanceTypes"], g["capacityType"], g["scalingConfig"]) for g in groups] == [
        (["g4dn.xlarge"], "SPOT", {"desiredSize": 2, "minSize": 0, "maxSize": 2})]
    assert run.of_type("aws:fsx/lustreFileSystem:LustreFileSystem") == []


def test_invalid_sizes_are_refused_before_any_resource_is_declared(recorder):
    fleet = copy.deepcopy(stack_fleet("prod"))
    for workload in fleet["workloads"]:
        if workload["name"] in ("finetune", "chat-serving"):
            workload["storage"]["hot_tib"] = 10
    run, errors = run_program(recorder, "prod", fleet)
    assert run.resources == [] and [e.heading for e in errors] == ["the placed fleet fails preflight"]
    assert str(errors[0]) == errors[0].render()  # what the Pulumi CLI prints for a RunError
    assert [p.render() for p in errors[0].problems] == [
        "prod-pretrain.storage[finetune].hot_capacity_tib: not a capacity step of Amazon FSx for Lustre, "
        "PERSISTENT_2 deployment, SSD storage (got 10.0); allowed: 125, 250, 500, 1000 MB/s/TiB: 9.375 or 11.71875 TiB",
        "prod-chat-serving.storage[chat-serving].hot_capacity_tib: not a capacity step of Azure Managed Lustre "
        "(AMLFS-Durable-Premium SKUs) (got 10.0); allowed: 40 MB/s/TiB: 48 TiB, 125 MB/s/TiB: 16 TiB, "
        "250 MB/s/TiB: 8 or 16 TiB, 500 MB/s/TiB: 8 or 12 TiB",
    ]


def test_components_publish_as_a_multi_language_package_schema():
    schema = json.loads(ComponentProvider(list(COMPONENTS), "gpufleet").schema)
    assert sorted(schema["resources"]) == ["gpufleet:index:GpuCluster", "gpufleet:index:GpuNodeGroup",
                                           "gpufleet:index:GpuSoftwareStack", "gpufleet:index:HighBandwidthNetwork",
                                           "gpufleet:index:StorageTiers"]
    node_group = schema["resources"]["gpufleet:index:GpuNodeGroup"]
    # Values preflight checks are plain; references to other resources may be outputs.
    assert all(node_group["inputProperties"][k].get("plain") for k in ("cloud", "region", "gpuCount", "instanceType"))
    assert not node_group["inputProperties"]["clusterName"].get("plain")
    assert {"instanceType", "nodes", "gpus", "fabric", "fabricInterfacesPerNode"} <= set(node_group["properties"])
