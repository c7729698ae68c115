"""A resource group and a managed cluster; the cluster is tagged with the invoked tenant id."""

import pulumi
from pulumi_azure_native import authorization, containerservice, resources

client = authorization.get_client_config()
group = resources.ResourceGroup("gpu", resource_group_name="rg-gpu")
cluster = containerservice.ManagedCluster(
    "aks",
    resource_group_name=group.name,
    dns_prefix="gpu",
    agent_pool_profiles=[{"name": "system", "count": 1, "vm_size": "Standard_D4s_v5", "mode": "System"}],
    identity={"type": "SystemAssigned"},
    tags={"tenant": client.tenant_id},
)

pulumi.export("subscriptionId", client.subscription_id)
pulumi.export("clusterName", cluster.name)
