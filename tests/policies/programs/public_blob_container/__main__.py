import pulumi
from pulumi_azure_native import resources, storage

TAGS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}
group = resources.ResourceGroup("data", resource_group_name="rg-data", tags=TAGS)
account = storage.StorageAccount(
    "data", resource_group_name=group.name, account_name="gpufleetpublic", kind="StorageV2",
    sku={"name": "Standard_LRS"}, allow_blob_public_access=True,
    encryption={"key_source": "Microsoft.Storage", "services": {"blob": {"enabled": True, "key_type": "Account"}}},
    tags=TAGS, opts=pulumi.ResourceOptions(protect=True))
storage.BlobContainer("models", resource_group_name=group.name, account_name=account.name, public_access="Blob")
storage.ManagementPolicy(
    "data", resource_group_name=group.name, account_name=account.name, management_policy_name="default",
    policy={"rules": [{"name": "cool", "enabled": True, "type": "Lifecycle", "definition": {
        "actions": {"base_blob": {"tier_to_cool": {"days_after_modification_greater_than": 30}}},
        "filters": {"blob_types": ["blockBlob"]}}}]})
