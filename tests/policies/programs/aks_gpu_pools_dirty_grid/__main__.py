from pulumi_azure_native import containerservice, resources

TAGS = {"team": "ml-platform", "cost-center": "cc-4711", "environment": "prod"}
group = resources.ResourceGroup("gpu", tags=TAGS)
cluster = containerservice.ManagedCluster(
    "aks",
    resource_group_name=group.name,
    location="centralus",
    dns_prefix="gpu",
    identity={"type": "SystemAssigned"},
    api_server_access_profile={"enable_private_cluster": True},
    agent_pool_profiles=[
        {"name": "system", "mode": "System", "count": 1, "vm_size": "Standard_D4s_v5"},
        {"name": "t4", "mode": "User", "vm_size": "Standard_NC4as_T4_v3", "enable_auto_scaling": True,
         "count": 1, "min_count": 0, "max_count": 2},
    ],
    tags=TAGS,
)
containerservice.AgentPool(
    "t4b",
    resource_group_name=group.name,
    resource_name_=cluster.name,  # Azure names the cluster: unknown at preview
    mode="User",
    vm_size="Standard_NC4as_T4_v3",
    enable_auto_scaling=True,
    count=1,
    min_count=0,
    max_count=2,
    tags=TAGS,
)
