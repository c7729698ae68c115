"""What resources are billed for besides capacity — control planes, endpoints, gateways, addresses, file
systems, object stores — read by each cloud's readers and priced from the catalog's sourced rows, with
energy and carbon where CCF's coefficients cover them. Every figure is recomputed here by hand from the
catalog rows it names; what the catalog cannot price stays unknown, never 0."""

import pytest

from gpufleet.estimate import ResourceView, estimate_plan

URN = "urn:pulumi:dev::p::"
GIB = 1.073741824  # GB per GiB
TIB_GB = 1024 * GIB
TIB_TB = 1.099511627776
HOURS = 730


def view(type_, name, inputs, provider=None):
    return ResourceView(f"{URN}{type_}::{name}", type_, inputs, provider or {})


def one(v, *others):
    return estimate_plan([v, *others]).resources[v.urn]


def test_interface_endpoint_is_priced_per_az_hour_and_its_data_is_usage_based():
    # service_prices.csv: vpc-interface-endpoint endpoint-AZ us-east-1 0.01 USD/endpoint-AZ-hour (Infracost golden)
    e = one(view("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr", {
        "vpcEndpointType": "Interface", "subnetIds": ["subnet-a", "subnet-b"]}, {"region": "us-east-1"}))
    assert (e.cloud, e.region, e.monthly_usd, e.price_kind, e.monthly_kwh) == (
        "aws", "us-east-1", pytest.approx(2 * 0.01 * HOURS), "list", None)
    assert e.derivation["monthly_usd"].startswith(
        "2 endpoint × AZ (one network interface per subnet in subnetIds) × 0.01 USD/endpoint-AZ-hour × 730 h")
    # the data processed is billed by use: shown with its unit price, never in the month's figure
    assert e.usage_based == (
        "data processed: usage-based, 0.01 USD/GB-processed × a volume not known at preview (AWS PrivateLink "
        "pricing page (aws.amazon.com/privatelink/pricing; copy held by the search index): interface endpoints, "
        "'First 1 PB $0.01' per GB of data processed in a Region, undated page copy (held by the search index in "
        "2026); usage-driven: the volume processed is not known at preview)",)
    gateway = view("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"}, {"region": "us-east-1"})
    assert gateway.urn not in estimate_plan([gateway]).resources  # gateway endpoints are free


def test_interface_endpoint_where_no_price_is_sourced_stays_unpriced_with_the_reason():
    e = one(view("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr", {
        "vpcEndpointType": "Interface", "subnetIds": ["subnet-a"]}, {"region": "eu-north-1"}))
    assert e.monthly_usd is None
    assert e.derivation["monthly_usd"] == \
        "unknown: no sourced price for vpc-interface-endpoint endpoint-AZ in aws eu-north-1 in the catalog"


def test_control_planes_of_eks_aks_and_gke_are_priced_per_cluster_hour():
    eks = one(view("aws:eks/cluster:Cluster", "eks", {"name": "prod"}, {"region": "eu-north-1"}))
    aks = one(view("azure-native:containerservice:ManagedCluster", "aks", {
        "location": "eastus", "sku": {"name": "Base", "tier": "Standard"}}))
    gke = one(view("gcp:container/cluster:Cluster", "gke", {"location": "europe-west4", "removeDefaultNodePool": True}))
    # EKS standard support, AKS Standard tier and GKE's management fee: 0.10 USD per cluster-hour, every region
    assert [(x.region, x.monthly_usd, x.price_kind) for x in (eks, aks, gke)] == [
        ("eu-north-1", pytest.approx(73.0), "list"), ("eastus", pytest.approx(73.0), "list"),
        ("europe-west4", pytest.approx(73.0), "list")]
    assert aks.derivation["monthly_usd"].startswith("1 cluster (Standard tier) × 0.1 USD/cluster-hour × 730 h")
    # the control plane's servers are the cloud's: no coefficient, said so (and listed as unknown energy)
    assert eks.derivation["monthly_kwh"] == \
        "unknown: no energy model for eks-control-plane (run by the cloud: CCF has no coefficient for it)"
    premium = one(view("azure-native:containerservice:ManagedCluster", "aks", {
        "location": "eastus", "sku": {"name": "Base", "tier": "Premium"}}))
    assert premium.derivation["monthly_usd"] == \
        "unknown: no sourced price for aks-control-plane Premium in azure eastus in the catalog"


def test_aks_system_pool_declared_inline_is_a_cpu_node_group_priced_with_ccf_energy():
    cluster = view("azure-native:containerservice:ManagedCluster", "aks", {
        "location": "eastus", "sku": {"tier": "Free"},
        "agentPoolProfiles": [{"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "count": 2}]})
    plan = estimate_plan([cluster])
    system = plan.resources[f"{cluster.urn}.agentPoolProfiles[system]"]
    # instance_prices.csv: Standard_D4ds_v5 eastus on-demand 0.226 (S6); host_types.csv: 4 vCPUs, 16 GiB
    assert (system.instance_type, system.nodes, system.gpus, system.price_kind) == (
        "Standard_D4ds_v5", 2, 0, "on-demand")
    assert system.monthly_usd == pytest.approx(2 * 0.226 * HOURS)
    # CCF: Azure 0.74–3.54 W/vCPU at its 50 % average CPU utilisation, memory 0.392 W/GB; PUE eastus 1.14
    node_w = 4 * (0.74 + 0.5 * (3.54 - 0.74)) + 16 * GIB * 0.392
    kwh = 2 * node_w * HOURS / 1000 * 1.14
    assert system.monthly_kwh == pytest.approx(kwh)
    assert system.monthly_kgco2e == pytest.approx(kwh * 396.25 / 1000)
    # Free tier: sourced, 0 USD; the pool's OS disks (128 GB each for 4 vCPUs, AKS's default) have no sourced price
    assert (plan.resources[cluster.urn].monthly_usd, plan.unpriced) == (0.0, [f"{system.urn}.osDisk"])


def test_s3_bucket_is_priced_on_the_capacity_its_component_declares_with_energy_by_hand():
    bucket = view("aws:s3/bucket:Bucket", "objects", {"tags": {"gpufleet-object-tib": "10"}}, {"region": "us-east-1"})
    e = one(bucket)
    # s3 STANDARD us-east-1 0.023 USD/GB-month (Infracost golden); CCF: S3 HDD 0.65 Wh/TB·h × 3 replicas
    assert e.monthly_usd == pytest.approx(10 * TIB_GB * 0.023)
    kwh = 10 * TIB_TB * 3 * 0.65 * HOURS / 1000 * 1.15  # PUE us-east-1 1.15
    assert e.monthly_kwh == pytest.approx(kwh)
    assert e.monthly_kgco2e == pytest.approx(kwh * 396.25 / 1000)
    assert e.derivation["monthly_usd"].startswith(
        "10 TiB declared (tag gpufleet-object-tib) at S3 Standard, an upper bound: lifecycle rules move objects to "
        "colder, cheaper classes: 10 TiB = 10,995.1 GB × 0.023 USD/GB-month × 730 h / 730 h (list price, ")
    assert [u.split(":")[0] for u in e.usage_based] == ["requests and data retrieval"]


def test_s3_bucket_without_declared_capacity_is_usage_based_never_zero():
    e = one(view("aws:s3/bucket:Bucket", "logs", {}, {"region": "us-east-1"}))
    assert (e.monthly_usd, e.monthly_kwh) == (None, None)
    assert e.derivation["monthly_usd"].startswith(
        "unknown: usage-based only — storage (no gpufleet-object-tib tag: the bytes stored are not declared): "
        "usage-based, 0.023 USD/GB-month × a volume not known at preview")
    assert len(e.usage_based) == 2


def test_fsx_for_lustre_carries_energy_and_carbon_by_deployment_type_even_where_its_price_is_not_sourced():
    fsx = view("aws:fsx/lustreFileSystem:LustreFileSystem", "hot", {
        "deploymentType": "PERSISTENT_2", "storageType": "SSD", "perUnitStorageThroughput": 1000,
        "storageCapacity": 33600}, {"region": "eu-north-1"})
    e = one(fsx)
    assert e.monthly_usd is None
    assert e.derivation["monthly_usd"] == \
        "unknown: no sourced price for fsx-lustre PERSISTENT_2-1000 in aws eu-north-1 in the catalog"
    # CCF: SSD 1.2 Wh/TB·h, FSx replication 1 (CCF's default), PUE eu-north-1 1.10, grid 24.71 g/kWh
    kwh = 33600 / 1024 * TIB_TB * 1 * 1.2 * HOURS / 1000 * 1.10
    assert e.monthly_kwh == pytest.approx(kwh)
    assert e.monthly_kgco2e == pytest.approx(kwh * 24.71 / 1000)


def test_nat_gateway_public_ip_and_private_endpoint():
    nat = one(view("aws:ec2/natGateway:NatGateway", "nat", {"subnetId": "s"}, {"region": "us-east-1"}))
    assert nat.monthly_usd == pytest.approx(0.045 * HOURS)
    assert nat.usage_based[0].startswith("data processed: usage-based, 0.045 USD/GB-processed")
    eip = one(view("aws:ec2/eip:Eip", "ip", {"domain": "vpc"}, {"region": "ap-south-1"}))
    assert eip.monthly_usd == pytest.approx(0.005 * HOURS)  # one price in every region (AWS, 2023)
    pe = one(view("azure-native:network:PrivateEndpoint", "pe", {"location": "westus"}))
    assert pe.monthly_usd == pytest.approx(0.01 * HOURS)
    # Microsoft lists the private endpoint meter under the location 'Global': one row for every region
    elsewhere = one(view("azure-native:network:PrivateEndpoint", "pe", {"location": "eastus"}))
    assert elsewhere.monthly_usd == pytest.approx(0.01 * HOURS)
    assert elsewhere.derivation["monthly_usd"].startswith("1 private endpoint × 0.01 USD/endpoint-hour × 730 h")


def test_usage_based_charges_are_listed_in_the_plan_json_beside_the_totals():
    plan = estimate_plan([view("aws:ec2/natGateway:NatGateway", "nat", {}, {"region": "us-east-1"})]).to_json()
    [(urn, lines)] = plan["usage_based"].items()
    assert urn.endswith("::nat") and lines[0].startswith("data processed: usage-based, 0.045 USD/GB-processed")
    assert plan["totals"]["monthly_usd"] == 32.85  # the gateway-hours only


def test_gcs_bucket_is_priced_per_gib_month_of_its_class_in_its_region():
    bucket = view("gcp:storage/bucket:Bucket", "objects", {
        "location": "EUROPE-WEST4", "storageClass": "STANDARD", "labels": {"gpufleet-object-tib": "5"}})
    e = one(bucket)
    # service_prices.csv: gcs STANDARD europe-west4 0.02 USD/GiB-month (Cyclenerd pricing.yml, 2025-03-06)
    assert (e.region, e.monthly_usd) == ("europe-west4", pytest.approx(5 * 1024 * 0.02))
    assert e.derivation["monthly_kwh"] == "unknown: no storage medium and replication for gcp gcs in the catalog"
    multi = one(view("gcp:storage/bucket:Bucket", "multi", {"location": "US", "labels": {"gpufleet-object-tib": "5"}}))
    assert multi.derivation["monthly_usd"] == "unknown: no sourced price for gcs STANDARD in gcp us in the catalog"


def test_a_gke_spot_pool_costs_less_than_the_same_on_demand_pool_at_the_catalog_spot_price():
    def pool(name, **node_config):
        return view("gcp:container/nodePool:NodePool", name, {
            "location": "us-central1-a", "nodeCount": 2, "nodeConfig": {"machineType": "a3-highgpu-8g", **node_config}})
    spot, on_demand = one(pool("spot", spot=True)), one(pool("od"))
    # instance_prices.csv: a3-highgpu-8g us-central1 spot 35.39575 USD/h (pricing.yml 2025-03-06);
    # offers.csv: on demand 88.49 USD/h (S7)
    assert (spot.price_kind, spot.monthly_usd) == ("spot", pytest.approx(2 * 35.39575 * HOURS))
    assert (on_demand.price_kind, on_demand.monthly_usd) == ("on-demand", pytest.approx(2 * 88.49 * HOURS))
    assert spot.monthly_usd < on_demand.monthly_usd
    assert spot.monthly_kwh == on_demand.monthly_kwh  # the same machines draw the same power


def test_an_eks_spot_node_group_of_p5_costs_less_than_on_demand_at_the_catalog_spot_price():
    def group(name, **extra):
        return view("aws:eks/nodeGroup:NodeGroup", name, {
            "instanceTypes": ["p5.48xlarge"], "scalingConfig": {"desiredSize": 2}, **extra}, {"region": "eu-north-1"})
    spot, on_demand = one(group("spot", capacityType="SPOT")), one(group("od"))
    # instance_prices.csv: p5.48xlarge eu-north-1 spot 28.3188 USD/h (S4 @00148f2a, the one zone of the region
    # with a Spot price); offers.csv: on demand 58.8928 USD/h (S4)
    assert (spot.price_kind, spot.monthly_usd) == ("spot", pytest.approx(2 * 28.3188 * HOURS))
    assert (on_demand.price_kind, on_demand.monthly_usd) == ("on-demand", pytest.approx(2 * 58.8928 * HOURS))
    assert spot.monthly_kwh == on_demand.monthly_kwh


def test_settings_and_link_resources_with_no_charge_of_their_own_are_free_not_unassessed():
    link = view("aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation", "link", {
        "fileSystemId": "fs-1", "fileSystemPath": "/data", "dataRepositoryPath": "s3://bucket/data/"},
        {"region": "eu-north-1"})
    blob_service = view("azure-native:storage:BlobServiceProperties", "blob-service", {
        "accountName": "acct", "resourceGroupName": "rg", "blobServicesName": "default", "isVersioningEnabled": True})
    plan = estimate_plan([link, blob_service])
    assert [(a.kind, a.reason) for a in plan.assessments.values()] == [("free", ""), ("free", "")]
    assert plan.to_json()["assessment"]["not_assessed"] == 0


def test_blob_storage_carries_ccf_energy_by_redundancy_and_its_eastus_hot_lrs_price():
    def account(name, tier, redundancy, location="eastus"):
        return one(view("azure-native:storage:StorageAccount", name, {
            "location": location, "kind": "StorageV2", "sku": {"name": redundancy}, "accessTier": tier,
            "tags": {"gpufleet-object-tib": "40"}}))
    lrs, grs = account("lrs", "Hot", "Standard_LRS"), account("grs", "Cool", "Standard_GRS")
    # service_prices.csv: blob Hot-Standard_LRS eastus 0.0208 USD/GB-month (Azure Retail Prices API, meterId
    # 272492b3-…, first tier to 51,200 GB: prod's 40 TiB = 43,980.5 GB is all in it), the prod line by hand
    assert lrs.monthly_usd == pytest.approx(40 * 1099.511627776 * 0.0208)
    assert round(lrs.monthly_usd, 2) == 914.79
    assert lrs.derivation["monthly_usd"].startswith(
        "40 TiB declared (tag gpufleet-object-tib) at the Hot-Standard_LRS rate, an upper bound: lifecycle management "
        "moves blobs to cooler, cheaper tiers: 40 TiB = 43,980.5 GB × 0.0208 USD/GB-month × 730 h / 730 h (list price, "
        "Azure Retail Prices API")
    assert "meterId 272492b3-1c92-4a5f-bee9-52a8e10ca514" in lrs.derivation["monthly_usd"]
    assert grs.derivation["monthly_usd"] == \
        "unknown: no sourced price for blob Cool-Standard_GRS in azure eastus in the catalog"
    # eastus's price is not another region's: westus stays unpriced
    assert account("west", "Hot", "Standard_LRS", "westus").derivation["monthly_usd"] == \
        "unknown: no sourced price for blob Hot-Standard_LRS in azure westus in the catalog"
    # CCF: Azure 'Data Stored' is SSD, 1.2 Wh/TB·h; LRS 3 replicas, GRS 6; PUE eastus 1.14, grid 396.25 g/kWh
    kwh = 40 * TIB_TB * 3 * 1.2 * HOURS / 1000 * 1.14
    assert (lrs.monthly_kwh, lrs.monthly_kgco2e) == (pytest.approx(kwh), pytest.approx(kwh * 396.25 / 1000))
    assert grs.monthly_kwh == pytest.approx(2 * kwh)
    premium = account("premium", "Hot", "Premium_LRS")
    assert premium.monthly_kwh == pytest.approx(kwh)
    unknown = account("files", "TransactionOptimized", "Standard_LRS")
    assert unknown.derivation["monthly_kwh"] == "unknown: no storage medium and replication for azure blob in the catalog"


def test_an_ebs_volume_is_priced_per_gib_month_by_type_and_per_provisioned_iops_month():
    # service_prices.csv us-east-1 (Infracost goldens): io2 0.125 USD/GiB-month + 0.065 USD/IOPS-month;
    # gp2 0.10; CCF: EBS SSD 1.2 Wh/TB·h × 2 replicas, PUE us-east-1 1.15
    io2 = one(view("aws:ebs/volume:Volume", "db", {"size": 100, "type": "io2", "iops": 1000}, {"region": "us-east-1"}))
    assert io2.monthly_usd == pytest.approx(100 * 0.125 + 1000 * 0.065)  # 77.50
    assert io2.derivation["monthly_usd"].startswith(
        "volume size 100 GiB: 0.0976562 TiB = 100 GiB × 0.125 USD/GiB-month")
    assert " + 1000 provisioned IOPS × 0.065 USD/IOPS-month (list price, " in io2.derivation["monthly_usd"]
    # the IOPS line has no energy model, so the volume's energy is not known as a whole (never partly 0)
    assert io2.monthly_kwh is None
    gp2 = one(view("aws:ebs/volume:Volume", "data", {"size": 50}, {"region": "us-east-1"}))  # type unset: gp2
    assert gp2.monthly_usd == pytest.approx(50 * 0.10)
    kwh = 50 / 1024 * TIB_TB * 2 * 1.2 * HOURS / 1000 * 1.15
    assert (gp2.monthly_kwh, gp2.monthly_kgco2e) == (pytest.approx(kwh), pytest.approx(kwh * 396.25 / 1000))
    magnetic = one(view("aws:ebs/volume:Volume", "old", {"size": 20, "type": "standard"}, {"region": "us-east-1"}))
    assert magnetic.monthly_usd == pytest.approx(20 * 0.05)
    assert magnetic.usage_based[0].startswith("I/O requests: usage-based, 0.05 USD/1M I/O requests")


def test_gp3_iops_and_throughput_above_the_included_baseline_stay_unknown_without_a_sourced_price():
    fast = one(view("aws:ebs/volume:Volume", "fast", {"size": 40, "type": "gp3", "iops": 4000, "throughput": 130},
                    {"region": "us-east-1"}))
    assert fast.monthly_usd is None
    assert fast.derivation["monthly_usd"] == (
        "unknown: no sourced price for ebs-iops gp3 in aws us-east-1 in the catalog; "
        "no sourced price for ebs-throughput gp3 in aws us-east-1 in the catalog")
    base = one(view("aws:ebs/volume:Volume", "base", {"size": 40, "type": "gp3", "iops": 3000, "throughput": 125},
                    {"region": "us-east-1"}))
    assert base.monthly_usd == pytest.approx(40 * 0.08)  # the baseline is in the storage price


def test_volumes_a_launch_template_gives_each_node_are_priced_as_ebs_volumes_one_per_node():
    lt = view("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"instanceType": "p5.48xlarge", "blockDeviceMappings": [
        {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 200, "volumeType": "gp3"}},
        {"deviceName": "/dev/xvdb", "ebs": {"volumeSize": 500}},  # no type: the AMI's
        {"deviceName": "/dev/sdc", "virtualName": "ephemeral0"}]}, {"region": "us-east-1"})
    ng = ResourceView(f"{URN}aws:eks/nodeGroup:NodeGroup::ng", "aws:eks/nodeGroup:NodeGroup", {
        "clusterName": "c", "scalingConfig": {"desiredSize": 3, "minSize": 3, "maxSize": 3},
        "launchTemplate": {"id": "lt-1", "version": "1"}}, {"region": "us-east-1"},
        dependencies={"launchTemplate": (lt.urn,)})
    plan = estimate_plan([lt, ng])
    root = plan.resources[f"{ng.urn}.launchTemplate.blockDeviceMappings[0]"]
    assert (root.type, root.monthly_usd) == ("aws:ebs/volume:Volume", pytest.approx(3 * 200 * 0.08))  # 48.00
    assert root.derivation["monthly_usd"].startswith("3 × 200 GiB: 0.585938 TiB = 600 GiB × 0.08 USD/GiB-month")
    data = plan.resources[f"{ng.urn}.launchTemplate.blockDeviceMappings[1]"]
    assert data.derivation["monthly_usd"] == \
        "unknown: ebs of unknown type: volume type (unset in the block device: the AMI's, 3 × 500 GiB) not known at preview"
    assert f"{ng.urn}.launchTemplate.blockDeviceMappings[2]" not in plan.resources  # an instance store: no EBS
    assert plan.resources[ng.urn].monthly_usd == pytest.approx(3 * 55.04 * HOURS)  # the nodes, unchanged
    assert data.urn in plan.unpriced and root.urn not in plan.unpriced


def test_an_instance_s_own_block_devices_are_priced_and_where_no_price_is_sourced_listed_unpriced_never_zero():
    inst = view("aws:ec2/instance:Instance", "i", {"instanceType": "p5.48xlarge",
                                                   "rootBlockDevice": {"volumeSize": 100, "volumeType": "gp3"},
                                                   "ebsBlockDevices": [{"deviceName": "/dev/sdf", "volumeSize": 10}]},
                {"region": "us-east-1"})
    plan = estimate_plan([inst])
    assert plan.resources[f"{inst.urn}.rootBlockDevice"].monthly_usd == pytest.approx(100 * 0.08)
    assert plan.resources[f"{inst.urn}.ebsBlockDevices[0]"].monthly_usd == pytest.approx(10 * 0.10)  # unset: gp2
    north = view("aws:ec2/instance:Instance", "n", {"instanceType": "p5.48xlarge",
                                                    "rootBlockDevice": {"volumeSize": 100, "volumeType": "io1",
                                                                        "iops": 3000}},
                 {"region": "eu-north-1"})
    plan = estimate_plan([north])
    disk = plan.resources[f"{north.urn}.rootBlockDevice"]
    assert (disk.monthly_usd, disk.derivation["monthly_usd"]) == (
        None, "unknown: no sourced price for ebs io1 in aws eu-north-1 in the catalog; "
              "no sourced price for ebs-iops io1 in aws eu-north-1 in the catalog")  # not us-east-1's
    assert plan.unpriced == [disk.urn]


def test_prod_s_pretrain_root_volumes_by_hand_from_the_eu_north_1_gp3_row():
    # prod: the pretrain node group's launch template gives each of its 16 p5.48xlarge nodes a 200 GiB gp3 root
    # volume; service_prices.csv: ebs gp3 eu-north-1 0.0836 USD/GiB-month (AWS Price List API, effective
    # 2026-10-01); CCF: SSD 1.2 Wh/TB·h × 2 replicas, PUE eu-north-1 1.10, grid 24.71 g/kWh
    lt = view("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"blockDeviceMappings": [
        {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 200, "volumeType": "gp3", "encrypted": "true"}}]},
        {"region": "eu-north-1"})
    ng = ResourceView(f"{URN}aws:eks/nodeGroup:NodeGroup::pretrain", "aws:eks/nodeGroup:NodeGroup", {
        "clusterName": "c", "instanceTypes": ["p5.48xlarge"], "capacityType": "CAPACITY_BLOCK",
        "scalingConfig": {"desiredSize": 16, "minSize": 16, "maxSize": 16}, "launchTemplate": {"id": "lt-1"}},
        {"region": "eu-north-1"}, dependencies={"launchTemplate": (lt.urn,)})
    disks = estimate_plan([lt, ng]).resources[f"{ng.urn}.launchTemplate.blockDeviceMappings[0]"]
    assert disks.monthly_usd == pytest.approx(16 * 200 * 0.0836)
    assert round(disks.monthly_usd, 2) == 267.52
    kwh = 16 * 200 / 1024 * TIB_TB * 2 * 1.2 * HOURS / 1000 * 1.10
    assert (disks.monthly_kwh, disks.monthly_kgco2e) == (pytest.approx(kwh), pytest.approx(kwh * 24.71 / 1000))
    assert "'EUN1-EBS:VolumeUsage.gp3'" in disks.derivation["monthly_usd"]


def _node_group(name, inputs, region="us-east-1"):
    return view("aws:eks/nodeGroup:NodeGroup", name, {
        "clusterName": "c", "instanceTypes": ["m7i.xlarge"], "scalingConfig": {"desiredSize": 3, "minSize": 3,
                                                                              "maxSize": 3}, **inputs}, {"region": region})


def test_an_eks_node_groups_own_disks_are_listed_with_their_size_and_unpriced_for_their_undocumented_type():
    # No launch template: EKS makes one whose root volume is diskSize GiB (default 20, Windows 50: EKS API
    # reference, CreateNodegroup diskSize); AWS does not document its volume type, so no gp2/gp3 row applies.
    sized, linux, windows = (_node_group("sized", {"diskSize": 100, "amiType": "AL2023_x86_64_STANDARD"}),
                             _node_group("linux", {}), _node_group("win", {"amiType": "WINDOWS_CORE_2022_x86_64"}))
    plan = estimate_plan([sized, linux, windows])
    why = ("unknown: ebs of unknown type: volume type (the launch template EKS creates for a node group without one: "
           "AWS does not document its volume type, 3 × {} GiB) not known at preview")
    assert [(u.rsplit("::", 1)[1], plan.resources[u].derivation["monthly_usd"]) for u in plan.unpriced] == [
        ("sized.diskSize", why.format(100)), ("linux.diskSize", why.format(20)), ("win.diskSize", why.format(50))]
    disk = plan.resources[f"{sized.urn}.diskSize"]
    assert (disk.type, disk.monthly_usd, disk.monthly_kwh) == ("aws:ebs/volume:Volume", None, None)  # never 0
    assert plan.resources[sized.urn].monthly_usd == pytest.approx(3 * 0.2016 * HOURS)  # the nodes, unchanged


def test_root_volumes_nothing_declares_are_the_amis_listed_unpriced_never_zero_or_left_out():
    inst = view("aws:ec2/instance:Instance", "i", {"instanceType": "p5.48xlarge",
                                                   "ebsBlockDevices": [{"deviceName": "/dev/sdf", "volumeSize": 10}]},
                {"region": "us-east-1"})
    lt = view("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"instanceType": "m7i.xlarge"}, {"region": "us-east-1"})
    ng = ResourceView(f"{URN}aws:eks/nodeGroup:NodeGroup::ng", "aws:eks/nodeGroup:NodeGroup", {
        "clusterName": "c", "scalingConfig": {"desiredSize": 2}, "launchTemplate": {"id": "lt-1", "version": "1"}},
        {"region": "us-east-1"}, dependencies={"launchTemplate": (lt.urn,)})
    plan = estimate_plan([inst, lt, ng])
    assert plan.resources[f"{inst.urn}.ebsBlockDevices[0]"].monthly_usd == pytest.approx(10 * 0.10)  # 1.00, gp2
    assert {u.rsplit("::", 1)[1]: plan.resources[u].derivation["monthly_usd"] for u in plan.unpriced} == {
        "i.rootBlockDevice": "unknown: ebs of unknown type: volume type (the instance declares no rootBlockDevice: "
                             "the root volume's size and type are the AMI's) not known at preview",
        "ng.launchTemplate.blockDeviceMappings": "unknown: ebs of unknown type: volume type (the launch template maps "
                                                 "no EBS volume: the root volume's size and type are the AMI's) not "
                                                 "known at preview"}
