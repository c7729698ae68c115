"""gpufleet-storage-no-public-access: no public buckets, containers, ACLs, bucket policies granting *, or
publicly accessible databases."""

from __future__ import annotations

import json

from pulumi_policy import Severity

from gpufleet_policies._define import resource_policy
from gpufleet_policies._values import as_list, get, is_unknown, plain, truthy

NAME = "gpufleet-storage-no-public-access"

PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers",
                   "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
BUCKETS = {"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"}
BUCKET_ACLS = {"aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"}
OBJECTS = {"aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2"}
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _acl(findings, acl, path: str) -> None:
    if is_unknown(acl):
        findings.cannot_verify(f"{path}: not known at preview")
    elif acl in PUBLIC_ACLS:
        findings.violation(f"{path} is {acl!r}: anyone can read the data. Fix: use 'private' (or no ACL).")


def _grants(findings, grants, path: str) -> None:
    for i, grant in enumerate(as_list(grants)):
        uri = get(grant, "grantee", "uri") or get(grant, "uri")
        if uri in PUBLIC_GRANTEES:
            findings.violation(f"{path}[{i}] grants {get(grant, 'permission') or 'access'} to {uri}. "
                               "Fix: remove the public grant.")


def _principal_is_public(principal) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(_principal_is_public(v) or (isinstance(v, list) and "*" in v) for v in principal.values())
    return isinstance(principal, list) and "*" in principal


def _policy(findings, document, path: str) -> None:
    if is_unknown(document):
        findings.cannot_verify(f"{path}: not known at preview")
        return
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            findings.cannot_verify(f"{path}: not a JSON policy document")
            return
    for i, st in enumerate(as_list(get(document, "Statement")) or [get(document, "Statement")]):
        if isinstance(st, dict) and st.get("Effect") == "Allow" and _principal_is_public(st.get("Principal")) \
                and not st.get("Condition"):
            findings.violation(
                f"{path} Statement[{i}] allows {st.get('Action')!r} to Principal '*' without a condition: the "
                "bucket is public. Fix: name the principals (accounts, roles), or add a condition such as "
                "aws:SourceVpce or aws:PrincipalOrgID."
            )


def check(args, config, findings) -> None:
    t = args.resource_type
    props = plain(args.props)
    if t in BUCKETS:
        if props.get("acl") is not None:
            _acl(findings, props.get("acl"), "acl")
        _grants(findings, props.get("grants"), "grants")
        if props.get("policy") is not None:
            _policy(findings, props.get("policy"), "policy")
    elif t in BUCKET_ACLS:
        if props.get("acl") is not None:
            _acl(findings, props.get("acl"), "acl")
        _grants(findings, get(props, "accessControlPolicy", "grants"), "accessControlPolicy.grants")
    elif t in OBJECTS and props.get("acl") is not None:
        _acl(findings, props.get("acl"), "acl")
    elif t == "aws:s3/bucketPolicy:BucketPolicy":
        _policy(findings, props.get("policy"), "policy")
    elif t in ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
               "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"):
        unknown = [f for f in BLOCK_FLAGS if is_unknown(props.get(f))]
        off = [f for f in BLOCK_FLAGS if f not in unknown and not truthy(props.get(f))]
        if unknown:
            findings.cannot_verify(f"{', '.join(unknown)}: not known at preview")
        if off:
            findings.violation(
                f"public access block leaves {', '.join(off)} off (unset means false): public ACLs or policies "
                f"can expose the data. Fix: set all of {', '.join(BLOCK_FLAGS)} to True."
            )
    elif t in ("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance"):
        value = props.get("publiclyAccessible")
        if is_unknown(value):
            findings.cannot_verify("publiclyAccessible: not known at preview")
        elif truthy(value):
            findings.violation("publiclyAccessible is True: the database gets a public DNS name and address, "
                               "reachable from the internet. Fix: publicly_accessible=False; reach it from the "
                               "VPC, a bastion or a VPN.")
    elif t == "azure-native:storage:StorageAccount":
        value = props.get("allowBlobPublicAccess")
        if is_unknown(value):
            findings.cannot_verify("allowBlobPublicAccess: not known at preview")
        elif truthy(value):
            findings.violation("allowBlobPublicAccess is True: containers in the account can be made public. "
                               "Fix: allow_blob_public_access=False.")
    elif t == "azure-native:storage:BlobContainer":
        value = props.get("publicAccess")
        if is_unknown(value):
            findings.cannot_verify("publicAccess: not known at preview")
        elif value in ("Blob", "Container"):
            findings.violation(f"publicAccess is {value!r}: anyone can read its blobs"
                               f"{' and list them' if value == 'Container' else ''}. Fix: public_access='None'.")


POLICY = resource_policy(
    NAME,
    "Data is never public: no public S3 ACLs, grants or bucket policies granting '*', every public access "
    "block fully on, no public Azure blob access or containers, no publicly accessible RDS databases.",
    check,
    area="safety",
    severity=Severity.CRITICAL,
    remediation="Remove public ACLs, grants and '*' principals; turn every public access block flag on; set "
                "Azure allowBlobPublicAccess False and container publicAccess None; RDS publiclyAccessible False.",
)
