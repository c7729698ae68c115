"""Preflight: plans from the catalog and the product rules, or every problem at once with its path."""

import pytest

from gpufleet.components.declarer import cloud_adapter
from gpufleet import clouds
from gpufleet.clouds import adapter, component_clouds
from gpufleet.clouds.adapter import CloudAdapter
from gpufleet.clouds.file_systems import CapacitySteps
from gpufleet.components.preflight import (
    plan_cluster,
    plan_gpu_node_group,
    plan_network,
    plan_node_group,
    plan_storage_tiers,
)

TAGS = {"team": "ml-platform", "cost-center": "cc-1", "environment": "test"}
AWS_REFS = {"cluster_name": "c", "node_subnet_id": "subnet", "cluster_security_group_id": "sg-c",
            "fabric_security_group_id": "sg-efa", "tags": TAGS}
AWS_STORAGE = {"cloud": "aws", "region": "us-west-2", "zone": "us-west-2a", "workload": "train", "tags": TAGS,
               "file_system_subnet_id": "subnet", "file_system_security_group_id": "sg-lustre"}
AZURE_STORAGE = {"cloud": "azure", "region": "eastus", "zone": "1", "workload": "serve", "tags": TAGS,
                 "resource_group_name": "rg", "private_endpoint_subnet_id": "subnet", "file_system_subnet_id": "lustre"}


def rendered(result):
    plan, problems = result
    assert plan is None
    return [p.render() for p in problems]


def node_group(**spec):
    plan, problems = plan_node_group({"workload": "train", **spec}, spec.pop("cloud", "aws"),
                                     spec.pop("region", "us-west-2"), "ng")
    assert problems == []
    return plan


# --- node groups ------------------------------------------------------------------------------------


def test_p5_gets_whole_nodes_every_efa_interface_and_a_placement_group():
    plan = node_group(gpu="H100", gpu_count=250, enable_fabric=True)
    assert (plan.instance.name, plan.nodes, plan.gpus, plan.min_nodes, plan.max_nodes) == ("p5.48xlarge", 32, 256, 32, 32)
    assert (plan.fabric, plan.instance.max_efa_interfaces, plan.use_placement_group, plan.zone) == (
        "EFA", 32, True, "us-west-2a")


def test_a_capacity_block_dictates_zone_and_placement():
    plan = node_group(instance_type="p5.48xlarge", gpu_count=16, capacity_type="reserved", enable_fabric=True,
                      reservation={"kind": "capacity-block", "id": "cr-1", "zone": "us-west-2c"})
    assert (plan.zone, plan.fabric, plan.use_placement_group) == ("us-west-2c", "EFA", False)


def test_picked_type_fits_the_request_and_fabric_is_attached_only_when_asked():
    small = node_group(gpu="H100", gpu_count=3)
    assert (small.instance.name, small.nodes, small.fabric) == ("p5.4xlarge", 3, "none")
    assert node_group(gpu="H100", gpu_count=12).instance.name == "p5.48xlarge"
    spot = node_group(gpu="T4", gpu_count=2, capacity_type="spot", scale_to_zero=True)
    assert (spot.instance.name, spot.nodes, spot.min_nodes, spot.fabric, spot.use_placement_group) == (
        "g4dn.xlarge", 2, 0, "none", False)


def test_nd_h100_v5_on_azure_uses_infiniband_in_zone_1():
    plan = node_group(cloud="azure", region="eastus", gpu="H100", gpu_count=32, enable_fabric=True)
    assert (plan.instance.name, plan.nodes, plan.fabric, plan.zone, plan.use_placement_group) == (
        "Standard_ND96isr_H100_v5", 4, "InfiniBand", "1", True)


def test_every_node_group_problem_at_once():
    assert rendered(plan_gpu_node_group({
        "cloud": "aws", "region": "eu-north-1", "workload": "train", "instance_type": "p6-b200.48xlarge",
        "gpu_count": 16, "capacity_type": "spto", "enable_fabric": True, "spot_max_price_usd_per_hour": 30.0, **AWS_REFS,
    }, "ng")) == [
        "ng.capacity_type: unknown capacity type (got 'spto'); did you mean 'spot'?; allowed: on-demand, spot, reserved",
        "ng.region: p6-b200.48xlarge is not offered in this region (got 'eu-north-1'); allowed: us-east-1, us-east-2, "
        "us-west-2",
        "ng.spot_max_price_usd_per_hour: only used with capacity_type 'spot' (got 30.0)",
        "ng.enable_fabric: cannot attach EFA to p6-b200.48xlarge: the catalog has no max_efa_interfaces for these "
        "sizes (e.g. p5.4xlarge, p6-b200.48xlarge); attaching fewer interfaces than the hardware has silently cuts "
        "bandwidth, so preflight refuses the fabric rather than guess the count (got True); allowed: false",
        "ng.spot_max_price_usd_per_hour: EKS managed node groups take no Spot price cap (their launch template may "
        "not set Spot market options); AWS caps Spot at the On-Demand price (got 30.0)",
    ]


def test_reservation_zone_fabric_and_tags_are_checked():
    assert rendered(plan_gpu_node_group({
        "cloud": "aws", "region": "us-west-2", "workload": "eval", "instance_type": "g6e.2xlarge", "gpu_count": 1,
        "enable_fabric": True, "zone": "us-west-2a", "capacity_type": "reserved",
        "reservation": {"kind": "capacity-reservation-group", "id": "cr-1", "zone": "us-west-2c"},
        **AWS_REFS, "tags": {"team": "ml", "environment": "d$v"},
    }, "ng")) == [
        "ng.tags.cost-center: required tag is missing or empty",
        "ng.tags.environment: tag value must be text AWS and Azure accept: letters, digits, spaces and _ . : / = + "
        "- @, at most 256 characters (got 'd$v')",
        "ng.reservation.kind: unknown aws reservation kind (got 'capacity-reservation-group'); did you mean "
        "'capacity-reservation'?; allowed: capacity-reservation, capacity-block",
        "ng.enable_fabric: g6e.2xlarge has no high-bandwidth fabric (interconnect: none) (got True)",
    ]
    assert rendered(plan_gpu_node_group({
        "cloud": "aws", "region": "us-west-2", "workload": "tune", "instance_type": "p5.48xlarge", "gpu_count": 16,
        "zone": "us-west-2a", "capacity_type": "reserved",
        "reservation": {"kind": "capacity-block", "id": "cr-1", "zone": "us-west-2c"}, **AWS_REFS,
    }, "ng")) == [
        "ng.zone: reservation cr-1 is in zone 'us-west-2c': the node group and its placement group must be there "
        "(got 'us-west-2a'); allowed: us-west-2c",
    ]


def test_sku_region_pairs_and_clouds_without_a_module_are_refused():
    assert rendered(plan_gpu_node_group({
        "cloud": "azure", "region": "westus2", "workload": "serve", "gpu": "H100", "gpu_count": 8, "enable_fabric": True,
        "zone": "4", "cluster_name": "c", "node_subnet_id": "s", "tags": TAGS}, "ng")) == [
        "ng.zone: not an Azure availability zone (got '4'); allowed: 1, 2, 3",
        "ng.region: no azure instance type with H100 GPUs with a high-bandwidth fabric is offered in this region "
        "(got 'westus2'); allowed: eastus, eastus2, westus",
    ]

    class Lab(CloudAdapter):
        name = "lab"  # known to gpufleet (read, priced) but with no declare module

    with clouds.registered(Lab()):
        assert rendered(plan_gpu_node_group({
            "cloud": "lab", "region": "r", "workload": "w", "gpu": "H100", "gpu_count": 8, "cluster_name": "c",
            "node_subnet_id": "s", "tags": TAGS}, "ng")) == [
            "ng.cloud: cloud 'lab' is not supported by the components yet (it is in the catalog, but no cloud module "
            "declares its resources) (got 'lab'); allowed: aws, azure, gcp, oci, coreweave, owned",
        ]


def test_cloud_specific_inputs_are_required():
    assert rendered(plan_gpu_node_group({
        "cloud": "azure", "region": "eastus", "workload": "serve", "gpu": "H100", "gpu_count": 8, "enable_fabric": True,
        "cluster_name": "c", "node_subnet_id": "s", "tags": TAGS}, "ng")) == [
        "ng.resource_group_name: required on azure",
        "ng.proximity_placement_group_id: required on azure",
    ]


# --- storage ----------------------------------------------------------------------------------------


def test_hot_tier_sized_from_gpus_on_a_valid_fsx_step():
    plan, problems = plan_storage_tiers({**AWS_STORAGE, "gpu_count": 256}, "st")
    assert problems == []
    # 256 GPUs x 250 MB/s = 64,000 MB/s; at 1000 MB/s/TiB that is 62.5 TiB -> next 2.4 TiB step
    assert (plan.required_mb_s, plan.throughput_mb_s_per_tib, plan.hot_capacity_gib, plan.hot_capacity_tib) == (
        64000.0, 1000, 67200, 65.625)
    assert (plan.cool_after_days, plan.cold_after_days, plan.archive_after_days) == (None, 30, 180)


def test_given_size_takes_the_lowest_tier_that_feeds_the_gpus():
    plan, _ = plan_storage_tiers({**AZURE_STORAGE, "gpu_count": 32, "hot_capacity_tib": 16}, "st")
    assert (plan.throughput_mb_s_per_tib, plan.hot_capacity_tib) == (500, 16.0)  # 16 TiB x 250 < 8,000 MB/s
    plan, _ = plan_storage_tiers({**AZURE_STORAGE, "gpu_count": 8, "hot_capacity_tib": 48}, "st")
    assert (plan.throughput_mb_s_per_tib, plan.hot_capacity_tib) == (125, 48.0)  # 48 x 40 < 2,000 <= 48 x 125


def test_invalid_sizes_are_refused_with_the_valid_steps_around_them():
    assert rendered(plan_storage_tiers({**AWS_STORAGE, "gpu_count": 8, "hot_capacity_tib": 100}, "st")) == [
        "st.hot_capacity_tib: not a capacity step of Amazon FSx for Lustre, PERSISTENT_2 deployment, SSD storage "
        "(got 100.0); allowed: 125, 250, 500, 1000 MB/s/TiB: 98.4375 or 100.78125 TiB",
    ]
    assert rendered(plan_storage_tiers({**AZURE_STORAGE, "gpu_count": 8, "hot_capacity_tib": 10}, "st")) == [
        "st.hot_capacity_tib: not a capacity step of Azure Managed Lustre (AMLFS-Durable-Premium SKUs) (got 10.0); "
        "allowed: 40 MB/s/TiB: 48 TiB, 125 MB/s/TiB: 16 TiB, 250 MB/s/TiB: 8 or 16 TiB, 500 MB/s/TiB: 8 or 12 TiB",
    ]
    assert rendered(plan_storage_tiers({**AWS_STORAGE, "gpu_count": 256, "hot_capacity_tib": 4.6875}, "st")) == [
        "st.hot_capacity_tib: 4.6875 TiB at 1000 MB/s/TiB gives 4,688 MB/s; the GPUs need 64,000 MB/s (got 4.6875); "
        "allowed: at least 65.625 TiB at 1000 MB/s/TiB",
    ]


def test_tiers_and_lifecycle_days_are_checked():
    assert rendered(plan_storage_tiers({**AWS_STORAGE, "gpu_count": 8, "throughput_mb_s_per_tib": 300,
                                        "cool_after_days": 10, "cold_after_days": 5, "archive_after_days": 5}, "st")) == [
        "st.throughput_mb_s_per_tib: not a throughput tier of Amazon FSx for Lustre, PERSISTENT_2 deployment, SSD "
        "storage (MB/s per TiB) (got 300); allowed: 125, 250, 500, 1000",
        "st.cool_after_days: must be less than cold_after_days (5) (got 10)",
        "st.archive_after_days: must be greater than cold_after_days (5) (got 5)",
    ]
    assert rendered(plan_storage_tiers({**AWS_STORAGE, "gpu_count": 8, "cool_after_days": 7}, "st")) == [
        "st.cool_after_days: S3 Lifecycle moves objects to Standard-IA no earlier than 30 days after creation "
        "(got 7); allowed: 30 or more",
    ]
    assert rendered(plan_storage_tiers({**AZURE_STORAGE, "gpu_count": 0}, "st")) == [
        "st.hot_capacity_tib: the hot tier needs a size, or GPUs and a throughput per GPU to size it from",
    ]


def test_capacity_steps():
    fsx = CapacitySteps(first_gib=(1200, 2400), step_gib=2400)
    assert [fsx.round_up(g) for g in (1, 1200, 1201, 2401, 7000)] == [1200, 1200, 2400, 4800, 7200]
    assert [fsx.is_valid(g) for g in (1200, 2400, 3600, 4800)] == [True, True, False, True]
    assert (fsx.neighbours(1000), fsx.neighbours(3000)) == ((1200,), (2400, 4800))
    assert sorted(adapter("azure").file_system.tiers) == [40, 125, 250, 500]
    assert [adapter("azure").file_system.tiers[t].step_gib // 1024 for t in (40, 125, 250, 500)] == [48, 16, 8, 4]
    assert adapter("aws").file_system.throughput_tiers == (125, 250, 500, 1000)


# --- network and cluster ----------------------------------------------------------------------------


def test_network_fabric_and_bandwidth_come_from_the_catalog():
    plan, problems = plan_network({"cloud": "azure", "region": "eastus", "zones": ["1"], "resource_group_name": "rg",
                                   "instance_types": ["Standard_ND96isr_H100_v5", "Standard_NC4as_T4_v3"],
                                   "tags": TAGS}, "net")
    assert problems == [] and (plan.fabric, plan.bandwidth_gbps_per_node) == ("InfiniBand", 3200.0)
    plan, _ = plan_network({"cloud": "aws", "region": "us-west-2", "zones": ["us-west-2a"],
                            "instance_types": ["g6.xlarge"], "tags": TAGS}, "net")
    assert (plan.fabric, plan.bandwidth_gbps_per_node) == ("none", 2.5)


def test_every_network_problem_at_once():
    assert rendered(plan_network({"cloud": "aws", "region": "us-west-2", "zones": ["us-west-2a", "eu-north-1a"],
                                  "instance_types": ["p5.48xlarge", "Standard_ND96isr_H100_v5"], "tags": TAGS,
                                  "cidr": "10.0.0.1/16"}, "net"))[:2] == [
        "net.zones[1]: not an availability zone of us-west-2: a zone is the region name and one letter, e.g. "
        "'us-west-2a' (got 'eu-north-1a')",
        "net.instance_types[1]: unknown aws GPU instance type (got 'Standard_ND96isr_H100_v5'); allowed: "
        "g4dn.12xlarge, g4dn.16xlarge, g4dn.2xlarge, g4dn.4xlarge, g4dn.8xlarge, g4dn.metal, g4dn.xlarge, "
        "g5.12xlarge, g5.16xlarge, g5.24xlarge, g5.2xlarge, g5.48xlarge, … (47 in all)",
    ]
    assert rendered(plan_network({"cloud": "azure", "region": "eastus", "zones": [], "instance_types": [],
                                  "tags": TAGS, "cidr": "10.0.0.0/24"}, "net")) == [
        "net.zones: at least one placement zone is needed (got [])",
        "net.cidr: prefix must be /8 to /18 to leave room for the node and file-system subnets (got '10.0.0.0/24')",
    ]


def test_a_cluster_reports_every_problem_of_every_part():
    assert rendered(plan_cluster({
        "cloud": "azure", "region": "eastus", "tags": TAGS,
        "node_groups": [{"workload": "serve", "instance_type": "Standard_ND96isr_H100_v5", "gpu_count": 32},
                        {"workload": "serve", "gpu": "T4", "gpu_count": 1},
                        {"workload": "batch", "gpu": "H100", "gpu_count": 0}],
        "storage": [{"workload": "serve", "hot_capacity_tib": 30}, {"workload": "trian"}],
    }, "prod-eastus")) == [
        "prod-eastus.node_groups[serve].workload: duplicate workload name in this cluster (got 'serve')",
        "prod-eastus.node_groups[batch].gpu_count: must be a whole number of at least 1 (got 0)",
        "prod-eastus.storage[serve].hot_capacity_tib: not a capacity step of Azure Managed Lustre "
        "(AMLFS-Durable-Premium SKUs) (got 30.0); allowed: 40 MB/s/TiB: 48 TiB, 125 MB/s/TiB: 16 or 32 TiB, "
        "250 MB/s/TiB: 24 or 32 TiB, 500 MB/s/TiB: 28 or 32 TiB",
        "prod-eastus.storage[trian].workload: unknown workload of this cluster's node groups (got 'trian'); "
        "allowed: batch, serve",
        "prod-eastus.resource_group_name: required on azure",
    ]


@pytest.mark.parametrize("cloud", component_clouds())
def test_each_cloud_states_what_it_does_not_support_and_why(cloud):
    unsupported = cloud_adapter(cloud).unsupported
    assert unsupported and all(len(reason) > 40 for reason in unsupported.values())
