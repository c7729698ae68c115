"""The offline cloud's invoke answers: deterministic, derived from the provider's region."""

import json

import pytest

from gpufleet.offline.fakecloud import UnansweredInvoke, answer_invoke, resource_state

WEST = {"region": "us-west-2", "version": "7.51.1"}


def test_availability_zones_follow_the_region_and_exclusions() -> None:
    assert answer_invoke("aws:index/getAvailabilityZones:getAvailabilityZones", {"excludeNames": ["ap-southeast-1b"]}, {"region": "ap-southeast-1"}) == {
        "id": "ap-southeast-1",
        "region": "ap-southeast-1",
        "names": ["ap-southeast-1a", "ap-southeast-1c"],
        "zoneIds": ["apse1-az1", "apse1-az3"],
        "groupNames": ["ap-southeast-1"],
    }


def test_an_invokes_own_region_argument_wins() -> None:
    answer = answer_invoke("aws:index/getRegion:getRegion", {"region": "eu-north-1"}, WEST)
    assert (answer["name"], answer["region"], answer["endpoint"]) == ("eu-north-1", "eu-north-1", "ec2.eu-north-1.amazonaws.com")


def test_identity_partition_and_client_config() -> None:
    assert answer_invoke("aws:index/getCallerIdentity:getCallerIdentity", {}, WEST)["accountId"] == "123456789012"
    assert answer_invoke("aws:index/getPartition:getPartition", {}, {"region": "cn-north-1"}) == {
        "id": "aws-cn",
        "partition": "aws-cn",
        "dnsSuffix": "amazonaws.com.cn",
        "reverseDnsPrefix": "cn.com.amazonaws",
    }
    assert answer_invoke("azure-native:authorization:getClientConfig", {}, {"subscriptionId": "sub-1"}) == {
        "clientId": "00000000-0000-0000-0000-000000000002",
        "objectId": "00000000-0000-0000-0000-000000000003",
        "subscriptionId": "sub-1",
        "tenantId": "00000000-0000-0000-0000-000000000001",
    }


def test_ami_lookups_are_deterministic_and_per_query() -> None:
    query = {"owners": ["amazon"], "filters": [{"name": "architecture", "values": ["arm64"]}], "mostRecent": True}
    first = answer_invoke("aws:ec2/getAmi:getAmi", query, WEST)
    assert first == answer_invoke("aws:ec2/getAmi:getAmi", query, WEST)
    assert first["architecture"] == "arm64" and first["id"] == first["imageId"] and len(first["id"]) == len("ami-") + 17
    assert first["id"] != answer_invoke("aws:ec2/getAmi:getAmi", {**query, "owners": ["self"]}, WEST)["id"]


def test_policy_documents_render_as_the_aws_provider_does() -> None:
    statements = [
        {
            "sid": "Read",
            "actions": ["s3:ListBucket", "s3:GetObject"],
            "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:root"]}],
            "conditions": [{"test": "StringEquals", "variable": "aws:PrincipalTag/team", "values": ["ml"]}],
        },
        {"effect": "Deny", "notActions": ["s3:*"], "principals": [{"type": "*", "identifiers": ["*"]}]},
    ]
    answer = answer_invoke("aws:iam/getPolicyDocument:getPolicyDocument", {"statements": statements}, {})
    assert json.loads(answer["json"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ml"}},
            },
            {"Effect": "Deny", "NotAction": "s3:*", "Principal": "*"},
        ],
    }
    assert json.loads(answer["minifiedJson"]) == json.loads(answer["json"])


def test_resource_groups_need_a_location() -> None:
    assert answer_invoke("azure-native:resources:getResourceGroup", {"resourceGroupName": "rg"}, {"location": "westeurope"})["id"] == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
    )
    with pytest.raises(UnansweredInvoke, match="set `azure-native:location`"):
        answer_invoke("azure-native:resources:getResourceGroup", {"resourceGroupName": "rg"}, {})


def test_unknown_invokes_and_missing_regions_are_refused_by_token() -> None:
    with pytest.raises(UnansweredInvoke) as caught:
        answer_invoke("aws:foo/bar:baz", {}, WEST)
    assert (caught.value.token, str(caught.value).split(";")[0]) == ("aws:foo/bar:baz", "offline preview cannot answer invoke 'aws:foo/bar:baz'")
    with pytest.raises(UnansweredInvoke, match=r"getAvailabilityZones.*set `aws:region`"):
        answer_invoke("aws:index/getAvailabilityZones:getAvailabilityZones", {}, {})


def test_resource_state_adds_ids_arns_and_azure_names() -> None:
    assert resource_state("aws:ec2/vpc:Vpc", "main", {"cidrBlock": "10.0.0.0/16"}, WEST) == (
        "main-id",
        {"cidrBlock": "10.0.0.0/16", "arn": "arn:aws:ec2:us-west-2:123456789012:vpc/main-id"},
    )
    assert resource_state("aws:s3/bucket:Bucket", "b", {}, WEST)[1] == {"arn": "arn:aws:s3:::b-id"}
    assert resource_state("azure-native:network:VirtualNetwork", "net", {"virtualNetworkName": "vnet-1"}, {})[1] == {
        "virtualNetworkName": "vnet-1",
        "name": "vnet-1",
    }
    assert resource_state("azure-native:containerservice:AgentPool", "gpu", {"resourceName": "aks-1"}, {})[1]["name"] == "gpu"
    # a ManagedCluster has no `managedClusterName` input: its `resourceName` is its own Azure name
    assert resource_state("azure-native:containerservice:ManagedCluster", "aks", {"resourceName": "prod"}, {})[1]["name"] == "prod"


def test_network_and_role_lookups_are_deterministic_and_consistent() -> None:
    vpc = answer_invoke("aws:ec2/getVpc:getVpc", {"default": True}, WEST)
    assert vpc == answer_invoke("aws:ec2/getVpc:getVpc", {"default": True}, WEST)
    assert (vpc["id"].startswith("vpc-"), len(vpc["id"]), vpc["cidrBlock"], vpc["default"], vpc["region"]) == (
        True, 21, "172.31.0.0/16", True, "us-west-2")
    assert vpc["arn"] == f"arn:aws:ec2:us-west-2:123456789012:vpc/{vpc['id']}"
    assert answer_invoke("aws:ec2/getVpcs:getVpcs", {"default": True}, WEST)["ids"] == [vpc["id"]]
    subnets = answer_invoke("aws:ec2/getSubnets:getSubnets", {"filters": [{"name": "vpc-id", "values": [vpc["id"]]}]}, WEST)
    assert len(subnets["ids"]) == len(set(subnets["ids"])) == 3 and all(i.startswith("subnet-") for i in subnets["ids"])
    subnet = answer_invoke("aws:ec2/getSubnet:getSubnet", {"id": subnets["ids"][1]}, WEST)
    assert (subnet["id"], subnet["vpcId"], subnet["availabilityZone"]) == (subnets["ids"][1], vpc["id"], "us-west-2a")
    sg = answer_invoke("aws:ec2/getSecurityGroup:getSecurityGroup", {"name": "default"}, WEST)
    assert (sg["name"], sg["vpcId"], sg["id"].startswith("sg-")) == ("default", vpc["id"], True)
    role = answer_invoke("aws:iam/getRole:getRole", {"name": "eks-nodes"}, WEST)
    assert (role["name"], role["arn"]) == ("eks-nodes", "arn:aws:iam::123456789012:role/eks-nodes")
    with pytest.raises(UnansweredInvoke, match="aws:ec2/getVpc:getVpc.*no region"):
        answer_invoke("aws:ec2/getVpc:getVpc", {"default": True}, {})
