"""`StorageTiers`: a hot parallel file system sized from the GPUs it feeds, and tiered object storage."""

from typing import Optional

import pulumi

from gpufleet.components.args import StorageTiersArgs
from gpufleet.components.declarer import declarer
from gpufleet.components.preflight import plan_storage_tiers, require


def data_options(parent: pulumi.Resource, caller: Optional[pulumi.ResourceOptions]) -> pulumi.ResourceOptions:
    """Options of data-bearing children: protected and retained on delete unless the caller said otherwise."""
    caller = caller or pulumi.ResourceOptions()
    return pulumi.ResourceOptions(
        parent=parent,
        protect=True if caller.protect is None else caller.protect,
        retain_on_delete=True if caller.retain_on_delete is None else caller.retain_on_delete,
    )


class StorageTiers(pulumi.ComponentResource):
    """Hot: FSx for Lustre PERSISTENT_2 linked to the bucket by a data repository association (AWS), or
    Azure Managed Lustre (Azure), on a valid capacity step and throughput tier, sized so the GPUs fed get
    `throughput_mb_s_per_gpu` each. Warm/cold: an S3 bucket or a storage account, private, encrypted,
    versioned, with lifecycle transitions to colder classes. The file system and the bucket / account
    are protected and retained on delete by default (`protect=False` / `retain_on_delete=False` in the
    caller's options turn that off)."""

    hot_file_system_id: pulumi.Output[Optional[str]]
    """FSx / Managed Lustre id; none without a hot tier."""
    hot_capacity_tib: pulumi.Output[float]
    """Hot tier size in TiB (0 without one)."""
    hot_throughput_mb_s_per_tib: pulumi.Output[int]
    """Throughput tier of the hot tier in MB/s per TiB (0 without one)."""
    hot_throughput_mb_s: pulumi.Output[float]
    """Aggregate hot tier throughput in MB/s: capacity × tier."""
    required_throughput_mb_s: pulumi.Output[float]
    """What the GPUs fed need: GPUs × throughput per GPU, in MB/s."""
    object_store_name: pulumi.Output[str]
    """S3 bucket name / storage account name."""
    object_store_id: pulumi.Output[str]
    """S3 bucket ARN / storage account resource id."""
    object_container_name: pulumi.Output[Optional[str]]
    """Azure: the blob container the data goes in; AWS: none (an S3 bucket has no containers)."""

    def __init__(self, name: str, args: StorageTiersArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        plan = require(plan_storage_tiers(args, name), f"StorageTiers {name}: invalid arguments", name, args)
        super().__init__("gpufleet:index:StorageTiers", name, None, opts)
        declared = declarer(plan.cloud).declare_storage(self, name, plan, args, data_options(self, opts))
        self.hot_file_system_id = pulumi.Output.from_input(declared.hot_file_system_id)
        self.hot_capacity_tib = pulumi.Output.from_input(plan.hot_capacity_tib)
        self.hot_throughput_mb_s_per_tib = pulumi.Output.from_input(plan.throughput_mb_s_per_tib)
        self.hot_throughput_mb_s = pulumi.Output.from_input(plan.hot_throughput_mb_s)
        self.required_throughput_mb_s = pulumi.Output.from_input(plan.required_mb_s)
        self.object_store_name = pulumi.Output.from_input(declared.object_store_name)
        self.object_store_id = pulumi.Output.from_input(declared.object_store_id)
        self.object_container_name = pulumi.Output.from_input(declared.object_container_name)
        self.register_outputs({
            "hot_file_system_id": self.hot_file_system_id, "hot_capacity_tib": self.hot_capacity_tib,
            "hot_throughput_mb_s_per_tib": self.hot_throughput_mb_s_per_tib,
            "hot_throughput_mb_s": self.hot_throughput_mb_s, "required_throughput_mb_s": self.required_throughput_mb_s,
            "object_store_name": self.object_store_name, "object_store_id": self.object_store_id,
            "object_container_name": self.object_container_name,
        })
