"""gpufleet-storage-protected-or-retained: data-bearing storage cannot be deleted by a Pulumi operation.

The Analyzer protocol sends a resource's `protect` option but not `retainOnDelete` (pulumi 3.272,
`AnalyzerResourceOptions`), so a policy cannot see retain-on-delete; it accepts `protect` or a
cloud-side safeguard it can see in the inputs.
"""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import resource_policy
from gpufleet_policies._values import falsy, is_unknown, plain, truthy

NAME = "gpufleet-storage-protected-or-retained"


def _s3(props):
    force = props.get("forceDestroy")
    if is_unknown(force):
        return None
    return None if truthy(force) else "S3 refuses to delete a non-empty bucket without forceDestroy"


def _ebs(props):
    return "a final snapshot is taken on delete" if truthy(props.get("finalSnapshot")) else None


def _fsx_lustre(props):
    persistent = str(props.get("deploymentType") or "").startswith("PERSISTENT")
    return "a final backup is kept on delete" if persistent and falsy(props.get("skipFinalBackup")) else None


def _gcp_deletion_policy(props):
    """pulumi-gcp 10: `deletionPolicy` PREVENT makes a destroy fail; ABANDON leaves the resource in place."""
    policy = props.get("deletionPolicy")
    return f"deletionPolicy {policy} keeps it on destroy" if policy in ("PREVENT", "ABANDON") else None


def _gcs(props):
    return _gcp_deletion_policy(props) or _s3(props)


# type -> (what it holds, cloud-side safeguard it may declare instead of protect, fix hint)
DATA_TYPES = {
    "aws:s3/bucket:Bucket": ("bucket", _s3, "or leave forceDestroy unset"),
    "aws:s3/bucketV2:BucketV2": ("bucket", _s3, "or leave forceDestroy unset"),
    "aws:ebs/volume:Volume": ("volume", _ebs, "or finalSnapshot True"),
    "aws:efs/fileSystem:FileSystem": ("file system", None, ""),
    "aws:fsx/lustreFileSystem:LustreFileSystem": ("file system", _fsx_lustre,
                                                  "or a PERSISTENT deployment with skipFinalBackup False"),
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": ("file system", None, ""),
    "aws:fsx/ontapFileSystem:OntapFileSystem": ("file system", None, ""),
    "azure-native:storage:StorageAccount": ("storage account", None, ""),
    "azure-native:storagecache:AmlFilesystem": ("file system", None, ""),
    "azure-native:compute:Disk": ("disk", None, ""),
    "gcp:storage/bucket:Bucket": ("bucket", _gcs, "or leave forceDestroy unset, or deletionPolicy 'PREVENT'"),
    "gcp:lustre/instance:Instance": ("file system", _gcp_deletion_policy, "or deletionPolicy 'PREVENT'"),
    "gcp:filestore/instance:Instance": ("file system", _gcp_deletion_policy, "or deletionPolicy 'PREVENT'"),
    "gcp:compute/disk:Disk": ("disk", _gcp_deletion_policy, "or deletionPolicy 'PREVENT'"),
}


def check(args, config, findings) -> None:
    entry = DATA_TYPES.get(args.resource_type)
    if entry is None or args.opts.protect:
        return
    kind, safeguard, alternative = entry
    props = plain(args.props)
    if safeguard is not None and safeguard(props):
        return
    if args.resource_type in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "gcp:storage/bucket:Bucket") \
            and is_unknown(props.get("forceDestroy")):
        findings.cannot_verify("forceDestroy: not known at preview")
        return
    findings.violation(
        f"this {kind} holds data but is not protected: a destroy or replacement deletes it. Fix: "
        f"opts=ResourceOptions(protect=True){' ' + alternative if alternative else ''}. (retain_on_delete "
        "alone is not visible to policy packs: the Analyzer protocol carries protect, not retainOnDelete.)"
    )


POLICY = resource_policy(
    NAME,
    "Data-bearing storage (buckets, volumes, file systems, storage accounts, disks) is protected from "
    "deletion: protect=True, or a cloud-side safeguard such as a final snapshot or backup.",
    check,
    area="safety",
    severity=Severity.HIGH,
    remediation="Set protect=True on data-bearing storage (retainOnDelete is not sent to policy packs).",
)
