"""gpufleet-storage-encryption-at-rest: volumes, file systems, buckets, databases and storage accounts
state their encryption at rest.

The policy cannot see account-level defaults (EBS encryption by default, S3 default encryption), so
each data store must declare it. FSx for Lustre and Azure Managed Lustre encrypt at rest always, and
Azure managed disks always use server-side encryption: nothing to check there.
"""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import StackPlan, stack_plan
from gpufleet_policies._values import as_list, get, is_unknown, truthy

NAME = "gpufleet-storage-encryption-at-rest"

BUCKETS = {"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"}
RDS = {"aws:rds/instance:Instance": "RDS database", "aws:rds/cluster:Cluster": "RDS/Aurora cluster"}
SSE_CONFIGS = frozenset({"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
               "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"})


def _flag(findings, urn, value, path: str, what: str, fix: str) -> None:
    if is_unknown(value):
        findings.cannot_verify(f"{urn.rsplit('::', 1)[-1]}: {path} not known at preview")
    elif not truthy(value):
        shown = "not set" if value is None else repr(value)
        findings.violation(f"{what} is not encrypted at rest: {path} is {shown}. Fix: {fix}.", urn)


def _sse_algorithms(rules) -> list:
    return [get(r, "applyServerSideEncryptionByDefault", "sseAlgorithm") for r in as_list(rules)]


def _bucket(findings, bucket, plan: StackPlan) -> None:
    props = plan.inputs[bucket.urn]
    inline = _sse_algorithms(as_list(get(props, "serverSideEncryptionConfiguration", "rules")) or
                             [get(props, "serverSideEncryptionConfiguration", "rule")])
    configs = plan.attached(bucket, SSE_CONFIGS, "bucket", plan.names_of(bucket, "bucket"))
    algorithms = inline + [a for c in configs for a in _sse_algorithms(get(plan.inputs[c.urn], "rules"))]
    if any(isinstance(a, str) and a and not is_unknown(a) for a in algorithms):
        return
    if any(is_unknown(a) for a in algorithms):
        findings.cannot_verify(f"{bucket.name}: server-side encryption algorithm not known at preview")
        return
    findings.violation(
        "bucket declares no server-side encryption. Fix: add an aws.s3.BucketServerSideEncryptionConfiguration "
        "for it (sse_algorithm 'aws:kms' with a KMS key, or 'AES256').", bucket.urn)


def _storage_account(findings, account, props) -> None:
    encryption = props.get("encryption")
    if is_unknown(encryption):
        findings.cannot_verify(f"{account.name}: encryption not known at preview")
        return
    if not isinstance(encryption, dict):
        findings.violation("storage account declares no encryption. Fix: encryption={'key_source': "
                           "'Microsoft.Storage' (or 'Microsoft.Keyvault'), 'services': {'blob': {'enabled': True, "
                           "'key_type': 'Account'}, 'file': {'enabled': True, 'key_type': 'Account'}}}.", account.urn)
        return
    off = [name for name, svc in (get(encryption, "services") or {}).items()
           if isinstance(svc, dict) and get(svc, "enabled") is False]
    if off:
        findings.violation(f"storage account turns encryption off for {', '.join(sorted(off))}. Fix: enabled "
                           "True for every service.", account.urn)


def check(args, config, findings) -> None:
    plan = stack_plan(args.resources)
    for r in plan.resources:
        t = r.resource_type
        if t in BUCKETS:
            _bucket(findings, r, plan)
        elif t == "azure-native:storage:StorageAccount":
            _storage_account(findings, r, plan.inputs[r.urn])
        elif t == "aws:ebs/volume:Volume":
            _flag(findings, r.urn, plan.inputs[r.urn].get("encrypted"), "encrypted", "EBS volume", "encrypted=True")
        elif t == "aws:efs/fileSystem:FileSystem":
            _flag(findings, r.urn, plan.inputs[r.urn].get("encrypted"), "encrypted", "EFS file system", "encrypted=True")
        elif t in RDS:
            props = plan.inputs[r.urn]
            # A read replica takes its source's encryption; Aurora Serverless v1 always encrypts.
            if props.get("replicateSourceDb") is None and props.get("engineMode") != "serverless":
                _flag(findings, r.urn, props.get("storageEncrypted"), "storageEncrypted", RDS[t],
                      "storage_encrypted=True (with kms_key_id for a customer-managed key)")
        elif t == "aws:ec2/launchTemplate:LaunchTemplate":
            props = plan.inputs[r.urn]
            for i, m in enumerate(as_list(props.get("blockDeviceMappings"))):
                if get(m, "ebs") is not None:
                    _flag(findings, r.urn, get(m, "ebs", "encrypted"), f"blockDeviceMappings[{i}].ebs.encrypted",
                          f"volume {get(m, 'deviceName') or i}", "ebs={'encrypted': 'true', …}")
        elif t in ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest"):
            props = plan.inputs[r.urn]
            if props.get("rootBlockDevice") is not None:
                _flag(findings, r.urn, get(props, "rootBlockDevice", "encrypted"), "rootBlockDevice.encrypted",
                      "root volume", "root_block_device={'encrypted': True, …}")
            for i, d in enumerate(as_list(props.get("ebsBlockDevices"))):
                _flag(findings, r.urn, get(d, "encrypted"), f"ebsBlockDevices[{i}].encrypted",
                      f"volume {get(d, 'deviceName') or i}", "encrypted=True")


POLICY = stack_policy(
    NAME,
    "EBS volumes, EFS file systems, launch-template and instance volumes, S3 buckets, RDS databases and "
    "Azure storage accounts declare encryption at rest.",
    check,
    area="safety",
    severity=Severity.HIGH,
    remediation="Declare encryption: encrypted=True on volumes and file systems, a server-side encryption "
                "configuration on buckets, storageEncrypted on RDS databases, an encryption block on storage accounts.",
)
