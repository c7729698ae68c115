import pulumi
from pulumi_azure_native import resources, storage

TAGS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}
group = resources.ResourceGroup("data", resource_group_name="rg-data", tags=TAGS)
account = storage.StorageAccount(
    "data", resource_group_name=group.name, account_name="gpufleetplain", kind="StorageV2",
    sku={"name": "Standard_LRS"}, allow_blob_public_access=False,
    encryption={"key_source": "Microsoft.Storage", "services": {"blob": {"enabled": False}}},
    tags=TAGS, opts=pulumi.ResourceOptions(protect=True))
storage.ManagementPolicy(
    "data", resource_group_name=group.name, account_name=account.name, management_policy_name="default",
    policy={"rules": [{"name": "cool", "enabled": True, "type": "Lifecycle", "definition": {
        "actions": {"base_blob": {"tier_to_cool": {"days_after_modification_greater_than": 30}}},
        "filters": {"blob_types": ["blockBlob"]}}}]})
