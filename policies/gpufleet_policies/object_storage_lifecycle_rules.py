"""gpufleet-object-storage-lifecycle-rules: object storage has lifecycle rules, so checkpoints and
datasets move to colder tiers or expire instead of accumulating at full price."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import stack_plan
from gpufleet_policies._values import as_list, get, is_unknown, truthy

NAME = "gpufleet-object-storage-lifecycle-rules"

BUCKETS = {"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"}
LIFECYCLES = frozenset({"aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
              "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"})
MANAGEMENT_POLICIES = frozenset({"azure-native:storage:ManagementPolicy"})
BLOB_KINDS = {None, "StorageV2", "BlobStorage", "BlockBlobStorage", "Storage"}
OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
OCI_LIFECYCLE = frozenset({"oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy"})
COREWEAVE_BUCKET = "coreweave:index/objectStorageBucket:ObjectStorageBucket"
COREWEAVE_LIFECYCLE = frozenset({"coreweave:index/objectStorageBucketLifecycleConfiguration:"
                                 "ObjectStorageBucketLifecycleConfiguration"})


def _enabled_rules(rules, status_key: str) -> list:
    out = []
    for r in as_list(rules):
        status = get(r, status_key)
        if status_key == "status" and status == "Enabled" or status_key == "enabled" and truthy(status) \
                or is_unknown(status):
            out.append(status)
    return out


def check(args, config, findings) -> None:
    plan = stack_plan(args.resources)
    for r in plan.resources:
        props = plan.inputs[r.urn]
        if r.resource_type in BUCKETS:
            inline = _enabled_rules(props.get("lifecycleRules"), "enabled")
            configs = plan.attached(r, LIFECYCLES, "bucket", plan.names_of(r, "bucket"))
            rules = inline + [s for c in configs for s in _enabled_rules(get(plan.inputs[c.urn], "rules"), "status")]
            if any(not is_unknown(s) for s in rules):
                continue
            if rules:
                findings.cannot_verify(f"{r.name}: lifecycle rule status not known at preview")
                continue
            findings.violation(
                "bucket has no enabled lifecycle rule: objects accumulate at full price forever. Fix: add an "
                "aws.s3.BucketLifecycleConfiguration for it with an enabled rule (transition to a colder storage "
                "class, expire old objects and noncurrent versions).", r.urn)
        elif r.resource_type == "azure-native:storage:StorageAccount" and props.get("kind") in BLOB_KINDS:
            policies = plan.attached(r, MANAGEMENT_POLICIES, "accountName", plan.names_of(r, "accountName"))
            rules = [rule for p in policies for rule in as_list(get(plan.inputs[p.urn], "policy", "rules"))
                     if get(rule, "enabled") is not False]
            if rules:
                continue
            findings.violation(
                "storage account has no lifecycle management policy: blobs stay in their tier forever. Fix: add "
                "an azure_native.storage.ManagementPolicy for the account with an enabled rule (tier to cool or "
                "archive, delete after a retention period).", r.urn)
        elif r.resource_type == OCI_BUCKET:
            policies = plan.attached(r, OCI_LIFECYCLE, "bucket", plan.names_of(r, "name"))
            if any(get(rule, "isEnabled") is not False for p in policies for rule in as_list(get(plan.inputs[p.urn], "rules"))):
                continue
            findings.violation(
                "bucket has no enabled object lifecycle rule: objects stay in Standard forever. Fix: add an "
                "oci.objectstorage.ObjectLifecyclePolicy for it with an enabled rule (INFREQUENT_ACCESS or ARCHIVE "
                "after an age, DELETE old versions).", r.urn)
        elif r.resource_type == COREWEAVE_BUCKET:
            configs = plan.attached(r, COREWEAVE_LIFECYCLE, "bucket", plan.names_of(r, "name"))
            rules = [s for c in configs for s in _enabled_rules(get(plan.inputs[c.urn], "rules"), "status")]
            if any(not is_unknown(s) for s in rules):
                continue
            if rules:
                findings.cannot_verify(f"{r.name}: lifecycle rule status not known at preview")
                continue
            findings.violation(
                "bucket has no enabled lifecycle rule: abandoned uploads and old objects are kept forever. Fix: add "
                "a coreweave.ObjectStorageBucketLifecycleConfiguration for it with an enabled rule (expire old "
                "objects and noncurrent versions, abort incomplete uploads).", r.urn)
        elif r.resource_type == "gcp:storage/bucket:Bucket" and not as_list(props.get("lifecycleRules")):
            findings.violation("bucket has no lifecycle rule. Fix: add lifecycle_rules (set storage class, "
                               "delete after an age).", r.urn)


POLICY = stack_policy(
    NAME,
    "S3 buckets, Azure blob storage accounts, GCS, OCI and CoreWeave buckets have lifecycle rules.",
    check,
    area="safety",
    severity=Severity.LOW,
    remediation="Add a lifecycle configuration (S3, CoreWeave), management policy (Azure), lifecycle rules (GCS) or an "
    "object lifecycle policy (OCI).",
)
