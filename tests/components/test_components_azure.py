"""Azure components under the recording engine. Azure-native registrations are slow (type aliases):
one cluster run is shared by the tests of this module, and the other runs are single resources."""

import pulumi
import pulumi_azure_native as azure_native
import pytest
from components_testing import TAGS, missing_owner_tags

from gpufleet.components import GpuCluster, GpuNodeGroup

SERVE = {"workload": "serve", "instance_type": "Standard_ND96isr_H100_v5", "gpu_count": 32, "enable_fabric": True,
         "utilization_percent": 60, "hours_per_month": 730}


@pytest.fixture(scope="module")
def cluster(recorder):
    return recorder(lambda: GpuCluster("prod-eastus", {
        "cloud": "azure", "region": "eastus", "tags": TAGS, "resource_group_name": "rg",
        "node_groups": [SERVE], "storage": [{"workload": "serve", "hot_capacity_tib": 16, "cool_after_days": 10}]}))


def test_cluster_children_per_component(cluster):
    children = {r.name: cluster.children(r) for r in cluster.resources if r.type.startswith("gpufleet:")}
    assert children == {
        "prod-eastus": sorted([
            ("azure-native:authorization:RoleAssignment", "prod-eastus-aks-network-contributor"),
            ("azure-native:containerservice:ManagedCluster", "prod-eastus-aks"),
            ("gpufleet:index:GpuNodeGroup", "prod-eastus-serve"),
            ("gpufleet:index:HighBandwidthNetwork", "prod-eastus-network"),
            ("gpufleet:index:StorageTiers", "prod-eastus-serve-storage"),
        ]),
        "prod-eastus-network": sorted([
            ("azure-native:compute:ProximityPlacementGroup", "prod-eastus-network-ppg-1"),
            ("azure-native:network:NetworkSecurityGroup", "prod-eastus-network-nsg"),
            ("azure-native:network:Subnet", "prod-eastus-network-lustre"),
            ("azure-native:network:Subnet", "prod-eastus-network-nodes"),
            ("azure-native:network:VirtualNetwork", "prod-eastus-network-vnet"),
        ]),
        "prod-eastus-serve": [("azure-native:containerservice:AgentPool", "prod-eastus-serve-agent-pool")],
        "prod-eastus-serve-storage": sorted([
            ("azure-native:network:PrivateEndpoint", "prod-eastus-serve-storage-objects-endpoint"),
            ("azure-native:storage:BlobContainer", "prod-eastus-serve-storage-objects-data"),
            ("azure-native:storage:BlobServiceProperties", "prod-eastus-serve-storage-objects-blob-service"),
            ("azure-native:storage:ManagementPolicy", "prod-eastus-serve-storage-objects-lifecycle"),
            ("azure-native:storage:StorageAccount", "prod-eastus-serve-storage-objects"),
            ("azure-native:storagecache:AmlFilesystem", "prod-eastus-serve-storage-lustre"),
        ]),
    }


def test_private_aks_without_local_accounts(cluster):
    aks = cluster.one("azure-native:containerservice:ManagedCluster").inputs
    assert aks["apiServerAccessProfile"] == {"enablePrivateCluster": True, "enablePrivateClusterPublicFQDN": False}
    assert (aks["disableLocalAccounts"], aks["aadProfile"], aks["resourceName"], aks["location"]) == (
        True, {"managed": True, "enableAzureRBAC": True}, "prod-eastus", "eastus")
    assert [(p["name"], p["mode"], p["vnetSubnetID"]) for p in aks["agentPoolProfiles"]] == [
        ("system", "System", "prod-eastus-network-nodes-id")]
    role = cluster.one("azure-native:authorization:RoleAssignment").inputs
    assert role["roleDefinitionId"].endswith("/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7")
    assert role["scope"] == "prod-eastus-network-nodes-id"


def test_nd_h100_v5_pool_in_a_proximity_placement_group(cluster):
    pool = cluster.one("azure-native:containerservice:AgentPool").inputs
    assert {k: pool[k] for k in ("vmSize", "count", "minCount", "maxCount", "enableAutoScaling", "availabilityZones",
                                 "proximityPlacementGroupID", "nodeTaints", "agentPoolName", "resourceName", "mode")} == {
        "vmSize": "Standard_ND96isr_H100_v5", "count": 4, "minCount": 4, "maxCount": 4, "enableAutoScaling": True,
        "availabilityZones": ["1"], "proximityPlacementGroupID": "prod-eastus-network-ppg-1-id",
        "nodeTaints": ["nvidia.com/gpu=true:NoSchedule"], "agentPoolName": "serve", "resourceName": "prod-eastus",
        "mode": "User"}
    assert pool["tags"] == {**TAGS, "gpufleet-workload": "serve", "gpufleet-utilization-percent": "60",
                            "gpufleet-hours-per-month": "730"}
    ppg = cluster.one("azure-native:compute:ProximityPlacementGroup").inputs
    assert (ppg["zones"], ppg["intent"]) == (["1"], {"vmSizes": ["Standard_ND96isr_H100_v5"]})


def test_managed_lustre_and_a_private_tiered_storage_account(cluster):
    lustre = cluster.one("azure-native:storagecache:AmlFilesystem")
    assert (lustre.inputs["sku"], lustre.inputs["storageCapacityTiB"], lustre.inputs["zones"],
            lustre.inputs["filesystemSubnet"]) == ({"name": "AMLFS-Durable-Premium-500"}, 16, ["1"],
                                                   "prod-eastus-network-lustre-id")
    account = cluster.one("azure-native:storage:StorageAccount")
    assert {k: account.inputs[k] for k in ("allowBlobPublicAccess", "allowSharedKeyAccess", "publicNetworkAccess",
                                           "minimumTlsVersion", "enableHttpsTrafficOnly", "networkRuleSet")} == {
        "allowBlobPublicAccess": False, "allowSharedKeyAccess": False, "publicNetworkAccess": "Disabled",
        "minimumTlsVersion": "TLS1_2", "enableHttpsTrafficOnly": True,
        "networkRuleSet": {"defaultAction": "Deny", "bypass": "None"}}
    assert account.inputs["encryption"]["requireInfrastructureEncryption"] is True
    policy = cluster.one("azure-native:storage:ManagementPolicy").inputs["policy"]["rules"][0]["definition"]
    assert policy["actions"]["baseBlob"] == {"tierToCool": {"daysAfterModificationGreaterThan": 10},
                                             "tierToCold": {"daysAfterModificationGreaterThan": 30},
                                             "tierToArchive": {"daysAfterModificationGreaterThan": 180}}
    data = {(r.name, r.protect, r.retain_on_delete) for r in cluster.resources if r.protect or r.retain_on_delete}
    assert data == {(account.name, True, True), (lustre.name, True, True)}


def test_every_taggable_azure_resource_carries_the_owner_tags(cluster):
    assert missing_owner_tags(cluster.resources) == []


def test_spot_pool_with_eviction_and_price_cap_and_a_reservation_without_forced_placement(recorder):
    def program():
        provider = azure_native.Provider("azure-eastus", location="eastus")
        refs = {"cloud": "azure", "region": "eastus", "cluster_name": "prod-eastus", "node_subnet_id": "subnet",
                "resource_group_name": "rg", "proximity_placement_group_id": "ppg", "tags": TAGS}
        opts = pulumi.ResourceOptions(providers=[provider])
        GpuNodeGroup("batch", {**refs, "workload": "batch", "gpu": "A100", "gpu_count": 8, "capacity_type": "spot",
                               "scale_to_zero": True}, opts)
        GpuNodeGroup("reserved", {**refs, **SERVE, "workload": "reserved", "capacity_type": "reserved",
                                  "reservation": {"kind": "capacity-reservation-group", "id": "/crg/1", "zone": "2"}},
                     opts)

    run = recorder(program)
    spot, reserved = run.named("batch-agent-pool").inputs, run.named("reserved-agent-pool").inputs
    assert {k: spot.get(k) for k in ("vmSize", "count", "minCount", "maxCount", "scaleSetPriority",
                                     "scaleSetEvictionPolicy", "spotMaxPrice", "proximityPlacementGroupID")} == {
        "vmSize": "Standard_ND96amsr_A100_v4", "count": 1, "minCount": 0, "maxCount": 1, "scaleSetPriority": "Spot",
        "scaleSetEvictionPolicy": "Delete", "spotMaxPrice": -1, "proximityPlacementGroupID": None}
    assert {k: reserved.get(k) for k in ("capacityReservationGroupID", "availabilityZones",
                                         "proximityPlacementGroupID")} == {
        "capacityReservationGroupID": "/crg/1", "availabilityZones": ["2"], "proximityPlacementGroupID": None}
    provider = run.one("pulumi:providers:azure-native")
    assert all(r.provider.startswith(provider.urn) for r in run.of_type("azure-native:containerservice:AgentPool"))
