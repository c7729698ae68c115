"""AWS components under the recording engine: exact children, key inputs, and the caller's options."""

import pulumi
import pulumi_aws as aws
import pytest
from components_testing import TAGS, missing_owner_tags

from gpufleet.components import GpuCluster, GpuNodeGroup, HighBandwidthNetwork, StorageTiers
from gpufleet.errors import UserError

REFS = {"cloud": "aws", "region": "us-west-2", "cluster_name": "prod-us-west-2", "node_subnet_id": "subnet-a",
        "cluster_security_group_id": "sg-cluster", "fabric_security_group_id": "sg-efa", "tags": TAGS}
NODE_POLICIES = ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
                 "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]


def node_group_children(name, placement_group=True):
    children = [
        ("aws:ec2/launchTemplate:LaunchTemplate", f"{name}-launch-template"),
        ("aws:eks/nodeGroup:NodeGroup", f"{name}-node-group"),
        ("aws:iam/role:Role", f"{name}-node-role"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{name}-node-role-cni"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{name}-node-role-ecr-pull"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{name}-node-role-worker"),
    ]
    return sorted(children + ([("aws:ec2/placementGroup:PlacementGroup", f"{name}-placement-group")]
                              if placement_group else []))


def test_p5_node_group_carries_every_efa_interface_imdsv2_and_a_cluster_placement_group(recorder):
    run = recorder(lambda: GpuNodeGroup("train", {
        **REFS, "workload": "train", "gpu": "H100", "gpu_count": 256, "enable_fabric": True,
        "utilization_percent": 85, "hours_per_month": 730}))
    component = run.one("gpufleet:index:GpuNodeGroup")
    assert run.children(component) == node_group_children("train")

    template = run.one("aws:ec2/launchTemplate:LaunchTemplate").inputs
    interfaces = template["networkInterfaces"]
    assert len(interfaces) == 32
    assert [(i["networkCardIndex"], i["deviceIndex"], i["interfaceType"]) for i in interfaces[:3]] == [
        (0, 0, "efa"), (1, 1, "efa-only"), (2, 1, "efa-only")]
    assert [i["networkCardIndex"] for i in interfaces] == list(range(32))
    assert all(i["securityGroups"] == ["sg-cluster", "sg-efa"] for i in interfaces)
    assert template["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                           "httpPutResponseHopLimit": 1}
    assert template["blockDeviceMappings"] == [{"deviceName": "/dev/xvda", "ebs": {
        "volumeSize": 200, "volumeType": "gp3", "encrypted": "true", "deleteOnTermination": "true"}}]
    assert template["placement"] == {"groupName": "train-placement-group"}
    assert "instanceType" not in template  # EKS takes the instance type in one place: the node group
    assert run.one("aws:ec2/placementGroup:PlacementGroup").inputs["strategy"] == "cluster"

    group = run.one("aws:eks/nodeGroup:NodeGroup").inputs
    assert (group["instanceTypes"], group["amiType"], group["capacityType"], group["scalingConfig"]) == (
        ["p5.48xlarge"], "AL2023_x86_64_NVIDIA", "ON_DEMAND", {"desiredSize": 32, "minSize": 32, "maxSize": 32})
    assert group["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
    assert group["labels"] == {"gpufleet.io/workload": "train", "gpufleet.io/gpu": "H100", "gpufleet.io/fabric": "efa",
                               "gpufleet.io/capacity": "on-demand"}
    assert group["tags"] == {**TAGS, "gpufleet-workload": "train", "gpufleet-utilization-percent": "85",
                             "gpufleet-hours-per-month": "730"}
    # What instances, volumes and interfaces get is identity only: a change there is a new template
    # version, which rolls every node.
    assert template["tagSpecifications"] == [{"resourceType": kind, "tags": {**TAGS, "gpufleet-workload": "train"}}
                                             for kind in ("instance", "volume", "network-interface")]
    assert group["subnetIds"] == ["subnet-a"]
    for owned in ("train-node-role", "train-placement-group"):
        assert run.named(owned).inputs["tags"] == {**TAGS, "gpufleet-workload": "train"}
    assert sorted(r.inputs["policyArn"] for r in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) == \
        NODE_POLICIES
    assert missing_owner_tags(run.resources) == []


@pytest.mark.parametrize("kind, capacity_type, market", [
    ("capacity-block", "CAPACITY_BLOCK", {"marketType": "capacity-block"}),
    ("capacity-reservation", "ON_DEMAND", None),
])
def test_a_reservation_dictates_placement_so_no_placement_group_is_forced(recorder, kind, capacity_type, market):
    run = recorder(lambda: GpuNodeGroup("tune", {
        **REFS, "workload": "tune", "instance_type": "p5.48xlarge", "gpu_count": 16, "enable_fabric": True,
        "capacity_type": "reserved", "reservation": {"kind": kind, "id": "cr-0123", "zone": "us-west-2b"}}))
    assert run.children(run.one("gpufleet:index:GpuNodeGroup")) == node_group_children("tune", placement_group=False)
    template = run.one("aws:ec2/launchTemplate:LaunchTemplate").inputs
    assert "placement" not in template and len(template["networkInterfaces"]) == 32
    assert template["capacityReservationSpecification"] == {
        "capacityReservationTarget": {"capacityReservationId": "cr-0123"}}
    assert template.get("instanceMarketOptions") == market
    group = run.one("aws:eks/nodeGroup:NodeGroup").inputs
    assert (group["capacityType"], group["scalingConfig"]["desiredSize"]) == (capacity_type, 2)


def test_spot_that_scales_to_zero_without_fabric(recorder):
    run = recorder(lambda: GpuNodeGroup("notebooks", {
        **REFS, "workload": "notebooks", "gpu": "T4", "gpu_count": 2, "capacity_type": "spot", "scale_to_zero": True}))
    assert run.children(run.one("gpufleet:index:GpuNodeGroup")) == node_group_children("notebooks", placement_group=False)
    template = run.one("aws:ec2/launchTemplate:LaunchTemplate").inputs
    assert "networkInterfaces" not in template and "placement" not in template
    group = run.one("aws:eks/nodeGroup:NodeGroup").inputs
    assert (group["instanceTypes"], group["capacityType"], group["scalingConfig"]) == (
        ["g4dn.xlarge"], "SPOT", {"desiredSize": 2, "minSize": 0, "maxSize": 2})


def test_the_callers_provider_reaches_every_child(recorder):
    def program():
        provider = aws.Provider("aws-us-west-2", region="us-west-2")
        GpuNodeGroup("train", {**REFS, "workload": "train", "instance_type": "p5.48xlarge", "gpu_count": 8},
                     pulumi.ResourceOptions(providers=[provider]))

    run = recorder(program)
    provider = run.one("pulumi:providers:aws")
    custom = [r for r in run.resources if r.type.startswith("aws:")]
    assert len(custom) == 6 and {r.provider.split("::")[-2] for r in custom} == {"aws-us-west-2"}
    assert all(r.provider.startswith(provider.urn) for r in custom)


def test_protect_and_aliases_pass_through(recorder):
    run = recorder(lambda: GpuNodeGroup(
        "train", {**REFS, "workload": "train", "instance_type": "p5.48xlarge", "gpu_count": 8},
        pulumi.ResourceOptions(protect=True, aliases=[pulumi.Alias(name="old-train")])))
    component = run.one("gpufleet:index:GpuNodeGroup")
    assert component.protect and len(component.aliases) == 1
    assert all(r.protect for r in run.resources if r.parent == component.urn)


def test_storage_tiers_fsx_on_a_valid_step_linked_to_a_tiered_private_bucket(recorder):
    run = recorder(lambda: StorageTiers("train-storage", {
        "cloud": "aws", "region": "us-west-2", "zone": "us-west-2a", "workload": "train", "gpu_count": 256,
        "object_capacity_tib": 800, "file_system_subnet_id": "subnet-a", "file_system_security_group_id": "sg-lustre",
        "tags": TAGS}))
    component = run.one("gpufleet:index:StorageTiers")
    assert run.children(component) == sorted([
        ("aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation", "train-storage-lustre-s3-link"),
        ("aws:fsx/lustreFileSystem:LustreFileSystem", "train-storage-lustre"),
        ("aws:s3/bucket:Bucket", "train-storage-objects"),
        ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "train-storage-objects-lifecycle"),
        ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "train-storage-objects-ownership"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "train-storage-objects-public-access-block"),
        ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
         "train-storage-objects-encryption"),
        ("aws:s3/bucketVersioning:BucketVersioning", "train-storage-objects-versioning"),
    ])
    lustre = run.one("aws:fsx/lustreFileSystem:LustreFileSystem").inputs
    assert (lustre["deploymentType"], lustre["storageCapacity"], lustre["perUnitStorageThroughput"],
            lustre["subnetIds"], lustre["securityGroupIds"]) == ("PERSISTENT_2", 67200, 1000, "subnet-a", ["sg-lustre"])
    lifecycle = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"][0]
    assert lifecycle["transitions"] == [{"days": 30, "storageClass": "GLACIER_IR"},
                                        {"days": 180, "storageClass": "DEEP_ARCHIVE"}]
    assert run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs == {
        "bucket": "train-storage-objects-id", "blockPublicAcls": True, "blockPublicPolicy": True,
        "ignorePublicAcls": True, "restrictPublicBuckets": True}
    link = run.one("aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation").inputs
    assert (link["fileSystemId"], link["dataRepositoryPath"]) == ("train-storage-lustre-id",
                                                                   "s3://train-storage-objects-id/data/")
    data = {(r.name, r.protect, r.retain_on_delete) for r in run.resources if r.protect or r.retain_on_delete}
    assert data == {("train-storage-objects", True, True), ("train-storage-lustre", True, True)}
    assert run.one("aws:s3/bucket:Bucket").inputs["tags"]["gpufleet-object-tib"] == "800"
    assert missing_owner_tags(run.resources) == []


def test_the_caller_may_turn_data_protection_off(recorder):
    run = recorder(lambda: StorageTiers("scratch", {
        "cloud": "aws", "region": "us-west-2", "zone": "us-west-2a", "workload": "w", "gpu_count": 1,
        "enable_hot_tier": False, "cool_after_days": 30, "cold_after_days": 60, "tags": TAGS},
        pulumi.ResourceOptions(protect=False, retain_on_delete=False)))
    assert not any(r.protect or r.retain_on_delete for r in run.resources)
    assert run.of_type("aws:fsx/lustreFileSystem:LustreFileSystem") == []
    rule = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"][0]
    assert [t["storageClass"] for t in rule["transitions"]] == ["STANDARD_IA", "GLACIER_IR", "DEEP_ARCHIVE"]


def test_network_efa_security_group_allows_only_itself(recorder):
    run = recorder(lambda: HighBandwidthNetwork("net", {
        "cloud": "aws", "region": "us-west-2", "zones": ["us-west-2c"], "instance_types": ["p5.48xlarge"],
        "enable_file_system_subnet": True, "tags": TAGS}))
    endpoints = ["ec2", "ecr-api", "ecr-dkr", "eks", "eks-auth", "elasticloadbalancing", "logs", "s3", "sts"]
    assert run.children(run.one("gpufleet:index:HighBandwidthNetwork")) == sorted([
        ("aws:ec2/vpc:Vpc", "net-vpc"),
        ("aws:ec2/subnet:Subnet", "net-private-us-west-2c"),
        ("aws:ec2/subnet:Subnet", "net-private-us-west-2a"),  # EKS needs a second zone
        ("aws:ec2/securityGroup:SecurityGroup", "net-endpoints-sg"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "net-endpoints-sg-https"),
        ("aws:ec2/securityGroup:SecurityGroup", "net-efa-sg"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "net-efa-sg-ingress-self"),
        ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "net-efa-sg-egress-self"),
        ("aws:ec2/securityGroup:SecurityGroup", "net-lustre-sg"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "net-lustre-sg-ingress-988-988"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "net-lustre-sg-ingress-1018-1023"),
        ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "net-lustre-sg-egress-vpc"),
        *[("aws:ec2/vpcEndpoint:VpcEndpoint", f"net-endpoint-{e}") for e in endpoints],
    ])
    efa_rules = [r.inputs for r in run.resources if r.name.startswith("net-efa-sg-")]
    assert [(r["ipProtocol"], r["referencedSecurityGroupId"], r["securityGroupId"]) for r in efa_rules] == [
        ("-1", "net-efa-sg-id", "net-efa-sg-id")] * 2
    assert all("cidrIpv4" not in r for r in efa_rules)
    assert [s.inputs["availabilityZone"] for s in run.of_type("aws:ec2/subnet:Subnet")] == ["us-west-2c", "us-west-2a"]
    assert missing_owner_tags(run.resources) == []


def test_cluster_private_eks_with_node_groups_and_storage(recorder):
    run = recorder(lambda: GpuCluster("prod-eu-north-1", {
        "cloud": "aws", "region": "eu-north-1", "tags": TAGS,
        "node_groups": [{"workload": "pretrain", "instance_type": "p5.48xlarge", "gpu_count": 256,
                         "enable_fabric": True}],
        "storage": [{"workload": "pretrain", "object_capacity_tib": 800}]}))
    cluster = run.one("gpufleet:index:GpuCluster")
    assert run.children(cluster) == sorted([
        ("gpufleet:index:HighBandwidthNetwork", "prod-eu-north-1-network"),
        ("aws:iam/role:Role", "prod-eu-north-1-cluster-role"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "prod-eu-north-1-cluster-role-policy"),
        ("aws:eks/cluster:Cluster", "prod-eu-north-1-eks"),
        ("aws:iam/role:Role", "prod-eu-north-1-system-node-role"),
        *[("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"prod-eu-north-1-system-node-role-{k}")
          for k in ("worker", "cni", "ecr-pull")],
        ("aws:ec2/launchTemplate:LaunchTemplate", "prod-eu-north-1-system-launch-template"),
        ("aws:eks/nodeGroup:NodeGroup", "prod-eu-north-1-system-node-group"),
        ("gpufleet:index:GpuNodeGroup", "prod-eu-north-1-pretrain"),
        ("gpufleet:index:StorageTiers", "prod-eu-north-1-pretrain-storage"),
    ])
    eks = run.one("aws:eks/cluster:Cluster").inputs
    assert (eks["name"], eks["vpcConfig"]["endpointPrivateAccess"], eks["vpcConfig"]["endpointPublicAccess"]) == (
        "prod-eu-north-1", True, False)
    assert eks["vpcConfig"]["subnetIds"] == ["prod-eu-north-1-network-private-eu-north-1a-id",
                                             "prod-eu-north-1-network-private-eu-north-1b-id"]
    gpu = run.named("prod-eu-north-1-pretrain-node-group").inputs
    assert (gpu["clusterName"], gpu["subnetIds"]) == ("prod-eu-north-1", ["prod-eu-north-1-network-private-eu-north-1a-id"])
    assert run.named("prod-eu-north-1-pretrain-launch-template").inputs["networkInterfaces"][0]["securityGroups"][1] == \
        "prod-eu-north-1-network-efa-sg-id"
    assert run.named("prod-eu-north-1-pretrain-storage-lustre").inputs["subnetIds"] == \
        "prod-eu-north-1-network-private-eu-north-1a-id"
    assert missing_owner_tags(run.resources) == []


def test_invalid_arguments_declare_nothing(recorder):
    errors = []

    def program():
        try:
            GpuCluster("prod", {"cloud": "aws", "region": "us-west-2", "tags": TAGS,
                                "node_groups": [{"workload": "w", "instance_type": "p5.48xlarge", "gpu_count": 8}],
                                "storage": [{"workload": "w", "hot_capacity_tib": 3}]})
        except UserError as error:
            errors.append(error)

    assert recorder(program).resources == []
    assert [p.render() for p in errors[0].problems] == [
        "prod.storage[w].hot_capacity_tib: not a capacity step of Amazon FSx for Lustre, PERSISTENT_2 deployment, "
        "SSD storage (got 3.0); allowed: 125, 250, 500, 1000 MB/s/TiB: 2.34375 or 4.6875 TiB"]


def test_invalid_arguments_are_the_sdks_per_property_error(recorder):
    """Every language sees `pulumi.InputPropertiesError` with one error per input property (wire names,
    list items by index); gpufleet's CLI sees the same problems as a `UserError` (exit 2)."""
    errors = []

    def program():
        try:
            GpuCluster("prod", {"cloud": "aws", "region": "us-west-2", "tags": {**TAGS, "team": ""},
                                "node_groups": [{"workload": "serve", "gpu": "L4", "gpu_count": 1},
                                                {"workload": "w", "instance_type": "p5.48xlarge", "gpu_count": 0}],
                                "storage": [{"workload": "w", "hot_capacity_tib": 3, "cool_after_days": 10}]})
        except pulumi.InputPropertiesError as error:
            errors.append(error)

    assert recorder(program).resources == []
    assert isinstance(errors[0], UserError) and errors[0].heading == "GpuCluster prod: invalid arguments"
    assert errors[0].errors == [
        {"property_path": "tags.team", "reason": "required tag is missing or empty"},
        {"property_path": "nodeGroups[1].gpuCount", "reason": "must be a whole number of at least 1 (got 0)"},
    ]
    assert str(errors[0]) == errors[0].render() == (
        "GpuCluster prod: invalid arguments: 2 problem(s)\n"
        "  - prod.tags.team: required tag is missing or empty\n"
        "  - prod.node_groups[w].gpu_count: must be a whole number of at least 1 (got 0)")
