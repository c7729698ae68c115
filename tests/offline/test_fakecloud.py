"""The offline cloud's invoke answers: deterministic, derived from the provider's region, and
shaped by the SDK's result types."""

import json
import warnings

import pytest

with warnings.catch_warnings():  # the provider SDKs' import-time deprecation notices
    warnings.simplefilter("ignore", DeprecationWarning)
    import pulumi_aws
    import pulumi_azure_native.authorization
    import pulumi_azure_native.resources

from gpufleet.offline.fakecloud import (LOOKUP_GENERIC, LOOKUP_SPECIFIC, LOOKUP_UNKNOWN, UnansweredInvoke,
                                        answer_invoke, resource_state, stack_reference_state)

UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
WEST = {"region": "us-west-2", "version": "7.51.1"}
# A program has loaded the module of every function it calls (the SDKs load modules lazily).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    LOADED = (pulumi_aws.GetRegionResult, pulumi_aws.ec2.GetAmiResult, pulumi_aws.iam.GetRoleResult,
              pulumi_aws.eks.GetClusterResult, pulumi_azure_native.authorization.GetClientConfigResult,
              pulumi_azure_native.resources.GetResourceGroupResult)


def answer(token: str, args: dict, provider: dict) -> dict:
    """A specific answer, as the lookup's own code gives it."""
    result, how = answer_invoke(token, args, provider)
    assert how == LOOKUP_SPECIFIC
    return result


def test_availability_zones_follow_the_region_and_exclusions() -> None:
    assert answer("aws:index/getAvailabilityZones:getAvailabilityZones", {"excludeNames": ["ap-southeast-1b"]}, {"region": "ap-southeast-1"}) == {
        "id": "ap-southeast-1",
        "region": "ap-southeast-1",
        "names": ["ap-southeast-1a", "ap-southeast-1c"],
        "zoneIds": ["apse1-az1", "apse1-az3"],
        "groupNames": ["ap-southeast-1"],
    }


def test_an_invokes_own_region_argument_wins() -> None:
    got = answer("aws:index/getRegion:getRegion", {"region": "eu-north-1"}, WEST)
    assert (got["name"], got["region"], got["endpoint"]) == ("eu-north-1", "eu-north-1", "ec2.eu-north-1.amazonaws.com")


def test_identity_partition_and_client_config() -> None:
    assert answer("aws:index/getCallerIdentity:getCallerIdentity", {}, WEST)["accountId"] == "123456789012"
    assert answer("aws:index/getPartition:getPartition", {}, {"region": "cn-north-1"}) == {
        "id": "aws-cn",
        "partition": "aws-cn",
        "dnsSuffix": "amazonaws.com.cn",
        "reverseDnsPrefix": "cn.com.amazonaws",
    }
    assert answer("azure-native:authorization:getClientConfig", {}, {"subscriptionId": "sub-1"}) == {
        "clientId": "00000000-0000-0000-0000-000000000002",
        "objectId": "00000000-0000-0000-0000-000000000003",
        "subscriptionId": "sub-1",
        "tenantId": "00000000-0000-0000-0000-000000000001",
    }


def test_ami_lookups_are_deterministic_and_per_query() -> None:
    query = {"owners": ["amazon"], "filters": [{"name": "architecture", "values": ["arm64"]}], "mostRecent": True}
    first = answer("aws:ec2/getAmi:getAmi", query, WEST)
    assert first == answer("aws:ec2/getAmi:getAmi", query, WEST)
    assert first["architecture"] == "arm64" and first["id"] == first["imageId"] and len(first["id"]) == len("ami-") + 17
    assert first["id"] != answer("aws:ec2/getAmi:getAmi", {**query, "owners": ["self"]}, WEST)["id"]


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
    got = answer("aws:iam/getPolicyDocument:getPolicyDocument", {"statements": statements}, {})
    assert json.loads(got["json"]) == {
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
    assert json.loads(got["minifiedJson"]) == json.loads(got["json"])


def test_resource_groups_take_the_providers_location_else_a_generic_answer() -> None:
    assert answer("azure-native:resources:getResourceGroup", {"resourceGroupName": "rg"}, {"location": "westeurope"})["id"] == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
    )
    assert answer_invoke("azure-native:resources:getResourceGroup", {"resourceGroupName": "rg"}, {}) == ({
        "id": "id-looked-up-offline", "location": "location-looked-up-offline", "managedBy": "managed_by-looked-up-offline",
        "name": "name-looked-up-offline", "properties": {"provisioningState": "provisioning_state-looked-up-offline"},
        "tags": {}, "type": "type-looked-up-offline", "azureApiVersion": "azure_api_version-looked-up-offline",
    }, LOOKUP_GENERIC)


def test_any_other_lookup_gets_placeholders_shaped_by_its_result_type() -> None:
    result, how = answer_invoke("aws:eks/getCluster:getCluster", {"name": "prod"}, WEST)
    assert how == LOOKUP_GENERIC
    # the program's own arguments where they fit; strings that say what they are; no number or
    # boolean made up (left out: None in the program); one item in each list
    assert (result["name"], result["endpoint"], result["certificateAuthorities"], "deletionProtection" in result) == (
        "prod", "endpoint-looked-up-offline", [{"data": "data-looked-up-offline"}], False)
    pulumi_aws.eks.GetClusterResult(**{"name": "prod"})  # the SDK's own check accepts the shape


def test_a_lookup_no_loaded_sdk_declares_is_unknown() -> None:
    assert answer_invoke("aws:foo/bar:baz", {}, WEST) == (None, LOOKUP_UNKNOWN)


def test_answers_never_echo_a_value_the_result_type_rejects() -> None:
    # `get_ami(most_recent="true")`: the SDK's GetAmiResult raises TypeError on a string mostRecent
    result = answer("aws:ec2/getAmi:getAmi", {"mostRecent": "true", "owners": ["amazon"]}, WEST)
    assert ("mostRecent" in result, result["owners"]) == (False, ["amazon"])


def test_missing_regions_are_refused_by_token() -> None:
    with pytest.raises(UnansweredInvoke, match=r"getAvailabilityZones.*set `aws:region`"):
        answer_invoke("aws:index/getAvailabilityZones:getAvailabilityZones", {}, {})


def test_resource_state_is_the_inputs_with_azure_names_and_arns_of_reads() -> None:
    # created: the ARN is the cloud's to compute, unknown at preview (left out: the SDK resolves it unknown)
    assert resource_state("aws:ec2/vpc:Vpc", "main", {"cidrBlock": "10.0.0.0/16"}, WEST) == {"cidrBlock": "10.0.0.0/16"}
    # read (`Vpc.get("main", "vpc-1")`): it exists
    assert resource_state("aws:ec2/vpc:Vpc", "main", {}, WEST, read_id="vpc-1") == {"arn": "arn:aws:ec2:us-west-2:123456789012:vpc/vpc-1"}
    assert resource_state("aws:s3/bucket:Bucket", "b", {}, WEST, read_id="b-1") == {"arn": "arn:aws:s3:::b-1"}
    assert resource_state("azure-native:network:VirtualNetwork", "net", {"virtualNetworkName": "vnet-1"}, {}) == {
        "virtualNetworkName": "vnet-1",
        "name": "vnet-1",
    }
    assert resource_state("azure-native:containerservice:AgentPool", "gpu", {"resourceName": "aks-1"}, {})["name"] == "gpu"
    # a ManagedCluster has no `managedClusterName` input: its `resourceName` is its own Azure name
    assert resource_state("azure-native:containerservice:ManagedCluster", "aks", {"resourceName": "prod"}, {})["name"] == "prod"


def test_stack_references_are_unknown_unless_their_outputs_are_given() -> None:
    assert stack_reference_state("org/net/prod", {}) == {"name": "org/net/prod", "outputs": UNKNOWN_VALUE, "secretOutputNames": []}
    assert stack_reference_state("org/net/prod", {"org/net/prod": {"vpcId": "vpc-1"}})["outputs"] == {"vpcId": "vpc-1"}


def test_network_and_role_lookups_are_deterministic_and_consistent() -> None:
    vpc = answer("aws:ec2/getVpc:getVpc", {"default": True}, WEST)
    assert vpc == answer("aws:ec2/getVpc:getVpc", {"default": True}, WEST)
    assert (vpc["id"].startswith("vpc-"), len(vpc["id"]), vpc["cidrBlock"], vpc["default"], vpc["region"]) == (
        True, 21, "172.31.0.0/16", True, "us-west-2")
    assert vpc["arn"] == f"arn:aws:ec2:us-west-2:123456789012:vpc/{vpc['id']}"
    assert answer("aws:ec2/getVpcs:getVpcs", {"default": True}, WEST)["ids"] == [vpc["id"]]
    subnets = answer("aws:ec2/getSubnets:getSubnets", {"filters": [{"name": "vpc-id", "values": [vpc["id"]]}]}, WEST)
    assert len(subnets["ids"]) == len(set(subnets["ids"])) == 3 and all(i.startswith("subnet-") for i in subnets["ids"])
    subnet = answer("aws:ec2/getSubnet:getSubnet", {"id": subnets["ids"][1]}, WEST)
    assert (subnet["id"], subnet["vpcId"], subnet["availabilityZone"]) == (subnets["ids"][1], vpc["id"], "us-west-2a")
    sg = answer("aws:ec2/getSecurityGroup:getSecurityGroup", {"name": "default"}, WEST)
    assert (sg["name"], sg["vpcId"], sg["id"].startswith("sg-")) == ("default", vpc["id"], True)
    role = answer("aws:iam/getRole:getRole", {"name": "eks-nodes"}, WEST)
    assert (role["name"], role["arn"]) == ("eks-nodes", "arn:aws:iam::123456789012:role/eks-nodes")
    with pytest.raises(UnansweredInvoke, match="aws:ec2/getVpc:getVpc.*no region"):
        answer("aws:ec2/getVpc:getVpc", {"default": True}, {})


def test_route53_zones_cluster_tokens_storage_keys_and_classic_azure_client_config() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import pulumi_aws.route53
        import pulumi_azure.core
        import pulumi_azure_native.storage
        (pulumi_aws.route53.GetZoneResult, pulumi_aws.eks.GetClusterAuthResult, pulumi_azure.core.GetClientConfigResult,
         pulumi_azure_native.storage.ListStorageAccountKeysResult, pulumi_azure_native.authorization.GetClientTokenResult)
    zone = answer("aws:route53/getZone:getZone", {"name": "example.com.", "privateZone": False}, WEST)
    assert (zone["name"], zone["zoneId"] == zone["id"], zone["arn"], len(zone["nameServers"])) == (
        "example.com", True, f"arn:aws:route53:::hostedzone/{zone['id']}", 4)
    assert answer("aws:eks/getClusterAuth:getClusterAuth", {"name": "gpu"}, WEST)["token"].startswith("k8s-aws-v1.offline-preview-")
    assert answer("azure-native:authorization:getClientToken", {}, {}) == {"token": "offline-preview-access-token"}
    keys = answer("azure-native:storage:listStorageAccountKeys", {"accountName": "data", "resourceGroupName": "rg"}, {})["keys"]
    assert [(k["keyName"], k["permissions"]) for k in keys] == [("key1", "FULL"), ("key2", "FULL")]
    assert answer("azure:core/getClientConfig:getClientConfig", {}, {"subscriptionId": "sub-1"}) == {
        "clientId": "00000000-0000-0000-0000-000000000002",
        "objectId": "00000000-0000-0000-0000-000000000003",
        "subscriptionId": "sub-1",
        "tenantId": "00000000-0000-0000-0000-000000000001",
        "id": "clientConfigs/clientId=00000000-0000-0000-0000-000000000002;objectId=00000000-0000-0000-0000-000000000003;"
              "subscriptionId=sub-1;tenantId=00000000-0000-0000-0000-000000000001",
    }
