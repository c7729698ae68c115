"""AWS lookups answered offline (availability zones, identity, AMIs, SSM parameters, IAM policy
documents and roles, default VPCs, subnets, security groups, Route 53 zones, EKS cluster auth) and
the ARN of a resource read by id."""

from __future__ import annotations

import json

from gpufleet.clouds.offline import Answer, NotEmulated, ProviderConfig, UnansweredInvoke, digest

ACCOUNT_ID = "123456789012"

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


def _fake_ami_id(region: str, query: object) -> str:
    return "ami-" + digest(region, query, length=17)


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
    value = _fake_ami_id(region, name) if looks_like_ami else f"offline-preview-{digest(region, name, length=8)}"
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
        raise NotEmulated("merging source or override policy documents")
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = [_statement(s) for s in args.get("statements") or ()]
    text = json.dumps(document, indent=2)
    return {
        "id": digest(document, length=10),
        "json": text,
        "minifiedJson": json.dumps(document, separators=(",", ":")),
        "statements": args.get("statements"),
        "version": document["Version"],
        "policyId": args.get("policyId"),
    }


# Networks a program looks up (often the default VPC and its subnets): plausible, deterministic ids
# derived from the region and the query, so the same program gets the same answer every run.
def _vpc_id(region: str, args: dict) -> str:
    return args.get("id") or f"vpc-{digest(region, args.get('default'), args.get('filters'), args.get('tags'), length=17)}"


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
    return [f"subnet-{digest(region, letter, args.get('filters'), args.get('tags'), length=17)}" for letter in "abc"]


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
    group_id = args.get("id") or f"sg-{digest(region, args.get('name'), args.get('filters'), length=17)}"
    return {"id": group_id, "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:security-group/{group_id}",
            "name": args.get("name") or "default", "description": "looked up offline",
            "vpcId": args.get("vpcId") or _vpc_id(region, {"default": True}), "region": region,
            "tags": args.get("tags") or {}}


def _role(token: str, args: dict, provider: ProviderConfig) -> dict:
    name = args["name"]
    return {"id": name, "name": name, "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}", "path": "/",
            "assumeRolePolicy": "{}", "uniqueId": f"AROA{digest(name, length=17).upper()}", "tags": {}}


def _route53_zone(token: str, args: dict, provider: ProviderConfig) -> dict:
    """A hosted zone looked up by name or id: the name as asked, an id and name servers from it."""
    name = (args.get("name") or "").rstrip(".") or f"zone-{digest(args.get('zoneId'), length=6)}.example"
    zone_id = args.get("zoneId") or "Z" + digest(name, args.get("privateZone"), length=20).upper()
    return {"id": zone_id, "zoneId": zone_id, "name": name, "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
            "privateZone": bool(args.get("privateZone")), "vpcId": args.get("vpcId"), "comment": "looked up offline",
            "callerReference": f"offline-preview-{digest(name, length=8)}",
            "nameServers": [f"ns-{n}.awsdns-offline.{tld}" for n, tld in ((1, "com"), (2, "net"), (3, "org"), (4, "co.uk"))],
            "primaryNameServer": "ns-1.awsdns-offline.com", "tags": args.get("tags") or {}}


def _cluster_auth(token: str, args: dict, provider: ProviderConfig) -> dict:
    name = args["name"]
    return {"id": name, "name": name, "token": f"k8s-aws-v1.offline-preview-{digest(name, length=16)}"}


ANSWERS: dict[str, Answer] = {
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
}


def _arn(type_: str, resource_id: str, provider: ProviderConfig) -> str:
    module = type_.split(":")[1]  # "ec2/instance" in "aws:ec2/instance:Instance"
    service, _, kind = module.partition("/")
    if service == "s3":
        return f"arn:aws:s3:::{resource_id}"
    region = "" if service == "iam" else provider.get("region") or ""
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{kind}/{resource_id}"


def preview_state(type_: str, name: str, inputs: dict, provider: ProviderConfig, read_id: str) -> dict:
    """A resource read by id (`.get`) exists, so its ARN is known."""
    return {"arn": _arn(type_, read_id, provider)} if read_id else {}
