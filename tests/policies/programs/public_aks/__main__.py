from pulumi_azure_native import containerservice, resources

TAGS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}
group = resources.ResourceGroup("gpu", resource_group_name="rg-gpu", tags=TAGS)
containerservice.ManagedCluster(
    "aks",
    resource_group_name=group.name,
    dns_prefix="gpu",
    agent_pool_profiles=[{"name": "system", "mode": "System", "count": 2, "vm_size": "Standard_D4s_v5"}],
    identity={"type": "SystemAssigned"},
    tags=TAGS,
)
