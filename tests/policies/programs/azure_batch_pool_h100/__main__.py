"""The pulumi-azure-native `batch.Pool` example, with GPUs: a fixed pool of 80 Standard_ND96isr_H100_v5
(640 H100). gpufleet has no reader for the type: it was "not assessed" and passed prod's 512-GPU quota
and $500k budget (found by review14c)."""

from pulumi_azure_native import batch

TAGS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}

batch.Pool(
    "train",
    account_name="mlbatch",
    resource_group_name="rg-ml",
    pool_name="h100",
    vm_size="Standard_ND96isr_H100_v5",
    scale_settings={"fixed_scale": {"target_dedicated_nodes": 80, "target_low_priority_nodes": 0}},
    deployment_configuration={"virtual_machine_configuration": {
        "node_agent_sku_id": "batch.node.ubuntu 22.04",
        "image_reference": {"publisher": "microsoft-dsvm", "offer": "ubuntu-hpc", "sku": "2204", "version": "latest"},
    }},
    tags=TAGS,
)
