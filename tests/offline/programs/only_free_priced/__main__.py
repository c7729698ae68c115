"""An AKS cluster of the Free tier (its control plane priced at 0) with a GPU agent pool the catalog has no
westeurope offer for (review6's p07): the only priced part is free, so the month's cost is unknown, not 0.00."""

import pulumi_azure_native as an

rg = an.resources.ResourceGroup("rg", location="westeurope")
aks = an.containerservice.ManagedCluster("aks", resource_group_name=rg.name, dns_prefix="gpuaks",
    identity=an.containerservice.ManagedClusterIdentityArgs(type="SystemAssigned"),
    agent_pool_profiles=[an.containerservice.ManagedClusterAgentPoolProfileArgs(
        name="system", mode="System", count=3, vm_size="Standard_D4s_v5", os_type="Linux")])
an.containerservice.AgentPool("gpu", resource_group_name=rg.name, resource_name_=aks.name, agent_pool_name="gpu",
    vm_size="Standard_NC24ads_A100_v4", mode="User", enable_auto_scaling=True, min_count=0, max_count=4, count=1)
