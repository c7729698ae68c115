"""The cloud as the offline preview imagines it: resource outputs and lookup (invoke) answers.

Offline there is no cloud to ask. Answers are derived only from the resource's or invoke's inputs
and the region or location of the provider in use, so a preview never changes between runs.

A lookup gets, in this order: a plausible answer written for it (availability zones, AMIs, client
configuration, …); otherwise a generic answer shaped by the SDK's own result type, with strings
that say they were looked up offline and unknown numbers; otherwise (no installed SDK declares the
result) an unknown result. Every answer is checked against the result type the SDK declares, so a
program never gets a value its SDK would reject. Only what a real preview would refuse too (an AWS
provider without a region) fails, with `UnansweredInvoke` naming the token.
"""

from __future__ import annotations

import base64
import base64
import functools
import hashlib
import importlib
import json
import re
from typing import Any, Callable

from gpufleet import clouds
from gpufleet.offline import shapes
from gpufleet.pulumi_private import UNKNOWN, init_parameters, output_property_types, unwrap_secrets

ACCOUNT_ID = "123456789012"
SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "00000000-0000-0000-0000-000000000001"
CLIENT_ID = "00000000-0000-0000-0000-000000000002"
OBJECT_ID = "00000000-0000-0000-0000-000000000003"


# How a lookup was answered offline (ProgramRun.lookups); none of them is real data.
LOOKUP_SPECIFIC = "plausible offline answer"
LOOKUP_GENERIC = "placeholders shaped by the SDK's result type"
LOOKUP_UNKNOWN = "unknown at preview"


class _NotEmulated(Exception):
    """A specific answer does not cover these arguments: the generic answer stands in."""


class OfflineUnsupported(Exception):
    """Something the program asks of the cloud that cannot be answered offline."""


class UnansweredInvoke(OfflineUnsupported):
    """An invoke the offline preview cannot answer without the cloud."""

    def __init__(self, token: str, reason: str = "") -> None:
        self.token = token
        detail = f": {reason}" if reason else ""
        super().__init__(
            f"offline preview cannot answer invoke {token!r}{detail}; "
            "run `pulumi preview` with cloud credentials, or pass the value in through stack configuration"
        )


# What the invoke's provider is configured with: `region`, `location`, `subscriptionId`, …
ProviderConfig = dict[str, Any]
_Answer = Callable[[str, dict, ProviderConfig], dict]


def _aws_region(token: str, args: dict, provider: ProviderConfig) -> str:
    region = args.get("region") or provider.get("region")
    if not region:
        raise UnansweredInvoke(token, "the AWS provider has no region (set `aws:region` in the stack configuration)")
    return region


def _zone_id_prefix(region: str) -> str:
    """AWS zone IDs abbreviate the region: us-west-2 -> usw2, ap-southeast-1 -> apse1."""
    directions = {"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}
    first, *middle, number = region.split("-")
    return first + "".join(directions.get(part, part[:1]) for part in middle) + number


def _availability_zones(token: str, args: dict, provider: ProviderConfig) -> dict:
    region = _aws_region(token, args, provider)
    prefix = _zone_id_prefix(region)
    zones = [(f"{region}{letter}", f"{prefix}-az{i}") for i, letter in enumerate("abc", start=1)]
    excluded_names = set(args.get("excludeNames") or ())
    excluded_ids = set(args.get("excludeZoneIds") or ())
    zones = [(name, zone_id) for name, zone_id in zones if name not in excluded_names and zone_id not in excluded_ids]
    return {
        "id": region,
        "region": region,
        "names": [name for name, _ in zones],
        "zoneIds": [zone_id for _, zone_id in zones],
        "groupNames": [region],
        "state": args.get("state"),
    }


def _caller_identity(token: str, args: dict, provider: ProviderConfig) -> dict:
    return {
        "id": ACCOUNT_ID,
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-preview",
        "userId": "AIDAOFFLINEPREVIEW0000",
    }


def _region(token: str, args: dict, provider: ProviderConfig) -> dict:
    region = args.get("name") or _aws_region(token, args, provider)
    return {"id": region, "name": region, "region": region, "description": region, "endpoint": f"ec2.{region}.amazonaws.com"}


def _partition_of(region: str) -> tuple[str, str]:
    if region.startswith("cn-"):
        return "aws-cn", "amazonaws.com.cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov", "amazonaws.com"
    return "aws", "amazonaws.com"


def _partition(token: str, args: dict, provider: ProviderConfig) -> dict:
    partition, dns_suffix = _partition_of(provider.get("region") or "")
    reverse = ".".join(reversed(dns_suffix.split(".")))
    return {"id": partition, "partition": partition, "dnsSuffix": dns_suffix, "reverseDnsPrefix": reverse}


def _digest(*parts: object, length: int) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _fake_ami_id(region: str, query: object) -> str:
    return "ami-" + _digest(region, query, length=17)


def _ami(token: str, args: dict, provider: ProviderConfig) -> dict:
    region = _aws_region(token, args, provider)
    image_id = _fake_ami_id(region, args)
    architecture = "x86_64"
    for flt in args.get("filters") or ():
        if flt.get("name") == "architecture" and flt.get("values"):
            architecture = flt["values"][0]
    owners = list(args.get("owners") or ())
    return {
        "id": image_id,
        "imageId": image_id,
        "arn": f"arn:aws:ec2:{region}::image/{image_id}",
        "name": f"offline-preview-{image_id}",
        "architecture": architecture,
        "ownerId": next((o for o in owners if o.isdigit()), ACCOUNT_ID),
        "owners": owners,
        "filters": args.get("filters"),
        "mostRecent": args.get("mostRecent"),
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": "ebs",
        "virtualizationType": "hvm",
        "state": "available",
        "region": region,
    }


def _ssm_parameter(token: str, args: dict, provider: ProviderConfig) -> dict:
    region = _aws_region(token, args, provider)
    name = args.get("name") or ""
    # Public parameters that programs read are mostly AMI ids (…/image_id, …/ami-id).
    looks_like_ami = "image_id" in name or "ami" in name.rsplit("/", 1)[-1]
    value = _fake_ami_id(region, name) if looks_like_ami else f"offline-preview-{_digest(region, name, length=8)}"
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter/{name.lstrip('/')}",
        "type": "String",
        "value": value,
        "insecureValue": value,
        "version": 1,
        "withDecryption": args.get("withDecryption"),
        "region": region,
    }


def _one_or_many(values: list[str]) -> str | list[str]:
    """IAM JSON as the AWS provider renders it: a single value as a string, several sorted."""
    unique = sorted(set(values))
    return unique[0] if len(unique) == 1 else unique


def _principals(entries: list[dict]) -> str | dict:
    by_type: dict[str, list[str]] = {}
    for entry in entries:
        by_type.setdefault(entry["type"], []).extend(entry.get("identifiers") or ())
    if set(by_type) == {"*"} and by_type["*"] == ["*"]:
        return "*"
    return {kind: _one_or_many(ids) for kind, ids in sorted(by_type.items())}


def _statement(raw: dict) -> dict:
    out: dict[str, Any] = {}
    if raw.get("sid"):
        out["Sid"] = raw["sid"]
    out["Effect"] = raw.get("effect") or "Allow"
    for key, name in (("actions", "Action"), ("notActions", "NotAction"), ("resources", "Resource"), ("notResources", "NotResource")):
        if raw.get(key):
            out[name] = _one_or_many(raw[key])
    for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if raw.get(key):
            out[name] = _principals(raw[key])
    if raw.get("conditions"):
        conditions: dict[str, dict] = {}
        for cond in raw["conditions"]:
            conditions.setdefault(cond["test"], {})[cond["variable"]] = _one_or_many(cond.get("values") or [])
        out["Condition"] = conditions
    return out


def _policy_document(token: str, args: dict, provider: ProviderConfig) -> dict:
    if args.get("sourcePolicyDocuments") or args.get("overridePolicyDocuments") or args.get("sourceJson") or args.get("overrideJson"):
        raise _NotEmulated("merging source or override policy documents")
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = [_statement(s) for s in args.get("statements") or ()]
    text = json.dumps(document, indent=2)
    return {
        "id": _digest(document, length=10),
        "json": text,
        "minifiedJson": json.dumps(document, separators=(",", ":")),
        "statements": args.get("statements"),
        "version": document["Version"],
        "policyId": args.get("policyId"),
    }


def _client_config(token: str, args: dict, provider: ProviderConfig) -> dict:
    return {
        "clientId": provider.get("clientId") or CLIENT_ID,
        "objectId": OBJECT_ID,
        "subscriptionId": provider.get("subscriptionId") or SUBSCRIPTION_ID,
        "tenantId": provider.get("tenantId") or TENANT_ID,
    }


def _resource_group(token: str, args: dict, provider: ProviderConfig) -> dict:
    location = provider.get("location")
    if not location:
        raise _NotEmulated("the group's location is the cloud's to say")
    name = args["resourceGroupName"]
    subscription = provider.get("subscriptionId") or SUBSCRIPTION_ID
    return {
        "id": f"/subscriptions/{subscription}/resourceGroups/{name}",
        "name": name,
        "location": location,
        "type": "Microsoft.Resources/resourceGroups",
        "properties": {"provisioningState": "Succeeded"},
        "tags": {},
    }


# Networks a program looks up (often the default VPC and its subnets): plausible, deterministic ids
# derived from the region and the query, so the same program gets the same answer every run.
def _vpc_id(region: str, args: dict) -> str:
    return args.get("id") or f"vpc-{_digest(region, args.get('default'), args.get('filters'), args.get('tags'), length=17)}"


def _vpc(token: str, args: dict, provider: ProviderConfig) -> dict:
    region = _aws_region(token, args, provider)
    vpc_id = _vpc_id(region, args)
    return {"id": vpc_id, "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:vpc/{vpc_id}", "cidrBlock": "172.31.0.0/16",
            "default": bool(args.get("default")), "ownerId": ACCOUNT_ID, "region": region, "state": "available",
            "enableDnsHostnames": True, "enableDnsSupport": True, "instanceTenancy": "default",
            "tags": args.get("tags") or {}}


def _vpcs(token: str, args: dict, provider: ProviderConfig) -> dict:
    region = _aws_region(token, args, provider)
    return {"id": region, "ids": [_vpc_id(region, args)], "region": region}


def _subnet_ids(region: str, args: dict) -> list[str]:
    return [f"subnet-{_digest(region, letter, args.get('filters'), args.get('tags'), length=17)}" for letter in "abc"]


def _subnets(token: str, args: dict, provider: ProviderConfig) -> dict:
    region = _aws_region(token, args, provider)
    return {"id": region, "ids": _subnet_ids(region, args), "region": region}


def _subnet(token: str, args: dict, provider: ProviderConfig) -> dict:
    region = _aws_region(token, args, provider)
    subnet_id = args.get("id") or _subnet_ids(region, args)[0]
    zone = args.get("availabilityZone") or f"{region}a"
    return {"id": subnet_id, "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:subnet/{subnet_id}",
            "vpcId": args.get("vpcId") or _vpc_id(region, {"default": True}), "availabilityZone": zone,
            "cidrBlock": args.get("cidrBlock") or "172.31.0.0/20", "ownerId": ACCOUNT_ID, "region": region,
            "state": "available", "mapPublicIpOnLaunch": False, "tags": args.get("tags") or {}}


def _security_group(token: str, args: dict, provider: ProviderConfig) -> dict:
    region = _aws_region(token, args, provider)
    group_id = args.get("id") or f"sg-{_digest(region, args.get('name'), args.get('filters'), length=17)}"
    return {"id": group_id, "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:security-group/{group_id}",
            "name": args.get("name") or "default", "description": "looked up offline",
            "vpcId": args.get("vpcId") or _vpc_id(region, {"default": True}), "region": region,
            "tags": args.get("tags") or {}}


def _role(token: str, args: dict, provider: ProviderConfig) -> dict:
    name = args["name"]
    return {"id": name, "name": name, "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}", "path": "/",
            "assumeRolePolicy": "{}", "uniqueId": f"AROA{_digest(name, length=17).upper()}", "tags": {}}


def _aks_user_credentials(token: str, args: dict, provider: ProviderConfig) -> dict:
    """An exec-format kubeconfig naming the cluster, as AKS returns it base64-encoded; no credential."""
    name = args.get("resourceName") or "cluster"
    config = json.dumps({"apiVersion": "v1", "kind": "Config", "current-context": name,
                         "clusters": [{"name": name, "cluster": {"server": f"https://{name}.offline.invalid:443"}}],
                         "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
                         "users": [{"name": name, "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                                                    "command": "kubelogin"}}}]}, sort_keys=True)
    return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(config.encode()).decode()}]}


def _route53_zone(token: str, args: dict, provider: ProviderConfig) -> dict:
    """A hosted zone looked up by name or id: the name as asked, an id and name servers from it."""
    name = (args.get("name") or "").rstrip(".") or f"zone-{_digest(args.get('zoneId'), length=6)}.example"
    zone_id = args.get("zoneId") or "Z" + _digest(name, args.get("privateZone"), length=20).upper()
    return {"id": zone_id, "zoneId": zone_id, "name": name, "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
            "privateZone": bool(args.get("privateZone")), "vpcId": args.get("vpcId"), "comment": "looked up offline",
            "callerReference": f"offline-preview-{_digest(name, length=8)}",
            "nameServers": [f"ns-{n}.awsdns-offline.{tld}" for n, tld in ((1, "com"), (2, "net"), (3, "org"), (4, "co.uk"))],
            "primaryNameServer": "ns-1.awsdns-offline.com", "tags": args.get("tags") or {}}


def _cluster_auth(token: str, args: dict, provider: ProviderConfig) -> dict:
    name = args["name"]
    return {"id": name, "name": name, "token": f"k8s-aws-v1.offline-preview-{_digest(name, length=16)}"}


def _client_token(token: str, args: dict, provider: ProviderConfig) -> dict:
    return {"token": "offline-preview-access-token"}


def _storage_account_keys(token: str, args: dict, provider: ProviderConfig) -> dict:
    """Two full-permission keys, as an account has; deterministic, plainly not real."""
    account = args.get("accountName")
    return {"keys": [{"keyName": name, "permissions": "FULL",
                      "value": base64.b64encode(f"offline-preview-{name}-{_digest(account, name, length=24)}".encode()).decode()}
                     for name in ("key1", "key2")]}


def _classic_client_config(token: str, args: dict, provider: ProviderConfig) -> dict:
    config = _client_config(token, args, provider)
    return {**config, "id": f"clientConfigs/clientId={config['clientId']};objectId={OBJECT_ID};"
                            f"subscriptionId={config['subscriptionId']};tenantId={config['tenantId']}"}


_ANSWERS: dict[str, _Answer] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:ec2/getAmi:getAmi": _ami,
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:iam/getRole:getRole": _role,
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getVpcs:getVpcs": _vpcs,
    "aws:ec2/getSubnets:getSubnets": _subnets,
    "aws:ec2/getSubnet:getSubnet": _subnet,
    "aws:ec2/getSecurityGroup:getSecurityGroup": _security_group,
    "aws:route53/getZone:getZone": _route53_zone,
    "aws:eks/getClusterAuth:getClusterAuth": _cluster_auth,
    "azure-native:authorization:getClientConfig": _client_config,
    "azure-native:authorization:getClientToken": _client_token,
    "azure-native:storage:listStorageAccountKeys": _storage_account_keys,
    "azure:core/getClientConfig:getClientConfig": _classic_client_config,
    "azure-native:resources:getResourceGroup": _resource_group,
    "azure-native:containerservice:listManagedClusterUserCredentials": _aks_user_credentials,
}

ANSWERED_TOKENS = frozenset(_ANSWERS)


def _aws_arn(type_: str, resource_id: str, provider: ProviderConfig) -> str:
    module = type_.split(":")[1]  # "ec2/instance" in "aws:ec2/instance:Instance"
    service, _, kind = module.partition("/")
    if service == "s3":
        return f"arn:aws:s3:::{resource_id}"
    region = "" if service == "iam" else provider.get("region") or ""
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{kind}/{resource_id}"


def _azure_name(type_: str, logical_name: str, inputs: dict) -> str:
    """Azure-native resources output their Azure `name`, mostly given as `<type>Name` (ResourceGroup:
    `resourceGroupName`). `resourceName` is not used: for child resources (AgentPool) it names the
    parent. Without a name input the provider would auto-name; we use the logical name."""
    kind = type_.rsplit(":", 1)[-1]
    own = kind[:1].lower() + kind[1:] + "Name"
    for key in (own, "name"):
        if isinstance(inputs.get(key), str):
            return inputs[key]
    # `resourceName` is the resource's own name only for types without a `<type>Name` input
    # (ManagedCluster); for child resources (AgentPool, which has `agentPoolName`) it names the parent.
    if isinstance(inputs.get("resourceName"), str) and not _takes_input(type_, own):
        return inputs["resourceName"]
    return logical_name


@functools.cache
def _takes_input(type_: str, wire_name: str) -> bool:
    """Whether the azure-native SDK's class for `type_` has the input `wire_name` (camelCase)."""
    module, kind = type_.split(":")[1:]
    cls = getattr(importlib.import_module(f"pulumi_azure_native.{module}"), kind)
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", wire_name).lower()
    return snake in init_parameters(cls)


def resource_state(type_: str, name: str, inputs: dict, provider: ProviderConfig, read_id: str = "") -> dict:
    """The output state of a custom resource as a preview sees it: its inputs, plus what programs
    commonly read that follows from them. Outputs only the cloud computes (an ARN, an IP) are left
    out, which the SDK resolves as unknown at preview; a resource read by id (`.get`) exists, so
    its ARN is known."""
    state = dict(inputs)
    package = type_.split(":", 1)[0]
    if package == "aws" and read_id and not type_.startswith("pulumi:providers:"):
        state.setdefault("arn", _aws_arn(type_, read_id, unwrap_secrets(provider)))
    elif package == "azure-native":
        state.setdefault("name", _azure_name(type_, name, inputs))
    return state


def stack_reference_state(stack_name: object, exports: dict[str, dict]) -> dict:
    """A `StackReference`'s state: the other stack's outputs as the user passed them, else unknown
    (as at preview before that stack is read)."""
    outputs = exports.get(stack_name) if isinstance(stack_name, str) else None
    return {"name": stack_name, "outputs": UNKNOWN if outputs is None else outputs, "secretOutputNames": []}


def answer_invoke(token: str, args: dict, provider: ProviderConfig) -> tuple[dict | None, str]:
    """The result of invoke `token` in wire (camelCase) names, None when it is unknown, and how it
    was answered (LOOKUP_*); `UnansweredInvoke` when a real preview would fail too."""
    args, provider = unwrap_secrets(args), unwrap_secrets(provider)
    result_type = shapes.invoke_result_type(token)
    answer = _ANSWERS.get(token) or clouds.offline_answer(token)  # a cloud adapter's own answers
    if answer is not None:
        try:
            result = {key: value for key, value in answer(token, args, provider).items() if value is not None}
        except _NotEmulated:
            pass
        except LookupError as missing:  # the lookup needs a setting the stack does not configure
            raise UnansweredInvoke(token, str(missing)) from None
        else:
            return (shapes.fitted(result, output_property_types(result_type), misfit=None) if result_type else result), LOOKUP_SPECIFIC
    if result_type is None:
        return None, LOOKUP_UNKNOWN
    return shapes.shaped_answer(result_type, args), LOOKUP_GENERIC

