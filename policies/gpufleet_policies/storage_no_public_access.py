"""gpufleet-storage-no-public-access: no public buckets, containers, ACLs, bucket policies granting *, IAM
grants (on a bucket or a whole GCP project) to allUsers / allAuthenticatedUsers, or publicly accessible
databases (RDS, Cloud SQL open to 0.0.0.0/0)."""

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


# Condition keys that pin who (or from where) may act, as S3 judges a policy "public" (Amazon S3 User
# Guide, "Blocking public access to your Amazon S3 storage", The meaning of "public"): a statement to
# Principal "*" is not public when one of these has fixed values (no wildcard; not 0.0.0.0/0). Any other
# condition (aws:SecureTransport, s3:prefix, dates, …) restricts how, not who: the bucket stays public.
RESTRICTING_KEYS = {k.lower() for k in (
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:userid",
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOwner", "aws:SourceOrgID", "aws:SourceOrgPaths",
    "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp", "s3:DataAccessPointAccount", "s3:DataAccessPointArn",
    "s3:x-amz-server-side-encryption-aws-kms-key-id")}
_NEGATED = ("StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike", "NotIpAddress")


def _fixed(key: str, values) -> bool:
    values = values if isinstance(values, list) else [values]  # a condition value may be one string
    if not values or not all(isinstance(v, str) for v in values):
        return False
    if any("*" in v or "?" in v for v in values):
        return False
    return not (key == "aws:sourceip" and any(v.endswith("/0") for v in values))


def _restricts_principal(condition) -> bool:
    """True when a statement's Condition pins who may act (see RESTRICTING_KEYS)."""
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        if not isinstance(operator, str) or not isinstance(block, dict):
            continue
        if operator.endswith("IfExists") or operator.startswith(_NEGATED) or operator.startswith("ForAnyValue:Not"):
            continue  # absent keys pass an IfExists test; a negation excludes some, the rest of the world stays
        if any(isinstance(key, str) and key.lower() in RESTRICTING_KEYS and _fixed(key.lower(), values)
               for key, values in block.items()):
            return True
    return False


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
                and not _restricts_principal(st.get("Condition")):
            unless = (" with a condition that does not restrict who may act "
                      f"({', '.join(sorted(k for b in st['Condition'].values() if isinstance(b, dict) for k in b))})"
                      if isinstance(st.get("Condition"), dict) and st["Condition"] else " without a condition")
            findings.violation(
                f"{path} Statement[{i}] allows {st.get('Action')!r} to Principal '*'{unless}: the bucket is "
                "public. Fix: name the principals (accounts, roles), or add a condition with fixed values of "
                "aws:SourceVpce, aws:PrincipalOrgID or aws:PrincipalAccount."
            )


# Cloud Storage: the principals that mean "anyone" (IAM members and ACL entities alike), the predefined ACLs
# that grant them (JSON API names and the XML API names the provider also accepts), and where each type
# names its principals.
GCS_PUBLIC = ("allUsers", "allAuthenticatedUsers")
GCS_PUBLIC_ACLS = {"publicRead", "publicReadWrite", "authenticatedRead",
                   "public-read", "public-read-write", "authenticated-read"}
GCS_MEMBER = {"gcp:storage/bucketIAMMember:BucketIAMMember": "member",
              "gcp:storage/managedFolderIamMember:ManagedFolderIamMember": "member",
              "gcp:storage/bucketAccessControl:BucketAccessControl": "entity",
              "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl": "entity",
              "gcp:storage/objectAccessControl:ObjectAccessControl": "entity"}
GCS_MEMBERS = {"gcp:storage/bucketIAMBinding:BucketIAMBinding", "gcp:storage/managedFolderIamBinding:ManagedFolderIamBinding"}
GCS_POLICIES = {"gcp:storage/bucketIAMPolicy:BucketIAMPolicy", "gcp:storage/managedFolderIamPolicy:ManagedFolderIamPolicy"}
GCS_ACLS = {"gcp:storage/bucketACL:BucketACL", "gcp:storage/objectACL:ObjectACL",
            "gcp:storage/defaultObjectACL:DefaultObjectACL", "gcp:storage/bucketObject:BucketObject"}
GCS_FIX = "Fix: grant named principals (users, groups, service accounts), and set the bucket's " \
          "public_access_prevention to 'enforced'."
# A project's IAM: a role granted there reaches every resource of the project it covers (every bucket,
# secret, instance…), so a public principal there is public data at the scale of the project.
PROJECT_MEMBER = {"gcp:projects/iAMMember:IAMMember": "member"}
PROJECT_MEMBERS = {"gcp:projects/iAMBinding:IAMBinding"}
PROJECT_POLICIES = {"gcp:projects/iAMPolicy:IAMPolicy"}
PROJECT_FIX = "Fix: grant the role to named principals (users, groups, service accounts) on the resources " \
              "they need, never to allUsers or allAuthenticatedUsers on the project."


def _gcs_principal(findings, principal, path: str, role, what: str = "the data", fix: str = GCS_FIX) -> None:
    if is_unknown(principal):
        findings.cannot_verify(f"{path}: not known at preview")
    elif principal in GCS_PUBLIC:
        findings.violation(f"{path} grants {role or 'access'} to {principal}: anyone"
                           f"{' with a Google account' if principal == 'allAuthenticatedUsers' else ''} can reach "
                           f"{what}. {fix}")


def _gcp_project_iam(findings, t: str, props: dict) -> None:
    what = f"every resource of project {props['project']!r} the role covers" if isinstance(
        props.get("project"), str) else "every resource of the project the role covers"
    if t in PROJECT_MEMBER:
        _gcs_principal(findings, props.get("member"), "member", props.get("role"), what, PROJECT_FIX)
    elif t in PROJECT_MEMBERS:
        _iam_members(findings, props, what, PROJECT_FIX)
    else:
        _iam_policy(findings, props, what, PROJECT_FIX)


def _iam_members(findings, props: dict, what: str, fix: str) -> None:
    members = props.get("members")
    if is_unknown(members):
        findings.cannot_verify("members: not known at preview")
    for i, member in enumerate(as_list(members)):
        _gcs_principal(findings, member, f"members[{i}]", props.get("role"), what, fix)


def _iam_policy(findings, props: dict, what: str, fix: str) -> None:
    document = props.get("policyData")
    if is_unknown(document):
        findings.cannot_verify("policyData: not known at preview")
        return
    try:
        document = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        findings.cannot_verify("policyData: not a JSON IAM policy")
        return
    for i, binding in enumerate(as_list(get(document, "bindings"))):
        for j, member in enumerate(as_list(get(binding, "members"))):
            _gcs_principal(findings, member, f"policyData.bindings[{i}].members[{j}]", get(binding, "role"), what, fix)


def _cloud_sql(findings, props: dict) -> None:
    """A Cloud SQL instance with a public IP (`ipv4Enabled`, on unless set False) whose authorized networks
    include a /0 range admits connections from any address on the internet."""
    ip = get(props, "settings", "ipConfiguration")
    ipv4 = get(ip, "ipv4Enabled") if isinstance(ip, dict) else None
    if is_unknown(ipv4):
        findings.cannot_verify("settings.ipConfiguration.ipv4Enabled: not known at preview")
    if ipv4 is False or not isinstance(ip, dict):
        return
    networks = ip.get("authorizedNetworks")
    if is_unknown(networks):
        findings.cannot_verify("settings.ipConfiguration.authorizedNetworks: not known at preview")
    for i, network in enumerate(as_list(networks)):
        value = get(network, "value")
        path = f"settings.ipConfiguration.authorizedNetworks[{i}].value"
        if is_unknown(value):
            findings.cannot_verify(f"{path}: not known at preview")
        elif isinstance(value, str) and value.strip().endswith("/0"):
            findings.violation(f"{path} is {value!r}: the database's public IP accepts connections from any "
                               "address. Fix: authorize only the networks that need it, or set ipv4_enabled=False "
                               "and connect through private_network (private IP) or the Cloud SQL Auth Proxy.")


def _gcs(findings, t: str, props: dict) -> None:
    if t in GCS_MEMBER:
        key = GCS_MEMBER[t]
        _gcs_principal(findings, props.get(key), key, props.get("role"))
    elif t in GCS_MEMBERS:
        _iam_members(findings, props, "the data", GCS_FIX)
    elif t in GCS_POLICIES:
        _iam_policy(findings, props, "the data", GCS_FIX)
    elif t in GCS_ACLS:
        for key in ("predefinedAcl", "defaultAcl"):
            acl = props.get(key)
            if is_unknown(acl):
                findings.cannot_verify(f"{key}: not known at preview")
            elif acl in GCS_PUBLIC_ACLS:
                findings.violation(f"{key} is {acl!r}: anyone can read the data. {GCS_FIX}")
        entries = props.get("roleEntities")
        if is_unknown(entries):
            findings.cannot_verify("roleEntities: not known at preview")
        for i, entry in enumerate(as_list(entries)):
            role, _, entity = entry.partition(":") if isinstance(entry, str) else (None, "", entry)
            _gcs_principal(findings, entity, f"roleEntities[{i}]", role)


def _anyone_reads(findings, props: dict, key: str, what: str, public: tuple[str, str], fix: str) -> None:
    """A bucket or container whose `key` is public: `public[0]` lets anyone read `what`, `public[1]` list it too."""
    value = props.get(key)
    if is_unknown(value):
        findings.cannot_verify(f"{key}: not known at preview")
    elif value in public:
        findings.violation(f"{key} is {value!r}: anyone can read its {what}"
                           f"{' and list them' if value == public[1] else ''}. Fix: {fix}.")


def check(args, config, findings) -> None:
    t = args.resource_type
    props = plain(args.props)
    if t.startswith("gcp:storage/"):
        _gcs(findings, t, props)
    elif t in PROJECT_MEMBER or t in PROJECT_MEMBERS or t in PROJECT_POLICIES:
        _gcp_project_iam(findings, t, props)
    elif t == "gcp:sql/databaseInstance:DatabaseInstance":
        _cloud_sql(findings, props)
    elif t in BUCKETS:
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
    elif t in ("aws:s3/bucketPolicy:BucketPolicy", "coreweave:index/objectStorageBucketPolicy:ObjectStorageBucketPolicy"):
        _policy(findings, props.get("policy"), "policy")  # CoreWeave AI Object Storage takes S3 policy documents
    elif t == "oci:ObjectStorage/bucket:Bucket":
        _anyone_reads(findings, props, "accessType", "objects", ("ObjectReadWithoutList", "ObjectRead"),
                      "access_type='NoPublicAccess'")
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
    elif t == "azure:storage/account:Account":  # the classic provider (azurerm), found by review14c
        value = props.get("allowNestedItemsToBePublic")
        if is_unknown(value):
            findings.cannot_verify("allowNestedItemsToBePublic: not known at preview")
        elif value is None or truthy(value):
            shown = "unset (the provider defaults to true)" if value is None else "True"
            findings.violation(f"allowNestedItemsToBePublic is {shown}: containers in the account can be made public. "
                               "Fix: allow_nested_items_to_be_public=False.")
    elif t == "azure:storage/container:Container":
        _anyone_reads(findings, props, "containerAccessType", "blobs", ("blob", "container"),
                      "container_access_type='private'")
    elif t == "azure-native:storage:BlobContainer":
        _anyone_reads(findings, props, "publicAccess", "blobs", ("Blob", "Container"), "public_access='None'")


POLICY = resource_policy(
    NAME,
    "Data is never public: no public S3 ACLs, grants or bucket policies granting '*', every public access "
    "block fully on, no public Azure blob access or containers (azure-native and classic azure), no Cloud Storage or GCP project IAM grant or "
    "ACL to allUsers or allAuthenticatedUsers, no public OCI bucket, no CoreWeave bucket policy granting '*', "
    "no publicly accessible RDS databases, no Cloud SQL instance authorizing 0.0.0.0/0.",
    check,
    area="safety",
    severity=Severity.CRITICAL,
    remediation="Remove public ACLs, grants and '*' principals; turn every public access block flag on; set "
                "Azure allowBlobPublicAccess False and container publicAccess None (classic azure: "
                "allow_nested_items_to_be_public False, container_access_type private); grant Cloud Storage access to "
                "named principals only, and project roles never to allUsers/allAuthenticatedUsers; OCI bucket "
                "access_type NoPublicAccess; RDS publiclyAccessible False; Cloud SQL authorized networks narrower "
                "than /0, or private IP only.",
)
